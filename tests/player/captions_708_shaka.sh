#!/bin/sh
# CEA-708 captions, third-party proof (issue 18): Shaka Player (npm) in
# headless Chromium decodes the same DTVCC service 1 from the fMP4 H.264
# SEI as svplay. sv-ccgen --708 makes the clip, ffmpeg packages it as DASH
# and HLS (a master playlist), and the manifests declare the services the
# way Shaka reads them: DASH Accessibility urn:scte:dash:cc:cea-708:2015
# "1=lang:eng;2=lang:deu", HLS EXT-X-MEDIA TYPE=CLOSED-CAPTIONS
# INSTREAM-ID="SERVICE1" LANGUAGE="en" (and SERVICE2, "de"). Then
#   - Shaka lists the text tracks svc1 (en) and svc2 (de), and the cues
#     its text displayer puts on the video element for svc1 (browser_play.js
#     --text-track svc1) equal svplay's --sub-log of SERVICE1: the same
#     texts (Shaka's <c>, <i>, <u> markup left out), starts and ends within
#     0.1 s, from DASH and from HLS;
#   - svplay reads the same declarations: --stats' caption_tracks has
#     SERVICE1 "en" and SERVICE2 "de" (HLS: with their NAMEs) declared and
#     carried, CC1 carried only; --caption-track de decodes service 2;
#   - through the API (captions_switch.c, real time): caption_track "de",
#     then sv_player_select_caption_track("SERVICE1") while playing.
# The first caption starts after the first 2 s segment: Shaka's HLS path
# shows no caption of the first segment (608 or 708; its DASH path does).
. "$SV_SOURCE_DIR/tests/player/playlib.sh"
pl_need node

ccgen="$SV_BUILD_DIR/tests/support/sv-ccgen"
[ -x "$ccgen" ] || fail "no sv-ccgen in the build"
w="$PL_TMP/www"
mkdir -p "$w/hls" "$w/dash"
cat >"$PL_TMP/cues.txt" <<'EOF'
2.6 3.4 HELLO WORLD
4.4 5.2 @1,10,50 +i Second caption|on two rows
6.0 7.0 third, with punctuation!
7.6 9.2 @0,5,5 +u A LONGER ONE ACROSS A SEGMENT
10.0 10.8 last
EOF
"$ccgen" --708 "$PL_TMP/cc.mp4" 12 "$PL_TMP/cues.txt" 2>"$PL_TMP/ccgen.log" ||
    { cat "$PL_TMP/ccgen.log"; fail "sv-ccgen could not make the clip"; }
(cd "$w/hls" && ffmpeg -nostdin -v error -i "$PL_TMP/cc.mp4" -c copy -f hls -hls_time 2 \
    -hls_segment_type fmp4 -hls_playlist_type vod -master_pl_name master.m3u8 index.m3u8) ||
    fail "ffmpeg could not make the HLS"
(cd "$w/dash" && ffmpeg -nostdin -v error -i "$PL_TMP/cc.mp4" -c copy -seg_duration 2 -f dash \
    manifest.mpd) || fail "ffmpeg could not make the DASH"
# The services, declared as DASH-IF and Apple say (ffmpeg writes neither),
# and the HLS variant's CODECS.
python3 - "$w" <<'EOF' || fail "could not declare the caption services"
import re, sys
w = sys.argv[1]
mpd = open(w + "/dash/manifest.mpd").read()
mpd, n = re.subn(r'(<AdaptationSet[^>]*contentType="video"[^>]*>)',
                 r'\1\n\t\t\t<Accessibility schemeIdUri="urn:scte:dash:cc:cea-708:2015" '
                 r'value="1=lang:eng;2=lang:deu"/>', mpd)
assert n == 1
open(w + "/dash/manifest.mpd", "w").write(mpd)
m3u8 = open(w + "/hls/master.m3u8").read()
media = ('#EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS,GROUP-ID="cc",NAME="English",LANGUAGE="en",'
         'INSTREAM-ID="SERVICE1"\n'
         '#EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS,GROUP-ID="cc",NAME="Deutsch",LANGUAGE="de",'
         'INSTREAM-ID="SERVICE2"\n')
# CODECS too (ffmpeg leaves it out, and Shaka would guess audio and video).
codecs = re.search(r'codecs="([^"]+)"', mpd).group(1)
m3u8, n = re.subn(r'#EXT-X-STREAM-INF:([^\n]*)',
                  media + r'#EXT-X-STREAM-INF:\1,CODECS="%s",CLOSED-CAPTIONS="cc"' % codecs, m3u8)
assert n == 1
open(w + "/hls/master.m3u8", "w").write(m3u8)
EOF
pl_serve "$w"

