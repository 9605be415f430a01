#!/bin/bash
# real_inputs.sh: profiles as real agents send them, none shaped by kiln's
# generator (issue 9). OTLP: one hand-built profile in the v1.9 and the
# v1.11 layout ingests to the same answer, per-sample timestamps come back
# through `query --format csv`, and `--verbose` names the layout; an older
# layout is refused. pprof: tables with every id at 0 (function, location,
# mapping; go tool pprof refuses them, so the independent decoder canon.c
# judges) and lines with function id 0 (go tool pprof reads them) round-trip
# losslessly; still-invalid ones exit 2 with one line and store nothing.
set -euo pipefail
. "$(dirname "$0")/common.sh"

MK="$KILN_BUILD_ROOT/tests/e2e/e2e_make_input"
D="$WORK/in"
mkdir -p "$D"
HAVE_GO=0
if go_env; then HAVE_GO=1; fi
raw() { "$GO" tool pprof -raw -symbolize=none "$1"; }
# canon FILE: the independent decoder's lines, the time apart (a profile
# without time_nanos gets one from the store).
canon() { "$E2E_CANON" "$1" | grep -v '^T time_nanos'; }
# roundtrip IN DIR: ingest IN alone into DIR/store, query it back as pprof.
roundtrip() {
    mkdir -p "$2"
    "$KILN_BIN" ingest --store "$2/store" "$1" > "$2/ingest.log" 2>&1 &&
        "$KILN_BIN" query --store "$2/store" --format pprof -o "$2/out.pb.gz" \
            > "$2/query.log" 2>&1
}
# refused WHAT FILE WANT: exit 2, one line on stderr holding WANT, no file
# in the store.
n=0
refused() {
    local what=$1 file=$2 want=$3 rc=0 s="$WORK/refused$n"
    n=$((n + 1))
    "$KILN_BIN" ingest --store "$s" "$file" > "$WORK/out" 2> "$WORK/err" || rc=$?
    local lines left
    lines=$(wc -l < "$WORK/err")
    left=$(nfiles "$s")
    if [ "$rc" -eq 2 ] && [ "$lines" -eq 1 ] && [ "$left" -eq 0 ] &&
       grep -qF -- "$want" "$WORK/err"; then
        ok "$what: exit 2, one line, nothing stored: $(head -c 300 "$WORK/err")"
    else
        not_ok "$what: want exit 2, one line holding \"$want\", an empty store"
        echo "got exit $rc, $lines line(s), $left file(s) stored; stderr:" | diag
        head -c 1000 "$WORK/err" | diag
    fi
}

# ---- OTLP: both layouts -----------------------------------------------------
"$MK" otlp-pair "$D/p19.otlp.pb" "$D/p111.otlp.pb"
check "the two layouts differ in bytes" bash -c '! cmp -s "$1" "$2"' _ \
    "$D/p19.otlp.pb" "$D/p111.otlp.pb"
for l in 19 111; do
    "$KILN_BIN" ingest -v --store "$WORK/o$l" "$D/p$l.otlp.pb" > "$WORK/v$l" 2>&1 ||
        { echo "ingest of p$l failed" | diag; cat "$WORK/v$l" | diag; }
done
check "--verbose names the v1.9 layout" grep -qx "$D/p19.otlp.pb: OTLP v1.9 layout" "$WORK/v19"
check "--verbose names the v1.11 layout" grep -qx "$D/p111.otlp.pb: OTLP v1.11 layout" "$WORK/v111"
check "the summary counts an OTLP file as otlp" \
    grep -q '^kiln ingest: 1 files (0 pprof, 1 otlp, 0 folded, 0 skipped)' "$WORK/v111"
gzip -c "$D/p111.otlp.pb" > "$D/z111.otlp.pb.gz"
"$KILN_BIN" ingest -v --store "$WORK/oz" "$D/z111.otlp.pb.gz" > "$WORK/vz" 2>&1 || true
check "--verbose says gzip" grep -qx "$D/z111.otlp.pb.gz: OTLP v1.11 layout (gzip)" "$WORK/vz"
for f in csv pprof folded json top; do
    "$KILN_BIN" query --store "$WORK/o19" --format "$f" -o "$WORK/q19.$f" > /dev/null 2>&1 || true
    "$KILN_BIN" query --store "$WORK/o111" --format "$f" -o "$WORK/q111.$f" > /dev/null 2>&1 || true
    check "both layouts give the same --format $f answer" \
        bash -c '[ -s "$1" ] && cmp -s "$1" "$2"' _ "$WORK/q19.$f" "$WORK/q111.$f"
