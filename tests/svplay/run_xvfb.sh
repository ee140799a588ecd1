#!/bin/sh
# Usage: run_xvfb.sh COMMAND [ARGS...]
# Runs COMMAND with DISPLAY set to a private Xvfb server. -displayfd lets the
# server pick a free display itself, so parallel tests never collide.
set -u
for tool in Xvfb ffmpeg; do
    command -v "$tool" >/dev/null 2>&1 ||
        { echo "FAIL: $tool missing: run scripts/install-deps.sh"; exit 1; }
done
tmp=$(mktemp -d)
Xvfb -displayfd 3 -screen 0 1024x768x24 -nolisten tcp 3>"$tmp/display" 2>"$tmp/xvfb.log" &
xpid=$!
i=0
while [ ! -s "$tmp/display" ] && [ $i -lt 100 ]; do
    sleep 0.1
    i=$((i + 1))
done
if [ ! -s "$tmp/display" ]; then
    echo "FAIL: Xvfb did not start:"; cat "$tmp/xvfb.log"
    kill "$xpid" 2>/dev/null; rm -rf "$tmp"; exit 1
fi
DISPLAY=":$(cat "$tmp/display")"
export DISPLAY
echo "Xvfb on $DISPLAY"
"$@"
rc=$?
kill "$xpid" 2>/dev/null
wait "$xpid" 2>/dev/null
rm -rf "$tmp"
exit $rc
