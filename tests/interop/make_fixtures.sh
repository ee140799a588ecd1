#!/bin/sh
# Makes the media the browser interop tests play (CTest fixture setup):
# a 10 s 640x360 H.264 + AAC clip from ffmpeg's lavfi sources, packaged
#   ffmpeg/dash/manifest.mpd     ffmpeg's dash muxer (copy of clip.mp4)
#   ffmpeg/hls/master.m3u8       ffmpeg's hls muxer, fMP4 segments, audio group
#   packager/clear/{manifest.mpd,master.m3u8}   Shaka Packager, one run, both
#   packager/cenc/{manifest.mpd,master.m3u8}    the same, cenc with a raw key
# into $SV_BUILD_DIR/tests/interop/media (or $1). The folder is rebuilt in a
# staging folder and renamed into place, so a test never sees half of it.
set -eu
: "${SV_SOURCE_DIR:?run through ctest (SV_SOURCE_DIR unset)}"
: "${SV_BUILD_DIR:?run through ctest (SV_BUILD_DIR unset)}"

out=${1:-$SV_BUILD_DIR/tests/interop/media}
# Shaka's ClearKey test asset key (also used by the drm unit tests).
KID=4060a865887842679cbf91ae5bae1e72
KEY=fc35340837310cc0fb53de97e22a69e0

fail() {
    echo "FAIL: $*" >&2
    exit 1
}
ok() {
    echo "ok: $*"
}

for tool in ffmpeg ffprobe; do
    command -v "$tool" >/dev/null 2>&1 || fail "$tool is missing: run scripts/install-deps.sh"
done
packager=$("$SV_SOURCE_DIR/scripts/shaka-packager.sh") || fail "no Shaka Packager (see above)"
ok "packager: $("$packager" --version 2>&1)"

