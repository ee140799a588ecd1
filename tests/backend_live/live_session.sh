#!/bin/sh
# A live event as a title from its start, encrypted, played as a session
# (issue 17 item 3's last sentence; docs/live.md, "Titles, sessions and
# encryption"). A channel with encrypt cenc (media-auth token) and an RTMP
# publisher (a 320x240 lavfi clip with a tone):
#   - the event has its title at once: status live, the channel's
#     manifests, drm cenc; playback/start answers a session with the live
#     manifest URLs and a token whose prefix is /live/NAME/;
#   - without a token the live routes answer 403; the master playlist has
#     EXT-X-SESSION-KEY, the media playlists EXT-X-KEY, the MPD its
#     ContentProtection, the init segments tenc and pssh;
#   - the license route gives the event's key to the session and refuses
#     it to a session of another (VOD) title, and the VOD title's key to
#     the live session;
#   - svplay plays the LL-HLS as that session: no error, at most one
#     dropped frame (see below),
#     the position advances; ffmpeg -decryption_key decodes whole fetched
#     segments to frame hashes svplay presented, and a part alone to its
#     segment's first frames;
#   - the heartbeats are in the catalog with the session (count, live
#     latency, playback rate);
#   - when the event ends, the same title becomes VOD, still encrypted
#     under the same key (a segment decodes with it to the frames of the
#     same segment fetched live).
. "$SV_SOURCE_DIR/tests/backend/backendlib.sh"
. "$SV_SOURCE_DIR/tests/backend_live/livelib.sh"
. "$SV_SOURCE_DIR/tests/backend_sessions/sessionslib.sh"
SVPLAY=${SV_SVPLAY:-$SV_BUILD_DIR/apps/svplay/svplay}
[ -x "$SVPLAY" ] || fail "svplay is not built: $SVPLAY"
need_catalog_sql
T0=$(date +%s)
phase() { echo "[$(($(date +%s) - T0)) s] $*"; }
export SVSERVER_MASTER_KEY=0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0

# Encrypting needs a master key: refused without one, naming it.
rc=0
env -u SVSERVER_MASTER_KEY "$SVSERVER" channel add nokey --encrypt cenc --data "$SV_DATA" \
    >/dev/null 2>"$SV_TMP/nokey.err" || rc=$?
expect_eq "channel add --encrypt without a master key: exit status" "$rc" 2
expect_contains "its message" "$(cat "$SV_TMP/nokey.err")" "needs the master-key"

phase "making the clip and a VOD title"
live_clip 320x240 40
vod=$(make_title "Other title" cenc)
live_admin
add_user alice FR 4
phase "starting"
sv_start --workers 0 --media-auth token --token-secret "$SECRET" --heartbeat-interval 2
live_token
live_ports
live_channel sec '{"ladder":"240:400","end_after_s":4,"encrypt":"cenc"}'
live_publish rtmp "$SV_TMP/clip-320x240.mkv" "$SV_TMP/pub.log"

# The event's title exists from its start (the channel names it).
i=0
while :; do
    req code -H "Authorization: Bearer $LIVE_TOKEN" "$SV_URL/api/v1/channels"
    title=$(json_get '.items[0].title_id' 2>/dev/null || true)
    state=$(json_get '.items[0].state' 2>/dev/null || true)
    [ "$state" = live ] && [ -n "$title" ] && [ "$title" != null ] && break
    i=$((i + 1))
    [ "$i" -le 100 ] || fail "the channel has no live title after 20 s: $(cat "$SV_TMP/body")"
    sleep 0.2
done
[ "$title" != "$vod" ] || fail "the live title reuses the VOD title's id"
req code "$SV_URL/api/v1/titles/$title"
expect_eq "GET /api/v1/titles/$title" "$code" 200
expect_eq "the live title's status" "$(json_get .status)" live
expect_eq "its drm" "$(json_get .drm)" cenc
expect_eq "its HLS manifest" "$(json_get .manifests.hls)" /live/sec/master.m3u8
ok "the event is title $title from its start: live, cenc, the channel's manifests"

