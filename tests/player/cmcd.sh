#!/bin/sh
# CMCD (CTA-5004): svplay --cmcd plays the DASH and HLS fixtures from
# sv-faultsrv, whose request log shows a CMCD query argument on every
# segment request: object type (i for init, v/a for media), streaming
# format, the same session id throughout a load, encoded and top bitrate
# equal to the manifest's, duration of a media segment, startup (su) on
# the first ones; manifests carry none. Without --cmcd no request has it.
. "$SV_SOURCE_DIR/tests/player/playlib.sh"
pl_need python3
pl_serve

expect_eq() {
    [ "$2" = "$3" ] || fail "$1: got '$2', expected '$3'"
    ok "$1 = $3"
}
expect_ge() {
    [ "$2" -ge "$3" ] || fail "$1: got $2, expected at least $3"
    ok "$1 = $2 >= $3"
}

# run_log - the requests logged since the last mark (the server appends to
# its log; it is never truncated under it).
mark() {
    PL_MARK=$(wc -l <"$PL_TMP/requests.jsonl")
}
run_log() {
    tail -n +$((PL_MARK + 1)) "$PL_TMP/requests.jsonl"
}
# cmcd_of FILTER - the decoded CMCD payloads of this run's requests whose
# path matches FILTER, one per line.
cmcd_of() {
    run_log | grep "$1" | sed -n 's/.*"query":"\([^"]*\)".*/\1/p' |
        tr '&' '\n' | sed -n 's/^CMCD=//p' |
        python3 -c 'import sys, urllib.parse; [print(urllib.parse.unquote(l.strip())) for l in sys.stdin]'
}

# Init and media segments (.m4s, HLS init .mp4) by their path.
SEGS='"path":"[^"]*\.m[p4][4s]"'
for fmt in "d dash_ffmpeg/manifest.mpd" "h hls_fmp4/master.m3u8"; do
    set -- $fmt
    mark
    pl_play "$1" 60 --headless --cmcd --frames 100 "$PL_URL/$2"
    [ "$PL_RC" = 0 ] || { pl_show "$1"; fail "svplay --cmcd $2 exited $PL_RC"; }
    cmcd_of "$SEGS" >"$PL_TMP/$1.segs"
    nseg=$(run_log | grep -c "$SEGS")
    expect_eq "$2: segment requests with CMCD" "$(grep -c . "$PL_TMP/$1.segs")" "$nseg"
    expect_eq "$2: manifests without CMCD" "$(cmcd_of '\.m[pd3][du8]' | grep -c .)" 0
    expect_eq "$2: one session id" "$(grep -o 'sid="[^"]*"' "$PL_TMP/$1.segs" | sort -u | wc -l)" 1
    expect_eq "$2: every request names the format" "$(grep -c "sf=$1" "$PL_TMP/$1.segs")" "$nseg"
    expect_ge "$2: init segments typed i" "$(grep -c 'ot=i' "$PL_TMP/$1.segs")" 1
    expect_ge "$2: media segments typed v or a" "$(grep -c 'ot=[va]' "$PL_TMP/$1.segs")" 2
    expect_ge "$2: startup flag on the first requests" "$(grep -c ',su' "$PL_TMP/$1.segs")" 1
    expect_ge "$2: media segments with a duration" "$(grep 'ot=v' "$PL_TMP/$1.segs" | grep -c 'd=[1-9]')" 1
    expect_ge "$2: buffer length on media segments" "$(grep 'ot=v' "$PL_TMP/$1.segs" | grep -c 'bl=')" 1
    # The keys come in alphabetical order with valid values.
    bad=$(grep -v -E '^(br=[0-9]+,)?(bl=[0-9]+,)?(d=[0-9]+,)?(mtp=[0-9]+,)?ot=[iva],sf=[dh],sid="[0-9a-f-]{36}"(,su)?(,tb=[0-9]+)?$' "$PL_TMP/$1.segs" | head -n 1)
    expect_eq "$2: payloads in the CTA-5004 grammar" "$bad" ""
    echo "$2: e.g. $(grep 'ot=v' "$PL_TMP/$1.segs" | tail -n 1)"
done

mark
pl_play plain 60 --headless --benchmark --frames 50 "$PL_URL/dash_ffmpeg/manifest.mpd"
[ "$PL_RC" = 0 ] || { pl_show plain; fail "svplay without --cmcd exited $PL_RC"; }
expect_eq "no CMCD without --cmcd" "$(run_log | grep -c 'CMCD')" 0
