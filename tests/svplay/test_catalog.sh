#!/bin/sh
# svplay's TV catalog (`svplay --server URL` without a title), under Xvfb
# (run_xvfb.sh) against a real svserver on 127.0.0.1: three 10 s titles in
# two genres, alice has watched "Alpha Run" up to 4 s. The screen grabs
# must show the focus frame on the first card, then (Down, Right) on the
# second card of the "Action" row, which is Alpha Run; Enter opens its
# title page and Enter again ("Resume at 00:04") plays it from 4 s (svplay's "playing title" line, the testsrc2 bars in the window), and
# Backspace returns to the catalog with the stop saving a position past 4 s
# (a play from the start would have saved about 2 s). Then a typed search
# queries the server and Enter plays its hit from 0 s; a refused start is
# shown in the catalog, not an exit; Esc leaves the search, Esc quits (0).
# Grabs stay in the working folder as svplay_catalog_*.png.
. "$SV_SOURCE_DIR/tests/backend/backendlib.sh"
. "$SV_SOURCE_DIR/tests/backend_sessions/sessionslib.sh"
: "${DISPLAY:?run through run_xvfb.sh}" "${XKEY:?}" "${SHOT_CHECK:?}"
SVPLAY="$SV_BUILD_DIR/apps/svplay/svplay"
[ -x "$SVPLAY" ] || fail "$SVPLAY not built"

ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x240:rate=25 \
    -f lavfi -i sine=frequency=440:sample_rate=48000 -t 10 -c:v libx264 -preset ultrafast \
    -pix_fmt yuv420p -c:a aac -shortest "$SV_TMP/clip.mp4" || fail "ffmpeg could not make the clip"
ingest() {
    "$SVSERVER" ingest "$SV_TMP/clip.mp4" --title "$1" --genre "$2" --data "$SV_DATA" \
        --ladder 240:300 --segment-seconds 2 --preset ultrafast --log-level warn \
        >"$SV_TMP/ingest.out" 2>"$SV_TMP/ingest.err" ||
        { cat "$SV_TMP/ingest.err" >&2; fail "svserver ingest $1 failed"; }
    tail -n 1 "$SV_TMP/ingest.out"
}
alpha=$(ingest "Alpha Run" Action)
beta=$(ingest "Beta Blast" Action)
gamma=$(ingest "Gamma Ray" Drama)
add_user alice FR 2
sv_start --token-secret "$SECRET" --media-auth token --heartbeat-interval 10 --workers 1

# Alice watched Alpha Run up to 4 s on another device.
login alice
start "$alpha" phone
expect_eq "playback start" "$code" 201
api code POST /api/v1/playback/stop "{\"session_id\":\"$SID\",\"position_s\":4.0}"
expect_eq "playback stop at 4 s" "$code" 200

SDL_AUDIODRIVER=dummy "$SVPLAY" --server "$SV_URL" --user alice \
    --password-file "$SV_TMP/pw-alice" >"$SV_TMP/svplay.out" 2>"$SV_TMP/svplay.err" &
pid=$!
# On failure svplay goes too; sv_cleanup still sees the exit status.
trap '_st=$?; kill $pid 2>/dev/null; (exit $_st); sv_cleanup' EXIT

