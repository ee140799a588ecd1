#!/bin/sh
# Accounts and playback sessions against a real svserver (media-auth=token,
# 3 s heartbeat interval, so that a busy machine's slow steps do not expire
# the sessions the test still uses): login, refusals with their codes (unauthorized,
# not_entitled, geo_blocked, too_many_streams, session_expired), the stream
# limit freed by a stop and by three missed heartbeats, media tokens
# (valid, missing, tampered, expired, other title, ended session), token
# refresh by heartbeats, resume positions and continue-watching, content
# steering with pathway clones and the per-CDN manifests, title regions in
# the catalog answers, the playback figures in /metrics, and sessions
# surviving a restart.
. "$SV_SOURCE_DIR/tests/backend/backendlib.sh"
. "$SV_SOURCE_DIR/tests/backend_sessions/sessionslib.sh"
command -v openssl >/dev/null 2>&1 || fail "openssl is missing; run scripts/install-deps.sh"

t1=$(make_title "Alpha")
t2=$(make_title "Bravo")
expect_eq "two titles" "$t1 $t2" "1 2"
add_user alice FR 2
add_user bob US 1
add_user carol FR 0
rc=0
"$SVSERVER" user add alice --password-file "$SV_TMP/pw-alice" --region FR --max-streams 2 \
    --data "$SV_DATA" 2>/dev/null || rc=$?
expect_eq "a second alice is refused" "$rc" 1
rc=0
"$SVSERVER" user add dave --password-file "$SV_TMP/pw-alice" --region fr --max-streams 2 \
    --data "$SV_DATA" 2>/dev/null || rc=$?
expect_eq "a lower-case region is bad usage" "$rc" 2

CDNS="edge1=http://127.0.0.1:9/,edge2=http://127.0.0.1:10;3"
sv_start --token-secret "$SECRET" --media-auth token --heartbeat-interval 3 --cdns "$CDNS" \
    --steering-ttl 2 --workers 1

# --- login ---------------------------------------------------------------------
req code -X POST -H 'Content-Type: application/json' \
    -d '{"name":"alice","password":"wrong-password"}' "$SV_URL/api/v1/auth/login"
expect_eq "bad password" "$code $(error_code)" "401 invalid_credentials"
req code -X POST -H 'Content-Type: application/json' \
    -d '{"name":"nobody","password":"whatever-pass"}' "$SV_URL/api/v1/auth/login"
expect_eq "unknown user" "$code $(error_code)" "401 invalid_credentials"
req code -X POST -H 'Content-Type: text/plain' -d 'x' "$SV_URL/api/v1/auth/login"
expect_eq "login wants JSON" "$code" 415
login alice
expect_eq "JWT has three parts" "$(echo "$TOKEN" | awk -F. '{ print NF }')" 3
expect_eq "JWT header" "$(echo "$TOKEN" | cut -d. -f1)" "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
ALICE=$TOKEN

req code -X POST -H 'Content-Type: application/json' -d '{"title_id":1,"device_id":"x"}' \
    "$SV_URL/api/v1/playback/start"
expect_eq "start without a token" "$code $(error_code)" "401 unauthorized"
# One character of the claims changed.
TOKEN=$(printf %s "$ALICE" | awk -F. '{ c = substr($2, 10, 1); n = (c == "A") ? "B" : "A";
    print $1 "." substr($2, 1, 9) n substr($2, 11) "." $3 }')
[ "$TOKEN" != "$ALICE" ] || fail "could not tamper with the token"
start 1 x
expect_eq "start with a tampered user token" "$code $(error_code)" "401 unauthorized"
TOKEN=$ALICE

# --- entitlement and geo -------------------------------------------------------
sv_operator
req code -X PUT -H "$OP_AUTH" -H 'Content-Type: application/json' -d '{"regions":["US","CA"]}' \
    "$SV_URL/api/v1/titles/$t2/regions"
expect_eq "title 2 limited to US, CA" "$code $(json_get .regions)" '200 ["US","CA"]'
req code -X PUT -H "$OP_AUTH" -H 'Content-Type: application/json' -d '{"regions":["usa"]}' \
    "$SV_URL/api/v1/titles/$t2/regions"
expect_eq "a bad region code" "$code" 400
req code "$SV_URL/api/v1/titles/$t2"
expect_eq "the title shows its regions" "$code $(json_get .regions)" '200 ["US","CA"]'
req code "$SV_URL/api/v1/titles/$t1"
expect_eq "a title for everywhere" "$code $(json_get .regions)" '200 []'
req code "$SV_URL/api/v1/titles"
expect_eq "the list shows regions (newest first)" \
    "$(json_get .items[0].id) $(json_get .items[0].regions) $(json_get .items[1].regions)" \
    "$t2 [\"US\",\"CA\"] []"
