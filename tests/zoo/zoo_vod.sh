#!/bin/sh
# The stream zoo, on demand (issue 16): each entry of tests/zoo/zoo_gen.sh
# (ffmpeg HLS and DASH in every layout, Shaka Packager HLS and DASH with two
# audio and two text languages, clear, cenc and cbcs) played once in real
# time by svplay --headless over loopback HTTP (sv-faultsrv: Range gets 206),
# ZOO_AT_ONCE (default 3) entries at a time,
# asserted by zoo_svplay_vod (tests/zoo/zoolib.sh): bit-exact frames, no
# dropped frame, A/V drift under 40 ms, the whole duration, subtitles on time.
#   zoo_vod.sh [ENTRY...]   (default: every on-demand entry)
. "$SV_SOURCE_DIR/tests/zoo/zoolib.sh"

zoo_streams
zoo_serve "$ZOO/www"
names=${*:-$(zoo_entries)}
# Up to ZOO_AT_ONCE entries (default 3) play at the same time, then are
# asserted; a player of these small renditions takes a few percent of a core.
at_once=${ZOO_AT_ONCE:-3}
batch=""
for name in $names; do
    zoo_start_vod "$name"
    batch="$batch $name"
    if [ "$(echo $batch | wc -w)" -ge "$at_once" ]; then
        for b in $batch; do zoo_svplay_vod "$b"; done
        batch=""
    fi
done
for b in $batch; do zoo_svplay_vod "$b"; done
zoo_finish
