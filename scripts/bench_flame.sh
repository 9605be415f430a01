# scripts/bench_flame.sh: the flame graph rows of scripts/bench (sourced by
# it; uses its helpers timed, row, met, mb, fmt_time and its $kiln, $work,
# $size, $runs): a folded profile with 200,000 distinct call paths
# (bench_flame_gen.py) rendered as SVG and HTML with every frame, and with
# the default --min-frame, and the SVG opened by headless Chromium.
# shellcheck shell=bash

# The frames below the root in a flame graph's data.
bench_flame_frames() {
    python3 -c 'import json, re, sys
k = json.loads(re.search(r"var KF=(\{.*?\});\n", open(sys.argv[1]).read(), re.S).group(1))
print(len(k["f"]) // k["s"] - 1)' "$1"
}

bench_flame() {
    local fl nf i
    kiln_log "flame graph: a 200,000-frame selection"
    fl=$work/flame
    rm -rf "$fl"
    mkdir -p "$fl/in"
    python3 "$KILN_ROOT/scripts/bench_flame_gen.py" "$fl/in/200k.folded" 200000
    "$kiln" ingest --store "$fl/store" --time 2026-11-24T01:00:00Z "$fl/in" >/dev/null
    for i in $(seq "$runs"); do
        timed flame-all "$kiln" query --store "$fl/store" --format svg --min-frame 0 -o "$fl/all.svg"
        timed flame-html "$kiln" query --store "$fl/store" --format html --min-frame 0 -o "$fl/all.html"
        timed flame-def "$kiln" query --store "$fl/store" --format svg -o "$fl/def.svg"
    done
    nf=$(bench_flame_frames "$fl/all.svg")
    [ "$nf" -ge 200000 ] || kiln_die "flame graph: $nf frames, expected 200,000"
    row flame "flame graph SVG, $nf frames (--min-frame 0): time; file" "$(fmt_time flame-all 2); $(mb "$(stat -c %s "$fl/all.svg")")" "" "" "a few s; a few MB" "$(met "$(stat_median flame-all 2)" '<=' 5)"
    row flame "flame graph HTML page (graph + top table), same selection" "$(fmt_time flame-html 2); $(mb "$(stat -c %s "$fl/all.html")")" "" "" "" ""
    row flame "flame graph SVG, same selection, default --min-frame 0.05 % ($(bench_flame_frames "$fl/def.svg") frames drawn)" "$(fmt_time flame-def 2); $(mb "$(stat -c %s "$fl/def.svg")")" "" "" "" ""
    if command -v chromium >/dev/null 2>&1; then
        for i in $(seq "$runs"); do
            timed flame-chromium sh -c "timeout 120 chromium --headless --no-sandbox --disable-gpu --dump-dom 'file://$fl/all.svg' 2>/dev/null | grep -q 'data-i=\"1\"'"
        done
        row flame "the $nf-frame SVG opened and drawn by headless Chromium (browser start included)" "$(fmt_time flame-chromium 2)" "" "" "" ""
    fi
}
