#!/bin/sh
# TLS at the edge: nginx (backend/deploy/nginx-tls.conf via
# scripts/tls-edge.sh) terminates HTTPS with a certificate from a test CA
# made here, in front of an svserver that listens on loopback only. Checks:
# curl verifies the chain with --cacert (and refuses without it), HSTS on
# every answer, HTTP/2 negotiated, plain HTTP to the TLS port redirected to
# https, and the player's routes (titles list, a master playlist) served
# byte-exact through the proxy.
. "$SV_SOURCE_DIR/tests/backend/backendlib.sh"

EDGE="$SV_SOURCE_DIR/scripts/tls-edge.sh"
command -v openssl >/dev/null 2>&1 || fail "openssl is missing; run scripts/install-deps.sh"
TLS="$SV_TMP/tls"
# When run as root, nginx's workers are `nobody`: the prefix must be reachable.
chmod 755 "$SV_TMP"
trap '_s=$?; "$EDGE" stop "$TLS/edge"; (exit $_s); sv_cleanup' EXIT

"$EDGE" testca "$TLS" || fail "cannot make the test CA"
openssl verify -CAfile "$TLS/ca.pem" "$TLS/server.pem" >/dev/null || fail "the chain does not verify"
ok "test CA and server certificate"

mkdir -p "$SV_DATA/media/1"
printf '#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-STREAM-INF:BANDWIDTH=300000,RESOLUTION=426x240\nv240/playlist.m3u8\n' \
    >"$SV_DATA/media/1/master.m3u8"
sv_start
# The API listens on loopback only (the default listen address).
bound=$(ss -ltnH "sport = :$SV_PORT" | awk '{ print $4 }')
expect_eq "svserver's listening address" "$bound" "127.0.0.1:$SV_PORT"

HTTPS=$("$EDGE" start "$TLS/edge" "$SV_URL" "$TLS/server.pem" "$TLS/server.key") ||
    fail "nginx did not start"
TLS_PORT=${HTTPS##*:}

req code --cacert "$TLS/ca.pem" "$HTTPS/healthz"
expect_eq "healthz over https" "$code" 200
expect_eq "HSTS header" "$(header Strict-Transport-Security)" "max-age=63072000; includeSubDomains"
rc=0
curl -s --max-time 5 -o /dev/null "$HTTPS/healthz" || rc=$?
expect_eq "curl without the test CA (60: certificate not trusted)" "$rc" 60
v=$(curl -s --max-time 5 --cacert "$TLS/ca.pem" --http2 -o /dev/null -w '%{http_version}' \
    "$HTTPS/healthz")
expect_eq "HTTP version negotiated by ALPN" "$v" 2
v=$(curl -s --max-time 5 --cacert "$TLS/ca.pem" --http1.1 -o /dev/null -w '%{http_version}' \
    "$HTTPS/healthz")
expect_eq "HTTP/1.1 when asked" "$v" 1.1
curl -s --max-time 5 --cacert "$TLS/ca.pem" --resolve "localhost:$TLS_PORT:127.0.0.1" \
    -o /dev/null "https://localhost:$TLS_PORT/healthz" || fail "the DNS name in the certificate"
ok "certificate valid for localhost too"

# Plain HTTP to the TLS port: a redirect to https, never the API.
req code "http://127.0.0.1:$TLS_PORT/api/v1/titles"
expect_eq "plain http to the TLS port" "$code" 301
expect_eq "redirect target" "$(header Location)" "https://127.0.0.1:$TLS_PORT/api/v1/titles"

# The player's routes through the proxy.
catalog_sql "INSERT INTO titles (id, title, status, created) VALUES (1, 'Over TLS', 'ready', 0);" ||
    fail "cannot add a title"
req code --cacert "$TLS/ca.pem" "$HTTPS/api/v1/titles"
expect_eq "titles list over https" "$code $(json_get .items[0].title)" "200 Over TLS"
expect_eq "HSTS on the API" "$(header Strict-Transport-Security)" "max-age=63072000; includeSubDomains"
req code --cacert "$TLS/ca.pem" --http2 "$HTTPS/media/1/master.m3u8"
expect_eq "master playlist over https (HTTP/2)" "$code" 200
expect_eq "master playlist bytes" "$(cksum <"$SV_TMP/body")" "$(cksum <"$SV_DATA/media/1/master.m3u8")"
expect_contains "master playlist type" "$(header Content-Type)" "mpegurl"
grep -q "GET /media/1/master.m3u8" "$TLS/edge/access.log" || fail "nginx did not log the request"
ok "the request went through nginx"
