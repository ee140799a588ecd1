#!/bin/sh
# Installs the third-party tools of the interop tests from the npm registry:
# Shaka Player, hls.js, dash.js (npm name "dashjs"), playwright-core (drives
# Debian's /usr/bin/chromium; no browser is downloaded) and the Shaka Packager
# binary (npm "shaka-packager", which ships the executables in its tarball).
# Exact versions come from tests/interop/package.json + package-lock.json.
#
#   scripts/install-npm-tools.sh [DIR]
#
# DIR defaults to $SV_NPM_TOOLS_DIR, else $SV_BUILD_DIR/npm-tools (under
# CTest), else build/npm-tools in the source tree. Prints DIR's absolute path
# on its last line (and nothing else when the tools are already installed).
#
# Idempotent: a stamp file holds the checksum of the lock file that was
# installed; when it matches, npm is not run at all. Concurrent callers (CTest
# runs tests in parallel) are serialised with flock(1). Any failure prints
# npm's own output and exits non-zero.
set -eu

src_dir=$(cd "$(dirname "$0")/.." && pwd)
lock_src="$src_dir/tests/interop/package-lock.json"
pkg_src="$src_dir/tests/interop/package.json"

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

mkdir -p "$dir" || die "cannot create $dir"
dir=$(cd "$dir" && pwd)
want=$(cat "$pkg_src" "$lock_src" | sha256sum | cut -d' ' -f1)
stamp="$dir/.installed"

# Fast path without the lock: a finished install is never modified again.
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "$dir"
    exit 0
fi

exec 9>"$dir/.lock"
flock -w 600 9 || die "timed out waiting for another install into $dir"

# Another caller may have finished while this one waited for the lock.
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "$dir"
    exit 0
fi

rm -f "$stamp"
cp "$pkg_src" "$lock_src" "$dir/"
log="$dir/npm-install.log"
echo "install-npm-tools: npm ci into $dir" >&2
# PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: the tests drive Debian's chromium, and the
# sandbox reaches no host but the package registries anyway.
if ! (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund \
        --loglevel=error >"$log" 2>&1); then
    cat "$log" >&2
    die "npm ci failed in $dir (log above, also in $log)"
fi

# Check that what the tests rely on is really there before stamping.
for f in node_modules/shaka-player/dist/shaka-player.compiled.js \
         node_modules/hls.js/dist/hls.min.js \
         node_modules/dashjs/dist/modern/umd/dash.all.min.js \
         node_modules/playwright-core/package.json; do
    [ -f "$dir/$f" ] || die "npm ci finished but $dir/$f is missing"
done
packager=$("$src_dir/scripts/shaka-packager.sh" --no-install "$dir") ||
    die "the Shaka Packager binary does not run"
echo "install-npm-tools: $("$packager" --version 2>&1)" >&2

echo "$want" >"$stamp"
echo "$dir"
