#!/bin/sh
# The TV catalog's posters and title page (issue 18, items 3 and 5), under
# Xvfb (run_xvfb.sh) against a real svserver on 127.0.0.1: two 10 s titles
# with different pictures (testsrc2 and mandelbrot), alice has watched
# "Alpha Run" up to 4 s. svplay runs with --ui-log, which says where each
# card's poster and the title page's poster were drawn; the screen grabs must
# show there the poster svserver serves (GET poster_url, decoded and scaled to
# that size by ffmpeg: PSNR over 28 dB, and at least 6 dB less against the
# other title's poster). Enter on "Continue watching" opens the title page:
# its line lists the title, synopsis, duration, "Resume at 00:04" and "Start
# over", and the languages of the title's MPD; a title whose poster is gone
# (404 no_poster) gets a warning and a card without one; the grab shows its poster, the
# title's white text and the focus frame on the first action. Down, Enter
# plays from the start (0.0 s), after Download stored the title under
# XDG_DATA_HOME (the action's label becomes "Downloaded"); paused, the seek
# bar under the pointer shows
# svserver's own thumbnail (its tile's cell, and ffmpeg's frame); Backspace
# returns to the rows, having saved a position under 4 s; each poster was
# fetched once. At the end, with svserver stopped, the download plays: its
# frames are ffmpeg's decode of the title's segments. Grabs stay in the
# working folder as svplay_posters_*.png.
. "$SV_SOURCE_DIR/tests/backend/backendlib.sh"
. "$SV_SOURCE_DIR/tests/backend_sessions/sessionslib.sh"
: "${DISPLAY:?run through run_xvfb.sh}" "${XKEY:?}"
SVPLAY="${SVPLAY:-$SV_BUILD_DIR/apps/svplay/svplay}" # another build's (ASan) when set
[ -x "$SVPLAY" ] || fail "$SVPLAY not built"
UILOG="$SV_SOURCE_DIR/tests/player/uilog_get.js"

clip() {
    ffmpeg -nostdin -v error -f lavfi -i "$1=size=320x180:rate=25" \
        -f lavfi -i sine=frequency=440:sample_rate=48000 -t 10 -c:v libx264 -preset ultrafast \
        -pix_fmt yuv420p -c:a aac -shortest "$SV_TMP/$2.mp4" || fail "ffmpeg could not make $2"
}
ingest() {
    "$SVSERVER" ingest "$SV_TMP/$1.mp4" --title "$2" --genre "$3" --synopsis "$4" \
        --data "$SV_DATA" --ladder 180:200 --segment-seconds 2 --preset ultrafast \
        --log-level warn >"$SV_TMP/ingest.out" 2>"$SV_TMP/ingest.err" ||
        { cat "$SV_TMP/ingest.err" >&2; fail "svserver ingest $2 failed"; }
    tail -n 1 "$SV_TMP/ingest.out"
}
clip testsrc2 bars
clip mandelbrot mandel
alpha=$(ingest bars "Alpha Run" Action "A runner in colour bars.")
mandel=$(ingest mandel "Mandel Zoom" Drama "Into the set, forever.")
# A title whose poster is gone (as one ingested before posters were made):
# GET poster_url answers 404 no_poster.
bare=$(ingest bars "No Poster" Drama "")
rm -f "$SV_DATA/media/$bare/thumbs/poster.jpg"
add_user alice FR 2
sv_start --workers 1

login alice
start "$alpha" phone
expect_eq "playback start" "$code" 201
api code POST /api/v1/playback/stop "{\"session_id\":\"$SID\",\"position_s\":4.0}"
expect_eq "playback stop at 4 s" "$code" 200
for t in "$alpha" "$mandel"; do
    req code "$SV_URL/api/v1/titles/$t/poster"
    expect_eq "poster of title $t" "$code" 200
    cp "$SV_TMP/body" "$SV_TMP/poster-$t.jpg"
done

log="$SV_TMP/ui.log"
SDL_AUDIODRIVER=dummy XDG_DATA_HOME="$SV_TMP/xdg" \
    "$SVPLAY" --server "$SV_URL" --user alice --ui-log "$log" \
    --password-file "$SV_TMP/pw-alice" >"$SV_TMP/svplay.out" 2>"$SV_TMP/svplay.err" &
pid=$!
trap '_st=$?; kill $pid 2>/dev/null; (exit $_st); sv_cleanup' EXIT

