#!/bin/sh
# Seek thumbnails from an I-frame track (issue 18, item 2): a title with no
# image set but an HLS I-frame playlist (Shaka Packager's
# iframe_playlist_name) or a DASH trick-mode set (trick_play_factor=1) has
# its key frames as thumbnails. The clip: 40 s of 320x240 at 25 fps, a key
# frame every 2 s. sv-thumbcheck asks the SDK (sv_player_get_thumbnail) for
# 7, 13.9 and 39 s and 41 s (past the end):
#   - each answer is the key frame at or before the time (start 6, 12, 38 s,
#     2 s long, 320x240) and its picture is ffmpeg's decode of the source at
#     that time converted to RGB (PSNR over 40 dB, and 10 dB above the
#     picture 6 s later);
#   - past the end there is none;
#   - once the key frame is fetched an answer takes less than one frame
#     time (40 ms), its first answer (the key frame decoded) too.
. "$SV_SOURCE_DIR/tests/player/playlib.sh"

check_tool="$SV_BUILD_DIR/tests/support/sv-thumbcheck"
[ -x "$check_tool" ] || fail "no sv-thumbcheck in the build"
packager=$("$SV_SOURCE_DIR/scripts/shaka-packager.sh") || fail "no Shaka Packager"
w="$PL_TMP/www"
mkdir -p "$w/hls" "$w/dash"
ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x240:rate=25 -t 40 -c:v libx264 \
    -preset ultrafast -g 50 -keyint_min 50 -sc_threshold 0 "$PL_TMP/src.mp4" ||
    fail "ffmpeg could not make the clip"
(cd "$w/hls" && "$packager" \
    "in=$PL_TMP/src.mp4,stream=video,init_segment=v/init.mp4,segment_template=v/\$Number\$.m4s,playlist_name=v.m3u8,iframe_playlist_name=v_iframe.m3u8" \
    --segment_duration 2 --hls_master_playlist_output master.m3u8 >"$PL_TMP/packager.log" 2>&1) ||
    { tail -n 5 "$PL_TMP/packager.log"; fail "Shaka Packager could not make the HLS"; }
(cd "$w/dash" && "$packager" \
    "in=$PL_TMP/src.mp4,stream=video,init_segment=v/init.mp4,segment_template=v/\$Number\$.m4s" \
    "in=$PL_TMP/src.mp4,stream=video,init_segment=t/init.mp4,segment_template=t/\$Number\$.m4s,trick_play_factor=1" \
    --segment_duration 2 --generate_static_live_mpd --mpd_output manifest.mpd \
    >"$PL_TMP/packager.log" 2>&1) ||
    { tail -n 5 "$PL_TMP/packager.log"; fail "Shaka Packager could not make the DASH"; }
grep -q EXT-X-I-FRAME-STREAM-INF "$w/hls/master.m3u8" || fail "no I-frame playlist"
! grep -q EXT-X-IMAGE-STREAM-INF "$w/hls/master.m3u8" || fail "the HLS has an image playlist"
for t in 6 12 18 38 44; do
    ffmpeg -nostdin -v error -ss "$t" -i "$PL_TMP/src.mp4" -frames:v 1 -pix_fmt rgb24 \
        "$PL_TMP/ref-$t.ppm" 2>/dev/null || [ "$t" -ge 40 ] || fail "ffmpeg cannot decode $t s"
done
pl_serve "$w"

# psnr A B - PSNR (average; "inf" when equal) of two pictures.
psnr() {
    r=$(ffmpeg -nostdin -i "$1" -i "$2" -lavfi "[0:v]format=rgb24[a];[1:v]format=rgb24[b];[a][b]psnr" \
        -f null - 2>&1 | sed -n 's/.*average:\([0-9.inf]*\).*/\1/p' | tail -n 1)
    echo "${r:-0}"
}

for m in hls/master.m3u8 dash/manifest.mpd; do
    out="$PL_TMP/out_${m%%/*}"
    mkdir -p "$out"
    timeout -k 5 60 "$check_tool" "$PL_URL/$m" "$out" 7 13.9 39 41 >"$PL_TMP/got" 2>"$PL_TMP/err" ||
        { cat "$PL_TMP/err"; fail "$m: sv-thumbcheck failed"; }
    cat "$PL_TMP/got"
    printf '7 6.000 2.000 320 240\n13.9 12.000 2.000 320 240\n39 38.000 2.000 320 240\n41 none\n' \
        >"$PL_TMP/want"
    cut -d' ' -f1-5 "$PL_TMP/got" | cmp -s - "$PL_TMP/want"
    check $? "$m: the key frames at 6, 12 and 38 s for 7, 13.9 and 39 s (2 s each, 320x240), none for 41 s"
    slow=$(awk '$2 != "none" && ($6 >= 40 || $7 >= 40)' "$PL_TMP/got")
    [ -z "$slow" ]
    check $? "$m: every answer within one frame time (max $(awk '$2 != "none" { if ($6 > m) m = $6 } END { print m + 0 }' "$PL_TMP/got") ms; the first, decoding: max $(awk '$2 != "none" { if ($7 > m) m = $7 } END { print m + 0 }' "$PL_TMP/got") ms)"
    i=0
    for t in 6 12 38; do
        i=$((i + 1))
        good=$(psnr "$out/thumb-$i.ppm" "$PL_TMP/ref-$t.ppm")
        other=$((t == 38 ? 12 : t + 6))
        bad=$(psnr "$out/thumb-$i.ppm" "$PL_TMP/ref-$other.ppm")
        awk -v g="$good" -v b="$bad" 'BEGIN { if (g == "inf") g = 99; exit !(g + 0 > 40 && g - b > 10) }'
        check $? "$m: the thumbnail for $t s is ffmpeg's picture at $t s (PSNR $good dB; at $other s: $bad dB)"
    done
done
pl_finish