login alice
start "$title" tv1
expect_eq "playback/start of the live title" "$code" 201
expect_eq "the session's HLS manifest" "$(json_get .manifests.hls)" /live/sec/master.m3u8
expect_eq "the session's DASH manifest" "$(json_get .manifests.dash)" /live/sec/manifest.mpd
expect_eq "live" "$(json_get .live)" true
TOK=$(json_get .token)
LMQ=$MQ
LSID=$SID
ok "playback/start answers a live session"

# This session's heartbeats (a live latency and a rate, as a player
# reports them) every 2 s while the test uses its token: three missed
# intervals (6 s) would end it. Bounded: 90 s at most.
beat() {
    curl -s --max-time 5 -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
        -H "Authorization: Bearer $TOKEN" -d "{\"session_id\":\"$LSID\",\"position_s\":3,
        \"live_latency_s\":1.25,\"playback_rate\":1.02}" "$SV_URL/api/v1/playback/heartbeat"
}
expect_eq "a heartbeat of the live session" "$(beat)" 200
(i=0; while [ $i -lt 45 ]; do beat >/dev/null; sleep 2; i=$((i + 1)); done) &
BEAT_PID=$!
# The loop goes with the test (backendlib's clean-up keeps the status).
trap '_s=$?; kill "$BEAT_PID" 2>/dev/null; (exit $_s); sv_cleanup' EXIT

phase "waiting for segments"
# Wait for three segments of the rung, with the session's token.
i=0
while :; do
    req code "$SV_URL/live/sec/240p/index.m3u8?$LMQ"
    [ "$code" = 200 ] && [ "$(grep -c '^seg-' "$SV_TMP/body")" -ge 3 ] && break
    i=$((i + 1))
    [ "$i" -le 150 ] || fail "240p: fewer than 3 segments after 30 s (last $code: $(cat "$SV_TMP/body"))"
    sleep 0.2
done
cp "$SV_TMP/body" "$SV_TMP/media.m3u8"

for path in master.m3u8 240p/index.m3u8 manifest.mpd 240p/init-0.mp4; do
    req code "$SV_URL/live/sec/$path"
    expect_eq "GET /live/sec/$path without a token" "$code" 403
    expect_eq "its error" "$(json_get .error.code)" token_required
done
req code "$SV_URL/live/sec/240p/index.m3u8?token=x$TOK"
expect_eq "a forged token" "$code" 403
ok "the live routes refuse requests without a valid token"

req code "$SV_URL/live/sec/master.m3u8?$LMQ"
expect_eq "master playlist" "$code" 200
expect_contains "master: EXT-X-SESSION-KEY" "$(cat "$SV_TMP/body")" \
    '#EXT-X-SESSION-KEY:METHOD=SAMPLE-AES-CTR'
expect_contains "media playlist: EXT-X-KEY" "$(cat "$SV_TMP/media.m3u8")" \
    '#EXT-X-KEY:METHOD=SAMPLE-AES-CTR'
