#!/bin/sh
# Prints the absolute path of the Shaka Packager binary that the npm package
# "shaka-packager" (version pinned in tests/interop/package-lock.json) ships,
# installing the npm tools first when needed (scripts/install-npm-tools.sh).
#
#   scripts/shaka-packager.sh [--no-install] [DIR]
#
# DIR is the npm tools folder, with the same default as install-npm-tools.sh
# ($SV_NPM_TOOLS_DIR, else $SV_BUILD_DIR/npm-tools, else build/npm-tools).
# Use from a test:  packager=$("$SV_SOURCE_DIR/scripts/shaka-packager.sh")
# Exits non-zero with a message when the binary is missing or does not run.
set -eu

src_dir=$(cd "$(dirname "$0")/.." && pwd)
install=1
if [ "${1:-}" = "--no-install" ]; then
    install=0
    shift
fi

if [ "$install" -eq 1 ]; then
    out=$("$src_dir/scripts/install-npm-tools.sh" "${1:-}") || exit 1
    dir=$(printf '%s\n' "$out" | tail -n 1)
elif [ $# -ge 1 ] && [ -n "$1" ]; then
    dir=$1
else
    echo "shaka-packager: --no-install needs the tools folder" >&2
    exit 1
fi

# The package carries one executable per platform; pick this machine's.
case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) bin=packager-linux-x64 ;;
    Linux-aarch64 | Linux-arm64) bin=packager-linux-arm64 ;;
    Darwin-x86_64) bin=packager-osx-x64 ;;
    Darwin-arm64) bin=packager-osx-arm64 ;;
    *)
        echo "shaka-packager: no packager binary for $(uname -s) $(uname -m)" >&2
        exit 1
        ;;
esac

path="$dir/node_modules/shaka-packager/bin/$bin"
if [ ! -x "$path" ]; then
    echo "shaka-packager: $path is missing or not executable" >&2
    exit 1
fi
if ! "$path" --version >/dev/null 2>&1; then
    echo "shaka-packager: $path does not run: $("$path" --version 2>&1 | head -n 3)" >&2
    exit 1
fi
echo "$path"
