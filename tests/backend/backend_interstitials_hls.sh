#!/bin/sh
# The SDK plays HLS interstitials (issue 19, item 4, the player's half):
# svserver places an ad break that plays another catalog title (its media
# playlists get an EXT-X-DATERANGE CLASS="com.apple.hls.interstitial" with
# X-ASSET-URI, X-RESUME-OFFSET=0, X-RESTRICT="SKIP,JUMP"), and the player
# plays the ad's own master as an item of its own, then the title again
# from the break:
#   1. svplay --framemd5 on the HLS master: every frame equals ffmpeg's
#      decode of the title to the break, the ad, the title from the break;
#   2. a viewer's session (svplay --hls) in real time: no frame dropped,
#      the interstitial's start and end at the break's position (2.000),
#      the start within one frame (40 ms) of the title's 2 s of media after
#      its first frame, the end 2 s (+ one frame) later; the backend counts
#      the break once (impressions 1);
#   3. through the public API (tests/player/interstitials.c): a seek while
#      the ad plays is refused (SKIP: SV_ERR_FORBIDDEN), the position stays
#      the title's break position while the ad's own moves; a seek from
#      0.5 s to 5 s plays the ad first (JUMP) and then goes on at 5 s; a
#      seek back from 3 s to 1 s plays the ad again (not with CUE="ONCE");
#   4. hand-written playlists on the test server (sv-faultsrv, a copy of the
#      title's folder with its DATERANGE replaced): an X-ASSET-LIST (a static
#      JSON file) of two ads with X-PLAYOUT-LIMIT=3 (the second one cut at
#      1 s), a pre-roll (CUE="PRE"), a break between two segment starts
#      (3 s: the title's frames cut there), no X-RESUME-OFFSET (the title
#      resumes after the ad's duration), a post-roll (CUE="POST"), each with
#      frames equal to ffmpeg's;
#      and bad input: an asset that is not there (404) and X-ASSET-LISTs that
#      are not JSON, have no ASSETS, or a URI that is not a string: each break
#      is skipped with a warning and the title plays to its end.
. "$SV_SOURCE_DIR/tests/backend/backendlib.sh"

command -v ffmpeg >/dev/null 2>&1 || fail "ffmpeg is missing; run scripts/install-deps.sh"
SVPLAY="$SV_BUILD_DIR/apps/svplay/svplay"
FAULTSRV="$SV_BUILD_DIR/tests/support/sv-faultsrv"
[ -x "$SVPLAY" ] || fail "svplay is not built"
[ -x "$FAULTSRV" ] || fail "sv-faultsrv is not built"
FS_PID=""
inter_cleanup() {
    _s=$?
    [ -z "$FS_PID" ] || kill -TERM "$FS_PID" 2>/dev/null
    (exit "$_s")
    sv_cleanup
}
trap inter_cleanup EXIT

# The SDK program, built against the public headers and libstreamverse only.
. "$SV_SOURCE_DIR/tests/support/sdk_program.sh"
sv_build_sdk_program "$SV_TMP/inter" "$SV_BUILD_DIR" "$SV_TMP/cc.err" \
    "$SV_SOURCE_DIR/tests/player/interstitials.c" "$SV_SOURCE_DIR/tests/player/sdk_check.c" ||
    { cat "$SV_TMP/cc.err" >&2; fail "tests/player/interstitials.c does not build against the API"; }

sv_ad_setup
req code -X POST -H 'Content-Type: application/json' -H "$ADMIN" \
    -d "{\"at_s\":2.7,\"asset_title_id\":$ad}" "$SV_URL/api/v1/titles/$id/breaks"
expect_eq "interstitial placed" "$code" 201
b=$(json_get .id)
expect_eq "at the segment boundary" "$(json_get .at_s)" 2.0
master="$SV_URL/media/$id/master.m3u8"

