#!/bin/sh
# Issue 19, item 3, the third-party check: the ad breaks svserver writes into
# a title's manifests are the same timed events for Shaka Player (npm, in
# Debian's headless Chromium) as for svplay.
#
#   svserver_breaks_shaka.sh PATH_TO_SVSERVER PATH_TO_SVPLAY
#
# Ingests a 10 s clip, places two breaks through the API (3.2 s for 2 s and
# 6 s for 1.5 s, the second with a class of its own), then plays
# manifest.mpd and master.m3u8 with Shaka (timelineregionadded for the DASH
# EventStream, metadataadded for the HLS EXT-X-DATERANGE tags) and with
# svplay --events in real time. Both must list the two breaks with the same
# start and end (within 1 ms), and svplay's SCTE-35 must name each break.
set -eu
: "${SV_SOURCE_DIR:?run through ctest (SV_SOURCE_DIR unset)}"
: "${SV_BUILD_DIR:?run through ctest (SV_BUILD_DIR unset)}"
svserver=$1
svplay=$2
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
[ -x "$svplay" ] || fail "$svplay is not built"
command -v ffmpeg >/dev/null 2>&1 || fail "ffmpeg is missing: run scripts/install-deps.sh"
command -v node >/dev/null 2>&1 || fail "node is missing: run scripts/install-deps.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sv-breaks.XXXXXX")
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
mkdir -p "$tmp/data"
"$svserver" ingest "$tmp/clip.mp4" --title "Breaks" --data "$tmp/data" \
    >"$tmp/ingest.out" 2>&1 </dev/null || { cat "$tmp/ingest.out" >&2; fail "svserver ingest failed"; }
id=$(tail -n 1 "$tmp/ingest.out" | tr -d '\r[:space:]')
echo "pw-admin-secret" >"$tmp/pw"
"$svserver" user add admin --password-file "$tmp/pw" --region FR --max-streams 4 --role admin \
    --data "$tmp/data" \
    >/dev/null 2>&1 || fail "svserver user add failed"

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
token=$(curl -s --max-time 10 -H 'Content-Type: application/json' \
    -d '{"name":"admin","password":"pw-admin-secret"}' "$base/api/v1/auth/login" |
    sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
[ -n "$token" ] || fail "cannot log the admin in"
for body in '{"at_s":3.2,"duration_s":2}' '{"at_s":6,"duration_s":1.5,"class":"com.example.slot"}'; do
    code=$(curl -s --max-time 10 -o "$tmp/break.json" -w '%{http_code}' -X POST \
        -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d "$body" \
        "$base/api/v1/titles/$id/breaks")
    [ "$code" = 201 ] || fail "POST breaks $body: HTTP $code $(cat "$tmp/break.json")"
done
echo "ok: title $id with two breaks at $base"

failed=0
for manifest in manifest.mpd master.m3u8; do
    url="$base/media/$id/$manifest"
    timeout -k 5 60 "$svplay" --headless --events "$tmp/svplay.jsonl" "$url" \
        >"$tmp/svplay.out" 2>&1 || fail "svplay $url: $(tail -n 5 "$tmp/svplay.out")"
    rc=0
    node "$here/browser_play.js" --player shaka --url "$url" --rate 4 \
        --json-out "$tmp/summary.json" >/dev/null || rc=$?
    [ -f "$tmp/summary.json" ] || fail "browser_play.js wrote no summary for $url (exit $rc)"
    if ! node - "$tmp/summary.json" "$tmp/svplay.jsonl" "$manifest" <<'JS'
'use strict';
const fs = require('fs');
const [summaryFile, eventsFile, manifest] = process.argv.slice(2);
const s = JSON.parse(fs.readFileSync(summaryFile, 'utf8'));
const ours = fs.readFileSync(eventsFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
// Shaka: the EventStream's regions (DASH); for HLS the regions (and the
// metadata) it makes of each DATERANGE, scheme the CLASS, once per media
// playlist: keep each ID once.
const seen = new Set();
const shaka = (s.timeline || []).filter((t) => manifest.endsWith('.mpd')
  ? t.kind === 'region' && t.scheme === 'urn:scte:scte35:2013:bin'
  : /^sv-break-/.test(t.id))
  .filter((t) => { const k = t.id + '@' + t.start; if (seen.has(k)) return false; seen.add(k); return true; })
  .sort((a, b) => a.start - b.start);
const mine = ours.sort((a, b) => a.start_s - b.start_s);
const show = (l) => l.map((t) => `${t.id}@${(t.start ?? t.start_s).toFixed(3)}-` +
  `${(t.end ?? (t.start_s + t.duration_s)).toFixed(3)}`).join(' ');
console.log(`${manifest}: Shaka ${s.version}: ${show(shaka)}; svplay: ${show(mine)}`);
let ok = s.ok !== false && (s.errors || []).length === 0 && shaka.length === 2 && mine.length === 2;
for (let i = 0; ok && i < 2; i++) {
  const a = shaka[i], b = mine[i];
  ok = Math.abs(a.start - b.start_s) < 0.001 && Math.abs(a.end - (b.start_s + b.duration_s)) < 0.001 &&
       b.scte35 && b.scte35.command === 'splice_insert' && b.scte35.out_of_network === true &&
       String(b.scte35.event_id) === String(a.id).replace('sv-break-', '');
}
process.exit(ok ? 0 : 1);
JS
    then
        echo "FAIL $manifest: Shaka and svplay differ"
        failed=$((failed + 1))
    else
        echo "ok   $manifest: Shaka and svplay report the same two breaks"
    fi
    rm -f "$tmp/summary.json" "$tmp/svplay.jsonl"
done
echo "$((2 - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
