#!/bin/sh
# Seek thumbnails and the poster: a 12 s 320x180 clip whose first 3 s are
# black, one rung, thumbnails every 0.4 s. Checked:
#  - 30 thumbnails make two tiles (25 + 5), JPEGs of 5x5 cells of 160x90;
#    a cell holds the source frame of its time (PSNR against ffmpeg's own
#    scale of the source frame), an unused cell is black;
#  - the HLS image playlist (EXT-X-IMAGE-STREAM-INF, EXT-X-IMAGES-ONLY,
#    EXT-X-TILES) and the DASH image AdaptationSet (thumbnail_tile 5x5);
#  - the poster is a JPEG of the source size and not black, although the
#    frame at 10 % of the duration is.
set -eu
. "$SV_SOURCE_DIR/tests/backend_media/medialib.sh"
WORK="$SV_BUILD_DIR/tests/backend_media/work-thumbs"
rm -rf "$WORK"
mkdir -p "$WORK"
ffmpeg -nostdin -v error -y -f lavfi -i "color=black:size=320x180:rate=30:duration=3" \
    -f lavfi -i "testsrc2=size=320x180:rate=30:duration=9" \
    -filter_complex "[0:v][1:v]concat=n=2:v=1:a=0[v]" -map "[v]" \
    -c:v libx264 -preset ultrafast -pix_fmt yuv420p "$WORK/clip.mp4" || fail "ffmpeg clip"

"$INGEST" "$WORK/clip.mp4" "$WORK/out" --ladder 180:300 --tile-interval 0.4 \
    > "$WORK/result.txt" || fail "ingest failed"
cat "$WORK/result.txt"
OUT="$WORK/out"
T="$OUT/thumbs"
grep -q '^tiles=2$' "$WORK/result.txt" || fail "expected 2 tiles"
grep -q '^poster=1$' "$WORK/result.txt" || fail "expected a poster"
[ -f "$T/tile-3.jpg" ] && fail "a third tile"
for n in 1 2; do
    t=$(ffprobe -v error -show_entries stream=codec_name,width,height -of csv=p=0 "$T/tile-$n.jpg")
    [ "$t" = "mjpeg,800,450" ] || fail "tile-$n.jpg is $t, expected a 5x5 grid of 160x90"
done

# cell_psnr N K T: PSNR of cell K of tile N against the source frame at T s,
# both 160x90 (the source scaled by ffmpeg, bicubic).
cell_psnr() {
    x=$(( ($2 % 5) * 160 )) y=$(( ($2 / 5) * 90 ))
    ffmpeg -nostdin -v error -y -i "$T/tile-$1.jpg" -vf "crop=160:90:$x:$y" "$WORK/cell.png" ||
        fail "crop of tile $1 cell $2"
    ffmpeg -nostdin -v error -y -ss "$3" -i "$WORK/clip.mp4" -frames:v 1 \
        -vf "scale=160:90:flags=bicubic" "$WORK/src.png" || fail "source frame at $3 s"
    ffmpeg -nostdin -v info -i "$WORK/cell.png" -i "$WORK/src.png" \
        -lavfi "[0:v]format=yuv420p[a];[1:v]format=yuv420p[b];[a][b]psnr" -f null - 2>&1 |
        sed -n 's/.*PSNR.* average:\([0-9.inf]*\).*/\1/p'
}
for c in "1 9 3.6" "1 20 8.0" "2 2 10.8"; do
    set -- $c
    p=$(cell_psnr "$1" "$2" "$3")
    echo "tile $1 cell $2 vs source at $3 s: PSNR $p dB"
    awk -v p="$p" 'BEGIN { exit !(p == "inf" || p + 0 >= 25) }' ||
        fail "tile $1 cell $2 is not the source frame at $3 s (PSNR $p)"
