#!/bin/sh
# Transcode workers (issue 14, item 3): an API node with --workers 0 and two
# `svserver worker` processes on one data folder and catalog (SQLite here,
# PostgreSQL as pg_backend_workers).
#   - an upload waits for a worker, which claims it within the poll interval;
#   - kill -9 of the worker mid-transcode: nothing is published, its lease
#     (job-lease 3 s) runs out, the other worker takes the job over, removes
#     the dead one's staging folder and finishes: the title is READY with the
#     same segment count and durations as an uninterrupted run of the clip;
#   - SIGTERM of a worker mid-transcode: it exits 0 within seconds, the job
#     is queued again at once (that attempt not counted), nothing partial in
#     media/ or staging/, and another worker finishes it;
#   - a job whose worker dies max-attempts (3) times ends FAILED with "the
#     worker died 3 times; giving up", its title failed, its upload removed.
. "$SV_SOURCE_DIR/tests/backend/backendlib.sh"

# Ladder, lease and attempts are the workers' settings; the API node takes
# the same so that its recovery agrees. x264 veryfast: a transcode still
# lasts seconds (the kills land within 50 ms of its start) at half the CPU
# of medium.
SETTINGS="--ladder 144:150,240:300,270:400 --segment-seconds 2 --preset veryfast --job-lease 3
    --max-attempts 3"
. "$SV_SOURCE_DIR/tests/backend_workers/workerslib.sh"

# wait_transcoding JOB ATTEMPT - until the job runs its ATTEMPT-th claim and
# is transcoding; sets HOLDER to the pid of the worker that holds it.
wait_transcoding() {
    _i=0
    while :; do
        req code "$SV_URL/api/v1/jobs/$1"
        [ "$(json_get .state) $(json_get .attempts) $(json_get .stage)" = "running $2 transcode" ] &&
            break
        [ "$(json_get .state)" = done ] && wfail "job $1 finished before the kill; make the clip longer"
        _i=$((_i + 1))
        [ $_i -le 600 ] || wfail "job $1 did not start transcoding (attempt $2): $(cat "$SV_TMP/body")"
        sleep 0.05
    done
    HOLDER=$(cat "$SV_TMP"/[wd]*.err | sed -n "s/.*job $1 (title [0-9]*, attempt $2) on [^:]*:\([0-9]*\):.*/\1/p" |
        tail -n 1)
    [ -n "$HOLDER" ] || wfail "no worker logged the claim of job $1, attempt $2"
}

