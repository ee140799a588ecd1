#!/bin/sh
# svplay --sub-log with --framemd5 (issue 16): an untimed run, as fast as
# the machine decodes, must log every cue exactly once, in order, with its
# media times, whatever the timing. 40 cues over 12 s, some of them 80 ms
# short, some two lines, one pair overlapping; played three times each from
#   - HLS: segmented WebVTT as ffmpeg's hls muxer writes it (2 s segments,
#     cues that span a boundary repeated in both),
#   - DASH: a sidecar WebVTT file (a text AdaptationSet with a BaseURL),
#   - HLS again from --start 5 (only the cues that end after 5 s),
#   - both HLS cases again with the subtitle playlist served 1.5 s late.
# The three logs of each must be equal byte for byte and equal the cue list
# the packager wrote (HLS: the cues of its segment files, each once; DASH:
# the source file's cues).
. "$SV_SOURCE_DIR/tests/player/playlib.sh"

w="$PL_TMP/www"
mkdir -p "$w/hls" "$w/dash"
# The cues: every 0.29 s from 0.5 s, 0.25 s long (every fifth 0.08 s), every
# seventh on two lines; cue 20 overlaps cue 21.
awk 'function ts(t) { return sprintf("%02d:%02d:%06.3f", 0, int(t / 60), t - 60 * int(t / 60)) }
     BEGIN {
         print "WEBVTT"; print ""
         t = 0.5
         for (i = 1; i <= 40; i++) {
             d = i % 5 == 0 ? 0.08 : 0.25
             if (i == 20) d = 0.5
             print ts(t) " --> " ts(t + d)
             print "Cue " i
             if (i % 7 == 0) print "second line"
             print ""
             t += 0.29
         }
     }' >"$PL_TMP/subs.vtt"
cp "$PL_TMP/subs.vtt" "$w/dash/subs_en.vtt"

(cd "$w/hls" && ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x240:rate=25 \
    -f lavfi -i sine=r=48000 -i "$PL_TMP/subs.vtt" -t 14 -map 0:v -map 1:a -map 2:s \
    -c:v libx264 -preset ultrafast -g 50 -c:a aac -c:s webvtt -f hls -hls_time 2 \
    -hls_playlist_type vod -master_pl_name master.m3u8 \
    -var_stream_map "v:0,a:0,s:0,sgroup:subs" -hls_segment_filename 'seg_%v_%03d.ts' \
    out_%v.m3u8) || fail "ffmpeg could not make the HLS stream with subtitles"
[ -f "$w/hls/out_0_vtt.m3u8" ] || fail "ffmpeg wrote no subtitles playlist"

(cd "$w/dash" && ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x240:rate=25 \
    -f lavfi -i sine=r=48000 -t 14 -map 0:v -map 1:a -c:v libx264 -preset ultrafast -g 50 \
    -c:a aac -seg_duration 2 -adaptation_sets "id=0,streams=v id=1,streams=a" -f dash \
    ffmpeg.mpd) || fail "ffmpeg could not make the DASH stream"
awk '/<\/Period>/ {
         print "<AdaptationSet id=\"2\" contentType=\"text\" mimeType=\"text/vtt\" lang=\"en\">"
         print "<Representation id=\"subs\" bandwidth=\"256\"><BaseURL>subs_en.vtt</BaseURL></Representation>"
         print "</AdaptationSet>"
     }
     { print }' "$w/dash/ffmpeg.mpd" >"$w/dash/manifest.mpd"

# cues FILES... - "start<TAB>end<TAB>text" for each distinct cue of the
# WebVTT files, in file order (newlines in the text as \n), as --sub-log
# writes them.
cues() {
    awk 'function sec(s,  n, a) {
             n = split(s, a, ":")
             return n == 3 ? a[1] * 3600 + a[2] * 60 + a[3] : a[1] * 60 + a[2]
         }
         FNR == 1 && incue { flush() }
         / --> / { start = sec($1); end = sec($3); text = ""; incue = 1; next }
         incue && $0 == "" { flush(); next }
         incue { text = text == "" ? $0 : text "\\n" $0; next }
         function flush() {
             line = sprintf("%.3f\t%.3f\t%s", start, end, text)
             if (!(line in seen)) { seen[line] = 1; print line }
             incue = 0
         }
         END { if (incue) flush() }' "$@"
}
cues "$w/hls"/out_0[0-9].vtt >"$PL_TMP/hls.want"
cues "$w/dash/subs_en.vtt" >"$PL_TMP/dash.want"
awk -F'\t' '$2 > 5' "$PL_TMP/hls.want" >"$PL_TMP/hls_start.want"
[ "$(wc -l <"$PL_TMP/hls.want")" -eq 40 ] && [ "$(wc -l <"$PL_TMP/dash.want")" -eq 40 ] ||
    fail "expected 40 cues in each source, got $(wc -l <"$PL_TMP/hls.want") and $(wc -l <"$PL_TMP/dash.want")"

pl_serve "$w"

# runs NAME URL [svplay options...] - three untimed runs; their logs must
# be equal byte for byte and equal NAME.want.
runs() {
    r_name=$1 r_url=$2
    shift 2
    for r_i in 1 2 3; do
        pl_play "$r_name$r_i" 60 --quiet --sub-log "$PL_TMP/$r_name$r_i.log" \
            --framemd5 "$PL_TMP/$r_name$r_i.md5" "$@" "$r_url"
        if [ "$PL_RC" -ne 0 ]; then
            pl_show "$r_name$r_i"
            check 1 "$r_name run $r_i: svplay exited $PL_RC"
            return
        fi
    done
    cmp -s "$PL_TMP/${r_name}1.log" "$PL_TMP/${r_name}2.log" &&
        cmp -s "$PL_TMP/${r_name}1.log" "$PL_TMP/${r_name}3.log"
    check $? "$r_name: three runs log the same bytes ($(wc -l <"$PL_TMP/${r_name}1.log"), $(wc -l <"$PL_TMP/${r_name}2.log"), $(wc -l <"$PL_TMP/${r_name}3.log") lines)"
    if cmp -s "$PL_TMP/${r_name}1.log" "$PL_TMP/$r_name.want"; then
        check 0 "$r_name: the log is the $(wc -l <"$PL_TMP/$r_name.want") cues expected, each once, in order"
    else
        diff "$PL_TMP/$r_name.want" "$PL_TMP/${r_name}1.log" | head -n 10
        check 1 "$r_name: the log differs from the expected cues"
    fi
}
runs hls "$PL_URL/hls/master.m3u8"
runs dash "$PL_URL/dash/manifest.mpd"
runs hls_start "$PL_URL/hls/master.m3u8" --start 5
# The subtitle playlist 1.5 s late: an untimed run has played segments past
# its start (or to its end) by the time it comes, and reading must still
# begin where playback began, with and without --start.
pl_rules '[{"name":"late-subs","match":"/hls/out_0_vtt.m3u8","delay_ms":1500}]'
cp "$PL_TMP/hls.want" "$PL_TMP/hls_late.want"
cp "$PL_TMP/hls_start.want" "$PL_TMP/hls_start_late.want"
runs hls_late "$PL_URL/hls/master.m3u8"
runs hls_start_late "$PL_URL/hls/master.m3u8" --start 5
pl_finish
