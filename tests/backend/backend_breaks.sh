#!/bin/sh
# Ad breaks through svserver (issue 19, item 3): an admin places breaks on a
# title (POST /api/v1/titles/{id}/breaks), lists them, removes one; bad
# requests are refused with the rule they broke; each change is in the
# catalog and in both manifests (HLS EXT-X-DATERANGE with CLASS and
# SCTE35-OUT in every media playlist, DASH EventStream with SCTE-35); then
# svplay plays the title in real time over HLS and over DASH and reports
# each break once, at its media time, at the frame that covers it.
. "$SV_SOURCE_DIR/tests/backend/backendlib.sh"

command -v ffmpeg >/dev/null 2>&1 || fail "ffmpeg is missing; run scripts/install-deps.sh"
SVPLAY="$SV_BUILD_DIR/apps/svplay/svplay"
[ -x "$SVPLAY" ] || fail "svplay is not built"
ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x240:rate=25 -f lavfi -i sine=r=48000 \
    -t 10 -c:v libx264 -preset ultrafast -c:a aac -pix_fmt yuv420p "$SV_TMP/clip.mp4" ||
    fail "ffmpeg could not make the clip"
"$SVSERVER" ingest "$SV_TMP/clip.mp4" --title "With breaks" --segment-seconds 2 \
    --preset ultrafast --data "$SV_DATA" --log-level warn >"$SV_TMP/ingest.out" \
    2>"$SV_TMP/ingest.err" || { cat "$SV_TMP/ingest.err" >&2; fail "svserver ingest failed"; }
id=$(tail -n 1 "$SV_TMP/ingest.out")
dir="$SV_DATA/media/$id"

sv_start
sv_user sv-admin admin
ADMIN="Authorization: Bearer $(sv_token sv-admin)"
sv_operator
B="$SV_URL/api/v1/titles/$id/breaks"
J='Content-Type: application/json'

req code -X POST -H "$J" -d '{"at_s":3.2,"duration_s":2}' "$B"
expect_eq "no token" "$code" 401
req code -X POST -H "$J" -H "$OP_AUTH" -d '{"at_s":3.2,"duration_s":2}' "$B"
expect_eq "an operator may not place breaks" "$code" 403
req code -X POST -H "$J" -H "$ADMIN" -d '{"at_s":3.2,"duration_s":2}' "$B"
expect_eq "break placed" "$code" 201
b1=$(json_get .id)
expect_eq "its class" "$(json_get .class)" com.streamverse.ad-break
req code -X POST -H "$J" -H "$ADMIN" -d '{"at_s":6,"duration_s":1.5,"class":"com.example.slot"}' "$B"
expect_eq "second break" "$code" 201
b2=$(json_get .id)
req code -X POST -H "$J" -H "$ADMIN" -d '{"at_s":4,"duration_s":1}' "$B"
expect_eq "overlap refused" "$code $(json_get .error.code)" "409 break_overlaps"
expect_contains "overlap names the break" "$(json_get .error.message)" "overlaps break $b1"
req code -X POST -H "$J" -H "$ADMIN" -d '{"at_s":12,"duration_s":1}' "$B"
expect_eq "past the end refused" "$code" 400
expect_contains "past the end says why" "$(json_get .error.message)" "at_s 12.000 is outside the title"
req code -X POST -H "$J" -H "$ADMIN" -d '{"at_s":1,"duration_s":0}' "$B"
expect_contains "zero duration refused" "$code $(json_get .error.message)" "400 duration_s 0.000"
req code -X POST -H "$J" -H "$ADMIN" -d '{"at_s":1,"duration_s":1,"slot":2}' "$B"
expect_contains "unknown field refused" "$code $(json_get .error.message)" "400 unknown field \"slot\""
req code -X POST -H "$J" -H "$ADMIN" -d '{"at_s":1,"duration_s":1,"class":"a b"}' "$B"
expect_eq "bad class refused" "$code" 400
req code -X POST -H "$J" -H "$ADMIN" -d '{"at_s":1,"duration_s":1}' "$SV_URL/api/v1/titles/999/breaks"
expect_eq "unknown title" "$code" 404

req code "$B"
expect_eq "list" "$code $(json_get '.breaks[0].id') $(json_get '.breaks[1].at_s')" "200 $b1 6.0"
expect_eq "catalog rows" "$(catalog_sql "SELECT count(*) FROM ad_breaks WHERE title_id = $id")" 2

# The manifests: every media playlist of the master, and the MPD.
# (The I-frame playlists too; the thumbnails' image playlist has no breaks.)
lists=$(grep -v '^#' "$dir/master.m3u8"
        grep -v '^#EXT-X-IMAGE-STREAM-INF:' "$dir/master.m3u8" | sed -n 's/.*URI="\([^"]*\)".*/\1/p')
