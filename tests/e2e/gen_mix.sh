#!/bin/bash
# gen_mix.sh: `kiln gen --mix` makes a fleet shaped like a polyglot one,
# measured with the independent reader (canon.c) and `go tool pprof`, not
# with anything of kiln's: a 60-profile sample of 4 services holds >= 1,000
# distinct functions (and more with 8 services: each service brings its own
# words); the median gzip'd 10-s profile is 5-100 KB; frames of every
# runtime are there (Go, JVM with Interpreter and [unknown], Python and Node
# named file:line, native C/C++ and Rust with mappings and build ids, some
# [unknown]); the same arguments give the same bytes; kiln keeps every
# sample of it.
set -euo pipefail
. "$(dirname "$0")/common.sh"

K="$KILN_BIN"
END=2026-11-24T00:00:00Z
gen() { # DIR SERVICES [more args]
    local d=$1 n=$2; shift 2
    "$K" gen --mix --quiet --out "$d" --services "$n" --hosts 2 --duration 5m \
        --seed 11 --end "$END" "$@"
}

rc=0
gen "$WORK/a" 4 2> "$WORK/err" || rc=$?
nfile=$(nfiles "$WORK/a")
if [ "$rc" -eq 0 ] && [ "$nfile" -eq 240 ]; then ok "kiln gen --mix --services 4 --hosts 2 --duration 5m: $nfile files"
else not_ok "kiln gen --mix: exit $rc, $nfile files (want 240)"; diag < "$WORK/err"; tap_end; exit 0; fi

# Determinism: the same arguments (and any thread count) give the same bytes.
gen "$WORK/b" 4 --jobs 1 > /dev/null 2>&1 || true
gen "$WORK/c" 4 --jobs 3 > /dev/null 2>&1 || true
if diff -r "$WORK/a" "$WORK/b" > /dev/null && diff -r "$WORK/a" "$WORK/c" > /dev/null; then
    ok "same arguments, 1, 3 and the default threads: byte-identical output"
else
    not_ok "same arguments: output differs"; diff -rq "$WORK/a" "$WORK/b" | head -5 | diag || true
fi
rm -rf "$WORK/b" "$WORK/c"

if "$E2E_CANON" --check $(find "$WORK/a" -type f) 2> "$WORK/err"; then
    ok "every file is a well-formed pprof (independent reader)"
else
    not_ok "files the independent reader refuses"; head -5 "$WORK/err" | diag
fi

# Every 4th file of the sorted list: 60 profiles, 15 per service.
find "$WORK/a" -type f -name '*.pb.gz' | sort | awk 'NR % 4 == 1' > "$WORK/sample"
for f in $(cat "$WORK/sample"); do "$E2E_CANON" "$f"; done > "$WORK/sample.canon" 2> "$WORK/err" || true
nsample=$(grep -c . "$WORK/sample")
distinct() { grep '^F ' "$1" | sed 's/^F {\([^|]*\)|.*/\1/' | sort -u | grep -c . || true; }
nfn=$(distinct "$WORK/sample.canon")
if [ "$nsample" -eq 60 ] && [ "$nfn" -ge 1000 ]; then ok "60-profile sample of 4 services: $nfn distinct functions (>= 1000)"
else not_ok "60-profile sample ($nsample files) of 4 services: $nfn distinct functions (want >= 1000)"; fi

# The same measure for Go alone, for the record, and for 8 services.
"$K" gen --quiet --out "$WORK/go" --services 4 --hosts 2 --duration 5m --seed 11 --end "$END" 2> /dev/null || true
for f in $(find "$WORK/go" -type f | sort | awk 'NR % 4 == 1'); do "$E2E_CANON" "$f"; done > "$WORK/go.canon" 2> /dev/null || true
ngo=$(distinct "$WORK/go.canon")
echo "without --mix (Go only) the same sample holds $ngo distinct functions" | diag
rm -rf "$WORK/go"
gen "$WORK/m8" 8 --hosts 1 > /dev/null 2>&1 || true
for f in $(find "$WORK/m8" -type f | sort | awk 'NR % 4 == 1 && NR < 240'); do "$E2E_CANON" "$f"; done > "$WORK/m8.canon" 2> /dev/null || true
n8=$(distinct "$WORK/m8.canon")
if [ "$n8" -gt "$nfn" ] && [ "$nfn" -gt "$ngo" ]; then
    ok "distinct functions grow with the fleet: Go only $ngo, 4 mixed services $nfn, 8 mixed services $n8 (60 profiles each)"
