#!/bin/sh
# svtrace emulate end to end: a 60 s title ingested by a real svserver
# (3-rung ladder), served on loopback, then
#  - `svtrace run --video URL` (sizes from HEAD requests; the manifest,
#    playlists and init segments the player fetches charged too) and
#    `svtrace emulate` (the player core over the trace) agree on QoE within
#    5 % over DASH on three traces and over HLS on two, one of each stalling,
#    and with the same rule parameters (--param) for both;
#  - the same title read as a local path works too;
#  - two emulations give byte-identical JSON, CSV and SVG, and so do two runs;
#  - an unreachable server, a missing title, a bad trace, a bad option and
#    a parameter the rule does not take fail with a clear message and a
#    non-zero exit.
# Usage: emulate_test.sh PATH_TO_SVTRACE PATH_TO_SVSERVER (env from CTest)
set -eu
svtrace=$1
svserver=$2
: "${SV_SHARED_DIR:?SV_SHARED_DIR is not set: run this test through ctest}"
traces="$SV_SHARED_DIR/data/traces"
for tool in ffmpeg python3; do
    command -v $tool >/dev/null || { echo "FAIL: $tool missing: run scripts/install-deps.sh"; exit 1; }
done
tmp=$(mktemp -d)
server_pid=
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

# --- a real title ------------------------------------------------------------
ffmpeg -loglevel error -y -f lavfi -i testsrc2=size=854x480:rate=24 \
    -f lavfi -i sine=frequency=440:sample_rate=48000 -t 60 \
    -c:v libx264 -preset ultrafast -c:a aac -shortest "$tmp/src.mp4"
"$svserver" ingest "$tmp/src.mp4" --title Emulate --data "$tmp/data" \
    --ladder 240:300,360:750,480:1200 --preset ultrafast >"$tmp/ingest.out" 2>&1 ||
    fail "ingest: $(tail -3 "$tmp/ingest.out")"
id=$(tail -1 "$tmp/ingest.out")
"$svserver" --listen 127.0.0.1:0 --data "$tmp/data" --log-level warn \
    >"$tmp/server.out" 2>"$tmp/server.err" &
server_pid=$!
i=0
while ! grep -q '^listening on' "$tmp/server.out" 2>/dev/null; do
    kill -0 "$server_pid" 2>/dev/null || fail "svserver exited: $(cat "$tmp/server.err")"
    i=$((i + 1))
    [ "$i" -le 200 ] || fail "svserver did not listen within 10 s"
    sleep 0.05
done
base="$(sed -n 's/^listening on //p' "$tmp/server.out")"
mpd="$base/media/$id/manifest.mpd"

# A trace that starves the link for 28 s: every rule stalls on it.
{
    echo "time_s,mbps"
    python3 -c "
for t in range(1, 301):
    print('%d,%s' % (t, '0.08' if 12 <= t % 100 < 40 else '2.5'))"
} >"$tmp/dip.csv"

qoe() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$@"; }

# --- emulate agrees with run on the same sizes ----------------------------------
# agree NAME TRACE URL [RULE OPTIONS...]: both on the same trace and URL.
agree() {
    name=$1 trace=$2 url=$3
    shift 3
    "$svtrace" run --trace "$trace" --video "$url" --json "$tmp/run-$name.json" "$@" ||
        fail "run $name"
    start=$(python3 -c 'import time; print(time.time())')
    "$svtrace" emulate --trace "$trace" --json "$tmp/emu-$name.json" "$@" "$url" ||
        fail "emulate $name"
    wall=$(python3 -c "import time; print('%.3f' % (time.time() - $start))")
    python3 - "$tmp/run-$name.json" "$tmp/emu-$name.json" "$name" "$wall" <<'PY' ||
import json, sys
run, emu = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
name, wall = sys.argv[3], sys.argv[4]
diff = (emu["qoe"] - run["qoe"]) / abs(run["qoe"]) * 100
print("%-16s %-6s run QoE %8.3f stall %5.2f s | emulate QoE %8.3f stall %5.2f s | %6.2f %% | %s s wall" %
      (name, emu["abr"], run["qoe"], run["rebuffer_s"], emu["qoe"], emu["rebuffer_s"], diff, wall))
assert run["segments"] == emu["segments"] == 15, (run["segments"], emu["segments"])
assert emu["mode"] == "emulate" and emu["abr"] == run["abr"]
assert emu["params"] == run["params"], (emu["params"], run["params"])
assert emu["player"]["segments_downloaded"] == 15
assert abs(diff) <= 5, "QoE differs by more than 5 %"
assert abs(emu["rebuffer_s"] - run["rebuffer_s"]) <= 0.05 * run["rebuffer_s"] + 0.05, "stalls differ"
if name.startswith("dip"):
    assert run["rebuffer_s"] > 5 and emu["rebuffer_s"] > 5, "the dip must stall both"
    assert emu["player"]["rebuffer_count"] >= 1
PY
        fail "emulate and run disagree on $name"
}
hls="$base/media/$id/master.m3u8"
agree bus4-dash "$traces/pensieve/test/norway_bus_4" "$mpd"
agree belgium-dash "$traces/belgium-4g/report_bus_0001" "$mpd"
agree dip-dash "$tmp/dip.csv" "$mpd"
agree bus1-hls "$traces/pensieve/test/norway_bus_1" "$hls"
agree dip-hls "$tmp/dip.csv" "$hls"
# The same rule settings on both sides.
agree dip-bola-dash "$tmp/dip.csv" "$mpd" --abr bola --param stable_buffer_s=20
python3 -c "import json,sys; assert json.load(open(sys.argv[1]))['params']['stable_buffer_s'] == 20" \
    "$tmp/emu-dip-bola-dash.json" || fail "emulate --param is not in the JSON"

