#!/bin/sh
# Playback tokens on /media and on the ClearKey license (POST
# /api/v1/license) against a real svserver with two encrypted (cenc) titles,
# media-auth=token and a 3 s heartbeat interval (a loaded machine spends
# more than 6 s on the steps that need the first sessions alive). Every kind of bad token is
# refused with 403 and its code on BOTH routes: tampered, expired, another
# title's, a token naming a live session of another title (other session),
# a stopped session's, a session that missed three heartbeats. Then a start
# succeeds again on the slot the expired session held (max-streams 1), and
# /metrics shows the figures (license results, live sessions, ended ones).
. "$SV_SOURCE_DIR/tests/backend/backendlib.sh"
. "$SV_SOURCE_DIR/tests/backend_sessions/sessionslib.sh"
command -v openssl >/dev/null 2>&1 || fail "openssl is missing; run scripts/install-deps.sh"
command -v python3 >/dev/null 2>&1 || fail "python3 is missing"

export SVSERVER_MASTER_KEY=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
t1=$(make_title "Alpha" cenc)
t2=$(make_title "Bravo" cenc)
expect_eq "two encrypted titles" "$t1 $t2" "1 2"
add_user alice FR 3
add_user bob FR 1

# The KIDs, from the init segments' tenc box, in base64url.
kid_of() {
    python3 -c "import base64,sys; d=open(sys.argv[1],'rb').read(); i=d.index(b'tenc')
print(base64.urlsafe_b64encode(d[i+12:i+28]).decode().rstrip('='))" "$1"
}
KID1=$(kid_of "$SV_DATA/media/$t1/video/240p/init.mp4")
KID2=$(kid_of "$SV_DATA/media/$t2/video/240p/init.mp4")
[ -n "$KID1" ] && [ "$KID1" != "$KID2" ] || fail "the titles' KIDs are missing or equal"

sv_start --token-secret "$SECRET" --media-auth token --heartbeat-interval 3 --workers 1
SEG="/media/$t1/video/240p/seg-1.m4s"
size=$(wc -c <"$SV_DATA$SEG")
LIC="$SV_URL/api/v1/license"

# both WHAT TOKEN STATUS MEDIA_CODE LICENSE_CODE: the same token on a t1
# segment and on a license request for t1's KID.
both() {
    req code "$SV_URL$SEG?token=$2"
    if [ "$3" = 200 ]; then
        expect_eq "$1: media" "$code $(wc -c <"$SV_TMP/body")" "200 $size"
    else
        expect_eq "$1: media" "$code $(error_code)" "$3 $4"
    fi
    req code -X POST -H 'Content-Type: application/json' \
        -d "{\"kids\":[\"$KID1\"],\"type\":\"temporary\"}" "$LIC?token=$2"
    if [ "$3" = 200 ]; then
        expect_eq "$1: license" "$code $(json_get '.keys[0].kid')" "200 $KID1"
    else
        expect_eq "$1: license" "$code $(error_code)" "$3 $5"
    fi
}

