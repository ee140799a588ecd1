# Shared helpers for the backend_media tests (sourced, POSIX sh).
# Needs SV_BUILD_DIR; checks every output with ffprobe/ffmpeg/xmllint.

fail() { echo "FAIL: $*" >&2; exit 1; }

need_tools() {
    for t in "$@"; do
        command -v "$t" >/dev/null 2>&1 ||
            fail "$t is missing: run scripts/install-deps.sh"
    done
}

need_tools ffmpeg ffprobe xmllint awk
[ -n "$SV_BUILD_DIR" ] || fail "SV_BUILD_DIR is not set (run through ctest)"
INGEST=$(find "$SV_BUILD_DIR" -type f -name sv-media-ingest -perm -u+x | head -n 1)
[ -x "$INGEST" ] || fail "sv-media-ingest not built under $SV_BUILD_DIR"
. "$SV_SOURCE_DIR/tests/support/target.sh"
INGEST=$(target_program "$INGEST") || fail "cannot wrap $INGEST for the emulator"

# make_clip OUT SECONDS SIZE [noaudio]: a lavfi test clip, H.264 (+ AAC).
make_clip() {
    if [ "${4:-}" = noaudio ]; then
        ffmpeg -nostdin -v error -y -f lavfi -i "testsrc2=size=$3:rate=30" -t "$2" \
            -c:v libx264 -preset ultrafast -pix_fmt yuv420p "$1" || fail "ffmpeg clip $1"
    else
        ffmpeg -nostdin -v error -y -f lavfi -i "testsrc2=size=$3:rate=30" \
            -f lavfi -i "sine=frequency=440:sample_rate=44100" -t "$2" \
            -c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -b:a 128k "$1" ||
            fail "ffmpeg clip $1"
    fi
}

# check_rung DIR NB_SEGS SEG_S FPS WIDTH HEIGHT: every segment, read as
# init + segment, starts with a keyframe at (n-1)*SEG_S (within half a
# frame: tfdt is continuous), holds exactly one keyframe (one closed GOP)
# and lasts SEG_S within one frame, the last one at most SEG_S.
check_rung() {
    dir=$1 nsegs=$2 seg=$3 fps=$4 w=$5 h=$6
    [ -f "$dir/init.mp4" ] || fail "$dir/init.mp4 missing"
    [ -f "$dir/seg-$((nsegs + 1)).m4s" ] && fail "$dir has more than $nsegs segments"
    n=1
    while [ "$n" -le "$nsegs" ]; do
        [ -f "$dir/seg-$n.m4s" ] || fail "$dir/seg-$n.m4s missing"
        cat "$dir/init.mp4" "$dir/seg-$n.m4s" > "$WORK/one.mp4"
        size=$(ffprobe -v error -select_streams v:0 -show_entries stream=width,height \
               -of csv=p=0 "$WORK/one.mp4")
        [ "$size" = "$w,$h" ] || fail "$dir/seg-$n.m4s is $size, expected $w,$h"
        ffprobe -v error -select_streams v:0 -show_entries packet=pts_time,flags \
            -of csv=p=0 "$WORK/one.mp4" > "$WORK/pk.txt" || fail "ffprobe $dir/seg-$n.m4s"
        last=0
        [ "$n" -eq "$nsegs" ] && last=1
        awk -F, -v n="$n" -v seg="$seg" -v fps="$fps" -v last="$last" -v f="$dir/seg-$n.m4s" '
            NR == 1 { if ($2 !~ /^K/) { print f ": first packet is not a keyframe"; bad = 1 }
                      min = $1 }
            { if ($1 < min) min = $1; if ($2 ~ /^K/) keys++; frames++ }
            END {
                fd = 1 / fps; start = (n - 1) * seg; dur = frames * fd
                if (keys != 1) { print f ": " keys " keyframes"; bad = 1 }
                if (min - start > fd / 2 || start - min > fd / 2) {
                    print f ": starts at " min ", expected " start; bad = 1 }
                if (!last && (dur - seg > fd + 1e-6 || seg - dur > fd + 1e-6)) {
                    print f ": lasts " dur " s, expected " seg; bad = 1 }
                if (last && dur > seg + fd + 1e-6) { print f ": last lasts " dur; bad = 1 }
                exit bad
            }' "$WORK/pk.txt" || fail "segment check"
        n=$((n + 1))
    done
}

