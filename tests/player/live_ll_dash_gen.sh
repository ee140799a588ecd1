#!/bin/sh
# live_ll_dash_gen.sh OUTDIR UTC_URL [SECONDS [READY]] - a low-latency DASH generator
# for the live latency tests: one `ffmpeg -re` encodes testsrc2 320x180@30
# and a 440 Hz tone in real time for SECONDS (default 60) with ffmpeg's own
# low-latency DASH muxer (-ldash 1 -streaming 1): 2 s segments, each written
# as 0.2 s CMAF chunks into SEGMENT.tmp and renamed when complete
# (availabilityTimeOffset 1.8, availabilityTimeComplete="false"), a
# $Number$ template written once, a 10-segment window (timeShiftBufferDepth
# 20 s), ServiceDescription Latency@target 1500 ms, and UTCTiming
# http-xsdate at UTC_URL. Old segments stay on disk (a test decodes the
# whole stream afterwards). Writes OUTDIR/ready once the MPD is dynamic and
# READY segments (default 2) of each stream are complete; stops after SECONDS or on
# SIGTERM/SIGINT. Exit 1 if ffmpeg fails or nothing appears within 20 s.
. "$(dirname "$0")/../support/livegen.sh"
set -eu
[ $# -ge 2 ] || { echo "usage: live_ll_dash_gen.sh OUTDIR UTC_URL [SECONDS [READY]]" >&2; exit 2; }
out=$1
utc=$2
secs=${3:-60}
ready=${4:-2}
case "$ready" in
    '' | *[!0-9]* | 0) echo "live_ll_dash_gen.sh: READY '$ready': a number of segments, at least 1" >&2; exit 2 ;;
esac
last=$(printf '%05d' "$ready")
mkdir -p "$out"
rm -f "$out/ready"

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
    -f dash -ldash 1 -streaming 1 -seg_duration 2 -frag_duration 0.2 -frag_type duration \
    -use_template 1 -use_timeline 0 -window_size 10 -extra_window_size 1000 \
    -target_latency 1.5 -utc_timing_url "$utc" "$out/manifest.mpd" \
    2>"$out/ffmpeg.err" &
ffpid=$!

i=0
while :; do
    kill -0 "$ffpid" 2>/dev/null || { cat "$out/ffmpeg.err" >&2; echo "live_ll_dash_gen: ffmpeg exited" >&2; exit 1; }
    if grep -q 'type="dynamic"' "$out/manifest.mpd" 2>/dev/null &&
        [ -f "$out/chunk-stream0-$last.m4s" ] && [ -f "$out/chunk-stream1-$last.m4s" ]; then
        break
    fi
    i=$((i + 1))
    [ "$i" -le 200 ] || { stop; echo "live_ll_dash_gen: no $ready segments within 20 s" >&2; exit 1; }
    sleep 0.1
done
touch "$out/ready"

_ff=$ffpid
ffpid=""
livegen_finish "$_ff" "$out"
