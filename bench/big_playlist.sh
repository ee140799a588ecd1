#!/bin/sh
# Peak resident memory with manifests of a million segments (issue 16):
# svplay vs ffmpeg on the same files over loopback, in one run, both under
# /usr/bin/time -f %M. The segments are 2 s of 320x240 H.264; the first
# SEGMENTS_REAL of them exist (the players stop after FRAMES frames, so
# nothing past them is asked for), the manifests name N.
#   - HLS: a VOD media playlist of N segments (seg_0000000.ts ...).
#   - DASH, fMP4 from ffmpeg's dash muxer, each addressing of N segments:
#     - timeline_r: a SegmentTimeline of one <S> repeated N times (@r);
#     - timeline_s: N <S> elements without @r;
#     - timeline_mix: <S> with and without @r, alternating 2 s (r=18) and
#       1 s entries (N/20 of each);
#     - number: a $Number$ SegmentTemplate with @duration, no timeline;
#     - list: a SegmentList of N SegmentURLs (1.m4s ...).
#
#   bench/big_playlist.sh [BUILD_DIR]
#   N=1000000 FRAMES=50 MAX_RATIO=1.0 CASES="hls timeline_r" bench/big_playlist.sh build
#
# Prints each peak in MiB and svplay/ffmpeg, then a table of every case;
# with MAX_RATIO set, exits 1 when a ratio is above it. The streams are
# cached in BUILD/big-playlist (about 150 MB of manifests and 100 s of
# video). CASES picks some (default: all; DASH cases want N a multiple of 20).
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
# The SegmentList names segments 1.m4s, 2.m4s ... (short names keep a
# million SegmentURLs under the 32 MiB MPD limit): links to ffmpeg's.
i=1
while [ "$i" -le "$SEGMENTS_REAL" ]; do
    [ -e "$dir/dash/$i.m4s" ] || ln -s "chunk-stream0-$(printf %05d "$i").m4s" "$dir/dash/$i.m4s"
    i=$((i + 1))
done
# The manifests of N segments (rewritten when N changes).
if [ "$(cat "$dir/n" 2>/dev/null)" != "$N" ]; then
    awk -v n="$N" 'BEGIN {
        print "#EXTM3U"; print "#EXT-X-VERSION:3"; print "#EXT-X-TARGETDURATION:2"
        print "#EXT-X-MEDIA-SEQUENCE:0"; print "#EXT-X-PLAYLIST-TYPE:VOD"
        for (i = 0; i < n; i++) printf "#EXTINF:2.000000,\nseg_%07d.ts\n", i
        print "#EXT-X-ENDLIST" }' >"$dir/hls/big.m3u8"
    # ffmpeg wrote one <S t="0" d="D" r="..."/> for its 2 s segments, in a
    # SegmentTemplate of timescale TS; each case rewrites the timeline (or
    # the whole addressing) and the presentation's duration (SECONDS).
    mpd() { # CASE SECONDS
        awk -v n="$N" -v c="$1" -v secs="$2" '
            /mediaPresentationDuration=/ { sub(/mediaPresentationDuration="[^"]*"/,
                                               "mediaPresentationDuration=\"PT" secs "S\"") }
            /<SegmentTemplate/ { match($0, /timescale="[0-9]+"/)
                                 ts = substr($0, RSTART + 11, RLENGTH - 12) }
            /<S / { match($0, / d="[0-9]+"/); d = substr($0, RSTART + 4, RLENGTH - 5)
                    if (c == "timeline_r") printf "<S t=\"0\" d=\"%d\" r=\"%d\"/>\n", d, n - 1
                    if (c == "timeline_s") { print "<S t=\"0\" d=\"" d "\"/>"
                                             for (i = 1; i < n; i++) print "<S d=\"" d "\"/>" }
                    if (c == "timeline_mix") { printf "<S t=\"0\" d=\"%d\" r=\"18\"/>\n", d
                                               for (i = 0; i < n / 20; i++) {
                                                   if (i) printf "<S d=\"%d\" r=\"18\"/>\n", d
                                                   printf "<S d=\"%d\"/>\n", d / 2 } }
                    next }
            c == "number" && /<SegmentTemplate/ {
                sub(/>$/, "/>"); sub(/timescale=/, "duration=\"" d0 "\" timescale="); print
                skip = 1; next }
            c == "list" && /<SegmentTemplate/ {
                printf "<SegmentList timescale=\"%d\" duration=\"%d\">", ts, d0
                print "<Initialization sourceURL=\"init-stream0.m4s\"/>"
                for (i = 1; i <= n; i++) print "<SegmentURL media=\"" i ".m4s\"/>"
                print "</SegmentList>"; skip = 1; next }
            skip && /<\/SegmentTemplate>/ { skip = 0; next }
            skip { next }
            { print }' d0="$D0" "$dir/dash/ffmpeg.mpd"
    }
    D0=$(sed -n 's/.*<S [^>]*d="\([0-9]*\)".*/\1/p' "$dir/dash/ffmpeg.mpd")
    [ -n "$D0" ] || fail "no <S d> in ffmpeg's MPD"
    for c in timeline_r timeline_s number list; do
        mpd "$c" $((2 * N)) >"$dir/dash/$c.mpd"
    done
    mpd timeline_mix $((N / 20 * 39)) >"$dir/dash/timeline_mix.mpd"
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

