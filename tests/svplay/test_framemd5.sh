#!/bin/sh
# svplay --framemd5 equals ffmpeg's own framemd5 of the same file, line for
# line (header and every frame), for a whole clip and for --frames N.
set -u
: "${SV_BUILD_DIR:?}"
. "$SV_SOURCE_DIR/tests/support/target.sh"
svplay=$(target_program "$SV_BUILD_DIR/apps/svplay/svplay")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x180:rate=25 \
    -f lavfi -i sine=frequency=440:sample_rate=48000 -t 2 \
    -c:v libx264 -preset ultrafast -bf 2 -g 25 -pix_fmt yuv420p -c:a aac "$tmp/clip.mp4" ||
    { echo "FAIL: ffmpeg could not make the clip"; exit 1; }
ffmpeg -nostdin -v error -i "$tmp/clip.mp4" -map 0:v -fflags +bitexact -f framemd5 "$tmp/ref.md5"

timeout 60 "$svplay" --quiet --framemd5 "$tmp/got.md5" --stats "$tmp/stats.json" "$tmp/clip.mp4"
rc=$?
[ $rc -eq 0 ] || { echo "FAIL: svplay exited $rc"; fails=$((fails + 1)); }
if ! diff "$tmp/ref.md5" "$tmp/got.md5" >"$tmp/diff"; then
    echo "FAIL: framemd5 differs from ffmpeg's:"; head -20 "$tmp/diff"; fails=$((fails + 1))
fi
grep -q '"decoded_frames": 50' "$tmp/stats.json" ||
    { echo "FAIL: stats: $(cat "$tmp/stats.json")"; fails=$((fails + 1)); }

timeout 60 "$svplay" --quiet --frames 10 --framemd5 "$tmp/ten.md5" "$tmp/clip.mp4"
rc=$?
[ $rc -eq 0 ] || { echo "FAIL: --frames 10 exited $rc"; fails=$((fails + 1)); }
grep -v '^#' "$tmp/ref.md5" | head -10 >"$tmp/ref10"
grep -v '^#' "$tmp/ten.md5" >"$tmp/got10"
cmp -s "$tmp/ref10" "$tmp/got10" ||
    { echo "FAIL: --frames 10 lines differ"; diff "$tmp/ref10" "$tmp/got10" | head; fails=$((fails + 1)); }

[ "$fails" -eq 0 ] && echo "framemd5 equals ffmpeg's: $(grep -vc '^#' "$tmp/got.md5") frames"
[ "$fails" -eq 0 ]
