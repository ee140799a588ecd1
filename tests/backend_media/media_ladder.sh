#!/bin/sh
# An 11 s 640x360 clip through the media pipeline with a three-rung ladder
# whose top rung (480p) is taller than the source: two rungs come out, never
# upscaled, in 4 s keyframe-aligned CMAF segments that HLS and DASH readers
# decode to the last frame; each rung's I-frame playlist and DASH
# trick-mode Representation address its key frames alone.
set -eu
. "$SV_SOURCE_DIR/tests/backend_media/medialib.sh"
WORK="$SV_BUILD_DIR/tests/backend_media/work-ladder"
rm -rf "$WORK"
mkdir -p "$WORK"
make_clip "$WORK/clip.mp4" 11 640x360

"$INGEST" "$WORK/clip.mp4" "$WORK/out" --ladder 240:300,360:750,480:1200 > "$WORK/result.txt" ||
    fail "ingest failed"
cat "$WORK/result.txt"
OUT="$WORK/out"
[ -d "$OUT/video/480p" ] && fail "480p was made from a 360p source (upscaled)"
grep -q '^renditions=3$' "$WORK/result.txt" || fail "expected 2 video + 1 audio renditions"
grep -q '^duration=11.000$' "$WORK/result.txt" || fail "duration is not 11.000"

check_rung "$OUT/video/240p" 3 4 30 426 240
check_rung "$OUT/video/360p" 3 4 30 640 360

# Audio: AAC-LC, 48 kHz stereo, three segments.
a=$(ffprobe -v error -show_entries stream=codec_name,sample_rate,channels -of csv=p=0 \
    "$OUT/audio/init.mp4")
[ "$a" = "aac,48000,2" ] || fail "audio is $a"
[ -f "$OUT/audio/seg-3.m4s" ] && [ ! -f "$OUT/audio/seg-4.m4s" ] || fail "audio segments"

# Thumbnails: ceil(11 / 10) = 2, 320 px wide JPEGs.
[ "$(ls "$OUT/thumbs" | grep -c "^thumb-")" -eq 2 ] || fail "expected 2 thumbnails"
grep -q '^thumbs=2$' "$WORK/result.txt" || fail "result does not count 2 thumbnails"
t=$(ffprobe -v error -show_entries stream=codec_name,width,height -of csv=p=0 "$OUT/thumbs/thumb-2.jpg")
[ "$t" = "mjpeg,320,180" ] || fail "thumbnail is $t"

HAS_AUDIO=1
FRAMES=330
check_manifests "$OUT" 2 3
# The codec string is the real SPS: libx264 High profile, level 3.0 at 360p.
grep -q 'RESOLUTION=640x360,CODECS="avc1.64001e,mp4a.40.2"' "$OUT/master.m3u8" ||
    fail "360p CODECS is not avc1.64001e"
decode_all "$OUT/master.m3u8" 2
decode_all "$OUT/manifest.mpd" 2
# I-frame playlists and trick-mode Representations: each byte range is the
# segment's key frame alone, decoded equal to the full decode's key frame.
check_iframes "$OUT" 240p 3
check_iframes "$OUT" 360p 3
# FFmpeg's DASH reader lists the trick-mode Representations after the rungs:
# they decode to the three key frames, with no error line.
for i in 2 3; do
    ffmpeg -nostdin -v error -y -i "$OUT/manifest.mpd" -map "0:v:$i" -f framemd5 "$WORK/t.md5" \
        2> "$WORK/t.err" || fail "trick v:$i: ffmpeg failed"
    [ -s "$WORK/t.err" ] && fail "trick v:$i: $(head -n 3 "$WORK/t.err")"
    [ "$(grep -vc '^#' "$WORK/t.md5")" -eq 3 ] || fail "trick v:$i: not 3 key frames"
done
# The same over HTTP from svserver, as a player sees it.
serve_out "$OUT"
decode_all "$MEDIA_URL/master.m3u8" 2
decode_all "$MEDIA_URL/manifest.mpd" 2
echo "media_ladder: ok"
