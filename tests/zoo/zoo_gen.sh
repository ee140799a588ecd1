#!/bin/sh
# The stream zoo (issue 16): one clip packaged by third-party tools in every
# way the player claims to play, with the reference each playback is checked
# against.
#
#   tests/zoo/zoo_gen.sh OUTDIR
#
# Sources (OUTDIR/src, 8 s at 30 fps, 2 s closed GOPs, B-frames):
#   v0.mp4, v1.mp4    testsrc2 at 320x180 and 480x270 (two renditions)
#   a_en.mp4, a_fr.mp4  AAC stereo 48 kHz, 440 Hz and 660 Hz (two languages)
#   en.vtt, fr.vtt    two cues each (fr.cues: start, end and text of its cues)
#   pa_*, pb_*        the same ladder in two parts of 4 s, A testsrc2 and
#                     B testsrc (other pictures, timestamps from 0 again):
#                     the discontinuity and multi-Period entries
#   live.mp4          90 s, one rendition, audio muxed in: the live entries'
#                     input (tests/zoo/zoo_live.sh plays it out with -re)
# References (OUTDIR/ref/SET/vN.md5, N = 0 for the lowest bandwidth): the hash
# column of ffmpeg's framemd5 of rendition N (SET src: v0/v1.mp4; parts: A
# then B; live: live.mp4). Every package is cross-checked where ffmpeg can
# read it: its decoded frames must equal the reference, so a failure of a
# playback is the player's, not the packaging's.
#
# OUTDIR/www/NAME/... is served over HTTP; OUTDIR/zoo.tsv lists the entries:
#   name  path  ref-set  frames  svplay-args  subtitle-language
# ("-" for no arguments or no subtitle check; arguments are space-separated).
# The generators of the entries are zoo_gen_ffmpeg.sh and zoo_gen_shaka.sh
# (sourced).
#
# Cached: a stamp holds a hash of these scripts and the tools' versions; when
# it matches nothing is redone. Concurrent callers are serialised with flock.
# Shaka Packager comes from $SV_PACKAGER, else scripts/shaka-packager.sh (the
# npm package pinned in tests/interop).
set -eu

