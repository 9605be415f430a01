# scripts/bench_scale.sh: the scaling rows of scripts/bench (issue 3, item 5),
# sourced by it and run after the trace rows. The workload at 1x, 4x (2x the
# services, 2x the hours) and 16x (4x, 4x) is ingested in time order (as
# agents upload), then every scale is queried side by side, alternating: one
# service over the last hour (the same selection at every scale: its cost
# must stay flat) and the whole store (grows with the data). Uses
# scripts/bench's $kiln, $work, $fleet, $store, $runs, $size, $services,
# $hosts, $duration, $seed, $end, $trace_fraction, $svc and its helpers
# (timed, stat_median, fmt_time, fmt_rss, ratio, row, met, mb, check_top).
# Fleets are cached under $KILN_SCALE_WORK (default $work/scale), one per
# scale, like scripts/bench's own fleet; 1x reuses the run's fleet, store and
# ingest runs (one hour: the same blocks in either file order).

# bench_scale_minutes DUR -> minutes of a kiln duration (30m, 1h, 24h).
bench_scale_minutes() {
    awk -v d="$1" 'BEGIN {n = d + 0; if (d ~ /h$/) n *= 60; else if (d ~ /s$/) n /= 60; print n}'
}

# bench_scale_dur MINUTES -> "2h" when whole hours, else "90m".
bench_scale_dur() {
    if [ $(($1 % 60)) -eq 0 ]; then echo "$(($1 / 60))h"; else echo "${1}m"; fi
}

# bench_scale_ingest_runs SCALE FILES STORE N: N timed ingests (1 h blocks)
# of FILES into STORE; the last one stays.
bench_scale_ingest_runs() {
    local s=$1 files=$2 st=$3 n=$4 i
    for i in $(seq "$n"); do
        rm -rf "$st"
        timed "scale-ingest-${s}x" "$kiln" ingest --store "$st" --path-labels service_name/host \
            --block-window 1h - <"$files" >/dev/null
    done
}

# bench_scale_query LABEL STORE ARGS...: one timed query; its time inside
# the command (--stats) goes to times.tsv as LABEL-in, bytes read to
# $swork/LABEL.bytes.
bench_scale_query() {
    local label=$1 st=$2 s
    shift 2
    timed "$label" "$kiln" query --store "$st" --type cpu --format top -o /dev/null \
        --stats "$@" 2>"$swork/$label.stats"
    s=$(cat "$swork/$label.stats")
    printf '%s-in\t%s\t0\t0\n' "$label" "$(sed -n 's/.*; \([0-9.]*\) s$/\1/p' <<<"$s")" >>"$work/times.tsv"
    sed -n 's/.*store: [0-9]* requests, .*(\([0-9]*\) bytes).*/\1/p' <<<"$s" >"$swork/$label.bytes"
}

