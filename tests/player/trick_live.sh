#!/bin/sh
# Trick play on live loads (issue 18): tests/player/live_gen.sh encodes in
# real time into a live HLS playlist (MPEG-TS) and a dynamic MPD, 2 s
# segments, 10 in the window; once the window no longer starts at 0,
# tests/player/trick_live.c (public API, built here like two_players.c)
# plays each and rewinds at -16x into the window's start, then fast-forwards
# at 16x to the live start: each time trick play ends by itself at that
# bound of the DVR window (its header says within what) and playback goes on
# inside the window. The key frames come from the lowest rung (a live load
# does not use an I-frame track).
#   trick_live.sh LIBSTREAMVERSE_DIR
. "$SV_SOURCE_DIR/tests/player/playlib.sh"
. "$SV_SOURCE_DIR/tests/support/livegen.sh"
libdir=${1:-$SV_BUILD_DIR}
pl_build_sdk_program trick_live "$PL_DIR/sdk_check.c"

seg=2
win=10
live="$PL_TMP/live"
mkdir -p "$live"
sh "$PL_DIR/live_gen.sh" "$live" 90 "$seg" "$win" 2>"$PL_TMP/gen.err" &
gen=$!
PL_PIDS="$gen"
livegen_wait "$gen" "$live" 25 "$PL_TMP/gen.err"
pl_serve "$live"
start_epoch=$(cat "$live/start_epoch")
while awk -v s="$start_epoch" -v n="$(date +%s.%N)" -v j=$(((win + 2) * seg)) 'BEGIN { exit !(n - s < j) }'; do
    sleep 0.2
done
for url in "$PL_URL/hls/live.m3u8" "$PL_URL/dash/manifest.mpd"; do
    echo "== $url"
    timeout -k 5 60 "$PL_TMP/trick_live" "$url" "$seg" 2>"$PL_TMP/stderr"
    rc=$?
    [ "$rc" -eq 0 ] || tail -n 20 "$PL_TMP/stderr"
    check "$rc" "$url: trick_live exited $rc"
done
pl_finish
