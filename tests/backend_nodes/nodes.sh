#!/bin/sh
# Several stateless svserver nodes on one PostgreSQL catalog (issue 14):
#   - any node answers for any session (start on one, heartbeat and stop on
#     the other);
#   - the stream limit holds across nodes: NB_PAIRS pairs of starts for a
#     max-streams-1 account, one on each node at the same moment, give
#     exactly one 201 per pair, every time;
#   - kill -9 of the node that started a session loses nothing: the next
#     heartbeat, on the other node, is answered and the resume position is
#     kept;
#   - PostgreSQL stopped for OUTAGE_S seconds: the API answers 503 with a
#     JSON error within 5 s, /healthz says why, media keeps flowing on its
#     token, and once the database is back everything answers again without
#     restarting a node; heartbeats received meanwhile are written then.
# The test runs its own cluster (scripts/pg.sh): the outage must not stop
# the shared one of the other pg tests.
set -u
. "$SV_SOURCE_DIR/tests/backend/backendlib.sh"
. "$SV_SOURCE_DIR/tests/backend_sessions/sessionslib.sh"

NB_PAIRS=${NB_PAIRS:-100}
OUTAGE_S=${OUTAGE_S:-20}

PG="$SV_TMP/pg"
B_PID=""
A2_PID=""
nodes_cleanup() {
    _st=$?
    [ -z "$B_PID" ] || kill -9 "$B_PID" 2>/dev/null
    [ -z "$A2_PID" ] || kill -9 "$A2_PID" 2>/dev/null
    SV_PG_DB="" # goes with the cluster
    sh "$PGSH" stop "$PG" >/dev/null 2>&1
    (exit "$_st")
    sv_cleanup
}
trap nodes_cleanup EXIT
# As root the cluster runs as postgres, which must reach $SV_TMP/pg.
chmod 0711 "$SV_TMP" || fail "cannot open $SV_TMP to the database server"
sh "$PGSH" start "$PG" >/dev/null || fail "cannot start a PostgreSQL cluster"
SVSERVER_DB=$(sh "$PGSH" createdb "$PG" svnodes) || fail "cannot create the database"
export SVSERVER_DB
# catalog_sql (backendlib.sh) reads this test's database.
SV_TEST_PG=$PG
SV_PG_DB=svnodes

export SVSERVER_TOKEN_SECRET="$SECRET"
NODE_OPTS="--heartbeat-interval 2 --rate-limit 0 --workers 0"

# start_node NAME - another node on the same catalog and media folder; sets
# NODE_PID and NODE_URL.
start_node() {
    "$SVSERVER" --listen 127.0.0.1:0 --data "$SV_DATA" --log-level debug $NODE_OPTS \
        >"$SV_TMP/$1.out" 2>"$SV_TMP/$1.err" &
    NODE_PID=$!
    _i=0
    until grep -q '^listening on' "$SV_TMP/$1.out" 2>/dev/null; do
        _i=$((_i + 1))
        kill -0 "$NODE_PID" 2>/dev/null || { cat "$SV_TMP/$1.err" >&2; fail "node $1 exited"; }
        [ "$_i" -le 200 ] || fail "node $1 did not listen within 10 s"
        sleep 0.05
    done
    NODE_URL=$(sed -n 's/^listening on //p' "$SV_TMP/$1.out")
}

t1=$(make_title "Nodes")
add_user bob DE 1
add_user carol DE 2
# shellcheck disable=SC2086
sv_start $NODE_OPTS
A_URL=$SV_URL
start_node b
B_PID=$NODE_PID
B_URL=$NODE_URL
ok "two nodes: $A_URL and $B_URL on $(echo "$SVSERVER_DB" | sed 's/@.*:/@...:/')"

# on URL - the next api call goes to that node.
on() {
    SV_URL=$1
}