mkdir -p "$(dirname "$out")"
stage=$(mktemp -d "$out.stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT

# Closed 2 s GOPs (no scene-cut keyframes) so every muxer cuts 2 s segments.
x264="-c:v libx264 -preset veryfast -profile:v main -pix_fmt yuv420p -g 50 -keyint_min 50
      -sc_threshold 0 -b:v 600k -c:a aac -b:a 96k -ac 2"
src="-f lavfi -i testsrc2=size=640x360:rate=25:duration=10
     -f lavfi -i sine=frequency=440:sample_rate=48000:duration=10"

# shellcheck disable=SC2086 # the option lists above are meant to split
ffmpeg -nostdin -v error $src $x264 -movflags +faststart "$stage/clip.mp4"
dur=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$stage/clip.mp4")
awk -v d="$dur" 'BEGIN { exit !(d > 9.9 && d < 10.2) }' || fail "clip.mp4 lasts $dur s, not 10"
ok "clip.mp4: $dur s, $(ffprobe -v error -select_streams v -show_entries stream=codec_name,width,height \
    -of csv=p=0 "$stage/clip.mp4")"

mkdir -p "$stage/ffmpeg/dash" "$stage/ffmpeg/hls"
ffmpeg -nostdin -v error -i "$stage/clip.mp4" -map 0:v -map 0:a -c copy -f dash \
    -seg_duration 2 -use_template 1 -use_timeline 1 \
    -adaptation_sets "id=0,streams=v id=1,streams=a" "$stage/ffmpeg/dash/manifest.mpd"

# The HLS muxer is fed by the encoder, not by a copy of clip.mp4: with -c copy
# from MP4, FFmpeg 5.1 writes no CODECS attribute for the video variant
# (the avcC extradata is not in Annex B form) and hls.js 1.7 then fails with
# bufferAppendError on the audio rendition. docs/interop.md has the details.
# shellcheck disable=SC2086
ffmpeg -nostdin -v error $src $x264 -f hls -hls_time 2 -hls_playlist_type vod \
    -hls_segment_type fmp4 -master_pl_name master.m3u8 \
    -var_stream_map "v:0,agroup:aud,name:video a:0,agroup:aud,name:audio" \
    -hls_segment_filename "$stage/ffmpeg/hls/%v_%03d.m4s" -hls_fmp4_init_filename "%v_init.mp4" \
    "$stage/ffmpeg/hls/%v.m3u8"
grep -q 'CODECS="avc1' "$stage/ffmpeg/hls/master.m3u8" || fail "ffmpeg HLS master has no avc1 CODECS"
count() {
    find "$1" -type f -name "$2" | wc -l
}
[ "$(count "$stage/ffmpeg/dash" '*.m4s')" -eq 13 ] || fail "ffmpeg dash: expected 2 init + 5 video + 6 audio segments"
[ "$(count "$stage/ffmpeg/hls" '*.m4s')" -eq 11 ] || fail "ffmpeg hls: expected 5 video + 6 audio segments"
ok "ffmpeg: dash and hls, 5 video + 6 audio segments each"

# package NAME [extra packager options] - DASH and HLS from one packager run,
# sharing the segments. --generate_static_live_mpd: segment templates would
# otherwise give a dynamic (live) MPD.
package() {
    name=$1
    shift
    d="$stage/packager/$name"
    mkdir -p "$d"
    if ! "$packager" \
        "in=$stage/clip.mp4,stream=video,init_segment=$d/video/init.mp4,segment_template=$d/video/\$Number\$.m4s,playlist_name=video.m3u8" \
        "in=$stage/clip.mp4,stream=audio,init_segment=$d/audio/init.mp4,segment_template=$d/audio/\$Number\$.m4s,playlist_name=audio.m3u8,hls_group_id=audio,hls_name=main" \
        --segment_duration 2 --generate_static_live_mpd \
        --mpd_output "$d/manifest.mpd" --hls_master_playlist_output "$d/master.m3u8" \
        "$@" >"$stage/packager-$name.log" 2>&1; then
        cat "$stage/packager-$name.log" >&2
        fail "packager ($name) failed"
    fi
    grep -q 'type="static"' "$d/manifest.mpd" || fail "packager/$name: MPD is not static"
    n=$(count "$d/video" '*.m4s')
    [ "$n" -eq 5 ] || fail "packager/$name: $n video segments, expected 5"
    ok "packager/$name: 5 video segments, static MPD, master.m3u8"
}

package clear
package cenc --enable_raw_key_encryption --keys "label=:key_id=$KID:key=$KEY" \
    --protection_scheme cenc --protection_systems CommonSystem --clear_lead 0

# The encrypted build really is encrypted: tenc + pssh in the init segments,
# default_KID in the MPD, SAMPLE-AES-CTR in the HLS media playlists.
for t in video audio; do
    for box in tenc pssh; do
        grep -q "$box" "$stage/packager/cenc/$t/init.mp4" || fail "cenc $t init has no $box box"
        if grep -q "$box" "$stage/packager/clear/$t/init.mp4"; then
            fail "clear $t init has a $box box"
        fi
    done
    grep -q 'METHOD=SAMPLE-AES-CTR' "$stage/packager/cenc/$t.m3u8" || fail "cenc $t.m3u8 has no SAMPLE-AES-CTR key"
done
grep -q 'cenc:default_KID="4060a865-8878-4267-9cbf-91ae5bae1e72"' "$stage/packager/cenc/manifest.mpd" ||
    fail "cenc MPD has no default_KID"
if cmp -s "$stage/packager/clear/video/1.m4s" "$stage/packager/cenc/video/1.m4s"; then
    fail "cenc video segment 1 equals the clear one"
fi
ok "packager/cenc: tenc + pssh in init segments, default_KID $KID, SAMPLE-AES-CTR"

rm -f "$stage"/packager-*.log
rm -rf "$out"
mv "$stage" "$out"
trap - EXIT
ok "fixtures in $out"
