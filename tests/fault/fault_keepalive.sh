#!/bin/sh
# Keep-alive: two URLs in one curl run share one connection; when the client
# asks to close, the server does.
. "$SV_SOURCE_DIR/tests/fault/faultlib.sh"
fs_start

fs_curl n -o /dev/null -o /dev/null -w '%{num_connects}\n' "$FS_URL/master.m3u8" "$FS_URL/data.bin"
expect_eq "curl exit" "$FS_RC" 0
expect_eq "connections made for two requests" "$(echo "$n" | awk '{ s += $1 } END { print s }')" 1
expect_eq "log connection numbers" "$(fs_log | sed 's/.*"conn":\([0-9]*\),.*/\1/' | tr '\n' ' ')" "1 1 "

fs_curl n -H 'Connection: close' -o /dev/null -o /dev/null -w '%{num_connects}\n' \
    "$FS_URL/master.m3u8" "$FS_URL/data.bin"
expect_eq "connections made with Connection: close" \
    "$(echo "$n" | awk '{ s += $1 } END { print s }')" 2
