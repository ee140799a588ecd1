#!/bin/sh
# CEA-708 (DTVCC) captions in H.264 SEI (issue 18): sv-ccgen --708 makes a
# clip whose SEI carries the cue list below as services 1 and 2 (pop-on
# windows with anchors, italics and underline) beside CEA-608 CC1, plus
# six pieces of broken DTVCC at 2.7 s (--bad-708); ffmpeg packages it as
# HLS (fMP4) and DASH without re-encoding, and
#   - svplay --captions --caption-track SERVICE1 --sub-log (untimed) logs
#     exactly the generated cues: texts, start and end within one frame
#     (40 ms), the window's place and the pen's italics and underline,
#     from HLS and from DASH; SERVICE2 its own texts;
#   - the broken pieces are skipped and counted: text_skipped 6 for
#     service 1, and every caption after them still shows; --stats lists
#     services 1 and 2 as caption_services;
#   - a real-time run shows each caption within 0.1 s of its start and
#     clears it within 0.1 s of its end, 0 frames dropped;
#   - --caption-track with anything but CC1 or SERVICE1-63 is a usage error;
#   - HEVC (issue 18): sv-ccgen --hevc --708 --bad-708 writes the same
#     cc_data as prefix SEI NAL units of a libx265 encode, and the untimed
#     runs above (service 1's cues, text_skipped 6, caption_services) hold
#     for its HLS (fMP4) and DASH too.
. "$SV_SOURCE_DIR/tests/player/playlib.sh"

ccgen="$SV_BUILD_DIR/tests/support/sv-ccgen"
[ -x "$ccgen" ] || fail "no sv-ccgen in the build"
w="$PL_TMP/www"
cat >"$PL_TMP/cues.txt" <<'EOF'
1.0 2.5 HELLO WORLD
3.0 4.2 @1,10,50 +i Second caption|on two rows
5.0 6.0 third, with punctuation!
6.6 8.4 @0,5,5 +u A LONGER ONE ACROSS A SEGMENT
9.0 10.0 last
EOF
# What service 1 must give, "start<TAB>end<TAB>text<TAB>style" as --sub-log
# writes it: the window's region from its anchor (cea708_cue.c: cells of
# 2.5 % x 5.33 %; sv-ccgen sizes a window to its longest row), white on
# black (pen and window style 1, sv-ccgen's SPC).
cat >"$PL_TMP/want1" <<'EOF'
1.000	2.500	HELLO WORLD	region=36.2,84.7,27.5,5.3 text-align=start display-align=end color=#ffffffff background=#000000ff font-size=5.3
3.000	4.200	Second caption\non two rows	region=32.5,10.0,35.0,10.7 text-align=start display-align=start color=#ffffffff background=#000000ff font-size=5.3 italic
5.000	6.000	third, with punctuation!	region=20.0,84.7,60.0,5.3 text-align=start display-align=end color=#ffffffff background=#000000ff font-size=5.3
6.600	8.400	A LONGER ONE ACROSS A SEGMENT	region=5.0,5.0,72.5,5.3 text-align=start display-align=start color=#ffffffff background=#000000ff font-size=5.3 underline
9.000	10.000	last	region=45.0,84.7,10.0,5.3 text-align=start display-align=end color=#ffffffff background=#000000ff font-size=5.3
EOF
"$ccgen" --708 --bad-708 "$PL_TMP/cc.mp4" 12 "$PL_TMP/cues.txt" 2>"$PL_TMP/ccgen.log" ||
    { cat "$PL_TMP/ccgen.log"; fail "sv-ccgen could not make the clip"; }
"$ccgen" --hevc --708 --bad-708 "$PL_TMP/cc_hevc.mp4" 12 "$PL_TMP/cues.txt" \
    2>"$PL_TMP/ccgen.log" || { cat "$PL_TMP/ccgen.log"; fail "sv-ccgen --hevc could not make the clip"; }
pl_package_cc_clips "$w"
pl_serve "$w"

# Same cues: text and style equal, times within one frame (40 ms).
same_cues() { # WANT GOT
    awk -F'\t' 'NR == FNR { s[NR] = $1; e[NR] = $2; t[NR] = $3 "\t" $4; n = NR; next }
                { m++; d1 = $1 - s[m]; d2 = $2 - e[m]
                  if (t[m] != $3 "\t" $4 || d1 > 0.041 || d1 < -0.041 || d2 > 0.041 || d2 < -0.041) bad++ }
                END { exit (bad || m != n) }' "$1" "$2"
}

for f in hls/index.m3u8 dash/manifest.mpd hevc_hls/index.m3u8 hevc_dash/manifest.mpd; do
    n=${f%%/*}
    pl_play "$n" 60 --quiet --captions --caption-track SERVICE1 --sub-log "$PL_TMP/$n.log" \
        --stats "$PL_TMP/$n.json" --framemd5 "$PL_TMP/$n.md5" "$PL_URL/$f"
    [ "$PL_RC" -eq 0 ] || { pl_show "$n"; fail "$n: svplay exited $PL_RC"; }
    if same_cues "$PL_TMP/want1" "$PL_TMP/$n.log"; then
        check 0 "$n: --sub-log has the 5 generated cues of service 1 (text, times, place, style)"
    else
        diff "$PL_TMP/want1" "$PL_TMP/$n.log" | head -n 12
        check 1 "$n: service 1's cues differ from the generated ones"
    fi
    skipped=$(pl_json "$PL_TMP/$n.json" text_skipped)
    [ "$skipped" -eq 6 ]
    check $? "$n: the 6 broken DTVCC pieces skipped and counted (text_skipped $skipped)"
    services=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["caption_services"])' \
        "$PL_TMP/$n.json")
    [ "$services" = "[1, 2]" ]
    check $? "$n: caption_services $services"
done

pl_play s2 60 --quiet --captions --caption-track service2 --sub-log "$PL_TMP/s2.log" \
    --framemd5 "$PL_TMP/s2.md5" "$PL_URL/hls/index.m3u8"
# Texts and times (its windows are 3 columns wider).
cut -f1-3 "$PL_TMP/want1" | sed 's/\t/\tS2 /2' >"$PL_TMP/want2"
cut -f1-3 "$PL_TMP/s2.log" >"$PL_TMP/s2.cut"
[ "$PL_RC" -eq 0 ] && same_cues "$PL_TMP/want2" "$PL_TMP/s2.cut"
check $? "SERVICE2: its own 5 cues (\"S2 ...\")"

# Real time: the text shown follows the captions' times.
pl_play rt 60 --headless --realtime --quiet --captions --caption-track SERVICE1 \
    --stats "$PL_TMP/rt.json" "$PL_URL/dash/manifest.mpd"
[ "$PL_RC" -eq 0 ] || { pl_show rt; fail "real-time run: svplay exited $PL_RC"; }
pl_check_captions_on_time "$PL_TMP/want1" "$PL_TMP/rt.json"

"$SVPLAY" --headless --captions --caption-track SERVICE64 "$PL_URL/hls/index.m3u8" \
    >"$PL_TMP/usage.out" 2>&1
rc=$?
[ "$rc" -eq 2 ] && grep -q "SERVICE64" "$PL_TMP/usage.out"
check $? "--caption-track SERVICE64: usage error naming it (exit $rc)"
pl_finish
