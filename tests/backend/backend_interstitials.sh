#!/bin/sh
# Interstitial ad breaks through svserver (issue 19, item 4): an admin places
# a break that plays another catalog title (POST /api/v1/titles/{id}/breaks
# with asset_title_id). The break moves to the title's nearest video segment
# boundary and takes the asset's duration; the HLS media playlists get an
# interstitial EXT-X-DATERANGE whose X-ASSET-URI reaches the asset through
# the title's own folder; the MPD becomes three Periods (the title to the
# break, the asset, the title from the break). Bad requests are refused with
# the rule they broke. Then svplay plays the MPD: every frame equals ffmpeg's
# decode of the title's first segments, then the asset's, then the title's
# rest; and a viewer's session plays it in real time: the break's SCTE-35
# Event comes at the ad's first frame with no frame dropped, and the player
# reports the breaks it reached to the backend, which counts them.
. "$SV_SOURCE_DIR/tests/backend/backendlib.sh"

command -v ffmpeg >/dev/null 2>&1 || fail "ffmpeg is missing; run scripts/install-deps.sh"
SVPLAY="$SV_BUILD_DIR/apps/svplay/svplay"
[ -x "$SVPLAY" ] || fail "svplay is not built"

sv_ad_setup
B="$SV_URL/api/v1/titles/$id/breaks"
J='Content-Type: application/json'

req code -X POST -H "$J" -H "$ADMIN" -d "{\"at_s\":1,\"asset_title_id\":$id}" "$B"
expect_contains "its own interstitial refused" "$code $(json_get .error.message)" \
    "400 a title cannot be its own interstitial"
req code -X POST -H "$J" -H "$ADMIN" -d '{"at_s":1,"asset_title_id":999}' "$B"
expect_contains "unknown asset refused" "$code $(json_get .error.message)" \
    "400 the asset title 999 does not exist"
req code -X POST -H "$J" -H "$ADMIN" -d "{\"at_s\":1,\"duration_s\":5,\"asset_title_id\":$ad}" "$B"
expect_contains "a duration of its own refused" "$code $(json_get .error.message)" \
    "400 an interstitial's duration_s is its asset title's"
req code -X POST -H "$J" -H "$ADMIN" -d "{\"at_s\":1,\"class\":\"x\",\"asset_title_id\":$ad}" "$B"
expect_eq "another class refused" "$code" 400
req code -X POST -H "$J" -H "$ADMIN" -d '{"at_s":1,"asset_title_id":"2"}' "$B"
expect_eq "an asset id that is not a number refused" "$code" 400

# 2.7 s is nearest the boundary at 2 s.
req code -X POST -H "$J" -H "$ADMIN" -d "{\"at_s\":2.7,\"asset_title_id\":$ad}" "$B"
expect_eq "interstitial placed" "$code" 201
b=$(json_get .id)
expect_eq "moved to the segment boundary" "$(json_get .at_s)" 2.0
expect_eq "its class" "$(json_get .class)" com.apple.hls.interstitial
expect_eq "its asset" "$(json_get .asset_title_id)" "$ad"
ad_s=$(json_get .duration_s)
awk -v d="$ad_s" 'BEGIN { exit !(d >= 1.95 && d <= 2.1) }' || fail "the ad's duration is $ad_s, not about 2 s"
ok "its duration is the ad's: $ad_s s"
req code -X POST -H "$J" -H "$ADMIN" -d "{\"at_s\":2.1,\"asset_title_id\":$ad}" "$B"
expect_eq "a second one at the same boundary refused" "$code $(json_get .error.code)" "409 break_overlaps"
req code -X POST -H "$J" -H "$ADMIN" -d "{\"at_s\":1,\"asset_title_id\":$id}" \
    "$SV_URL/api/v1/titles/$ad/breaks"
expect_contains "a title with interstitials is no asset" "$code $(json_get .error.message)" \
    "409 the asset title $id has interstitials of its own"
req code -X POST -H "$J" -H "$ADMIN" -d '{"at_s":4.5,"duration_s":1}' "$B"
expect_eq "a signalled break beside it" "$code" 201
b2=$(json_get .id)

# HLS: the interstitial in every media playlist, its asset reachable through
# the title's folder (so the title's media token and CDN prefix cover it).
expect_eq "the link" "$(readlink "$dir/ads/$ad")" "../../$ad"
lists=$(grep -v '^#' "$dir/master.m3u8"
        grep -v '^#EXT-X-IMAGE-STREAM-INF:' "$dir/master.m3u8" | sed -n 's/.*URI="\([^"]*\)".*/\1/p')