done
# A cell of another time does not match (the check can fail).
p=$(cell_psnr 1 9 8.0)
awk -v p="$p" 'BEGIN { exit !(p != "inf" && p + 0 < 25) }' ||
    fail "tile 1 cell 9 matches the frame at 8 s too (PSNR $p): the check proves nothing"
# yavg FILE [FILTER]: mean luma (0-255) of an image.
yavg() {
    ffprobe -v error -f lavfi -i "movie=$1${2:+,$2},signalstats" \
        -show_entries frame_tags=lavfi.signalstats.YAVG -of csv=p=0 | head -n 1
}
y=$(yavg "$T/tile-2.jpg" "crop=160:90:640:360")
awk -v y="$y" 'BEGIN { exit !(y < 20) }' || fail "tile 2's unused last cell is not black ($y)"

p="$T/images.m3u8"
grep -q '^#EXT-X-IMAGE-STREAM-INF:BANDWIDTH=[0-9]*,RESOLUTION=160x90,CODECS="jpeg",URI="thumbs/images.m3u8"$' \
    "$OUT/master.m3u8" || fail "master: no EXT-X-IMAGE-STREAM-INF"
grep -q '^#EXT-X-IMAGES-ONLY$' "$p" || fail "images.m3u8: no EXT-X-IMAGES-ONLY"
[ "$(grep -c '^#EXT-X-TILES:RESOLUTION=160x90,LAYOUT=5x5,DURATION=0.400$' "$p")" -eq 2 ] ||
    fail "images.m3u8: EXT-X-TILES"
[ "$(grep -c '^#EXTINF:' "$p")" -eq 2 ] || fail "images.m3u8: not 2 entries"
grep -q '^#EXTINF:10.000,$' "$p" && grep -q '^#EXTINF:2.000,$' "$p" ||
    fail "images.m3u8: tile durations are not 10 and 2 s"
grep -q '^tile-2.jpg$' "$p" && grep -q '^#EXT-X-ENDLIST$' "$p" || fail "images.m3u8: entries"
mpd="$OUT/manifest.mpd"
x() { xmllint --xpath "$1" "$mpd"; }
img='//*[local-name()="AdaptationSet"][@contentType="image"][@mimeType="image/jpeg"]'
[ "$(x "count($img)")" -eq 1 ] || fail "MPD: no image AdaptationSet"
[ "$(x "string($img/*[local-name()=\"Representation\"]/*[local-name()=\"EssentialProperty\"][@schemeIdUri=\"http://dashif.org/thumbnail_tile\"]/@value)")" = 5x5 ] ||
    fail "MPD: no thumbnail_tile 5x5"
[ "$(x "string($img/*[local-name()=\"Representation\"]/@width)")" = 800 ] &&
    [ "$(x "string($img/*[local-name()=\"Representation\"]/@height)")" = 450 ] ||
    fail "MPD: the image Representation is not a whole 800x450 tile"
st="$img/*[local-name()=\"SegmentTemplate\"]"
[ "$(x "string($st/@media)")" = 'thumbs/tile-$Number$.jpg' ] || fail "MPD: tile template"
[ "$(x "number($st/@duration) div number($st/@timescale)")" = 10 ] || fail "MPD: tile duration"

# The poster: the source's size, a JPEG, not black; the frame at 10 % is.
t=$(ffprobe -v error -show_entries stream=codec_name,width,height -of csv=p=0 "$T/poster.jpg")
[ "$t" = "mjpeg,320,180" ] || fail "poster.jpg is $t"
ffmpeg -nostdin -v error -y -ss 1.2 -i "$WORK/clip.mp4" -frames:v 1 "$WORK/at10.png"
y10=$(yavg "$WORK/at10.png")
y=$(yavg "$T/poster.jpg")
echo "mean luma: poster $y, source frame at 10 % $y10"
awk -v y="$y" -v z="$y10" 'BEGIN { exit !(z < 20 && y > 40) }' ||
    fail "the poster is black (luma $y) or the clip does not start black ($y10)"
echo "media_thumbs: ok"
