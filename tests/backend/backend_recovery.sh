#!/bin/sh
# kill -9 during a transcode, then a restart: the catalog never shows a
# ready title with missing files, the interrupted job runs again to READY,
# the staging folder of the dead process is removed, and every file the
# playlists name exists. Needs the media library and ffmpeg.
. "$SV_SOURCE_DIR/tests/backend/backendlib.sh"

command -v ffmpeg >/dev/null 2>&1 || fail "ffmpeg is missing; run scripts/install-deps.sh"
# Long enough to be caught mid-transcode (a few seconds of work), small
# enough to stay quick: 12 s at 480x270, three rungs.
ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=480x270:rate=25 \
    -f lavfi -i sine=frequency=440:sample_rate=48000 -t 12 -c:v libx264 -preset ultrafast \
    -pix_fmt yuv420p -c:a aac -shortest "$SV_TMP/clip.mp4" || fail "ffmpeg could not make the clip"
# A 3 s job lease (default 30 s): with PostgreSQL the restarted server takes
# the dead process's job over once its lease has run out.
LADDER="--ladder 144:150,240:300,270:400 --segment-seconds 2 --preset medium --job-lease 3"

sv_start $LADDER --workers 1
sv_operator
req code -X POST -H "$OP_AUTH" -H 'Content-Type: video/mp4' --data-binary @"$SV_TMP/clip.mp4" \
    "$SV_URL/api/v1/titles?title=Crash+Test"
expect_eq "upload accepted" "$code" 202
job=$(json_get .job_id)
title=$(json_get .title_id)

# Wait until the transcode is under way, then kill -9.
i=0
while :; do
    req code "$SV_URL/api/v1/jobs/$job"
    [ "$(json_get .state)" = running ] && [ "$(json_get .stage)" = transcode ] && break
    [ "$(json_get .state)" = done ] && fail "the job finished before the kill; make the clip longer"
    i=$((i + 1))
    [ $i -le 300 ] || fail "the job did not start transcoding"
    sleep 0.05
done
ok "job $job running at $(json_get .percent) %"
kill -KILL "$SV_PID"
wait "$SV_PID" 2>/dev/null
SV_PID=""
ls "$SV_DATA/staging" | grep -q "^$title\." || fail "no staging folder left by the killed process"
[ ! -e "$SV_DATA/media/$title" ] || fail "a media folder appeared before the job finished"
ok "after kill -9: staging folder only, nothing published"

# Restart: recovery queues the job again and the worker finishes it.
sv_start $LADDER --workers 1
sv_operator
req code "$SV_URL/api/v1/titles/$title"
expect_eq "not ready after restart" "$(json_get .status)" processing
i=0
while :; do
    req code "$SV_URL/api/v1/jobs/$job"
    state=$(json_get .state)
    [ "$state" = done ] || [ "$state" = failed ] && break
    i=$((i + 1))
    [ $i -le 600 ] || fail "job $job still $state after 120 s"
    sleep 0.2
done
expect_eq "retried job" "$state $(json_get .attempts)" "done 2"
req code "$SV_URL/api/v1/titles/$title"
expect_eq "title ready" "$(json_get .status)" ready
[ -z "$(ls "$SV_DATA/staging")" ] || fail "stale staging folders: $(ls "$SV_DATA/staging")"
ok "staging is empty"
grep -q "removing stale staging folder" "$SV_TMP/server.err" || fail "no stale-staging log line"

# Every URI in every playlist exists and is served.
cd "$SV_DATA/media/$title" || fail "no media folder"
for pl in master.m3u8 video/*/index.m3u8 audio/index.m3u8; do
    dir=$(dirname "$pl")
    grep -v '^#' "$pl" | while read -r uri; do
        [ -n "$uri" ] && { [ -s "$dir/$uri" ] || fail "$pl names a missing file: $uri"; }
    done
    grep -o 'URI="[^"]*"' "$pl" | sed 's/URI="//; s/"$//' | while read -r uri; do
        [ -s "$dir/$uri" ] || fail "$pl names a missing file: $uri"
    done
done
ok "every playlist entry exists"
n=$(ls video/240p/seg-*.m4s | wc -l)
expect_eq "segments of 12 s at 2 s" "$n" 6
req code "$SV_URL/media/$title/video/240p/seg-6.m4s"
expect_eq "last segment served" "$code" 200
