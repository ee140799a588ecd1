#!/bin/sh
# scripts/cluster.sh end to end (issue 14, "a real load balancer"): a
# PostgreSQL catalog, two API nodes and the nginx balancer on loopback, in a
# temporary folder.
#   - login, playback start, heartbeats and stop through the balancer; the
#     nodes' access logs show the session's requests on both nodes, and the
#     catalog counts every heartbeat answered 200, whichever node took it;
#   - kill -9 of one node: the balancer keeps answering (passive health
#     check, the request that meets the dead node retried on the other):
#     0 failed requests out of NB_GETS idempotent GETs, heartbeats and a
#     login still answered, `cluster.sh status` reports the node down;
#   - `cluster.sh down` leaves no process (nodes, nginx master and workers,
#     PostgreSQL and its children) and no folder.
. "$SV_SOURCE_DIR/tests/backend_cluster/clusterlib.sh"
NB_GETS=${NB_GETS:-60}

# post PATH JSON [TOKEN] - status code of a POST through the balancer, body
# in $TMP/body.
post() {
    curl -s --max-time 10 -o "$TMP/body" -w '%{http_code}' -H 'Content-Type: application/json' \
        ${3:+-H "Authorization: Bearer $3"} -d "$2" "$SV_LB_URL$1"
}
# field KEY - a string or number value of the last body.
field() {
    sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p" "$TMP/body"
}
# hits LOG ROUTE STATUS - access lines of one node for ROUTE answered STATUS.
hits() {
    grep -c "access: $2 $3 " "$1"
}

# One short title, ingested beside the cluster (the CLI runs its own job).
ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x240:rate=25 -t 2 -c:v libx264 \
    -preset ultrafast -pix_fmt yuv420p "$TMP/clip.mp4" || fail "ffmpeg could not make the clip"

# One nginx worker: its round robin alternates strictly between the nodes.
LB_WORKERS=1 SVSERVER="$SVSERVER" sh "$CLUSTER" up "$CL" --nodes 2 --workers 0 \
    --log-level debug -- --rate-limit 0 >"$TMP/up.out" 2>"$TMP/up.err" ||
    { cat "$TMP/up.err" >&2; fail "cluster.sh up failed"; }
# shellcheck disable=SC1091 # written by cluster.sh up
. "$CL/env"
expect_eq "cluster.sh up prints the balancer's URL" "$(cat "$TMP/up.out")" "$SV_LB_URL"
ok "cluster: nodes $SV_NODE_URLS behind $SV_LB_URL"

title=$("$SVSERVER" ingest "$TMP/clip.mp4" --title Smoke --config "$SV_CONFIG" --ladder 240:300 \
    --segment-seconds 2 --preset ultrafast --log-level error 2>"$TMP/ingest.err" | tail -n 1)
[ -n "$title" ] || { cat "$TMP/ingest.err" >&2; fail "svserver ingest failed"; }
echo "pw-viewer-secret" >"$TMP/pw"
"$SVSERVER" user add viewer --password-file "$TMP/pw" --region FR --max-streams 2 \
    --config "$SV_CONFIG" >/dev/null 2>"$TMP/user.err" ||
    { cat "$TMP/user.err" >&2; fail "svserver user add failed"; }

# --- a session through the balancer, on both nodes -------------------------------
code=$(post /api/v1/auth/login '{"name":"viewer","password":"pw-viewer-secret"}')
expect_eq "login through the balancer" "$code" 200
TOKEN=$(field token)
code=$(post /api/v1/playback/start "{\"title_id\":$title,\"device_id\":\"tv\"}" "$TOKEN")
expect_eq "playback start through the balancer" "$code" 201
SID=$(field session_id)
MQ=$(field media_query)
NB_HB=6
i=0
while [ "$i" -lt "$NB_HB" ]; do
    i=$((i + 1))
    code=$(post /api/v1/playback/heartbeat "{\"session_id\":\"$SID\",\"position_s\":$i.5}" "$TOKEN")
    expect_eq "heartbeat $i through the balancer" "$code" 200
done
code=$(curl -s --max-time 10 -o /dev/null -w '%{http_code}' "$SV_LB_URL/media/$title/master.m3u8?$MQ")
expect_eq "master playlist through the balancer" "$code" 200

s1=$(hits "$SV_NODE_1_LOG" "POST /api/v1/playback/start" 201)
s2=$(hits "$SV_NODE_2_LOG" "POST /api/v1/playback/start" 201)
h1=$(hits "$SV_NODE_1_LOG" "POST /api/v1/playback/heartbeat" 200)
h2=$(hits "$SV_NODE_2_LOG" "POST /api/v1/playback/heartbeat" 200)
expect_eq "starts logged by the nodes (node 1 + node 2)" "$((s1 + s2))" 1
expect_eq "heartbeats logged by the nodes (node 1 + node 2)" "$((h1 + h2))" "$NB_HB"
[ "$h1" -ge 1 ] && [ "$h2" -ge 1 ] || fail "heartbeats did not reach both nodes (node 1: $h1, node 2: $h2)"
if [ "$s1" -eq 1 ]; then other=$h2; else other=$h1; fi
[ "$other" -ge 1 ] || fail "no heartbeat reached the node that did not start the session"
ok "the session was started on node $([ "$s1" -eq 1 ] && echo 1 || echo 2); heartbeats on node 1: $h1, node 2: $h2"