# grab NAME: the svplay window as svplay_posters_NAME.png and $SV_TMP/NAME.rgb.
grab() {
    set -- "$1" $("$XKEY" "svplay - " geometry)
    ffmpeg -nostdin -v error -y -f x11grab -draw_mouse 0 -video_size "${4}x${5}" \
        -i "$DISPLAY+$2,$3" -frames:v 1 "svplay_posters_$1.png" &&
    ffmpeg -nostdin -v error -y -i "svplay_posters_$1.png" -f rawvideo -pix_fmt rgb24 \
        "$SV_TMP/$1.rgb" && W=$4
}
# psnr NAME X Y W H JPEG - PSNR of that box of the grab against the JPEG
# decoded and scaled to W x H by ffmpeg.
psnr() {
    _r=$(ffmpeg -nostdin -i "svplay_posters_$1.png" -i "$6" -lavfi \
        "[0:v]crop=$4:$5:$2:$3,format=rgb24[a];[1:v]scale=$4:$5,format=rgb24[b];[a][b]psnr" \
        -frames:v 1 -f null - 2>&1 | sed -n 's/.*average:\([0-9.inf]*\).*/\1/p' | tail -n 1)
    [ "$_r" = inf ] && _r=99
    echo "${_r:-0}"
}
# count NAME X Y W H AWK_COND - pixels of the box whose r, g, b meet the condition.
count() {
    od -An -v -tu1 -w3 "$SV_TMP/$1.rgb" | awk -v W="$W" -v x0="$2" -v y0="$3" -v w="$4" -v h="$5" "
        { i = NR - 1; x = i % W; y = int(i / W); r = \$1; g = \$2; b = \$3 }
        x >= x0 && x < x0 + w && y >= y0 && y < y0 + h && ($6) { n++ }
        END { print n + 0 }"
}
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }
# check_poster NAME X Y W H TITLE OTHER WHAT - the box shows TITLE's poster, not OTHER's.
check_poster() {
    _own=$(psnr "$1" "$2" "$3" "$4" "$5" "$SV_TMP/poster-$6.jpg")
    _other=$(psnr "$1" "$2" "$3" "$4" "$5" "$SV_TMP/poster-$7.jpg")
    ge "$_own" 28 && ge "$_own" "$(awk -v o="$_other" 'BEGIN { print o + 6 }')" ||
        fail "$8: PSNR $_own dB against its poster, $_other dB against the other title's"
    ok "$8: ${4}x$5 at $2,$3 is title $6's poster ($_own dB; the other title's: $_other dB)"
}

i=0
until node "$UILOG" "$log" catalog count >/dev/null 2>&1; do
    i=$((i + 1))
    [ $i -le 300 ] || fail "no catalog drawn after 30 s: $(cat "$SV_TMP/svplay.err")"
    kill -0 $pid 2>/dev/null || fail "svplay exited: $(cat "$SV_TMP/svplay.err")"
    sleep 0.1
done
sleep 0.3
grab rows || fail "cannot grab the window"
# Every card in view: "title_id x y w h" of its poster.
node -e '
    const fs = require("fs");
    const lines = fs.readFileSync(process.argv[1], "utf8").trim().split("\n").map(JSON.parse);
    const cat = lines.filter(o => o.what === "catalog").pop();
    for (const c of cat.cards)
        console.log(c.title_id, c.poster ? c.poster.join(" ") : "none", c.row);
' "$log" >"$SV_TMP/cards"
cat "$SV_TMP/cards"
expect_eq "cards in view (three rows: Continue watching, Action, Drama x 2)" \
    "$(wc -l <"$SV_TMP/cards" | tr -d " ")" 4
n=0
while read -r id x y w h row; do
    if [ "$id" = "$bare" ]; then
        expect_eq "the card of the title without a poster draws none" "$x" none
        continue
    fi
    [ "$x" != none ] || fail "card of title $id ($row) has no poster"
    other=$mandel
    [ "$id" = "$mandel" ] && other=$alpha
    check_poster rows "$x" "$y" "$w" "$h" "$id" "$other" "card of title $id in \"$row\""
    n=$((n + 1))
done <"$SV_TMP/cards"
expect_eq "cards checked" "$n" 3
expect_contains "the missing poster's warning" "$(cat "$SV_TMP/svplay.err")" \
    "svplay: warning: no poster for title $bare (/api/v1/titles/$bare/poster): no_poster:"

# Enter on the first card (Continue watching: Alpha Run) opens its title page.
"$XKEY" "svplay - " Return || fail "cannot send Enter"
i=0
until node "$UILOG" "$log" title_page count >/dev/null 2>&1; do
    i=$((i + 1))
    [ $i -le 50 ] || fail "no title page: $(tail -n 2 "$log")"
    sleep 0.1
