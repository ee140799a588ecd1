#!/bin/sh
# run_script.sh SCRIPT [ARG...] - how CTest runs every shell test
# (sv_script_test, tests/CMakeLists.txt): sh SCRIPT ARG..., at the niceness
# SV_TEST_NICE when the test sets it. sv_test_batch() gives encoding-bound
# tests SV_TEST_NICE=10, so that when the machine is busy the real-time
# tests beside them (players at their own pace, heartbeats, failover
# deadlines) get the CPU first; the batch tests only finish a little later.
# sv_test_realtime() gives playbacks held to 0 dropped frames and live tests
# a negative one (SV_TEST_NICE_REALTIME, tests/CMakeLists.txt), used only
# where the user may raise a priority (root, as on CI).
#
# SV_TEST_TIMES=FILE (optional, for measuring the suite): append one line
# per test to FILE, "WALL USER SYS EXIT NAME" in seconds, from /usr/bin/time:
# the CPU of every process the test waited for, not of servers outside it
# (the PostgreSQL cluster). NAME is SV_TEST_NAME (set by sv_script_test),
# else the script. docs/testing.md, "How make test fits in its time".
[ $# -ge 1 ] || { echo "usage: run_script.sh SCRIPT [ARG...]" >&2; exit 2; }
_script=$1
case "${SV_TEST_NICE:-}" in
    '') set -- sh "$@" ;;
    -[0-9] | -1[0-9] | -20)
        # A raised priority (sv_test_realtime) where the user may set one
        # (root, CAP_SYS_NICE; GNU nice runs the command even when it may
        # not, so ask the niceness it got); elsewhere the test runs at its own.
        if [ "$(nice -n "$SV_TEST_NICE" nice 2>/dev/null)" -lt "$(nice)" ] 2>/dev/null; then
            set -- nice -n "$SV_TEST_NICE" sh "$@"
        else
            set -- sh "$@"
        fi ;;
    *[!0-9]*) echo "run_script.sh: SV_TEST_NICE '$SV_TEST_NICE' is not a niceness (-20-19)" >&2; exit 2 ;;
    *) set -- nice -n "$SV_TEST_NICE" sh "$@" ;;
esac
# Only the real-time tests run above niceness 0: every other test loses
# CAP_SYS_NICE where setpriv may drop it (root), so nothing it starts can
# raise its own priority. Chromium does when it may (its browser and GPU
# processes at -8), and the browser tests' Chromiums then competed with the
# real-time tests' frames as near equals.
case "${SV_TEST_NICE:-0}" in
    -*) ;;
    *)
        if setpriv --bounding-set=-sys_nice --inh-caps=-sys_nice true 2>/dev/null; then
            set -- setpriv --bounding-set=-sys_nice --inh-caps=-sys_nice "$@"
        fi ;;
esac
if [ -n "${SV_TEST_TIMES:-}" ]; then
    [ -x /usr/bin/time ] || { echo "run_script.sh: SV_TEST_TIMES needs /usr/bin/time (package time)" >&2; exit 2; }
    _name=${SV_TEST_NAME:-$_script}
    case "$_name" in *%*) _name=$(printf '%s' "$_name" | sed 's/%/%%/g') ;; esac
    set -- /usr/bin/time -a -o "$SV_TEST_TIMES" -f "%e %U %S %x $_name" "$@"
fi
exec "$@"
