#!/bin/sh
# Timed events in real time (issue 19, item 3): svplay --events against
#   - DASH: ffmpeg's MPD with two EventStreams added (chapters at 2.0 s and
#     4.53 s, an SCTE-35 splice_insert at 6.0 s as urn:scte:scte35:2013:bin,
#     a malformed Event), and emsg boxes written into ffmpeg's segments by
#     sv-emsg-inject: version 0 at 6.51 s in the video and (same id) the audio
#     segment, version 1 SCTE-35 at 9.2 s, and one with timescale 0;
#   - HLS: ffmpeg's playlists given an EXT-X-PROGRAM-DATE-TIME and
#     EXT-X-DATERANGE tags (SCTE35-OUT at 3.0 s, a chapter at 5.47 s, one
#     with a START-DATE that is not a date);
#   - DASH again from --start 6.5: the events whose span holds 6.5 come with
#     the first frame, the ones before it never;
#   - live HLS: a sliding playlist (5 segments of 2 s, one more every 2 s,
#     written by a relay of ffmpeg's segments) that repeats one
#     EXT-X-DATERANGE at 15 s in every reload: reported once;
#   - live DASH: a dynamic MPD over ffmpeg's segments (availabilityStartTime
#     7 s before the run, minimumUpdatePeriod 2 s) with an SCTE-35 Event at
#     8 s, reloaded every 2 s: reported once.
# Each event must come once, in order, at the frame that covers its start
# (reported_at_s <= start_s < reported_at_s + 0.04 at 25 fps), at the wall
# time that matches (the gaps between events' arrival equal the gaps
# between their starts within 0.1 s), with its payload and SCTE-35 summary;
# the malformed ones are counted in the stats and playback goes on without
# a dropped frame.
. "$SV_SOURCE_DIR/tests/player/playlib.sh"

INJECT="${SV_EMSG_INJECT:?run through ctest (SV_EMSG_INJECT unset)}"
w="$PL_TMP/www"
mkdir -p "$w/dash" "$w/hls"
# The ANSI/SCTE 35 splice_insert sample (event 0x4800008f, out of network).
SCTE_HEX=FC302F000000000000FFFFF014054800008F7FEFFE7369C02EFE0052CCF500000000000A0008435545490000013562DBA30A
SCTE_B64=/DAvAAAAAAAA///wFAVIAACPf+/+c2nALv4AUsz1AAAAAAAKAAhDVUVJAAABNWLbowo=

(cd "$w/dash" && ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x240:rate=25 \
    -f lavfi -i sine=r=48000 -t 12 -map 0:v -map 1:a -c:v libx264 -preset ultrafast -bf 0 \
    -g 50 -c:a aac -seg_duration 2 -adaptation_sets "id=0,streams=v id=1,streams=a" -f dash \
    ffmpeg.mpd) || fail "ffmpeg could not make the DASH stream"
awk -v b64="$SCTE_B64" '
    /<Period/ {
        print
        print "<EventStream schemeIdUri=\"urn:example:chapters\" value=\"c\" timescale=\"1000\">"
        print "<Event presentationTime=\"2000\" duration=\"1500\" id=\"1\" messageData=\"one\"/>"
        print "<Event presentationTime=\"4530\" id=\"2\" messageData=\"two\"/>"
        print "<Event presentationTime=\"bad\" id=\"3\"/>"
        print "</EventStream>"
        print "<EventStream schemeIdUri=\"urn:scte:scte35:2013:bin\" timescale=\"90000\">"
        print "<Event presentationTime=\"540000\" duration=\"180000\" id=\"10\">" b64 "</Event>"
        print "</EventStream>"
        next
    }
    { print }' "$w/dash/ffmpeg.mpd" >"$w/dash/manifest.mpd"
# Segment 4 is 6-8 s, 5 is 8-10 s (2 s segments numbered from 1). The audio
# segment 4 starts at 287744 / 48000 s (AAC frames), so its copy of the
# version 0 emsg counts 24736 / 48000 s from there: 6.51 s as well, so the
# copy that arrives first places it at the same time.
d="$w/dash"
"$INJECT" "$d/chunk-stream0-00004.m4s" 0 urn:example:emsg v0 1000 510 1000 7 hello &&
    "$INJECT" "$d/chunk-stream1-00004.m4s" 0 urn:example:emsg v0 48000 24736 48000 7 hello &&
    "$INJECT" "$d/chunk-stream0-00005.m4s" 1 urn:scte:scte35:2013:bin "" 90000 828000 90000 11 \
        "hex:$SCTE_HEX" &&
    "$INJECT" "$d/chunk-stream0-00003.m4s" 0 urn:example:emsg v0 0 0 0 8 bad ||
    fail "sv-emsg-inject could not write the emsg boxes"

