#!/bin/sh
# stall stops the body after N bytes: forever (the client must give up, and
# the log says "stalled"), or for a while (the transfer then completes).
. "$SV_SOURCE_DIR/tests/fault/faultlib.sh"
fs_start --scenario "$FS_SCENARIOS/stall.json"

fs_curl n -o /dev/null --max-time 1 -w '%{size_download}' "$FS_URL/video/seg-1.m4s"
expect_eq "curl exit with --max-time (28: timeout)" "$FS_RC" 28
expect_eq "bytes received before the stall" "$n" 1000
fs_wait_log 1
expect_eq "log" "$(fs_log | sed -n 1p)" \
    '{"conn":1,"method":"GET","path":"/video/seg-1.m4s","query":null,"range":null,"status":200,"bytes":1000,"rule":"stall-forever","end":"stalled"}'

# A low-speed limit catches the stall as well.
fs_curl n -o /dev/null --speed-limit 1000 --speed-time 1 --max-time 10 -w '%{size_download}' \
    "$FS_URL/video/seg-1.m4s"
expect_eq "curl exit with --speed-limit (28: too slow)" "$FS_RC" 28
expect_eq "bytes received before the stall" "$n" 1000
fs_wait_log 2

fs_curl t -o "$FS_TMP/body" --max-time 5 -w '%{time_total}' "$FS_URL/video/seg-2.m4s"
expect_eq "curl exit after a 300 ms stall" "$FS_RC" 0
expect_ge "total time (s)" "$t" 0.3
cmp -s "$FS_TMP/body" "$FS_ROOT/video/seg-2.m4s" || fail "body after the stall differs"
fs_wait_log 3
expect_contains "log" "$(fs_log | sed -n 3p)" '"bytes":20000,"rule":"stall-300ms","end":"complete"'
