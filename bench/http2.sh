#!/bin/sh
# HTTP/2 against HTTP/1.1 in one run: the same title (20 s, 1 s segments,
# video and audio, made with ffmpeg -f lavfi) on the same nginx edge (TLS on
# 127.0.0.1, http2 on: tests/player_cdn/h2lib.sh), played by
# `svplay --headless --benchmark --stats` with and without --http1, RUNS
# runs each (default 7), interleaved. Each run gives its time to first frame
# (startup_time_s) and its segment fetch times (median and 95th percentile,
# request to last byte), and the connections it opened. Done twice: on plain
# loopback, and through tests/support/delayproxy.js, which holds every
# chunk DELAY_MS (default 20) in each direction (40 ms more round trip;
# tc/netem is not used).
#   bench/http2.sh [BUILD_DIR]
# Prints, per link, the median over the runs of each figure for both
# protocols, the ratio HTTP/2 / HTTP/1.1 (below 1: HTTP/2 faster) and the
# range over the runs (on a shared machine the loopback figures, a few
# milliseconds, move with its load).
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
SV_SOURCE_DIR=$src
SV_BUILD_DIR=$(cd "${1:-$src/build}" && pwd)
export SV_SOURCE_DIR SV_BUILD_DIR
RUNS=${RUNS:-7}
DELAY_MS=${DELAY_MS:-20}
. "$src/tests/player_cdn/h2lib.sh"
set +e

PROXY_PID=""
trap '[ -n "$PROXY_PID" ] && kill "$PROXY_PID" 2>/dev/null; h2_cleanup' EXIT

T="$H2_TMP/title"
h2_title "$T" 20
h2_testca "$H2_TMP/ca"
h2_edge_start "$H2_TMP/ca" "$T"

# one LINK PROTO N URL - one run; appends "startup p50 p95 connections" to
# $H2_TMP/LINK.PROTO.
one() {
    _s="$H2_TMP/$1.$2.$3.json"
    _extra=""
    [ "$2" = h1 ] && _extra=--http1
    timeout -k 5 120 "$SVPLAY" --headless --quiet --benchmark --ca-file "$H2_TMP/ca/ca.pem" \
        $_extra --stats "$_s" "$4" 2>"$H2_TMP/err" || { cat "$H2_TMP/err"; fail "svplay $2 on $1 failed"; }
    [ "$(h2_json "$_s" error)" = null ] || fail "svplay $2 on $1: $(h2_json "$_s" error.message)"
    _v=$(h2_json "$_s" http2_requests)
    if [ "$2" = h2 ]; then [ "$_v" -gt 0 ] || fail "the HTTP/2 run made no HTTP/2 request"
    else [ "$_v" -eq 0 ] || fail "the --http1 run made $_v HTTP/2 requests"; fi
    echo "$(h2_json "$_s" startup_time_s) $(h2_json "$_s" segment_fetch_p50_s)" \
        "$(h2_json "$_s" segment_fetch_p95_s) $(h2_json "$_s" connections_opened)" \
        >>"$H2_TMP/$1.$2"
}

# link NAME URL - RUNS runs of each protocol, interleaved, after one warm-up
# each (not counted: the first run pays for cold caches).
link() {
    one warmup h2 0 "$2"
    one warmup h1 0 "$2"
    _i=1
    while [ "$_i" -le "$RUNS" ]; do
        one "$1" h2 "$_i" "$2"
        one "$1" h1 "$_i" "$2"
        _i=$((_i + 1))
    done
}

URL_PATH=/dash/manifest.mpd
link loopback "$H2_URL$URL_PATH"
node "$SV_SOURCE_DIR/tests/support/delayproxy.js" --target "127.0.0.1:${H2_URL##*:}" \
    --delay-ms "$DELAY_MS" --port-file "$H2_TMP/proxy.port" &
PROXY_PID=$!
_i=0
while [ ! -s "$H2_TMP/proxy.port" ]; do
    _i=$((_i + 1))
    [ $_i -le 50 ] || fail "delayproxy.js did not start"
    sleep 0.1
done
link delayed "https://127.0.0.1:$(cat "$H2_TMP/proxy.port")$URL_PATH"

echo "HTTP/2 vs HTTP/1.1, svplay --benchmark, DASH $URL_PATH (20 s, 1 s segments, video + audio),"
echo "nginx TLS edge on 127.0.0.1; median of $RUNS runs each, interleaved:"
for l in loopback delayed; do
    [ "$l" = loopback ] && d="plain loopback" || d="+${DELAY_MS} ms each way (delayproxy.js)"
    awk -v name="$d" '
        function sort(a, n,   i, j, t) {
            for (i = 2; i <= n; i++)
                for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
        }
        function median(a, n) { return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
        # row LABEL COLUMN SCALE: medians of both protocols, their ratio, and
        # the range over the runs of each.
        function row(label, col, scale,   k, i, A, m, lo, hi) {
            for (k = 1; k <= 2; k++) {
                for (i = 1; i <= n[k]; i++) A[i] = v[k, i, col] * scale
                sort(A, n[k])
                m[k] = median(A, n[k]); lo[k] = A[1]; hi[k] = A[n[k]]
            }
            printf "  %-26s %8.1f %8.1f %7.3f   %.1f-%.1f | %.1f-%.1f\n", label, m[1], m[2],
                (m[2] > 0 ? m[1] / m[2] : 0), lo[1], hi[1], lo[2], hi[2]
        }
        FNR == 1 { f++ }
        { n[f]++; for (c = 1; c <= 4; c++) v[f, n[f], c] = $c }
        END {
            printf "%s:\n", name
            printf "  %-26s %8s %8s %7s   %s\n", "", "HTTP/2", "HTTP/1.1", "ratio",
                "range over the runs: HTTP/2 | HTTP/1.1"
            row("time to first frame (ms)", 1, 1000)
            row("segment fetch p50 (ms)", 2, 1000)
            row("segment fetch p95 (ms)", 3, 1000)
            row("connections opened", 4, 1)
        }' "$H2_TMP/$l.h2" "$H2_TMP/$l.h1" || fail "cannot summarise the $l runs"
done
