#!/bin/bash
# otlp_ingest.sh (suite writer): the same generated fleet written as pprof and as OTLP
# (`kiln gen --otlp`) and ingested each way gives byte-identical blocks and
# identical query answers; gzip'd OTLP is read; a malformed OTLP file fails
# the ingest and stores nothing.
. "$(cd "$(dirname "$0")" && pwd)/../common/tap.sh" otlp

run 0 "gen --otlp" "$K" gen --out "$WORK/fleet" --services 2 --hosts 2 \
    --duration 2m --seed 11 --trace-fraction 0.3 --end 2026-11-24T01:00:00Z --otlp
NPB=$(find "$WORK/fleet" -name '*.pb.gz' | wc -l)
NOT=$(find "$WORK/fleet" -name '*.otlp.pb' | wc -l)
check "one OTLP file per pprof file ($NOT = $NPB)" [ "$NPB" -eq 48 ] && [ "$NOT" -eq 48 ]
run 0 "gen --otlp is deterministic" "$K" gen --out "$WORK/fleet2" --services 2 \
    --hosts 2 --duration 2m --seed 11 --trace-fraction 0.3 \
    --end 2026-11-24T01:00:00Z --otlp
check "same OTLP bytes for the same arguments" \
    diff -r -q "$WORK/fleet" "$WORK/fleet2"

find "$WORK/fleet" -name '*.pb.gz' | sort > "$WORK/pprof.list"
find "$WORK/fleet" -name '*.otlp.pb' | sort > "$WORK/otlp.list"
run 0 "ingest pprof" "$K" ingest --store "$WORK/sp" -p service_name/host - < "$WORK/pprof.list"
run 0 "ingest OTLP" "$K" ingest --store "$WORK/so" -p service_name/host - < "$WORK/otlp.list"
check "OTLP summary counts 48 OTLP files" grep -q '^kiln ingest: 48 files (0 pprof, 48 otlp, 0 folded, 0 skipped)' "$WORK/out"
BP=$(find "$WORK/sp" -name '*.kiln' | head -1)
BO=$(find "$WORK/so" -name '*.kiln' | head -1)
check "one block each" [ "$(nblocks "$WORK/sp")" -eq 1 ] && [ "$(nblocks "$WORK/so")" -eq 1 ]
check "byte-identical blocks" cmp -s "$BP" "$BO"
run 0 "verify the OTLP block" "$K" verify "$BO"
run 0 "inspect the OTLP block" "$K" inspect --json "$BO"
check "links were kept" grep -Eq '"links":[1-9]' "$WORK/out"

for f in top folded json; do
    "$K" query --store "$WORK/sp" --format "$f" -n 0 > "$WORK/qp.$f" 2>&1
    "$K" query --store "$WORK/so" --format "$f" -n 0 > "$WORK/qo.$f" 2>&1
    check "query --format $f answers the same" cmp -s "$WORK/qp.$f" "$WORK/qo.$f"
done
"$K" query --store "$WORK/sp" --match '{service_name="checkout"}' --format folded \
    --type cpu > "$WORK/cp" 2>&1
"$K" query --store "$WORK/so" --match '{service_name="checkout"}' --format folded \
    --type cpu > "$WORK/co" 2>&1
check "a selected service answers the same" cmp -s "$WORK/cp" "$WORK/co"
check "and is not empty" [ -s "$WORK/co" ]

# Resource attributes give the series labels when no --path-labels.
run 0 "ingest OTLP without path labels" "$K" ingest --store "$WORK/sr" - < "$WORK/otlp.list"
run 0 "query by resource service" "$K" query --store "$WORK/sr" \
    --match '{service_name="checkout"}' --format folded --type cpu
check "service.name became service_name" cmp -s "$WORK/out" "$WORK/co"

# gzip'd OTLP is read too.
ONE=$(head -1 "$WORK/otlp.list")
gzip -c "$ONE" > "$WORK/one.otlp.pb.gz"
run 0 "ingest one OTLP file" "$K" ingest --store "$WORK/s1" -p service_name/host "$ONE"
mkdir -p "$WORK/z/$(basename "$(dirname "$(dirname "$ONE")")")/$(basename "$(dirname "$ONE")")"
ZD="$WORK/z/$(basename "$(dirname "$(dirname "$ONE")")")/$(basename "$(dirname "$ONE")")"
mv "$WORK/one.otlp.pb.gz" "$ZD/"
run 0 "ingest it gzip'd" "$K" ingest --store "$WORK/s2" -p service_name/host "$ZD/one.otlp.pb.gz"
check "gzip'd OTLP gives the same block" \
    cmp -s "$(find "$WORK/s1" -name '*.kiln' | head -1)" "$(find "$WORK/s2" -name '*.kiln' | head -1)"

# A malformed OTLP file: the ingest fails and stores nothing.
printf '\x0a\xff\xff\xff\x0f\x01' > "$WORK/bad.otlp.pb"
run 2 "malformed OTLP refused" "$K" ingest --store "$WORK/sb" "$ONE" "$WORK/bad.otlp.pb"
check "error names the file and OTLP" grep -q "bad.otlp.pb: otlp: " "$WORK/err"
check "nothing stored" [ "$(nblocks "$WORK/sb")" -eq 0 ]

tap_done
