#!/bin/bash
# flame.sh: flame graphs from `kiln query --format svg|html` and `kiln diff`:
# well-formed (xmllint, XML for the SVG and the HTML parser for the page),
# frame values that add up exactly to the selection's folded total (with and
# without merged "other" frames, for a service, a trace, the whole store),
# a diff of a selection against itself all neutral, the regression gate's
# exit codes (0 unchanged, 5 when one function's share grew), values in
# human units in --format top, and bad options refused.
. "$(dirname "$0")/../common/tap.sh" flame
CHECK="python3 $(dirname "$0")/flame_check.py"
quiet() { "$@" > /dev/null; }
command -v xmllint > /dev/null || { fail "xmllint missing (scripts/lib.sh installs libxml2-utils)"; tap_done; exit 1; }

# Two versions of one service: v2 spends more in encode, less in parse.
mkdir -p "$WORK/in/v1/h1" "$WORK/in/v2/h1"
cat > "$WORK/in/v1/h1/p.folded" <<'F'
main;serve;handle;parse 4000
main;serve;handle;encode 3000
main;serve;log 500
main;gc;mark 2000
main;gc;sweep 490
main;idle 10
F
cat > "$WORK/in/v2/h1/p.folded" <<'F'
main;serve;handle;parse 2000
main;serve;handle;encode 6000
main;serve;log 500
main;gc;mark 2000
main;gc;sweep 490
main;idle 10
F
S="$WORK/store"
run 0 "ingest two versions" "$K" ingest --store "$S" --path-labels version/host --time 2026-11-24T01:00:00Z "$WORK/in"
V1='{version="v1"}'
V2='{version="v2"}'
"$K" query --store "$S" --match "$V1" --format folded > "$WORK/v1.folded"

run 0 "svg of one version" "$K" query --store "$S" --match "$V1" --format svg --min-frame 0 -o "$WORK/v1.svg"
check "svg is well-formed XML (xmllint --noout)" xmllint --noout "$WORK/v1.svg"
check "svg: $($CHECK sums "$WORK/v1.svg" "$WORK/v1.folded")" quiet $CHECK sums "$WORK/v1.svg" "$WORK/v1.folded"
check "svg title names the selection, time range, type and total" bash -c "grep -q 'kf-title.*>{version=&quot;v1&quot;}<' '$WORK/v1.svg' && grep -q 'kf-sub.*2026-11-24T01:00:00Z .. 2026-11-24T01:00:00Z  |  samples (count)  |  total 10k' '$WORK/v1.svg'"
run 0 "html of one version" "$K" query --store "$S" --match "$V1" --format html --min-frame 0 -o "$WORK/v1.html"
xmllint --html --noout "$WORK/v1.html" > "$WORK/lint" 2>&1
check "html parses without a message (xmllint --html --noout)" test ! -s "$WORK/lint"
check "html: $($CHECK sums "$WORK/v1.html" "$WORK/v1.folded")" quiet $CHECK sums "$WORK/v1.html" "$WORK/v1.folded"
check "html has the top-functions table with exact values" grep -q '<td data-v="4000">4k</td>' "$WORK/v1.html"
check "no network: nothing fetched from elsewhere" bash -c "! grep -Eiq '(src|href)=\"?(https?:)?//' '$WORK/v1.svg' '$WORK/v1.html'"

# Small frames merge into one "other" per parent; the sums stay exact.
run 0 "svg with --min-frame 20" "$K" query --store "$S" --match "$V1" --format svg --min-frame 20 -o "$WORK/m.svg"
check "merged: $($CHECK sums "$WORK/m.svg" "$WORK/v1.folded")" quiet $CHECK sums "$WORK/m.svg" "$WORK/v1.folded"
check "the graph says how much merged" grep -q 'frames below 20% merged into &quot;other&quot;' "$WORK/m.svg"
check "default --min-frame is 0.05 %" bash -c "'$K' query --store '$S' --format svg | grep -q '\"icicle\":0'"
run 0 "icicle" "$K" query --store "$S" --format svg --icicle -o "$WORK/i.svg"
check "icicle svg is well-formed and drawn top-down" bash -c "xmllint --noout '$WORK/i.svg' && grep -q '\"icicle\":1' '$WORK/i.svg'"

