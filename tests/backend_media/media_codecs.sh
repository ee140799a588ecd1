#!/bin/sh
# AV1 and HEVC rungs beside H.264 (`--codecs h264,av1,hevc`), end to end on
# a 4 s 320x180 clip with audio, two rungs, 2 s segments, one encoder
# thread per rung (so a clear and an encrypted build hold the same samples):
#  - every rung of every codec: ffprobe reads it (h264 / hevc with the hvc1
#    tag / av1), its keyframes fall on the same segment starts as the H.264
#    rungs' (one closed GOP per segment), ffmpeg decodes it without error;
#  - codec strings as RFC 6381 and AV1-ISOBMFF spell them; the MPD has one
#    video AdaptationSet per codec, the HLS master a variant per rung per
#    codec with its CODECS;
#  - cenc and cbcs builds: samples really encrypted (every HEVC packet, and
#    the AV1 packets that carry tile data), Shaka Packager decrypts every
#    AV1 and HEVC rung to packets equal to the clear build's, FFmpeg's own
#    cenc decryption decodes each segment to the clear build's frames, and
#    svplay plays each encrypted AV1/HEVC rung with the key to frames
#    bit-exact with ffmpeg's decode of the clear rung;
#  - an ingest split in two parts and assembled equals the whole one;
#  - a codec that is not one is refused, naming it.
set -eu
. "$SV_SOURCE_DIR/tests/backend_media/medialib.sh"
WORK="$SV_BUILD_DIR/tests/backend_media/work-codecs"
rm -rf "$WORK"
mkdir -p "$WORK"
KID=4060a865887842679cbf91ae5bae1e72
KEY=fc35340837310cc0fb53de97e22a69e0
SVPLAY=$(find "$SV_BUILD_DIR" -type f -name svplay -perm -u+x | head -n 1)
[ -x "$SVPLAY" ] || fail "svplay not built under $SV_BUILD_DIR"
packager=$("$SV_SOURCE_DIR/scripts/shaka-packager.sh" | tail -n 1) ||
    fail "Shaka Packager could not be installed"
# SVT-AV1 prints its configuration unless told to keep to errors.
export SVT_LOG=1

ffmpeg -nostdin -v error -y -f lavfi -i testsrc2=size=320x180:rate=30 \
    -f lavfi -i "sine=frequency=440:sample_rate=48000" -t 4 \
    -c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -shortest "$WORK/clip.mp4" ||
    fail "ffmpeg clip"
common="--ladder 120:150,180:300 --segment 2 --threads 1 --codecs h264,av1,hevc"
"$INGEST" "$WORK/clip.mp4" "$WORK/clear" $common > "$WORK/clear.txt" ||
    fail "clear ingest failed"
for s in cenc cbcs; do
    "$INGEST" "$WORK/clip.mp4" "$WORK/$s" $common --drm "$s" --kid $KID --key $KEY \
        > "$WORK/$s.txt" || fail "$s ingest failed"
done

# ---- the renditions and their codec strings -------------------------------
grep -q '^renditions=7$' "$WORK/clear.txt" || fail "not 6 video rungs + audio: $(cat "$WORK/clear.txt")"
codecs_of() { sed -n "s/^rendition=video $1 .* codecs=\([^ ]*\) .*/\1/p" "$WORK/clear.txt"; }
for r in 120p 180p; do
    codecs_of "$r" | grep -Eq '^avc1\.[0-9a-f]{6}$' || fail "$r: codecs $(codecs_of "$r")"
    # hvc1.<profile>.<compat>.<tier><level>[.<constraint bytes>]: Main, level <= 2.1.
    codecs_of "$r-hevc" | grep -Eq '^hvc1\.1\.6\.L(30|60|63)(\.[0-9A-F]{1,2})*$' ||
        fail "$r-hevc: codecs $(codecs_of "$r-hevc")"
    # av01.<profile>.<level><tier>.<bit depth>: Main, 8 bits, defaults omitted.
    codecs_of "$r-av1" | grep -Eq '^av01\.0\.0[0-9]M\.08$' ||
        fail "$r-av1: codecs $(codecs_of "$r-av1")"