kid=$(sed -n 's/.*KEYID=0x\([0-9a-f]*\).*/\1/p' "$SV_TMP/media.m3u8" | head -n 1)
[ ${#kid} = 32 ] || fail "no KEYID in the media playlist"
req code "$SV_URL/live/sec/manifest.mpd?$LMQ"
expect_eq "MPD" "$code" 200
kid_uuid=$(echo "$kid" | sed 's/^\(.\{8\}\)\(.\{4\}\)\(.\{4\}\)\(.\{4\}\)/\1-\2-\3-\4-/')
expect_contains "MPD: ContentProtection" "$(cat "$SV_TMP/body")" \
    "value=\"cenc\" cenc:default_KID=\"$kid_uuid\""
curl -s --max-time 10 -o "$SV_TMP/init.mp4" "$SV_URL/live/sec/240p/init-0.mp4?$LMQ"
python3 - "$SV_TMP/init.mp4" <<'PY' || fail "the live init segment is not protected"
import sys
d = open(sys.argv[1], "rb").read()
missing = [b for b in (b"encv", b"sinf", b"schm", b"tenc", b"pssh") if b not in d]
if missing or b"cenc" not in d:
    print("missing boxes:", missing); sys.exit(1)
PY
ok "keys in every manifest: EXT-X-SESSION-KEY, EXT-X-KEY, ContentProtection; tenc/pssh in the init"

# The license: the event's key to its session, not to another title's.
kid_b64=$(python3 -c 'import base64, sys; print(base64.urlsafe_b64encode(bytes.fromhex(sys.argv[1])).decode().rstrip("="))' "$kid")
license() {
    req code -X POST -H 'Content-Type: application/json' \
        -d "{\"kids\":[\"$1\"],\"type\":\"temporary\"}" "$SV_URL/api/v1/license?token=$2"
}
license "$kid_b64" "$TOK"
expect_eq "license for the live key with the live session" "$code" 200
key=$(json_get '.keys[0].k' | tr '_-' '/+' | sed 's/$/==/' | openssl base64 -d -A |
    od -An -tx1 | tr -d ' \n')
[ ${#key} = 32 ] || fail "no key in the license: $(cat "$SV_TMP/body")"
start "$vod" tv2
expect_eq "playback/start of the VOD title" "$code" 201
VOD_TOK=$(json_get .token)
license "$kid_b64" "$VOD_TOK"
expect_eq "license for the live key with a session of another title" "$code" 403
expect_eq "its error" "$(json_get .error.code)" key_not_entitled
req code "$SV_URL/media/$vod/video/240p/index.m3u8?token=$VOD_TOK"
vkid=$(sed -n 's/.*KEYID=0x\([0-9a-f]*\).*/\1/p' "$SV_TMP/body" | head -n 1)
[ ${#vkid} = 32 ] && [ "$vkid" != "$kid" ] || fail "the VOD title's KEYID: '$vkid'"
license "$(python3 -c 'import base64, sys; print(base64.urlsafe_b64encode(bytes.fromhex(sys.argv[1])).decode().rstrip("="))' "$vkid")" "$TOK"
expect_eq "license for the VOD key with the live session" "$code" 403
req code "$SV_URL/live/sec/240p/index.m3u8?token=$VOD_TOK"
expect_eq "the live playlist with the VOD session's token" "$code" 403
ok "the license route serves the event's key to its session only"

phase "svplay"
# svplay plays the LL-HLS as a session (8 s at 30 fps), frames hashed.
rc=0
timeout -k 5 60 "$SVPLAY" --headless --server "$SV_URL" --user alice \
    --password-file "$SV_TMP/pw-alice" --hls --frames 240 --realtime \
    --framemd5 "$SV_TMP/svplay.md5" --stats "$SV_TMP/play.json" "$title" \
    >"$SV_TMP/play.out" 2>"$SV_TMP/play.err" || rc=$?
[ "$rc" = 0 ] || fail "svplay exited $rc: $(tail -n 5 "$SV_TMP/play.err")"
python3 - "$SV_TMP/play.json" <<'PY' || fail "svplay's stats: see above"
import json, sys
s = json.load(open(sys.argv[1]))
print(f"svplay: {s['decoded_frames']} frames decoded, {s['dropped_frames']} dropped, "
      f"played {s['played_s']:.2f} s, latency p50 {s['live_latency_p50_s']:.3f} s, "
      f"rebuffers {s['rebuffer_count']}")
bad = []
if s["error"] is not None: bad.append(f"error {s['error']}")
# One late frame in some runs on a quiet machine (2 of 3 once: the
# encoded ladder, the decryption and the player share the 2 cores; its
# cause is not found yet, see docs/live.md, "Not done yet"): one is let
# through and printed, two fail.
if s["dropped_frames"] > 1: bad.append("dropped frames")
if s["decoded_frames"] < 240: bad.append("fewer than 240 frames decoded")
if not s["played_s"] > 6: bad.append("the position did not advance 6 s")
if bad:
    print("FAIL: " + ", ".join(bad)); sys.exit(1)
PY
ok "svplay played the encrypted live title as a session"

phase "ffmpeg"
# ffmpeg decrypts whole segments with the license's key: every frame's
# hash is one svplay presented (the same decode of the same samples).
req code "$SV_URL/live/sec/240p/index.m3u8?$LMQ"
grep '^seg-' "$SV_TMP/body" >"$SV_TMP/segs"
awk -F', *' '!/^#/ { print $NF }' "$SV_TMP/svplay.md5" >"$SV_TMP/hashes"
matched=0
while read -r seg; do
    curl -s --max-time 10 -o "$SV_TMP/seg.m4s" "$SV_URL/live/sec/240p/$seg?$LMQ" || continue
    cat "$SV_TMP/init.mp4" "$SV_TMP/seg.m4s" >"$SV_TMP/one.mp4"
    # Through a pipe: FFmpeg 5.1's mov demuxer, on a seekable file, reads
    # every moof ahead and then decrypts the first parts' samples with the
    # last part's senc ("leftover packet bytes after subsample processing");
    # read in order, each part's samples get their own.
    ffmpeg -nostdin -y -v error -decryption_key "$key" -i pipe:0 -map 0:v \
        -f framemd5 "$SV_TMP/seg.md5" <"$SV_TMP/one.mp4" 2>"$SV_TMP/ffmpeg.err" ||
        fail "ffmpeg cannot decode $seg with the key: $(cat "$SV_TMP/ffmpeg.err")"
    [ -s "$SV_TMP/ffmpeg.err" ] && fail "ffmpeg decoding $seg: $(cat "$SV_TMP/ffmpeg.err")"
    n=$(grep -vc '^#' "$SV_TMP/seg.md5")
    awk -F', *' '!/^#/ { print $NF }' "$SV_TMP/seg.md5" >>"$SV_TMP/live_hashes"
    found=$(awk -F', *' '!/^#/ { print $NF }' "$SV_TMP/seg.md5" |
        grep -cxF -f "$SV_TMP/hashes" || true)
    [ "$n" -gt 0 ] && [ "$found" = "$n" ] && matched=$((matched + 1))
done <"$SV_TMP/segs"
echo "segments whose every frame svplay presented: $matched of $(wc -l <"$SV_TMP/segs")"
# A part alone (one moof + mdat) decrypts too: the first part of the last
# segment gives that segment's first frames (chunk by chunk, as LL-HLS
# parts and LL-DASH chunks are read).
msn=$(tail -n 1 "$SV_TMP/segs" | sed 's/^seg-\([0-9]*\)\.m4s$/\1/')
curl -s --max-time 10 -o "$SV_TMP/part.m4s" "$SV_URL/live/sec/240p/part-$msn.0.m4s?$LMQ"
cat "$SV_TMP/init.mp4" "$SV_TMP/part.m4s" |
    ffmpeg -nostdin -y -v error -decryption_key "$key" -i pipe:0 -map 0:v -f framemd5 \
        "$SV_TMP/part.md5" 2>"$SV_TMP/ffmpeg.err" && [ ! -s "$SV_TMP/ffmpeg.err" ] ||
    fail "ffmpeg cannot decode part-$msn.0.m4s with the key: $(cat "$SV_TMP/ffmpeg.err")"
awk -F', *' '!/^#/ { print $NF }' "$SV_TMP/part.md5" >"$SV_TMP/part.hashes"
n=$(wc -l <"$SV_TMP/part.hashes")
expect_eq "frames of part-$msn.0 (0.4 s at 30 fps)" "$n" 12
expect_eq "they are seg-$msn's first frames" "$(tail -n 60 "$SV_TMP/live_hashes" | head -n 12)" \
    "$(cat "$SV_TMP/part.hashes")"
expect_ge "segments decrypted by ffmpeg to svplay's frames" "$matched" 2
ok "ffmpeg -decryption_key decodes the live segments to svplay's frames"

# The heartbeats are in the catalog with the session (flushed every tick).
sleep 1.5
row=$(catalog_sql "SELECT heartbeats, CASE WHEN live_latency_s > 0 THEN 1 ELSE 0 END,
        CASE WHEN playback_rate BETWEEN 0.95 AND 1.05 THEN 1 ELSE 0 END, end_reason
        FROM sessions WHERE title_id = $title AND device_id <> 'tv1'
        ORDER BY started DESC LIMIT 1")
echo "svplay's session row: $row"
beats=${row%%|*}
expect_ge "heartbeats of svplay's live session in the catalog" "$beats" 3
expect_eq "its live latency, rate and end" "${row#*|}" "1|1|stopped"
ok "the heartbeats of the live session are in the catalog"

row=$(catalog_sql "SELECT CASE WHEN heartbeats > 3 THEN 1 ELSE 0 END, live_latency_s,
        playback_rate FROM sessions WHERE id = '$LSID'")
expect_eq "the test's live session in the catalog" "$row" "1|1.25|1.02"
kill "$BEAT_PID" 2>/dev/null
wait "$BEAT_PID" 2>/dev/null

phase "the end of the event"
# The event ends: the same title becomes VOD, under the same key.
kill "$PUB_PID" 2>/dev/null
wait "$PUB_PID" 2>/dev/null
i=0
while :; do
    req code "$SV_URL/api/v1/titles/$title"
    [ "$(json_get .status)" = ready ] && break
    i=$((i + 1))
    [ "$i" -le 100 ] || fail "title $title is not ready 20 s after the publisher left"
    sleep 0.2
done
expect_eq "the VOD title's drm" "$(json_get .drm)" cenc
start "$title" tv3
expect_eq "playback/start of the ended event" "$code" 201
expect_eq "its HLS manifest" "$(json_get .manifests.hls)" "/media/$title/master.m3u8"
req code "$SV_URL/media/$title/video/240p/index.m3u8?$MQ"
expect_eq "the VOD media playlist" "$code" 200
expect_contains "the VOD playlist's key" "$(cat "$SV_TMP/body")" "KEYID=0x$kid"
# The last segment ffmpeg decoded live: the VOD title links the same file.
seg=$(tail -n 1 "$SV_TMP/segs")
grep -qx "$seg" "$SV_TMP/body" || fail "the VOD playlist has no $seg"
curl -s --max-time 10 -o "$SV_TMP/vinit.mp4" "$SV_URL/media/$title/video/240p/init-0.mp4?$MQ"
curl -s --max-time 10 -o "$SV_TMP/vseg.m4s" "$SV_URL/media/$title/video/240p/$seg?$MQ"
cat "$SV_TMP/vinit.mp4" "$SV_TMP/vseg.m4s" >"$SV_TMP/vod.mp4"
ffmpeg -nostdin -y -v error -decryption_key "$key" -i pipe:0 -map 0:v \
    -f framemd5 "$SV_TMP/vod.md5" <"$SV_TMP/vod.mp4" 2>"$SV_TMP/ffmpeg.err" &&
    [ ! -s "$SV_TMP/ffmpeg.err" ] ||
    fail "ffmpeg cannot decode the VOD $seg with the event's key: $(cat "$SV_TMP/ffmpeg.err")"
n=$(grep -vc '^#' "$SV_TMP/vod.md5")
found=$(awk -F', *' '!/^#/ { print $NF }' "$SV_TMP/vod.md5" |
    grep -cxF -f "$SV_TMP/live_hashes" || true)
echo "VOD $seg: $n frames, $found of them as ffmpeg decoded the live $seg"
expect_ge "VOD frames decoded" "$n" 30
expect_eq "VOD frames equal to the live ones" "$found" "$n"
ok "title $title is VOD now, encrypted under the event's key"
