#!/bin/bash
# tests/s3/rgw/start.sh: start a throwaway S3 endpoint for kiln's tests:
# Ceph's RADOS Gateway on 127.0.0.1 over a one-monitor, one-OSD cluster whose
# OSD keeps objects in RAM (memstore). Everything lives in $KILN_RGW_DIR and
# is wiped on each start; the PIDs started go to $KILN_RGW_DIR/pids so that
# stop.sh stops exactly those.
#
# Environment (all optional):
#   KILN_RGW_DIR   working directory        (default ${TMPDIR:-/tmp}/kiln-rgw-$UID)
#   KILN_RGW_PORT  S3 port on 127.0.0.1     (default 17480)
#   KILN_MON_PORT  monitor port             (default 16789)
#   KILN_RGW_TLS_PORT HTTPS port            (default 17443; 0 = no HTTPS)
#   KILN_S3_KEY / KILN_S3_SECRET            the S3 user's access key / secret
# On success prints lines to export: AWS_ENDPOINT_URL=..., the keys, and
# with HTTPS (needs the openssl command) KILN_RGW_HTTPS_ENDPOINT and
# KILN_RGW_CA, the self-signed certificate to trust.
# Packages: ceph-mon ceph-osd radosgw ceph-common (scripts/test installs them).
set -euo pipefail

dir=${KILN_RGW_DIR:-${TMPDIR:-/tmp}/kiln-rgw-$UID}
port=${KILN_RGW_PORT:-17480}
monport=${KILN_MON_PORT:-16789}
tlsport=${KILN_RGW_TLS_PORT:-17443}
command -v openssl >/dev/null || tlsport=0
key=${KILN_S3_KEY:-KILNTESTACCESSKEY001}
secret=${KILN_S3_SECRET:-kilnTestSecretKey0000000000000000000000001}
here=$(cd "$(dirname "$0")" && pwd)

log() { echo "rgw: $*" >&2; }
for tool in ceph-mon ceph-osd radosgw radosgw-admin ceph ceph-authtool monmaptool uuidgen curl; do
  command -v "$tool" >/dev/null || { log "missing $tool (apt-get install --no-install-recommends ceph-mon ceph-osd radosgw ceph-common)"; exit 2; }
done

[ -f "$dir/pids" ] && KILN_RGW_DIR=$dir "$here/stop.sh" >&2 || true
for p in "$monport" "$port" $([ "$tlsport" != 0 ] && echo "$tlsport"); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    log "127.0.0.1:$p is taken; set KILN_RGW_PORT / KILN_MON_PORT"; exit 1
  fi
done
rm -rf "$dir"
mkdir -p "$dir"/{mon,osd,rgw,run,log}
# whatever fails below: stop what was started and say where the logs are
trap 'rc=$?; if [ $rc -ne 0 ]; then log "start failed ($rc); logs in $dir/log"; KILN_RGW_DIR=$dir "$here/stop.sh" >&2 || true; fi' EXIT

frontend="beast endpoint=127.0.0.1:$port"
if [ "$tlsport" != 0 ]; then
  # a throwaway self-signed certificate for localhost / 127.0.0.1
  mkdir -p "$dir/tls"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$dir/tls/key.pem" -out "$dir/tls/cert.pem" 2>/dev/null
  frontend="$frontend ssl_endpoint=127.0.0.1:$tlsport ssl_certificate=$dir/tls/cert.pem ssl_private_key=$dir/tls/key.pem"
fi