# The whole store, and a selection with no samples.
"$K" query --store "$S" --format folded > "$WORK/all.folded"
run 0 "svg of the whole store" "$K" query --store "$S" --format svg --min-frame 0 -o "$WORK/all.svg"
check "whole store: $($CHECK sums "$WORK/all.svg" "$WORK/all.folded")" quiet $CHECK sums "$WORK/all.svg" "$WORK/all.folded"
run 0 "svg of an empty selection" "$K" query --store "$S" --match '{version="none"}' --format svg -o "$WORK/none.svg"
check "empty selection: well-formed, says no samples" bash -c "xmllint --noout '$WORK/none.svg' && grep -q 'no samples' '$WORK/none.svg'"

# Differential: a selection against itself is all neutral and passes the gate.
run 0 "diff of v1 against itself, svg" "$K" diff --store "$S" --base "$V1" --target "$V1" --format svg -o "$WORK/self.svg"
check "self diff svg is well-formed" xmllint --noout "$WORK/self.svg"
check "self diff: $($CHECK neutral "$WORK/self.svg")" quiet $CHECK neutral "$WORK/self.svg"
run 0 "gate on an unchanged pair" "$K" diff --store "$S" --base "$V1" --target "$V1" --fail-above 0
check "self diff table: every change is +0.00" bash -c "awk 'NR > 5 && (\$3 != \"+0.00\" || \$6 != \"+0.00\")' '$WORK/out' | grep -q . && exit 1; test \$(wc -l < '$WORK/out') -gt 5"
# v1 -> v2: encode's share grew from 30 % to 54.5 %.
run 5 "gate exits 5 when encode's share grew by more than 5 points" "$K" diff --store "$S" --base "$V1" --target "$V2" --fail-above 5
check "the gate names the function that grew" grep -q 'regression: encode: cumulative share +24.55 points' "$WORK/err"
check "the table leads with the largest change" bash -c "sed -n 6p '$WORK/out' | grep -Eq ' (encode|parse)\$'"
run 0 "gate limited to --function parse (its share shrank)" "$K" diff --store "$S" --base "$V1" --target "$V2" --fail-above 5 --function '^parse$'
run 5 "gate limited to --function 'enc' exits 5" "$K" diff --store "$S" --base "$V1" --target "$V2" --fail-above 5 --function 'enc'
run 0 "gate above the growth passes" "$K" diff --store "$S" --base "$V1" --target "$V2" --fail-above 30
run 0 "diff v1 -> v2, html" "$K" diff --store "$S" --base "$V1" --target "$V2" --format html -o "$WORK/d.html"
xmllint --html --noout "$WORK/d.html" > "$WORK/lint" 2>&1
check "diff html parses without a message" test ! -s "$WORK/lint"
check "diff: $($CHECK grew "$WORK/d.html" encode)" quiet $CHECK grew "$WORK/d.html" encode
check "diff html has the changed-functions table" grep -q 'Functions whose share changed most' "$WORK/d.html"
run 0 "diff of two windows of the same series" "$K" diff --store "$S" --base "$V1" --target "$V1" --base-from 2026-11-24T00:00:00Z --base-to 2026-11-24T02:00:00Z --target-from 2026-11-24T00:30:00Z --format svg -o "$WORK/w.svg"
check "windowed diff: $($CHECK neutral "$WORK/w.svg")" quiet $CHECK neutral "$WORK/w.svg"

