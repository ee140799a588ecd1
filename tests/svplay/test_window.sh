#!/bin/sh
# svplay in a window (under Xvfb, from run_xvfb.sh) draws the testsrc2
# pattern: grabs taken during playback must show its colour bars in order.
# The last grab stays in the working folder as svplay_window.png. Then
# SIGINT quits (SDL turns it into a quit event): exit 0.
set -u
: "${SV_BUILD_DIR:?}" "${SHOT_CHECK:?}" "${DISPLAY:?}"
svplay="$SV_BUILD_DIR/apps/svplay/svplay"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x180:rate=25 \
    -f lavfi -i sine=frequency=440:sample_rate=48000 -t 8 \
    -c:v libx264 -preset ultrafast -g 25 -pix_fmt yuv420p -c:a aac "$tmp/clip.mp4" ||
    { echo "FAIL: ffmpeg could not make the clip"; exit 1; }

SDL_AUDIODRIVER=dummy "$svplay" --stats "$tmp/stats.json" "$tmp/clip.mp4" 2>"$tmp/err" &
pid=$!
found=0
i=0
while [ $i -lt 16 ] && kill -0 $pid 2>/dev/null; do
    sleep 0.5
    i=$((i + 1))
    ffmpeg -nostdin -v error -y -f x11grab -draw_mouse 0 -video_size 1024x768 -i "$DISPLAY+0,0" \
        -frames:v 1 svplay_window.png &&
    ffmpeg -nostdin -v error -y -i svplay_window.png -f rawvideo -pix_fmt rgb24 "$tmp/shot.rgb" ||
        continue
    if "$SHOT_CHECK" "$tmp/shot.rgb" 1024 768 >"$tmp/check"; then
        found=1
        break
    fi
done
cat "$tmp/check" 2>/dev/null
kill -INT $pid 2>/dev/null
wait $pid
rc=$?
cat "$tmp/err"
[ $found -eq 1 ] || { echo "FAIL: the testsrc2 pattern never showed"; exit 1; }
[ $rc -eq 0 ] || { echo "FAIL: svplay exited $rc"; exit 1; }
grep -q '"exit_code": 0' "$tmp/stats.json" || { echo "FAIL: stats: $(cat "$tmp/stats.json")"; exit 1; }
echo "svplay window shows testsrc2"
