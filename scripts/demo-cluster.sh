#!/bin/sh
# make demo-cluster: svserver beyond one machine, on this one. scripts/cluster.sh
# starts PostgreSQL, three stateless API nodes (--workers 0), two transcode
# workers and the nginx balancer on loopback; an operator uploads a clip
# through the balancer, the workers transcode it (the job in two parts, one
# per worker), and svplay plays it as a playback session through the
# balancer: in a window when a display is available, headless with a stats
# summary otherwise. Then the cluster is taken down (KEEP=1 leaves it up:
# scripts/cluster.sh status|down DIR).
#
#   scripts/demo-cluster.sh [BUILD_DIR]
set -eu
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
svserver="$build/apps/svserver/svserver"
svplay="$build/apps/svplay/svplay"
for b in "$svserver" "$svplay"; do
    [ -x "$b" ] || { echo "demo-cluster: $b is missing: run make build" >&2; exit 1; }
done
svserver=$(cd "$(dirname "$svserver")" && pwd)/svserver
KEEP=${KEEP:-}

# A short folder name: PostgreSQL's socket lives in DIR/pg.
dir=$(mktemp -d "${TMPDIR:-/tmp}/sv-demo-cluster.XXXXXX")
rmdir "$dir"
tmp=$(mktemp -d)
cleanup() {
    if [ -z "$KEEP" ]; then
        sh "$here/cluster.sh" down "$dir" || true
    else
        echo "demo-cluster: the cluster stays up in $dir (scripts/cluster.sh down $dir)"
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

clip="$build/demo-cluster.mp4"
if [ ! -s "$clip" ]; then
    echo "demo-cluster: making a 20 s 720p test clip (one time)..."
    ffmpeg -nostdin -loglevel error -f lavfi -i testsrc2=size=1280x720:rate=30 \
        -f lavfi -i "sine=frequency=440:sample_rate=48000" -t 20 \
        -c:v libx264 -preset veryfast -crf 22 -c:a aac -shortest "$tmp/clip.mp4"
    mv "$tmp/clip.mp4" "$clip"
fi

# Ingest settings go to every process through the environment; job-parts 2
# shares each title's rungs between the two workers.
export SVSERVER_LADDER=240:300,360:750,720:2800 SVSERVER_PRESET=veryfast SVSERVER_JOB_PARTS=2
SVSERVER="$svserver" sh "$here/cluster.sh" up "$dir" --nodes 3 --workers 2 >/dev/null
# shellcheck disable=SC1091 # written by cluster.sh up
. "$dir/env"
sh "$here/cluster.sh" status "$dir"

pw_op="$tmp/pw-op"
pw_viewer="$tmp/pw-viewer"
echo "demo-operator-password" >"$pw_op"
echo "demo-viewer-password" >"$pw_viewer"
"$svserver" user add operator --password-file "$pw_op" --region FR --max-streams 0 \
    --role operator --config "$SV_CONFIG" >/dev/null
"$svserver" user add demo --password-file "$pw_viewer" --region FR --max-streams 2 \
    --config "$SV_CONFIG" >/dev/null

token=$(curl -s --max-time 30 -H 'Content-Type: application/json' \
    -d '{"name":"operator","password":"demo-operator-password"}' "$SV_LB_URL/api/v1/auth/login" |
    sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
[ -n "$token" ] || { echo "demo-cluster: the operator's login failed" >&2; exit 1; }
echo "demo-cluster: uploading $clip through the balancer $SV_LB_URL"
answer=$(curl -s --max-time 300 -H "Authorization: Bearer $token" -H 'Content-Type: video/mp4' \
    --data-binary "@$clip" "$SV_LB_URL/api/v1/titles?title=Streamverse%20cluster%20demo&genre=Demo")
job=$(echo "$answer" | sed -n 's/.*"job_id":\([0-9]*\).*/\1/p')
title=$(echo "$answer" | sed -n 's/.*"title_id":\([0-9]*\).*/\1/p')
[ -n "$job" ] && [ -n "$title" ] || { echo "demo-cluster: upload refused: $answer" >&2; exit 1; }

i=0
last=""
while :; do
    st=$(curl -s --max-time 10 "$SV_LB_URL/api/v1/jobs/$job")
    state=$(echo "$st" | sed -n 's/.*"state":"\([a-z]*\)".*/\1/p')
    pct=$(echo "$st" | sed -n 's/.*"percent":\([0-9.]*\).*/\1/p')
    line="job $job: ${state:-?} ${pct:-0}%"
    [ "$line" = "$last" ] || echo "demo-cluster: $line"
    last=$line
    case "$state" in
    done) break ;;
    failed) echo "demo-cluster: the transcode failed: $st" >&2; exit 1 ;;
    esac
    i=$((i + 1))
    [ "$i" -le 600 ] || { echo "demo-cluster: the job is not done after 5 minutes" >&2; exit 1; }
    sleep 0.5
done
k=1
for p in $SV_WORKER_PIDS; do
    n=$(grep -ci 'part\|job' "$SV_CLUSTER_DIR/logs/worker-$k.log" || true)
    echo "demo-cluster: worker $k (pid $p): $n log line(s) about jobs ($SV_CLUSTER_DIR/logs/worker-$k.log)"
    k=$((k + 1))
done

echo "demo-cluster: playing title $title as user demo through $SV_LB_URL"
if [ -n "${DISPLAY:-}" ]; then
    "$svplay" --server "$SV_LB_URL" --user demo --password-file "$pw_viewer" "$title"
else
    "$svplay" --headless --stats "$tmp/stats.json" --server "$SV_LB_URL" --user demo \
        --password-file "$pw_viewer" "$title"
    echo "demo-cluster: no display; headless playback stats:"
    cat "$tmp/stats.json"
fi
echo "demo-cluster: requests per node (balancer access log):"
sleep 1 # the access log is flushed every second
sed -n 's/.* upstream=\([0-9.:]*\) .*/\1/p' "$SV_LB_LOG" | sort | uniq -c
