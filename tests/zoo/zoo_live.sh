#!/bin/sh
# zoo_live.sh ZOO OUTDIR - the zoo's live entries: one `ffmpeg -re` plays
# ZOO/src/live.mp4 (zoo_gen.sh: 90 s, 320x180 at 30 fps, 2 s GOPs, AAC muxed
# in) out in real time, stream copy, as four live streams at once:
#   OUTDIR/live_hls_ts/live.m3u8       HLS MPEG-TS, audio muxed in
#   OUTDIR/live_hls_fmp4/master.m3u8   HLS fMP4, audio an EXT-X-MEDIA rendition
#   OUTDIR/live_dash_timeline/manifest.mpd  dynamic MPD, SegmentTimeline
#   OUTDIR/live_dash_number/manifest.mpd    dynamic MPD, $Number$ and @duration
# 2 s segments; the HLS playlists list 5 (-hls_list_size, delete_segments
# removes older files), the MPDs a window of 5 (-window_size) and keep 3 more
# on disk (-extra_window_size). Writes for the tests that join them:
#   OUTDIR/start_epoch   wall clock (s since the epoch) just before ffmpeg
#                        started: frame k of live.mp4 (k/30 s of media) was
#                        read at about start_epoch + k/30
#   OUTDIR/ready         once every stream lists 5 segments and its window
#                        has moved past the first (a player joining then
#                        cannot start at 0)
# Runs until ffmpeg ends (90 s) or SIGTERM/SIGINT (ffmpeg is stopped too).
# Exit 1 if ffmpeg fails or the streams are not ready within 40 s.
. "$(dirname "$0")/../support/livegen.sh"
set -eu
[ $# -eq 2 ] || { echo "usage: zoo_live.sh ZOO OUTDIR" >&2; exit 2; }
src="$1/src/live.mp4"
out=$2
[ -f "$src" ] || { echo "zoo_live: no $src (run tests/zoo/zoo_gen.sh)" >&2; exit 1; }
SEG=2
WIN=5
rm -rf "$out"
mkdir -p "$out/live_hls_ts" "$out/live_hls_fmp4" "$out/live_dash_timeline" "$out/live_dash_number"

ffpid=""
stop() {
    [ -n "$ffpid" ] && kill -TERM "$ffpid" 2>/dev/null && wait "$ffpid" 2>/dev/null
    ffpid=""
}
trap 'stop; exit 0' TERM INT HUP

HLS="-f hls -hls_time $SEG -hls_list_size $WIN -hls_flags delete_segments+independent_segments+temp_file"
DASH="-f dash -seg_duration $SEG -window_size $WIN -extra_window_size 3 -streaming 0 -ldash 0 -remove_at_exit 0"
date +%s.%N >"$out/start_epoch"
# shellcheck disable=SC2086
ffmpeg -nostdin -hide_banner -loglevel error -y -re -i "$src" \
    -map 0:v -map 0:a -c copy $HLS -hls_segment_type mpegts \
    -hls_segment_filename "$out/live_hls_ts/s%d.ts" "$out/live_hls_ts/live.m3u8" \
    -map 0:a -map 0:v -c copy $HLS -hls_segment_type fmp4 -hls_fmp4_init_filename init.mp4 \
    -master_pl_name master.m3u8 -var_stream_map "a:0,agroup:aud,default:yes v:0,agroup:aud" \
    -hls_segment_filename "$out/live_hls_fmp4/s%v_%d.m4s" "$out/live_hls_fmp4/s%v.m3u8" \
    -map 0:v -map 0:a -c copy $DASH -use_template 1 -use_timeline 1 \
    -adaptation_sets "id=0,streams=v id=1,streams=a" "$out/live_dash_timeline/manifest.mpd" \
    -map 0:v -map 0:a -c copy $DASH -use_template 1 -use_timeline 0 \
    -adaptation_sets "id=0,streams=v id=1,streams=a" "$out/live_dash_number/manifest.mpd" \
    2>"$out/ffmpeg.err" &
ffpid=$!

# moved FILE - FILE lists WIN segments and its window no longer starts at
# the first one.
moved() {
    case "$1" in
        *.m3u8)
            awk -F: -v w="$WIN" '/^#EXT-X-MEDIA-SEQUENCE:/ { s = $2 } /^#EXTINF/ { n++ }
                END { exit !(s >= 1 && n >= w) }' "$1" 2>/dev/null
            ;;
        *timeline*)
            # The video's SegmentTimeline: startNumber past 1, and 1 + r
            # segments per S.
            sed -n '/contentType="video"/,/<\/AdaptationSet>/p' "$1" 2>/dev/null |
                awk -F'"' -v w="$WIN" '
                    { for (i = 1; i < NF; i++) { if ($i ~ /startNumber=$/) s = $(i + 1); if ($i ~ / r=$/) n += $(i + 1) } }
                    /<S / { n++ }
                    END { exit !(s >= 2 && n >= w) }'
            ;;
        *)
            # $Number$ with @duration: the MPD does not change; the files on
            # disk tell how far the encoder went.
            [ "$(ls "$(dirname "$1")" 2>/dev/null | grep -c '^chunk-stream0-.*m4s$')" -gt "$WIN" ]
            ;;
    esac
}

i=0
while :; do
    kill -0 "$ffpid" 2>/dev/null || { cat "$out/ffmpeg.err" >&2; echo "zoo_live: ffmpeg exited" >&2; exit 1; }
    ready=1
    for f in live_hls_ts/live.m3u8 live_hls_fmp4/s1.m3u8 live_dash_timeline/manifest.mpd \
        live_dash_number/manifest.mpd; do
        moved "$out/$f" || ready=0
    done
    [ "$ready" -eq 1 ] && break
    i=$((i + 1))
    [ "$i" -le 400 ] || { stop; echo "zoo_live: the streams were not ready within 40 s" >&2; exit 1; }
    sleep 0.1
done
touch "$out/ready"

_ff=$ffpid
ffpid=""
livegen_finish "$_ff" "$out"
