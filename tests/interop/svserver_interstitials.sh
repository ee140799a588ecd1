#!/bin/sh
# Issue 19, item 4, the third-party check: an interstitial svserver places
# (an ad break playing another catalog title) plays in hls.js 1.7 (Apple's
# HLS interstitials) and in Shaka Player (DASH multi-Period ad insertion) in
# Debian's headless Chromium, at the same positions svplay reports.
#
#   svserver_interstitials.sh PATH_TO_SVSERVER PATH_TO_SVPLAY
#   (svserver: the build's, as tests/backend/backendlib.sh finds it)
#
# Ingests a 6 s title and a 2 s ad (2 s segments), places the ad at 2.7 s
# (svserver moves it to 2.0, the nearest segment start), then:
#   - hls.js plays master.m3u8: the interstitial sv-break-<id> starts at
#     primary time 2.0 for the ad's duration, resumes at 2.0, plays the ad's
#     master (X-ASSET-URI: the public URL of the title's ads/ link) from its
#     start to its end, then the primary resumes and plays to its end (6 s);
#   - Shaka plays manifest.mpd to its end (8 s: the ad is a Period of its
#     own), and reports the ad Period's SCTE-35 Event from 2.0 to 4.0;
#   - svplay --events in real time reports that Event at 2.000;
#   - svplay plays master.m3u8 (the SDK's HLS interstitials) and reaches the
#     positions hls.js reaches: the break starts at the title's 2.0 for the
#     ad's 2 s, through the same ads/ URL, and the title resumes at 2.0.
. "$SV_SOURCE_DIR/tests/backend/backendlib.sh"
svplay=$2
here="$SV_SOURCE_DIR/tests/interop"
[ -x "$svplay" ] || fail "$svplay is not built"
command -v ffmpeg >/dev/null 2>&1 || fail "ffmpeg is missing: run scripts/install-deps.sh"
command -v node >/dev/null 2>&1 || fail "node is missing: run scripts/install-deps.sh"

ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x240:rate=25:duration=6 \
    -f lavfi -i sine=frequency=440:sample_rate=48000:duration=6 \
    -c:v libx264 -preset veryfast -pix_fmt yuv420p -c:a aac -b:a 96k "$SV_TMP/title.mp4" ||
    fail "ffmpeg could not make the title"
ffmpeg -nostdin -v error -f lavfi -i smptebars=size=320x240:rate=25:duration=2 \
    -f lavfi -i sine=frequency=880:sample_rate=48000:duration=2 \
    -c:v libx264 -preset veryfast -pix_fmt yuv420p -c:a aac -b:a 96k "$SV_TMP/ad.mp4" ||
    fail "ffmpeg could not make the ad"
ingest() {
    "$SVSERVER" ingest "$1" --title "$2" --segment-seconds 2 --preset ultrafast \
        --data "$SV_DATA" >"$SV_TMP/ingest.out" 2>&1 </dev/null ||
        { cat "$SV_TMP/ingest.out" >&2; fail "svserver ingest $1 failed"; }
    tail -n 1 "$SV_TMP/ingest.out" | tr -d '\r[:space:]'
}
id=$(ingest "$SV_TMP/title.mp4" "Film")
ad=$(ingest "$SV_TMP/ad.mp4" "Ad")

# hls.js 1.7 resolves X-ASSET-URI against the page, not the playlist: svserver
# names the ad by its public URL (public-url), so its port is chosen first.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
sv_start --listen "127.0.0.1:$port" --public-url "http://127.0.0.1:$port"
sv_user admin admin
token=$(sv_token admin)
[ -n "$token" ] || fail "cannot log the admin in"
req code -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d "{\"at_s\":2.7,\"asset_title_id\":$ad}" "$SV_URL/api/v1/titles/$id/breaks"
[ "$code" = 201 ] || fail "POST breaks: HTTP $code $(cat "$SV_TMP/body")"
echo "ok: title $id with the ad $ad as an interstitial: $(cat "$SV_TMP/body")"
base=$SV_URL
tmp=$SV_TMP

