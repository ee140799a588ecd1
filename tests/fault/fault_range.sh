#!/bin/sh
# Byte ranges: a-b, a- and -n answer 206 with Content-Range and exactly those
# bytes; a range past the end is 416; a malformed one is ignored (200).
. "$SV_SOURCE_DIR/tests/fault/faultlib.sh"
fs_start

# range_case RANGE STATUS CONTENT-RANGE SKIP COUNT
range_case() {
    fs_curl code -o "$FS_TMP/body" -D "$FS_TMP/head" -H "Range: bytes=$1" -w '%{http_code}' \
        "$FS_URL/data.bin"
    expect_eq "status for bytes=$1" "$code" "$2"
    expect_contains "headers for bytes=$1" "$(tr -d '\r' <"$FS_TMP/head")" "Content-Range: $3"
    dd if="$FS_ROOT/data.bin" of="$FS_TMP/want" bs=1 skip="$4" count="$5" 2>/dev/null
    cmp -s "$FS_TMP/body" "$FS_TMP/want" || fail "body for bytes=$1 is not bytes $4..+$5 of the file"
}

range_case 0-9 206 "bytes 0-9/20000" 0 10
range_case 10005-10014 206 "bytes 10005-10014/20000" 10005 10
range_case 19990- 206 "bytes 19990-19999/20000" 19990 10
range_case -10 206 "bytes 19990-19999/20000" 19990 10
range_case 19995-30000 206 "bytes 19995-19999/20000" 19995 5

fs_curl code -o /dev/null -D "$FS_TMP/head" -H "Range: bytes=20000-" -w '%{http_code}' \
    "$FS_URL/data.bin"
expect_eq "status for a range past the end" "$code" 416
expect_contains "headers for a range past the end" "$(tr -d '\r' <"$FS_TMP/head")" \
    "Content-Range: bytes */20000"

fs_curl code -o /dev/null -H "Range: bytes=-0" -w '%{http_code}' "$FS_URL/data.bin"
expect_eq "status for bytes=-0" "$code" 416

fs_curl code -o /dev/null -H "Range: bytes=9-2" -w '%{http_code} %{size_download}' \
    "$FS_URL/data.bin"
expect_eq "status and size for a malformed range" "$code" "200 20000"

expect_contains "log" "$(fs_log | sed -n 1p)" '"range":"bytes=0-9","status":206,"bytes":10'
