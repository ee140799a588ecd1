#!/bin/sh
# Downloads of MPEG-TS HLS and of HLS METHOD=AES-128 titles (streamverse/download.h, issue 19
# item 1), served by the project's test server (sv-faultsrv) on loopback:
#   - clear MPEG-TS from ffmpeg's hls muxer;
#   - MPEG-TS from ffmpeg's -hls_key_info_file (explicit IV);
#   - MPEG-TS from ffmpeg's master playlist, video and audio each in a
#     playlist of its own, one key for both;
#   - fMP4 from ffmpeg's hls muxer (media sequence from 7) whose segments
#     openssl encrypts (ffmpeg 5.1 refuses "Encrypted fmp4 not yet
#     supported"), EXT-X-KEY after EXT-X-MAP without an IV (the IV is the
#     media sequence number), so the init segment is clear; the last
#     segment under a second key with an IV of its own.
# Each key is fetched once, stored as keys/key-N.key with permissions 0600;
# the local playlist's EXT-X-KEY names it with the IV written out; the
# local MPEG-TS playlist keeps .ts. With the server stopped, each download
# plays and every frame equals ffmpeg's decode of the original stream.
# Bad keys, each a clear error naming the key and a download that resumes
# once the server is fixed: a key URI that 404s, a key of 8 bytes, a wrong
# key (the segment does not decrypt: the stored key is forgotten).
. "$SV_SOURCE_DIR/tests/backend/backendlib.sh"
set -e
SVPLAY="$SV_BUILD_DIR/apps/svplay/svplay"
FAULTSRV="$SV_BUILD_DIR/tests/support/sv-faultsrv"
[ -x "$SVPLAY" ] || fail "$SVPLAY not built"
[ -x "$FAULTSRV" ] || fail "$FAULTSRV not built"
command -v openssl >/dev/null || fail "openssl is missing"

W="$SV_TMP/www"
mkdir -p "$W/ts" "$W/fmp4" "$W/clear" "$W/mv"
ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x180:rate=25 \
    -f lavfi -i "sine=frequency=440:sample_rate=48000" -t 6 -c:v libx264 -preset ultrafast \
    -g 25 -pix_fmt yuv420p -c:a aac -shortest "$SV_TMP/clip.mp4" || fail "ffmpeg: the clip"
KEY=000102030405060708090a0b0c0d0e0f
printf '%s' "$KEY" | xxd -r -p >"$W/ts/key.bin"
printf 'key.bin\n%s\n' "$W/ts/key.bin" >"$SV_TMP/keyinfo"
ffmpeg -nostdin -v error -i "$SV_TMP/clip.mp4" -c copy -f hls -hls_time 2 \
    -hls_playlist_type vod -hls_key_info_file "$SV_TMP/keyinfo" "$W/ts/index.m3u8" ||
    fail "ffmpeg: the AES-128 MPEG-TS playlist"
ffmpeg -nostdin -v error -i "$SV_TMP/clip.mp4" -c copy -f hls -hls_time 2 \
    -hls_playlist_type vod "$W/clear/index.m3u8" || fail "ffmpeg: the clear MPEG-TS playlist"
# A master playlist, video and audio in playlists of their own under one key.
cp "$W/ts/key.bin" "$W/mv/key.bin"
ffmpeg -nostdin -v error -i "$SV_TMP/clip.mp4" -map 0:v -map 0:a -c copy -f hls -hls_time 2 \
    -hls_playlist_type vod -hls_key_info_file "$SV_TMP/keyinfo" -master_pl_name master.m3u8 \
    -var_stream_map "v:0,agroup:aud a:0,agroup:aud" -hls_segment_filename "$W/mv/s%v_%d.ts" \
    "$W/mv/p%v.m3u8" || fail "ffmpeg: the AES-128 master playlist"
