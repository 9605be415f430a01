#!/usr/bin/env bash
# tests/install/install_test.sh: install kiln from the build dir into a
# temporary root, then build consumer.c against the installed kiln.pc alone,
# once against the shared library and once against the static one, and run
# both. Usage: install_test.sh BUILD_DIR SOURCE_DIR [B_SANITIZE]
set -euo pipefail

build=$1
src=$2
sanitize=${3:-none}
profile=${KILN_CORPUS:?KILN_CORPUS not set}/pprof/jerrinot__ap-query__testdata__cpu.pb.gz
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kiln-install-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root

meson install -C "$build" --no-rebuild --quiet --destdir "$root" >"$tmp/install.log" 2>&1 ||
    { cat "$tmp/install.log"; exit 1; }

pc=$(find "$root" -name kiln.pc -path '*pkgconfig*' | head -n 1)
[ -n "$pc" ] || { echo "kiln.pc was not installed"; find "$root"; exit 1; }
for h in kiln.h common.h store.h writer.h reader.h; do
    [ -n "$(find "$root" -path "*/include/kiln/$h")" ] || { echo "kiln/$h not installed"; exit 1; }
done
echo "installed: ${pc#"$root"}"

# pkg-config sees the installed tree through the sysroot, as for a DESTDIR
# install; nothing of the source or build tree is on any path.
export PKG_CONFIG_PATH=$(dirname "$pc")
export PKG_CONFIG_SYSROOT_DIR=$root
cc=${CC:-cc}
# A sanitizer build's libkiln needs the sanitizer runtime in the program too.
san=()
[ "$sanitize" = none ] || san=(-fsanitize="$sanitize")

cflags=$(pkg-config --cflags kiln)
libs=$(pkg-config --libs kiln)
echo "shared: $cc consumer.c $cflags $libs"
$cc "${san[@]}" -std=c11 -Wall -Wextra -Werror -o "$tmp/consumer-shared" "$src/consumer.c" $cflags $libs
libdir=$(pkg-config --libs-only-L kiln | sed 's/^ *-L//; s/ *$//')
LD_LIBRARY_PATH=$libdir "$tmp/consumer-shared" "$profile" "$tmp/store-shared"
readelf -d "$tmp/consumer-shared" | grep -q 'NEEDED.*libkiln\.so' ||
    { echo "shared consumer does not link libkiln.so"; exit 1; }

# Static: libkiln.a plus the private dependencies kiln.pc lists.
slibs=$(pkg-config --static --libs kiln)
slibs=$(printf '%s\n' "$slibs" | sed 's/\(^\| \)-lkiln\( \|$\)/ -Wl,-Bstatic -lkiln -Wl,-Bdynamic /')
echo "static: $cc consumer.c $cflags $slibs"
$cc "${san[@]}" -std=c11 -Wall -Wextra -Werror -o "$tmp/consumer-static" "$src/consumer.c" $cflags $slibs
if readelf -d "$tmp/consumer-static" | grep -q 'NEEDED.*libkiln'; then
    echo "static consumer still needs libkiln.so"; exit 1
fi
env -u LD_LIBRARY_PATH "$tmp/consumer-static" "$profile" "$tmp/store-static"
echo "install test passed"
