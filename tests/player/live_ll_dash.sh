#!/bin/sh
# Low-latency DASH (issue 17): ffmpeg's own -ldash 1 -streaming 1 output
# (tests/player/live_ll_dash_gen.sh: 2 s segments written as 0.2 s chunks,
# availabilityTimeOffset 1.8 with availabilityTimeComplete="false",
# Latency@target 1500 ms, UTCTiming http-xsdate) served by
# tests/support/llserve.js, which sends the segment being written with
# chunked transfer as it grows. svplay joins 8 s in and plays 25 s (750
# frames) in real time:
#   - the frames are the generator's, in order, none dropped, no rebuffer,
#     |audio - video| under 40 ms;
#   - the latency (now minus the presented frame's availabilityStartTime +
#     media time) has a median under 2.0 s and a 95th percentile under
#     2.5 s, held toward the MPD's 1.5 s target by the playback rate, which
#     stayed within 0.95-1.05;
#   - the media segments were read as they grew: most requests were
#     answered with chunked transfer, and the player asked for the
#     UTCTiming clock.
# The same latency with whole-segment fetching cannot go under 2.8 s (a
# segment becomes whole only when it ends), so the median also tells that
# the segments were read while written.
. "$SV_SOURCE_DIR/tests/player/playlib.sh"
pl_need date

frames=750
live="$PL_TMP/live"
mkdir -p "$live"
pl_llserve "$live"
sh "$PL_DIR/live_ll_dash_gen.sh" "$live" "$LL_URL/time" 50 2>"$PL_TMP/gen.err" &
gen=$!
PL_PIDS="$PL_PIDS $gen"
. "$SV_SOURCE_DIR/tests/support/livegen.sh"
livegen_wait "$gen" "$live" 25 "$PL_TMP/gen.err"
ast=$(date -d "$(sed -n 's/.*availabilityStartTime="\([^"]*\)".*/\1/p' "$live/manifest.mpd")" +%s.%N) ||
    fail "no availabilityStartTime in the live MPD"
while awk -v s="$ast" -v n="$(date +%s.%N)" 'BEGIN { exit !(n - s < 8) }'; do
    sleep 0.2
done

pl_play ll 60 --headless --realtime --quiet --frames "$frames" --framemd5 "$PL_TMP/ll.md5" \
    --stats "$PL_TMP/ll.json" "$LL_URL/manifest.mpd"
kill -TERM "$gen" 2>/dev/null
wait "$gen" 2>/dev/null
stats="$PL_TMP/ll.json"
if [ "$PL_RC" -ne 0 ] || [ ! -s "$stats" ]; then
    pl_show ll
    fail "svplay exited $PL_RC"
fi
err=$(pl_json "$stats" error)
[ "$err" = null ]
check $? "no error ($err)"

# The generator's whole output, decoded by ffmpeg: one hash per frame.
ls "$live/"chunk-stream0-*.m4s | sort -V | xargs cat "$live/init-stream0.m4s" >"$PL_TMP/all.mp4"
ffmpeg -nostdin -v error -i "$PL_TMP/all.mp4" -map 0:v:0 -fps_mode passthrough -f framemd5 \
    "$PL_TMP/ref.framemd5" || fail "ffmpeg cannot decode the generator's output"
pl_hashes "$PL_TMP/ref.framemd5" >"$PL_TMP/ref"
pl_hashes "$PL_TMP/ll.md5" >"$PL_TMP/got"
n=$(wc -l <"$PL_TMP/got")
first=$(head -n 1 "$PL_TMP/got")
k=$(grep -n -x -m1 "$first" "$PL_TMP/ref" | cut -d: -f1)
if [ -z "$first" ] || [ -z "$k" ]; then
    check 1 "the first frame shown ($first) is a frame of the generator's stream"
else
    tail -n "+$k" "$PL_TMP/ref" | head -n "$n" >"$PL_TMP/want"
    [ "$n" -ge "$frames" ] && cmp -s "$PL_TMP/got" "$PL_TMP/want"
    check $? "$n frames presented, the generator's frames $k..$((k + n - 1)) in order (wanted $frames)"
fi
dropped=$(pl_json "$stats" dropped_frames)
rebuf=$(pl_json "$stats" rebuffer_count)
[ "$dropped" = 0 ] && [ "$rebuf" = 0 ]
check $? "dropped_frames $dropped, rebuffer_count $rebuf"
drift=$(pl_json "$stats" max_av_drift_s)
awk -v d="$drift" 'BEGIN { exit !(d != "" && d + 0 == d && d >= 0 && d < 0.040) }'
check $? "max_av_drift_s $drift < 0.040"

p50=$(pl_json "$stats" live_latency_p50_s)
p95=$(pl_json "$stats" live_latency_p95_s)
target=$(pl_json "$stats" live_target_latency_s)
awk -v a="$p50" -v b="$p95" 'BEGIN { exit !(a > 0 && a < 2.0 && b >= a && b < 2.5) }'
check $? "live latency p50 $p50 s < 2.0 s, p95 $p95 s < 2.5 s"
awk -v t="$target" 'BEGIN { exit !(t == 1.5) }'
check $? "the target held is the MPD's Latency@target: $target s"
lo=$(pl_json "$stats" min_playback_rate)
hi=$(pl_json "$stats" max_playback_rate)
changes=$(pl_json "$stats" playback_rate_changes)
awk -v l="$lo" -v h="$hi" -v c="$changes" \
    'BEGIN { exit !(l >= 0.95 && h <= 1.05 && h > 1 && c > 0) }'
check $? "playback rate $lo..$hi within 0.95-1.05, sped up to the target ($changes changes)"

# The requests: media segments read as they grew, the clock asked for.
node -e '
const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map(JSON.parse);
const media = lines.filter(l => /chunk-stream\d-\d+\.m4s$/.test(l.path) && l.status === 200);
const chunked = media.filter(l => l.chunked).length;
const time = lines.filter(l => l.path === "/time").length;
console.log(media.length, chunked, time);
' "$PL_TMP/llserve.jsonl" >"$PL_TMP/req" || fail "cannot read the server log"
set -- $(cat "$PL_TMP/req")
[ "$1" -gt 0 ] && [ $(($2 * 10)) -ge $(($1 * 8)) ] && [ "$3" -ge 1 ]
check $? "$2 of $1 media segment requests answered while being written (chunked), $3 UTCTiming requests"
echo "measured: latency p50 $p50 s, p95 $p95 s, rate $lo..$hi ($changes changes), drift $drift s"
pl_finish
