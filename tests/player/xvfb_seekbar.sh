#!/bin/sh
# svplay's seek bar with thumbnails (issue 18, items 3 and 5), under Xvfb:
# a 60 s testsrc2 DASH title (640x360) with a thumbnail_tile set (5x5 JPEG
# grids of 160x90 cells, one every 2 s, made by ffmpeg's tile filter, as in
# thumbnails.sh). svplay plays it paused in its 640x360 window with --ui-log;
# svplay_xkey moves the pointer and sends keys; ffmpeg's x11grab takes the
# window. For each scrub point, by mouse hover and by keyboard:
#   - the --ui-log line says the scrub time and the thumbnail's span (the
#     cell of that time) and where the thumbnail, bar and marker were drawn;
#   - on the screen, the thumbnail's pixels are ffmpeg's crop of that cell
#     of the tile (PSNR over 30 dB), near ffmpeg's decode of the frame at the
#     cell's time (the one ffmpeg's fps filter took) scaled to 160x90 (over
#     22 dB), and further from a cell
#     10 s away (at least 3 dB less);
#   - the white marker found in the row above the bar is at the x the bar's
#     geometry gives for the scrub time (1.5 px), and the red played part
#     ends at the x of the position;
#   - a click (press, release) on the bar seeks there; a drag scrubs (the
#     thumbnail follows, no seek) and seeks where it is released; Enter opens
#     keyboard scrubbing, Left/Right move 5 s without seeking, Esc cancels
#     (the position stays), Enter seeks.
# Screenshots are kept as $SV_BUILD_DIR/tests/player/artifacts/xvfb_seekbar_*.png
. "$SV_SOURCE_DIR/tests/player/playlib.sh"
pl_need Xvfb od
: "${XKEY:?XKEY (svplay_xkey) unset: run through ctest}"

mkdir -p "$PL_ARTIFACTS"
pl_xvfb 1024 768
xpid=$PL_XVFB_PID
disp=$PL_DISPLAY

w="$PL_TMP/www"
mkdir -p "$w/tiles"
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
    '/<\/Period>/ { print a } { print }' "$w/ffmpeg.mpd" >"$w/title.mpd"
pl_serve "$w"

log="$PL_TMP/ui.log"
DISPLAY=$disp SDL_AUDIODRIVER=${SDL_AUDIODRIVER:-dummy} timeout -k 5 90 "$SVPLAY" --quiet \
    --ui-log "$log" "$PL_URL/title.mpd" >"$PL_TMP/svplay.out" 2>"$PL_TMP/svplay.err" &
spid=$!
PL_PIDS="$spid $xpid"

