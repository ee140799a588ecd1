#!/bin/sh
# The SDL2 sinks live in libstreamverse-sdl2, beside libstreamverse:
# - libstreamverse.so has no SDL2 among its NEEDED libraries, and neither
#   has svtrace, which links only the core; libstreamverse-sdl2.so has, with
#   the core's SOVERSION; svplay links both libraries;
# - streamverse.pc names no SDL2 (not even privately) and
#   streamverse-sdl2.pc requires streamverse and sdl2, in the build tree and
#   once installed, where a program builds and runs against
#   `pkg-config --cflags --libs streamverse-sdl2`.
# Usage: check_libraries.sh LIBSTREAMVERSE_SO LIBSTREAMVERSE_SDL2_SO SVPLAY SVTRACE
set -eu
: "${SV_BUILD_DIR:?}" "${SV_SOURCE_DIR:?}" "${CC:=cc}"
core=$1 sdl=$2 svplay=$3 svtrace=$4
for tool in readelf pkg-config; do
    command -v $tool >/dev/null || { echo "$tool missing: run scripts/install-deps.sh"; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'; }
soname() { readelf -d "$1" | sed -n 's/.*(SONAME).*\[\(.*\)\]$/\1/p'; }
# has LIST NAME_REGEX: a line of LIST matches the anchored regex.
has() { printf '%s\n' "$1" | grep -Eq "^($2)\$"; }

# --- NEEDED and SONAME --------------------------------------------------------
core_needed=$(needed "$core")
sdl_needed=$(needed "$sdl")
svplay_needed=$(needed "$svplay")
svtrace_needed=$(needed "$svtrace")
core_so=$(soname "$core")
sdl_so=$(soname "$sdl")
echo "libstreamverse ($core_so) NEEDED:" $core_needed
echo "libstreamverse-sdl2 ($sdl_so) NEEDED:" $sdl_needed
echo "svplay NEEDED:" $svplay_needed
# The lists were read at all: the core links libcurl, libc is everywhere.
has "$core_needed" 'libcurl\.so\..*' || fail "no libcurl in libstreamverse's NEEDED: readelf not understood"
has "$core_needed" 'libSDL2.*' && fail "libstreamverse.so links SDL2"
has "$svtrace_needed" 'libSDL2.*' && fail "svtrace links SDL2 though it uses only the core"
has "$svtrace_needed" "$core_so" || fail "svtrace does not link $core_so"
has "$sdl_needed" 'libSDL2-2\.0\.so\..*' || fail "libstreamverse-sdl2.so does not link SDL2"
case "$core_so" in libstreamverse.so.[0-9]*) ;; *) fail "libstreamverse's SONAME is '$core_so'";; esac
[ "$sdl_so" = "libstreamverse-sdl2.so.${core_so#libstreamverse.so.}" ] ||
    fail "libstreamverse-sdl2's SONAME '$sdl_so' does not carry the SOVERSION of $core_so"
has "$svplay_needed" "$core_so" || fail "svplay does not link $core_so"
has "$svplay_needed" "$sdl_so" || fail "svplay does not link $sdl_so"

# --- pkg-config files -----------------------------------------------------------
# check_pc DIR WHERE: the two .pc files in DIR.
check_pc() {
    dir=$1 where=$2
    [ -f "$dir/streamverse.pc" ] || { fail "$where: no streamverse.pc"; return; }
    [ -f "$dir/streamverse-sdl2.pc" ] || { fail "$where: no streamverse-sdl2.pc"; return; }
    grep -qi sdl "$dir/streamverse.pc" && fail "$where: streamverse.pc names SDL2"
    libs=$(PKG_CONFIG_PATH="$dir" pkg-config --libs --static streamverse) ||
        fail "$where: pkg-config --libs --static streamverse failed"
    echo "$where: pkg-config --libs streamverse: $(PKG_CONFIG_PATH="$dir" pkg-config --libs streamverse)"
    case " $libs " in *" -lstreamverse "*) ;; *) fail "$where: no -lstreamverse in '$libs'";; esac
    case " $libs " in *SDL2*) fail "$where: pkg-config --libs --static streamverse lists SDL2";; esac
    requires=$(sed -n 's/^Requires: *//p' "$dir/streamverse-sdl2.pc")
    case "$requires" in streamverse*sdl2*) ;; *)
        fail "$where: streamverse-sdl2.pc requires '$requires', not streamverse and sdl2";; esac
    libs=$(PKG_CONFIG_PATH="$dir" pkg-config --libs streamverse-sdl2) ||
        fail "$where: pkg-config --libs streamverse-sdl2 failed"
    echo "$where: pkg-config --libs streamverse-sdl2: $libs"
    for l in -lstreamverse-sdl2 -lstreamverse -lSDL2; do
        case " $libs " in *" $l "*) ;; *) fail "$where: no $l in '$libs'";; esac
    done
}
check_pc "$SV_BUILD_DIR" "build tree"

cmake --install "$SV_BUILD_DIR" --prefix "$tmp/prefix" >"$tmp/install.log" 2>&1 || {
    cat "$tmp/install.log"; exit 1; }
pcdir=$(find "$tmp/prefix" -name streamverse-sdl2.pc -path '*pkgconfig*' -exec dirname {} \; | head -n1)
[ -n "$pcdir" ] || { echo "FAIL: streamverse-sdl2.pc not installed"; exit 1; }
libdir=$(dirname "$pcdir")
check_pc "$pcdir" "installed"
for f in "$libdir/libstreamverse-sdl2.a" "$libdir/$sdl_so" "$tmp/prefix/include/streamverse/sdl2.h"; do
    [ -f "$f" ] || fail "$f not installed"
done
# A sanitizer build's libraries need the program built with the same
# runtime, which must come first.
san=""
has "$core_needed" 'libasan\.so.*' && san="-fsanitize=address,undefined"
# shellcheck disable=SC2046,SC2086
if "$CC" -std=c11 -Wall -Wextra -Werror $san -o "$tmp/consumer" \
        "$SV_SOURCE_DIR/tests/unit/api/sdl2_consumer.c" \
        $(PKG_CONFIG_PATH="$pcdir" pkg-config --cflags --libs streamverse-sdl2) 2>"$tmp/cc.log"; then
    out=$(LD_LIBRARY_PATH="$libdir" "$tmp/consumer") || true
    echo "consumer: $out"
    [ "$out" = "streamverse-sdl2 $(PKG_CONFIG_PATH="$pcdir" pkg-config --modversion streamverse) ok" ] ||
        fail "the streamverse-sdl2 consumer printed '$out'"
else
    cat "$tmp/cc.log"; fail "a program does not build with pkg-config streamverse-sdl2"
fi

[ "$failures" -eq 0 ] || { echo "$failures failures"; exit 1; }
echo "libraries and pkg-config files as promised"
