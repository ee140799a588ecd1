#!/bin/sh
# Live latency held by the playback rate, the pitch kept, a seek back into
# the DVR window and the return to the live edge (issue 17), through the
# public API only: tests/player/live_dvr.c is built here against
# include/streamverse and libstreamverse (like two_players.sh), and plays
# ffmpeg's low-latency DASH (tests/player/live_ll_dash_gen.sh, served by
# tests/support/llserve.js); live_dvr.c says what it checks.
#   live_dvr.sh LIBSTREAMVERSE_DIR
. "$SV_SOURCE_DIR/tests/player/playlib.sh"
. "$SV_SOURCE_DIR/tests/support/livegen.sh"
libdir=${1:-$SV_BUILD_DIR}
: "${CC:=cc}"
ls "$libdir"/libstreamverse.so* >/dev/null 2>&1 || fail "no libstreamverse.so in $libdir"
if ! "$CC" -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Wshadow -Wstrict-prototypes \
        -Wmissing-prototypes -Wformat=2 -Wvla -Werror -I"$SV_SOURCE_DIR/include" \
        -o "$PL_TMP/live_dvr" "$PL_DIR/live_dvr.c" \
        -L"$libdir" -Wl,-rpath,"$libdir" -lstreamverse -lpthread -lm 2>"$PL_TMP/cc.err"; then
    cat "$PL_TMP/cc.err"
    fail "live_dvr.c does not build against the player API"
fi

live="$PL_TMP/live"
mkdir -p "$live"
pl_llserve "$live"
sh "$PL_DIR/live_ll_dash_gen.sh" "$live" "$LL_URL/time" 60 2>"$PL_TMP/gen.err" &
gen=$!
PL_PIDS="$PL_PIDS $gen"
livegen_wait "$gen" "$live" 25 "$PL_TMP/gen.err"
timeout -k 5 90 "$PL_TMP/live_dvr" "$LL_URL/manifest.mpd"
rc=$?
kill -TERM "$gen" 2>/dev/null
wait "$gen" 2>/dev/null
[ "$rc" -eq 0 ] || fail "live_dvr exited $rc"
echo "ok: live_dvr"
