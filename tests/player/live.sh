#!/bin/sh
# Live: tests/player/live_gen.sh encodes in real time into a dynamic MPD and a
# live HLS playlist; svplay joins each (both at once) and must
#   - start near the live edge: joining 10 s in, when the window (8
#     segments of 1 s) no longer starts at 0, the media time of its first
#     frame is at most 5 s behind what the generator had produced when svplay
#     started: 3 segments back from the newest listed one (the HLS rule),
#     plus up to 1 segment not yet published, plus 1 s of encoder latency. A
#     player that starts at the oldest segment of the window is 8 s or more
#     behind;
#   - play 15 s (450 frames, real time) with no error.
# Which frame a player showed first comes from its hash: afterwards the
# generator's segments (all kept on disk) are decoded by ffmpeg, and frame k
# of that stream, k/30 s of media, was produced at start_epoch + k/30.
. "$SV_SOURCE_DIR/tests/player/playlib.sh"
. "$SV_SOURCE_DIR/tests/support/livegen.sh"
pl_need date

# 1 s segments, 8 in the window: the window fills, and the test joins, at
# 10 s instead of 16 s with 2 s segments and 6 in the window.
seg=1
win=8
frames=450
live="$PL_TMP/live"
mkdir -p "$live"
sh "$PL_DIR/live_gen.sh" "$live" 45 "$seg" "$win" 2>"$PL_TMP/gen.err" &
gen=$!
PL_PIDS="$gen"
livegen_wait "$gen" "$live" 25 "$PL_TMP/gen.err"
pl_serve "$live"
start_epoch=$(cat "$live/start_epoch")
# Join once the window no longer starts at 0: a player that starts at the
# oldest segment instead of near the edge is then a whole window behind.
while awk -v s="$start_epoch" -v n="$(date +%s.%N)" -v j=$(((win + 2) * seg)) 'BEGIN { exit !(n - s < j) }'; do
    sleep 0.2
done

for kind in dash hls; do
    case "$kind" in
        dash) url="$PL_URL/dash/manifest.mpd" ;;
        hls) url="$PL_URL/hls/live.m3u8" ;;
    esac
    date +%s.%N >"$PL_TMP/$kind.launch"
    (pl_play "$kind" 60 --headless --realtime --quiet --frames "$frames" \
        --framemd5 "$PL_TMP/$kind.md5" --stats "$PL_TMP/$kind.json" "$url"
     echo "$PL_RC" >"$PL_TMP/$kind.rc") &
    players="${players:-} $!"
done
for pid in $players; do
    wait "$pid"
done
kill -TERM "$gen" 2>/dev/null
wait "$gen" 2>/dev/null
PL_PIDS=""

# The generator's whole output, decoded by ffmpeg: one hash per frame.
ls "$live/dash/"chunk-stream0-*.m4s | sort -V | xargs cat "$live/dash/init-stream0.m4s" >"$PL_TMP/dash.mp4"
ls "$live/hls/"live*.ts | sort -V | xargs cat >"$PL_TMP/hls.ts"
for kind in dash hls; do
    case "$kind" in dash) f="$PL_TMP/dash.mp4" ;; hls) f="$PL_TMP/hls.ts" ;; esac
    ffmpeg -nostdin -v error -i "$f" -map 0:v:0 -fps_mode passthrough -f framemd5 "$PL_TMP/$kind.ref.framemd5" ||
        fail "ffmpeg cannot decode the generator's $kind output"
    pl_hashes "$PL_TMP/$kind.ref.framemd5" >"$PL_TMP/$kind.ref"
done

for kind in dash hls; do
    rc=$(cat "$PL_TMP/$kind.rc")
    if [ "$rc" -ne 0 ]; then
        check 1 "$kind: svplay exited $rc"
        pl_show "$kind"
        continue
    fi
    stats="$PL_TMP/$kind.json"
    err=$(pl_json "$stats" error)
    [ "$err" = null ]
    check $? "$kind: no error ($err)"
    n=$(pl_hashes "$PL_TMP/$kind.md5" | wc -l)
    [ "$n" -ge "$frames" ]
    check $? "$kind: $n frames presented in real time (wanted $frames); rebuffers $(pl_json "$stats" rebuffer_count), dropped $(pl_json "$stats" dropped_frames)"
    hash=$(pl_hashes "$PL_TMP/$kind.md5" | head -n 1)
    k=$(grep -n -x -m1 "$hash" "$PL_TMP/$kind.ref" | cut -d: -f1)
    if [ -z "$hash" ] || [ -z "$k" ]; then
        check 1 "$kind: the first frame shown ($hash) is not a frame of the generator's stream"
        continue
    fi
    launch=$(cat "$PL_TMP/$kind.launch")
    verdict=$(awk -v k="$k" -v launch="$launch" -v start="$start_epoch" -v seg="$seg" 'BEGIN {
        media = (k - 1) / 30
        edge = launch - start
        lag = edge - media
        printf "%d %.3f %.3f %.3f", (lag >= -0.5 && lag <= 4 * seg + 1), media, edge, lag
    }')
    set -- $verdict
    [ "$1" -eq 1 ]
    check $? "$kind: joined at media time $2 s when the generator was at $3 s: $4 s behind the edge (at most $((4 * seg + 1)) s)"
done
pl_finish