ffmpeg -nostdin -v error -i "$SV_TMP/clip.mp4" -c copy -f hls -hls_time 2 \
    -hls_playlist_type vod -hls_segment_type fmp4 -hls_fmp4_init_filename init.mp4 \
    -start_number 7 "$W/fmp4/index.m3u8" || fail "ffmpeg: the fMP4 playlist"
# The key rotates at the last segment: key2.bin, with an IV of its own.
KEY2=f0e1d2c3b4a5968778695a4b3c2d1e0f
IV2=0123456789abcdef0123456789abcdef
cp "$W/ts/key.bin" "$W/fmp4/key.bin"
printf '%s' "$KEY2" | xxd -r -p >"$W/fmp4/key2.bin"
for n in 7 8 9; do
    k=$KEY iv=$(printf '%032x' "$n")
    [ $n = 9 ] && k=$KEY2 iv=$IV2
    openssl enc -aes-128-cbc -K "$k" -iv "$iv" \
        -in "$W/fmp4/index$n.m4s" -out "$W/fmp4/enc$n.m4s" || fail "openssl enc"
    sed -i "s/^index$n.m4s\$/enc$n.m4s/" "$W/fmp4/index.m3u8"
done
sed -i 's/^#EXT-X-MAP:URI="init.mp4"$/&\n#EXT-X-KEY:METHOD=AES-128,URI="key.bin"/' "$W/fmp4/index.m3u8"
sed -i "s/^enc9.m4s\$/#EXT-X-KEY:METHOD=AES-128,URI=\"key2.bin\",IV=0x$IV2\\n&/" "$W/fmp4/index.m3u8"
sed -i 's/\\n/\n/' "$W/fmp4/index.m3u8"
expect_contains "the TS playlist is AES-128" "$(cat "$W/ts/index.m3u8")" \
    '#EXT-X-KEY:METHOD=AES-128,URI="key.bin",IV=0x'

# Bad keys: playlists beside the TS one whose key URI 404s, or names 8
# bytes, or a wrong key.
for k in missing short wrong; do
    sed "s/URI=\"key.bin\"/URI=\"$k.bin\"/" "$W/ts/index.m3u8" >"$W/ts/$k.m3u8"
done
head -c 8 "$W/ts/key.bin" >"$W/ts/short.bin"
printf 'ffffffffffffffffffffffffffffffff' | xxd -r -p >"$W/ts/wrong.bin"

"$FAULTSRV" --root "$W" --port-file "$SV_TMP/port" --log "$SV_TMP/requests.jsonl" \
    2>"$SV_TMP/faultsrv.err" &
SRV=$!
trap '_s=$?; kill $SRV 2>/dev/null || true; (exit $_s) || sv_cleanup; sv_cleanup' EXIT
i=0
while [ ! -s "$SV_TMP/port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
URL="http://127.0.0.1:$(cat "$SV_TMP/port")"

# The reference: ffmpeg's decode of the original streams, over HTTP.
ref() {
    ffmpeg -nostdin -v error -allowed_extensions ALL -i "$URL/$1/index.m3u8" -map 0:v \
        -f framemd5 - | grep -v '^#' | awk -F', *' '{ print $6 }'
}
ref ts >"$SV_TMP/want-ts"
ref fmp4 >"$SV_TMP/want-fmp4"
expect_eq "reference frames (TS)" "$(wc -l <"$SV_TMP/want-ts")" 150
cmp -s "$SV_TMP/want-ts" "$SV_TMP/want-fmp4" || fail "ffmpeg decodes the TS and fMP4 streams differently"

"$SVPLAY" -q --download "$SV_TMP/dl/clear" "$URL/clear/index.m3u8" >/dev/null 2>"$SV_TMP/clear.err" ||
    { cat "$SV_TMP/clear.err" >&2; fail "clear TS: download"; }
[ ! -e "$SV_TMP/dl/clear/keys" ] || fail "clear TS: a keys folder"
expect_eq "clear TS: no EXT-X-KEY" "$(grep -c EXT-X-KEY "$SV_TMP/dl/clear/video/index.m3u8" || true)" 0
expect_eq "clear TS: the segments keep .ts" "$(grep -c '^seg-0000[1-3].ts$' "$SV_TMP/dl/clear/video/index.m3u8")" 3
k2_before=$(grep -c '"/fmp4/key2.bin"' "$SV_TMP/requests.jsonl" || true)
for kind in ts fmp4; do
    D="$SV_TMP/dl/$kind"
    before=$(grep -c "\"/$kind/key.bin\"" "$SV_TMP/requests.jsonl" || true)
    "$SVPLAY" -q --download "$D" "$URL/$kind/index.m3u8" >/dev/null 2>"$SV_TMP/$kind.err" ||
        { cat "$SV_TMP/$kind.err" >&2; fail "$kind: download"; }
    expect_eq "$kind: the key stored, 0600" "$(stat -c %a "$D/keys/key-0.key")" 600
    cmp -s "$D/keys/key-0.key" "$W/$kind/key.bin" || fail "$kind: the stored key differs"
    expect_eq "$kind: the key fetched once for 3 segments" \
        "$(($(grep -c "\"/$kind/key.bin\"" "$SV_TMP/requests.jsonl") - before))" 1
