#!/bin/sh
# HEAD answers the GET headers without a body; Content-Type follows the
# file extension.
. "$SV_SOURCE_DIR/tests/fault/faultlib.sh"
fs_make_root
for ext in m3u8 mpd mp4 m4s m4a m4v ts json vtt txt html js bin; do
    printf 'x' >"$FS_ROOT/file.$ext"
done
fs_start

fs_curl n -I -o "$FS_TMP/head" -w '%{http_code} %{size_download}' "$FS_URL/data.bin"
expect_eq "HEAD status and body bytes" "$n" "200 0"
expect_contains "HEAD headers" "$(tr -d '\r' <"$FS_TMP/head")" "Content-Length: 20000"
expect_contains "HEAD headers" "$(tr -d '\r' <"$FS_TMP/head")" "Accept-Ranges: bytes"
fs_curl n -I -o /dev/null -w '%{http_code}' "$FS_URL/missing.ts"
expect_eq "HEAD of a missing file" "$n" 404
expect_contains "log" "$(fs_log | sed -n 1p)" '"method":"HEAD","path":"/data.bin"'
expect_contains "log" "$(fs_log | sed -n 1p)" '"status":200,"bytes":0'

for pair in m3u8=application/vnd.apple.mpegurl mpd=application/dash+xml mp4=video/mp4 \
            m4s=video/iso.segment m4a=audio/mp4 m4v=video/mp4 ts=video/mp2t \
            json=application/json vtt=text/vtt "txt=text/plain; charset=utf-8" \
            "html=text/html; charset=utf-8" js=text/javascript bin=application/octet-stream; do
    ext=${pair%%=*}
    fs_curl type -o /dev/null -w '%{content_type}' "$FS_URL/file.$ext"
    expect_eq "Content-Type of .$ext" "$type" "${pair#*=}"
done
