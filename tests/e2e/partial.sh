#!/bin/bash
# partial.sh: one unreadable object under a tenant's blocks/ must not take
# every query of the tenant down. A damaged page, a damaged section, a
# truncated block and a stray object are each left out whole: the command
# names the block on stderr, prints exactly the answer of the store without
# it (never part of the damaged block) and exits 6; --strict fails (exit 2)
# naming the block instead.
set -euo pipefail
. "$(dirname "$0")/common.sh"

K="$KILN_BIN"
"$K" gen --quiet --out "$WORK/fleet" --services 3 --hosts 3 --duration 2m \
    --end 2026-11-24T01:00:00Z --seed 5 --trace-fraction 0.5
for d in "$WORK"/fleet/*; do
    "$K" ingest --quiet --store "$WORK/full" --path-labels service_name/host \
        "$d" > /dev/null
done
blocks() { ls "$1/default/blocks"; }
nb=$(blocks "$WORK/full" | wc -l)
if [ "$nb" -ge 3 ]; then ok "three services, $nb blocks"; else
    not_ok "want at least 3 blocks, got $nb"; fi
victim=$(blocks "$WORK/full" | head -1)
# The store without the victim: what a partial answer must equal.
cp -r "$WORK/full" "$WORK/rest"
rm "$WORK/rest/default/blocks/$victim"
# A trace of the victim (so a lookup reads its links).
mkdir -p "$WORK/only/default/blocks"
cp "$WORK/full/default/blocks/$victim" "$WORK/only/default/blocks/"
trace=$("$K" query --store "$WORK/only" --list-traces --format json -n 1 |
    "$PY" -c 'import json,sys; print(json.load(sys.stdin)[0]["trace_id"])')

# section_at STORE NAME: "offset stored" of the victim's section NAME.
section_at() {
    "$K" inspect --json "$1/default/blocks/$victim" | "$PY" -c '
import json, sys
for s in json.load(sys.stdin)["sections"]:
    if s["name"] == sys.argv[1]:
        print(s["offset"], s["stored"])' "$2"
}
npages=$("$K" inspect --json "$WORK/full/default/blocks/$victim" |
    "$PY" -c 'import json,sys; print(json.load(sys.stdin)["pages"])')
# Several pages, so a scan that counted pages as it read them would have
# counted the first ones before meeting the damaged last one.
if [ "$npages" -ge 2 ]; then ok "the damaged block has $npages pages"; else
    not_ok "the damaged block has $npages page(s), want several"; fi
flip() { # FILE OFFSET: invert one byte
    local b
    b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
    printf "$(printf '\\%03o' $((255 - b)))" |
        dd of="$1" bs=1 seek="$2" conv=notrunc 2> /dev/null
}

# same_answer CASE STORE REF WANT_EXIT ARGS...: the query's stdout equals
# REF's, its exit code is WANT_EXIT, and (for 6) stderr names the victim.
same_answer() {
    local what=$1 s=$2 ref=$3 want=$4 rc=0
    shift 4
    "$K" query --store "$ref" "$@" > "$WORK/want.out" 2> /dev/null
    "$K" query --store "$s" "$@" > "$WORK/got.out" 2> "$WORK/got.err" || rc=$?
    if [ "$rc" -ne "$want" ]; then
        not_ok "$what: exit $rc, want $want"; diag < "$WORK/got.err"; return
    fi
    if ! cmp -s "$WORK/want.out" "$WORK/got.out"; then
        not_ok "$what: the answer differs from the store without the block"
        diff "$WORK/want.out" "$WORK/got.out" > "$WORK/diff.txt" || true
        head -20 "$WORK/diff.txt" | diag; return
    fi
    if [ "$want" -eq 6 ] && ! grep -q "left out block default/blocks/$victim" "$WORK/got.err"; then
        not_ok "$what: stderr does not name the block"; diag < "$WORK/got.err"; return
    fi
    ok "$what"
}
strict_fails() {
    local what=$1 s=$2 rc=0
    shift 2
    "$K" query --store "$s" --strict "$@" > /dev/null 2> "$WORK/strict.err" || rc=$?
    if [ "$rc" -eq 2 ] && grep -q "$victim" "$WORK/strict.err"; then
        ok "$what: --strict exits 2 naming the block"
    else
        not_ok "$what: --strict exit $rc"; diag < "$WORK/strict.err"
    fi
}
every_query() { # CASE STORE
    same_answer "$1: folded" "$2" "$WORK/rest" 6 --format folded
    same_answer "$1: top" "$2" "$WORK/rest" 6 --format top -n 0
    same_answer "$1: csv rows" "$2" "$WORK/rest" 6 --format csv
    same_answer "$1: list traces" "$2" "$WORK/rest" 6 --list-traces -n 0
    same_answer "$1: range" "$2" "$WORK/rest" 6 --format folded \
        --from 2026-11-24T00:59:30Z --to 2026-11-24T01:00:00Z
    strict_fails "$1" "$2" --format folded
}

# A page of the samples section: checked before any row of the block counts.
cp -r "$WORK/full" "$WORK/page"
read -r off stored < <(section_at "$WORK/page" samples)
flip "$WORK/page/default/blocks/$victim" $((off + stored - 1))
every_query "damaged last page" "$WORK/page"

# The symbols section.
cp -r "$WORK/full" "$WORK/sym"
read -r off stored < <(section_at "$WORK/sym" symbols)
flip "$WORK/sym/default/blocks/$victim" $((off + stored / 2))
every_query "damaged symbols" "$WORK/sym"

# A trace lookup meets damaged links (the bloom filter said "maybe").
cp -r "$WORK/full" "$WORK/links"
read -r off stored < <(section_at "$WORK/links" links)
flip "$WORK/links/default/blocks/$victim" $((off + stored / 2))
same_answer "damaged links: trace lookup" "$WORK/links" "$WORK/rest" 6 \
    --format folded --trace-id "$trace"
strict_fails "damaged links: trace lookup" "$WORK/links" --trace-id "$trace"

# Truncated (an upload cut short): no footer.
cp -r "$WORK/full" "$WORK/trunc"
f="$WORK/trunc/default/blocks/$victim"
head -c $(($(stat -c %s "$f") / 2)) "$f" > "$f.tmp" && mv "$f.tmp" "$f"
every_query "truncated" "$WORK/trunc"

# A stray object: the full store's answer, exit 6, the stray named.
cp -r "$WORK/full" "$WORK/stray"
echo "not a block" > "$WORK/stray/default/blocks/zz-stray.kiln"
saved=$victim
victim=zz-stray.kiln
same_answer "stray object" "$WORK/stray" "$WORK/full" 6 --format folded
strict_fails "stray object" "$WORK/stray" --format folded
victim=$saved

# kiln diff leaves it out the same way, and an intact store exits 0.
rc=0
"$K" diff --store "$WORK/page" --base '{service_name="cart"}' > /dev/null \
    2> "$WORK/diff.err" || rc=$?
if [ "$rc" -eq 6 ] && [ "$(grep -c "left out block" "$WORK/diff.err")" -eq 1 ]; then
    ok "diff: exit 6, the block named once for both sides"
else
    not_ok "diff: exit $rc"; diag < "$WORK/diff.err"
fi
same_answer "intact store" "$WORK/full" "$WORK/full" 0 --format folded
tap_end
