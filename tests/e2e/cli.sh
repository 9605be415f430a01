#!/bin/bash
# cli.sh: the `kiln` command as documented: --help everywhere, exit codes
# (0 ok, 1 usage, 2 bad data, 3 store/IO, 4 not found), time ranges in each
# documented syntax, label matchers, tenants, --type, folded round trip, and
# values summed across blocks.
set -euo pipefail
. "$(dirname "$0")/common.sh"

K="$KILN_BIN"
# A 2021 CPU profile (samples/count, cpu/nanoseconds), time 1626441030.776 s.
FIB="$KILN_CORPUS/pprof/parca-dev__parca__pkg__query__testdata__fib.pb.gz"
FIB_T=1626441030

expect_exit() { # expect_exit WANT WHAT CMD...
    local want=$1 what=$2 rc=0
    shift 2
    "$@" > "$WORK/out" 2> "$WORK/err" || rc=$?
    if [ "$rc" -eq "$want" ]; then
        ok "$what: exit $rc$( [ "$want" -eq 0 ] || printf ' (%s)' "$(head -c 120 "$WORK/err" | tr '\n' ' ')")"
    else
        not_ok "$what: want exit $want, got $rc"
        head -c 600 "$WORK/err" | diag
    fi
}

# --help
expect_exit 0 "kiln --help" "$K" --help
for c in ingest inspect verify query gen; do
    rc=0
    "$K" "$c" --help > "$WORK/out" 2>&1 || rc=$?
    if [ "$rc" -eq 0 ] && grep -q -- "$c" "$WORK/out" && [ "$(wc -l < "$WORK/out")" -ge 3 ]; then
        ok "kiln $c --help: exit 0, $(wc -l < "$WORK/out") lines"
    else
        not_ok "kiln $c --help: exit $rc"; head -c 400 "$WORK/out" | diag
    fi
done

# Usage errors: exit 1.
expect_exit 1 "unknown subcommand" "$K" no-such-command
expect_exit 1 "ingest without --store" "$K" ingest "$FIB"
expect_exit 1 "query with an unknown --format" "$K" query --store "$WORK/s0" --format nope
expect_exit 1 "query with a bad --from" "$K" query --store "$WORK/s0" --from yesterday-ish
expect_exit 1 "query with --from after --to" "$K" query --store "$WORK/s0" --from 2024-01-02T00:00:00Z --to 2024-01-01T00:00:00Z
expect_exit 1 "query with a bad selector" "$K" query --store "$WORK/s0" --match '{service_name=}'
expect_exit 1 "ingest with a bad --label" "$K" ingest --store "$WORK/s0" --label novalue "$FIB"
expect_exit 1 "gen without --out" "$K" gen --services 1 --hosts 1 --duration 1m --seed 1
# Not found: exit 4.
expect_exit 4 "verify a missing block" "$K" verify "$WORK/no-such.kiln"
expect_exit 4 "inspect a missing block" "$K" inspect "$WORK/no-such.kiln"
# A store that does not exist is not found for every read command, and
# reading it does not create it.
for c in "query" "query --format folded" "ls" "verify"; do
    # shellcheck disable=SC2086
    expect_exit 4 "$c on a missing store" "$K" $c --store "$WORK/no-store"
    if [ -e "$WORK/no-store" ]; then
        not_ok "$c created the missing store $WORK/no-store"
        rm -rf "$WORK/no-store"
    fi
done
expect_exit 4 "cp from a missing store" "$K" cp "$WORK/no-store" "$WORK/no-dst"
[ ! -e "$WORK/no-dst" ] && ok "cp from a missing store created no destination" ||
    not_ok "cp from a missing store created $WORK/no-dst"
# Times outside the int64-nanosecond range, or impossible dates: exit 1.
expect_exit 1 "query --from far future" "$K" query --store "$WORK/s0" --from 9999-12-31T23:59:59Z
expect_exit 1 "query --to far past" "$K" query --store "$WORK/s0" --to 1000-01-01T00:00:00Z
expect_exit 1 "query --from 2026-02-31" "$K" query --store "$WORK/s0" --from 2026-02-31T00:00:00Z
expect_exit 1 "ingest --time far future" "$K" ingest --store "$WORK/s0" --time 9999-01-01T00:00:00Z "$FIB"
# A label name ingest accepts (a space, non-ASCII) is selected quoted.
expect_exit 0 "ingest with a non-ASCII label name" "$K" ingest --store "$WORK/s-quoted" --label "hô st=web 1" "$FIB"
if [ "$("$K" query --store "$WORK/s-quoted" --match '{"hô st"="web 1"}' --format folded 2> /dev/null | wc -l)" -gt 0 ] &&
   [ "$("$K" query --store "$WORK/s-quoted" --match '{"hô st"="other"}' --format folded 2> /dev/null | wc -l)" -eq 0 ]; then
    ok "a quoted label name selects its series ({\"hô st\"=\"web 1\"})"