for l in $lists; do
    up=$(echo "$l" | sed 's|[^/]*/|../|g; s|[^/]*$||')
    tag=$(grep "^#EXT-X-DATERANGE:ID=\"sv-break-$b\"" "$dir/$l") || fail "$l: no interstitial tag"
    expect_contains "$l: an interstitial" "$tag" \
        "CLASS=\"com.apple.hls.interstitial\",START-DATE=\"2000-01-01T00:00:02.000Z\""
    expect_contains "$l: its asset" "$tag" \
        "X-ASSET-URI=\"${up}ads/$ad/master.m3u8\",X-RESUME-OFFSET=0,X-RESTRICT=\"SKIP,JUMP\""
    req code "$SV_URL/media/$id/$(dirname "$l")/${up}ads/$ad/master.m3u8"
    expect_eq "$l: X-ASSET-URI resolves to the ad's master" "$code" 200
done

# DASH: three Periods, the ad's in the middle.
mpd="$dir/manifest.mpd"
expect_eq "Periods" "$(grep -o '<Period [^>]*>' "$mpd" | tr '\n' ' ')" \
    "<Period id=\"0\" start=\"PT0.000S\" duration=\"PT2.000S\"> <Period id=\"ad-$b\" start=\"PT2.000S\" duration=\"PT$(printf %.3f "$ad_s")S\"> <Period id=\"0-1\" start=\"PT$(awk -v d="$ad_s" 'BEGIN { printf "%.3f", 2 + d }')S\" duration=\"PT4.000S\"> "
expect_contains "the ad reached through the link" "$(cat "$mpd")" "<BaseURL>ads/$ad/</BaseURL>"
expect_contains "the title resumes at its second segment" "$(cat "$mpd")" \
    'startNumber="2" presentationTimeOffset="25600"'
req code "$SV_URL/media/$id/ads/$ad/manifest.mpd"
expect_eq "the ad's files through the link" "$code" 200
req code -X DELETE -H "$ADMIN" "$B/$b2"
expect_eq "the signalled break removed" "$code" 204
expect_eq "still three Periods" "$(grep -c '<Period ' "$mpd")" 3

# Subtitles added after the split go into the packaged MPD, and the Periods
# are made again from it: both title Periods list them, the ad's does not;
# the new playlist carries the interstitial too.
printf '1\n00:00:00,500 --> 00:00:05,000\nHello\n' >"$SV_TMP/en.srt"
req code -X PUT -H "$ADMIN" -H 'Content-Type: application/x-subrip' --data-binary "@$SV_TMP/en.srt" \
    "$SV_URL/api/v1/titles/$id/subtitles/en"
