# scripts/lib.sh: what scripts/test, scripts/demo and scripts/bench share:
# the repository's location, the one list of Debian packages kiln needs, and
# configuring a build directory. Sourced, not run.

KILN_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Every package kiln's build, tests, demo and benchmarks use (Debian 12).
# ceph-* and radosgw run a real S3 server on loopback for the S3 tests;
# libxml2-utils (xmllint) checks the flame graphs are well-formed and
# chromium opens them headless to check what they draw.
KILN_PACKAGES=(
    build-essential meson ninja-build pkg-config
    libzstd-dev libxxhash-dev libprotobuf-c-dev protobuf-c-compiler zlib1g-dev
    libdeflate-dev
    libs3-dev libcurl4-openssl-dev libssl-dev libxml2-dev
    libcriterion-dev golang-go
    zstd gzip time curl openssl python3 libxml2-utils chromium
    ceph-mon ceph-osd radosgw ceph-common
)

kiln_log() {
    printf '==> %s\n' "$*" >&2
}

kiln_die() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

# Print the packages named (default: KILN_PACKAGES) that are not
# installed, one a line.
kiln_missing_packages() {
    local p status
    [ "$#" -gt 0 ] || set -- "${KILN_PACKAGES[@]}"
    for p in "$@"; do
        status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
        [ "$status" = "install ok installed" ] || printf '%s\n' "$p"
    done
}

# kiln_install_packages PKG...: install those missing with apt-get (through
# sudo when not root). Does nothing, and touches no package index, when
# everything is present. KILN_NO_INSTALL=1 skips this step (for machines
# managed otherwise).
kiln_install_packages() {
    local missing sudo=()
    if [ "${KILN_NO_INSTALL:-0}" = 1 ]; then
        return 0
    fi
    if ! command -v dpkg-query >/dev/null 2>&1; then
        kiln_log "not a Debian system: install by hand: $*"
        return 0
    fi
    mapfile -t missing < <(kiln_missing_packages "$@")
    if [ "${#missing[@]}" -eq 0 ]; then
        return 0
    fi
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 ||
            kiln_die "not root and no sudo: install ${missing[*]}"
        sudo=(sudo)
    fi
    kiln_log "installing ${#missing[@]} missing packages: ${missing[*]}"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# Every package of KILN_PACKAGES.
kiln_install_deps() {
    kiln_install_packages "${KILN_PACKAGES[@]}"
}

# kiln_setup_build DIR [MESON_OPTION...]: configure DIR (relative to the
# repository), reusing it when it exists; the options apply either way.
kiln_setup_build() {
    local dir=$1
    shift
    if [ -f "$KILN_ROOT/$dir/build.ninja" ]; then
        if [ "$#" -gt 0 ]; then
            meson configure "$KILN_ROOT/$dir" "$@" >/dev/null ||
                meson setup --reconfigure "$KILN_ROOT/$dir" "$KILN_ROOT" "$@"
        fi
    else
        meson setup "$KILN_ROOT/$dir" "$KILN_ROOT" "$@"
    fi
}

# Bytes of the files found under a directory by `find DIR -name PATTERN`.
kiln_bytes() {
    find "$1" -type f -name "$2" -printf '%s\n' | awk '{s += $1} END {print s + 0}'
}
