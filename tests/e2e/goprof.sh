#!/bin/bash
# goprof.sh: real CPU profiles made now by Go's runtime/pprof (goprof/main.go,
# functions burning CPU under pprof.Do labels trace_id/span_id) are ingested
# and read back: lossless through the independent reader, the same
# `go tool pprof -top` as the input (alone and merged), the trace_id/span_id
# labels back exactly, and the links counted by `kiln inspect --json`.
set -euo pipefail
. "$(dirname "$0")/common.sh"

if ! go_env; then
    echo "1..0 # SKIP go not installed (scripts/test installs golang-go)"
    exit 0
fi
K="$KILN_BIN"
P="$WORK/prof"
rc=0
# GOPATH mode, one file, standard library only: no module, no network.
"$GO" run "$E2E_DIR/goprof/main.go" -out "$P" -n 2 -cpu 200ms > "$WORK/ids.txt" 2> "$WORK/go.err" || rc=$?
if [ "$rc" -ne 0 ] || [ ! -s "$P/cpu-0.pb.gz" ] || [ ! -s "$P/cpu-1.pb.gz" ]; then
    not_ok "go run goprof/main.go: exit $rc"; head -c 2000 "$WORK/go.err" | diag
    tap_end; exit 1
fi
ok "go run goprof: 2 CPU profiles ($(stat -c %s "$P/cpu-0.pb.gz") and $(stat -c %s "$P/cpu-1.pb.gz") bytes)"

top() { "$GO" tool pprof -top -nodecount=100000 -symbolize=none "$@" 2> /dev/null; }
# The rows of -top (flat, cum and name), without the header lines.
rows() { sed -n '/^ *flat  *flat%/,$p' | tail -n +2; }

for i in 0 1; do
    f="$P/cpu-$i.pb.gz"
    s="$WORK/store$i"
    "$K" ingest --store "$s" "$f" > /dev/null 2> "$WORK/err" || { not_ok "ingest cpu-$i"; diag < "$WORK/err"; continue; }
    "$K" query --store "$s" --format pprof -o "$WORK/out$i.pb.gz" 2> "$WORK/err" || { not_ok "query cpu-$i"; diag < "$WORK/err"; continue; }
    "$E2E_CANON" "$f" > "$WORK/in$i.canon"
    "$E2E_CANON" "$WORK/out$i.pb.gz" > "$WORK/out$i.canon" 2> "$WORK/err" || true
    if cmp -s <(grep -v '^T' "$WORK/in$i.canon") <(grep -v '^T' "$WORK/out$i.canon") &&
       [ "$(grep '^T' "$WORK/in$i.canon")" = "$(grep '^T' "$WORK/out$i.canon")" ]; then
        ok "cpu-$i: lossless ($(grep -c '^S ' "$WORK/in$i.canon") stacks, labels included, same time)"
    else
        not_ok "cpu-$i: kiln's output differs from the input (- input, + kiln)"
        diff <(grep -v '^T' "$WORK/in$i.canon") <(grep -v '^T' "$WORK/out$i.canon") | grep '^[<>]' | head -10 | cut -c1-300 | diag || true
    fi
    top "$f" > "$WORK/in$i.top"
    top "$WORK/out$i.pb.gz" > "$WORK/out$i.top" || true
    if [ -s "$WORK/in$i.top" ] && cmp -s "$WORK/in$i.top" "$WORK/out$i.top"; then
        ok "cpu-$i: go tool pprof -top identical ($(rows < "$WORK/in$i.top" | wc -l) functions)"
    else
        not_ok "cpu-$i: go tool pprof -top differs"; diff "$WORK/in$i.top" "$WORK/out$i.top" | head -12 | diag || true
    fi
    for fn in main.burnAlpha main.burnBeta main.burnGammaInner main.burnUnlabeled; do
        if ! rows < "$WORK/in$i.top" | grep -q " $fn\$"; then
            not_ok "cpu-$i: $fn has no sample in the input (machine too busy?)"
        fi
    done
    # Trace labels, exactly: every (trace_id, span_id) pair with its value.
    for w in in out; do
        "$PY" - "$WORK/$w$i.canon" > "$WORK/$w$i.links" <<'PY'
