#!/bin/sh
# Transcode benchmark: the media pipeline (sv__media_ingest through the
# sv-media-ingest driver) against ONE equivalent ffmpeg command on the same
# machine in the same run. Both decode the 60 s 1080p30 source once, scale
# to the default ladder (240p 300k, 360p 750k, 480p 1200k, 720p 2800k,
# 1080p 5000k; bicubic), encode libx264 veryfast with the same rate control
# (b = maxrate, bufsize = 2 x b), closed 4 s GOPs with IDRs forced on the
# segment boundaries and no scene-cut keyframes, x264 threads auto, and AAC
# 128k 48 kHz stereo. ffmpeg writes fragmented MP4 files; the pipeline
# writes the CMAF segments, HLS, DASH and thumbnails on top. The pipeline
# fsyncs every file it writes (a title must survive a crash), so the timed
# ffmpeg command ends with `sync` on its output files: both clocks stop
# when the output is on disk. After the runs, the x264 option strings that
# both sides wrote into their 1080p streams are compared (threads,
# lookahead threads, rate control...): the bench fails if they differ.
#
#   SV_BUILD_DIR=build sh bench/transcode.sh        (RUNS=3 for a median)
#   DURATION=10 ... for a quick look (the figure to quote is the 60 s one)
#
# Prints both wall times and ratio = pipeline / ffmpeg (target <= 1.10).
# The pipeline also runs a third time per run with --no-extras (no key
# frame fragments for the I-frame playlists and trick-mode sets, no
# thumbnail tiles, no poster): the extras' cost is the CPU ratio
# pipeline / plain pipeline on the same clip in the same run (target
# <= 1.10).
# The runs alternate (pipeline, ffmpeg, pipeline, ...) so a busy machine
# hurts both sides alike; the median of each side is compared (the lower middle
# value for an even RUNS). The CPU time
# (user + sys) of each side is printed too: on a machine shared with other
# jobs the wall times move with the load, the CPU times much less.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${SV_BUILD_DIR:-$here/build}
RUNS=${RUNS:-1}
DURATION=${DURATION:-60}
for t in ffmpeg awk sync /usr/bin/time; do
    command -v "$t" >/dev/null 2>&1 || { echo "$t missing: run scripts/install-deps.sh" >&2; exit 1; }
done
INGEST=$(find "$BUILD" -type f -name sv-media-ingest -perm -u+x | head -n 1)
[ -x "$INGEST" ] || { echo "sv-media-ingest not built under $BUILD" >&2; exit 1; }
WORK="$BUILD/bench-transcode"
mkdir -p "$WORK"
SRC="$WORK/src-1080p30-${DURATION}s.mp4"
if [ ! -s "$SRC" ]; then
    echo "making the source clip..."
    ffmpeg -nostdin -v error -y -f lavfi -i testsrc2=size=1920x1080:rate=30 \
        -f lavfi -i sine=frequency=440:sample_rate=44100 -t "$DURATION" \
        -c:v libx264 -preset ultrafast -crf 18 -pix_fmt yuv420p -c:a aac -b:a 128k "$SRC"
fi

# timed FILE CMD...: runs CMD, appends "wall cpu" seconds to FILE.
timed() {
    out=$1
    shift
    /usr/bin/time -f '%e %U %S' -o "$WORK/time.txt" "$@"
    awk '{ printf "%.2f %.2f\n", $1, $2 + $3 }' "$WORK/time.txt" >> "$out"
}

run_pipeline() {
    rm -rf "$WORK/out-sv"
    timed "$WORK/sv.times" "$INGEST" "$SRC" "$WORK/out-sv" > "$WORK/sv-result.txt"
}

run_plain() {
    rm -rf "$WORK/out-plain"
    timed "$WORK/plain.times" "$INGEST" "$SRC" "$WORK/out-plain" --no-extras > "$WORK/plain-result.txt"
}

