#!/bin/sh
# A live manifest that stops advancing (issue 16, docs/sdk.md "Segment
# faults", Live): tests/player/live_gen.sh encodes in real time (1 s
# segments, 20 in the window, so nothing a player still needs leaves it);
# livegen_relay copies its MPD and HLS playlist to the files the players
# read, and freezes them 12 s into the stream (the players joined at 6 s):
# the server keeps answering 200 with the same manifest at every refresh.
#   - stale (frozen for good, --give-up 3000), HLS and DASH: what was
#     buffered plays out, up to the last frame of the last segment the
#     frozen manifest lists, in order, nothing skipped, and the stall at
#     the frozen edge counts as a rebuffer; then svplay exits 1
#     with an error naming the manifest and "stopped advancing", at least
#     --give-up after the freeze and no more than the latency bound (5 s),
#     the give-up and 4 s of refresh slack after it;
#   - resume (frozen from 12 s to 19 s, longer than any player's latency,
#     --give-up 10000): the buffer runs out (a rebuffer), the manifest
#     advances again before the give-up, and
#     playback goes on: 450 frames, exit 0, no error, the frames consecutive
#     (only dropped ones missing), nothing skipped.
# Frames are identified by hash against ffmpeg's decode of the generator's
# whole output (live.sh does the same).
. "$SV_SOURCE_DIR/tests/player/playlib.sh"
. "$SV_SOURCE_DIR/tests/support/livegen.sh"
pl_need date

seg=1
win=20
join=6
freeze=12
resume=19
frames=450
live="$PL_TMP/live"
mkdir -p "$live"
sh "$PL_DIR/live_gen.sh" "$live" 45 "$seg" "$win" 2>"$PL_TMP/gen.err" &
gen=$!
PL_PIDS="$gen"
livegen_wait "$gen" "$live" 25 "$PL_TMP/gen.err"
pl_serve "$live"
start_epoch=$(cat "$live/start_epoch")
for kind in dash hls; do
    case "$kind" in dash) src="$live/dash/manifest.mpd" ext=mpd ;; hls) src="$live/hls/live.m3u8" ext=m3u8 ;; esac
    livegen_relay "$src" "$live/$kind/stale.$ext" "$start_epoch" "$freeze" &
    PL_PIDS="$PL_PIDS $!"
    livegen_relay "$src" "$live/$kind/resume.$ext" "$start_epoch" "$freeze" "$resume" &
    PL_PIDS="$PL_PIDS $!"
done
# Join 6 s before the freeze.
while awk -v s="$start_epoch" -v n="$(date +%s.%N)" -v j="$join" 'BEGIN { exit !(n - s < j) }'; do
    sleep 0.2
done

players=""
for kind in dash hls; do
    case "$kind" in dash) ext=mpd ;; hls) ext=m3u8 ;; esac
    (pl_play "$kind-stale" 60 --headless --realtime --quiet --give-up 3000 \
        --framemd5 "$PL_TMP/$kind-stale.md5" --stats "$PL_TMP/$kind-stale.json" \
        "$PL_URL/$kind/stale.$ext"
     date +%s.%N >"$PL_TMP/$kind-stale.end"
     echo "$PL_RC" >"$PL_TMP/$kind-stale.rc") &
    players="$players $!"
    (pl_play "$kind-resume" 60 --headless --realtime --quiet --give-up 10000 --frames "$frames" \
        --framemd5 "$PL_TMP/$kind-resume.md5" --stats "$PL_TMP/$kind-resume.json" \
        "$PL_URL/$kind/resume.$ext"
     echo "$PL_RC" >"$PL_TMP/$kind-resume.rc") &
    players="$players $!"
done
for pid in $players; do
    wait "$pid"
done
for pid in $PL_PIDS; do
    kill -TERM "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
done
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

# last_listed KIND - the file of the last video segment the frozen manifest lists.
last_listed() {
    case "$1" in
        hls) echo "$live/hls/$(grep -v '^#' "$live/hls/stale.m3u8" | grep . | tail -n 1)" ;;
        dash)
            # startNumber plus the video timeline's entries (1 + r each), less one.
            sed -n '/contentType="video"/,/<\/AdaptationSet>/p' "$live/dash/stale.mpd" |
                awk -F'"' -v dir="$live/dash" '
                    /<SegmentTemplate/ { for (i = 1; i < NF; i++) if ($i ~ / startNumber=$/) s = $(i + 1) }
                    /<S / { n++; for (i = 1; i < NF; i++) if ($i ~ / r=$/) n += $(i + 1) }
                    END { printf "%s/chunk-stream0-%05d.m4s\n", dir, s + n - 1 }' ;;
    esac
}

