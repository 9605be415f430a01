#!/bin/bash
# go_pprof_agree.sh: an independent reader agrees. For every corpus profile,
# `go tool pprof -raw -symbolize=none` on the input and on kiln's pprof
# output (ingest alone, query back) print the same profile once ids and
# sample order are normalised (pprof_raw_norm.py). TAP, one point per file.
set -euo pipefail
. "$(dirname "$0")/common.sh"

if ! go_env; then
    echo "1..0 # SKIP go not installed (scripts/test installs golang-go)"
    exit 0
fi
raw() { "$GO" tool pprof -raw -symbolize=none "$1"; }

for f in "$KILN_CORPUS"/pprof/*; do
    b=$(basename "$f")
    d="$WORK/$b"
    mkdir -p "$d"
    if ! "$KILN_BIN" ingest --store "$d/store" "$f" > "$d/ingest.log" 2>&1; then
        not_ok "go tool pprof agrees on $b"; echo "kiln ingest failed:" | diag
        head -c 1000 "$d/ingest.log" | diag; continue
    fi
    if ! "$KILN_BIN" query --store "$d/store" --format pprof -o "$d/out.pb.gz" > "$d/query.log" 2>&1; then
        not_ok "go tool pprof agrees on $b"; echo "kiln query failed:" | diag
        head -c 1000 "$d/query.log" | diag; continue
    fi
    if ! raw "$f" > "$d/in.raw" 2> "$d/in.err"; then
        not_ok "go tool pprof agrees on $b"; echo "go tool pprof cannot read the INPUT:" | diag
        head -c 1000 "$d/in.err" | diag; continue
    fi
    if ! raw "$d/out.pb.gz" > "$d/out.raw" 2> "$d/out.err"; then
        not_ok "go tool pprof agrees on $b"; echo "go tool pprof cannot read kiln's output:" | diag
        head -c 1000 "$d/out.err" | diag; continue
    fi
    # A profile without time_nanos gets one from the store; not a loss.
    flag=; grep -q '^Time: ' "$d/in.raw" || flag=--drop-time
    if ! "$PY" "$E2E_DIR/pprof_raw_norm.py" $flag < "$d/in.raw" > "$d/in.norm" 2> "$d/norm.err" ||
       ! "$PY" "$E2E_DIR/pprof_raw_norm.py" $flag < "$d/out.raw" > "$d/out.norm" 2>> "$d/norm.err"; then
        not_ok "go tool pprof agrees on $b"; echo "cannot normalise go tool pprof -raw output:" | diag
        diag < "$d/norm.err"; continue
    fi
    if cmp -s "$d/in.norm" "$d/out.norm"; then
        ok "go tool pprof agrees on $b ($(sed -n 's/^N stacks //p' "$d/in.norm") stacks)"
    else
        not_ok "go tool pprof agrees on $b"
        echo "normalised go tool pprof -raw differs (--- input, +++ kiln):" | diag
        diff -U0 "$d/in.norm" "$d/out.norm" | grep -v '^@@' | head -16 | cut -c1-400 | diag || true
    fi
    rm -rf "$d"
done
tap_end