else
    not_ok "a quoted label name does not select its series"
fi
# The last nanosecond is the open end of every query range: refused; one
# before it is stored and found by a query without --from/--to.
printf 'edge;frame 3\n' > "$WORK/edge.folded"
expect_exit 1 "ingest --time 2^63-1 ns" "$K" ingest --store "$WORK/s-edge" --time 2262-04-11T23:47:16.854775807Z "$WORK/edge.folded"
expect_exit 0 "ingest --time 2^63-2 ns" "$K" ingest --store "$WORK/s-edge" --time 2262-04-11T23:47:16.854775806Z "$WORK/edge.folded"
if [ "$("$K" query --store "$WORK/s-edge" --format folded 2> /dev/null)" = "edge;frame 3" ]; then
    ok "a sample at the last storable nanosecond is found without --from/--to"
else
    not_ok "a sample at 2^63-2 ns is not found by a plain query"
fi

# One store with the profile under labels.
S="$WORK/s1"
expect_exit 0 "ingest with --label" "$K" ingest --store "$S" --label service_name=fib --label host=h1 "$FIB"
blk=$(blocks "$S" | head -n 1)
if [ -n "$blk" ] && [ "${blk#"$S"/default/blocks/}" != "$blk" ]; then
    ok "block stored under default/blocks/: ${blk#"$S"/}"
else
    not_ok "block key is not default/blocks/<id>.kiln: ${blk:-none}"; { find "$S" 2> /dev/null || true; } | diag
fi
expect_exit 0 "inspect the block" "$K" inspect "$blk"
expect_exit 0 "verify the block" "$K" verify "$blk"
all=$(stacks "$FIB")

# q NAME WANT ARGS...: query --format pprof with ARGS, want WANT stacks.
q() {
    local what=$1 want=$2 rc=0 got
    shift 2
    rm -f "$WORK/q.pb.gz"
    "$K" query --store "$S" --format pprof -o "$WORK/q.pb.gz" "$@" > /dev/null 2> "$WORK/err" || rc=$?
    got=$(stacks "$WORK/q.pb.gz")
    if [ "$rc" -eq 0 ] && [ "$got" -eq "$want" ]; then
        ok "$what: $got stacks"
    else
        not_ok "$what: want exit 0 and $want stacks, got exit $rc and $got"; head -c 400 "$WORK/err" | diag
    fi
}
q "no range: everything" "$all"
q "unix-seconds range around the profile" "$all" --from $((FIB_T - 60)) --to $((FIB_T + 60))
q "RFC 3339 range around the profile" "$all" --from 2021-07-16T13:10:00Z --to 2021-07-16T13:11:00Z
# FROM <= t < TO, to the nanosecond (the profile's time is
# 1626441030.776293402 s), in both syntaxes.
q "--from = the sample's time (RFC 3339, ns)" "$all" --from 2021-07-16T13:10:30.776293402Z
q "--to = the sample's time (RFC 3339, ns)" 0 --to 2021-07-16T13:10:30.776293402Z
q "--from 1 ns after the sample (RFC 3339)" 0 --from 2021-07-16T13:10:30.776293403Z
q "--to 1 ns after the sample (RFC 3339)" "$all" --to 2021-07-16T13:10:30.776293403Z
q "--from = the sample's time (unix seconds, 9 decimals)" "$all" --from 1626441030.776293402
q "--to = the sample's time (unix seconds, 9 decimals)" 0 --to 1626441030.776293402
q "range after the profile" 0 --from $((FIB_T + 60))
q "range before the profile" 0 --to $((FIB_T - 60))
q "now-1h onwards (the profile is from 2021)" 0 --from now-1h
q "matcher =" "$all" --match '{service_name="fib"}'
q "matcher = other value" 0 --match '{service_name="other"}'
q "matcher !=" 0 --match '{service_name!="fib"}'
q "matcher =~" "$all" --match '{service_name=~"f.b"}'
q "matcher !~" 0 --match '{service_name!~"f.*"}'
q "two matchers" "$all" --match '{service_name="fib",host="h1"}'
q "regex is anchored: =~\"fi\" does not match fib" 0 --match '{service_name=~"fi"}'
q "regex alternation anchored as a whole" "$all" --match '{service_name=~"x|f.b"}'
q "a missing label reads as \"\"" "$all" --match '{no_such_label=""}'
q "a missing label is not != \"\"" 0 --match '{no_such_label!=""}'
q "braces are optional" "$all" --match 'service_name="fib"'
q "tenant that has no data" 0 --tenant acme

