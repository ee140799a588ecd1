#!/bin/sh
# Subtitles of a ready title through svserver's API (issue 18, item 1):
# PUT /api/v1/titles/{id}/subtitles/{lang} with an SRT and a WebVTT body
# packages them without touching the video (WebVTT segments + playlist for
# HLS, WebVTT and TTML/IMSC1 in fMP4 'stpp' for DASH, at the title's segment
# duration) and lists them in the master and the MPD. Checked:
#  - the master's EXT-X-MEDIA TYPE=SUBTITLES lines and SUBTITLES group, the
#    segments' cues at their times, the MPD's text/vtt and stpp sets;
#    ffprobe reads init + segment of the stpp track (one sample, a TTML
#    document libxml2 parses, with the cues);
#  - svplay (--sub-log) shows the uploaded cues at their times from the HLS
#    master and from the MPD (WebVTT and TTML sets), served by svserver;
#  - GET lists them, the title JSON too; replace (200, the new text served,
#    the same URLs) and delete (204, out of both manifests, files gone);
#  - refusals: a malformed SRT (422, the line in the message, nothing
#    changed), no token (401), a viewer (403), unknown title (404), a
#    language that is no tag or a path (400/404, nothing written outside),
#    a video body (415), a title not ready yet (409);
#  - a title with ad breaks: the new subtitle playlist gets them too;
#  - an encrypted (cenc) title: the subtitle sets beside the protected ones,
#    svplay shows the cues while it decrypts with the license service;
#  - `svserver ingest --subtitles LANG:FILE` (repeatable): checked before the
#    title exists (a bad file: exit 2, its line named, no title), put in once
#    the title is ready.
. "$SV_SOURCE_DIR/tests/backend/backendlib.sh"
EDGES="$SV_SOURCE_DIR/scripts/edges.sh"
NODE2=""
EDGES_UP=""
subs_cleanup() {
    _st=$?
    [ -z "$NODE2" ] || kill "$NODE2" 2>/dev/null
    [ -z "$EDGES_UP" ] || sh "$EDGES" stop "$SV_TMP/edges" >/dev/null 2>&1
    (exit "$_st")
    sv_cleanup
}
trap subs_cleanup EXIT

command -v ffmpeg >/dev/null 2>&1 || fail "ffmpeg is missing; run scripts/install-deps.sh"
command -v xmllint >/dev/null 2>&1 || fail "xmllint is missing; run scripts/install-deps.sh"
command -v openssl >/dev/null 2>&1 || fail "openssl is missing; run scripts/install-deps.sh"
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] ||
    fail "nginx is missing; run scripts/install-deps.sh (nginx-light)"
SVPLAY="$SV_BUILD_DIR/apps/svplay/svplay"
[ -x "$SVPLAY" ] || fail "svplay is not built"
export SVSERVER_MASTER_KEY=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
export SVSERVER_TOKEN_SECRET=subs-test-secret-0123456789
OPTS="--ladder 180:300 --segment-seconds 4 --preset ultrafast --data $SV_DATA --log-level warn"
ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x180:rate=25 -f lavfi -i sine=r=48000 \
    -t 10 -c:v libx264 -preset ultrafast -c:a aac -pix_fmt yuv420p "$SV_TMP/clip.mp4" ||
    fail "ffmpeg could not make the clip"
ingest() { # ingest OUTFILE TITLE [options]: the title id in OUTFILE
    _out=$1 _t=$2
    shift 2
    "$SVSERVER" ingest "$SV_TMP/clip.mp4" --title "$_t" $OPTS "$@" >"$SV_TMP/$_out" \
        2>"$SV_TMP/ingest.err" || { cat "$SV_TMP/ingest.err" >&2; fail "svserver ingest $_t"; }
}
ingest id1 "Subtitled"
id=$(tail -n 1 "$SV_TMP/id1")
dir="$SV_DATA/media/$id"
cp "$dir/video/180p/seg-2.m4s" "$SV_TMP/video-before.m4s"