done
echo "codec strings: $(grep '^rendition=video' "$WORK/clear.txt" | sed 's/.*codecs=\([^ ]*\).*/\1/' | tr '\n' ' ')"

# ---- every rung: ffprobe, keyframe alignment, decode ------------------------
HAS_AUDIO=1
for r in 120p 180p 120p-hevc 180p-hevc 120p-av1 180p-av1; do
    h=${r%%p*}
    w=$(awk -v h="$h" 'BEGIN { printf "%d", int(h * 16 / 9 / 2 + 0.5) * 2 }')
    check_rung "$WORK/clear/video/$r" 2 2 30 "$w" "$h"
    # Its I-frame ranges decode alone to its key frames, in every codec.
    check_iframes "$WORK/clear" "$r" 2
    cat "$WORK/clear/video/$r/init.mp4" "$WORK/clear/video/$r"/seg-*.m4s > "$WORK/$r.mp4"
    info=$(ffprobe -v error -select_streams v:0 -show_entries stream=codec_name,codec_tag_string \
           -of csv=p=0 "$WORK/$r.mp4")
    case "$r" in
        *-hevc) want="hevc,hvc1" ;;
        *-av1) want="av1,av01" ;;
        *) want="h264,avc1" ;;
    esac
    [ "$info" = "$want" ] || fail "$r: ffprobe reads '$info', expected '$want'"
    ffmpeg -nostdin -v error -i "$WORK/$r.mp4" -f framemd5 "$WORK/$r.md5" 2> "$WORK/dec.err" ||
        fail "$r: ffmpeg cannot decode it"
    [ -s "$WORK/dec.err" ] && fail "$r: decode errors: $(head -n 3 "$WORK/dec.err")"
    [ "$(grep -vc '^#' "$WORK/$r.md5")" -eq 120 ] || fail "$r: not 120 frames"
done
echo "six rungs: read by ffprobe, keyframes on every segment start, 120 frames each"

