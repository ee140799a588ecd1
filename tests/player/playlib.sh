# playlib.sh - shared helpers of the player's integration tests. Sourced.
#
#   . "$SV_SOURCE_DIR/tests/player/playlib.sh"
#   pl_serve                  # sv-faultsrv on the fixtures; sets PL_URL
#   pl_play OUT -- --headless --benchmark --stats "$PL_TMP/s.json" "$PL_URL/hls_ts/master.m3u8"
#   pl_play_bg A 60 ...; pl_play_bg B 60 ...; pl_wait A; pl_wait B   # at once
#   pl_run_bg A 60 "$PL_TMP/prog" ...                               # any program
#
# The player under test is $SVPLAY when set (any program with svplay's
# command line, e.g. tests/player/refplayer.sh to check this harness), else
# $SV_SVPLAY (CMake passes the svplay target), else the build tree's
# apps/svplay/svplay. Fixtures come from scripts/make-test-streams.sh in
# $SV_BUILD_DIR/test-streams (the player_streams test makes them first).
# Every test gets a private folder $PL_TMP, removed on exit, and bounded waits.
set -u

: "${SV_BUILD_DIR:?run through ctest (SV_BUILD_DIR unset)}"
: "${SV_SOURCE_DIR:?run through ctest (SV_SOURCE_DIR unset)}"
PL_STREAMS="${SV_TEST_STREAMS:-$SV_BUILD_DIR/test-streams}"
PL_FS_BIN="$SV_BUILD_DIR/tests/support/sv-faultsrv"
PL_DIR="$SV_SOURCE_DIR/tests/player"
SVPLAY="${SVPLAY:-${SV_SVPLAY:-$SV_BUILD_DIR/apps/svplay/svplay}}"
PL_ARTIFACTS="$SV_BUILD_DIR/tests/player/artifacts"

PL_TMP=$(mktemp -d "${TMPDIR:-/tmp}/sv-player.XXXXXX") || exit 1
PL_FS_PID=""
PL_PIDS=""
PL_BG_PIDS=""
PL_FAILED=0
PL_PASSED=0

pl_cleanup() {
    _status=$?
    for _p in $PL_PIDS $PL_BG_PIDS; do
        kill -TERM "$_p" 2>/dev/null
        wait "$_p" 2>/dev/null
    done
    if [ -n "$PL_FS_PID" ]; then
        kill -TERM "$PL_FS_PID" 2>/dev/null
        wait "$PL_FS_PID" 2>/dev/null
    fi
    rm -rf "$PL_TMP"
    exit "$_status"
}
trap pl_cleanup EXIT
trap 'exit 1' HUP INT TERM

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

ok() {
    echo "ok: $*"
}

# check COND_STATUS MESSAGE - records a result without stopping, so one run
# reports every fixture; pl_finish turns any failure into the exit status.
check() {
    if [ "$1" -eq 0 ]; then
        echo "ok   $2"
        PL_PASSED=$((PL_PASSED + 1))
    else
        echo "FAIL $2"
        PL_FAILED=$((PL_FAILED + 1))
    fi
}

pl_finish() {
    echo "$PL_PASSED passed, $PL_FAILED failed"
    [ "$PL_FAILED" -eq 0 ]
}

# pl_xvfb W H - starts Xvfb on a free display (-displayfd) with a W x H
# screen: $PL_DISPLAY (":N") and $PL_XVFB_PID, which joins PL_PIDS (stopped
# at exit). Fails when it gives no display within 10 s.
pl_xvfb() {
    exec 8>"$PL_TMP/display"
    Xvfb -displayfd 8 -screen 0 "${1}x${2}x24" -nolisten tcp -noreset >"$PL_TMP/xvfb.log" 2>&1 &
    PL_XVFB_PID=$!
    exec 8>&-
    PL_PIDS="$PL_PIDS $PL_XVFB_PID"
    _i=0
    while [ ! -s "$PL_TMP/display" ]; do
        kill -0 "$PL_XVFB_PID" 2>/dev/null || fail "Xvfb did not start: $(cat "$PL_TMP/xvfb.log")"
        _i=$((_i + 1))
        [ "$_i" -le 100 ] || fail "Xvfb gave no display number within 10 s"
        sleep 0.1
    done
    PL_DISPLAY=":$(head -n 1 "$PL_TMP/display")"
}

