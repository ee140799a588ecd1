#!/bin/sh
# HLS METHOD=AES-128: TS segments encrypted whole with openssl, the IV taken
# from the media sequence number (no IV attribute; the sequence starts at 7
# so each segment's IV differs) and, in a second playlist, from the tag.
# The key URI is fetched once. svplay's framemd5 must equal ffmpeg's decode
# of the clear segments; a wrong key and a key answered with 403 end in a
# clear DRM error (exit 1) with no frame shown.
. "$SV_SOURCE_DIR/tests/player/playlib.sh"
pl_need openssl od

w="$PL_TMP/www"
mkdir -p "$w/clear"
(cd "$w/clear" && ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x240:rate=25 \
    -f lavfi -i sine=r=48000 -t 6 -c:v libx264 -preset ultrafast -g 25 -c:a aac -f hls \
    -hls_time 2 -hls_playlist_type vod -start_number 7 -hls_segment_filename 'seg%d.ts' \
    index.m3u8) || fail "ffmpeg could not make the clear HLS"
ffmpeg -nostdin -v error -i "$w/clear/index.m3u8" -map 0:v -f framemd5 "$PL_TMP/ref.md5" ||
    fail "ffmpeg could not decode the clear HLS"

key=000102030405060708090a0b0c0d0e0f
tagiv=f0e1d2c3b4a5968778695a4b3c2d1e0f
# hex -> bytes with POSIX printf's octal escapes
rest=$key
: >"$w/key.bin"
while [ -n "$rest" ]; do
    byte=${rest%"${rest#??}"}
    rest=${rest#??}
    # shellcheck disable=SC2059
    printf "\\$(printf '%03o' "0x$byte")" >>"$w/key.bin"
done
[ "$(od -An -tx1 "$w/key.bin" | tr -d ' \n')" = "$key" ] || fail "cannot write the key file"
printf 'bad-key-16bytes!' >"$w/wrong.bin"

for seg in "$w"/clear/seg*.ts; do
    name=$(basename "$seg")
    n=${name#seg}
    n=${n%.ts}
    openssl enc -aes-128-cbc -K "$key" -iv "$(printf '%032x' "$n")" -in "$seg" \
        -out "$w/$name" || fail "openssl enc $name"
    openssl enc -aes-128-cbc -K "$key" -iv "$tagiv" -in "$seg" -out "$w/tag_$name" ||
        fail "openssl enc $name"
done
# A tag without IV: the IV is the media sequence number.
awk '/^#EXT-X-MEDIA-SEQUENCE/ { print; print "#EXT-X-KEY:METHOD=AES-128,URI=\"key.bin\""; next }
     { print }' "$w/clear/index.m3u8" >"$w/seq.m3u8"
awk -v iv="$tagiv" '/^#EXT-X-MEDIA-SEQUENCE/ { print; print "#EXT-X-KEY:METHOD=AES-128,URI=\"key.bin\",IV=0x" iv; next }
     /^seg/ { print "tag_" $0; next } { print }' "$w/clear/index.m3u8" >"$w/tag.m3u8"
sed 's/key\.bin/wrong.bin/' "$w/seq.m3u8" >"$w/wrong.m3u8"
sed 's/key\.bin/forbidden.bin/' "$w/seq.m3u8" >"$w/forbidden.m3u8"

pl_serve "$w"
pl_rules '[{"name":"key-refused","match":"/forbidden.bin","status":403}]'

for v in seq tag; do
    pl_play "$v" 60 --headless --framemd5 "$PL_TMP/$v.md5" "$PL_URL/$v.m3u8"
    [ "$PL_RC" -eq 0 ] || pl_show "$v"
    grep -v '^#' "$PL_TMP/$v.md5" | awk -F, '{ print $6 }' >"$PL_TMP/$v.h"
    grep -v '^#' "$PL_TMP/ref.md5" | awk -F, '{ print $6 }' >"$PL_TMP/ref.h"
    [ -s "$PL_TMP/ref.h" ] && cmp -s "$PL_TMP/$v.h" "$PL_TMP/ref.h"
    check $? "$v: every frame equals ffmpeg's decode of the clear segments ($(wc -l <"$PL_TMP/$v.h") frames)"
done
n=$(grep -c '"/key.bin"' "$PL_TMP/requests.jsonl" || true)
[ "$n" -eq 2 ]
check $? "the key is fetched once per load (got $n requests for 2 loads)"

for v in wrong forbidden; do
    pl_play "$v" 60 --headless --framemd5 "$PL_TMP/$v.md5" "$PL_URL/$v.m3u8"
    frames=$(grep -vc '^#' "$PL_TMP/$v.md5" 2>/dev/null || true)
    [ "$PL_RC" -eq 1 ] && [ "${frames:-0}" -eq 0 ] && grep -qi "key\|decrypt" "$PL_TMP/$v.err"
    check $? "$v key: exit $PL_RC, $frames frames, $(tail -n 1 "$PL_TMP/$v.err")"
done
pl_finish
