#!/bin/sh
# Installs the third-party tools of the interop tests from the npm registry:
# Shaka Player, hls.js, dash.js (npm name "dashjs"), playwright-core (drives
# Debian's /usr/bin/chromium; no browser is downloaded) and the Shaka Packager
# binary (npm "shaka-packager", which ships the executables in its tarball).
# Exact versions come from tests/interop/package.json + package-lock.json.
#
#   scripts/install-npm-tools.sh [DIR]
#
#   scripts/install-npm-tools.sh --store-only
#
# DIR defaults to $SV_NPM_TOOLS_DIR, else $SV_BUILD_DIR/npm-tools (under
# CTest), else build/npm-tools in the source tree. Prints DIR's absolute path
# on its last line (and nothing else when the tools are already installed).
#
# Paid once per machine: `npm ci` runs into the machine's store,
# $SV_NPM_STORE (default ${XDG_CACHE_HOME:-$HOME/.cache}/streamverse-npm),
# in a folder named after the checksum of package.json + package-lock.json;
# DIR's node_modules is then a symbolic link to that folder's, so a new build
# tree (a fresh clone, CI) costs nothing. --store-only fills the store and
# touches no DIR (scripts/install-deps.sh does it, with the Debian packages).
#
# Idempotent: a stamp file holds that checksum; when it matches, npm is not
# run at all. Concurrent callers (CTest runs tests in parallel) are
# serialised with flock(1). Any failure prints npm's own output and exits
# non-zero.
set -eu

src_dir=$(cd "$(dirname "$0")/.." && pwd)
lock_src="$src_dir/tests/interop/package-lock.json"
pkg_src="$src_dir/tests/interop/package.json"

store_only=0
if [ "${1:-}" = "--store-only" ]; then
    store_only=1
    shift
fi
if [ $# -ge 1 ] && [ -n "$1" ]; then
    dir=$1
elif [ -n "${SV_NPM_TOOLS_DIR:-}" ]; then
    dir=$SV_NPM_TOOLS_DIR
elif [ -n "${SV_BUILD_DIR:-}" ]; then
    dir=$SV_BUILD_DIR/npm-tools
else
    dir=$src_dir/build/npm-tools
fi

die() {
    echo "install-npm-tools: $*" >&2
    exit 1
}

for tool in node npm flock sha256sum; do
    command -v "$tool" >/dev/null 2>&1 ||
        die "$tool is missing: run scripts/install-deps.sh"
done
for f in "$pkg_src" "$lock_src"; do
    [ -f "$f" ] || die "missing $f"
done

# playwright-core and shaka-packager's launcher both need Node 18 or later.
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 18 ] || die "node $(node --version) is too old (need >= 18)"

want=$(cat "$pkg_src" "$lock_src" | sha256sum | cut -d' ' -f1)

# check_tools DIR - what the tests rely on is really in DIR/node_modules.
check_tools() {
    for f in node_modules/shaka-player/dist/shaka-player.compiled.js \
             node_modules/hls.js/dist/hls.min.js \
             node_modules/dashjs/dist/modern/umd/dash.all.min.js \
             node_modules/playwright-core/package.json; do
        [ -f "$1/$f" ] || die "$1/$f is missing"
    done
    packager=$("$src_dir/scripts/shaka-packager.sh" --no-install "$1") ||
        die "the Shaka Packager binary in $1 does not run"
}

# The machine's store: one folder per checksum, filled once by npm ci.
store_root=${SV_NPM_STORE:-${XDG_CACHE_HOME:-${HOME:?HOME is not set: set SV_NPM_STORE}/.cache}/streamverse-npm}
store="$store_root/$want"
mkdir -p "$store" || die "cannot create $store"
store=$(cd "$store" && pwd)
if [ ! -f "$store/.installed" ]; then
    exec 8>"$store/.lock"
    flock -w 600 8 || die "timed out waiting for another install into $store"
    if [ ! -f "$store/.installed" ]; then
        cp "$pkg_src" "$lock_src" "$store/"
        log="$store/npm-install.log"
        echo "install-npm-tools: npm ci into $store" >&2
        # PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: the tests drive Debian's chromium, and the
        # sandbox reaches no host but the package registries anyway.
        if ! (cd "$store" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund \
                --loglevel=error >"$log" 2>&1); then
            cat "$log" >&2
            die "npm ci failed in $store (log above, also in $log)"
        fi
        # Check that what the tests rely on is really there before stamping.
        check_tools "$store"
        echo "install-npm-tools: $("$packager" --version 2>&1)" >&2
        echo "$want" >"$store/.installed"
    fi
    exec 8>&-
fi
[ "$store_only" -eq 0 ] || exit 0

mkdir -p "$dir" || die "cannot create $dir"
dir=$(cd "$dir" && pwd)
stamp="$dir/.installed"

# Fast path without the lock: a finished install is never modified again.
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -d "$dir/node_modules" ]; then
    echo "$dir"
    exit 0
fi

exec 9>"$dir/.lock"
flock -w 600 9 || die "timed out waiting for another install into $dir"

# Another caller may have finished while this one waited for the lock.
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -d "$dir/node_modules" ]; then
    echo "$dir"
    exit 0
fi

rm -f "$stamp"
rm -rf "$dir/node_modules"
cp "$pkg_src" "$lock_src" "$dir/"
ln -s "$store/node_modules" "$dir/node_modules" || die "cannot link $dir/node_modules to $store"
check_tools "$dir"
echo "$want" >"$stamp"
echo "$dir"