printf '1\r\n00:00:00,500 --> 00:00:01,500\r\nHello <i>world</i>\r\n\r\n2\r\n00:00:03,500 --> 00:00:04,500\r\nSpans & crosses\r\n\r\n3\r\n00:00:06,000 --> 00:00:07,250\r\nLine one\r\nLine two\r\n' \
    >"$SV_TMP/en.srt"
printf 'WEBVTT\n\nNOTE made by the test\n\nc1\n00:01.000 --> 00:02.000 align:start\nBonjour\n\n00:00:05.000 --> 00:00:08.500\nAu revoir\n' \
    >"$SV_TMP/fr.vtt"

# The server runs no transcode itself: an upload stays queued (not ready).
sv_start --workers 0
sv_operator
sv_user viewer1 viewer
VIEWER="Authorization: Bearer $(sv_token viewer1)"
sv_user sv-admin admin
ADMIN="Authorization: Bearer $(sv_token sv-admin)"
U="$SV_URL/api/v1/titles/$id/subtitles"
SRT='Content-Type: application/x-subrip'
VTT='Content-Type: text/vtt'

# --- refusals that write nothing --------------------------------------------
req code -X PUT -H "$SRT" --data-binary @"$SV_TMP/en.srt" "$U/en"
expect_eq "no token" "$code" 401
req code -X PUT -H "$SRT" -H "$VIEWER" --data-binary @"$SV_TMP/en.srt" "$U/en"
expect_eq "a viewer may not add subtitles" "$code $(json_get .error.code)" "403 forbidden"
req code -X PUT -H "$SRT" -H "$OP_AUTH" --data-binary @"$SV_TMP/en.srt" \
    "$SV_URL/api/v1/titles/999/subtitles/en"
expect_eq "unknown title" "$code" 404
req code -X PUT -H 'Content-Type: video/mp4' -H "$OP_AUTH" --data-binary @"$SV_TMP/en.srt" "$U/en"
expect_eq "a video body" "$code $(json_get .error.code)" "415 unsupported_media_type"
req code -X PUT -H "$SRT" -H "$OP_AUTH" --data-binary @"$SV_TMP/en.srt" "$U/english!"
expect_eq "not a language tag" "$code" 400
expect_contains "its message" "$(json_get .error.message)" "'english!' is not a language tag"
req code -X PUT -H "$SRT" -H "$OP_AUTH" --data-binary @"$SV_TMP/en.srt" "$U/en-abcdefgh-ijklmnop"
expect_eq "too long a tag" "$code $(json_get .error.message)" \
    "400 subtitle language 'en-abcdefgh-ijklmnop' is not a language tag (e.g. en, pt-BR)"
for bad in '..%2F..%2F..%2Fetc' '..%2Fx' 'en%2F..%2F..' '..' '%2e%2e' 'en/../../x'; do
    req code --path-as-is -X PUT -H "$SRT" -H "$OP_AUTH" --data-binary @"$SV_TMP/en.srt" "$U/$bad"
    case $code in 400 | 404) ok "language '$bad' refused ($code)" ;;
    *) fail "language '$bad': $code $(cat "$SV_TMP/body")" ;; esac
done
printf '1\n00:00:01,000 --> 00:00:02,000\nfine\n\n2\n00:00:03 --> 00:00:04\nno millis\n' \
    >"$SV_TMP/bad.srt"
req code -X PUT -H "$SRT" -H "$OP_AUTH" --data-binary @"$SV_TMP/bad.srt" "$U/en"
expect_eq "a malformed SRT" "$code $(json_get .error.code)" "422 invalid_subtitles"
expect_contains "its message names the line" "$(json_get .error.message)" \
    "line 6: expected a timing line 'HH:MM:SS,mmm --> HH:MM:SS,mmm' (cue 2), found '00:00:03 --> 00:00:04'"
