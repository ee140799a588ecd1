#!/bin/sh
# Segment faults (docs/sdk.md, "Segment faults"): svplay plays the 12 s
# fixtures in real time (headless) from sv-faultsrv while one segment, or
# everything from some point on, fails on purpose.
#
#   404 on one segment (every rendition), HLS fMP4 with separate audio,
#   DASH, and HLS TS with muxed audio: playback goes on past it (exit 0);
#   the stats name the skipped URL; played duration = 12 s minus the gap
#   (within a frame); no dropped frames; A/V drift under 0.1 s.
#   A truncated segment (the server announces and sends 100000 bytes too
#   few): detected, retried, skipped, with a warning naming the URL and the
#   byte counts. A body cut by the server once: retried and recovered (no
#   skip, the whole 12 s), with the same kind of warning.
#   Everything failing from 6 s on (503): the 6 s buffered play out, then
#   exit 1 with an error naming a URL, no sooner than --give-up after the
#   buffer ran out.
# The six runs play at the same time (pl_play_bg), each from its own copy of
# its fixture under /CASE/ on one server, so every fault rule (all set at
# once, named after their case) reaches only its own run.
. "$SV_SOURCE_DIR/tests/player/playlib.sh"

CASES="hls-fmp4-404:hls_fmp4 dash-404:dash_ffmpeg hls-ts-404:hls_ts truncated-skip:hls_fmp4
truncated-recovered:hls_fmp4 everything-fails:hls_fmp4"
root="$PL_TMP/www"
for c in $CASES; do
    mkdir -p "$root/${c%%:*}"
    cp -R "$PL_STREAMS/www/${c#*:}" "$root/${c%%:*}/" || fail "cannot copy ${c#*:} for ${c%%:*}"
done
pl_serve "$root"
CONTENT=12
FRAME=$(awk 'BEGIN { printf "%.6f", 1 / 30 }')

# near A B TOL - |A - B| <= TOL
near() {
    awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= t) }'
}
# ge A B - A >= B
ge() {
    awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 >= b + 0) }'
}

# play NAME PATH [svplay options] - starts a real-time headless run with
# --stats of /NAME/PATH; collect NAME - waits for it (sets PL_RC).
play() {
    _n=$1
    _u=$2
    shift 2
    pl_play_bg "$_n" 60 --headless --stats "$PL_TMP/$_n.json" "$@" "$PL_URL/$_n/$_u"
}
collect() {
    pl_wait "$1"
}

# The fault rules of every case, under its own folder.
pl_rules '[
 {"name":"gone-hls-fmp4-404","match":"/hls-fmp4-404/hls_fmp4/s[123]_003.m4s","status":404},
 {"name":"gone-dash-404","match":"/dash-404/dash_ffmpeg/chunk-stream[012]-00004.m4s","status":404},
 {"name":"gone-hls-ts-404","match":"/hls-ts-404/hls_ts/v[012]_002.ts","status":404},
 {"name":"short","match":"/truncated-skip/hls_fmp4/s[123]_003.m4s","content_length_delta":-100000},
 {"name":"cut","match":"/truncated-recovered/hls_fmp4/s[123]_003.m4s","times":1,"truncate_after":30000},
 {"name":"down","match":"/everything-fails/hls_fmp4/s[0-3]_00[3-6].m4s","status":503}]'
play hls-fmp4-404 hls_fmp4/master.m3u8
play dash-404 dash_ffmpeg/manifest.mpd
play hls-ts-404 hls_ts/master.m3u8
play truncated-skip hls_fmp4/master.m3u8
play truncated-recovered hls_fmp4/master.m3u8
play everything-fails hls_fmp4/master.m3u8 --give-up 3000

# skip_case NAME PATH GLOB SKIPPED_PATH_RE - one segment answers 404 on
# every rendition; the run must go over it.
skip_case() {
    name=$1
    collect "$name"
    s="$PL_TMP/$name.json"
    r=0
    [ "$PL_RC" -eq 0 ] || { echo "  $name: exit $PL_RC, expected 0 (played over the gap)"; r=1; }
    [ -s "$s" ] || { pl_show "$name"; check 1 "$name: no stats"; return; }
    n=$(pl_json "$s" skipped_segments)
    url=$(pl_json "$s" segment_skips.0.url)
    gap=$(pl_json "$s" skipped_s)
    played=$(pl_json "$s" played_s)
    dropped=$(pl_json "$s" dropped_frames)
    drift=$(pl_json "$s" max_av_drift_s)
    [ "$n" = 1 ] || { echo "  $name: skipped_segments $n, expected 1"; r=1; }
    echo "$url" | grep -Eq "$4" || { echo "  $name: skipped URL '$url' is not $4"; r=1; }
    grep -q "\"rule\":\"gone-$name\"" "$PL_TMP/requests.jsonl" || { echo "  $name: the 404 never fired"; r=1; }
    want=$(awk -v c="$CONTENT" -v g="$gap" 'BEGIN { printf "%.3f", c - g }')
    # Late frames (a busy machine) are not the gap's: they count as played.
    played=$(awk -v p="$played" -v d="$dropped" 'BEGIN { printf "%.3f", p + d / 30 }')
    near "$played" "$want" "$FRAME" ||
        { echo "  $name: played $played s, expected $want s (12 s minus the gap) within a frame"; r=1; }
    [ "$dropped" = 0 ] || { echo "  $name: $dropped dropped frames"; r=1; }
    ge 0.1 "$drift" || { echo "  $name: A/V drift $drift s"; r=1; }
    [ "$r" -eq 0 ] || pl_show "$name"
    check "$r" "$name: 404 on $3: skipped $url, gap $gap s, played $played s (want $want), dropped $dropped, drift $drift s"
}