# decode_all URL NB_VIDEO: ffprobe lists NB_VIDEO video streams and one
# audio stream (when HAS_AUDIO=1); ffmpeg decodes every video rung to the
# end with no error line and the expected frame count (FRAMES). FFmpeg's
# DASH reader knows no trick-mode sets and lists their Representations (one
# per rung, key frames only) after the rungs: an MPD has NB_VIDEO more.
decode_all() {
    url=$1 nv=$2 want=$2
    case $url in *.mpd) want=$((nv * 2)) ;; esac
    # HLS lists each stream again under its program: count distinct indexes.
    ffprobe -v error -show_entries stream=index,codec_type -of csv=p=0 "$url" | sort -u \
        > "$WORK/streams.txt" || fail "ffprobe $url"
    nvid=$(grep -c ',video$' "$WORK/streams.txt" || true)
    naud=$(grep -c ',audio$' "$WORK/streams.txt" || true)
    [ "$nvid" -eq "$want" ] || fail "$url: ffprobe lists $nvid video streams, expected $want"
    [ "$naud" -eq "$HAS_AUDIO" ] || fail "$url: ffprobe lists $naud audio streams"
    i=0
    while [ "$i" -lt "$nv" ]; do
        ffmpeg -nostdin -v error -y -i "$url" -map "0:v:$i" -f framemd5 "$WORK/v.md5" \
            2> "$WORK/dec.err" || fail "$url v:$i: ffmpeg failed: $(cat "$WORK/dec.err")"
        [ -s "$WORK/dec.err" ] && fail "$url v:$i: decode errors: $(head -n 3 "$WORK/dec.err")"
        got=$(grep -vc '^#' "$WORK/v.md5")
        [ "$got" -eq "$FRAMES" ] || fail "$url v:$i: decoded $got frames, expected $FRAMES"
        i=$((i + 1))
    done
    if [ "$HAS_AUDIO" -eq 1 ]; then
        ffmpeg -nostdin -v error -i "$url" -map 0:a:0 -f null - 2> "$WORK/dec.err" ||
            fail "$url audio: ffmpeg failed"
        [ -s "$WORK/dec.err" ] && fail "$url audio: $(head -n 3 "$WORK/dec.err")"
    fi
    return 0
}

