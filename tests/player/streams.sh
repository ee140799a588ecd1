#!/bin/sh
# Fixture set-up for the player tests: scripts/make-test-streams.sh into
# $SV_BUILD_DIR/test-streams (cached; instant when nothing changed), then a
# look at what every later test relies on.
#   streams.sh [GROUP...]   (default: core)
set -eu
: "${SV_BUILD_DIR:?run through ctest (SV_BUILD_DIR unset)}"
: "${SV_SOURCE_DIR:?run through ctest (SV_SOURCE_DIR unset)}"
out="${SV_TEST_STREAMS:-$SV_BUILD_DIR/test-streams}"
# The npm tools (Shaka Packager) go where scripts/install-npm-tools.sh puts
# them under CTest: $SV_BUILD_DIR/npm-tools.
"$SV_SOURCE_DIR/scripts/make-test-streams.sh" "$out" "$@"
for g in ${*:-core}; do
    case "$g" in
        core)
            n=$(wc -l <"$out/fixtures.tsv")
            [ "$n" -eq 9 ] || { echo "FAIL: $n fixtures, expected 9"; exit 1; }
            while IFS='	' read -r name path kind reps frames fps dur; do
                [ -f "$out/www/$path" ] || { echo "FAIL: $name: $path missing"; exit 1; }
                echo "ok   $name: $path ($kind, $reps video renditions, $frames frames, $dur s)"
            done <"$out/fixtures.tsv"
            ;;
        long) [ -f "$out/www/long/manifest.mpd" ] || { echo "FAIL: long fixture missing"; exit 1; }
              echo "ok   long: long/manifest.mpd (60 s)" ;;
        bench) [ -f "$out/www/bench1080/clip.mp4" ] || { echo "FAIL: bench fixture missing"; exit 1; }
               echo "ok   bench: bench1080/clip.mp4, bench1080/master.m3u8" ;;
    esac
done