for f in dash/manifest.mpd hls/master.m3u8; do
    n=${f%%/*}
    pl_play "$n" 60 --quiet --captions --caption-track SERVICE1 --sub-log "$PL_TMP/$n.sv" \
        --framemd5 "$PL_TMP/$n.md5" "$PL_URL/$f"
    [ "$PL_RC" -eq 0 ] && [ "$(wc -l <"$PL_TMP/$n.sv")" -eq 5 ] ||
        { pl_show "$n"; cat "$PL_TMP/$n.sv"; fail "$n: svplay did not log 5 cues (exit $PL_RC)"; }
    rc=0
    node "$SV_SOURCE_DIR/tests/interop/browser_play.js" --player shaka --root "$w" --url "$f" \
        --rate 4 --text-track svc1 --text-language en --json-out "$PL_TMP/$n.json" \
        >/dev/null 2>"$PL_TMP/$n.browser" || rc=$?
    [ -f "$PL_TMP/$n.json" ] || { cat "$PL_TMP/$n.browser"; fail "$n: browser_play.js wrote no summary (exit $rc)"; }
    [ "$rc" -eq 0 ] || { head -c 3000 "$PL_TMP/$n.json"; fail "$n: Shaka did not play to the end"; }
    python3 - "$PL_TMP/$n.json" "$PL_TMP/$n.sv" "$n" <<'EOF'
import json, re, sys
summary, sv, name = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
tracks = sorted((t["id"], t["language"]) for t in summary["textTracks"])
ok = tracks == [("svc1", "en"), ("svc2", "de")]
print("%s   %s: Shaka's text tracks %s" % ("ok" if ok else "not ok", name, tracks))
shaka = [(c["start"], c["end"], re.sub(r"<[^>]*>", "", c["text"]))
         for c in sorted(summary["textCues"], key=lambda c: c["start"])]
mine = []
for line in open(sv):
    f = line.rstrip("\n").split("\t")
    mine.append((float(f[0]), float(f[1]), f[2].replace("\\n", "\n")))
same = len(shaka) == len(mine) and all(
    a[2] == b[2] and abs(a[0] - b[0]) <= 0.1 and abs(a[1] - b[1]) <= 0.1
    for a, b in zip(shaka, mine))
for a, b in zip(shaka + [None] * 9, mine + [None] * 9):
    if a or b:
        print("    shaka %-44s svplay %s" % (a and "%.3f-%.3f %r" % a, b and "%.3f-%.3f %r" % b))
print("%s   %s: Shaka's %d cues of svc1 equal svplay's %d of SERVICE1 (text, times within 0.1 s)"
      % ("ok" if same else "not ok", name, len(shaka), len(mine)))
sys.exit(0 if ok and same else 1)
EOF
    check $? "$n: Shaka Player and svplay show the same CEA-708 service 1"

    # The tracks svplay read from the manifest, and one picked by language.
    pl_play "$n-de" 60 --quiet --captions --caption-track de --sub-log "$PL_TMP/$n.de" \
        --stats "$PL_TMP/$n-de.json" --framemd5 "$PL_TMP/$n-de.md5" "$PL_URL/$f"
    tracks=$(python3 -c 'import json, sys
print(" ".join("%s:%s:%s:%s%s%s" % (t["name"], t["language"], t["label"], "d" if t["declared"] else "",
      "c" if t["carried"] else "", "s" if t["selected"] else "")
      for t in json.load(open(sys.argv[1]))["caption_tracks"]))' "$PL_TMP/$n-de.json")
    [ "$n" = hls ] && want="SERVICE1:en:English:dc SERVICE2:de:Deutsch:dcs CC1:::c" ||
        want="SERVICE1:en::dc SERVICE2:de::dcs CC1:::c"
    [ "$PL_RC" -eq 0 ] && [ "$tracks" = "$want" ] && [ "$(wc -l <"$PL_TMP/$n.de")" -eq 5 ] &&
        [ "$(grep -c "	S2 " "$PL_TMP/$n.de")" -eq 5 ]
    check $? "$n: svplay's caption tracks from the manifest ($tracks); --caption-track de shows service 2"
done

pl_build_sdk_program captions_switch "$PL_DIR/sdk_check.c"
"$PL_TMP/captions_switch" "$PL_URL/dash/manifest.mpd" >"$PL_TMP/switch.out" 2>"$PL_TMP/switch.err"
rc=$?
cat "$PL_TMP/switch.out"
[ "$rc" -eq 0 ] || tail -n 5 "$PL_TMP/switch.err"
check $rc "API: a caption track by language at load, another by name while playing"
pl_finish