import re, sys, collections
tot = collections.Counter()
for l in open(sys.argv[1]):
    if l.startswith("S "):
        key, vals = l.rstrip("\n").rsplit(" = ", 1)
        t = re.search(r'trace_id="([^"]*)"', key)
        s = re.search(r'span_id="([^"]*)"', key)
        tot[(t.group(1) if t else "-", s.group(1) if s else "-")] += int(vals.split()[0])
for (t, s), v in sorted(tot.items()):
    print(t, s, v)
PY
    done
    want=$(grep "^$f " "$WORK/ids.txt" | awk '{ print $3, $4 }' | sort)
    got=$(grep -v '^- ' "$WORK/in$i.links" | awk '{ print $1, $2 }' | sort)
    if [ "$want" = "$got" ]; then
        ok "cpu-$i: the input carries the 3 trace/span pairs goprof used"
    else
        not_ok "cpu-$i: input trace/span pairs are not goprof's"; { echo "want:"; echo "$want"; echo "got:"; echo "$got"; } | diag
    fi
    if cmp -s "$WORK/in$i.links" "$WORK/out$i.links"; then
        ok "cpu-$i: trace_id/span_id labels come back exactly: $(tr '\n' ';' < "$WORK/out$i.links" | cut -c1-200)"
    else
        not_ok "cpu-$i: trace_id/span_id labels differ (< input, > kiln)"; diff "$WORK/in$i.links" "$WORK/out$i.links" | diag || true
    fi
done

# Both profiles in one block: links counted by inspect, merged -top agrees
# with go tool pprof's own merge of the two inputs.
S="$WORK/both"
"$K" ingest --store "$S" --label service_name=goprof "$P/cpu-0.pb.gz" "$P/cpu-1.pb.gz" > /dev/null 2> "$WORK/err" || { not_ok "ingest both"; diag < "$WORK/err"; }
nblk=$(nblocks "$S")
blk=$(blocks "$S" | head -n 1)
pairs=$(cat "$WORK/in0.links" "$WORK/in1.links" | grep -v '^- ' | awk '{ print $1, $2 }' | sort -u | wc -l)
traces=$(cat "$WORK/in0.links" "$WORK/in1.links" | grep -v '^- ' | awk '{ print $1 }' | sort -u | wc -l)
if [ "$nblk" -eq 1 ] && "$K" inspect --json "$blk" > "$WORK/inspect.json" 2> "$WORK/err"; then
    if "$PY" - "$WORK/inspect.json" "$pairs" "$traces" > "$WORK/py.out" 2>&1 <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
pairs, traces = int(sys.argv[2]), int(sys.argv[3])
def find(o, names):
    """First numeric value under any of names, searching nested objects."""
    if isinstance(o, dict):
        for k, v in o.items():
            if k in names and isinstance(v, int):
                return v
        for v in o.values():
            r = find(v, names)
            if r is not None:
                return r
    if isinstance(o, list):
        for v in o:
            r = find(v, names)
            if r is not None:
                return r
    return None
nl = j.get("links")
nt = j.get("traces")
print("inspect --json: links=%s traces=%s; want %d and %d" % (nl, nt, pairs, traces))
sys.exit(0 if (nl, nt) == (pairs, traces) else 1)
PY
    then ok "inspect --json counts the links: $(cat "$WORK/py.out")"
    else not_ok "inspect --json link counts"; diag < "$WORK/py.out"; fi
else
    not_ok "both profiles: $nblk blocks (want 1) or inspect --json failed"; diag < "$WORK/err"