printf '1\n00:00:01,000 --> 00:00:02,000\ncaf\351\n' >"$SV_TMP/latin1.srt"
req code -X PUT -H "$SRT" -H "$OP_AUTH" --data-binary @"$SV_TMP/latin1.srt" "$U/en"
expect_contains "not UTF-8" "$code $(json_get .error.message)" "422 "
expect_contains "not UTF-8 says where" "$(json_get .error.message)" "not UTF-8 text (byte 35)"
req code -X PUT -H "$SRT" -H "$OP_AUTH" --data-binary '' "$U/en"
expect_eq "an empty body" "$code" 400
[ -e "$dir/subs" ] && fail "a refused request left $dir/subs"
grep -q SUBTITLES "$dir/master.m3u8" && fail "a refused request changed the master"
find "$SV_DATA" -name 'x' -o -name 'etc' | grep -q . && fail "a path outside the title was written"
ok "refused requests wrote nothing"

# --- add two languages --------------------------------------------------------
req code -X PUT -H "$SRT" -H "$OP_AUTH" --data-binary @"$SV_TMP/en.srt" "$U/en"
expect_eq "en added" "$code $(json_get .replaced) $(json_get .playlist)" "201 false subs/en/index.m3u8"
req code -X PUT -H "$VTT" -H "$OP_AUTH" --data-binary @"$SV_TMP/fr.vtt" "$U/fr"
expect_eq "fr added" "$code $(json_get .subtitles)" '201 ["en","fr"]'
cmp -s "$dir/video/180p/seg-2.m4s" "$SV_TMP/video-before.m4s" || fail "the video changed"
req code "$U"
expect_eq "list" "$code $(json_get '.subtitles[0].lang') $(json_get '.subtitles[1].playlist')" \
    "200 en subs/fr/index.m3u8"
req code "$SV_URL/api/v1/titles/$id"
expect_eq "the title JSON" "$(json_get .subtitles)" '["en","fr"]'

m="$dir/master.m3u8"
for l in en fr; do
    grep -q "^#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"$l\",LANGUAGE=\"$l\",DEFAULT=NO,AUTOSELECT=YES,URI=\"subs/$l/index.m3u8\"$" "$m" ||
        fail "master: no EXT-X-MEDIA for $l"
done
expect_eq "master: every variant in the subs group" \
    "$(grep '^#EXT-X-STREAM-INF:' "$m" | grep -vc 'SUBTITLES="subs"')" 0
S="$dir/subs/en"
expect_eq "en: 3 segments of 4 s (10 s)" \
    "$(grep '^#EXTINF' "$S/index.m3u8" | tr '\n' ' ')" "#EXTINF:4.000000, #EXTINF:4.000000, #EXTINF:2.000000, "
grep -q '^00:00:00.500 --> 00:00:01.500$' "$S/seg-1.vtt" && grep -q '^Hello <i>world</i>$' "$S/seg-1.vtt" ||
    fail "en seg-1.vtt: cue 1"
for n in 1 2; do
    grep -q '^00:00:03.500 --> 00:00:04.500$' "$S/seg-$n.vtt" ||
        fail "en seg-$n.vtt: the cue across 4 s"
done
grep -q '^Line one$' "$S/seg-2.vtt" || fail "en seg-2.vtt: cue 3"
grep -q '^00:00:01.000 --> 00:00:02.000 align:start$' "$dir/subs/fr/seg-1.vtt" ||
    fail "fr seg-1.vtt: the cue and its settings"
ok "playlists and WebVTT segments hold the cues at their times"

