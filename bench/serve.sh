#!/bin/sh
# bench/serve.sh - static serving throughput: svserver vs nginx, same run.
#
# Serves one media folder (a 1 MB segment and a small HLS playlist) from
# svserver (one process) and from nginx (one worker, sendfile on, access log
# off, a config generated in a temporary folder), both on loopback ports, and
# runs wrk against each for the segment and for the playlist. Prints
# requests/s for both and the ratio svserver/nginx; the target is >= 0.8
# (goal >= 1.0). Both servers are started and stopped by this script.
#
# usage: bench/serve.sh [BUILD_DIR]   (default: ./build; or SV_BUILD_DIR)
# env:   DURATION (s per round, default 3), ROUNDS (default 3), CONNECTIONS
#        (default 32), THREADS (wrk, 1)
#        MIN_RATIO: exit 1 when a ratio is below it (default: report only)
set -eu

BUILD_DIR=${1:-${SV_BUILD_DIR:-build}}
SVSERVER="$BUILD_DIR/apps/svserver/svserver"
DURATION=${DURATION:-3}
ROUNDS=${ROUNDS:-3}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-1}
MIN_RATIO=${MIN_RATIO:-}

for tool in wrk nginx; do
    command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] ||
        { echo "bench/serve.sh: $tool is missing; run scripts/install-deps.sh" >&2; exit 1; }
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$SVSERVER" ] || { echo "bench/serve.sh: $SVSERVER not built" >&2; exit 1; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/sv-bench-serve.XXXXXX")
SV_PID=""
NG_STARTED=""
cleanup() {
    [ -n "$SV_PID" ] && kill -TERM "$SV_PID" 2>/dev/null && wait "$SV_PID" 2>/dev/null
    [ -n "$NG_STARTED" ] && "$NGINX" -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" -s stop 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

# One title folder in svserver's data layout; nginx serves the same media/.
MEDIA="$TMP/data/media"
mkdir -p "$MEDIA/1/video/720p" "$TMP/nginx/logs"
head -c 1048576 /dev/urandom >"$MEDIA/1/video/720p/seg-1.m4s"
{
    printf '#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:4\n#EXT-X-PLAYLIST-TYPE:VOD\n'
    printf '#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-MAP:URI="init.mp4"\n'
    i=1
    while [ $i -le 15 ]; do printf '#EXTINF:4.000,\nseg-%d.m4s\n' $i; i=$((i + 1)); done
    printf '#EXT-X-ENDLIST\n'
} >"$MEDIA/1/video/720p/index.m3u8"

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# svserver: one process, quiet log (no access lines, like nginx below).
"$SVSERVER" --listen 127.0.0.1:0 --data "$TMP/data" --log-level warn --workers 1 \
    >"$TMP/sv.out" 2>"$TMP/sv.err" &
SV_PID=$!
i=0
until grep -q '^listening on' "$TMP/sv.out" 2>/dev/null; do
    i=$((i + 1))
    [ $i -le 100 ] || { echo "svserver did not start" >&2; cat "$TMP/sv.err" >&2; exit 1; }
    sleep 0.05
done
SV_URL=$(sed -n 's/^listening on //p' "$TMP/sv.out")

# nginx workers drop to an unprivileged user when started as root.
chmod -R a+rX "$TMP"
NG_PORT=$(free_port)
cat >"$TMP/nginx/nginx.conf" <<EOF
daemon on;
worker_processes 1;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    types {
        application/vnd.apple.mpegurl m3u8;
        video/mp4 m4s mp4;
    }
    server {
        listen 127.0.0.1:$NG_PORT;
        location /media/ { root $TMP/data; }
    }
}
EOF
"$NGINX" -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" 2>"$TMP/nginx/start.err" ||
    { cat "$TMP/nginx/start.err" >&2; exit 1; }
NG_STARTED=1
NG_URL="http://127.0.0.1:$NG_PORT"

# Both must serve the same bytes before timing anything.
for u in "$SV_URL" "$NG_URL"; do
    n=$(curl -s -o /dev/null -w '%{size_download}' "$u/media/1/video/720p/seg-1.m4s")
    [ "$n" = 1048576 ] || { echo "$u served $n bytes, expected 1048576" >&2; exit 1; }
done

rps() {
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" "$1" 2>&1 |
        awk '/^Requests\/sec:/ { print $2 }'
}

max() {
    awk -v a="$1" -v b="$2" 'BEGIN { print (a + 0 > b + 0 ? a : b) }'
}

# Rounds alternate between the two servers and each keeps its best round, so
# load from other processes on the machine hits both alike.
status=0
echo "wrk: $ROUNDS rounds x ${DURATION}s, $CONNECTIONS connections, $THREADS thread(s); best round"
printf '%-10s %14s %14s %8s\n' "file" "svserver rps" "nginx rps" "ratio"
for f in seg-1.m4s index.m3u8; do
    path=/media/1/video/720p/$f
    sv=0
    ng=0
    r=0
    while [ $r -lt "$ROUNDS" ]; do
        sv=$(max "$sv" "$(rps "$SV_URL$path")")
        ng=$(max "$ng" "$(rps "$NG_URL$path")")
        r=$((r + 1))
    done
    ratio=$(awk -v a="$sv" -v b="$ng" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
    printf '%-10s %14s %14s %8s\n' "$f" "$sv" "$ng" "$ratio"
    if [ -n "$MIN_RATIO" ] && awk -v r="$ratio" -v m="$MIN_RATIO" 'BEGIN { exit !(r < m) }'; then
        status=1
    fi
done
exit $status
