#!/bin/bash
# scale.sh: a fleet hour in one call. `kiln gen` writes 2 services x 3 hosts
# x 1 h (2160 files); `kiln ingest` takes them all at once, cut by the
# default block window, and the store's per-type totals, per-service totals
# and series count equal an independent reading of every input file.
set -euo pipefail
. "$(dirname "$0")/common.sh"

K="$KILN_BIN"
F="$WORK/fleet"
rc=0
"$K" gen --out "$F" --services 2 --hosts 3 --duration 1h --seed 11 --end 2024-03-01T12:00:00Z > /dev/null 2> "$WORK/err" || rc=$?
nf=$(find "$F" -type f | wc -l)
if [ "$rc" -eq 0 ] && [ "$nf" -eq 2160 ]; then ok "kiln gen: $nf files"; else not_ok "kiln gen: exit $rc, $nf files (want 2160)"; diag < "$WORK/err"; fi

# tot PPROF...: per-type totals ("type/unit=N" lines) over all files given.
tot() { { "$E2E_CANON" "$@" 2> /dev/null || true; } | awk '
    /^H sample_type\[/ { i = substr($2, 13) + 0; name[i] = $3; if (i + 1 > n) n = i + 1 }
    /^S / { k = split($0, a, " = "); m = split(a[k], v, " "); for (j = 1; j <= m; j++) s[j - 1] += v[j] }
    END { for (i = 0; i < n; i++) printf "%s=%.0f\n", name[i], s[i] }'; }

S="$WORK/store"
start=$(date +%s%N)
rc=0
find "$F" -type f | sort | "$K" ingest --store "$S" --path-labels service_name/host - > "$WORK/ingest.log" 2>&1 || rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
nb=$(nblocks "$S")
if [ "$rc" -eq 0 ] && [ "$nb" -ge 1 ]; then ok "ingest of $nf files in one call: $nb blocks, $ms ms ($(tail -n 1 "$WORK/ingest.log" | cut -c1-160))"
else not_ok "ingest of $nf files: exit $rc"; tail -5 "$WORK/ingest.log" | diag; fi

want=$(find "$F" -type f | sort | xargs "$E2E_CANON" 2> /dev/null | awk '
    /^H sample_type\[/ { i = substr($2, 13) + 0; name[i] = $3; if (i + 1 > n) n = i + 1 }
    /^S / { k = split($0, a, " = "); m = split(a[k], v, " "); for (j = 1; j <= m; j++) s[j - 1] += v[j] }
    END { for (i = 0; i < n; i++) printf "%s=%.0f\n", name[i], s[i] }')
"$K" query --store "$S" --format pprof -o "$WORK/all.pb.gz" 2> /dev/null || true
got=$(tot "$WORK/all.pb.gz")
if [ -n "$want" ] && [ "$want" = "$got" ]; then ok "store totals equal the $nf inputs': $(echo $got)"
else not_ok "store totals: want $(echo $want), got $(echo $got)"; fi

for svc in $(find "$F" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort); do
    w=$(find "$F/$svc" -type f | sort | xargs "$E2E_CANON" 2> /dev/null | awk '/^S / { k = split($0, a, " = "); split(a[k], v, " "); s += v[1] } END { printf "%.0f\n", s }')
    "$K" query --store "$S" --match "{service_name=\"$svc\"}" --format pprof -o "$WORK/svc.pb.gz" 2> /dev/null || true
    g=$({ "$E2E_CANON" "$WORK/svc.pb.gz" 2> /dev/null || true; } | awk '/^S / { k = split($0, a, " = "); split(a[k], v, " "); s += v[1] } END { printf "%.0f\n", s }')
    if [ "$w" = "$g" ] && [ "$w" != 0 ]; then ok "service $svc: $g samples, as in its files"
    else not_ok "service $svc: store $g, files $w"; fi
done
# Every block verifies.
bad=0
for b in $(blocks "$S"); do "$K" verify "$b" > /dev/null 2>&1 || bad=$((bad + 1)); done
if [ "$bad" -eq 0 ]; then ok "all $nb blocks verify"; else not_ok "$bad of $nb blocks fail verify"; fi
tap_end
