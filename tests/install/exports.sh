#!/usr/bin/env bash
# tests/install/exports.sh: libkiln.so exports its API and nothing else.
# Every dynamic symbol it defines must be a function the installed headers
# declare with KILN_API, and every such declaration must be exported (no
# protobuf-c perftools__*/opentelemetry__* code, no internal helper).
# Usage: exports.sh LIBKILN_SO HEADER...
set -uo pipefail
lib=${1:?usage: exports.sh LIBKILN_SO HEADER...}
shift
[ $# -gt 0 ] || { echo "exports.sh: no headers named"; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kiln-exports-XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# Symbols the linker itself defines in every shared object, not code.
linker_syms='^(_init|_fini|_edata|_end|__bss_start)$'

nm -D --defined-only "$lib" > "$tmp/nm" || { echo "nm -D $lib failed"; exit 1; }
awk '{print $NF}' "$tmp/nm" | grep -Ev "$linker_syms" | sort -u > "$tmp/exported"
[ -s "$tmp/exported" ] || { echo "$lib exports nothing"; exit 1; }

# The declared API: the identifier before the first '(' of each KILN_API
# declaration (comments removed, declarations joined onto one line).
cat "$@" | sed 's://.*$::' | tr '\n' ' ' | sed 's:/\*\([^*]\|\*[^/]\)*\*/::g' |
    tr ';' '\n' | grep -E '(^|[^A-Za-z0-9_])KILN_API[^A-Za-z0-9_]' |
    sed -E 's/^.*KILN_API[^(]*[^A-Za-z0-9_(]([A-Za-z_][A-Za-z0-9_]*)[[:space:]]*\(.*$/\1/' |
    sort -u > "$tmp/declared"
[ -s "$tmp/declared" ] || { echo "no KILN_API declaration found in $*"; exit 1; }

fails=0
extra=$(comm -23 "$tmp/exported" "$tmp/declared")
if [ -n "$extra" ]; then
    echo "not ok - exported by $(basename "$lib") but not declared KILN_API in an installed header ($(echo "$extra" | wc -l)):"
    echo "$extra" | sed 's/^/#   /' | head -50
    fails=1
else
    echo "ok - every exported symbol ($(wc -l < "$tmp/exported")) is declared KILN_API"
fi
missing=$(comm -13 "$tmp/exported" "$tmp/declared")
if [ -n "$missing" ]; then
    echo "not ok - declared KILN_API but not exported:"
    echo "$missing" | sed 's/^/#   /'
    fails=1
else
    echo "ok - every KILN_API declaration ($(wc -l < "$tmp/declared")) is exported"
fi
exit $fails
