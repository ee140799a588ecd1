#!/bin/sh
# Publishers refused, each with a clear log line and no effect on the
# channel that is live: an RTMP publisher with a wrong stream key; a second
# publisher on a live channel (over SRT while RTMP is live; over RTMP the
# channel's port is not listening meanwhile: refused by the system); a
# feed without video on another channel. The live channel's segments keep
# coming throughout, its state stays live, the others stay idle.
. "$SV_SOURCE_DIR/tests/backend/backendlib.sh"
. "$SV_SOURCE_DIR/tests/backend_live/livelib.sh"

live_clip 640x360 24
live_admin
sv_start --workers 0
live_token
live_ports
live_channel main '{"end_after_s":30}'
MAIN_KEY=$LIVE_KEY
MAIN_SRT=$SRT_PORT
MAIN_RTMP=$RTMP_PORT
live_ports
live_channel other '{"end_after_s":30}'
OTHER_RTMP=$RTMP_PORT
OTHER_KEY=$LIVE_KEY

# A wrong key: refused with a log line; the channel stays idle.
ffmpeg -hide_banner -loglevel error -nostdin -re -f lavfi -i testsrc2=size=320x240:rate=30 \
    -t 3 -c:v libx264 -preset ultrafast -f flv "rtmp://127.0.0.1:$MAIN_RTMP/live/wrongkey" \
    >"$SV_TMP/wrong.log" 2>&1
i=0
until grep -q 'channel main: rtmp publisher refused: wrong stream key' "$SV_TMP/server.err"; do
    i=$((i + 1)); [ "$i" -le 50 ] || fail "no log line for the wrong RTMP key"; sleep 0.1
done
ok "wrong RTMP key: $(grep -o 'channel main: rtmp publisher refused: wrong stream key' "$SV_TMP/server.err" | head -n 1)"
grep -q "$MAIN_KEY" "$SV_TMP/server.err" && fail "the stream key reached the log"
ok "the key is not in the log"
expect_contains "main after the wrong key" "$(curl -s "$SV_URL/api/v1/channels/main")" '"state":"idle"'

LIVE_KEY=$MAIN_KEY
RTMP_PORT=$MAIN_RTMP
SRT_PORT=$MAIN_SRT
live_publish rtmp "$SV_TMP/clip-640x360.mkv" "$SV_TMP/pub.log"
MAIN_PID=$PUB_PID
live_wait_segments main 360p 2 25
live_pl main 360p
last0=$(grep '^seg-' "$SV_TMP/pl" | tail -n 1)

# A second publisher over SRT: refused with a log line.
live_publish srt "$SV_TMP/clip-640x360.mkv" "$SV_TMP/second-srt.log"
SECOND=$PUB_PID
i=0
until grep -q 'channel main: second publisher (srt) refused: the channel is live over rtmp' \
        "$SV_TMP/server.err"; do
    i=$((i + 1)); [ "$i" -le 100 ] || fail "no log line for the second (SRT) publisher"; sleep 0.1
done
ok "second publisher over SRT refused with a log line"
kill "$SECOND" 2>/dev/null
wait "$SECOND" 2>/dev/null
# A second publisher over RTMP: the port is not listening while one is live.
rc=0
ffmpeg -hide_banner -loglevel error -nostdin -re -f lavfi -i testsrc2=size=320x240:rate=30 \
    -t 2 -c:v libx264 -preset ultrafast -f flv "rtmp://127.0.0.1:$MAIN_RTMP/live/$MAIN_KEY" \
    >"$SV_TMP/second-rtmp.log" 2>&1 || rc=$?
[ "$rc" -ne 0 ] || fail "a second RTMP publisher was let in"
ok "second publisher over RTMP refused (exit $rc: $(head -c 100 "$SV_TMP/second-rtmp.log"))"

# A feed without video on the other channel.
ffmpeg -hide_banner -loglevel error -nostdin -re -f lavfi -i sine=frequency=300 -t 4 \
    -c:a aac -f flv "rtmp://127.0.0.1:$OTHER_RTMP/live/$OTHER_KEY" >"$SV_TMP/audio.log" 2>&1 ||
    true
i=0
until grep -q 'channel other: rtmp publisher refused: the feed has no video stream' \
        "$SV_TMP/server.err"; do
    i=$((i + 1)); [ "$i" -le 100 ] || fail "no log line for the feed without video"; sleep 0.1
done
ok "$(grep -o 'channel other: rtmp publisher refused: the feed has no video stream.*' "$SV_TMP/server.err" | head -n 1)"
expect_contains "other" "$(curl -s "$SV_URL/api/v1/channels/other")" '"state":"idle"'
req code "$SV_URL/live/other/master.m3u8"
expect_eq "other's playlist" "$code" 404

# Meanwhile the live channel went on.
expect_contains "main" "$(curl -s "$SV_URL/api/v1/channels/main")" '"state":"live"'
live_pl main 360p
last1=$(grep '^seg-' "$SV_TMP/pl" | tail -n 1)
[ "$last1" != "$last0" ] || fail "main made no segment during the refusals ($last0)"
ok "main went on: $last0 then $last1"
grep -q 'EXT-X-DISCONTINUITY' "$SV_TMP/pl" && fail "main has a discontinuity"
ok "main has no discontinuity"
wait "$MAIN_PID" || fail "the live publisher failed: $(cat "$SV_TMP/pub.log")"

# With media-auth token, /live/ wants a playback token whose prefix covers
# the channel, as /media/ does.
sv_stop || fail "svserver did not stop cleanly"
SECRET=live-test-secret-0123456789
SVSERVER_TOKEN_SECRET=$SECRET
export SVSERVER_TOKEN_SECRET
sv_start --workers 0 --media-auth token
req code "$SV_URL/live/main/master.m3u8"
expect_eq "no token" "$code" 403
expect_contains "no token" "$(cat "$SV_TMP/body")" token_required
tok=$("$SVSERVER" token 1 --prefix /live/main/ --ttl 60) || fail "svserver token"
req code "$SV_URL/live/main/master.m3u8?token=$tok"
expect_eq "a token for /live/main/" "$code" 200
req code "$SV_URL/live/main/360p/index.m3u8?token=$tok&_HLS_msn=0&_HLS_part=0"
expect_eq "a blocking reload with the token" "$code" 200
tok=$("$SVSERVER" token 1 --prefix /live/other/ --ttl 60) || fail "svserver token"
req code "$SV_URL/live/main/master.m3u8?token=$tok"
expect_eq "a token for another channel" "$code" 403
expect_contains "another channel" "$(cat "$SV_TMP/body")" token_wrong_title