start "$t2" phone
expect_eq "FR user on a US title" "$code $(error_code)" "403 geo_blocked"
login bob
start "$t2" phone
expect_eq "US user on the US title" "$code" 201
api code POST /api/v1/playback/stop "{\"session_id\":\"$SID\",\"position_s\":1}"
expect_eq "bob stops" "$code" 200
login carol
start "$t1" phone
expect_eq "max-streams 0" "$code $(error_code)" "403 not_entitled"
TOKEN=$ALICE
start 99 phone
expect_eq "unknown title" "$code $(error_code)" "404 not_found"

# --- the start answer ----------------------------------------------------------
start "$t1" tv
expect_eq "start" "$code" 201
S_TV=$SID
MQ_TV=$MQ
expect_eq "session id" "$(printf %s "$SID" | tr -d 0-9a-f | wc -c) ${#SID}" "0 32"
expect_eq "heartbeat interval" "$(json_get .heartbeat_interval_s)" 3.0
expect_eq "cdns" "$(json_get .cdns[0].id) $(json_get .cdns[0].base_url) $(json_get .cdns[1].id) $(json_get .cdns[1].weight) $(json_get .cdns[1].priority)" \
    "edge1 http://127.0.0.1:9 edge2 3 2"
expect_eq "manifests" "$(json_get .manifests.hls) $(json_get .manifests.dash)" \
    "/media/$t1/master.m3u8 /media/$t1/manifest.mpd"
expect_eq "license url" "$(json_get .license_url)" /api/v1/license
expect_eq "steering url" "$(json_get .steering_url)" "/api/v1/steering?session=$SID"
expect_eq "resume position" "$(num .resume_position_s)" 0.0
expect_contains "media query" "$MQ" "token="
expect_contains "edge token (no edge-secret here)" "no${MQ#*md5=}" "no"

# --- media tokens ---------------------------------------------------------------
SEG="/media/$t1/video/240p/seg-1.m4s"
size=$(wc -c <"$SV_DATA$SEG")
req code "$SV_URL$SEG?$MQ"
expect_eq "segment with the token" "$code $(wc -c <"$SV_TMP/body")" "200 $size"
req code "$SV_URL$SEG"
expect_eq "no token" "$code $(error_code)" "403 token_required"
tok=${MQ#token=}
case $tok in "$JWT_HEADER".*.*) ok "the playback token is a JWT" ;;
*) fail "the playback token is not a JWT: $tok" ;; esac
# One character of the claims changed: the MAC no longer matches.
bad=$(tamper "$tok")
[ "$bad" != "$tok" ] || fail "could not tamper with the token"
req code "$SV_URL$SEG?token=$bad"
expect_eq "tampered token" "$code $(error_code)" "403 token_invalid"
req code "$SV_URL/media/$t2/video/240p/seg-1.m4s?$MQ"
expect_eq "token of another title" "$code $(error_code)" "403 token_wrong_title"

now=$(date +%s)
req code "$SV_URL$SEG?token=$(sign "$t1" "$S_TV" $((now + 60)))"
expect_eq "an independently signed token" "$code" 200
req code "$SV_URL$SEG?token=$(sign "$t1" "$S_TV" $((now - 5)))"
expect_eq "expired token" "$code $(error_code)" "403 token_expired"
req code "$SV_URL$SEG?token=$(sign "$t1" 0123456789abcdef0123456789abcdef $((now + 60)))"
expect_eq "a session this origin never saw (stateless check)" "$code" 200
thumb=$(curl -s "$SV_URL/api/v1/titles/$t1" >"$SV_TMP/body"; json_get .thumbnails.urls[0])
req code "$SV_URL$thumb"
expect_eq "thumbnails stay public" "$code" 200

# --- heartbeats refresh the token ------------------------------------------------
sleep 1.1
api code POST /api/v1/playback/heartbeat \
    "{\"session_id\":\"$S_TV\",\"position_s\":1.7,\"bitrate_kbps\":300,\"buffer_s\":8,\"rebuffer_count\":0,\"rebuffer_s\":0,\"dropped_frames\":2,\"cdn\":\"edge1\"}"