done
sleep 0.3
page() { node "$UILOG" "$log" title_page "$@"; }
expect_eq "page title" "$(page title)" "Alpha Run"
expect_eq "page title id" "$(page title_id)" "$alpha"
expect_eq "page synopsis" "$(page synopsis)" "A runner in colour bars."
expect_eq "page genres" "$(page genres)" "Action"
ge "$(page duration_s)" 9.9 && ge 10.1 "$(page duration_s)" || fail "duration $(page duration_s) s"
expect_eq "page resume position" "$(page resume_s)" 4
expect_eq "page actions" "$(page actions)" '["Resume at 00:04","Start over","Download"]'
expect_eq "page focus" "$(page focus)" 0
# svserver's MPD: one audio set without a language, no subtitles.
expect_eq "page audio languages (the MPD's)" "$(page audio)" und
expect_eq "page subtitle languages (the MPD's)" "$(page subtitles)" none
grab page || fail "cannot grab the window"
set -- $(page poster.0 poster.1 poster.2 poster.3)
check_poster page "$1" "$2" "$3" "$4" "$alpha" "$mandel" "title page poster"
# The canvas is drawn at 2x: the title's line at canvas (216, 26), 9 cells of
# 6x9, and the first action's focus frame around canvas (12, 146, 192, 16).
white=$(count page 432 52 108 18 'r >= 250 && g >= 250 && b >= 250')
expect_ge "white title pixels at the title's place" "$white" 150
ring=$(count page 18 286 396 44 \
    '!(x >= 24 && x < 408 && y >= 292 && y < 324) && r >= 230 && g >= 185 && g <= 235 && b <= 40')
expect_ge "focus frame pixels around \"Resume at 00:04\"" "$ring" 2500

# Down, Down, Enter: Download stores the title while the page stays.
"$XKEY" "svplay - " Down && "$XKEY" "svplay - " Down || fail "cannot send Down"
sleep 0.3
expect_eq "page focus on Download" "$(page focus)" 2
"$XKEY" "svplay - " Return || fail "cannot send Enter"
i=0
until grep -q "title $alpha downloaded" "$SV_TMP/svplay.err"; do
    i=$((i + 1))
    [ $i -le 150 ] || fail "no download of title $alpha: $(cat "$SV_TMP/svplay.err")"
    sleep 0.1
done
dl="$SV_TMP/xdg/streamverse/downloads/$alpha"
expect_eq "download done" "$(grep "title $alpha downloaded" "$SV_TMP/svplay.err")" \
    "svplay: title $alpha downloaded: $dl/master.m3u8"
sleep 0.3
expect_eq "page actions after it" "$(page actions)" '["Resume at 00:04","Start over","Downloaded"]'
"$XKEY" "svplay - " Up && "$XKEY" "svplay - " Up || fail "cannot send Up"
sleep 0.3

# Down, Enter: Start over plays from 0 s.
"$XKEY" "svplay - " Down || fail "cannot send Down"
sleep 0.3
expect_eq "page focus after Down" "$(page focus)" 1
"$XKEY" "svplay - " Return || fail "cannot send Enter"
i=0
until grep -q "playing title" "$SV_TMP/svplay.err"; do
    i=$((i + 1))
    [ $i -le 100 ] || fail "no title started: $(cat "$SV_TMP/svplay.err")"
    sleep 0.1
done
expect_eq "start over" "$(grep "playing title" "$SV_TMP/svplay.err")" \
    "svplay: playing title $alpha \"Alpha Run\" from 0.0 s"
sleep 1
# The seek bar over svserver's own thumbnails: paused, the pointer on the bar
# at 6.9 s shows cell 3 of thumbs/tile-1.jpg (the frame at 6 s: svserver's
# 5x5 grids of 160x90 cells, one every 2 s, docs/packaging.md).
"$XKEY" "svplay - " space || fail "cannot send space"
bar() { node "$UILOG" "$log" seekbar "$@"; }
i=0
until [ "$(bar mode 2>/dev/null)" = hover ]; do
    i=$((i + 1))
    [ $i -le 50 ] || fail "no seek bar under the pointer: $(tail -n 1 "$log")"
    "$XKEY" "svplay - " mouse move $((100 + i % 2)) 530 || fail "cannot move the pointer"
    sleep 0.1
done
set -- $(bar bar.0 bar.2 duration_s)
x=$(awk -v x="$1" -v w="$2" -v d="$3" 'BEGIN { printf "%d", x + w * 6.9 / d + 0.5 }')
"$XKEY" "svplay - " mouse move "$x" 530 || fail "cannot move the pointer"
i=0
until [ "$(bar thumb_ready thumb_span_s.0 2>/dev/null)" = "true 6" ]; do
    i=$((i + 1))
    [ $i -le 50 ] || fail "no thumbnail of 6.9 s: $(tail -n 1 "$log")"
    sleep 0.1