done
# Per-sample timestamps: every event at its own time. The profile starts at
# 1764547200 s; sample 0 (work, linked) has 10/20/30 ms at +1/+2/+3 s,
# sample 1 (idle) counts 1 at +1 s and +4 s, sample 2 (work) 5 ms at +0 s.
cut -d, -f1 "$WORK/q111.csv" | tail -n +2 | sort -n | uniq -c | awk '{print $2 "x" $1}' \
    | tr '\n' ' ' > "$WORK/times"
check "csv rows at the sample times ($(cat "$WORK/times"))" \
    [ "$(cat "$WORK/times")" = "1764547200000000000x1 1764547201000000000x2 1764547202000000000x1 1764547203000000000x1 1764547204000000000x1 " ]
check "the +2 s row is sample 0's second value, with its link" \
    grep -Eq '^1764547202000000000,.*112233445566778899aabbccddeeff10,a1a2a3a4a5a6a7a8,main;work,20000000$' "$WORK/q111.csv"
check "the +4 s row is sample 1's second timestamp, counted 1" \
    grep -Eq '^1764547204000000000,.*main;idle,1$' "$WORK/q111.csv"
check "service.name became the series label" grep -q 'ebpf-app' "$WORK/q111.csv"
# An older layout (tables inside each Profile).
"$MK" otlp-older "$D/old.otlp.pb"
refused "OTLP of opentelemetry-proto v1.6" "$D/old.otlp.pb" \
    "an older OTLP profiles layout (opentelemetry-proto v1.7.0 or earlier, tables inside each Profile); kiln reads the layouts of opentelemetry-proto v1.8.0-v1.9.0 and v1.10.0-v1.11.0"

