#!/bin/sh
# TTML/IMSC1 subtitles (issue 18): svplay --sub-log with --framemd5 (untimed,
# so the log is the same bytes on every run) must give every cue once, in
# order, with its times and, for TTML, its style, from
#   - stpp: Shaka Packager's DASH with the text as TTML in fragmented MP4
#     segments (format=ttml+mp4, 2 s segments: cues that span a boundary
#     are repeated in both, and must come out once),
#   - ttml: Shaka Packager's DASH with a TTML sidecar file (format=ttml),
#   - imsc: a hand-written IMSC1 document (regions, chained styles, frame
#     times with a 1000/1001 multiplier, a seq container) in ffmpeg's DASH,
#     with one paragraph whose time does not parse (skipped, logged and
#     counted in --stats' text_skipped; the rest plays), and
#   - broken: a sidecar that is not well-formed: playback goes on to the end
#     with no cue and text_skipped 1.
. "$SV_SOURCE_DIR/tests/player/playlib.sh"

packager=$("$SV_SOURCE_DIR/scripts/shaka-packager.sh") || fail "no Shaka Packager"
w="$PL_TMP/www"
mkdir -p "$w/stpp" "$w/ttml" "$w/imsc"

# 24 cues from 0.5 s, every 0.5 s, 0.3 s long (every sixth 1.2 s, so it spans
# a segment boundary); no markup in the text: the packager keeps tags as text.
awk 'function ts(t) { return sprintf("00:%02d:%06.3f", int(t / 60), t - 60 * int(t / 60)) }
     BEGIN {
         print "WEBVTT"; print ""
         for (i = 1; i <= 24; i++) {
             t = 0.5 * i; d = i % 6 == 0 ? 1.2 : 0.3
             print ts(t) " --> " ts(t + d); print "Cue " i; print ""
         }
     }' >"$PL_TMP/subs.vtt"
# The expected log: Shaka writes each cue centred (tts:textAlign="center").
awk 'BEGIN { for (i = 1; i <= 24; i++) {
                 t = 0.5 * i; d = i % 6 == 0 ? 1.2 : 0.3
                 printf "%.3f\t%.3f\tCue %d\ttext-align=center\n", t, t + d, i } }' \
    >"$PL_TMP/stpp.want"
cp "$PL_TMP/stpp.want" "$PL_TMP/ttml.want"

ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x240:rate=25 -f lavfi -i sine=r=48000 \
    -t 14 -c:v libx264 -preset ultrafast -g 50 -c:a aac "$PL_TMP/av.mp4" ||
    fail "ffmpeg could not make the clip"
(cd "$w/stpp" && "$packager" \
    "in=$PL_TMP/av.mp4,stream=video,init_segment=v/init.mp4,segment_template=v/\$Number\$.m4s" \
    "in=$PL_TMP/av.mp4,stream=audio,init_segment=a/init.mp4,segment_template=a/\$Number\$.m4s" \
    "in=$PL_TMP/subs.vtt,stream=text,format=ttml+mp4,language=en,init_segment=t/init.mp4,segment_template=t/\$Number\$.m4s" \
    --segment_duration 2 --generate_static_live_mpd --mpd_output manifest.mpd >"$PL_TMP/packager1.log" 2>&1) ||
    { tail -n 5 "$PL_TMP/packager1.log"; fail "Shaka Packager could not make the stpp DASH"; }
grep -q 'codecs="stpp' "$w/stpp/manifest.mpd" || fail "the packager's MPD has no stpp Representation"
(cd "$w/ttml" && "$packager" \
    "in=$PL_TMP/av.mp4,stream=video,output=v.mp4" "in=$PL_TMP/av.mp4,stream=audio,output=a.mp4" \
    "in=$PL_TMP/subs.vtt,stream=text,format=ttml,language=en,output=subs.ttml" \
    --mpd_output manifest.mpd >"$PL_TMP/packager2.log" 2>&1) ||
    { tail -n 5 "$PL_TMP/packager2.log"; fail "Shaka Packager could not make the TTML sidecar DASH"; }
grep -q 'application/ttml+xml' "$w/ttml/manifest.mpd" || fail "the packager's MPD has no TTML sidecar"

# The hand-written IMSC1 document, in ffmpeg's DASH of the same clip.
(cd "$w/imsc" && ffmpeg -nostdin -v error -i "$PL_TMP/av.mp4" -map 0:v -map 0:a -c copy \
    -seg_duration 2 -adaptation_sets "id=0,streams=v id=1,streams=a" -f dash ffmpeg.mpd) ||
    fail "ffmpeg could not make the DASH stream"