# order KIND RUN - "FIRST LAST COUNT OK": the indexes in the generator's
# stream of the first and last frames RUN presented, how many it presented,
# and 1 when each is a frame of the stream, later than the one before.
order() {
    pl_hashes "$PL_TMP/$2.md5" | awk -v ref="$PL_TMP/$1.ref" '
        BEGIN { while ((getline h <ref) > 0) if (!(h in at)) at[h] = ++n }
        { k = at[$1]; if (!k || k <= last) bad = 1; if (!first) first = k; last = k; c++ }
        END { printf "%d %d %d %d\n", first, last, c, (!bad && c > 0) }'
}

for kind in dash hls; do
    # Frozen for good.
    run=$kind-stale
    PL_RC=$(cat "$PL_TMP/$run.rc")
    s="$PL_TMP/$run.json"
    pl_expect_error "$run"
    r=$?
    msg=$(pl_json "$s" error.message)
    case "$msg" in
        *"live manifest $PL_URL/$kind/stale."*" stopped advancing"*) ;;
        *) echo "  $run: the error '$msg' names no stale manifest"; r=1 ;;
    esac
    seg_file=$(last_listed "$kind")
    case "$kind" in
        hls) cp "$seg_file" "$PL_TMP/last.ts" ;;
        dash) cat "$live/dash/init-stream0.m4s" "$seg_file" >"$PL_TMP/last.ts" ;;
    esac
    want=$(ffmpeg -nostdin -v error -i "$PL_TMP/last.ts" -map 0:v:0 -fps_mode passthrough \
        -f framemd5 - 2>/dev/null | awk -F, 'NF >= 6 && $1 + 0 == 0 { gsub(/ /, "", $6); h = $6 } END { print h }')
    got=$(pl_hashes "$PL_TMP/$run.md5" | tail -n 1)
    [ -n "$want" ] && [ "$got" = "$want" ] ||
        { echo "  $run: the last frame shown ($got) is not the last of $(basename "$seg_file") ($want)"; r=1; }
    set -- $(order "$kind" "$run")
    [ "$4" -eq 1 ] || { echo "  $run: frames out of order or not of the stream"; r=1; }
    [ "$(pl_json "$s" skipped_segments)" = 0 ] || { echo "  $run: segments skipped"; r=1; }
    rebuf=$(pl_json "$s" rebuffer_count)
    [ "$rebuf" -ge 1 ] || { echo "  $run: the stall at the frozen edge is no rebuffer"; r=1; }
    after=$(awk -v e="$(cat "$PL_TMP/$run.end")" -v s="$start_epoch" -v f="$freeze" \
        'BEGIN { printf "%.2f", e - s - f }')
    awk -v a="$after" -v most=$((4 * seg + 1 + 3 + 4)) 'BEGIN { exit !(a >= 3 && a <= most) }' ||
        { echo "  $run: ended $after s after the freeze (3 to $((4 * seg + 1 + 3 + 4)) s wanted)"; r=1; }
    [ "$r" -eq 0 ] || pl_show "$run"
    check "$r" "$run: played out to the last frame of $(basename "$seg_file") (frames $1..$2, $3 shown, dropped $(pl_json "$s" dropped_frames), $rebuf rebuffer(s)), exit 1 $after s after the freeze: $msg"

    # Frozen for 7 s, then advancing again.
    run=$kind-resume
    s="$PL_TMP/$run.json"
    rc=$(cat "$PL_TMP/$run.rc")
    r=0
    [ "$rc" -eq 0 ] || { echo "  $run: exit $rc"; r=1; }
    err=$(pl_json "$s" error)
    [ "$err" = null ] || { echo "  $run: error $err"; r=1; }
    set -- $(order "$kind" "$run")
    dropped=$(pl_json "$s" dropped_frames)
    [ "$4" -eq 1 ] && [ "$3" -ge "$frames" ] && [ $(($2 - $1 + 1)) -eq $(($3 + dropped)) ] ||
        { echo "  $run: frames $1..$2, $3 shown in order: $4, $dropped dropped (wanted $frames consecutive)"; r=1; }
    rebuf=$(pl_json "$s" rebuffer_count)
    [ "$rebuf" -ge 1 ] || { echo "  $run: no rebuffer: the freeze never spent the buffer"; r=1; }
    [ "$(pl_json "$s" skipped_segments)" = 0 ] || { echo "  $run: segments skipped"; r=1; }
    [ "$r" -eq 0 ] || pl_show "$run"
    check "$r" "$run: frames $1..$2 ($3 shown, $dropped dropped) across a $((resume - freeze)) s freeze, $rebuf rebuffer(s), exit 0, no error"
done
pl_finish
