#!/bin/sh
# live_dash_gen.sh OUTDIR [SECONDS] - a live DASH generator for the live DASH
# tests. One `ffmpeg -re` encodes testsrc2 320x180@30 + a 440 Hz tone in real
# time for SECONDS (default 50), once, and its tee muxer writes the same
# segments (2 s, a key frame at each start) twice:
#   OUTDIR/num/manifest.mpd   SegmentTemplate with @duration and $Number$
#                             (-use_timeline 0): ffmpeg writes it once with
#                             minimumUpdatePeriod PT500S, so segment
#                             availability must come from the MPD's timing
#   OUTDIR/tl/manifest.mpd    SegmentTemplate + SegmentTimeline, rewritten
#                             after every segment (minimumUpdatePeriod PT2S)
# Both are dynamic with a 5-segment window (timeShiftBufferDepth 10 s) and
# suggestedPresentationDelay PT2S; old segments stay on disk, so a test can
# decode the whole stream afterwards. Writes OUTDIR/ready once both MPDs are
# dynamic and 3 segments of each stream exist. Stops after SECONDS, or on
# SIGTERM/SIGINT (ffmpeg too). Exit 1 if ffmpeg fails or the outputs do not
# appear within 20 s.
. "$(dirname "$0")/../support/livegen.sh"
set -eu
[ $# -ge 1 ] || { echo "usage: live_dash_gen.sh OUTDIR [SECONDS]" >&2; exit 2; }
out=$1
secs=${2:-50}
mkdir -p "$out/num" "$out/tl"
rm -f "$out/ready"

dash="f=dash:seg_duration=2:window_size=5:extra_window_size=1000:use_template=1:streaming=0"
ffpid=""
stop() {
    [ -n "$ffpid" ] && kill -TERM "$ffpid" 2>/dev/null && wait "$ffpid" 2>/dev/null
    ffpid=""
}
trap 'stop; exit 0' TERM INT HUP

ffmpeg -nostdin -hide_banner -loglevel error -y \
    -re -t "$secs" -f lavfi -i "testsrc2=size=320x180:rate=30" \
    -re -t "$secs" -f lavfi -i "sine=frequency=440:sample_rate=48000" \
    -map 0:v -map 1:a -c:v libx264 -preset veryfast -tune zerolatency -profile:v high \
    -pix_fmt yuv420p -g 60 -keyint_min 60 -sc_threshold 0 -force_key_frames 'expr:gte(t,n_forced*2)' \
    -b:v 300k -c:a aac -b:a 64k -ac 2 \
    -f tee "[$dash:use_timeline=0]$out/num/manifest.mpd|[$dash:use_timeline=1]$out/tl/manifest.mpd" \
    2>"$out/ffmpeg.err" &
ffpid=$!

i=0
while :; do
    kill -0 "$ffpid" 2>/dev/null || { cat "$out/ffmpeg.err" >&2; echo "live_dash_gen: ffmpeg exited" >&2; exit 1; }
    if grep -q 'type="dynamic"' "$out/num/manifest.mpd" 2>/dev/null &&
        grep -q 'type="dynamic"' "$out/tl/manifest.mpd" 2>/dev/null &&
        [ -f "$out/num/chunk-stream1-00003.m4s" ] && [ -f "$out/tl/chunk-stream1-00003.m4s" ]; then
        break
    fi
    i=$((i + 1))
    [ "$i" -le 200 ] || { stop; echo "live_dash_gen: no 3 segments within 20 s" >&2; exit 1; }
    sleep 0.1
done
touch "$out/ready"

_ff=$ffpid
ffpid=""
livegen_finish "$_ff" "$out"
