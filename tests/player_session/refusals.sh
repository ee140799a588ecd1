#!/bin/sh
# svplay --server against refusals from a real svserver: with max-streams 2
# a third concurrent player is refused with too_many_streams (exit 1, the
# code in the message) and a new one plays once another stopped; a title
# limited to other regions is refused with geo_blocked; a wrong password
# and an unknown title fail cleanly.
. "$SV_SOURCE_DIR/tests/backend/backendlib.sh"
. "$SV_SOURCE_DIR/tests/backend_sessions/sessionslib.sh"
. "$SV_SOURCE_DIR/tests/player_session/sessionplay.sh"

title=$(long_title "Long Walk" 30)
add_user alice FR 2
sv_start --token-secret "$SECRET" --media-auth token --heartbeat-interval 10 --workers 1

# Two players in real time hold the account's two streams.
pids=""
for d in tv phone; do
    "$SVPLAY" --headless --server "$SV_URL" --user alice --password-file "$SV_TMP/pw-alice" \
        --device "$d" --from-start "$title" >"$SV_TMP/$d.out" 2>"$SV_TMP/$d.err" &
    pids="$pids $!"
done
i=0
while [ "$(grep -c 'access: POST /api/v1/playback/start 201' "$SV_TMP/server.err")" -lt 2 ]; do
    i=$((i + 1))
    [ "$i" -le 100 ] || fail "the two players did not start within 10 s"
    sleep 0.1
done
svplay_title "$SV_TMP/third" "$title" --device tablet --frames 10
expect_eq "third concurrent player's exit status" "$rc" 1
expect_contains "third player's error" "$(cat "$SV_TMP/third.err")" "too_many_streams"

# Stopping one (SIGINT: the player sends its stop) frees a stream.
set -- $pids
kill -INT "$1"
rc=0
wait "$1" || rc=$?
expect_eq "interrupted player's exit status" "$rc" 0
svplay_title "$SV_TMP/fourth" "$title" --device tablet --frames 10 --from-start
[ "$rc" = 0 ] || { cat "$SV_TMP/fourth.err" >&2; fail "a player after a stop exited $rc"; }
ok "a new player starts after another stopped"
kill -INT "$2"
wait "$2" || true

# Geo restriction: the title is for US and CA only; alice is in FR.
sv_operator
req code -X PUT -H "$OP_AUTH" -H 'Content-Type: application/json' -d '{"regions":["US","CA"]}' \
    "$SV_URL/api/v1/titles/$title/regions"
expect_eq "title limited to US, CA" "$code" 200
svplay_title "$SV_TMP/geo" "$title" --frames 10
expect_eq "geo-blocked exit status" "$rc" 1
expect_contains "geo-blocked error" "$(cat "$SV_TMP/geo.err")" "geo_blocked"

# Unknown title, wrong password.
svplay_title "$SV_TMP/none" 999 --frames 10
expect_eq "unknown title exit status" "$rc" 1
expect_contains "unknown title error" "$(cat "$SV_TMP/none.err")" "HTTP 404"
echo "wrong-password" >"$SV_TMP/pw-wrong"
rc=0
"$SVPLAY" --headless --server "$SV_URL" --user alice --password-file "$SV_TMP/pw-wrong" \
    "$title" >/dev/null 2>"$SV_TMP/wrong.err" || rc=$?
expect_eq "wrong password exit status" "$rc" 1
expect_contains "wrong password error" "$(cat "$SV_TMP/wrong.err")" "invalid_credentials"
rc=0
"$SVPLAY" --headless --server "$SV_URL" "$title" 2>"$SV_TMP/usage.err" || rc=$?
expect_eq "--server without --user" "$rc" 2