failed=0
check() { # NAME MANIFEST PLAYER
    name=$1
    url="$base/media/$id/$2"
    rc=0
    node "$here/browser_play.js" --player "$3" --url "$url" \
        --json-out "$tmp/$name.json" >/dev/null || rc=$?
    [ -f "$tmp/$name.json" ] || fail "browser_play.js wrote no summary for $url (exit $rc)"
    if node - "$tmp/$name.json" "$tmp/svplay.jsonl" "$2" "$ad" "$tmp/svplay_hls.jsonl" <<'JS'
'use strict';
const fs = require('fs');
const [summaryFile, eventsFile, manifest, ad, hlsEventsFile] = process.argv.slice(2);
const s = JSON.parse(fs.readFileSync(summaryFile, 'utf8'));
const ours = fs.readFileSync(eventsFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const oursHls = fs.readFileSync(hlsEventsFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l))
  .filter((e) => e.source === 'interstitial');
const near = (a, b) => typeof a === 'number' && Math.abs(a - b) < 0.05;
const problems = [];
if ((s.errors || []).length)
  problems.push('errors: ' + JSON.stringify(s.errors));
if (ours.length !== 1 || !near(ours[0].start_s, 2))
  problems.push('svplay: ' + JSON.stringify(ours.map((e) => [e.id, e.start_s])));
if (manifest.endsWith('.mpd')) {
  const r = (s.timeline || []).filter((t) => t.kind === 'region' && t.scheme === 'urn:scte:scte35:2013:bin');
  console.log(`${manifest}: Shaka ${s.version}: ended ${s.ended}, duration ${s.duration}, ` +
    `currentTime ${s.currentTime}, regions ${JSON.stringify(r.map((t) => [t.id, t.start, t.end]))}`);
  if (!s.ended || !near(s.duration, 8) || !near(s.currentTime, 8))
    problems.push('Shaka did not play the 8 s of title and ad to the end');
  if (r.length !== 1 || !near(r[0].start, 2) || !near(r[0].end, 4) || r[0].id !== String(ours[0].id))
    problems.push('Shaka: the ad Period\'s Event is not the break from 2 to 4 s');
} else {
  const steps = (s.interstitials || []).map((e) => e.kind);
  console.log(`${manifest}: hls.js ${s.version}: ended ${s.ended}, currentTime ${s.currentTime}, ` +
    `interstitials ${JSON.stringify(s.interstitials)}`);
  const started = (s.interstitials || []).find((e) => e.kind === 'started');
  const asset = (s.interstitials || []).find((e) => e.kind === 'asset-started');
  const resumed = (s.interstitials || []).find((e) => e.kind === 'primary-resumed');
  if (!started || started.id !== 'sv-break-' + ours[0].id || !near(started.start, 2) ||
      !near(started.duration, 2) || !near(started.resume, 2))
    problems.push('hls.js: no interstitial sv-break-' + ours[0].id + ' at 2 s for 2 s resuming at 2 s');
  if (!asset || !/^http:\/\/127\.0\.0\.1:\d+\/media\/\d+\/ads\/\d+\/master\.m3u8$/.test(asset.uri) ||
      !String(asset.uri).endsWith(`/ads/${ad}/master.m3u8`))
    problems.push('hls.js: the ad\'s master through the ads/ link did not start');
  if (['started', 'asset-started', 'asset-ended', 'ended', 'primary-resumed']
      .some((k, i) => steps.indexOf(k) < 0 || (i && steps.indexOf(k) < steps.indexOf(['started', 'asset-started', 'asset-ended', 'ended', 'primary-resumed'][i - 1]))))
    problems.push('hls.js: steps ' + steps.join(','));
  if (!resumed || !near(resumed.primary, 2))
    problems.push('hls.js: the title did not resume at 2 s (' + (resumed && resumed.primary) + ')');
  if (!s.ended || !near(s.currentTime, 6))
    problems.push('hls.js did not play the title to its end after the ad');
  // svplay (the SDK's interstitials) at the positions hls.js reached.
  const ourStart = oursHls.find((e) => e.kind === 'start');
  const ourEnd = oursHls.find((e) => e.kind === 'end');
  console.log(`${manifest}: svplay: ${JSON.stringify(oursHls.map((e) => [e.kind, e.id, e.position_s, e.duration_s]))}`);
  if (!ourStart || !started || ourStart.id !== started.id || !near(ourStart.position_s, started.start))
    problems.push('svplay: the interstitial did not start where hls.js\'s did');
  if (!ourEnd || !resumed || !near(ourEnd.position_s, resumed.primary) || ourEnd.error)
    problems.push('svplay: the title did not resume where hls.js resumed it');
  if (!ourEnd || !near(ourEnd.duration_s, started.duration))
    problems.push('svplay: the ad did not play for as long as in hls.js');
  if (!ourStart || !asset || ourStart.asset_uri !== asset.uri)
    problems.push('svplay: not the asset URI hls.js played (' + (ourStart && ourStart.asset_uri) + ')');
}
problems.forEach((p) => console.log('  ' + p));
process.exit(problems.length ? 1 : 0);
JS
    then
        echo "ok   $name"
    else
        echo "FAIL $name"
        failed=$((failed + 1))
    fi
}

timeout -k 5 60 "$svplay" --headless --events "$tmp/svplay.jsonl" "$base/media/$id/manifest.mpd" \
    >"$tmp/svplay.out" 2>&1 || fail "svplay: $(tail -n 5 "$tmp/svplay.out")"
timeout -k 5 60 "$svplay" --headless --quality 0 --events "$tmp/svplay_hls.jsonl" \
    "$base/media/$id/master.m3u8" >"$tmp/svplay_hls.out" 2>&1 ||
    fail "svplay (HLS): $(tail -n 5 "$tmp/svplay_hls.out")"
check shaka-dash manifest.mpd shaka
check hlsjs-hls master.m3u8 hlsjs
echo "$((2 - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
