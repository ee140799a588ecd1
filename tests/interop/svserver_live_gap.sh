#!/bin/sh
# Shaka Player (headless Chromium) plays svserver's LL-DASH through a
# publisher that drops and comes back (issue 17): the MPD of a channel whose
# publisher is gone closes its last Period at its last segment, so Shaka
# waits there instead of asking for the segment after it (it reported that
# 404 as an error and stopped), and goes on in the new Period.
#
# A channel (one 360p rung, 2 s segments, 0.4 s parts, end_after_s 30) is
# fed over RTMP; Shaka plays the MPD for $LIVE_S s. About 8 s into the play
# the publisher is killed (a dropped encoder: kill -9), and a new one
# publishes over SRT 5 s later. check_live.js asserts no error event, the
# window played to its end, and currentTime past the drop by more than the
# part played before it. Also checked: the MPD served during the drop is
# still dynamic and gives its last Period a duration.
. "$SV_SOURCE_DIR/tests/backend/backendlib.sh"
. "$SV_SOURCE_DIR/tests/backend_live/livelib.sh"
command -v node >/dev/null 2>&1 || fail "node is missing: run scripts/install-deps.sh"
here="$SV_SOURCE_DIR/tests/interop"
LIVE_S=${SV_LIVE_S:-28}
PUB_PID=""
PLAY_PID=""

stop_all() {
    for _p in $PUB_PID $PLAY_PID; do
        kill -KILL "$_p" 2>/dev/null || true
        wait "$_p" 2>/dev/null || true
    done
    PUB_PID="" PLAY_PID=""
}
# sv_cleanup exits with the status it finds in $?: keep the script's.
trap '_st=$?; stop_all; (exit "$_st"); sv_cleanup' EXIT

live_admin
sv_start --workers 0
live_token
live_ports
live_channel gap '{"end_after_s":30,"ladder":"360:800","segment_s":2,"part_s":0.4}'
live_clip 640x360 $((LIVE_S + 30))

live_publish rtmp "$SV_TMP/clip-640x360.mkv" "$SV_TMP/pub1.log"
live_wait_segments gap 360p 2 20
ok "channel live at $SV_URL/live/gap/ (load average $(cut -d' ' -f1 /proc/loadavg))"

node "$here/browser_play.js" --player shaka --url "$SV_URL/live/gap/manifest.mpd" \
    --live "$LIVE_S" --json-out "$SV_TMP/shaka.json" >/dev/null 2>"$SV_TMP/shaka.err" &
PLAY_PID=$!
# The browser starts in about 5 s; then about 8 s of play before the drop.
sleep 13
kill -KILL "$PUB_PID" 2>/dev/null
wait "$PUB_PID" 2>/dev/null
PUB_PID=""
t_drop=$(date +%s)
# The feed's end is noticed once libavformat's read fails: poll the MPD
# (bounded) until its last Period has a duration.
i=0
while [ $i -lt 50 ]; do
    req code "$SV_URL/live/gap/manifest.mpd"
    grep -q '<Period [^>]*duration=' "$SV_TMP/body" && break
    sleep 0.1
    i=$((i + 1))
done
expect_eq "MPD while the publisher is gone" "$code" 200
expect_contains "MPD while the publisher is gone" "$(cat "$SV_TMP/body")" 'type="dynamic"'
expect_contains "its last Period" "$(grep '<Period ' "$SV_TMP/body" | tail -n 1)" 'duration="PT'
left=$((5 - ($(date +%s) - t_drop)))
[ "$left" -le 0 ] || sleep "$left"
live_publish srt "$SV_TMP/clip-640x360.mkv" "$SV_TMP/pub2.log"
ok "a new publisher (SRT) $(($(date +%s) - t_drop)) s after the drop"

rc=0
wait "$PLAY_PID" || rc=$?
PLAY_PID=""
[ -f "$SV_TMP/shaka.json" ] || fail "browser_play.js wrote no summary (exit $rc): $(tail -n 5 "$SV_TMP/shaka.err")"
req code "$SV_URL/live/gap/manifest.mpd"
expect_eq "Periods after the reconnect" "$(grep -c '<Period ' "$SV_TMP/body")" 2
# Before the drop Shaka played about 8 s; past it, the advance grows by
# what it played in the new Period.
if ! node "$here/check_live.js" "$SV_TMP/shaka.json" --advance 14 --max-latency 12; then
    node -e 'const s = require(process.argv[1]); delete s.live.samples;
             console.log(JSON.stringify(s, null, 1).slice(0, 6000))' "$SV_TMP/shaka.json"
    fail "Shaka Player did not play through the publisher's drop"
fi
ok "Shaka Player played through the drop and the new Period"
