#!/bin/sh
# Shaka Player (npm) in Debian's headless Chromium plays svserver's
# encrypted DASH, cenc and cbcs, to the end with no error, getting the key
# through EME ClearKey from POST /api/v1/license with a playback token
# (tests/interop/browser_play.js). A wrong token must stop playback.
#
# HLS is not played here: Shaka Player's HLS parser takes ClearKey only as
# KEYFORMAT="identity" with the raw key at the key URI (no license server),
# and answers our DASH-IF ClearKey EXT-X-KEY with error 4026.
. "$SV_SOURCE_DIR/tests/backend/backendlib.sh"
set -e
export SVSERVER_MASTER_KEY=ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100
export SVSERVER_TOKEN_SECRET=drm-browser-test-secret-0123456789
command -v node >/dev/null 2>&1 || fail "node is missing"
# One rung: what is checked is the key path (license, EME, decode), not ABR.
OPTS="--data $SV_DATA --ladder 240:300 --segment-seconds 2"

ffmpeg -loglevel error -f lavfi -i testsrc2=size=640x360:rate=25 \
    -f lavfi -i "sine=frequency=440:sample_rate=48000" -t 8 \
    -c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -shortest "$SV_TMP/clip.mp4"
for s in cenc cbcs; do
    "$SVSERVER" ingest "$SV_TMP/clip.mp4" --title "Browser $s" --drm $s $OPTS \
        >"$SV_TMP/ingest-$s.out" 2>"$SV_TMP/ingest.err" || { cat "$SV_TMP/ingest.err" >&2; fail "ingest $s"; }
done
sv_start --log-level debug
LIC="$SV_URL/api/v1/license"
for s in cenc cbcs; do
    T=$(tail -n 1 "$SV_TMP/ingest-$s.out")
    TOK=$("$SVSERVER" token "$T" --ttl 600)
    before=$(grep -c "POST /api/v1/license?token=[^ ]* 200\|POST /api/v1/license 200" "$SV_TMP/server.err" || true)
    rc=0
    node "$SV_SOURCE_DIR/tests/interop/browser_play.js" --player shaka \
        --url "$SV_URL/media/$T/manifest.mpd" --license-url "$LIC" --token "$TOK" --rate 4 \
        --json-out "$SV_TMP/$s.json" >/dev/null 2>"$SV_TMP/browser.err" || rc=$?
    [ "$rc" -eq 0 ] || { cat "$SV_TMP/browser.err" "$SV_TMP/$s.json" >&2; fail "Shaka Player $s: exit $rc"; }
    frames=$(node -e "const s=require('$SV_TMP/$s.json'); console.log(s.ended && s.errors.length === 0 ? s.decodedFrames : -1)")
    expect_ge "$s: frames decoded by Chromium (ended, no error)" "$frames" 190
    after=$(grep -c "POST /api/v1/license 200" "$SV_TMP/server.err" || true)
    expect_ge "$s: licenses served" "$((after - before))" 1
done
# A token for another title: the license service refuses, playback fails.
T=$(tail -n 1 "$SV_TMP/ingest-cenc.out")
BAD=$("$SVSERVER" token 999)
rc=0
node "$SV_SOURCE_DIR/tests/interop/browser_play.js" --player shaka \
    --url "$SV_URL/media/$T/manifest.mpd" --license-url "$LIC" --token "$BAD" --rate 4 \
    --load-timeout 20 --json-out "$SV_TMP/bad.json" >/dev/null 2>&1 || rc=$?
expect_eq "Shaka Player with another title's token: exit" "$rc" 1
expect_ge "403 answers to it" "$(grep -c 'POST /api/v1/license 403' "$SV_TMP/server.err" || true)" 1
echo "drm_browser: all checks passed"
