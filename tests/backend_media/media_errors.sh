#!/bin/sh
# Bad input and control paths of the media pipeline: each bad input ends
# with exit 1 and a readable reason (never a crash); cancel stops the job
# with SV_ERR_CANCELLED (-17); a source without audio gets no audio
# rendition and still plays.
set -eu
. "$SV_SOURCE_DIR/tests/backend_media/medialib.sh"
WORK="$SV_BUILD_DIR/tests/backend_media/work-errors"
rm -rf "$WORK"
mkdir -p "$WORK"

# expect_error NAME PATTERN INPUT [ARGS...]: exit status 1 (not a signal),
# "error=<code>" on stderr matching PATTERN.
expect_error() {
    name=$1 pattern=$2 input=$3
    shift 3
    set +e
    "$INGEST" "$input" "$WORK/out-$name" "$@" > "$WORK/$name.out" 2> "$WORK/$name.err"
    rc=$?
    set -e
    [ "$rc" -eq 1 ] || fail "$name: exit status $rc, expected 1 ($(cat "$WORK/$name.err"))"
    grep -q "$pattern" "$WORK/$name.err" ||
        fail "$name: error does not match '$pattern': $(cat "$WORK/$name.err")"
    echo "$name: $(grep '^error=' "$WORK/$name.err")"
}

make_clip "$WORK/clip.mp4" 6 320x240
make_clip "$WORK/silent.mp4" 5 320x240 noaudio

# Not a media file at all.
printf 'this is not a video\n' > "$WORK/text.mp4"
expect_error text '^error=-3 .*cannot read the input' "$WORK/text.mp4"
# Missing file.
expect_error missing '^error=-3 .*No such file' "$WORK/nope.mp4"
# Truncated upload: the moov (written last) is gone.
head -c 20000 "$WORK/clip.mp4" > "$WORK/truncated.mp4"
expect_error truncated '^error=-3 .*cannot read the input' "$WORK/truncated.mp4"
# Audio only: no video stream.
ffmpeg -nostdin -v error -y -f lavfi -i sine -t 2 -c:a aac "$WORK/audio.m4a"
expect_error audio_only '^error=-7 .*no video stream' "$WORK/audio.m4a"
# The output folder must be new (the job layer publishes it by rename).
mkdir -p "$WORK/out-exists"
expect_error exists '^error=-3 .*cannot create' "$WORK/clip.mp4"
# Cancel from the progress callback once 30 % is passed.
expect_error cancel '^error=-17 .*cancelled' "$WORK/clip.mp4" --ladder 240:300 --cancel-at 30

# Garbage in the middle of the media data: the decoder skips what it cannot
# read; the job either succeeds with playable output or fails cleanly.
cp "$WORK/clip.mp4" "$WORK/corrupt.mp4"
size=$(wc -c < "$WORK/clip.mp4")
dd if=/dev/urandom of="$WORK/corrupt.mp4" bs=1 seek=$((size / 2)) count=20000 conv=notrunc 2>/dev/null
set +e
"$INGEST" "$WORK/corrupt.mp4" "$WORK/out-corrupt" --ladder 240:300 > "$WORK/corrupt.out" 2> "$WORK/corrupt.err"
rc=$?
set -e
case $rc in
0) ffmpeg -nostdin -v error -i "$WORK/out-corrupt/master.m3u8" -map 0:v:0 -f null - ||
       fail "corrupt: output does not decode" ;;
1) grep -q '^error=' "$WORK/corrupt.err" || fail "corrupt: failed without a reason" ;;
*) fail "corrupt: exit status $rc (crash?)" ;;
esac
echo "corrupt: exit $rc"

# No audio track: video only, no audio rendition, no audio group.
"$INGEST" "$WORK/silent.mp4" "$WORK/out-silent" --ladder 180:200,240:300 > "$WORK/silent.out" ||
    fail "silent: ingest failed"
grep -q '^renditions=2$' "$WORK/silent.out" || fail "silent: expected 2 renditions"
[ -e "$WORK/out-silent/audio" ] && fail "silent: an audio rendition was made"
HAS_AUDIO=0
FRAMES=150
check_rung "$WORK/out-silent/video/180p" 2 4 30 240 180
check_manifests "$WORK/out-silent" 2 2
decode_all "$WORK/out-silent/master.m3u8" 2
decode_all "$WORK/out-silent/manifest.mpd" 2
echo "media_errors: ok"
