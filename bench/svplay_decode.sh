#!/bin/sh
# CPU seconds (user + sys) to decode a 1080p H.264 rendition as fast as
# possible: `svplay --headless --benchmark` (no clock, null sinks) vs
# `ffmpeg -threads N -i FILE -f null -` with the same thread count N (the
# number of cores: svplay's decoder default is one thread per core).
#   bench/svplay_decode.sh [BUILD_DIR]
# Runs each $RUNS times (default 5) and compares medians; the file is 20 s of
# 1920x1080 testsrc2 at 30 fps, 5 Mbit/s, video only (make-test-streams.sh
# group "bench"). Prints the ratio svplay/ffmpeg (goal: <= 1.15). Without
# --framemd5 the null video sink only counts frames (no MD5), like -f null.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
SV_SOURCE_DIR=$src
SV_BUILD_DIR=$(cd "${1:-$src/build}" && pwd)
export SV_SOURCE_DIR SV_BUILD_DIR
"$src/scripts/make-test-streams.sh" "${SV_TEST_STREAMS:-$SV_BUILD_DIR/test-streams}" core bench
. "$src/tests/player/playlib.sh"
[ -x /usr/bin/time ] || fail "/usr/bin/time is missing (Debian package: time)"

file="$PL_STREAMS/bench/v1080.mp4"
threads=$(nproc)
runs=${RUNS:-5}

# cpu NAME CMD... - appends "user+sys wall" of one run to $PL_TMP/NAME.
cpu() {
    _n=$1
    shift
    /usr/bin/time -f '%U %S %e' -o "$PL_TMP/$_n.time" "$@" >/dev/null 2>"$PL_TMP/$_n.err" ||
        { cat "$PL_TMP/$_n.err"; fail "$_n failed"; }
    awk '{ printf "%.3f %.3f\n", $1 + $2, $3 }' "$PL_TMP/$_n.time" >>"$PL_TMP/$_n"
}

i=0
while [ "$i" -lt "$runs" ]; do
    cpu svplay "$SVPLAY" --headless --benchmark --quiet --stats "$PL_TMP/stats.json" "$file"
    cpu ffmpeg ffmpeg -nostdin -v error -threads "$threads" -i "$file" -map 0:v:0 -f null -
    i=$((i + 1))
done
frames=$(pl_json "$PL_TMP/stats.json" decoded_frames)
[ "$frames" = 600 ] || echo "warning: svplay decoded $frames frames, the file has 600"

median() {
    sort -n -k"$2" "$1" | awk -v k="$2" '{ v[NR] = $k } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
s_cpu=$(median "$PL_TMP/svplay" 1)
f_cpu=$(median "$PL_TMP/ffmpeg" 1)
echo "decode 600 frames of 1920x1080 H.264, $threads threads, median of $runs runs:"
echo "  svplay  cpu $s_cpu s  wall $(median "$PL_TMP/svplay" 2) s"
echo "  ffmpeg  cpu $f_cpu s  wall $(median "$PL_TMP/ffmpeg" 2) s"
awk -v s="$s_cpu" -v f="$f_cpu" 'BEGIN {
    r = s / f
    printf "  svplay/ffmpeg cpu %.3f  (goal <= 1.15: %s)\n", r, r <= 1.15 ? "met" : "MISSED" }'
