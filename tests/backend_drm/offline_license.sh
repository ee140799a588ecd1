#!/bin/sh
# Offline licenses (api_offline.c, drm/offline_license.h, the SDK's
# sv_download_license_check through svplay): svserver issues an EdDSA-signed
# license for a ClearKey title to an account's device; svplay --download
# --server stores it with the title; with svserver stopped the download
# plays and every frame equals ffmpeg's decode of the server's segments.
# Refused, each with its message and exit 1: another device, a license
# whose bytes were changed, another server's public key, an expired
# license, a revoked one (at its next online check, and offline after
# that). The per-account device limit answers 409 device_limit; revoking a
# license frees its device; a clear title answers 409 not_protected.
. "$SV_SOURCE_DIR/tests/backend/backendlib.sh"
set -e
SVPLAY="$SV_BUILD_DIR/apps/svplay/svplay"
[ -x "$SVPLAY" ] || fail "$SVPLAY not built"

export SVSERVER_MASTER_KEY=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
export SVSERVER_TOKEN_SECRET=offline-license-test-secret-01234
OPTS="--data $SV_DATA --segment-seconds 2 --ladder 240:300"
ffmpeg -loglevel error -f lavfi -i testsrc2=size=640x360:rate=25 \
    -f lavfi -i "sine=frequency=440:sample_rate=48000" -t 8 \
    -c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -shortest "$SV_TMP/clip.mp4"
"$SVSERVER" ingest "$SV_TMP/clip.mp4" --title Locked --drm cenc $OPTS >"$SV_TMP/i1.out" \
    2>"$SV_TMP/ingest.log" || { cat "$SV_TMP/ingest.log" >&2; fail "ingest cenc"; }
"$SVSERVER" ingest "$SV_TMP/clip.mp4" --title Open $OPTS >"$SV_TMP/i2.out" \
    2>>"$SV_TMP/ingest.log" || fail "ingest clear"
T1=$(tail -n 1 "$SV_TMP/i1.out")
T2=$(tail -n 1 "$SV_TMP/i2.out")
printf 'alice-password-1\n' >"$SV_TMP/pw"
"$SVSERVER" user add alice --password-file "$SV_TMP/pw" --region FR --max-streams 4 \
    --data "$SV_DATA" >/dev/null 2>"$SV_TMP/user.err" || fail "user add: $(cat "$SV_TMP/user.err")"

sv_start --offline-devices 2 --offline-license-ttl 600
JSON='Content-Type: application/json'
req code -H "$JSON" -d '{"name":"alice","password":"alice-password-1"}' "$SV_URL/api/v1/auth/login"
AUTH="Authorization: Bearer $(json_get .token)"
issue() { # TITLE DEVICE
    req code -X POST -H "$JSON" -H "$AUTH" -d "{\"device_id\":\"$2\"}" \
        "$SV_URL/api/v1/titles/$1/offline-license"
}
DL() { "$SVPLAY" -q --server "$SV_URL" --user alice --password-file "$SV_TMP/pw" "$@"; }

# --- download with its license ------------------------------------------------------
DL --device dev1 --download "$SV_TMP/d1" "$T1" >/dev/null 2>"$SV_TMP/d1.err" ||
    { cat "$SV_TMP/d1.err" >&2; fail "download of the protected title"; }
[ -s "$SV_TMP/d1/license.json" ] || fail "no license stored with the download"
python3 - "$SV_TMP/d1" "$SV_DATA/media/$T1/video/240p" <<'EOF' || fail "stored bytes differ from the server's"
import json, sys
d, src = sys.argv[1], sys.argv[2]
for f in json.load(open(d + '/download.json'))['files']:
    if f['path'].startswith('video/seg-'):
        n = int(f['path'][10:15])
        assert open(d + '/' + f['path'], 'rb').read() == open('%s/seg-%d.m4s' % (src, n), 'rb').read()
EOF
ok "protected title downloaded with its license"
# A clear title of the backend: no license asked for, and the session the
# download opened for its manifest is stopped (no live session left).
DL --device dev1 --download "$SV_TMP/d2" "$T2" >/dev/null 2>"$SV_TMP/d2.err" ||
    { cat "$SV_TMP/d2.err" >&2; fail "download of the clear title"; }
[ ! -e "$SV_TMP/d2/license.json" ] || fail "a clear title got a license"
[ -s "$SV_TMP/d2/master.m3u8" ] || fail "the clear title's download has no master playlist"
need_catalog_sql
expect_eq "sessions left open by the downloads" \
    "$(catalog_sql "SELECT count(*) FROM sessions WHERE ended IS NULL")" 0

