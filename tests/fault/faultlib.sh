# faultlib.sh - shared helpers for the fault server's shell tests. Sourced.
#
#   . "$SV_SOURCE_DIR/tests/fault/faultlib.sh"
#   fs_start --scenario "$FS_SCENARIOS/delay.json"   # sets FS_URL, FS_PORT
#
# Every test gets a private temporary folder ($FS_TMP) with a generated root
# ($FS_ROOT) of known files, a server on 127.0.0.1 that is always killed on
# exit, and bounded waits only.
set -u

: "${SV_BUILD_DIR:?run through ctest (SV_BUILD_DIR unset)}"
: "${SV_SOURCE_DIR:?run through ctest (SV_SOURCE_DIR unset)}"
FS_BIN="$SV_BUILD_DIR/tests/support/sv-faultsrv"
FS_SCENARIOS="$SV_SOURCE_DIR/tests/fault/scenarios"

if ! command -v curl >/dev/null 2>&1; then
    echo "FAIL: curl is missing; run scripts/install-deps.sh" >&2
    exit 1
fi
[ -x "$FS_BIN" ] || { echo "FAIL: $FS_BIN not built" >&2; exit 1; }

FS_TMP=$(mktemp -d "${TMPDIR:-/tmp}/sv-fault.XXXXXX") || exit 1
FS_ROOT="$FS_TMP/www"
FS_LOG="$FS_TMP/log.jsonl"
FS_PID=""

# On exit, stop the server the way a user would (SIGTERM) and require a
# clean exit 0: under ASan+UBSan a leak or an error report fails the test
# even when every assertion passed.
fs_cleanup() {
    _status=$?
    if [ -n "$FS_PID" ]; then
        kill -TERM "$FS_PID" 2>/dev/null
        _rc=0
        wait "$FS_PID" || _rc=$?
        FS_PID=""
        if [ "$_rc" -ne 0 ] && [ "$_status" -eq 0 ]; then
            echo "FAIL: sv-faultsrv exited with status $_rc" >&2
            cat "$FS_TMP/server.err" >&2
            _status=1
        fi
    fi
    rm -rf "$FS_TMP"
    exit "$_status"
}
trap fs_cleanup EXIT
trap 'exit 1' HUP INT TERM

fail() {
    echo "FAIL: $*" >&2
    if [ -s "$FS_TMP/server.err" ]; then
        echo "--- sv-faultsrv stderr:" >&2
        cat "$FS_TMP/server.err" >&2
    fi
    if [ -n "$FS_PID" ]; then
        echo "--- request log:" >&2
        curl -s --max-time 2 "$FS_URL/_fault/log" >&2
    fi
    exit 1
}

ok() {
    echo "ok: $*"
}

# expect_eq WHAT ACTUAL EXPECTED
expect_eq() {
    [ "$2" = "$3" ] || fail "$1: got '$2', expected '$3'"
    ok "$1 = $3"
}

# expect_ge WHAT ACTUAL MIN (decimal numbers)
expect_ge() {
    awk -v a="$2" -v b="$3" 'BEGIN { exit !(a + 0 >= b + 0) }' ||
        fail "$1: got $2, expected at least $3"
    ok "$1 = $2 >= $3"
}

# expect_le WHAT ACTUAL MAX (decimal numbers)
expect_le() {
    awk -v a="$2" -v b="$3" 'BEGIN { exit !(a + 0 <= b + 0) }' ||
        fail "$1: got $2, expected at most $3"
    ok "$1 = $2 <= $3"
}

# expect_contains WHAT TEXT NEEDLE
expect_contains() {
    case "$2" in
        *"$3"*) ok "$1 contains '$3'" ;;
        *) fail "$1: '$2' does not contain '$3'" ;;
    esac
}

# The generated root: files of known sizes and contents. data.bin is 2000
# lines of "%09d\n", 20000 bytes, so byte k is on line k/10.
fs_make_root() {
    mkdir -p "$FS_ROOT/video" "$FS_ROOT/sub"
    awk 'BEGIN { for (i = 0; i < 2000; i++) printf "%09d\n", i }' >"$FS_ROOT/data.bin"
    cp "$FS_ROOT/data.bin" "$FS_ROOT/video/seg-1.m4s"
    cp "$FS_ROOT/data.bin" "$FS_ROOT/video/seg-2.m4s"
    printf '#EXTM3U\n#EXT-X-VERSION:7\n' >"$FS_ROOT/master.m3u8"
    printf 'inside\n' >"$FS_ROOT/sub/inside.txt"
    # Outside the root: no request may ever read it.
    printf 'secret\n' >"$FS_TMP/secret.txt"
}

# fs_start [sv-faultsrv options...] - starts the server on 127.0.0.1 with a
# free port, waits (at most 5 s) for its port file, sets FS_PORT and FS_URL.
fs_start() {
    [ -d "$FS_ROOT" ] || fs_make_root
    rm -f "$FS_TMP/port"
    "$FS_BIN" --root "$FS_ROOT" --listen 127.0.0.1:0 --port-file "$FS_TMP/port" \
        --log "$FS_LOG" "$@" 2>"$FS_TMP/server.err" &
    FS_PID=$!
    _i=0
    while [ ! -s "$FS_TMP/port" ]; do
        _i=$((_i + 1))
        if ! kill -0 "$FS_PID" 2>/dev/null; then
            wait "$FS_PID"
            FS_PID=""
            fail "sv-faultsrv exited during start-up"
        fi
        [ "$_i" -le 100 ] || fail "sv-faultsrv did not write its port file within 5 s"
        sleep 0.05
    done
    FS_PORT=$(cat "$FS_TMP/port")
    FS_URL="http://127.0.0.1:$FS_PORT"
}

# fs_log - the request log from the control endpoint, without the timing
# fields, so lines can be compared exactly.
fs_log() {
    curl -s --max-time 5 "$FS_URL/_fault/log" | sed 's/"t_ms":[0-9]*,"dur_ms":[0-9]*,//'
}

# fs_wait_log N - waits (at most 5 s) until the log has N entries. A response
# is logged when it ends, which can be a moment after the client has given up.
fs_wait_log() {
    _i=0
    while [ "$(curl -s --max-time 5 "$FS_URL/_fault/log" | wc -l)" -lt "$1" ]; do
        _i=$((_i + 1))
        [ "$_i" -le 100 ] || fail "the log did not reach $1 entries within 5 s"
        sleep 0.05
    done
}

# fs_curl OUTVAR [curl args...] - runs curl, stores its -w output in OUTVAR
# and its exit code in FS_RC (curl's failure is data here, not an error).
fs_curl() {
    _var=$1
    shift
    FS_RC=0
    _out=$(curl -s "$@") || FS_RC=$?
    eval "$_var=\$_out"
}

# fs_control METHOD PATH [BODY] - a control request; sets FS_BODY (the JSON
# answer, without its final newline) and FS_CODE (the status).
fs_control() {
    if [ $# -ge 3 ]; then
        FS_CODE=$(curl -s -o "$FS_TMP/control" -w '%{http_code}' -X "$1" --data-binary "$3" \
            "$FS_URL$2")
    else
        FS_CODE=$(curl -s -o "$FS_TMP/control" -w '%{http_code}' -X "$1" "$FS_URL$2")
    fi
    FS_BODY=$(cat "$FS_TMP/control")
}
