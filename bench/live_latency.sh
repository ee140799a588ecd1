#!/bin/sh
# bench/live_latency.sh - live latency, one run, one stream (issue 17, item 6):
# svplay against hls.js (LL-HLS) and Shaka Player (LL-DASH) in headless
# Chromium, all at once on the same svserver channel, plus svplay through
# trace-shaped links.
#
# svserver runs a channel (ladder 180:300,360:800, 2 s segments, 0.4 s
# parts, target latency 1.5 s); ffmpeg publishes to it over $PROTO (srt or
# rtmp), encoding `-re -f lavfi testsrc2` 640x360 30 fps and a sine tone
# live. Once it has segments, these play it at the same time for DURATION
# seconds:
#   svplay-hls    svplay --headless, the LL-HLS master playlist
#   svplay-dash   svplay --headless, the LL-DASH MPD
#   hlsjs         hls.js (lowLatencyMode), tests/interop/browser_play.js --live
#   shaka         Shaka Player (lowLatencyMode, liveSync), the MPD
#   trace-NAME    svplay --headless on the LL-HLS through bench/shape_proxy.py,
#                 a link shaped by the belgium-4g trace NAME the way
#                 `svtrace emulate` shapes its transport (RTT 80 ms, then 0.95
#                 of the trace's bandwidth; the trace wraps)
# Latency is now minus the program date time of the frame on screen for
# every player (svplay's live_latency; the browsers' "wall" figure,
# tests/interop/page/live.js), p50 and p95 over the run; the browsers' own
# figures (hls.js `latency`, Shaka `liveLatency`) are printed beside.
# Prints a table, the ratios svplay/peer, the goals (svplay p50 <= 1.5 s on
# LL-HLS and <= 2.0 s on LL-DASH, 0 rebuffers, lower than each browser; the
# traces' p95 under 3 s) met or missed, and the load average.
#
# usage: bench/live_latency.sh [BUILD_DIR]   (default: ./build, or SV_BUILD_DIR)
# env:   DURATION (s, default 300), PROTO (srt|rtmp, default srt),
#        TRACES (belgium-4g trace names, default report_tram_0002 report_foot_0002;
#        empty: none), TRACE_DIR (their folder: another one of Pensieve-format
#        traces), PEERS (default "hlsjs shaka"), SVPLAY (another svplay),
#        LOG_DIR (keep the players' logs and stats, the server's log there),
#        MAX_LATENCY (svplay --max-latency in ms, default 2500: after a stall
#        of the link, jump to the live start rather than play seconds late;
#        empty: the manifest's, which LL-HLS does not give)
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
SV_SOURCE_DIR=$(cd "$HERE/.." && pwd)
SV_BUILD_DIR=$(cd "${1:-${SV_BUILD_DIR:-build}}" && pwd) || exit 1
export SV_SOURCE_DIR SV_BUILD_DIR
DURATION=${DURATION:-300}
PROTO=${PROTO:-srt}
TRACES=${TRACES-report_tram_0002 report_foot_0002}
PEERS=${PEERS-hlsjs shaka}
MAX_LATENCY=${MAX_LATENCY-2500}
TRACE_DIR=${TRACE_DIR:-"$SV_SOURCE_DIR/../shared/data/traces/belgium-4g"}
. "$SV_SOURCE_DIR/tests/backend/backendlib.sh"
. "$SV_SOURCE_DIR/tests/backend_live/livelib.sh"
SVPLAY=${SVPLAY:-$SV_BUILD_DIR/apps/svplay/svplay}
[ -x "$SVPLAY" ] || fail "svplay is not built: $SVPLAY"
[ -z "$PEERS" ] || command -v node >/dev/null 2>&1 || fail "node is missing (scripts/install-deps.sh)"
for t in $TRACES; do
    [ -f "$TRACE_DIR/$t" ] || fail "no trace $TRACE_DIR/$t"
done
case "$PROTO" in srt | rtmp) ;; *) fail "PROTO must be srt or rtmp" ;; esac

PIDS=""
stop_all() {
    for p in $PIDS; do
        kill -TERM "$p" 2>/dev/null || true
    done
    for p in $PIDS; do
        wait "$p" 2>/dev/null || true
    done
    PIDS=""
}
trap '_st=$?; stop_all; (exit "$_st"); sv_cleanup' EXIT