# A label value with a quote and a backslash, matched with escapes.
"$K" ingest --store "$WORK/esc" --label 'k=a"b\c' "$FIB" > /dev/null 2> "$WORK/err" || true
rc=0
"$K" query --store "$WORK/esc" --match '{k="a\"b\\c"}' --format pprof -o "$WORK/esc.pb.gz" 2>> "$WORK/err" || rc=$?
if [ "$rc" -eq 0 ] && [ "$(stacks "$WORK/esc.pb.gz")" -eq "$all" ]; then ok "label value a\"b\\c matched with \\\" and \\\\ escapes"
else not_ok "escaped selector value: exit $rc, $(stacks "$WORK/esc.pb.gz") stacks (want $all)"; diag < "$WORK/err"; fi

# --type keeps one sample type.
"$K" query --store "$S" --format pprof --type cpu -o "$WORK/t.pb.gz" 2> "$WORK/err" || true
if [ -s "$WORK/t.pb.gz" ] && "$E2E_CANON" "$WORK/t.pb.gz" > "$WORK/t.canon" 2>> "$WORK/err" &&
   grep -qx 'H sample_types 1' "$WORK/t.canon" && grep -qx 'H sample_type\[0\] cpu/nanoseconds' "$WORK/t.canon"; then
    ok "--type cpu: one sample type, cpu/nanoseconds"
else
    not_ok "--type cpu: want one sample type cpu/nanoseconds"; { grep '^H' "$WORK/t.canon" 2> /dev/null; cat "$WORK/err"; } | head -20 | diag
fi

# Tenants are apart.
expect_exit 0 "ingest into tenant acme" "$K" ingest --store "$S" --tenant acme --label service_name=fib "$FIB"
if blocks "$S/acme/blocks" | grep -q .; then ok "tenant acme has its own blocks"; else not_ok "no block under acme/blocks"; fi
q "tenant acme" "$all" --tenant acme
q "default tenant unchanged" "$all" --match '{service_name="fib"}'

# Tenant names are [A-Za-z0-9_.-]{1,64}: anything else is a usage error for
# ingest and query alike, and nothing is written anywhere.
for t in "../evil" "a/b" "x y" "$(printf 'a%.0s' $(seq 65))"; do
    rm -rf "$WORK/tn"; mkdir -p "$WORK/tn"
    ri=0; rq=0
    "$K" ingest --store "$WORK/tn/store" --tenant "$t" "$FIB" > /dev/null 2>&1 || ri=$?
    "$K" query --store "$WORK/tn/store" --tenant "$t" --format top > /dev/null 2>&1 || rq=$?
    if [ "$ri" -eq 1 ] && [ "$rq" -eq 1 ] && [ "$(nfiles "$WORK/tn")" -eq 0 ]; then
        ok "tenant \"${t:0:20}\": ingest and query exit 1, nothing written"
    else
        not_ok "tenant \"${t:0:20}\": ingest exit $ri, query exit $rq (want 1 and 1), $(nfiles "$WORK/tn") files written"
    fi
done

# The same file ingested twice: the same block (content-derived id), once.
"$K" ingest --store "$WORK/twice" "$FIB" > /dev/null 2>&1 || true
"$K" ingest --store "$WORK/twice" "$FIB" > /dev/null 2>&1 || true
"$K" query --store "$WORK/twice" --format pprof -o "$WORK/twice.pb.gz" 2> /dev/null || true
if [ "$(nblocks "$WORK/twice")" -eq 1 ] &&
   cmp -s <("$E2E_CANON" "$FIB" | grep '^S ') <("$E2E_CANON" "$WORK/twice.pb.gz" | grep '^S '); then
    ok "the same file ingested twice: one block, values counted once"
