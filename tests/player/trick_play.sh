#!/bin/sh
# Trick play through the public API (issue 18, items 2 and 3):
# tests/player/trick_play.c, built here against include/streamverse and
# libstreamverse like a device maker's program, plays in real time:
#   - Shaka Packager's HLS with an I-frame playlist (EXT-X-I-FRAME-STREAM-INF,
#     byte ranges into the segments);
#   - Shaka Packager's DASH with a trick-mode AdaptationSet
#     (trick_play_factor=1: every key frame);
#   - the same HLS without its I-frame playlist, and ffmpeg's MPEG-TS HLS of
#     the clip: the fallback, the first frame of each segment of the lowest
#     rung.
# The clip: 40 s of 320x240 at 25 fps, a key frame every 2 s (each segment's
# first frame), and a 440 Hz tone. trick_play.c checks positions, pictures
# (ffmpeg's frame hashes), the return to 1x and the ends (its header says
# how). Here the request log shows what trick play fetched: with an I-frame
# track only its entries (each an EXT-X-BYTERANGE of the I-frame playlist,
# or a segment of the trick-mode set), without one whole segments of the
# video.
#   trick_play.sh LIBSTREAMVERSE_DIR
. "$SV_SOURCE_DIR/tests/player/playlib.sh"
libdir=${1:-$SV_BUILD_DIR}
pl_build_sdk_program trick_play "$PL_DIR/sdk_check.c"

packager=$("$SV_SOURCE_DIR/scripts/shaka-packager.sh") || fail "no Shaka Packager"
w="$PL_TMP/www"
mkdir -p "$w/hls" "$w/dash"
ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x240:rate=25 \
    -f lavfi -i sine=frequency=440:sample_rate=48000 -t 40 -c:v libx264 -preset ultrafast \
    -g 50 -keyint_min 50 -sc_threshold 0 -c:a aac -b:a 64k -shortest "$PL_TMP/src.mp4" ||
    fail "ffmpeg could not make the clip"
ffmpeg -nostdin -v error -i "$PL_TMP/src.mp4" -map 0:v:0 -fps_mode passthrough -f framemd5 \
    "$PL_TMP/ref.framemd5" || fail "ffmpeg cannot decode the clip"
pl_hashes "$PL_TMP/ref.framemd5" >"$PL_TMP/ref.md5"
[ "$(wc -l <"$PL_TMP/ref.md5")" -eq 1000 ] || fail "the clip has $(wc -l <"$PL_TMP/ref.md5") frames, not 1000"
(cd "$w/hls" && "$packager" \
    "in=$PL_TMP/src.mp4,stream=video,init_segment=v/init.mp4,segment_template=v/\$Number\$.m4s,playlist_name=v.m3u8,iframe_playlist_name=v_iframe.m3u8" \
    "in=$PL_TMP/src.mp4,stream=audio,init_segment=a/init.mp4,segment_template=a/\$Number\$.m4s,playlist_name=a.m3u8,hls_group_id=audio" \
    --segment_duration 2 --hls_master_playlist_output master.m3u8 >"$PL_TMP/packager.log" 2>&1) ||
    { tail -n 5 "$PL_TMP/packager.log"; fail "Shaka Packager could not make the HLS"; }
grep -q EXT-X-I-FRAME-STREAM-INF "$w/hls/master.m3u8" || fail "the packager wrote no I-frame playlist"
grep -v EXT-X-I-FRAME-STREAM-INF "$w/hls/master.m3u8" >"$w/hls/fallback.m3u8"
(cd "$w/dash" && "$packager" \
    "in=$PL_TMP/src.mp4,stream=video,init_segment=v/init.mp4,segment_template=v/\$Number\$.m4s" \
    "in=$PL_TMP/src.mp4,stream=audio,init_segment=a/init.mp4,segment_template=a/\$Number\$.m4s" \
    "in=$PL_TMP/src.mp4,stream=video,init_segment=t/init.mp4,segment_template=t/\$Number\$.m4s,trick_play_factor=1" \
    --segment_duration 2 --generate_static_live_mpd --mpd_output manifest.mpd \
    >"$PL_TMP/packager.log" 2>&1) ||
    { tail -n 5 "$PL_TMP/packager.log"; fail "Shaka Packager could not make the DASH"; }
grep -q 'http://dashif.org/guidelines/trickmode' "$w/dash/manifest.mpd" ||
    fail "the packager wrote no trick-mode AdaptationSet"
# The fallback on MPEG-TS too: ffmpeg's HLS of the same clip, no I-frame playlist.
mkdir -p "$w/ts"
ffmpeg -nostdin -v error -i "$PL_TMP/src.mp4" -c copy -f hls -hls_time 2 -hls_playlist_type vod \
    -hls_segment_filename "$w/ts/s%03d.ts" "$w/ts/index.m3u8" || fail "ffmpeg could not make the TS HLS"
# The I-frame playlist's byte ranges as the request log writes them.
awk -F'[:@]' '/^#EXT-X-BYTERANGE/ { r = "bytes=" $3 "-" ($3 + $2 - 1) }
              /^v\// && r { print "/hls/" $0 " " r; r = "" }' "$w/hls/v_iframe.m3u8" |
    sort -u >"$PL_TMP/iframes"
[ "$(wc -l <"$PL_TMP/iframes")" -eq 20 ] || fail "the I-frame playlist has $(wc -l <"$PL_TMP/iframes") entries, not 20"
pl_serve "$w"

# requests FROM - the request log from line FROM on: "PATH RANGE" per line.
requests() {
    tail -n +"$1" "$PL_TMP/requests.jsonl" |
        sed -n 's/.*"path":"\([^"]*\)".*"range":\(null\|"[^"]*"\).*/\1 \2/p' | tr -d '"'
}

for run in hls/master.m3u8 dash/manifest.mpd hls/fallback.m3u8 ts/index.m3u8; do
    echo "== $run"
    mark=$(($(wc -l <"$PL_TMP/requests.jsonl") + 1))
    timeout -k 5 90 "$PL_TMP/trick_play" "$PL_URL/$run" "$PL_TMP/ref.md5" 25 2 \
        2>"$PL_TMP/stderr"
    rc=$?
    check "$rc" "$run: trick_play exited $rc"
    [ "$rc" -eq 0 ] || tail -n 20 "$PL_TMP/stderr"
    requests "$mark" >"$PL_TMP/req"
    case $run in
    hls/master.m3u8)
        n=$(grep -c ' bytes=' "$PL_TMP/req")
        bad=$(grep ' bytes=' "$PL_TMP/req" | sort -u | comm -23 - "$PL_TMP/iframes" | wc -l)
        check "$([ "$n" -ge 20 ] && [ "$bad" -eq 0 ]; echo $?)" \
            "$run: $n ranged requests, each an entry of the I-frame playlist ($bad others)" ;;
    dash/manifest.mpd)
        n=$(grep -c '^/dash/t/[0-9]*\.m4s ' "$PL_TMP/req")
        check "$([ "$n" -ge 20 ]; echo $?)" "$run: $n segments of the trick-mode set fetched" ;;
    *)
        n=$(grep -c ' bytes=' "$PL_TMP/req")
        i=$(grep -c 'iframe' "$PL_TMP/req")
        check "$([ "$n" -eq 0 ] && [ "$i" -eq 0 ]; echo $?)" \
            "$run: whole segments only ($n ranged requests, $i for an I-frame playlist)" ;;
    esac
done
pl_finish