[ $# -eq 1 ] || { echo "usage: zoo_gen.sh OUTDIR" >&2; exit 2; }
out=$1
zoo_dir=$(cd "$(dirname "$0")" && pwd)
src_dir=$(cd "$zoo_dir/../.." && pwd)

die() {
    echo "zoo_gen: $*" >&2
    exit 1
}

for tool in ffmpeg ffprobe flock sha256sum awk sort; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is missing: run scripts/install-deps.sh"
done
mkdir -p "$out" || die "cannot create $out"
out=$(cd "$out" && pwd)

. "$zoo_dir/zoo_gen_ffmpeg.sh"
. "$zoo_dir/zoo_gen_shaka.sh"

# ff ARGS... - quiet ffmpeg that fails loudly.
ff() {
    ffmpeg -nostdin -hide_banner -loglevel error -y "$@"
}

FPS=30
SECS=8
FRAMES=$((FPS * SECS))
KF='expr:gte(t,n_forced*2)'
X264="-c:v libx264 -preset veryfast -profile:v high -pix_fmt yuv420p -g 60 -keyint_min 60 -sc_threshold 0 -bf 2"

# encode_video OUT WIDTH HEIGHT KBPS LAVFI_SOURCE
encode_video() {
    # shellcheck disable=SC2086
    ff -f lavfi -i "$5" -vf "scale=$2:$3" $X264 -force_key_frames "$KF" \
        -b:v "${4}k" -maxrate "$(($4 * 6 / 5))k" -bufsize "$(($4 * 2))k" -an "$1"
}

# encode_audio OUT SECONDS FREQUENCY LANGUAGE
encode_audio() {
    ff -f lavfi -i "sine=frequency=$3:sample_rate=48000:duration=$2" -ac 2 -c:a aac -b:a 96k \
        -metadata:s:a:0 "language=$4" "$1"
}

# hashes INPUT OUT_MD5 - the hash column of ffmpeg's framemd5 of INPUT's
# first video stream, every decoded frame once (-fps_mode passthrough).
hashes() {
    ff -i "$1" -map 0:v:0 -fps_mode passthrough -f framemd5 "$2.framemd5" ||
        die "ffmpeg cannot decode $1"
    grep -v '^#' "$2.framemd5" | awk -F, '{ gsub(/ /, "", $6); print $6 }' >"$2"
    rm -f "$2.framemd5"
    [ -s "$2" ] || die "no video frames decoded from $1"
}

# same_as ENTRY INPUT REF_MD5 - the package's rendition INPUT (a media
# playlist, a file, or init + segments concatenated) decodes to REF_MD5.
same_as() {
    hashes "$2" "$out/check.md5"
    cmp -s "$out/check.md5" "$3" ||
        die "$1: $2 decodes to $(wc -l <"$out/check.md5") frames that differ from $3 ($(wc -l <"$3") frames)"
}

# joined OUT INIT SEGMENT... - a rendition's bytes in fetch order.
joined() {
    _o=$1
    shift
    cat "$@" >"$_o"
}

# numbered PATTERN... - files sorted by their number ($Number$ names).
numbered() {
    ls "$@" | sort -V
}

# entry NAME PATH REF ARGS SUBS - one line of zoo.tsv, with the frame count
# of the reference set.
entry() {
    [ -f "$www/$2" ] || die "$1: $2 was not written"
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$(wc -l <"$out/ref/$3/v0.md5")" "$4" "$5" \
        >>"$table"
}

gen_sources() {
    s="$out/src"
    mkdir -p "$s" "$out/ref/src" "$out/ref/parts" "$out/ref/live"
    pat="testsrc2=size=480x270:rate=$FPS:duration=$SECS"
    encode_video "$s/v0.mp4" 320 180 250 "$pat"
    encode_video "$s/v1.mp4" 480 270 500 "$pat"
    encode_audio "$s/a_en.mp4" "$SECS" 440 eng
    encode_audio "$s/a_fr.mp4" "$SECS" 660 fre
    for r in 0 1; do
        hashes "$s/v$r.mp4" "$out/ref/src/v$r.md5"
        [ "$(wc -l <"$out/ref/src/v$r.md5")" = "$FRAMES" ] || die "src v$r: not $FRAMES frames"
    done
    # Parts A and B: 4 s each, B another pattern so that no picture repeats.
    for p in a b; do
        case "$p" in
            a) pat="testsrc2=size=480x270:rate=$FPS:duration=4" ;;
            b) pat="testsrc=size=480x270:rate=$FPS:duration=4" ;;
        esac
        encode_video "$s/p${p}_v0.mp4" 320 180 250 "$pat"
        encode_video "$s/p${p}_v1.mp4" 480 270 500 "$pat"
        encode_audio "$s/p${p}_a.mp4" 4 "$([ "$p" = a ] && echo 440 || echo 880)" eng
    done
    for r in 0 1; do
        hashes "$s/pa_v$r.mp4" "$out/ref/parts/a$r.md5"
        hashes "$s/pb_v$r.mp4" "$out/ref/parts/b$r.md5"
        cat "$out/ref/parts/a$r.md5" "$out/ref/parts/b$r.md5" >"$out/ref/parts/v$r.md5"
        [ "$(sort -u "$out/ref/parts/v$r.md5" | wc -l)" = "$FRAMES" ] ||
            die "parts v$r: pictures repeat or frames are missing"
    done
    # The live input: 90 s, 2 s GOPs, audio muxed in, moov first.
    ff -f lavfi -i "testsrc2=size=320x180:rate=$FPS:duration=90" \
        -f lavfi -i "sine=frequency=440:sample_rate=48000:duration=90" -map 0:v -map 1:a \
        $X264 -force_key_frames "$KF" -b:v 300k -c:a aac -b:a 64k -ac 2 -movflags +faststart \
        "$s/live.mp4"
    hashes "$s/live.mp4" "$out/ref/live/v0.md5"
    [ "$(sort -u "$out/ref/live/v0.md5" | wc -l)" = "$((90 * FPS))" ] ||
        die "live: pictures repeat or frames are missing"

    # Subtitles: two cues per language, the second across a segment boundary.
    for lang in en fr; do
        case "$lang" in
            en) one="English one"; two="English two" ;;
            fr) one="Francais un"; two="Francais deux" ;;
        esac
        printf 'WEBVTT\n\n00:00:01.000 --> 00:00:02.500\n%s\n\n00:00:03.500 --> 00:00:05.000\n%s\n' \
            "$one" "$two" >"$s/$lang.vtt"
        printf '1.0\t2.5\t%s\n3.5\t5.0\t%s\n' "$one" "$two" >"$s/$lang.cues"
    done
}

gen_all() {
    rm -rf "$out/src" "$out/ref" "$out/www" "$out/zoo.tsv"
    www="$out/www"
    mkdir -p "$www"
    table="$out/zoo.tsv.tmp"
    : >"$table"
    gen_sources
    gen_ffmpeg_hls
    gen_ffmpeg_dash
    gen_shaka
    rm -f "$out/check.md5" "$out/joined.tmp.mp4"
    mv "$table" "$out/zoo.tsv"
}

exec 9>"$out/.lock"
flock -w 900 9 || die "timed out waiting for another run on $out"

if [ -n "${SV_PACKAGER:-}" ]; then
    packager=$SV_PACKAGER
else
    packager=$("$src_dir/scripts/shaka-packager.sh" | tail -n 1) ||
        die "no Shaka Packager (scripts/shaka-packager.sh failed)"
fi
[ -x "$packager" ] || die "Shaka Packager $packager is not executable"

want=$( (cat "$zoo_dir/zoo_gen.sh" "$zoo_dir/zoo_gen_ffmpeg.sh" "$zoo_dir/zoo_gen_shaka.sh"
         ffmpeg -version | head -n 1; "$packager" --version 2>&1 | head -n 1) | sha256sum | cut -d' ' -f1)
stamp="$out/.stamp"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -f "$out/zoo.tsv" ]; then
    exit 0
fi
rm -f "$stamp"
echo "zoo_gen: generating the stream zoo in $out" >&2
gen_all
echo "$want" >"$stamp"
echo "zoo_gen: $(wc -l <"$out/zoo.tsv") entries" >&2