# grab NAME: the svplay window as svplay_catalog_NAME.png and $SV_TMP/NAME.rgb.
grab() {
    set -- "$1" $("$XKEY" "svplay - " geometry)
    ffmpeg -nostdin -v error -y -f x11grab -draw_mouse 0 -video_size "${4}x${5}" \
        -i "$DISPLAY+$2,$3" -frames:v 1 "svplay_catalog_$1.png" &&
    ffmpeg -nostdin -v error -y -i "svplay_catalog_$1.png" -f rawvideo -pix_fmt rgb24 \
        "$SV_TMP/$1.rgb" && W=$4
}
# focus_px NAME X Y W H: pixels of the focus colour (255,210,0) in the 6 px
# ring of that box where the focus frame goes (the card inside shows its
# poster, which may have yellow in it).
focus_px() {
    od -An -v -tu1 -w3 "$SV_TMP/$1.rgb" | awk -v W="$W" -v x0="$2" -v y0="$3" -v w="$4" -v h="$5" '
        { i = NR - 1; x = i % W; y = int(i / W) }
        x >= x0 && x < x0 + w && y >= y0 && y < y0 + h &&
        !(x >= x0 + 6 && x < x0 + w - 6 && y >= y0 + 6 && y < y0 + h - 6) &&
        $1 >= 230 && $2 >= 185 && $2 <= 235 && $3 <= 40 { n++ }
        END { print n + 0 }'
}
# The canvas is 480x270 drawn at 2x: card (row r, column c) has its 3 px
# frame at canvas x 9 + 110 c, y 32 + 72 r, 106 x 54. One frame at 2x is
# 4 x (106 x 54 - 100 x 48) = 3696 pixels.
FIRST="18 64 212 108"
SECOND="238 208 212 108"

i=0
# Up to 30 s: a loaded machine (make test runs two tests at once) may be slow
# to log in, fetch the rows and open a window with a software renderer.
until "$XKEY" "svplay - " geometry >/dev/null 2>"$SV_TMP/xkey.err"; do
    i=$((i + 1))
    [ $i -le 300 ] || fail "no svplay window after 30 s: $(cat "$SV_TMP/xkey.err" "$SV_TMP/svplay.err")"
    kill -0 $pid 2>/dev/null || fail "svplay exited: $(cat "$SV_TMP/svplay.err")"
    sleep 0.1
done
n=0
i=0
while [ "$n" -lt 3000 ] && [ $i -lt 30 ]; do
    sleep 0.2
    i=$((i + 1))
    grab start && n=$(focus_px start $FIRST)
done
expect_ge "focus pixels on the first card (Continue watching: Alpha Run)" "$n" 3600
expect_eq "focus pixels on the second Action card" "$(focus_px start $SECOND)" 0

"$XKEY" "svplay - " Down Right || fail "cannot send keys"
sleep 0.5
grab moved || fail "cannot grab the window"
expect_eq "focus pixels left on the first card" "$(focus_px moved $FIRST)" 0
expect_ge "focus pixels on the second Action card (Alpha Run)" "$(focus_px moved $SECOND)" 3600

"$XKEY" "svplay - " Return Return || fail "cannot send Enter, Enter (title page, play)"
i=0
until grep -q "playing title" "$SV_TMP/svplay.err"; do
    i=$((i + 1))
    [ $i -le 100 ] || fail "no title started: $(cat "$SV_TMP/svplay.err")"
    sleep 0.1
done
line=$(grep "playing title" "$SV_TMP/svplay.err")
expect_eq "svplay plays" "$line" "svplay: playing title $alpha \"Alpha Run\" from 4.0 s"
found=0
i=0
while [ $found -eq 0 ] && [ $i -lt 10 ]; do
    sleep 0.2
    i=$((i + 1))
    grab playing && "$SHOT_CHECK" "$SV_TMP/playing.rgb" "$W" "$(($(wc -c <"$SV_TMP/playing.rgb") / W / 3))" \
        >"$SV_TMP/check" && found=1
done
[ $found -eq 1 ] || fail "the title's picture never showed: $(cat "$SV_TMP/check")"
ok "the window shows the title's testsrc2 bars"
sleep 1

# Back: the session stops at the position reached, and the catalog returns.
"$XKEY" "svplay - " BackSpace || fail "cannot send Backspace"
i=0
until grep -q 'access: POST /api/v1/playback/stop 200' "$SV_TMP/server.err" &&
      [ "$(grep -c 'access: GET /api/v1/me/continue-watching 200' "$SV_TMP/server.err")" -ge 2 ]; do
    i=$((i + 1))
    [ $i -le 50 ] || fail "no stop and catalog refresh after Backspace"
    sleep 0.1
