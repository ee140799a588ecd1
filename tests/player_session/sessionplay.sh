# sessionplay.sh - helpers for the player session tests. Sourced after
# tests/backend/backendlib.sh and tests/backend_sessions/sessionslib.sh.
#
#   long_title NAME SECONDS   ingests a SECONDS-long 240p25 lavfi clip (two
#                             rungs, 2 s segments) into $SV_DATA; prints its id
#   svplay_title OUT TITLE [svplay options...]
#                             runs svplay --headless --server $SV_URL --user
#                             alice TITLE; exit status in $rc, stderr in OUT.err
SVPLAY="$SV_BUILD_DIR/apps/svplay/svplay"
[ -x "$SVPLAY" ] || fail "$SVPLAY not built"

long_title() {
    ffmpeg -nostdin -v error -f lavfi -i "testsrc2=size=320x240:rate=25" \
        -f lavfi -i "sine=frequency=440:sample_rate=48000" -t "$2" -c:v libx264 \
        -preset ultrafast -pix_fmt yuv420p -c:a aac -shortest "$SV_TMP/long.mp4" ||
        fail "ffmpeg could not make the clip"
    "$SVSERVER" ingest "$SV_TMP/long.mp4" --title "$1" --data "$SV_DATA" \
        --ladder 240:300,180:150 --segment-seconds 2 --preset ultrafast --log-level warn \
        >"$SV_TMP/ingest.out" 2>"$SV_TMP/ingest.err" ||
        { cat "$SV_TMP/ingest.err" >&2; fail "svserver ingest failed"; }
    tail -n 1 "$SV_TMP/ingest.out"
}

svplay_title() {
    _out=$1
    _title=$2
    shift 2
    rc=0
    "$SVPLAY" --headless --server "$SV_URL" --user alice --password-file "$SV_TMP/pw-alice" \
        "$@" "$_title" >"$_out.out" 2>"$_out.err" || rc=$?
}
