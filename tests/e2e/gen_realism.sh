#!/bin/bash
# gen_realism.sh: `kiln gen` makes a fleet that looks real and is
# reproducible: the documented layout DIR/<service>/<host>/<unix>.pb.gz, one
# profile per host every 10 s, byte-identical for the same arguments, valid
# pprof (independent reader and go tool pprof), deep stacks with several
# mappings, trace links; ingested with --path-labels service_name/host, each
# service has its own non-empty top functions.
set -euo pipefail
. "$(dirname "$0")/common.sh"

K="$KILN_BIN"
END=2023-11-14T22:14:00Z
END_S=1700000040
gen() { "$K" gen --out "$1" --services 2 --hosts 2 --duration 2m --seed "$2" --end "$END"; }

rc=0
gen "$WORK/a" 7 > "$WORK/gen.log" 2>&1 || rc=$?
if [ "$rc" -ne 0 ]; then
    not_ok "kiln gen --services 2 --hosts 2 --duration 2m --seed 7: exit $rc"; diag < "$WORK/gen.log"
    tap_end; exit 1
fi
ok "kiln gen --services 2 --hosts 2 --duration 2m --seed 7 --end $END"

# Layout.
mapfile -t services < <(find "$WORK/a" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort)
nfile=$(find "$WORK/a" -type f | wc -l)
bad_layout=$(find "$WORK/a" -type f | sed "s|^$WORK/a/||" | grep -Evc '^[^/]+/[^/]+/[0-9]+\.pb\.gz$' || true)
if [ "${#services[@]}" -eq 2 ] && [ "$bad_layout" -eq 0 ]; then
    ok "layout <service>/<host>/<unix>.pb.gz: services ${services[*]}, $nfile files"
else
    not_ok "layout: ${#services[@]} service dirs (want 2), $bad_layout misplaced files"; find "$WORK/a" | head | diag