done
ok "Backspace stopped the session and refreshed the catalog"
api code GET /api/v1/me/continue-watching
expect_eq "continue-watching title" "$(json_get '.items[0].title_id')" "$alpha"
pos=$(json_get '.items[0].position_s')
awk -v p="$pos" 'BEGIN { exit !(p >= 4.5 && p < 9.5) }' ||
    fail "saved position $pos s: expected a play resumed at 4 s (4.5 to 9.5)"
ok "saved position $pos s: the play resumed at 4 s"
sleep 0.3
grab back || fail "cannot grab the window"
expect_ge "focus pixels on Alpha Run after Back" "$(focus_px back $SECOND)" 3600

# Search: typing "gam" queries the server (debounced: once), Enter plays the hit.
"$XKEY" "svplay - " g a m || fail "cannot type"
i=0
until grep -q 'access: GET /api/v1/titles?limit=50&q=gam 200' "$SV_TMP/server.err"; do
    i=$((i + 1))
    [ $i -le 30 ] || fail "no search request: $(grep 'q=' "$SV_TMP/server.err")"
    sleep 0.1
done
sleep 0.2
grab search || fail "cannot grab the window"
expect_ge "focus pixels on the one search result" "$(focus_px search 18 100 212 108)" 3600
"$XKEY" "svplay - " Return Return || fail "cannot send Enter, Enter (title page, play)"
i=0
until [ "$(grep -c "playing title" "$SV_TMP/svplay.err")" -ge 2 ]; do
    i=$((i + 1))
    [ $i -le 100 ] || fail "the search hit did not start: $(cat "$SV_TMP/svplay.err")"
    sleep 0.1
done
line=$(grep "playing title" "$SV_TMP/svplay.err" | tail -n 1)
expect_eq "svplay plays the hit" "$line" "svplay: playing title $gamma \"Gamma Ray\" from 0.0 s"

searches=$(grep -c 'access: GET /api/v1/titles?limit=50&q=' "$SV_TMP/server.err")
expect_eq "search requests while typing 'gam'" "$searches" 1

# A refusal is news on the catalog, not an exit: with alice's two streams
# taken elsewhere, Enter on the search hit (still open after Back) fails
# with too_many_streams and svplay stays up; Esc leaves the search, Esc quits.
"$XKEY" "svplay - " BackSpace || fail "cannot send Backspace"
i=0
until [ "$(grep -c 'access: POST /api/v1/playback/stop 200' "$SV_TMP/server.err")" -ge 3 ]; do
    i=$((i + 1))
    [ $i -le 50 ] || fail "no stop after the second Backspace (the phone's, Alpha Run's, this one)"
    sleep 0.1
done
start "$beta" phone
expect_eq "start on the phone" "$code" 201
start "$beta" laptop
expect_eq "start on the laptop" "$code" 201
"$XKEY" "svplay - " Return Return || fail "cannot send Enter, Enter (title page, play)"
i=0
until grep -q "cannot play title $gamma" "$SV_TMP/svplay.err"; do
    i=$((i + 1))
    [ $i -le 50 ] || fail "no refusal shown: $(cat "$SV_TMP/svplay.err")"
    sleep 0.1
done
expect_contains "the refusal" "$(grep "cannot play title" "$SV_TMP/svplay.err")" too_many_streams
sleep 0.3
kill -0 $pid 2>/dev/null || fail "svplay exited after a refusal"
ok "svplay stays in the catalog after a refusal"

"$XKEY" "svplay - " Escape || fail "cannot send Esc"
sleep 0.3
kill -0 $pid 2>/dev/null || fail "Esc in the search quit svplay"
"$XKEY" "svplay - " Escape || fail "cannot send Esc"
rc=0
wait $pid || rc=$?
trap sv_cleanup EXIT
expect_eq "svplay exit status after Esc on the rows" "$rc" 0
ok "catalog: focus moves, Enter resumes at 4 s, Back saves, search plays, refusals stay, Esc quits"