table="$tmp/table"
worst=""
# run CASE TITLE URL - both players on one manifest, their peaks reported.
run() {
    set -- "$1" "$2" "$3" $(peak "svplay_$1" "$SVPLAY" --headless --benchmark --quiet \
        --frames "$FRAMES" "$3")
    set -- "$@" $(peak "ffmpeg_$1" ffmpeg -nostdin -v error -i "$3" -map 0:v \
        -frames:v "$FRAMES" -f null -)
    report "peak RSS, $2, $FRAMES frames:" "$4" "$5" "$6" "$7"
    awk -v c="$1" -v s="$4" -v f="$6" 'BEGIN {
        printf "%-13s %10.1f %10.1f %8.2f\n", c, s / 1024, f / 1024, s / f }' >>"$table"
    if [ -n "${MAX_RATIO:-}" ] &&
        awk -v s="$4" -v f="$6" -v m="$MAX_RATIO" 'BEGIN { exit !(s / f > m) }'; then
        worst="$worst $1"
    fi
}

for c in ${CASES:-hls timeline_r timeline_s timeline_mix number list}; do
    case $c in
    hls) run hls "HLS media playlist of $N segments ($(wc -c <"$dir/hls/big.m3u8") bytes)" \
        "$url/hls/big.m3u8" ;;
    timeline_r) run "$c" "DASH SegmentTimeline, one <S> with r=$((N - 1))" "$url/dash/$c.mpd" ;;
    timeline_s) run "$c" "DASH SegmentTimeline, $N <S> without @r" "$url/dash/$c.mpd" ;;
    timeline_mix) run "$c" "DASH SegmentTimeline, $((N / 10)) <S> with and without @r" \
        "$url/dash/$c.mpd" ;;
    number) run "$c" "DASH \$Number\$ SegmentTemplate with @duration, $N segments" \
        "$url/dash/$c.mpd" ;;
    list) run "$c" "DASH SegmentList of $N SegmentURLs" "$url/dash/$c.mpd" ;;
    *) fail "unknown case $c (hls timeline_r timeline_s timeline_mix number list)" ;;
    esac
done

echo
echo "peak RSS with $N segments ($FRAMES frames), MiB"
printf "%-13s %10s %10s %8s\n" case svplay ffmpeg ratio
cat "$table"
[ -z "$worst" ] || fail "svplay/ffmpeg above $MAX_RATIO for:$worst"