# ---- manifests ----------------------------------------------------------------
mpd="$WORK/clear/manifest.mpd"
xmllint --noout "$mpd" || fail "manifest.mpd is not well-formed"
x() { xmllint --xpath "$1" "$mpd"; }
# The main sets (no EssentialProperty), and one trick-mode set per codec
# naming its main set's id, with the same codec.
set_='//*[local-name()="AdaptationSet"]'
ess='*[local-name()="EssentialProperty"]'
[ "$(x "count($set_[@contentType=\"video\"][not($ess)])")" -eq 3 ] ||
    fail "MPD: not one video AdaptationSet per codec"
[ "$(x "count($set_[$ess/@schemeIdUri=\"http://dashif.org/guidelines/trickmode\"])")" -eq 3 ] ||
    fail "MPD: not one trick-mode AdaptationSet per codec"
for c in avc1 hvc1 av01; do
    n=$(x "count($set_[*[local-name()=\"Representation\"][starts-with(@codecs,\"$c\")]]/*[local-name()=\"Representation\"][not(starts-with(@codecs,\"$c\"))])")
    [ "$n" -eq 0 ] || fail "MPD: the $c set holds another codec"
    [ "$(x "count($set_[not($ess)]/*[local-name()=\"Representation\"][starts-with(@codecs,\"$c\")])")" -eq 2 ] ||
        fail "MPD: not two $c Representations"
    id=$(x "string($set_[not($ess)][*[local-name()=\"Representation\"][starts-with(@codecs,\"$c\")]]/@id)")
    [ "$(x "count($set_[$ess/@value=\"$id\"]/*[local-name()=\"Representation\"][starts-with(@codecs,\"$c\")])")" -eq 2 ] ||
        fail "MPD: the $c trick-mode set does not name set $id with two $c Representations"
done
m="$WORK/clear/master.m3u8"
[ "$(grep -c '^#EXT-X-STREAM-INF:' "$m")" -eq 6 ] || fail "master: not 6 variants"
[ "$(grep -c '^#EXT-X-I-FRAME-STREAM-INF:' "$m")" -eq 6 ] || fail "master: not 6 I-frame variants"
for r in 120p 180p 120p-hevc 180p-hevc 120p-av1 180p-av1; do
    c=$(codecs_of "$r")
    grep -B1 "^video/$r/index.m3u8$" "$m" | grep -q "CODECS=\"$c,mp4a.40.2\"" ||
        fail "master: video/$r has no CODECS=\"$c,...\""
done
head -n 5 "$m" | grep -q 'CODECS="avc1' || fail "master: H.264 variants do not come first"
echo "MPD: 3 video AdaptationSets (avc1, hvc1, av01) and 3 trick-mode sets; master: 6 variants with their CODECS and 6 I-frame variants"

# ---- encryption -----------------------------------------------------------------
# (-copyinkf: a segment's second fragment starts after its key frame.)
packets() {
    ffmpeg -loglevel error -i "$1" -map 0 -c copy -copyinkf -f framemd5 - 2>/dev/null | grep -v '^#' |
        awk -F, '{gsub(/ /, ""); print $5, $6}'
}
frames() {
    ffmpeg -loglevel error "$@" -f framemd5 - | grep -v '^#' | awk -F, '{gsub(/ /, ""); print $6}'
}
for s in cenc cbcs; do
    for r in 180p-hevc 180p-av1 120p-hevc 120p-av1; do
        d="$WORK/$s/video/$r"
        # Packets of the encrypted track, one init+fragment pair at a time (FFmpeg
        # 5.1 reads the protection of one fragment reliably): each segment is
        # its key frame's fragment, then the rest's.
        : > "$WORK/enc.pk"
        : > "$WORK/clr.pk"
        for n in 1 2; do
            seg_chunks "$d" "$n" "$WORK/e"
            seg_chunks "$WORK/clear/video/$r" "$n" "$WORK/c"
            for c in key rest; do
                packets "$WORK/e.$c.mp4" >> "$WORK/enc.pk"
                packets "$WORK/c.$c.mp4" >> "$WORK/clr.pk"
            done
        done
        total=$(wc -l < "$WORK/clr.pk")
        [ "$(wc -l < "$WORK/enc.pk")" -eq "$total" ] || fail "$s $r: packet count differs"
        same=$(paste -d' ' "$WORK/clr.pk" "$WORK/enc.pk" | awk '$2 == $4' | wc -l)
        case "$r" in
            # Every HEVC picture has slice data to protect.
            *-hevc) [ "$same" -eq 0 ] || fail "$s $r: $same of $total packets left clear" ;;
            # AV1: a temporal unit that only shows an existing frame (a frame
            # header OBU, a few bytes) has no tile data; any other is encrypted.
            *) big=$(paste -d' ' "$WORK/clr.pk" "$WORK/enc.pk" | awk '$2 == $4 && $1 >= 16' | wc -l)
               [ "$big" -eq 0 ] || fail "$s $r: $big packets with tile data left clear" ;;
        esac
        cat "$d/init.mp4" "$d"/seg-*.m4s > "$WORK/enc.mp4"
        rm -f "$WORK/dec.mp4"
        "$packager" "in=$WORK/enc.mp4,stream=video,output=$WORK/dec.mp4" \
            --enable_raw_key_decryption --keys "key_id=$KID:key=$KEY" > "$WORK/pk.log" 2>&1 ||
            { cat "$WORK/pk.log" >&2; fail "Shaka Packager cannot decrypt $s $r"; }
        packets "$WORK/dec.mp4" > "$WORK/dec.pk"
        cmp -s "$WORK/clr.pk" "$WORK/dec.pk" ||
            fail "$s $r: Shaka Packager's decryption differs from the clear build"
        # svplay: the rung's media playlist with the key, every frame's MD5.
        "$SVPLAY" --headless --benchmark --key "$KID:$KEY" --framemd5 "$WORK/play.md5" \
            "$d/index.m3u8" 2> "$WORK/play.err" ||
            { cat "$WORK/play.err" >&2; fail "svplay cannot play $s $r"; }
        grep -v '^#' "$WORK/play.md5" | awk -F, '{gsub(/ /, "", $6); print $6}' > "$WORK/got.md5"
        grep -v '^#' "$WORK/$r.md5" | awk -F, '{gsub(/ /, "", $6); print $6}' > "$WORK/want.md5"
        cmp -s "$WORK/got.md5" "$WORK/want.md5" ||
            fail "$s $r: svplay's frames differ from ffmpeg's decode of the clear rung"
        echo "$s $r: $((total - same))/$total packets encrypted; Shaka decrypts to the clear packets; svplay's $(wc -l < "$WORK/got.md5") frames equal ffmpeg's"
    done
done
# FFmpeg's own cenc decryption (FFmpeg 5.1 has no cbcs), fragment by fragment:
# each key frame's fragment decodes alone to the clear key frame, and the
# rest of each segment decrypts to the clear packets.
for r in 180p-hevc 180p-av1; do
    for n in 1 2; do
        seg_chunks "$WORK/cenc/video/$r" "$n" "$WORK/e"
        seg_chunks "$WORK/clear/video/$r" "$n" "$WORK/c"
        frames -decryption_key $KEY -i "$WORK/e.key.mp4" > "$WORK/got.md5"
        frames -i "$WORK/c.key.mp4" > "$WORK/want.md5"
        [ "$(wc -l < "$WORK/want.md5")" -eq 1 ] && cmp -s "$WORK/got.md5" "$WORK/want.md5" ||
            fail "cenc $r seg-$n: ffmpeg's decryption decodes another key frame"
        ffmpeg -loglevel error -decryption_key $KEY -i "$WORK/e.rest.mp4" -map 0 -c copy \
            -copyinkf -f framemd5 - | grep -v '^#' | awk -F, '{gsub(/ /, ""); print $5, $6}' > "$WORK/got.pk"
        packets "$WORK/c.rest.mp4" > "$WORK/want.pk"
        [ -s "$WORK/want.pk" ] && cmp -s "$WORK/got.pk" "$WORK/want.pk" ||
            fail "cenc $r seg-$n: ffmpeg's decryption gives other packets"
    done
done
echo "cenc: ffmpeg -decryption_key decodes every AV1 and HEVC key frame fragment to the clear key frame and decrypts every other fragment to the clear packets"

# ---- an ingest split in two parts, assembled: the same title --------------------
for k in 0 1; do
    "$INGEST" "$WORK/clip.mp4" "$WORK/part$k" $common --part "$k/2" > "$WORK/part$k.txt" ||
        fail "part $k/2 failed"
done
"$INGEST" --assemble "$WORK/whole" "$WORK/part0" "$WORK/part1" > "$WORK/whole.txt" ||
    fail "assembly failed"
for f in master.m3u8 manifest.mpd video/180p-av1/index.m3u8 video/120p-hevc/seg-2.m4s; do
    cmp -s "$WORK/clear/$f" "$WORK/whole/$f" || fail "parts: $f differs from the whole ingest's"
done
echo "two parts assembled: master, MPD, playlists and segments equal the whole ingest's"

# ---- bad input --------------------------------------------------------------------
rc=0
"$INGEST" "$WORK/clip.mp4" "$WORK/bad" --codecs h264,vp9 2> "$WORK/bad.err" || rc=$?
[ "$rc" -eq 2 ] || fail "--codecs h264,vp9: exit $rc, expected 2"
grep -q "'vp9' is not a codec" "$WORK/bad.err" || fail "--codecs h264,vp9: $(cat "$WORK/bad.err")"
[ -e "$WORK/bad" ] && fail "--codecs h264,vp9 wrote output"
echo "bad codec refused: $(cat "$WORK/bad.err")"
echo "media_codecs: all checks passed"
