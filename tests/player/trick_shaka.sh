#!/bin/sh
# Shaka Packager's trick-play output (issue 18, item 4): an MPD with the main
# video and a trick-mode AdaptationSet (trick_play_factor=2: every second key
# frame, EssentialProperty http://dashif.org/guidelines/trickmode), written
# in both orders, and its HLS, where the trick stream is an ordinary variant
# at its key-frame rate. svplay must play the main video, never the trick
# track: every frame hash equals ffmpeg's own decode of the source, in order,
# with the trick set listed after the main one and before it, and in HLS.
. "$SV_SOURCE_DIR/tests/player/playlib.sh"

packager=$("$SV_SOURCE_DIR/scripts/shaka-packager.sh") || fail "no Shaka Packager"
w="$PL_TMP/www"
mkdir -p "$w"
ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x240:rate=25 -t 8 -c:v libx264 \
    -preset ultrafast -g 25 -keyint_min 25 -sc_threshold 0 "$PL_TMP/v.mp4" ||
    fail "ffmpeg could not make the clip"
ffmpeg -nostdin -v error -i "$PL_TMP/v.mp4" -map 0:v:0 -fps_mode passthrough -f framemd5 \
    "$PL_TMP/ref.framemd5" || fail "ffmpeg cannot decode the clip"
pl_hashes "$PL_TMP/ref.framemd5" >"$PL_TMP/ref.md5"
[ "$(wc -l <"$PL_TMP/ref.md5")" -eq 200 ] || fail "the source has $(wc -l <"$PL_TMP/ref.md5") frames, not 200"
(cd "$w" && "$packager" \
    "in=$PL_TMP/v.mp4,stream=video,init_segment=v/init.mp4,segment_template=v/\$Number\$.m4s" \
    "in=$PL_TMP/v.mp4,stream=video,init_segment=t/init.mp4,segment_template=t/\$Number\$.m4s,trick_play_factor=2" \
    --segment_duration 2 --generate_static_live_mpd --mpd_output main_first.mpd \
    >"$PL_TMP/packager.log" 2>&1) ||
    { tail -n 5 "$PL_TMP/packager.log"; fail "Shaka Packager could not make the trick-play DASH"; }
grep -q 'http://dashif.org/guidelines/trickmode' "$w/main_first.mpd" ||
    fail "the packager wrote no trick-mode AdaptationSet"
# The same MPD with the trick-mode set first.
awk 'part == 0 && /<AdaptationSet/ { part = 1 }
     part == 1 { one = one $0 "\n"; if (/<\/AdaptationSet>/) part = 2; next }
     part == 2 && /<AdaptationSet/ { part = 3 }
     part == 3 { two = two $0 "\n"; if (/<\/AdaptationSet>/) { printf "%s%s", two, one; part = 4 }; next }
     { print }' "$w/main_first.mpd" >"$w/trick_first.mpd"
[ "$(grep -n trickmode "$w/trick_first.mpd" | cut -d: -f1)" -lt "$(grep -n 'v/init.mp4' "$w/trick_first.mpd" | cut -d: -f1)" ] ||
    fail "could not reorder the MPD"
# Its HLS: the trick stream is an ordinary EXT-X-STREAM-INF variant there, at
# its key-frame rate (FRAME-RATE=0.500), which the ladder must leave out.
(cd "$w" && "$packager" \
    "in=$PL_TMP/v.mp4,stream=video,init_segment=hv/init.mp4,segment_template=hv/\$Number\$.m4s,playlist_name=hv.m3u8" \
    "in=$PL_TMP/v.mp4,stream=video,init_segment=ht/init.mp4,segment_template=ht/\$Number\$.m4s,trick_play_factor=2,playlist_name=ht.m3u8" \
    --segment_duration 2 --hls_master_playlist_output hls.m3u8 >"$PL_TMP/packager.log" 2>&1) ||
    { tail -n 5 "$PL_TMP/packager.log"; fail "Shaka Packager could not make the trick-play HLS"; }
grep -q 'FRAME-RATE=0.500' "$w/hls.m3u8" || fail "the packager wrote no trick variant in the HLS"
pl_serve "$w"
for m in main_first trick_first hls; do
    url="$PL_URL/$m.mpd"
    [ "$m" = hls ] && url="$PL_URL/hls.m3u8"
    pl_play "$m" 60 --quiet --framemd5 "$PL_TMP/$m.framemd5" "$url"
    [ "$PL_RC" -eq 0 ] || { pl_show "$m"; fail "$m: svplay exited $PL_RC"; }
    pl_hashes "$PL_TMP/$m.framemd5" >"$PL_TMP/$m.md5"
    cmp -s "$PL_TMP/$m.md5" "$PL_TMP/ref.md5"
    check $? "$m: the 200 frames of the main video, equal to ffmpeg's decode ($(wc -l <"$PL_TMP/$m.md5") frames)"
done
pl_finish
