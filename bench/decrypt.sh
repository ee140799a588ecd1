#!/bin/sh
# CENC decryption benchmark: drm/'s decryption (the player's path: parse
# the fragment, decrypt every sample through the ClearKey CDM; OpenSSL EVP
# underneath) over a 1080p segment set, cenc and cbcs, against OpenSSL's own
# large-block figure from `openssl speed` taken in the same run.
#
#   SV_BUILD_DIR=build RUNS=3 sh bench/decrypt.sh    (SECONDS_PER_RUN=3)
#
# The segments are the packager's own output (sv-media-ingest: 20 s of
# 1920x1080 testsrc2 at 5 Mb/s + AAC, 4 s segments), cached in
# BUILD/bench-decrypt. Prints MB/s of the bytes AES really processes (for
# cbcs 1:9 that is a tenth of the protected video bytes) and
# ratio = drm / openssl (goal >= 0.8), the median of RUNS runs that each
# measure drm/ and OpenSSL back to back (so a busy neighbour hits both).
# Both sides divide by CPU time (`openssl speed` by user time, the bench by
# its thread's user + system time), so other processes' time slices do not
# count; their cache and memory traffic still does: run it on an idle machine.
#
# OpenSSL's reference is its *decryption* figure (`openssl speed -decrypt`),
# since decryption is what the player does. For CTR both directions are the
# same; for CBC they are not: encryption is a serial chain (one block at a
# time), decryption runs many blocks in parallel and is several times faster
# on AES-NI. The column "ratio/enc" gives drm/ against the encryption figure,
# the comparison this script made before, for continuity only: it flatters
# cbcs by the gap between the two directions.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${SV_BUILD_DIR:-$here/build}
SECS=${SECONDS_PER_RUN:-3}
RUNS=${RUNS:-3}
ING="$BUILD/tests/backend_media/sv-media-ingest"
BENCH="$BUILD/tests/backend_drm/sv-drm-decrypt-bench"
for b in "$ING" "$BENCH"; do
    [ -x "$b" ] || { echo "$b not built (cmake --build $BUILD --target $(basename "$b"))" >&2; exit 1; }
done
command -v openssl >/dev/null 2>&1 || { echo "openssl missing" >&2; exit 1; }
KID=4060a865887842679cbf91ae5bae1e72
KEY=fc35340837310cc0fb53de97e22a69e0
WORK="$BUILD/bench-decrypt"
mkdir -p "$WORK"
SRC="$WORK/src-1080p-20s.mp4"
if [ ! -s "$SRC" ]; then
    echo "making the 1080p source and packaging it (cenc, cbcs)..."
    ffmpeg -nostdin -v error -y -f lavfi -i testsrc2=size=1920x1080:rate=30 \
        -f lavfi -i sine=frequency=440:sample_rate=48000 -t 20 \
        -c:v libx264 -preset ultrafast -crf 18 -pix_fmt yuv420p -c:a aac "$SRC"
fi
for s in cenc cbcs; do
    if [ ! -s "$WORK/$s/video/1080p/seg-5.m4s" ]; then
        rm -rf "$WORK/$s"
        "$ING" "$SRC" "$WORK/$s" --ladder 1080:5000 --segment 4 --threads 0 \
            --drm $s --kid $KID --key $KEY >/dev/null
    fi
done

# OpenSSL's figure for 16384-byte blocks, in MB/s (it prints kB/s, 1000 B).
# $2 is "-decrypt" or empty (encrypt).
openssl_mbps() {
    openssl speed -seconds "$SECS" -bytes 16384 $2 -evp "$1" 2>/dev/null |
        awk -v c="$1" '$1 == c || $1 == toupper(c) { v = $NF; sub(/k$/, "", v); print v / 1000 }' | tail -n 1
}
median() {
    tr ' ' '\n' | sed '/^$/d' | sort -g | awk '{ v[NR] = $1 } END {
        if (NR == 0) exit 1
        printf "%.3f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# The figures only mean something on an otherwise idle machine: say how idle.
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
printf '%-6s %10s %10s %10s %7s %10s %9s\n' scheme "drm MB/s" "ossl dec" "segment" ratio \
    "ossl enc" "ratio/enc"
for s in cenc cbcs; do
    cipher=aes-128-ctr
    [ $s = cbcs ] && cipher=aes-128-cbc
    d="$WORK/$s/video/1080p"
    ours="" seg="" dec="" enc="" ratio="" renc=""
    i=0
    while [ $i -lt "$RUNS" ]; do
        out=$("$BENCH" $KID $KEY "$SECS" "$d/init.mp4" "$d"/seg-*.m4s)
        o=$(printf '%s\n' "$out" | sed -n 's/^aes_mbps=//p')
        g=$(printf '%s\n' "$out" | sed -n 's/^seg_mbps=//p')
        td=$(openssl_mbps $cipher -decrypt)
        te=$td # CTR: one direction is the other
        [ $s = cbcs ] && te=$(openssl_mbps $cipher "")
        [ -n "$o" ] && [ -n "$td" ] && [ -n "$te" ] || { echo "a $s run failed" >&2; exit 1; }
        ours="$ours $o" seg="$seg $g" dec="$dec $td" enc="$enc $te"
        ratio="$ratio $(awk -v a="$o" -v b="$td" 'BEGIN { printf "%.4f", a / b }')"
        renc="$renc $(awk -v a="$o" -v b="$te" 'BEGIN { printf "%.4f", a / b }')"
        i=$((i + 1))
    done
    printf '%-6s %10.1f %10.1f %10.1f %7.3f %10.1f %9.3f\n' $s "$(echo $ours | median)" \
        "$(echo $dec | median)" "$(echo $seg | median)" "$(echo $ratio | median)" \
        "$(echo $enc | median)" "$(echo $renc | median)"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
echo "medians of $RUNS runs of ${SECS}s; ratio = drm/ MB/s (AES-processed bytes) / openssl speed -decrypt 16 KiB MB/s; goal >= 0.8"