load0=$(cut -d' ' -f1-3 /proc/loadavg)
live_admin
sv_start --workers 0
live_token
live_ports
live_channel bench '{"end_after_s":60,"ladder":"180:300,360:800","segment_s":2,"part_s":0.4,"target_latency_s":1.5}'
if [ "$PROTO" = srt ]; then
    url="srt://127.0.0.1:$SRT_PORT?passphrase=$LIVE_KEY&pbkeylen=16" fmt=mpegts
else
    url="rtmp://127.0.0.1:$RTMP_PORT/live/$LIVE_KEY" fmt=flv
fi
ffmpeg -hide_banner -loglevel error -nostdin \
    -re -f lavfi -i "testsrc2=size=640x360:rate=30" \
    -re -f lavfi -i "sine=frequency=440:sample_rate=48000" -t "$((DURATION + 120))" \
    -c:v libx264 -preset ultrafast -tune zerolatency -g 30 -b:v 1200k -pix_fmt yuv420p \
    -c:a aac -b:a 96k -f "$fmt" "$url" >"$SV_TMP/pub.log" 2>&1 &
PIDS="$!"
live_wait_segments bench 360p 2 30
base="$SV_URL/live/bench"
echo "channel live at $base/ over $PROTO; $DURATION s per player; svplay max latency" \
    "${MAX_LATENCY:-none} ms; load average $load0"

svplay_run() {  # svplay_run NAME URL
    timeout -k 5 $((DURATION + 90)) "$SVPLAY" --headless --log-level "${SVPLAY_LOG:-warn}" \
        --frames $((DURATION * 30)) ${MAX_LATENCY:+--max-latency "$MAX_LATENCY"} \
        --stats "$SV_TMP/$1.json" "$2" >"$SV_TMP/$1.out" 2>"$SV_TMP/$1.err"
    echo $? >"$SV_TMP/$1.rc"
}
for t in $TRACES; do
    python3 "$HERE/shape_proxy.py" --origin "$SV_URL" --trace "$TRACE_DIR/$t" \
        --port-file "$SV_TMP/proxy-$t.port" --log "$SV_TMP/proxy-$t.log" &
    PIDS="$PIDS $!"
done
for t in $TRACES; do
    _i=0
    while [ ! -s "$SV_TMP/proxy-$t.port" ]; do
        _i=$((_i + 1))
        [ "$_i" -le 100 ] || fail "the shaping proxy for $t did not start"
        sleep 0.1
    done
done

runs=""
svplay_run svplay-hls "$base/master.m3u8" &
runs="$runs $!"
svplay_run svplay-dash "$base/manifest.mpd" &
runs="$runs $!"
for t in $TRACES; do
    svplay_run "trace-$t" "http://127.0.0.1:$(cat "$SV_TMP/proxy-$t.port")/live/bench/master.m3u8" &
    runs="$runs $!"
done
for peer in $PEERS; do
    case "$peer" in hlsjs) m=master.m3u8 ;; shaka) m=manifest.mpd ;;
        *) fail "PEERS: hlsjs or shaka, not $peer" ;; esac
    node "$SV_SOURCE_DIR/tests/interop/browser_play.js" --player "$peer" --url "$base/$m" \
        --live "$DURATION" --json-out "$SV_TMP/$peer.json" >"$SV_TMP/$peer.out" 2>&1 &
    runs="$runs $!"
done
for p in $runs; do
    wait "$p" || true
done
load1=$(cut -d' ' -f1-3 /proc/loadavg)
kill -0 "$(echo "$PIDS" | cut -d' ' -f1)" 2>/dev/null ||
    echo "warning: the publisher stopped before the players: $(tail -n 3 "$SV_TMP/pub.log")"
grep -o 'the output is .* behind the wall clock' "$SV_TMP/server.err" | tail -n 3 || true

