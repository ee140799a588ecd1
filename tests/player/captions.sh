#!/bin/sh
# CEA-608 closed captions in H.264 SEI (issue 18): sv-ccgen makes a clip
# whose SEI carries pop-on captions (A/53 cc_data through libx264), ffmpeg
# packages it as HLS (fMP4) and DASH without re-encoding, and
#   - svplay --captions --sub-log --framemd5 (untimed) logs exactly the
#     captions ffmpeg itself reads from the clip (lavfi
#     movie=...[out+subcc], as SRT): same texts, same start and end times,
#     from HLS and from DASH;
#   - a real-time run shows each caption (--stats' subtitles) within 0.1 s
#     of its start and clears it within 0.1 s of its end, 0 frames dropped;
#   - without --captions nothing is shown;
#   - HEVC (issue 18): sv-ccgen --hevc writes the same cc_data as prefix SEI
#     NAL units of a libx265 encode; ffprobe says hevc, ffmpeg reads the
#     same 5 captions from it as from the H.264 clip, and svplay (untimed,
#     HLS fMP4 and DASH) logs exactly them, its frame hashes equal to
#     ffmpeg's framemd5 of the clip.
. "$SV_SOURCE_DIR/tests/player/playlib.sh"

ccgen="$SV_BUILD_DIR/tests/support/sv-ccgen"
[ -x "$ccgen" ] || fail "no sv-ccgen in the build"
w="$PL_TMP/www"
cat >"$PL_TMP/cues.txt" <<'EOF'
1.0 2.5 HELLO WORLD
3.0 4.2 Second caption|on two rows
5.0 6.0 third, with punctuation!
6.6 8.4 A LONGER ONE ACROSS A SEGMENT
9.0 10.0 last
EOF
"$ccgen" "$PL_TMP/cc.mp4" 12 "$PL_TMP/cues.txt" 2>"$PL_TMP/ccgen.log" ||
    { cat "$PL_TMP/ccgen.log"; fail "sv-ccgen could not make the clip"; }

# The reference: the captions as ffmpeg reads them, "start<TAB>end<TAB>text".
ffmpeg -nostdin -v error -f lavfi -i "movie=$PL_TMP/cc.mp4[out+subcc]" -map 0:1 -c:s srt \
    "$PL_TMP/ref.srt" || fail "ffmpeg could not read the captions back"
awk 'function sec(s,  a) { split(s, a, /[:,]/); return a[1] * 3600 + a[2] * 60 + a[3] + a[4] / 1000 }
     / --> / { start = sec($1); end = sec($3); text = ""; incue = 1; next }
     incue && $0 == "" { printf "%.3f\t%.3f\t%s\n", start, end, text; incue = 0; next }
     incue { gsub(/\r/, ""); gsub(/<[^>]*>/, ""); gsub(/\{[^}]*\}/, ""); text = text == "" ? $0 : text "\\n" $0 }
     END { if (incue) printf "%.3f\t%.3f\t%s\n", start, end, text }' "$PL_TMP/ref.srt" \
    >"$PL_TMP/ref.want"
[ "$(wc -l <"$PL_TMP/ref.want")" -eq 5 ] || { cat "$PL_TMP/ref.want"; fail "ffmpeg read $(wc -l <"$PL_TMP/ref.want") captions, not 5"; }

# The same captions in HEVC: ffprobe and ffmpeg's own reading of them.
"$ccgen" --hevc "$PL_TMP/cc_hevc.mp4" 12 "$PL_TMP/cues.txt" 2>"$PL_TMP/ccgen.log" ||
    { cat "$PL_TMP/ccgen.log"; fail "sv-ccgen --hevc could not make the clip"; }
codec=$(ffprobe -v error -select_streams v:0 -show_entries stream=codec_name -of csv=p=0 \
    "$PL_TMP/cc_hevc.mp4")
[ "$codec" = hevc ]
check $? "sv-ccgen --hevc: ffprobe says $codec"
ffmpeg -nostdin -v error -f lavfi -i "movie=$PL_TMP/cc_hevc.mp4[out+subcc]" -map 0:1 -c:s srt \
    "$PL_TMP/ref_hevc.srt" || fail "ffmpeg could not read the HEVC clip's captions back"
cmp -s "$PL_TMP/ref.srt" "$PL_TMP/ref_hevc.srt"
check $? "ffmpeg reads the same 5 captions (SRT) from the HEVC clip as from the H.264 one"
# All 300 frames: the MP4's edit list (ffmpeg's muxer, B-frames) ends one
# frame early, the fMP4 packaged from it has no such cut.
ffmpeg -nostdin -v error -ignore_editlist 1 -i "$PL_TMP/cc_hevc.mp4" -map 0:v:0 \
    -fps_mode passthrough -f framemd5 \
    "$PL_TMP/ref_hevc.framemd5" || fail "ffmpeg cannot decode the HEVC clip"
pl_hashes "$PL_TMP/ref_hevc.framemd5" >"$PL_TMP/ref_hevc.md5"

pl_package_cc_clips "$w"
pl_serve "$w"

for f in hls/index.m3u8 dash/manifest.mpd hevc_hls/index.m3u8 hevc_dash/manifest.mpd; do
    n=${f%%/*}
    pl_play "$n" 60 --quiet --captions --sub-log "$PL_TMP/$n.log" --framemd5 "$PL_TMP/$n.md5" \
        "$PL_URL/$f"
    [ "$PL_RC" -eq 0 ] || { pl_show "$n"; fail "$n: svplay exited $PL_RC"; }
    if cmp -s "$PL_TMP/$n.log" "$PL_TMP/ref.want"; then
        check 0 "$n: --sub-log has ffmpeg's 5 captions, texts and times"
    else
        diff "$PL_TMP/ref.want" "$PL_TMP/$n.log" | head -n 12
        check 1 "$n: the captions differ from ffmpeg's"
    fi
    case "$n" in
        hevc_*)
            pl_hashes "$PL_TMP/$n.md5" >"$PL_TMP/$n.hashes"
            cmp -s "$PL_TMP/$n.hashes" "$PL_TMP/ref_hevc.md5"
            check $? "$n: $(wc -l <"$PL_TMP/$n.hashes")/$(wc -l <"$PL_TMP/ref_hevc.md5") frame hashes equal ffmpeg's framemd5"
            ;;
    esac
done

# Real time: the text shown follows the captions' times.
pl_play rt 60 --headless --realtime --quiet --captions --stats "$PL_TMP/rt.json" \
    "$PL_URL/hls/index.m3u8"
[ "$PL_RC" -eq 0 ] || { pl_show rt; fail "real-time run: svplay exited $PL_RC"; }
pl_check_captions_on_time "$PL_TMP/ref.want" "$PL_TMP/rt.json"

pl_play off 60 --quiet --sub-log "$PL_TMP/off.log" --framemd5 "$PL_TMP/off.md5" \
    "$PL_URL/hls/index.m3u8"
[ "$PL_RC" -eq 0 ] && [ ! -s "$PL_TMP/off.log" ]
check $? "without --captions: no caption shown"
pl_finish
