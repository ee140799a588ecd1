#!/bin/sh
# Generates the player's test streams and their reference data.
#
#   scripts/make-test-streams.sh OUTDIR [GROUP...]
#
# GROUP is one or more of:
#   core   (default) 12 s testsrc2 + sine, three video renditions (320x180,
#          480x270, 640x360 at 30 fps; 2 s segments, aligned keyframes) and
#          one AAC track, packaged nine ways, plus broken inputs for the
#          error tests
#   long   60 s, one rendition, DASH (the 60 s A/V sync soak)
#   bench  20 s 1920x1080 (the decode and memory benchmarks)
#
# Layout of OUTDIR (www/ is what a test serves over HTTP):
#   www/hls_ts/master.m3u8        ffmpeg hls muxer, MPEG-TS, audio muxed in
#   www/hls_fmp4/master.m3u8      ffmpeg hls muxer, fMP4, EXT-X-MEDIA audio
#   www/hls_fmp4_muxed/master.m3u8  ffmpeg hls muxer, fMP4, audio muxed into
#                                 each variant (a fragment holds a segment's
#                                 video, then its audio)
#   www/dash_ffmpeg/manifest.mpd  ffmpeg dash muxer, SegmentTemplate+Timeline
#   www/shaka_dash/manifest.mpd   Shaka Packager, static SegmentTemplate
#   www/shaka_base/manifest.mpd   Shaka Packager, on-demand SegmentBase (sidx)
#   www/shaka_hls/master.m3u8     Shaka Packager HLS (fMP4)
#   www/multiperiod/manifest.mpd  two Periods of 6 s, each an ffmpeg dash output
#   www/mp4/clip.mp4              a plain progressive mp4
#   www/errors/*                  garbage and truncated manifests, an mp4
#                                 whose video codec no decoder knows
#   fixtures.tsv                  name, path, kind, renditions, frames, fps,
#                                 duration (one line per fixture, tab-separated)
#   ref/NAME/vN.md5               the hash column of `ffmpeg -i <rendition N's
#                                 own playlist or file> -map 0:v:0 -f framemd5`,
#                                 N = 0 for the lowest bandwidth
#   ref/NAME/vN.framemd5          the same, ffmpeg's full output
#   ref/NAME/audio_samples        sum of nb_samples over the decoded audio frames
#
# Every rendition is encoded once and packaged with stream copy, so the
# decoded pictures of rendition N are the same in every package: the script
# checks that each package's reference equals the source's, which proves the
# packaging did not lose or add a frame.
#
# Cached: each group's stamp holds a hash of this script and the tool
# versions; when it matches, nothing is redone. Concurrent callers are
# serialised with flock(1). Shaka Packager comes from $SV_PACKAGER, else from
# scripts/shaka-packager.sh (npm package pinned in tests/interop).
set -eu

usage() {
    echo "usage: make-test-streams.sh OUTDIR [core|long|bench]..." >&2
    exit 2
}
[ $# -ge 1 ] || usage
case "$1" in -h | --help) usage ;; esac
out=$1
shift
groups=${*:-core}
for g in $groups; do
    case "$g" in core | long | bench) ;; *) usage ;; esac
done

src_dir=$(cd "$(dirname "$0")/.." && pwd)
self="$src_dir/scripts/make-test-streams.sh"

die() {
    echo "make-test-streams: $*" >&2
    exit 1
}

for tool in ffmpeg ffprobe flock sha256sum awk; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is missing: run scripts/install-deps.sh"
done

mkdir -p "$out" || die "cannot create $out"
out=$(cd "$out" && pwd)

packager_path() {
    if [ -n "${SV_PACKAGER:-}" ]; then
        echo "$SV_PACKAGER"
    else
        "$src_dir/scripts/shaka-packager.sh" | tail -n 1
    fi
}

# Quiet ffmpeg that fails loudly.
ff() {
    ffmpeg -nostdin -hide_banner -loglevel error -y "$@"
}

