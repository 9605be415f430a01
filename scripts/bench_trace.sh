# scripts/bench_trace.sh: the trace-lookup rows of scripts/bench, which
# sources this file and calls bench_trace after its range queries. It uses
# scripts/bench's variables ($kiln, $work, $store, $runs, $size, $services,
# $hosts, $duration, $seed, $end, $trace_fraction, $mix, $blocks_1h) and helpers (timed, stat_median, fmt_time,
# ratio, row, met, mb). The baseline is `kiln query --scan-traces`: the way
# stores without a trace index find a trace (decode every page in range and
# test each row's link), checked to give the same answer first.

# bench_trace_store STORE DESC [TARGET]: rows for one store; TARGET (the
# issue's ">= 100x") is checked only where given: the issue sets it for a
# day of the fleet, the one-hour stores are reported beside it.
bench_trace_store() {
    local st=$1 desc=$2 want=${3:-} tag ids n id i
    tag=$(tr '/' '-' <<<"${st#"$work"/}") # store-1h, day-store-1h: labels of times.tsv
    # A spread of real trace ids: every k-th of the listing, heaviest first.
    "$kiln" query --store "$st" --list-traces --limit 0 --format json \
        >"$work/traces-$tag.json"
    grep -o '"trace_id":"[0-9a-f]*"' "$work/traces-$tag.json" | cut -d'"' -f4 \
        >"$work/traces-$tag.txt"
    rm -f "$work/traces-$tag.json" # ~0.5 GB for a day of the standard fleet
    n=$(wc -l <"$work/traces-$tag.txt")
    if [ "$n" -eq 0 ]; then
        row "$size" "trace lookup ($desc)" "no traces in the store" "" "" "" ""
        return 0
    fi
    ids=$(awk -v n="$n" 'BEGIN {k = int(n / 10); if (k < 1) k = 1}
                         (NR - 1) % k == 0 && c < 10 {print; c++}' "$work/traces-$tag.txt" | tr '\n' ' ')
    set -- $ids
    local nids=$#

    # Correctness first: the lookup and the scan agree on every id.
    for id in $ids; do
        "$kiln" query --store "$st" --trace-id "$id" --type cpu --format folded \
            -o "$work/trace-lookup.folded" 2>/dev/null
        "$kiln" query --store "$st" --trace-id "$id" --type cpu --format folded \
            --scan-traces -o "$work/trace-scan.folded" 2>/dev/null
        if ! cmp -s "$work/trace-lookup.folded" "$work/trace-scan.folded" ||
            [ ! -s "$work/trace-lookup.folded" ]; then
            kiln_die "trace $id: lookup and scan disagree (or are empty) on $st"
        fi
    done

    # What each reads: store bytes, pages, blocks pruned by the filter.
    local lb=0 sb=0 lp=0 sp=0 searched=0 pruned=0 fps=0 hit=0 br=0 s
    for id in $ids; do
        s=$("$kiln" query --store "$st" --trace-id "$id" --type cpu --format folded \
            -o /dev/null --stats 2>&1 >/dev/null)
        lb=$((lb + $(sed -n 's/.*store: [0-9]* requests, .*(\([0-9]*\) bytes).*/\1/p' <<<"$s")))
        lp=$((lp + $(sed -n 's/.*pages: \([0-9]*\) read of.*/\1/p' <<<"$s")))
        br=$((br + $(sed -n 's/^blocks: \([0-9]*\) read of.*/\1/p' <<<"$s")))
        searched=$((searched + $(sed -n 's/^trace: \([0-9]*\) blocks\{0,1\} searched.*/\1/p' <<<"$s")))
        pruned=$((pruned + $(sed -n 's/.*searched, \([0-9]*\) pruned by bloom.*/\1/p' <<<"$s")))
        fps=$((fps + $(sed -n 's/.*pruned by bloom, \([0-9]*\) bloom false.*/\1/p' <<<"$s")))
        hit=$((hit + $(sed -n 's/.*positives\{0,1\}, \([0-9]*\) holding it.*/\1/p' <<<"$s")))
        s=$("$kiln" query --store "$st" --trace-id "$id" --type cpu --format folded \
            -o /dev/null --stats --scan-traces 2>&1 >/dev/null)
        sb=$((sb + $(sed -n 's/.*store: [0-9]* requests, .*(\([0-9]*\) bytes).*/\1/p' <<<"$s")))
        sp=$((sp + $(sed -n 's/.*pages: \([0-9]*\) read of.*/\1/p' <<<"$s")))
    done

    # Query time inside the command (store open to answer, --stats), the
    # lookup and the scan alternating; the sum over the ids per run.
    local lt st_ms
    for i in $(seq "$runs"); do
        lt=0 st_ms=0
        for id in $ids; do
            s=$("$kiln" query --store "$st" --trace-id "$id" --type cpu --format folded \
                -o /dev/null --stats --scan-traces 2>&1 >/dev/null)
            st_ms=$(awk -v a="$st_ms" -v b="$(sed -n 's/.*link[s]*), \([0-9.]*\) ms.*/\1/p' <<<"$s")" 'BEGIN {print a + b}')
            s=$("$kiln" query --store "$st" --trace-id "$id" --type cpu --format folded \
                -o /dev/null --stats 2>&1 >/dev/null)
            lt=$(awk -v a="$lt" -v b="$(sed -n 's/.*link[s]*), \([0-9.]*\) ms.*/\1/p' <<<"$s")" 'BEGIN {print a + b}')
        done
        printf 'trace-q-scan-%s\t%.4f\t0\t0\n' "$tag" "$(awk -v m="$st_ms" 'BEGIN {print m / 1000}')" >>"$work/times.tsv"
        printf 'trace-q-lookup-%s\t%.4f\t0\t0\n' "$tag" "$(awk -v m="$lt" 'BEGIN {print m / 1000}')" >>"$work/times.tsv"
    done
    local r
    r=$(ratio "$(stat_median "trace-q-scan-$tag" 2)" "$(stat_median "trace-q-lookup-$tag" 2)")
    row "$size" "trace lookup, $nids trace ids, $desc: query time inside the command (speed-up, wall)" \
        "$(fmt_time "trace-q-lookup-$tag" 2)" "$(fmt_time "trace-q-scan-$tag" 2) (scan every page's links)" \
        "${r}x" "${want:+>= ${want}x}" "${want:+$(met "$r" '>=' "$want")}"

    # Wall time of whole commands (process start included), alternating.
    for i in $(seq "$runs"); do
        timed "trace-scan-$tag" sh -c "for id in $ids; do '$kiln' query --store '$st' --trace-id \$id --type cpu --format folded --scan-traces -o /dev/null 2>/dev/null; done"
        timed "trace-lookup-$tag" sh -c "for id in $ids; do '$kiln' query --store '$st' --trace-id \$id --type cpu --format folded -o /dev/null 2>/dev/null; done"
    done
    r=$(ratio "$(stat_median "trace-scan-$tag" 2)" "$(stat_median "trace-lookup-$tag" 2)")
    row "$size" "trace lookup, $nids trace ids, $desc: one whole command each, process start included (speed-up, wall)" \
        "$(fmt_time "trace-lookup-$tag" 2)" "$(fmt_time "trace-scan-$tag" 2) (scan every page's links)" \
        "${r}x" "" ""
    # What a command costs around its query (process start, loading
    # libraries, reading the footers): issue 11 wants at most 1.5x.
    r=$(ratio "$(stat_median "trace-lookup-$tag" 2)" "$(stat_median "trace-q-lookup-$tag" 2)")
    row "$size" "trace lookup, $nids trace ids, $desc: whole commands against the time inside them (wall)" \
        "$(fmt_time "trace-lookup-$tag" 2)" "$(fmt_time "trace-q-lookup-$tag" 2) (inside)" \
        "$r" "<= 1.5" "$(met "$r" '<=' 1.5)"
    row "$size" "bytes read, $nids trace lookups, $desc (pages read: $lp vs $sp)" \
        "$(mb "$lb")" "$(mb "$sb") (scan)" "$(ratio "$lb" "$sb")" "" ""
    row "$size" "blocks pruned by the bloom filter, $nids trace lookups, $desc" \
        "$pruned of $searched searched ($fps false positives, $hit holding the trace); pages read in $br blocks" "" \
        "$(ratio "$pruned" "$searched")" "no pages from pruned blocks" "$( [ "$br" -le $((hit + fps)) ] && echo yes || echo '**no**')"

    # The filters' false-positive rate on random (absent) ids.
    s=$("$kiln" query --store "$st" --bloom-fpr 10000)
    local rate worst expect
    rate=$(sed -n 's/.*rate \([0-9.]*\) (worst.*/\1/p' <<<"$s")
    worst=$(sed -n 's/.*worst block \([0-9.]*\);.*/\1/p' <<<"$s")
    expect=$(sed -n 's/.*expected at most \([0-9.]*\)).*/\1/p' <<<"$s")
    row "$size" "bloom false-positive rate, 10,000 random ids per block, $desc" \
        "$(awk -v v="$rate" 'BEGIN {printf "%.3f %%", v * 100}') (worst block $(awk -v v="$worst" 'BEGIN {printf "%.3f %%", v * 100}'))" \
        "$(awk -v v="$expect" 'BEGIN {printf "%.3f %%", v * 100}') (expected, worst block)" "" "<= 1 % per block" "$(met "$worst" '<=' 0.01)"
}

# bench_trace_day: the issue's case, a day of the run's fleet (its services
# and hosts over 24 h) in 1 h blocks, under $KILN_DAY_WORK (default
# $work/day). The day's 432,000 standard files are not kept: read back from
# disk after the page cache has let them go they cost more in I/O than in
# ingest, so each hour is generated, ingested in time order (as agents
# upload) and deleted. The store is rebuilt when the kiln binary changes.
bench_trace_day() {
    local dwork=${KILN_DAY_WORK:-$work/day} stamp h t1
    local dstore=$dwork/store-1h hour=$dwork/hour
    mkdir -p "$dwork"
    stamp="$(sha1sum "$kiln" | cut -c1-16) ${mix[*]} $services $hosts $seed $trace_fraction $end"
    if [ ! -f "$dstore/.done" ] || [ "$(cat "$dstore/.done")" != "$stamp" ]; then
        kiln_log "trace lookup: a day of the fleet, generated and ingested hour by hour"
        rm -rf "$dstore"
        for h in $(seq 23 -1 0); do
            t1=$(( $(date -d "$end" +%s) - 3600 * h ))
            rm -rf "$hour"
            "$kiln" gen --quiet --out "$hour" "${mix[@]}" --services "$services" --hosts "$hosts" \
                --duration 1h --seed "$seed" --trace-fraction "$trace_fraction" --end "$t1"
            find "$hour" -name '*.pb.gz' |
                awk -F/ '{t = $NF; sub(/\.pb\.gz$/, "", t); print t "\t" $0}' |
                sort -n -k1,1 | cut -f2 |
                "$kiln" ingest --store "$dstore" --path-labels service_name/host \
                    --block-window 1h - >/dev/null
        done
        rm -rf "$hour"
        echo "$stamp" >"$dstore/.done"
    fi
    local nblocks
    nblocks=$(find "$dstore" -name '*.kiln' | wc -l)
    bench_trace_store "$dstore" "a day of the $size fleet ($services services x $hosts hosts x 24h), 1 h blocks ($nblocks)" 100
}

bench_trace() {
    local what="$size workload ($services services x $hosts hosts x $duration)"
    kiln_log "trace lookup: bloom + trace index against scanning every page"
    local want=
    if [ "$duration" = 24h ]; then
        what="a day of the $size fleet ($services services x $hosts hosts x 24h)"
        want=100
    fi
    bench_trace_store "$store" "$what, 1 h blocks ($blocks_1h)" "$want"
    if [ -d "$work/store-1m" ]; then
        bench_trace_store "$work/store-1m" "$what, 1 min blocks ($blocks_1m)"
    fi
    [ "$duration" = 24h ] || bench_trace_day
}
