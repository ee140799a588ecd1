#!/bin/sh
# Issue 20, item 5: Shaka Player (npm) in Debian's headless Chromium plays
# svserver's AV1 set and its H.264 set, over HTTP from svserver, to the end:
# clear (DASH and HLS) and encrypted (DASH, cenc and cbcs, keys through EME
# ClearKey from svserver's license service, as drm_browser.sh does).
#
# One title per protection is ingested with `svserver ingest --codecs
# h264,av1,hevc` (4 s 320x180 clip, rungs 144p and 180p, 2 s segments: the
# checks need two rungs of each codec, not size or length). Each
# play chooses the codec family through Shaka's preferredVideo and asserts:
# ended with no error, currentTime reached the end, Chromium decoded at least
# 95 of the 100 frames (getVideoPlaybackQuality / webkitDecodedFrameCount),
# and every variant Shaka played has the chosen codec (av01 or avc1).
# HEVC is played where MediaSource.isTypeSupported takes the hvc1 string of
# the MPD; otherwise the test prints why it is skipped (Chromium decodes HEVC
# only through a platform decoder, none in a GPU-less headless run).
#
# HLS is played clear only: Shaka's HLS parser takes ClearKey only as
# KEYFORMAT="identity" (see drm_browser.sh).
. "$SV_SOURCE_DIR/tests/backend/backendlib.sh"
set -e
export SVSERVER_MASTER_KEY=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
export SVSERVER_TOKEN_SECRET=interop-codecs-test-secret-0123456789
export SVT_LOG=1
here="$SV_SOURCE_DIR/tests/interop"
for t in ffmpeg node; do
    command -v "$t" >/dev/null 2>&1 || fail "$t is missing: run scripts/install-deps.sh"
done
OPTS="--data $SV_DATA --ladder 144:150,180:250 --segment-seconds 2 --codecs h264,av1,hevc"
OPTS="$OPTS --log-level warn"

ffmpeg -nostdin -loglevel error -f lavfi -i testsrc2=size=320x180:rate=25 \
    -f lavfi -i "sine=frequency=440:sample_rate=48000" -t 4 \
    -c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -shortest "$SV_TMP/clip.mp4"
for s in clear cenc cbcs; do
    drm=""
    [ "$s" = clear ] || drm="--drm $s"
    # shellcheck disable=SC2086
    "$SVSERVER" ingest "$SV_TMP/clip.mp4" --title "Codecs $s" $drm $OPTS \
        >"$SV_TMP/ingest-$s.out" 2>"$SV_TMP/ingest.err" ||
        { cat "$SV_TMP/ingest.err" >&2; fail "svserver ingest --codecs h264,av1,hevc ($s)"; }
    echo "ok: ingested the $s set as title $(tail -n 1 "$SV_TMP/ingest-$s.out")"
done
sv_start
LIC="$SV_URL/api/v1/license"

# The codec strings svserver published, from the clear MPD.
T=$(tail -n 1 "$SV_TMP/ingest-clear.out")
curl -sf "$SV_URL/media/$T/manifest.mpd" -o "$SV_TMP/clear.mpd" || fail "GET manifest.mpd"
codec_of() { # prefix -> the first codecs="prefix..." of the MPD
    sed -n "s/.*codecs=\"\($1\.[^\"]*\)\".*/\1/p" "$SV_TMP/clear.mpd" | head -n 1
}
avc1=$(codec_of avc1) av01=$(codec_of av01) hvc1=$(codec_of hvc1)
[ -n "$avc1" ] && [ -n "$av01" ] && [ -n "$hvc1" ] ||
    fail "the MPD lacks a codec: avc1='$avc1' av01='$av01' hvc1='$hvc1'"
node "$here/mse_supported.js" "video/mp4; codecs=\"$avc1\"" "video/mp4; codecs=\"$av01\"" \
    "video/mp4; codecs=\"$hvc1\"" >"$SV_TMP/mse.txt" || fail "could not ask Chromium"
cat "$SV_TMP/mse.txt"
grep -q "^yes .*$avc1" "$SV_TMP/mse.txt" || fail "Chromium's MSE refuses $avc1"
grep -q "^yes .*$av01" "$SV_TMP/mse.txt" || fail "Chromium's MSE refuses $av01"
codecs="avc1 av01"
if grep -q "^yes .*$hvc1" "$SV_TMP/mse.txt"; then
    codecs="$codecs hvc1"
else
    echo "skip: HEVC not played: this Chromium's MediaSource.isTypeSupported says no to" \
        "video/mp4; codecs=\"$hvc1\" (no platform HEVC decoder in a GPU-less headless run)"
fi

played=0
play() { # set manifest codec
    pset=$1 pman=$2 pcodec=$3
    what="$pset $pman $pcodec"
    T=$(tail -n 1 "$SV_TMP/ingest-$pset.out")
    json="$SV_TMP/$pset-$pman-$pcodec.json"
    set -- --player shaka --url "$SV_URL/media/$T/$pman" --prefer-codec "$pcodec" --rate 4
    if [ "$pset" != clear ]; then
        TOK=$("$SVSERVER" token "$T" --ttl 600)
        set -- "$@" --license-url "$LIC" --token "$TOK"
    fi
    rc=0
    node "$here/browser_play.js" "$@" --json-out "$json" >/dev/null 2>"$SV_TMP/browser.err" || rc=$?
    [ -f "$json" ] || { cat "$SV_TMP/browser.err" >&2; fail "$what: browser_play.js wrote no summary"; }
    echo "== $what"
    node "$here/check_summary.js" "$json" --duration 4 --codec "$pcodec" ||
        { cat "$json" >&2; fail "$what: Shaka Player did not play it (exit $rc)"; }
    frames=$(node -e 'const s = require(process.argv[1]); console.log(s.decodedFrames)' "$json")
    expect_ge "$what: frames decoded by Chromium" "$frames" 95
    played=$((played + 1))
}
for c in $codecs; do
    play clear manifest.mpd "$c"
    play clear master.m3u8 "$c"
    play cenc manifest.mpd "$c"
    play cbcs manifest.mpd "$c"
done
echo "svserver_codecs: $played plays passed ($codecs)"
