#!/bin/bash
# bad_input.sh: bad input gets a clear error, exit 2, and writes nothing.
# Inputs are made at test time from corpus profiles: truncated and
# byte-flipped pprof (raw and gzip'd), gzip garbage, empty files, malformed
# folded text, and the corpus' one broken file. Which damaged profiles are
# really invalid is decided by an independent reader (e2e_canon --check):
# a cut that falls on a protobuf field boundary can leave a valid profile,
# and those are not held against kiln. Each case uses a fresh store, which
# must hold no file at all afterwards (no block, no temp file).
set -euo pipefail
. "$(dirname "$0")/common.sh"

GZ="$KILN_CORPUS/pprof/jerrinot__ap-query__testdata__cpu2.pb.gz"
BROKEN=$(ls "$KILN_CORPUS"/broken/* | head -n 1)
D="$WORK/in"
mkdir -p "$D"
gzip -dc < "$GZ" > "$D/plain.pprof"
cp "$GZ" "$D/source.pb.gz"

n=0
# refused WHAT FILE: `kiln ingest` of FILE alone exits 2 with a message
# naming the file, and the store holds no file afterwards.
refused() {
    local what=$1 file=$2 rc=0 left
    n=$((n + 1))
    local s="$WORK/store$n"
    "$KILN_BIN" ingest --store "$s" "$file" > "$WORK/out" 2> "$WORK/err" || rc=$?
    left=$(nfiles "$s")
    if [ "$rc" -eq 2 ] && [ "$left" -eq 0 ] && grep -qF "$(basename "$file")" "$WORK/err"; then
        ok "$what: refused, exit 2, store empty; says: $(head -c 160 "$WORK/err" | tr '\n' ' ')"
    else
        not_ok "$what: want exit 2, a message naming $(basename "$file"), an empty store"
        echo "got exit $rc, $left file(s) in the store; stderr:" | diag
        head -c 600 "$WORK/err" | diag
        [ "$left" -eq 0 ] || { find "$s" -type f 2> /dev/null || true; } | diag
    fi
    rm -rf "$s"
}
# accepted WHAT FILE: the positive control: exit 0 and exactly one block.
accepted() {
    local what=$1 file=$2 rc=0 blocks
    n=$((n + 1))
    local s="$WORK/store$n"
    "$KILN_BIN" ingest --store "$s" "$file" > "$WORK/out" 2> "$WORK/err" || rc=$?
    blocks=$(nblocks "$s")
    if [ "$rc" -eq 0 ] && [ "$blocks" -eq 1 ] && [ "$(nfiles "$s")" -eq 1 ]; then
        ok "$what: accepted, one block"
    else
        not_ok "$what: want exit 0 and one block; got exit $rc, $blocks block(s), $(nfiles "$s") file(s)"
        head -c 600 "$WORK/err" | diag
    fi
    rm -rf "$s"
}
# damaged WHAT FILE: refused if the reference reader says invalid, else
# counted as still valid (and skipped).
valid_skips=0
invalid_cases=0
damaged() {
    if "$E2E_CANON" --check "$2" > /dev/null 2>&1; then
        valid_skips=$((valid_skips + 1))
    else
        invalid_cases=$((invalid_cases + 1))
        refused "$1" "$2"
    fi
}
flip() { # flip SRC DST OFFSET MASK
    "$PY" -c 'import sys
d = bytearray(open(sys.argv[1], "rb").read())
d[int(sys.argv[3])] ^= int(sys.argv[4], 0)
open(sys.argv[2], "wb").write(d)' "$@"
}

# Positive controls: the sources themselves are fine.
accepted "gzip'd source profile" "$D/source.pb.gz"
accepted "uncompressed source profile" "$D/plain.pprof"
printf 'main;handler;work 10\nmain;idle 5\n\nmain;handler 3\n' > "$D/good.folded"
accepted "well-formed folded text" "$D/good.folded"

# Empty input, in every wrapping.
: > "$D/empty.pb.gz"
refused "empty file" "$D/empty.pb.gz"
: | gzip -c > "$D/empty-gzip.pb.gz"
refused "gzip of nothing" "$D/empty-gzip.pb.gz"

# Truncated uncompressed pprof.
size=$(stat -c %s "$D/plain.pprof")
for cut in 1 2 3 5 8 13 21 34 55 89 144 $((size / 4)) $((size / 3)) $((size / 2)) \
           $((size * 2 / 3)) $((size - 3)) $((size - 2)) $((size - 1)); do
    head -c "$cut" "$D/plain.pprof" > "$D/cut$cut.pprof"
    damaged "pprof cut to $cut of $size bytes" "$D/cut$cut.pprof"
done

# Truncated gzip'd pprof (the gzip trailer's CRC and length are missing).
gsize=$(stat -c %s "$D/source.pb.gz")
for cut in 10 20 $((gsize / 2)) $((gsize - 8)) $((gsize - 4)) $((gsize - 1)); do
    head -c "$cut" "$D/source.pb.gz" > "$D/gzcut$cut.pb.gz"
    damaged "gzip'd pprof cut to $cut of $gsize bytes" "$D/gzcut$cut.pb.gz"
done

# Flipped bytes in the protobuf: spread over the file.
for k in $(seq 0 39); do
    off=$((k * (size - 1) / 39))
    flip "$D/plain.pprof" "$D/flip$off.pprof" "$off" 0xff
    damaged "pprof byte $off xor 0xff" "$D/flip$off.pprof"
done
# Flipped bytes in the deflate stream and gzip trailer (CRC must catch them).
for k in $(seq 0 11); do
    off=$((10 + k * (gsize - 11) / 11))
    flip "$D/source.pb.gz" "$D/gzflip$off.pb.gz" "$off" 0x01
    damaged "gzip'd pprof byte $off xor 0x01" "$D/gzflip$off.pb.gz"
done

# gzip garbage: a valid gzip header, then junk.
"$PY" -c 'import random, sys
r = random.Random(7)
sys.stdout.buffer.write(bytes([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]) +
                        bytes(r.randrange(256) for _ in range(300)))' > "$D/garbage.pb.gz"
refused "gzip header then junk" "$D/garbage.pb.gz"
printf '\x1f\x8b' > "$D/magic-only.pb.gz"
refused "gzip magic alone" "$D/magic-only.pb.gz"
# Random bytes that are neither gzip nor protobuf nor text.
"$PY" -c 'import random, sys
r = random.Random(11)
sys.stdout.buffer.write(bytes(r.randrange(256) for _ in range(500)))' > "$D/random.pprof"
damaged "500 random bytes" "$D/random.pprof"

# Folded text with a malformed line.
printf 'main;handler;work 10\nmain;idle notanumber\n' > "$D/bad-count.folded"
refused "folded line with a non-numeric count" "$D/bad-count.folded"
printf 'main;handler;work 10\nmain;idle\n' > "$D/no-count.folded"
refused "folded line without a count" "$D/no-count.folded"

# A folded file whose FIRST line is malformed is still folded text: the
# message must name the line, not call it a bad protobuf. (tools/cmd_ingest.c
# looks_folded() decides by the first line alone, so such a file is parsed
# as pprof: "pprof: not a valid profile.proto message".)
for body in 'main;idle notanumber\nmain;work 10\n' 'main;work -5\n' 'main;work\nmain;idle 3\n'; do
    printf "$body" > "$D/first-line.folded"
    "$KILN_BIN" ingest --store "$WORK/fl" "$D/first-line.folded" > /dev/null 2> "$WORK/err" || true
    if grep -q 'line 1' "$WORK/err"; then
        ok "folded text malformed on line 1 ($(printf "$body" | head -n 1)): the message names line 1"
    else
        not_ok "folded text malformed on line 1 ($(printf "$body" | head -n 1)): message does not name the line: $(head -c 200 "$WORK/err")"
    fi
    rm -rf "$WORK/fl"
done

# An empty frame ("main;;work") is malformed, or else comes back as written;
# it must not turn into another frame. (Today writer/ingest_folded.c takes
# it, and the folded output shows "main;0x0;work".)
printf 'main;;work 5\n' > "$D/empty-frame.folded"
rc=0
"$KILN_BIN" ingest --store "$WORK/ef" "$D/empty-frame.folded" > /dev/null 2> "$WORK/err" || rc=$?
if [ "$rc" -eq 2 ] && [ "$(nfiles "$WORK/ef")" -eq 0 ]; then
    ok "folded line with an empty frame: refused"
else
    "$KILN_BIN" query --store "$WORK/ef" --format folded -o "$WORK/ef.out" 2> /dev/null || true
    if [ "$(cat "$WORK/ef.out" 2> /dev/null)" = "main;;work 5" ]; then
        ok "folded line with an empty frame: comes back as written"
    else
        not_ok "folded line with an empty frame: accepted (exit $rc) and read back as: $(head -c 100 "$WORK/ef.out" 2> /dev/null)"
    fi
fi

# The corpus' broken file (a text-mode round trip replaced bytes).
refused "corpus broken/$(basename "$BROKEN")" "$BROKEN"

# The message reads "<file>: <what is wrong>" (tools/cmd_ingest.c wraps
# errors with kiln_error_wrap(rc, "%s", path), which adds no separator:
# "…/x.pprofpprof: not a valid…").
"$KILN_BIN" ingest --store "$WORK/sep" "$BROKEN" > /dev/null 2> "$WORK/err" || true
if grep -qF "$(basename "$BROKEN"): " "$WORK/err"; then
    ok "the error message separates the file name from the reason"
else
    not_ok "the error message runs the file name into the reason: $(head -c 300 "$WORK/err")"
fi

# A file that does not exist: not found (exit 4), nothing written.
rc=0
"$KILN_BIN" ingest --store "$WORK/nf" "$D/no-such-file.pb.gz" > /dev/null 2> "$WORK/err" || rc=$?
if [ "$rc" -eq 4 ] && [ "$(nfiles "$WORK/nf")" -eq 0 ] && grep -qF no-such-file "$WORK/err"; then
    ok "missing input file: exit 4 naming it, store empty"
else
    not_ok "missing input file: want exit 4 naming it; got exit $rc"; diag < "$WORK/err"
fi

# The reference reader must have found enough of the damage invalid for
# this test to mean something.
if [ "$invalid_cases" -ge 40 ]; then
    ok "exercised $invalid_cases invalid damaged profiles ($valid_skips damaged ones were still valid, skipped)"
else
    not_ok "only $invalid_cases damaged profiles were invalid ($valid_skips valid): the test lost its teeth"
fi

# Querying an empty store is not an error.
mkdir -p "$WORK/empty-store"
for fmt in top folded json pprof; do
    rc=0
    "$KILN_BIN" query --store "$WORK/empty-store" --format "$fmt" -o "$WORK/q.$fmt" > /dev/null 2> "$WORK/err" || rc=$?
    if [ "$rc" -ne 0 ]; then
        not_ok "query --format $fmt on an empty store: exit $rc"; diag < "$WORK/err"
    elif [ "$fmt" = pprof ] && [ -s "$WORK/q.$fmt" ] && ! "$E2E_CANON" --check "$WORK/q.$fmt" 2> "$WORK/err"; then
        not_ok "query --format pprof on an empty store: output is not a valid profile"; diag < "$WORK/err"
    elif [ "$(nfiles "$WORK/empty-store")" -ne 0 ]; then
        not_ok "query --format $fmt on an empty store wrote into the store"
    else
        ok "query --format $fmt on an empty store: exit 0 ($(stat -c %s "$WORK/q.$fmt" 2> /dev/null || echo 0) bytes out)"
    fi
done
# Input limits (spec/README.md, "Limits"): a gzip bomb (1 GB of zeros
# gzip'd to ~1 MB) is refused once it inflates past 32 MiB, so memory stays
# bounded; a raw input with no end (/dev/zero) is refused at 256 MiB.
head -c 1000000000 /dev/zero | gzip -9 > "$WORK/bomb.pb.gz"
refused "gzip bomb ($(stat -c %s "$WORK/bomb.pb.gz") bytes, 1 GB inflated)" "$WORK/bomb.pb.gz"
# (Under AddressSanitizer, freed buffers wait in a quarantine; with it off
# the sanitizer build stays under the same bound.)
peak=$(ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0" /usr/bin/time -f %M "$KILN_BIN" ingest --store "$WORK/bomb-store" "$WORK/bomb.pb.gz" 2>&1 > /dev/null | tail -n 1 || true)
if [ "$peak" -lt 65536 ]; then
    ok "gzip bomb refused within 64 MiB of memory (peak ${peak} KiB)"
else
    not_ok "gzip bomb: peak memory ${peak} KiB, not under 64 MiB"
fi
refused "an endless raw input (/dev/zero)" /dev/zero

# A FIFO inside an ingested directory is skipped with a note (opening it
# would wait for a writer forever); the rest of the directory is ingested.
mkdir -p "$WORK/withfifo"
cp "$GZ" "$WORK/withfifo/a.pb.gz"
mkfifo "$WORK/withfifo/pipe"
rc=0
timeout 60 "$KILN_BIN" ingest --store "$WORK/fifo-store" "$WORK/withfifo" > "$WORK/out" 2> "$WORK/err" || rc=$?
if [ "$rc" -eq 0 ] && [ "$(nblocks "$WORK/fifo-store")" -eq 1 ] && grep -q 'pipe: not a regular file' "$WORK/err"; then
    ok "a FIFO in an ingested directory is skipped with a note; the profile beside it is stored"
else
    not_ok "directory with a FIFO: exit $rc (124 = hung), $(nblocks "$WORK/fifo-store") block(s)"
    head -c 400 "$WORK/err" | diag
fi

tap_end