bench_scale() {
    local swork=${KILN_SCALE_WORK:-$work/scale}
    local b_svc=$services b_hosts=$hosts b_min s f qruns i need avail
    # large: the curve is of the standard hour (24 h x 16 would not fit).
    if [ "$size" = large ]; then
        b_svc=10 b_hosts=5 b_min=60
    else
        b_min=$(bench_scale_minutes "$duration")
    fi
    local scales=(1 4 16)
    local -A sv mins fl st nf pb sb nb rows nruns
    mkdir -p "$swork"
    for s in "${scales[@]}"; do
        f=$(awk -v s="$s" 'BEGIN {print int(sqrt(s) + 0.5)}')
        sv[$s]=$((b_svc * f))
        mins[$s]=$((b_min * f))
        fl[$s]=$swork/${s}x/fleet
        st[$s]=$swork/${s}x/store
        nruns[$s]=$runs
    done
    # 1x is the run's own fleet, store and ingest runs when they are there.
    local reuse=0
    if [ "$size" != large ]; then
        fl[1]=$fleet
        if [ -d "$store" ] && grep -q "^ingest	" "$work/times.tsv" 2>/dev/null; then
            reuse=1 st[1]=$store
        fi
    fi
    # 16x beyond the small workload: one ingest run (minutes each).
    [ "$size" = small ] || nruns[16]=1

    # Disk: the fleets not generated yet and every store (~1/20 of pprof.gz),
    # estimated from the bytes per profile of the run's fleet.
    local per_profile
    per_profile=$(awk -v b="$(kiln_bytes "$fleet" '*.pb.gz')" -v n="$(find "$fleet" -name '*.pb.gz' | wc -l)" \
        'BEGIN {print (n > 0) ? b / n : 20000}')
    need=0
    for s in "${scales[@]}"; do
        local profiles=$((sv[$s] * b_hosts * mins[$s] * 6))
        need=$(awk -v n="$need" -v p="$profiles" -v b="$per_profile" -v g="$([ -f "${fl[$s]}/.done" ] && echo 0 || echo 1)" \
            'BEGIN {printf "%.0f", n + p * b * (g + 0.1)}')
    done
    avail=$(df -B1 --output=avail "$swork" | tail -1)
    if [ "$avail" -lt $((need + need / 5 + 1000000000)) ]; then
        kiln_log "scaling: NOT RUN: needs about $(mb "$need") more (+20% and 1 GB spare) in $swork, $(mb "$avail") free (set KILN_SCALE_WORK to a larger disk, or --no-scaling)"
        row "$size" "scaling 1x/4x/16x: NOT RUN, short of disk" "needs ~$(mb "$need") in $swork" "$(mb "$avail") free" "" "" ""
        return 0
    fi

    # ---- data and ingest, one scale after the other -----------------------
    local args
    for s in "${scales[@]}"; do
        args=(--services "${sv[$s]}" --hosts "$b_hosts" --duration "$(bench_scale_dur "${mins[$s]}")"
              --seed "$seed" --trace-fraction "$trace_fraction" --end "$end")
        if [ "${fl[$s]}" != "$fleet" ]; then
            if [ ! -f "${fl[$s]}/.done" ] || [ "$(cat "${fl[$s]}/.done")" != "${args[*]}" ]; then
                kiln_log "scaling: generating the ${s}x fleet: ${args[*]}"
                rm -rf "${fl[$s]}"
                mkdir -p "$(dirname "${fl[$s]}")"
                "$kiln" gen --quiet --out "${fl[$s]}" "${args[@]}"
                echo "${args[*]}" >"${fl[$s]}/.done"
            fi
        fi
        # In time order, as agents upload: one hour's blocks are cut before
        # the next hour opens (path order would hold every hour open at once).
        find "${fl[$s]}" -name '*.pb.gz' |
            awk -F/ '{t = $NF; sub(/\.pb\.gz$/, "", t); print t "\t" $0}' |
            sort -k1,1n -k2,2 | cut -f2 >"$swork/files-${s}x.txt"
        nf[$s]=$(wc -l <"$swork/files-${s}x.txt")
        pb[$s]=$(kiln_bytes "${fl[$s]}" '*.pb.gz')
        if [ "$s" = 1 ] && [ "$reuse" = 1 ]; then
            awk -F'\t' -v OFS='\t' '$1 == "ingest" {$1 = "scale-ingest-1x"; print}' "$work/times.tsv" >"$swork/t"
            cat "$swork/t" >>"$work/times.tsv"
            nruns[1]=$(wc -l <"$swork/t")
        else
            kiln_log "scaling: ingest ${s}x (${nf[$s]} profiles, ${nruns[$s]} run(s))"
            bench_scale_ingest_runs "$s" "$swork/files-${s}x.txt" "${st[$s]}" "${nruns[$s]}"
        fi
        sb[$s]=$(kiln_bytes "${st[$s]}" '*.kiln')
        nb[$s]=$(find "${st[$s]}" -name '*.kiln' | wc -l)
        rows[$s]=$("$kiln" ls --store "${st[$s]}" | awk '$1 ~ /\.kiln$/ {s += $NF} END {print s + 0}')
    done

    # ---- correctness: one service, last hour, against go tool pprof -------
    local w1 w0 sel match
    w1=$(date -d "$end" +%s)
    w0=$((w1 - (b_min < 60 ? b_min : 60) * 60))
    sel=$([ "$b_min" -lt 60 ] && echo "last ${b_min} min" || echo "last hour")
    match="{service_name=\"$svc\"}"
    local -A nsel
    local -a f_list
    for s in "${scales[@]}"; do
        awk -F/ -v v="$svc" -v a="$w0" -v b="$w1" '{t = $NF; sub(/\.pb\.gz$/, "", t)
            if ($(NF - 2) == v && t >= a && t < b) print}' "$swork/files-${s}x.txt" >"$swork/files-${s}x-svc.txt"
        nsel[$s]=$(wc -l <"$swork/files-${s}x-svc.txt")
        [ "${nsel[$s]}" -gt 0 ] || kiln_die "scaling: no $svc profiles in [$w0, $w1) at ${s}x"
        kiln_log "scaling: ${s}x: $svc, $sel (${nsel[$s]} profiles): kiln against go tool pprof -top"
        "$kiln" query --store "${st[$s]}" --match "$match" --from "$w0" --to "$w1" --type cpu \
            --format json >"$swork/kiln-svc-${s}x.json"
        mapfile -t f_list <"$swork/files-${s}x-svc.txt"
        go tool pprof -top -nodecount=40 -sample_index=cpu -unit=ns "${f_list[@]}" \
            >"$swork/go-svc-${s}x.txt" 2>/dev/null
        check_top "$swork/kiln-svc-${s}x.json" "$swork/go-svc-${s}x.txt" "$svc, $sel, at ${s}x"
    done

    # ---- queries: every scale in turn, each run ---------------------------
    qruns=$((runs > 5 ? runs : 5))
    kiln_log "scaling: queries at 1x, 4x, 16x alternating, $qruns runs"
    for i in $(seq "$qruns"); do
        for s in "${scales[@]}"; do
            bench_scale_query "scale-svc-${s}x" "${st[$s]}" --match "$match" --from "$w0" --to "$w1"
            bench_scale_query "scale-all-${s}x" "${st[$s]}"
        done
    done

    # ---- rows ---------------------------------------------------------------
    local wl what
    for s in "${scales[@]}"; do
        wl="$size, ${s}x"
        row "$wl" "scaling data: ${sv[$s]} services x $b_hosts hosts x $(bench_scale_dur "${mins[$s]}"), ${nf[$s]} profiles, ${rows[$s]} sample rows; store (1 h blocks: ${nb[$s]}) vs pprof.gz" \
            "$(mb "${sb[$s]}")" "$(mb "${pb[$s]}")" "$(ratio "${sb[$s]}" "${pb[$s]}")" "" ""
        what="scaling ingest, $([ "${nruns[$s]}" = 1 ] && echo "1 run (minutes at this size)" || echo "${nruns[$s]} runs")"
        row "$wl" "$what: CPU time; wall time" \
            "$(fmt_time "scale-ingest-${s}x" 3) CPU; $(fmt_time "scale-ingest-${s}x" 2) wall" "" "" "" ""
        row "$wl" "scaling ingest: peak RSS" "$(fmt_rss "scale-ingest-${s}x")" "" "" "" ""
        row "$wl" "scaling ingest: sample rows/s per core (CPU time)" \
            "$(awk -v r="${rows[$s]}" -v t="$(stat_median "scale-ingest-${s}x" 3)" 'BEGIN {printf "%.0f", r / t}')" "" "" "" ""
        what="scaling query, one service ($svc), $sel (${nsel[$s]} profiles; the same selection at every scale)"
        row "$wl" "$what: time inside the command (--stats); whole command, wall" \
            "$(fmt_time "scale-svc-${s}x-in" 2); $(fmt_time "scale-svc-${s}x" 2) wall" "" "" "" ""
        # Where the bytes go: blocks opened (every block's 64 KiB tail, for
        # its time range and sources) against blocks read, store requests.
        row "$wl" "scaling query, one service, $sel: bytes read vs store ($(sed -n 's/^blocks: \([0-9]*\) read of \([0-9]*\); pages: \([0-9]*\) read of \([0-9]*\);.* store: \([0-9]*\) requests.*/blocks: \1 read of \2 in the store; pages: \3 of \4; \5 store requests/p' "$swork/scale-svc-${s}x.stats"))" \
            "$(mb "$(cat "$swork/scale-svc-${s}x.bytes")")" "$(mb "${sb[$s]}") (store)" \
            "$(ratio "$(cat "$swork/scale-svc-${s}x.bytes")" "${sb[$s]}")" "" ""
        row "$wl" "scaling query, one service, $sel: peak RSS" "$(fmt_rss "scale-svc-${s}x")" "" "" "" ""
        row "$wl" "scaling query, whole store (${sv[$s]} services, $(bench_scale_dur "${mins[$s]}")): time inside the command; whole command, wall" \
            "$(fmt_time "scale-all-${s}x-in" 2); $(fmt_time "scale-all-${s}x" 2) wall" "" "" "" ""
        row "$wl" "scaling query, whole store: bytes read vs store" \
            "$(mb "$(cat "$swork/scale-all-${s}x.bytes")")" "$(mb "${sb[$s]}") (store)" \
            "$(ratio "$(cat "$swork/scale-all-${s}x.bytes")" "${sb[$s]}")" "" ""
        row "$wl" "scaling query, whole store: peak RSS" "$(fmt_rss "scale-all-${s}x")" "" "" "" ""
    done

    # ---- the curve: 16x against 1x (4x against 1x in the text) -------------
    # curve WHAT A16 A4 A1 UNIT TARGET_OP TARGET: one row; A* are medians.
    curve() {
        local r16 r4 tgt="" ok=""
        r16=$(ratio "$2" "$4")
        r4=$(ratio "$3" "$4")
        if [ -n "${6:-}" ]; then
            tgt="$6 $7"
            ok=$(met "$r16" "$6" "$7")
        fi
        row "$size, 16x/1x" "scaling curve: $1 (4x/1x: $r4)" "$2 $5 (16x)" "$4 $5 (1x)" "$r16" "$tgt" "$ok"
    }
    row "$size, 16x/1x" "scaling curve: data stored, profiles (4x/1x: $(ratio "${nf[4]}" "${nf[1]}"); sample rows 16x/1x: $(ratio "${rows[16]}" "${rows[1]}"), 4x/1x: $(ratio "${rows[4]}" "${rows[1]}"))" \
        "${nf[16]} (16x)" "${nf[1]} (1x)" "$(ratio "${nf[16]}" "${nf[1]}")" "" ""
    curve "one-service $sel query, time inside the command (the selection does not grow: its cost must not)" \
        "$(stat_median scale-svc-16x-in 2)" "$(stat_median scale-svc-4x-in 2)" "$(stat_median scale-svc-1x-in 2)" s "<=" 2
    curve "one-service $sel query, whole command wall time" \
        "$(stat_median scale-svc-16x 2)" "$(stat_median scale-svc-4x 2)" "$(stat_median scale-svc-1x 2)" s "<=" 2
    curve "one-service $sel query, bytes read" \
        "$(cat "$swork/scale-svc-16x.bytes")" "$(cat "$swork/scale-svc-4x.bytes")" "$(cat "$swork/scale-svc-1x.bytes")" bytes "<=" 2
    curve "one-service $sel query, peak RSS" \
        "$(stat_median scale-svc-16x 4)" "$(stat_median scale-svc-4x 4)" "$(stat_median scale-svc-1x 4)" kB "<=" 2
    curve "whole-store query, time inside the command (follows the data: ~16 expected; the sample rows grew $(ratio "${rows[16]}" "${rows[1]}")x)" \
        "$(stat_median scale-all-16x-in 2)" "$(stat_median scale-all-4x-in 2)" "$(stat_median scale-all-1x-in 2)" s
    curve "whole-store query, peak RSS" \
        "$(stat_median scale-all-16x 4)" "$(stat_median scale-all-4x 4)" "$(stat_median scale-all-1x 4)" kB
    local -A per
    for s in "${scales[@]}"; do
        per[$s]=$(awk -v t="$(stat_median "scale-ingest-${s}x" 3)" -v n="${nf[$s]}" 'BEGIN {printf "%.3f", t / n * 1000}')
    done
    curve "ingest CPU time per 1000 profiles (~1 expected; per sample row 16x/1x: $(ratio "$(ratio "$(stat_median scale-ingest-16x 3)" "${rows[16]}")" "$(ratio "$(stat_median scale-ingest-1x 3)" "${rows[1]}")"))" \
        "${per[16]}" "${per[4]}" "${per[1]}" s
    curve "ingest peak RSS" \
        "$(stat_median scale-ingest-16x 4)" "$(stat_median scale-ingest-4x 4)" "$(stat_median scale-ingest-1x 4)" kB
    unset -f curve
}
