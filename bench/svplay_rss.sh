#!/bin/sh
# Peak resident memory while playing 1080p in real time for 10 s over
# loopback HLS (fMP4, one 1920x1080 rendition + AAC): svplay headless vs mpv
# with null outputs. Peak RSS from /usr/bin/time (%M, KiB).
#   bench/svplay_rss.sh [BUILD_DIR]
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
SV_SOURCE_DIR=$src
SV_BUILD_DIR=$(cd "${1:-$src/build}" && pwd)
export SV_SOURCE_DIR SV_BUILD_DIR
"$src/scripts/make-test-streams.sh" "${SV_TEST_STREAMS:-$SV_BUILD_DIR/test-streams}" core bench
. "$src/tests/player/playlib.sh"
pl_need mpv
[ -x /usr/bin/time ] || fail "/usr/bin/time is missing (Debian package: time)"

pl_serve
url="$PL_URL/bench1080/master.m3u8"
frames=300

# rss NAME CMD... - peak RSS in KiB and wall seconds of one run.
rss() {
    _n=$1
    shift
    /usr/bin/time -f '%M %e' -o "$PL_TMP/$_n.time" "$@" >/dev/null 2>"$PL_TMP/$_n.err" ||
        { cat "$PL_TMP/$_n.err"; fail "$_n failed"; }
    cat "$PL_TMP/$_n.time"
}
set -- $(rss svplay "$SVPLAY" --headless --realtime --quiet --frames "$frames" "$url")
s_kb=$1 s_wall=$2
set -- $(rss mpv mpv --no-config --really-quiet --vo=null --ao=null --frames="$frames" "$url")
m_kb=$1 m_wall=$2
echo "peak RSS playing 1920x1080 for $frames frames (real time) from loopback HLS:"
awk -v s="$s_kb" -v m="$m_kb" -v sw="$s_wall" -v mw="$m_wall" 'BEGIN {
    printf "  svplay %7.1f MiB  (%.1f s)\n  mpv    %7.1f MiB  (%.1f s)\n  svplay/mpv %.2f\n",
        s / 1024, sw, m / 1024, mw, s / m }'
