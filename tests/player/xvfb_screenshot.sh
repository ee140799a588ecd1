#!/bin/sh
# svplay draws the test pattern in a window: under Xvfb (a free display found
# with -displayfd), `svplay URL` plays the 640x360 mp4 fixture while ffmpeg's
# x11grab takes screenshots; one must be not blank and show testsrc2's six
# colour bars (red, green, yellow, blue, magenta, cyan), each over at least 1%
# of the screen. The last screenshot is kept as an artifact:
#   $SV_BUILD_DIR/tests/player/artifacts/xvfb_screenshot.png
. "$SV_SOURCE_DIR/tests/player/playlib.sh"
pl_need Xvfb od

mkdir -p "$PL_ARTIFACTS"
shot="$PL_ARTIFACTS/xvfb_screenshot.png"
rm -f "$shot"
W=1280
H=720
pl_xvfb "$W" "$H"
xpid=$PL_XVFB_PID
disp=$PL_DISPLAY
echo "Xvfb on display $disp"

pl_serve
pl_fixture mp4
# No sound card here: SDL's dummy audio driver still pulls samples on time.
DISPLAY=$disp SDL_AUDIODRIVER=${SDL_AUDIODRIVER:-dummy} timeout -k 5 60 "$SVPLAY" --quiet \
    "$PL_URL/$FX_PATH" >"$PL_TMP/svplay.out" 2>"$PL_TMP/svplay.err" &
spid=$!
PL_PIDS="$spid $xpid"

# classify PNG - "<non-black fraction> <red> <green> <yellow> <blue> <magenta>
# <cyan>" as fractions of the screen. Nearest-neighbour downscaling keeps
# pixel values (no blending), so a colour's share survives.
classify() {
    ffmpeg -nostdin -v error -i "$1" -vf "scale=$((W / 4)):$((H / 4)):flags=neighbor" \
        -f rawvideo -pix_fmt rgb24 - | od -An -v -tu1 -w3 | awk '
        function lvl(v) { return v >= 170 ? 1 : (v <= 85 ? 0 : -1) }
        {
            n++
            if ($1 + $2 + $3 > 60) lit++
            r = lvl($1); g = lvl($2); b = lvl($3)
            if (r < 0 || g < 0 || b < 0) next
            c[r "" g "" b]++
        }
        END {
            if (!n) n = 1
            printf "%.4f %.4f %.4f %.4f %.4f %.4f %.4f\n", lit / n, c["100"] / n, c["010"] / n,
                c["110"] / n, c["001"] / n, c["101"] / n, c["011"] / n
        }'
}

# Screenshots every half second until the pattern shows, for at most 15 s.
found=0
i=0
while [ "$i" -lt 30 ]; do
    i=$((i + 1))
    sleep 0.5
    kill -0 "$spid" 2>/dev/null || break
    DISPLAY=$disp ffmpeg -nostdin -v error -y -f x11grab -video_size "${W}x${H}" -i "$disp" \
        -frames:v 1 "$PL_TMP/shot.png" 2>"$PL_TMP/grab.err" || continue
    cp "$PL_TMP/shot.png" "$shot"
    set -- $(classify "$shot")
    summary="lit $1, red $2, green $3, yellow $4, blue $5, magenta $6, cyan $7"
    if awk -v l="$1" -v r="$2" -v g="$3" -v y="$4" -v b="$5" -v m="$6" -v c="$7" 'BEGIN {
        exit !(l >= 0.10 && r >= 0.01 && g >= 0.01 && y >= 0.01 && b >= 0.01 && m >= 0.01 && c >= 0.01) }'; then
        found=1
        break
    fi
done
[ -f "$shot" ] || { pl_show svplay; fail "no screenshot could be taken ($(cat "$PL_TMP/grab.err"))"; }
echo "screenshot after $((i * 5 / 10)).$((i * 5 % 10)) s: $summary (kept as $shot)"
if [ "$found" -ne 1 ]; then
    pl_show svplay
    fail "the screen does not show the test pattern"
fi
ok "the window shows the testsrc2 colour bars"
