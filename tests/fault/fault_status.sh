#!/bin/sh
# A rule answers an error status with its body and headers; other paths are
# served from the root, and a missing file is a 404.
. "$SV_SOURCE_DIR/tests/fault/faultlib.sh"
fs_start --scenario "$FS_SCENARIOS/status.json"

fs_curl code -o "$FS_TMP/body" -D "$FS_TMP/head" -w '%{http_code}' "$FS_URL/dead/seg-1.m4s"
expect_eq "curl exit" "$FS_RC" 0
expect_eq "status of /dead/seg-1.m4s" "$code" 503
expect_eq "body" "$(cat "$FS_TMP/body")" "cdn is down"
expect_contains "headers" "$(tr -d '\r' <"$FS_TMP/head")" "Retry-After: 1"

# --fail turns an HTTP error into curl exit 22: the status really is an error.
fs_curl code --fail -o /dev/null -w '%{http_code}' "$FS_URL/gone.m3u8"
expect_eq "curl --fail exit for 410" "$FS_RC" 22
expect_eq "status of /gone.m3u8" "$code" 410

fs_curl code -o "$FS_TMP/body" -w '%{http_code}' "$FS_URL/master.m3u8"
expect_eq "status of an unmatched file" "$code" 200
cmp -s "$FS_TMP/body" "$FS_ROOT/master.m3u8" || fail "master.m3u8 body differs from the file"

fs_curl code -o /dev/null -w '%{http_code}' "$FS_URL/missing.m3u8"
expect_eq "status of a missing file" "$code" 404

fs_curl code -o /dev/null -w '%{http_code}' -X DELETE "$FS_URL/master.m3u8"
expect_eq "status of DELETE on a file" "$code" 405
