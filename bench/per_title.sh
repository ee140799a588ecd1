#!/bin/sh
# Per-title ladders against the fixed ladder, in one run, on an easy clip
# (flat animation: test card with a moving pattern) and a hard one (fine
# grain and fast motion), both 1080p30 made with ffmpeg -f lavfi.
#
# For each clip: the fixed default ladder (240p 300k ... 1080p 5000k) and the
# per-title ladder from the same template are ingested through the
# sv-media-ingest driver (the pipeline svserver runs), with the CPU time of
# each. Every rung is then measured the same way as the probe measures: its
# segments decoded by ffmpeg, scaled to 1080p (bicubic), PSNR and SSIM
# against the source (libavfilter psnr, ssim), frames paired by their index
# (the two files' time bases differ: pairing by rounded timestamps would pair
# the wrong frames now and then). A per-title rung stands for
# the template rung it was chosen for (the "from" of its choice); a template
# rung left out stands with the next per-title rung above it.
#
#   SV_BUILD_DIR=build sh bench/per_title.sh      DURATION=20 for a quick look
#
# Prints a table per clip: template rung, fixed kbps/bytes/PSNR/SSIM, the
# per-title rung standing for it with the same, and the PSNR difference;
# then the totals: bytes ratio (per-title / fixed), mean PSNR gain, and the
# probe's CPU time against the fixed ladder's encode.
# Goals (issue): easy clip >= 30 % fewer bytes with every rung within 0.3 dB;
# hard clip >= 1 dB better at the same total bytes; probe CPU < 25 % of
# the encode's.
#
# Costs (issue 20 item 6), per rung and codec of the fixed ladder: the CPU
# time (user + sys) of svserver's encode, measured by ingesting the source
# with a one-rung fixed ladder and one codec (sv-media-ingest --ladder H:KBPS
# --codecs C), against ONE plain ffmpeg command with the same encoder
# settings: same source (decoded by both), same bicubic scale to the same
# size, same encoder, preset, rate (the codec's share of the rung's rate:
# HEVC 70 %, AV1 60 %), rate control (x264: b = maxrate, bufsize = 2 x b;
# x265: VBV in x265-params; SVT-AV1: VBR at b), closed GOP of one segment
# (4 s), keyframes forced on the segment starts, no scene-cut keyframes,
# encoder threads auto on both sides. The ffmpeg side writes one fragmented
# MP4; the svserver side writes CMAF segments, playlists and thumbnails.
# Prints svserver CPU s, ffmpeg CPU s and the ratio (goal <= 1.10) per rung
# and codec, and the bytes per hour of content of each codec's ladder and of
# the whole set (video; the audio rendition adds 128 kbps = 57.6 MB/h).
# The cost clips are the first COST_SECONDS (default 10) of the easy and
# the hard content.
#
#   MODE=cost sh bench/per_title.sh     the costs only
#   MODE=ladder ...                     the per-title comparison only
#   CODECS=h264,av1 ...                 the codecs of the cost table
#   COST_CLIPS=hard ...                 the clips of the cost table
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${SV_BUILD_DIR:-$here/build}
DURATION=${DURATION:-60}
MODE=${MODE:-all}
COST_SECONDS=${COST_SECONDS:-10}
CODECS=${CODECS:-h264,hevc,av1}
COST_CLIPS=${COST_CLIPS:-easy hard}
case "$MODE" in all|cost|ladder) ;; *) echo "MODE must be all, cost or ladder" >&2; exit 2 ;; esac
for t in ffmpeg awk /usr/bin/time; do
    command -v "$t" >/dev/null 2>&1 || { echo "$t missing: run scripts/install-deps.sh" >&2; exit 1; }
done
INGEST=$(find "$BUILD" -type f -name sv-media-ingest -perm -u+x | head -n 1)
[ -x "$INGEST" ] || { echo "sv-media-ingest not built under $BUILD" >&2; exit 1; }
WORK="$BUILD/bench-per-title"
mkdir -p "$WORK"
FIXED=240:300,360:750,480:1200,720:2800,1080:5000

make_clip() { # name filter [seconds]
    secs=${3:-$DURATION}
    out="$WORK/$1-${secs}s.mkv"
    if [ ! -s "$out" ]; then
        echo "making the $1 clip ($secs s)..." >&2
        # Near-lossless intermediate (x264 crf 4): the source both ladders
        # are encoded from and measured against.
        ffmpeg -v error -y -f lavfi -i "$2" -t "$secs" -pix_fmt yuv420p \
            -c:v libx264 -preset ultrafast -crf 4 "$out"
    fi
    echo "$out"
}

