#!/bin/sh
# Downloads of multi-Period DASH (streamverse/download.h, issue 19 item 1):
# svserver places an ad break that plays another title on a title (its MPD
# becomes three Periods: the title to 2 s, the ad, the title on); svplay
# --download of the MPD at --max-height 120 keeps the 120p rung in every
# Period (matched across Periods), writes one playlist per track with a
# discontinuity and the init segment named again at each Period; with
# svserver stopped the download plays through its Periods and every frame
# equals ffmpeg's decode of the same segments; the film's subtitles (in its
# Periods, not the ad's) are left out with a warning. Refused, each with its reason
# and no download left behind: Periods with a gap, a Period without the
# audio the others have, a segment list that stops short of its Period, and
# a ClearKey title whose ad Period is encrypted with another title's key
# (before its offline license is asked for). The same title with a clear ad
# downloads with its license and plays offline: its Periods decrypted, the
# ad's clear.
. "$SV_SOURCE_DIR/tests/backend/backendlib.sh"
set -e
SVPLAY="$SV_BUILD_DIR/apps/svplay/svplay"
[ -x "$SVPLAY" ] || fail "$SVPLAY not built"
command -v python3 >/dev/null || fail "python3 is missing"

export SVSERVER_MASTER_KEY=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
export SVSERVER_TOKEN_SECRET=offline-periods-test-secret-0123
sv_ad_clips
id=$(sv_ingest "$SV_TMP/title.mp4" "The film" --ladder 120:150,240:400)
ad=$(sv_ingest "$SV_TMP/ad.mp4" "The ad" --ladder 120:150,240:400)
lid=$(sv_ingest "$SV_TMP/title.mp4" "Locked film" --drm cenc --ladder 120:150)
lad=$(sv_ingest "$SV_TMP/ad.mp4" "Locked ad" --drm cenc --ladder 120:150)
printf 'alice-password-1\n' >"$SV_TMP/pw"
"$SVSERVER" user add alice --password-file "$SV_TMP/pw" --region FR --max-streams 4 \
    --data "$SV_DATA" >/dev/null 2>"$SV_TMP/user.err" || fail "user add: $(cat "$SV_TMP/user.err")"

sv_start --offline-devices 2 --offline-license-ttl 600
sv_user sv-admin admin
ADMIN="Authorization: Bearer $(sv_token sv-admin)"
J='Content-Type: application/json'
for pair in "$id:$ad" "$lid:$lad"; do
    req code -X POST -H "$J" -H "$ADMIN" -d "{\"at_s\":2,\"asset_title_id\":${pair#*:}}" \
        "$SV_URL/api/v1/titles/${pair%:*}/breaks"
    expect_eq "break on title ${pair%:*} placed" "$code" 201
done
lbreak=$(json_get .id)
dir="$SV_DATA/media/$id"
expect_eq "the film's Periods" "$(grep -c '<Period ' "$dir/manifest.mpd")" 3

# English subtitles on the film: its two Periods list them, the ad's not.
printf '1\n00:00:00,500 --> 00:00:05,000\nHello\n' >"$SV_TMP/en.srt"
req code -X PUT -H "$ADMIN" -H 'Content-Type: application/x-subrip' --data-binary "@$SV_TMP/en.srt" \
    "$SV_URL/api/v1/titles/$id/subtitles/en"
expect_eq "subtitles added to the film" "$code" 201

# --- the download ----------------------------------------------------------------
D="$SV_TMP/dl/film"
t0=$(date +%s.%N)
"$SVPLAY" --download "$D" --max-height 120 --slang en "$SV_URL/media/$id/manifest.mpd" \
    >"$SV_TMP/dl.out" 2>"$SV_TMP/dl.err" || { cat "$SV_TMP/dl.err" >&2; fail "download"; }
expect_contains "subtitles of several Periods left out, and said so" "$(cat "$SV_TMP/dl.err")" \
    "subtitles of a presentation of 3 Periods are not downloaded"
