#!/bin/sh
# refplayer.sh - svplay's command line on top of ffmpeg (headless) and mpv
# (windowed). It is NOT a test of Streamverse: it exists to prove the player
# test harness itself. Run the suite with it in svplay's place:
#
#   SVPLAY=$PWD/tests/player/refplayer.sh ctest -L player -E two_players
#
# and every check that FFmpeg can pass must pass, while the checks FFmpeg
# cannot pass must fail for the stated reason (docs/testing-player.md lists
# which): a harness that passes a player which cannot do the job is broken.
#
# Supported: --headless --benchmark --realtime --quiet --start S --frames N
# --quality N --stats FILE --framemd5 FILE (--abr, --max-height, --log-level,
# --license-url, --key are accepted and ignored). Exit 0 played, 1 error
# ("svplay: error: ..." on stderr), 2 usage.
set -u

usage() {
    echo "usage: refplayer.sh [--headless] [--benchmark] [--realtime] [--start S] [--frames N]" >&2
    echo "       [--quality N] [--stats FILE] [--framemd5 FILE] [--quiet] URL|FILE" >&2
    exit 2
}

number() {
    case "$2" in
        '' | *[!0-9.]* | *.*.*) echo "svplay: --$1: not a number: $2" >&2; exit 2 ;;
    esac
}

headless=0 realtime=0 start="" frames="" quality=0 stats="" md5="" url=""
while [ $# -gt 0 ]; do
    case "$1" in
        --help)
            echo "refplayer.sh: svplay's options on ffmpeg: --headless --benchmark --realtime"
            echo "  --start S --frames N --quality N --stats FILE --framemd5 FILE --quiet"
            exit 0 ;;
        --headless) headless=1 ;;
        --benchmark) ;;
        --realtime) realtime=1 ;;
        --quiet) ;;
        --start) [ $# -ge 2 ] || usage; number start "$2"; start=$2; shift ;;
        --frames) [ $# -ge 2 ] || usage; number frames "$2"; frames=$2; shift ;;
        --quality) [ $# -ge 2 ] || usage; number quality "$2"; quality=$2; shift ;;
        --stats) [ $# -ge 2 ] || usage; stats=$2; shift ;;
        --framemd5) [ $# -ge 2 ] || usage; md5=$2; headless=1; shift ;;
        --abr | --max-height | --log-level | --license-url | --key) [ $# -ge 2 ] || usage; shift ;;
        --*) echo "svplay: unknown option $1" >&2; usage ;;
        *) [ -z "$url" ] || usage; url=$1 ;;
    esac
    shift
done
[ -n "$url" ] || usage

if [ "$headless" -eq 0 ]; then
    exec mpv --no-config --really-quiet --vo=x11 --ao=null ${start:+--start=$start} \
        ${frames:+--frames=$frames} "$url"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/refplayer.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# One framemd5 of video (stream 0) and the first audio track (stream 1);
# -copyts keeps stream time, so a seek's first pts says where it landed.
t0=$(date +%s.%N)
rc=0
re=""
[ "$realtime" -eq 1 ] && re=-re
# shellcheck disable=SC2086
ffmpeg -nostdin -hide_banner -loglevel error $re \
    ${start:+-ss "$start"} -i "$url" -copyts -map 0:v:"$quality" -map '0:a:0?' \
    -fps_mode passthrough ${frames:+-frames:v "$frames"} -f framemd5 "$tmp/all.md5" \
    2>"$tmp/err" || rc=$?
t1=$(date +%s.%N)
if [ "$rc" -ne 0 ] || ! grep -q '^0,' "$tmp/all.md5" 2>/dev/null; then
    msg=$(grep -v '^\s*$' "$tmp/err" | tail -n 1)
    [ -n "$msg" ] || msg="no video frame decoded"
    echo "svplay: error: $msg" >&2
    if [ -n "$stats" ]; then
        node -e 'const [f, m] = process.argv.slice(1);
            require("fs").writeFileSync(f, JSON.stringify({ error: { code: -1, message: m },
                exit_code: 1, decoded_frames: 0 }) + "\n");' "$stats" "$msg"
    fi
    exit 1
fi

if [ -n "$md5" ]; then
    grep -E '^#|^0,' "$tmp/all.md5" | grep -v '^#.* 1:' >"$md5"
fi
if [ -n "$stats" ]; then
    vframes=$(grep -c '^0,' "$tmp/all.md5")
    # Audio lines are pcm_s16le: samples = bytes / (2 * channels).
    ch=$(ffprobe -v error -select_streams a:0 -show_entries stream=channels -of csv=p=0 "$url" 2>/dev/null | head -n 1)
    asamples=$(awk -F, -v ch="${ch:-2}" '$1 + 0 == 1 && !/^#/ { s += $5 } END { print int(s / (2 * ch)) }' "$tmp/all.md5")
    node -e 'const [f, v, a, t0, t1] = process.argv.slice(1);
        require("fs").writeFileSync(f, JSON.stringify({
            startup_time_s: null, rebuffer_count: 0, rebuffer_time_s: 0, switches: 0,
            mean_bitrate_bps: null, decoded_frames: +v, dropped_frames: 0,
            played_s: (+v) / 30, /* the fixtures are 30 fps */ bytes_downloaded: null, segments_downloaded: null,
            segment_retries: 0, cdn_switches: 0,
            max_av_drift_s: null, audio_frames: +a, audio_silence_frames: 0,
            renditions: [], rebuffers: [], error: null, exit_code: 0,
            wall_s: (+t1) - (+t0) }) + "\n");' "$stats" "$vframes" "$asamples" "$t0" "$t1"
fi
exit 0