xk() { DISPLAY=$disp "$XKEY" "svplay - " "$@"; }
bar() { node "$PL_DIR/uilog_get.js" "$log" seekbar "$@"; }
# wait_bar COND - polls the last seek bar line until the awk condition COND
# over "$mode $scrub $ready $span_start $position" holds (10 s at most).
wait_bar() {
    _i=0
    while :; do
        set -- "$1" $(bar mode scrub_s thumb_ready thumb_span_s.0 position_s 2>/dev/null)
        [ $# -eq 6 ] && echo "$2 $3 $4 $5 $6" | awk "{ m = \$1; s = \$2; r = \$3; c = \$4; p = \$5 }
            END { exit !($1) }" && return 0
        _i=$((_i + 1))
        [ "$_i" -le 100 ] || { echo "last line: $(tail -n 1 "$log")"; return 1; }
        kill -0 "$spid" 2>/dev/null || { pl_show svplay; fail "svplay exited"; }
        sleep 0.1
    done
}
# grab NAME - the window as artifacts/xvfb_seekbar_NAME.png and $PL_TMP/NAME.rgb (width $GW).
grab() {
    set -- "$1" $(xk geometry)
    DISPLAY=$disp ffmpeg -nostdin -v error -y -f x11grab -draw_mouse 0 -video_size "${4}x${5}" \
        -i "$disp+$2,$3" -frames:v 1 "$PL_ARTIFACTS/xvfb_seekbar_$1.png" &&
    ffmpeg -nostdin -v error -y -i "$PL_ARTIFACTS/xvfb_seekbar_$1.png" -f rawvideo \
        -pix_fmt rgb24 "$PL_TMP/$1.rgb" && GW=$4
}
# psnr SHOT X Y REF [FILTER] - PSNR of the 160x90 box at (X, Y) of the
# screenshot against the image REF after FILTER ("inf" when equal).
psnr() {
    _r=$(ffmpeg -nostdin -i "$PL_ARTIFACTS/xvfb_seekbar_$1.png" -i "$4" -lavfi \
        "[0:v]crop=160:90:$2:$3,format=rgb24[a];[1:v]${5:-null},format=rgb24[b];[a][b]psnr" \
        -frames:v 1 -f null - 2>&1 | sed -n 's/.*average:\([0-9.inf]*\).*/\1/p' | tail -n 1)
    [ "$_r" = inf ] && _r=99
    echo "${_r:-0}"
}
# cell TILE K - the filter cutting cell K out of a 5x5 grid of 160x90.
cell() { echo "crop=160:90:$(($1 % 5 * 160)):$(($1 / 5 * 90))"; }
# row_white SHOT Y - mean x of the white pixels in row Y ("none" without).
row_white() {
    od -An -v -tu1 -w3 "$PL_TMP/$1.rgb" | awk -v W="$GW" -v Y="$2" '
        { i = NR - 1; x = i % W; y = int(i / W) }
        y == Y && $1 >= 235 && $2 >= 235 && $3 >= 235 { n++; s += x }
        END { if (n) printf "%.1f\n", s / n; else print "none" }'
}
# red_end SHOT Y - the last x of the red run that starts the bar in row Y.
red_end() {
    od -An -v -tu1 -w3 "$PL_TMP/$1.rgb" | awk -v W="$GW" -v Y="$2" '
        { i = NR - 1; x = i % W; y = int(i / W) }
        y == Y && $1 >= 200 && $2 <= 70 && $3 <= 70 { last = x }
        END { print last + 0 }'
}
near() { awk -v a="$1" -v b="$2" -v d="$3" 'BEGIN { exit !(a - b <= d && b - a <= d) }'; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }

# checks NAME T TILE K - the screen and the log for the scrub point T, whose
# thumbnail is cell K of tile TILE (the frame at 2 * (K + 25 (TILE - 1)) s).
checks() {
    set -- "$1" "$2" "$3" "$4" $(bar scrub_s thumb.0 thumb.1 thumb.2 thumb.3 marker_x bar.0 \
        bar.1 bar.2 bar.3 duration_s position_s played_x thumb_span_s.0 thumb_span_s.1)
    name=$1 t=$2 tile=$3 k=$4 scrub=$5 tx=$6 ty=$7 tw=$8 th=$9
    shift 9
    mx=$1 bx=$2 by=$3 bw=$4 bh=$5 dur=$6 pos=$7 px=$8 span0=$9
    shift 9
    span1=$1
    cell_t=$((2 * (k + 25 * (tile - 1))))
    near "$scrub" "$t" 0.1; check $? "$name: scrub time $scrub s (wanted $t s)"
    near "$span0" "$cell_t" 0.001 && near "$span1" 2 0.001
    check $? "$name: the thumbnail stands for $span0 s + $span1 s (the cell of $t s: $cell_t s)"
    [ "$tw $th" = "160 90" ]; check $? "$name: thumbnail drawn 1:1, ${tw}x$th at $tx,$ty"
    grab "$name" || fail "cannot grab the window"
    ref=$(psnr "$name" "$tx" "$ty" "$w/tiles/tile-$tile.jpg" "$(cell "$k")")
    # The frame the tile filter put in cell K: fps=1/2 (rounding to the
    # nearest) keeps, for its output at 2K s, the last input frame before
    # 2K + 1 s, at 25 fps the one at 2K + 0.96 s.
    frame_t=$(awk -v c="$cell_t" 'BEGIN { printf "%.2f", c + 0.96 }')
    ffmpeg -nostdin -v error -y -ss "$frame_t" -i "$PL_TMP/clip.mp4" -frames:v 1 -vf scale=160:90 \
        "$PL_TMP/frame_$name.png" || fail "ffmpeg could not decode the frame at $frame_t s"
    frame=$(psnr "$name" "$tx" "$ty" "$PL_TMP/frame_$name.png")
    other=$((k >= 5 ? k - 5 : k + 5))
    far=$(psnr "$name" "$tx" "$ty" "$w/tiles/tile-$tile.jpg" "$(cell "$other")")
    echo "$name: thumbnail PSNR $ref dB against cell $k of tile $tile, $frame dB against the frame" \
        "at $frame_t s, $far dB against cell $other"
    ge "$ref" 30; check $? "$name: the thumbnail on screen is the tile's cell ($ref dB >= 30)"
    ge "$frame" 22; check $? "$name: ... and the decoded frame at $frame_t s ($frame dB >= 22)"
    ge "$ref" "$(awk -v f="$far" 'BEGIN { print f + 3 }')"
    check $? "$name: ... not the cell 10 s away ($far dB)"
    want=$(awk -v x="$bx" -v w="$bw" -v t="$t" -v d="$dur" 'BEGIN { printf "%.1f", x + w * t / d }')
    seen=$(row_white "$name" $((by - 2)))
    echo "$name: marker at x $seen on screen, $mx in the log, $want from the bar's geometry"
    near "$seen" "$want" 1.5; check $? "$name: the marker is drawn at the scrub time's x"
    want=$(awk -v x="$bx" -v w="$bw" -v t="$pos" -v d="$dur" 'BEGIN { printf "%.1f", x + w * t / d }')
    seen=$(red_end "$name" $((by + bh / 2)))
    near "$seen" "$want" 2; check $? "$name: the played part ends at the position's x ($seen, wanted $want for $pos s)"
}

i=0
until xk geometry >/dev/null 2>&1; do
    i=$((i + 1))
    [ $i -le 200 ] || { pl_show svplay; fail "no svplay window after 20 s"; }
    kill -0 "$spid" 2>/dev/null || { pl_show svplay; fail "svplay exited"; }
    sleep 0.1
done
# The pointer over the bar shows it; pause once the picture moves.
# (The pointer moves again until the title is loaded: before that there is
# no bar to hover.)
i=0
until [ "$(bar mode 2>/dev/null)" = hover ] && ge "$(bar position_s)" 1; do
    i=$((i + 1))
    [ $i -le 100 ] || { tail -n 2 "$log"; fail "the bar never showed a position past 1 s"; }
    xk mouse move $((20 + i % 2)) 350 || fail "cannot move the pointer"
    sleep 0.1
done
xk space || fail "cannot send space"
wait_bar 'p > 1' || fail "no bar after the pause"
sleep 0.5
set -- $(bar bar.0 bar.1 bar.2 bar.3 duration_s)
bx=$1 by=$2 bw=$3 bh=$4 dur=$5
near "$dur" 60 0.1 || fail "duration $dur s, wanted 60"
ok "the bar: x $bx, y $by, ${bw}x$bh for $dur s"

# Hover at 33 s (cell 16 of the first tile): no seek.
x=$(awk -v x="$bx" -v w="$bw" -v d="$dur" 'BEGIN { printf "%d", x + w * 33 / d + 0.5 }')
xk mouse move 300 200 move "$x" $((by + 2)) || fail "cannot move the pointer"
wait_bar 'm == "hover" && r == "true" && c == 32' || fail "no thumbnail of 33 s on hover"
sleep 0.4
hover_t=$(bar scrub_s)
checks hover "$hover_t" 1 16
[ "$(node "$PL_DIR/uilog_get.js" "$log" seek count)" = 0 ]; check $? "hovering did not seek"

# Click at 45 s (cell 22): the release seeks there.
x=$(awk -v x="$bx" -v w="$bw" -v d="$dur" 'BEGIN { printf "%d", x + w * 45 / d + 0.5 }')
xk mouse move "$x" $((by + 2)) press "$x" $((by + 2)) release "$x" $((by + 2)) ||
    fail "cannot click"
wait_bar 'p > 44.8 && p < 45.3' || fail "the click did not seek to 45 s"
set -- $(node "$PL_DIR/uilog_get.js" "$log" seek to_s by)
near "$1" 45 0.1 && [ "$2" = mouse ]; check $? "the click seeks to $1 s (by $2)"

# Drag: press at 20 s, move to 51 s (no seek while the button is held, the
# thumbnail follows: the first cell of the second tile, checked on screen),
# release there.
x1=$(awk -v x="$bx" -v w="$bw" -v d="$dur" 'BEGIN { printf "%d", x + w * 20 / d + 0.5 }')
x2=$(awk -v x="$bx" -v w="$bw" -v d="$dur" 'BEGIN { printf "%d", x + w * 51 / d + 0.5 }')
xk mouse move "$x1" $((by + 2)) press "$x1" $((by + 2)) move 300 $((by - 40)) \
    move "$x2" $((by - 40)) || fail "cannot drag"
wait_bar 'm == "drag" && r == "true" && c == 50 && s > 50.9 && s < 51.1' ||
    fail "dragging to 51 s did not scrub there"
[ "$(node "$PL_DIR/uilog_get.js" "$log" seek count)" = 1 ]; check $? "no seek while dragging"
near "$(bar position_s)" 45 0.3; check $? "the position stays at 45 s while dragging"
sleep 0.4
checks drag "$(bar scrub_s)" 2 0
xk mouse release "$x2" $((by - 40)) || fail "cannot release"
wait_bar 'p > 50.8 && p < 51.3' || fail "the release did not seek to 51 s"
set -- $(node "$PL_DIR/uilog_get.js" "$log" seek to_s by count)
near "$1" 51 0.1 && [ "$2" = mouse ] && [ "$3" = 2 ]
check $? "the release seeks to $1 s (by $2; seeks: $3)"

# Keyboard: Enter scrubs from the position, Right moves 5 s, Esc cancels.
xk mouse move 300 20 || fail "cannot move the pointer"
sleep 0.3
pos=$(bar position_s)
xk Return || fail "cannot send Enter"
wait_bar 'm == "keys"' || fail "Enter did not start scrubbing"
s0=$(bar scrub_s)
near "$s0" "$(bar position_s)" 0.001; check $? "Enter scrubs from the position ($s0 s)"
pos=$s0
xk Left Left Left Right || fail "cannot send keys"
t=$(awk -v p="$s0" 'BEGIN { printf "%.3f", p - 10 }')
wait_bar "m == \"keys\" && r == \"true\" && s > $t - 0.01 && s < $t + 0.01" ||
    fail "Enter, Left, Left, Left, Right did not scrub to $t s"
sleep 0.4
checks keys "$t" 1 20
xk Escape || fail "cannot send Escape"
wait_bar 'm == "none"' || fail "Esc did not end the scrub"
near "$(bar position_s)" "$pos" 0.05; check $? "Esc left the position at $pos s"
kill -0 "$spid" 2>/dev/null; check $? "Esc while scrubbing did not quit svplay"
xk Return Left Return || fail "cannot send keys"
t=$(awk -v p="$pos" 'BEGIN { printf "%.3f", p - 5 }')
wait_bar "p > $t - 0.1 && p < $t + 0.3" || fail "Enter, Left, Enter did not seek to $t s"
set -- $(node "$PL_DIR/uilog_get.js" "$log" seek to_s by count)
near "$1" "$t" 0.01 && [ "$2" = keys ] && [ "$3" = 3 ]
check $? "Enter seeks to the scrub point: $1 s (by $2; seeks: $3)"

xk q || fail "cannot send q"
rc=0
wait "$spid" || rc=$?
PL_PIDS=$xpid
[ "$rc" -eq 0 ]; check $? "svplay exits 0 after q (status $rc)"

# A --ui-log that cannot be written: exit 1, naming the file and why.
rc=0
DISPLAY=$disp SDL_AUDIODRIVER=${SDL_AUDIODRIVER:-dummy} timeout -k 5 30 "$SVPLAY" --quiet \
    --ui-log "$PL_TMP/no/such/dir/ui.log" "$PL_URL/title.mpd" >/dev/null 2>"$PL_TMP/bad.err" ||
    rc=$?
[ "$rc" -eq 1 ] && grep -q "svplay: error: cannot write --ui-log $PL_TMP/no/such/dir/ui.log: No such file" \
    "$PL_TMP/bad.err"
check $? "an unwritable --ui-log exits $rc: $(cat "$PL_TMP/bad.err")"
pl_finish