else
    not_ok "the same file ingested twice: $(nblocks "$WORK/twice") blocks, values not the input's"
fi

# The same profile from two hosts, in two blocks: values add up.
S2="$WORK/s2"
"$K" ingest --store "$S2" --label host=a "$FIB" > /dev/null 2>&1
"$K" ingest --store "$S2" --label host=b "$FIB" > /dev/null 2>&1
nb=$(nblocks "$S2")
"$K" query --store "$S2" --format pprof -o "$WORK/two.pb.gz" 2> "$WORK/err" || true
"$E2E_CANON" "$FIB" | grep '^S ' | "$PY" -c 'import sys
for l in sys.stdin:
    k, v = l.rstrip("\n").rsplit(" = ", 1)
    print(k + " = " + " ".join(str(2 * int(x)) for x in v.split()))' > "$WORK/double.want"
if [ -s "$WORK/two.pb.gz" ]; then "$E2E_CANON" "$WORK/two.pb.gz" | grep '^S ' > "$WORK/double.got" || true; else : > "$WORK/double.got"; fi
if [ "$nb" -eq 2 ] && cmp -s "$WORK/double.want" "$WORK/double.got"; then
    ok "same profile from two hosts ($nb blocks): every stack's values doubled"
else
    not_ok "same profile from two hosts ($nb blocks): values are not the doubled input"
    diff "$WORK/double.want" "$WORK/double.got" | head -6 | cut -c1-300 | diag || true
fi

# verify over several blocks: exit 0 only when all are sound, and the
# damaged one is named.
mapfile -t two < <(blocks "$S2")
if [ "${#two[@]}" -eq 2 ]; then
    cp "${two[1]}" "$WORK/damaged.kiln"
    "$PY" -c 'import sys
