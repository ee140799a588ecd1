#!/bin/sh
# bench/svtrace_emulate.sh - wall time of `svtrace emulate` (the real player
# core on the virtual clock) for 300 s traces against a 60 s svserver title,
# beside `svtrace run` (the chunk-level simulator) on the same segment sizes,
# and how far apart their QoE is, over DASH and over HLS.
#
# Ingests a 60 s 1920x1080 lavfi clip with svserver's default 5-rung ladder
# (240p..1080p; about half a minute on two cores, cached in BUILD/bench-emulate),
# serves it on a loopback port and, for each trace and each manifest (the
# MPD and the HLS master playlist), runs both commands RUNS times:
#   train300  Pensieve norway_train_1, its intervals repeated up to 300 s
#   dip300    synthetic: 6 Mbit/s, 0.3 Mbit/s from 12 s to 40 s of every 100 s
#   bus300    Pensieve norway_bus_14 repeated to 300 s (stalls)
#   ferry300  Pensieve norway_ferry_3 repeated to 300 s (stalls)
# Prints per trace and manifest the median wall time of each command, both
# QoE figures and their difference, and both stall totals; then the largest
# difference and the targets (emulate < 5 s of wall time; QoE within 5 %).
# `svtrace run --video URL` charges the manifest, the HLS media playlists
# and the init segments the player fetches (sv_abr_sim_config), so the two
# should agree to rounding.
#
# usage: bench/svtrace_emulate.sh [BUILD_DIR]   (default: ./build; or SV_BUILD_DIR)
# env:   RUNS (default 5), RULE (default hybrid), PARAM (NAME=VALUE, optional:
#        the same --param for both commands)
set -eu

BUILD_DIR=${1:-${SV_BUILD_DIR:-build}}
SVTRACE="$BUILD_DIR/apps/svtrace/svtrace"
SVSERVER="$BUILD_DIR/apps/svserver/svserver"
RUNS=${RUNS:-5}
RULE=${RULE:-hybrid}
HERE=$(cd "$(dirname "$0")" && pwd)
TRACES="$HERE/../../shared/data/traces"
for b in "$SVTRACE" "$SVSERVER"; do
    [ -x "$b" ] || { echo "bench/svtrace_emulate.sh: $b not built" >&2; exit 1; }
done
for tool in ffmpeg python3; do
    command -v $tool >/dev/null || { echo "bench/svtrace_emulate.sh: $tool missing" >&2; exit 1; }
done
[ -d "$TRACES/pensieve/test" ] || { echo "bench/svtrace_emulate.sh: no traces in $TRACES" >&2; exit 1; }
set -- --abr "$RULE"
[ -n "${PARAM:-}" ] && set -- "$@" --param "$PARAM"

CACHE="$BUILD_DIR/bench-emulate"
WORK=$(mktemp -d)
SERVER_PID=
trap '[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; rm -rf "$WORK"' EXIT
if [ ! -f "$CACHE/id" ]; then
    rm -rf "$CACHE"
    mkdir -p "$CACHE"
    echo "ingesting a 60 s 1080p title (once)..."
    ffmpeg -loglevel error -y -f lavfi -i testsrc2=size=1920x1080:rate=24 \
        -f lavfi -i sine=frequency=440:sample_rate=48000 -t 60 \
        -c:v libx264 -preset ultrafast -c:a aac -shortest "$WORK/src.mp4"
    "$SVSERVER" ingest "$WORK/src.mp4" --title Bench --data "$CACHE/data" \
        --preset ultrafast >"$WORK/ingest.out" 2>&1
    tail -1 "$WORK/ingest.out" >"$CACHE/id"
fi
ID=$(cat "$CACHE/id")
"$SVSERVER" --listen 127.0.0.1:0 --data "$CACHE/data" --log-level warn >"$WORK/server.out" 2>&1 &
SERVER_PID=$!
i=0
while ! grep -q '^listening on' "$WORK/server.out" 2>/dev/null; do
    i=$((i + 1))
    [ "$i" -le 200 ] || { echo "svserver did not listen" >&2; exit 1; }
    sleep 0.05
