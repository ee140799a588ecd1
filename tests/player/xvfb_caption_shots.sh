# xvfb_caption_shots.sh - sourced by xvfb_captions.sh and xvfb_captions_708.sh
# (after playlib.sh): screenshots of svplay's window under Xvfb until one
# shows the yellow caption alone and one the cyan caption alone, and where
# they are on the picture (a flat dark blue, sv-ccgen --blue or the test's
# own clip).

# caption_where PNG DIV - "<picture top> <picture height> <yellow n>
# <yellow y> <cyan n> <cyan y> <cyan x>": the picture's rows (its dark
# blue), and the count and mean place of yellow and cyan pixels, y and x as
# fractions of the picture, read from the screenshot scaled down DIV times
# (1: full size, for captions a row of a small picture's caption grid high).
caption_where() {
    ffmpeg -nostdin -v error -i "$1" -vf "scale=$((W / $2)):$((H / $2)):flags=neighbor" \
        -f rawvideo -pix_fmt rgb24 - | od -An -v -tu1 -w3 | awk -v w=$((W / $2)) '
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

# caption_shots NAME WORD DIV - screenshots of display $disp (W x H) every
# 0.5 s while svplay ($spid) runs, 12 s at most: the yellow WORD must be in
# the top quarter of the picture, the cyan one in the bottom quarter right
# of the centre. The two shots go to $PL_ARTIFACTS/NAME_top.png and
# NAME_bottom.png.
caption_shots() {
    _name=$1 _word=$2 _div=$3
    seen_top=0
    seen_bottom=0
    i=0
    while [ "$i" -lt 24 ] && [ $((seen_top * seen_bottom)) -eq 0 ]; do
        i=$((i + 1))
        sleep 0.5
        kill -0 "$spid" 2>/dev/null || break
        DISPLAY=$disp ffmpeg -nostdin -v error -y -f x11grab -video_size "${W}x${H}" -i "$disp" \
            -frames:v 1 "$PL_TMP/shot.png" 2>"$PL_TMP/grab.err" || continue
        set -- $(caption_where "$PL_TMP/shot.png" "$_div")
        echo "shot $i: $*" >>"$PL_TMP/shots.log"
        if [ "$3" -ge 40 ] && [ "$5" -eq 0 ] && [ "$seen_top" -eq 0 ]; then
            cp "$PL_TMP/shot.png" "$PL_ARTIFACTS/${_name}_top.png"
            echo "top $_word: $3 yellow pixels at $4 of the picture's height"
            awk -v y="$4" 'BEGIN { exit !(y < 0.25) }'
            check $? "the yellow $_word is drawn in the top quarter of the picture (at $4)"
            seen_top=1
        fi
        if [ "$5" -ge 40 ] && [ "$3" -eq 0 ] && [ "$seen_bottom" -eq 0 ]; then
            cp "$PL_TMP/shot.png" "$PL_ARTIFACTS/${_name}_bottom.png"
            echo "bottom $_word: $5 cyan pixels at $6 of the height, $7 of the width"
            awk -v y="$6" -v x="$7" 'BEGIN { exit !(y > 0.75 && x > 0.5) }'
            check $? "the cyan $_word is drawn in the bottom quarter, right of the centre (at $6, $7)"
            seen_bottom=1
        fi
    done
    [ $((seen_top * seen_bottom)) -eq 1 ] || { cat "$PL_TMP/shots.log"; pl_show svplay; }
    [ "$seen_top" -eq 1 ] || check 1 "no screenshot showed the yellow $_word"
    [ "$seen_bottom" -eq 1 ] || check 1 "no screenshot showed the cyan $_word"
}
