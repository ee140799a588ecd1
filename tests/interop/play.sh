#!/bin/sh
# One browser interop test: play a fixture from tests/interop/make_fixtures.sh
# with a third-party player in headless Chromium and check the summary.
#
#   play.sh PLAYER URL [CHECK_OPTIONS --] [browser_play.js options...]
#
# URL is relative to the fixture folder, which sv-faultsrv serves together
# with the test page. CHECK_OPTIONS go to check_summary.js (for example
# --duration 10 --size 640x360, or --expect-fail TEXT); `--` ends them.
# Plays at 4x so a 10 s clip takes about 3 s (docs/interop.md).
set -eu
: "${SV_SOURCE_DIR:?run through ctest (SV_SOURCE_DIR unset)}"
: "${SV_BUILD_DIR:?run through ctest (SV_BUILD_DIR unset)}"

player=$1
url=$2
shift 2
check=""
case " $* " in
    *" -- "*)
        while [ "$1" != "--" ]; do
            check="$check $1"
            shift
        done
        shift
        ;;
esac

here="$SV_SOURCE_DIR/tests/interop"
media="$SV_BUILD_DIR/tests/interop/media"
[ -f "$media/clip.mp4" ] || { echo "FAIL: no fixtures in $media (interop_fixtures did not run)" >&2; exit 1; }
command -v node >/dev/null 2>&1 || { echo "FAIL: node is missing: run scripts/install-deps.sh" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sv-play.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The page and the player library are staged into a copy of the fixture tree,
# so parallel tests never write into the shared folder.
cp -R "$media" "$tmp/www"
rc=0
node "$here/browser_play.js" --player "$player" --root "$tmp/www" --url "$url" --rate 4 \
    --server-log "$tmp/requests.jsonl" --json-out "$tmp/summary.json" "$@" >/dev/null || rc=$?
[ -f "$tmp/summary.json" ] || { echo "FAIL: browser_play.js wrote no summary (exit $rc)" >&2; exit 1; }
echo "requests served: $(wc -l <"$tmp/requests.jsonl")"
# shellcheck disable=SC2086 # check options are words
if ! node "$here/check_summary.js" "$tmp/summary.json" $check; then
    cat "$tmp/summary.json"
    exit 1
fi
