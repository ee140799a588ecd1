#!/bin/sh
# The encoder drops and comes back within 10 s (issue 17, item 7, the
# players' part): an RTMP publisher (ffmpeg -re copying a 640x360 clip with a
# tone) is killed 12 s in, and 5 s later another publishes over SRT; the
# event goes on after a discontinuity (LL-HLS EXT-X-DISCONTINUITY and a new
# init segment, a new DASH Period). svplay, on the LL-HLS and on the LL-DASH
# at once from before the drop, plays through it to 540 frames (18 s):
# exit 0, no error, at most one rebuffer (the gap itself), |audio - video|
# under 100 ms, and the latency after the gap back under 3 s (the p50 over
# the whole play: the dates jump by the gap, the position does not).
# Before the player's fixes its LL-HLS play here had 3 to 5 rebuffers, up
# to 0.37 s of drift and a p50 of 5 to 6 s. Dropped frames are printed, not
# asserted: on the shared 2-core machine svplay drops late frames before
# the drop as well as after it (its debug log), which says more about the
# machine's load than about the join.
. "$SV_SOURCE_DIR/tests/backend/backendlib.sh"
. "$SV_SOURCE_DIR/tests/backend_live/livelib.sh"
SVPLAY=${SV_SVPLAY:-$SV_BUILD_DIR/apps/svplay/svplay}
[ -x "$SVPLAY" ] || fail "svplay is not built: $SVPLAY"

live_clip 640x360 20
live_admin
sv_start --workers 0
live_token
live_ports
live_channel again '{"end_after_s":15,"ladder":"360:800"}'
live_loaded && echo "note: the machine is loaded ($(cut -d' ' -f1-3 /proc/loadavg))"
launch=$(date +%s)
live_publish rtmp "$SV_TMP/clip-640x360.mkv" "$SV_TMP/pub1.log"
first=$PUB_PID
live_wait_segments again 360p 2 30

play() {
    timeout -k 5 90 "$SVPLAY" --headless --log-level "${SV_LIVE_LOG:-warn}" --frames 540 \
        --stats "$SV_TMP/$1.json" \
        "$2" >"$SV_TMP/$1.out" 2>"$SV_TMP/$1.err"
    echo $? >"$SV_TMP/$1.rc"
}
play hls "$SV_URL/live/again/master.m3u8" &
a=$!
play dash "$SV_URL/live/again/manifest.mpd" &
b=$!

# The drop: the encoder is killed mid-stream (no clean end of its feed).
sleep $((launch + 12 - $(date +%s)))
kill -KILL "$first" 2>/dev/null || fail "the first publisher was gone before the drop"
wait "$first" 2>/dev/null || true
sleep 5
live_publish srt "$SV_TMP/clip-640x360.mkv" "$SV_TMP/pub2.log"
wait "$a"
wait "$b"

live_pl again 360p
expect_contains "360p playlist after the reconnect" "$(cat "$SV_TMP/pl")" "#EXT-X-DISCONTINUITY"
expect_contains "MPD after the reconnect" "$(curl -s "$SV_URL/live/again/manifest.mpd")" \
    '<Period id="1"'
for kind in hls dash; do
    rc=$(cat "$SV_TMP/$kind.rc")
    [ "$rc" = 0 ] && [ -s "$SV_TMP/$kind.json" ] ||
        fail "$kind: svplay exited $rc: $(tail -n 5 "$SV_TMP/$kind.err")"
    python3 - "$SV_TMP/$kind.json" "$kind" <<'PY' || { tail -n 40 "$SV_TMP/$kind.err"; fail "$kind: see above"; }
import json, sys
s = json.load(open(sys.argv[1])); k = sys.argv[2]
print(f"{k}: {s['decoded_frames']} frames decoded, {s['played_s']:.1f} s played, "
      f"rebuffers {s['rebuffer_count']} ({s['rebuffer_time_s']:.2f} s), dropped {s['dropped_frames']}, "
      f"drift {s['max_av_drift_s']:.4f} s, latency p50 {s['live_latency_p50_s']:.3f} s, "
      f"p95 {s['live_latency_p95_s']:.3f} s")
bad = []
if s["error"] is not None: bad.append(f"error {s['error']}")
if s["rebuffer_count"] > 1: bad.append(f"{s['rebuffer_count']} rebuffers")
if not s["max_av_drift_s"] < 0.100: bad.append("A/V drift")
if not 0 < s["live_latency_p50_s"] < 3.0: bad.append("latency p50")
if bad:
    print(f"FAIL {k}: " + ", ".join(bad)); sys.exit(1)
PY
    ok "svplay played the $kind through the encoder's drop and reconnect"
done
wait "$PUB_PID" || true
