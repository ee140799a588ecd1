# cdnlib.sh - helpers for the player's multi-CDN tests. Sourced after
# tests/backend/backendlib.sh (which gives $SV_TMP, $SV_DATA, $SVSERVER,
# fail/ok/expect_*, json_get and the cleanup trap).
#
#   cdn_title SECONDS      a title at least SECONDS long (180p lavfi, one
#                          rung, 2 s segments, audio) in $SV_DATA, before
#                          sv_start: a copy of the data folder the fixture
#                          player_cdn_title made (cdn_fixture.sh); prints
#                          the title id
#   play_start ARGS...     runs svplay --headless --stats $SV_TMP/stats.json
#                          ARGS in the background (PLAY_PID)
#   play_wait SECONDS      waits at most SECONDS for svplay to exit; sets
#                          PLAY_RC, fails the test if it is still running
#   stat PATH              one value of the --stats JSON (.cdn_changes[0].to)
#   count_records ARRAY    the length of a --stats array (.cdn_changes)
#   wait_for SECONDS CMD.. runs CMD every 0.1 s until it succeeds; 1 on timeout
#
# svplay is killed on exit if it still runs; callers chain their own
# cleanup through PLAY_CLEANUP_EXTRA (a command run before svplay is reaped).

SVPLAY="$SV_BUILD_DIR/apps/svplay/svplay"
[ -x "$SVPLAY" ] || fail "$SVPLAY not built"
command -v ffmpeg >/dev/null 2>&1 || fail "ffmpeg is missing; run scripts/install-deps.sh"

PLAY_PID=""
PLAY_RC=""
PLAY_STATS="$SV_TMP/stats.json"
PLAY_CLEANUP_EXTRA=":"

cdn_cleanup() {
    _st=$?
    if [ -n "$PLAY_PID" ]; then
        kill -KILL "$PLAY_PID" 2>/dev/null
        wait "$PLAY_PID" 2>/dev/null
        PLAY_PID=""
    fi
    eval "$PLAY_CLEANUP_EXTRA"
    (exit $_st)
    sv_cleanup
}
trap cdn_cleanup EXIT

cdn_title() {
    _f="$SV_BUILD_DIR/tests/player_cdn/title"
    [ -s "$_f/id" ] && [ -s "$_f/seconds" ] ||
        fail "no title in $_f: run the test through ctest (fixture player_cdn_title)"
    [ "$1" -le "$(cat "$_f/seconds")" ] ||
        fail "a $1 s title asked for; the fixture's is $(cat "$_f/seconds") s (cdn_fixture.sh)"
    rm -rf "$SV_DATA"
    cp -R "$_f/data" "$SV_DATA" || fail "cannot copy $_f/data"
    cat "$_f/id"
}

play_start() {
    rm -f "$PLAY_STATS"
    "$SVPLAY" --headless --quiet --log-level info --stats "$PLAY_STATS" "$@" \
        >"$SV_TMP/play.out" 2>"$SV_TMP/play.err" &
    PLAY_PID=$!
    PLAY_T0=$(date +%s.%N)
}

# Seconds since play_start, with one decimal.
play_elapsed() {
    awk -v a="$PLAY_T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'
}

play_running() {
    [ -n "$PLAY_PID" ] && kill -0 "$PLAY_PID" 2>/dev/null
}

play_wait() {
    _i=0
    _max=$(($1 * 10))
    while play_running; do
        _i=$((_i + 1))
        if [ "$_i" -gt "$_max" ]; then
            echo "--- svplay stderr (last 20 lines):" >&2
            tail -n 20 "$SV_TMP/play.err" >&2
            fail "svplay still runs after $1 s (a hang)"
        fi
        sleep 0.1
    done
    PLAY_RC=0
    wait "$PLAY_PID" || PLAY_RC=$?
    PLAY_PID=""
}

stat() {
    "$RAWCLIENT" json "$PLAY_STATS" "$1"
}

count_records() {
    _n=0
    while [ "$(stat "$1[$_n]")" != null ]; do
        _n=$((_n + 1))
    done
    echo "$_n"
}

wait_for() {
    _limit=$(($1 * 10))
    shift
    _i=0
    until "$@"; do
        _i=$((_i + 1))
        [ "$_i" -le "$_limit" ] || return 1
        sleep 0.1
    done
}

# expect_le WHAT ACTUAL MAX (decimal numbers); backendlib has expect_ge.
expect_le() {
    awk -v a="$2" -v b="$3" 'BEGIN { exit !(a + 0 <= b + 0) }' ||
        fail "$1: got $2, expected at most $3"
    ok "$1 = $2 <= $3"
}

# dump_play - svplay's stderr and stats, for a failure message.
dump_play() {
    echo "--- svplay stderr (last 30 lines):" >&2
    tail -n 30 "$SV_TMP/play.err" >&2
    [ -f "$PLAY_STATS" ] && { echo "--- stats:" >&2; cat "$PLAY_STATS" >&2; }
}
