#!/bin/sh
# An ingest in parts (issue 14: a title's rungs encoded by different
# workers): a 9 s 640x360 clip with three rungs, once whole and once as three
# parts (--part K/3, one rung each; part 0 with audio, thumbnails, tiles,
# poster and subtitles) put
# together by --assemble. With x264 on one thread the two titles are the
# same bytes, file for file: playlists, MPD, segments, init segments,
# thumbnails. Also: more parts than rungs (an empty part), a part missing,
# and parts cut with different segment durations, which are refused.
set -eu
. "$SV_SOURCE_DIR/tests/backend_media/medialib.sh"
WORK="$SV_BUILD_DIR/tests/backend_media/work-parts"
rm -rf "$WORK"
mkdir -p "$WORK"
make_clip "$WORK/clip.mp4" 9 640x360
# Subtitles too: part 0 writes them, part.json lists them for the assembly.
printf '1\n00:00:01,000 --> 00:00:03,000\nAcross two segments\n' > "$WORK/en.srt"
L="--ladder 144:150,240:300,360:750 --segment 2 --threads 1 --subtitles en:$WORK/en.srt"

# shellcheck disable=SC2086 # L is a list of options
"$INGEST" "$WORK/clip.mp4" "$WORK/whole" $L >"$WORK/whole.txt" || fail "whole ingest failed"
for k in 0 1 2; do
    # shellcheck disable=SC2086
    "$INGEST" "$WORK/clip.mp4" "$WORK/p$k" $L --part "$k/3" >"$WORK/p$k.txt" ||
        fail "part $k failed"
    [ "$(grep -c '^rendition=video' "$WORK/p$k.txt")" -eq 1 ] || fail "part $k: not one rung"
done
grep -q '^rendition=audio' "$WORK/p0.txt" || fail "part 0 has no audio"
grep -q '^rendition=audio' "$WORK/p1.txt" "$WORK/p2.txt" && fail "audio outside part 0"
[ -f "$WORK/p0/master.m3u8" ] && fail "a part wrote a master playlist"
"$INGEST" --assemble "$WORK/assembled" "$WORK/p2" "$WORK/p0" "$WORK/p1" >"$WORK/asm.txt" ||
    fail "assembly failed"
grep -v '^wall=' "$WORK/whole.txt" >"$WORK/whole.res"
grep -v '^wall=' "$WORK/asm.txt" >"$WORK/asm.res"
cmp -s "$WORK/whole.res" "$WORK/asm.res" || { diff "$WORK/whole.res" "$WORK/asm.res"; fail "results differ"; }
diff -r "$WORK/whole" "$WORK/assembled" || fail "the assembled title differs from the whole one"
echo "ok: 3 parts assembled = the whole ingest, byte for byte ($(find "$WORK/whole" -type f | wc -l) files)"
HAS_AUDIO=1
FRAMES=270
decode_all "$WORK/assembled/master.m3u8" 3

# Two parts of a one-rung ladder: the rung goes to part 1, part 0 has only
# the audio and thumbnails (and no video rendition).
"$INGEST" "$WORK/clip.mp4" "$WORK/one" --ladder 240:300 --segment 2 --threads 1 >/dev/null ||
    fail "one-rung ingest failed"
for k in 0 1; do
    "$INGEST" "$WORK/clip.mp4" "$WORK/q$k" --ladder 240:300 --segment 2 --threads 1 \
        --part "$k/2" >"$WORK/q$k.txt" || fail "part $k of 2 failed"
done
grep -q '^rendition=video' "$WORK/q0.txt" && fail "part 0 encoded the rung (part 1 should)"
grep -q '^rendition=audio' "$WORK/q0.txt" || fail "part 0 has no audio"
"$INGEST" --assemble "$WORK/one-asm" "$WORK/q0" "$WORK/q1" >/dev/null || fail "assembly of 2 failed"
diff -r "$WORK/one" "$WORK/one-asm" || fail "the one-rung title differs"
echo "ok: a part without video"

# Refused: a part missing; parts from different segment settings.
rc=0
"$INGEST" --assemble "$WORK/bad1" "$WORK/p0" "$WORK/p1" 2>"$WORK/bad1.err" || rc=$?
[ "$rc" -eq 1 ] && grep -q 'not part' "$WORK/bad1.err" || fail "a missing part was not refused"
rm -rf "$WORK/p1"
"$INGEST" "$WORK/clip.mp4" "$WORK/p1" --ladder 144:150,240:300,360:750 --segment 3 --threads 1 \
    --part 1/3 >/dev/null || fail "part 1 (3 s) failed"
rm -rf "$WORK/p0" "$WORK/p2"
for k in 0 2; do
    # shellcheck disable=SC2086
    "$INGEST" "$WORK/clip.mp4" "$WORK/p$k" $L --part "$k/3" >/dev/null || fail "part $k failed"
done
rc=0
"$INGEST" --assemble "$WORK/bad2" "$WORK/p0" "$WORK/p1" "$WORK/p2" 2>"$WORK/bad2.err" || rc=$?
[ "$rc" -eq 1 ] && grep -q 'different segment durations' "$WORK/bad2.err" ||
    { cat "$WORK/bad2.err"; fail "parts with different segment durations were not refused"; }
echo "ok: a missing part and mismatched parts are refused"
rm -rf "$WORK"
echo "media_parts: ok"
