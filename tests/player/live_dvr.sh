#!/bin/sh
# Live latency held by the playback rate, the pitch kept, a seek back into
# the DVR window and the return to the live edge (issue 17), through the
# public API only: tests/player/live_dvr.c is built here against
# include/streamverse and libstreamverse (like two_players.sh), and plays
#   dash  ffmpeg's low-latency DASH (tests/player/live_ll_dash_gen.sh, served
#         by tests/support/llserve.js): player_live_dvr_dash;
#   hls   the LL-HLS test origin (tests/support/llhls.js: a sliding playlist
#         of 20 segments, delta updates; the same 440 Hz tone):
#         player_live_dvr_hls.
# live_dvr.c says what it checks. The player joins once the generator has
# one whole segment: the DVR window its seek needs (over 10 s) fills while
# it holds the edge and catches up, and the program is built meanwhile.
#   live_dvr.sh dash|hls [LIBSTREAMVERSE_DIR]
. "$SV_SOURCE_DIR/tests/player/playlib.sh"
. "$SV_SOURCE_DIR/tests/support/livegen.sh"
format=${1:-}
libdir=${2:-$SV_BUILD_DIR}

# The generators run for the program's 35 s or so and stop with the test.
live="$PL_TMP/live"
mkdir -p "$live"
case "$format" in
    dash)
        pl_llserve "$live"
        sh "$PL_DIR/live_ll_dash_gen.sh" "$live" "$LL_URL/time" 60 1 2>"$PL_TMP/gen.err" &
        url="$LL_URL/manifest.mpd"
        what="LL-DASH (ffmpeg -ldash 1 -streaming 1)" ;;
    hls)
        node "$SV_SOURCE_DIR/tests/support/llhls.js" --port-file "$PL_TMP/hlsport" --dir "$live" \
            --seconds 60 --ready-segments 1 2>"$PL_TMP/gen.err" &
        url=""
        what="LL-HLS (tests/support/llhls.js)" ;;
    *)
        fail "usage: live_dvr.sh dash|hls [LIBSTREAMVERSE_DIR] (got '$format')" ;;
esac
gen=$!
PL_PIDS="$PL_PIDS $gen"
pl_build_sdk_program live_dvr "$PL_DIR/sdk_check.c"
livegen_wait "$gen" "$live" 25 "$PL_TMP/gen.err"
[ -n "$url" ] || url="http://127.0.0.1:$(cat "$PL_TMP/hlsport")/live.m3u8"
echo "--- $what"
timeout -k 5 90 "$PL_TMP/live_dvr" "$url"
check $? "live_dvr on $what"
kill -TERM "$gen" 2>/dev/null
wait "$gen" 2>/dev/null
pl_finish
