# scripts/bench_s3.sh: the object-storage rows of scripts/bench (issue 5),
# sourced by it and run after the range queries. It starts the project's own
# radosgw on loopback (tests/s3/rgw/start.sh), copies the 1 h block store
# into a bucket with `kiln cp`, and runs the same queries on file:// and on
# s3:// (SigV4, then SigV2): the answers must be byte-identical, and the rows
# report store requests and bytes per query and the time against file://.
# Uses scripts/bench's $kiln, $work, $store, $runs, $size, $svc, $t0, $t1 and
# its helpers (timed, stat_median, fmt_time, ratio, row, mb).

bench_s3() {
    local rgw=$KILN_ROOT/tests/s3/rgw out ep bucket=kiln-bench q v st
    export KILN_RGW_DIR=$work/rgw
    if ! out=$("$rgw/start.sh" 2>"$work/rgw-start.log"); then
        kiln_log "radosgw did not start (see $work/rgw-start.log): no s3:// rows"
        row "$size" "s3:// queries" "radosgw did not start" "" "" "" ""
        return 0
    fi
    # Stop the gateway by its recorded PIDs however this function ends.
    trap '"$KILN_ROOT/tests/s3/rgw/stop.sh" >/dev/null 2>&1 || true' EXIT
    eval "export $(echo "$out" | tr '\n' ' ')"
    unset AWS_SESSION_TOKEN AWS_SIGNATURE_VERSION
    ep=$AWS_ENDPOINT_URL
    curl -sS --aws-sigv4 "aws:amz:us-east-1:s3" \
        --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
        -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" -X PUT -o /dev/null "$ep/$bucket"
    "$kiln" cp "$store" "s3://$bucket/bench" >/dev/null

    # query NAME URL ARGS...: one timed run; its --stats line kept per URL.
    for q in svc 5m; do
        local args=(--type cpu --format top)
        [ "$q" = svc ] && args+=(--match "{service_name=\"$svc\"}")
        [ "$q" = 5m ] && args+=(--from "$t0" --to "$t1")
        "$kiln" query --store "$store" "${args[@]}" >"$work/s3-file-$q.txt"
        for v in 4 2; do
            st="s3://$bucket/bench?sigv=$v"
            "$kiln" query --store "$st" "${args[@]}" --stats \
                >"$work/s3-v$v-$q.txt" 2>"$work/s3-v$v-$q.stats"
            cmp -s "$work/s3-file-$q.txt" "$work/s3-v$v-$q.txt" ||
                kiln_die "s3:// (SigV$v) and file:// answers differ for the $q query"
        done
        for i in $(seq "$runs"); do
            timed "file-$q" "$kiln" query --store "$store" "${args[@]}" -o /dev/null
            timed "s3v4-$q" "$kiln" query --store "s3://$bucket/bench?sigv=4" "${args[@]}" -o /dev/null
        done
        local reqs bytes what
        reqs=$(sed -n 's/.*store: \([0-9]*\) requests.*/\1/p' "$work/s3-v4-$q.stats")
        bytes=$(sed -n 's/.*store: [0-9]* requests, .*(\([0-9]*\) bytes).*/\1/p' "$work/s3-v4-$q.stats")
        what=$([ "$q" = svc ] && echo "one-service hour" || echo "whole-fleet 5 minutes")
        row "$size" "s3:// (radosgw, SigV4) $what: requests, bytes read" "$reqs requests, $(mb "$bytes")" "" "" "" ""
        row "$size" "s3:// $what query time vs file://" "$(fmt_time "s3v4-$q" 2)" "$(fmt_time "file-$q" 2) (file://)" \
            "$(ratio "$(stat_median "s3v4-$q" 2)" "$(stat_median "file-$q" 2)")" "" ""
    done
    "$rgw/stop.sh" >/dev/null 2>&1 || true
    trap - EXIT
}
