#!/bin/sh
# Cross-builds Streamverse for ARM and runs its tests there under qemu-user
# (make test-arm). For each architecture: configure with
# cmake/toolchain-<arch>.cmake on the sysroot of scripts/install-cross-deps.sh,
# build with -Werror, then run under qemu
#   - the unit tests and the fuzz targets' seed corpora (labels unit, fuzz;
#     not pg, not slow);
#   - headless playback: svplay's framemd5 of a local clip, and
#     player_bitexact, every rendition of every fixture over HTTP from
#     sv-faultsrv, frame hashes equal to the host ffmpeg's framemd5;
#   - backend ingest: media_ladder, an 11 s 360p clip through the media
#     pipeline, served by svserver and decoded by the host's ffmpeg.
# Prints the wall time of each architecture at the end.
#
#   scripts/test-arm.sh [ARCH...]    ARCH: arm64, armhf (default both)
#
# Environment: JOBS (parallel build and test jobs, default nproc),
# ARM_BUILD_PREFIX (default build-: build-arm64, build-armhf, and the player
# fixtures in build-arm-test-streams unless SV_TEST_STREAMS says otherwise),
# CTEST_FLAGS (default --output-on-failure --timeout 600),
# ARM_INTEGRATION (a CTest regex for the integration tests; default the three
# above; empty runs the unit tests only).
set -eu
cd "$(dirname "$0")/.."

JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
PREFIX=${ARM_BUILD_PREFIX:-build-}
CTEST_FLAGS=${CTEST_FLAGS:---output-on-failure --timeout 600}
INTEGRATION=${ARM_INTEGRATION-^(test_svplay_framemd5|player_bitexact|media_ladder)\$}
# test_sdl2_library builds and runs a program against the installed .pc files
# with the host's pkg-config: a packaging check, the same for every
# architecture, that the native `make test` runs.
UNIT_EXCLUDE='^test_sdl2_library$'
# The player's fixtures are made by the host's tools, the same for every
# architecture: made once (scripts/make-test-streams.sh caches them).
SV_TEST_STREAMS=${SV_TEST_STREAMS:-$PWD/${PREFIX}arm-test-streams}
export SV_TEST_STREAMS

toolchain_of() {
    case $1 in
        arm64) echo cmake/toolchain-aarch64.cmake ;;
        armhf) echo cmake/toolchain-armhf.cmake ;;
        *) echo "test-arm: unknown architecture '$1' (expected arm64 or armhf)" >&2; exit 2 ;;
    esac
}

archs=${*:-arm64 armhf}
for a in $archs; do
    toolchain_of "$a" >/dev/null
done

summary=""
for a in $archs; do
    dir="$PREFIX$a"
    start=$(date +%s)
    echo "=== $a: configure and build in $dir"
    # shellcheck disable=SC2086
    cmake -S . -B "$dir" -DCMAKE_TOOLCHAIN_FILE="$(toolchain_of "$a")" \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSV_WERROR=ON ${CMAKE_FLAGS:-}
    cmake --build "$dir" -j"$JOBS"
    built=$(date +%s)
    echo "=== $a: unit tests and fuzz corpora under qemu"
    # shellcheck disable=SC2086
    (cd "$dir" && ctest $CTEST_FLAGS -L 'unit|fuzz' -LE 'slow|pg' -E "$UNIT_EXCLUDE" -j"$JOBS")
    if [ -n "$INTEGRATION" ]; then
        echo "=== $a: playback and ingest under qemu"
        # shellcheck disable=SC2086
        (cd "$dir" && ctest $CTEST_FLAGS -R "$INTEGRATION" -j"$JOBS")
    fi
    end=$(date +%s)
    line="$a: build $((built - start)) s, tests $((end - built)) s, total $((end - start)) s"
    echo "=== $line"
    summary="$summary$line
"
done
printf 'test-arm wall times\n%s' "$summary"
