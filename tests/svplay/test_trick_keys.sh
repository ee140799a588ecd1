#!/bin/sh
# Trick-play keys in the svplay window (under Xvfb, from run_xvfb.sh), on a
# 30 s ffmpeg HLS (fMP4, a key frame every 2 s) read from disk: ']' three
# times is fast forward at 8x (2x, then each press doubles), its speed drawn
# over the picture's top-left corner without the panel (white text where
# testsrc2 has none) and the player's log says so; '\' goes back to normal
# speed and the text leaves (after the 2 s message); 'q' quits with 0. The
# grabs stay in the working folder as svplay_trick_*.png.
set -u
: "${SV_BUILD_DIR:?}" "${XKEY:?}" "${DISPLAY:?}"
svplay="$SV_BUILD_DIR/apps/svplay/svplay"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x180:rate=25 -t 30 -c:v libx264 \
    -preset ultrafast -g 50 -pix_fmt yuv420p -f hls -hls_time 2 -hls_playlist_type vod \
    -hls_segment_type fmp4 -hls_segment_filename "$tmp/s%03d.m4s" "$tmp/index.m3u8" ||
    { echo "FAIL: ffmpeg could not make the HLS"; exit 1; }

SDL_AUDIODRIVER=dummy "$svplay" --log-level info --stats "$tmp/stats.json" "$tmp/index.m3u8" \
    2>"$tmp/err" &
pid=$!
# white_pixels NAME: grabs the window's top-left 240x40 and counts white pixels.
white_pixels() {
    set -- "$1" $("$XKEY" "svplay - " geometry)
    ffmpeg -nostdin -v error -y -f x11grab -draw_mouse 0 -video_size 240x40 \
        -i "$DISPLAY+$2,$3" -frames:v 1 "svplay_trick_$1.png" &&
    ffmpeg -nostdin -v error -y -i "svplay_trick_$1.png" -vf "lutrgb=r='if(gt(val,220),255,0)':g='if(gt(val,220),255,0)':b='if(gt(val,220),255,0)',format=gray,lut='if(eq(val,255),1,0)'" \
        -f rawvideo -pix_fmt gray "$tmp/$1.gray" || return 1
    od -An -v -tu1 "$tmp/$1.gray" | tr -s ' ' '\n' | grep -c '^1$'
}
i=0
until "$XKEY" "svplay - " geometry >/dev/null 2>&1 || [ $i -ge 300 ]; do sleep 0.1; i=$((i + 1)); done
"$XKEY" "svplay - " geometry >/dev/null 2>&1 || { echo "FAIL: no svplay window after 30 s"; kill $pid; exit 1; }
sleep 1
before=$(white_pixels before)
"$XKEY" "svplay - " bracketright bracketright bracketright ||
    { echo "FAIL: cannot send ']'"; kill $pid; exit 1; }
sleep 1.5
during=$(white_pixels ff8)
"$XKEY" "svplay - " backslash || { echo "FAIL: cannot send '\\'"; kill $pid; exit 1; }
sleep 3
after=$(white_pixels normal)
"$XKEY" "svplay - " q
wait $pid
rc=$?
echo "white pixels in the corner: $before before, $during at 8x, $after back at 1x"
fails=0
[ "${before:-0}" -lt 10 ] || { echo "FAIL: white pixels before the keys: $before"; fails=1; }
[ "${during:-0}" -gt 100 ] || { echo "FAIL: no speed on screen at 8x ($during)"; fails=1; }
[ "${after:-0}" -lt 10 ] || { echo "FAIL: text left on screen at 1x ($after)"; fails=1; }
grep -q 'trick play at 2x' "$tmp/err" && grep -q 'trick play at 8x' "$tmp/err" &&
    grep -q 'trick play ends at' "$tmp/err" ||
    { echo "FAIL: the log has no 2x, 8x and end of trick play:"; cat "$tmp/err"; fails=1; }
[ $rc -eq 0 ] || { echo "FAIL: svplay exited $rc after 'q'"; cat "$tmp/err"; fails=1; }
[ $fails -eq 0 ] && echo "svplay trick keys: ] ] ] shows fast forward 8x, \\ back to normal, q quits"
[ $fails -eq 0 ]
