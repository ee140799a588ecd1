#!/bin/sh
# Shaka Packager's low-latency DASH (issue 17, item 5): Shaka Packager 3.4
# (npm "shaka-packager", scripts/shaka-packager.sh) packages a live ffmpeg
# feed (`-re` testsrc2 320x180@30 and a 440 Hz tone, x264 zero latency, 2 s
# GOPs, MPEG-TS into a pipe) with --low_latency_dash_mode: 2 s segments
# uploaded as they are cut (HTTP PUT, chunked) to tests/support/llserve.js,
# which serves each segment being uploaded with chunked transfer as it grows;
# the MPD is dynamic with availabilityTimeOffset and
# availabilityTimeComplete="false", UTCTiming http-xsdate on llserve's /time.
# svplay joins it 8 s in and plays 450 frames (15 s) in real time:
#   - the frames are the packager's, in order, none dropped, no rebuffer,
#     |audio - video| under 40 ms, no error;
#   - the target is the packager's Latency@target (1 s, in its Period);
#     the latency (now minus availabilityStartTime + media time) has a
#     median within 2.5 s of the packager's own floor: its MPD dates
#     segment N 3 to 4 s before the segment's first chunk is uploaded (the
#     feed's MPEG-TS timestamps start at 1.4 s, and an upload starts once
#     the segment before is cut), which no player can beat;
#   - most media requests were answered while the segment was uploaded
#     (chunked).
. "$SV_SOURCE_DIR/tests/player/playlib.sh"
pl_need date
pl_need node
packager=$("$SV_SOURCE_DIR/scripts/shaka-packager.sh" 2>"$PL_TMP/packager.err") ||
    fail "no Shaka Packager: $(cat "$PL_TMP/packager.err")"

frames=450
live="$PL_TMP/live"
mkdir -p "$live"
pl_llserve "$live"
mkfifo "$PL_TMP/feed.ts"
up="$LL_URL"
"$packager" \
    "in=$PL_TMP/feed.ts,stream=video,init_segment=$up/video_init.mp4,segment_template=$up/video_\$Number\$.m4s" \
    "in=$PL_TMP/feed.ts,stream=audio,init_segment=$up/audio_init.mp4,segment_template=$up/audio_\$Number\$.m4s" \
    --segment_duration 2 --low_latency_dash_mode=true \
    --utc_timings "urn:mpeg:dash:utc:http-xsdate:2014=$LL_URL/time" \
    --mpd_output "$up/manifest.mpd" >"$PL_TMP/packager.log" 2>&1 &
PL_PIDS="$PL_PIDS $!"
pk=$!
ffmpeg -nostdin -hide_banner -loglevel error -y \
    -re -t 40 -f lavfi -i "testsrc2=size=320x180:rate=30" \
    -re -t 40 -f lavfi -i "sine=frequency=440:sample_rate=48000" \
    -map 0:v -map 1:a -c:v libx264 -preset veryfast -tune zerolatency -profile:v high \
    -pix_fmt yuv420p -g 60 -keyint_min 60 -sc_threshold 0 \
    -force_key_frames 'expr:gte(t,n_forced*2)' -b:v 300k -c:a aac -b:a 64k -ac 2 \
    -f mpegts "$PL_TMP/feed.ts" 2>"$PL_TMP/ffmpeg.err" &
PL_PIDS="$PL_PIDS $!"
feed=$!

i=0
until grep -q 'type="dynamic"' "$live/manifest.mpd" 2>/dev/null; do
    i=$((i + 1))
    kill -0 "$pk" 2>/dev/null || fail "the packager exited: $(tail -n 5 "$PL_TMP/packager.log")"
    [ "$i" -le 150 ] || fail "no dynamic MPD within 15 s: $(tail -n 5 "$PL_TMP/packager.log")"
    sleep 0.1
