#!/bin/sh
# cdn_fixture.sh - fixture set-up of the multi-CDN tests (CTest fixture
# player_cdn_title): a 70 s 320x180 lavfi clip with audio, ingested by
# `svserver ingest` (one rung 180:800, 2 s segments: the failover checks
# need the length and the segment sizes of 800 kb/s, not the picture size) into
# $SV_BUILD_DIR/tests/player_cdn/title/data, made afresh on every run so
# that it is always the current packager's output. The tests copy that data
# folder (cdn_title in cdnlib.sh) instead of each encoding and ingesting a
# clip of its own. Writes the title id to .../title/id and its length in
# seconds to .../title/seconds.
set -eu
: "${SV_BUILD_DIR:?run through ctest (SV_BUILD_DIR unset)}"
SVSERVER="$SV_BUILD_DIR/apps/svserver/svserver"
SECONDS_LONG=70
out="$SV_BUILD_DIR/tests/player_cdn/title"
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
[ -x "$SVSERVER" ] || fail "$SVSERVER not built"
command -v ffmpeg >/dev/null 2>&1 || fail "ffmpeg is missing; run scripts/install-deps.sh"

rm -rf "$out"
mkdir -p "$out"
ffmpeg -nostdin -v error -f lavfi -i "testsrc2=size=320x180:rate=25" \
    -f lavfi -i "sine=frequency=440:sample_rate=48000" -t "$SECONDS_LONG" -c:v libx264 \
    -preset ultrafast -g 50 -pix_fmt yuv420p -c:a aac -shortest "$out/clip.mp4" ||
    fail "ffmpeg could not make the clip"
"$SVSERVER" ingest "$out/clip.mp4" --title "CDN test" --data "$out/data" --ladder 180:800 \
    --segment-seconds 2 --preset ultrafast --log-level warn >"$out/ingest.out" \
    2>"$out/ingest.err" || { cat "$out/ingest.err" >&2; fail "svserver ingest failed"; }
id=$(tail -n 1 "$out/ingest.out")
[ -f "$out/data/media/$id/master.m3u8" ] || fail "no master.m3u8 for title '$id' after the ingest"
rm -f "$out/clip.mp4"
echo "$SECONDS_LONG" >"$out/seconds"
echo "$id" >"$out/id"
echo "ok: title $id, $SECONDS_LONG s, in $out/data"
