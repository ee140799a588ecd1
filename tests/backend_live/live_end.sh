#!/bin/sh
# The life of an event (end_after_s 10): a publisher (RTMP, 8 s) leaves and
# another comes back within the window (SRT): the event goes on after a
# discontinuity (EXT-X-DISCONTINUITY, a new EXT-X-MAP, a second DASH
# Period); svserver is stopped during the second feed and started again:
# the channel resumes its event with the DVR window from disk, and a third
# publisher continues it; when no publisher comes back for 10 s the event
# ends: ENDLIST, a static MPD, state ended and a ready VOD title whose
# segments are the live ones (linked, not encoded again) and decode.
. "$SV_SOURCE_DIR/tests/backend/backendlib.sh"
. "$SV_SOURCE_DIR/tests/backend_live/livelib.sh"

live_clip 640x360 8
live_admin
sv_start --workers 0
live_token
live_ports
live_channel ev '{"end_after_s":10}'
CLIP="$SV_TMP/clip-640x360.mkv"

live_publish rtmp "$CLIP" "$SV_TMP/pub1.log"
wait "$PUB_PID" || fail "publisher 1 failed: $(cat "$SV_TMP/pub1.log")"
live_wait_segments ev 360p 4 30
i=0
until grep -q 'channel ev: rtmp publisher gone' "$SV_TMP/server.err"; do
    i=$((i + 1)); [ "$i" -le 300 ] || fail "publisher 1 is not gone"; sleep 0.1
done
live_pl ev 360p
n1=$(grep -c '^seg-' "$SV_TMP/pl")

# Back within the window, over SRT.
live_publish srt "$CLIP" "$SV_TMP/pub2.log"
i=0
until curl -s "$SV_URL/live/ev/360p/index.m3u8" | grep -q 'init-1.mp4'; do
    i=$((i + 1)); [ "$i" -le 150 ] || fail "publisher 2 made no segment"; sleep 0.2
done
live_pl ev 360p
expect_contains "after the reconnect" "$(cat "$SV_TMP/pl")" '#EXT-X-DISCONTINUITY
#EXT-X-MAP:URI="init-1.mp4"'
grep -q 'channel ev: the event goes on after a discontinuity' "$SV_TMP/server.err" ||
    fail "no log line for the event going on"
ok "the event went on after a discontinuity"
req code "$SV_URL/live/ev/manifest.mpd"
expect_eq "two Periods" "$(grep -c '<Period ' "$SV_TMP/body")" 2

# svserver stops during the second feed, and starts again.
sleep 2
sv_stop || fail "svserver did not stop cleanly"
wait "$PUB_PID" 2>/dev/null
cp "$SV_DATA/live/ev/index.json" "$SV_TMP/index-at-stop.json"
sv_start --workers 0
grep -q 'channel ev: resumed its event at segment [0-9]*' "$SV_TMP/server.err" ||
    fail "the channel did not resume its event"
ok "$(grep -o 'channel ev: resumed its event at segment [0-9]*' "$SV_TMP/server.err")"
live_pl ev 360p
kept=$(python3 -c 'import json, sys
print(len(json.load(open(sys.argv[1]))["renditions"][0]["segments"]))' "$SV_TMP/index-at-stop.json")
expect_eq "the window after the restart" "$(grep -c '^seg-' "$SV_TMP/pl")" "$kept"
n2=$(grep -c '^seg-' "$SV_TMP/pl")
[ "$n2" -gt "$n1" ] || fail "the restart lost the second feed's segments ($n2 <= $n1)"

# A third publisher continues the event.
live_publish rtmp "$CLIP" "$SV_TMP/pub3.log"
wait "$PUB_PID" || fail "publisher 3 failed: $(cat "$SV_TMP/pub3.log")"
i=0
until curl -s "$SV_URL/api/v1/channels/ev" | grep -q '"state":"ended"'; do
    i=$((i + 1)); [ "$i" -le 300 ] || fail "the event did not end"; sleep 0.2
done
ok "the event ended $(grep -o 'channel ev: the event ended.*' "$SV_TMP/server.err")"
live_pl ev 360p
expect_contains "ended playlist" "$(cat "$SV_TMP/pl")" '#EXT-X-ENDLIST'
expect_eq "discontinuities" "$(grep -c '#EXT-X-DISCONTINUITY$' "$SV_TMP/pl")" 2
req code "$SV_URL/live/ev/manifest.mpd"
expect_contains "MPD" "$(cat "$SV_TMP/body")" 'type="static"'
expect_eq "three Periods" "$(grep -c '<Period ' "$SV_TMP/body")" 3

id=$(curl -s "$SV_URL/api/v1/channels/ev" |
     python3 -c 'import json, sys; print(json.load(sys.stdin)["title_id"])')
req code "$SV_URL/api/v1/titles/$id"
expect_eq "the VOD title" "$code" 200
expect_contains "title" "$(cat "$SV_TMP/body")" '"status":"ready"'
expect_contains "title" "$(cat "$SV_TMP/body")" '"name":"360p"'
n=$(grep -c '^seg-' "$SV_TMP/pl")
v="$SV_DATA/media/$id/video/360p"
expect_eq "VOD segments" "$(ls "$v" | grep -c '^seg-')" "$n"
s=$(ls "$v" | grep '^seg-' | head -n 1)
[ "$(stat -c %i "$v/$s")" = "$(stat -c %i "$SV_DATA/live/ev/360p/$s")" ] ||
    fail "$s was copied, not linked"
ok "the VOD title's segments are the live files (hard links)"
req code "$SV_URL/media/$id/video/360p/index.m3u8"
expect_eq "VOD playlist" "$code" 200
expect_contains "VOD playlist" "$(cat "$SV_TMP/body")" '#EXT-X-ENDLIST'
frames=$(ffprobe -v error -count_frames -select_streams v -show_entries stream=nb_read_frames \
    -of csv=p=0 "$SV_URL/media/$id/video/360p/index.m3u8")
echo "VOD: $frames frames over $n segments"
expect_ge "VOD frames (two 8 s feeds at 30 fps and part of one)" "$frames" 480
