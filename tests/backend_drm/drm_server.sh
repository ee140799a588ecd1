#!/bin/sh
# svserver with DRM end to end: `svserver ingest --drm cenc|cbcs` makes the
# title's key (wrapped under the master key in the catalog) and encrypts
# the ladder; GET /api/v1/titles/{id} shows the scheme; POST /api/v1/license
# answers ClearKey requests only with a valid token for the key's title;
# svplay plays the encrypted title with the key from the license service and
# every frame equals ffmpeg's decode of the same segments decrypted by Shaka
# Packager; neither the catalog (catalog.db, or the PostgreSQL database's
# files) nor the trace-level logs hold the key.
. "$SV_SOURCE_DIR/tests/backend/backendlib.sh"
set -e
SVPLAY="$SV_BUILD_DIR/apps/svplay/svplay"
[ -x "$SVPLAY" ] || fail "$SVPLAY not built"
packager=$("$SV_SOURCE_DIR/scripts/shaka-packager.sh" | tail -n 1) ||
    fail "Shaka Packager could not be installed"

MASTER=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
SECRET=drm-server-test-secret-0123456789
export SVSERVER_MASTER_KEY=$MASTER SVSERVER_TOKEN_SECRET=$SECRET
# One rung: the checks read the 240p rendition only (a second one cost
# twice its encode and was never looked at).
OPTS="--data $SV_DATA --ladder 240:300 --segment-seconds 2 --log-level trace"

ffmpeg -loglevel error -f lavfi -i testsrc2=size=640x360:rate=25 \
    -f lavfi -i "sine=frequency=440:sample_rate=48000" -t 8 \
    -c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -shortest "$SV_TMP/clip.mp4"

# A protected ingest without a master key is refused before anything runs.
rc=0
SVSERVER_MASTER_KEY= "$SVSERVER" ingest "$SV_TMP/clip.mp4" --title X --drm cenc \
    --data "$SV_TMP/nokey" 2>"$SV_TMP/nokey.err" || rc=$?
expect_eq "ingest --drm without master-key: exit" "$rc" 2
expect_contains "its message" "$(cat "$SV_TMP/nokey.err")" "master-key"

"$SVSERVER" ingest "$SV_TMP/clip.mp4" --title "Locked cenc" --drm cenc $OPTS \
    >"$SV_TMP/ingest1.out" 2>"$SV_TMP/ingest.log" || { cat "$SV_TMP/ingest.log" >&2; fail "ingest cenc"; }
"$SVSERVER" ingest "$SV_TMP/clip.mp4" --title "Locked cbcs" --drm cbcs $OPTS \
    >"$SV_TMP/ingest2.out" 2>>"$SV_TMP/ingest.log" || { cat "$SV_TMP/ingest.log" >&2; fail "ingest cbcs"; }
"$SVSERVER" ingest "$SV_TMP/clip.mp4" --title "Open" $OPTS \
    >"$SV_TMP/ingest3.out" 2>>"$SV_TMP/ingest.log" || fail "ingest clear"
T1=$(tail -n 1 "$SV_TMP/ingest1.out")
T2=$(tail -n 1 "$SV_TMP/ingest2.out")
T3=$(tail -n 1 "$SV_TMP/ingest3.out")

sv_start --ladder 240:300 --segment-seconds 2 --log-level trace
req code "$SV_URL/api/v1/titles/$T1"
expect_eq "title $T1 drm" "$(json_get .drm)" cenc
req code "$SV_URL/api/v1/titles/$T2"
expect_eq "title $T2 drm" "$(json_get .drm)" cbcs
req code "$SV_URL/api/v1/titles/$T3"
expect_eq "title $T3 drm" "$(json_get .drm)" none

# The KIDs, from the init segments' tenc (offset: after 'tenc' + 4 + 4).
kid_of() {
    python3 -c "import sys; d=open(sys.argv[1],'rb').read(); i=d.index(b'tenc'); print(d[i+12:i+28].hex())" "$1"
}
KID1=$(kid_of "$SV_DATA/media/$T1/video/240p/init.mp4")
KID2=$(kid_of "$SV_DATA/media/$T2/video/240p/init.mp4")
[ "$KID1" != "$KID2" ] || fail "two titles share a KID"
expect_eq "audio KID of title $T1" "$(kid_of "$SV_DATA/media/$T1/audio/init.mp4")" "$KID1"
b64url() { python3 -c "import base64,sys; print(base64.urlsafe_b64encode(bytes.fromhex(sys.argv[1])).decode().rstrip('='))" "$1"; }
KID1U=$(b64url "$KID1")
KID2U=$(b64url "$KID2")

