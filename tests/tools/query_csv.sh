#!/bin/bash
# query_csv.sh: `kiln query --format csv` end to end: one line per stored
# row with its time, labels (quoted when they hold a comma or a quote) and
# folded stack; summed by stack the lines give --format folded; --columns
# picks and orders the label columns; bad uses exit 1.
. "$(cd "$(dirname "$0")" && pwd)/../common/tap.sh" csv

printf 'main;do,it;say "hi" 5\nmain;idle 3\n' > "$WORK/a.txt"
printf 'main;idle 7\n' > "$WORK/b.txt"
run 0 "ingest a" "$K" ingest --store "$WORK/s" --label 'service_name=we,b' \
    --label host=h1 --time 2026-01-02T03:04:05Z "$WORK/a.txt"
run 0 "ingest b" "$K" ingest --store "$WORK/s" --label service_name=db \
    --time 2026-01-02T03:05:05Z "$WORK/b.txt"

run 0 "csv, every label" "$K" query --store "$WORK/s" --format csv -o "$WORK/all.csv"
run 0 "folded" "$K" query --store "$WORK/s" --format folded -o "$WORK/all.folded"
# Parsed as CSV (RFC 4180): the header, each row's fields, and the sums by
# stack against the folded output.
check "rows, fields and sums" python3 - "$WORK/all.csv" "$WORK/all.folded" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline='')))
head, body = rows[0], rows[1:]
assert head[:6] == ['time_ns', 'host', 'service_name', 'trace_id', 'span_id', 'stack'], head
assert len(head) == 7, head
got = sorted((r[0], r[1], r[2], r[3], r[4], r[5], r[6]) for r in body)
t1, t2 = '1767323045000000000', '1767323105000000000'
want = sorted([(t1, 'h1', 'we,b', '', '', 'main;do,it;say "hi"', '5'),
               (t1, 'h1', 'we,b', '', '', 'main;idle', '3'),
               (t2, '', 'db', '', '', 'main;idle', '7')])
assert got == want, got
sums = {}
for r in body:
    sums[r[5]] = sums.get(r[5], 0) + int(r[6])
folded = sorted('%s %d' % kv for kv in sums.items())
assert folded == open(sys.argv[2]).read().splitlines(), folded
PY

run 0 "csv, --columns and a selector" "$K" query --store "$WORK/s" --format csv \
    --columns service_name,zone --match '{service_name="db"}'
check "asked columns in order" [ "$(head -1 "$WORK/out")" = "time_ns,service_name,zone,trace_id,span_id,stack,samples" ]
check "one row, a missing label empty" [ "$(sed -n '2,$p' "$WORK/out")" = "1767323105000000000,db,,,,main;idle,7" ]
run 0 "csv, no label columns" "$K" query --store "$WORK/s" --format csv --columns ''
check "no label columns" [ "$(head -1 "$WORK/out")" = "time_ns,trace_id,span_id,stack,samples" ]
run 1 "--columns with an empty name" "$K" query --store "$WORK/s" --format csv --columns 'a,,b'
run 1 "--columns without csv" "$K" query --store "$WORK/s" --columns host
run 0 "csv, nothing matches: a header, a message" "$K" query --store "$WORK/s" \
    --format csv --match '{service_name="nope"}'
check "message on stderr" grep -q 'no samples matched' "$WORK/err"

tap_done
