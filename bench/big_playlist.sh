#!/bin/sh
# Peak resident memory with a playlist of a million segments (issue 16):
# svplay vs ffmpeg on the same files over loopback, in one run, both under
# /usr/bin/time -f %M. The segments are 2 s of 320x240 H.264 in MPEG-TS;
# the first SEGMENTS_REAL of them exist (the players stop after FRAMES
# frames, so nothing past them is asked for), the playlist names N.
#   - HLS: a VOD media playlist of N segments (seg_0000000.ts ...).
#   - DASH: an MPD whose SegmentTimeline repeats one 2 s entry N times
#     (fMP4, $Number%07d$), the same million segments for the DASH path.
#
#   bench/big_playlist.sh [BUILD_DIR]
#   N=1000000 FRAMES=50 MAX_RATIO=1.0 bench/big_playlist.sh build
#
# Prints each peak in MiB and svplay/ffmpeg; with MAX_RATIO set, exits 1
# when the HLS ratio is above it. The streams are cached in
# BUILD/big-playlist (about 35 MB of playlist and 100 s of video).
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$src/build}" && pwd)
N=${N:-1000000}
FRAMES=${FRAMES:-50}
SEGMENTS_REAL=50
SVPLAY=${SVPLAY:-$build/apps/svplay/svplay}
FAULTSRV=$build/tests/support/sv-faultsrv
dir=$build/big-playlist

fail() {
    echo "big_playlist: $*" >&2
    exit 1
}
for t in ffmpeg awk; do
    command -v "$t" >/dev/null 2>&1 || fail "$t is missing: run scripts/install-deps.sh"
done
[ -x /usr/bin/time ] || fail "/usr/bin/time is missing (Debian package: time)"
[ -x "$SVPLAY" ] || fail "$SVPLAY is not built"
[ -x "$FAULTSRV" ] || fail "$FAULTSRV is not built"

# The media, once: SEGMENTS_REAL segments of 2 s for each format.
if [ ! -f "$dir/hls/seg_$(printf %07d $((SEGMENTS_REAL - 1))).ts" ] ||
    [ ! -f "$dir/dash/ffmpeg.mpd" ]; then
    rm -rf "$dir"
    mkdir -p "$dir/hls" "$dir/dash"
    (cd "$dir/hls" && ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x240:rate=25 \
        -t $((SEGMENTS_REAL * 2)) -c:v libx264 -preset ultrafast -g 50 -f hls -hls_time 2 \
        -hls_playlist_type vod -hls_segment_filename 'seg_%07d.ts' real.m3u8) ||
        fail "ffmpeg could not make the HLS segments"
    (cd "$dir/dash" && ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x240:rate=25 \
        -t $((SEGMENTS_REAL * 2)) -c:v libx264 -preset ultrafast -g 50 -seg_duration 2 \
        -f dash ffmpeg.mpd) || fail "ffmpeg could not make the DASH segments"
fi
# The playlists of N segments (rewritten when N changes).
if [ "$(cat "$dir/n" 2>/dev/null)" != "$N" ]; then
    awk -v n="$N" 'BEGIN {
        print "#EXTM3U"; print "#EXT-X-VERSION:3"; print "#EXT-X-TARGETDURATION:2"
        print "#EXT-X-MEDIA-SEQUENCE:0"; print "#EXT-X-PLAYLIST-TYPE:VOD"
        for (i = 0; i < n; i++) printf "#EXTINF:2.000000,\nseg_%07d.ts\n", i
        print "#EXT-X-ENDLIST" }' >"$dir/hls/big.m3u8"
    # ffmpeg wrote <S t="0" d="..." r="..."/> for 2 s segments: one entry
    # repeated N times, and the presentation N x 2 s long.
    awk -v n="$N" '
        /<S / { sub(/ r="[0-9]+"/, ""); sub(/\/>/, " r=\"" n - 1 "\"/>"); print; skip = 1; next }
        skip && /<S / { next }
        /mediaPresentationDuration=/ { sub(/mediaPresentationDuration="[^"]*"/,
                                           "mediaPresentationDuration=\"PT" 2 * n "S\"") }
        /<\/SegmentTimeline>/ { skip = 0 }
        { print }' "$dir/dash/ffmpeg.mpd" >"$dir/dash/big.mpd"
    echo "$N" >"$dir/n"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/big-playlist.XXXXXX")
srv=""
cleanup() {
    [ -n "$srv" ] && kill "$srv" 2>/dev/null && wait "$srv" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM
"$FAULTSRV" --root "$dir" --listen 127.0.0.1:0 --port-file "$tmp/port" 2>"$tmp/srv.err" &
srv=$!
i=0
while [ ! -s "$tmp/port" ]; do
    i=$((i + 1))
    [ "$i" -le 100 ] || fail "sv-faultsrv did not start: $(cat "$tmp/srv.err")"
    sleep 0.05
done
url="http://127.0.0.1:$(cat "$tmp/port")"

# peak NAME CMD... - "KIB SECONDS" of one run (its output kept in $tmp).
peak() {
    _n=$1
    shift
    /usr/bin/time -f '%M %e' -o "$tmp/$_n.time" "$@" >"$tmp/$_n.out" 2>"$tmp/$_n.err" ||
        { tail -n 5 "$tmp/$_n.err"; fail "$_n failed"; }
    cat "$tmp/$_n.time"
}

report() { # TITLE SVPLAY_KIB SVPLAY_S FFMPEG_KIB FFMPEG_S
    awk -v t="$1" -v s="$2" -v ss="$3" -v f="$4" -v fs="$5" 'BEGIN {
        printf "%s\n  svplay %7.1f MiB  (%.1f s)\n  ffmpeg %7.1f MiB  (%.1f s)\n  svplay/ffmpeg %.2f\n",
            t, s / 1024, ss, f / 1024, fs, s / f }'
}

bytes=$(wc -c <"$dir/hls/big.m3u8")
set -- $(peak svplay_hls "$SVPLAY" --headless --benchmark --quiet --frames "$FRAMES" \
    "$url/hls/big.m3u8")
s_kb=$1 s_s=$2
set -- $(peak ffmpeg_hls ffmpeg -nostdin -v error -i "$url/hls/big.m3u8" -map 0:v \
    -frames:v "$FRAMES" -f null -)
f_kb=$1 f_s=$2
report "peak RSS, HLS media playlist of $N segments ($bytes bytes), $FRAMES frames:" \
    "$s_kb" "$s_s" "$f_kb" "$f_s"
hls_ratio=$(awk -v s="$s_kb" -v f="$f_kb" 'BEGIN { printf "%.3f", s / f }')

set -- $(peak svplay_dash "$SVPLAY" --headless --benchmark --quiet --frames "$FRAMES" \
    "$url/dash/big.mpd")
s_kb=$1 s_s=$2
set -- $(peak ffmpeg_dash ffmpeg -nostdin -v error -i "$url/dash/big.mpd" -map 0:v \
    -frames:v "$FRAMES" -f null -)
f_kb=$1 f_s=$2
report "peak RSS, DASH SegmentTimeline of $N segments (one <S> repeated), $FRAMES frames:" \
    "$s_kb" "$s_s" "$f_kb" "$f_s"

if [ -n "${MAX_RATIO:-}" ] &&
    awk -v r="$hls_ratio" -v m="$MAX_RATIO" 'BEGIN { exit !(r > m) }'; then
    fail "HLS svplay/ffmpeg $hls_ratio is above $MAX_RATIO"
fi
