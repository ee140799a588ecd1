#!/bin/sh
# Seek thumbnails (issue 18, item 2): a DASH title with a thumbnail_tile image
# set (5x5 JPEG grids of 160x90 thumbnails, one every 2 s, made by ffmpeg's
# tile filter), the grid given on the Representation (as svserver and Shaka
# Packager write it) and on the AdaptationSet, and an HLS title with the same
# tiles as an image playlist (EXT-X-IMAGE-STREAM-INF, EXT-X-TILES). sv-thumbcheck asks the SDK
# (sv_player_get_thumbnail) for times in the first and last image:
#   - each answer names the right cell (start, duration 2 s, 160x90) and its
#     picture is that cell as ffmpeg decodes and crops the JPEG (PSNR over
#     40 dB, and 10 dB above another cell of the image), the last image's
#     cells keeping 2 s though the period cuts it short;
#   - a time past the end has none;
#   - once the image is fetched an answer takes less than one frame time
#     (40 ms at 25 fps).
. "$SV_SOURCE_DIR/tests/player/playlib.sh"

check_tool="$SV_BUILD_DIR/tests/support/sv-thumbcheck"
[ -x "$check_tool" ] || fail "no sv-thumbcheck in the build"
w="$PL_TMP/www"
mkdir -p "$w/tiles" "$PL_TMP/out_rep" "$PL_TMP/out_set"
ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=640x360:rate=25 -t 60 -c:v libx264 \
    -preset ultrafast -g 50 "$PL_TMP/clip.mp4" || fail "ffmpeg could not make the clip"
(cd "$w" && ffmpeg -nostdin -v error -i "$PL_TMP/clip.mp4" -c copy -seg_duration 2 -f dash \
    ffmpeg.mpd) || fail "ffmpeg could not make the DASH"
ffmpeg -nostdin -v error -i "$PL_TMP/clip.mp4" -vf "fps=1/2,scale=160:90,tile=5x5" -q:v 3 \
    "$w/tiles/tile-%d.jpg" || fail "ffmpeg could not make the tiles"
[ -f "$w/tiles/tile-2.jpg" ] || fail "ffmpeg made no second tile"
set_open='<AdaptationSet id="9" contentType="image" mimeType="image/jpeg">'
tmpl='<SegmentTemplate media="tiles/tile-$Number$.jpg" duration="50" startNumber="1" timescale="1"/>'
prop='<EssentialProperty schemeIdUri="http://dashif.org/thumbnail_tile" value="5x5"/>'
rep='<Representation id="thumbnails" bandwidth="10000" width="800" height="450">'
awk -v a="$set_open$tmpl$rep$prop</Representation></AdaptationSet>" \
    '/<\/Period>/ { print a } { print }' "$w/ffmpeg.mpd" >"$w/rep.mpd"
awk -v a="$set_open$prop$tmpl$rep</Representation></AdaptationSet>" \
    '/<\/Period>/ { print a } { print }' "$w/ffmpeg.mpd" >"$w/set.mpd"
# The same tiles as an HLS image playlist (Image Media Playlist 0.4, as
# svserver and Roku write it) beside ffmpeg's HLS of the clip.
(cd "$w" && ffmpeg -nostdin -v error -i "$PL_TMP/clip.mp4" -c copy -f hls -hls_time 2 \
    -hls_playlist_type vod -hls_segment_type fmp4 -hls_fmp4_init_filename v-init.mp4 \
    -hls_segment_filename 'v-%03d.m4s' v.m3u8) || fail "ffmpeg could not make the HLS"
printf '#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-STREAM-INF:BANDWIDTH=900000,RESOLUTION=640x360,CODECS="avc1.64001e"\nv.m3u8\n#EXT-X-IMAGE-STREAM-INF:BANDWIDTH=12000,RESOLUTION=160x90,CODECS="jpeg",URI="images.m3u8"\n' \
    >"$w/master.m3u8"
printf '#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:50\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-IMAGES-ONLY\n#EXTINF:50,\n#EXT-X-TILES:RESOLUTION=160x90,LAYOUT=5x5,DURATION=2\ntiles/tile-1.jpg\n#EXTINF:10,\n#EXT-X-TILES:RESOLUTION=160x90,LAYOUT=5x5,DURATION=2\ntiles/tile-2.jpg\n#EXT-X-ENDLIST\n' \
    >"$w/images.m3u8"
mkdir -p "$PL_TMP/out_hls"
pl_serve "$w"

# psnr PPM TILE K - PSNR (average; "inf" when equal) of a thumbnail against
# cell K of the tile image TILE as ffmpeg decodes and crops it.
psnr() {
    r=$(ffmpeg -nostdin -i "$1" -i "$w/tiles/tile-$2.jpg" -lavfi \
        "[1:v]crop=160:90:$(($3 % 5 * 160)):$(($3 / 5 * 90)),format=rgb24[r];[0:v]format=rgb24[t];[t][r]psnr" \
        -frames:v 1 -f null - 2>&1 | sed -n 's/.*average:\([0-9.inf]*\).*/\1/p' | tail -n 1)
    echo "${r:-inf}"
}

