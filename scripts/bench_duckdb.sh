# scripts/bench_duckdb.sh: the generic columnar baseline of scripts/bench
# (issue 3, item 6), sourced by it and run after the s3:// rows. The store's
# sample rows leave kiln with `kiln query --format csv` (one line per stored
# row), DuckDB (@duckdb/node-api from the npm registry, driven by
# scripts/bench_duckdb.mjs) writes them as Parquet with zstd, and the rows
# report the Parquet file's size against the block's, and a GROUP BY stack
# sum over one service's hour in DuckDB against `kiln query --format
# folded`, after checking both give the same stacks and values. A machine
# where node, npm or the package cannot be had gets a row saying so: this
# stretch never fails the bench. Uses scripts/bench's $kiln, $work, $store,
# $runs, $size, $svc, $bytes_1h and its helpers (timed, stat_median,
# fmt_time, ratio, row, met, mb).

# bench_duckdb_skip WHY: the row saying the baseline did not run.
bench_duckdb_skip() {
    kiln_log "DuckDB baseline not run: $1"
    row "$size" "generic columnar baseline (DuckDB, Parquet + zstd)" "not run: $1" "" "" "" ""
}

# node and npm, installed with apt-get when missing (Debian 12 has nodejs
# 18 and npm); 1 when they cannot be had.
bench_duckdb_node() {
    local sudo=()
    command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 && return 0
    [ "${KILN_NO_INSTALL:-0}" = 1 ] && return 1
    command -v apt-get >/dev/null 2>&1 || return 1
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || return 1
        sudo=(sudo)
    fi
    kiln_log "installing nodejs and npm (apt-get) for the DuckDB baseline"
    {
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
            "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
                apt-get install -y -q --no-install-recommends nodejs npm
    } >"$work/duckdb-apt.log" 2>&1 || return 1
    command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1
}

# Bytes of the store's blocks, and of their links, traceindex and bloom
# sections (what holds the trace links), from `kiln inspect`.
bench_duckdb_link_bytes() {
    local key
    "$kiln" ls --store "$store" | awk '$1 ~ /\.kiln$/ {print $1}' | while read -r key; do
        "$kiln" inspect --store "$store" "$key"
    done | awk '/^sections/ {s = 1; next}
                s && ($1 == "links" || $1 == "traceindex" || $1 == "bloom") {b += $4}
                END {print b + 0}'
}

