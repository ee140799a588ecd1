#!/bin/sh
# make demo: ingests a demo title into a local svserver (once), serves it on a
# loopback port and plays it with svplay: in a window when a display is
# available, headless with a stats summary otherwise.
#
#   scripts/demo.sh [BUILD_DIR]
set -eu
build=${1:-build}
svserver="$build/apps/svserver/svserver"
svplay="$build/apps/svplay/svplay"
data="$build/demo-data"
for b in "$svserver" "$svplay"; do
    [ -x "$b" ] || { echo "demo: $b is missing: run make build" >&2; exit 1; }
done
mkdir -p "$data"
tmp=$(mktemp -d)
server_pid=""
cleanup() {
    [ -n "$server_pid" ] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

id_file="$data/demo-title-id"
if [ ! -s "$id_file" ]; then
    echo "demo: making a 30 s 1080p test clip and ingesting it (one time)..."
    ffmpeg -loglevel error -f lavfi -i testsrc2=size=1920x1080:rate=30 \
        -f lavfi -i "sine=frequency=440:sample_rate=48000" -t 30 \
        -c:v libx264 -preset veryfast -crf 20 -c:a aac -shortest "$tmp/demo.mp4"
    "$svserver" ingest "$tmp/demo.mp4" --title "Streamverse demo" --genre Demo \
        --synopsis "testsrc2 colour bars and a 440 Hz tone" --data "$data" | tail -n 1 >"$id_file"
fi
id=$(cat "$id_file")

"$svserver" --listen 127.0.0.1:0 --data "$data" >"$tmp/server.log" 2>&1 &
server_pid=$!
i=0
while ! grep -q 'listening on http://' "$tmp/server.log"; do
    i=$((i + 1))
    [ "$i" -le 100 ] || { cat "$tmp/server.log" >&2; echo "demo: svserver did not start" >&2; exit 1; }
    sleep 0.1
done
base=$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$tmp/server.log" | head -n 1)
url="$base/media/$id/master.m3u8"
echo "demo: playing $url"
if [ -n "${DISPLAY:-}" ]; then
    "$svplay" "$url"
else
    "$svplay" --headless --stats "$tmp/stats.json" "$url"
    echo "demo: no display; headless playback stats:"
    cat "$tmp/stats.json"
fi