(cd "$w/hls" && ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x240:rate=25 \
    -f lavfi -i sine=r=48000 -t 10 -map 0:v -map 1:a -c:v libx264 -preset ultrafast -g 50 \
    -c:a aac -f hls -hls_time 2 -hls_playlist_type vod -hls_segment_type fmp4 \
    -hls_fmp4_init_filename init.mp4 -hls_segment_filename 'seg_%03d.m4s' out.m3u8) ||
    fail "ffmpeg could not make the HLS stream"
awk -v hex="$SCTE_HEX" '
    /^#EXTINF/ && !done {
        print "#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:00:00.000Z"
        print "#EXT-X-DATERANGE:ID=\"ad-1\",CLASS=\"com.example.ad\",START-DATE=\"2026-01-01T00:00:03.000Z\",DURATION=2.0,SCTE35-OUT=0x" hex ",X-AD=\"a\""
        print "#EXT-X-DATERANGE:ID=\"ch-2\",CLASS=\"chapter\",START-DATE=\"2026-01-01T00:00:05.470Z\""
        print "#EXT-X-DATERANGE:ID=\"bad\",START-DATE=\"not a date\""
        done = 1
    }
    { print }' "$w/hls/out.m3u8" >"$w/hls/events.m3u8"

# The live source: 24 s in 2 s segments, relayed as a sliding playlist.
mkdir -p "$w/live_src" "$w/live"
(cd "$w/live_src" && ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x240:rate=25 \
    -f lavfi -i sine=r=48000 -t 24 -map 0:v -map 1:a -c:v libx264 -preset ultrafast -g 50 \
    -c:a aac -f hls -hls_time 2 -hls_playlist_type vod -hls_segment_type fmp4 \
    -hls_fmp4_init_filename init.mp4 -hls_segment_filename 'seg_%03d.m4s' out.m3u8) ||
    fail "ffmpeg could not make the live source"
cp "$w/live_src"/*.m4s "$w/live_src/init.mp4" "$w/live/"
# live_playlist N - segments max(0, N-5) .. N-1, ENDLIST when N is 12.
live_playlist() {
    lp_first=$(($1 > 5 ? $1 - 5 : 0))
    {
        printf '#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:%d\n' "$lp_first"
        printf '#EXT-X-MAP:URI="init.mp4"\n'
        printf '#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:00:%02d.000Z\n' $((lp_first * 2))
        printf '#EXT-X-DATERANGE:ID="live-ad",CLASS="com.example.ad",START-DATE="2026-01-01T00:00:15.000Z",DURATION=2.0,SCTE35-OUT=0x%s\n' "$SCTE_HEX"
        lp_i=$lp_first
        while [ "$lp_i" -lt "$1" ]; do
            printf '#EXTINF:2.000000,\nseg_%03d.m4s\n' "$lp_i"
            lp_i=$((lp_i + 1))
        done
        [ "$1" -lt 12 ] || printf '#EXT-X-ENDLIST\n'
    } >"$w/live/index.m3u8.tmp"
    mv "$w/live/index.m3u8.tmp" "$w/live/index.m3u8"
}
live_playlist 3

# Live DASH: 20 s of video in 2 s segments; the dynamic MPD is written just
# before its run (its availabilityStartTime is 7 s before then).
mkdir -p "$w/live_dash"
(cd "$w/live_dash" && ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x240:rate=25 -t 20 \
    -c:v libx264 -preset ultrafast -bf 0 -g 50 -seg_duration 2 -f dash ffmpeg.mpd) ||
    fail "ffmpeg could not make the live DASH source"
ld_codecs=$(sed -n 's/.*codecs="\([^"]*\)".*/\1/p' "$w/live_dash/ffmpeg.mpd" | head -n 1)
live_dash_mpd() {
    ld_ast=$(date -u -d "@$(($(date +%s) - 7))" +%Y-%m-%dT%H:%M:%SZ)
    cat >"$w/live_dash/manifest.mpd" <<EOF
<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="dynamic" availabilityStartTime="$ld_ast"
     publishTime="$ld_ast" minimumUpdatePeriod="PT2S" timeShiftBufferDepth="PT30S"
     maxSegmentDuration="PT2S" minBufferTime="PT2S" profiles="urn:mpeg:dash:profile:isoff-live:2011">
<Period id="0" start="PT0S">
<EventStream schemeIdUri="urn:scte:scte35:2013:bin" timescale="90000">
<Event presentationTime="720000" duration="90000" id="42">$SCTE_B64</Event></EventStream>
<AdaptationSet contentType="video" mimeType="video/mp4" segmentAlignment="true" startWithSAP="1">
<SegmentTemplate timescale="12800" duration="25600" startNumber="1"
    initialization="init-stream\$RepresentationID\$.m4s"
    media="chunk-stream\$RepresentationID\$-\$Number%05d\$.m4s"/>
<Representation id="0" codecs="$ld_codecs" bandwidth="300000" width="320" height="240"/>
</AdaptationSet></Period></MPD>
EOF
}

