#!/bin/sh
# DASH addressed by byte ranges of one file per representation (issue 16),
# played in real time (headless, paced by the null audio sink): ffmpeg's
# -single_file SegmentList (<Initialization range> without sourceURL,
# mediaRange), the same with -global_sidx, and a SegmentBase over those files
# (indexRange with an Initialization range for video; an indexRange alone for
# audio, whose init segment is then the bytes before the sidx). Each run, one
# video representation locked, must
#   - present exactly the frames ffmpeg decodes from the representation's
#     file, in order, none dropped, with no rebuffer;
#   - keep |audio - video| under 40 ms;
#   - play the audio samples of the segments inside the Period
#     (scripts/make-test-streams.sh, list_audio_ref);
#   - fetch the init segment as a byte range (a 206 answer for bytes=0-...),
#     never the whole file.
#   dash_ranges.sh [FIXTURE:QUALITY...]
. "$SV_SOURCE_DIR/tests/player/playlib.sh"

#   The runs play at the same time (pl_play_bg): three small renditions
#   decode in a fraction of the machine the test declares.
pl_serve
runs=${*:-dash_single:2 dash_gsidx:1 dash_base:0}
for run in $runs; do
    name=${run%:*}
    q=${run#*:}
    pl_fixture "$name"
    pl_play_bg "$run" 60 --headless --realtime --quiet --quality "$q" \
        --framemd5 "$PL_TMP/$run.md5" --stats "$PL_TMP/$run.json" "$PL_URL/$FX_PATH"
done
for run in $runs; do
    name=${run%:*}
    q=${run#*:}
    pl_wait "$run"
    pl_realtime_checks "$run" "$PL_STREAMS/ref/$name/v$q.md5" "$(cat "$PL_STREAMS/ref/$name/audio_samples")"
done

# Every request for the single files was a range answered 206; the init
# segments were among them (ranges from byte 0).
node -e '
const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean);
let whole = 0, init = 0, ranged = 0;
for (const l of lines) {
    const r = JSON.parse(l);
    if (!/\/dash_(single|gsidx)\/manifest-stream\d\.mp4$/.test(r.path)) continue;
    if (r.status === 206 && r.range) { ranged++; if (/^bytes=0-/.test(r.range)) init++; }
    else whole++;
}
console.log(ranged, init, whole);
' "$PL_TMP/requests.jsonl" >"$PL_TMP/ranges" || fail "cannot read the request log"
read -r ranged init whole <"$PL_TMP/ranges"
# Two init segments (video and audio) per run.
[ "$whole" -eq 0 ] && [ "$init" -ge $((2 * $(echo $runs | wc -w))) ] && [ "$ranged" -gt "$init" ]
check $? "requests for the representation files: $ranged ranges answered 206 ($init of them init segments from byte 0), $whole other"
pl_finish
