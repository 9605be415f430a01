#!/bin/bash
# flame_browser.sh: kiln's flame graphs (SVG and the HTML page, of a small
# hand-made profile and of a generated fleet) opened in headless Chromium,
# which flame_browser.py starts, drives through the DevTools protocol and
# stops by PID: the widest frame's name is drawn, a click zooms, search
# marks the share the folded stacks give.
. "$(dirname "$0")/../common/tap.sh" flame-browser
mkdir -p "$WORK/in/h1"
cat > "$WORK/in/h1/p.folded" <<'F'
serve;handle;parse 4000
serve;handle;encode 3000
serve;log 500
gc;mark 2000
gc;sweep 490
idle 10
F
"$K" ingest --store "$WORK/s" --time 2026-11-24T01:00:00Z "$WORK/in" > /dev/null 2>&1 || fail "ingest"
"$K" query --store "$WORK/s" --format folded > "$WORK/small.folded"
"$K" query --store "$WORK/s" --format svg --min-frame 0 -o "$WORK/small.svg" || fail "svg"
"$K" query --store "$WORK/s" --format html --min-frame 0 -o "$WORK/small.html" || fail "html"
"$K" gen --out "$WORK/fleet" --services 1 --hosts 1 --duration 2m --seed 3 > /dev/null 2>&1 || fail "gen"
"$K" ingest --store "$WORK/f" "$WORK/fleet" > /dev/null 2>&1 || fail "ingest fleet"
"$K" query --store "$WORK/f" --format folded > "$WORK/fleet.folded"
"$K" query --store "$WORK/f" --format svg --min-frame 0 -o "$WORK/fleet.svg" || fail "fleet svg"
"$K" query --store "$WORK/f" --format html --icicle --min-frame 0 -o "$WORK/fleet.html" || fail "fleet html"
rc=0
python3 "$(dirname "$0")/flame_browser.py" "$WORK" \
    "$WORK/small.svg::$WORK/small.folded::^(parse|mark)\$" \
    "$WORK/small.html::$WORK/small.folded::^(parse|mark)\$" \
    "$WORK/fleet.svg::$WORK/fleet.folded::(json|proto)" \
    "$WORK/fleet.html::$WORK/fleet.folded::^runtime\\.(mallocgc|memmove|scanobject)\$" || rc=$?
[ "$rc" -eq 0 ] || fail "flame_browser.py: exit $rc"
tap_done
