#!/bin/sh
# The stream zoo, on demand (issue 16): each entry of tests/zoo/zoo_gen.sh
# (ffmpeg HLS and DASH in every layout, Shaka Packager HLS and DASH with two
# audio and two text languages, clear, cenc and cbcs) played once in real
# time by svplay --headless over loopback HTTP (sv-faultsrv: Range gets 206),
# asserted by zoo_svplay_vod (tests/zoo/zoolib.sh): bit-exact frames, no
# dropped frame, A/V drift under 40 ms, the whole duration, subtitles on time.
#   zoo_vod.sh [ENTRY...]   (default: every on-demand entry)
. "$SV_SOURCE_DIR/tests/zoo/zoolib.sh"

zoo_streams
zoo_serve "$ZOO/www"
names=${*:-$(zoo_entries)}
for name in $names; do
    zoo_svplay_vod "$name"
done
zoo_finish
