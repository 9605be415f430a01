# common.sh: sourced by the end-to-end shell tests. Checks the environment
# meson gives (test_env in tests/meson.build), makes a private work
# directory removed on exit, and provides TAP helpers and a Go environment
# that needs no network and no HOME.
: "${KILN_BIN:?KILN_BIN not set: run through meson test}"
: "${KILN_CORPUS:?KILN_CORPUS not set: run through meson test}"
: "${KILN_SOURCE_ROOT:?KILN_SOURCE_ROOT not set: run through meson test}"
: "${KILN_BUILD_ROOT:?KILN_BUILD_ROOT not set: run through meson test}"

E2E_DIR="$KILN_SOURCE_ROOT/tests/e2e"
E2E_CANON="$KILN_BUILD_ROOT/tests/e2e/e2e_canon"
# The interpreter itself, not a version-manager shim (pyenv's cost 0.5 s a
# call).
PY=$(python3 -c 'import sys; print(sys.executable)')
export TZ=UTC LC_ALL=C

WORK=$(mktemp -d "${TMPDIR:-/tmp}/kiln-e2e.XXXXXX")
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT

TAP_N=0
TAP_FAIL=0
ok() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $*"; }
not_ok() { TAP_N=$((TAP_N + 1)); TAP_FAIL=$((TAP_FAIL + 1)); echo "not ok $TAP_N - $*"; }
diag() { sed 's/^/# /'; }
# check DESCRIPTION COMMAND...: one test point from a command's status.
check() {
    local what=$1; shift
    if "$@" > "$WORK/check.out" 2>&1; then ok "$what"; else
        not_ok "$what"; head -c 3000 "$WORK/check.out" | diag; fi
}
# The plan and a summary. Exit status 0 even with failures: meson reads
# the "not ok" lines (and shows "N/M subtests passed"); set E2E_STRICT=1 to
# get a non-zero status when running a script by hand.
tap_end() {
    echo "1..$TAP_N"
    echo "# $((TAP_N - TAP_FAIL)) of $TAP_N passed"
    [ "$TAP_FAIL" -eq 0 ] || [ "${E2E_STRICT:-0}" != 1 ]
}

# Go, offline and self-contained (HOME may be unset in CI).
go_env() {
    GO=$(command -v go || true)
    [ -n "$GO" ] || return 1
    mkdir -p "$WORK/home" "$WORK/gocache" "$WORK/gopath"
    export HOME="$WORK/home" GOCACHE="$WORK/gocache" GOPATH="$WORK/gopath"
    export GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local GOTELEMETRY=off
    export GOSUMDB=off GO111MODULE=off
    export PPROF_TMPDIR="$WORK/home/pprof" PPROF_BINARY_PATH=/nonexistent
}
# Number of regular files under a directory (0 if it does not exist).
nfiles() { if [ -d "$1" ]; then find "$1" -type f | wc -l; else echo 0; fi; }
# Block files under a store directory, sorted (nothing if it is absent).
blocks() { find "$1" -type f -name '*.kiln' 2> /dev/null | sort || true; }
nblocks() { blocks "$1" | grep -c . || true; }
# Merged stacks in a pprof file by the independent reader (0 if none/bad).
stacks() {
    if [ -s "$1" ]; then { "$E2E_CANON" "$1" 2> /dev/null || true; } | grep -c '^S ' || true
    else echo 0; fi
}
