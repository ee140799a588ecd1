#!/bin/sh
# Trick play over svserver's own packaging (issue 18): a 40 s clip (320x240,
# 25 fps, a 440 Hz tone) ingested twice with one 240p rung and 2 s segments,
# in clear and with CENC (the key from svserver's ClearKey license service);
# svserver writes each rung's HLS I-frame playlist (byte ranges of the key
# frames' own fragments) and a DASH trick-mode set (a SegmentList of those
# ranges timed by a SegmentTimeline). tests/player/trick_play.c (its header
# says what it checks) plays each title's HLS and DASH through the public
# API in real time: 8x, -8x, back to 1x, 64x to the end and -64x to 0. The
# pictures are compared with ffmpeg's decode of the clear rung's segments,
# and for the encrypted title with svplay's own headless decode of it at
# 1x (the path drm_server holds equal to Shaka Packager's decryption). The
# player must have used the I-frame track (its log says which); an
# encrypted key frame that did not decrypt would stop the run with a DRM
# error (decrypted media is decoded strictly).
#   trick_svserver.sh LIBSTREAMVERSE_DIR
. "$SV_SOURCE_DIR/tests/backend/backendlib.sh"
libdir=${1:-$SV_BUILD_DIR}
SVPLAY="$SV_BUILD_DIR/apps/svplay/svplay"
[ -x "$SVPLAY" ] || fail "$SVPLAY not built"
: "${CC:=cc}"
"$CC" -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Wshadow -Wstrict-prototypes \
    -Wmissing-prototypes -Wformat=2 -Wvla -Werror -I"$SV_SOURCE_DIR/include" \
    -o "$SV_TMP/trick_play" "$SV_SOURCE_DIR/tests/player/trick_play.c" \
    -L"$libdir" -Wl,-rpath,"$libdir" -lstreamverse -lpthread -lm 2>"$SV_TMP/cc.err" ||
    { cat "$SV_TMP/cc.err"; fail "trick_play.c does not build against the player API"; }

export SVSERVER_MASTER_KEY=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
export SVSERVER_TOKEN_SECRET=trick-svserver-test-secret-0123456789
OPTS="--data $SV_DATA --ladder 240:300 --segment-seconds 2"
ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x240:rate=25 \
    -f lavfi -i sine=frequency=440:sample_rate=48000 -t 40 -c:v libx264 -preset ultrafast \
    -pix_fmt yuv420p -c:a aac -shortest "$SV_TMP/clip.mp4" || fail "ffmpeg could not make the clip"
"$SVSERVER" ingest "$SV_TMP/clip.mp4" --title Open $OPTS >"$SV_TMP/open.out" 2>"$SV_TMP/ingest.log" ||
    { cat "$SV_TMP/ingest.log"; fail "ingest (clear)"; }
"$SVSERVER" ingest "$SV_TMP/clip.mp4" --title Locked --drm cenc $OPTS >"$SV_TMP/locked.out" \
    2>>"$SV_TMP/ingest.log" || { cat "$SV_TMP/ingest.log"; fail "ingest (cenc)"; }
OPEN=$(tail -n 1 "$SV_TMP/open.out")
LOCKED=$(tail -n 1 "$SV_TMP/locked.out")
grep -q EXT-X-I-FRAME-STREAM-INF "$SV_DATA/media/$OPEN/master.m3u8" || fail "no I-frame playlist"
grep -q 'http://dashif.org/guidelines/trickmode' "$SV_DATA/media/$OPEN/manifest.mpd" ||
    fail "no trick-mode set"
sv_start --ladder 240:300 --segment-seconds 2
TOK=$("$SVSERVER" token "$LOCKED" --ttl 600) || fail "no playback token"
LIC="$SV_URL/api/v1/license?token=$TOK"

# The references: ffmpeg's decode of the clear rung (init + every segment),
# svplay's headless decode of the encrypted title.
rung="$SV_DATA/media/$OPEN/video/240p"
n=$(ls "$rung" | grep -c '^seg-[0-9]*\.m4s$')
(cat "$rung/init.mp4"; i=1; while [ "$i" -le "$n" ]; do cat "$rung/seg-$i.m4s"; i=$((i + 1)); done) \
    >"$SV_TMP/open.mp4"
hashes() { grep -v '^#' "$1" | awk -F, 'NF >= 6 && $1 + 0 == 0 { gsub(/ /, "", $6); print $6 }'; }
ffmpeg -nostdin -v error -i "$SV_TMP/open.mp4" -map 0:v:0 -fps_mode passthrough -f framemd5 \
    "$SV_TMP/open.framemd5" || fail "ffmpeg cannot decode the clear rung"
hashes "$SV_TMP/open.framemd5" >"$SV_TMP/open.md5"
timeout -k 5 120 "$SVPLAY" --headless --benchmark --license-url "$LIC" \
    --framemd5 "$SV_TMP/locked.framemd5" "$SV_URL/media/$LOCKED/master.m3u8" \
    2>"$SV_TMP/svplay.err" || { cat "$SV_TMP/svplay.err"; fail "svplay cannot play the encrypted title"; }
hashes "$SV_TMP/locked.framemd5" >"$SV_TMP/locked.md5"
[ "$(wc -l <"$SV_TMP/open.md5")" -eq 1000 ] && [ "$(wc -l <"$SV_TMP/locked.md5")" -eq 1000 ] ||
    fail "the references have $(wc -l <"$SV_TMP/open.md5") and $(wc -l <"$SV_TMP/locked.md5") frames, not 1000"

failures=0
for run in "$OPEN master.m3u8" "$OPEN manifest.mpd" "$LOCKED master.m3u8" "$LOCKED manifest.mpd"; do
    set -- $run
    ref="$SV_TMP/open.md5"
    lic=""
    [ "$1" = "$LOCKED" ] && ref="$SV_TMP/locked.md5" && lic=$LIC
    echo "== title $1 $2"
    timeout -k 5 90 "$SV_TMP/trick_play" "$SV_URL/media/$1/$2" "$ref" 25 2 $lic 2>"$SV_TMP/stderr"
    rc=$?
    [ "$rc" -eq 0 ] || { tail -n 20 "$SV_TMP/stderr"; failures=$((failures + 1)); echo "FAIL title $1 $2: exit $rc"; }
    grep -q 'trick play over the I-frame track' "$SV_TMP/stderr" ||
        { failures=$((failures + 1)); echo "FAIL title $1 $2: the I-frame track was not used"; }
done
[ "$failures" -eq 0 ] || fail "$failures run(s) failed"
ok "trick play over svserver's I-frame playlists and trick-mode sets, clear and CENC"
