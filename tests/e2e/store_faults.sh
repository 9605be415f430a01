#!/bin/bash
# store_faults.sh: the store-failure loop over whole commands that write.
# `kiln ingest` (several blocks) and `kiln cp` run with the 1st, 2nd, 3rd ...
# file-system call of the directory store failing (fail_io.so, LD_PRELOAD,
# ENOSPC: a full disk) until one runs with no failure. After each failure:
# a non-zero exit naming the failure, every block the store shows is whole (verify) and one
# the clean run makes, never a mix; and a rerun with no failure converges
# to exactly the clean run's blocks.
set -euo pipefail
. "$(dirname "$0")/common.sh"

K="$KILN_BIN"
FAILIO="$KILN_BUILD_ROOT/tests/e2e/libkiln_fail_io.so"
[ -f "$FAILIO" ] || { echo "Bail out! $FAILIO not built"; exit 1; }
# AddressSanitizer wants to be first among the preloaded libraries.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"

"$K" gen --quiet --out "$WORK/fleet" --services 2 --hosts 1 --duration 3m \
    --end 2026-11-24T01:00:00Z --seed 9
keys() { "$K" ls --store "$1" 2> /dev/null | awk '$1 ~ /\.kiln$/ {print $1}' | sort; }
"$K" ingest --quiet --store "$WORK/clean" --block-window 1m \
    --path-labels service_name/host "$WORK/fleet" > /dev/null
keys "$WORK/clean" > "$WORK/clean.keys"
nclean=$(wc -l < "$WORK/clean.keys")
if [ "$nclean" -ge 3 ]; then
    ok "clean ingest: $nclean blocks"
else
    not_ok "clean ingest made $nclean blocks, want several"
fi

# after_failure WHAT STORE RC: the store holds whole blocks of the clean
# run or nothing; returns non-zero (with a not_ok) otherwise.
after_failure() {
    local what=$1 s=$2 rc=$3
    if [ "$rc" -eq 0 ]; then
        # a failure the store could do without (removing a temp file after
        # the object is in place): then the result is the whole clean run
        [ "$(keys "$s")" = "$(cat "$WORK/clean.keys")" ] && return 0
        not_ok "$what: exit 0, but not the clean run's blocks"; return 1
    fi
    if ! grep -qE 'No space left|ENOSPC|space' "$WORK/err"; then
        not_ok "$what: exit $rc without naming the failure"; diag < "$WORK/err"; return 1
    fi
    if [ -d "$s" ] && ! "$K" verify --store "$s" > "$WORK/v.out" 2>&1; then
        if ! grep -q 'no blocks\|0 blocks' "$WORK/v.out"; then
            not_ok "$what: a block that does not verify"; diag < "$WORK/v.out"; return 1
        fi
    fi
    keys "$s" > "$WORK/got.keys"
    if ! comm -13 "$WORK/clean.keys" "$WORK/got.keys" | grep -q . ; then
        return 0
    fi
    not_ok "$what: blocks the clean run does not make"; comm -13 "$WORK/clean.keys" "$WORK/got.keys" | diag
    return 1
}

# loop NAME CMD...: CMD with "$S" as its store, failing call n = 1, 2, ...
loop() {
    local name=$1 n rc bad=0 fired
    shift
    for ((n = 1; n < 2000; n++)); do
        S="$WORK/s-$name-$n"
        rm -f "$WORK/count"
        rc=0
        KILN_FAIL_IO_NTH=$n KILN_FAIL_IO_COUNT="$WORK/count" LD_PRELOAD="$FAILIO" \
            "$@" > "$WORK/out" 2> "$WORK/err" || rc=$?
        fired=$(awk '{f = $2} END {print f + 0}' "$WORK/count")
        if [ "$fired" -eq 0 ]; then
            if [ "$rc" -eq 0 ] && [ "$(keys "$S")" = "$(cat "$WORK/clean.keys")" ]; then
                ok "$name: $((n - 1)) store calls failed one by one, each cleanly; then a run with none matches the clean run"
            else
                not_ok "$name: the run with no failure: exit $rc"; diag < "$WORK/err"
            fi
            return
        fi
        if ! after_failure "$name, call $n failed" "$S" "$rc"; then
            bad=1; break
        fi
        # A rerun with no failure converges.
        rc=0
        "$@" > /dev/null 2> "$WORK/err2" || rc=$?
        if [ "$rc" -ne 0 ] || [ "$(keys "$S")" != "$(cat "$WORK/clean.keys")" ]; then
            not_ok "$name, call $n failed: the rerun did not converge (exit $rc)"; diag < "$WORK/err2"
            bad=1; break
        fi
        rm -rf "$S"
    done
    [ "$bad" -eq 1 ] || not_ok "$name: still failing after $n calls"
}

# S is set by loop for each run; the commands read it when they run.
ingest_cmd() { "$K" ingest --quiet --store "$S" --block-window 1m --path-labels service_name/host "$WORK/fleet"; }
cp_cmd() { "$K" cp --quiet "$WORK/clean" "$S"; }
loop ingest ingest_cmd
loop cp cp_cmd

tap_end
