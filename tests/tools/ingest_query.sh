#!/bin/bash
# ingest_query.sh: `kiln gen` -> `kiln ingest` -> inspect/verify/query on a
# small fleet: the happy path gives back every generated sample; a bad file
# fails the whole ingest with exit 2 and stores nothing; --keep-going skips
# it; --block-window cuts per window; paths on stdin; folded input.
. "$(cd "$(dirname "$0")" && pwd)/../common/tap.sh" iq

# 2 services x 2 hosts x 12 windows of 10 s, ending on a minute boundary.
run 0 "gen" "$K" gen --out "$WORK/fleet" --services 2 --hosts 2 --duration 2m \
    --seed 5 --end 2026-11-24T01:00:00Z
GEN_SAMPLES=$(sed -n 's/.* \([0-9][0-9]*\) samples (.*/\1/p' "$WORK/out")
check "gen reports its samples" [ -n "$GEN_SAMPLES" ]

run 0 "ingest the fleet" "$K" ingest --store "$WORK/s1" \
    --path-labels service_name/host "$WORK/fleet"
check "summary line" grep -q '^kiln ingest: 48 files (48 pprof, 0 otlp, 0 folded, 0 skipped)' "$WORK/out"
check "one block for one hour" [ "$(nblocks "$WORK/s1")" -eq 1 ]
BLOCK=$(find "$WORK/s1" -name '*.kiln' | head -1)
check "block key printed" grep -q "default/blocks/$(basename "$BLOCK")" "$WORK/out"

run 0 "inspect --json" "$K" inspect --json "$BLOCK"
J=$(cat "$WORK/out")
check "4 series" grep -q '"series":4,' <<< "$J"
check "48 profiles" grep -q '"profiles":48,' <<< "$J"
check "pages counted from the page index" grep -qE '"pages":[1-9][0-9]*,' <<< "$J"
check "label values" grep -q '"labels":{"host":4,"service_name":2}' <<< "$J"
check "time range" grep -q '"tmin":"2026-11-24T00:58:00Z","tmax":"2026-11-24T00:59:50Z"' <<< "$J"
run 0 "inspect text" "$K" inspect "$BLOCK"
check "inspect shows sections" grep -q '^  symbols ' "$WORK/out"
run 0 "inspect --store KEY" "$K" inspect --store "$WORK/s1" "default/blocks/$(basename "$BLOCK")"
run 0 "verify" "$K" verify "$BLOCK"
check "verify says ok" grep -q "^ok $BLOCK\$" "$WORK/out"
run 0 "verify a whole store" "$K" verify --store "$WORK/s1"

# Every generated sample comes back.
run 0 "query folded" "$K" query --store "$WORK/s1" --format folded --type samples
SUM=$(awk '{s += $NF} END {print s}' "$WORK/out")
check "folded sums to the generated samples ($SUM = $GEN_SAMPLES)" [ "$SUM" = "$GEN_SAMPLES" ]
run 0 "query one service" "$K" query --store "$WORK/s1" --match '{service_name="checkout"}' \
    --format folded --type samples
CHK=$(awk '{s += $NF} END {print s}' "$WORK/out")
check "one service is part of the whole" [ "$CHK" -gt 0 ] && [ "$CHK" -lt "$SUM" ]
check "checkout stacks are checkout's" grep -q 'github.com/acme/checkout/' "$WORK/out"
check "no cart stacks in checkout" bash -c "! grep -q 'github.com/acme/cart/' '$WORK/out'"
run 0 "query a time range (RFC 3339 and unix seconds)" "$K" query --store "$WORK/s1" \
    --from 2026-11-24T00:59:00Z --to 1795482000 --format folded --type samples
HALF=$(awk '{s += $NF} END {print s}' "$WORK/out")
check "the last minute is part of the two" [ "$HALF" -gt 0 ] && [ "$HALF" -lt "$SUM" ]
run 0 "query top" "$K" query --store "$WORK/s1" --limit 5 --stats
check "top lists functions" grep -q 'runtime\.' "$WORK/out"
check "--stats on stderr" grep -q '^blocks: 1 read of 1' "$WORK/err"
run 0 "query json" "$K" query --store "$WORK/s1" --format json
check "json object" [ "$(head -c 1 "$WORK/out")" = "{" ]
run 0 "query pprof -o" "$K" query --store "$WORK/s1" --format pprof -o "$WORK/q.pb.gz"
check "pprof is gzip" [ "$(head -c 2 "$WORK/q.pb.gz" | od -An -tx1 | tr -d ' ')" = "1f8b" ]
run 0 "nothing matches: exit 0 with a message" "$K" query --store "$WORK/s1" \
    --match '{service_name="nope"}'
check "message on stderr" grep -q 'no samples matched' "$WORK/err"

