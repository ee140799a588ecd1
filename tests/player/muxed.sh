#!/bin/sh
# Muxed segments in real time (issue 16): HLS whose segments carry audio and
# video together plays as smoothly as separate audio. fMP4 is the hard case:
# ffmpeg puts each segment's video samples before its audio in one fragment,
# so a player that reads a track only after the other's queue drained
# starves its audio (silence) and drops video at every segment boundary.
#
# VOD, for each muxed fixture (hls_fmp4_muxed, hls_ts), the 640x360
# rendition locked, headless on the null audio sink's clock, all its frames:
#   - every presented frame's MD5 equals ffmpeg's decode of that rendition,
#     line for line (a dropped or repeated frame breaks the sequence);
#   - dropped_frames 0, max_av_drift_s < 0.040 (audio is the master clock);
#   - audio_silence_frames 0 (the run stops at the last frame, before the
#     sink's pull that finds the end) and the audio really played;
#   - played_s is the content's duration within one frame, in real time.
# Live (live_fmp4): one `ffmpeg -re` writes a live HLS fMP4 playlist with the
# audio muxed in (320x180, 1 s segments, a window of 6), started with the
# VOD runs, which play meanwhile; svplay joins it once its window is full and plays
# 300 frames: no error, dropped 0, drift < 0.040, silence 0, and the
# presented hashes are consecutive frames of ffmpeg's decode of everything
# the generator wrote.
#   muxed.sh [CASE...]   (default: hls_fmp4_muxed hls_ts live_fmp4)
. "$SV_SOURCE_DIR/tests/player/playlib.sh"

cases=${*:-hls_fmp4_muxed hls_ts live_fmp4}
# One server for both: the fixtures copied into a root of our own (the
# server serves no symbolic links), beside the live output.
root="$PL_TMP/www"
live="$root/live"
live_frames=300

# The checks every run shares: NAME STATS WALL_S MEDIA_S.
check_stats() {
    _dropped=$(pl_json "$2" dropped_frames)
    _drift=$(pl_json "$2" max_av_drift_s)
    _silence=$(pl_json "$2" audio_silence_frames)
    _audio=$(pl_json "$2" audio_frames)
    _err=$(pl_json "$2" error)
    echo "$1: decoded $(pl_json "$2" decoded_frames), dropped $_dropped, max drift $_drift s, audio $_audio samples, silence $_silence, played $(pl_json "$2" played_s) s in $3 s, rebuffers $(pl_json "$2" rebuffer_count)"
    [ "$_err" = null ]
    check $? "$1: no error ($_err)"
    [ "$_dropped" = 0 ]
    check $? "$1: dropped_frames $_dropped = 0"
    awk -v d="$_drift" 'BEGIN { exit !(d != "" && d + 0 == d && d >= 0 && d < 0.040) }'
    check $? "$1: max_av_drift_s $_drift < 0.040"
    [ "$_silence" = 0 ]
    check $? "$1: audio_silence_frames $_silence = 0"
    awk -v a="$_audio" -v s="$4" 'BEGIN { exit !(a + 0 == a && a >= (s - 0.1) * 48000) }'
    check $? "$1: audio really played: $_audio samples >= ($4 - 0.1) s"
    awk -v w="$3" -v s="$4" 'BEGIN { exit !(w >= s * 0.95) }'
    check $? "$1: played in real time: $3 s wall clock for $4 s of media"
}

# The runs play at the same time (pl_play_bg): the VOD ones start with the
# generator, the live one joins once its window is full.
# play NAME LIMIT_S ARGS... - starts a run; played NAME - waits for it
# (sets PL_RC and WALL).
play() {
    pl_play_bg "$@"
}
played() {
    pl_wait "$1"
    WALL=$PL_WALL
}

start_live() {
    mkdir -p "$live"
    ffmpeg -nostdin -hide_banner -loglevel error -y \
        -re -t 45 -f lavfi -i "testsrc2=size=320x180:rate=30" \
        -re -t 45 -f lavfi -i "sine=frequency=440:sample_rate=48000" \
        -c:v libx264 -preset veryfast -tune zerolatency -pix_fmt yuv420p -g 30 -keyint_min 30 \
        -sc_threshold 0 -b:v 300k -c:a aac -b:a 64k -ac 2 \
        -f hls -hls_time 1 -hls_list_size 6 -hls_segment_type fmp4 \
        -hls_flags temp_file+independent_segments -hls_fmp4_init_filename init.mp4 \
        -hls_segment_filename "$live/s%d.m4s" "$live/live.m3u8" 2>"$PL_TMP/gen.err" &
    PL_PIDS="$!"
}

start_vod() {
    pl_fixture "$1"
    _r=$((FX_RENDITIONS - 1))
    _run="$1-v$_r"
    play "$_run" $((FX_DURATION + 60)) --headless --realtime --quiet --quality "$_r" \
        --frames "$FX_FRAMES" --framemd5 "$PL_TMP/$_run.framemd5" --stats "$PL_TMP/$_run.json" \
        "$PL_URL/$FX_PATH"
}