KF='expr:gte(t,n_forced*2)'
# x264 settings shared by every rendition: closed 2 s GOPs on the segment
# grid, no scene-cut keyframes, B-frames (so decode order != presentation
# order, which a player must handle).
X264="-c:v libx264 -preset veryfast -profile:v high -pix_fmt yuv420p -g 60 -keyint_min 60 -sc_threshold 0 -bf 2"

# encode_video OUT WIDTH HEIGHT KBPS LAVFI_SOURCE
encode_video() {
    # shellcheck disable=SC2086
    ff -f lavfi -i "$5" -vf "scale=$2:$3" $X264 -force_key_frames "$KF" \
        -b:v "${4}k" -maxrate "$(($4 * 6 / 5))k" -bufsize "$(($4 * 2))k" -an "$1"
}

# encode_audio OUT SECONDS
encode_audio() {
    ff -f lavfi -i "sine=frequency=440:sample_rate=48000:duration=$2" -ac 2 -c:a aac -b:a 96k "$1"
}

# hashes INPUT OUT_PREFIX - writes OUT_PREFIX.framemd5 and OUT_PREFIX.md5.
# -fps_mode passthrough: every decoded frame once, none duplicated or dropped.
hashes() {
    ff -i "$1" -map 0:v:0 -fps_mode passthrough -f framemd5 "$2.framemd5"
    grep -v '^#' "$2.framemd5" | awk -F, '{ gsub(/ /, "", $6); print $6 }' >"$2.md5"
    [ -s "$2.md5" ] || die "no video frames decoded from $1"
}

# frame_count INPUT - ffprobe's count of decoded video frames.
frame_count() {
    ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames \
        -of csv=p=0 "$1" | head -n 1
}

# audio_samples INPUT - decoded audio samples per channel.
audio_samples() {
    ffprobe -v error -select_streams a:0 -show_entries frame=nb_samples -of csv=p=0 "$1" |
        awk '{ s += $1 } END { print s + 0 }'
}

# concat_segments OUT INIT SEGMENT... - a rendition's bytes as one file, in
# the order a player fetches them.
concat_segments() {
    _o=$1
    shift
    cat "$@" >"$_o"
}

# ref_rendition FIXTURE N INPUT - reference hashes of video rendition N, with
# ffprobe's frame count cross-checked against the hash lines.
ref_rendition() {
    _d="$out/ref/$1"
    mkdir -p "$_d"
    hashes "$3" "$_d/v$2"
    _n=$(wc -l <"$_d/v$2.md5")
    _c=$(frame_count "$3")
    [ "$_n" = "$_c" ] || die "$1 v$2: framemd5 has $_n frames, ffprobe counts $_c"
}

# same_as_source FIXTURE N SOURCE_REF - the package decodes to the source's frames.
same_as_source() {
    cmp -s "$out/ref/$1/v$2.md5" "$3" ||
        die "$1 v$2: decoded frames differ from the source rendition's"
}

# fixture NAME PATH KIND RENDITIONS FPS DURATION - one line of fixtures.tsv
# (the frame count is rendition 0's; the script checks all are equal).
fixture() {
    _f=$(wc -l <"$out/ref/$1/v0.md5")
    _r=0
    while [ "$_r" -lt "$4" ]; do
        [ "$(wc -l <"$out/ref/$1/v$_r.md5")" = "$_f" ] ||
            die "$1: rendition $_r has a different frame count"
        _r=$((_r + 1))
    done
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$_f" "$5" "$6" >>"$fixtures_tmp"
}

sorted_segments() {
    # $Number$ names sort numerically, not lexically (10.m4s after 9.m4s).
    ls "$@" | sort -V
}

