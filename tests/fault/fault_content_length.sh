#!/bin/sh
# A lying Content-Length: promising more than is sent is a partial file (18);
# promising fewer makes curl stop at the advertised length.
. "$SV_SOURCE_DIR/tests/fault/faultlib.sh"
fs_start --scenario "$FS_SCENARIOS/content_length.json"

fs_curl n -o /dev/null --max-time 5 -D "$FS_TMP/head1" -w '%{size_download}' \
    "$FS_URL/video/seg-1.m4s"
expect_eq "curl exit when 100 bytes more are promised" "$FS_RC" 18
expect_eq "bytes received" "$n" 20000
expect_contains "headers" "$(tr -d '\r' <"$FS_TMP/head1")" "Content-Length: 20100"

fs_curl n -o "$FS_TMP/body" --max-time 5 -D "$FS_TMP/head2" -w '%{size_download}' \
    "$FS_URL/video/seg-2.m4s"
expect_eq "curl exit when 100 bytes fewer are promised" "$FS_RC" 0
expect_contains "headers" "$(tr -d '\r' <"$FS_TMP/head2")" "Content-Length: 19900"
expect_eq "bytes received (the advertised length)" "$n" 19900
expect_eq "body file size" "$(wc -c <"$FS_TMP/body" | tr -d ' ')" 19900

fs_curl n -o /dev/null --max-time 5 -w '%{size_download}' "$FS_URL/data.bin"
expect_eq "curl exit for content_length 10" "$FS_RC" 0
expect_eq "bytes received" "$n" 10

fs_wait_log 3
fs_log >"$FS_TMP/log"
expect_contains "log 1" "$(sed -n 1p "$FS_TMP/log")" '"bytes":20000,"rule":"cl-more","end":"truncated"'
expect_contains "log 2" "$(sed -n 2p "$FS_TMP/log")" '"bytes":20000,"rule":"cl-less","end":"complete"'
expect_contains "log 3" "$(sed -n 3p "$FS_TMP/log")" '"rule":"cl-ten"'
