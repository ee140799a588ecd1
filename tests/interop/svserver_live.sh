#!/bin/sh
# Issue 17, item 5 (browser part): hls.js and Shaka Player, in headless
# Chromium, play svserver's live output and report their latency.
#
# svserver runs a channel with a two-rung ladder (180p, 360p; 2 s segments,
# 0.4 s parts); ffmpeg publishes over RTMP, encoding `-re -f lavfi testsrc2`
# and a sine tone live at 640x360 30 fps. Once the channel has segments,
# hls.js (lowLatencyMode) plays the LL-HLS multivariant playlist for
# $LIVE_S seconds, then Shaka Player (lowLatencyMode, liveSync) plays the
# LL-DASH MPD as long (browser_play.js --live). check_live.js asserts each:
# no error event, currentTime grew by >= 15 s, a rebuffer count, the
# player's own latency figure with a median under 6 s, its low-latency mode;
# hls.js loaded parts and made blocking playlist reloads. Each "latency:"
# line gives the figures (docs/live.md keeps the measured ones).
#
# The publisher runs through both plays (about 60 s) and the event never
# ends while a player is on it (end_after_s 60): the end of an event is
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
# sv_cleanup exits with the status it finds in $?: keep the script's.
trap '_st=$?; stop_publisher; (exit "$_st"); sv_cleanup' EXIT

live_admin
sv_start --workers 0
live_token
live_ports
live_channel show '{"end_after_s":60,"ladder":"180:300,360:800","segment_s":2,"part_s":0.4}'

# Long enough for both windows and the two browser start-ups; stopped below.
secs=$((2 * LIVE_S + 60))
ffmpeg -hide_banner -loglevel error -nostdin \
    -re -f lavfi -i "testsrc2=size=640x360:rate=30" \
    -re -f lavfi -i "sine=frequency=440:sample_rate=48000" -t "$secs" \
    -c:v libx264 -preset ultrafast -tune zerolatency -g 30 -b:v 1200k -pix_fmt yuv420p \
    -c:a aac -b:a 96k -f flv "rtmp://127.0.0.1:$RTMP_PORT/live/$LIVE_KEY" \
    >"$SV_TMP/pub.log" 2>&1 &
PUB_PID=$!

live_wait_segments show 360p 2 20
req code "$SV_URL/live/show/master.m3u8"
expect_eq "master.m3u8" "$code" 200
for r in 180p 360p; do
    expect_contains "master.m3u8" "$(cat "$SV_TMP/body")" "$r/index.m3u8"
done
ok "channel live at $SV_URL/live/show/ (load average $(cut -d' ' -f1 /proc/loadavg))"

failed=0
play() {  # play PLAYER MANIFEST [check_live options]
    _p=$1 _m=$2
    shift 2
    _rc=0
    node "$here/browser_play.js" --player "$_p" --url "$SV_URL/live/show/$_m" \
        --live "$LIVE_S" --json-out "$SV_TMP/$_p.json" >/dev/null || _rc=$?
    [ -f "$SV_TMP/$_p.json" ] || fail "browser_play.js wrote no summary for $_p (exit $_rc)"
    kill -0 "$PUB_PID" 2>/dev/null || fail "the publisher stopped early: $(cat "$SV_TMP/pub.log")"
    if ! node "$here/check_live.js" "$SV_TMP/$_p.json" "$@"; then
        node -e 'const s = require(process.argv[1]); delete s.live.samples;
                 console.log(JSON.stringify(s, null, 1).slice(0, 6000))' "$SV_TMP/$_p.json"
        failed=$((failed + 1))
    fi
}
play hlsjs master.m3u8 --parts
play shaka manifest.mpd
stop_publisher
grep -o 'the output is .* behind the wall clock.*' "$SV_TMP/server.err" | tail -n 3 || true
echo "$((2 - failed)) passed, $failed failed"
[ "$failed" -eq 0 ] || fail "$failed of the 2 live plays failed"