# --- the device limit, revocation, refusals of the route --------------------------------
issue "$T1" dev2
expect_eq "license for a second device" "$code" 201
LID2=$(json_get .license_id)
expect_eq "its public key is Ed25519 PEM" "$(json_get .public_key | head -n 1)" "-----BEGIN PUBLIC KEY-----"
issue "$T1" dev3
expect_eq "a third device: status" "$code" 409
expect_eq "a third device: code" "$(json_get .error.code)" device_limit
issue "$T1" dev1
expect_eq "a device holding one gets another" "$code" 201
req code -X DELETE -H "$AUTH" "$SV_URL/api/v1/titles/$T1/offline-license/$LID2"
expect_eq "revoke" "$code" 200
req code -X DELETE -H "$AUTH" "$SV_URL/api/v1/titles/$T1/offline-license/${LID2}x"
expect_eq "revoke of an unknown license" "$code" 404
issue "$T1" dev3
expect_eq "the revoked device's slot is free again" "$code" 201
issue "$T2" dev1
expect_eq "a clear title: status" "$code" 409
expect_eq "a clear title: code" "$(json_get .error.code)" not_protected
req code -X POST -H "$JSON" -d '{"device_id":"dev1"}' "$SV_URL/api/v1/titles/$T1/offline-license"
expect_eq "no user token" "$code" 401
req code "$SV_URL/api/v1/offline-license/key"
expect_eq "public key route" "$code" 200
json_get .public_key >"$SV_TMP/server.pub"

# --- refusals at playback -----------------------------------------------------------------
play() { # NAME DIR [svplay args] - sets rc and err
    _n=$1 _d=$2
    shift 2
    rc=0
    "$SVPLAY" --framemd5 "$SV_TMP/$_n.md5" "$@" "$_d/master.m3u8" 2>"$SV_TMP/$_n.err" || rc=$?
    err=$(cat "$SV_TMP/$_n.err")
}
play other "$SV_TMP/d1" --device dev9
expect_eq "another device: exit" "$rc" 1
expect_contains "another device: message" "$err" 'for device "dev1", not "dev9"'
openssl genpkey -algorithm ed25519 2>/dev/null | openssl pkey -pubout >"$SV_TMP/other.pub"
play otherkey "$SV_TMP/d1" --device dev1 --license-pubkey "$SV_TMP/other.pub"
expect_eq "another server's key: exit" "$rc" 1
expect_contains "another server's key: message" "$err" "does not match the server's public key"
cp -r "$SV_TMP/d1" "$SV_TMP/d1bad"
python3 - "$SV_TMP/d1bad/license.json" <<'EOF'
import json, sys, base64
p = sys.argv[1]
j = json.load(open(p))
h, c, s = j['license'].split('.')
claims = json.loads(base64.urlsafe_b64decode(c + '=' * (-len(c) % 4)))
claims['device'] = 'dev9'
c = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip('=')
j['license'] = '.'.join([h, c, s])
json.dump(j, open(p, 'w'))
EOF
play tampered "$SV_TMP/d1bad" --device dev9
expect_eq "a changed license: exit" "$rc" 1
expect_contains "a changed license: message" "$err" "signature does not match"
# The right key given by hand plays it (online check: valid).
play good "$SV_TMP/d1" --device dev1 --license-pubkey "$SV_TMP/server.pub"
[ "$rc" -eq 0 ] || { echo "$err" >&2; fail "the license with the server's key"; }
ok "refused: another device, another key, a changed license; the right one plays"

# --- revoked: refused at the next online check, and offline afterwards ---------------------
DL --device dev1 --download "$SV_TMP/d3" "$T1" >/dev/null 2>"$SV_TMP/d3.err" ||
    { cat "$SV_TMP/d3.err" >&2; fail "second download"; }
LID3=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['license_id'])" "$SV_TMP/d3/license.json")
req code -X DELETE -H "$AUTH" "$SV_URL/api/v1/titles/$T1/offline-license/$LID3"
expect_eq "revoke the second download's license" "$code" 200
play revoked "$SV_TMP/d3" --device dev1
expect_eq "revoked, online: exit" "$rc" 1
expect_contains "revoked, online: message" "$err" "revoked"

# --- expired --------------------------------------------------------------------------------
sv_stop
sv_start --offline-devices 2 --offline-license-ttl 2
DL --device dev1 --download "$SV_TMP/d4" "$T1" >/dev/null 2>"$SV_TMP/d4.err" ||
    { cat "$SV_TMP/d4.err" >&2; fail "short-lived download"; }
