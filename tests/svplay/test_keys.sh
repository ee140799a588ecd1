#!/bin/sh
# Keys in the svplay window (under Xvfb, from run_xvfb.sh): 'i' brings up
# the on-screen panel (white text appears over the picture's top-left
# corner, where testsrc2 has none), 'q' quits at once with exit 0. The
# grabs stay in the working folder as svplay_keys_*.png.
set -u
: "${SV_BUILD_DIR:?}" "${XKEY:?}" "${DISPLAY:?}"
svplay="$SV_BUILD_DIR/apps/svplay/svplay"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x180:rate=25 -t 10 \
    -c:v libx264 -preset ultrafast -g 25 -pix_fmt yuv420p "$tmp/clip.mp4" ||
    { echo "FAIL: ffmpeg could not make the clip"; exit 1; }

SDL_AUDIODRIVER=dummy "$svplay" --stats "$tmp/stats.json" "$tmp/clip.mp4" 2>"$tmp/err" &
pid=$!
# white_pixels NAME: grabs the window's top-left 160x40 and counts white pixels.
white_pixels() {
    set -- "$1" $("$XKEY" "svplay - " geometry)
    ffmpeg -nostdin -v error -y -f x11grab -draw_mouse 0 -video_size 160x40 \
        -i "$DISPLAY+$2,$3" -frames:v 1 "svplay_keys_$1.png" &&
    ffmpeg -nostdin -v error -y -i "svplay_keys_$1.png" -vf "lutrgb=r='if(gt(val,220),255,0)':g='if(gt(val,220),255,0)':b='if(gt(val,220),255,0)',format=gray,lut='if(eq(val,255),1,0)'" \
        -f rawvideo -pix_fmt gray "$tmp/$1.gray" || return 1
    od -An -v -tu1 "$tmp/$1.gray" | tr -s ' ' '\n' | grep -c '^1$'
}
i=0
# Up to 30 s: on a loaded machine svplay's first window can take a while.
until "$XKEY" "svplay - " geometry >/dev/null 2>&1 || [ $i -ge 300 ]; do sleep 0.1; i=$((i + 1)); done
"$XKEY" "svplay - " geometry >/dev/null 2>&1 || { echo "FAIL: no svplay window after 30 s"; kill $pid; exit 1; }
sleep 1 # playing, window sized to the picture
before=$(white_pixels before)
"$XKEY" "svplay - " i || { echo "FAIL: cannot send 'i'"; kill $pid; exit 1; }
sleep 0.6
after=$(white_pixels panel)
echo "white pixels in the corner: $before without the panel, $after with it"
start=$(date +%s)
"$XKEY" "svplay - " q
wait $pid
rc=$?
took=$(( $(date +%s) - start ))
cat "$tmp/err"
fails=0
[ "${before:-0}" -lt 10 ] || { echo "FAIL: white pixels before the panel: $before"; fails=1; }
[ "${after:-0}" -gt 100 ] || { echo "FAIL: the panel did not appear ($after)"; fails=1; }
[ $rc -eq 0 ] || { echo "FAIL: svplay exited $rc after 'q'"; fails=1; }
[ $took -le 3 ] || { echo "FAIL: 'q' took $took s"; fails=1; }
grep -q '"exit_code": 0' "$tmp/stats.json" || { echo "FAIL: stats: $(cat "$tmp/stats.json")"; fails=1; }
[ $fails -eq 0 ] && echo "svplay keys: i shows the panel, q quits"
[ $fails -eq 0 ]
