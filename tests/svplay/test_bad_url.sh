#!/bin/sh
# A URL nobody answers (port 1 on loopback) is a playback error: exit 1 and
# "svplay: error:" with the player's message, never a hang; so is an empty
# manifest, named as such. Needs the core.
set -u
: "${SV_BUILD_DIR:?}"
svplay="$SV_BUILD_DIR/apps/svplay/svplay"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
for url in http://127.0.0.1:1/x.m3u8 http://127.0.0.1:1/x.mpd; do
    timeout 30 "$svplay" --headless --stats "$tmp/stats.json" "$url" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ $rc -ne 1 ]; then
        echo "FAIL: svplay $url exited $rc, want 1: $(cat "$tmp/err")"; fails=$((fails + 1))
    fi
    if ! grep -q "^svplay: error: ." "$tmp/err"; then
        echo "FAIL: svplay $url: no 'svplay: error:' line: $(cat "$tmp/err")"; fails=$((fails + 1))
    fi
    grep -q '"code": -' "$tmp/stats.json" ||
        { echo "FAIL: $url: stats without an error code"; fails=$((fails + 1)); }
done
# An empty manifest (a 0-byte file) says so, not "invalid argument".
for ext in mpd m3u8; do
    : >"$tmp/empty.$ext"
    timeout 30 "$svplay" --headless "$tmp/empty.$ext" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    grep -q "^svplay: error: empty manifest .*empty\.$ext: the answer has 0 bytes" "$tmp/err" &&
        [ $rc -eq 1 ] ||
        { echo "FAIL: an empty .$ext: exit $rc, $(cat "$tmp/err")"; fails=$((fails + 1)); }
done
[ "$fails" -eq 0 ] && echo "bad URLs: exit 1 with a message"
[ "$fails" -eq 0 ]
