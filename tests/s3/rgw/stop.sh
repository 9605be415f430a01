#!/bin/bash
# tests/s3/rgw/stop.sh: stop the daemons that start.sh recorded in
# $KILN_RGW_DIR/pids, and only those (a PID is signalled only while it still
# names a Ceph daemon). TERM, a short grace, then KILL: the data is in RAM
# and thrown away anyway.
dir=${KILN_RGW_DIR:-${TMPDIR:-/tmp}/kiln-rgw-$UID}
[ -f "$dir/pids" ] || exit 0
running() { [ -e "/proc/$1" ] && ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat" 2>/dev/null; }
ours=()
while read -r name pid; do
  case "$(cat "/proc/$pid/comm" 2>/dev/null)" in
    ceph-mon|ceph-osd|radosgw) kill "$pid" 2>/dev/null && ours+=("$pid") ;;
  esac
done < <(tac "$dir/pids")
wait_gone() {
  local i p left
  for i in $(seq "$1"); do
    left=0; for p in "${ours[@]}"; do running "$p" && left=1; done
    [ $left = 0 ] && return 0
    sleep 0.1
  done
  return 1
}
if ! wait_gone 15; then
  for p in "${ours[@]}"; do running "$p" && kill -9 "$p" 2>/dev/null; done
  wait_gone 30
fi
rm -f "$dir/pids"