if [ -n "${LOG_DIR:-}" ]; then
    mkdir -p "$LOG_DIR"
    cp "$SV_TMP"/*.json "$SV_TMP"/*.err "$SV_TMP"/*.out "$SV_TMP"/proxy-*.log "$LOG_DIR"/ 2>/dev/null
fi
python3 - "$SV_TMP" "$DURATION" "$load0" "$load1" "$TRACES" "$PEERS" <<'PY'
import json, math, os, sys

tmp, duration, load0, load1 = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
traces, peers = sys.argv[5].split(), sys.argv[6].split()


def pct(v, p):
    v = sorted(x for x in v if x is not None and math.isfinite(x))
    return v[min(len(v) - 1, max(0, math.ceil(p / 100 * len(v)) - 1))] if v else None


rows = {}
for name in ["svplay-hls", "svplay-dash"] + ["trace-" + t for t in traces]:
    path = os.path.join(tmp, name + ".json")
    rc = open(os.path.join(tmp, name + ".rc")).read().strip()
    if not os.path.exists(path):
        err = open(os.path.join(tmp, name + ".err")).read().strip().splitlines()[-3:]
        rows[name] = {"error": "exit %s: %s" % (rc, " / ".join(err))}
        continue
    s = json.load(open(path))
    rows[name] = {"p50": s["live_latency_p50_s"], "p95": s["live_latency_p95_s"],
                  "rebuffers": s["rebuffer_count"], "dropped": s["dropped_frames"],
                  "own": None, "error": s["error"] if rc == "0" else "exit %s: %s" % (rc, s["error"]),
                  "extra": "rate %.3f..%.3f, %s changes" % (s["min_playback_rate"],
                                                            s["max_playback_rate"],
                                                            s["playback_rate_changes"])}
for peer in peers:
    path = os.path.join(tmp, peer + ".json")
    if not os.path.exists(path):
        out = open(os.path.join(tmp, peer + ".out")).read().strip().splitlines()[-3:]
        rows[peer] = {"error": "no summary: " + " / ".join(out)}
        continue
    s = json.load(open(path))
    lv = s.get("live") or {"samples": []}
    wall = [x["wall"] for x in lv["samples"]]
    own = [x["player"] for x in lv["samples"]]
    rows[peer] = {"p50": pct(wall, 50), "p95": pct(wall, 95), "rebuffers": s.get("rebuffers"),
                  "dropped": s.get("droppedVideoFrames"), "own": (pct(own, 50), pct(own, 95)),
                  "error": None if s.get("ok") and not s.get("errors") else
                  (s.get("failure") or json.dumps(s.get("errors"))[:200]),
                  "extra": "%s %s, %d samples" % (s.get("player"), s.get("version"),
                                                  len(lv["samples"]))}

f = lambda x: "-" if x is None else "%.2f" % x
print()
print("live latency over %s s (now - program date time of the frame on screen), load average "
      "%s at the start, %s at the end" % (duration, load0, load1))
print("%-26s %7s %7s %9s %8s  %-17s %s" % ("player", "p50 s", "p95 s", "rebuffers", "dropped",
                                          "own p50/p95 s", "notes"))
for name, r in rows.items():
    if "p50" not in r:
        print("%-26s %s" % (name, r["error"]))
        continue
    own = "%s / %s" % (f(r["own"][0]), f(r["own"][1])) if r["own"] else ""
    print("%-26s %7s %7s %9s %8s  %-17s %s%s" % (name, f(r["p50"]), f(r["p95"]), r["rebuffers"],
                                              r["dropped"], own, r["extra"],
                                              "; ERROR " + str(r["error"]) if r["error"] else ""))
print()
goals = []


def goal(text, ok):
    goals.append(ok)
    print("%s: %s" % ("met" if ok else "MISSED", text))


def val(name, k):
    r = rows.get(name, {})
    return r.get(k) if not r.get("error") else None


for ours, peer, limit in (("svplay-hls", "hlsjs", 1.5), ("svplay-dash", "shaka", 2.0)):
    a = val(ours, "p50")
    goal("%s p50 %s s <= %.1f s" % (ours, f(a), limit), a is not None and a <= limit)
    goal("%s 0 rebuffers (%s)" % (ours, val(ours, "rebuffers")), val(ours, "rebuffers") == 0)
    if peer in rows:
        b = val(peer, "p50")
        ratio = "%.2f" % (a / b) if a is not None and b else "-"
        goal("%s p50 lower than %s's (%s vs %s s, ratio svplay/%s %s)" % (ours, peer, f(a), f(b),
                                                                      peer, ratio),
             a is not None and b is not None and a < b)
for t in traces:
    a = val("trace-" + t, "p95")
    goal("trace-%s p95 %s s < 3 s (rebuffers %s)" % (t, f(a), val("trace-" + t, "rebuffers")),
         a is not None and a < 3.0)
print("%d of %d goals met" % (sum(goals), len(goals)))
PY