# --- any node answers for any session --------------------------------------------
on "$A_URL"
login carol
start "$t1" tv
expect_eq "start on node A" "$code" 201
S=$SID
on "$B_URL"
api code POST /api/v1/playback/heartbeat "{\"session_id\":\"$S\",\"position_s\":3.5}"
expect_eq "heartbeat of A's session on node B" "$code" 200
req code "$B_URL/media/$t1/video/240p/seg-1.m4s?$MQ"
expect_eq "media on node B with A's token" "$code" 200
on "$A_URL"
api code POST /api/v1/playback/stop "{\"session_id\":\"$S\",\"position_s\":4.0}"
expect_eq "stop on node A" "$code" 200
# B holds the session in its cache: a heartbeat there is answered from it
# and queued for B's next write (1 s tick), which learns of the end; from
# then on B answers 410.
on "$B_URL"
i=0
while :; do
    api code POST /api/v1/playback/heartbeat "{\"session_id\":\"$S\",\"position_s\":4.5}"
    [ "$code" = 410 ] && break
    [ "$code" = 200 ] || fail "a heartbeat after the stop on B answered $code"
    i=$((i + 1))
    [ $i -le 12 ] || fail "B still answers 200 for the stopped session after 3 s"
    sleep 0.25
done
expect_eq "a heartbeat after the stop, on B (after $i answered from its cache)" \
    "$code $(error_code)" "410 session_expired"

# --- the stream limit across nodes ------------------------------------------------
on "$A_URL"
login bob
wins=0
bad=0
i=0
while [ "$i" -lt "$NB_PAIRS" ]; do
    i=$((i + 1))
    pids=""
    for n in a b; do
        [ "$n" = a ] && u=$A_URL || u=$B_URL
        curl -s -m 10 -o "$SV_TMP/race-$n" -w '%{http_code}' -X POST \
            -H 'Content-Type: application/json' -H "Authorization: Bearer $TOKEN" \
            -d "{\"title_id\":$t1,\"device_id\":\"d$i$n\"}" \
            "$u/api/v1/playback/start" >"$SV_TMP/race-$n.code" &
        pids="$pids $!"
    done
    # shellcheck disable=SC2086 # the nodes are background jobs too
    wait $pids
    ca=$(cat "$SV_TMP/race-a.code")
    cb=$(cat "$SV_TMP/race-b.code")
    case "$ca $cb" in
    "201 403") w=a ;;
    "403 201") w=b ;;
    *) bad=$((bad + 1)); echo "pair $i: $ca $cb" >&2; continue ;;
    esac
    wins=$((wins + 1))
    cp "$SV_TMP/race-$w" "$SV_TMP/body"
    sid=$(json_get .session_id)
    curl -s -o /dev/null -X POST -H 'Content-Type: application/json' -H "Authorization: Bearer $TOKEN" \
        -d "{\"session_id\":\"$sid\"}" "$A_URL/api/v1/playback/stop"
done
expect_eq "racing starts on two nodes, max-streams 1: pairs with exactly one 201" \
    "$wins of $NB_PAIRS ($bad otherwise)" "$NB_PAIRS of $NB_PAIRS (0 otherwise)"
open=$(catalog_sql "SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.name = 'bob' AND s.ended IS NULL")
expect_eq "bob's open sessions after the races" "$open" 0

# --- kill -9 of the node that started a session ----------------------------------
on "$A_URL"
login carol
start "$t1" phone
expect_eq "start on node A" "$code" 201
S=$SID
api code POST /api/v1/playback/heartbeat "{\"session_id\":\"$S\",\"position_s\":1.5}"
expect_eq "heartbeat on A" "$code" 200
sleep 1.2 # one write-behind tick
kill -9 "$SV_PID"
wait "$SV_PID" 2>/dev/null
SV_PID=""
on "$B_URL"
api code POST /api/v1/playback/heartbeat "{\"session_id\":\"$S\",\"position_s\":2.5}"
expect_eq "the next heartbeat, on B after A was killed" "$code" 200
api code POST /api/v1/playback/stop "{\"session_id\":\"$S\",\"position_s\":2.5}"
expect_eq "stop on B" "$code" 200
api code GET /api/v1/me/continue-watching
expect_eq "resume position kept" "$(json_get .items[0].title_id) $(num .items[0].position_s)" \
    "$t1 2.5"
hb=$(catalog_sql "SELECT heartbeats FROM sessions WHERE id = '$S'")
expect_eq "both heartbeats in the catalog" "$hb" 2