login alice
start "$t1" tv
expect_eq "alice starts title $t1" "$code" 201
S1=$SID
TOK1=${MQ#token=}
start "$t2" phone
expect_eq "alice starts title $t2" "$code" 201
S2=$SID
TOK2=${MQ#token=}
login bob
start "$t1" tv
expect_eq "bob starts title $t1" "$code" 201
S3=$SID
TOK3=${MQ#token=}
S3_MS=$(($(date +%s%N) / 1000000))
BOB=$TOKEN

now=$(date +%s)
both "the session's own token" "$TOK1" 200
both "no token" "" 403 token_required token_missing
both "tampered token" "$(tamper "$TOK1")" 403 token_invalid token_invalid
both "expired token" "$(sign "$t1" "$S1" $((now - 5)))" 403 token_expired token_expired
# Title 2's token: its prefix does not cover the segment, its title not the KID.
both "another title's token" "$TOK2" 403 token_wrong_title key_not_entitled
# Signed with the right secret (as another origin or `svserver token
# --session` could), but S2 is alice's live session of title 2.
both "a token naming another title's session" "$(sign "$t1" "$S2" $((now + 60)))" 403 \
    token_wrong_session token_wrong_session
both "a session this origin never saw (stateless)" \
    "$(sign "$t1" 0123456789abcdef0123456789abcdef $((now + 60)))" 200
req code -X POST -d "{\"kids\":[\"$KID2\"],\"type\":\"temporary\"}" "$LIC?token=$TOK2"
expect_eq "title $t2's token gets title $t2's key" "$code $(json_get '.keys[0].kid')" "200 $KID2"

# A stopped session's tokens stop working at once on both routes.
TOKEN=$BOB
login alice
api code POST /api/v1/playback/stop "{\"session_id\":\"$S1\",\"position_s\":1}"
expect_eq "alice stops session 1" "$code" 200
both "a stopped session's token" "$TOK1" 403 session_ended session_ended

# Stream limit 1: bob's second device is refused while his session lives.
TOKEN=$BOB
start "$t1" laptop
expect_eq "bob's second stream" "$code $(error_code)" "403 too_many_streams"
# Three missed heartbeat intervals (9 s) expire S2 and S3. The catalog
# counts whole seconds: S3 expires 9 to 10 s after its start. Poll (bounded,
# 18 s) for the first refusal, then check it was not early.
both "bob's token before the expiry" "$TOK3" 200
i=0
while [ $i -lt 180 ]; do
    req code "$SV_URL$SEG?token=$TOK3"
    [ "$code" = 403 ] && break
    sleep 0.1
    i=$((i + 1))
done
waited=$(($(date +%s%N) / 1000000 - S3_MS))
[ "$waited" -ge 9000 ] || fail "bob's session expired after $waited ms, before three missed heartbeats"
both "an expired session's token" "$TOK3" 403 session_ended session_ended
api code POST /api/v1/playback/heartbeat "{\"session_id\":\"$S3\",\"position_s\":2}"
expect_eq "bob's late heartbeat" "$code $(error_code)" "410 session_expired"
start "$t1" laptop
expect_eq "the expired session's slot is free again" "$code" 201
both "the new session's token" "${MQ#token=}" 200

# --- /metrics ---------------------------------------------------------------------
expect_eq "live sessions" "$(metric svserver_playback_sessions)" 1
expect_eq "ended: stopped, expired, replaced" \
    "$(metric 'svserver_playback_sessions_ended_total{reason="stopped"}') $(metric 'svserver_playback_sessions_ended_total{reason="expired"}') $(metric 'svserver_playback_sessions_ended_total{reason="replaced"}')" \
    "1 2 0"
expect_eq "starts: ok, too_many_streams" \
    "$(metric 'svserver_playback_starts_total{result="ok"}') $(metric 'svserver_playback_starts_total{result="too_many_streams"}')" \
    "4 1"
expect_eq "heartbeats refused as expired" \
    "$(metric 'svserver_playback_heartbeats_total{result="session_expired"}')" 1
expect_eq "licenses: ok, token_invalid, key_not_entitled, session_ended, token_wrong_session" \
    "$(metric 'svserver_license_requests_total{result="ok"}') $(metric 'svserver_license_requests_total{result="token_invalid"}') $(metric 'svserver_license_requests_total{result="key_not_entitled"}') $(metric 'svserver_license_requests_total{result="session_ended"}') $(metric 'svserver_license_requests_total{result="token_wrong_session"}')" \
    "5 1 1 2 1"
sv_operator
curl -s -H "$OP_AUTH" "$SV_URL/metrics" >"$SV_TMP/metrics.txt"
expect_contains "the gauge's type" "$(cat "$SV_TMP/metrics.txt")" \
    "# TYPE svserver_playback_sessions gauge"
exit 0