mpd="$dir/manifest.mpd"
xmllint --noout "$mpd" || fail "MPD not well-formed"
xp() { xmllint --xpath "$1" "$2"; }
set_() { echo "//*[local-name()=\"AdaptationSet\"][@contentType=\"text\"][@mimeType=\"$1\"][@lang=\"$2\"]"; }
for l in en fr; do
    expect_eq "MPD: the $l WebVTT set" \
        "$(xmllint --xpath "string($(set_ text/vtt $l)//*[local-name()=\"SegmentTemplate\"]/@media)" "$mpd")" \
        "subs/$l/seg-\$Number\$.vtt"
    x="$(set_ application/mp4 $l)"
    expect_eq "MPD: the $l stpp set" \
        "$(xp "string($x/@codecs)" "$mpd") $(xp "string($x//*[local-name()=\"SegmentTemplate\"]/@duration)" "$mpd") $(xp "string($x//*[local-name()=\"SegmentTemplate\"]/@initialization)" "$mpd")" \
        "stpp.ttml.im1t 4000 subs/$l/ttml-init.mp4"
done
expect_eq "MPD: AdaptationSet ids unique" \
    "$(xmllint --xpath '//*[local-name()="AdaptationSet"]/@id' "$mpd" | tr ' ' '\n' | grep -c .)" \
    "$(xmllint --xpath '//*[local-name()="AdaptationSet"]/@id' "$mpd" | tr ' ' '\n' | grep . | sort -u | wc -l)"

# The stpp track: init + segment 1 is one sample, a TTML document with the cues.
cat "$S/ttml-init.mp4" "$S/ttml-1.m4s" >"$SV_TMP/ttml.mp4"
expect_eq "ffprobe: an stpp track" \
    "$(ffprobe -v error -show_entries stream=codec_tag_string -of csv=p=0 "$SV_TMP/ttml.mp4")" stpp
expect_eq "ffprobe: one sample" \
    "$(ffprobe -v error -show_entries packet=size -of csv=p=0 "$SV_TMP/ttml.mp4" | wc -l)" 1
python3 -c "import sys; d = open(sys.argv[1], 'rb').read(); i = d.index(b'mdat'); sys.stdout.buffer.write(d[i + 4:])" \
    "$S/ttml-1.m4s" >"$SV_TMP/ttml-1.xml"
xmllint --noout "$SV_TMP/ttml-1.xml" || fail "ttml-1.m4s: the TTML is not well-formed"
p='//*[local-name()="p"]'
t="$SV_TMP/ttml-1.xml"
expect_eq "TTML segment 1: its cues (the one across 4 s clipped)" \
    "$(xp "string($p[1])" "$t")|$(xp "string($p[2]/@begin)" "$t")|$(xp "string($p[2]/@end)" "$t")" \
    "Hello world|00:00:03.500|00:00:04.000"

# --- svplay, served by svserver: the cues at their times ----------------------
printf '0.500\t1.500\tHello world\n3.500\t4.500\tSpans & crosses\n6.000\t7.250\tLine one\\nLine two\n' \
    >"$SV_TMP/en.want"
printf '1.000\t2.000\tBonjour\ttext-align=start\n5.000\t8.500\tAu revoir\n' >"$SV_TMP/fr.want"
play() { # play MANIFEST SUB WANT [svplay options]: the cue log equals WANT
    _m=$1 _s=$2 _w=$3
    shift 3
    timeout -k 5 60 "$SVPLAY" --headless --benchmark --quiet --sub "$_s" --sub-log "$SV_TMP/got.log" \
        "$@" "$SV_URL/media/$_m" 2>"$SV_TMP/play.err" ||
        { cat "$SV_TMP/play.err" >&2; fail "svplay $_m --sub $_s failed"; }
    cut -f 1-3 "$SV_TMP/got.log" >"$SV_TMP/got3.log"
    cut -f 1-3 "$_w" >"$SV_TMP/want3.log"
    cmp -s "$SV_TMP/got3.log" "$SV_TMP/want3.log" ||
        { diff "$SV_TMP/want3.log" "$SV_TMP/got3.log" >&2; fail "svplay $_m --sub $_s: other cues"; }
    ok "svplay $_m --sub $_s: $(wc -l <"$SV_TMP/got.log") cues at their times"
}
for f in master.m3u8 manifest.mpd; do
    play "$id/$f" en "$SV_TMP/en.want"
    play "$id/$f" fr "$SV_TMP/fr.want"
done
# The DASH text tracks: 0 and 1 WebVTT (en, fr), 2 and 3 TTML in fMP4.
play "$id/manifest.mpd" 2 "$SV_TMP/en.want"
grep -q 'region=' "$SV_TMP/got.log" || fail "svplay --sub 2 did not read the TTML set (no region)"
play "$id/manifest.mpd" 3 "$SV_TMP/fr.want"

# What may change in place is revalidated by players and edges; media is not.
req code -I "$SV_URL/media/$id/master.m3u8"
etag1=$(header ETag)
expect_eq "master: Cache-Control" "$(header Cache-Control)" "public, no-cache"
req code -I "$SV_URL/media/$id/subs/en/seg-1.vtt"
expect_eq "a subtitle segment: Cache-Control" "$(header Cache-Control)" "public, no-cache"
req code -I "$SV_URL/media/$id/video/180p/seg-1.m4s"
expect_eq "a video segment: Cache-Control" "$(header Cache-Control)" "public, max-age=86400"

# --- replace, delete ------------------------------------------------------------
printf '1\n00:00:02,000 --> 00:00:03,000\nReplaced text\n' >"$SV_TMP/en2.srt"
req code -X PUT -H "$SRT" -H "$OP_AUTH" --data-binary @"$SV_TMP/en2.srt" "$U/en"
expect_eq "en replaced" "$code $(json_get .replaced)" "200 true"
grep -q '^Replaced text$' "$S/seg-1.vtt" && ! grep -q Hello "$S"/seg-*.vtt || fail "en not replaced"
expect_eq "master: en listed once" "$(grep -c 'LANGUAGE="en"' "$m")" 1
expect_eq "MPD: en sets once" "$(grep -c 'lang="en"' "$mpd")" 2
printf '2.000\t3.000\tReplaced text\n' >"$SV_TMP/en2.want"
play "$id/master.m3u8" en "$SV_TMP/en2.want"
ls "$SV_DATA/staging" | grep -v '\.lock$' | grep -q . && fail "staging folders left: $(ls "$SV_DATA/staging")"

sleep 1 # the ETag holds the modification time in seconds
req code -X DELETE -H "$OP_AUTH" "$U/fr"
expect_eq "fr removed" "$code" 204
req code -H "If-None-Match: $etag1" "$SV_URL/media/$id/master.m3u8"
expect_eq "the old master's ETag no longer matches" "$code" 200
req code -X DELETE -H "$OP_AUTH" "$U/fr"
expect_eq "fr removed twice" "$code" 404
req code -X DELETE -H "$VIEWER" "$U/en"
expect_eq "a viewer may not remove" "$code" 403
[ -e "$dir/subs/fr" ] && fail "fr files left"
grep -q 'LANGUAGE="fr"' "$m" && fail "master still lists fr"
expect_eq "MPD: no fr set" "$(grep -c 'lang="fr"' "$mpd")" 0
xmllint --noout "$mpd" || fail "MPD not well-formed after the delete"
req code "$U"
expect_eq "list after the delete" "$(json_get .subtitles)" '[{"lang":"en","playlist":"subs/en/index.m3u8","ttml_init":"subs/en/ttml-init.mp4"}]'
req code -X PUT -H "$SRT" -H "$OP_AUTH" --data-binary @"$SV_TMP/bad.srt" "$U/en"
expect_eq "a malformed replacement" "$code" 422
grep -q '^Replaced text$' "$S/seg-1.vtt" || fail "a refused replacement changed en"
req code -X DELETE -H "$OP_AUTH" "$U/en"
expect_eq "en removed" "$code" 204
grep -q SUBTITLES "$m" && fail "master still has a subtitles group"
grep -q 'contentType="text"' "$mpd" && fail "MPD still has a text set"
play "$id/master.m3u8" auto /dev/null

# --- not ready: an upload this server does not transcode (workers 0) ---------
curl -s -X POST -H 'Content-Type: video/mp4' -H "$OP_AUTH" --data-binary @"$SV_TMP/clip.mp4" \
    "$SV_URL/api/v1/titles?title=Queued" >"$SV_TMP/body"
queued=$(json_get .title_id)
req code -X PUT -H "$SRT" -H "$OP_AUTH" --data-binary @"$SV_TMP/en.srt" \
    "$SV_URL/api/v1/titles/$queued/subtitles/en"
expect_eq "a queued title" "$code $(json_get .error.code)" "409 title_not_ready"

# --- a title with ad breaks: the new subtitle playlist has them too -----------
req code -X POST -H 'Content-Type: application/json' -H "$ADMIN" -d '{"at_s":3.2,"duration_s":2}' \
    "$SV_URL/api/v1/titles/$id/breaks"
expect_eq "break placed" "$code" 201
req code -X PUT -H "$SRT" -H "$OP_AUTH" --data-binary @"$SV_TMP/en.srt" "$U/en"
expect_eq "en added after the break" "$code" 201
expect_eq "en playlist: the break's DATERANGE" \
    "$(grep -c '^#EXT-X-DATERANGE:ID="sv-break-' "$S/index.m3u8")" 1
expect_eq "MPD: the break's EventStream kept" "$(grep -c '<EventStream' "$mpd")" 1

# --- many changes at once: six languages PUT together (on PostgreSQL over two
# API nodes sharing the data folder); each ends up in both manifests --------
URL2=$SV_URL
if [ -n "${SV_TEST_PG:-}" ]; then
    "$SVSERVER" --listen 127.0.0.1:0 --data "$SV_DATA" --workers 0 >"$SV_TMP/node2.out" \
        2>"$SV_TMP/node2.err" &
    NODE2=$!
    i=0
    until grep -q '^listening on' "$SV_TMP/node2.out" 2>/dev/null; do
        i=$((i + 1))
        [ $i -le 200 ] && kill -0 "$NODE2" 2>/dev/null || fail "the second node did not start"
        sleep 0.05
    done
    URL2=$(sed -n 's/^listening on //p' "$SV_TMP/node2.out")
    ok "a second API node on the same catalog and data folder: $URL2"
fi
i=0
pids=""
for l in de es it nl pl sv; do
    u=$SV_URL
    [ $((i % 2)) -eq 1 ] && u=$URL2
    curl -s --max-time 30 -o /dev/null -w '%{http_code}' -X PUT -H "$VTT" -H "$OP_AUTH" \
        --data-binary @"$SV_TMP/fr.vtt" "$u/api/v1/titles/$id/subtitles/$l" >"$SV_TMP/put-$l" &
    pids="$pids $!"
    i=$((i + 1))
done
# shellcheck disable=SC2086
wait $pids # not the servers, which are this shell's children too
for l in de es it nl pl sv; do
    expect_eq "$l PUT at once" "$(cat "$SV_TMP/put-$l")" 201
    expect_eq "master: $l once" "$(grep -c "LANGUAGE=\"$l\"" "$m")" 1
    expect_eq "MPD: $l sets" "$(grep -c "lang=\"$l\"" "$mpd")" 2
    expect_eq "$l playlist: the break" "$(grep -c '^#EXT-X-DATERANGE:ID="sv-break-' "$dir/subs/$l/index.m3u8")" 1