done
expect_eq "ts: no other key file" "$(ls "$SV_TMP/dl/ts/keys")" key-0.key
expect_eq "fmp4: a key file per key" "$(ls "$SV_TMP/dl/fmp4/keys" | tr '\n' ' ')" "key-0.key key-1.key "
cmp -s "$SV_TMP/dl/fmp4/keys/key-1.key" "$W/fmp4/key2.bin" || fail "fmp4: the second key differs"
expect_eq "fmp4: the second key fetched once" \
    "$(($(grep -c '"/fmp4/key2.bin"' "$SV_TMP/requests.jsonl") - k2_before))" 1
# The master: video and audio playlists, one key for both, fetched once.
before=$(grep -c '"/mv/key.bin"' "$SV_TMP/requests.jsonl" || true)
"$SVPLAY" -q --download "$SV_TMP/dl/mv" "$URL/mv/master.m3u8" >/dev/null 2>"$SV_TMP/mv.err" ||
    { cat "$SV_TMP/mv.err" >&2; fail "master: download"; }
expect_eq "master: one key for video and audio, fetched once" \
    "$(ls "$SV_TMP/dl/mv/keys") $(($(grep -c '"/mv/key.bin"' "$SV_TMP/requests.jsonl") - before))" "key-0.key 1"
for t in video audio; do
    expect_contains "master: the $t playlist names the key" "$(cat "$SV_TMP/dl/mv/$t/index.m3u8")" \
        '#EXT-X-KEY:METHOD=AES-128,URI="../keys/key-0.key",IV=0x00000000000000000000000000000000'
done
pl="$SV_TMP/dl/ts/video/index.m3u8"
expect_eq "ts: the local key and the source's IV" "$(grep '^#EXT-X-KEY' "$pl")" \
    "$(grep '^#EXT-X-KEY' "$W/ts/index.m3u8" | sed 's|URI="key.bin"|URI="../keys/key-0.key"|')"
expect_eq "ts: the segments keep .ts" "$(grep -c '^seg-0000[1-3].ts$' "$pl")" 3
expect_eq "ts: the segments' bytes are the server's (still encrypted)" \
    "$(cat "$SV_TMP/dl/ts/video"/seg-*.ts | sha256sum)" "$(cat "$W/ts"/index[0-2].ts | sha256sum)"