cpu_of() { # time-file -> user+sys seconds
    awk '/^cpu=/ { split(substr($1, 5), a, "+"); print a[1] + a[2] }' "$1"
}

# One rung folder -> "bytes psnr ssim" (segments only, init excluded).
measure() { # src rung-dir
    bytes=$(cat "$2"/seg-*.m4s | wc -c)
    # Segments in number order: sort the names alone (the folder's path
    # may hold '-' too, which shifted the sort key and put seg-10 before seg-2).
    (cd "$2" && ls seg-*.m4s | sort -t- -k2 -n | xargs cat init.mp4) > "$WORK/rung.mp4"
    ffmpeg -nostdin -nostats -v info -i "$WORK/rung.mp4" -i "$1" -lavfi \
        "[0:v]settb=1/30,setpts=N,scale=1920:1080:flags=bicubic,split[d1][d2];[1:v]settb=1/30,setpts=N,split[r1][r2];[d1][r1]psnr;[d2][r2]ssim" \
        -f null - 2>&1 | awk -v b="$bytes" '
            /Parsed_psnr/ { for (i = 1; i <= NF; i++) if ($i ~ /^average:/) p = substr($i, 9) }
            /Parsed_ssim/ { for (i = 1; i <= NF; i++) if ($i ~ /^All:/) s = substr($i, 5) }
            END { print b, p, s }'
}

run_clip() { # name src
    name=$1 src=$2 out="$WORK/$1"
    rm -rf "$out" && mkdir -p "$out"
    echo "== $name: fixed ladder" >&2
    /usr/bin/time -f "cpu=%U+%S wall=%e" -o "$out/fixed.time" \
        "$INGEST" "$src" "$out/fixed" --ladder "$FIXED" > "$out/fixed.txt"
    echo "== $name: per-title ladder" >&2
    /usr/bin/time -f "cpu=%U+%S wall=%e" -o "$out/auto.time" \
        "$INGEST" "$src" "$out/auto" --ladder "auto:$FIXED" > "$out/auto.txt"
    echo "== $name: the probe alone" >&2
    /usr/bin/time -f "cpu=%U+%S wall=%e" -o "$out/probe.time" \
        "$INGEST" "$src" "$out/probe" --ladder "auto:$FIXED" --probe-only > "$out/probe.txt"
    : > "$out/rungs.txt"
    i=0
    for r in $(echo "$FIXED" | tr ',' ' '); do
        h=${r%%:*}
        [ -d "$out/fixed/video/${h}p" ] || { i=$((i + 1)); continue; }
        echo "fixed $i ${h}p ${r#*:} $(measure "$src" "$out/fixed/video/${h}p")" >> "$out/rungs.txt"
        i=$((i + 1))
    done
    awk '/^chosen=/ { sub("chosen=", ""); h = $1; sub("kbps=", "", $2); sub("from=", "", $3);
                      print h, $2, $3 }' "$out/auto.txt" |
    while read -r h kbps from; do
        # A height chosen twice has folders named <h>-<kbps>k.
        [ -d "$out/auto/video/$h" ] && d="$out/auto/video/$h" || d="$out/auto/video/$h-${kbps}k"
        echo "auto $from $h $kbps $(measure "$src" "$d")" >> "$out/rungs.txt"
    done
    fixed_cpu=$(cpu_of "$out/fixed.time")
    auto_cpu=$(cpu_of "$out/auto.time")
    probe_cpu=$(cpu_of "$out/probe.time")
    awk -v name="$name" -v fc="$fixed_cpu" -v ac="$auto_cpu" -v pc="$probe_cpu" '
        $1 == "fixed" { n++; fi[n] = $2; fh[$2] = $3; fk[$2] = $4; fb[$2] = $5; fp[$2] = $6; fs[$2] = $7 }
        $1 == "auto"  { m++; af[m] = $2; ah[m] = $3; ak[m] = $4; ab[m] = $5; ap[m] = $6; as[m] = $7 }
        END {
            printf "\n%s clip\n", name
            printf "%-5s %-22s %-32s %8s\n", "rung", "fixed (kbps bytes)", "per-title (rung kbps bytes)", "dPSNR"
            worst = 1e9; gain = 0; fbytes = 0; abytes = 0
            for (j = 1; j <= m; j++) abytes += ab[j]
            for (i = 1; i <= n; i++) {
                t = fi[i]; fbytes += fb[t]
                # The per-title rung standing for template rung t: chosen
                # from t, or else the cheapest one chosen from above t.
                best = 0
                for (j = 1; j <= m; j++)
                    if (af[j] >= t && (!best || af[j] < af[best])) best = j
                if (!best) continue
                d = ap[best] - fp[t]; gain += d; if (d < worst) worst = d
                printf "%-5s %5d %10d %6.2fdB %.4f | %-8s %5d %10d %6.2fdB %.4f | %+6.2f\n",
                       fh[t], fk[t], fb[t], fp[t], fs[t], ah[best], ak[best], ab[best], ap[best], as[best], d
            }
            printf "bytes: fixed %d, per-title %d, ratio %.3f (%.1f %% fewer)\n",
                   fbytes, abytes, abytes / fbytes, 100 * (1 - abytes / fbytes)
            printf "PSNR per template rung: mean gain %+.2f dB, worst %+.2f dB\n", gain / n, worst
            printf "CPU: fixed encode %.1f s, per-title encode %.1f s (probe included), probe alone %.1f s = %.1f %% of the fixed encode\n",
                   fc, ac, pc, 100 * pc / fc
        }' "$out/rungs.txt"
}

