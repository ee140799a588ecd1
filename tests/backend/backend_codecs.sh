#!/bin/sh
# AV1 and HEVC rungs through svserver: `svserver ingest --codecs
# h264,av1,hevc` encodes each rung in each codec; the catalog and the API
# list every rung with its codec string; the published master playlist and
# MPD name each codec; a codec that is not one is refused by `ingest` and by
# the server at start-up, naming it.
. "$SV_SOURCE_DIR/tests/backend/backendlib.sh"

command -v ffmpeg >/dev/null 2>&1 || fail "ffmpeg is missing; run scripts/install-deps.sh"
export SVT_LOG=1
ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x180:rate=25 -t 4 -c:v libx264 \
    -preset ultrafast -pix_fmt yuv420p "$SV_TMP/clip.mp4" || fail "ffmpeg could not make the clip"
COMMON="--segment-seconds 2 --preset ultrafast --data $SV_DATA --log-level warn"

"$SVSERVER" ingest "$SV_TMP/clip.mp4" --title "Three codecs" $COMMON --ladder 120:150,180:300 \
    --codecs h264,av1,hevc >"$SV_TMP/ingest.out" 2>"$SV_TMP/ingest.err" ||
    { cat "$SV_TMP/ingest.err" >&2; fail "svserver ingest --codecs failed"; }
id=$(tail -n 1 "$SV_TMP/ingest.out")

rc=0
"$SVSERVER" ingest "$SV_TMP/clip.mp4" --title "Bad" $COMMON --codecs h264,vp9 \
    >/dev/null 2>"$SV_TMP/bad.err" || rc=$?
expect_eq "ingest with a bad codec: exit status" "$rc" 2
grep -q "'vp9' is not a codec" "$SV_TMP/bad.err" || fail "bad codec message: $(cat "$SV_TMP/bad.err")"

pyj() {
    python3 -c "import json, sys; d = json.load(open(sys.argv[1])); print($1)" "$SV_TMP/body"
}
sv_start
req code "$SV_URL/api/v1/titles/$id"
expect_eq "title" "$code" 200
names=$(pyj '" ".join(sorted(r["name"] + "=" + r["codecs"][:4] for r in d["renditions"] if r["kind"] == "video"))')
expect_eq "renditions by codec" "$names" \
    "120p-av1=av01 120p-hevc=hvc1 120p=avc1 180p-av1=av01 180p-hevc=hvc1 180p=avc1"
req code "$SV_URL/media/$id/master.m3u8"
expect_eq "master playlist" "$code" 200
for c in avc1 hvc1 av01; do
    n=$(grep -c "^#EXT-X-STREAM-INF:.*CODECS=\"$c\." "$SV_TMP/body" || true)
    expect_eq "$c variants" "$n" 2
done
req code "$SV_URL/media/$id/manifest.mpd"
n=$(grep '<AdaptationSet [^>]*contentType="video"' "$SV_TMP/body" | grep -vc 'codingDependency="false"' || true)
expect_eq "video AdaptationSets" "$n" 3
n=$(grep -c 'schemeIdUri="http://dashif.org/guidelines/trickmode"' "$SV_TMP/body" || true)
expect_eq "trick-mode AdaptationSets (one per codec)" "$n" 3
sv_stop

# The server refuses to start with a codec it does not know.
rc=0
"$SVSERVER" --listen 127.0.0.1:0 --data "$SV_DATA" --codecs h264,h266 \
    >"$SV_TMP/start.out" 2>"$SV_TMP/start.err" || rc=$?
[ "$rc" -ne 0 ] || fail "svserver started with --codecs h264,h266"
grep -q "'h266' is not a codec" "$SV_TMP/start.err" || fail "start-up message: $(cat "$SV_TMP/start.err")"
echo "backend_codecs: ok"
