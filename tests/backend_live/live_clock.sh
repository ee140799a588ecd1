#!/bin/sh
# The two clocks of a live channel (issue 17, item 4 of the latency work):
# the capture clock dates media (EXT-X-PROGRAM-DATE-TIME, the DASH
# ProducerReferenceTime) with the wall time its frames reached svserver, and
# the availability clock says when a part exists (availabilityTimeOffset).
# Two publishers one after the other, SRT then RTMP (ffmpeg -re copying a
# 640x360 clip with a tone, 12 s each), launched at a known wall time; for
# each (livecheck.py clock):
#   - its first segment is dated 0 to 1 s after its launch (the feed's
#     first packet; not the end of the stream-info probe, 1.2 to 2 s later);
#   - no part is dated later (beyond 20 ms of rounding) than the wall time
#     its file landed less its duration (now minus a part's date is at
#     least its real age);
#   - the MPD lists none of its segments before the segment's first part
#     landed (from the third: the stream-info probe holds the first two
#     seconds, which land in a burst; a request that comes early is held
#     until its part lands); the Period's ProducerReferenceTime is the
#     first segment's date.
. "$SV_SOURCE_DIR/tests/backend/backendlib.sh"
. "$SV_SOURCE_DIR/tests/backend_live/livelib.sh"
CHECK="python3 $SV_SOURCE_DIR/tests/backend_live/livecheck.py"

live_clip 640x360 12
live_admin
sv_start --workers 0
live_token
live_ports
live_channel clock '{"end_after_s":20,"ladder":"360:800"}'
live_loaded && echo "note: the machine is loaded ($(cut -d' ' -f1-3 /proc/loadavg))"

for proto in srt rtmp; do
    launch=$(date +%s.%N)
    live_publish "$proto" "$SV_TMP/clip-640x360.mkv" "$SV_TMP/pub-$proto.log"
    # Well into the feed: a few segments of it listed with their parts.
    sleep 8
    $CHECK clock "$SV_URL/live/clock" 360p "$SV_DATA/live/clock/360p" "$launch" ||
        fail "$proto: the clocks"
    $CHECK clock "$SV_URL/live/clock" audio "$SV_DATA/live/clock/audio" "$launch" ||
        fail "$proto: the audio's clocks"
    wait "$PUB_PID" || fail "the $proto publisher failed: $(cat "$SV_TMP/pub-$proto.log")"
    ok "$proto: program date times on the capture clock, the MPD on the availability clock"
done
grep "media time 0 reached" "$SV_TMP/server.err" | sed 's/^/server: /'
