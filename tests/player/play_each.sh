#!/bin/sh
# Every packaged fixture plays to the end over HTTP, headless, with no error,
# and the player decodes exactly as many video frames as the rendition holds
# (ffprobe -count_frames, recorded by scripts/make-test-streams.sh).
#   play_each.sh [FIXTURE...]   (default: all of fixtures.tsv)
. "$SV_SOURCE_DIR/tests/player/playlib.sh"

pl_serve
names=${*:-$(pl_fixtures | cut -f1)}
for name in $names; do
    pl_fixture "$name"
    stats="$PL_TMP/$name.json"
    pl_play "$name" 60 --headless --benchmark --quiet --stats "$stats" "$PL_URL/$FX_PATH"
    if [ "$PL_RC" -ne 0 ]; then
        check 1 "$name: exit status $PL_RC"
        pl_show "$name"
        continue
    fi
    if [ ! -s "$stats" ]; then
        check 1 "$name: no stats file"
        continue
    fi
    err=$(pl_json "$stats" error)
    frames=$(pl_json "$stats" decoded_frames)
    dropped=$(pl_json "$stats" dropped_frames)
    [ "$err" = null ]
    check $? "$name: error is $err"
    [ "$frames" = "$FX_FRAMES" ]
    check $? "$name: decoded_frames $frames, rendition has $FX_FRAMES ($FX_KIND, $(pl_json "$stats" segments_downloaded) segments, $(pl_json "$stats" bytes_downloaded) bytes, dropped $dropped)"
done
pl_finish