cat >"$w/imsc/subs.ttml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<tt xmlns="http://www.w3.org/ns/ttml" xmlns:tts="http://www.w3.org/ns/ttml#styling"
    xmlns:ttp="http://www.w3.org/ns/ttml#parameter" ttp:frameRate="30"
    ttp:frameRateMultiplier="1000 1001" ttp:cellResolution="32 15" xml:lang="en">
  <head>
    <styling>
      <style xml:id="base" tts:color="white" tts:fontSize="100%"/>
      <style xml:id="yellow" style="base" tts:color="#ffff00"/>
      <style xml:id="boxed" tts:backgroundColor="#000000c0" tts:fontStyle="italic"/>
    </styling>
    <layout>
      <region xml:id="bottom" tts:origin="10% 80%" tts:extent="80% 15%"
              tts:displayAlign="after" tts:textAlign="center"/>
      <region xml:id="top" tts:origin="10% 5%" tts:extent="80% 15%" tts:displayAlign="before"/>
    </layout>
  </head>
  <body region="bottom" style="base">
    <div>
      <p begin="00:00:01:00" end="00:00:02:12">Frames at <span style="boxed">29.97</span></p>
      <p begin="3s" end="4.5s" region="top" style="yellow" tts:textAlign="left">Top left,
         yellow<br/>two lines</p>
      <p begin="later" end="6s">a bad time: skipped</p>
    </div>
    <div begin="6s" timeContainer="seq">
      <p dur="1s" tts:fontWeight="bold"><span style="boxed">first</span></p>
      <p dur="1s">second</p>
    </div>
  </body>
</tt>
EOF
awk '/<\/Period>/ {
         print "<AdaptationSet id=\"2\" contentType=\"text\" mimeType=\"application/ttml+xml\" lang=\"en\">"
         print "<Representation id=\"subs\" bandwidth=\"256\"><BaseURL>subs.ttml</BaseURL></Representation>"
         print "</AdaptationSet>"
     }
     { print }' "$w/imsc/ffmpeg.mpd" >"$w/imsc/manifest.mpd"
sed 's|subs.ttml|broken.ttml|' "$w/imsc/manifest.mpd" >"$w/imsc/broken.mpd"
printf '<tt xmlns="http://www.w3.org/ns/ttml"><body><p begin="1s" end="2s">open</body></tt>\n' \
    >"$w/imsc/broken.ttml"
f=1.000
f2=2.400
printf '%s\t%s\tFrames at 29.97\tregion=10.0,80.0,80.0,15.0 text-align=center display-align=end color=#ffffffff font-size=6.7\n' "$f" "$f2" >"$PL_TMP/imsc.want"
printf '3.000\t4.500\tTop left, yellow\\ntwo lines\tregion=10.0,5.0,80.0,15.0 text-align=start display-align=start color=#ffff00ff font-size=6.7\n' >>"$PL_TMP/imsc.want"
printf '6.000\t7.000\tfirst\tregion=10.0,80.0,80.0,15.0 text-align=center display-align=end color=#ffffffff background=#000000c0 font-size=6.7 italic bold\n' >>"$PL_TMP/imsc.want"
printf '7.000\t8.000\tsecond\tregion=10.0,80.0,80.0,15.0 text-align=center display-align=end color=#ffffffff font-size=6.7\n' >>"$PL_TMP/imsc.want"

pl_serve "$w"

# runs NAME URL SKIPPED - two untimed runs with --slang en; their logs must
# be equal byte for byte and equal NAME.want, and --stats must count SKIPPED
# text pieces skipped.
runs() {
    r_name=$1 r_url=$2 r_skipped=$3
    for r_i in 1 2; do
        pl_play "$r_name$r_i" 60 --log-level warn --slang en --sub-log "$PL_TMP/$r_name$r_i.log" \
            --framemd5 "$PL_TMP/$r_name$r_i.md5" --stats "$PL_TMP/$r_name$r_i.json" "$r_url"
        if [ "$PL_RC" -ne 0 ]; then
            pl_show "$r_name$r_i"
            check 1 "$r_name run $r_i: svplay exited $PL_RC"
            return
        fi
    done
    cmp -s "$PL_TMP/${r_name}1.log" "$PL_TMP/${r_name}2.log"
    check $? "$r_name: both runs log the same bytes"
    if cmp -s "$PL_TMP/${r_name}1.log" "$PL_TMP/$r_name.want"; then
        check 0 "$r_name: the log is the $(wc -l <"$PL_TMP/$r_name.want") cues expected, each once, in order, with their styles"
    else
        diff "$PL_TMP/$r_name.want" "$PL_TMP/${r_name}1.log" | head -n 10
        check 1 "$r_name: the log differs from the expected cues"
    fi
    frames=$(grep -c '^0,' "$PL_TMP/${r_name}1.md5")
    [ "$frames" -eq 350 ]
    check $? "$r_name: all 350 frames played ($frames)"
    got=$(pl_json "$PL_TMP/${r_name}1.json" text_skipped)
    [ "$got" = "$r_skipped" ]
    check $? "$r_name: text_skipped is $r_skipped ($got)"
}
runs stpp "$PL_URL/stpp/manifest.mpd" 0
runs ttml "$PL_URL/ttml/manifest.mpd" 0
runs imsc "$PL_URL/imsc/manifest.mpd" 1
grep -q "bad time expression" "$PL_TMP/imsc1.err"
check $? "imsc: the skipped paragraph is named in a warning"
: >"$PL_TMP/broken.want"
runs broken "$PL_URL/imsc/broken.mpd" 1
grep -q "not well-formed" "$PL_TMP/broken1.err"
check $? "broken: the warning says the TTML is not well-formed"
pl_finish
