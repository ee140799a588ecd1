#!/bin/sh
# Live DASH timing (issue 16). tests/player/live_dash_gen.sh encodes one live
# stream in real time into two dynamic MPDs over the same 2 s segments, and
# this script publishes a third:
#   num  SegmentTemplate @duration/$Number$, written once (minimumUpdatePeriod
#        PT500S): which segments exist follows from availabilityStartTime,
#        Period@start and the clock alone;
#   tl   SegmentTemplate + SegmentTimeline, rewritten after every segment;
#   lag  tl's MPD, but the first load answers it with the audio timeline one
#        segment short (a fault rule), as when a packager has written the
#        video segment and not yet the audio one: audio and video must still
#        start at the same presentation time.
# svplay joins each (all at once, 10 s in, when the 10 s window has filled)
# and must play 10 s (300 frames) in real time:
#   - every frame presented is the generator's, in order, none skipped or
#     repeated, none dropped, no rebuffer, and the run takes the media's
#     time (no stall that the player did not count);
#   - |audio - video| under 40 ms at every frame;
#   - its first frame is shown behind the live edge (now - the MPD's
#     availabilityStartTime, at the moment it is shown) by at most
#     suggestedPresentationDelay + one segment (lag: + two segments, its
#     audio edge was one segment back), and by more than one segment, the
#     least that leaves time to fetch each segment as it becomes available.
# Which frame a player showed first comes from its hash: afterwards the
# generator's segments (all kept on disk) are decoded by ffmpeg, and frame k
# of that stream is media time k/30 s.
. "$SV_SOURCE_DIR/tests/player/playlib.sh"
. "$SV_SOURCE_DIR/tests/support/livegen.sh"
pl_need date

frames=300
live="$PL_TMP/live"
mkdir -p "$live"
sh "$PL_DIR/live_dash_gen.sh" "$live" 60 2>"$PL_TMP/gen.err" &
gen=$!
PL_PIDS="$gen"
livegen_wait "$gen" "$live" 25 "$PL_TMP/gen.err"

# lag_mpd IN - IN with the last segment of the audio SegmentTimeline left out.
lag_mpd() {
    awk '
        { line[NR] = $0 }
        /<AdaptationSet/ { audio = /contentType="audio"/ }
        audio && /<S / { last = NR }
        END {
            for (i = 1; i <= NR; i++) {
                l = line[i]
                if (i == last) {
                    if (!match(l, / r="[0-9]+"/))
                        continue
                    r = substr(l, RSTART + 4, RLENGTH - 5) + 0
                    sub(/ r="[0-9]+"/, r > 1 ? " r=\"" (r - 1) "\"" : "", l)
                }
                print l
            }
        }' "$1"
}
# lag's MPD after its first load: tl's, copied within 50 ms of each rewrite.
(
    while :; do
        if cp "$live/tl/manifest.mpd" "$live/tl/.lag.tmp" 2>/dev/null &&
            ! cmp -s "$live/tl/.lag.tmp" "$live/tl/manifest_lag.mpd"; then
            mv "$live/tl/.lag.tmp" "$live/tl/manifest_lag.mpd"
        fi
        sleep 0.05
    done
) &
PL_PIDS="$PL_PIDS $!"
i=0
while [ ! -s "$live/tl/manifest_lag.mpd" ]; do
    i=$((i + 1))
    [ "$i" -le 100 ] || fail "no copy of the live MPD within 5 s"
    sleep 0.05
done
pl_serve "$live"

# AST of the live MPD, in seconds since the epoch.
ast=$(date -d "$(sed -n 's/.*availabilityStartTime="\([^"]*\)".*/\1/p' "$live/num/manifest.mpd")" +%s.%N) ||
    fail "no availabilityStartTime in the live MPD"
# Join once the window has filled (10 s of segments).
while awk -v s="$ast" -v n="$(date +%s.%N)" 'BEGIN { exit !(n - s < 10.5) }'; do
    sleep 0.2
done
# audio_segments MPD - how many segments its audio SegmentTimeline lists.
audio_segments() {
    awk '/<AdaptationSet/ { audio = /contentType="audio"/ }
         audio && /<S / { n++; if (match($0, / r="[0-9]+"/)) n += substr($0, RSTART + 4, RLENGTH - 5) }
         END { print n + 0 }' "$1"
}
# The first load of lag's MPD: tl's as it is now, less the last audio segment.
cp "$live/tl/manifest.mpd" "$PL_TMP/tl_now.mpd"
lag_mpd "$PL_TMP/tl_now.mpd" >"$PL_TMP/lag_once.mpd"
a_tl=$(audio_segments "$PL_TMP/tl_now.mpd")
a_lag=$(audio_segments "$PL_TMP/lag_once.mpd")
[ "$a_lag" -eq $((a_tl - 1)) ] || fail "the lagging MPD lists $a_lag audio segments, tl's $a_tl"
node -e '
const fs = require("fs");
const body = fs.readFileSync(process.argv[1], "utf8");
process.stdout.write(JSON.stringify([{ name: "audio-lags-once", match: "/tl/manifest_lag.mpd",
    times: 1, status: 200, body: body, headers: { "Content-Type": "application/dash+xml" } }]));
' "$PL_TMP/lag_once.mpd" >"$PL_TMP/rules.json" || fail "cannot write the fault rule"
pl_rules "$(cat "$PL_TMP/rules.json")"

players=""
for kind in num tl lag; do
    case "$kind" in
        num) url="$PL_URL/num/manifest.mpd" ;;
        tl) url="$PL_URL/tl/manifest.mpd" ;;
        lag) url="$PL_URL/tl/manifest_lag.mpd" ;;
    esac
    (date +%s.%N >"$PL_TMP/$kind.launch"
     pl_play "$kind" 60 --headless --realtime --quiet --frames "$frames" \
         --framemd5 "$PL_TMP/$kind.md5" --stats "$PL_TMP/$kind.json" "$url"
     date +%s.%N >"$PL_TMP/$kind.exit"
     echo "$PL_RC" >"$PL_TMP/$kind.rc") &
    players="$players $!"
