#!/bin/sh
# Low-latency HLS (issue 17) from tests/support/llhls.js, a real LL-HLS
# origin (ffmpeg's live fMP4 cut into 0.2 s parts, 2 s segments,
# PART-HOLD-BACK 1.0, blocking reloads, delta updates, preload hints).
# svplay joins 8 s in and plays 25 s (750 frames) in real time:
#   - the frames are the origin's, in order, none dropped, no rebuffer,
#     |audio - video| under 40 ms;
#   - the latency (now minus the frame's EXT-X-PROGRAM-DATE-TIME + its
#     offset) has a median under 1.5 s, held toward PART-HOLD-BACK (1.0 s)
#     by a rate within 0.95-1.05;
#   - the requests were LL-HLS ones: blocking reloads (_HLS_msn and
#     _HLS_part) that the origin held, delta updates (_HLS_skip=YES)
#     answered with EXT-X-SKIP, parts (not whole segments), and preload
#     hints asked for before their part existed.
# The same stream played by whole segments would be at least 3 target
# durations (6 s) behind.
. "$SV_SOURCE_DIR/tests/player/playlib.sh"
. "$SV_SOURCE_DIR/tests/support/livegen.sh"

frames=750
origin="$PL_TMP/origin"
mkdir -p "$origin"
node "$SV_SOURCE_DIR/tests/support/llhls.js" --port-file "$PL_TMP/port" --dir "$origin" \
    --seconds 50 --log "$PL_TMP/requests.jsonl" 2>"$PL_TMP/origin.err" &
og=$!
PL_PIDS="$PL_PIDS $og"
livegen_wait "$og" "$origin" 25 "$PL_TMP/origin.err"
url="http://127.0.0.1:$(cat "$PL_TMP/port")/live.m3u8"
sleep 2 # 8 s of stream: ready comes at 6 s

pl_play ll 60 --headless --realtime --quiet --frames "$frames" --framemd5 "$PL_TMP/ll.md5" \
    --stats "$PL_TMP/ll.json" "$url"
kill -TERM "$og" 2>/dev/null
wait "$og" 2>/dev/null
stats="$PL_TMP/ll.json"
if [ "$PL_RC" -ne 0 ] || [ ! -s "$stats" ]; then
    pl_show ll
    fail "svplay exited $PL_RC"
fi
err=$(pl_json "$stats" error)
[ "$err" = null ]
check $? "no error ($err)"

ffmpeg -nostdin -v error -i "$origin/all.mp4" -map 0:v:0 -fps_mode passthrough -f framemd5 \
    "$PL_TMP/ref.framemd5" || fail "ffmpeg cannot decode the origin's stream"
pl_hashes "$PL_TMP/ref.framemd5" >"$PL_TMP/ref"
pl_hashes "$PL_TMP/ll.md5" >"$PL_TMP/got"
n=$(wc -l <"$PL_TMP/got")
first=$(head -n 1 "$PL_TMP/got")
k=$(grep -n -x -m1 "$first" "$PL_TMP/ref" | cut -d: -f1)
if [ -z "$first" ] || [ -z "$k" ]; then
    check 1 "the first frame shown ($first) is a frame of the origin's stream"
else
    tail -n "+$k" "$PL_TMP/ref" | head -n "$n" >"$PL_TMP/want"
    [ "$n" -ge "$frames" ] && cmp -s "$PL_TMP/got" "$PL_TMP/want"
    check $? "$n frames presented, the origin's frames $k..$((k + n - 1)) in order (wanted $frames)"
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
awk -v a="$p50" -v b="$p95" 'BEGIN { exit !(a > 0 && a < 1.5 && b >= a && b < 2.0) }'
check $? "live latency p50 $p50 s < 1.5 s, p95 $p95 s < 2.0 s"
awk -v t="$target" 'BEGIN { exit !(t == 1.0) }'
check $? "the target held is PART-HOLD-BACK: $target s"
lo=$(pl_json "$stats" min_playback_rate)
hi=$(pl_json "$stats" max_playback_rate)
awk -v l="$lo" -v h="$hi" 'BEGIN { exit !(l >= 0.95 && h <= 1.05) }'
check $? "playback rate $lo..$hi within 0.95-1.05"

node -e '
const L = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map(JSON.parse);
const pl = L.filter(l => l.path === "/live.m3u8" && l.status === 200);
const blocking = pl.filter(l => /_HLS_msn=\d+&_HLS_part=\d+/.test(l.query));
const held = blocking.filter(l => l.held > 0.05).length;
const delta = pl.filter(l => /_HLS_skip=YES/.test(l.query) && l.skipped > 0).length;
const parts = L.filter(l => /^\/part/.test(l.path) && l.status === 200);
const early = parts.filter(l => l.held > 0.05).length;
const segs = L.filter(l => /^\/seg/.test(l.path)).length;
console.log(blocking.length, held, delta, parts.length, early, segs);
' "$PL_TMP/requests.jsonl" >"$PL_TMP/req" || fail "cannot read the origin's log"
set -- $(cat "$PL_TMP/req")
[ "$1" -ge 50 ] && [ "$2" -ge 25 ]
check $? "$1 blocking playlist reloads (_HLS_msn, _HLS_part), $2 of them held by the origin"
[ "$3" -ge 1 ]
check $? "$3 delta updates answered with EXT-X-SKIP and merged (no error)"
[ "$4" -ge 100 ] && [ "$5" -ge 50 ] && [ "$6" -eq 0 ]
check $? "$4 parts fetched, $5 of them asked for by their preload hint before they existed, $6 whole segments"
echo "measured: latency p50 $p50 s, p95 $p95 s, rate $lo..$hi, drift $drift s"
pl_finish