expect_eq "heartbeat" "$code" 200
MQ2=$(json_get .media_query)
[ "$MQ2" != "$MQ_TV" ] || fail "the heartbeat did not refresh the token"
ok "the heartbeat refreshed the token"
req code "$SV_URL$SEG?$MQ2"
expect_eq "segment with the refreshed token" "$code" 200
api code POST /api/v1/playback/heartbeat "{\"session_id\":\"$S_TV\",\"position_s\":-1}"
expect_eq "negative position" "$code" 400
# Heartbeats reach the catalog in the next batch (<= 1 s here).
sleep 1.2
api code GET /api/v1/me/continue-watching
expect_eq "position from heartbeats" "$code $(json_get .items[0].title_id) $(num .items[0].position_s)" \
    "200 $t1 1.7"

# --- stream limit: stop and expiry free a slot -----------------------------------
start "$t1" laptop
expect_eq "second stream" "$code" 201
S_LAPTOP=$SID
start "$t1" phone
expect_eq "third stream" "$code $(error_code)" "403 too_many_streams"
start "$t1" tv
expect_eq "a restart on the same device replaces its session" "$code" 201
S_TV_OLD=$S_TV
S_TV=$SID
req code "$SV_URL$SEG?$MQ_TV"
expect_eq "token of the replaced session" "$code $(error_code)" "403 session_ended"
api code POST /api/v1/playback/stop "{\"session_id\":\"$S_TV\",\"position_s\":3.1}"
expect_eq "stop" "$code $(json_get .state)" "200 stopped"
api code GET /api/v1/me/continue-watching
expect_eq "continue-watching right after the stop" "$(json_get .items[0].title_id) $(num .items[0].position_s)" \
    "$t1 3.1"
api code POST /api/v1/playback/heartbeat "{\"session_id\":\"$S_TV\",\"position_s\":3}"
expect_eq "heartbeat after stop" "$code $(error_code)" "410 session_expired"
start "$t1" phone
expect_eq "a stop frees a slot" "$code" 201
expect_eq "the next start resumes at the stop position" "$(num .resume_position_s)" 3.1
S_PHONE=$SID
MQ_PHONE=$MQ
start "$t1" watch
expect_eq "limit reached again" "$code $(error_code)" "403 too_many_streams"

# The figures so far: bob's session and alice's tv were stopped, her first tv
# replaced; laptop and phone live.
expect_eq "live sessions gauge" "$(metric svserver_playback_sessions)" 2
expect_eq "ended sessions: stopped replaced expired" \
    "$(metric 'svserver_playback_sessions_ended_total{reason="stopped"}') $(metric 'svserver_playback_sessions_ended_total{reason="replaced"}') $(metric 'svserver_playback_sessions_ended_total{reason="expired"}')" \
    "2 1 0"
expect_eq "starts: ok too_many_streams geo_blocked not_entitled not_found unauthorized" \
    "$(metric 'svserver_playback_starts_total{result="ok"}') $(metric 'svserver_playback_starts_total{result="too_many_streams"}') $(metric 'svserver_playback_starts_total{result="geo_blocked"}') $(metric 'svserver_playback_starts_total{result="not_entitled"}') $(metric 'svserver_playback_starts_total{result="not_found"}') $(metric 'svserver_playback_starts_total{result="unauthorized"}')" \
    "5 2 1 1 1 2"
expect_eq "heartbeats: ok bad_request session_expired" \
    "$(metric 'svserver_playback_heartbeats_total{result="ok"}') $(metric 'svserver_playback_heartbeats_total{result="bad_request"}') $(metric 'svserver_playback_heartbeats_total{result="session_expired"}')" \
    "1 1 1"

# --- sessions survive a restart ---------------------------------------------------
sv_stop || fail "svserver did not stop cleanly"
sv_start --token-secret "$SECRET" --media-auth token --heartbeat-interval 3 --cdns "$CDNS" \
    --steering-ttl 2 --workers 1
api code POST /api/v1/playback/heartbeat "{\"session_id\":\"$S_PHONE\",\"position_s\":0.5}"
expect_eq "a heartbeat after a restart" "$code" 200
start "$t1" watch
expect_eq "the limit still holds after a restart" "$code $(error_code)" "403 too_many_streams"

# Three missed intervals (9 s) expire the laptop and phone sessions. The
# catalog keeps last_seen in whole seconds and the tick runs every second,
# so the expiry may come up to 2 s after those 9 s; the phone's heartbeat
# above was the last one. Polled for on the phone's media token (which does
# not count as a heartbeat), at most 18 s.
i=0
while [ $i -lt 180 ]; do
    req code "$SV_URL$SEG?$MQ_PHONE"
    [ "$code" = 403 ] && [ "$(error_code)" = session_ended ] && break
    sleep 0.1
    i=$((i + 1))