# playlist_shape TITLE - per variant playlist: its name, segment count and
# every #EXTINF duration, one line each.
playlist_shape() {
    (cd "$SV_DATA/media/$1" && for pl in video/*/index.m3u8 audio/index.m3u8; do
        printf '%s %s %s\n' "$pl" "$(grep -c '^#EXTINF' "$pl")" \
            "$(grep '^#EXTINF' "$pl" | tr -d '\n')"
    done)
}

# A catalog that cannot be reached: a clear message and exit status 2.
rc=0
"$SVSERVER" worker --db postgresql://nobody@127.0.0.1:1/none --data "$SV_TMP/nodata" \
    >/dev/null 2>"$SV_TMP/nodb.err" || rc=$?
expect_eq "worker with an unreachable --db: exit status" "$rc" 2
expect_contains "its message" "$(cat "$SV_TMP/nodb.err")" "cannot connect to the PostgreSQL catalog"
rc=0
"$SVSERVER" worker --db mysql://x --data "$SV_TMP/nodata" >/dev/null 2>"$SV_TMP/nodb.err" || rc=$?
expect_eq "worker with a --db that is no URL: exit status" "$rc" 2
rc=0
"$SVSERVER" --db postgresql://nobody@127.0.0.1:1/none --data "$SV_TMP/nodata" \
    --listen 127.0.0.1:0 >/dev/null 2>"$SV_TMP/nodb.err" || rc=$?
expect_eq "an API node with an unreachable --db: exit status" "$rc" 2
expect_contains "its message" "$(cat "$SV_TMP/nodb.err")" "cannot connect to the PostgreSQL catalog"
rc=0
"$SVSERVER" worker --workers 0 --data "$SV_TMP/nodata" >/dev/null 2>"$SV_TMP/nodb.err" || rc=$?
expect_eq "worker with --workers 0: exit status" "$rc" 2

# shellcheck disable=SC2086
sv_start $SETTINGS --workers 0
sv_operator
worker_start w1
worker_start w2
ok "API node with --workers 0, workers w1 ($W_w1) and w2 ($W_w2)"

# ---- kill -9 mid-transcode ----------------------------------------------------
upload Killed
killed_job=$JOB
killed_title=$TITLE
wait_transcoding "$killed_job" 1
victim=$HOLDER
[ "$victim" = "$W_w1" ] && survivor=$W_w2 || survivor=$W_w1
ls "$SV_DATA/staging" | grep -q "^$killed_title\.1@.*:$victim\$" ||
    wfail "no staging folder <title>.<attempt>@<host>:<pid> for the claim: $(ls "$SV_DATA/staging")"
kill -KILL "$victim"
t_kill=$(now)
wait "$victim" 2>/dev/null
ok "worker $victim killed with -9 while transcoding job $killed_job"
[ ! -e "$SV_DATA/media/$killed_title" ] || wfail "a media folder appeared for the killed job"
req code "$SV_URL/api/v1/titles/$killed_title"
expect_eq "title after the kill" "$(json_get .status)" processing

wait_transcoding "$killed_job" 2
expect_eq "the job's taker" "$HOLDER" "$survivor"
t_taken=$(since "$t_kill")
ok "worker $survivor took job $killed_job over $t_taken s after the kill (lease 3 s, poll 1 s)"
wait_end "$killed_job"
expect_eq "job taken over" "$STATE $(json_get .attempts)" "done 2"
ok "killed job ready $(since "$t_kill") s after the kill"
req code "$SV_URL/api/v1/titles/$killed_title"
expect_eq "title after the takeover" "$(json_get .status)" ready
grep -q "removing the staging folder of an earlier claim: .*/$killed_title\.1@" "$SV_TMP"/w*.err ||
    wfail "the taker did not remove the dead worker's staging folder"
expect_eq "staging after the takeover" "$(ls "$SV_DATA/staging")" ""
complete "$killed_title"
ok "every playlist entry of title $killed_title exists"

# ---- the same clip uninterrupted -------------------------------------------------
upload Uninterrupted
wait_end "$JOB"
expect_eq "uninterrupted job" "$STATE $(json_get .attempts)" "done 1"
ref_title=$TITLE
playlist_shape "$ref_title" >"$SV_TMP/ref.shape"
playlist_shape "$killed_title" >"$SV_TMP/killed.shape"
expect_eq "variant playlists" "$(wc -l <"$SV_TMP/ref.shape")" 4
cmp -s "$SV_TMP/ref.shape" "$SV_TMP/killed.shape" ||
    { diff "$SV_TMP/ref.shape" "$SV_TMP/killed.shape" >&2; wfail "segment counts or durations differ"; }
ok "same segment counts and durations as the uninterrupted run: $(cut -d' ' -f1,2 "$SV_TMP/ref.shape" | tr '\n' ' ')"
if command -v ffprobe >/dev/null 2>&1; then
    for t in "$ref_title" "$killed_title"; do
        ffprobe -v error -show_entries format=duration -of csv=p=0 \
            "$SV_DATA/media/$t/video/240p/index.m3u8" >"$SV_TMP/dur.$t" ||
            wfail "ffprobe cannot read title $t"
    done
    expect_eq "ffprobe duration of 240p, killed vs uninterrupted" \
        "$(cat "$SV_TMP/dur.$killed_title")" "$(cat "$SV_TMP/dur.$ref_title")"
fi

# ---- SIGTERM mid-transcode ----------------------------------------------------------
worker_start w3
upload Stopped
wait_transcoding "$JOB" 1
stopped=$HOLDER
t0=$(now)
kill -TERM "$stopped"
rc=0
wait "$stopped" || rc=$?
expect_eq "worker exit status after SIGTERM" "$rc" 0
t_stop=$(since "$t0")
expect_ge "SIGTERM handled within 5 s (5 - seconds taken)" \
    "$(awk -v t="$t_stop" 'BEGIN { print 5 - t }')" 0
grep -q "job $JOB cancelled; queued again" "$SV_TMP"/w*.err || wfail "no requeue log line"
[ ! -e "$SV_DATA/media/$TITLE" ] || wfail "the stopped job published a media folder"
ls "$SV_DATA/staging" | grep -q "@.*:$stopped\$" && wfail "the stopped worker left its staging folder"
ok "stopped in $t_stop s: no media folder, no staging folder"
wait_end "$JOB"
expect_eq "stopped job finished by another worker" "$STATE $(json_get .attempts)" "done 1"
complete "$TITLE"

# ---- a worker that dies max-attempts times ----------------------------------------
# One worker at a time, each killed as soon as it transcodes the job.
for p in $W_w1 $W_w2 $W_w3; do kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
WORKERS=""
upload Doomed
upload_file=$(ls "$SV_DATA/uploads")
[ -n "$upload_file" ] || wfail "the upload is not in uploads/"
t0=$(now)
for attempt in 1 2 3; do
    worker_start "d$attempt"
    wait_transcoding "$JOB" "$attempt"
    kill -KILL "$HOLDER"
    wait "$HOLDER" 2>/dev/null
    ok "death $attempt of job $JOB's worker"
done
worker_start d4
wait_end "$JOB" 30
expect_eq "job after three deaths" "$STATE" failed
expect_eq "reason" "$(json_get .error)" "the worker died 3 times; giving up"
expect_eq "attempts" "$(json_get .attempts)" 3
req code "$SV_URL/api/v1/titles/$TITLE"
expect_eq "title of the given-up job" "$(json_get .status)" failed
expect_eq "its upload" "$(ls "$SV_DATA/uploads")" ""
expect_eq "staging" "$(ls "$SV_DATA/staging")" ""
[ ! -e "$SV_DATA/media/$TITLE" ] || wfail "the given-up job has a media folder"
ok "given up $(since "$t0") s after the first claim"
grep -q "job $JOB (title $TITLE) failed: the worker died 3 times; giving up" "$SV_TMP/d4.err" ||
    wfail "no give-up log line"
kill -TERM "$W_d4"
rc=0
wait "$W_d4" || rc=$?
expect_eq "last worker's exit status" "$rc" 0
WORKERS=""
