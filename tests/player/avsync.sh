#!/bin/sh
# A/V sync in real time: headless playback paced by the null audio sink (the
# master clock) keeps |audio clock - video clock| under 40 ms at every
# presented frame (stats max_av_drift_s), and prints the largest drift.
#   avsync.sh SECONDS FIXTURE_PATH
# The default suite plays 10 s of the fMP4 HLS fixture (separate audio
# playlist); the slow suite plays the 60 s DASH fixture to its end.
. "$SV_SOURCE_DIR/tests/player/playlib.sh"

secs=${1:-10}
path=${2:-hls_fmp4/master.m3u8}
[ -f "$PL_STREAMS/www/$path" ] || fail "no fixture $path (make-test-streams.sh groups)"
frames=$((secs * 30))
pl_serve
stats="$PL_TMP/avsync.json"
start=$(date +%s.%N)
pl_play avsync $((secs + 60)) --headless --realtime --quiet --frames "$frames" --stats "$stats" \
    "$PL_URL/$path"
end=$(date +%s.%N)
[ "$PL_RC" -eq 0 ] || { pl_show avsync; fail "svplay exited $PL_RC"; }
[ -s "$stats" ] || fail "no stats file"

drift=$(pl_json "$stats" max_av_drift_s)
echo "max |audio - video| drift over ${secs} s: $drift s"
wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
[ "$(pl_json "$stats" error)" = null ]
check $? "no error ($(pl_json "$stats" error))"
# Real time, or the drift means nothing: the run must take the media's time.
awk -v w="$wall" -v s="$secs" 'BEGIN { exit !(w >= s * 0.95) }'
check $? "played in real time: $wall s wall clock for $secs s of media"
played=$(pl_json "$stats" played_s)
awk -v p="$played" -v s="$secs" 'BEGIN { exit !(p >= s - 0.1) }'
check $? "played_s $played >= $secs - 0.1"
audio=$(pl_json "$stats" audio_frames)
awk -v a="$audio" -v s="$secs" 'BEGIN { exit !(a >= (s - 0.5) * 48000) }'
check $? "audio really played (the clock): $audio samples"
echo "decoded $(pl_json "$stats" decoded_frames), dropped $(pl_json "$stats" dropped_frames), audio silence $(pl_json "$stats" audio_silence_frames) frames, rebuffers $(pl_json "$stats" rebuffer_count)"
awk -v d="$drift" 'BEGIN { exit !(d != "" && d + 0 == d && d >= 0 && d < 0.040) }'
check $? "max_av_drift_s $drift < 0.040"
pl_finish
