#!/bin/sh
# Content steering end to end: svserver with three real nginx edges as its
# CDNs (steering TTL 2 s) and svplay --server playing a session. The
# session's manifest names the edges (DASH serviceLocation BaseURLs, HLS
# PATHWAY-ID variants) and the steering server; the player starts on the
# first edge. The operator then changes PATHWAY-PRIORITY (PUT
# /api/v1/steering): the player's next segments come from the new first
# edge within TTL plus one segment duration (2 s + 2 s), for DASH and HLS,
# with no rebuffer.
. "$SV_SOURCE_DIR/tests/backend/backendlib.sh"
. "$SV_SOURCE_DIR/tests/backend_sessions/sessionslib.sh"
. "$SV_SOURCE_DIR/tests/player_cdn/cdnlib.sh"
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] ||
    fail "nginx is missing; run scripts/install-deps.sh (nginx-light)"
EDGES="$SV_SOURCE_DIR/scripts/edges.sh"
TTL=2
SEG=2
PLAY_CLEANUP_EXTRA='sh "$EDGES" stop "$SV_TMP/edges" >/dev/null 2>&1'
chmod 755 "$SV_TMP"

id=$(cdn_title 60)
add_user alice FR 2
# The edges need the origin's port, the origin needs the edges' list.
sv_start --workers 1
port=$SV_PORT
CDNS=$(sh "$EDGES" start "$SV_TMP/edges" "$SV_URL" "$EDGE_SECRET" 3) || fail "edges.sh start failed"
sv_stop || fail "svserver did not stop cleanly"
sv_start --listen "127.0.0.1:$port" --token-secret "$SECRET" --media-auth token \
    --edge-secret "$EDGE_SECRET" --cdns "$CDNS" --steering-ttl "$TTL" --workers 1
expect_eq "svserver back on the edges' origin port" "$SV_PORT" "$port"

# Video segments an edge has served so far.
served() {
    awk '$9 == 200 && $7 ~ /\/video\/.*\/seg-[0-9]+\.m4s/ { n++ } END { print n + 0 }' \
        "$SV_TMP/edges/$1/access.log" 2>/dev/null || echo 0
}
steer() {
    sv_operator
    req code -X PUT -H "$OP_AUTH" -H 'Content-Type: application/json' -d "{\"priority\":$1}" \
        "$SV_URL/api/v1/steering"
    [ "$code" = 200 ] || fail "PUT /api/v1/steering $1: $code $(cat "$SV_TMP/body")"
}
# moved_to EDGE COUNT - the edge served more than COUNT video segments.
moved_to() {
    [ "$(served "$1")" -gt "$2" ]
}

# run KIND FIRST NEXT ORDER [svplay options]: plays, then steers to NEXT.
run() {
    kind=$1 first=$2 next=$3 order=$4
    shift 4
    play_start --server "$SV_URL" --user alice --password-file "$SV_TMP/pw-alice" --from-start \
        --device "steer-$kind" "$@" "$id"
    wait_for 15 moved_to "$first" 2 || { dump_play; fail "$kind: no segments from $first"; }
    sleep 4 # a few segments in, the buffer well above 10 s
    before=$(served "$next")
    steer "$order"
    t_put=$(play_elapsed)
    wait_for 15 moved_to "$next" "$before" ||
        { dump_play; fail "$kind: no segment from $next after the priority change"; }
    t_moved=$(play_elapsed)
    took=$(awk -v a="$t_put" -v b="$t_moved" 'BEGIN { printf "%.1f", b - a }')
    echo "$kind: PATHWAY-PRIORITY $order at ${t_put} s, first segment from $next ${took} s later"
    awk -v a="$took" -v b=$((TTL + SEG + 1)) 'BEGIN { exit !(a + 0 > b + 0) }' && dump_play
    expect_le "$kind: move to $next (s after the change)" "$took" $((TTL + SEG + 1))
    kill -INT "$PLAY_PID"
    play_wait 10
    expect_eq "$kind: svplay exit status" "$PLAY_RC" 0
    expect_eq "$kind: rebuffers" "$(stat .rebuffer_count)" 0
    to=$(stat ".cdn_changes[$(($(count_records .cdn_changes) - 1))].to")
    reason=$(stat ".cdn_changes[$(($(count_records .cdn_changes) - 1))].reason")
    expect_eq "$kind: last CDN change" "$to $reason" "$next priority"
}

run dash edge1 edge3 '["edge3","edge1","edge2"]'
steer '["edge1","edge2","edge3"]'
run hls edge1 edge2 '["edge2","edge3","edge1"]' --hls