done
sleep 0.3
grab seekbar || fail "cannot grab the window"
set -- $(bar thumb.0 thumb.1 thumb.2 thumb.3 scrub_s)
expect_eq "thumbnail size" "$3x$4" 160x90
req code "$SV_URL/media/$alpha/thumbs/tile-1.jpg"
expect_eq "svserver's first tile" "$code" 200
cp "$SV_TMP/body" "$SV_TMP/tile-1.jpg"
ffmpeg -nostdin -v error -y -ss 6 -i "$SV_TMP/bars.mp4" -frames:v 1 "$SV_TMP/frame6.png" ||
    fail "ffmpeg could not decode the frame at 6 s"
# cell_psnr IMAGE FILTER - the thumbnail on screen against IMAGE after FILTER.
cell_psnr() {
    _r=$(ffmpeg -nostdin -i svplay_posters_seekbar.png -i "$1" -lavfi         "[0:v]crop=160:90:$tx:$ty,format=rgb24[a];[1:v]$2,format=rgb24[b];[a][b]psnr"         -frames:v 1 -f null - 2>&1 | sed -n 's/.*average:\([0-9.inf]*\).*/\1/p' | tail -n 1)
    [ "$_r" = inf ] && _r=99
    echo "${_r:-0}"
}
tx=$1 ty=$2
cell=$(cell_psnr "$SV_TMP/tile-1.jpg" crop=160:90:480:0)
frame=$(cell_psnr "$SV_TMP/frame6.png" scale=160:90)
other=$(cell_psnr "$SV_TMP/tile-1.jpg" crop=160:90:0:0)
echo "scrub at $5 s: thumbnail PSNR $cell dB against cell 3 of svserver's tile, $frame dB" \
    "against ffmpeg's frame at 6 s, $other dB against cell 0"
ge "$cell" 30 || fail "the thumbnail on screen is not cell 3 of the tile ($cell dB)"
# (svserver's tiles are small JPEGs of testsrc2's sharp edges: 21-24 dB
# against ffmpeg's own scaling of the frame, 11-12 dB against another cell.)
ge "$frame" 20 || fail "the thumbnail on screen is not the frame at 6 s ($frame dB)"
ge "$cell" "$(awk -v o="$other" 'BEGIN { print o + 3 }')" || fail "cell 0 matches as well ($other dB)"
ok "the seek bar shows svserver's thumbnail of 6.9 s ($cell dB; frame at 6 s: $frame dB)"
"$XKEY" "svplay - " mouse move 400 100 || fail "cannot move the pointer"
"$XKEY" "svplay - " BackSpace || fail "cannot send Backspace"
i=0
until [ "$(grep -c 'access: GET /api/v1/me/continue-watching 200' "$SV_TMP/server.err")" -ge 2 ]; do
    i=$((i + 1))
    [ $i -le 50 ] || fail "no catalog refresh after Backspace"
    sleep 0.1
done
api code GET /api/v1/me/continue-watching
pos=$(json_get '.items[0].position_s')
awk -v p="$pos" 'BEGIN { exit !(p > 0.5 && p < 3.9) }' ||
    fail "saved position $pos s: expected a play from 0 (a resumed one would be past 4 s)"
ok "saved position $pos s: Start over played from the start"
sleep 0.5
for t in "$alpha" "$mandel"; do
    expect_eq "requests for title $t's poster (this test's, then svplay's one: cached)" \
        "$(grep -c "access: GET /api/v1/titles/$t/poster 200" "$SV_TMP/server.err")" 2
done
"$XKEY" "svplay - " Escape || fail "cannot send Esc"
rc=0
wait $pid || rc=$?
trap sv_cleanup EXIT
expect_eq "svplay exit status after Esc" "$rc" 0

# The download with the server gone: the title's frames, every one.
sv_stop || fail "svserver exited with an error"
rung=$(ls "$SV_DATA/media/$alpha/video")
cat "$SV_DATA/media/$alpha/video/$rung/init.mp4" \
    $(ls -v "$SV_DATA/media/$alpha/video/$rung"/seg-*.m4s) >"$SV_TMP/alpha.mp4"
ffmpeg -nostdin -v error -i "$SV_TMP/alpha.mp4" -map 0:v -f framemd5 - | grep -v '^#' |
    awk -F', *' '{ print $6 }' >"$SV_TMP/want.md5"
"$SVPLAY" --quiet --framemd5 "$SV_TMP/got.framemd5" "$dl/master.m3u8" >"$SV_TMP/offline.out" 2>&1 ||
    fail "svplay could not play the download: $(cat "$SV_TMP/offline.out")"
grep -v '^#' "$SV_TMP/got.framemd5" | awk -F', *' '{ print $6 }' >"$SV_TMP/got.md5"
expect_eq "the download's frames (server stopped)" "$(wc -l <"$SV_TMP/got.md5")" 250
cmp -s "$SV_TMP/got.md5" "$SV_TMP/want.md5" || fail "the download's frames differ from ffmpeg's decode"
ok "the download played with svserver stopped: 250 frames equal ffmpeg's decode"
ok "catalog posters, title page and download"
