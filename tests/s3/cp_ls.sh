#!/bin/bash
# tests/s3/cp_ls.sh: `kiln ls` and `kiln cp` between directory stores (no
# server needed; run_rgw.sh checks them on s3://): ls reports every block
# with its counts, cp copies and verifies, a second cp finds every block
# already there, and a damaged block in the destination is caught by cp's
# read-back rather than passed over.
set -u
k=${KILN_BIN:?KILN_BIN must name the kiln command}
w=$(mktemp -d "${TMPDIR:-/tmp}/kiln-cpls.XXXXXX")
trap 'rm -rf "$w"' EXIT
fails=0
check() { local what=$1; shift; if "$@"; then echo "ok   $what"; else echo "FAIL $what"; fails=$((fails + 1)); fi; }

"$k" gen --out "$w/gen" --services 2 --hosts 2 --duration 10m --seed 9 \
  --end 1700000000 >/dev/null || { echo "FAIL kiln gen"; exit 1; }
"$k" ingest --store "$w/a" --path-labels service_name/host --block-window 5m \
  "$w/gen" >/dev/null || { echo "FAIL kiln ingest"; exit 1; }
nblocks=$(find "$w/a/default/blocks" -name '*.kiln' | wc -l)

ls_lists_all() {
  "$k" ls --store "$w/a" >"$w/ls" || return 1
  [ "$(grep -c '^default/blocks/.*\.kiln ' "$w/ls")" = "$nblocks" ] &&
    tail -1 "$w/ls" | grep -q "^$nblocks blocks, .* samples$"
}
check "kiln ls lists every block ($nblocks) and a total" ls_lists_all
ls_json() {
  "$k" ls --json --store "$w/a" >"$w/ls.json" || return 1
  [ "$(grep -c '"samples":[1-9]' "$w/ls.json")" = "$nblocks" ]
}
check "kiln ls --json: one object per block, with samples" ls_json
check "kiln ls of an empty tenant lists nothing" \
  bash -c "'$k' ls --store '$w/a' --tenant nobody | tail -1 | grep -q '^0 blocks'"

check "kiln cp copies and verifies" \
  bash -c "'$k' cp '$w/a' '$w/b' | tail -1 | grep -q '^$nblocks copied .* 0 failed'"
same_bytes() { diff -r -q "$w/a/default/blocks" "$w/b/default/blocks" >/dev/null; }
check "the copies are byte-identical" same_bytes
check "kiln cp again: every block already there" \
  bash -c "'$k' cp '$w/a' '$w/b' | tail -1 | grep -q '^0 copied .* $nblocks already there, 0 failed'"

# damage one copy in the middle (not the footer, which ls alone would read)
victim=$(find "$w/b/default/blocks" -name '*.kiln' | sort | head -1)
size=$(stat -c %s "$victim")
printf '\xff' | dd of="$victim" bs=1 seek=$((size / 3)) conv=notrunc status=none
cp_catches_damage() {
  "$k" cp "$w/a" "$w/b" >/dev/null 2>"$w/err" && return 1
  grep -q "$(basename "$victim")" "$w/err"
}
check "kiln cp finds a destination block that differs and fails" cp_catches_damage
check "kiln cp with one argument is a usage error" \
  bash -c "'$k' cp '$w/a' 2>/dev/null; [ \$? = 1 ]"

echo "$fails failed"
[ $fails = 0 ]
