#!/bin/sh
# Audio that ends before the video: the audio output is the master clock
# while it plays, and once its last sample is out the clock must run on, or
# the frames after the audio's end are never due and playback never ends.
# 4 s of video with 2 s of audio (made here with ffmpeg -f lavfi, packaged
# by stream copy) as
#   separate  HLS fMP4, audio as an EXT-X-MEDIA rendition
#   muxed_ts  HLS MPEG-TS, audio muxed into the variant
#   frag_mp4  a fragmented mp4 file (each fragment: video, then audio)
# each played headless in real time to its end must exit 0 within the
# media's time + 10 s (not be killed at the limit), with no error, all 120
# frames decoded and the last frame presented being the video's last
# (its hash equals ffmpeg's decode of the source).
. "$SV_SOURCE_DIR/tests/player/playlib.sh"

src="$PL_TMP/src"
www="$PL_TMP/www"
mkdir -p "$src" "$www/separate" "$www/muxed_ts" "$www/frag_mp4"
ff() {
    ffmpeg -nostdin -hide_banner -loglevel error -y "$@" || fail "ffmpeg $*"
}
ff -f lavfi -i "testsrc2=size=320x180:rate=30:duration=4" -c:v libx264 -preset veryfast \
    -pix_fmt yuv420p -g 30 -keyint_min 30 -sc_threshold 0 -an "$src/v.mp4"
ff -f lavfi -i "sine=frequency=440:sample_rate=48000:duration=2" -c:a aac -b:a 64k "$src/a.mp4"
ff -i "$src/v.mp4" -i "$src/a.mp4" -map 1:a -map 0:v -c copy -f hls -hls_time 1 \
    -hls_playlist_type vod -hls_segment_type fmp4 -master_pl_name master.m3u8 \
    -hls_segment_filename "$www/separate/s%v_%03d.m4s" \
    -var_stream_map "a:0,agroup:aud,default:yes v:0,agroup:aud" "$www/separate/s%v.m3u8"
ff -i "$src/v.mp4" -i "$src/a.mp4" -map 0:v -map 1:a -c copy -f hls -hls_time 1 \
    -hls_playlist_type vod -hls_segment_type mpegts \
    -hls_segment_filename "$www/muxed_ts/s_%03d.ts" "$www/muxed_ts/index.m3u8"
ff -i "$src/v.mp4" -i "$src/a.mp4" -map 0:v -map 1:a -c copy \
    -movflags frag_keyframe+empty_moov+default_base_moof "$www/frag_mp4/clip.mp4"
ffmpeg -nostdin -v error -i "$src/v.mp4" -map 0:v:0 -fps_mode passthrough -f framemd5 \
    "$PL_TMP/ref.framemd5" || fail "ffmpeg cannot decode $src/v.mp4"
pl_hashes "$PL_TMP/ref.framemd5" >"$PL_TMP/ref.md5"
frames=$(wc -l <"$PL_TMP/ref.md5")
[ "$frames" -eq 120 ] || fail "the source has $frames frames, expected 120"
last_ref=$(tail -n 1 "$PL_TMP/ref.md5")

pl_serve "$www"
for case in separate/master.m3u8 muxed_ts/index.m3u8 frag_mp4/clip.mp4; do
    name=${case%%/*}
    stats="$PL_TMP/$name.json"
    start=$(date +%s.%N)
    pl_play "$name" 14 --headless --realtime --quiet --framemd5 "$PL_TMP/$name.framemd5" \
        --stats "$stats" "$PL_URL/$case"
    end=$(date +%s.%N)
    wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
    if [ "$PL_RC" -ne 0 ] || [ ! -s "$stats" ]; then
        check 1 "$name: svplay exited $PL_RC after $wall s (124: still playing at the 14 s limit)"
        pl_show "$name"
        continue
    fi
    check 0 "$name: ended by itself in $wall s"
    err=$(pl_json "$stats" error)
    [ "$err" = null ]
    check $? "$name: no error ($err)"
    decoded=$(pl_json "$stats" decoded_frames)
    [ "$decoded" = "$frames" ]
    check $? "$name: decoded_frames $decoded = $frames"
    last=$(pl_hashes "$PL_TMP/$name.framemd5" | tail -n 1)
    [ "$last" = "$last_ref" ]
    check $? "$name: the last frame presented is the video's last ($last)"
    echo "$name: played $(pl_json "$stats" played_s) s, dropped $(pl_json "$stats" dropped_frames), audio $(pl_json "$stats" audio_frames) samples"
done
pl_finish
