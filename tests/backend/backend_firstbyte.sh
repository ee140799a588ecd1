#!/bin/sh
# No byte crashes the server. Every first byte 0-255 of a request (followed
# by the rest of a request line that is not valid either), the same bytes as
# the second request of a kept-alive connection, a TLS ClientHello and
# curl speaking https to the plain port: each gets a 400 or a close, and the
# server stays up and healthy throughout.
. "$SV_SOURCE_DIR/tests/backend/backendlib.sh"

sv_start

# A status list from the raw client ends in "closed" or "open"; a refusal is
# a 400 (or a plain close) and never leaves the connection open.
refused() {
    case "$1" in
        "400 closed" | "closed") return 0 ;;
        *) return 1 ;;
    esac
}

rest=$(printf 'XYZ / HTTP/1.1\r\nHost: a\r\n\r\n' | od -An -tx1 | tr -d ' \n')
first=$(printf 'GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n' | od -An -tx1 | tr -d ' \n')
b=0
while [ $b -le 255 ]; do
    hex=$(printf '%02x' $b)
    got=$("$RAWCLIENT" bytes "$SV_PORT" "$hex$rest" | tr '\n' ' ' | sed 's/ $//')
    refused "$got" || fail "first byte 0x$hex: got '$got', expected a 400 or a close"
    got=$("$RAWCLIENT" bytes "$SV_PORT" "$first$hex$rest" 2 | tr '\n' ' ' | sed 's/ $//')
    case "$got" in
        "200 400 closed" | "200 closed") ;;
        *) fail "second request starting with 0x$hex: got '$got', expected 200 then a 400 or a close" ;;
    esac
    kill -0 "$SV_PID" 2>/dev/null || fail "svserver died on byte 0x$hex"
    b=$((b + 1))
done
ok "every first byte 0-255, first and second request on a connection: 400 or close"

# A TLS 1.3 ClientHello (what `curl https://` sends first).
hello=16030100c4010000c00303$(printf '%064d' 0)000004130113020100009300000000000e000c0000096c6f63616c686f7374
got=$("$RAWCLIENT" bytes "$SV_PORT" "$hello" | tr '\n' ' ' | sed 's/ $//')
refused "$got" || fail "TLS ClientHello: got '$got'"
ok "TLS ClientHello refused: $got"
if curl -sk --max-time 5 "https://127.0.0.1:$SV_PORT/healthz" >/dev/null 2>&1; then
    fail "curl https to the plain port succeeded"
fi
ok "curl https to the plain port fails on the client side"

kill -0 "$SV_PID" 2>/dev/null || fail "svserver died"
req code "$SV_URL/healthz"
expect_eq "healthy after 514 refused requests" "$code" 200
grep -q 'AddressSanitizer\|runtime error' "$SV_TMP/server.err" && fail "sanitizer report"
ok "no sanitizer report"
