#!/bin/sh
# LL-DASH from an SRT publisher (ffmpeg -re copying a 640x360 lavfi clip
# as MPEG-TS, the key as SRT passphrase, 22 s): a caller with a wrong
# passphrase is refused by the SRT handshake and the channel stays idle;
# then the MPD is dynamic with availabilityTimeOffset,
# availabilityTimeComplete=false, a ServiceDescription latency target and
# UTCTiming on /api/v1/time, which answers the server's ISO time; the
# segment being written comes chunked as its parts land and equals the
# segment file; its frames decode. With passthrough, the feed's own H.264
# is a rung too ("src"), cut into the same parts, its segments starting
# with a keyframe.
. "$SV_SOURCE_DIR/tests/backend/backendlib.sh"
. "$SV_SOURCE_DIR/tests/backend_live/livelib.sh"
CHECK="python3 $SV_SOURCE_DIR/tests/backend_live/livecheck.py"

live_clip 640x360 22
live_admin
sv_start --workers 0
live_token
live_ports
live_channel sport '{"end_after_s":30,"passthrough":true}'

# A wrong key: the SRT handshake fails, the encoder gives up.
live_publish srt "$SV_TMP/clip-640x360.mkv" "$SV_TMP/bad.log" \
    "srt://127.0.0.1:$SRT_PORT?passphrase=notthekey0123456&pbkeylen=16&connect_timeout=3000000"
rc=0
wait "$PUB_PID" || rc=$?
[ "$rc" -ne 0 ] || fail "a publisher with a wrong SRT passphrase was let in"
ok "wrong SRT passphrase: the encoder was refused (exit $rc: $(head -c 120 "$SV_TMP/bad.log"))"
expect_contains "channel state" "$(curl -s "$SV_URL/api/v1/channels/sport")" '"state":"idle"'
req code "$SV_URL/live/sport/manifest.mpd"
expect_eq "MPD before any publisher" "$code" 404

live_publish srt "$SV_TMP/clip-640x360.mkv" "$SV_TMP/pub.log"
live_wait_segments sport 360p 2 25
req code "$SV_URL/live/sport/manifest.mpd"
expect_eq "manifest.mpd" "$code" 200
expect_contains "MPD type" "$(header Content-Type)" "application/dash+xml"
cp "$SV_TMP/body" "$SV_TMP/live.mpd"
if command -v xmllint >/dev/null 2>&1; then
    xmllint --noout "$SV_TMP/live.mpd" || fail "the MPD is not well-formed XML"
fi
$CHECK mpd "$SV_TMP/live.mpd" || fail "MPD"
# The templates resolve: every Representation's init segment is there.
for r in 360p src audio; do
    init=$(grep -o 'initialization="[^"]*"' "$SV_TMP/live.mpd" | sed 's/initialization="\(.*\)"/\1/' |
           head -n 1)
    [ "$r" = audio ] && init=$(grep -o 'initialization="[^"]*"' "$SV_TMP/live.mpd" | tail -n 1 |
                               sed 's/initialization="\(.*\)"/\1/')
    req code "$SV_URL/live/sport/$(echo "$init" | sed "s/\\\$RepresentationID\\\$/$r/")"
    expect_eq "MPD -> $r's init segment" "$code" 200
done

req code "$SV_URL/api/v1/time"
expect_eq "/api/v1/time" "$code" 200
python3 - "$SV_TMP/body" <<'PY' || fail "/api/v1/time is not the time"
import calendar, sys, time
t = open(sys.argv[1]).read().strip()
s = calendar.timegm(time.strptime(t[:19], "%Y-%m-%dT%H:%M:%S")) + float("0" + t[19:-1])
assert t.endswith("Z") and abs(s - time.time()) < 2, t
print("ok: /api/v1/time says " + t)
PY

$CHECK chunked "$SV_URL/live/sport/360p/index.m3u8" "$SV_DATA/live/sport/360p" ||
    fail "chunked segment"
$CHECK chunked "$SV_URL/live/sport/audio/index.m3u8" "$SV_DATA/live/sport/audio" ||
    fail "chunked audio segment"