for m in rep set hls; do
    url="$PL_URL/$m.mpd"
    [ "$m" = hls ] && url="$PL_URL/master.m3u8"
    timeout -k 5 60 "$check_tool" "$url" "$PL_TMP/out_$m" 7 13.9 51 59 61 \
        >"$PL_TMP/$m.out" 2>"$PL_TMP/$m.err" || { cat "$PL_TMP/$m.err"; fail "$m: sv-thumbcheck failed"; }
    cat "$PL_TMP/$m.out"
    printf '7 6.000 2.000 160 90\n13.9 12.000 2.000 160 90\n51 50.000 2.000 160 90\n59 58.000 2.000 160 90\n61 none\n' \
        >"$PL_TMP/want"
    cut -d' ' -f1-5 "$PL_TMP/$m.out" | cmp -s - "$PL_TMP/want"
    check $? "$m: the cells of 7, 13.9, 51 and 59 s (2 s each, 160x90), none for 61 s"
    slow=$(awk '$2 != "none" && $6 >= 40' "$PL_TMP/$m.out")
    [ -z "$slow" ]
    check $? "$m: every answer within one frame time (max $(awk '$2 != "none" { if ($6 > m) m = $6 } END { print m + 0 }' "$PL_TMP/$m.out") ms)"
    i=0
    for start in 6 12 50 58; do
        i=$((i + 1))
        tile=$((start / 50 + 1))
        k=$(((start % 50) / 2))
        other=$(((k + 5) % 25))
        good=$(psnr "$PL_TMP/out_$m/thumb-$i.ppm" "$tile" "$k")
        bad=$(psnr "$PL_TMP/out_$m/thumb-$i.ppm" "$tile" "$other")
        awk -v g="$good" -v b="$bad" 'BEGIN { if (g == "inf") g = 99; exit !(g + 0 > 40 && g - b > 10) }'
        check $? "$m: the thumbnail at $start s is cell $k of tile $tile (PSNR $good dB; cell $other: $bad dB)"
    done
done
# A title shorter than one image (svserver's 10 s titles: one tile of 5x5
# cells for 50 s, the period cut at 10 s): the cells keep the template's
# 2 s, they are not stretched over the 10 s the period leaves.
mkdir -p "$w/short" "$PL_TMP/out_short"
ffmpeg -nostdin -v error -i "$PL_TMP/clip.mp4" -t 10 -c copy "$PL_TMP/short.mp4" &&
    (cd "$w/short" && ffmpeg -nostdin -v error -i "$PL_TMP/short.mp4" -c copy -seg_duration 2 \
        -f dash ffmpeg.mpd) || fail "ffmpeg could not make the short DASH"
awk -v a="$set_open$tmpl$rep$prop</Representation></AdaptationSet>" \
    '/<\/Period>/ { print a } { print }' "$w/short/ffmpeg.mpd" >"$w/short/short.mpd"
ln -s ../tiles "$w/short/tiles"
timeout -k 5 60 "$check_tool" "$PL_URL/short/short.mpd" "$PL_TMP/out_short" 6.9 9.5 \
    >"$PL_TMP/short.out" 2>"$PL_TMP/short.err" || { cat "$PL_TMP/short.err"; fail "short: sv-thumbcheck failed"; }
cat "$PL_TMP/short.out"
printf '6.9 6.000 2.000 160 90\n9.5 8.000 2.000 160 90\n' >"$PL_TMP/want"
cut -d' ' -f1-5 "$PL_TMP/short.out" | cmp -s - "$PL_TMP/want"
check $? "short: the one image's cells keep 2 s (6.9 s is the cell of 6 s, 9.5 s that of 8 s)"
good=$(psnr "$PL_TMP/out_short/thumb-1.ppm" 1 3)
awk -v g="$good" 'BEGIN { if (g == "inf") g = 99; exit !(g + 0 > 40) }'
check $? "short: the thumbnail at 6.9 s is cell 3 of tile 1 (PSNR $good dB)"
# The same as HLS (svserver's image playlist: one tile, EXTINF 10, each
# thumbnail DURATION=2): EXT-X-TILES DURATION keeps the cells at 2 s.
(cd "$w/short" && ffmpeg -nostdin -v error -i "$PL_TMP/short.mp4" -c copy -f hls -hls_time 2 \
    -hls_playlist_type vod -hls_segment_type fmp4 -hls_fmp4_init_filename v-init.mp4 \
    -hls_segment_filename 'v-%03d.m4s' v.m3u8) || fail "ffmpeg could not make the short HLS"
printf '#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-STREAM-INF:BANDWIDTH=900000,RESOLUTION=640x360,CODECS="avc1.64001e"\nv.m3u8\n#EXT-X-IMAGE-STREAM-INF:BANDWIDTH=12000,RESOLUTION=160x90,CODECS="jpeg",URI="images.m3u8"\n' \
    >"$w/short/master.m3u8"
printf '#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:10\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-IMAGES-ONLY\n#EXTINF:10,\n#EXT-X-TILES:RESOLUTION=160x90,LAYOUT=5x5,DURATION=2\ntiles/tile-1.jpg\n#EXT-X-ENDLIST\n' \
    >"$w/short/images.m3u8"
mkdir -p "$PL_TMP/out_short_hls"
timeout -k 5 60 "$check_tool" "$PL_URL/short/master.m3u8" "$PL_TMP/out_short_hls" 6.9 9.5 \
    >"$PL_TMP/short_hls.out" 2>"$PL_TMP/short_hls.err" ||
    { cat "$PL_TMP/short_hls.err"; fail "short HLS: sv-thumbcheck failed"; }
cat "$PL_TMP/short_hls.out"
cut -d' ' -f1-5 "$PL_TMP/short_hls.out" | cmp -s - "$PL_TMP/want"
check $? "short HLS: DURATION=2 keeps the cells at 2 s (6.9 s is the cell of 6 s, 9.5 s that of 8 s)"
pl_finish