# check_manifests OUT NB_VIDEO NB_SEGS: playlist and MPD structure.
check_manifests() {
    out=$1 nv=$2 nsegs=$3
    m="$out/master.m3u8"
    head -n 1 "$m" | grep -q '^#EXTM3U' || fail "master.m3u8 header"
    grep -q '^#EXT-X-INDEPENDENT-SEGMENTS' "$m" || fail "no EXT-X-INDEPENDENT-SEGMENTS"
    [ "$(grep -c '^#EXT-X-STREAM-INF:' "$m")" -eq "$nv" ] || fail "master: not $nv variants"
    [ "$(grep -c '^#EXT-X-I-FRAME-STREAM-INF:' "$m")" -eq "$nv" ] ||
        fail "master: not $nv I-frame variants"
    grep '^#EXT-X-STREAM-INF:' "$m" | while read -r line; do
        for attr in 'BANDWIDTH=[0-9]' 'AVERAGE-BANDWIDTH=[0-9]' 'RESOLUTION=[0-9]*x[0-9]' \
                    'CODECS="avc1\.[0-9a-f]\{6\}' 'FRAME-RATE=[0-9]'; do
            echo "$line" | grep -q "$attr" || fail "master: $attr missing in $line"
        done
        if [ "$HAS_AUDIO" -eq 1 ]; then
            echo "$line" | grep -q 'mp4a\.40\.2",FRAME' || fail "master: no mp4a in $line"
            echo "$line" | grep -q 'AUDIO="audio"' || fail "master: no AUDIO group in $line"
        fi
    done
    if [ "$HAS_AUDIO" -eq 1 ]; then
        grep -q '^#EXT-X-MEDIA:TYPE=AUDIO,.*URI="audio/index.m3u8"' "$m" || fail "no EXT-X-MEDIA"
    else
        grep -q '^#EXT-X-MEDIA' "$m" && fail "EXT-X-MEDIA without audio"
    fi
    for pl in $(grep -v '^#' "$m"); do
        p="$out/$pl"
        grep -q '^#EXT-X-VERSION:7' "$p" || fail "$pl: version"
        grep -q '^#EXT-X-MAP:URI="init.mp4"' "$p" || fail "$pl: EXT-X-MAP"
        grep -q '^#EXT-X-ENDLIST' "$p" || fail "$pl: ENDLIST"
        [ "$(grep -c '^#EXTINF:' "$p")" -eq "$nsegs" ] || fail "$pl: not $nsegs segments"
        td=$(sed -n 's/^#EXT-X-TARGETDURATION://p' "$p")
        awk -F'[:,]' -v td="$td" '/^#EXTINF:/ { if ($2 + 0.5 >= td + 1) bad = 1 } END { exit bad }' \
            "$p" || fail "$pl: EXTINF above TARGETDURATION"
    done
    mpd="$out/manifest.mpd"
    xmllint --noout "$mpd" || fail "manifest.mpd is not well-formed XML"
    x() { xmllint --xpath "$1" "$mpd"; }
    main='//*[local-name()="AdaptationSet"][not(*[local-name()="EssentialProperty"])][not(@contentType="image")]'
    trick='//*[local-name()="AdaptationSet"][*[local-name()="EssentialProperty"][@schemeIdUri="http://dashif.org/guidelines/trickmode"]]'
    [ "$(x "count($main)")" -eq $((1 + HAS_AUDIO)) ] || fail "MPD: AdaptationSet count"
    [ "$(x "count($trick)")" -eq 1 ] || fail "MPD: no trick-mode AdaptationSet"
    [ "$(x 'count(//*[local-name()="AdaptationSet"][@contentType="image"])')" -eq 1 ] ||
        fail "MPD: no thumbnail tile AdaptationSet"
    [ "$(x "count($main[@contentType=\"video\"]/*[local-name()=\"Representation\"])")" -eq "$nv" ] ||
        fail "MPD: video Representation count"
    [ "$(x "count($trick/*[local-name()=\"Representation\"])")" -eq "$nv" ] ||
        fail "MPD: trick-mode Representation count"
    [ "$(x 'string(/*[local-name()="MPD"]/@profiles)')" = "urn:mpeg:dash:profile:isoff-live:2011" ] ||
        fail "MPD: profile"
    [ "$(x 'string(/*[local-name()="MPD"]/@type)')" = static ] || fail "MPD: type"
    [ "$(x 'count(//*[local-name()="SegmentTimeline"])')" -eq $((2 * nv + HAS_AUDIO)) ] ||
        fail "MPD: SegmentTimeline count"
    return 0
}

# serve_out OUT: publishes OUT as title 1 of a fresh data folder and serves
# it with a real svserver on a free loopback port; sets MEDIA_URL to the
# title's base URL. The server is stopped when the script exits.
serve_out() {
    svserver=$(find "$SV_BUILD_DIR" -type f -name svserver -perm -u+x | head -n 1)
    [ -x "$svserver" ] || fail "svserver not built under $SV_BUILD_DIR"
    svserver=$(target_program "$svserver") || fail "cannot wrap $svserver for the emulator"
    rm -rf "$WORK/data"
    mkdir -p "$WORK/data/media"
    cp -R "$1" "$WORK/data/media/1"
    "$svserver" --listen 127.0.0.1:0 --data "$WORK/data" --log-level warn \
        >"$WORK/server.out" 2>"$WORK/server.err" &
    SERVER_PID=$!
    trap 'kill "$SERVER_PID" 2>/dev/null || true' EXIT
    i=0
    while ! grep -q '^listening on' "$WORK/server.out" 2>/dev/null; do
        kill -0 "$SERVER_PID" 2>/dev/null || fail "svserver exited: $(cat "$WORK/server.err")"
        i=$((i + 1))
        [ "$i" -le 200 ] || fail "svserver did not listen within 10 s"
        sleep 0.05
    done
    MEDIA_URL="$(sed -n 's/^listening on //p' "$WORK/server.out")/media/1"
}

# key_len DIR N: the bytes of segment N's key chunk (its key frame's own
# moof+mdat at the start of the file), from DIR/iframes.m3u8.
key_len() {
    _l=$(awk -v s="seg-$2.m4s" '/^#EXT-X-BYTERANGE:/ { split(substr($0, 18), a, "@"); l = a[1] }
                               $0 == s { print l; exit }' "$1/iframes.m3u8")
    [ -n "$_l" ] || fail "$1/iframes.m3u8: no range for seg-$2.m4s"
    echo "$_l"
}

# seg_chunks DIR N OUT: OUT.key.mp4 = init + segment N's key chunk,
# OUT.rest.mp4 = init + the rest of the segment (a second moof+mdat). FFmpeg
# 5.1 reads the CENC protection of one fragment per file reliably, so the
# encrypted checks read the two fragments of a segment one at a time.
seg_chunks() {
    _l=$(key_len "$1" "$2")
    head -c "$_l" "$1/seg-$2.m4s" | cat "$1/init.mp4" - > "$3.key.mp4"
    tail -c +$((_l + 1)) "$1/seg-$2.m4s" | cat "$1/init.mp4" - > "$3.rest.mp4"
}

# check_iframes OUT RUNG NB_SEGS: the rung's I-frame playlist
# (EXT-X-I-FRAMES-ONLY, one EXT-X-BYTERANGE at offset 0 per segment) and its
# DASH trick-mode Representation (the same ranges as mediaRange). Each range,
# after init.mp4, is one decodable fragment: ffmpeg decodes it with no error
# line to exactly one frame whose framemd5 is that of the segment's key frame
# in a full decode of init + segment.
check_iframes() {
    out=$1 rung=$2 nsegs=$3
    d="$out/video/$rung" p="$out/video/$rung/iframes.m3u8"
    grep -q "^#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=[0-9]*,AVERAGE-BANDWIDTH=[0-9]*,RESOLUTION=[0-9]*x[0-9]*,CODECS=\"[A-Za-z0-9.]*\",URI=\"video/$rung/iframes.m3u8\"$" \
        "$out/master.m3u8" || fail "master: no I-frame variant for $rung"
    grep -q '^#EXT-X-I-FRAMES-ONLY$' "$p" || fail "$p: no EXT-X-I-FRAMES-ONLY"
    grep -q '^#EXT-X-MAP:URI="init.mp4"$' "$p" || fail "$p: EXT-X-MAP"
    [ "$(grep -c '^#EXT-X-BYTERANGE:[0-9]*@0$' "$p")" -eq "$nsegs" ] || fail "$p: byte ranges"
    [ "$(grep -c '^#EXTINF:' "$p")" -eq "$nsegs" ] || fail "$p: EXTINF count"
    mpd="$out/manifest.mpd"
    n=1
    while [ "$n" -le "$nsegs" ]; do
        len=$(key_len "$d" "$n")
        range=$(xmllint --xpath "string(//*[local-name()=\"Representation\"][@id=\"$rung-trick\"]//*[local-name()=\"SegmentURL\"][@media=\"video/$rung/seg-$n.m4s\"]/@mediaRange)" "$mpd")
        [ "$range" = "0-$((len - 1))" ] || fail "MPD: $rung-trick seg-$n mediaRange $range, HLS $len"
        head -c "$len" "$d/seg-$n.m4s" | cat "$d/init.mp4" - > "$WORK/key.mp4"
        ffmpeg -nostdin -v error -y -i "$WORK/key.mp4" -f framemd5 "$WORK/key.md5" \
            2> "$WORK/key.err" || fail "$rung seg-$n I-frame: ffmpeg failed"
        [ -s "$WORK/key.err" ] && fail "$rung seg-$n I-frame: $(head -n 3 "$WORK/key.err")"
        [ "$(grep -vc '^#' "$WORK/key.md5")" -eq 1 ] || fail "$rung seg-$n: range is not one frame"
        cat "$d/init.mp4" "$d/seg-$n.m4s" > "$WORK/full.mp4"
        ffmpeg -nostdin -v error -y -i "$WORK/full.mp4" -frames:v 1 -f framemd5 "$WORK/full.md5" ||
            fail "$rung seg-$n: ffmpeg failed"
        k=$(grep -v '^#' "$WORK/key.md5" | awk -F, '{ gsub(/ /, "", $6); print $6 }')
        f=$(grep -v '^#' "$WORK/full.md5" | awk -F, '{ gsub(/ /, "", $6); print $6 }')
        [ "$k" = "$f" ] || fail "$rung seg-$n: I-frame $k differs from the key frame $f"
        n=$((n + 1))
    done
    return 0
}
