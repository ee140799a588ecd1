#!/bin/sh
# Two players in one process (public API only): tests/player/two_players.c is
# built here, like a device maker's program, against include/streamverse and
# libstreamverse, then plays the fMP4 HLS and the Shaka DASH fixtures at once.
#   two_players.sh LIBSTREAMVERSE_DIR
# Built at test time, not by CMake, so a player API that is not implemented
# yet fails this test instead of the whole build.
. "$SV_SOURCE_DIR/tests/player/playlib.sh"
libdir=${1:-$SV_BUILD_DIR}

pl_build_sdk_program two_players

pl_serve
pl_fixture hls_fmp4
a="$PL_URL/$FX_PATH"
fa=$FX_FRAMES
pl_fixture shaka_dash
b="$PL_URL/$FX_PATH"
fb=$FX_FRAMES
timeout -k 5 90 "$PL_TMP/two_players" "$a" "$fa" "$b" "$fb"
rc=$?
[ "$rc" -eq 0 ] || fail "two_players exited $rc"