# --- PostgreSQL stopped for OUTAGE_S seconds -------------------------------------
start_node a2
A2_PID=$NODE_PID
A2_URL=$NODE_URL
on "$A2_URL"
start "$t1" tv
expect_eq "start on a new node A2" "$code" 201
S=$SID
MQ_S=$MQ
sh "$PGSH" pause "$PG" >/dev/null || fail "cannot stop PostgreSQL"
t0=$(date +%s.%N)
code=$(curl -s -m 6 -o "$SV_TMP/body" -w '%{http_code}' "$A2_URL/api/v1/titles")
t=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
expect_eq "titles while the database is down" "$code $(json_get .error.code)" "503 catalog_unavailable"
awk -v t="$t" 'BEGIN { exit !(t < 5) }' || fail "the 503 took $t s"
ok "answered in $t s"
code=$(curl -s -m 6 -o "$SV_TMP/body" -w '%{http_code}' "$B_URL/healthz")
expect_eq "healthz on B" "$code $(json_get .status) $(json_get .catalog.ok)" "503 unhealthy false"
ok "healthz says: $(json_get .catalog.error)"
code=$(curl -s -m 6 -o "$SV_TMP/body" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    -d '{"name":"carol","password":"pw-carol-secret"}' "$A2_URL/api/v1/auth/login")
expect_eq "login while the database is down" "$code $(json_get .error.code)" "503 catalog_unavailable"
req code "$A2_URL/media/$t1/video/240p/seg-1.m4s?$MQ_S"
expect_eq "media on its token meanwhile" "$code" 200
api code POST /api/v1/playback/heartbeat "{\"session_id\":\"$S\",\"position_s\":3.0}"
expect_eq "heartbeat on the node that has the session" "$code" 200
# The rest of the outage, with a heartbeat on each node every 2 s as a
# player would (B does not have the session: 503, retried).
hb_ok=1
hb_503=0
end=$(($(date +%s) + OUTAGE_S - 2))
while [ "$(date +%s)" -lt "$end" ]; do
    api code POST /api/v1/playback/heartbeat "{\"session_id\":\"$S\",\"position_s\":3.1}"
    [ "$code" = 200 ] && hb_ok=$((hb_ok + 1))
    on "$B_URL"
    api code POST /api/v1/playback/heartbeat "{\"session_id\":\"$S\",\"position_s\":3.1}"
    [ "$code" = 503 ] && hb_503=$((hb_503 + 1))
    on "$A2_URL"
    sleep 2
done
ok "during the outage: $hb_ok heartbeats answered by the node with the session, $hb_503 answered 503 by the other"
kill -0 "$A2_PID" && kill -0 "$B_PID" || fail "a node died during the outage"
sh "$PGSH" resume "$PG" >/dev/null || fail "cannot start PostgreSQL again"
# Each node tries its connection again at most once a second.
t0=$(date +%s.%N)
i=0
until [ "$(curl -s -o /dev/null -w '%{http_code}' "$B_URL/healthz")" = 200 ] &&
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$A2_URL/healthz")" = 200 ] || [ $i -ge 50 ]; do
    sleep 0.2
    i=$((i + 1))
done
ok "both nodes healthy $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s after the database came back"
code=$(curl -s -o "$SV_TMP/body" -w '%{http_code}' "$B_URL/healthz")
expect_eq "healthz on B after the database came back" "$code $(json_get .catalog.ok)" "200 true"
code=$(curl -s -o "$SV_TMP/body" -w '%{http_code}' "$A2_URL/api/v1/titles")
expect_eq "titles on A2 again" "$code" 200
on "$B_URL"
api code POST /api/v1/playback/heartbeat "{\"session_id\":\"$S\",\"position_s\":3.2}"
expect_eq "heartbeat on B again" "$code" 200
# The nodes' next writes (a tick each, once their connections are back).
i=0
until hb=$(catalog_sql "SELECT heartbeats FROM sessions WHERE id = '$S'") &&
    [ "$hb" = "$((hb_ok + 1))" ] || [ $i -ge 50 ]; do
    sleep 0.2
    i=$((i + 1))
done
expect_eq "heartbeats in the catalog: those during the outage too" "$hb" "$((hb_ok + 1))"