pl="$SV_TMP/dl/fmp4/video/index.m3u8"
expect_eq "fmp4: an IV per segment, its media sequence number, then the second key's" \
    "$(grep '^#EXT-X-KEY' "$pl" | sed 's/.*URI="\([^"]*\)",IV=0x/\1 /' | tr '\n' ' ')" \
    "$(printf '../keys/key-0.key %032x ../keys/key-0.key %032x ../keys/key-1.key %s ' 7 8 $IV2)"
expect_contains "fmp4: the init segment named" "$(cat "$pl")" '#EXT-X-MAP:URI="init-0.mp4"'

# --- bad keys: clear errors, resumable -------------------------------------------
bad() { # NAME PLAYLIST EXPECTED
    rc=0
    "$SVPLAY" -q --download "$SV_TMP/dl/$2" "$URL/ts/$2.m3u8" >/dev/null 2>"$SV_TMP/$2.err" || rc=$?
    expect_eq "$1: exit" "$rc" 1
    expect_contains "$1: the message" "$(cat "$SV_TMP/$2.err")" "$3"
    [ ! -e "$SV_TMP/dl/$2/master.m3u8" ] || fail "$1: a playlist was written"
    [ -s "$SV_TMP/dl/$2/download.json" ] || fail "$1: no resumable state"
    ok "refused: $(grep "error:" "$SV_TMP/$2.err")"
}
bad "a key URI that 404s" missing "the AES-128 key: GET $URL/ts/missing.bin: HTTP 404"
bad "a key of 8 bytes" short "the AES-128 key is 8 bytes, not 16"
expect_contains "a key of 8 bytes: the key named" "$(cat "$SV_TMP/short.err")" "$URL/ts/short.bin"
[ ! -e "$SV_TMP/dl/short/keys/key-0.key" ] || fail "a key of 8 bytes was stored"
bad "a wrong key" wrong "AES-128 decryption with keys/key-0.key fails"
[ ! -e "$SV_TMP/dl/wrong/keys/key-0.key" ] || fail "the wrong key was kept"
# The server fixed: each download resumes and completes with the right key.
for k in missing short wrong; do
    cp "$W/ts/key.bin" "$W/ts/$k.bin"
    "$SVPLAY" -q --download "$SV_TMP/dl/$k" "$URL/ts/$k.m3u8" >/dev/null 2>"$SV_TMP/$k-2.err" ||
        { cat "$SV_TMP/$k-2.err" >&2; fail "$k: the resumed download"; }
    cmp -s "$SV_TMP/dl/$k/keys/key-0.key" "$W/ts/key.bin" || fail "$k: the key stored on resume"
done
ok "bad keys: exit 1 naming the key and why, resumed to completion once the server is fixed"

# --- offline: the server stopped ---------------------------------------------------
kill $SRV
wait $SRV 2>/dev/null || true
curl -s -o /dev/null "$URL/ts/index.m3u8" && fail "the server still answers"
for kind in ts fmp4 missing clear mv; do
    dir=$SV_TMP/dl/$kind
    want=$SV_TMP/want-ts
    [ $kind = fmp4 ] && want=$SV_TMP/want-fmp4
    "$SVPLAY" -q --framemd5 "$SV_TMP/got-$kind.txt" "$dir/master.m3u8" 2>"$SV_TMP/play-$kind.err" ||
        { cat "$SV_TMP/play-$kind.err" >&2; fail "$kind: offline play"; }
    grep -v '^#' "$SV_TMP/got-$kind.txt" | awk -F', *' '{ print $6 }' >"$SV_TMP/got-$kind"
    cmp -s "$want" "$SV_TMP/got-$kind" ||
        fail "$kind: offline frames differ from ffmpeg's ($(wc -l <"$SV_TMP/got-$kind") frames)"
    ok "$kind: server stopped, $(wc -l <"$SV_TMP/got-$kind") frames equal ffmpeg's decode"
done
"$SVPLAY" --delete-download "$SV_TMP/dl/fmp4" || fail "--delete-download"
[ ! -e "$SV_TMP/dl/fmp4" ] || fail "delete left $(ls -R "$SV_TMP/dl/fmp4")"
ok "delete removes the keys with the rest"
echo "offline_aes: all checks passed"
