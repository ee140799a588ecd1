#!/bin/sh
# reset_after sends a TCP RST after N body bytes: curl fails with 56.
. "$SV_SOURCE_DIR/tests/fault/faultlib.sh"
fs_start --scenario "$FS_SCENARIOS/reset.json"

fs_curl n -o /dev/null --max-time 5 -w '%{size_download}' "$FS_URL/video/seg-1.m4s"
expect_eq "curl exit (56: recv failure)" "$FS_RC" 56
expect_le "bytes received" "$n" 1000
fs_wait_log 1
expect_contains "log" "$(fs_log | sed -n 1p)" '"bytes":1000,"rule":"reset-1000","end":"reset"'

fs_curl n -o /dev/null --max-time 5 -w '%{size_download}' "$FS_URL/video/seg-2.m4s"
expect_eq "curl exit for a reset before the body" "$FS_RC" 56
fs_wait_log 2
expect_contains "log" "$(fs_log | sed -n 2p)" '"bytes":0,"rule":"reset-0","end":"reset"'
