#!/bin/bash
# tests/s3/run_rgw.sh: the S3 backend against a real S3 server. Starts Ceph's
# RADOS Gateway on 127.0.0.1 (tests/s3/rgw/start.sh), four fault-injecting
# proxies in front of it (tests/s3/faultproxy.py), runs the store tests
# (test_s3_store) through signature V4 and V2, then, when the `kiln` command
# is built, the command-level checks (same answers from file:// and s3://, a
# real client reads what kiln wrote, clean failures). Whatever happens, the
# proxies and the gateway are stopped by PID on exit.
#
# Env: KILN_S3_STORE_TEST (the test_s3_store program, required), KILN_BIN,
# KILN_RGW_PORT / KILN_MON_PORT / KILN_RGW_TLS_PORT (default: free ports).
# Exit 77 (meson: skipped) when the Ceph packages are not installed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
for tool in radosgw ceph-mon ceph-osd ceph python3 curl; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed (scripts/test installs ceph-mon ceph-osd radosgw ceph-common)"; exit 77; }
done
store_test=${KILN_S3_STORE_TEST:?KILN_S3_STORE_TEST must name test_s3_store}
# under -Db_sanitize: Criterion's own few bytes are not kiln's leaks
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$here/lsan.supp}
kiln=${KILN_BIN:-}

work=$(mktemp -d "${TMPDIR:-/tmp}/kiln-s3.XXXXXX")
export KILN_RGW_DIR=$work/rgw
# ports the kernel says are free, unless given: test runs may overlap
free_ports() {
  python3 -c 'import socket
ss = [socket.socket() for _ in range(3)]
for s in ss: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))'
}
read -r p1 p2 p3 <<<"$(free_ports)"
export KILN_RGW_PORT=${KILN_RGW_PORT:-$p1} KILN_MON_PORT=${KILN_MON_PORT:-$p2}
export KILN_RGW_TLS_PORT=${KILN_RGW_TLS_PORT:-$p3}
proxy_pids=()
cleanup() {
  local p
  for p in "${proxy_pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  "$here/rgw/stop.sh"
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fails=0
pass() { echo "ok   $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }

# --- the server -------------------------------------------------------------
if ! out=$("$here/rgw/start.sh" 2>"$work/start.log"); then
  cat "$work/start.log"; echo "FAIL radosgw did not start"; exit 1
fi
unset AWS_SESSION_TOKEN AWS_SIGNATURE_VERSION AWS_REGION AWS_DEFAULT_REGION \
      AWS_ENDPOINT_URL_S3 AWS_PROFILE
eval "export $(echo "$out" | tr '\n' ' ')"
echo "radosgw up at $AWS_ENDPOINT_URL"
ep=$AWS_ENDPOINT_URL
bucket=kiln-test
s3curl() {
  curl -sS --aws-sigv4 "aws:amz:us-east-1:s3" \
    --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
    -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$@"
}
code=$(s3curl -X PUT -o /dev/null -w '%{http_code}' "$ep/$bucket")
[ "$code" = 200 ] || { echo "FAIL create bucket: HTTP $code"; exit 1; }

# --- the proxies ------------------------------------------------------------
rgw_port=${ep##*:}
start_proxy() { # name args...
  local name=$1; shift
  python3 "$here/faultproxy.py" --upstream "$rgw_port" \
    --port-file "$work/$name.port" --stats "$work/$name.json" "$@" \
    2>"$work/$name.log" &
  proxy_pids+=($!)
}
start_proxy flaky --drop 0.06 --cut 0.06 --e503 0.08 --e500 0.05 \
  --delay 0.03 --delay-secs 2 --seed 7
start_proxy dead --e503 1.0
start_proxy partfail --match partNumber=2
start_proxy expired --expired
for name in flaky dead partfail expired; do
  for _ in $(seq 50); do [ -s "$work/$name.port" ] && break; sleep 0.1; done
  [ -s "$work/$name.port" ] || { echo "FAIL proxy $name did not start"; exit 1; }
done
port_of() { echo "http://127.0.0.1:$(cat "$work/$1.port")"; }
export KILN_S3_FLAKY_ENDPOINT=$(port_of flaky)
export KILN_S3_DEAD_ENDPOINT=$(port_of dead)
export KILN_S3_PARTFAIL_ENDPOINT=$(port_of partfail)
export KILN_S3_EXPIRED_ENDPOINT=$(port_of expired)
export KILN_S3_VHOST_ENDPOINT=http://localhost:$rgw_port
# a loopback port nobody listens on: bind one, note it, let it go
closed=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export KILN_S3_CLOSED_ENDPOINT=http://127.0.0.1:$closed
export KILN_S3_BUCKET=$bucket

# --- the store, through both signature versions ------------------------------
for v in 4 2; do
  other=$((6 - v))
  KILN_S3_URL="s3://$bucket/store-v$v?sigv=$v" \
  KILN_S3_URL_OTHER="s3://$bucket/store-v$v?sigv=$other" \
    "$store_test" >"$work/store-v$v.log" 2>&1
  rc=$?
  grep -E '^\[(FAIL|----)\]|Synthesis' "$work/store-v$v.log" | sed "s/^/  v$v /"
  [ $rc = 0 ] && pass "store tests, signature V$v" || fail "store tests, signature V$v"
done
injected=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["drop"]+d["cut"]+d["e503"]+d["e500"]+d["delay"])' "$work/flaky.json" 2>/dev/null || echo 0)
echo "  flaky proxy: $(cat "$work/flaky.json" 2>/dev/null)"
check "the flaky proxy injected faults" [ "${injected:-0}" -gt 10 ]
no_pending_uploads() {
  local l
  l=$(s3curl "$ep/$bucket?uploads=") || return 1
  case $l in *ListMultipartUploadsResult*) ;; *) echo "  $l"; return 1 ;; esac
  case $l in *partfail-*) echo "  pending: $l"; return 1 ;; esac
}
check "no multipart upload left pending after the failed one" no_pending_uploads

# --- the command ------------------------------------------------------------
if [ -n "$kiln" ] && [ -x "$kiln" ] && [ -f "$here/cli_checks.sh" ]; then
  KILN_S3_WORK=$work KILN_S3_EP=$ep KILN_S3_BUCKET=$bucket \
    bash "$here/cli_checks.sh"
  rc=$?
  [ $rc = 0 ] && pass "command checks" || fail "command checks ($rc failed)"
else
  echo "skip command checks: no kiln command (KILN_BIN)"
fi

echo "$fails failed"
[ $fails = 0 ]