# ---- 1. Every frame ------------------------------------------------------------
low() { # the lowest video rung of a title's MPD
    grep -o '<Representation id="[0-9]*p" bandwidth="[0-9]*"' "$1" | sort -t'"' -k4 -n |
        head -n 1 | sed 's/.*id="\([0-9]*p\)".*/\1/'
}
tv="$dir/video/$(low "$dir/manifest.base.mpd")"
av="$SV_DATA/media/$ad/video/$(low "$SV_DATA/media/$ad/manifest.mpd")"
hashes() { ffmpeg -nostdin -v error -i "$1" -map 0:v -f framemd5 - | grep -v '^#' | awk -F', *' '{ print $6 }'; }
cat "$tv/init.mp4" "$tv/seg-1.m4s" >"$SV_TMP/t1.mp4"
cat "$tv/init.mp4" "$tv/seg-2.m4s" "$tv/seg-3.m4s" >"$SV_TMP/t23.mp4"
cat "$tv/init.mp4" "$tv/seg-1.m4s" "$tv/seg-2.m4s" "$tv/seg-3.m4s" >"$SV_TMP/t.mp4"
cat "$av/init.mp4" "$av"/seg-*.m4s >"$SV_TMP/a.mp4"
hashes "$SV_TMP/t.mp4" >"$SV_TMP/title.h"
hashes "$SV_TMP/a.mp4" >"$SV_TMP/ad.h"
hashes "$SV_TMP/t1.mp4" >"$SV_TMP/t1.h"
hashes "$SV_TMP/t23.mp4" >"$SV_TMP/t23.h"
expect_eq "the title's frames" "$(wc -l <"$SV_TMP/title.h")" 150
expect_eq "the ad's frames" "$(wc -l <"$SV_TMP/ad.h")" 50

# frames NAME URL WANT - svplay --framemd5 of URL: its frame hashes equal WANT's.
frames() {
    timeout -k 5 60 "$SVPLAY" --quiet --quality 0 --framemd5 "$SV_TMP/$1.framemd5" "$2" \
        >"$SV_TMP/$1.out" 2>&1 || { cat "$SV_TMP/$1.out" >&2; fail "$1: svplay --framemd5 failed"; }
    grep -v '^#' "$SV_TMP/$1.framemd5" | awk -F', *' '{ print $6 }' >"$SV_TMP/$1.got"
    expect_eq "$1: frames" "$(wc -l <"$SV_TMP/$1.got")" "$(wc -l <"$3")"
    cmp -s "$SV_TMP/$1.got" "$3" ||
        fail "$1: svplay's frames differ from ffmpeg's (first at line $(cmp "$SV_TMP/$1.got" "$3" | sed 's/.*line //'))"
    ok "$1: $(wc -l <"$3") frame hashes equal ffmpeg's"
}
cat "$SV_TMP/t1.h" "$SV_TMP/ad.h" "$SV_TMP/t23.h" >"$SV_TMP/want"
frames svserver "$master" "$SV_TMP/want"

# ---- 2. A viewer's session, in real time ---------------------------------------
sv_user alice viewer
timeout -k 5 60 "$SVPLAY" --headless --hls --quality 0 --server "$SV_URL" --user alice \
    --password-file "$SV_TMP/pw-alice" --events "$SV_TMP/ev.jsonl" --stats "$SV_TMP/st.json" \
    "$id" >"$SV_TMP/sess.out" 2>&1 || { cat "$SV_TMP/sess.out" >&2; fail "svplay's session failed"; }
st() { "$RAWCLIENT" json "$SV_TMP/st.json" "$1"; }
expect_eq "no frame dropped" "$(st .dropped_frames)" 0
expect_eq "every frame decoded: title to 2 s, ad, title from 2 s" "$(st .decoded_frames)" 200
expect_eq "the interstitial's events" \
    "$(st '.interstitials[0].kind') $(st '.interstitials[0].id') $(st '.interstitials[0].position_s') $(st '.interstitials[1].kind') $(st '.interstitials[1].position_s') $(st '.interstitials[1].error')" \
    "start sv-break-$b 2.0 end 2.0 0"
first=$(st .first_frame_s)
t0=$(st '.interstitials[0].t_s')
t1=$(st '.interstitials[1].t_s')
awk -v f="$first" -v a="$t0" -v b="$t1" 'BEGIN {
    s = a - f; e = b - a
    printf "start %.3f s after the first frame, the ad %.3f s long\n", s, e
    exit !(s >= 1.96 && s <= 2.04 && e >= 1.96 && e <= 2.08) }' >"$SV_TMP/timing" ||
    fail "the interstitial is off its time: $(cat "$SV_TMP/timing")"
ok "in real time: $(cat "$SV_TMP/timing") (the break at 2 s, one frame 40 ms)"
req code "$SV_URL/api/v1/titles/$id/breaks"
expect_eq "the backend counts the break once" \
    "$(json_get '.breaks[0].id')=$(json_get '.breaks[0].impressions')" "$b=1"

