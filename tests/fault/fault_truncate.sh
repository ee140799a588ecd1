#!/bin/sh
# truncate_after closes cleanly after N bytes of a longer promised body:
# curl reports a partial file (18).
. "$SV_SOURCE_DIR/tests/fault/faultlib.sh"
fs_start --scenario "$FS_SCENARIOS/truncate.json"

fs_curl n -o "$FS_TMP/body" --max-time 5 -D "$FS_TMP/head" -w '%{size_download}' \
    "$FS_URL/video/seg-1.m4s"
expect_eq "curl exit (18: partial file)" "$FS_RC" 18
expect_eq "bytes received" "$n" 1000
expect_contains "headers" "$(tr -d '\r' <"$FS_TMP/head")" "Content-Length: 20000"
dd if="$FS_ROOT/video/seg-1.m4s" of="$FS_TMP/want" bs=1000 count=1 2>/dev/null
cmp -s "$FS_TMP/body" "$FS_TMP/want" || fail "the 1000 bytes are not the file's first 1000"
fs_wait_log 1
expect_contains "log" "$(fs_log)" '"bytes":1000,"rule":"truncate-1000","end":"truncated"'