bench_duckdb() {
    local dd=$work/duckdb mjs=$KILN_ROOT/scripts/bench_duckdb.mjs
    local nm=$work/duckdb-node csv parquet nolinks out nrows secs kstats krows
    kiln_log "generic columnar baseline: DuckDB, Parquet + zstd"
    if ! bench_duckdb_node; then
        bench_duckdb_skip "node and npm are not installed and could not be (see $work/duckdb-apt.log)"
        return 0
    fi
    if [ ! -f "$nm/node_modules/@duckdb/node-api/package.json" ]; then
        mkdir -p "$nm"
        if ! npm install --prefix "$nm" --no-audit --no-fund --loglevel=error \
            @duckdb/node-api >"$work/duckdb-npm.log" 2>&1; then
            bench_duckdb_skip "npm install @duckdb/node-api failed ($(tail -1 "$work/duckdb-npm.log"))"
            return 0
        fi
    fi
    export DUCKDB_NODE_DIR=$nm
    rm -rf "$dd"
    mkdir -p "$dd"
    csv=$dd/samples.csv parquet=$dd/samples.parquet nolinks=$dd/samples-nolinks.parquet

    # The rows out of kiln, into Parquet; the row counts must agree.
    kstats=$( { timed duck-export "$kiln" query --store "$store" --format csv \
        --columns service_name,host -o "$csv" --stats; } 2>&1) ||
        kiln_die "kiln query --format csv failed: $kstats"
    krows=$(sed -n 's/.*; rows: \([0-9]*\);.*/\1/p' <<<"$kstats")
    if ! out=$(node "$mjs" convert "$csv" "$parquet" 2>&1); then
        bench_duckdb_skip "DuckDB could not load the rows ($(tail -1 <<<"$out"))"
        return 0
    fi
    read -r nrows secs <<<"$out"
    [ "$nrows" = "$krows" ] ||
        kiln_die "DuckDB holds $nrows rows, kiln exported $krows (files in $dd)"
    node "$mjs" convert "$parquet" "$nolinks" trace_id span_id >/dev/null ||
        kiln_die "DuckDB: the Parquet file without links failed"
    local csv_bytes pq_bytes nl_bytes link_bytes
    csv_bytes=$(stat -c %s "$csv")
    pq_bytes=$(stat -c %s "$parquet")
    nl_bytes=$(stat -c %s "$nolinks")
    link_bytes=$(bench_duckdb_link_bytes)
    rm -f "$csv"
    row "$size" "export: kiln query --format csv of every row ($nrows rows, $(mb "$csv_bytes") of CSV); DuckDB loads it and writes Parquet" \
        "$(fmt_time duck-export 2)" "$secs s (CSV to Parquet)" "" "" ""

    local r schema="one Parquet row per kiln sample row: time_ns BIGINT, service_name, host, trace_id, span_id (hex), stack (folded frames as one string) VARCHAR, samples, cpu BIGINT; DuckDB's default row groups, zstd"
    r=$(ratio "$bytes_1h" "$pq_bytes")
    row "$size" "storage, 1 h blocks vs the same rows as Parquet + zstd by DuckDB ($schema)" \
        "$(mb "$bytes_1h")" "$(mb "$pq_bytes")" "$r" "<= 1" "$(met "$r" '<=' 1)"
    r=$(ratio "$((bytes_1h - link_bytes))" "$nl_bytes")
    row "$size" "storage without trace links: blocks less their links, traceindex and bloom sections ($(mb "$link_bytes")) vs Parquet without trace_id, span_id" \
        "$(mb "$((bytes_1h - link_bytes))")" "$(mb "$nl_bytes")" "$r" "<= 1" "$(met "$r" '<=' 1)"

    # Correctness first: the same stacks and sums.
    local kq=("$kiln" query --store "$store" --match "{service_name=\"$svc\"}" --type cpu --format folded)
    "${kq[@]}" -o "$dd/kiln.folded"
    node "$mjs" query "$parquet" "$svc" cpu "$dd/duck.txt" 2>/dev/null ||
        kiln_die "DuckDB: the GROUP BY stack query failed"
    LC_ALL=C sort "$dd/duck.txt" >"$dd/duck.folded"
    if ! cmp -s "$dd/kiln.folded" "$dd/duck.folded" || [ ! -s "$dd/kiln.folded" ]; then
        diff "$dd/kiln.folded" "$dd/duck.folded" | head -5 >&2 || true
        kiln_die "kiln and DuckDB disagree on the cpu of $svc by stack (files in $dd)"
    fi
    local nstacks
    nstacks=$(wc -l <"$dd/kiln.folded")

    # Query time inside the process: kiln's --stats (store open to answer
    # written), DuckDB's statement to last line written (instance start
    # excluded); alternating.
    local s ms threads
    for i in $(seq "$runs"); do
        s=$(node "$mjs" query "$parquet" "$svc" cpu /dev/null 2>&1 >/dev/null)
        ms=$(sed -n 's/^query: \([0-9.]*\) ms.*/\1/p' <<<"$s")
        threads=$(sed -n 's/.*, \([0-9]*\) threads.*/\1/p' <<<"$s")
        printf 'duck-q-in\t%.4f\t0\t0\n' "$(awk -v m="$ms" 'BEGIN {print m / 1000}')" >>"$work/times.tsv"
        s=$("${kq[@]}" -o /dev/null --stats 2>&1 >/dev/null)
        printf 'kiln-q-in\t%s\t0\t0\n' "$(sed -n 's/.* \([0-9.]*\) s$/\1/p' <<<"$s")" >>"$work/times.tsv"
    done
    local what="GROUP BY stack sum of cpu, one service hour ($svc, $nstacks stacks, answers checked equal)"
    r=$(ratio "$(stat_median duck-q-in 2)" "$(stat_median kiln-q-in 2)")
    row "$size" "$what: query time inside the process (speed-up, wall; DuckDB on $threads threads)" \
        "$(fmt_time kiln-q-in 2)" "$(fmt_time duck-q-in 2) (DuckDB over the Parquet file)" \
        "${r}x" "> 1x" "$(met "$r" '>=' 1.0001)"

    # Whole processes, start included.
    for i in $(seq "$runs"); do
        timed duck-q node "$mjs" query "$parquet" "$svc" cpu /dev/null 2>/dev/null
        timed kiln-q "${kq[@]}" -o /dev/null
    done
    r=$(ratio "$(stat_median duck-q 2)" "$(stat_median kiln-q 2)")
    row "$size" "$what: one whole command each, process start included (speed-up, wall)" \
        "$(fmt_time kiln-q 2)" "$(fmt_time duck-q 2) (node + DuckDB)" \
        "${r}x" "> 1x" "$(met "$r" '>=' 1.0001)"
    # CPU time: /usr/bin/time counts in 10 ms steps, so a zero is "below".
    r=$(ratio "$(stat_median duck-q 3)" "$(stat_median kiln-q 3)")
    [ "$r" = inf ] && r="" || r="${r}x"
    row "$size" "$what: one whole command each (CPU time)" \
        "$(fmt_time kiln-q 3)" "$(fmt_time duck-q 3) (node + DuckDB)" "$r" "" ""
}