pl_serve "$w"

# field LINE NAME - a scalar of one --events JSON line (compact, one level).
field() {
    printf '%s\n' "$1" | awk -v k="\"$2\":" '{
        i = index($0, k); if (!i) { print "none"; exit }
        s = substr($0, i + length(k))
        if (substr(s, 1, 1) == "\"") { s = substr(s, 2); print substr(s, 1, index(s, "\"") - 1) }
        else { match(s, /^[^,}]*/); print substr(s, 1, RLENGTH) }
    }'
}

# stats_are NAME FILE KEY=VALUE... - values of svplay's --stats JSON.
stats_are() {
    s_name=$1 s_file=$2
    shift 2
    s_got="" s_rc=0
    for kv in "$@"; do
        v=$(pl_json "$s_file" "${kv%%=*}")
        s_got="$s_got ${kv%%=*}=$v"
        [ "$v" = "${kv#*=}" ] || s_rc=1
    done
    check $s_rc "$s_name: stats$s_got (want $*)"
}

# expect NAME FILE IDS... - the events of FILE are IDS (in order), each at
# the frame covering its start, arriving as far apart as their starts.
expect() {
    e_name=$1 e_file=$2
    shift 2
    got=$(while IFS= read -r l; do printf '%s ' "$(field "$l" id)"; done <"$e_file")
    [ "$got" = "$* " ]
    check $? "$e_name: events $* reported once each, in order (got: $got)"
    bad=$(awk '{
        match($0, /"start_s":[^,]*/); s = substr($0, RSTART + 10, RLENGTH - 10) + 0
        match($0, /"reported_at_s":[^,]*/); r = substr($0, RSTART + 16, RLENGTH - 16) + 0
        if (!(r <= s + 1e-6 && s < r + 0.04 + 1e-6) && s >= from + 0) print $0
    }' from="${E_FROM:-0}" "$e_file")
    [ -z "$bad" ]
    check $? "$e_name: every event at the frame that covers its start${bad:+: $bad}"
}

# wall NAME FILE - arrival gaps (elapsed_s) match start gaps within 0.1 s.
wall() {
    worst=$(awk '{
        match($0, /"start_s":[^,]*/); s = substr($0, RSTART + 10, RLENGTH - 10) + 0
        match($0, /"elapsed_s":[^,]*/); t = substr($0, RSTART + 12, RLENGTH - 12) + 0
        if (NR > 1) { d = (t - t0) - (s - s0); if (d < 0) d = -d; if (d > m) m = d }
        s0 = s; t0 = t
    } END { printf "%.3f", m }' "$2")
    awk -v m="$worst" 'BEGIN { exit !(m <= 0.1) }'
    check $? "$1: arrival gaps follow the media time (worst difference $worst s)"
}

pl_play_bg dash 60 --headless --events "$PL_TMP/dash.jsonl" --stats "$PL_TMP/dash.json" \
    "$PL_URL/dash/manifest.mpd"
pl_play_bg hls 60 --headless --events "$PL_TMP/hls.jsonl" --stats "$PL_TMP/hls.json" \
    "$PL_URL/hls/events.m3u8"
pl_play_bg start 60 --headless --start 6.5 --events "$PL_TMP/start.jsonl" \
    --stats "$PL_TMP/start.json" "$PL_URL/dash/manifest.mpd"
# Two at a time: the real-time runs must not starve each other of the CPU
# (the video-on-demand three, then the two live ones).
for n in dash hls start; do
    pl_wait $n
    [ "$PL_RC" -eq 0 ] || { pl_show $n; fail "$n: svplay exited $PL_RC"; }
done
pl_play_bg live 60 --headless --events "$PL_TMP/live.jsonl" --stats "$PL_TMP/live.json" \
    "$PL_URL/live/index.m3u8"
live_dash_mpd
pl_play_bg live_dash 60 --headless --frames 250 --events "$PL_TMP/live_dash.jsonl" \
    --stats "$PL_TMP/live_dash.json" "$PL_URL/live_dash/manifest.mpd"
# The relay: one segment more every 2 s, then the end (bounded: 9 steps).
n=4
while [ "$n" -le 12 ]; do
    sleep 2
    live_playlist "$n"
    n=$((n + 1))
done
for n in live live_dash; do
    pl_wait $n
    [ "$PL_RC" -eq 0 ] || { pl_show $n; fail "$n: svplay exited $PL_RC"; }
done

