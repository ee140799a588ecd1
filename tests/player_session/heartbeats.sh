#!/bin/sh
# svplay --server plays a 16 s title as a playback session against a real
# svserver for 9 s of media, headless and in real time: the server's
# access log shows a heartbeat every 1.5 s (+-0.25 s, a sixth of the
# interval) from the player, as often as the server's heartbeat-interval
# says; the stop saves the position, continue-watching lists it within 1 s,
# and the next start resumes there (its first frame is the one at that
# position).
. "$SV_SOURCE_DIR/tests/backend/backendlib.sh"
. "$SV_SOURCE_DIR/tests/backend_sessions/sessionslib.sh"
. "$SV_SOURCE_DIR/tests/player_session/sessionplay.sh"

title=$(long_title "Long Walk" 16)
add_user alice FR 2
sv_start --token-secret "$SECRET" --media-auth token --heartbeat-interval 1.5 --workers 1

# 225 frames at 25 fps: quit after 9 s of media.
svplay_title "$SV_TMP/play1" "$title" --frames 225 --stats "$SV_TMP/play1.json"
[ "$rc" = 0 ] || { cat "$SV_TMP/play1.err" >&2; fail "svplay exited $rc"; }
ok "9 s played through a session"

# Heartbeat times from the server's access log (HH:MM:SS.mmm of the ts).
grep 'access: POST /api/v1/playback/heartbeat 200' "$SV_TMP/server.err" |
    awk '{ split(substr($1, 12, 12), t, ":"); print t[1] * 3600 + t[2] * 60 + t[3] }' \
    >"$SV_TMP/beats"
n=$(wc -l <"$SV_TMP/beats")
expect_ge "heartbeats answered in 9 s" "$n" 5
gaps=$(awk 'NR > 1 { printf "%.2f ", $1 - prev } { prev = $1 }' "$SV_TMP/beats")
echo "heartbeat gaps (s): $gaps"
for g in $gaps; do
    awk -v g="$g" 'BEGIN { exit !(g >= 1.25 && g <= 1.75) }' ||
        fail "a heartbeat gap of $g s (expected 1.5 +- 0.25): $gaps"
done
ok "every gap is 1.5 +- 0.25 s"
start_line=$(grep -c 'access: POST /api/v1/playback/start 201' "$SV_TMP/server.err")
stop_line=$(grep -c 'access: POST /api/v1/playback/stop 200' "$SV_TMP/server.err")
expect_eq "one start and one stop" "$start_line $stop_line" "1 1"

# Continue-watching shows where the player stopped: 9 s of media.
login alice
api code GET /api/v1/me/continue-watching
expect_eq "continue-watching" "$code" 200
pos=$(json_get ".items[0].position_s")
tid=$(json_get ".items[0].title_id")
expect_eq "continue-watching title" "$tid" "$title"
awk -v p="$pos" 'BEGIN { exit !(p >= 8 && p <= 10) }' ||
    fail "continue-watching position $pos, expected 9 +- 1"
ok "continue-watching position $pos s is within 1 s of 9"

# The next start resumes there: its first presented frame is at the
# position saved (framemd5 pts in 1/25 s).
svplay_title "$SV_TMP/play2" "$title" --frames 5 --framemd5 "$SV_TMP/resume.md5"
[ "$rc" = 0 ] || { cat "$SV_TMP/play2.err" >&2; fail "the resumed svplay exited $rc"; }
first=$(grep -v '^#' "$SV_TMP/resume.md5" | head -n 1 | awk -F', *' '{ print $3 / 25 }')
awk -v f="$first" -v p="$pos" 'BEGIN { d = f - p; exit !(d > -0.5 && d < 0.5) }' ||
    fail "the resumed play started at $first s, the saved position is $pos s"
ok "the resumed play starts at $first s (saved $pos s)"

# --from-start ignores the resume point.
svplay_title "$SV_TMP/play3" "$title" --frames 5 --framemd5 "$SV_TMP/start.md5" --from-start
[ "$rc" = 0 ] || { cat "$SV_TMP/play3.err" >&2; fail "svplay --from-start exited $rc"; }
first=$(grep -v '^#' "$SV_TMP/start.md5" | head -n 1 | awk -F', *' '{ print $3 }')
expect_eq "--from-start first frame pts" "$first" 0