gen_core() {
    s="$out/src"
    w="$out/www"
    rm -rf "$s" "$w" "$out/ref" "$out/fixtures.tsv"
    mkdir -p "$s" "$w"
    fixtures_tmp="$out/fixtures.tsv.tmp"
    : >"$fixtures_tmp"
    src="testsrc2=size=640x360:rate=30:duration=12"

    # Sources: three video renditions (lowest bandwidth first) and one audio.
    encode_video "$s/v0.mp4" 320 180 250 "$src"
    encode_video "$s/v1.mp4" 480 270 500 "$src"
    encode_video "$s/v2.mp4" 640 360 900 "$src"
    encode_audio "$s/a.mp4" 12
    for r in 0 1 2; do
        ref_rendition src "$r" "$s/v$r.mp4"
    done
    # The source mp4 carries an edit list; packages are compared among
    # themselves for audio, not with it.

    # 1. ffmpeg hls muxer, MPEG-TS, audio muxed into each variant.
    mkdir -p "$w/hls_ts"
    ff -i "$s/v0.mp4" -i "$s/v1.mp4" -i "$s/v2.mp4" -i "$s/a.mp4" \
        -map 0:v -map 3:a -map 1:v -map 3:a -map 2:v -map 3:a -c copy \
        -f hls -hls_time 2 -hls_playlist_type vod -hls_segment_type mpegts \
        -hls_flags independent_segments -master_pl_name master.m3u8 \
        -hls_segment_filename "$w/hls_ts/v%v_%03d.ts" \
        -var_stream_map "v:0,a:0 v:1,a:1 v:2,a:2" "$w/hls_ts/v%v.m3u8"
    for r in 0 1 2; do
        ref_rendition hls_ts "$r" "$w/hls_ts/v$r.m3u8"
        same_as_source hls_ts "$r" "$out/ref/src/v$r.md5"
    done
    audio_samples "$w/hls_ts/v0.m3u8" >"$out/ref/hls_ts/audio_samples"
    fixture hls_ts hls_ts/master.m3u8 ts 3 30 12

    # 2. ffmpeg hls muxer, fMP4; audio is its own rendition (EXT-X-MEDIA).
    mkdir -p "$w/hls_fmp4"
    ff -i "$s/v0.mp4" -i "$s/v1.mp4" -i "$s/v2.mp4" -i "$s/a.mp4" \
        -map 3:a -map 0:v -map 1:v -map 2:v -c copy \
        -f hls -hls_time 2 -hls_playlist_type vod -hls_segment_type fmp4 \
        -hls_flags independent_segments -master_pl_name master.m3u8 \
        -hls_fmp4_init_filename init.mp4 -hls_segment_filename "$w/hls_fmp4/s%v_%03d.m4s" \
        -var_stream_map "a:0,agroup:aud,default:yes v:0,agroup:aud v:1,agroup:aud v:2,agroup:aud" \
        "$w/hls_fmp4/s%v.m3u8"
    for r in 0 1 2; do
        ref_rendition hls_fmp4 "$r" "$w/hls_fmp4/s$((r + 1)).m3u8"
        same_as_source hls_fmp4 "$r" "$out/ref/src/v$r.md5"
    done
    audio_samples "$w/hls_fmp4/s0.m3u8" >"$out/ref/hls_fmp4/audio_samples"
    fixture hls_fmp4 hls_fmp4/master.m3u8 fmp4 3 30 12

    # 2b. ffmpeg hls muxer, fMP4, audio muxed into each variant: every
    # fragment carries the segment's 60 video samples, then its audio.
    mkdir -p "$w/hls_fmp4_muxed"
    ff -i "$s/v0.mp4" -i "$s/v1.mp4" -i "$s/v2.mp4" -i "$s/a.mp4" \
        -map 0:v -map 3:a -map 1:v -map 3:a -map 2:v -map 3:a -c copy \
        -f hls -hls_time 2 -hls_playlist_type vod -hls_segment_type fmp4 \
        -hls_flags independent_segments -master_pl_name master.m3u8 \
        -hls_fmp4_init_filename "v%v_init.mp4" -hls_segment_filename "$w/hls_fmp4_muxed/v%v_%03d.m4s" \
        -var_stream_map "v:0,a:0 v:1,a:1 v:2,a:2" "$w/hls_fmp4_muxed/v%v.m3u8"
    for r in 0 1 2; do
        ref_rendition hls_fmp4_muxed "$r" "$w/hls_fmp4_muxed/v$r.m3u8"
        same_as_source hls_fmp4_muxed "$r" "$out/ref/src/v$r.md5"
    done
    audio_samples "$w/hls_fmp4_muxed/v0.m3u8" >"$out/ref/hls_fmp4_muxed/audio_samples"
    fixture hls_fmp4_muxed hls_fmp4_muxed/master.m3u8 fmp4 3 30 12

    # 3. ffmpeg dash muxer: SegmentTemplate with SegmentTimeline, audio in its
    # own AdaptationSet. Representation ids 0-2 video, 3 audio.
    mkdir -p "$w/dash_ffmpeg"
    (cd "$w/dash_ffmpeg" && ff -i "$s/v0.mp4" -i "$s/v1.mp4" -i "$s/v2.mp4" -i "$s/a.mp4" \
        -map 0:v -map 1:v -map 2:v -map 3:a -c copy \
        -f dash -seg_duration 2 -use_template 1 -use_timeline 1 \
        -adaptation_sets "id=0,streams=v id=1,streams=a" manifest.mpd)
    tmpf="$out/rendition.tmp.mp4"
    for r in 0 1 2 3; do
        # shellcheck disable=SC2046
        concat_segments "$tmpf" "$w/dash_ffmpeg/init-stream$r.m4s" \
            $(sorted_segments "$w/dash_ffmpeg/chunk-stream$r-"*.m4s)
        if [ "$r" -lt 3 ]; then
            ref_rendition dash_ffmpeg "$r" "$tmpf"
            same_as_source dash_ffmpeg "$r" "$out/ref/src/v$r.md5"
        else
            audio_samples "$tmpf" >"$out/ref/dash_ffmpeg/audio_samples"
        fi
    done
    fixture dash_ffmpeg dash_ffmpeg/manifest.mpd dash 3 30 12

    # 4-6. Shaka Packager.
    mkdir -p "$w/shaka_dash" "$w/shaka_base" "$w/shaka_hls"
    # 4. DASH SegmentTemplate; --generate_static_live_mpd makes it a static
    # (on-demand) MPD with the live profile's segment files.
    (cd "$w/shaka_dash" && "$packager" --quiet \
        "in=$s/v0.mp4,stream=video,init_segment=v0/init.mp4,segment_template=v0/\$Number\$.m4s" \
        "in=$s/v1.mp4,stream=video,init_segment=v1/init.mp4,segment_template=v1/\$Number\$.m4s" \
        "in=$s/v2.mp4,stream=video,init_segment=v2/init.mp4,segment_template=v2/\$Number\$.m4s" \
        "in=$s/a.mp4,stream=audio,init_segment=a/init.mp4,segment_template=a/\$Number\$.m4s" \
        --segment_duration 2 --generate_static_live_mpd --mpd_output manifest.mpd) ||
        die "Shaka Packager (DASH SegmentTemplate) failed"
    for r in v0 v1 v2 a; do
        # shellcheck disable=SC2046
        concat_segments "$tmpf" "$w/shaka_dash/$r/init.mp4" $(sorted_segments "$w/shaka_dash/$r/"*.m4s)
        case "$r" in
            a) audio_samples "$tmpf" >"$out/ref/shaka_dash/audio_samples" ;;
            *)
                ref_rendition shaka_dash "${r#v}" "$tmpf"
                same_as_source shaka_dash "${r#v}" "$out/ref/src/$r.md5"
                ;;
        esac
    done
    grep -q 'type="static"' "$w/shaka_dash/manifest.mpd" || die "shaka_dash: MPD is not static"
    fixture shaka_dash shaka_dash/manifest.mpd dash 3 30 12

    # 5. DASH SegmentBase: one file per representation, indexed by its sidx.
    (cd "$w/shaka_base" && "$packager" --quiet \
        "in=$s/v0.mp4,stream=video,output=v0.mp4" "in=$s/v1.mp4,stream=video,output=v1.mp4" \
        "in=$s/v2.mp4,stream=video,output=v2.mp4" "in=$s/a.mp4,stream=audio,output=a.mp4" \
        --segment_duration 2 --mpd_output manifest.mpd) ||
        die "Shaka Packager (DASH SegmentBase) failed"
    for r in 0 1 2; do
        ref_rendition shaka_base "$r" "$w/shaka_base/v$r.mp4"
        same_as_source shaka_base "$r" "$out/ref/src/v$r.md5"
    done
    audio_samples "$w/shaka_base/a.mp4" >"$out/ref/shaka_base/audio_samples"
    grep -q '<SegmentBase indexRange=' "$w/shaka_base/manifest.mpd" || die "shaka_base: no SegmentBase"
    fixture shaka_base shaka_base/manifest.mpd dash 3 30 12

    # 6. HLS, fMP4 segments, audio as an EXT-X-MEDIA rendition.
    (cd "$w/shaka_hls" && "$packager" --quiet \
        "in=$s/v0.mp4,stream=video,init_segment=v0/init.mp4,segment_template=v0/\$Number\$.m4s,playlist_name=v0.m3u8" \
        "in=$s/v1.mp4,stream=video,init_segment=v1/init.mp4,segment_template=v1/\$Number\$.m4s,playlist_name=v1.m3u8" \
        "in=$s/v2.mp4,stream=video,init_segment=v2/init.mp4,segment_template=v2/\$Number\$.m4s,playlist_name=v2.m3u8" \
        "in=$s/a.mp4,stream=audio,init_segment=a/init.mp4,segment_template=a/\$Number\$.m4s,playlist_name=a.m3u8,hls_group_id=audio,hls_name=main" \
        --segment_duration 2 --hls_master_playlist_output master.m3u8 --hls_playlist_type VOD) ||
        die "Shaka Packager (HLS) failed"
    for r in 0 1 2; do
        ref_rendition shaka_hls "$r" "$w/shaka_hls/v$r.m3u8"
        same_as_source shaka_hls "$r" "$out/ref/src/v$r.md5"
    done
    audio_samples "$w/shaka_hls/a.m3u8" >"$out/ref/shaka_hls/audio_samples"
    fixture shaka_hls shaka_hls/master.m3u8 fmp4 3 30 12

    # 7. Two Periods back to back: seconds 0-6 and 6-12 of the same pattern
    # (distinct pictures), each encoded and packaged on its own by the ffmpeg
    # dash muxer, two renditions each. The MPD is our template around the
    # AdaptationSets ffmpeg wrote, with a BaseURL per Period.
    mp="$w/multiperiod"
    mkdir -p "$mp/p0" "$mp/p1" "$out/ref/multiperiod"
    : >"$out/ref/multiperiod/v0.md5"
    : >"$out/ref/multiperiod/v1.md5"
    : >"$out/ref/multiperiod/v0.framemd5"
    : >"$out/ref/multiperiod/v1.framemd5"
    asum=0
    for p in 0 1; do
        part="testsrc2=size=640x360:rate=30:duration=12,trim=start=$((p * 6)):end=$((p * 6 + 6)),setpts=PTS-STARTPTS"
        encode_video "$s/p${p}v0.mp4" 320 180 250 "$part"
        encode_video "$s/p${p}v1.mp4" 640 360 900 "$part"
        encode_audio "$s/p${p}a.mp4" 6
        (cd "$mp/p$p" && ff -i "$s/p${p}v0.mp4" -i "$s/p${p}v1.mp4" -i "$s/p${p}a.mp4" \
            -map 0:v -map 1:v -map 2:a -c copy -f dash -seg_duration 2 -use_template 1 \
            -use_timeline 1 -adaptation_sets "id=0,streams=v id=1,streams=a" manifest.mpd)
        for r in 0 1 2; do
            # shellcheck disable=SC2046
            concat_segments "$tmpf" "$mp/p$p/init-stream$r.m4s" \
                $(sorted_segments "$mp/p$p/chunk-stream$r-"*.m4s)
            if [ "$r" -lt 2 ]; then
                ref_rendition multiperiod "p${p}v$r" "$tmpf"
                cat "$out/ref/multiperiod/vp${p}v$r.md5" >>"$out/ref/multiperiod/v$r.md5"
                cat "$out/ref/multiperiod/vp${p}v$r.framemd5" >>"$out/ref/multiperiod/v$r.framemd5"
            else
                asum=$((asum + $(audio_samples "$tmpf")))
            fi
        done
    done
    echo "$asum" >"$out/ref/multiperiod/audio_samples"
    {
        echo '<?xml version="1.0" encoding="utf-8"?>'
        echo '<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:isoff-live:2011"'
        echo '     type="static" mediaPresentationDuration="PT12.0S" maxSegmentDuration="PT2.0S" minBufferTime="PT4.0S">'
        for p in 0 1; do
            echo "  <Period id=\"p$p\" start=\"PT$((p * 6)).0S\" duration=\"PT6.0S\">"
            echo "    <BaseURL>p$p/</BaseURL>"
            # ffmpeg writes one element per line; copy its AdaptationSets.
            sed -n '/<AdaptationSet/,/<\/AdaptationSet>/p' "$mp/p$p/manifest.mpd"
            echo '  </Period>'
        done
        echo '</MPD>'
    } >"$mp/manifest.mpd"
    [ "$(grep -c '<AdaptationSet' "$mp/manifest.mpd")" = 4 ] || die "multiperiod: template did not take 4 AdaptationSets"
    # The pictures of Period 2 must differ from Period 1's, or a player that
    # played Period 1 twice would pass.
    [ "$(sort -u "$out/ref/multiperiod/v0.md5" | wc -l)" = 360 ] || die "multiperiod: repeated pictures"
    fixture multiperiod multiperiod/manifest.mpd dash 2 30 12

    # 8. A plain mp4 with both tracks, moov first.
    mkdir -p "$w/mp4"
    ff -i "$s/v2.mp4" -i "$s/a.mp4" -map 0:v -map 1:a -c copy -movflags +faststart "$w/mp4/clip.mp4"
    ref_rendition mp4 0 "$w/mp4/clip.mp4"
    same_as_source mp4 0 "$out/ref/src/v2.md5"
    audio_samples "$w/mp4/clip.mp4" >"$out/ref/mp4/audio_samples"
    fixture mp4 mp4/clip.mp4 mp4 1 30 12

    # Broken inputs. Each must be refused with a clear error.
    e="$w/errors"
    mkdir -p "$e"
    printf 'this is not a playlist\n\001\002\003\377\376garbage\n' >"$e/garbage.m3u8"
    printf 'this is not XML at all \001\002\377\n' >"$e/garbage.mpd"
    # Well-formed XML, but not an MPD.
    printf '<?xml version="1.0"?>\n<html><body>404 page from a CDN</body></html>\n' >"$e/notmpd.mpd"
    # A master playlist cut inside its first EXT-X-STREAM-INF: no variant URI.
    awk '/^#EXT-X-STREAM-INF/ { print substr($0, 1, 30); exit } { print }' \
        "$w/hls_ts/master.m3u8" | head -c -1 >"$e/truncated.m3u8"
    grep -q 'STREAM-INF' "$e/truncated.m3u8" || die "errors: truncated.m3u8 lost its STREAM-INF"
    # An MPD cut in half: unclosed elements, not well-formed XML.
    _len=$(wc -c <"$w/dash_ffmpeg/manifest.mpd")
    head -c "$((_len / 2))" "$w/dash_ffmpeg/manifest.mpd" >"$e/truncated.mpd"
    # An mp4 whose video sample entry says 'zzzz': no decoder exists for it.
    cp "$s/v0.mp4" "$e/badcodec.mp4"
    _stsd=$(grep -obUa 'stsd' "$e/badcodec.mp4" | head -n 1 | cut -d: -f1)
    _avc1=$(grep -obUa 'avc1' "$e/badcodec.mp4" | awk -F: -v s="$_stsd" '$1 > s { print $1; exit }')
    [ -n "$_avc1" ] || die "errors: no avc1 sample entry in $s/v0.mp4"
    printf 'zzzz' | dd of="$e/badcodec.mp4" bs=1 seek="$_avc1" conv=notrunc status=none
    [ "$(ffprobe -v error -select_streams v:0 -show_entries stream=codec_name -of csv=p=0 \
        "$e/badcodec.mp4")" = unknown ] || die "errors: badcodec.mp4 still has a known codec"

    rm -f "$tmpf"
    mv "$fixtures_tmp" "$out/fixtures.tsv"
}

