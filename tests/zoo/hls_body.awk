# hls_body.awk - one part of a joined HLS media playlist (zoo_gen_ffmpeg.sh,
# hls_join). Prints the playlist's segment lines with every URI (segment
# lines and EXT-X-MAP's URI attribute) prefixed with the folder `part`, and
# with head=1 first its header (the lines before the first segment tag).
# EXT-X-ENDLIST is left out: the caller ends the joined playlist.
#   awk -v part=a/ -v head=1 -f hls_body.awk a/v0.m3u8
/^#EXT-X-ENDLIST/ { next }
!body && /^#(EXTINF|EXT-X-MAP|EXT-X-BYTERANGE|EXT-X-DISCONTINUITY)/ { body = 1 }
!body { if (head) print; next }
/^#EXT-X-MAP:/ { sub(/URI="/, "URI=\"" part); print; next }
/^#/ || /^[ \t]*$/ { print; next }
{ print part $0 }