done
expect_eq "master: 7 languages" "$(grep -c '^#EXT-X-MEDIA:TYPE=SUBTITLES' "$m")" 7
xmllint --noout "$mpd" || fail "MPD not well-formed after concurrent changes"
req code "$URL2/api/v1/titles/$id"
expect_eq "the title's languages (from $URL2)" "$(json_get .subtitles)" '["de","en","es","it","nl","pl","sv"]'
[ -z "$NODE2" ] || { kill "$NODE2"; wait "$NODE2" 2>/dev/null; NODE2=""; }

# The title's lock, held from outside (flock(1), as another node would): a
# break waits for nobody (409 manifests_busy), a subtitle PUT waits for it.
command -v flock >/dev/null 2>&1 || fail "flock (util-linux) is missing"
flock "$SV_DATA/staging/title-$id.lock" sleep 2 &
holder=$!
sleep 0.3
req code -X POST -H 'Content-Type: application/json' -H "$ADMIN" -d '{"at_s":8,"duration_s":1}' \
    "$SV_URL/api/v1/titles/$id/breaks"
expect_eq "a break while the lock is held" "$code $(json_get .error.code) $(header Retry-After)" \
    "409 manifests_busy 1"
t0=$(date +%s.%N)
req code -X PUT -H "$VTT" -H "$OP_AUTH" --data-binary @"$SV_TMP/fr.vtt" "$U/fr"
waited=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
expect_eq "a PUT while the lock is held" "$code" 201
awk -v w="$waited" 'BEGIN { exit !(w >= 1.2) }' || fail "the PUT did not wait for the lock ($waited s)"
ok "the PUT waited $waited s for the lock"
wait "$holder"