[ -n "$lists" ] || fail "no media playlist in master.m3u8"
for l in $lists; do
    expect_eq "$l: two DATERANGE tags" "$(grep -c '^#EXT-X-DATERANGE:ID="sv-break-' "$dir/$l")" 2
    grep -q "^#EXT-X-DATERANGE:ID=\"sv-break-$b1\",CLASS=\"com.streamverse.ad-break\",START-DATE=\"2000-01-01T00:00:03.200Z\",DURATION=2.000,PLANNED-DURATION=2.000,SCTE35-OUT=0xFC30" "$dir/$l" ||
        fail "$l: the first break's tag is not as written: $(grep DATERANGE "$dir/$l" | head -n 1)"
    expect_eq "$l: one program date" "$(grep -c '^#EXT-X-PROGRAM-DATE-TIME:2000-01-01T00:00:00.000Z' "$dir/$l")" 1
done
expect_eq "MPD: one EventStream" "$(grep -c 'schemeIdUri="urn:scte:scte35:2013:bin" value="streamverse-breaks"' "$dir/manifest.mpd")" 1
grep -q "<Event presentationTime=\"288000\" duration=\"180000\" id=\"$b1\">/DA" "$dir/manifest.mpd" ||
    fail "MPD: the first break's Event is not as written"

req code -X DELETE -H "$ADMIN" "$B/$b2"
expect_eq "break removed" "$code" 204
req code -X DELETE -H "$ADMIN" "$B/$b2"
expect_eq "removed twice" "$code" 404
for l in $lists; do
    expect_eq "$l: one tag left" "$(grep -c '^#EXT-X-DATERANGE' "$dir/$l")" 1
done
expect_eq "MPD: one Event left" "$(grep -c '<Event ' "$dir/manifest.mpd")" 1
req code -X POST -H "$J" -H "$ADMIN" -d '{"at_s":6,"duration_s":1.5,"class":"com.example.slot"}' "$B"
expect_eq "placed again" "$code" 201
b2=$(json_get .id)

# Real-time playback, both formats at once: each break once, in order, at
# the frame covering its start (25 fps), with its SCTE-35 splice_insert.
for f in master.m3u8 manifest.mpd; do
    timeout -k 5 60 "$SVPLAY" --headless --events "$SV_TMP/$f.jsonl" --stats "$SV_TMP/$f.json" \
        "$SV_URL/media/$id/$f" >"$SV_TMP/$f.out" 2>"$SV_TMP/$f.err" &
    echo $! >"$SV_TMP/$f.pid"
done
for f in master.m3u8 manifest.mpd; do
    wait "$(cat "$SV_TMP/$f.pid")" || { cat "$SV_TMP/$f.err" >&2; fail "svplay $f failed"; }
    got=$(awk '{
        match($0, /"id":"[^"]*"/); i = substr($0, RSTART + 6, RLENGTH - 7)
        match($0, /"start_s":[^,]*/); s = substr($0, RSTART + 10, RLENGTH - 10) + 0
        match($0, /"reported_at_s":[^,]*/); r = substr($0, RSTART + 16, RLENGTH - 16) + 0
        match($0, /"event_id":[0-9]*/); e = substr($0, RSTART + 11, RLENGTH - 11)
        match($0, /"command":"[a-z_]*"/); c = substr($0, RSTART + 11, RLENGTH - 12)
        ok = r <= s + 1e-6 && s < r + 0.04 + 1e-6
        printf "%s@%.3f/%s/%s/%s ", i, s, e, c, ok ? "on-frame" : "off-frame:" r
    }' "$SV_TMP/$f.jsonl")
    case $f in
    *.m3u8) want="sv-break-$b1@3.200/$b1/splice_insert/on-frame sv-break-$b2@6.000/$b2/splice_insert/on-frame " ;;
    *) want="$b1@3.200/$b1/splice_insert/on-frame $b2@6.000/$b2/splice_insert/on-frame " ;;
    esac
    expect_eq "$f: the breaks reported at their media time" "$got" "$want"
    # Real time: the second came as long after the first as the media says.
    gap=$(awk '{ match($0, /"elapsed_s":[^,]*/); t[NR] = substr($0, RSTART + 12, RLENGTH - 12) + 0 }
               END { d = (t[2] - t[1]) - 2.8; printf "%.3f", d < 0 ? -d : d }' "$SV_TMP/$f.jsonl")
    awk -v g="$gap" 'BEGIN { exit !(g <= 0.1) }' ||
        fail "$f: the second break came $gap s off the 2.8 s after the first"
    ok "$f: the second break came 2.8 s after the first, within $gap s"
    expect_eq "$f: no frame dropped" "$("$RAWCLIENT" json "$SV_TMP/$f.json" .dropped_frames)" 0
done
echo "backend_breaks: ok"
