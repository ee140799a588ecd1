#!/bin/sh
# Subtitles given with a title (sv-media-ingest --subtitles LANG:FILE): an
# SRT file (CRLF, a tag to keep, a tag to drop, '&', a cue across the 4 s
# segment boundary, a two-line cue) as "en" and a WebVTT file (header, NOTE
# block, cue identifier and settings) as "fr" with a 9 s clip. Checked:
#  - the WebVTT segments (a cue in every segment it overlaps), their
#    playlists, the master's EXT-X-MEDIA TYPE=SUBTITLES and SUBTITLES group,
#    the MPD's text/vtt sets;
#  - the TTML (IMSC1 text profile) in fMP4 'stpp' tracks and their MPD sets:
#    one sample per segment, a document libxml2 parses, the cues clipped;
#  - svplay (--sub-log) shows each cue once at its times with its text, from
#    the HLS master and from the MPD, in both languages;
#  - bad files are refused before any decoding with the file, line and what
#    was wrong: a timing line without milliseconds, an end before its start,
#    bytes that are not UTF-8, a bad language tag, one language twice.
set -eu
. "$SV_SOURCE_DIR/tests/backend_media/medialib.sh"
WORK="$SV_BUILD_DIR/tests/backend_media/work-subs"
rm -rf "$WORK"
mkdir -p "$WORK"
SVPLAY=$(find "$SV_BUILD_DIR" -type f -name svplay -perm -u+x | head -n 1)
[ -x "$SVPLAY" ] || fail "svplay not built under $SV_BUILD_DIR"
make_clip "$WORK/clip.mp4" 9 320x180

printf '1\r\n00:00:00,500 --> 00:00:01,500\r\nHello <i>world</i>\r\n\r\n2\r\n00:00:03,500 --> 00:00:04,500\r\n<font color="#ff0000">Spans</font> & crosses\r\n\r\n3\r\n00:00:06,000 --> 00:00:07,250\r\nLine one\r\nLine two\r\n' \
    > "$WORK/en.srt"
printf 'WEBVTT\nKind: subtitles\n\nNOTE made by the test\n\nc1\n00:01.000 --> 00:02.000 align:start\nBonjour\n\n00:00:05.000 --> 00:00:08.500\nAu revoir\n' \
    > "$WORK/fr.vtt"
"$INGEST" "$WORK/clip.mp4" "$WORK/out" --ladder 180:300 --subtitles en:"$WORK/en.srt" \
    --subtitles fr:"$WORK/fr.vtt" > "$WORK/result.txt" || fail "ingest failed"
grep -q '^subtitles=2$' "$WORK/result.txt" || fail "expected 2 subtitle tracks"
OUT="$WORK/out"
S="$OUT/subs/en"
for n in 1 2 3; do
    head -n 1 "$S/seg-$n.vtt" | grep -q '^WEBVTT$' || fail "seg-$n.vtt: no WEBVTT line"
done
[ -f "$S/seg-4.vtt" ] && fail "a fourth segment for 9 s"
grep -q '^00:00:00.500 --> 00:00:01.500$' "$S/seg-1.vtt" && grep -q '^Hello <i>world</i>$' "$S/seg-1.vtt" ||
    fail "seg-1.vtt: cue 1"
for n in 1 2; do
    grep -q '^00:00:03.500 --> 00:00:04.500$' "$S/seg-$n.vtt" &&
        grep -q '^Spans &amp; crosses$' "$S/seg-$n.vtt" || fail "seg-$n.vtt: the cue across 4 s"
done
grep -q '03.500' "$S/seg-3.vtt" && fail "seg-3.vtt holds the cue of 3.5-4.5 s"
grep -q '^Line one$' "$S/seg-2.vtt" && grep -q '^Line two$' "$S/seg-2.vtt" || fail "seg-2.vtt: cue 3"
grep -q '^00:00:01.000 --> 00:00:02.000 align:start$' "$OUT/subs/fr/seg-1.vtt" ||
    fail "fr seg-1.vtt: the cue settings"
