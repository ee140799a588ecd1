#!/bin/sh
# `cmake --install` into a fresh prefix yields the headers, both libraries and
# streamverse.pc, and a small program builds against them with nothing but
# `pkg-config --cflags --libs streamverse`, dynamically and statically.
set -eu
: "${SV_BUILD_DIR:?}" "${SV_SOURCE_DIR:?}" "${CC:=cc}"
command -v pkg-config >/dev/null || { echo "pkg-config missing: run scripts/install-deps.sh"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix="$tmp/prefix"

cmake --install "$SV_BUILD_DIR" --prefix "$prefix" >"$tmp/install.log" 2>&1 || {
    cat "$tmp/install.log"; exit 1; }

libdir=$(find "$prefix" -name streamverse.pc -path '*pkgconfig*' -exec dirname {} \; | head -n1)
[ -n "$libdir" ] || { echo "FAIL: streamverse.pc not installed"; exit 1; }
libdir=$(dirname "$libdir")
for f in "$prefix/include/streamverse/player.h" "$prefix/include/streamverse/timed.h" \
         "$prefix/include/streamverse/sinks.h" \
         "$prefix/include/streamverse/cdm.h" "$prefix/include/streamverse/abr.h" \
         "$prefix/include/streamverse/version.h" "$prefix/include/streamverse/clock.h" \
         "$libdir/libstreamverse.a"; do
    [ -f "$f" ] || { echo "FAIL: $f not installed"; exit 1; }
done
ls "$libdir"/libstreamverse.so.* >/dev/null 2>&1 || { echo "FAIL: shared library not installed"; exit 1; }

export PKG_CONFIG_PATH="$libdir/pkgconfig"
version=$(pkg-config --modversion streamverse)

# Dynamic.
# shellcheck disable=SC2046
"$CC" -std=c11 -Wall -Wextra -Werror -o "$tmp/consumer" "$SV_SOURCE_DIR/tests/integration/pkgconfig_consumer.c" \
    $(pkg-config --cflags --libs streamverse)
out=$(LD_LIBRARY_PATH="$libdir" "$tmp/consumer")
echo "dynamic: $out"
[ "$out" = "streamverse $version ok" ] || { echo "FAIL: unexpected output"; exit 1; }

# Static libstreamverse, shared system libraries: the .pc's private
# requirements must name every library libstreamverse.a needs. (A fully
# static link would also need the static archives of libcurl's own
# dependencies, which Debian does not ship.)
private=$(pkg-config --print-requires-private streamverse | awk '{print $1}' | tr '\n' ' ')
# shellcheck disable=SC2046,SC2086
"$CC" -std=c11 -o "$tmp/consumer-static" "$SV_SOURCE_DIR/tests/integration/pkgconfig_consumer.c" \
    $(pkg-config --cflags streamverse) "$libdir/libstreamverse.a" $(pkg-config --libs $private) \
    $(sed -n 's/^Libs.private: *//p' "$libdir/pkgconfig/streamverse.pc")
out=$("$tmp/consumer-static")
echo "static: $out"
[ "$out" = "streamverse $version ok" ] || { echo "FAIL: unexpected output (static)"; exit 1; }
if ldd "$tmp/consumer-static" | grep -q libstreamverse; then
    echo "FAIL: static consumer still loads libstreamverse.so"; exit 1
fi
echo "1 passed, 0 failed"