# Limits: 16 languages a title, 8 MiB a file.
for l in ja ko zh ru ar hi tr cs; do
    req code -X PUT -H "$VTT" -H "$OP_AUTH" --data-binary @"$SV_TMP/fr.vtt" "$U/$l"
    [ "$code" = 201 ] || fail "PUT $l: $code $(cat "$SV_TMP/body")"
done
expect_eq "16 languages" "$(grep -c '^#EXT-X-MEDIA:TYPE=SUBTITLES' "$m")" 16
req code -X PUT -H "$VTT" -H "$OP_AUTH" --data-binary @"$SV_TMP/fr.vtt" "$U/da"
expect_eq "a 17th language" "$code $(json_get .error.code)" "409 too_many_languages"
req code -X PUT -H "$VTT" -H "$OP_AUTH" --data-binary @"$SV_TMP/fr.vtt" "$U/ja"
expect_eq "replacing one of 16" "$code" 200
head -c 9000000 /dev/zero | tr '\0' a >"$SV_TMP/big.vtt"
req code -X PUT -H "$VTT" -H "$OP_AUTH" --data-binary @"$SV_TMP/big.vtt" "$U/da"
expect_eq "9 MB" "$code $(json_get .error.code)" "413 payload_too_large"
[ -e "$dir/subs/da" ] && fail "a refused language was written"

