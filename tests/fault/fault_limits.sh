#!/bin/sh
# Bounded input: request heads over 16 KiB get 431, control bodies over
# 1 MiB get 413, unparsable requests 400; a request just under the limit is
# served.
. "$SV_SOURCE_DIR/tests/fault/faultlib.sh"
fs_start

big=$(awk 'BEGIN { while (i++ < 17000) printf "a" }')
fs_curl c -o /dev/null -H "X-Big: $big" -w '%{http_code}' "$FS_URL/master.m3u8"
expect_eq "status for a 17 KB header" "$c" 431

fine=$(awk 'BEGIN { while (i++ < 15000) printf "a" }')
fs_curl c -o /dev/null -H "X-Fine: $fine" -w '%{http_code}' "$FS_URL/master.m3u8"
expect_eq "status for a 15 KB header" "$c" 200

awk 'BEGIN { printf "["; while (i++ < 1100000) printf " "; printf "]" }' >"$FS_TMP/huge.json"
fs_curl c -o /dev/null -X PUT --data-binary @"$FS_TMP/huge.json" -w '%{http_code}' \
    "$FS_URL/_fault/rules"
expect_eq "status for a 1.1 MB rules body" "$c" 413

# http-parser knows no method FOO: a request it cannot parse is a 400.
fs_curl c -o /dev/null -X FOO -w '%{http_code}' "$FS_URL/master.m3u8"
expect_eq "status for an unparsable request" "$c" 400
expect_contains "log" "$(fs_log)" '"status":431'