# --- a local manifest path ---------------------------------------------------------
"$svtrace" emulate --trace "$tmp/dip.csv" --json "$tmp/local.json" \
    "$tmp/data/media/$id/manifest.mpd" || fail "emulate a local path"
[ "$(qoe "$tmp/local.json" qoe)" = "$(qoe "$tmp/emu-dip-dash.json" qoe)" ] ||
    fail "a local path and HTTP give different sessions"

# --- determinism -----------------------------------------------------------------
for i in 1 2; do
    "$svtrace" emulate --trace "$tmp/dip.csv" --abr bba --json "$tmp/d$i.json" \
        --csv "$tmp/d$i.csv" --svg "$tmp/d$i.svg" "$mpd" || fail "emulate --abr bba"
done
for ext in json csv svg; do
    [ -s "$tmp/d1.$ext" ] || fail "emulate wrote no $ext"
    cmp -s "$tmp/d1.$ext" "$tmp/d2.$ext" || fail "emulate is not deterministic ($ext)"
done
[ "$(wc -l <"$tmp/d1.csv")" -eq 16 ] || fail "CSV: a header and 15 rows expected"
for i in 1 2; do
    "$svtrace" run --trace "$tmp/dip.csv" --video "$hls" --abr bba --json "$tmp/r$i.json" \
        --csv "$tmp/r$i.csv" || fail "run --video HLS"
done
for ext in json csv; do
    cmp -s "$tmp/r1.$ext" "$tmp/r2.$ext" || fail "run is not deterministic ($ext)"
done

# --- errors ----------------------------------------------------------------------
expect_fail() { # expect_fail PATTERN CMD...: non-zero exit, PATTERN on stderr
    pattern=$1
    shift
    if "$@" >"$tmp/out" 2>"$tmp/err"; then fail "succeeded: $*"; fi
    grep -q "$pattern" "$tmp/err" || fail "no '$pattern' in: $(cat "$tmp/err")"
}
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
expect_fail "127.0.0.1:$port" "$svtrace" emulate --trace "$tmp/dip.csv" \
    "http://127.0.0.1:$port/manifest.mpd"
expect_fail "404" "$svtrace" emulate --trace "$tmp/dip.csv" "$base/media/9999/manifest.mpd"
expect_fail "404" "$svtrace" run --trace "$tmp/dip.csv" --video "$base/media/9999/manifest.mpd"
printf 'time_s,mbps\n1,2.5\n2,fast\n' >"$tmp/bad.csv"
expect_fail "bad.csv:3" "$svtrace" emulate --trace "$tmp/bad.csv" "$mpd"
expect_fail "unknown rule" "$svtrace" emulate --trace "$tmp/dip.csv" --abr nope "$mpd"
expect_fail "needs --trace" "$svtrace" emulate "$mpd"
expect_fail "accepts:" "$svtrace" emulate --trace "$tmp/dip.csv" --param nope=1 "$mpd"
expect_fail "NAME=VALUE" "$svtrace" emulate --trace "$tmp/dip.csv" --param nope "$mpd"
echo "PASS"
