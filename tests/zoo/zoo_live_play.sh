#!/bin/sh
# The stream zoo, live (issue 16): tests/zoo/zoo_live.sh plays the zoo's live
# input out in real time as HLS (MPEG-TS; fMP4 with an audio rendition) and
# DASH (SegmentTimeline; $Number$) with sliding windows; once every window has
# moved, svplay --headless joins each (all at once) for FRAMES frames
# (default 300, 10 s) and zoo_svplay_live (tests/zoo/zoolib.sh) asserts
# bit-exact consecutive frames, no dropped frame and no stall, A/V drift
# under 40 ms, and the latency behind the encoder within what the manifest
# asks for.
#   zoo_live_play.sh [ENTRY...]   (default: every live entry)
. "$SV_SOURCE_DIR/tests/zoo/zoolib.sh"
. "$SV_SOURCE_DIR/tests/support/livegen.sh"

frames=${ZOO_LIVE_FRAMES:-300}
names=${*:-$(echo "$ZOO_LIVE_ENTRIES" | cut -d: -f1)}
for name in $names; do
    zoo_live_path "$name" >/dev/null
done
zoo_streams
live="$ZOO_TMP/live"
sh "$ZOO_LIB/zoo_live.sh" "$ZOO" "$live" 2>"$ZOO_TMP/gen.err" &
gen=$!
ZOO_PIDS="$gen"
livegen_wait "$gen" "$live" 45 "$ZOO_TMP/gen.err"
for name in $names; do
    zoo_live_snapshot "$live" "$name"
done
zoo_serve "$live"
epoch=$(cat "$live/start_epoch")

players=""
for name in $names; do
    (zoo_run_svplay "$name" "$ZOO_URL/$(zoo_live_path "$name")" $((frames / 30 + 40)) --frames "$frames") &
    players="$players $!"
done
for pid in $players; do
    wait "$pid"
done
kill -TERM "$gen" 2>/dev/null
wait "$gen" 2>/dev/null
ZOO_PIDS=""

for name in $names; do
    zoo_svplay_live "$epoch" "$name" "$frames"
done
zoo_finish
