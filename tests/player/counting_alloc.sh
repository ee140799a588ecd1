#!/bin/sh
# The allocator promise at run time: tests/player/counting_alloc.c, built here
# against the public headers and libstreamverse like a host's program, plays
# the fMP4 HLS and the multi-period DASH fixtures headless with a counting
# allocator in the settings and checks that every allocation the player made
# went through it and was freed.
#   counting_alloc.sh LIBSTREAMVERSE_DIR
. "$SV_SOURCE_DIR/tests/player/playlib.sh"
libdir=${1:-$SV_BUILD_DIR}

pl_build_sdk_program counting_alloc

pl_serve
# HLS fMP4 and a multi-period DASH MPD: both manifest parsers, the model and
# the period switch.
for fx in hls_fmp4 multiperiod; do
    pl_fixture "$fx"
    timeout -k 5 90 "$PL_TMP/counting_alloc" "$PL_URL/$FX_PATH" "$FX_FRAMES"
    rc=$?
    [ "$rc" -eq 0 ] || fail "counting_alloc exited $rc on $fx"
done