pl_need() {
    for _t in "$@"; do
        command -v "$_t" >/dev/null 2>&1 || fail "$_t is missing: run scripts/install-deps.sh"
    done
}

pl_need ffmpeg ffprobe node curl awk
[ -x "$PL_FS_BIN" ] || fail "$PL_FS_BIN not built"
[ -f "$PL_STREAMS/fixtures.tsv" ] ||
    fail "no fixtures in $PL_STREAMS: run the player_streams test (scripts/make-test-streams.sh) first"
[ -x "$SVPLAY" ] || fail "the player $SVPLAY is not built (svplay, issue 4)"
# A cross build runs both under qemu-user (tests/support/target.sh).
. "$SV_SOURCE_DIR/tests/support/target.sh"
PL_FS_BIN=$(target_program "$PL_FS_BIN") || fail "cannot wrap $PL_FS_BIN for the emulator"
SVPLAY=$(target_program "$SVPLAY") || fail "cannot wrap $SVPLAY for the emulator"

# pl_serve [ROOT] [sv-faultsrv options...] - serves ROOT (default: the
# fixtures' www/) on 127.0.0.1; sets PL_PORT and PL_URL. Waits at most 5 s.
pl_serve() {
    _root="$PL_STREAMS/www"
    if [ $# -ge 1 ]; then
        _root=$1
        shift
    fi
    rm -f "$PL_TMP/port"
    "$PL_FS_BIN" --root "$_root" --listen 127.0.0.1:0 --port-file "$PL_TMP/port" \
        --log "$PL_TMP/requests.jsonl" "$@" 2>"$PL_TMP/server.err" &
    PL_FS_PID=$!
    _i=0
    while [ ! -s "$PL_TMP/port" ]; do
        _i=$((_i + 1))
        kill -0 "$PL_FS_PID" 2>/dev/null || fail "sv-faultsrv exited: $(cat "$PL_TMP/server.err")"
        [ "$_i" -le 100 ] || fail "sv-faultsrv did not write its port file within 5 s"
        sleep 0.05
    done
    PL_PORT=$(cat "$PL_TMP/port")
    PL_URL="http://127.0.0.1:$PL_PORT"
}

# pl_llserve ROOT - tests/support/llserve.js on ROOT (a packager's output
# folder: the segment being written is sent with chunked transfer as it
# grows; /time is the server's clock); sets LL_PORT and LL_URL. Waits at
# most 10 s.
pl_llserve() {
    rm -f "$PL_TMP/llport"
    node "$SV_SOURCE_DIR/tests/support/llserve.js" --root "$1" --port-file "$PL_TMP/llport" \
        --log "$PL_TMP/llserve.jsonl" 2>"$PL_TMP/llserve.err" &
    PL_PIDS="$PL_PIDS $!"
    _lp=$!
    _i=0
    while [ ! -s "$PL_TMP/llport" ]; do
        _i=$((_i + 1))
        kill -0 "$_lp" 2>/dev/null || fail "llserve.js exited: $(cat "$PL_TMP/llserve.err")"
        [ "$_i" -le 200 ] || fail "llserve.js did not write its port file within 10 s"
        sleep 0.05
    done
    LL_PORT=$(cat "$PL_TMP/llport")
    LL_URL="http://127.0.0.1:$LL_PORT"
}

# pl_rules JSON - replaces the server's fault rules (see docs/fault-server.md).
pl_rules() {
    _code=$(curl -s -o "$PL_TMP/rules.out" -w '%{http_code}' -X PUT --data-binary "$1" \
        "$PL_URL/_fault/rules")
    [ "$_code" = 200 ] || fail "setting fault rules: HTTP $_code $(cat "$PL_TMP/rules.out")"
}

# pl_play NAME TIMEOUT_S ARGS... - runs the player with a time limit. Its
# stdout and stderr go to $PL_TMP/NAME.out and NAME.err; PL_RC is its exit
# status (124 when it hit the limit, 128+N when a signal killed it).
pl_play() {
    _name=$1
    _limit=$2
    shift 2
    PL_RC=0
    timeout -k 5 "$_limit" "$SVPLAY" "$@" >"$PL_TMP/$_name.out" 2>"$PL_TMP/$_name.err" || PL_RC=$?
}

# pl_play_bg NAME TIMEOUT_S ARGS... - pl_play in the background, so that
# the independent real-time runs of one test play at the same time (their
# media time is the test's wall time; decoding a few small renditions at
# once leaves the cores mostly idle). Its start and end times (date +%s.%N)
# go to $PL_TMP/NAME.start and NAME.end. pl_wait NAME collects it.
pl_play_bg() {
    _name=$1
    _limit=$2
    shift 2
    pl_run_bg "$_name" "$_limit" "$SVPLAY" "$@"
}

# pl_run_bg NAME TIMEOUT_S PROGRAM ARGS... - the same for another program
# (one built by pl_build_sdk_program): stdout and stderr in $PL_TMP/NAME.out
# and NAME.err, collected by pl_wait NAME.
pl_run_bg() {
    _name=$1
    _limit=$2
    shift 2
    rm -f "$PL_TMP/$_name.end"
    date +%s.%N >"$PL_TMP/$_name.start"
    (
        timeout -k 5 "$_limit" "$@" >"$PL_TMP/$_name.out" 2>"$PL_TMP/$_name.err" &
        _p=$!
        trap 'kill -TERM $_p 2>/dev/null; wait $_p; exit 143' TERM
        _rc=0
        wait "$_p" || _rc=$?
        date +%s.%N >"$PL_TMP/$_name.end"
        exit "$_rc"
    ) &
    echo "$!" >"$PL_TMP/$_name.pid"
    PL_BG_PIDS="$PL_BG_PIDS $!"
}

# pl_wait NAME - waits for pl_play_bg's run NAME; sets PL_RC (as pl_play)
# and PL_WALL, the run's wall time in seconds.
pl_wait() {
    _pid=$(cat "$PL_TMP/$1.pid")
    PL_RC=0
    wait "$_pid" || PL_RC=$?
    _left=""
    for _p in $PL_BG_PIDS; do
        [ "$_p" = "$_pid" ] || _left="$_left $_p"
    done
    PL_BG_PIDS=$_left
    PL_WALL=$(awk -v a="$(cat "$PL_TMP/$1.start")" -v b="$(cat "$PL_TMP/$1.end" 2>/dev/null || echo 0)" \
        'BEGIN { printf "%.2f", b - a }')
}

# pl_show NAME - the player's stderr, for a failure report.
pl_show() {
    if [ -s "$PL_TMP/$1.err" ]; then
        echo "--- $1 stderr:"
        tail -n 20 "$PL_TMP/$1.err"
    fi
}

# pl_json FILE EXPR - one value from a JSON file (jansson-free: node's JSON),
# e.g. pl_json s.json decoded_frames, pl_json s.json 'error.message',
# pl_json s.json 'renditions.length'. Objects print as JSON, null as "null";
# a missing key prints "undefined".
. "$SV_SOURCE_DIR/tests/support/sdk_program.sh"
# pl_build_sdk_program NAME [EXTRA_SOURCES...] - builds tests/player/NAME.c
# (and the extra sources) as a host of the public API only: strict C11
# warnings as errors, include/ alone, libstreamverse from $libdir (the
# build's by default) found at run time by rpath, into $PL_TMP/NAME. A
# program that does not build fails the test, naming it.
pl_build_sdk_program() {
    _prog=$1
    shift
    _libdir=${libdir:-$SV_BUILD_DIR}
    ls "$_libdir"/libstreamverse.so* >/dev/null 2>&1 || fail "no libstreamverse.so in $_libdir"
    sv_build_sdk_program "$PL_TMP/$_prog" "$_libdir" "$PL_TMP/cc.err" "$PL_DIR/$_prog.c" "$@" ||
        { cat "$PL_TMP/cc.err"; fail "$_prog.c does not build against the player API"; }
}

pl_json() {
    node "$PL_DIR/json_get.js" "$1" "$2"
}

# Fixture table (scripts/make-test-streams.sh writes fixtures.tsv):
#   name path kind renditions frames fps duration
pl_fixtures() {
    cat "$PL_STREAMS/fixtures.tsv"
}

# pl_fixture NAME - sets FX_PATH FX_KIND FX_RENDITIONS FX_FRAMES FX_FPS FX_DURATION.
pl_fixture() {
    _line=$(awk -F'\t' -v n="$1" '$1 == n' "$PL_STREAMS/fixtures.tsv")
    [ -n "$_line" ] || fail "no fixture $1 in $PL_STREAMS/fixtures.tsv"
    FX_PATH=$(echo "$_line" | cut -f2)
    FX_KIND=$(echo "$_line" | cut -f3)
    FX_RENDITIONS=$(echo "$_line" | cut -f4)
    FX_FRAMES=$(echo "$_line" | cut -f5)
    FX_FPS=$(echo "$_line" | cut -f6)
    FX_DURATION=$(echo "$_line" | cut -f7)
}

# pl_hashes FRAMEMD5 - the hash column of stream 0's lines of a framemd5
# file, one per line.
pl_hashes() {
    grep -v '^#' "$1" | awk -F, 'NF >= 6 && $1 + 0 == 0 { gsub(/ /, "", $6); print $6 }'
}

# pl_expect_error NAME - the run NAME exited 1 with "svplay: error:" on stderr
# and no crash. Returns 0 or prints why not and returns 1.
pl_expect_error() {
    if [ "$PL_RC" -eq 124 ] || [ "$PL_RC" -eq 137 ]; then
        echo "  $1: hung (killed after its time limit)"
        return 1
    fi
    if [ "$PL_RC" -gt 128 ]; then
        echo "  $1: killed by signal $((PL_RC - 128))"
        return 1
    fi
    if [ "$PL_RC" -ne 1 ]; then
        echo "  $1: exit status $PL_RC, expected 1"
        return 1
    fi
    if ! grep -q '^svplay: error: ' "$PL_TMP/$1.err"; then
        echo "  $1: no 'svplay: error:' line on stderr:"
        head -n 5 "$PL_TMP/$1.err" | sed 's/^/    /'
        return 1
    fi
    if grep -qiE 'AddressSanitizer|runtime error:|Segmentation|core dumped' "$PL_TMP/$1.err"; then
        echo "  $1: sanitizer or crash report on stderr"
        return 1
    fi
    echo "  $1: $(grep -m1 '^svplay: error: ' "$PL_TMP/$1.err")"
    return 0
}

# pl_realtime_checks RUN REF [AUDIO_SAMPLES] - the checks of a real-time run
# (svplay ... --realtime --framemd5 $PL_TMP/RUN.md5 --stats $PL_TMP/RUN.json):
# exit 0 and no error; the presented frames' hashes equal REF (a file of
# hashes, one a line) line for line; no frame dropped; no rebuffer;
# max |audio - video| under 40 ms; and, when AUDIO_SAMPLES is given, that
# many audio samples played. Recorded with check; returns nothing.
pl_realtime_checks() {
    _run=$1
    _ref=$2
    _want_audio=${3:-}
    _stats="$PL_TMP/$_run.json"
    if [ "$PL_RC" -ne 0 ] || [ ! -s "$_stats" ]; then
        check 1 "$_run: exit status $PL_RC"
        pl_show "$_run"
        return
    fi
    _err=$(pl_json "$_stats" error)
    [ "$_err" = null ]
    check $? "$_run: no error ($_err)"
    pl_hashes "$PL_TMP/$_run.md5" >"$PL_TMP/$_run.hashes"
    _got=$(wc -l <"$PL_TMP/$_run.hashes")
    _want=$(wc -l <"$_ref")
    if cmp -s "$PL_TMP/$_run.hashes" "$_ref"; then
        check 0 "$_run: $_got/$_want presented frames equal ffmpeg's decode, in order"
    else
        _first=$(diff "$PL_TMP/$_run.hashes" "$_ref" | head -n 1)
        check 1 "$_run: presented frames differ from ffmpeg's ($_got frames, expected $_want; first difference: $_first)"
    fi
    _dropped=$(pl_json "$_stats" dropped_frames)
    [ "$_dropped" = 0 ]
    check $? "$_run: dropped_frames $_dropped"
    _rebuf=$(pl_json "$_stats" rebuffer_count)
    [ "$_rebuf" = 0 ]
    check $? "$_run: rebuffer_count $_rebuf"
    _drift=$(pl_json "$_stats" max_av_drift_s)
    awk -v d="$_drift" 'BEGIN { exit !(d != "" && d + 0 == d && d >= 0 && d < 0.040) }'
    check $? "$_run: max_av_drift_s $_drift < 0.040"
    if [ -n "$_want_audio" ]; then
        _audio=$(pl_json "$_stats" audio_frames)
        [ "$_audio" = "$_want_audio" ]
        check $? "$_run: audio_frames $_audio, ffmpeg decodes $_want_audio samples"
    fi
}

# pl_package_cc_clips DIR - the caption tests' clips ($PL_TMP/cc.mp4, H.264,
# and $PL_TMP/cc_hevc.mp4) packaged by ffmpeg into DIR/hls, DIR/dash,
# DIR/hevc_hls and DIR/hevc_dash (fMP4, 2 s segments), without re-encoding.
pl_package_cc_clips() {
    mkdir -p "$1/hls" "$1/dash" "$1/hevc_hls" "$1/hevc_dash"
    for c in "" hevc_; do
        clip="$PL_TMP/cc${c:+_hevc}.mp4"
        (cd "$1/${c}hls" && ffmpeg -nostdin -v error -i "$clip" -c copy -f hls -hls_time 2 \
            -hls_segment_type fmp4 -hls_playlist_type vod index.m3u8) ||
            fail "ffmpeg could not make the ${c}HLS"
        (cd "$1/${c}dash" && ffmpeg -nostdin -v error -i "$clip" -c copy -seg_duration 2 \
            -f dash manifest.mpd) || fail "ffmpeg could not make the ${c}DASH"
    done
}

# pl_check_captions_on_time WANT STATS - a real-time run's --stats STATS
# against WANT ("start<TAB>end<TAB>text" lines): each caption shown within
# 0.1 s of its start and cleared within 0.1 s of its end, and 0 frames
# dropped (two checks).
pl_check_captions_on_time() {
    python3 -c 'import json, sys
for e in json.load(open(sys.argv[1]))["subtitles"]:
    print("%s\t%s" % (e["position_s"], e["text"].replace("\n", "\\n")))' "$2" >"$PL_TMP/rt.shown"
    bad=$(awk -F'\t' 'NR == FNR { s[NR] = $1; e[NR] = $2; t[NR] = $3; n = NR; next }
                      { for (i = 1; i <= n; i++) {
                            if ($2 == t[i] && $1 - s[i] <= 0.1 && s[i] - $1 <= 0.1) on[i] = 1
                            if ($2 == "" && $1 - e[i] <= 0.1 && e[i] - $1 <= 0.1) off[i] = 1 } }
                      END { for (i = 1; i <= n; i++) if (!on[i] || !off[i]) print t[i] }' \
              "$1" "$PL_TMP/rt.shown")
    [ -z "$bad" ]
    check $? "real time: every caption shown and cleared within 0.1 s of its times${bad:+ (not: $bad)}"
    dropped=$(pl_json "$2" dropped_frames)
    [ "$dropped" -eq 0 ]
    check $? "real time: $dropped frames dropped"
}