# ---- costs: svserver's encode against one ffmpeg command, per rung and codec ----
PRESET=veryfast   # the ladder's default x264 preset (ladder_auto.c)
SEGMENT=4         # the ladder's default segment length, s

# codec -> "encoder rate-percent" (codecs.c)
codec_info() {
    case "$1" in
        h264) echo "libx264 100" ;;
        hevc) echo "libx265 70" ;;
        av1) echo "libsvtav1 60" ;;
        *) echo "unknown codec $1 (h264, hevc, av1)" >&2; exit 2 ;;
    esac
}

# SVT-AV1's preset for an x264 preset name (svt_preset() in codecs.c).
svt_preset() {
    case "$1" in
        ultrafast) echo 12 ;; superfast) echo 11 ;; veryfast) echo 10 ;; faster) echo 9 ;;
        fast|medium) echo 8 ;; slow) echo 7 ;; slower) echo 6 ;; veryslow) echo 5 ;;
        placebo) echo 4 ;; *) echo 10 ;;
    esac
}

# The ffmpeg options of one rung: codec, kbps (the codec's), GOP frames.
ffmpeg_encoder() {
    gop=$3
    kfs="expr:gte(t,n_forced*$SEGMENT)"
    case "$1" in
        h264) echo "-c:v libx264 -preset $PRESET -b:v ${2}k -maxrate ${2}k -bufsize $((2 * $2))k" \
                   "-g $gop -keyint_min $gop -sc_threshold 0 -flags +cgop -forced-idr 1" \
                   "-force_key_frames $kfs" ;;
        hevc) echo "-c:v libx265 -preset $PRESET -b:v ${2}k -g $gop -keyint_min $gop -flags +cgop" \
                   "-tag:v hvc1 -forced-idr 1 -force_key_frames $kfs -x265-params" \
                   "keyint=$gop:min-keyint=$gop:scenecut=0:open-gop=0:repeat-headers=0:vbv-maxrate=$2:vbv-bufsize=$((2 * $2)):log-level=error" ;;
        av1) echo "-c:v libsvtav1 -preset $(svt_preset $PRESET) -b:v ${2}k -g $gop -keyint_min $gop" \
                  "-flags +cgop -force_key_frames $kfs -svtav1-params irefresh-type=2:scd=0" ;;
    esac
}