[ "$(grep -c '^#EXTINF:' "$S/index.m3u8")" -eq 3 ] && grep -q '^seg-3.vtt$' "$S/index.m3u8" ||
    fail "en/index.m3u8"
m="$OUT/master.m3u8"
for l in en fr; do
    grep -q "^#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"$l\",LANGUAGE=\"$l\",DEFAULT=NO,AUTOSELECT=YES,URI=\"subs/$l/index.m3u8\"$" "$m" ||
        fail "master: no EXT-X-MEDIA for $l"
done
[ "$(grep '^#EXT-X-STREAM-INF:' "$m" | grep -c 'SUBTITLES="subs"')" -eq 1 ] || fail "master: SUBTITLES group"
mpd="$OUT/manifest.mpd"
xmllint --noout "$mpd" || fail "MPD not well-formed"
for l in en fr; do
    [ "$(xmllint --xpath "string(//*[local-name()=\"AdaptationSet\"][@contentType=\"text\"][@lang=\"$l\"]/@mimeType)" "$mpd")" = text/vtt ] ||
        fail "MPD: no text/vtt set for $l"
done

# TTML (IMSC1 text) in fMP4 for DASH: a stpp set per language, an init with
# the stpp sample entry, one sample per segment holding a well-formed TTML
# document (parsed back by libxml2) with the cues clipped to the segment.
for l in en fr; do
    set_="//*[local-name()=\"AdaptationSet\"][@mimeType=\"application/mp4\"][@lang=\"$l\"]"
    [ "$(xmllint --xpath "string($set_/@codecs)" "$mpd")" = stpp.ttml.im1t ] ||
        fail "MPD: no stpp set for $l"
    [ "$(xmllint --xpath "string($set_//*[local-name()=\"SegmentTemplate\"]/@media)" "$mpd")" = "subs/$l/ttml-\$Number\$.m4s" ] ||
        fail "MPD: the $l stpp template"
done
# ttml N: the TTML document of segment N of the en track (the one mdat).
ttml() {
    cat "$S/ttml-init.mp4" "$S/ttml-$1.m4s" > "$WORK/ttml.mp4"
    [ "$(ffprobe -v error -show_entries stream=codec_tag_string -of csv=p=0 "$WORK/ttml.mp4")" = stpp ] ||
        fail "ttml-$1.m4s: not an stpp track"
    [ "$(ffprobe -v error -show_entries packet=size -of csv=p=0 "$WORK/ttml.mp4" | wc -l)" -eq 1 ] ||
        fail "ttml-$1.m4s: not one sample"
    python3 -c "import sys; d = open(sys.argv[1], 'rb').read(); i = d.index(b'mdat'); sys.stdout.buffer.write(d[i + 4:])" \
        "$S/ttml-$1.m4s" > "$WORK/ttml-$1.xml"
    xmllint --noout "$WORK/ttml-$1.xml" || fail "ttml-$1.m4s: the TTML is not well-formed"
}
tt() { xmllint --xpath "$1" "$WORK/ttml-$2.xml"; }
for n in 1 2 3; do
    ttml "$n"
    [ "$(tt 'string(/*[local-name()="tt"]/@*[local-name()="profile"])' "$n")" = \
        http://www.w3.org/ns/ttml/profile/imsc1/text ] || fail "ttml-$n: not the IMSC1 text profile"
done
p='//*[local-name()="p"]'
[ "$(tt "count($p)" 1)" -eq 2 ] && [ "$(tt "string($p[1])" 1)" = "Hello world" ] &&
    [ "$(tt "string($p[2]/@begin)" 1)" = 00:00:03.500 ] &&
    [ "$(tt "string($p[2]/@end)" 1)" = 00:00:04.000 ] && [ "$(tt "string($p[2])" 1)" = "Spans & crosses" ] ||
    fail "ttml-1: the cues of 0-4 s (the one across 4 s clipped to 4 s)"
[ "$(tt "count($p)" 2)" -eq 2 ] && [ "$(tt "string($p[1]/@begin)" 2)" = 00:00:04.000 ] &&
    [ "$(tt "string($p[1]/@end)" 2)" = 00:00:04.500 ] &&
    [ "$(tt "count($p[2]/*[local-name()=\"br\"])" 2)" -eq 1 ] ||
    fail "ttml-2: the cues of 4-8 s (two lines split by br)"
[ "$(tt "count($p)" 3)" -eq 0 ] || fail "ttml-3: a cue after 8 s"
echo "TTML: an stpp track per language, well-formed IMSC1 documents with the segments' cues"

# svplay: the cues at their times, each once (tags dropped, '&' decoded).
printf '0.500\t1.500\tHello world\n3.500\t4.500\tSpans & crosses\n6.000\t7.250\tLine one\\nLine two\n' \
    > "$WORK/en.want"
# (The cue settings kept from the WebVTT file reach svplay as its style.)
printf '1.000\t2.000\tBonjour\ttext-align=start\n5.000\t8.500\tAu revoir\n' > "$WORK/fr.want"
for manifest in master.m3u8 manifest.mpd; do
    for l in en fr; do
        "$SVPLAY" --headless --benchmark --quiet --sub "$l" --sub-log "$WORK/got.log" \
            --framemd5 "$WORK/play.md5" "$OUT/$manifest" 2> "$WORK/play.err" ||
            { cat "$WORK/play.err" >&2; fail "svplay $manifest --sub $l failed"; }
        cmp -s "$WORK/got.log" "$WORK/$l.want" ||
            { diff "$WORK/$l.want" "$WORK/got.log" >&2; fail "svplay $manifest --sub $l: other cues"; }
    done
done
echo "svplay shows the en and fr cues at their times from the HLS master and the MPD"

# refused NAME FILE_CONTENT PATTERN [LANG]: the ingest fails before making
# the output folder, naming the problem.
refused() {
    printf "$2" > "$WORK/$1"
    rc=0
    "$INGEST" "$WORK/clip.mp4" "$WORK/bad" --ladder 180:300 --subtitles "${4:-en}:$WORK/$1" \
        > /dev/null 2> "$WORK/bad.err" || rc=$?
    [ "$rc" -eq 1 ] || fail "$1: exit $rc, expected a refusal"
    grep -q "$3" "$WORK/bad.err" || fail "$1: the message '$(cat "$WORK/bad.err")' does not say '$3'"
    [ -d "$WORK/bad" ] && fail "$1: an output folder was made"
    echo "refused $1: $(cat "$WORK/bad.err")"
}
refused nomillis.srt '1\n00:00:01 --> 00:00:02\nx\n' "line 2: expected a timing line 'HH:MM:SS,mmm --> HH:MM:SS,mmm' (cue 1), found '00:00:01 --> 00:00:02'"
refused backwards.srt '1\n00:00:01,000 --> 00:00:02,000\na\n\n2\n00:00:05,000 --> 00:00:04,000\nb\n' "line 6: the cue ends (4000 ms) before it starts (5000 ms)"
refused latin1.srt '1\n00:00:01,000 --> 00:00:02,000\ncaf\351\n' "not UTF-8 text (byte 35)"
refused badlang.srt '1\n00:00:01,000 --> 00:00:02,000\nx\n' "subtitle language 'english!' is not a language tag" 'english!'
rc=0
"$INGEST" "$WORK/clip.mp4" "$WORK/bad" --ladder 180:300 --subtitles en:"$WORK/en.srt" \
    --subtitles en:"$WORK/fr.vtt" > /dev/null 2> "$WORK/bad.err" || rc=$?
[ "$rc" -eq 1 ] && grep -q "two files for the language 'en'" "$WORK/bad.err" ||
    fail "one language twice was not refused: $(cat "$WORK/bad.err")"
echo "media_subs: ok"
