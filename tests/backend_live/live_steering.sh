#!/bin/sh
# A live channel behind two real nginx CDN edges with content steering
# (docs/live.md, "CDN edges and steering"; backend/deploy/nginx-edge.conf):
#   - the session's master playlist has EXT-X-CONTENT-STEERING and every
#     variant once per edge (PATHWAY-ID, URIs on the edge), its MPD a
#     ContentSteering element and a BaseURL per edge, both private;
#   - through an edge: the live routes want the edge token (403 without);
#     a playlist asked without _HLS_msn is never served from the cache; a
#     blocking reload is held until its part lands and the same one asked
#     again is a cache HIT; parts are cached; the segment being written is
#     relayed whole and not kept, the complete one then is;
#   - svplay plays the session's LL-HLS through the edges (steering,
#     blocking reloads and parts on the edge), without an error.
. "$SV_SOURCE_DIR/tests/backend/backendlib.sh"
. "$SV_SOURCE_DIR/tests/backend_live/livelib.sh"
. "$SV_SOURCE_DIR/tests/backend_sessions/sessionslib.sh"
SVPLAY=${SV_SVPLAY:-$SV_BUILD_DIR/apps/svplay/svplay}
[ -x "$SVPLAY" ] || fail "svplay is not built: $SVPLAY"
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] ||
    fail "nginx is missing; run scripts/install-deps.sh (nginx-light)"
EDGES="$SV_SOURCE_DIR/scripts/edges.sh"
trap '_st=$?; sh "$EDGES" stop "$SV_TMP/edges" >/dev/null 2>&1; (exit $_st); sv_cleanup' EXIT
# nginx workers of a root master run as nobody: let them into the folder.
chmod 755 "$SV_TMP"

live_clip 320x240 40
live_admin
add_user alice FR 4
# The edges need the origin's port, the origin needs the edges' list. The test's own
# session sends no heartbeat: an interval that outlasts the test (3 x 30 s).
sv_start --workers 0
port=$SV_PORT
CDNS=$(sh "$EDGES" start "$SV_TMP/edges" "$SV_URL" "$EDGE_SECRET" 2) || fail "edges.sh start failed"
sv_stop || fail "svserver did not stop cleanly"
sv_start --listen "127.0.0.1:$port" --workers 0 --token-secret "$SECRET" --media-auth token \
    --edge-secret "$EDGE_SECRET" --cdns "$CDNS" --heartbeat-interval 30
E1=$(echo "$CDNS" | sed 's/^edge1=\([^,]*\),.*/\1/')
E2=$(echo "$CDNS" | sed 's/.*,edge2=//')
live_token
live_ports
live_channel cdn '{"ladder":"240:400","end_after_s":20}'
live_publish rtmp "$SV_TMP/clip-320x240.mkv" "$SV_TMP/pub.log"

i=0
while :; do
    req code -H "Authorization: Bearer $LIVE_TOKEN" "$SV_URL/api/v1/channels/cdn"
    title=$(json_get .title_id 2>/dev/null || true)
    [ "$(json_get .state 2>/dev/null)" = live ] && [ -n "$title" ] && [ "$title" != null ] && break
    i=$((i + 1))
    [ "$i" -le 100 ] || fail "the channel has no live title after 20 s"
    sleep 0.2
done
login alice
start "$title" tv1
expect_eq "playback/start of the live title" "$code" 201
expect_contains "the media query has the edge token" "$MQ" "&md5="
SID1=$SID
MQ1=$MQ
i=0
while :; do
    req code "$SV_URL/live/cdn/240p/index.m3u8?$MQ1"
    [ "$code" = 200 ] && [ "$(grep -c '^seg-' "$SV_TMP/body")" -ge 2 ] && break
    i=$((i + 1))
    [ "$i" -le 150 ] || fail "fewer than 2 segments after 30 s (last $code)"
    sleep 0.2
done

# The session's manifests, rewritten for the edges and steering.
req code "$SV_URL/live/cdn/master.m3u8?$MQ1"
expect_eq "master playlist" "$code" 200
cp "$SV_TMP/body" "$SV_TMP/master.m3u8"
expect_eq "master: private" "$(header Cache-Control)" "private, no-store"
expect_contains "master: EXT-X-CONTENT-STEERING" "$(cat "$SV_TMP/master.m3u8")" \
    "#EXT-X-CONTENT-STEERING:SERVER-URI=\"/api/v1/steering?session=$SID1\",PATHWAY-ID=\"edge1\""
for e in edge1 edge2; do
    expect_eq "master: variants on $e" \
        "$(grep -c "^#EXT-X-STREAM-INF:.*PATHWAY-ID=\"$e\"" "$SV_TMP/master.m3u8")" 1
done
expect_contains "master: the variant's playlist on edge1" "$(cat "$SV_TMP/master.m3u8")" \
    "$E1/live/cdn/240p/index.m3u8"
expect_contains "master: the variant's playlist on edge2" "$(cat "$SV_TMP/master.m3u8")" \
    "$E2/live/cdn/240p/index.m3u8"
req code "$SV_URL/live/cdn/manifest.mpd?$MQ1"
expect_eq "MPD" "$code" 200
expect_contains "MPD: ContentSteering" "$(cat "$SV_TMP/body")" \
    "<ContentSteering defaultServiceLocation=\"edge1\""
expect_contains "MPD: edge1's BaseURL" "$(cat "$SV_TMP/body")" \
    "serviceLocation=\"edge1\""
