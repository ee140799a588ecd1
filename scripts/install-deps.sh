#!/bin/sh
# Installs every Debian bookworm package Streamverse needs to build and test.
# Idempotent: packages already present are left alone and nothing is printed
# for them. Quiet on success, loud on failure (non-zero exit, apt's own error).
#
#   scripts/install-deps.sh           build + test dependencies
#   scripts/install-deps.sh --check   only report what is missing (exit 1 if any)
#
# Then the npm tools of the interop tests go into the machine's store
# (scripts/install-npm-tools.sh --store-only): the download is paid here,
# once per machine, not by the first `make test` of each build tree.
set -eu

src_dir=$(cd "$(dirname "$0")/.." && pwd)

npm_tools() {
    "$src_dir/scripts/install-npm-tools.sh" --store-only
}

PACKAGES="
  build-essential cmake pkg-config git ca-certificates
  clang libclang-rt-14-dev llvm
  libavformat-dev libavcodec-dev libavutil-dev libswscale-dev libswresample-dev libavfilter-dev
  ffmpeg
  libgstreamer-plugins-bad1.0-dev
  libsdl2-dev
  libcurl4-openssl-dev curl
  libxml2-dev
  libssl-dev openssl
  libuv1-dev
  libhttp-parser-dev
  libjansson-dev
  libsqlite3-dev sqlite3
  postgresql libpq-dev
  libcmocka-dev
  abigail-tools
  xvfb xauth x11-utils
  nginx-light wrk mpv hyperfine time valgrind
  chromium nodejs
"

missing=""
for p in $PACKAGES; do
    # dpkg-query prints "install ok installed" only for fully installed packages.
    if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
        missing="$missing $p"
    fi
done

# Debian's npm conflicts with NodeSource's nodejs, which carries its own npm:
# ask for Debian's only when no npm is on the PATH.
command -v npm >/dev/null 2>&1 || missing="$missing npm"

if [ "${1:-}" = "--check" ]; then
    [ -z "$missing" ] && exit 0
    echo "missing packages:$missing" >&2
    exit 1
fi

if [ -z "$missing" ]; then
    npm_tools
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "install-deps: need root (or sudo) to install:$missing" >&2
        exit 1
    fi
fi

echo "install-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
if ! $SUDO apt-get update -qq >"$log" 2>&1; then
    cat "$log" >&2
    echo "install-deps: apt-get update failed" >&2
    rm -f "$log"
    exit 1
fi
# shellcheck disable=SC2086
if ! $SUDO apt-get install -y -qq --no-install-recommends $missing >"$log" 2>&1; then
    cat "$log" >&2
    echo "install-deps: apt-get install failed for:$missing" >&2
    rm -f "$log"
    exit 1
fi
rm -f "$log"
echo "install-deps: done"
npm_tools