expect_eq "subtitles added to the split title" "$code" 201
expect_eq "in the packaged MPD" "$(grep -c 'lang="en"' "$dir/manifest.base.mpd")" 2
expect_eq "Periods with them: the title's two" \
    "$(awk '/<Period /{p=$0} /lang="en"/{print p}' "$mpd" | sed 's/.* id="\([^"]*\)".*/\1/' | sort -u | tr '\n' ' ')" "0 0-1 "
expect_eq "still three Periods" "$(grep -c '<Period ' "$mpd")" 3
expect_contains "the subtitle playlist's interstitial" "$(cat "$dir/subs/en/index.m3u8")" \
    "X-ASSET-URI=\"../../ads/$ad/master.m3u8\""

# Every frame, in benchmark mode: the title to 2 s, the ad, the title on.
rung=$(sed -n 's/.*<Representation id="\([0-9]*p\)".*/\1/p' "$dir/manifest.base.mpd" | tail -n 1)
adrung=$(sed -n 's/.*<Representation id="\([0-9]*p\)".*/\1/p' "$SV_DATA/media/$ad/manifest.mpd" | tail -n 1)
low=$(grep -o '<Representation id="[0-9]*p" bandwidth="[0-9]*"' "$dir/manifest.base.mpd" |
      sort -t'"' -k4 -n | head -n 1 | sed 's/.*id="\([0-9]*p\)".*/\1/')
adlow=$(grep -o '<Representation id="[0-9]*p" bandwidth="[0-9]*"' "$SV_DATA/media/$ad/manifest.mpd" |
        sort -t'"' -k4 -n | head -n 1 | sed 's/.*id="\([0-9]*p\)".*/\1/')
[ -n "$rung" ] && [ -n "$adrung" ] && [ -n "$low" ] && [ -n "$adlow" ] || fail "no video rung in the MPDs"
hashes() { ffmpeg -nostdin -v error -i "$1" -map 0:v -f framemd5 - | grep -v '^#' | awk -F', *' '{ print $6 }'; }
cat "$dir/video/$low/init.mp4" "$dir/video/$low/seg-1.m4s" >"$SV_TMP/a.mp4"
cat "$SV_DATA/media/$ad/video/$adlow/init.mp4" "$SV_DATA/media/$ad/video/$adlow"/seg-*.m4s >"$SV_TMP/b.mp4"
cat "$dir/video/$low/init.mp4" "$dir/video/$low/seg-2.m4s" "$dir/video/$low/seg-3.m4s" >"$SV_TMP/c.mp4"
{ hashes "$SV_TMP/a.mp4"; hashes "$SV_TMP/b.mp4"; hashes "$SV_TMP/c.mp4"; } >"$SV_TMP/want"
timeout -k 5 60 "$SVPLAY" --quiet --quality 0 --framemd5 "$SV_TMP/got.framemd5" \
    "$SV_URL/media/$id/manifest.mpd" >"$SV_TMP/md5.out" 2>&1 ||
    { cat "$SV_TMP/md5.out" >&2; fail "svplay --framemd5 failed"; }
grep -v '^#' "$SV_TMP/got.framemd5" | awk -F', *' '{ print $6 }' >"$SV_TMP/got"
expect_eq "frames: the title's, the ad's, the title's" "$(wc -l <"$SV_TMP/got")" "$(wc -l <"$SV_TMP/want")"
cmp -s "$SV_TMP/got" "$SV_TMP/want" || fail "svplay's frames differ from ffmpeg's decode (first at line $(cmp "$SV_TMP/got" "$SV_TMP/want" | sed 's/.*line //'))"
ok "$(wc -l <"$SV_TMP/got") frame hashes equal ffmpeg's: title to 2 s, the ad, the title from 2 s"
# The same through HLS: the SDK plays the interstitial's asset (its own
# master) and resumes the title at the break (backend_interstitials_hls has
# the rest: real time, X-RESTRICT, asset lists, bad input).
timeout -k 5 60 "$SVPLAY" --quiet --quality 0 --framemd5 "$SV_TMP/hls.framemd5" \
    "$SV_URL/media/$id/master.m3u8" >"$SV_TMP/hls.out" 2>&1 ||
    { cat "$SV_TMP/hls.out" >&2; fail "svplay --framemd5 of the HLS master failed"; }
grep -v '^#' "$SV_TMP/hls.framemd5" | awk -F', *' '{ print $6 }' >"$SV_TMP/hls.got"
cmp -s "$SV_TMP/hls.got" "$SV_TMP/want" ||
    fail "HLS: svplay's $(wc -l <"$SV_TMP/hls.got") frames differ from ffmpeg's $(wc -l <"$SV_TMP/want")"
ok "HLS: the interstitial's $(wc -l <"$SV_TMP/hls.got") frames equal the same"

# A viewer's session, in real time: the breaks reached are reported at
# their frames (the ad Period's Event at the ad's first), nothing is
# dropped, and the player's heartbeats and stop tell the backend, which
# counts each break once.
req code -X POST -H "$J" -H "$ADMIN" -d '{"at_s":4.5,"duration_s":1}' "$B"
expect_eq "a signalled break after the ad" "$code" 201
b3=$(json_get .id)
sv_user alice viewer
timeout -k 5 60 "$SVPLAY" --headless --quality 0 --log-level debug --server "$SV_URL" --user alice \
    --password-file "$SV_TMP/pw-alice" --events "$SV_TMP/ev.jsonl" --stats "$SV_TMP/st.json" \
    "$id" >"$SV_TMP/sess.out" 2>&1 || { cat "$SV_TMP/sess.out" >&2; fail "svplay's session failed"; }
got=$(awk '{
    match($0, /"id":"[^"]*"/); i = substr($0, RSTART + 6, RLENGTH - 7)
    match($0, /"start_s":[^,]*/); s = substr($0, RSTART + 10, RLENGTH - 10) + 0
    match($0, /"reported_at_s":[^,]*/); r = substr($0, RSTART + 16, RLENGTH - 16) + 0
    match($0, /"command":"[a-z_]*"/); c = substr($0, RSTART + 11, RLENGTH - 12)
    printf "%s@%.3f/%s/%s ", i, s, c, (r <= s + 1e-6 && s < r + 0.04 + 1e-6) ? "on-frame" : "off-frame:" r
}' "$SV_TMP/ev.jsonl")
expect_eq "the breaks at their frames (the ad's at its start, the other 2 s later in the MPD)" \
    "$got" "$b@2.000/splice_insert/on-frame $b3@6.500/splice_insert/on-frame "
drops=$("$RAWCLIENT" json "$SV_TMP/st.json" .dropped_frames)
[ "$drops" = 0 ] || grep -E 'dropped|period|Period' "$SV_TMP/sess.out" >&2
expect_eq "no frame dropped" "$drops" 0
req code "$B"
expect_eq "impressions: the ad's and the signalled break's" \
    "$(json_get '.breaks[0].id')=$(json_get '.breaks[0].impressions') $(json_get '.breaks[1].id')=$(json_get '.breaks[1].impressions')" \
    "$b=1 $b3=1"
expect_eq "one row each in the catalog" \
    "$(catalog_sql "SELECT count(*) FROM ad_impressions")" 2
echo "backend_interstitials: ok"
