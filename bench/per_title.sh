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
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${SV_BUILD_DIR:-$here/build}
DURATION=${DURATION:-60}
for t in ffmpeg awk /usr/bin/time; do
    command -v "$t" >/dev/null 2>&1 || { echo "$t missing: run scripts/install-deps.sh" >&2; exit 1; }
done
INGEST=$(find "$BUILD" -type f -name sv-media-ingest -perm -u+x | head -n 1)
[ -x "$INGEST" ] || { echo "sv-media-ingest not built under $BUILD" >&2; exit 1; }
WORK="$BUILD/bench-per-title"
mkdir -p "$WORK"
FIXED=240:300,360:750,480:1200,720:2800,1080:5000

make_clip() { # name filter
    out="$WORK/$1-${DURATION}s.mkv"
    if [ ! -s "$out" ]; then
        echo "making the $1 clip..." >&2
        # Near-lossless intermediate (x264 crf 4): the source both ladders
        # are encoded from and measured against.
        ffmpeg -v error -y -f lavfi -i "$2" -t "$DURATION" -pix_fmt yuv420p \
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
    ls "$2"/seg-*.m4s | sort -t- -k2 -n | xargs cat "$2/init.mp4" > "$WORK/rung.mp4"
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

EASY=$(make_clip easy "testsrc=s=1920x1080:r=30")
HARD=$(make_clip hard "testsrc2=s=1920x1080:r=30,noise=alls=6:allf=t,hue=H=t*2")
run_clip easy "$EASY"
run_clip hard "$HARD"
