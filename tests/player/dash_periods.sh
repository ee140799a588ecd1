#!/bin/sh
# Several DASH Periods played through in order, in real time (issue 16):
#   vod   Shaka Packager's --ad_cues "4;8": three Periods cut from one
#         timeline (presentationTimeOffset, a startNumber each), video
#         representation 1 locked: ffmpeg's frames of the representation, in
#         order, none dropped, no rebuffer, |audio - video| under 40 ms, every
#         audio sample;
#   live  a dynamic MPD written here around the multiperiod fixture's files:
#         five 6 s Periods (its two parts in turn, a BaseURL each), the
#         presentation 9 s old when svplay joins, minimumUpdatePeriod PT500S
#         (no refresh during the run), so the next Period's segments become
#         available with time only. 15 s from the join cross two Period
#         boundaries: the frames presented are the Periods' frames in order
#         (a contiguous run of their concatenation), none dropped, no
#         rebuffer, no stall, |audio - video| under 40 ms, and the first one
#         shown at most suggestedPresentationDelay + one segment behind the
#         live edge.
. "$SV_SOURCE_DIR/tests/player/playlib.sh"
pl_need date

# The live presentation's folder: a copy of the two-Period fixture's files
# (its sub-MPDs give the AdaptationSets) and the MPD.
root="$PL_TMP/www"
mkdir -p "$root"
cp -R "$PL_STREAMS/www/multiperiod" "$root/multiperiod" || fail "cannot copy the multiperiod fixture"
cp -R "$PL_STREAMS/www/shaka_periods" "$root/shaka_periods" || fail "cannot copy the shaka_periods fixture"
pl_serve "$root"

# live: Periods p0..p4 of 6 s, the fixture's part 0, 1, 0, 1, 0.
ast=$(($(date +%s) - 9))
{
    echo '<?xml version="1.0" encoding="utf-8"?>'
    echo '<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:isoff-live:2011"'
    echo "     type=\"dynamic\" availabilityStartTime=\"$(date -u -d "@$ast" +%Y-%m-%dT%H:%M:%SZ)\""
    echo '     minimumUpdatePeriod="PT500S" timeShiftBufferDepth="PT30S" suggestedPresentationDelay="PT2S"'
    echo '     maxSegmentDuration="PT2.0S" minBufferTime="PT2.0S">'
    for p in 0 1 2 3 4; do
        part=$((p % 2))
        echo "  <Period id=\"p$p\" start=\"PT$((p * 6))S\" duration=\"PT6S\">"
        echo "    <BaseURL>multiperiod/p$part/</BaseURL>"
        sed -n '/<AdaptationSet/,/<\/AdaptationSet>/p' "$root/multiperiod/p$part/manifest.mpd"
        echo '  </Period>'
    done
    echo '</MPD>'
} >"$root/live.mpd"
[ "$(grep -c '<AdaptationSet' "$root/live.mpd")" = 10 ] || fail "the live MPD did not take 10 AdaptationSets"
# Its frames, Period after Period (representation 0 of each part).
head -n 180 "$PL_STREAMS/ref/multiperiod/v0.md5" >"$PL_TMP/part0"
tail -n +181 "$PL_STREAMS/ref/multiperiod/v0.md5" >"$PL_TMP/part1"
[ "$(wc -l <"$PL_TMP/part0")" = 180 ] && [ "$(wc -l <"$PL_TMP/part1")" = 180 ] ||
    fail "the multiperiod fixture's reference is not 2 x 180 frames"
cat "$PL_TMP/part0" "$PL_TMP/part1" "$PL_TMP/part0" "$PL_TMP/part1" "$PL_TMP/part0" >"$PL_TMP/live.ref"

# The two runs play at the same time (pl_play_bg): two small renditions
# decode in a fraction of the machine the test declares.
pl_fixture shaka_periods
pl_play_bg vod 60 --headless --realtime --quiet --quality 1 \
    --framemd5 "$PL_TMP/vod.md5" --stats "$PL_TMP/vod.json" "$PL_URL/$FX_PATH"
