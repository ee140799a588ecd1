#!/bin/sh
# Muxed segments in real time (issue 16): HLS whose segments carry audio and
# video together plays as smoothly as separate audio. The fMP4 fixture is the
# hard case: each fragment holds the segment's 60 video samples before its
# audio, so a player that reads a track only after the other's queue drained
# starves its audio (silence) and drops video at every segment boundary.
# For each muxed fixture (fMP4, MPEG-TS), the 640x360 rendition locked,
# headless on the null audio sink's clock, all its frames:
#   - every presented frame's MD5 equals ffmpeg's decode of that rendition,
#     line for line (a dropped or repeated frame breaks the sequence);
#   - dropped_frames 0, max_av_drift_s < 0.040 (audio is the master clock);
#   - audio_silence_frames 0 (the run stops at the last frame, before the
#     sink's pull that finds the end) and the audio really played;
#   - played_s is the content's duration within one frame, in real time.
#   muxed.sh [FIXTURE...]   (default: hls_fmp4_muxed hls_ts)
. "$SV_SOURCE_DIR/tests/player/playlib.sh"

pl_serve
for name in ${*:-hls_fmp4_muxed hls_ts}; do
    pl_fixture "$name"
    r=$((FX_RENDITIONS - 1))
    run="$name-v$r"
    md5="$PL_TMP/$run.framemd5"
    stats="$PL_TMP/$run.json"
    start=$(date +%s.%N)
    pl_play "$run" $((FX_DURATION + 60)) --headless --realtime --quiet --quality "$r" \
        --frames "$FX_FRAMES" --framemd5 "$md5" --stats "$stats" "$PL_URL/$FX_PATH"
    end=$(date +%s.%N)
    if [ "$PL_RC" -ne 0 ] || [ ! -s "$stats" ]; then
        check 1 "$run: svplay exited $PL_RC"
        pl_show "$run"
        continue
    fi
    err=$(pl_json "$stats" error)
    [ "$err" = null ]
    check $? "$run: no error ($err)"

    ref="$PL_STREAMS/ref/$name/v$r.md5"
    pl_hashes "$md5" >"$PL_TMP/$run.md5"
    got=$(wc -l <"$PL_TMP/$run.md5")
    want=$(wc -l <"$ref")
    if cmp -s "$PL_TMP/$run.md5" "$ref"; then
        check 0 "$run: $got/$want frame hashes equal ffmpeg's framemd5"
    else
        first=$(diff "$PL_TMP/$run.md5" "$ref" | head -n 1)
        check 1 "$run: hashes differ from ffmpeg's ($got frames, expected $want; first difference: $first)"
    fi

    dropped=$(pl_json "$stats" dropped_frames)
    drift=$(pl_json "$stats" max_av_drift_s)
    silence=$(pl_json "$stats" audio_silence_frames)
    audio=$(pl_json "$stats" audio_frames)
    played=$(pl_json "$stats" played_s)
    wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
    echo "$run: decoded $(pl_json "$stats" decoded_frames), dropped $dropped, max drift $drift s, audio $audio samples, silence $silence, played $played s in $wall s, rebuffers $(pl_json "$stats" rebuffer_count)"
    [ "$dropped" = 0 ]
    check $? "$run: dropped_frames $dropped = 0"
    awk -v d="$drift" 'BEGIN { exit !(d != "" && d + 0 == d && d >= 0 && d < 0.040) }'
    check $? "$run: max_av_drift_s $drift < 0.040"
    [ "$silence" = 0 ]
    check $? "$run: audio_silence_frames $silence = 0"
    awk -v a="$audio" -v s="$FX_DURATION" 'BEGIN { exit !(a + 0 == a && a >= (s - 0.1) * 48000) }'
    check $? "$run: audio really played: $audio samples >= ($FX_DURATION - 0.1) s"
    awk -v p="$played" -v s="$FX_DURATION" -v f="$FX_FPS" \
        'BEGIN { d = p - s; if (d < 0) d = -d; exit !(p + 0 == p && d <= 1 / f + 1e-6) }'
    check $? "$run: played_s $played = $FX_DURATION s within one frame"
    awk -v w="$wall" -v s="$FX_DURATION" 'BEGIN { exit !(w >= s * 0.95) }'
    check $? "$run: played in real time: $wall s wall clock for $FX_DURATION s of media"
done
pl_finish
