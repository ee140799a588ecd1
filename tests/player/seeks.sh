#!/bin/sh
# Accurate seeks: 50 targets from a fixed-seed generator (25 on the DASH
# fixture, 25 on the MPEG-TS HLS one). For each, `svplay --start T --frames 1
# --framemd5` must show the first frame at or after T: its hash must be frame
# k of the locked rendition's reference with k = ceil(T * fps), i.e. a frame
# whose time k/fps (from ffmpeg's decode of the same rendition) is within one
# frame duration at or after T. Every testsrc2 picture is distinct, so the
# hash names the frame. (The pts column cannot tell: svplay's framemd5, like
# ffmpeg's, counts pts from the first frame it writes.)
#   seeks.sh [COUNT_PER_FIXTURE] (default 25)
. "$SV_SOURCE_DIR/tests/player/playlib.sh"

per=${1:-25}
pl_serve
seed=20240607
maxerr=0
for name in dash_ffmpeg hls_ts; do
    pl_fixture "$name"
    ref="$PL_STREAMS/ref/$name/v0.md5"
    [ "$(sort -u "$ref" | wc -l)" = "$FX_FRAMES" ] || fail "$name: reference pictures are not all distinct"
    # Park-Miller minimal standard generator: exact in awk's doubles, so the
    # targets are the same on every machine.
    targets=$(awk -v seed="$seed" -v n="$per" -v span="$FX_DURATION" -v fps="$FX_FPS" 'BEGIN {
        x = seed
        for (i = 0; i < n; i++) {
            x = (x * 16807) % 2147483647
            printf "%.6f\n", (x / 2147483647) * (span - 2 / fps)
        }
    }')
    seed=$((seed + 1))
    i=0
    for t in $targets; do
        i=$((i + 1))
        run="$name-seek$i"
        md5="$PL_TMP/$run.md5"
        pl_play "$run" 30 --headless --benchmark --quiet --quality 0 --start "$t" --frames 1 \
            --framemd5 "$md5" "$PL_URL/$FX_PATH"
        if [ "$PL_RC" -ne 0 ]; then
            check 1 "$run: --start $t exited $PL_RC"
            pl_show "$run"
            continue
        fi
        hash=$(pl_hashes "$md5" | head -n 1)
        k=$(grep -n -x -m1 "$hash" "$ref" | cut -d: -f1)
        if [ -z "$hash" ] || [ -z "$k" ]; then
            check 1 "$run: --start $t: first frame ($hash) is not a frame of rendition 0"
            continue
        fi
        k=$((k - 1))
        verdict=$(awk -v t="$t" -v k="$k" -v fps="$FX_FPS" 'BEGIN {
            want = int(t * fps - 1e-6); if (want < t * fps - 1e-6) want++
            d = k / fps - t
            printf "%d %d %.6f %d", k == want, want, d, (d < 0 ? -d : d) * 1000000
        }')
        set -- $verdict
        [ "$4" -gt "$maxerr" ] && maxerr=$4
        [ "$1" -eq 1 ]
        check $? "$run: --start $t -> frame $k (want $2): frame time - target = $3 s"
    done
done
echo "largest |first frame time - target|: $(awk -v m="$maxerr" 'BEGIN { printf "%.6f", m / 1000000 }') s"
pl_finish
