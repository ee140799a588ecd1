#!/bin/sh
# Ingest end to end with the real media library: `svserver ingest` on the
# command line and POST /api/v1/titles over HTTP, job states and progress,
# the title JSON, serving the published ladder, catalog listing, genre filter,
# search with a typo ("strnger"), a non-video upload ending as a FAILED job
# while the server keeps serving, and the metrics that follow.
. "$SV_SOURCE_DIR/tests/backend/backendlib.sh"

command -v ffmpeg >/dev/null 2>&1 || fail "ffmpeg is missing; run scripts/install-deps.sh"
# Small and short: two rungs of 2 s segments over a 4 s clip.
ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x240:rate=25 \
    -f lavfi -i sine=frequency=440:sample_rate=48000 -t 4 -c:v libx264 -preset ultrafast \
    -pix_fmt yuv420p -c:a aac -shortest "$SV_TMP/clip.mp4" || fail "ffmpeg could not make the clip"
LADDER="--ladder 144:150,240:300 --segment-seconds 2 --preset ultrafast"

# --- the command line ---------------------------------------------------------
"$SVSERVER" ingest "$SV_TMP/clip.mp4" --title "Stranger Things" --genre Drama --genre SciFi \
    --synopsis "Kids and a lab" --data "$SV_DATA" $LADDER --log-level warn >"$SV_TMP/cli.out" \
    2>"$SV_TMP/cli.err" || { cat "$SV_TMP/cli.err" >&2; fail "svserver ingest failed"; }
cli_id=$(tail -n 1 "$SV_TMP/cli.out")
expect_eq "ingest prints the title id last" "$cli_id" 1
[ -f "$SV_DATA/media/1/master.m3u8" ] || fail "no master.m3u8 after ingest"
rc=0
"$SVSERVER" ingest "$SV_TMP/none.mp4" --title X --data "$SV_DATA" 2>/dev/null || rc=$?
expect_eq "ingest of a missing file" "$rc" 2

sv_start $LADDER --workers 1
sv_operator

# --- POST upload ----------------------------------------------------------------
req code -X POST -H "$OP_AUTH" -H 'Content-Type: video/mp4' --data-binary @"$SV_TMP/clip.mp4" \
    "$SV_URL/api/v1/titles?title=The+Crown&genre=Drama&genre=History&synopsis=Queens"
expect_eq "upload accepted" "$code" 202
job=$(json_get .job_id)
title=$(json_get .title_id)
expect_eq "title id" "$title" 2
expect_eq "Location" "$(header Location)" "/api/v1/jobs/$job"

# Poll the job (bounded: 60 s).
i=0
state=""
while :; do
    req code "$SV_URL/api/v1/jobs/$job"
    state=$(json_get .state)
    [ "$state" = done ] || [ "$state" = failed ] && break
    i=$((i + 1))
    [ $i -le 300 ] || fail "job $job still $state after 60 s"
    sleep 0.2
done
expect_eq "job state" "$state" done
expect_eq "job percent" "$(json_get .percent)" 100.0
[ -z "$(ls "$SV_DATA/uploads")" ] || fail "the upload was not removed"
[ -z "$(ls "$SV_DATA/staging")" ] || fail "staging is not empty"

req code "$SV_URL/api/v1/titles/$title"
expect_eq "title ready" "$code $(json_get .status)" "200 ready"
expect_eq "hls url" "$(json_get .manifests.hls)" "/media/$title/master.m3u8"
expect_eq "dash url" "$(json_get .manifests.dash)" "/media/$title/manifest.mpd"
expect_eq "genres" "$(json_get .genres)" '["Drama","History"]'
expect_eq "renditions" "$(json_get .renditions[0].kind) $(json_get .renditions[1].name) $(json_get .renditions[2].kind)" \
    "video 240p audio"
expect_ge "duration" "$(json_get .duration)" 3.5
thumb=$(json_get .thumbnails.urls[0])
req code "$SV_URL$thumb"
expect_eq "thumbnail" "$code $(header Content-Type)" "200 image/jpeg"
# The poster: its URL in the title, a JPEG from the route; the list's items too.
req code "$SV_URL/api/v1/titles/$title"
expect_eq "poster url" "$(json_get .poster_url)" "/api/v1/titles/$title/poster"
req code "$SV_URL/api/v1/titles/$title/poster"
expect_eq "poster" "$code $(header Content-Type)" "200 image/jpeg"
if command -v ffprobe >/dev/null 2>&1; then
    expect_eq "poster decodes as a JPEG" \
        "$(ffprobe -v error -show_entries stream=codec_name -of csv=p=0 "$SV_TMP/body")" mjpeg