run=live
frames=450
pl_play_bg "$run" 60 --headless --realtime --quiet --quality 0 --frames "$frames" \
    --framemd5 "$PL_TMP/$run.md5" --stats "$PL_TMP/$run.json" "$PL_URL/live.mpd"
pl_wait "$run"
launch=$(cat "$PL_TMP/$run.start")
end=$(cat "$PL_TMP/$run.end")

live_checks() {
    stats="$PL_TMP/$run.json"
    if [ "$PL_RC" -ne 0 ] || [ ! -s "$stats" ]; then
        check 1 "$run: svplay exited $PL_RC"
        pl_show "$run"
        return
    fi
    err=$(pl_json "$stats" error)
    [ "$err" = null ]
    check $? "$run: no error ($err)"
    pl_hashes "$PL_TMP/$run.md5" >"$PL_TMP/$run.got"
    n=$(wc -l <"$PL_TMP/$run.got")
    startup=$(pl_json "$stats" startup_time_s)
    shown=$(awk -v l="$(pl_json "$stats" load_unix_s)" -v s="$startup" -v a="$ast" 'BEGIN { printf "%.3f", l + s - a }')
    # The first frame shown: the latest place in the concatenation that holds
    # it and lies before the edge (each part's frames come back in later Periods).
    k=$(grep -n -x "$(head -n 1 "$PL_TMP/$run.got")" "$PL_TMP/live.ref" | cut -d: -f1 |
        awk -v e="$shown" '($1 - 1) / 30 < e { k = $1 } END { print k + 0 }')
    if [ "$k" -eq 0 ]; then
        check 1 "$run: the first frame shown is not a frame of the Periods"
    else
        tail -n "+$k" "$PL_TMP/live.ref" | head -n "$n" >"$PL_TMP/$run.want"
        [ "$n" -ge "$frames" ] && cmp -s "$PL_TMP/$run.got" "$PL_TMP/$run.want"
        check $? "$run: $n frames presented: the Periods' frames $k..$((k + n - 1)) in order, across the boundaries at 12 s and 18 s (wanted $frames)"
        # Where it went wrong, as media times of the reference.
        diff "$PL_TMP/$run.got" "$PL_TMP/$run.want" | awk -v k="$k" -F'[acd,]' \
            '/^[0-9]/ { printf "  first difference at media time %.3f s (%s)\n", (k + $1 - 1) / 30, $0; exit }' 
        verdict=$(awk -v k="$k" -v e="$shown" 'BEGIN { m = (k - 1) / 30; printf "%d %.3f %.3f", (e - m > 2 && e - m <= 4), m, e - m }')
        set -- $verdict
        [ "$1" -eq 1 ]
        check $? "$run: first frame at media time $2 s, $3 s behind the live edge (more than one 2 s segment, at most 4 s)"
        awk -v k="$k" -v n="$n" 'BEGIN { exit !((k - 1) / 30 < 12 && (k + n - 1) / 30 > 18) }'
        check $? "$run: the frames shown span both Period boundaries (12 s and 18 s)"
    fi
    dropped=$(pl_json "$stats" dropped_frames)
    rebuf=$(pl_json "$stats" rebuffer_count)
    [ "$dropped" = 0 ] && [ "$rebuf" = 0 ]
    check $? "$run: dropped_frames $dropped, rebuffer_count $rebuf"
    drift=$(pl_json "$stats" max_av_drift_s)
    awk -v d="$drift" 'BEGIN { exit !(d != "" && d + 0 == d && d >= 0 && d < 0.040) }'
    check $? "$run: max_av_drift_s $drift < 0.040"
    verdict=$(awk -v a="$launch" -v b="$end" -v n="$frames" -v s="$startup" 'BEGIN {
        w = b - a; printf "%d %.2f", (w <= n / 30 + s + 1.5), w }')
    set -- $verdict
    [ "$1" -eq 1 ]
    check $? "$run: played without a stall: $2 s from launch to exit for $((frames / 30)) s of media"
}
live_checks

run=vod
pl_wait "$run"
pl_realtime_checks "$run" "$PL_STREAMS/ref/shaka_periods/v1.md5" \
    "$(cat "$PL_STREAMS/ref/shaka_periods/audio_samples")"

pl_finish
