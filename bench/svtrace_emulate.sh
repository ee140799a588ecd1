#!/bin/sh
# bench/svtrace_emulate.sh - wall time of `svtrace emulate` (the real player
# core on the virtual clock) for a 300 s trace against a 60 s svserver title,
# beside `svtrace run` (the chunk-level simulator) on the same segment sizes.
#
# Ingests a 60 s 1920x1080 lavfi clip with svserver's default 5-rung ladder
# (240p..1080p; about half a minute on two cores, cached in BUILD/bench-emulate),
# serves it on a loopback port, and for two 300 s traces (a 300 s slice of
# a Pensieve 3G trace, wrapped, and a synthetic trace that starves the link for
# 28 s of every 100) runs each command RUNS times. Prints the median wall
# time of each, the target (emulate < 5 s), and both QoE figures with their
# difference (target: within 5 %).
#
# usage: bench/svtrace_emulate.sh [BUILD_DIR]   (default: ./build; or SV_BUILD_DIR)
# env:   RUNS (default 5), RULE (default hybrid)
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
URL="$(sed -n 's/^listening on //p' "$WORK/server.out")/media/$ID/manifest.mpd"

# Two 300 s traces: a Pensieve test trace repeated to 300 s, and a dip.
python3 - "$TRACES/pensieve/test/norway_train_1" "$WORK/train300.csv" "$WORK/dip300.csv" <<'PY'
import sys
pts = [tuple(map(float, l.split()[:2])) for l in open(sys.argv[1]) if l.strip()]
out, t, i = ["time_s,mbps"], 0.0, 1
while t < 300:  # the trace's intervals again and again up to 300 s
    t += pts[i][0] - pts[i - 1][0]
    out.append("%.3f,%s" % (t, pts[i][1]))
    i = i + 1 if i + 1 < len(pts) else 1
open(sys.argv[2], "w").write("\n".join(out) + "\n")
open(sys.argv[3], "w").write("time_s,mbps\n" + "".join(
    "%d,%s\n" % (s, "0.3" if 12 <= s % 100 < 40 else "6") for s in range(1, 301)))
PY

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
timeit() { # timeit OUT CMD...: wall seconds of one run
    out=$1; shift
    python3 -c 'import subprocess,sys,time; t=time.time(); r=subprocess.run(sys.argv[2:], stdout=open(sys.argv[1],"w")); print("%.4f" % (time.time()-t)); sys.exit(r.returncode)' "$out" "$@"
}
qoe() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['qoe'])" "$1"; }

printf '%-14s %12s %12s %12s %12s %8s\n' trace run_wall_s emulate_wall_s run_qoe emulate_qoe diff
for tr in "$WORK/train300.csv" "$WORK/dip300.csv"; do
    : >"$WORK/rt"; : >"$WORK/et"
    for k in $(seq "$RUNS"); do
        timeit "$WORK/run.json" "$SVTRACE" run --trace "$tr" --video "$URL" --abr "$RULE" >>"$WORK/rt"
        timeit "$WORK/emu.json" "$SVTRACE" emulate --trace "$tr" --abr "$RULE" "$URL" >>"$WORK/et"
    done
    rq=$(qoe "$WORK/run.json"); eq=$(qoe "$WORK/emu.json")
    printf '%-14s %12s %12s %12.3f %12.3f %7.1f%%\n' "$(basename "$tr")" "$(median <"$WORK/rt")" \
        "$(median <"$WORK/et")" "$rq" "$eq" \
        "$(python3 -c "print((float('$eq') - float('$rq')) / abs(float('$rq')) * 100)")"
done
echo "target: emulate of a 300 s trace against a 60 s title < 5 s wall; QoE within 5 % of run"
