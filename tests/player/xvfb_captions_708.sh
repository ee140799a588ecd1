#!/bin/sh
# svplay draws CEA-708 captions where their windows say (issue 18, items 3
# and 5): under Xvfb it plays a dark blue DASH clip (sv-ccgen --708 --blue)
# whose service 1 has two captions, yellow text in a window anchored at the
# top centre (1-4 s) and cyan text in a window anchored at the bottom right
# (5-8.5 s), with --captions --caption-track SERVICE1, while ffmpeg's
# x11grab takes screenshots. Within the picture (found by its colour), the
# yellow text must sit in the top quarter and the cyan text in the bottom
# quarter, right of the centre, each in its own screenshot: the window's
# place comes with the text shown (sv_player_get_subtitle_style), before the
# caption's end is known. The screenshots are kept as artifacts:
# $SV_BUILD_DIR/tests/player/artifacts/xvfb_captions_708_*.png
. "$SV_SOURCE_DIR/tests/player/playlib.sh"
pl_need Xvfb od

mkdir -p "$PL_ARTIFACTS"
W=1280
H=720
pl_xvfb "$W" "$H"
xpid=$PL_XVFB_PID
disp=$PL_DISPLAY

ccgen="$SV_BUILD_DIR/tests/support/sv-ccgen"
[ -x "$ccgen" ] || fail "no sv-ccgen in the build"
w="$PL_TMP/www"
mkdir -p "$w"
printf '%s\n' "1.0 4.0 @1,5,50 +y AT THE TOP" "5.0 8.5 @8,95,95 +c BOTTOM RIGHT" >"$PL_TMP/cues.txt"
"$ccgen" --708 --blue "$PL_TMP/cc.mp4" 10 "$PL_TMP/cues.txt" 2>"$PL_TMP/ccgen.log" ||
    { cat "$PL_TMP/ccgen.log"; fail "sv-ccgen could not make the clip"; }
(cd "$w" && ffmpeg -nostdin -v error -i "$PL_TMP/cc.mp4" -c copy -seg_duration 2 -f dash \
    manifest.mpd) || fail "ffmpeg could not make the DASH"
pl_serve "$w"

DISPLAY=$disp SDL_AUDIODRIVER=${SDL_AUDIODRIVER:-dummy} timeout -k 5 60 "$SVPLAY" --quiet \
    --captions --caption-track SERVICE1 "$PL_URL/manifest.mpd" >"$PL_TMP/svplay.out" \
    2>"$PL_TMP/svplay.err" &
spid=$!
PL_PIDS="$spid $xpid"

# where PNG - "<picture top> <picture height> <yellow n> <yellow y> <cyan n>
# <cyan y> <cyan x>": the picture's rows (its dark blue), and the count and
# mean place of yellow and cyan pixels, y and x as fractions of the picture
# (at full size: the 320x240 picture's captions are a row of the caption
# grid high, too thin for xvfb_captions.sh's half-size sampling).
where() {
    ffmpeg -nostdin -v error -i "$1" -f rawvideo -pix_fmt rgb24 - | od -An -v -tu1 -w3 |
        awk -v w="$W" '
        {
            x = n % w; y = int(n / w); n++
            if ($1 < 60 && $2 < 60 && $3 > 70 && $3 < 130) {
                if (top == "" || y < top) top = y
                if (y > bot) bot = y
                if (left == "" || x < left) left = x
                if (x > right) right = x
            }
            if ($1 > 170 && $2 > 170 && $3 < 85) { yn++; ys += y }
            if ($1 < 85 && $2 > 170 && $3 > 170) { cn++; cs += y; cx += x }
        }
        END {
            h = bot - top + 1; pw = right - left + 1
            if (top == "" || h < 10) { print "0 0 0 0 0 0 0"; exit }
            printf "%d %d %d %.3f %d %.3f %.3f\n", top, h, yn, yn ? (ys / yn - top) / h : 0,
                cn, cn ? (cs / cn - top) / h : 0, cn ? (cx / cn - left) / pw : 0
        }'
}

seen_top=0
seen_bottom=0
i=0
while [ "$i" -lt 24 ] && [ $((seen_top * seen_bottom)) -eq 0 ]; do
    i=$((i + 1))
    sleep 0.5
    kill -0 "$spid" 2>/dev/null || break
    DISPLAY=$disp ffmpeg -nostdin -v error -y -f x11grab -video_size "${W}x${H}" -i "$disp" \
        -frames:v 1 "$PL_TMP/shot.png" 2>"$PL_TMP/grab.err" || continue
    set -- $(where "$PL_TMP/shot.png")
    echo "shot $i: $*" >>"$PL_TMP/shots.log"
    if [ "$3" -ge 40 ] && [ "$5" -eq 0 ] && [ "$seen_top" -eq 0 ]; then
        cp "$PL_TMP/shot.png" "$PL_ARTIFACTS/xvfb_captions_708_top.png"
        echo "top caption: $3 yellow pixels at $4 of the picture's height"
        awk -v y="$4" 'BEGIN { exit !(y < 0.25) }'
        check $? "the yellow caption is drawn in the top quarter of the picture (at $4)"
        seen_top=1
    fi
    if [ "$5" -ge 40 ] && [ "$3" -eq 0 ] && [ "$seen_bottom" -eq 0 ]; then
        cp "$PL_TMP/shot.png" "$PL_ARTIFACTS/xvfb_captions_708_bottom.png"
        echo "bottom caption: $5 cyan pixels at $6 of the height, $7 of the width"
        awk -v y="$6" -v x="$7" 'BEGIN { exit !(y > 0.75 && x > 0.5) }'
        check $? "the cyan caption is drawn in the bottom quarter, right of the centre (at $6, $7)"
        seen_bottom=1
    fi
done
[ $((seen_top * seen_bottom)) -eq 1 ] || { cat "$PL_TMP/shots.log"; pl_show svplay; }
[ "$seen_top" -eq 1 ] || check 1 "no screenshot showed the yellow caption"
[ "$seen_bottom" -eq 1 ] || check 1 "no screenshot showed the cyan caption"
pl_finish
