#!/bin/sh
# WebVTT subtitles: an HLS stream with a SUBTITLES group made by ffmpeg's hls
# muxer (segmented WebVTT, cues repeated across segments where they span
# them), played in real time headless. The text shown (the --stats
# "subtitles" timeline: each change with the position it was seen at) must
# show every cue with its plain text (tags dropped, entities decoded) within
# 0.15 s of its start, and clear within 0.15 s of its end; --sub-log lists
# each cue once with the times the packager wrote. A second subtitles
# playlist whose segments carry X-TIMESTAMP-MAP (cue times in MPEG-TS time)
# lands on the same presentation times. --sub off shows nothing.
. "$SV_SOURCE_DIR/tests/player/playlib.sh"

w="$PL_TMP/www"
mkdir -p "$w"
cat >"$PL_TMP/subs.vtt" <<'VTT'
WEBVTT

1
00:00:01.000 --> 00:00:02.500
First cue

00:00:03.500 --> 00:00:05.000 align:start
<b>Second</b> &amp; line
and two

00:00:06.200 --> 00:00:07.000
<v Bob>Third</v>
VTT
(cd "$w" && ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x240:rate=25 \
    -f lavfi -i sine=r=48000 -i "$PL_TMP/subs.vtt" -t 8 -map 0:v -map 1:a -map 2:s \
    -c:v libx264 -preset ultrafast -g 50 -c:a aac -c:s webvtt -f hls -hls_time 2 \
    -hls_playlist_type vod -master_pl_name master.m3u8 \
    -var_stream_map "v:0,a:0,s:0,sgroup:subs" -hls_segment_filename 'seg_%v_%03d.ts' \
    out_%v.m3u8) || fail "ffmpeg could not make the HLS stream with subtitles"
[ -f "$w/out_0_vtt.m3u8" ] || fail "ffmpeg wrote no subtitles playlist"

# The same cues in MPEG-TS time: LOCAL 0 is the first video PTS.
pts=$(ffprobe -v error -select_streams v:0 -show_entries stream=start_pts -of csv=p=0 \
      "$w/seg_0_000.ts" | head -n 1)
sed 's/out_\(..\)\.vtt/map_\1.vtt/' "$w/out_0_vtt.m3u8" >"$w/map_vtt.m3u8"
for i in 00 01 02 03; do
    { printf 'WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:%s,LOCAL:00:00:00.000\n\n' "$pts"
      sed '1,/^$/d' "$PL_TMP/subs.vtt"; } >"$w/map_$i.vtt"
done
sed 's/out_0_vtt\.m3u8/map_vtt.m3u8/' "$w/master.m3u8" >"$w/master_map.m3u8"

pl_serve "$w"

# shown STATS - the text changes of a --stats file as "position<TAB>text"
# lines (newlines in the text as \n).
shown() {
    node -e '
        const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
        for (const r of s.subtitles)
            console.log(r.position_s.toFixed(3) + "\t" + r.text.replace(/\n/g, "\\n"));
    ' "$1"
}

# expect LOG START END TEXT - a line with TEXT within 0.15 s of START, and
# the next line (the text going away) within 0.15 s of END.
expect() {
    # TEXT is passed through the environment: awk -v would expand its \n.
    T="$4" awk -F'\t' -v s="$2" -v e="$3" '
        found && !done { if ($2 == "" && $1 - e < 0.15 && e - $1 < 0.15) ok = 1; done = 1 }
        $2 == ENVIRON["T"] { found = 1; if ($1 - s > 0.15 || s - $1 > 0.15) { print "at " $1; exit 1 } }
        END { exit !(found && ok) }' "$1"
}

# The cues as --sub-log must list them, each once: the packager's times
# (ffmpeg shifts them by the audio priming, 22 ms); with X-TIMESTAMP-MAP,
# the source's times mapped through the first video PTS.
printf '1.022\t2.522\tFirst cue\n3.522\t5.022\tSecond & line\\nand two\n6.222\t7.022\tThird\n' \
    >"$PL_TMP/master.want"
# The source keeps the second cue's setting (align:start), ffmpeg's segments do not.
printf '1.000\t2.500\tFirst cue\n3.500\t5.000\tSecond & line\\nand two\ttext-align=start\n6.200\t7.000\tThird\n' \
    >"$PL_TMP/master_map.want"

for variant in master master_map; do
    pl_play "$variant" 60 --headless --realtime --quiet --sub-log "$PL_TMP/$variant.log" \
        --stats "$PL_TMP/$variant.json" "$PL_URL/$variant.m3u8"
    [ "$PL_RC" -eq 0 ] || { pl_show "$variant"; fail "$variant: svplay exited $PL_RC"; }
    shown "$PL_TMP/$variant.json" >"$PL_TMP/$variant.shown"
    echo "--- $variant subtitles shown:"
    cat "$PL_TMP/$variant.shown"
    expect "$PL_TMP/$variant.shown" 1.0 2.5 'First cue'
    check $? "$variant: first cue"
    expect "$PL_TMP/$variant.shown" 3.5 5.0 'Second & line\nand two'
    check $? "$variant: second cue (tags dropped, &amp; decoded, two lines)"
    expect "$PL_TMP/$variant.shown" 6.2 7.0 'Third'
    check $? "$variant: third cue (voice span dropped)"
    n=$(grep -c . "$PL_TMP/$variant.shown")
    [ "$n" -eq 6 ]
    check $? "$variant: 6 changes, no repeated cue (got $n)"
    echo "--- $variant --sub-log:"
    cat "$PL_TMP/$variant.log"
    cmp -s "$PL_TMP/$variant.log" "$PL_TMP/$variant.want"
    check $? "$variant: --sub-log lists the 3 cues once, with their times"
done

pl_play off 60 --headless --benchmark --quiet --sub off --sub-log "$PL_TMP/off.log" \
    "$PL_URL/master.m3u8"
[ "$PL_RC" -eq 0 ] && [ ! -s "$PL_TMP/off.log" ]
check $? "--sub off: no subtitles"
pl_finish
