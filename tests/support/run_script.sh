#!/bin/sh
# run_script.sh SCRIPT [ARG...] - how CTest runs every shell test
# (sv_script_test, tests/CMakeLists.txt): sh SCRIPT ARG..., at the niceness
# SV_TEST_NICE when the test sets it. sv_test_batch() gives encoding-bound
# tests SV_TEST_NICE=10, so that when the machine is busy the real-time
# tests beside them (players at their own pace, heartbeats, failover
# deadlines) get the CPU first; the batch tests only finish a little later.
[ $# -ge 1 ] || { echo "usage: run_script.sh SCRIPT [ARG...]" >&2; exit 2; }
case "${SV_TEST_NICE:-}" in
    '') exec sh "$@" ;;
    *[!0-9]*) echo "run_script.sh: SV_TEST_NICE '$SV_TEST_NICE' is not a niceness (0-19)" >&2; exit 2 ;;
    *) exec nice -n "$SV_TEST_NICE" sh "$@" ;;
esac
