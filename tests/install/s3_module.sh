#!/usr/bin/env bash
# tests/install/s3_module.sh: the S3 stack is loaded only for s3:// URLs.
# The kiln command and libkiln.so link none of libs3, libcurl, libxml2 (and
# what those pull in); the kiln-s3.so module links them and exports one
# symbol, its entry point; a local command never maps the module, an s3://
# one does (its error then comes from the module: no credentials).
# Usage: s3_module.sh KILN LIBKILN_SO MODULE
set -uo pipefail
kiln=${1:?usage: s3_module.sh KILN LIBKILN_SO MODULE}
lib=${2:?}
module=${3:?}
n=0 fails=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $*"; }
s3_stack='lib(s3|curl|curl-gnutls|xml2|icuuc|gnutls|krb5)\.so'

for f in "$kiln" "$lib"; do
    if ldd "$f" | grep -Eq "$s3_stack"; then
        not_ok "$(basename "$f") links the S3 stack: $(ldd "$f" | grep -Eo "$s3_stack" | tr '\n' ' ')"
    else
        ok "$(basename "$f") links no part of the S3 stack ($(ldd "$f" | wc -l) libraries)"
    fi
done
# Read ldd's whole answer first: `ldd | grep -q` under pipefail fails when
# grep exits at its first match and ldd dies writing the rest (SIGPIPE).
deps=$(ldd "$module")
if grep -q 'libs3\.so' <<<"$deps" && grep -q 'libcurl' <<<"$deps"; then
    ok "$(basename "$module") links libs3 and libcurl"
else
    not_ok "$(basename "$module") does not link libs3 and libcurl"
fi
syms=$(nm -D --defined-only "$module" | awk '{print $NF}' |
    grep -Ev '^(_init|_fini|_edata|_end|__bss_start)$' | tr '\n' ' ')
if [ "$syms" = "kiln_s3_module_open " ]; then
    ok "the module exports its entry point only"
else
    not_ok "the module exports: $syms"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kiln-s3mod-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# Which objects a command maps: the dynamic loader's own account.
LD_DEBUG=files LD_DEBUG_OUTPUT="$tmp/local" "$kiln" ls --store "$tmp/store" \
    > /dev/null 2>&1
if cat "$tmp"/local.* | grep -q 'kiln-s3\.so'; then
    not_ok "a command on a local store loaded the S3 module"
else
    ok "a command on a local store does not load the S3 module"
fi
rc=0
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY LD_DEBUG=files \
    LD_DEBUG_OUTPUT="$tmp/s3" "$kiln" ls --store s3://bucket/prefix \
    > /dev/null 2> "$tmp/err" || rc=$?
if cat "$tmp"/s3.* | grep -q 'kiln-s3\.so' && grep -q 'credentials' "$tmp/err"; then
    ok "an s3:// command loads the module (exit $rc: $(head -c 120 "$tmp/err"))"
else
    not_ok "an s3:// command: exit $rc, $(cat "$tmp/err")"
fi
rc=0
KILN_S3_MODULE=/nonexistent/kiln-s3.so "$kiln" ls --store s3://bucket/prefix \
    > /dev/null 2> "$tmp/err" || rc=$?
if [ "$rc" -eq 3 ] && grep -q 'cannot load the S3 module' "$tmp/err"; then
    ok "a missing module is a clear error (exit 3)"
else
    not_ok "a missing module: exit $rc, $(cat "$tmp/err")"
fi
echo "1..$n"
exit $((fails > 0))