expect dash "$PL_TMP/dash.jsonl" 1 2 10 7 11
wall dash "$PL_TMP/dash.jsonl"
l=$(sed -n 3p "$PL_TMP/dash.jsonl")
[ "$(field "$l" payload_hex)" = "$(echo "$SCTE_HEX" | tr A-F a-f)" ] &&
    [ "$(field "$l" command)" = splice_insert ] && [ "$(field "$l" out_of_network)" = true ] &&
    [ "$(field "$l" event_id)" = 1207959695 ] && [ "$(field "$l" duration_s)" = 2.0 ]
check $? "dash: the SCTE-35 Event's payload and summary (splice_insert, out, 0x4800008f)"
l=$(sed -n 4p "$PL_TMP/dash.jsonl")
[ "$(field "$l" source)" = dash-emsg ] && [ "$(field "$l" payload_hex)" = 68656c6c6f ] &&
    [ "$(field "$l" start_s)" = 6.51 ]
check $? "dash: emsg v0 at its segment's start + 0.51 s, once for video and audio"
l=$(sed -n 5p "$PL_TMP/dash.jsonl")
[ "$(field "$l" source)" = dash-emsg ] && [ "$(field "$l" start_s)" = 9.2 ] &&
    [ "$(field "$l" command)" = splice_insert ]
check $? "dash: emsg v1 SCTE-35 at its absolute time 9.2 s"
stats_are dash "$PL_TMP/dash.json" timed_events=5 timed_events_malformed=2 dropped_frames=0 \
    decoded_frames=300
grep -q 'Event@presentationTime "bad" is not an unsigned integer' "$PL_TMP/dash.err" &&
    grep -q 'emsg: timescale is 0' "$PL_TMP/dash.err"
check $? "dash: each malformed event is named in a warning"

expect hls "$PL_TMP/hls.jsonl" ad-1 ch-2
wall hls "$PL_TMP/hls.jsonl"
l=$(sed -n 1p "$PL_TMP/hls.jsonl")
[ "$(field "$l" source)" = hls-daterange ] && [ "$(field "$l" scheme)" = com.example.ad ] &&
    [ "$(field "$l" value)" = SCTE35-OUT ] && [ "$(field "$l" start_s)" = 3.0 ] &&
    [ "$(field "$l" command)" = splice_insert ] && grep -q 'X-AD=\\"a\\"' "$PL_TMP/hls.jsonl"
check $? "hls: the DATERANGE's SCTE35-OUT at 3.0 s with its CLASS and X- attribute"
stats_are hls "$PL_TMP/hls.json" timed_events=2 timed_events_malformed=1 dropped_frames=0

# The first frame shown is 6.52 s (the one at 6.48 s starts before 6.5):
# events from there on are held to their frame, the earlier ones in span
# come with it.
E_FROM=6.52 expect start "$PL_TMP/start.jsonl" 10 7 11
l=$(sed -n 1p "$PL_TMP/start.jsonl")
r1=$(field "$l" reported_at_s)
l=$(sed -n 2p "$PL_TMP/start.jsonl")
[ "$r1" = 6.52 ] && [ "$(field "$l" reported_at_s)" = 6.52 ]
check $? "start 6.5: the events whose span holds 6.5 come with the first frame (6.52 s), once"
# Live: the tag came with every reload (about 9), the event once, on its
# frame; 15 s on the timeline that starts at the first playlist's first
# segment (the relay had segments 0-2 when the player loaded it).
expect live "$PL_TMP/live.jsonl" live-ad
l=$(sed -n 1p "$PL_TMP/live.jsonl")
[ "$(field "$l" start_s)" = 15.0 ] && [ "$(field "$l" command)" = splice_insert ]
check $? "live: the DATERANGE at 15.0 s through the sliding playlists' dates ($(field "$l" start_s))"
reloads=$(grep -c '"/live/index.m3u8"' "$PL_TMP/requests.jsonl" || true)
[ "$reloads" -ge 5 ]
check $? "live: the playlist was reloaded $reloads times (at least 5), the event reported once"
# Live DASH: the Event came with every MPD reload, and once to the host.
expect live_dash "$PL_TMP/live_dash.jsonl" 42
l=$(sed -n 1p "$PL_TMP/live_dash.jsonl")
[ "$(field "$l" start_s)" = 8.0 ] && [ "$(field "$l" event_id)" = 1207959695 ]
check $? "live_dash: the SCTE-35 Event at 8.0 s after availabilityStartTime ($(field "$l" start_s))"
reloads=$(grep -c '"/live_dash/manifest.mpd"' "$PL_TMP/requests.jsonl" || true)
[ "$reloads" -ge 3 ]
check $? "live_dash: the MPD was loaded $reloads times (at least 3), the event reported once"
pl_finish
