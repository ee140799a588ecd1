# workerslib.sh - shared by the transcode-worker suites (workers.sh,
# workers_parts.sh). Sourced after tests/backend/backendlib.sh.
#
# Makes $SV_TMP/clip.mp4 (12 s, 480x270: long enough to be caught
# mid-transcode, short enough to stay quick) and kills the workers it
# started on exit. The suite sets SETTINGS (the ladder, lease and attempts,
# given to the workers and the API node alike) and may set WORKER_OPTS.
#   worker_start NAME      `svserver worker` NAME on the data folder; sets W_NAME
#   upload NAME            posts the clip as title NAME; sets JOB and TITLE
#   wait_end JOB [SECONDS] until the job is done or failed; sets STATE
#   complete TITLE         every URI of every playlist of the title exists
#   wfail MESSAGE          fail, with the workers' and node's last log lines
#   now / since T0         a timestamp / the seconds since one

command -v ffmpeg >/dev/null 2>&1 || fail "ffmpeg is missing; run scripts/install-deps.sh"
ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=480x270:rate=25 \
    -f lavfi -i sine=frequency=440:sample_rate=48000 -t 12 -c:v libx264 -preset ultrafast \
    -pix_fmt yuv420p -c:a aac -shortest "$SV_TMP/clip.mp4" || fail "ffmpeg could not make the clip"

WORKERS=""
WORKER_OPTS=${WORKER_OPTS:-}
workers_cleanup() {
    _st=$?
    for _p in $WORKERS; do kill -9 "$_p" 2>/dev/null; done
    (exit "$_st")
    sv_cleanup
}
trap workers_cleanup EXIT

wfail() {
    for _f in "$SV_TMP"/[wd]*.err; do
        [ -s "$_f" ] || continue
        echo "--- $(basename "$_f") (last 15 lines):" >&2
        tail -n 15 "$_f" >&2
    done
    fail "$@"
}

now() {
    date +%s.%N
}

since() {
    awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'
}

# Waits (10 s at most) for the worker's ready line.
worker_start() {
    # shellcheck disable=SC2086 # lists of options
    "$SVSERVER" worker --data "$SV_DATA" --workers 1 $WORKER_OPTS --log-level debug $SETTINGS \
        >"$SV_TMP/$1.out" 2>>"$SV_TMP/$1.err" &
    eval "W_$1=\$!"
    WORKERS="$WORKERS $!"
    _i=0
    while ! grep -q '^worker ' "$SV_TMP/$1.out" 2>/dev/null; do
        _i=$((_i + 1))
        kill -0 "$(eval echo "\$W_$1")" 2>/dev/null || wfail "worker $1 exited during start-up"
        [ "$_i" -le 200 ] || wfail "worker $1 did not start within 10 s"
        sleep 0.05
    done
}

upload() {
    req code -X POST -H "$OP_AUTH" -H 'Content-Type: video/mp4' \
        --data-binary @"$SV_TMP/clip.mp4" "$SV_URL/api/v1/titles?title=$1"
    expect_eq "upload $1 accepted" "$code" 202
    JOB=$(json_get .job_id)
    TITLE=$(json_get .title_id)
}

wait_end() {
    _i=0
    while :; do
        req code "$SV_URL/api/v1/jobs/$1"
        STATE=$(json_get .state)
        [ "$STATE" = done ] || [ "$STATE" = failed ] && break
        _i=$((_i + 1))
        [ $_i -le $((${2:-90} * 10)) ] || wfail "job $1 still $STATE after ${2:-90} s"
        sleep 0.1
    done
}

complete() {
    (cd "$SV_DATA/media/$1" || exit 1
    for pl in master.m3u8 video/*/index.m3u8 audio/index.m3u8; do
        d=$(dirname "$pl")
        { grep -v '^#' "$pl"; grep -o 'URI="[^"]*"' "$pl" | sed 's/URI="//; s/"$//'; } |
            while read -r uri; do
                [ -z "$uri" ] || [ -s "$d/$uri" ] || { echo "$pl names a missing file: $uri"; exit 1; }
            done || exit 1
    done) || wfail "title $1 is incomplete"
}