gen_long() {
    d="$out/www/long"
    rm -rf "$d" "$out/ref/long" "$out/src-long"
    mkdir -p "$d" "$out/src-long" "$out/ref/long"
    encode_video "$out/src-long/v0.mp4" 320 180 250 "testsrc2=size=320x180:rate=30:duration=60"
    encode_audio "$out/src-long/a.mp4" 60
    (cd "$d" && ff -i "$out/src-long/v0.mp4" -i "$out/src-long/a.mp4" -map 0:v -map 1:a -c copy \
        -f dash -seg_duration 2 -use_template 1 -use_timeline 1 \
        -adaptation_sets "id=0,streams=v id=1,streams=a" manifest.mpd)
    hashes "$out/src-long/v0.mp4" "$out/ref/long/v0"
    [ "$(wc -l <"$out/ref/long/v0.md5")" = 1800 ] || die "long: expected 1800 frames"
}

gen_bench() {
    d="$out/www/bench1080"
    rm -rf "$d" "$out/bench"
    mkdir -p "$d" "$out/bench"
    # One 1080p rendition with audio: as a file (decode benchmark) and as
    # HLS fMP4 (the same bytes streamed).
    encode_video "$out/bench/v1080.mp4" 1920 1080 5000 "testsrc2=size=1920x1080:rate=30:duration=20"
    encode_audio "$out/bench/a.mp4" 20
    ff -i "$out/bench/v1080.mp4" -i "$out/bench/a.mp4" -map 0:v -map 1:a -c copy \
        -movflags +faststart "$d/clip.mp4"
    ff -i "$out/bench/v1080.mp4" -i "$out/bench/a.mp4" -map 1:a -map 0:v -c copy \
        -f hls -hls_time 2 -hls_playlist_type vod -hls_segment_type fmp4 \
        -master_pl_name master.m3u8 -hls_fmp4_init_filename init.mp4 \
        -hls_segment_filename "$d/s%v_%03d.m4s" \
        -var_stream_map "a:0,agroup:aud,default:yes v:0,agroup:aud" "$d/s%v.m3u8"
    [ "$(frame_count "$d/clip.mp4")" = 600 ] || die "bench: expected 600 frames"
}

# Everything the output depends on: this script and the tools' versions.
tools_id=$(ffmpeg -version | head -n 1)
want_base=$( (cat "$self"; echo "$tools_id") | sha256sum | cut -d' ' -f1)

exec 9>"$out/.lock"
flock -w 900 9 || die "timed out waiting for another run on $out"

for g in $groups; do
    stamp="$out/.stamp-$g"
    want="$want_base"
    if [ "$g" = core ]; then
        # A packager upgrade changes the Shaka fixtures.
        packager=$(packager_path) || die "no Shaka Packager (scripts/shaka-packager.sh failed)"
        [ -x "$packager" ] || die "Shaka Packager $packager is not executable"
        want="$want $("$packager" --version 2>&1 | head -n 1)"
    fi
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        continue
    fi
    rm -f "$stamp"
    echo "make-test-streams: generating '$g' in $out" >&2
    "gen_$g"
    echo "$want" >"$stamp"
done
