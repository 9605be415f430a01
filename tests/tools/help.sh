#!/bin/bash
# help.sh: every subcommand has help three ways (kiln help CMD, kiln CMD
# --help, -h) with usage, options and examples, exit 0; bad usage exits 1
# with "kiln CMD: ..." on stderr; --version prints the version.
set -uo pipefail
K="${KILN_BIN:?KILN_BIN not set}"
FAILS=0
ok() { echo "ok - $*"; }
fail() { echo "not ok - $*"; FAILS=$((FAILS + 1)); }
expect() { # expect WANT WHAT CMD...
    local want=$1 what=$2 rc=0; shift 2
    "$@" > /tmp/kiln-help-out.$$ 2> /tmp/kiln-help-err.$$ || rc=$?
    if [ "$rc" -eq "$want" ]; then ok "$what (exit $rc)"; else fail "$what: want $want, got $rc"; fi
}
trap 'rm -f /tmp/kiln-help-out.$$ /tmp/kiln-help-err.$$' EXIT

expect 0 "kiln --help" "$K" --help
grep -q '^Exit codes:' /tmp/kiln-help-out.$$ && ok "--help lists exit codes" || fail "--help lists exit codes"
expect 0 "kiln help" "$K" help
expect 0 "kiln --version" "$K" --version
grep -q '^kiln [0-9]' /tmp/kiln-help-out.$$ && ok "version line" || fail "version line"
expect 1 "kiln with no command" "$K"
expect 1 "unknown command" "$K" frobnicate
grep -q 'frobnicate' /tmp/kiln-help-err.$$ && ok "unknown command named" || fail "unknown command named"
expect 1 "help for an unknown command" "$K" help frobnicate
for c in ingest query inspect verify gen diff; do
    for form in "help $c" "$c --help" "$c -h"; do
        # shellcheck disable=SC2086
        expect 0 "kiln $form" "$K" $form
        for part in "Usage: kiln $c" "Options:" "Examples:"; do
            grep -q "$part" /tmp/kiln-help-out.$$ && ok "kiln $form: $part" || fail "kiln $form: $part"
        done
    done
    expect 1 "kiln $c --no-such-option" "$K" "$c" --no-such-option
    grep -q "^kiln $c: " /tmp/kiln-help-err.$$ && ok "kiln $c: error prefix" || fail "kiln $c: error prefix"
done
echo "# $FAILS failed"
[ "$FAILS" -eq 0 ]
