#!/bin/sh
# Issue 19 item 2: time from the command to the first frame, a cold load
# against a switch to a preloaded item, on loopback, in one run.
#   bench/preload.sh [BUILD_DIR] [PATH_A] [PATH_B]
# PATH_A and PATH_B default to the fMP4 HLS and Shaka DASH fixtures (any
# paths under the fixtures' www/). tests/player/preload.c is built against
# the build's libstreamverse and, RUNS times (default 15) in one player with
# null sinks in real time: loads A with nothing preloaded (the "cold load":
# manifest, playlists, init and first segments over HTTP), preloads B while
# A plays, then loads B (the "preloaded switch"), each load 2 s into the
# item before. Each time is from the sv_player_load() call to the null
# video sink's first frame of the item.
# (bench/svplay_startup.sh measures a cold start in a new process.)
# On plain loopback, then through tests/support/delayproxy.js, a loopback
# relay that holds each chunk DELAY_MS (default 20) in each direction: on
# plain loopback a request costs well under a millisecond, so the cold load
# is as fast as the demuxer and decoder; with round trips the preload saves
# them. Prints min/median/max of each, the ratio preloaded/cold, and whether
# the preloaded median meets the goal (<= 100 ms).
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
SV_SOURCE_DIR=$src
SV_BUILD_DIR=$(cd "${1:-$src/build}" && pwd)
export SV_SOURCE_DIR SV_BUILD_DIR
path_a=${2:-hls_fmp4/master.m3u8}
path_b=${3:-shaka_dash/manifest.mpd}
runs=${RUNS:-15}
"$src/scripts/make-test-streams.sh" "${SV_TEST_STREAMS:-$SV_BUILD_DIR/test-streams}" core
. "$src/tests/player/playlib.sh"
: "${CC:=cc}"
"$CC" -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -I"$src/include" -o "$PL_TMP/preload" \
    "$src/tests/player/preload.c" -L"$SV_BUILD_DIR" -Wl,-rpath,"$SV_BUILD_DIR" \
    -lstreamverse -lpthread -lm || fail "tests/player/preload.c does not build"

pl_serve
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "A: $path_a  B: $path_b  ($runs runs)"
echo "plain loopback:"
"$PL_TMP/preload" bench "$PL_URL/$path_a" "$PL_URL/$path_b" "$runs" || fail "the bench failed"

# The same through a relay that holds each chunk DELAY_MS each way.
delay=${DELAY_MS:-20}
node "$src/tests/support/delayproxy.js" --target "127.0.0.1:$PL_PORT" --delay-ms "$delay" \
    --port-file "$PL_TMP/proxy.port" &
proxy_pid=$!
i=0
while [ ! -s "$PL_TMP/proxy.port" ]; do
    i=$((i + 1))
    [ "$i" -le 50 ] || { kill "$proxy_pid"; fail "delayproxy.js did not start"; }
    sleep 0.1
done
proxy="http://127.0.0.1:$(cat "$PL_TMP/proxy.port")"
echo "loopback + ${delay} ms each way (tests/support/delayproxy.js):"
rc=0
"$PL_TMP/preload" bench "$proxy/$path_a" "$proxy/$path_b" "$runs" || rc=$?
# Stopped here: playlib's exit trap runs under set -e, where the status of a
# killed process's wait would end it before it stops the server.
kill "$proxy_pid"
wait "$proxy_pid" 2>/dev/null || true
[ "$rc" -eq 0 ] || fail "the bench failed"

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