# ---- 3. X-RESTRICT through the public API --------------------------------------
# api NAME ARGS... - runs the SDK program; its lines in $SV_TMP/NAME.txt.
api() {
    _n=$1
    shift
    timeout -k 5 60 "$SV_TMP/inter" "$@" >"$SV_TMP/$_n.txt" 2>"$SV_TMP/$_n.err" ||
        { cat "$SV_TMP/$_n.txt" "$SV_TMP/$_n.err" >&2; fail "$_n: the SDK program failed"; }
    sed "s/^/  $_n: /" "$SV_TMP/$_n.txt"
}
line() { awk -v k="$2" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }' "$SV_TMP/$1.txt"; }
api skip skip "$master"
expect_eq "skip: a seek during the ad is refused (SV_ERR_FORBIDDEN)" "$(line skip seek_during_ad)" -18
set -- $(line skip during)
expect_eq "skip: an ad plays, the title's position stays at the break" "$1 $2" "1 2.000"
awk -v p="$3" -v d="$4" 'BEGIN { exit !(p >= 0.3 && p <= 0.7 && d >= 1.95 && d <= 2.1) }' ||
    fail "skip: the ad's position $3 and duration $4"
ok "skip: the ad's own position $3 s of $4 s"
# (Dropped frames are held to 0 in the session above; these runs print theirs.)
expect_eq "skip: the title resumed at the break" "$(line skip end | cut -d' ' -f2,4)" "2.000 0"
api jump jump "$master" 5
expect_eq "jump: the seek accepted" "$(line jump seek) $(line jump seek_reply)" "0 0"
expect_eq "jump: the ad plays first, from the break" "$(line jump start | cut -d' ' -f1,2)" "sv-break-$b 2.000"
expect_eq "jump: then the title at the seek's target" "$(line jump end | cut -d' ' -f2)" 5.000
awk -v p="$(line jump after_end)" 'BEGIN { exit !(p >= 5 && p < 5.7) }' ||
    fail "jump: the title is at $(line jump after_end) s 0.5 s after the ad"
ok "jump: the title at $(line jump after_end) s 0.5 s after the ad"

api back back "$master" 1
expect_eq "back: a seek back before the break plays it again" \
    "$(grep -c '^start sv-break-' "$SV_TMP/back.txt") $(line back seek)" "2 0"

# ---- 4. Hand-written playlists on the test server ------------------------------
root="$SV_TMP/root"
mkdir -p "$root/lists"
cp -rL "$SV_DATA/media/$ad" "$root/ad"
# variant NAME ATTRIBUTES - the title's folder with its DATERANGE replaced.
variant() {
    cp -rL "$dir" "$root/$1"
    for _f in $(grep -rl '^#EXT-X-DATERANGE' "$root/$1" --include='*.m3u8'); do
        awk -v t="#EXT-X-DATERANGE:$2" '/^#EXT-X-DATERANGE:/ { print t; next } { print }' \
            "$_f" >"$_f.new" && mv "$_f.new" "$_f"
    done
}
IC='CLASS="com.apple.hls.interstitial"'
at() { echo "START-DATE=\"2000-01-01T00:00:0$1.000Z\""; }
variant list "ID=\"l\",$IC,$(at 2),DURATION=3,X-ASSET-LIST=\"/lists/two.json\",X-RESUME-OFFSET=0,X-PLAYOUT-LIMIT=3"
variant pre "ID=\"p\",$IC,$(at 0),X-ASSET-URI=\"/ad/master.m3u8\",CUE=\"PRE\""
variant once "ID=\"o\",$IC,$(at 2),DURATION=2,X-ASSET-URI=\"/ad/master.m3u8\",X-RESUME-OFFSET=0,CUE=\"ONCE\""
variant post "ID=\"z\",$IC,$(at 0),X-ASSET-URI=\"/ad/master.m3u8\",CUE=\"POST\""
variant mid "ID=\"m\",$IC,$(at 3),DURATION=2,X-ASSET-URI=\"../../../ad/master.m3u8\",X-RESUME-OFFSET=0"
variant default "ID=\"d\",$IC,$(at 2),DURATION=2,X-ASSET-URI=\"/ad/master.m3u8\""
variant missing "ID=\"n\",$IC,$(at 2),DURATION=2,X-ASSET-URI=\"/no-such-ad/master.m3u8\""
variant notjson "ID=\"j\",$IC,$(at 2),DURATION=2,X-ASSET-LIST=\"/lists/notjson.json\""
variant noassets "ID=\"a\",$IC,$(at 2),DURATION=2,X-ASSET-LIST=\"/lists/noassets.json\""
variant baduri "ID=\"u\",$IC,$(at 2),DURATION=2,X-ASSET-LIST=\"/lists/baduri.json\""
echo '{"ASSETS":[{"URI":"/ad/master.m3u8","DURATION":2.0},{"URI":"../ad/master.m3u8","DURATION":2.0}]}' \
    >"$root/lists/two.json"
