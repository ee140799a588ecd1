#!/bin/sh
# The control endpoint: PUT /_fault/rules swaps the rules at run time (a CDN
# goes dead mid-playback), bad rules are refused and the old ones kept,
# POST /_fault/reset clears the log.
. "$SV_SOURCE_DIR/tests/fault/faultlib.sh"
fs_start

fs_curl c -o /dev/null -w '%{http_code}' "$FS_URL/video/seg-1.m4s"
expect_eq "status before the CDN dies" "$c" 200

fs_control PUT /_fault/rules '{"rules":[{"name":"cdn-dead","match":"*","status":503}]}'
expect_eq "PUT /_fault/rules" "$FS_CODE $FS_BODY" '200 {"ok":true}'
fs_curl c -o /dev/null -w '%{http_code}' "$FS_URL/video/seg-2.m4s"
expect_eq "status after the CDN died" "$c" 503

fs_control PUT /_fault/rules '{"rules":[{"match":"*","status":503,'
expect_eq "PUT of broken JSON" "$FS_CODE" 400
expect_contains "PUT of broken JSON" "$FS_BODY" '{"error":"line 1, column'
fs_control PUT /_fault/rules '[{"match":"*","delay":5}]'
expect_eq "PUT with an unknown key" "$FS_CODE $FS_BODY" \
    '400 {"error":"rules[0]: unknown key \"delay\""}'
fs_curl c -o /dev/null -w '%{http_code}' "$FS_URL/video/seg-2.m4s"
expect_eq "status after refused updates (old rules kept)" "$c" 503

fs_control PUT /_fault/rules '[]'
expect_eq "PUT of no rules" "$FS_CODE $FS_BODY" '200 {"ok":true}'
fs_curl c -o /dev/null -w '%{http_code}' "$FS_URL/video/seg-2.m4s"
expect_eq "status after the CDN came back" "$c" 200
expect_eq "statuses and rules in the log" \
    "$(fs_log | sed 's/.*"status":\([0-9]*\),.*"rule":\([^,]*\),.*/\1 \2/' | tr '\n' ' ')" \
    '200 null 503 "cdn-dead" 503 "cdn-dead" 200 null '

fs_control POST /_fault/reset
expect_eq "POST /_fault/reset" "$FS_CODE $FS_BODY" '200 {"ok":true}'
expect_eq "log after reset" "$(curl -s "$FS_URL/_fault/log")" ""
expect_eq "log file after reset" "$(cat "$FS_LOG")" ""

fs_control PUT /_fault/log
expect_eq "PUT /_fault/log" "$FS_CODE $FS_BODY" '405 {"error":"/_fault/log takes GET only"}'
fs_control GET /_fault/nothing
expect_eq "unknown control path" "$FS_CODE" 404
fs_control GET /_fault/check
expect_eq "check without expectations" "$FS_CODE $FS_BODY" \
    '404 {"error":"the scenario has no \"expect\" list"}'
expect_eq "control requests are not logged" "$(curl -s "$FS_URL/_fault/log")" ""
