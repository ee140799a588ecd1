#!/bin/sh
# The issue's acceptance clip: 60 s of 1080p30 with audio, default ladder.
# Five rungs (240p..1080p) and audio, 15 keyframe-aligned 4 s segments each,
# every rung decoded to the end from the HLS and from the DASH manifest, read
# from files and over HTTP from a real svserver.
set -eu
. "$SV_SOURCE_DIR/tests/backend_media/medialib.sh"
WORK="$SV_BUILD_DIR/tests/backend_media/work-1080p"
rm -rf "$WORK"
mkdir -p "$WORK"
make_clip "$WORK/clip.mp4" 60 1920x1080

"$INGEST" "$WORK/clip.mp4" "$WORK/out" > "$WORK/result.txt" || fail "ingest failed"
cat "$WORK/result.txt"
OUT="$WORK/out"
grep -q '^renditions=6$' "$WORK/result.txt" || fail "expected 5 video + 1 audio renditions"
check_rung "$OUT/video/240p" 15 4 30 426 240
check_rung "$OUT/video/360p" 15 4 30 640 360
check_rung "$OUT/video/480p" 15 4 30 854 480
check_rung "$OUT/video/720p" 15 4 30 1280 720
check_rung "$OUT/video/1080p" 15 4 30 1920 1080
[ "$(ls "$OUT/thumbs" | grep -c "^thumb-")" -eq 6 ] || fail "expected 6 thumbnails"
HAS_AUDIO=1
FRAMES=1800
check_manifests "$OUT" 5 15
decode_all "$OUT/master.m3u8" 5
decode_all "$OUT/manifest.mpd" 5
# The same over HTTP from svserver, as a player sees it.
serve_out "$OUT"
decode_all "$MEDIA_URL/master.m3u8" 5
decode_all "$MEDIA_URL/manifest.mpd" 5
echo "media_full_1080p: ok"