# --- through a CDN edge (nginx, backend/deploy/nginx-edge.conf): a change is
# seen at the next load (the manifests and subtitles are not kept), segments
# are still cached ----------------------------------------------------------------
EDGE_SECRET=subs-edge-secret-0123456789
chmod 755 "$SV_TMP" # nginx workers of a root master run as nobody
CDNS=$(sh "$EDGES" start "$SV_TMP/edges" "$SV_URL" "$EDGE_SECRET" 1) || fail "edges.sh start failed"
EDGES_UP=1
E1=$(echo "$CDNS" | sed 's/^edge1=//')
exp=$(($(date +%s) + 600))
EQ="md5=$(printf '%s/media/%s/ %s' "$exp" "$id" "$EDGE_SECRET" | openssl md5 -binary |
    openssl base64 -A | tr '+/' '-_' | tr -d '=')&expires=$exp"
for n in 1 2; do
    req code "$E1/media/$id/master.m3u8?$EQ"
    expect_eq "master through the edge ($n)" "$code $(header X-Cache-Status)" "200 MISS"
    req code "$E1/media/$id/video/180p/seg-1.m4s?$EQ"
done
expect_eq "a segment through the edge, again" "$code $(header X-Cache-Status)" "200 HIT"
req code "$E1/media/$id/subs/ja/seg-1.vtt?$EQ"
expect_eq "ja seg-1.vtt through the edge" "$code" 200
grep -q Bonjour "$SV_TMP/body" || fail "ja seg-1.vtt through the edge: not the fr.vtt cues"
printf 'WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nKonnichiwa\n' >"$SV_TMP/ja.vtt"
req code -X PUT -H "$VTT" -H "$OP_AUTH" --data-binary @"$SV_TMP/ja.vtt" "$U/ja"
expect_eq "ja replaced" "$code" 200
req code -X DELETE -H "$OP_AUTH" "$U/cs"
expect_eq "cs removed" "$code" 204
req code "$E1/media/$id/subs/ja/seg-1.vtt?$EQ"
grep -q Konnichiwa "$SV_TMP/body" || fail "the edge served the old ja segment: $(cat "$SV_TMP/body")"
req code "$E1/media/$id/master.m3u8?$EQ"
grep -q 'LANGUAGE="cs"' "$SV_TMP/body" && fail "the edge served the master from before cs went"
expect_eq "the master through the edge after the changes" \
    "$(grep -c '^#EXT-X-MEDIA:TYPE=SUBTITLES' "$SV_TMP/body")" 15