fi
req code "$SV_URL/api/v1/titles"
expect_eq "poster url in the list" "$(json_get .items[0].poster_url)" "/api/v1/titles/$title/poster"
req code "$SV_URL/api/v1/titles/999999/poster"
expect_eq "poster of no title" "$code $(json_get .error.code)" "404 not_found"
# The seek thumbnail tiles and their image playlist.
req code "$SV_URL/media/$title/thumbs/tile-1.jpg"
expect_eq "thumbnail tile" "$code $(header Content-Type)" "200 image/jpeg"
req code "$SV_URL/media/$title/thumbs/images.m3u8"
expect_eq "image playlist" "$code $(header Content-Type)" "200 application/vnd.apple.mpegurl"
expect_contains "image playlist tiles" "$(cat "$SV_TMP/body")" "#EXT-X-TILES:RESOLUTION=160x"

# --- the published files over HTTP ---------------------------------------------
req code "$SV_URL/media/$title/master.m3u8"
expect_eq "master playlist" "$code $(header Content-Type)" "200 application/vnd.apple.mpegurl"
expect_contains "master lists 240p" "$(cat "$SV_TMP/body")" "video/240p/index.m3u8"
req code "$SV_URL/media/$title/manifest.mpd"
expect_eq "MPD" "$code $(header Content-Type)" "200 application/dash+xml"
req code "$SV_URL/media/$title/video/240p/seg-1.m4s"
expect_eq "video segment" "$code $(header Content-Type)" "200 video/mp4"
req code "$SV_URL/media/$title/audio/seg-1.m4s"
expect_eq "audio segment" "$code $(header Content-Type)" "200 audio/mp4"
if command -v ffprobe >/dev/null 2>&1; then
    n=$(ffprobe -v error -show_entries stream=codec_type -of csv=p=0 "$SV_URL/media/$title/master.m3u8" |
        grep -c video)
    expect_ge "ffprobe sees the video rungs over HTTP" "$n" 2
fi

# --- catalog: listing, paging, genre, search -------------------------------------
req code "$SV_URL/api/v1/titles"
expect_eq "list" "$(json_get .total) $(json_get .items[0].title)" "2 The Crown"
req code "$SV_URL/api/v1/titles?limit=1&offset=1"
expect_eq "paging" "$(json_get .total) $(json_get .items[0].title) $(json_get .items[1])" \
    "2 Stranger Things null"
req code "$SV_URL/api/v1/titles?genre=scifi"
expect_eq "genre filter" "$(json_get .total) $(json_get .items[0].id)" "1 1"
req code "$SV_URL/api/v1/titles?q=strnger"
expect_eq "typo search" "$code $(json_get .total) $(json_get .items[0].title)" "200 1 Stranger Things"
req code "$SV_URL/api/v1/titles?q=crow"
expect_eq "substring search" "$(json_get .items[0].title)" "The Crown"
req code -X PATCH -H "$OP_AUTH" -H 'Content-Type: application/json' \
    --data-binary '{"synopsis":"Four seasons","genres":["Drama"]}' "$SV_URL/api/v1/titles/$title"
expect_eq "PATCH" "$code $(json_get .synopsis) $(json_get .genres)" '200 Four seasons ["Drama"]'

# --- bad input: a text file fails with a reason; serving goes on -------------------
printf 'this is not a video\n' >"$SV_TMP/text.mp4"
req code -X POST -H "$OP_AUTH" -H 'Content-Type: video/mp4' --data-binary @"$SV_TMP/text.mp4" \
    "$SV_URL/api/v1/titles?title=Broken"
expect_eq "bad upload accepted" "$code" 202
bad=$(json_get .job_id)
i=0
while :; do
    req code "$SV_URL/api/v1/jobs/$bad"
    state=$(json_get .state)
    [ "$state" = failed ] || [ "$state" = done ] && break
    i=$((i + 1))
    [ $i -le 100 ] || fail "bad job still $state"
    sleep 0.1
done
expect_eq "bad upload job" "$state" failed
err=$(json_get .error)
[ -n "$err" ] && [ "$err" != null ] || fail "the failed job has no reason"
ok "failure reason: $err"
req code "$SV_URL/api/v1/titles/$(json_get .title_id)"
expect_eq "failed title" "$(json_get .status)" failed
req code "$SV_URL/api/v1/titles?status=all"
expect_eq "all states listed" "$(json_get .total)" 3
req code "$SV_URL/media/$title/master.m3u8"
expect_eq "still serving" "$code" 200

# --- metrics ---------------------------------------------------------------------------
expect_eq "jobs done" "$(metric 'svserver_jobs{state="done"}')" 2
expect_eq "jobs failed" "$(metric 'svserver_jobs{state="failed"}')" 1
expect_eq "transcodes ok" "$(metric 'svserver_transcodes_total{result="ok"}')" 1
expect_ge "transcode seconds" "$(metric svserver_transcode_seconds_total)" 0.001
expect_ge "ingest route counted" "$(metric 'svserver_http_requests_total{route="titles_ingest",status="202"}')" 2
