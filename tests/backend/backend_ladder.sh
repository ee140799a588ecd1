#!/bin/sh
# Per-title ladders through svserver: `svserver ingest --ladder auto:...`
# probes the upload, encodes the ladder it chose and records how; the API
# serves the record (GET /api/v1/titles/{id}/ladder) and its plot
# (ladder.svg); a title encoded with a fixed ladder says so; an unknown title
# is a 404; the published renditions are the chosen rungs.
. "$SV_SOURCE_DIR/tests/backend/backendlib.sh"

command -v ffmpeg >/dev/null 2>&1 || fail "ffmpeg is missing; run scripts/install-deps.sh"
# 6 s of 640x360: long enough to probe (one window), small enough to be quick.
ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=640x360:rate=25 -t 6 -c:v libx264 \
    -preset ultrafast -crf 10 -pix_fmt yuv420p "$SV_TMP/clip.mp4" || fail "ffmpeg could not make the clip"
COMMON="--segment-seconds 2 --preset ultrafast --data $SV_DATA --log-level warn"

"$SVSERVER" ingest "$SV_TMP/clip.mp4" --title "Per title" $COMMON \
    --ladder auto:180:150,240:300,360:800 >"$SV_TMP/auto.out" 2>"$SV_TMP/auto.err" ||
    { cat "$SV_TMP/auto.err" >&2; fail "svserver ingest --ladder auto failed"; }
auto=$(tail -n 1 "$SV_TMP/auto.out")
"$SVSERVER" ingest "$SV_TMP/clip.mp4" --title "Fixed" $COMMON --ladder 180:150,240:300 \
    >"$SV_TMP/fixed.out" 2>&1 || fail "svserver ingest --ladder (fixed) failed"
fixed=$(tail -n 1 "$SV_TMP/fixed.out")
"$SVSERVER" ingest "$SV_TMP/clip.mp4" --title "Per title, two codecs" $COMMON --codecs h264,hevc \
    --ladder auto:180:150,240:300,360:800 >"$SV_TMP/hevc.out" 2>"$SV_TMP/hevc.err" ||
    { cat "$SV_TMP/hevc.err" >&2; fail "svserver ingest --ladder auto --codecs h264,hevc failed"; }
hevc=$(tail -n 1 "$SV_TMP/hevc.out")

# pyj EXPR - a Python expression over the last JSON body (d).
pyj() {
    python3 -c "import json, sys; d = json.load(open(sys.argv[1])); print($1)" "$SV_TMP/body"
}

sv_start
req code "$SV_URL/api/v1/titles/$auto/ladder"
expect_eq "ladder record" "$code $(json_get .per_title)" "200 true"
nb_points=$(pyj 'len(d["points"])')
nb_chosen=$(pyj 'len(d["chosen"])')
[ "$nb_points" -ge 6 ] || fail "only $nb_points probe points"
[ "$nb_chosen" -ge 1 ] && [ "$nb_chosen" -le 3 ] || fail "$nb_chosen rungs chosen from a 3-rung template"
expect_eq "measured at the tallest rung" "$(json_get .display_height)" 360
expect_eq "one probe window for 6 s" "$(json_get .windows)" 1
expect_eq "points on the hull" "$(pyj 'any(p["on_hull"] for p in d["points"])')" True
# Every chosen rung is a published rendition, and nothing else is.
chosen=$(pyj '" ".join("%dp:%d" % (c["height"], c["kbps"]) for c in d["chosen"])')
req code "$SV_URL/api/v1/titles/$auto"
published=$(pyj 'len([r for r in d["renditions"] if r["kind"] == "video"])')
expect_eq "renditions are the chosen rungs" "$published" "$nb_chosen"
echo "chosen: $chosen"

req code "$SV_URL/api/v1/titles/$auto/ladder.svg"
expect_eq "plot" "$code $(header Content-Type)" "200 image/svg+xml"
grep -q '<svg' "$SV_TMP/body" || fail "the plot is not SVG"
grep -q '<polyline' "$SV_TMP/body" || fail "the plot has no curve"

# HEVC's share of the rate is measured per title: probe points in HEVC at
# the reference rung (240p, the middle of three), a share in the record,
# and an HEVC rendition per chosen rung.
req code "$SV_URL/api/v1/titles/$hevc/ladder"
expect_eq "two-codec record" "$code $(json_get .per_title)" "200 true"
share=$(pyj 'd["codec_percent"]["hevc"]')
[ "$share" -ge 30 ] && [ "$share" -le 100 ] || fail "HEVC share $share is not 30..100"
expect_eq "HEVC probe points at the reference height" \
    "$(pyj 'sorted(set((p["height"], p["target_kbps"]) for p in d["points"] if p["codec"] == "hevc"))')" \
    "[(240, 105), (240, 150), (240, 210), (240, 300)]"
nb_chosen2=$(pyj 'len(d["chosen"])')
req code "$SV_URL/api/v1/titles/$hevc"
expect_eq "an HEVC rendition per chosen rung" \
    "$(pyj 'len([r for r in d["renditions"] if r["kind"] == "video" and r["codecs"].startswith("hvc1")])')" \
    "$nb_chosen2"
echo "hevc share: $share %"

req code "$SV_URL/api/v1/titles/$fixed/ladder"
expect_eq "fixed ladder" "$code $(json_get .per_title)" "200 false"
req code "$SV_URL/api/v1/titles/999/ladder"
expect_eq "unknown title" "$code" 404
req code "$SV_URL/api/v1/titles/abc/ladder.svg"
expect_eq "bad id" "$code" 404
echo "backend_ladder: ok"
