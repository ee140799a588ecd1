#!/bin/sh
# Runs every libFuzzer target of a build made with -DSV_FUZZ=ON for a fixed
# time each, starting from its seed corpus (tests/fuzz/corpus/<target>/).
# New inputs go to a scratch corpus; crashes are kept in tests/fuzz/crashes/.
# Usage: scripts/run-fuzzers.sh BUILD_DIR SECONDS
set -eu
build=${1:?usage: run-fuzzers.sh BUILD_DIR SECONDS}
seconds=${2:-60}
src=$(cd "$(dirname "$0")/.." && pwd)
crashes="$src/tests/fuzz/crashes"
mkdir -p "$crashes"
found=0
failed=0
for bin in $(find "$build" -type f -perm -u+x -name 'fuzz_*' | sort); do
    name=$(basename "$bin")
    seeds="$src/tests/fuzz/corpus/$name"
    work=$(mktemp -d)
    found=$((found + 1))
    echo "== $name ($seconds s)"
    if ! "$bin" -max_total_time="$seconds" -artifact_prefix="$crashes/$name-" \
            -print_final_stats=1 "$work" "$seeds" 2>"$work.log"; then
        tail -40 "$work.log"
        failed=$((failed + 1))
    else
        grep -E 'stat::number_of_executed_units|cov:' "$work.log" | tail -2
    fi
    rm -rf "$work" "$work.log"
done
[ "$found" -gt 0 ] || { echo "no fuzz targets in $build (configure with -DSV_FUZZ=ON)"; exit 1; }
echo "$((found - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
