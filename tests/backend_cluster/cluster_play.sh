#!/bin/sh
# Faults end to end while svplay plays through the balancer (issue 14):
# scripts/cluster.sh with PostgreSQL, three API nodes and nginx; svplay
# --server plays a 24 s title headless in real time for PLAY_S (20) seconds of
# media as a playback session (heartbeat interval 2 s), while
#   - at 4 s the node that answered the start is killed with SIGKILL;
#   - at 8 s PostgreSQL stops for OUTAGE_S (10) seconds: /api/ through the
#     balancer answers 503 with a JSON error within 5 s, /healthz says why,
#     and then everything answers again without restarting a node.
# svplay must play to the end with 0 rebuffers and 0 dropped frames, its
# heartbeats must go on through both faults (answered by the nodes that hold
# the session, written to the catalog when it is back: the session's count
# matches the 200s in the nodes' logs), and its stop must find the session.
# (kill -9 of a worker mid-transcode: tests/backend_workers.)
. "$SV_SOURCE_DIR/tests/backend_cluster/clusterlib.sh"
SVPLAY="$SV_BUILD_DIR/apps/svplay/svplay"
OUTAGE_S=${OUTAGE_S:-10}
PLAY_S=${PLAY_S:-20}

[ -x "$SVPLAY" ] || fail "$SVPLAY not built"
PLAY_PID=""
CLUSTER_CLEANUP='[ -z "$PLAY_PID" ] || kill "$PLAY_PID" 2>/dev/null'
RAWCLIENT="$SV_BUILD_DIR/tests/backend/sv-backend-rawclient"
# json FILE PATH - a value of a JSON document (jansson, through the test
# client: .error.code, .rebuffer_count ...).
json() {
    "$RAWCLIENT" json "$1" "$2"
}
# at S - sleeps until S seconds after svplay started.
at() {
    _now=$(awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
    _d=$(awk -v s="$1" -v n="$_now" 'BEGIN { d = s - n; printf "%.2f", (d > 0 ? d : 0) }')
    sleep "$_d"
}
since() {
    awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'
}
# hb STATUS - heartbeats answered STATUS, all nodes' logs together.
hb() {
    cat "$CL"/logs/node-*.log | grep -c "access: POST /api/v1/playback/heartbeat $1 "
}

ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x240:rate=25 \
    -f lavfi -i sine=frequency=440:sample_rate=48000 -t $((PLAY_S + 4)) -c:v libx264 -preset ultrafast \
    -pix_fmt yuv420p -c:a aac -shortest "$TMP/clip.mp4" || fail "ffmpeg could not make the clip"

SVSERVER="$SVSERVER" sh "$CLUSTER" up "$CL" --nodes 3 --workers 0 --log-level debug -- \
    --rate-limit 0 --heartbeat-interval 2 >"$TMP/up.out" 2>"$TMP/up.err" ||
    { cat "$TMP/up.err" >&2; fail "cluster.sh up failed"; }
# shellcheck disable=SC1091 # written by cluster.sh up
. "$CL/env"
title=$("$SVSERVER" ingest "$TMP/clip.mp4" --title "Through the balancer" --config "$SV_CONFIG" \
    --ladder 240:300,180:150 --segment-seconds 2 --preset ultrafast --log-level error \
    2>"$TMP/ingest.err" | tail -n 1)
[ -n "$title" ] || { cat "$TMP/ingest.err" >&2; fail "svserver ingest failed"; }
echo "pw-viewer-secret" >"$TMP/pw"
"$SVSERVER" user add viewer --password-file "$TMP/pw" --region FR --max-streams 1 \
    --config "$SV_CONFIG" >/dev/null 2>"$TMP/user.err" ||
    { cat "$TMP/user.err" >&2; fail "svserver user add failed"; }
ok "cluster: nodes $SV_NODE_URLS behind $SV_LB_URL; title $title"

T0=$(date +%s.%N)
"$SVPLAY" --headless --server "$SV_LB_URL" --user viewer --password-file "$TMP/pw" \
    --frames $((PLAY_S * 25)) --stats "$TMP/stats.json" "$title" >"$TMP/play.out" 2>"$TMP/play.err" &
PLAY_PID=$!

# --- kill -9 of the node that started the session -------------------------------
at 4
node=""
k=1
while [ "$k" -le "$SV_NODES" ]; do
    eval "log=\$SV_NODE_${k}_LOG pid=\$SV_NODE_${k}_PID"
    grep -q "access: POST /api/v1/playback/start 201" "$log" && node=$k && npid=$pid
    k=$((k + 1))
done
[ -n "$node" ] || fail "no node logged the playback start"
kill -9 "$npid" || fail "cannot kill node $node"
ok "node $node (it answered the start) killed at $(since) s; heartbeats so far: $(hb 200)"

# --- PostgreSQL stopped for OUTAGE_S seconds ---------------------------------------
at 8
hb_before=$(hb 200)
sh "$PGSH" pause "$SV_PG_DIR" >/dev/null || fail "cannot stop PostgreSQL"
ok "PostgreSQL stopped at $(since) s"
t=$(date +%s.%N)
code=$(curl -s -m 6 -o "$TMP/body" -w '%{http_code}' "$SV_LB_URL/api/v1/titles")
t=$(awk -v a="$t" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
expect_eq "titles through the balancer meanwhile" "$code $(json "$TMP/body" .error.code)" \
    "503 catalog_unavailable"
awk -v t="$t" 'BEGIN { exit !(t < 5) }' || fail "the 503 took $t s"
ok "answered in $t s"
code=$(curl -s -m 6 -o "$TMP/body" -w '%{http_code}' "$SV_LB_URL/healthz")
expect_eq "healthz through the balancer" "$code $(json "$TMP/body" .status)" "503 unhealthy"
ok "healthz says: $(json "$TMP/body" .catalog.error)"
at $((8 + OUTAGE_S))
hb_outage=$(($(hb 200) - hb_before))
sh "$PGSH" resume "$SV_PG_DIR" >/dev/null || fail "cannot start PostgreSQL again"
ok "PostgreSQL back at $(since) s; heartbeats answered 200 during the outage: $hb_outage, 503: $(hb 503)"
[ "$hb_outage" -ge $((OUTAGE_S / 2 - 2)) ] ||
    fail "only $hb_outage heartbeats answered in a $OUTAGE_S s outage (one every 2 s expected)"
i=0
until [ "$(curl -s -o /dev/null -w '%{http_code}' "$SV_LB_URL/api/v1/titles")" = 200 ]; do
    i=$((i + 1))
    [ $i -le 50 ] || fail "the API did not answer 200 within 10 s of the database's return"
    sleep 0.2
done
ok "the API answers again $(since) s after the start, no node restarted"

# --- the playback ----------------------------------------------------------------
rc=0
wait "$PLAY_PID" || rc=$?
PLAY_PID=""
expect_eq "svplay exit status" "$rc" 0
expect_eq "rebuffers, dropped frames" \
    "$(json "$TMP/stats.json" .rebuffer_count) $(json "$TMP/stats.json" .dropped_frames)" "0 0"
played=$(json "$TMP/stats.json" .played_s)
awk -v p="$played" -v s="$PLAY_S" 'BEGIN { exit !(p >= s - 0.1) }' || fail "played $played s of $PLAY_S"
ok "played $played s in real time"
drift=$(json "$TMP/stats.json" .max_av_drift_s)
awk -v d="$drift" 'BEGIN { exit !(d < 0.1) }' || fail "A/V drift $drift s"
ok "A/V drift at most $drift s"
stops=$(cat "$CL"/logs/node-*.log | grep -c "access: POST /api/v1/playback/stop 200 ")
expect_eq "svplay's stop found the session" "$stops" 1
sleep 1.5 # the nodes' write-behind tick
sid=$(sh "$PGSH" psql "$SV_PG_DIR" streamverse -q -At -c "SELECT id FROM sessions")
row=$(sh "$PGSH" psql "$SV_PG_DIR" streamverse -q -At -F ' ' -c \
    "SELECT end_reason, heartbeats FROM sessions WHERE id = '$sid'")
n200=$(hb 200)
expect_eq "the one session's end" "${row% *}" stopped
# Every heartbeat answered 200 is in the catalog, but for what a node held
# unwritten for less than a tick (1 s) when it was killed, or when another
# node wrote the stop: at most one of each here (one every 2 s).
lost=$((n200 - ${row#* }))
[ "$lost" -ge 0 ] && [ "$lost" -le 2 ] ||
    fail "heartbeats answered 200: $n200, in the catalog: ${row#* }"
ok "heartbeats: $n200 answered 200 across the node's death and the outage, ${row#* } in the catalog ($lost within a tick of the kill or the stop)"
echo "PASS"
