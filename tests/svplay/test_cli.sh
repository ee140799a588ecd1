#!/bin/sh
# svplay's command line without playing anything: --help names every
# option, usage errors exit 2, a missing local file exits 1 with
# "svplay: error:". Needs SV_BUILD_DIR.
set -u
: "${SV_BUILD_DIR:?}"
. "$SV_SOURCE_DIR/tests/support/target.sh"
svplay=$(target_program "$SV_BUILD_DIR/apps/svplay/svplay")
[ -x "$svplay" ] || { echo "FAIL: $svplay not built"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

"$svplay" --help >"$tmp/help" 2>&1 || fail "--help exited $?"
for opt in --headless --benchmark --start --frames --abr --quality --max-height --stats \
           --framemd5 --realtime --license-url --key --volume --mute --fullscreen \
           --log-level --quiet --help --version --next --gapless; do
    grep -q -- "$opt" "$tmp/help" || fail "--help does not mention $opt"
done
grep -q "hybrid" "$tmp/help" || fail "--help does not list the ABR rules"
"$svplay" --version >"$tmp/version" 2>&1 || fail "--version exited $?"
grep -q "^svplay [0-9]" "$tmp/version" || fail "--version printed: $(cat "$tmp/version")"

# expect_exit CODE PATTERN ARGS...: exit code and a message on stderr.
expect_exit() {
    want=$1 pattern=$2
    shift 2
    "$svplay" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    got=$?
    [ "$got" -eq "$want" ] || fail "svplay $* exited $got, want $want: $(cat "$tmp/err")"
    grep -q -- "$pattern" "$tmp/err" || fail "svplay $*: no '$pattern' in: $(cat "$tmp/err")"
}
expect_exit 2 "unknown option" --bogus x.m3u8
expect_exit 2 "no URL" --headless
# More URLs are a playlist (issue 19): a title id of --server stays one.
expect_exit 2 "one title id only" --server http://127.0.0.1:9 --user a 1 2
expect_exit 2 "plays URLs, not titles" --server http://127.0.0.1:9 --user a --next x.m3u8 1
expect_exit 2 "empty --next URL" --next "" x.m3u8
expect_exit 2 "empty URL" x.m3u8 ""
expect_exit 2 "needs a value" x.m3u8 --frames
expect_exit 2 "invalid value" --frames abc x.m3u8
expect_exit 2 "invalid value" --frames 0 x.m3u8
expect_exit 2 "invalid value '101' for --volume: a number from 0 to 100" --volume 101 x.m3u8
expect_exit 2 "invalid value" --start -1 x.m3u8
expect_exit 2 "invalid value" --quality -2 x.m3u8
expect_exit 2 "invalid value" --log-level loud x.m3u8
expect_exit 2 "unknown ABR rule" --abr nosuchrule x.m3u8
expect_exit 2 "invalid --key" --key 00112233:44 x.m3u8
expect_exit 2 "'h265' is not a codec" --codecs av1,h265 x.m3u8
expect_exit 2 "an empty entry" --codecs av1,,h264 x.m3u8
expect_exit 2 "'av1' given twice" --codecs av1,h264,av1 x.m3u8
# --server without a title is the windowed catalog: headless it is a usage error.
expect_exit 2 "catalog, which needs a window" --server http://127.0.0.1:9 --user a --headless
expect_exit 2 "catalog, which needs a window" --server http://127.0.0.1:9 --user a --framemd5 -
# A missing local file is a playback error, reported before any player work.
expect_exit 1 "svplay: error: .*nonexistent.mpd" --headless "$tmp/nonexistent.mpd"
expect_exit 1 "svplay: error:" --headless "$tmp"
# --stats is written on failure too, with the error and the exit code.
"$svplay" --headless --quiet --stats "$tmp/stats.json" "$tmp/nonexistent.m3u8" 2>/dev/null
[ $? -eq 1 ] || fail "missing file with --stats did not exit 1"
grep -q '"exit_code": 1' "$tmp/stats.json" || fail "stats: no exit_code 1: $(cat "$tmp/stats.json")"
grep -q '"message": ".*nonexistent.m3u8' "$tmp/stats.json" || fail "stats: no error message"

[ "$fails" -eq 0 ] && echo "svplay CLI: all checks passed"
[ "$fails" -eq 0 ]
