#!/bin/sh
# The null video sink's per-frame MD5 equals ffmpeg's framemd5 of the same
# decoded frames, for several pixel formats and an odd picture size (chroma
# rounding). Usage: null_sink_framemd5.sh PATH_TO_SV_HASHRAW
set -eu
hashraw=$1
command -v ffmpeg >/dev/null || { echo "ffmpeg missing: run scripts/install-deps.sh"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
w=322
h=182
passed=0
failed=0

# A real H.264 clip, so the frames are a decoder's output, not a generator's.
ffmpeg -nostdin -v error -f lavfi -i "testsrc2=size=${w}x${h}:rate=25:duration=1" \
    -c:v libx264 -preset ultrafast -pix_fmt yuv420p "$tmp/clip.mp4"

for fmt in yuv420p yuv420p10le nv12 yuv444p; do
    ffmpeg -nostdin -v error -i "$tmp/clip.mp4" -pix_fmt "$fmt" -f rawvideo -y "$tmp/frames.raw"
    ffmpeg -nostdin -v error -i "$tmp/clip.mp4" -pix_fmt "$fmt" -f framemd5 - |
        grep -v '^#' | awk -F, '{gsub(/ /, "", $6); print $6}' > "$tmp/ffmpeg.md5"
    "$hashraw" "$tmp/frames.raw" "$w" "$h" "$fmt" > "$tmp/sink.md5"
    n=$(wc -l < "$tmp/ffmpeg.md5")
    if [ "$n" -ge 25 ] && cmp -s "$tmp/ffmpeg.md5" "$tmp/sink.md5"; then
        echo "ok   $fmt: $n frames, hashes equal ffmpeg's framemd5"
        passed=$((passed + 1))
    else
        echo "FAIL $fmt: ffmpeg $n frames, sink $(wc -l < "$tmp/sink.md5") frames"
        diff "$tmp/ffmpeg.md5" "$tmp/sink.md5" | head -5
        failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
