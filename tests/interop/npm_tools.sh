#!/bin/sh
# The npm tools install (CTest fixture setup for every browser test): runs
# scripts/install-npm-tools.sh into $SV_BUILD_DIR/npm-tools, then checks that
# each package is at the version tests/interop/package-lock.json pins, that
# the Shaka Packager binary runs, and that a second install is a silent no-op.
set -eu
: "${SV_SOURCE_DIR:?run through ctest (SV_SOURCE_DIR unset)}"
: "${SV_BUILD_DIR:?run through ctest (SV_BUILD_DIR unset)}"

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# The script's standard output is the folder and nothing else.
dir=$("$SV_SOURCE_DIR/scripts/install-npm-tools.sh" "$SV_BUILD_DIR/npm-tools") || fail "install failed"
[ "$dir" = "$(cd "$SV_BUILD_DIR/npm-tools" && pwd)" ] || fail "install printed '$dir'"

lock="$SV_SOURCE_DIR/tests/interop/package-lock.json"
for pkg in shaka-player hls.js dashjs playwright-core shaka-packager; do
    want=$(node -e 'const l = require(process.argv[1]); console.log(l.packages["node_modules/" + process.argv[2]].version)' "$lock" "$pkg")
    have=$(node -p 'require(process.argv[1]).version' "$dir/node_modules/$pkg/package.json")
    [ "$have" = "$want" ] || fail "$pkg is $have, the lock file pins $want"
    echo "ok: $pkg $have"
done

packager=$("$SV_SOURCE_DIR/scripts/shaka-packager.sh" "$dir")
version=$("$packager" --version 2>&1)
case "$version" in
    *v3.4.*) echo "ok: $version" ;;
    *) fail "packager says '$version', expected v3.4.x" ;;
esac

again=$("$SV_SOURCE_DIR/scripts/install-npm-tools.sh" "$dir" 2>&1)
[ "$again" = "$dir" ] || fail "second install was not a silent no-op: '$again'"
echo "ok: second install printed only the folder"