cost_clip() { # name src
    name=$1 src=$2 out="$WORK/cost-$1"
    rm -rf "$out" && mkdir -p "$out"
    fps=$(ffprobe -v error -select_streams v:0 -show_entries stream=r_frame_rate -of csv=p=0 "$src")
    srch=$(ffprobe -v error -select_streams v:0 -show_entries stream=height -of csv=p=0 "$src")
    srcw=$(ffprobe -v error -select_streams v:0 -show_entries stream=width -of csv=p=0 "$src")
    gop=$(awk -v f="$fps" -v s="$SEGMENT" 'BEGIN { split(f, a, "/"); g = s * a[1] / (a[2] ? a[2] : 1);
                                                  i = int(g); if (g - i > 1e-6) i++; print i }')
    : > "$out/costs.txt"
    for c in $(echo "$CODECS" | tr ',' ' '); do
        pct=$(codec_info "$c" | cut -d' ' -f2)
        for r in $(echo "$FIXED" | tr ',' ' '); do
            h=${r%%:*} k=${r#*:}
            kc=$((k * pct / 100)); [ "$kc" -gt 16 ] || kc=16
            w=$(awk -v W="$srcw" -v H="$srch" -v h="$h" 'BEGIN { x = W * h / H / 2; print 2 * int(x + 0.5) }')
            echo "== cost $name: $c ${h}p ${kc} kbps (${w}x$h)" >&2
            d="$out/sv-$c-$h"
            /usr/bin/time -f "cpu=%U+%S wall=%e" -o "$d.time" \
                "$INGEST" "$src" "$d" --ladder "$h:$k" --codecs "$c" > "$d.txt"
            rung=$(ls "$d/video")
            svbytes=$(cat "$d/video/$rung"/init.mp4 "$d/video/$rung"/seg-*.m4s | wc -c)
            f="$out/ff-$c-$h.mp4"
            set -f   # the options hold '*' (force_key_frames): no globbing
            # shellcheck disable=SC2046
            /usr/bin/time -f "cpu=%U+%S wall=%e" -o "$f.time" \
                ffmpeg -nostdin -v error -y -i "$src" -an -vf "scale=$w:$h:flags=bicubic" \
                $(ffmpeg_encoder "$c" "$kc" "$gop") \
                -movflags +frag_keyframe+empty_moov+default_base_moof "$f"
            set +f
            ffbytes=$(wc -c < "$f")
            echo "$c $h $kc $(cpu_of "$d.time") $(cpu_of "$f.time") $svbytes $ffbytes" >> "$out/costs.txt"
        done
    done
    awk -v name="$name" -v secs="$COST_SECONDS" '
        { n++; c[n] = $1; h[n] = $2; k[n] = $3; sv[n] = $4; ff[n] = $5; sb[n] = $6; fb[n] = $7
          tsv[$1] += $4; tff[$1] += $5; tb[$1] += $6; all += $6
          if (!($1 in seen)) { seen[$1] = 1; order[++m] = $1 } }
        END {
            printf "\nencode cost, %s clip (%d s, 1080p30 source): svserver vs one ffmpeg command, CPU s (user+sys)\n", name, secs
            printf "%-6s %-6s %6s %9s %9s %7s %12s %12s\n", "codec", "rung", "kbps", "svserver", "ffmpeg", "ratio", "sv bytes", "ff bytes"
            for (i = 1; i <= n; i++)
                printf "%-6s %-6s %6d %9.2f %9.2f %6.3fx %12d %12d\n", c[i], h[i] "p", k[i], sv[i], ff[i],
                       (ff[i] > 0 ? sv[i] / ff[i] : 0), sb[i], fb[i]
            for (j = 1; j <= m; j++) {
                x = order[j]
                printf "%-6s ladder: svserver %.2f s, ffmpeg %.2f s, ratio %.3fx; %.2f GB per hour of content\n",
                       x, tsv[x], tff[x], (tff[x] > 0 ? tsv[x] / tff[x] : 0), tb[x] * 3600 / secs / 1e9
            }
            printf "all codecs: %.2f GB per hour of content (video)\n", all * 3600 / secs / 1e9
        }' "$out/costs.txt"
}

EASY_FILTER="testsrc=s=1920x1080:r=30"
HARD_FILTER="testsrc2=s=1920x1080:r=30,noise=alls=6:allf=t,hue=H=t*2"
if [ "$MODE" != cost ]; then
    EASY=$(make_clip easy "$EASY_FILTER")
    HARD=$(make_clip hard "$HARD_FILTER")
    run_clip easy "$EASY"
    run_clip hard "$HARD"
fi
if [ "$MODE" != ladder ]; then
    command -v ffprobe >/dev/null 2>&1 || { echo "ffprobe missing: run scripts/install-deps.sh" >&2; exit 1; }
    export SVT_LOG=1   # SVT-AV1: errors only, on both sides
    for clip in $COST_CLIPS; do
        case "$clip" in
            easy) cost_clip easy "$(make_clip easy "$EASY_FILTER" "$COST_SECONDS")" ;;
            hard) cost_clip hard "$(make_clip hard "$HARD_FILTER" "$COST_SECONDS")" ;;
            *) echo "COST_CLIPS: '$clip' is not easy or hard" >&2; exit 2 ;;
        esac
    done
fi