done
expect_eq "the phone's token once three intervals passed" "$code $(error_code)" "403 session_ended"
api code POST /api/v1/playback/heartbeat "{\"session_id\":\"$S_LAPTOP\",\"position_s\":2}"
expect_eq "heartbeat of an expired session" "$code $(error_code)" "410 session_expired"
start "$t1" watch
expect_eq "expired sessions free their slots" "$code" 201
S_WATCH=$SID
MQ_WATCH=$MQ
expect_eq "after the restart: live, expired" \
    "$(metric svserver_playback_sessions) $(metric 'svserver_playback_sessions_ended_total{reason="expired"}')" \
    "1 2"

# --- steering and manifests -------------------------------------------------------
req code "$SV_URL/api/v1/steering?session=$S_WATCH&_HLS_pathway=edge1"
expect_eq "steering" "$code $(json_get .VERSION) $(json_get .TTL) $(json_get .PATHWAY-PRIORITY)" \
    '200 1 2 ["edge1","edge2"]'
expect_eq "reload uri" "$(json_get .RELOAD-URI)" "/api/v1/steering?session=$S_WATCH"
req code "$SV_URL/media/$t1/master.m3u8?$MQ_WATCH"
expect_eq "master for a session" "$code $(header Cache-Control)" "200 private, no-store"
body=$(cat "$SV_TMP/body")
expect_contains "steering tag" "$body" \
    "#EXT-X-CONTENT-STEERING:SERVER-URI=\"/api/v1/steering?session=$S_WATCH\",PATHWAY-ID=\"edge1\""
expect_eq "variants per pathway" "$(grep -c '^#EXT-X-STREAM-INF:.*PATHWAY-ID="edge1"' "$SV_TMP/body") $(grep -c '^#EXT-X-STREAM-INF:.*PATHWAY-ID="edge2"' "$SV_TMP/body")" "1 1"
# The rung's I-frame playlist (trick play) is cloned per pathway too.
expect_eq "I-frame variants per pathway" "$(grep -c '^#EXT-X-I-FRAME-STREAM-INF:.*PATHWAY-ID="edge1"' "$SV_TMP/body") $(grep -c '^#EXT-X-I-FRAME-STREAM-INF:.*PATHWAY-ID="edge2"' "$SV_TMP/body")" "1 1"
expect_contains "edge2 I-frame URI" "$body" "http://127.0.0.1:10/media/$t1/video/240p/iframes.m3u8"
expect_contains "edge2 variant URI" "$body" "http://127.0.0.1:10/media/$t1/video/240p/index.m3u8"
expect_contains "renditions per pathway" "$body" "GROUP-ID=\"audio.edge2\""

sv_operator
req code -X PUT -H "$OP_AUTH" -H 'Content-Type: application/json' -d '{"priority":["edge2"]}' "$SV_URL/api/v1/steering"
expect_eq "priority change" "$code $(json_get .PATHWAY-PRIORITY)" '200 ["edge2","edge1"]'
req code -X PUT -H "$OP_AUTH" -H 'Content-Type: application/json' -d '{"priority":["edge9"]}' "$SV_URL/api/v1/steering"
expect_eq "unknown CDN id" "$code" 400
api code POST /api/v1/playback/heartbeat "{\"session_id\":\"$S_WATCH\",\"position_s\":1}" # keep it alive
req code "$SV_URL/api/v1/steering?session=$S_WATCH&fmt=dash"
expect_eq "DASH steering follows" "$(json_get .SERVICE-LOCATION-PRIORITY)" '["edge2","edge1"]'
req code "$SV_URL/media/$t1/master.m3u8?$MQ_WATCH"
expect_contains "the master follows the priority" "$(cat "$SV_TMP/body")" 'PATHWAY-ID="edge2"'
expect_eq "first variant on edge2" "$(grep -m1 '^#EXT-X-STREAM-INF' "$SV_TMP/body" | sed 's/.*PATHWAY-ID=//')" '"edge2"'
req code "$SV_URL/media/$t1/manifest.mpd?$MQ_WATCH"
expect_eq "MPD for a session" "$code" 200
if command -v xmllint >/dev/null 2>&1; then
    xmllint --noout "$SV_TMP/body" || fail "the rewritten MPD is not well-formed XML"
fi
expect_contains "DASH BaseURL" "$(cat "$SV_TMP/body")" \
    "<BaseURL serviceLocation=\"edge2\" dvb:priority=\"1\" dvb:weight=\"3\">http://127.0.0.1:10/media/$t1/</BaseURL>"
