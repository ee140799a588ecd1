#!/bin/sh
# CENC decryption benchmark: drm/'s decryption (the player's path: parse
# the fragment, decrypt every sample through the ClearKey CDM; OpenSSL EVP
# underneath) over a 1080p segment set, cenc and cbcs, against OpenSSL's own
# large-block figure from `openssl speed -evp aes-128-ctr` / `aes-128-cbc`
# taken in the same run.
#
#   SV_BUILD_DIR=build sh bench/decrypt.sh        (SECONDS_PER_RUN=3)
#
# The segments are the packager's own output (sv-media-ingest: 20 s of
# 1920x1080 testsrc2 at 5 Mb/s + AAC, 4 s segments), cached in
# BUILD/bench-decrypt. Prints MB/s of the bytes AES really processes (for
# cbcs 1:9 that is a tenth of the protected video bytes) and
# ratio = drm / openssl (goal >= 0.8).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${SV_BUILD_DIR:-$here/build}
SECS=${SECONDS_PER_RUN:-3}
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
openssl_mbps() {
    openssl speed -seconds "$SECS" -bytes 16384 -evp "$1" 2>/dev/null |
        awk -v c="$1" '$1 == c || $1 == toupper(c) { v = $NF; sub(/k$/, "", v); print v / 1000 }' | tail -n 1
}

printf '%-6s %12s %12s %12s %8s\n' scheme "drm MB/s" "openssl MB/s" "segment MB/s" ratio
for s in cenc cbcs; do
    cipher=aes-128-ctr
    [ $s = cbcs ] && cipher=aes-128-cbc
    d="$WORK/$s/video/1080p"
    out=$("$BENCH" $KID $KEY "$SECS" "$d/init.mp4" "$d"/seg-*.m4s)
    ours=$(printf '%s\n' "$out" | sed -n 's/^aes_mbps=//p')
    seg=$(printf '%s\n' "$out" | sed -n 's/^seg_mbps=//p')
    theirs=$(openssl_mbps $cipher)
    ratio=$(awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "%.3f", a / b }')
    printf '%-6s %12.1f %12.1f %12.1f %8s\n' $s "$ours" "$theirs" "$seg" "$ratio"
done
echo "ratio = drm/ decryption MB/s (AES-processed bytes) / openssl speed large-block MB/s; goal >= 0.8"