fi
layout_ok=1
for s in "${services[@]}"; do
    nh=$(find "$WORK/a/$s" -mindepth 1 -maxdepth 1 -type d | wc -l)
    [ "$nh" -eq 2 ] || { layout_ok=0; echo "$s has $nh hosts" | diag; }
    for h in "$WORK/a/$s"/*/; do
        nf=$(find "$h" -type f | wc -l)
        [ "$nf" -eq 12 ] || { layout_ok=0; echo "$h has $nf profiles (2 min every 10 s = 12)" | diag; }
        for f in "$h"*.pb.gz; do
            t=$(basename "$f" .pb.gz)
            if [ "$t" -gt "$END_S" ] || [ "$t" -lt $((END_S - 120)) ]; then
                layout_ok=0; echo "$f: time outside ($((END_S - 120)), $END_S]" | diag
            fi
        done
    done
done
if [ "$layout_ok" -eq 1 ]; then ok "2 hosts per service, 12 profiles per host, times within the 2 minutes before --end"
else not_ok "hosts/profiles per host/times not as documented"; fi

# Reproducible.
gen "$WORK/b" 7 > /dev/null 2>&1 || true
if diff -r "$WORK/a" "$WORK/b" > /dev/null; then ok "same arguments: byte-identical output"
else not_ok "same arguments: output differs"; diff -rq "$WORK/a" "$WORK/b" | head | diag || true; fi
gen "$WORK/c" 8 > /dev/null 2>&1 || true
if ! diff -r "$WORK/a" "$WORK/c" > /dev/null 2>&1; then ok "another seed: different output"
else not_ok "seed 8 gives the same bytes as seed 7"; fi

# Valid pprof, realistic shape.
if "$E2E_CANON" --check $(find "$WORK/a" -type f) 2> "$WORK/err"; then
    ok "every generated file is a well-formed pprof (independent reader)"
else
    not_ok "generated files the independent reader refuses"; head -5 "$WORK/err" | diag
fi
one=$(find "$WORK/a" -type f | sort | head -n 1)
"$E2E_CANON" "$one" > "$WORK/one.canon" || true
depth=$(grep '^S ' "$WORK/one.canon" | awk -F' [|] ' '{ n = split($2, a, " "); for (i = 1; i <= n; i++) if (a[i] == "=") break; if (i - 1 > max) max = i - 1 } END { print max + 0 }')
nmaps=$(grep -c '^M ' "$WORK/one.canon" || true)
nstacks=$(grep -c '^S ' "$WORK/one.canon" || true)
traced=$(grep -c '^S .*trace_id="[0-9a-f]\{32\}"' "$WORK/one.canon" || true)
if [ "$depth" -ge 10 ] && [ "$nmaps" -ge 2 ] && [ "$nstacks" -ge 10 ]; then
    ok "realistic profile: $nstacks stacks, deepest $depth frames, $nmaps mappings"
else
    not_ok "unrealistic profile $one: $nstacks stacks, deepest $depth frames (want >= 10), $nmaps mappings (want >= 2)"
fi
if [ "$traced" -gt 0 ] || grep -q 'trace_id=' <(for f in $(find "$WORK/a" -type f | head -8); do "$E2E_CANON" "$f"; done); then
    ok "a share of samples carries trace_id/span_id labels"
else
    not_ok "no sample in the first profiles carries a trace_id label"
fi
# --trace-fraction 0: no sample traced; 1: every sample traced.
for fr in 0 1; do
    "$K" gen --out "$WORK/tf$fr" --services 1 --hosts 1 --duration 1m --seed 2 --trace-fraction $fr --end "$END" > /dev/null 2>&1 || true
    n=$(for f in $(find "$WORK/tf$fr" -type f 2> /dev/null); do "$E2E_CANON" "$f" 2> /dev/null; done | grep -c '^S ' || true)
    t=$(for f in $(find "$WORK/tf$fr" -type f 2> /dev/null); do "$E2E_CANON" "$f" 2> /dev/null; done | grep -c '^S .*trace_id="' || true)
    if [ "$n" -gt 0 ] && { { [ "$fr" = 0 ] && [ "$t" -eq 0 ]; } || { [ "$fr" = 1 ] && [ "$t" -eq "$n" ]; }; }; then
        ok "--trace-fraction $fr: $t of $n stacks traced"
    else
        not_ok "--trace-fraction $fr: $t of $n stacks traced"
    fi
done
if go_env; then
    if "$GO" tool pprof -top -symbolize=none "$one" > "$WORK/go.top" 2> "$WORK/err"; then
        ok "go tool pprof reads a generated profile ($(grep -c . "$WORK/go.top") lines of -top)"
    else
        not_ok "go tool pprof refuses $one"; head -5 "$WORK/err" | diag
    fi
fi

# Ingest with path labels, query per service.
S="$WORK/store"
rc=0
"$K" ingest --store "$S" --path-labels service_name/host $(find "$WORK/a" -type f | sort) > "$WORK/ingest.log" 2>&1 || rc=$?
if [ "$rc" -eq 0 ]; then ok "ingest $nfile files with --path-labels service_name/host"
else not_ok "ingest with --path-labels: exit $rc"; head -20 "$WORK/ingest.log" | diag; fi
blk=$(blocks "$S" | head -n 1)
if [ -n "$blk" ] && "$K" inspect --json "$blk" > "$WORK/inspect.json" 2> "$WORK/err"; then
    if "$PY" - "$WORK/inspect.json" "${services[@]}" > /dev/null <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
text = json.dumps(j)
# label names with their value counts must show service_name and host.
for name in ("service_name", "host"):
    assert name in text, "inspect --json does not mention label %s" % name
print("inspect --json names service_name and host")
PY
    then ok "inspect --json lists the path labels"; else not_ok "inspect --json lacks the path labels"; head -c 600 "$WORK/inspect.json" | diag; fi
    # Pages are per series: a block with samples has at least one per series.
    if "$PY" - "$WORK/inspect.json" > "$WORK/py.out" 2>&1 <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
print("series %s, samples %s, pages %s, labels %s" % (j.get("series"), j.get("samples"), j.get("pages"), j.get("labels")))
assert j.get("labels") == {"host": 4, "service_name": 2}, "label value counts"
assert j["series"] == 4 and j["samples"] > 0, "series/samples"
assert j["pages"] >= j["series"], ("fewer pages than series (kiln_block_info.npages "
    "stays 0 until kiln_block_load_index; does inspect call it?)")
PY
    then ok "inspect --json counts: $(cat "$WORK/py.out")"
    else not_ok "inspect --json counts are wrong: $(tr '\n' ' ' < "$WORK/py.out")"; fi
else
    not_ok "inspect --json on $blk failed"; diag < "$WORK/err"
fi

declare -A tops
for s in "${services[@]}"; do
    rc=0
    "$K" query --store "$S" --match "{service_name=\"$s\"}" --format pprof -o "$WORK/$s.pb.gz" 2> "$WORK/err" || rc=$?
    "$K" query --store "$S" --match "{service_name=\"$s\"}" --format top > "$WORK/$s.top" 2>> "$WORK/err" || rc=$?
    n=$(stacks "$WORK/$s.pb.gz")
    if [ "$rc" -eq 0 ] && [ "$n" -gt 0 ] && [ -s "$WORK/$s.top" ]; then
        ok "service $s: $n stacks; top: $(grep -v '^ *$' "$WORK/$s.top" | sed -n '2,4p' | tr -s ' ' | tr '\n' ';' | cut -c1-200)"
    else
        not_ok "service $s: query exit $rc, $n stacks"; diag < "$WORK/err"
    fi
    # The 10 functions with the most self time, by an independent reading of
    # kiln's pprof output (sum of values of the first sample type per leaf).
    tops[$s]=$("$E2E_CANON" "$WORK/$s.pb.gz" 2> /dev/null | "$PY" -c '
import sys, re, collections
locs, flat = {}, collections.Counter()
lines = sys.stdin.read().splitlines()
for l in lines:
    if l.startswith("L"):
        h, rest = l.split(" ", 1)
        m = re.search(r"lines=\{([^|]*)\|", rest)
        locs[h] = m.group(1) if m else "?"
for l in lines:
    if l.startswith("S "):
        key, vals = l.rsplit(" = ", 1)
        frames = key.split("|", 1)[1].split()
        if frames:
            flat[locs.get(frames[0], "?")] += int(vals.split()[0])
print(" ".join(sorted(n for n, _ in flat.most_common(10))))' || true)
    echo "top functions of $s: ${tops[$s]}" | diag
done
if [ "${#services[@]}" -eq 2 ] && [ -n "${tops[${services[0]}]}" ] && [ "${tops[${services[0]}]}" != "${tops[${services[1]}]}" ]; then
    ok "the two services' top-10 flat functions differ"
else
    not_ok "the two services' top functions are the same or empty"
fi
# Both services together are the whole store.
"$K" query --store "$S" --format pprof -o "$WORK/all.pb.gz" 2> /dev/null || true
sum_of() { { "$E2E_CANON" "$1" 2> /dev/null || true; } | awk '/^S / { n = split($0, a, " = "); split(a[n], v, " "); s += v[1] } END { printf "%.0f\n", s }'; }
tot=$(sum_of "$WORK/all.pb.gz"); s0=$(sum_of "$WORK/${services[0]}.pb.gz"); s1=$(sum_of "$WORK/${services[1]}.pb.gz")
if [ "$tot" -gt 0 ] && [ "$tot" -eq $((s0 + s1)) ]; then ok "per-service totals add up to the store's ($s0 + $s1 = $tot)"
else not_ok "per-service totals $s0 + $s1 != store total $tot"; fi

# go tool pprof's own merge of every input file shows the same -top rows
# as kiln's pprof output for the whole store.
if [ -n "${GO:-}" ]; then
    "$GO" tool pprof -top -nodecount=100000 -symbolize=none $(find "$WORK/a" -type f | sort) 2> /dev/null |
        sed -n '/^ *flat  *flat%/,$p' | tail -n +2 > "$WORK/go-merged.rows" || true
    "$GO" tool pprof -top -nodecount=100000 -symbolize=none "$WORK/all.pb.gz" 2> /dev/null |
        sed -n '/^ *flat  *flat%/,$p' | tail -n +2 > "$WORK/kiln-merged.rows" || true
    if [ -s "$WORK/go-merged.rows" ] && cmp -s "$WORK/go-merged.rows" "$WORK/kiln-merged.rows"; then
        ok "go tool pprof -top over all $nfile files equals it over kiln's output ($(wc -l < "$WORK/go-merged.rows") functions)"
    else
        not_ok "go tool pprof -top: merged inputs and kiln's output differ"; diff "$WORK/go-merged.rows" "$WORK/kiln-merged.rows" | head -10 | diag || true
    fi
fi

# Every sample of every file arrives: the sum over all input files (read
# independently) equals the store's total, for each of the first two types.
in_total=$(for f in $(find "$WORK/a" -type f | sort); do "$E2E_CANON" "$f" 2> /dev/null; done |
    awk '/^S / { n = split($0, a, " = "); split(a[n], v, " "); s += v[1]; c += v[2] } END { printf "%.0f %.0f\n", s, c }')
out_total=$({ "$E2E_CANON" "$WORK/all.pb.gz" 2> /dev/null || true; } |
    awk '/^S / { n = split($0, a, " = "); split(a[n], v, " "); s += v[1]; c += v[2] } END { printf "%.0f %.0f\n", s, c }')
if [ "$in_total" = "$out_total" ] && [ "$in_total" != "0 0" ]; then
    ok "all $nfile files: totals per type equal the inputs' ($in_total)"
else
    not_ok "totals per type: inputs $in_total, store $out_total"
fi

# Trace lookups (issue 4), when the command has them: for traces chosen
# from an independent reading of the inputs, --trace-id returns exactly the
# samples carrying that trace_id, across files, hosts and blocks.
if "$K" query --help 2>&1 | grep -q -- '--trace-id'; then
    for f in $(find "$WORK/a" -type f | sort); do "$E2E_CANON" "$f" 2> /dev/null | grep '^S .*trace_id="' || true; done |
        "$PY" -c '
import re, sys, collections
tot = collections.Counter()
for l in sys.stdin:
    key, v = l.rstrip("\n").rsplit(" = ", 1)
    t = re.search(r"trace_id=\"([0-9a-f]{32})\"", key)
    if t:
        tot[t.group(1)] += int(v.split()[0])
items = sorted(tot.items(), key=lambda kv: (-kv[1], kv[0]))
pick = items[:4] + items[4::max(1, len(items) // 6)][:6]
for t, v in pick:
    print(t, v)
print("# traces", len(items), file=sys.stderr)' > "$WORK/traces.want" 2> "$WORK/traces.n"
    tbad=0; tn=0
    while read -r t v; do
        tn=$((tn + 1))
        rm -f "$WORK/t.pb.gz"
        rc=0
        "$K" query --store "$S" --trace-id "$t" --format pprof -o "$WORK/t.pb.gz" 2> "$WORK/err" || rc=$?
        got=$({ "$E2E_CANON" "$WORK/t.pb.gz" 2> /dev/null || true; } |
            awk -v t="$t" '/^S / { if (index($0, "trace_id=\"" t "\"") == 0) other++; n = split($0, a, " = "); split(a[n], x, " "); s += x[1] } END { printf "%.0f %d\n", s, other }')
        if [ "$rc" -ne 0 ] || [ "$got" != "$v 0" ]; then
            tbad=$((tbad + 1)); echo "trace $t: exit $rc, got (value, foreign samples) $got, want $v 0" | diag
        fi
    done < "$WORK/traces.want"
    if [ "$tbad" -eq 0 ] && [ "$tn" -ge 5 ]; then ok "query --trace-id: $tn traces of the fleet ($(sed 's/# //' "$WORK/traces.n")) each give exactly their samples"
    else not_ok "query --trace-id: $tbad of $tn lookups wrong"; fi
fi

# --block-window cuts blocks by profile time; the data is the same.
S2="$WORK/store-1m"
rc=0
"$K" ingest --store "$S2" --block-window 1m --path-labels service_name/host $(find "$WORK/a" -type f | sort) > "$WORK/ingest2.log" 2>&1 || rc=$?
nb=$(nblocks "$S2")
"$K" query --store "$S2" --format pprof -o "$WORK/all2.pb.gz" 2> /dev/null || true
t2=$({ "$E2E_CANON" "$WORK/all2.pb.gz" 2> /dev/null || true; } |
    awk '/^S / { n = split($0, a, " = "); split(a[n], v, " "); s += v[1]; c += v[2] } END { printf "%.0f %.0f\n", s, c }')
if [ "$rc" -eq 0 ] && [ "$nb" -ge 2 ] && [ "$t2" = "$in_total" ]; then
    ok "--block-window 1m over 2 minutes: $nb blocks, same totals"
else
    not_ok "--block-window 1m: exit $rc, $nb blocks (want >= 2), totals $t2 (want $in_total)"; head -5 "$WORK/ingest2.log" | diag
fi
# Time ranges over the two blocks: each total equals the independent sum
# over the input files whose profile time falls in [from, to).
for f in $(find "$WORK/a" -type f | sort); do
    "$E2E_CANON" "$f" 2> /dev/null | awk '/^T time_nanos/ { t = $3 } /^S / { n = split($0, a, " = "); split(a[n], v, " "); s += v[1] } END { printf "%s %.0f\n", t, s }'
done > "$WORK/times"
rbad=""
for r in "22:12:00 22:12:30" "22:12:25 22:13:05" "22:13:00 22:14:00" "22:12:50 22:12:50.000000001" "22:11:00 22:12:00"; do
    set -- $r
    from=$(date -u -d "2023-11-14 $1" +%s%N); to=$(date -u -d "2023-11-14 $2" +%s%N)
    want=0 # bash integers: awk's doubles cannot tell 1 ns apart at 1.7e18
    while read -r t v; do
        if [ "$t" -ge "$from" ] && [ "$t" -lt "$to" ]; then want=$((want + v)); fi
    done < "$WORK/times"
    rm -f "$WORK/r.pb.gz"
    "$K" query --store "$S2" --from "2023-11-14T$1Z" --to "2023-11-14T$2Z" --format pprof -o "$WORK/r.pb.gz" 2> /dev/null || true
    got=$(sum_of "$WORK/r.pb.gz")
    [ "$got" = "$want" ] || rbad="$rbad [$1, $2): got $got want $want;"
done
if [ -z "$rbad" ]; then ok "time ranges over 2 blocks (within one, across both, one ns, before all) match the inputs' times"
else not_ok "time ranges:$rbad"; fi

# Each block's time range lies inside one minute window.
bad=0
for b in $(blocks "$S2"); do
    "$K" inspect --json "$b" > "$WORK/b.json" 2> /dev/null || { bad=1; continue; }
    "$PY" - "$WORK/b.json" > "$WORK/b.out" 2>&1 <<'PY' || bad=1
import json, sys
j = json.load(open(sys.argv[1]))
def find(o, names):
    if isinstance(o, dict):
        for k, v in o.items():
            if k in names and isinstance(v, (int, str)):
                return v
        for v in o.values():
            r = find(v, names)
            if r is not None:
                return r
    return None
lo = find(j, ("tmin_ns",))
hi = find(j, ("tmax_ns",))
if not isinstance(lo, int) or not isinstance(hi, int):
    sys.exit("no integer tmin/tmax in inspect --json: %r %r" % (lo, hi))
w = 60 * 10**9
if lo // w != hi // w:
    sys.exit("block spans two 1m windows: %d .. %d" % (lo, hi))
PY
    [ ! -s "$WORK/b.out" ] || diag < "$WORK/b.out"
done
if [ "$bad" -eq 0 ] && [ "$nb" -ge 2 ]; then ok "each --block-window 1m block lies inside one minute"
else not_ok "a --block-window 1m block crosses a minute boundary (or inspect --json lacks tmin/tmax in ns)"; fi
tap_end
