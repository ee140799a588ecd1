#!/bin/sh
# Installs what the ARM builds need (make test-arm, docs/porting.md):
#   - on the host: Debian's cross compilers (gcc-aarch64-linux-gnu,
#     gcc-arm-linux-gnueabihf) and qemu-user-static;
#   - per target architecture, a sysroot holding Debian bookworm's arm64 or
#     armhf -dev packages of every library the project links, and their
#     run-time libraries for qemu.
#
# Why sysroots and not `dpkg --add-architecture`: multiarch -dev packages of
# two foreign architectures and the host's own must all be the same version
# to be co-installable, and are not always (a security update published for
# one architecture before another, or files that differ per build). A sysroot
# per architecture is unpacked from the very same Debian packages (apt resolves
# the dependencies in a private state folder, dpkg -x unpacks them), touches
# nothing of the host's package set, and can never conflict.
#
#   scripts/install-cross-deps.sh [ARCH...]          ARCH: arm64, armhf (default both)
#   scripts/install-cross-deps.sh --check [ARCH...]  report what is missing (exit 1 if any)
#   scripts/install-cross-deps.sh --print-sysroot ARCH
#
# The sysroots live in $SV_CROSS_CACHE (default ~/.cache/streamverse-cross),
# one folder per architecture: <arch>/sysroot. Idempotent: a sysroot that is
# complete for the current package list is left alone and nothing is printed.
# Quiet on success, loud on failure (non-zero exit, the tool's own error).
set -eu

HOST_PACKAGES="gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf libc6-dev-arm64-cross libc6-dev-armhf-cross qemu-user-static"

# The libraries the build links: every lib*-dev package of
# scripts/install-deps.sh (read from it, so a new dependency reaches the
# sysroots too), but the compiler's own sanitizer runtime. The tools the tests
# run, such as ffmpeg and xmllint, stay the host's.
HOST_DEPS="$(dirname "$0")/install-deps.sh"
[ -f "$HOST_DEPS" ] || { echo "install-cross-deps: $HOST_DEPS is missing" >&2; exit 1; }
TARGET_PACKAGES=$(sed -n '/^PACKAGES="/,/^"/p' "$HOST_DEPS" | tr ' ' '\n' |
                  grep -E '^lib.*-dev$' | grep -v '^libclang-rt' | tr '\n' ' ')
[ -n "$TARGET_PACKAGES" ] || { echo "install-cross-deps: no -dev package in $HOST_DEPS" >&2; exit 1; }

CACHE=${SV_CROSS_CACHE:-${XDG_CACHE_HOME:-${HOME:?HOME is not set: set SV_CROSS_CACHE}/.cache}/streamverse-cross}

die() { echo "install-cross-deps: $*" >&2; exit 1; }

triplet_of() {
    case $1 in
        arm64) echo aarch64-linux-gnu ;;
        armhf) echo arm-linux-gnueabihf ;;
        *) die "unknown architecture '$1' (expected arm64 or armhf)" ;;
    esac
}

qemu_of() {
    case $1 in
        arm64) echo qemu-aarch64-static ;;
        armhf) echo qemu-arm-static ;;
    esac
}

loader_of() {
    case $1 in
        arm64) echo /lib/ld-linux-aarch64.so.1 ;;
        armhf) echo /lib/ld-linux-armhf.so.3 ;;
    esac
}

# The stamp names the package list a sysroot was made from; a new list makes
# a new sysroot.
stamp_text() {
    echo "streamverse sysroot v1: $(echo $TARGET_PACKAGES)"
}

sysroot_ok() {
    s="$CACHE/$1/sysroot/.streamverse-sysroot"
    [ -f "$s" ] && [ "$(cat "$s")" = "$(stamp_text)" ]
}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "need root (or sudo) to run: $*"
    fi
}

# run_logged WHAT CMD...: runs CMD quietly; on failure prints its output.
run_logged() {
    what=$1
    shift
    log=$(mktemp)
    if ! "$@" >"$log" 2>&1; then
        cat "$log" >&2
        rm -f "$log"
        die "$what failed"
    fi
    rm -f "$log"
}

install_host_packages() {
    missing=""
    for p in $HOST_PACKAGES; do
        if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
            missing="$missing $p"
        fi
    done
    [ -z "$missing" ] && return 0
    echo "install-cross-deps: installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    run_logged "apt-get update" as_root apt-get update -qq
    # shellcheck disable=SC2086
    run_logged "apt-get install$missing" as_root apt-get install -y -qq --no-install-recommends $missing
}