# A segment asked for ahead of its time: up to two past the one being
# written, the request is held until it lands and then streamed (a player
# whose timeline runs ahead, as Shaka Player's after a gap between two
# Periods, gets its media instead of a 404); further ahead, 404 at once.
# m is the last complete segment; a blocking reload returns once the first
# part of m + 1 landed, so the one being written is m + 1 (or m + 2).
live_pl sport 360p
m=$(grep '^seg-' "$SV_TMP/pl" | tail -n 1 | sed 's/seg-\([0-9]*\).m4s/\1/')
req code "$SV_URL/live/sport/360p/index.m3u8?_HLS_msn=$((m + 1))&_HLS_part=0"
expect_eq "blocking reload for the first part of seg-$((m + 1))" "$code" 200
far=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' "$SV_URL/live/sport/360p/seg-$((m + 5)).m4s")
expect_eq "seg-$((m + 5)), three or more past the one being written" "${far% *}" 404
curl -s -o "$SV_TMP/ahead.m4s" -w '%{http_code}' "$SV_URL/live/sport/360p/seg-$((m + 3)).m4s" \
    >"$SV_TMP/ahead.code"
expect_eq "seg-$((m + 3)), asked for before it began" "$(cat "$SV_TMP/ahead.code")" 200
cat "$SV_DATA/live/sport/360p/init-0.mp4" "$SV_TMP/ahead.m4s" >"$SV_TMP/ahead.mp4"
n=$(ffprobe -v error -count_frames -select_streams v -show_entries stream=nb_read_frames \
    -of csv=p=0 "$SV_TMP/ahead.mp4")
expect_eq "frames in seg-$((m + 3)), held until it landed" "$n" 60

# A segment fetched whole once complete decodes to its 60 frames.
live_pl sport 360p
# The segment before the last: a feed that has ended leaves its last one short.
m=$(grep '^seg-' "$SV_TMP/pl" | tail -n 2 | head -n 1 | sed 's/seg-\([0-9]*\).m4s/\1/')
curl -s -o "$SV_TMP/seg.m4s" "$SV_URL/live/sport/360p/seg-$m.m4s"
curl -s -o "$SV_TMP/init.mp4" "$SV_URL/live/sport/360p/init-0.mp4"
cat "$SV_TMP/init.mp4" "$SV_TMP/seg.m4s" >"$SV_TMP/seg.mp4"
n=$(ffprobe -v error -count_frames -select_streams v -show_entries stream=nb_read_frames \
    -of csv=p=0 "$SV_TMP/seg.mp4")
expect_eq "frames in seg-$m" "$n" 60

# The passthrough rung: the feed's packets, cut like the others.
$CHECK chunked "$SV_URL/live/sport/src/index.m3u8" "$SV_DATA/live/sport/src" ||
    fail "chunked passthrough segment"
live_pl sport src
expect_contains "src playlist" "$(cat "$SV_TMP/pl")" 'INDEPENDENT=YES'
# The segment before the last: a feed that has ended leaves its last one short.
m=$(grep '^seg-' "$SV_TMP/pl" | tail -n 2 | head -n 1 | sed 's/seg-\([0-9]*\).m4s/\1/')
d="$SV_DATA/live/sport/src"
cat "$d/init-0.mp4" "$d/seg-$m.m4s" >"$SV_TMP/src.mp4"
n=$(ffprobe -v error -count_frames -select_streams v -show_entries stream=nb_read_frames \
    -of csv=p=0 "$SV_TMP/src.mp4")
expect_eq "frames in src seg-$m" "$n" 60
expect_eq "src seg-$m starts with a keyframe" \
    "$(ffprobe -v error -select_streams v -show_entries packet=flags -of csv=p=0 "$SV_TMP/src.mp4" | head -n 1)" "K_"
expect_contains "master.m3u8" "$(curl -s "$SV_URL/live/sport/master.m3u8")" 'src/index.m3u8'

wait "$PUB_PID" || fail "the SRT publisher failed: $(cat "$SV_TMP/pub.log")"