run_ffmpeg() {
    rm -rf "$WORK/out-ff"
    mkdir -p "$WORK/out-ff"
    fc="[0:v]split=5[s0][s1][s2][s3][s4]"
    set --
    i=0
    for spec in 426:240:300 640:360:750 854:480:1200 1280:720:2800 1920:1080:5000; do
        w=${spec%%:*} rest=${spec#*:}
        h=${rest%%:*} b=${rest#*:}
        fc="$fc;[s$i]scale=$w:$h[v$i]"
        set -- "$@" -map "[v$i]" -c:v libx264 -preset veryfast -b:v "${b}k" -maxrate "${b}k" \
            -bufsize "$((2 * b))k" -g 120 -keyint_min 120 -sc_threshold 0 -flags +cgop \
            -forced-idr 1 -force_key_frames 'expr:gte(t,n_forced*4)' \
            -movflags +frag_keyframe+empty_moov+default_base_moof "$WORK/out-ff/${h}p.mp4"
        i=$((i + 1))
    done
    # sh -c: ffmpeg, then fsync of its six files, under one clock.
    timed "$WORK/ff.times" sh -c 'dir=$1; shift; "$@" && sync "$dir"/*.mp4' sh "$WORK/out-ff" \
        ffmpeg -nostdin -v error -y -i "$SRC" -filter_complex "$fc" "$@" \
        -map 0:a -c:a aac -b:a 128k -ar 48000 -ac 2 "$WORK/out-ff/audio.mp4"
}

# x264_options FILE: the option string libx264 writes into its SEI.
x264_options() { tr -c '[:print:]' '\n' < "$1" | grep -m 1 '^x264 - core' | sed 's/.* options: //'; }

# median COLUMN < FILE
median() { awk -v c="$1" '{ print $c }' | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

: > "$WORK/sv.times"
: > "$WORK/ff.times"
: > "$WORK/plain.times"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(getconf _NPROCESSORS_ONLN) cpus"
r=1
while [ "$r" -le "$RUNS" ]; do
    run_pipeline
    run_plain
    run_ffmpeg
    echo "run $r: pipeline $(tail -n 1 "$WORK/sv.times" | awk '{ print $1 " s wall, " $2 " s cpu" }')," \
         "without extras $(tail -n 1 "$WORK/plain.times" | awk '{ print $1 " s wall, " $2 " s cpu" }')," \
         "ffmpeg $(tail -n 1 "$WORK/ff.times" | awk '{ print $1 " s wall, " $2 " s cpu" }')"
    r=$((r + 1))
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
svopt=$(x264_options "$WORK/out-sv/video/1080p/seg-1.m4s")
ffopt=$(x264_options "$WORK/out-ff/1080p.mp4")
if [ -z "$svopt" ] || [ "$svopt" != "$ffopt" ]; then
    echo "x264 settings differ (the comparison is not fair):" >&2
    echo "  pipeline: $svopt" >&2
    echo "  ffmpeg:   $ffopt" >&2
    exit 1
fi
echo "x264 settings identical in both 1080p streams: $(echo "$svopt" | tr ' ' '\n' |
    grep -E '^(threads|lookahead_threads|sliced_threads|bframes|keyint|scenecut|rc_lookahead|vbv_maxrate|vbv_bufsize)=' | tr '\n' ' ')"
sv=$(median 1 < "$WORK/sv.times")
ff=$(median 1 < "$WORK/ff.times")
svcpu=$(median 2 < "$WORK/sv.times")
ffcpu=$(median 2 < "$WORK/ff.times")
plaincpu=$(median 2 < "$WORK/plain.times")
plain=$(median 1 < "$WORK/plain.times")
svsize=$(du -sk "$WORK/out-sv" | awk '{ print $1 }')
ffsize=$(du -sk "$WORK/out-ff" | awk '{ print $1 }')
echo "pipeline (sv__media_ingest, 5 rungs + audio + HLS/DASH/thumbs): ${sv} s wall, ${svcpu} s cpu, ${svsize} KiB"
echo "ffmpeg CLI (one decode, split=5, 5 x libx264 + aac):          ${ff} s wall, ${ffcpu} s cpu, ${ffsize} KiB"
echo "pipeline without extras (--no-extras):                        ${plain} s wall, ${plaincpu} s cpu"
awk -v a="$svcpu" -v b="$ffcpu" 'BEGIN { printf "cpu ratio pipeline/ffmpeg = %.3f\n", a / b }'
# The extras: key frame fragments (I-frame playlists, trick-mode sets),
# thumbnail tiles and the poster.
extras_ok=0
awk -v a="$svcpu" -v b="$plaincpu" 'BEGIN { r = a / b; printf "extras cpu ratio pipeline/without extras = %.3f (target <= 1.10): %s\n", r, r <= 1.10 ? "PASS" : "FAIL"; exit r > 1.10 }' ||
    extras_ok=1
awk -v a="$sv" -v b="$ff" 'BEGIN { r = a / b; printf "wall ratio pipeline/ffmpeg = %.3f (target <= 1.10): %s\n", r, r <= 1.10 ? "PASS" : "FAIL"; exit r > 1.10 }'
exit "$extras_ok"
