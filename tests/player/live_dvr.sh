#!/bin/sh
# Live latency held by the playback rate, the pitch kept, a seek back into
# the DVR window and the return to the live edge (issue 17), through the
# public API only: tests/player/live_dvr.c is built here against
# include/streamverse and libstreamverse (like two_players.sh), and plays
# ffmpeg's low-latency DASH (tests/player/live_ll_dash_gen.sh, served by
# tests/support/llserve.js), then the LL-HLS test origin
# (tests/support/llhls.js); live_dvr.c says what it checks.
#   live_dvr.sh LIBSTREAMVERSE_DIR
. "$SV_SOURCE_DIR/tests/player/playlib.sh"
. "$SV_SOURCE_DIR/tests/support/livegen.sh"
libdir=${1:-$SV_BUILD_DIR}
pl_build_sdk_program live_dvr "$PL_DIR/sdk_check.c"

live="$PL_TMP/live"
mkdir -p "$live"
pl_llserve "$live"
sh "$PL_DIR/live_ll_dash_gen.sh" "$live" "$LL_URL/time" 60 2>"$PL_TMP/gen.err" &
gen=$!
PL_PIDS="$PL_PIDS $gen"
livegen_wait "$gen" "$live" 25 "$PL_TMP/gen.err"
echo "--- LL-DASH (ffmpeg -ldash 1 -streaming 1)"
timeout -k 5 90 "$PL_TMP/live_dvr" "$LL_URL/manifest.mpd"
check $? "live_dvr on LL-DASH"
kill -TERM "$gen" 2>/dev/null
wait "$gen" 2>/dev/null

# The same on LL-HLS (tests/support/llhls.js: a sliding playlist of 20
# segments, delta updates; the same 440 Hz tone).
origin="$PL_TMP/origin"
mkdir -p "$origin"
node "$SV_SOURCE_DIR/tests/support/llhls.js" --port-file "$PL_TMP/hlsport" --dir "$origin" \
    --seconds 60 2>"$PL_TMP/origin.err" &
og=$!
PL_PIDS="$PL_PIDS $og"
livegen_wait "$og" "$origin" 25 "$PL_TMP/origin.err"
echo "--- LL-HLS (tests/support/llhls.js)"
timeout -k 5 90 "$PL_TMP/live_dvr" "http://127.0.0.1:$(cat "$PL_TMP/hlsport")/live.m3u8"
check $? "live_dvr on LL-HLS"
kill -TERM "$og" 2>/dev/null
wait "$og" 2>/dev/null
pl_finish