p = sys.argv[1]; d = bytearray(open(p, "rb").read()); d[len(d) // 3] ^= 0x40; open(p, "wb").write(d)' "$WORK/damaged.kiln"
    expect_exit 0 "verify two sound blocks" "$K" verify "${two[0]}" "${two[1]}"
    rc=0
    "$K" verify "${two[0]}" "$WORK/damaged.kiln" "${two[1]}" > "$WORK/out" 2> "$WORK/err" || rc=$?
    if [ "$rc" -eq 2 ] && grep -q damaged.kiln "$WORK/out" "$WORK/err"; then ok "verify sound, damaged, sound: exit 2 naming the damaged block"
    else not_ok "verify sound, damaged, sound: exit $rc (want 2), damaged block named?"; cat "$WORK/out" "$WORK/err" | head -5 | diag; fi
    rc=0
    "$K" inspect "$WORK/damaged.kiln" > /dev/null 2> "$WORK/err" || rc=$?
    if [ "$rc" -eq 0 ] || [ "$rc" -eq 2 ]; then ok "inspect of a damaged block: exit $rc, no crash"
    else not_ok "inspect of a damaged block: exit $rc"; diag < "$WORK/err"; fi
else
    not_ok "expected 2 blocks in $S2, found ${#two[@]}"
fi

# Folded in, folded out.
printf 'main;handler;work 10\nmain;idle 5\nmain;handler 3\nmain;handler;work 2\n' > "$WORK/in.folded"
S3="$WORK/s3"
expect_exit 0 "ingest folded text" "$K" ingest --store "$S3" "$WORK/in.folded"
"$K" query --store "$S3" --format folded -o "$WORK/out.folded" 2> "$WORK/err" || true
printf 'main;handler 3\nmain;handler;work 12\nmain;idle 5\n' | sort > "$WORK/want.folded"
sort "$WORK/out.folded" 2> /dev/null | sed '/^$/d' > "$WORK/got.folded" || true
if cmp -s "$WORK/want.folded" "$WORK/got.folded"; then
    ok "folded round trip (identical stacks merged)"
else
    not_ok "folded round trip"; diff "$WORK/want.folded" "$WORK/got.folded" | diag || true
fi
# Frame names with spaces, templates and UTF-8; CRLF line ends; trailing
# blanks after the count: all come back as written.
printf 'main;operator new(unsigned long) 5\r\nmain;std::vector<int, std::allocator<int> >::push_back(int const&) 7\nmain;caf\xc3\xa9 2\nmain;a;b 3 \n' > "$WORK/odd.folded"
"$K" ingest --store "$WORK/s4" "$WORK/odd.folded" > /dev/null 2> "$WORK/err" || true
"$K" query --store "$WORK/s4" --format folded -o "$WORK/odd.out" 2>> "$WORK/err" || true
printf 'main;a;b 3\nmain;caf\xc3\xa9 2\nmain;operator new(unsigned long) 5\nmain;std::vector<int, std::allocator<int> >::push_back(int const&) 7\n' | sort > "$WORK/odd.want"
if sort "$WORK/odd.out" 2> /dev/null | cmp -s - "$WORK/odd.want"; then ok "folded frames with spaces, templates, UTF-8, CRLF come back as written"
else not_ok "folded frames with spaces/templates/UTF-8/CRLF"; { diff "$WORK/odd.want" <(sort "$WORK/odd.out" 2> /dev/null) || true; cat "$WORK/err"; } | diag; fi

# query -o - / stdout for text formats
rc=0
"$K" query --store "$S3" --format top > "$WORK/top.txt" 2> "$WORK/err" || rc=$?
if [ "$rc" -eq 0 ] && grep -q 'work' "$WORK/top.txt" && grep -q 'idle' "$WORK/top.txt"; then
    ok "query --format top to stdout lists the functions"
else
    not_ok "query --format top to stdout (exit $rc)"; head -20 "$WORK/top.txt" | diag
fi
rc=0
"$K" query --store "$S3" --format json > "$WORK/q.json" 2> "$WORK/err" || rc=$?
if [ "$rc" -eq 0 ] && "$PY" -c 'import json,sys; json.load(open(sys.argv[1]))' "$WORK/q.json" 2>> "$WORK/err"; then
    ok "query --format json is valid JSON"
else
    not_ok "query --format json (exit $rc) is not valid JSON"; head -c 400 "$WORK/err" | diag
fi
rc=0
"$K" inspect --json "$(blocks "$S3" | head -n 1)" > "$WORK/i.json" 2> "$WORK/err" || rc=$?
if [ "$rc" -eq 0 ] && "$PY" -c 'import json,sys; json.load(open(sys.argv[1]))' "$WORK/i.json" 2>> "$WORK/err"; then
    ok "inspect --json is valid JSON"
else
    not_ok "inspect --json (exit $rc) is not valid JSON"; head -c 400 "$WORK/err" | diag
fi

# Profiles of different kinds in one store: with no --type the pprof output
# carries every sample type of the selection, each with its own total.
HEAP="$KILN_CORPUS/pprof/jerrinot__ap-query__testdata__alloc.pb.gz"
"$K" ingest --store "$WORK/mix" "$FIB" "$HEAP" > /dev/null 2> "$WORK/err" || true
"$K" query --store "$WORK/mix" --format pprof -o "$WORK/mix.pb.gz" 2>> "$WORK/err" || true
bytype() { # "type/unit=total" lines of a pprof file, sorted
    { "$E2E_CANON" "$1" 2> /dev/null || true; } | awk '
        /^H sample_type\[/ { i = substr($2, 13) + 0; name[i] = $3; if (i + 1 > n) n = i + 1 }
        /^S / { k = split($0, a, " = "); m = split(a[k], v, " "); for (j = 1; j <= m; j++) s[j - 1] += v[j] }
        END { for (i = 0; i < n; i++) printf "%s=%.0f\n", name[i], s[i] }' | sort
}
want=$( { bytype "$FIB"; bytype "$HEAP"; } | sort)
got=$(bytype "$WORK/mix.pb.gz")
if [ -n "$got" ] && [ "$want" = "$got" ]; then
    ok "cpu and heap profiles in one store: $(echo "$got" | wc -l) sample types, each total as in its input"
else
    not_ok "mixed kinds: per-type totals differ"; { echo "want:"; echo "$want"; echo "got:"; echo "$got"; cat "$WORK/err"; } | diag
fi

# Store URLs: file:///abs/path is the same store as the plain path.
rc=0
"$K" query --store "file://$S" --format pprof -o "$WORK/url.pb.gz" > /dev/null 2> "$WORK/err" || rc=$?
if [ "$rc" -eq 0 ] && [ "$(stacks "$WORK/url.pb.gz")" -eq "$all" ]; then ok "--store file://$S reads the same store"
else not_ok "--store file://… : exit $rc, $(stacks "$WORK/url.pb.gz") stacks (want $all)"; diag < "$WORK/err"; fi

# Directories are walked, and `-` reads paths from stdin: the same data.
D="$WORK/dir/svc/host1"
mkdir -p "$D"
cp "$FIB" "$D/1626441030.pb.gz"
cp "$KILN_CORPUS/pprof/parca-dev__parca__pkg__query__testdata__profile1.pb.gz" "$D/1626013307.pb.gz"
"$K" ingest --store "$WORK/walk" --path-labels service_name/host "$WORK/dir" > /dev/null 2> "$WORK/err" || true
find "$WORK/dir" -type f | sort | "$K" ingest --store "$WORK/stdin" --path-labels service_name/host - > /dev/null 2>> "$WORK/err" || true
"$K" query --store "$WORK/walk" --format pprof -o "$WORK/walk.pb.gz" 2>> "$WORK/err" || true
"$K" query --store "$WORK/stdin" --format pprof -o "$WORK/stdin.pb.gz" 2>> "$WORK/err" || true
w=$(stacks "$WORK/walk.pb.gz"); i=$(stacks "$WORK/stdin.pb.gz")
want=$(( $(stacks "$FIB") + $(stacks "$KILN_CORPUS/pprof/parca-dev__parca__pkg__query__testdata__profile1.pb.gz") ))
# --path-labels takes directory names verbatim (spaces, '=', quotes, UTF-8).
D2="$WORK/odd/my svc=\"x\"/hôst 1"
mkdir -p "$D2"
cp "$FIB" "$D2/1626441030.pb.gz"
"$K" ingest --store "$WORK/odd-store" --path-labels service_name/host "$D2/1626441030.pb.gz" > /dev/null 2> "$WORK/err" || true
rc=0
"$K" query --store "$WORK/odd-store" --match '{service_name="my svc=\"x\"",host="hôst 1"}' --format pprof -o "$WORK/odd.pb.gz" 2>> "$WORK/err" || rc=$?
if [ "$rc" -eq 0 ] && [ "$(stacks "$WORK/odd.pb.gz")" -eq "$all" ]; then ok "path labels from directory names with spaces, '=', quotes and UTF-8"
else not_ok "path labels from odd directory names: exit $rc, $(stacks "$WORK/odd.pb.gz") stacks (want $all)"; diag < "$WORK/err"; fi

if [ "$w" -gt 0 ] && [ "$w" -eq "$i" ] && [ "$w" -le "$want" ] &&
   cmp -s <("$E2E_CANON" "$WORK/walk.pb.gz" | grep '^S ') <("$E2E_CANON" "$WORK/stdin.pb.gz" | grep '^S '); then
    ok "ingest DIR and ingest - (paths on stdin) store the same samples ($w stacks)"
else
    not_ok "ingest DIR: $w stacks, ingest -: $i stacks (want equal, > 0)"; diag < "$WORK/err"
fi
# On a terminal, ingest draws a progress line on stderr (files, bytes,
# blocks, then the blocks being stored) and clears it before it prints;
# piped, or with --quiet, it draws none. script(1) gives it a terminal.
script -qec "'$K' ingest --store '$WORK/tty-store' --path-labels service_name/host '$WORK/dir'" /dev/null > "$WORK/tty.out" 2>&1 || true
"$K" ingest --store "$WORK/pipe-store" --path-labels service_name/host "$WORK/dir" > /dev/null 2> "$WORK/pipe.err" || true
if grep -q $'\r\033\[Kkiln ingest: [0-9]* files, .* in, ' "$WORK/tty.out" &&
   grep -q 'storing block [0-9]* of [0-9]*' "$WORK/tty.out" &&
   grep -q $'\r\033\[Kkiln ingest: 2 files (2 pprof' "$WORK/tty.out" &&
   ! grep -q $'\r' "$WORK/pipe.err"; then
    ok "ingest shows progress on a terminal, and none when piped"
else
    not_ok "ingest progress: $(cat -v "$WORK/tty.out" | head -c 400) / piped: $(cat -v "$WORK/pipe.err" | head -c 200)"
fi
tap_end
