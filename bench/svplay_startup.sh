#!/bin/sh
# Time to first frame on loopback: svplay vs mpv vs ffmpeg, in one hyperfine
# run on the same stream served by sv-faultsrv.
#   bench/svplay_startup.sh [BUILD_DIR] [FIXTURE_PATH]
# BUILD_DIR defaults to build/, FIXTURE_PATH to hls_fmp4/master.m3u8 (any path
# under the fixtures' www/, e.g. dash_ffmpeg/manifest.mpd). $SVPLAY replaces
# the svplay binary; $RUNS sets hyperfine's runs (default 30).
# Prints each median and the ratio svplay/mpv (goal: <= 0.7).
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
SV_SOURCE_DIR=$src
SV_BUILD_DIR=$(cd "${1:-$src/build}" && pwd)
export SV_SOURCE_DIR SV_BUILD_DIR
path=${2:-hls_fmp4/master.m3u8}
"$src/scripts/make-test-streams.sh" "${SV_TEST_STREAMS:-$SV_BUILD_DIR/test-streams}" core
. "$src/tests/player/playlib.sh"
pl_need hyperfine mpv

pl_serve
url="$PL_URL/$path"
json="$PL_TMP/startup.json"
hyperfine --style basic --warmup 3 --runs "${RUNS:-30}" --export-json "$json" \
    -n svplay "'$SVPLAY' --headless --quiet --frames 1 '$url'" \
    -n mpv "mpv --no-config --really-quiet --vo=null --ao=null --frames=1 '$url'" \
    -n ffmpeg "ffmpeg -nostdin -v error -i '$url' -frames:v 1 -f null -" >"$PL_TMP/hyperfine.out" 2>&1 ||
    { cat "$PL_TMP/hyperfine.out"; fail "hyperfine failed (does each command work on $url?)"; }

node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).results;
const med = {};
for (const x of r) med[x.command] = x.median;
console.log(`time to first frame, ${process.argv[2]} on loopback (median of ${r[0].times.length} runs):`);
for (const x of r)
    console.log(`  ${x.command.padEnd(7)} ${(x.median * 1000).toFixed(1).padStart(8)} ms  (mean ${(x.mean * 1000).toFixed(1)} ms, sd ${(x.stddev * 1000).toFixed(1)} ms)`);
const ratio = med.svplay / med.mpv;
console.log(`  svplay/mpv    ${ratio.toFixed(3)}  (goal <= 0.7: ${ratio <= 0.7 ? "met" : "MISSED"})`);
console.log(`  svplay/ffmpeg ${(med.svplay / med.ffmpeg).toFixed(3)}`);
' "$json" "$path"
