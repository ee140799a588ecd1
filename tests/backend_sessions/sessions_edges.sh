#!/bin/sh
# Two real nginx edges (scripts/edges.sh, backend/deploy/nginx-edge.conf) in
# front of svserver (media-auth=token, edge-secret set): the edge's
# secure_link refuses missing and forged hashes (403) and expired ones (410)
# itself; a valid URL is served (bytes equal the origin's file) and the
# second request is a cache HIT even with another token; a miss is still
# checked by the origin (HMAC token); a stopped edge leaves the other serving.
. "$SV_SOURCE_DIR/tests/backend/backendlib.sh"
. "$SV_SOURCE_DIR/tests/backend_sessions/sessionslib.sh"
command -v openssl >/dev/null 2>&1 || fail "openssl is missing; run scripts/install-deps.sh"
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] ||
    fail "nginx is missing; run scripts/install-deps.sh (nginx-light)"
EDGES="$SV_SOURCE_DIR/scripts/edges.sh"

# Stop the edges before backendlib's cleanup removes their folder.
trap '_st=$?; sh "$EDGES" stop "$SV_TMP/edges" >/dev/null 2>&1; (exit $_st); sv_cleanup' EXIT
# nginx workers of a root master run as nobody: let them into the folder.
chmod 755 "$SV_TMP"

t1=$(make_title "Alpha")
add_user alice FR 2
sv_start --token-secret "$SECRET" --media-auth token --edge-secret "$EDGE_SECRET" --workers 1
CDNS=$(sh "$EDGES" start "$SV_TMP/edges" "$SV_URL" "$EDGE_SECRET" 2) || fail "edges.sh start failed"
E1=$(echo "$CDNS" | sed 's/^edge1=\([^,]*\),.*/\1/')
E2=$(echo "$CDNS" | sed 's/.*,edge2=//')
expect_contains "edges.sh prints the cdns setting" "$CDNS" "edge1=http://127.0.0.1:"
req code "$E1/edge-health"
expect_eq "edge1 answers" "$code" 200

login alice
start "$t1" tv
expect_eq "start" "$code" 201
expect_contains "media query with the edge token" "$MQ" "&md5="
expect_contains "media query expiry" "$MQ" "&expires="

SEG="/media/$t1/video/240p/seg-1.m4s"
want=$(openssl dgst -sha256 <"$SV_DATA$SEG" | sed 's/.*= //')
req code "$E1$SEG?$MQ"
expect_eq "valid URL through edge1" "$code $(header X-Cache-Status)" "200 MISS"
expect_eq "bytes through the edge" "$(openssl dgst -sha256 <"$SV_TMP/body" | sed 's/.*= //')" "$want"

# edge_query EXPIRES [SECRET]: md5/expires made here with openssl.
edge_query() {
    _h=$(printf '%s/media/%s/ %s' "$1" "$t1" "${2:-$EDGE_SECRET}" | openssl md5 -binary |
        openssl base64 -A | tr '+/' '-_' | tr -d '=')
    printf 'md5=%s&expires=%s' "$_h" "$1"
}
now=$(date +%s)
hmac=${MQ%%&*}
req code "$E1$SEG?$hmac&$(edge_query $((now + 500)))"
expect_eq "another token: a cache HIT" "$code $(header X-Cache-Status)" "200 HIT"
expect_eq "the HIT's bytes" "$(openssl dgst -sha256 <"$SV_TMP/body" | sed 's/.*= //')" "$want"
req code "$E1$SEG?$hmac&$(edge_query $((now + 500)) wrong-secret-0123456789)"
expect_eq "forged hash" "$code" 403
req code "$E1$SEG?$hmac&$(edge_query $((now - 10)))"
expect_eq "expired hash" "$code" 410
req code "$E1$SEG?$hmac"
expect_eq "no edge token" "$code" 403
req code "$E1/media/9/video/240p/seg-1.m4s?$MQ"
expect_eq "the hash of another title" "$code" 403
# A miss goes to the origin, which checks the HMAC token too.
req code "$E1/media/$t1/video/240p/seg-2.m4s?$(edge_query $((now + 500)))"
expect_eq "valid edge hash, no HMAC token: the origin refuses" "$code $(error_code)" \
    "403 token_required"

# edge2 caches on its own; with edge1 stopped it still serves.
sh "$EDGES" stop "$SV_TMP/edges" edge1
rc=0
curl -s -o /dev/null --max-time 5 "$E1/edge-health" || rc=$?
[ "$rc" -ne 0 ] || fail "edge1 still answers after stop"
ok "edge1 stopped"
req code "$E2$SEG?$MQ"
expect_eq "edge2 serves" "$code $(header X-Cache-Status)" "200 MISS"
req code "$E2$SEG?$MQ"
expect_eq "edge2 caches" "$code $(header X-Cache-Status)" "200 HIT"
expect_eq "edges.sh list" "$(sh "$EDGES" list "$SV_TMP/edges" | cut -d' ' -f1)" edge2
exit 0