expect_contains "DASH ContentSteering" "$(cat "$SV_TMP/body")" \
    "<ContentSteering defaultServiceLocation=\"edge2\" queryBeforeStart=\"false\">/api/v1/steering?session=$S_WATCH&amp;fmt=dash</ContentSteering>"

# --- pathway clones ----------------------------------------------------------------
# pyjson EXPR: a Python expression over the last JSON body `d`, printed.
pyjson() {
    python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' \
        "$SV_TMP/body" "$1"
}
steer_put() {
    sv_operator
    req code -X PUT -H "$OP_AUTH" -H 'Content-Type: application/json' -d "$1" "$SV_URL/api/v1/steering"
}
api code POST /api/v1/playback/heartbeat "{\"session_id\":\"$S_WATCH\",\"position_s\":1}" # keep it alive
req code "$SV_URL/api/v1/steering?session=$S_WATCH"
expect_eq "no clones declared: no PATHWAY-CLONES" "$(pyjson '"PATHWAY-CLONES" in d')" False
api code POST /api/v1/playback/heartbeat "{\"session_id\":\"$S_WATCH\",\"position_s\":1}" # keep it alive
steer_put '{"priority":["edge4","edge2"],"clones":[{"base_id":"edge1","id":"edge4","host":"127.0.0.1:8084","params":{"cdn":"edge4"}}]}'
expect_eq "a clone of edge1 put first" "$code $(pyjson '",".join(d["PATHWAY-PRIORITY"])')" \
    "200 edge4,edge2,edge1"
req code "$SV_URL/api/v1/steering?session=$S_WATCH"
expect_eq "the steering manifest's clone" \
    "$(pyjson 'd["PATHWAY-CLONES"] == [{"BASE-ID": "edge1", "ID": "edge4", "URI-REPLACEMENT": {"HOST": "127.0.0.1:8084", "PARAMS": {"cdn": "edge4"}}}]') $(pyjson '",".join(d["PATHWAY-PRIORITY"])')" \
    "True edge4,edge2,edge1"
req code "$SV_URL/api/v1/steering?session=$S_WATCH&fmt=dash"
expect_eq "DASH steering lists the clone" \
    "$(pyjson '",".join(d["SERVICE-LOCATION-PRIORITY"])') $(pyjson 'd["PATHWAY-CLONES"][0]["URI-REPLACEMENT"]["HOST"]')" \
    "edge4,edge2,edge1 127.0.0.1:8084"
# A heartbeat keeps the session alive (three missed intervals expire it, and a
# loaded machine can spend that long on the steps above).
api code POST /api/v1/playback/heartbeat "{\"session_id\":\"$S_WATCH\",\"position_s\":1}"
expect_eq "the watch session is alive" "$code" 200
req code "$SV_URL/media/$t1/master.m3u8?$MQ_WATCH"
expect_eq "the master keeps the CDNs only, edge2 first" \
    "$(grep -c 'PATHWAY-ID="edge4"' "$SV_TMP/body") $(grep -m1 '^#EXT-X-CONTENT-STEERING' "$SV_TMP/body" | sed 's/.*PATHWAY-ID=//')" \
    '0 "edge2"'
for bad in '{"clones":[{"base_id":"edge9","id":"edge5","host":"127.0.0.1:8085"}]}' \
    '{"clones":[{"base_id":"edge1","id":"edge2","host":"127.0.0.1:8085"}]}' \
    '{"clones":[{"base_id":"edge1","id":"edge5","host":"127.0.0.1:99999"}]}' \
    '{"clones":[{"base_id":"edge1","id":"edge5"}]}' \
    '{"clones":{"base_id":"edge1"}}' \
    '{"priority":["edge4"],"clones":[]}' \
    '{"pathway_priority":["edge1"]}' \
    '{}'; do
    steer_put "$bad"
    expect_eq "refused: $bad" "$code $(error_code)" "400 bad_request"
    [ -n "$(json_get .error.message)" ] || fail "no reason given for $bad"
done
req code "$SV_URL/api/v1/steering"
expect_eq "refusals changed nothing" \
    "$(pyjson '",".join(d["PATHWAY-PRIORITY"])') $(pyjson 'len(d["PATHWAY-CLONES"])')" "edge4,edge2,edge1 1"
steer_put '{"clones":[]}'
expect_eq "clones removed" "$code $(pyjson '"PATHWAY-CLONES" in d') $(pyjson '",".join(d["PATHWAY-PRIORITY"])')" \
    "200 False edge2,edge1"
exit 0