echo '{"ASSETS":[{"URI":' >"$root/lists/notjson.json"
echo '{"assets":[{"URI":"/ad/master.m3u8"}]}' >"$root/lists/noassets.json"
echo '{"ASSETS":[{"URI":7,"DURATION":2}]}' >"$root/lists/baduri.json"

"$FAULTSRV" --root "$root" --listen 127.0.0.1:0 --port-file "$SV_TMP/fs.port" \
    --log "$SV_TMP/fs.log" >"$SV_TMP/fs.out" 2>&1 &
FS_PID=$!
_i=0
while [ ! -s "$SV_TMP/fs.port" ]; do
    _i=$((_i + 1))
    [ "$_i" -le 100 ] || fail "sv-faultsrv did not start"
    sleep 0.05
done
FS="http://127.0.0.1:$(cat "$SV_TMP/fs.port")"

# The title's frames from frame F to frame T (1-based, inclusive).
part() { sed -n "$1,$2p" "$SV_TMP/title.h"; }
head -n 25 "$SV_TMP/ad.h" >"$SV_TMP/ad1s.h"
cat "$SV_TMP/t1.h" "$SV_TMP/ad.h" "$SV_TMP/ad1s.h" "$SV_TMP/t23.h" >"$SV_TMP/want.list"
frames list "$FS/list/master.m3u8" "$SV_TMP/want.list"
api list play "$FS/list/master.m3u8"
expect_eq "list: two assets from the X-ASSET-LIST, the second cut at 1 s, then the title at 2 s" \
    "$(grep -c '"path":"/lists/two.json"' "$SV_TMP/fs.log" | sed 's/^[1-9][0-9]*$/fetched/') $(awk '$1 == "start" { printf "%s/%s %s ", $5 + 1, $6, $4 } $1 == "end" { printf "end %s %s ", $3, $4 }' "$SV_TMP/list.txt")" \
    "fetched 1/2 2.000 end 2.000 2.000 2/2 1.000 end 2.000 1.000 "
cat "$SV_TMP/ad.h" "$SV_TMP/title.h" >"$SV_TMP/want.pre"
frames pre "$FS/pre/master.m3u8" "$SV_TMP/want.pre"
api once back "$FS/once/master.m3u8" 1
expect_eq "once: CUE ONCE: a seek back does not play it again" \
    "$(grep -c '^start o ' "$SV_TMP/once.txt") $(line once seek)" "1 0"
cat "$SV_TMP/title.h" "$SV_TMP/ad.h" >"$SV_TMP/want.post"
frames post "$FS/post/master.m3u8" "$SV_TMP/want.post"
api post play "$FS/post/master.m3u8"
expect_eq "post: the ad after the title's end, the position stays at its end" \
    "$(line post start | cut -d' ' -f1,2) $(line post end | cut -d' ' -f2) $(line post ended | cut -d' ' -f1)" \
    "z 6.016 6.016 6.016"
{ part 1 75; cat "$SV_TMP/ad.h"; part 76 150; } >"$SV_TMP/want.mid"
frames mid "$FS/mid/master.m3u8" "$SV_TMP/want.mid"
{ cat "$SV_TMP/t1.h" "$SV_TMP/ad.h"; part 101 150; } >"$SV_TMP/want.default"
frames default "$FS/default/master.m3u8" "$SV_TMP/want.default"
api default play "$FS/default/master.m3u8"
expect_eq "default: no X-RESUME-OFFSET: the title resumes after the ad's duration" \
    "$(line default end | cut -d' ' -f2)" 4.000

for v in missing notjson noassets baduri; do
    frames "$v" "$FS/$v/master.m3u8" "$SV_TMP/title.h"
    api "$v" play "$FS/$v/master.m3u8"
    w=$(line "$v" warning)
    [ -n "$w" ] && [ -z "$(line "$v" start)" ] && [ -z "$(line "$v" fatal)" ] ||
        fail "$v: no warning, or the break played, or playback failed"
    expect_eq "$v: the title played to its end (frames shown + dropped)" \
        "$(line "$v" ended | awk '{ print $1, $2 + $3 }')" "5.960 150"
    echo "  $v: warning $w"
done
expect_contains "missing: the warning names the 404" "$(line missing warning)" "HTTP 404"
expect_contains "notjson: the warning says it" "$(line notjson warning)" "not JSON"
expect_contains "noassets: the warning says it" "$(line noassets warning)" "no ASSETS array"
expect_contains "baduri: the warning says it" "$(line baduri warning)" "ASSETS[0] has no URI string"
echo "backend_interstitials_hls: ok"