else
    not_ok "distinct functions: Go only $ngo, 4 mixed services $nfn, 8 mixed services $n8 (want increasing)"
fi
rm -rf "$WORK/m8"

# Size of a gzip'd 10-s profile (every file is one).
med=$(find "$WORK/a" -type f -name '*.pb.gz' -printf '%s\n' | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}')
if [ "$med" -ge 5000 ] && [ "$med" -le 100000 ]; then ok "median gzip'd 10-s profile: $med bytes (5-100 KB)"
else not_ok "median gzip'd 10-s profile: $med bytes (want 5-100 KB)"; fi

# Frames of each runtime, recognised from the decoded symbols alone. A
# fifth service is native (Rust): a 1-host minute of a 5-service fleet.
gen "$WORK/m5" 5 --hosts 1 --duration 1m > /dev/null 2>&1 || true
for f in $(find "$WORK/m5" -type f | sort); do "$E2E_CANON" "$f"; done > "$WORK/m5.canon" 2> /dev/null || true
"$PY" - "$WORK/sample.canon" "$WORK/m5.canon" > "$WORK/rt.out" 2>&1 <<'PY' || true
import re, sys
def parse(path):
    locs = []
    for l in open(path, errors="replace"):
        if not l.startswith("L"):
            continue
        m = re.match(r"L\S+ (0x[0-9a-f]+) folded=\d+ map=(-|\{([^|]*)\|([^|]*)\|[^}]*\}) lines=(.*)$", l.rstrip("\n"))
        if not m:
            continue
        addr, mfile, bid = int(m.group(1), 16), m.group(3) or "", m.group(4) or ""
        lines = re.findall(r"\{([^|]*)\|([^|]*)\|([^|]*)\|(-?\d+)\}:(-?\d+)", m.group(5))
        locs.append((addr, mfile, bid, lines))
    return locs
checks = {
    "Go (runtime.* in a .go file, in the service's binary)":
        lambda a, f, b, n, s, fl, ln: n.startswith("runtime.") and fl.endswith(".go") and f.startswith("/usr/local/bin/"),
    "JVM (pkg/Class.method, Class.java, system name Lpkg/Class;.method)":
        lambda a, f, b, n, s, fl, ln: re.match(r"^[a-z]+(/[\w$]+)+\.[\w$<>]+$", n) is not None and fl.endswith(".java") and s.startswith("L") and ";." in s,
    "JVM Interpreter frame": lambda a, f, b, n, s, fl, ln: n == "Interpreter",
    "Python (func (path.py:line), line in the name and the frame)":
        lambda a, f, b, n, s, fl, ln: re.search(r" \(\S+\.py:(\d+)\)$", n) is not None and fl.endswith(".py") and n.endswith(":%s)" % ln),
    "Node (func (path.js:line:col) or a node: core module)":
        lambda a, f, b, n, s, fl, ln: re.search(r" \((\S+\.js|node:\S+):\d+:\d+\)$", n) is not None,
    "native C (libc, with mapping and build id)":
        lambda a, f, b, n, s, fl, ln: "libc.so" in f and len(b) == 40 and a != 0 and n and not fl,
    "native C++ (libjvm/node, Class::method(args))":
        lambda a, f, b, n, s, fl, ln: ("libjvm.so" in f or f.endswith("/node")) and "::" in n and "(" in n and len(b) == 40,
    "native Rust (tokio::..., in the service's binary)":
        lambda a, f, b, n, s, fl, ln: n.startswith("tokio::") and f.startswith("/usr/local/bin/") and len(b) == 40,
    "kernel frames ([kernel.kallsyms])": lambda a, f, b, n, s, fl, ln: f == "[kernel.kallsyms]" and a >= 0xffffffff80000000,
    "[unknown] native frames at their own addresses in a mapping with a build id":
        lambda a, f, b, n, s, fl, ln: n == "[unknown]" and f and len(b) == 40 and a != 0,
}
locs = parse(sys.argv[1]) + parse(sys.argv[2])
bad = 0
for what, test in checks.items():
    hits = set()
    for a, f, b, lines in locs:
        for n, s, fl, st, ln in lines:
            if test(a, f, b, n, s, fl, ln):
                hits.add((n, a) if n == "[unknown]" else n)
    need = 2 if "[unknown]" in what else 1
    print("%s %s: %d, e.g. %s" % ("ok" if len(hits) >= need else "MISSING", what, len(hits),
                                  sorted(hits, key=str)[:1]))
    bad += len(hits) < need
