#!/bin/bash
# crash.sh: a block becomes visible whole or not at all. `kiln ingest` is
# killed with SIGKILL at several moments of a long ingest (many small
# windows, so many block writes); after each kill every block file in the
# store verifies and the store answers queries. Two ingests running at once
# into one store both land, whole.
set -euo pipefail
. "$(dirname "$0")/common.sh"

K="$KILN_BIN"
F="$WORK/fleet"
"$K" gen --out "$F" --services 3 --hosts 3 --duration 10m --seed 3 --end 2024-01-01T00:10:00Z > /dev/null 2> "$WORK/err" ||
    { not_ok "kiln gen"; diag < "$WORK/err"; tap_end; exit 1; }
nf=$(find "$F" -type f | wc -l)
ok "generated $nf profiles (3 services x 3 hosts x 10 min)"

total() { { "$E2E_CANON" "$1" 2> /dev/null || true; } |
    awk '/^S / { n = split($0, a, " = "); split(a[n], v, " "); s += v[1] } END { printf "%.0f\n", s }'; }

# How long a whole ingest takes here; kills land at fractions of it, most
# near the end, where the blocks are written.
S="$WORK/full"
t0=$(date +%s%N)
"$K" ingest --store "$S" --block-window 1m --path-labels service_name/host "$F" > /dev/null 2>&1 ||
    not_ok "uninterrupted ingest failed"
t1=$(date +%s%N)
full=$(nblocks "$S")
ms=$(( (t1 - t0) / 1000000 ))
ok "uninterrupted ingest: $full blocks in $ms ms"
partial=0
for pct in 10 40 70 80 85 90 93 96 98 99; do
    delay=$(awk -v ms="$ms" -v p="$pct" 'BEGIN { printf "%.3f", ms * p / 100000 }')
    S="$WORK/kill-$delay"
    "$K" ingest --store "$S" --block-window 1m --path-labels service_name/host "$F" > /dev/null 2>&1 &
    pid=$!
    sleep "$delay"
    kill -9 "$pid" 2> /dev/null || true
    wait "$pid" 2> /dev/null || true
    nb=$(nblocks "$S")
    bad=""
    for b in $(blocks "$S"); do
        "$K" verify "$b" > /dev/null 2> "$WORK/err" || bad="$bad $(basename "$b")"
    done
    rc=0
    "$K" query --store "$S" --format top > /dev/null 2> "$WORK/err" || rc=$?
    if [ "$nb" -gt 0 ] && [ "$nb" -lt "$full" ]; then partial=$((partial + 1)); fi
    # A kill before the first write leaves no store at all: reading it is
    # "no such store" (exit 4), and nothing may have been created.
    if [ -z "$bad" ] && [ "$rc" -eq 4 ] && [ ! -e "$S" ]; then
        ok "killed after ${delay}s: before the first write; no store created, query exit 4"
    elif [ -z "$bad" ] && [ "$rc" -eq 0 ]; then
        ok "killed after ${delay}s: $nb block(s) visible, all verify, query exit 0 ($(nfiles "$S") files in the store)"
    else
        not_ok "killed after ${delay}s: blocks that do not verify:${bad:- none}; query exit $rc"; diag < "$WORK/err"
    fi
done
echo "# $partial of the kills landed while blocks were being written (timing-dependent; not asserted)"

# Two ingests at once, different series, one store.
S="$WORK/both"
"$K" ingest --store "$S" --label run=a --path-labels service_name/host "$F" > "$WORK/a.log" 2>&1 &
pa=$!
"$K" ingest --store "$S" --label run=b --path-labels service_name/host "$F" > "$WORK/b.log" 2>&1 &
pb=$!
ra=0; rb=0
wait "$pa" || ra=$?
wait "$pb" || rb=$?
"$K" query --store "$S" --format pprof -o "$WORK/both.pb.gz" 2> /dev/null || true
"$K" query --store "$S" --match '{run="a"}' --format pprof -o "$WORK/a.pb.gz" 2> /dev/null || true
ta=$(total "$WORK/a.pb.gz"); tb=$(total "$WORK/both.pb.gz")
if [ "$ra" -eq 0 ] && [ "$rb" -eq 0 ] && [ "$ta" -gt 0 ] && [ "$tb" -eq $((2 * ta)) ]; then
    ok "two concurrent ingests into one store: both whole ($ta + $ta = $tb)"
else
    not_ok "two concurrent ingests: exits $ra/$rb, run a $ta, both $tb (want 2x)"; cat "$WORK/a.log" "$WORK/b.log" | head -10 | diag
fi
for b in $(blocks "$S"); do
    "$K" verify "$b" > /dev/null 2>&1 || { not_ok "concurrent ingest left a bad block $b"; }
done
tap_end