# A trace's flame graph: a generated fleet with trace links.
"$K" gen --out "$WORK/fleet" --services 1 --hosts 2 --duration 5m --seed 7 --trace-fraction 0.2 > /dev/null 2>&1
run 0 "ingest a traced fleet" "$K" ingest --store "$WORK/ts" --path-labels service_name/host "$WORK/fleet"
tid=$("$K" query --store "$WORK/ts" --list-traces --limit 1 | awk 'NR == 2 { print $1 }')
check "the fleet has a heaviest trace ($tid)" test -n "$tid"
"$K" query --store "$WORK/ts" --trace-id "$tid" --format folded > "$WORK/t.folded"
run 0 "svg of the trace" "$K" query --store "$WORK/ts" --trace-id "$tid" --format svg --min-frame 0 -o "$WORK/t.svg"
check "trace svg well-formed, titled with the trace" bash -c "xmllint --noout '$WORK/t.svg' && grep -q 'trace $tid' '$WORK/t.svg'"
check "trace: $($CHECK sums "$WORK/t.svg" "$WORK/t.folded")" quiet $CHECK sums "$WORK/t.svg" "$WORK/t.folded"
span=$("$K" query --store "$WORK/ts" --trace-id "$tid" --format csv | python3 -c 'import csv, sys
r = list(csv.DictReader(sys.stdin))
print(max(r, key=lambda x: int(x["cpu"]))["span_id"] if r else "")')
check "the trace has a span ($span)" test -n "$span"
"$K" query --store "$WORK/ts" --trace-id "$tid" --span-id "$span" --format folded > "$WORK/sp.folded"
run 0 "svg of one span" "$K" query --store "$WORK/ts" --trace-id "$tid" --span-id "$span" --format svg --min-frame 0 -o "$WORK/sp.svg"
check "span: $($CHECK sums "$WORK/sp.svg" "$WORK/sp.folded")" quiet $CHECK sums "$WORK/sp.svg" "$WORK/sp.folded"
check "span svg titled with the span" grep -q "span $span" "$WORK/sp.svg"
run 0 "service over its window, default --min-frame" "$K" query --store "$WORK/ts" --match '{service_name=~".+"}' --format html -o "$WORK/svc.html"
"$K" query --store "$WORK/ts" --match '{service_name=~".+"}' --format folded > "$WORK/svc.folded"
check "service: $($CHECK sums "$WORK/svc.html" "$WORK/svc.folded")" quiet $CHECK sums "$WORK/svc.html" "$WORK/svc.folded"

# Human units in --format top: CPU time as seconds, the exact total kept.
run 0 "top of the fleet" "$K" query --store "$WORK/ts" --format top --type cpu --limit 3
check "top prints seconds and the exact total" grep -Eq 'of [0-9.]+(s|mins) total \([0-9]+ nanoseconds\)' "$WORK/out"
check "top rows carry units" bash -c "sed -n 4p '$WORK/out' | grep -Eq '^ *[0-9.]+(ms|s|mins) '"
run 0 "json keeps exact integers" "$K" query --store "$WORK/ts" --format json --type cpu -o "$WORK/t.json"
check "json values are integers" grep -Eq '"flat":[0-9]+,' "$WORK/t.json"

# Bad options are usage errors.
run 1 "--min-frame 150 refused" "$K" query --store "$S" --format svg --min-frame 150
run 1 "--icicle needs svg or html" "$K" query --store "$S" --icicle
run 1 "diff --format bad" "$K" diff --store "$S" --format pdf
run 1 "diff --function needs --fail-above" "$K" diff --store "$S" --function x
run 1 "diff bad regex" "$K" diff --store "$S" --fail-above 1 --function '('
run 1 "diff bad base selector" "$K" diff --store "$S" --base '{version='
run 1 "diff bad trace id" "$K" diff --store "$S" --base-trace 12
check "kiln --help documents exit code 5" bash -c "'$K' --help | grep -q '^  5  kiln diff --fail-above'"
check "kiln diff --help documents exit code 5" bash -c "'$K' diff --help | grep -q '5 a share grew by more than --fail-above'"
tap_done