# Absolute symbolic links in the packages (libm.so -> /lib/<triplet>/libm.so.6)
# point into the host once unpacked elsewhere: make them relative.
relink_absolute() {
    root=$1
    find "$root" -type l -lname '/*' | while IFS= read -r link; do
        target=$(readlink "$link")
        rel=$(realpath -m --relative-to="$(dirname "$link")" "$root$target")
        ln -sfn "$rel" "$link"
    done
}

# Libraries that Debian installs through update-alternatives (postinst
# scripts, which dpkg -x does not run): link the default in place.
link_alternatives() {
    root=$1 triplet=$2
    libdir="$root/usr/lib/$triplet"
    for alt in blas/libblas.so.3 lapack/liblapack.so.3; do
        if [ -e "$libdir/$alt" ] && [ ! -e "$libdir/$(basename "$alt")" ]; then
            ln -s "$alt" "$libdir/$(basename "$alt")"
        fi
    done
}

# Every library the build links, loaded by the target's own dynamic loader
# under qemu: a missing dependency shows up here rather than in a test.
verify_sysroot() {
    arch=$1 root=$2 triplet=$3
    qemu=$(qemu_of "$arch")
    loader=$(loader_of "$arch")
    for lib in libavfilter.so.8 libavformat.so.59 libSDL2-2.0.so.0 libcurl.so.4 libpq.so.5 \
               libxml2.so.2 libuv.so.1 libjansson.so.4 libsqlite3.so.0 libcmocka.so.0 \
               libhttp_parser.so.2.9 libgstcodecparsers-1.0.so.0; do
        path="$root/usr/lib/$triplet/$lib"
        [ -e "$path" ] || die "$arch sysroot: $lib is missing"
        out=$("$qemu" -L "$root" "$root$loader" --list "$path" 2>&1) ||
            die "$arch sysroot: the loader cannot list $lib: $out"
        if echo "$out" | grep -q 'not found'; then
            echo "$out" | grep 'not found' >&2
            die "$arch sysroot: $lib has unresolved dependencies"
        fi
    done
}

make_sysroot() {
    arch=$1
    triplet=$(triplet_of "$arch")
    dir="$CACHE/$arch"
    apt="$dir/apt"
    new="$dir/sysroot.new"
    echo "install-cross-deps: making the $arch sysroot in $dir/sysroot"
    mkdir -p "$apt/state/lists/partial" "$apt/cache/archives/partial"
    # An empty status file: apt resolves the packages' whole dependency
    # closure for the target architecture, independent of the host's.
    : >"$apt/status"
    set -- -o "APT::Architecture=$arch" -o "APT::Architectures::=$arch" \
        -o "Dir::State=$apt/state" -o "Dir::State::status=$apt/status" \
        -o "Dir::Cache=$apt/cache" -o "Debug::NoLocking=true" \
        -o "pkgCacheGen::Essential=none" -o "APT::Install-Recommends=false" \
        -o "APT::Sandbox::User=root"
    run_logged "apt-get update ($arch)" apt-get "$@" update -qq
    # shellcheck disable=SC2086
    run_logged "apt-get download ($arch)" apt-get "$@" install --download-only -y -qq $TARGET_PACKAGES
    # Packages superseded by a newer download are dropped, so the unpacked set
    # is exactly what apt chose this time.
    run_logged "apt-get autoclean ($arch)" apt-get "$@" autoclean -qq
    rm -rf "$new"
    mkdir -p "$new"
    for deb in "$apt/cache/archives"/*.deb; do
        dpkg-deb -x "$deb" "$new" || die "cannot unpack $deb"
    done
    relink_absolute "$new"
    link_alternatives "$new" "$triplet"
    verify_sysroot "$arch" "$new" "$triplet"
    stamp_text >"$new/.streamverse-sysroot"
    rm -rf "$dir/sysroot"
    mv "$new" "$dir/sysroot"
    echo "install-cross-deps: $arch sysroot ready ($(ls "$apt/cache/archives"/*.deb | wc -l) packages)"
}

check=0
print=0
case ${1:-} in
    --check) check=1; shift ;;
    --print-sysroot) print=1; shift ;;
esac
archs=${*:-arm64 armhf}
for a in $archs; do
    triplet_of "$a" >/dev/null
done

if [ "$print" -eq 1 ]; then
    [ $# -eq 1 ] || die "--print-sysroot takes one architecture"
    echo "$CACHE/$1/sysroot"
    exit 0
fi

if [ "$check" -eq 1 ]; then
    missing=""
    for p in $HOST_PACKAGES; do
        [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] ||
            missing="$missing $p"
    done
    for a in $archs; do
        sysroot_ok "$a" || missing="$missing $a-sysroot"
    done
    [ -z "$missing" ] && exit 0
    echo "missing:$missing" >&2
    exit 1
fi

install_host_packages
for a in $archs; do
    sysroot_ok "$a" || make_sysroot "$a"
done
