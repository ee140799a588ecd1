#!/bin/sh
# A scenario as data: example-cdn.json names its root (relative to itself),
# its faults and the requests a correct client makes; /_fault/check compares.
. "$SV_SOURCE_DIR/tests/fault/faultlib.sh"
# No --root: the scenario's own "root" is served. (fs_start always passes
# --root, so start by hand.)
"$FS_BIN" --scenario "$FS_SCENARIOS/example-cdn.json" --port-file "$FS_TMP/port" \
    2>"$FS_TMP/server.err" &
FS_PID=$!
i=0
while [ ! -s "$FS_TMP/port" ]; do
    i=$((i + 1))
    [ "$i" -le 100 ] && kill -0 "$FS_PID" 2>/dev/null || fail "sv-faultsrv did not start"
    sleep 0.05
done
FS_URL="http://127.0.0.1:$(cat "$FS_TMP/port")"

# One curl run, four transfers, each with its own -o.
fs_curl c -o /dev/null -o /dev/null -o /dev/null -o /dev/null -w '%{http_code} ' \
    "$FS_URL/master.m3u8" "$FS_URL/video/seg-1.m4s" "$FS_URL/video/seg-2.m4s" \
    "$FS_URL/video/seg-2.m4s"
expect_eq "statuses" "$c" "200 200 503 200 "
fs_control GET /_fault/check
expect_eq "check after the expected requests" "$FS_CODE $FS_BODY" '200 {"ok":true}'

curl -s -o /dev/null "$FS_URL/video/seg-1.m4s"
fs_control GET /_fault/check
expect_eq "check status after an extra request" "$FS_CODE" 409
expect_contains "check after an extra request" "$FS_BODY" 'request 4: not expected: {'

curl -s -X POST -o /dev/null "$FS_URL/_fault/reset"
curl -s -o /dev/null -o /dev/null "$FS_URL/master.m3u8" "$FS_URL/video/seg-2.m4s"
fs_control GET /_fault/check
expect_eq "check after a wrong order" "$FS_CODE $FS_BODY" \
    '409 {"error":"request 1: path is \"/video/seg-2.m4s\", expected \"/video/seg-1.m4s\""}'