fi
"$K" query --store "$S" --format pprof -o "$WORK/both.pb.gz" 2> "$WORK/err" || true
top "$P/cpu-0.pb.gz" "$P/cpu-1.pb.gz" | rows > "$WORK/merged.want"
top "$WORK/both.pb.gz" | rows > "$WORK/merged.got" || true
if [ -s "$WORK/merged.want" ] && cmp -s "$WORK/merged.want" "$WORK/merged.got"; then
    ok "two profiles merged: -top rows equal go tool pprof's merge of the inputs ($(wc -l < "$WORK/merged.want") functions)"
else
    not_ok "two profiles merged: -top rows differ from go tool pprof's merge"; diff "$WORK/merged.want" "$WORK/merged.got" | head -12 | diag || true
fi
# Trace lookups (issue 4), when the command has them: every trace of the
# inputs gives exactly its samples, with or without the span, by index and
# by scan; an absent trace gives nothing and exit 0.
if "$K" query --help 2>&1 | grep -q -- '--trace-id'; then
    cat "$WORK/in0.links" "$WORK/in1.links" | grep -v '^- ' > "$WORK/all.links" || true
    tbad=0; tn=0
    while read -r t sp v; do
        tn=$((tn + 1))
        for extra in "" "--span-id $sp" "--scan-traces"; do
            rm -f "$WORK/t.pb.gz"
            rc=0
            "$K" query --store "$S" --trace-id "$t" $extra --format pprof -o "$WORK/t.pb.gz" 2> "$WORK/err" || rc=$?
            got=$({ "$E2E_CANON" "$WORK/t.pb.gz" 2> /dev/null || true; } |
                awk -v t="$t" '/^S / { if (index($0, "trace_id=\"" t "\"") == 0) other++; n = split($0, a, " = "); split(a[n], x, " "); s += x[1] } END { printf "%.0f %d\n", s, other }')
            if [ "$rc" -ne 0 ] || [ "$got" != "$v 0" ]; then
                tbad=$((tbad + 1))
                echo "trace $t $extra: exit $rc, got (value, foreign samples) $got, want $v 0" | diag
                head -c 300 "$WORK/err" | diag
            fi
        done
    done < "$WORK/all.links"
    if [ "$tbad" -eq 0 ] && [ "$tn" -gt 0 ]; then ok "query --trace-id (alone, with --span-id, and --scan-traces) gives exactly each of the $tn traces' samples"
    else not_ok "query --trace-id: $tbad of $((3 * tn)) lookups wrong"; fi
    rc=0
    "$K" query --store "$S" --trace-id 0123456789abcdef0123456789abcdef --format pprof -o "$WORK/none.pb.gz" 2> "$WORK/err" || rc=$?
    if [ "$rc" -eq 0 ] && [ "$(stacks "$WORK/none.pb.gz")" -eq 0 ]; then ok "query --trace-id of an absent trace: nothing, exit 0"
    else not_ok "query --trace-id of an absent trace: exit $rc, $(stacks "$WORK/none.pb.gz") stacks"; diag < "$WORK/err"; fi
    rc=0
    "$K" query --store "$S" --trace-id nothex --format pprof -o "$WORK/none.pb.gz" > /dev/null 2>&1 || rc=$?
    if [ "$rc" -eq 1 ]; then ok "query --trace-id nothex: usage error, exit 1"; else not_ok "query --trace-id nothex: exit $rc (want 1)"; fi
fi

# kiln's own top lists the burners.
"$K" query --store "$S" --format top > "$WORK/kiln.top" 2> "$WORK/err" || true
miss=""
for fn in main.burnAlpha main.burnBeta main.burnGammaInner main.burnUnlabeled; do
    grep -q "$fn" "$WORK/kiln.top" || miss="$miss $fn"
done
if [ -z "$miss" ]; then ok "kiln query --format top lists the four burning functions"
else not_ok "kiln query --format top misses:$miss"; head -15 "$WORK/kiln.top" | diag; fi
tap_end