check_vod() {
    pl_fixture "$1"
    _r=$((FX_RENDITIONS - 1))
    _run="$1-v$_r"
    _stats="$PL_TMP/$_run.json"
    played "$_run"
    if [ "$PL_RC" -ne 0 ] || [ ! -s "$_stats" ]; then
        check 1 "$_run: svplay exited $PL_RC"
        pl_show "$_run"
        return
    fi
    _ref="$PL_STREAMS/ref/$1/v$_r.md5"
    pl_hashes "$PL_TMP/$_run.framemd5" >"$PL_TMP/$_run.md5"
    _got=$(wc -l <"$PL_TMP/$_run.md5")
    if cmp -s "$PL_TMP/$_run.md5" "$_ref"; then
        check 0 "$_run: $_got/$(wc -l <"$_ref") frame hashes equal ffmpeg's framemd5"
    else
        check 1 "$_run: hashes differ from ffmpeg's ($_got frames, expected $(wc -l <"$_ref"); first difference: $(diff "$PL_TMP/$_run.md5" "$_ref" | head -n 1))"
    fi
    check_stats "$_run" "$_stats" "$WALL" "$FX_DURATION"
    _played=$(pl_json "$_stats" played_s)
    awk -v p="$_played" -v s="$FX_DURATION" -v f="$FX_FPS" \
        'BEGIN { d = p - s; if (d < 0) d = -d; exit !(p + 0 == p && d <= 1 / f + 1e-6) }'
    check $? "$_run: played_s $_played = $FX_DURATION s within one frame"
}

play_live() {
    # Join once the window is full (6 segments listed), bounded at 30 s.
    _i=0
    while [ "$(grep -c '^#EXTINF' "$live/live.m3u8" 2>/dev/null || echo 0)" -lt 6 ]; do
        kill -0 "$PL_PIDS" 2>/dev/null || fail "the live generator stopped: $(cat "$PL_TMP/gen.err")"
        _i=$((_i + 1))
        [ "$_i" -le 300 ] || fail "the live playlist did not list 6 segments within 30 s"
        sleep 0.1
    done
    _stats="$PL_TMP/live.json"
    play live_fmp4 60 --headless --realtime --quiet --frames "$live_frames" \
        --framemd5 "$PL_TMP/live.framemd5" --stats "$_stats" "$PL_URL/live/live.m3u8"
    played live_fmp4
    kill -TERM "$PL_PIDS" 2>/dev/null
    wait "$PL_PIDS" 2>/dev/null
    PL_PIDS=""
    if [ "$PL_RC" -ne 0 ] || [ ! -s "$_stats" ]; then
        check 1 "live_fmp4: svplay exited $PL_RC"
        pl_show live_fmp4
        return
    fi
    # Everything the generator wrote, decoded by ffmpeg: one hash per frame.
    ls "$live"/s*.m4s | sort -V | xargs cat "$live/init.mp4" >"$PL_TMP/live.mp4"
    ffmpeg -nostdin -v error -i "$PL_TMP/live.mp4" -map 0:v:0 -fps_mode passthrough \
        -f framemd5 "$PL_TMP/live.ref.framemd5" || fail "ffmpeg cannot decode the generator's output"
    pl_hashes "$PL_TMP/live.ref.framemd5" >"$PL_TMP/live.ref"
    pl_hashes "$PL_TMP/live.framemd5" >"$PL_TMP/live.md5"
    _n=$(wc -l <"$PL_TMP/live.md5")
    _k=$(grep -n -x -m1 "$(head -n 1 "$PL_TMP/live.md5")" "$PL_TMP/live.ref" | cut -d: -f1)
    if [ -n "$_k" ] && tail -n +"$_k" "$PL_TMP/live.ref" | head -n "$_n" | cmp -s - "$PL_TMP/live.md5"; then
        check 0 "live_fmp4: $_n frames presented, consecutive frames of the generator's from frame $_k"
    else
        check 1 "live_fmp4: the $_n frames presented are not consecutive frames of the generator's (first at line ${_k:-none})"
    fi
    [ "$_n" -eq "$live_frames" ]
    check $? "live_fmp4: $_n frames presented (wanted $live_frames)"
    check_stats live_fmp4 "$_stats" "$WALL" $((live_frames / 30))
}

mkdir -p "$root"
for c in $cases; do
    case "$c" in
        live_fmp4) start_live ;;
        *) pl_fixture "$c"
           cp -R "$PL_STREAMS/www/${FX_PATH%%/*}" "$root/" || fail "cannot copy fixture $c" ;;
    esac
done
pl_serve "$root"
for c in $cases; do
    case "$c" in
        live_fmp4) ;;
        *) start_vod "$c" ;;
    esac
done
for c in $cases; do
    case "$c" in
        live_fmp4) play_live ;;
    esac
done
for c in $cases; do
    case "$c" in
        live_fmp4) ;;
        *) check_vod "$c" ;;
    esac
done
pl_finish