sh "$EDGES" stop "$SV_TMP/edges" >/dev/null 2>&1
EDGES_UP=""

# --- an encrypted title -----------------------------------------------------------
ingest id2 "Locked" --drm cenc
eid=$(tail -n 1 "$SV_TMP/id2")
cp=$(grep -c '<ContentProtection' "$SV_DATA/media/$eid/manifest.mpd")
req code -X PUT -H "$VTT" -H "$OP_AUTH" --data-binary @"$SV_TMP/fr.vtt" \
    "$SV_URL/api/v1/titles/$eid/subtitles/fr"
expect_eq "fr into the cenc title" "$code" 201
expect_eq "its MPD keeps its protection" \
    "$(grep -c '<ContentProtection' "$SV_DATA/media/$eid/manifest.mpd")" "$cp"
TOK=$("$SVSERVER" token "$eid" --ttl 600 --session s1 --data "$SV_DATA")
play "$eid/manifest.mpd" fr "$SV_TMP/fr.want" --license-url "$SV_URL/api/v1/license?token=$TOK"
play "$eid/master.m3u8" fr "$SV_TMP/fr.want" --license-url "$SV_URL/api/v1/license?token=$TOK"

# --- svserver ingest --subtitles ------------------------------------------------
rc=0
"$SVSERVER" ingest "$SV_TMP/clip.mp4" --title "Bad subs" $OPTS --subtitles en:"$SV_TMP/en.srt" \
    --subtitles fr:"$SV_TMP/bad.srt" >"$SV_TMP/bad.out" 2>"$SV_TMP/bad.err" || rc=$?
expect_eq "ingest with a malformed SRT: exit" "$rc" 2
expect_contains "its message" "$(cat "$SV_TMP/bad.err")" "bad.srt, line 6: expected a timing line"
req code "$SV_URL/api/v1/titles?q=Bad"
expect_eq "no title made" "$(json_get .total)" 0
rc=0
"$SVSERVER" ingest "$SV_TMP/clip.mp4" --title "Bad subs" $OPTS --subtitles "$SV_TMP/en.srt" \
    >/dev/null 2>"$SV_TMP/bad.err" || rc=$?
expect_eq "--subtitles without a language: exit" "$rc" 2
expect_contains "its message" "$(cat "$SV_TMP/bad.err")" "expected LANG:FILE"
ingest id3 "Ingested with subtitles" --subtitles en:"$SV_TMP/en.srt" --subtitles fr:"$SV_TMP/fr.vtt"
sid=$(tail -n 1 "$SV_TMP/id3")
req code "$SV_URL/api/v1/titles/$sid"
expect_eq "ingest --subtitles: the title's languages" "$(json_get .subtitles)" '["en","fr"]'
play "$sid/master.m3u8" fr "$SV_TMP/fr.want"
play "$sid/manifest.mpd" en "$SV_TMP/en.want"
echo "backend_subs: ok"