# ---- pprof corners -----------------------------------------------------------
# Corpus profiles kiln already round-trips exactly (canon lines equal), at
# most 24 of them: their variants must round-trip exactly too.
used=0; go_used=0
for f in "$KILN_CORPUS"/pprof/*; do
    [ "$used" -lt 24 ] || break
    b=$(basename "$f")
    W="$WORK/c/$b"
    mkdir -p "$W"
    "$E2E_CANON" --check "$f" > /dev/null 2>&1 || { rm -rf "$W"; continue; }
    roundtrip "$f" "$W/orig" || { rm -rf "$W"; continue; }
    canon "$f" > "$W/in.canon"
    canon "$W/orig/out.pb.gz" > "$W/orig.canon"
    cmp -s "$W/in.canon" "$W/orig.canon" || { rm -rf "$W"; continue; }
    used=$((used + 1))
    for t in function location mapping; do
        rc=0; "$MK" ids-zero "$t" "$f" "$W/z-$t.pprof" || rc=$?
        [ "$rc" -ne 3 ] || continue # the table is empty
        what="$b, $t ids all 0"
        if [ "$rc" -ne 0 ]; then not_ok "$what: e2e_make_input exit $rc"; continue; fi
        if ! canon "$W/z-$t.pprof" | cmp -s - "$W/in.canon"; then
            not_ok "$what: the independent decoder reads it as the original"; continue
        fi
        if ! roundtrip "$W/z-$t.pprof" "$W/z-$t"; then
            not_ok "$what: kiln refused it"; diag < "$W/z-$t/ingest.log"; continue
        fi
        if canon "$W/z-$t/out.pb.gz" | cmp -s - "$W/in.canon"; then
            ok "$what: lossless by canon.c"
        else
            not_ok "$what: lossless by canon.c"
            canon "$W/z-$t/out.pb.gz" | diff - "$W/in.canon" | head -8 | diag || true
        fi
        if [ "$HAVE_GO" -eq 1 ] && [ "$go_used" -lt 6 ]; then
            # go tool pprof refuses ids at 0 when there is more than one
            # entry; it must accept kiln's output and agree on it.
            if raw "$W/z-$t.pprof" > "$W/zr.raw" 2> /dev/null; then
                go_in="$W/z-$t.pprof"
            else
                go_in="$f"
            fi
            if raw "$go_in" > "$W/a.raw" 2>&1 && raw "$W/z-$t/out.pb.gz" > "$W/b.raw" 2>&1 &&
               "$PY" "$E2E_DIR/pprof_raw_norm.py" --drop-time < "$W/a.raw" > "$W/a.norm" &&
               "$PY" "$E2E_DIR/pprof_raw_norm.py" --drop-time < "$W/b.raw" > "$W/b.norm" &&
               cmp -s "$W/a.norm" "$W/b.norm"; then
                ok "$what: go tool pprof -raw agrees on kiln's output ($( [ "$go_in" = "$f" ] && echo "input refused by go, compared with the original" || echo "input read by go"))"
            else
                not_ok "$what: go tool pprof -raw agrees on kiln's output"
                diff "$W/a.norm" "$W/b.norm" 2>&1 | head -8 | diag || true
            fi
        fi
    done
    rc=0; "$MK" nofunc-lines "$f" "$W/nf.pprof" || rc=$?
    if [ "$rc" -ne 3 ]; then
        what="$b, lines with function id 0"
        canon "$W/nf.pprof" > "$W/nf.canon" || true
        if [ "$rc" -ne 0 ]; then
            not_ok "$what: e2e_make_input exit $rc"
        elif ! grep -q '{}' "$W/nf.canon"; then
            not_ok "$what: canon.c sees lines without a function"
        elif ! roundtrip "$W/nf.pprof" "$W/nf"; then
            not_ok "$what: kiln refused it"; diag < "$W/nf/ingest.log"
        elif canon "$W/nf/out.pb.gz" | cmp -s - "$W/nf.canon"; then
            ok "$what: lossless by canon.c ($(grep -o '{}' "$W/nf.canon" | wc -l) function-less lines)"
        else
            not_ok "$what: lossless by canon.c"
            canon "$W/nf/out.pb.gz" | diff - "$W/nf.canon" | head -8 | diag || true
        fi
        # go tool pprof refuses a line without a function ("has a line with
        # nil function"): then canon.c alone judges, as above.
        if [ "$HAVE_GO" -eq 1 ] && [ "$go_used" -lt 6 ] && [ -s "$W/nf/out.pb.gz" ] &&
           ! raw "$W/nf.pprof" > "$W/a.raw" 2> "$W/a.err"; then
            echo "go tool pprof refuses $b with function-less lines: $(head -1 "$W/a.err")" | diag
        elif [ "$HAVE_GO" -eq 1 ] && [ "$go_used" -lt 6 ] && [ -s "$W/nf/out.pb.gz" ]; then
            if raw "$W/nf/out.pb.gz" > "$W/b.raw" 2>&1 &&
               "$PY" "$E2E_DIR/pprof_raw_norm.py" --drop-time < "$W/a.raw" > "$W/a.norm" &&
               "$PY" "$E2E_DIR/pprof_raw_norm.py" --drop-time < "$W/b.raw" > "$W/b.norm" &&
               cmp -s "$W/a.norm" "$W/b.norm"; then
                ok "$what: go tool pprof -raw agrees"
            else
                not_ok "$what: go tool pprof -raw agrees"
                head -c 600 "$W/a.raw" | diag
                diff "$W/a.norm" "$W/b.norm" 2>&1 | head -8 | diag || true
            fi
        fi
    fi
    go_used=$((go_used + 1))
    rm -rf "$W"
done
check "exercised $used corpus profiles" [ "$used" -ge 12 ]

# Still invalid: named table, entry and fault; exit 2, one line, nothing stored.
SRC="$KILN_CORPUS/pprof/jerrinot__ap-query__testdata__cpu2.pb.gz"
"$MK" bad-position "$SRC" "$D/badpos.pprof" > "$WORK/badpos.txt"
read -r _ loc _ _ _ _ fid < "$WORK/badpos.txt"
refused "function ids all 0, a line naming position n+1" "$D/badpos.pprof" \
    "location $loc (id $((loc + 1))): line 0: function id $fid not in function table"
"$MK" bad-mixed "$SRC" "$D/badmix.pprof" > "$WORK/badmix.txt"
read -r _ _ lid < "$WORK/badmix.txt"
refused "one location id 0 among others" "$D/badmix.pprof" \
    "location id $lid not in location table"
tap_end