sys.exit(1 if bad else 0)
PY
while IFS= read -r l; do
    case $l in
    "ok "*) ok "runtime frames: ${l#ok }" ;;
    *) not_ok "runtime frames: $l" ;;
    esac
done < "$WORK/rt.out"

if go_env; then
    one=$(sed -n 1p "$WORK/sample")
    if "$GO" tool pprof -raw -symbolize=none "$one" > "$WORK/raw" 2> "$WORK/err" && grep -q 'Locations' "$WORK/raw"; then
        ok "go tool pprof -raw reads a mixed profile ($(grep -c . "$WORK/raw") lines)"
    else
        not_ok "go tool pprof -raw refuses $one"; head -5 "$WORK/err" | diag
    fi
fi

# kiln keeps every sample of the mixed fleet: totals per type equal the
# inputs' (independent reading), for the store and per service.
S="$WORK/store"
rc=0
"$K" ingest --store "$S" --path-labels service_name/host "$WORK/a" > "$WORK/ingest.log" 2>&1 || rc=$?
sum_canon() { awk '/^S / { n = split($0, a, " = "); split(a[n], v, " "); s += v[1]; c += v[2] } END { printf "%.0f %.0f\n", s, c }'; }
in_total=$(for f in $(find "$WORK/a" -type f | sort); do "$E2E_CANON" "$f" 2> /dev/null; done | sum_canon)
"$K" query --store "$S" --format pprof -o "$WORK/all.pb.gz" 2> /dev/null || true
out_total=$({ "$E2E_CANON" "$WORK/all.pb.gz" 2> /dev/null || true; } | sum_canon)
if [ "$rc" -eq 0 ] && [ "$in_total" = "$out_total" ] && [ "$in_total" != "0 0" ]; then
    ok "ingest of the mixed fleet: totals per type equal the inputs' ($in_total)"
else
    not_ok "ingest exit $rc; totals inputs $in_total, store $out_total"; head -5 "$WORK/ingest.log" | diag
fi
# One stack of each service, read back whole: the heaviest stack of the
# service's first file equals the same stack in kiln's answer for that file.
bad=""
for s in $(ls "$WORK/a"); do
    f=$(find "$WORK/a/$s" -type f | sort | sed -n 1p)
    t=$(basename "$f" .pb.gz)
    h=$(basename "$(dirname "$f")")
    "$K" query --store "$S" --match "{service_name=\"$s\",host=\"$h\"}" --from "$t" --to "$((t + 1))" \
        --format pprof -o "$WORK/one.pb.gz" 2> /dev/null || true
    "$E2E_CANON" "$f" 2> /dev/null | grep '^S \|^L' | sort > "$WORK/in.c" || true
    "$E2E_CANON" "$WORK/one.pb.gz" 2> /dev/null | grep '^S \|^L' | sort > "$WORK/out.c" || true
    [ -s "$WORK/in.c" ] && cmp -s "$WORK/in.c" "$WORK/out.c" || bad="$bad $s"
done
if [ -z "$bad" ]; then ok "one profile of each service comes back with the same stacks, locations and values"
else not_ok "profiles read back differently for:$bad"; fi
tap_end
