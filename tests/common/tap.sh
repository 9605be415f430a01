# tap.sh: the helpers every shell test of the `kiln` command shares (sourced,
# not run): TAP-style ok/fail lines counted in FAILS, run-and-check-exit, a
# scratch dir removed on exit. Usage: `. .../tests/common/tap.sh NAME`, then
# end the script with `tap_done`.
# shellcheck shell=bash
set -uo pipefail
K="${KILN_BIN:?KILN_BIN not set}"
WORK=$(mktemp -d "/tmp/kiln-test-${1:?tap.sh: name missing}-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
FAILS=0
ok() { echo "ok - $*"; }
fail() { echo "not ok - $*"; FAILS=$((FAILS + 1)); }
check() { # check WHAT CONDITION...
    local what=$1; shift
    if "$@"; then ok "$what"; else fail "$what"; fi
}
run() { # run WANT_EXIT WHAT CMD... ; output in $WORK/out, $WORK/err
    local want=$1 what=$2 rc=0; shift 2
    "$@" > "$WORK/out" 2> "$WORK/err" || rc=$?
    if [ "$rc" -eq "$want" ]; then ok "$what (exit $rc)"
    else fail "$what: want exit $want, got $rc"; sed 's/^/#   /' "$WORK/err" | head -5; fi
}
nblocks() { find "$1" -name '*.kiln' 2>/dev/null | wc -l; }
tap_done() { # the script's exit status: 0 when nothing failed
    echo "# $FAILS failed"
    [ "$FAILS" -eq 0 ]
}