# --block-window 1m: two blocks for two minutes.
run 0 "ingest with 1m windows" "$K" ingest -q --store "$WORK/s2" --block-window 1m \
    --path-labels service_name/host "$WORK/fleet"
check "two blocks" [ "$(nblocks "$WORK/s2")" -eq 2 ]

# Bounded writers: --max-rows cuts more blocks, and nothing is lost.
run 0 "ingest with --max-rows 2000" "$K" ingest -q --store "$WORK/s8" --max-rows 2000 \
    --path-labels service_name/host "$WORK/fleet"
check "several blocks" [ "$(nblocks "$WORK/s8")" -gt 2 ]
run 0 "query across the blocks" "$K" query --store "$WORK/s8" --format folded --type samples
check "the same samples" [ "$(awk '{s += $NF} END {print s}' "$WORK/out")" = "$GEN_SAMPLES" ]
run 1 "bad --max-memory" "$K" ingest --store "$WORK/s8" --max-memory 0 "$WORK/fleet"

# Paths on stdin.
find "$WORK/fleet" -name '*.pb.gz' | sort > "$WORK/list"
run 0 "ingest paths from stdin" "$K" ingest -q --store "$WORK/s3" \
    --path-labels service_name/host - < "$WORK/list"
check "stdin ingest took 48 files" grep -q '^kiln ingest: 48 files' "$WORK/out"

# A bad file fails the whole ingest and stores nothing.
cp -r "$WORK/fleet" "$WORK/bad"
H=$(ls -d "$WORK"/bad/cart/* | head -1)
head -c 300 "$(ls "$H"/*.pb.gz | head -1)" > "$H/9999999999.pb.gz"
run 2 "ingest with a truncated file" "$K" ingest --store "$WORK/s4" \
    --path-labels service_name/host "$WORK/bad"
check "error names the file" grep -q '9999999999.pb.gz: ' "$WORK/err"
check "error is prefixed" grep -q '^kiln ingest: ' "$WORK/err"
check "no block stored" [ "$(nblocks "$WORK/s4")" -eq 0 ]
printf 'not a profile\x00\x01' > "$H/garbage.pprof"
run 2 "ingest with garbage and a truncated file" "$K" ingest --store "$WORK/s4" "$WORK/bad"
check "still no block stored" [ "$(nblocks "$WORK/s4")" -eq 0 ]
run 2 "--keep-going skips bad files" "$K" ingest --keep-going --store "$WORK/s5" \
    --path-labels service_name/host "$WORK/bad"
check "each skip reported" [ "$(grep -c 'skipping' "$WORK/err")" -eq 2 ]
check "good files stored" [ "$(nblocks "$WORK/s5")" -eq 1 ]
check "48 files kept" grep -q '^kiln ingest: 48 files (48 pprof, 0 otlp, 0 folded, 2 skipped)' "$WORK/out"

# Folded text, detected by content, at --time.
printf 'main;work;spin 30\nmain;idle 12\n\n' > "$WORK/stacks.txt"
run 0 "ingest folded" "$K" ingest --store "$WORK/s6" --label service_name=tool \
    --time 2026-01-02T03:04:05Z "$WORK/stacks.txt"
run 0 "query folded back" "$K" query --store "$WORK/s6" --format folded \
    --from 2026-01-02T03:00:00Z --to 2026-01-02T04:00:00Z
check "folded round trip" diff <(sort "$WORK/out") <(printf 'main;idle 12\nmain;work;spin 30\n')

# Exit codes of the command surface.
run 1 "ingest without FILE" "$K" ingest --store "$WORK/s7"
run 1 "ingest without --store" "$K" ingest "$WORK/stacks.txt"
run 1 "bad --block-window" "$K" ingest --store "$WORK/s7" --block-window 10 "$WORK/stacks.txt"
run 1 "bad --path-labels" "$K" ingest --store "$WORK/s7" --path-labels / "$WORK/stacks.txt"
run 4 "ingest a missing file" "$K" ingest --store "$WORK/s7" "$WORK/no-such.pb.gz"
run 2 "too few directories for --path-labels" "$K" ingest --store "$WORK/s7" \
    --path-labels a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p "$WORK/stacks.txt"
run 1 "query with --from after --to" "$K" query --store "$WORK/s1" --from now --to now-1h
run 1 "inspect without BLOCK" "$K" inspect
run 4 "inspect a missing block" "$K" inspect "$WORK/s1/default/blocks/0000.kiln"
cp "$BLOCK" "$WORK/flipped.kiln"
printf '\xff' | dd of="$WORK/flipped.kiln" bs=1 seek=100 conv=notrunc 2>/dev/null
run 2 "verify a damaged block" "$K" verify "$BLOCK" "$WORK/flipped.kiln"
check "FAIL line names the block" grep -q "^FAIL $WORK/flipped.kiln: " "$WORK/out"
check "sound block still ok" grep -q "^ok $BLOCK\$" "$WORK/out"

tap_done
