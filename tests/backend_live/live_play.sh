#!/bin/sh
# svplay plays a live channel of svserver (issue 17, the player's part of
# item 5): an RTMP publisher (ffmpeg -re copying a 640x360 lavfi clip with a
# 440 Hz tone, 40 s) into a channel; svplay joins its LL-HLS
# (/live/NAME/master.m3u8) and its LL-DASH (/live/NAME/manifest.mpd) at
# once, headless in real time, for 450 frames (15 s) each:
#   - no error, no rebuffer, no dropped frame, |audio - video| under 40 ms;
#   - the latency (now minus the frames' program date time) has a median
#     under 3 s on both, with the target the manifest gives
#     (PART-HOLD-BACK, ServiceDescription), the rate within 0.95-1.05.
# The figures are printed for the closing note's latency table.
. "$SV_SOURCE_DIR/tests/backend/backendlib.sh"
. "$SV_SOURCE_DIR/tests/backend_live/livelib.sh"
SVPLAY=${SV_SVPLAY:-$SV_BUILD_DIR/apps/svplay/svplay}
[ -x "$SVPLAY" ] || fail "svplay is not built: $SVPLAY"

live_clip 640x360 40
live_admin
sv_start --workers 0
live_token
live_ports
# A 2 s target (the default is 1.5 s): the publisher, the ladder and both
# players share the 2-core machine here, and one more part of margin keeps
# a late part from becoming a rebuffer. bench/live_latency.sh measures the
# default target on its own.
live_channel play '{"end_after_s":45,"target_latency_s":2.0}'
live_publish rtmp "$SV_TMP/clip-640x360.mkv" "$SV_TMP/pub.log"
live_wait_segments play 360p 3 30

play() {
    timeout -k 5 60 "$SVPLAY" --headless --quiet --frames 450 --stats "$SV_TMP/$1.json" \
        "$2" >"$SV_TMP/$1.out" 2>"$SV_TMP/$1.err"
    echo $? >"$SV_TMP/$1.rc"
}
play hls "$SV_URL/live/play/master.m3u8" &
a=$!
play dash "$SV_URL/live/play/manifest.mpd" &
b=$!
wait "$a"
wait "$b"

for kind in hls dash; do
    rc=$(cat "$SV_TMP/$kind.rc")
    [ "$rc" = 0 ] && [ -s "$SV_TMP/$kind.json" ] ||
        fail "$kind: svplay exited $rc: $(tail -n 5 "$SV_TMP/$kind.err")"
    python3 - "$SV_TMP/$kind.json" "$kind" <<'PY' || fail "$kind: see above"
import json, sys
s = json.load(open(sys.argv[1])); k = sys.argv[2]
print(f"{k}: latency p50 {s['live_latency_p50_s']:.3f} s, p95 {s['live_latency_p95_s']:.3f} s, "
      f"target {s['live_target_latency_s']} s, rate {s['min_playback_rate']}..{s['max_playback_rate']} "
      f"({s['playback_rate_changes']} changes), rebuffers {s['rebuffer_count']}, "
      f"dropped {s['dropped_frames']}, drift {s['max_av_drift_s']:.4f} s")
bad = []
if s["error"] is not None: bad.append(f"error {s['error']}")
if s["rebuffer_count"] != 0: bad.append("a rebuffer")
if s["dropped_frames"] != 0: bad.append("dropped frames")
if not s["max_av_drift_s"] < 0.040: bad.append("A/V drift")
if not 0 < s["live_latency_p50_s"] < 3.0: bad.append("latency p50")
if not s["live_target_latency_s"] > 0: bad.append("no target from the manifest")
if not (s["min_playback_rate"] >= 0.95 and s["max_playback_rate"] <= 1.05): bad.append("rate")
if bad:
    print(f"FAIL {k}: " + ", ".join(bad)); sys.exit(1)
PY
    ok "svplay played svserver's live $kind"
done
