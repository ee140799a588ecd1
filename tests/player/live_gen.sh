#!/bin/sh
# live_gen.sh OUTDIR [SECONDS [SEGMENT [WINDOW]]] - a live stream generator for
# the player's live tests. One `ffmpeg -re` encodes testsrc2 320x180@30 + a
# 440 Hz tone in real time for SECONDS (default 40), in segments of SEGMENT
# seconds (a whole number, default 2; a key frame starts each), WINDOW of them
# (default 6) listed, into
#   OUTDIR/dash/manifest.mpd   dynamic MPD (dash muxer: SegmentTemplate +
#                              SegmentTimeline, SEGMENT s segments, WINDOW-segment window,
#                              availabilityStartTime = the encoder's start)
#   OUTDIR/hls/live.m3u8       live HLS playlist (MPEG-TS, SEGMENT s segments, WINDOW in
#                              the list, no EXT-X-ENDLIST while running)
# and writes, for the tests that join it:
#   OUTDIR/start_epoch         wall clock (s since the epoch) when ffmpeg started:
#                              frame k (k/30 s of media) was produced at about
#                              start_epoch + k/30
#   OUTDIR/ready               once both outputs list at least 3 segments
# Old segments stay on disk (the MPD and playlist list only the window), so a
# test can decode the whole stream afterwards and find which frame a player
# showed by its hash.
# Serve OUTDIR with sv-faultsrv. Stops after SECONDS, or on SIGTERM/SIGINT
# (then ffmpeg is stopped too). Exit 1 if ffmpeg fails or the outputs do not
# appear within 20 s.
. "$(dirname "$0")/../support/livegen.sh"
set -eu
[ $# -ge 1 ] || { echo "usage: live_gen.sh OUTDIR [SECONDS [SEGMENT [WINDOW]]]" >&2; exit 2; }
out=$1
secs=${2:-40}
seg=${3:-2}
win=${4:-6}
case "$seg" in
    '' | *[!0-9]* | 0) echo "live_gen.sh: SEGMENT '$seg': a whole number of seconds, at least 1" >&2; exit 2 ;;
esac
case "$win" in
    '' | *[!0-9]* | 0 | 1 | 2) echo "live_gen.sh: WINDOW '$win': a whole number of segments, at least 3" >&2; exit 2 ;;
esac
mkdir -p "$out/dash" "$out/hls"
rm -f "$out/ready" "$out/start_epoch"

X264="-c:v libx264 -preset veryfast -tune zerolatency -profile:v high -pix_fmt yuv420p -g $((30 * seg)) -keyint_min $((30 * seg)) -sc_threshold 0 -b:v 300k"
KF="expr:gte(t,n_forced*$seg)"
ffpid=""
stop() {
    [ -n "$ffpid" ] && kill -TERM "$ffpid" 2>/dev/null && wait "$ffpid" 2>/dev/null
    ffpid=""
}
trap 'stop; exit 0' TERM INT HUP

date +%s.%N >"$out/start_epoch"
# shellcheck disable=SC2086
ffmpeg -nostdin -hide_banner -loglevel error -y \
    -re -t "$secs" -f lavfi -i "testsrc2=size=320x180:rate=30" \
    -re -t "$secs" -f lavfi -i "sine=frequency=440:sample_rate=48000" \
    -map 0:v -map 1:a $X264 -force_key_frames "$KF" -c:a aac -b:a 64k -ac 2 \
    -f dash -seg_duration "$seg" -window_size "$win" -extra_window_size 1000 -use_template 1 -use_timeline 1 \
    -streaming 0 -ldash 0 -adaptation_sets "id=0,streams=v id=1,streams=a" \
    "$out/dash/manifest.mpd" \
    -map 0:v -map 1:a $X264 -force_key_frames "$KF" -c:a aac -b:a 64k -ac 2 \
    -f hls -hls_time "$seg" -hls_list_size "$win" -hls_flags temp_file+independent_segments \
    -hls_segment_filename "$out/hls/live%d.ts" "$out/hls/live.m3u8" \
    2>"$out/ffmpeg.err" &
ffpid=$!

# segments FILE - how many segments a playlist or MPD lists right now.
count_segments() {
    case "$1" in
        *.m3u8) grep -c '^#EXTINF' "$1" 2>/dev/null || true ;;
        *.mpd)
            # SegmentTimeline entries of the video representation: 1 + r each.
            sed -n '/contentType="video"/,/<\/AdaptationSet>/p' "$1" 2>/dev/null |
                awk -F'"' '/<S / { n++; for (i = 1; i < NF; i++) if ($i ~ / r=$/) n += $(i + 1) } END { print n + 0 }'
            ;;
    esac
}

i=0
while :; do
    kill -0 "$ffpid" 2>/dev/null || { cat "$out/ffmpeg.err" >&2; echo "live_gen: ffmpeg exited" >&2; exit 1; }
    d=$(count_segments "$out/dash/manifest.mpd")
    h=$(count_segments "$out/hls/live.m3u8")
    [ "${d:-0}" -ge 3 ] && [ "${h:-0}" -ge 3 ] && break
    i=$((i + 1))
    [ "$i" -le 200 ] || { stop; echo "live_gen: no 3 segments within 20 s (dash $d, hls $h)" >&2; exit 1; }
    sleep 0.1
done

touch "$out/ready"

_ff=$ffpid
ffpid=""
livegen_finish "$_ff" "$out"