done
for pid in $players; do
    wait "$pid"
done
kill -TERM "$gen" 2>/dev/null
wait "$gen" 2>/dev/null

# The generator's whole output, decoded by ffmpeg: one hash per frame.
for dir in num tl; do
    ls "$live/$dir/"chunk-stream0-*.m4s | sort -V | xargs cat "$live/$dir/init-stream0.m4s" >"$PL_TMP/$dir.mp4"
    ffmpeg -nostdin -v error -i "$PL_TMP/$dir.mp4" -map 0:v:0 -fps_mode passthrough -f framemd5 \
        "$PL_TMP/$dir.ref.framemd5" || fail "ffmpeg cannot decode the generator's $dir output"
    pl_hashes "$PL_TMP/$dir.ref.framemd5" >"$PL_TMP/$dir.ref"
done
cp "$PL_TMP/tl.ref" "$PL_TMP/lag.ref"

for kind in num tl lag; do
    PL_RC=$(cat "$PL_TMP/$kind.rc")
    stats="$PL_TMP/$kind.json"
    if [ "$PL_RC" -ne 0 ] || [ ! -s "$stats" ]; then
        check 1 "$kind: svplay exited $PL_RC"
        pl_show "$kind"
        continue
    fi
    err=$(pl_json "$stats" error)
    [ "$err" = null ]
    check $? "$kind: no error ($err)"
    pl_hashes "$PL_TMP/$kind.md5" >"$PL_TMP/$kind.got"
    n=$(wc -l <"$PL_TMP/$kind.got")
    first=$(head -n 1 "$PL_TMP/$kind.got")
    k=$(grep -n -x -m1 "$first" "$PL_TMP/$kind.ref" | cut -d: -f1)
    if [ -z "$first" ] || [ -z "$k" ]; then
        check 1 "$kind: the first frame shown ($first) is not a frame of the generator's stream"
        continue
    fi
    tail -n "+$k" "$PL_TMP/$kind.ref" | head -n "$n" >"$PL_TMP/$kind.want"
    [ "$n" -ge "$frames" ] && cmp -s "$PL_TMP/$kind.got" "$PL_TMP/$kind.want"
    check $? "$kind: $n frames presented, the generator's frames $k..$((k + n - 1)) in order (wanted $frames)"
    dropped=$(pl_json "$stats" dropped_frames)
    rebuf=$(pl_json "$stats" rebuffer_count)
    [ "$dropped" = 0 ] && [ "$rebuf" = 0 ]
    check $? "$kind: dropped_frames $dropped, rebuffer_count $rebuf"
    drift=$(pl_json "$stats" max_av_drift_s)
    awk -v d="$drift" 'BEGIN { exit !(d != "" && d + 0 == d && d >= 0 && d < 0.040) }'
    check $? "$kind: max_av_drift_s $drift < 0.040"
    # Real time: launch to exit is the frames' time plus the start-up.
    startup=$(pl_json "$stats" startup_time_s)
    verdict=$(awk -v a="$(cat "$PL_TMP/$kind.launch")" -v b="$(cat "$PL_TMP/$kind.exit")" \
        -v n="$frames" -v s="$startup" 'BEGIN {
        w = b - a; printf "%d %.2f", (w <= n / 30 + s + 1.5), w }')
    set -- $verdict
    [ "$1" -eq 1 ]
    check $? "$kind: played without a stall: $2 s from launch to exit for $((frames / 30)) s of media (start-up $startup s)"
    max=4
    [ "$kind" = lag ] && max=6
    verdict=$(awk -v k="$k" -v load="$(pl_json "$stats" load_unix_s)" -v s="$startup" \
        -v ast="$ast" -v max="$max" 'BEGIN {
        media = (k - 1) / 30
        edge = load + s - ast
        lag = edge - media
        printf "%d %.3f %.3f %.3f", (lag > 2 && lag <= max), media, edge, lag
    }')
    set -- $verdict
    [ "$1" -eq 1 ]
    check $? "$kind: first frame at media time $2 s shown at live edge $3 s: $4 s behind (more than one 2 s segment, at most $max s)"
done
pl_finish