expect_contains "MPD: the BaseURL is the channel's folder on the edge" "$(cat "$SV_TMP/body")" \
    "$E1/live/cdn/</BaseURL>"
expect_contains "MPD: still dynamic" "$(cat "$SV_TMP/body")" 'type="dynamic"'
req code "$SV_URL/live/cdn/master.m3u8"
expect_eq "master without a token" "$code" 403
ok "the live manifests carry the steering tags and the edges"

# Through edge1.
req code "$E1/live/cdn/240p/index.m3u8?${MQ1%%&*}"
expect_eq "edge1 without the edge token" "$code" 403
for n in 1 2; do
    req code "$E1/live/cdn/240p/index.m3u8?$MQ1"
    expect_eq "a plain playlist through edge1 ($n)" "$code $(header X-Cache-Status)" "200 BYPASS"
done
hint=$(sed -n 's/^#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part-\([0-9]*\)\.\([0-9]*\)\.m4s"$/\1 \2/p' \
    "$SV_TMP/body")
[ -n "$hint" ] || fail "no preload hint in the playlist"
# The part after the hinted one (it lands a part duration, 0.4 s, after
# it), but never a segment's last: its segment must still be growing when
# it is asked for below.
msn=${hint% *}
part=$((${hint#* } + 1))
if [ "$part" -ge 3 ]; then
    msn=$((msn + 1))
    part=0
fi
t0=$(date +%s%N)
req code "$E1/live/cdn/240p/index.m3u8?_HLS_msn=$msn&_HLS_part=$part&$MQ1"
held=$((($(date +%s%N) - t0) / 1000000))
expect_eq "a blocking reload through edge1" "$code $(header X-Cache-Status)" "200 MISS"
expect_contains "it lists the part it waited for" "$(cat "$SV_TMP/body")" \
    "URI=\"part-$msn.$part.m4s\""
echo "the blocking reload was held $held ms"
expect_ge "held until the part landed (ms)" "$held" 250
# Asked again within its second: from the cache.
req code "$E1/live/cdn/240p/index.m3u8?_HLS_msn=$msn&_HLS_part=$part&$MQ1"
expect_eq "the same blocking reload again" "$code $(header X-Cache-Status)" "200 HIT"
# The segment of that part is still being written (two parts or more to
# come): relayed chunked as it grows, whole, and not kept; once complete,
# cached.
req code "$E1/live/cdn/240p/seg-$msn.m4s?$MQ1"
expect_eq "the growing segment through edge1" "$code $(header X-Cache-Status)" "200 MISS"
expect_eq "relayed chunked" "$(header Transfer-Encoding)" chunked
cp "$SV_TMP/body" "$SV_TMP/grown.m4s"
req code "$SV_URL/live/cdn/240p/seg-$msn.m4s?$MQ1"
expect_eq "the segment from the origin" "$code" 200
cmp -s "$SV_TMP/grown.m4s" "$SV_TMP/body" || fail "the edge relayed another seg-$msn.m4s"
req code "$E1/live/cdn/240p/part-$msn.$part.m4s?$MQ1"
expect_eq "the part through edge1" "$code $(header X-Cache-Status)" "200 MISS"
req code "$E1/live/cdn/240p/part-$msn.$part.m4s?$MQ1"
expect_eq "the part again" "$code $(header X-Cache-Status)" "200 HIT"
req code "$E1/live/cdn/240p/seg-$msn.m4s?$MQ1"
expect_eq "the complete segment through edge1" "$code $(header X-Cache-Status)" "200 MISS"
req code "$E1/live/cdn/240p/seg-$msn.m4s?$MQ1"
expect_eq "the complete segment again" "$code $(header X-Cache-Status)" "200 HIT"
ok "edge1 passes blocking reloads and the growing segment through, caches what is done"

# svplay plays the session's LL-HLS on the edges (6 s at 30 fps).
rc=0
timeout -k 5 60 "$SVPLAY" --headless --server "$SV_URL" --user alice \
    --password-file "$SV_TMP/pw-alice" --hls --frames 180 --stats "$SV_TMP/play.json" \
    "$title" >"$SV_TMP/play.out" 2>"$SV_TMP/play.err" || rc=$?
[ "$rc" = 0 ] || fail "svplay exited $rc: $(tail -n 5 "$SV_TMP/play.err")"
python3 - "$SV_TMP/play.json" <<'PY' || fail "svplay's stats: see above"
import json, sys
s = json.load(open(sys.argv[1]))
print(f"svplay on the edges: {s['decoded_frames']} frames decoded, {s['dropped_frames']} "
      f"dropped, played {s['played_s']:.2f} s, latency p50 {s['live_latency_p50_s']:.3f} s, "
      f"rebuffers {s['rebuffer_count']}")
bad = []
if s["error"] is not None: bad.append(f"error {s['error']}")
if s["decoded_frames"] < 180: bad.append("fewer than 180 frames decoded")
if not s["played_s"] > 4: bad.append("the position did not advance 4 s")
if bad:
    print("FAIL: " + ", ".join(bad)); sys.exit(1)
PY
log="$SV_TMP/edges/edge1/access.log"
blocking=$(grep 'GET /live/cdn/[a-z0-9]*/index.m3u8?' "$log" | grep -c '_HLS_msn=' || true)
parts=$(grep -c 'GET /live/cdn/[a-z0-9]*/part-' "$log" || true)
echo "edge1 served $blocking blocking playlist reloads and $parts parts"
expect_ge "blocking reloads through edge1" "$blocking" 10
expect_ge "parts through edge1" "$parts" 10
ok "svplay played the live session through the edges"
