#!/bin/sh
# Issue 3, Done-when: Shaka Player (npm) in Debian's headless Chromium plays
# the DASH and the HLS that svserver publishes, over HTTP from svserver, to
# the end with no error event.
#
#   svserver_shaka.sh PATH_TO_SVSERVER
#
# Ingests a 10 s 640x360 lavfi clip with `svserver ingest` into a fresh data
# folder, starts `svserver --listen 127.0.0.1:0` on it, and plays
# /media/<id>/manifest.mpd and /media/<id>/master.m3u8, and checks that Shaka
# reads the trick-play tracks and the thumbnail tiles (getThumbnails). The test page comes
# from sv-faultsrv on another port, so this also proves svserver's CORS
# headers work for a browser player.
set -eu
: "${SV_SOURCE_DIR:?run through ctest (SV_SOURCE_DIR unset)}"
: "${SV_BUILD_DIR:?run through ctest (SV_BUILD_DIR unset)}"
svserver=$1
here="$SV_SOURCE_DIR/tests/interop"

fail() {
    echo "FAIL: $*" >&2
    if [ -s "${tmp:-/nonexistent}/server.err" ]; then
        echo "--- svserver output:" >&2
        tail -n 30 "$tmp/server.err" >&2
    fi
    exit 1
}
[ -x "$svserver" ] || fail "$svserver is not built"
command -v ffmpeg >/dev/null 2>&1 || fail "ffmpeg is missing: run scripts/install-deps.sh"
command -v node >/dev/null 2>&1 || fail "node is missing: run scripts/install-deps.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sv-svshaka.XXXXXX")
pid=""
cleanup() {
    status=$?
    if [ -n "$pid" ]; then
        kill -TERM "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=640x360:rate=25:duration=10 \
    -f lavfi -i sine=frequency=440:sample_rate=48000:duration=10 \
    -c:v libx264 -preset veryfast -pix_fmt yuv420p -c:a aac -b:a 96k "$tmp/clip.mp4"

# Ingest first: the command prints the title id on its last line.
mkdir -p "$tmp/data"
"$svserver" ingest "$tmp/clip.mp4" --title "Interop clip" --data "$tmp/data" \
    >"$tmp/ingest.out" 2>&1 </dev/null || { cat "$tmp/ingest.out" >&2; fail "svserver ingest failed"; }
id=$(tail -n 1 "$tmp/ingest.out" | tr -d '\r[:space:]')
[ -n "$id" ] || fail "svserver ingest printed no title id"
echo "ok: ingested as title '$id'"

"$svserver" --listen 127.0.0.1:0 --data "$tmp/data" >"$tmp/server.err" 2>&1 </dev/null &
pid=$!
base=""
i=0
while [ -z "$base" ]; do
    i=$((i + 1))
    kill -0 "$pid" 2>/dev/null || { pid=""; fail "svserver exited during start-up"; }
    [ "$i" -le 200 ] || fail "svserver printed no 'listening on' line within 10 s"
    base=$(sed -n 's/.*listening on \(http:\/\/127\.0\.0\.1:[0-9][0-9]*\).*/\1/p' "$tmp/server.err" | head -n 1)
    [ -n "$base" ] || sleep 0.05
done
echo "ok: svserver at $base"

failed=0
for manifest in manifest.mpd master.m3u8; do
    url="$base/media/$id/$manifest"
    rc=0
    node "$here/browser_play.js" --player shaka --url "$url" --rate 4 --trick 8@1:0.5 \
        --json-out "$tmp/summary.json" >/dev/null || rc=$?
    [ -f "$tmp/summary.json" ] || fail "browser_play.js wrote no summary for $url (exit $rc)"
    if ! node "$here/check_summary.js" "$tmp/summary.json" --duration 10; then
        cat "$tmp/summary.json"
        failed=$((failed + 1))
    # Shaka read the trick-play tracks (each rung's key frames by byte range
    # from 0 in its first segment) and the thumbnail tiles: the thumbnail for
    # 5 s is cell 2 (2 s apart) of tile 1, 160 wide, at x = 320.
    elif ! node -e '
        const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
        const bad = [];
        if (s.trickModes.length < 1) bad.push("no trick-play stream");
        for (const t of s.trickModes)
            if (!t.first || t.first.startByte !== 0 || !(t.first.endByte > 0) ||
                !/\/seg-1\.m4s$/.test(t.first.uri))
                bad.push("trick-play stream " + JSON.stringify(t));
        // HLS gives the layout per tile (EXT-X-TILES), so Shaka has none on
        // the track; the thumbnail below shows it was read.
        const hls = process.argv[2].endsWith(".m3u8");
        if (s.imageTracks.length !== 1 ||
            s.imageTracks[0].tilesLayout !== (hls ? null : "5x5"))
            bad.push("image tracks " + JSON.stringify(s.imageTracks));
        const th = s.thumbnails.find(x => x.time === 5);
        if (!th || th.none || th.width !== 160 || th.positionX !== 320 || th.positionY !== 0 ||
            !/\/thumbs\/tile-1\.jpg$/.test(th.uri))
            bad.push("thumbnail at 5 s " + JSON.stringify(th));
        // Trick play at 8x for 0.5 s: the key frames fetched by byte range
        // from the segments (the trick-play stream), the position moved on.
        const tr = s.trick || {};
        const ranged = (tr.requests || []).filter(r => r.during && r.range &&
            /^bytes=0-[0-9]+$/.test(r.range) && /\/video\/[^\/]+\/seg-[0-9]+\.m4s$/.test(r.uri));
        if (tr.phase !== "done" || !(tr.endPos - tr.startPos >= 1.5) || ranged.length < 1)
            bad.push("trick play " + JSON.stringify(tr));
        if (bad.length) { console.error(bad.join("\n")); process.exit(1); }
        console.log("ok: Shaka " + s.version + ": " + s.trickModes.length +
                    " trick-play streams, thumbnail at 5 s " + JSON.stringify(th) +
                    "; trickPlay(8) from " + tr.startPos.toFixed(2) + " s to " +
                    tr.endPos.toFixed(2) + " s in " + (tr.endMs - tr.startMs) + " ms, " +
                    ranged.length + " key frames fetched by range: " +
                    ranged.map(r => r.uri.replace(/.*\/video\//, "") + " " + r.range).join(", "));
    ' "$tmp/summary.json" "$manifest"; then
        echo "FAIL: $manifest: Shaka did not read the trick-play or thumbnail tracks" >&2
        failed=$((failed + 1))
    fi
    rm -f "$tmp/summary.json"
done
echo "$((2 - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