sleep 3
play expired "$SV_TMP/d4" --device dev1
expect_eq "expired: exit" "$rc" 1
expect_contains "expired: message" "$err" "expired"

# --- media tokens that expire during a title's download ---------------------------------------
# media-auth token with 2 s tokens and heartbeats every 0.5 s, the download
# through a relay that holds every chunk 100 ms (it takes several seconds):
# the session's heartbeats bring fresh tokens, the download completes with
# the server's bytes, and its session is stopped at the end.
sv_stop
sv_start --offline-devices 2 --media-auth token --playback-token-ttl 2 --heartbeat-interval 0.5
node "$SV_SOURCE_DIR/tests/support/delayproxy.js" --target "127.0.0.1:$SV_PORT" --delay-ms 100 \
    --port-file "$SV_TMP/relay.port" >"$SV_TMP/relay.log" 2>&1 &
RELAY_PID=$!
trap '_s=$?; kill $RELAY_PID 2>/dev/null || true; (exit $_s) || sv_cleanup; sv_cleanup' EXIT
i=0
while [ ! -s "$SV_TMP/relay.port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
t0=$(date +%s)
rc=0
"$SVPLAY" --log-level info --server "http://127.0.0.1:$(cat "$SV_TMP/relay.port")" --user alice \
    --password-file "$SV_TMP/pw" --device dev1 --download "$SV_TMP/d5" "$T2" >/dev/null \
    2>"$SV_TMP/d5.err" || rc=$?
[ "$rc" -eq 0 ] || { cat "$SV_TMP/d5.err" >&2; fail "download with expiring media tokens"; }
took=$(($(date +%s) - t0))
[ "$took" -ge 3 ] || fail "the download took ${took} s: too fast to outlive a 2 s token"
hb=$(grep -c "POST /api/v1/playback/heartbeat 200" "$SV_TMP/server.err" || true)
[ "$hb" -ge 2 ] || fail "only $hb heartbeats during the download"
diff -r "$SV_TMP/d2/video" "$SV_TMP/d5/video" >/dev/null || fail "the download differs"
expect_eq "sessions left open" "$(catalog_sql "SELECT count(*) FROM sessions WHERE ended IS NULL")" 0
kill $RELAY_PID 2>/dev/null || true
ok "2 s media tokens over a ${took} s download: $hb heartbeats refreshed them, same bytes"

# --- offline: the server stopped ------------------------------------------------------------
sv_stop
curl -s -o /dev/null "$SV_URL/healthz" && fail "the server still answers"
KID=$(python3 -c "import sys; d=open(sys.argv[1],'rb').read(); i=d.index(b'tenc'); print(d[i+12:i+28].hex())" "$SV_TMP/d1/video/init-0.mp4")
KEY=$(python3 - "$SV_TMP/d1/license.json" <<'EOF'
import json, sys, base64
j = json.load(open(sys.argv[1]))
c = j['license'].split('.')[1]
k = json.loads(base64.urlsafe_b64decode(c + '=' * (-len(c) % 4)))['license']['keys'][0]['k']
print(base64.urlsafe_b64decode(k + '=' * (-len(k) % 4)).hex())
EOF
)
d="$SV_DATA/media/$T1/video/240p"
cat "$d/init.mp4" "$d"/seg-1.m4s "$d"/seg-2.m4s "$d"/seg-3.m4s "$d"/seg-4.m4s |
    ffmpeg -loglevel error -decryption_key "$KEY" -i - -map 0:v -f framemd5 - |
    grep -v '^#' | awk -F, '{gsub(/ /, "", $6); print $6}' >"$SV_TMP/want.md5"
expect_eq "reference frames" "$(wc -l <"$SV_TMP/want.md5")" 200
play offline "$SV_TMP/d1" --device dev1
[ "$rc" -eq 0 ] || { echo "$err" >&2; fail "offline play of the licensed download"; }
grep -v '^#' "$SV_TMP/offline.md5" | awk -F, '{gsub(/ /, "", $6); print $6}' >"$SV_TMP/got.md5"
cmp -s "$SV_TMP/want.md5" "$SV_TMP/got.md5" || fail "offline frames differ from ffmpeg's"
expect_contains "the online check was skipped, not fatal" "$err" "could not be checked online"
ok "server stopped: the licensed download plays, 200 frames equal ffmpeg's decode (key $KID)"
play revoked2 "$SV_TMP/d3" --device dev1
expect_eq "revoked, offline afterwards: exit" "$rc" 1
expect_contains "revoked, offline afterwards: message" "$err" "revoked"
play expired2 "$SV_TMP/d4" --device dev1
expect_eq "expired, offline: exit" "$rc" 1
echo "offline_license: all checks passed"