TOK1=$("$SVSERVER" token "$T1" --ttl 600 --session s1)
TOK2=$("$SVSERVER" token "$T2" --ttl 600)
LIC="$SV_URL/api/v1/license"
body() { printf '{"kids":["%s"],"type":"temporary"}' "$1"; }

# --- the license service --------------------------------------------------------
req code -X POST -H 'Content-Type: application/json' -d "$(body "$KID1U")" "$LIC?token=$TOK1"
expect_eq "license with the right token (query)" "$code" 200
expect_eq "license kid" "$(json_get '.keys[0].kid')" "$KID1U"
expect_eq "license kty" "$(json_get '.keys[0].kty')" oct
expect_eq "license type" "$(json_get .type)" temporary
KEY1=$(python3 -c "import base64,sys; s=sys.argv[1]; print(base64.urlsafe_b64decode(s+'='*(-len(s)%4)).hex())" "$(json_get '.keys[0].k')")
expect_eq "key length (hex digits)" "${#KEY1}" 32
expect_eq "CORS on the license" "$(header Access-Control-Allow-Origin)" "*"
req code -X POST -H "Authorization: Bearer $TOK2" -d "$(body "$KID2U")" "$LIC"
expect_eq "license with a Bearer token" "$code" 200
KEY2=$(python3 -c "import base64,sys; s=sys.argv[1]; print(base64.urlsafe_b64decode(s+'='*(-len(s)%4)).hex())" "$(json_get '.keys[0].k')")
req code -X OPTIONS -H 'Origin: http://127.0.0.1:1' -H 'Access-Control-Request-Method: POST' \
    -H 'Access-Control-Request-Headers: authorization,content-type' "$LIC"
expect_eq "preflight status" "$code" 204
expect_contains "preflight headers" "$(header Access-Control-Allow-Headers)" Authorization

refused() { # WHAT STATUS CODE [curl args]
    _what=$1 _st=$2 _ecode=$3
    shift 3
    req code -X POST "$@"
    expect_eq "$_what: status" "$code" "$_st"
    expect_eq "$_what: error code" "$(json_get .error.code)" "$_ecode"
}
refused "no token" 403 token_missing -d "$(body "$KID1U")" "$LIC"
# One payload character changed (its 6 bits all count; the MAC's last
# character carries padding bits a decoder may ignore).
TAMPERED=$(printf '%s' "$TOK1" | sed 's/^e/f/;t;s/^./e/')
[ "$TAMPERED" != "$TOK1" ] || fail "tampering did not change the token"
refused "tampered token" 403 token_invalid -d "$(body "$KID1U")" "$LIC?token=$TAMPERED"
OTHER=$(SVSERVER_TOKEN_SECRET=another-secret-of-enough-length "$SVSERVER" token "$T1")
refused "token signed with another secret" 403 token_invalid -d "$(body "$KID1U")" "$LIC?token=$OTHER"
EXPIRED=$("$SVSERVER" token "$T1" --ttl 1)
sleep 2
refused "expired token" 403 token_expired -d "$(body "$KID1U")" "$LIC?token=$EXPIRED"
refused "other title's token" 403 key_not_entitled -d "$(body "$KID1U")" "$LIC?token=$TOK2"
refused "one KID of another title among two" 403 key_not_entitled \
    -d "{\"kids\":[\"$KID1U\",\"$KID2U\"],\"type\":\"temporary\"}" "$LIC?token=$TOK1"
refused "unknown KID" 403 key_unknown -d "$(body AAAAAAAAAAAAAAAAAAAAAA)" "$LIC?token=$TOK1"
refused "malformed body" 400 malformed_request -d '{"kids":' "$LIC?token=$TOK1"
refused "no kids" 400 malformed_request -d '{"kids":[],"type":"temporary"}' "$LIC?token=$TOK1"
refused "short KID" 400 malformed_request -d "$(body AAAA)" "$LIC?token=$TOK1"