fsid=$(uuidgen)
export CEPH_CONF=$dir/ceph.conf
# Notes on the settings (each one learned the hard way):
# - cephx stays on: without it, clients may talk before they know the fsid;
# - the OSD must not edit the crush map itself at boot (races the monmap):
#   this script places it;
# - short paxos intervals make the gateway's pool creation ~6x faster;
# - tcp_nodelay on the beast frontend, or keep-alive requests stall ~40 ms.
cat > "$CEPH_CONF" <<CONF
[global]
fsid = $fsid
mon host = [v1:127.0.0.1:$monport]
ms bind msgr2 = false
public addr = 127.0.0.1
cluster addr = 127.0.0.1
keyring = $dir/keyring
run dir = $dir/run
admin socket = $dir/run/\$name.asok
pid file = $dir/run/\$name.pid
log file = $dir/log/\$name.log
mon cluster log file = $dir/log/cluster.log
mon warn on insecure global id reclaim allowed = false
mon allow pool size one = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
mon data avail warn = 2
mon data avail crit = 1
mon lease = 5
paxos propose interval = 0.05
paxos min wait = 0.01
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
osd crush update on start = false
osd class update on start = false
osd objectstore = memstore
memstore device bytes = 2147483648
[mon]
mon data = $dir/mon
[osd]
osd data = $dir/osd
osd journal = $dir/osd/journal
[client.rgw.kiln]
rgw data = $dir/rgw
rgw frontends = $frontend tcp_nodelay=1
rgw thread pool size = 32
rgw dns name = localhost
# STS on, so that session tokens are checked (tests send a forged one)
rgw s3 auth use sts = true
rgw sts key = kilnteststskey01
CONF

again() { local i; for i in 1 2 3 4 5; do "$@" && return 0; sleep 0.3; done; return 1; }
record() { echo "$1 $2" >> "$dir/pids"; }

# keys for every daemon
kr=$dir/keyring
ceph-authtool --create-keyring "$kr" --gen-key -n mon. --cap mon 'allow *' >/dev/null
ceph-authtool "$kr" --gen-key -n client.admin --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' >/dev/null
ceph-authtool "$kr" --gen-key -n osd.0 --cap mon 'allow profile osd' --cap osd 'allow *' --cap mgr 'allow profile osd' >/dev/null
ceph-authtool "$kr" --gen-key -n client.rgw.kiln --cap mon 'allow rw' --cap osd 'allow rwx' >/dev/null

# monitor
monmaptool --create --clobber --fsid "$fsid" --addv a "[v1:127.0.0.1:$monport]" "$dir/monmap" >/dev/null
ceph-mon --mkfs -i a --monmap "$dir/monmap" --keyring "$kr"
ceph-mon -f -i a >"$dir/log/mon.out" 2>&1 </dev/null &
record mon $!
ok=0
for _ in $(seq 100); do ceph --connect-timeout 3 mon stat >/dev/null 2>&1 && { ok=1; break; }; sleep 0.2; done
[ $ok = 1 ] || { log "monitor did not answer"; exit 1; }

# one OSD, placed in the crush map by hand
uuid=$(uuidgen)
id=$(again ceph osd new "$uuid")
again ceph osd crush create-or-move "osd.$id" 1.0 root=default host=localhost >/dev/null 2>&1
ceph-osd -i "$id" --mkfs --osd-uuid "$uuid" >"$dir/log/osd-mkfs.out" 2>&1
ok=0
for try in 1 2 3; do
  ceph-osd -f -i "$id" >>"$dir/log/osd.out" 2>&1 </dev/null &
  pid=$!; record osd $pid
  for _ in $(seq 100); do
    kill -0 $pid 2>/dev/null || break
    ceph osd stat 2>/dev/null | grep -q ' 1 up' && { ok=1; break; }
    sleep 0.1
  done
  [ $ok = 1 ] && break
  log "osd not up (try $try)"; kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true
done
[ $ok = 1 ] || exit 1

# the gateway (creates its pools on first start)
ok=0
for try in 1 2 3; do
  radosgw -f -n client.rgw.kiln >>"$dir/log/rgw.out" 2>&1 </dev/null &
  pid=$!; record rgw $pid
  for _ in $(seq 300); do
    kill -0 $pid 2>/dev/null || break
    curl -s --max-time 2 -o /dev/null "http://127.0.0.1:$port/" && { ok=1; break; }
    sleep 0.1
  done
  [ $ok = 1 ] && break
  log "radosgw not answering (try $try)"; kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true
done
[ $ok = 1 ] || exit 1

again radosgw-admin user create --uid=kiln --display-name=kiln \
  --access-key="$key" --secret="$secret" >"$dir/user.json"
echo "AWS_ENDPOINT_URL=http://127.0.0.1:$port"
echo "AWS_ACCESS_KEY_ID=$key"
echo "AWS_SECRET_ACCESS_KEY=$secret"
if [ "$tlsport" != 0 ]; then
  echo "KILN_RGW_HTTPS_ENDPOINT=https://localhost:$tlsport"
  echo "KILN_RGW_CA=$dir/tls/cert.pem"
fi