done
grep -q 'availabilityTimeComplete="false"' "$live/manifest.mpd"
check $? "the packager's MPD is low-latency (availabilityTimeOffset, availabilityTimeComplete=false)"
ast=$(date -d "$(sed -n 's/.*availabilityStartTime="\([^"]*\)".*/\1/p' "$live/manifest.mpd")" +%s.%N) ||
    fail "no availabilityStartTime in the packager's MPD"
while awk -v s="$ast" -v n="$(date +%s.%N)" 'BEGIN { exit !(n - s < 8) }'; do
    sleep 0.2
done

pl_play ll 60 --headless --realtime --quiet --frames "$frames" --framemd5 "$PL_TMP/ll.md5" \
    --stats "$PL_TMP/ll.json" "$LL_URL/manifest.mpd"
kill -TERM "$feed" 2>/dev/null
wait "$feed" 2>/dev/null
kill -TERM "$pk" 2>/dev/null
wait "$pk" 2>/dev/null
stats="$PL_TMP/ll.json"
if [ "$PL_RC" -ne 0 ] || [ ! -s "$stats" ]; then
    pl_show ll
    fail "svplay exited $PL_RC"
fi
err=$(pl_json "$stats" error)
[ "$err" = null ]
check $? "no error ($err)"

# The packager's whole video, decoded by ffmpeg: one hash per frame.
ls "$live/"video_*.m4s | sort -V | xargs cat "$live/video_init.mp4" >"$PL_TMP/all.mp4"
ffmpeg -nostdin -v error -i "$PL_TMP/all.mp4" -map 0:v:0 -fps_mode passthrough -f framemd5 \
    "$PL_TMP/ref.framemd5" || fail "ffmpeg cannot decode the packager's output"
pl_hashes "$PL_TMP/ref.framemd5" >"$PL_TMP/ref"
pl_hashes "$PL_TMP/ll.md5" >"$PL_TMP/got"
n=$(wc -l <"$PL_TMP/got")
first=$(head -n 1 "$PL_TMP/got")
k=$(grep -n -x -m1 "$first" "$PL_TMP/ref" | cut -d: -f1)
if [ -z "$first" ] || [ -z "$k" ]; then
    check 1 "the first frame shown ($first) is a frame of the packager's stream"
else
    tail -n "+$k" "$PL_TMP/ref" | head -n "$n" >"$PL_TMP/want"
    [ "$n" -ge "$frames" ] && cmp -s "$PL_TMP/got" "$PL_TMP/want"
    check $? "$n frames presented, the packager's frames $k..$((k + n - 1)) in order (wanted $frames)"
fi
dropped=$(pl_json "$stats" dropped_frames)
rebuf=$(pl_json "$stats" rebuffer_count)
[ "$dropped" = 0 ] && [ "$rebuf" = 0 ]
check $? "dropped_frames $dropped, rebuffer_count $rebuf"
drift=$(pl_json "$stats" max_av_drift_s)
awk -v d="$drift" 'BEGIN { exit !(d != "" && d + 0 == d && d >= 0 && d < 0.040) }'
check $? "max_av_drift_s $drift < 0.040"
# The packager's floor: its MPD puts segment N (startNumber 1) at
# availabilityStartTime + 2 (N - 1) s, but its media is the feed's (MPEG-TS
# timestamps from 1.4 s) and a segment's upload starts only once the one
# before is cut, so the first chunk of segment N exists that much later:
# the least latency any player can have at the segment's first frame.
p50=$(pl_json "$stats" live_latency_p50_s)
p95=$(pl_json "$stats" live_latency_p95_s)
floor=$(node -e '
const fs = require("fs");
const mpd = fs.readFileSync(process.argv[2], "utf8");
const ast = Date.parse(/availabilityStartTime="([^"]*)"/.exec(mpd)[1]) / 1000;
const lags = fs.readFileSync(process.argv[1], "utf8").trim().split("\n").map(JSON.parse)
  .filter(l => l.status === 201 && /^\/video_\d+\.m4s$/.test(l.path))
  .map(l => l.start - (ast + 2 * (Number(/\d+/.exec(l.path)[0]) - 1)))
  .filter(x => x > 0).sort((a, b) => a - b);
console.log(lags.length ? lags[lags.length >> 1].toFixed(3) : "");
' "$PL_TMP/llserve.jsonl" "$live/manifest.mpd") || floor=""
[ -n "$floor" ] || fail "no upload times in the server log"
awk -v a="$p50" -v f="$floor" 'BEGIN { exit !(a > 0 && a < f + 2.5) }'
check $? "live latency p50 $p50 s (p95 $p95 s) within 2.5 s of the packager's floor $floor s (a segment's first chunk uploaded, after its MPD time)"

node -e '
const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map(JSON.parse);
const media = lines.filter(l => /(video|audio)_\d+\.m4s$/.test(l.path) && l.status === 200);
const chunked = media.filter(l => l.chunked).length;
console.log(media.length, chunked);
' "$PL_TMP/llserve.jsonl" >"$PL_TMP/req" || fail "cannot read the server log"
set -- $(cat "$PL_TMP/req")
[ "$1" -gt 0 ] && [ $(($2 * 10)) -ge $(($1 * 6)) ]
check $? "$2 of $1 media segment requests answered while being uploaded (chunked)"
target=$(pl_json "$stats" live_target_latency_s)
awk -v t="$target" 'BEGIN { exit !(t == 1) }'
check $? "the target held is the packager's Latency@target in its Period: $target s"
echo "measured: latency p50 $p50 s, p95 $p95 s (the packager's floor $floor s), drift $drift s"
pl_finish