# --- svplay with the key from the license service ------------------------------
# Reference: Shaka Packager decrypts the 240p rendition with the served key,
# ffmpeg decodes it.
for t in 1 2; do
    eval "T=\$T$t KID=\$KID$t KEY=\$KEY$t TOK=\$TOK$t"
    d="$SV_DATA/media/$T/video/240p"
    cat "$d/init.mp4" "$d"/seg-*.m4s >"$SV_TMP/enc.mp4"
    rm -f "$SV_TMP/dec.mp4"
    "$packager" "in=$SV_TMP/enc.mp4,stream=video,output=$SV_TMP/dec.mp4" \
        --enable_raw_key_decryption --keys "key_id=$KID:key=$KEY" >"$SV_TMP/pk.log" 2>&1 ||
        { cat "$SV_TMP/pk.log" >&2; fail "Shaka Packager cannot decrypt title $T"; }
    ffmpeg -loglevel error -i "$SV_TMP/dec.mp4" -f framemd5 - | grep -v '^#' |
        awk -F, '{gsub(/ /, "", $6); print $6}' >"$SV_TMP/want.md5"
    expect_eq "title $T reference frames" "$(wc -l <"$SV_TMP/want.md5")" 200
    rc=0
    "$SVPLAY" --headless --benchmark --max-height 240 --license-url "$LIC?token=$TOK" \
        --framemd5 "$SV_TMP/got.txt" "$SV_URL/media/$T/master.m3u8" 2>"$SV_TMP/svplay.err" || rc=$?
    [ "$rc" -eq 0 ] || { cat "$SV_TMP/svplay.err" >&2; fail "svplay title $T exit $rc"; }
    grep -v '^#' "$SV_TMP/got.txt" | awk -F, '{gsub(/ /, "", $6); print $6}' >"$SV_TMP/got.md5"
    cmp -s "$SV_TMP/want.md5" "$SV_TMP/got.md5" ||
        fail "title $T: svplay's frames differ from the decrypted reference ($(wc -l <"$SV_TMP/got.md5") frames)"
    ok "title $T (HLS): svplay's 200 frames equal the Shaka-decrypted reference"
done
# Without a token the player gets a 403 and stops with an error.
rc=0
"$SVPLAY" --headless --benchmark --license-url "$LIC" "$SV_URL/media/$T1/master.m3u8" \
    2>"$SV_TMP/svplay.err" || rc=$?
expect_eq "svplay without a token: exit" "$rc" 1

# --- keys at rest and in logs ----------------------------------------------------
# holds_key KEY FILE... - prints the first FILE holding the raw bytes of KEY.
holds_key() {
    python3 -c "
import sys
key = bytes.fromhex(sys.argv[1])
for f in sys.argv[2:]:
    if key in open(f, 'rb').read():
        print(f)
        break" "$@"
}
sv_stop
need_catalog_sql
dump=$(catalog_dump) || fail "cannot dump the catalog"
if [ -n "$SV_PG_DB" ]; then
    # The database's files and the cluster's WAL, once a checkpoint has
    # written every page the server holds in memory.
    catalog_sql "CHECKPOINT" || fail "cannot checkpoint the catalog"
    oid=$(catalog_sql "SELECT oid FROM pg_database WHERE datname = current_database()")
    [ -d "$SV_TEST_PG/data/base/$oid" ] || fail "no folder for the database's files"
fi
for k in "$KEY1" "$KEY2"; do
    K=$(printf '%s' "$k" | tr a-f A-F)
    case "$dump" in *"$k"* | *"$K"*) fail "catalog dump holds a content key" ;; esac
    if [ -n "$SV_PG_DB" ]; then
        f=$(holds_key "$k" "$SV_TEST_PG/data/base/$oid"/* "$SV_TEST_PG/data/pg_wal"/0*)
    else
        f=$(holds_key "$k" "$SV_DATA"/catalog.db*)
    fi
    [ -z "$f" ] || fail "$(basename "$f") holds a raw content key"
    for enc in "$k" "$K" "$(b64url "$k")" "$(python3 -c "import base64,sys; print(base64.b64encode(bytes.fromhex(sys.argv[1])).decode())" "$k")"; do
        if grep -qF "$enc" "$SV_TMP/ingest.log" "$SV_TMP/server.err" "$SV_TMP/server.out"; then
            fail "a log holds a content key"
        fi
    done
done
expect_eq "wrapped keys in the catalog" "$(catalog_sql 'SELECT count(*) FROM title_keys WHERE length(wrapped_key) = 44')" 2
ok "no content key in the catalog (dump or bytes) or in trace logs"
[ -s "$SV_TMP/server.err" ] || fail "the server wrote no log to check"
echo "drm_server: all checks passed"