sleep 2 # the nodes' write-behind tick (1 s)
hb=$(sh "$PGSH" psql "$SV_PG_DIR" streamverse -q -At -c "SELECT heartbeats FROM sessions WHERE id = '$SID'")
expect_eq "heartbeats in the catalog (from both nodes)" "$hb" "$NB_HB"

code=$(post /api/v1/playback/stop "{\"session_id\":\"$SID\",\"position_s\":7.0}" "$TOKEN")
expect_eq "stop through the balancer" "$code" 200
# The node that did not take the stop may have the session in its
# write-behind cache; it learns of the stop from the catalog at a tick (1 s),
# so for a moment it may still answer 200 (docs/architecture.md). Within
# 4 s, two heartbeats in a row (one on each node: round robin) must be 410.
i=0
in_row=0
early=0
while [ "$in_row" -lt 2 ]; do
    i=$((i + 1))
    [ "$i" -le 16 ] || fail "heartbeats after the stop are still answered 200 after 4 s"
    code=$(post /api/v1/playback/heartbeat "{\"session_id\":\"$SID\",\"position_s\":7.5}" "$TOKEN")
    case "$code $(field code)" in
    "410 session_expired") in_row=$((in_row + 1)) ;;
    "200 ") in_row=0; early=$((early + 1)); sleep 0.25 ;;
    *) fail "a heartbeat after the stop answered $code $(cat "$TMP/body")" ;;
    esac
done
ok "heartbeats after the stop: 410 session_expired on both nodes ($early answered 200 before the other node's tick)"

# --- kill -9 of a node --------------------------------------------------------------
code=$(post /api/v1/playback/start "{\"title_id\":$title,\"device_id\":\"phone\"}" "$TOKEN")
expect_eq "a second session" "$code" 201
SID=$(field session_id)
# Idempotent GETs through the balancer all along, node 1 killed among them.
: >"$TMP/gets"
(
    i=0
    while [ "$i" -lt "$NB_GETS" ]; do
        i=$((i + 1))
        case $((i % 3)) in
        0) path=/api/v1/titles ;;
        1) path=/api/v1/titles/$title ;;
        2) path=/healthz ;;
        esac
        c=$(curl -s --max-time 10 -o /dev/null -w '%{http_code}' "$SV_LB_URL$path")
        echo "$c GET $path" >>"$TMP/gets"
        sleep 0.02
    done
) &
gets_pid=$!
i=0
until [ "$(wc -l <"$TMP/gets")" -ge $((NB_GETS / 4)) ]; do
    i=$((i + 1))
    [ "$i" -le 200 ] || fail "the GET loop does not progress"
    sleep 0.05
done
kill -9 "$SV_NODE_1_PID" || fail "cannot kill node 1"
while kill -0 "$SV_NODE_1_PID" 2>/dev/null; do sleep 0.05; done
ok "node 1 (pid $SV_NODE_1_PID) killed with SIGKILL after $(wc -l <"$TMP/gets") GETs"
wait "$gets_pid"
expect_eq "GETs answered" "$(wc -l <"$TMP/gets")" "$NB_GETS"
bad=$(grep -vc '^200 ' "$TMP/gets")
grep -v '^200 ' "$TMP/gets" >&2
expect_eq "failed GETs through the balancer, node 1 killed during them" "$bad" 0
i=0
while [ "$i" -lt 4 ]; do
    i=$((i + 1))
    code=$(post /api/v1/playback/heartbeat "{\"session_id\":\"$SID\",\"position_s\":$i.0}" "$TOKEN")
    expect_eq "heartbeat $i after the kill" "$code" 200
done
code=$(post /api/v1/auth/login '{"name":"viewer","password":"pw-viewer-secret"}')
expect_eq "login after the kill" "$code" 200
# Refused, reset or closed: whichever the first request to meet it saw.
grep "\[error\].*upstream: \"${SV_NODE_1_URL}/" "$CL/lb/error.log" >"$TMP/lb-errors" ||
    fail "the balancer's error log shows no failed request to node 1"
ok "the balancer met the dead node $(wc -l <"$TMP/lb-errors") time(s) and went on to the other ($(sed -n 's/.*\] [0-9#]*: \*[0-9]* \([^,]*\),.*/\1/p' "$TMP/lb-errors" | sort -u | tr '\n' ';'))"
st=0
sh "$CLUSTER" status "$CL" >"$TMP/status" || st=$?
grep -q "^node-1 .*DOWN" "$TMP/status" || { cat "$TMP/status" >&2; fail "status does not say node 1 is down"; }
expect_eq "cluster.sh status exit code with a node down" "$st" 1

# --- down leaves nothing --------------------------------------------------------------
pids="$SV_NODE_PIDS $SV_LB_PID $(cat "$SV_PG_DIR/data/postmaster.pid" | head -n 1)"
children=""
for p in $pids; do
    children="$children $(ps -o pid= --ppid "$p" 2>/dev/null | tr '\n' ' ')"
done
sh "$CLUSTER" down "$CL" || fail "cluster.sh down failed"
# alive PID - running, not a zombie waiting for init (our cluster's
# processes are init's children once cluster.sh has returned).
alive() {
    [ -r "/proc/$1/status" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null
}
left=""
for p in $pids $children; do
    ! alive "$p" || left="$left $p($(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | cut -c1-60))"
done
[ -z "$left" ] || fail "processes left after down:$left"
ok "no process left of$(echo " $pids $children" | tr -s ' ' | wc -w | sed 's/^/ /') (nodes, nginx, PostgreSQL and their children)"
[ ! -e "$CL" ] || fail "$CL is still there after down"
ok "cluster folder removed"
echo "PASS"
