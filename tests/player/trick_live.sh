#!/bin/sh
# Trick play on live loads (issue 18): tests/player/live_gen.sh encodes in
# real time into a live HLS playlist (MPEG-TS) and a dynamic MPD, 2 s
# segments, 10 in the window; tests/player/trick_live.c (public API, built
# here like two_players.c, while the generator starts) plays each, both at
# once from the generator's third segment on, and rewinds at -16x into the
# window's start once the window no longer starts at 0 (the 11th segment,
# 22 s in), then fast-forwards at 16x to the live start: each time
# trick play ends by itself at that bound of the DVR window (its header says
# within what) and playback goes on inside the window. The key frames come
# from the lowest rung (a live load does not use an I-frame track).
#   trick_live.sh LIBSTREAMVERSE_DIR
. "$SV_SOURCE_DIR/tests/player/playlib.sh"
. "$SV_SOURCE_DIR/tests/support/livegen.sh"
libdir=${1:-$SV_BUILD_DIR}

seg=2
win=10
live="$PL_TMP/live"
mkdir -p "$live"
sh "$PL_DIR/live_gen.sh" "$live" 60 "$seg" "$win" 2>"$PL_TMP/gen.err" &
gen=$!
PL_PIDS="$gen"
pl_build_sdk_program trick_live "$PL_DIR/sdk_check.c"
livegen_wait "$gen" "$live" 25 "$PL_TMP/gen.err"
pl_serve "$live"
pl_run_bg hls 60 "$PL_TMP/trick_live" "$PL_URL/hls/live.m3u8" "$seg"
pl_run_bg dash 60 "$PL_TMP/trick_live" "$PL_URL/dash/manifest.mpd" "$seg"
for run in hls dash; do
    pl_wait "$run"
    echo "== $run (${PL_WALL} s)"
    cat "$PL_TMP/$run.out"
    [ "$PL_RC" -eq 0 ] || tail -n 20 "$PL_TMP/$run.err"
    check "$PL_RC" "$run: trick_live exited $PL_RC"
done
pl_finish