[ ! -e "$D/subs" ] && ! grep -q SUBTITLES "$D/master.m3u8" || fail "subtitles were downloaded"
ok "downloaded in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }') s: $(python3 -c "import json,sys; s=json.load(open(sys.argv[1]+'/download.json')); print(len(s['files']), 'files,', sum(f['size'] for f in s['files']), 'bytes')" "$D")"
# Every video file is the 120p rung's, in each Period (the film's and the ad's).
rungs=$(python3 -c "
import json, sys, re
st = json.load(open(sys.argv[1] + '/download.json'))
print(' '.join(sorted({re.sub(r'.*/media/(\d+)/(ads/\d+/)?video/([^/]+)/.*', r'\3', f['url'])
                       for f in st['files'] if f['path'].startswith('video/')})))" "$D")
expect_eq "the 120p rung in every Period" "$rungs" "120p"
for t in video audio; do
    pl="$D/$t/index.m3u8"
    expect_eq "$t: a discontinuity at each Period change" "$(grep -c '^#EXT-X-DISCONTINUITY$' "$pl")" 2
    expect_eq "$t: the init named at each Period" \
        "$(grep '^#EXT-X-MAP' "$pl" | tr '\n' ' ')" \
        "#EXT-X-MAP:URI=\"init-0.mp4\" #EXT-X-MAP:URI=\"init-1.mp4\" #EXT-X-MAP:URI=\"init-0.mp4\" "
done
expect_eq "video segments: the film's 1, the ad's 1, the film's 2" \
    "$(grep -c '^seg-' "$D/video/index.m3u8")" 4
# Audio: the film's third Period starts 5 ms before the end of its first
# audio segment, which the MPD lists again there; it is left out, so the
# audio of each Period lasts as long as its video.
expect_eq "audio: the film's seg-1, the ad's seg-1, the film's seg-2 and seg-3" \
    "$(python3 -c "
import json, sys
st = json.load(open(sys.argv[1] + '/download.json'))
print(' '.join(f['url'].split('/media/')[1] for f in st['files']
               if f['path'].startswith('audio/seg-')))" "$D")" \
    "$id/audio/seg-1.m4s $id/ads/$ad/audio/seg-1.m4s $id/audio/seg-2.m4s $id/audio/seg-3.m4s"
python3 - "$D" <<'PY' || fail "the audio and video of a Period differ in length"
import sys
def periods(path):
    out, cur = [], 0.0
    for line in open(path):
        if line.startswith('#EXT-X-DISCONTINUITY'):
            out.append(cur); cur = 0.0
        elif line.startswith('#EXTINF:'):
            cur += float(line[8:].split(',')[0])
    return out + [cur]
v, a = periods(sys.argv[1] + '/video/index.m3u8'), periods(sys.argv[1] + '/audio/index.m3u8')
print('Period lengths, video:', v, 'audio:', a)
sys.exit(len(v) != 3 or any(abs(x - y) > 0.05 for x, y in zip(v, a)))
PY
ok "download: one playlist per track, a discontinuity and an EXT-X-MAP per Period"
cp "$dir/manifest.mpd" "$SV_TMP/film.mpd"

# --- a title whose ad Period has another key: refused before any license ----------
rc=0
"$SVPLAY" -q --server "$SV_URL" --user alice --password-file "$SV_TMP/pw" --device dev1 \
    --download "$SV_TMP/dl/locked" "$lid" >/dev/null 2>"$SV_TMP/locked.err" || rc=$?
expect_eq "different keys: exit" "$rc" 1
expect_contains "different keys: why" "$(cat "$SV_TMP/locked.err")" \
    "Period \"0\" and Period \"ad-"
expect_contains "different keys: why (2)" "$(cat "$SV_TMP/locked.err")" \
    "are encrypted with different keys (KID "
expect_contains "different keys: why (3)" "$(cat "$SV_TMP/locked.err")" \
    "): one offline license covers one key set, so this title cannot be downloaded"
[ ! -e "$SV_TMP/dl/locked/license.json" ] || fail "different keys: a license was fetched"
ok "refused: $(cat "$SV_TMP/locked.err")"
[ ! -e "$SV_TMP/dl/locked/master.m3u8" ] || fail "different keys: a playlist was written"
# The same title with a clear ad: its offline license covers the film's
# Periods, the ad's need none.
req code -X DELETE -H "$ADMIN" "$SV_URL/api/v1/titles/$lid/breaks/$lbreak"
expect_eq "the locked ad's break removed" "$code" 204
req code -X POST -H "$J" -H "$ADMIN" -d "{\"at_s\":2,\"asset_title_id\":$ad}" \
    "$SV_URL/api/v1/titles/$lid/breaks"
expect_eq "a clear ad's break on the locked film" "$code" 201
L="$SV_TMP/dl/locked2"
"$SVPLAY" -q --server "$SV_URL" --user alice --password-file "$SV_TMP/pw" --device dev1 \
    --download "$L" "$lid" >/dev/null 2>"$SV_TMP/locked2.err" ||
    { cat "$SV_TMP/locked2.err" >&2; fail "download of the locked film with a clear ad"; }
[ -s "$L/license.json" ] || fail "no offline license stored with the locked film"
expect_eq "locked film: a discontinuity at each Period change" \
    "$(grep -c '^#EXT-X-DISCONTINUITY$' "$L/video/index.m3u8")" 2
ok "a ClearKey film with a clear ad: downloaded with its offline license"

# --- offline: the server stopped ---------------------------------------------------
sv_stop
curl -s -o /dev/null "$SV_URL/healthz" && fail "the server still answers"
hashes() { ffmpeg -nostdin -v error -i "$1" -map 0:v -f framemd5 - | grep -v '^#' | awk -F', *' '{ print $6 }'; }
v="$dir/video/120p"
av="$SV_DATA/media/$ad/video/120p"
cat "$v/init.mp4" "$v/seg-1.m4s" >"$SV_TMP/a.mp4"
cat "$av/init.mp4" "$av"/seg-*.m4s >"$SV_TMP/b.mp4"
cat "$v/init.mp4" "$v/seg-2.m4s" "$v/seg-3.m4s" >"$SV_TMP/c.mp4"
{ hashes "$SV_TMP/a.mp4"; hashes "$SV_TMP/b.mp4"; hashes "$SV_TMP/c.mp4"; } >"$SV_TMP/want"
"$SVPLAY" --quiet --framemd5 "$SV_TMP/got.framemd5" "$D/master.m3u8" >"$SV_TMP/play.out" 2>&1 ||
    { cat "$SV_TMP/play.out" >&2; fail "offline play of the multi-Period download"; }
grep -v '^#' "$SV_TMP/got.framemd5" | awk -F', *' '{ print $6 }' >"$SV_TMP/got"
expect_eq "frames: the film's, the ad's, the film's" "$(wc -l <"$SV_TMP/got")" "$(wc -l <"$SV_TMP/want")"
cmp -s "$SV_TMP/got" "$SV_TMP/want" ||
    fail "offline frames differ from ffmpeg's decode (first at line $(cmp "$SV_TMP/got" "$SV_TMP/want" | sed 's/.*line //'))"
ok "server stopped: $(wc -l <"$SV_TMP/got") frames equal ffmpeg's: the film to 2 s, the ad, the film on"
# The locked film: its Periods decrypted with the key its license holds.
KEY=$(python3 - "$L/license.json" <<'PY'
import json, sys, base64
j = json.load(open(sys.argv[1]))
c = j['license'].split('.')[1]
k = json.loads(base64.urlsafe_b64decode(c + '=' * (-len(c) % 4)))['license']['keys'][0]['k']
print(base64.urlsafe_b64decode(k + '=' * (-len(k) % 4)).hex())
PY
)
lv="$SV_DATA/media/$lid/video/120p"
# (ffmpeg 5.1 decrypts these fragments read from a pipe, not from a file.)
khashes() { ffmpeg -v error -decryption_key "$KEY" -i - -map 0:v -f framemd5 - <"$1" | grep -v '^#' | awk -F', *' '{ print $6 }'; }
cat "$lv/init.mp4" "$lv/seg-1.m4s" >"$SV_TMP/la.mp4"
cat "$lv/init.mp4" "$lv/seg-2.m4s" "$lv/seg-3.m4s" >"$SV_TMP/lc.mp4"
{ khashes "$SV_TMP/la.mp4"; hashes "$SV_TMP/b.mp4"; khashes "$SV_TMP/lc.mp4"; } >"$SV_TMP/lwant"
"$SVPLAY" --quiet --device dev1 --framemd5 "$SV_TMP/lgot.framemd5" "$L/master.m3u8" \
    >"$SV_TMP/lplay.out" 2>&1 || { cat "$SV_TMP/lplay.out" >&2; fail "offline play of the locked film"; }
grep -v '^#' "$SV_TMP/lgot.framemd5" | awk -F', *' '{ print $6 }' >"$SV_TMP/lgot"
expect_eq "locked film: frames" "$(wc -l <"$SV_TMP/lgot")" "$(wc -l <"$SV_TMP/lwant")"
cmp -s "$SV_TMP/lgot" "$SV_TMP/lwant" || fail "locked film: offline frames differ from ffmpeg's"
ok "server stopped: the locked film with its clear ad plays with its license, $(wc -l <"$SV_TMP/lgot") frames equal ffmpeg's"

# --- Periods that do not line up (the film's MPD edited, read from file://) ---------
# mpd_edit WHAT OUT - the film's MPD with one fault.
mpd_edit() {
    python3 - "$SV_TMP/film.mpd" "$1" "$2" <<'PY'
import sys, xml.etree.ElementTree as ET
NS = 'urn:mpeg:dash:schema:mpd:2011'
ET.register_namespace('', NS)
for p, u in [('cenc', 'urn:mpeg:cenc:2013'), ('xlink', 'http://www.w3.org/1999/xlink'),
             ('dashif', 'https://dashif.org/CPS'), ('scte35', 'http://www.scte.org/schemas/35/2016')]:
    ET.register_namespace(p, u)
tree = ET.parse(sys.argv[1])
periods = tree.getroot().findall('{%s}Period' % NS)
if sys.argv[2] == 'gap':       # the film resumes 1 s after the ad ends
    start = float(periods[2].get('start')[2:-1])
    periods[2].set('start', 'PT%.3fS' % (start + 1))
elif sys.argv[2] == 'noaudio': # the ad Period without its audio
    for s in periods[1].findall('{%s}AdaptationSet' % NS):
        if 'audio' in (s.get('contentType', '') + s.get('mimeType', '')):
            periods[1].remove(s)
elif sys.argv[2] == 'short':   # the first Period claims 4 s, its segments cover 2
    periods[0].set('duration', 'PT4.000S')
    start = float(periods[1].get('start')[2:-1])
    periods[1].set('start', 'PT%.3fS' % (start + 2))
    start = float(periods[2].get('start')[2:-1])
    periods[2].set('start', 'PT%.3fS' % (start + 2))
tree.write(sys.argv[3], xml_declaration=True, encoding='utf-8')
PY
}
refused() { # NAME FAULT EXPECTED
    mpd_edit "$2" "$dir/$2.mpd"
    rc=0
    "$SVPLAY" --download "$SV_TMP/dl/$2" "file://$dir/$2.mpd" >/dev/null 2>"$SV_TMP/$2.err" || rc=$?
    expect_eq "$1: exit" "$rc" 1
    expect_contains "$1: why" "$(cat "$SV_TMP/$2.err")" "$3"
    [ ! -e "$SV_TMP/dl/$2/download.json" ] || fail "$1: a plan was kept"
    [ ! -e "$SV_TMP/dl/$2/master.m3u8" ] || fail "$1: a playlist was written"
    ok "refused: $(grep "error:" "$SV_TMP/$2.err")"
}
refused "a gap between Periods" gap "starts at"
expect_contains "a gap: the Periods named" "$(cat "$SV_TMP/gap.err")" \
    "Periods with a gap or an overlap cannot be downloaded"
refused "a Period without audio" noaudio "has no audio track and Period \"0\" has one"
refused "a Period its segments do not cover" short "the video segments of Period \"0\" cover 0.000-2.000 s, the Period 0.000-4.000 s"
ok "Periods that do not line up: refused with the reason, nothing kept"
echo "offline_periods: all checks passed"
