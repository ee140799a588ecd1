#!/bin/sh
# Bad input is refused cleanly: for each case svplay exits 1 (not a crash, not
# a hang) with one "svplay: error: ..." line on stderr, and the stats file,
# when written, carries the error. Usage errors exit 2.
. "$SV_SOURCE_DIR/tests/player/playlib.sh"

pl_serve
# Segments of one fixture answer 404 for good: the player retries (bounded)
# and then gives up with an error instead of waiting forever.
pl_rules '[{"name":"segments-gone","match":"/hls_fmp4/*.m4s","status":404},
           {"name":"manifest-500","match":"/errors/http500.mpd","status":500}]'

expect_error() {
    name=$1
    url=$2
    stats="$PL_TMP/$name.json"
    pl_play "$name" 30 --headless --benchmark --stats "$stats" "$url"
    pl_expect_error "$name"
    _r=$?
    if [ "$_r" -eq 0 ] && [ -s "$stats" ]; then
        e=$(pl_json "$stats" error.message)
        if [ "$e" = undefined ] || [ "$e" = null ]; then
            echo "  $name: stats file has no error object"
            _r=1
        fi
    fi
    check "$_r" "$name: $url"
}

expect_error bad-url-syntax "http://"
expect_error bad-url-refused "http://127.0.0.1:1/nothing.m3u8"
expect_error no-such-file "$PL_TMP/no/such/file.mp4"
expect_error http-404-m3u8 "$PL_URL/errors/nothere.m3u8"
expect_error http-404-mpd "$PL_URL/errors/nothere.mpd"
expect_error http-500-mpd "$PL_URL/errors/http500.mpd"
expect_error garbage-m3u8 "$PL_URL/errors/garbage.m3u8"
expect_error truncated-m3u8 "$PL_URL/errors/truncated.m3u8"
expect_error garbage-mpd "$PL_URL/errors/garbage.mpd"
expect_error not-an-mpd "$PL_URL/errors/notmpd.mpd"
expect_error truncated-mpd "$PL_URL/errors/truncated.mpd"
expect_error unsupported-codec "$PL_URL/errors/badcodec.mp4"
expect_error segments-404 "$PL_URL/hls_fmp4/master.m3u8"

# A --quality beyond the ladder is refused with the ladder's range, not
# clamped to its top.
pl_play quality-beyond 30 --headless --benchmark --quality 9 "$PL_URL/hls_ts/master.m3u8"
pl_expect_error quality-beyond &&
    grep -q "quality 9 is beyond the ladder of .*: it has [0-9]* video representation(s), 0\.\.[0-9]" \
        "$PL_TMP/quality-beyond.err"
check $? "--quality 9 on a short ladder: $(cat "$PL_TMP/quality-beyond.err")"

# Usage errors: exit 2, nothing played.
pl_play usage-none 10
[ "$PL_RC" -eq 2 ]
check $? "no arguments: exit $PL_RC (want 2)"
pl_play usage-unknown 10 --no-such-option "$PL_URL/mp4/clip.mp4"
[ "$PL_RC" -eq 2 ]
check $? "unknown option: exit $PL_RC (want 2)"
pl_play usage-frames 10 --headless --frames nonsense "$PL_URL/mp4/clip.mp4"
[ "$PL_RC" -eq 2 ]
check $? "--frames nonsense: exit $PL_RC (want 2)"
pl_play help 10 --help
[ "$PL_RC" -eq 0 ] && cat "$PL_TMP/help.out" "$PL_TMP/help.err" | grep -q -- '--framemd5'
check $? "--help: exit $PL_RC, lists --framemd5"
pl_finish