skip_case hls-fmp4-404 hls_fmp4/master.m3u8 '/hls_fmp4/s[123]_003.m4s' '/hls-fmp4-404/hls_fmp4/s[123]_003\.m4s$'
skip_case dash-404 dash_ffmpeg/manifest.mpd '/dash_ffmpeg/chunk-stream[012]-00004.m4s' \
    '/dash-404/dash_ffmpeg/chunk-stream[012]-00004\.m4s$'
skip_case hls-ts-404 hls_ts/master.m3u8 '/hls_ts/v[012]_002.ts' '/hls-ts-404/hls_ts/v[012]_002\.ts$'

# A segment served short: 100000 bytes fewer announced and sent, so the
# transfer looks whole. Detected by its boxes, retried, then skipped.
name=truncated-skip
collect "$name"
s="$PL_TMP/$name.json"
r=0
[ "$PL_RC" -eq 0 ] || { echo "  $name: exit $PL_RC"; r=1; }
warn=$(grep -m1 -E 'warn.*s[123]_003\.m4s.*truncated body: [0-9]+ bytes received, its boxes need [0-9]+' \
    "$PL_TMP/$name.err")
[ -n "$warn" ] || { echo "  $name: no warning naming the URL and byte counts"; r=1; }
tries=$(grep -c '"path":"/truncated-skip/hls_fmp4/s[123]_003.m4s".*"rule":"short"' "$PL_TMP/requests.jsonl")
ge "$tries" 2 || { echo "  $name: $tries requests of the short segment (not retried)"; r=1; }
[ "$(pl_json "$s" skipped_segments)" = 1 ] || { echo "  $name: not skipped"; r=1; }
played=$(awk -v p="$(pl_json "$s" played_s)" -v d="$(pl_json "$s" dropped_frames)" \
    'BEGIN { printf "%.3f", p + d / 30 }')
near "$played" 10 "$FRAME" || { echo "  $name: played $played s, expected 10"; r=1; }
[ "$(pl_json "$s" dropped_frames)" = 0 ] || { echo "  $name: dropped frames"; r=1; }
[ "$r" -eq 0 ] || pl_show "$name"
check "$r" "$name: $tries tries, skipped, played $played s; $warn"

# Cut by the server once (it closes after 30000 bytes of the body): the
# retry gets it whole; nothing is skipped.
name=truncated-recovered
collect "$name"
s="$PL_TMP/$name.json"
r=0
[ "$PL_RC" -eq 0 ] || { echo "  $name: exit $PL_RC"; r=1; }
warn=$(grep -m1 -E 'warn.*s[123]_003\.m4s.*truncated body: 30000 of [0-9]+ bytes' "$PL_TMP/$name.err")
[ -n "$warn" ] || { echo "  $name: no warning naming the URL and byte counts"; r=1; }
[ "$(pl_json "$s" skipped_segments)" = 0 ] || { echo "  $name: skipped"; r=1; }
played=$(awk -v p="$(pl_json "$s" played_s)" -v d="$(pl_json "$s" dropped_frames)" \
    'BEGIN { printf "%.3f", p + d / 30 }')
near "$played" "$CONTENT" "$FRAME" || { echo "  $name: played $played s, expected 12"; r=1; }
[ "$(pl_json "$s" dropped_frames)" = 0 ] || { echo "  $name: dropped frames"; r=1; }
[ "$r" -eq 0 ] || pl_show "$name"
check "$r" "$name: recovered, played $played s; $warn"

# Nothing can be fetched from 6 s on: what is buffered plays out, then the
# run ends with an error naming a URL, --give-up (3 s) after the buffer ran
# out (the first segment given up).
name=everything-fails
collect "$name"
s="$PL_TMP/$name.json"
pl_expect_error "$name"
r=$?
msg=$(pl_json "$s" error.message)
echo "$msg" | grep -Eq 'http://127\.0\.0\.1:[0-9]+/everything-fails/hls_fmp4/s[0-3]_00[3-6]\.m4s' ||
    { echo "  $name: the error '$msg' names no segment URL"; r=1; }
played=$(pl_json "$s" played_s)
ge "$played" 5.8 || { echo "  $name: played $played s of the 6 s buffered"; r=1; }
first=$(pl_json "$s" segment_skips.0.t_s)
ended=$(awk -v e="$(cat "$PL_TMP/$name.end")" -v l="$(pl_json "$s" load_unix_s)" \
    'BEGIN { printf "%.2f", e - l }')
after=$(awk -v a="$ended" -v b="$first" 'BEGIN { printf "%.2f", a - b }')
ge "$after" 3 || { echo "  $name: ended $after s after the buffer ran out, before --give-up 3000"; r=1; }
[ "$r" -eq 0 ] || pl_show "$name"
check "$r" "$name: played $played s, exit 1 $after s after the first give-up: $msg"
pl_finish
