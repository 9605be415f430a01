#!/bin/bash
# huge_claims.sh: a block whose (checksummed, well-formed) footer claims a
# section of 2^40 bytes, in a sparse object large enough that the claim
# passes the extent checks, is refused at open, at once, by every command
# that reads it (verify, inspect, query): exit 2 naming the footer, in
# under 5 seconds and 64 MiB of memory; nothing tries to fetch a terabyte.
set -euo pipefail
. "$(dirname "$0")/common.sh"

K="$KILN_BIN"
MAKE="$KILN_BUILD_ROOT/tests/e2e/e2e_make_block"
[ -x "$MAKE" ] || { echo "Bail out! $MAKE not built"; exit 1; }
# Under AddressSanitizer freed memory waits in a quarantine; with it off
# the sanitizer build keeps to the same bound.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0"

# measured WHAT WANT_EXIT PATTERN CMD...: exit code, message, time, memory.
measured() {
    local what=$1 want=$2 pat=$3 rc=0
    shift 3
    /usr/bin/time -f '%e %M' -o "$WORK/time" "$@" > "$WORK/err" 2>&1 || rc=$?
    read -r secs kib < <(tail -n 1 "$WORK/time")
    if [ "$rc" -ne "$want" ]; then
        not_ok "$what: exit $rc, want $want"; diag < "$WORK/err"
    elif ! grep -q -- "$pat" "$WORK/err"; then
        not_ok "$what: the message does not say '$pat'"; diag < "$WORK/err"
    elif [ "$kib" -ge 65536 ]; then
        not_ok "$what: peak memory $kib KiB, not under 64 MiB"
    elif ! awk -v s="$secs" 'BEGIN { exit !(s < 5) }'; then
        not_ok "$what: took $secs s"
    else
        ok "$what: exit $want in $secs s, peak $kib KiB"
    fi
}

for mode in terabyte bound; do
    s="$WORK/$mode"
    mkdir -p "$s/default/blocks"
    f="$s/default/blocks/huge.kiln"
    "$MAKE" "$mode" "$f"
    size=$(stat -c %s "$f")
    if [ "$size" -gt $((1 << 40)) ]; then
        ok "$mode: a sparse block object of $size bytes"
    else
        not_ok "$mode: the object is only $size bytes"
    fi
    measured "$mode: kiln verify" 2 "footer: section 0 (symbols)" "$K" verify "$f"
    measured "$mode: kiln inspect" 2 "footer: section 0 (symbols)" "$K" inspect "$f"
    measured "$mode: kiln query --strict" 2 "footer: section 0 (symbols)" \
        "$K" query --store "$s" --strict --format folded
    measured "$mode: kiln query" 6 "left out block default/blocks/huge.kiln" \
        "$K" query --store "$s" --format folded
done
tap_end
