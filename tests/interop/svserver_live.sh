#!/bin/sh
# Issue 17, item 5 (browser part): hls.js and Shaka Player, in headless
# Chromium, play svserver's live output and report their latency.
#
# svserver runs a channel with a two-rung ladder (180p, 360p; 2 s segments,
# 0.4 s parts); ffmpeg publishes over RTMP, copying in real time (-re) a
# 640x360 30 fps testsrc2 clip with a sine tone made ahead (live_clip in
# tests/backend_live/livelib.sh, while svserver starts: encoding it live as
# well would take a core the ladder and the browsers need). Once the channel
# has segments, hls.js (lowLatencyMode) plays the LL-HLS multivariant
# playlist and Shaka Player (lowLatencyMode, liveSync) the LL-DASH MPD, at
# the same time, each in its own browser_play.js and Chromium, for $LIVE_S
# seconds (browser_play.js --live). check_live.js asserts each: no error
# event, currentTime grew by >= 15 s, a rebuffer count, the player's own
# latency figure with a median under 6 s, its low-latency mode; hls.js
# loaded parts and made blocking playlist reloads. Each "latency:" line
# gives the figures (docs/live.md keeps the measured ones).
#
# The clip lasts through both plays (about 30 s) and the event never ends
# while a player is on it (end_after_s 60): the end of an event is
# tests/backend_live/live_end.sh's.
. "$SV_SOURCE_DIR/tests/backend/backendlib.sh"
. "$SV_SOURCE_DIR/tests/backend_live/livelib.sh"
command -v node >/dev/null 2>&1 || fail "node is missing: run scripts/install-deps.sh"
here="$SV_SOURCE_DIR/tests/interop"
LIVE_S=${SV_LIVE_S:-20}
PUB_PID=""

stop_publisher() {
    [ -n "$PUB_PID" ] || return 0
    kill -TERM "$PUB_PID" 2>/dev/null || true
    wait "$PUB_PID" 2>/dev/null || true
    PUB_PID=""
}
BROWSERS=""
# sv_cleanup exits with the status it finds in $?: keep the script's.
trap '_st=$?; for _b in $BROWSERS; do kill -TERM "$_b" 2>/dev/null; done; stop_publisher;
      (exit "$_st"); sv_cleanup' EXIT

# Long enough for the channel's first segments, the browsers' start-up and
# the window; the publisher is stopped below.
(live_clip 640x360 $((LIVE_S + 30))) &
clip=$!
live_admin
sv_start --workers 0
live_token
live_ports
live_channel show '{"end_after_s":60,"ladder":"180:300,360:800","segment_s":2,"part_s":0.4}'
wait "$clip" || fail "cannot make the 640x360 clip"
live_publish rtmp "$SV_TMP/clip-640x360.mkv" "$SV_TMP/pub.log"

live_wait_segments show 360p 2 20
req code "$SV_URL/live/show/master.m3u8"
expect_eq "master.m3u8" "$code" 200
for r in 180p 360p; do
    expect_contains "master.m3u8" "$(cat "$SV_TMP/body")" "$r/index.m3u8"
done
ok "channel live at $SV_URL/live/show/ (load average $(cut -d' ' -f1 /proc/loadavg))"

play() {  # play PLAYER MANIFEST: browser_play.js in the background
    node "$here/browser_play.js" --player "$1" --url "$SV_URL/live/show/$2" \
        --live "$LIVE_S" --json-out "$SV_TMP/$1.json" >/dev/null 2>"$SV_TMP/$1.err" &
}
check_play() {  # check_play PLAYER [check_live options]
    _p=$1
    shift
    [ -f "$SV_TMP/$_p.json" ] ||
        fail "browser_play.js wrote no summary for $_p: $(tail -n 5 "$SV_TMP/$_p.err")"
    if ! node "$here/check_live.js" "$SV_TMP/$_p.json" "$@"; then
        node -e 'const s = require(process.argv[1]); delete s.live.samples;
                 console.log(JSON.stringify(s, null, 1).slice(0, 6000))' "$SV_TMP/$_p.json"
        failed=$((failed + 1))
    fi
}
play hlsjs master.m3u8
hlsjs=$!
play shaka manifest.mpd
shaka=$!
BROWSERS="$hlsjs $shaka"
wait "$hlsjs" || true  # check_play reads the summaries
wait "$shaka" || true
BROWSERS=""
kill -0 "$PUB_PID" 2>/dev/null || fail "the publisher stopped early: $(cat "$SV_TMP/pub.log")"
failed=0
check_play hlsjs --parts
check_play shaka
stop_publisher
grep -o 'the output is .* behind the wall clock.*' "$SV_TMP/server.err" | tail -n 3 || true
echo "$((2 - failed)) passed, $failed failed"
[ "$failed" -eq 0 ] || fail "$failed of the 2 live plays failed"