done
BASE="$(sed -n 's/^listening on //p' "$WORK/server.out")/media/$ID"

# The traces: Pensieve test traces repeated to 300 s, and a synthetic dip.
python3 - "$TRACES/pensieve/test" "$WORK" <<'PY'
import sys
src, out = sys.argv[1], sys.argv[2]
def repeat(name, dest):
    pts = [tuple(map(float, l.split()[:2])) for l in open(src + "/" + name) if l.strip()]
    rows, t, i = ["time_s,mbps"], 0.0, 1
    while t < 300:  # the trace's intervals again and again up to 300 s
        t += pts[i][0] - pts[i - 1][0]
        rows.append("%.3f,%s" % (t, pts[i][1]))
        i = i + 1 if i + 1 < len(pts) else 1
    open(out + "/" + dest, "w").write("\n".join(rows) + "\n")
repeat("norway_train_1", "train300.csv")
repeat("norway_bus_14", "bus300.csv")
repeat("norway_ferry_3", "ferry300.csv")
open(out + "/dip300.csv", "w").write("time_s,mbps\n" + "".join(
    "%d,%s\n" % (s, "0.3" if 12 <= s % 100 < 40 else "6") for s in range(1, 301)))
PY

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
timeit() { # timeit OUT CMD...: wall seconds of one run
    out=$1; shift
    python3 -c 'import subprocess,sys,time; t=time.time(); r=subprocess.run(sys.argv[2:], stdout=open(sys.argv[1],"w")); print("%.4f" % (time.time()-t)); sys.exit(r.returncode)' "$out" "$@"
}
# compare RUN_JSON EMU_JSON: "run_qoe emu_qoe diff_percent run_stall emu_stall"
compare() {
    python3 -c '
import json, sys
r, e = (json.load(open(f)) for f in sys.argv[1:3])
d = (e["qoe"] - r["qoe"]) / abs(r["qoe"]) * 100 if r["qoe"] else 0.0
print("%.3f %.3f %.2f %.2f %.2f" % (r["qoe"], e["qoe"], d, r["rebuffer_s"], e["rebuffer_s"]))' "$1" "$2"
}

echo "rule: $RULE${PARAM:+ ($PARAM)}; $RUNS runs each; title: 60 s, 5 rungs; wall times are medians"
printf '%-9s %-4s %10s %10s %9s %9s %8s %9s %9s\n' trace kind run_wall_s emu_wall_s \
    run_qoe emu_qoe diff run_stall emu_stall
: >"$WORK/diffs"
for name in train300 dip300 bus300 ferry300; do
    for kind in dash hls; do
        [ "$kind" = dash ] && url="$BASE/manifest.mpd" || url="$BASE/master.m3u8"
        : >"$WORK/rt"
        : >"$WORK/et"
        for k in $(seq "$RUNS"); do
            timeit "$WORK/run.json" "$SVTRACE" run --trace "$WORK/$name.csv" --video "$url" \
                "$@" >>"$WORK/rt"
            timeit "$WORK/emu.json" "$SVTRACE" emulate --trace "$WORK/$name.csv" "$@" \
                "$url" >>"$WORK/et"
        done
        c=$(compare "$WORK/run.json" "$WORK/emu.json")
        echo "$c" | awk '{print ($3 < 0 ? -$3 : $3)}' >>"$WORK/diffs"
        echo "$c" | awk -v n="$name" -v k="$kind" -v rw="$(median <"$WORK/rt")" \
            -v ew="$(median <"$WORK/et")" \
            '{printf "%-9s %-4s %10s %10s %9s %9s %7s%% %9s %9s\n", n, k, rw, ew, $1, $2, $3, $4, $5}'
    done
done
echo "largest QoE difference: $(sort -g "$WORK/diffs" | tail -1) %"
echo "target: emulate of a 300 s trace against a 60 s title < 5 s wall; QoE within 5 % of run"
