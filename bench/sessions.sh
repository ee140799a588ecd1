#!/bin/sh
# bench/sessions.sh - playback API throughput on one svserver: wrk with
# bench/heartbeat.lua (POST /api/v1/playback/heartbeat, one live session)
# and bench/start.lua (POST /api/v1/playback/start, 8 devices per wrk
# thread replacing their sessions). Prints requests/s and p50/p99 latency
# of each; the goal for heartbeats is >= 10,000 requests/s with p99 < 10 ms.
#
# svserver runs with its defaults (one loop thread answers every request),
# a data folder in a temporary directory holding one short ingested title
# and one account. Bounded: DURATION seconds per run (default 10).
#
# usage: bench/sessions.sh [BUILD_DIR]   (default: ./build; or SV_BUILD_DIR)
# env:   DURATION (s, default 10), CONNECTIONS (default 16), THREADS (wrk, 1: on a
#        two-core machine a second wrk thread takes the server's core)
#        GOAL=1: exit 1 when heartbeats miss the goal (default: report only)
set -eu

BUILD_DIR=${1:-${SV_BUILD_DIR:-build}}
SVSERVER="$BUILD_DIR/apps/svserver/svserver"
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-1}
GOAL=${GOAL:-}
HERE=$(cd "$(dirname "$0")" && pwd)

for tool in wrk ffmpeg curl; do
    command -v "$tool" >/dev/null 2>&1 ||
        { echo "bench/sessions.sh: $tool is missing; run scripts/install-deps.sh" >&2; exit 1; }
done
[ -x "$SVSERVER" ] || { echo "bench/sessions.sh: $SVSERVER not built" >&2; exit 1; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/sv-bench-sessions.XXXXXX")
SV_PID=""
cleanup() {
    [ -n "$SV_PID" ] && kill -TERM "$SV_PID" 2>/dev/null && wait "$SV_PID" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

# One short title and one account.
ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x240:rate=25 -t 2 -c:v libx264 \
    -preset ultrafast -pix_fmt yuv420p "$TMP/clip.mp4"
title=$("$SVSERVER" ingest "$TMP/clip.mp4" --title Bench --data "$TMP/data" --ladder 240:300 \
    --segment-seconds 2 --preset ultrafast --log-level error 2>/dev/null | tail -n 1)
echo "bench-password" >"$TMP/pw"
"$SVSERVER" user add bench --password-file "$TMP/pw" --region FR --max-streams 100 \
    --data "$TMP/data" >/dev/null

"$SVSERVER" --listen 127.0.0.1:0 --data "$TMP/data" --log-level warn \
    --rate-limit 0 --token-secret bench-token-secret-0123456789 >"$TMP/server.out" 2>"$TMP/server.err" &
SV_PID=$!
i=0
until grep -q '^listening on' "$TMP/server.out" 2>/dev/null; do
    i=$((i + 1))
    [ $i -le 200 ] || { echo "svserver did not start" >&2; cat "$TMP/server.err" >&2; exit 1; }
    sleep 0.05
done
URL=$(sed -n 's/^listening on //p' "$TMP/server.out")

# field JSON KEY: one string or number value of a flat JSON text.
field() {
    printf '%s' "$1" | sed -n "s/.*\"$2\":\"\{0,1\}\([^\",}]*\).*/\1/p"
}
SV_TOKEN=$(field "$(curl -s -X POST -H 'Content-Type: application/json' \
    -d '{"name":"bench","password":"bench-password"}' "$URL/api/v1/auth/login")" token)
SV_SESSION=$(field "$(curl -s -X POST -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $SV_TOKEN" -d "{\"title_id\":$title,\"device_id\":\"hb\"}" \
    "$URL/api/v1/playback/start")" session_id)
[ -n "$SV_TOKEN" ] && [ -n "$SV_SESSION" ] || { echo "login/start failed" >&2; exit 1; }
export SV_TOKEN SV_SESSION SV_TITLE="$title"

# run NAME SCRIPT: wrk with latency percentiles; prints one summary line.
run() {
    wrk -t "$THREADS" -c "$CONNECTIONS" -d "${DURATION}s" --latency -s "$HERE/$2" "$URL" \
        >"$TMP/$1.txt" 2>"$TMP/$1.err"
    rps=$(awk '/^Requests\/sec:/ { print $2 }' "$TMP/$1.txt")
    p50=$(awk '$1 == "50%" { print $2 }' "$TMP/$1.txt")
    p99=$(awk '$1 == "99%" { print $2 }' "$TMP/$1.txt")
    errs=$(wc -l <"$TMP/$1.err")
    non2xx=$(awk '/Non-2xx/ { print $NF }' "$TMP/$1.txt")
    printf '%-10s %10s req/s   p50 %8s   p99 %8s   non-2xx %s\n' "$1" "$rps" "$p50" "$p99" \
        "${non2xx:-0}"
    [ "$errs" -eq 0 ] || head -n 3 "$TMP/$1.err" >&2
}

echo "svserver $URL, one loop thread; wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s"
run heartbeat heartbeat.lua
hb_rps=$rps
hb_p99=$p99
run start start.lua

# p99 to milliseconds (wrk prints us, ms or s).
p99_ms=$(echo "$hb_p99" | awk '/us$/ { sub(/us/, ""); print $1 / 1000; next }
    /ms$/ { sub(/ms/, ""); print $1; next } /s$/ { sub(/s/, ""); print $1 * 1000 }')
if awk -v r="$hb_rps" -v p="$p99_ms" 'BEGIN { exit !(r >= 10000 && p < 10) }'; then
    echo "heartbeat goal (>= 10000 req/s, p99 < 10 ms): met"
else
    echo "heartbeat goal (>= 10000 req/s, p99 < 10 ms): missed"
    [ -z "$GOAL" ] || exit 1
fi
