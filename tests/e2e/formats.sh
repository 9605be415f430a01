#!/bin/bash
# formats.sh: kiln's renderings of one result agree with each other, for
# every corpus profile: JSON parses (bytes that are not UTF-8 included) and
# carries the pprof output's sample types and per-type totals, folded stacks
# sum to the pprof total of the type shown (the empty stack, which folded
# text cannot show, aside), and top's total is the sum of |value| per stack
# (as pprof's -top counts it).
# The pprof output, read by the independent reader, is the reference.
set -euo pipefail
. "$(dirname "$0")/common.sh"

K="$KILN_BIN"
i=0
for f in "$KILN_CORPUS"/pprof/*; do
    i=$((i + 1))
    d="$WORK/$i"
    mkdir -p "$d"
    basename "$f" > "$d/name"
    {
        "$K" ingest --store "$d/s" "$f" > /dev/null &&
        "$K" query --store "$d/s" --format pprof -o "$d/out.pb.gz" &&
        "$K" query --store "$d/s" --format json -o "$d/out.json" &&
        "$K" query --store "$d/s" --format folded -o "$d/out.folded" &&
        "$K" query --store "$d/s" --format top -o "$d/out.top"
    } 2> "$d/err" || echo "kiln failed: $(head -c 300 "$d/err")" > "$d/fail"
    "$E2E_CANON" "$d/out.pb.gz" > "$d/out.canon" 2>> "$d/err" || true
    rm -rf "$d/s"
done
"$PY" "$E2E_DIR/formats_check.py" "$WORK" "$i"
