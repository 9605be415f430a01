#!/bin/bash
# tests/s3/cli_checks.sh: the `kiln` command on s3:// against the radosgw
# that run_rgw.sh started (it exports the endpoint, keys and the proxies).
# Same answers from file:// and s3:// (both signature versions); real clients
# (curl, libs3's `s3`) read what kiln wrote and `kiln verify` passes on the
# download; `kiln cp` and `kiln ls`; faults: retries succeed, exhausted
# retries leave nothing, and bad credentials, buckets, endpoints and tokens
# each give one line on stderr and a non-zero exit. Exit status: failures.
set -u
k=${KILN_BIN:?}
w=$KILN_S3_WORK/cli
b=$KILN_S3_BUCKET
ep=$KILN_S3_EP
mkdir -p "$w"
fails=0
pass() { echo "ok   $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
s3curl() {
  curl -sS --aws-sigv4 "aws:amz:us-east-1:s3" \
    --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
    -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$@"
}

# A command that must fail: non-zero exit, exactly one line on stderr that
# contains $want and none of the secrets. Usage: fails_cleanly WANT cmd...
fails_cleanly() {
  local want=$1; shift
  local err=$w/err.txt rc
  "$@" >/dev/null 2>"$err"; rc=$?
  if [ $rc = 0 ]; then echo "  exit 0"; return 1; fi
  if [ "$(wc -l <"$err")" != 1 ]; then echo "  stderr:"; sed 's/^/    /' "$err"; return 1; fi
  grep -q -- "$want" "$err" || { echo "  no '$want' in: $(cat "$err")"; return 1; }
  if grep -q -e "$AWS_SECRET_ACCESS_KEY" -e "WRONGSECRET" -e "SESSIONTOKENVALUE" "$err"; then
    echo "  a secret leaked: $(cat "$err")"; return 1
  fi
  echo "  ($(cat "$err"))"
}

# --- data: a small fleet, in a directory and in the bucket (V4 and V2) -------
"$k" gen --out "$w/gen" --services 2 --hosts 2 --duration 10m --seed 5 \
  --end 1700000000 --trace-fraction 0.2 >/dev/null || { echo "FAIL kiln gen"; exit 1; }
ingest() { "$k" ingest --store "$1" --path-labels service_name/host --block-window 5m "$w/gen" >/dev/null; }
check "ingest into a directory" ingest "$w/fs"
check "ingest into s3 (SigV4)" ingest "s3://$b/cli-v4"
check "ingest into s3 (SigV2)" ingest "s3://$b/cli-v2?sigv=2"

# the same query, byte for byte, from every store
same_answers() {
  local store=$1 tag=$2 f rc=0
  for f in top folded json pprof; do
    "$k" query --store "$w/fs" --format "$f" -n 0 -o "$w/q-fs.$f" 2>/dev/null || return 1
    "$k" query --store "$store" --format "$f" -n 0 -o "$w/q-$tag.$f" 2>/dev/null || { echo "  query $f failed"; return 1; }
    cmp -s "$w/q-fs.$f" "$w/q-$tag.$f" || { echo "  $f differs"; rc=1; }
  done
  # a sub-range and a selector too
  "$k" query --store "$w/fs" --from 1699999700 --to 1699999900 \
    --match '{service_name!=""}' --format folded -o "$w/r-fs" 2>/dev/null
  "$k" query --store "$store" --from 1699999700 --to 1699999900 \
    --match '{service_name!=""}' --format folded -o "$w/r-$tag" 2>/dev/null
  [ -s "$w/r-fs" ] && cmp -s "$w/r-fs" "$w/r-$tag" || { echo "  range query differs"; rc=1; }
  # trace queries, where the command has them
  if "$k" query --help | grep -q -- --list-traces; then
    local t
    "$k" query --store "$w/fs" --list-traces >"$w/t-fs" 2>/dev/null
    "$k" query --store "$store" --list-traces >"$w/t-$tag" 2>/dev/null
    cmp -s "$w/t-fs" "$w/t-$tag" || { echo "  trace list differs"; rc=1; }
    t=$(grep -oE '^[0-9a-f]{32}' "$w/t-fs" | head -1)
    [ -n "$t" ] || { echo "  no traces in the data"; rc=1; }
    "$k" query --store "$w/fs" --trace-id "$t" --format folded >"$w/tr-fs" 2>/dev/null
    "$k" query --store "$store" --trace-id "$t" --format folded >"$w/tr-$tag" 2>/dev/null
    [ -s "$w/tr-fs" ] && cmp -s "$w/tr-fs" "$w/tr-$tag" || { echo "  trace query differs"; rc=1; }
  fi
  return $rc
}
check "file:// and s3:// (V4) answer byte-identically (range, selector, trace)" same_answers "s3://$b/cli-v4" v4
check "file:// and s3:// (V2) answer byte-identically (range, selector, trace)" same_answers "s3://$b/cli-v2?sigv=2" v2

ls_same() {
  "$k" ls --store "$w/fs" >"$w/ls-fs" && "$k" ls --store "$1" >"$w/ls-s3" &&
    [ "$(wc -l <"$w/ls-fs")" -ge 3 ] && cmp -s "$w/ls-fs" "$w/ls-s3"
}
check "kiln ls lists the same blocks on file:// and s3://" ls_same "s3://$b/cli-v4"
check "kiln verify --store s3:// passes" "$k" verify -q --store "s3://$b/cli-v4"
stats_counts() {
  "$k" query --store "s3://$b/cli-v4" --stats -o /dev/null 2>"$w/stats" &&
    grep -q 'store: [0-9]* requests' "$w/stats" && echo "  ($(tail -1 "$w/stats"))"
}
check "query --stats reports requests and bytes on s3://" stats_counts

# --- real clients read what kiln wrote --------------------------------------
curl_reads() {
  local list key
  list=$(s3curl "$ep/$b?list-type=2&prefix=cli-v4%2Fdefault%2Fblocks%2F") || return 1
  key=$(echo "$list" | grep -o '<Key>[^<]*</Key>' | head -1 | sed 's/<[^>]*>//g')
  [ -n "$key" ] || { echo "  no key in listing"; return 1; }
  s3curl -o "$w/curl.kiln" "$ep/$b/$key" || return 1
  "$k" verify "$w/curl.kiln" >/dev/null || { echo "  verify failed"; return 1; }
  cmp -s "$w/curl.kiln" "$w/fs/${key#cli-v4/}" || { echo "  differs from the directory's copy"; return 1; }
}
check "curl (SigV4) lists and downloads a block; kiln verify passes" curl_reads
libs3_reads() {
  command -v s3 >/dev/null || { echo "  (libs3's s3 tool not installed)"; return 0; }
  local key err
  export S3_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID S3_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY
  export S3_HOSTNAME=${ep#http://}
  key=$(s3 -u list "$b" prefix=cli-v2/default/blocks/ 2>"$w/s3err" | grep -o 'cli-v2/default/blocks/[^ ]*\.kiln' | head -1)
  [ -n "$key" ] || { echo "  no key listed: $(cat "$w/s3err")"; return 1; }
  s3 -u get "$b/$key" filename="$w/libs3.kiln" 2>"$w/s3err"
  [ -s "$w/s3err" ] && { echo "  $(cat "$w/s3err")"; return 1; }  # s3 exits 0 on errors
  "$k" verify "$w/libs3.kiln" >/dev/null
}
check "libs3's s3 tool (SigV2) lists and downloads a block; kiln verify passes" libs3_reads

# --- kiln cp ------------------------------------------------------------------
check "kiln cp directory -> bucket" "$k" cp -q "$w/fs" "s3://$b/cli-cp"
check "the copy answers like the original" same_answers "s3://$b/cli-cp" cp
cp_again() { "$k" cp "$w/fs" "s3://$b/cli-cp" | tail -1 | grep -q '0 copied.*already there, 0 failed'; }
check "kiln cp again: every block already there" cp_again
check "kiln cp bucket -> directory" "$k" cp -q "s3://$b/cli-cp" "$w/fs-back"
check "kiln cp of a bad source fails cleanly" fails_cleanly NoSuchBucket "$k" cp "s3://no-such-bucket-kiln/x" "$w/fs-none"

# --- faults -------------------------------------------------------------------
flaky_ok() {
  AWS_ENDPOINT_URL=$KILN_S3_FLAKY_ENDPOINT ingest "s3://$b/cli-flaky?tries=12&timeout=1&budget=300" || { echo "  ingest failed"; return 1; }
  AWS_ENDPOINT_URL=$KILN_S3_FLAKY_ENDPOINT same_answers "s3://$b/cli-flaky?tries=12&timeout=1&budget=300" flaky
}
check "ingest and query through a flaky endpoint succeed by retrying" flaky_ok
dead_leaves_nothing() {
  AWS_ENDPOINT_URL=$KILN_S3_DEAD_ENDPOINT fails_cleanly SlowDown \
    "$k" ingest --store "s3://$b/cli-dead?tries=3" --path-labels service_name/host "$w/gen" || return 1
  ! s3curl "$ep/$b?list-type=2&prefix=cli-dead%2F" | grep -q '<Key>'
}
check "ingest that outlasts the retry budget fails cleanly, nothing written" dead_leaves_nothing

check "wrong secret: one line naming AWS_SECRET_ACCESS_KEY" \
  env AWS_SECRET_ACCESS_KEY=WRONGSECRET bash -c "$(declare -f fails_cleanly); w=$w; fails_cleanly AWS_SECRET_ACCESS_KEY '$k' query --store 's3://$b/cli-v4'"
auth_writes_nothing() {
  AWS_SECRET_ACCESS_KEY=WRONGSECRET "$k" ingest --store "s3://$b/cli-auth" --path-labels service_name/host "$w/gen" >/dev/null 2>&1 && return 1
  ! s3curl "$ep/$b?list-type=2&prefix=cli-auth%2F" | grep -q '<Key>'
}
check "wrong secret on ingest writes nothing" auth_writes_nothing
check "unknown bucket: one line, NoSuchBucket" fails_cleanly NoSuchBucket "$k" ls --store "s3://no-such-bucket-kiln/x"
check "unreachable endpoint: one line, bounded tries" \
  env AWS_ENDPOINT_URL=$KILN_S3_CLOSED_ENDPOINT bash -c "$(declare -f fails_cleanly); w=$w; fails_cleanly 'after 5 tries' '$k' ls --store 's3://$b/cli-v4'"
check "expired session token: one line, no retry" \
  env AWS_ENDPOINT_URL=$KILN_S3_EXPIRED_ENDPOINT AWS_SESSION_TOKEN=SESSIONTOKENVALUE bash -c "$(declare -f fails_cleanly); w=$w; fails_cleanly 'ExpiredToken' '$k' ls --store 's3://$b/cli-v4'"
check "invalid session token (real server): one line naming AWS_SESSION_TOKEN" \
  env AWS_SESSION_TOKEN=SESSIONTOKENVALUE bash -c "$(declare -f fails_cleanly); w=$w; fails_cleanly AWS_SESSION_TOKEN '$k' ls --store 's3://$b/cli-v4'"

exit $fails
