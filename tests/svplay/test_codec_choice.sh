#!/bin/sh
# svplay chooses the video codec (issue 20 item 4) on a title svserver's
# pipeline packaged with `--codecs h264,av1,hevc` (4 s 320x180 with audio,
# rungs 120p and 180p per codec, 2 s segments), played from its DASH MPD
# (one video AdaptationSet per codec) and its HLS master (one variant per
# rung per codec, a single mixed ladder for the player):
#  - by default AV1 plays, with --codecs hevc,h264 HEVC, with --codecs h264
#    H.264: every rendition in --stats has that codec, and with
#    --max-height 120 every frame equals ffmpeg's own decode of that rung;
#  - ABR left free moves between 120p and 180p (switches >= 1) and never
#    leaves the family; each frame equals ffmpeg's decode of one of the
#    family's two rungs at that frame;
#  - --allow-codec-switch on HLS: the ladder holds every allowed codec, and
#    the frames still equal ffmpeg's decode of the rungs played;
#  - nothing allowed in the stream (--codecs vp9): exit 1 naming the codecs
#    found and allowed; an unknown name (--codecs h265): exit 2 naming it.
set -eu
. "$SV_SOURCE_DIR/tests/backend_media/medialib.sh"
SVPLAY="$SV_BUILD_DIR/apps/svplay/svplay"
[ -x "$SVPLAY" ] || fail "svplay not built under $SV_BUILD_DIR"
WORK="$SV_BUILD_DIR/tests/svplay/work-codec-choice"
rm -rf "$WORK"
mkdir -p "$WORK"
export SVT_LOG=1 # SVT-AV1: errors only

ffmpeg -nostdin -v error -y -f lavfi -i testsrc2=size=320x180:rate=30 \
    -f lavfi -i "sine=frequency=440:sample_rate=48000" -t 4 \
    -c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -shortest "$WORK/clip.mp4" ||
    fail "ffmpeg clip"
"$INGEST" "$WORK/clip.mp4" "$WORK/out" --ladder 120:150,180:300 --segment 2 --threads 1 \
    --codecs h264,av1,hevc > "$WORK/ingest.txt" || fail "ingest failed"

# ffmpeg's own decode of every rung: one MD5 per frame, in order.
md5s() { grep -v '^#' "$1" | awk -F, '{gsub(/ /, "", $6); print $6}'; }
for r in 120p 180p 120p-hevc 180p-hevc 120p-av1 180p-av1; do
    cat "$WORK/out/video/$r/init.mp4" "$WORK/out/video/$r"/seg-*.m4s > "$WORK/$r.mp4"
    ffmpeg -nostdin -v error -i "$WORK/$r.mp4" -map 0:v -f framemd5 "$WORK/$r.ref" ||
        fail "ffmpeg cannot decode $r"
    md5s "$WORK/$r.ref" > "$WORK/$r.md5"
    [ "$(wc -l < "$WORK/$r.md5")" -eq 120 ] || fail "$r: ffmpeg decodes $(wc -l < "$WORK/$r.md5") frames"
done

# play NAME MANIFEST [svplay options]: plays headless to the end with
# --framemd5 and --stats; leaves NAME.md5 (frame MD5s) and NAME.codecs (the
# codecs of each video rendition played, one a line).
play() {
    name=$1 manifest=$2
    shift 2
    timeout 120 "$SVPLAY" --quiet --framemd5 "$WORK/$name.got" --stats "$WORK/$name.json" \
        "$@" "$WORK/out/$manifest" 2> "$WORK/$name.err" ||
        { cat "$WORK/$name.err" >&2; fail "$name: svplay $* $manifest failed"; }
    md5s "$WORK/$name.got" > "$WORK/$name.md5"
    [ "$(wc -l < "$WORK/$name.md5")" -eq 120 ] ||
        fail "$name: svplay presented $(wc -l < "$WORK/$name.md5") frames, expected 120"
    python3 - "$WORK/$name.json" > "$WORK/$name.codecs" <<'PY' || fail "$name: bad --stats JSON"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["error"] is None, d["error"]
for r in d["renditions"]:
    if r["type"] == "video":
        print(r["height"], r["codecs"].split(",")[0].split(".")[0])
PY
    [ -s "$WORK/$name.codecs" ] || fail "$name: no video rendition in the stats"
}

# families NAME: the distinct sample entries (av01, hvc1, avc1) NAME played.
families() { awk '{print $2}' "$WORK/$1.codecs" | sort -u | tr '\n' ' ' | sed 's/ $//'; }

# one_of NAME RUNG...: frame i of NAME equals frame i of one of the RUNGs.
one_of() {
    name=$1
    shift
    files=""
    for r in "$@"; do files="$files $WORK/$r.md5"; done
    # shellcheck disable=SC2086
    bad=$(paste -d' ' "$WORK/$name.md5" $files |
          awk '{ ok = 0; for (i = 2; i <= NF; i++) if ($1 == $i) ok = 1; if (!ok) n++ }
               END { print n + 0 }')
    [ "$bad" -eq 0 ] || fail "$name: $bad frames differ from ffmpeg's decode of $*"
}

for manifest in manifest.mpd master.m3u8; do
    for c in default:av01:-av1 hevc,h264:hvc1:-hevc h264:avc1:; do
        list=${c%%:*} rest=${c#*:}
        want=${rest%%:*} suffix=${rest#*:}
        opt=""
        [ "$list" = default ] || opt="--codecs $list"
        tag="${manifest%%.*}-$(echo "$list" | tr , _)"
        # One rung (120p) of the chosen codec, bit-exact with ffmpeg's decode.
        # shellcheck disable=SC2086
        play "$tag-120" "$manifest" $opt --max-height 120
        [ "$(families "$tag-120")" = "$want" ] ||
            fail "$tag-120: played $(families "$tag-120"), expected $want only"
        cmp -s "$WORK/$tag-120.md5" "$WORK/120p$suffix.md5" ||
            fail "$tag-120: frames differ from ffmpeg's decode of 120p$suffix"
        # ABR free: it switches rungs, never codecs.
        # shellcheck disable=SC2086
        play "$tag-abr" "$manifest" $opt
        [ "$(families "$tag-abr")" = "$want" ] ||
            fail "$tag-abr: played $(families "$tag-abr"), expected $want only"
        switches=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["switches"])' \
                   "$WORK/$tag-abr.json")
        [ "$switches" -ge 1 ] || fail "$tag-abr: ABR never switched ($switches switches)"
        one_of "$tag-abr" "120p$suffix" "180p$suffix"
        echo "$manifest ${opt:-(default)}: $want; 120p bit-exact with ffmpeg (120 frames);" \
             "ABR $switches switch(es) over $(awk '{print $1 "p"}' "$WORK/$tag-abr.codecs" | tr '\n' ' ')within $want"
    done
done

# --allow-codec-switch: HLS's mixed ladder may move between codecs.
play hls-switch master.m3u8 --allow-codec-switch
one_of hls-switch 120p 180p 120p-hevc 180p-hevc 120p-av1 180p-av1
echo "master.m3u8 --allow-codec-switch: played $(families hls-switch), frames bit-exact with those rungs"
play hls-switch-h master.m3u8 --allow-codec-switch --codecs hevc,h264
case " $(families hls-switch-h) " in
    *" av01 "*) fail "--allow-codec-switch --codecs hevc,h264 played AV1" ;;
esac
one_of hls-switch-h 120p 180p 120p-hevc 180p-hevc

# Nothing allowed that the stream has: a clear error, exit 1.
for manifest in manifest.mpd master.m3u8; do
    rc=0
    timeout 60 "$SVPLAY" --quiet --codecs vp9 --stats "$WORK/none.json" \
        "$WORK/out/$manifest" 2> "$WORK/none.err" || rc=$?
    [ "$rc" -eq 1 ] || fail "$manifest --codecs vp9: exit $rc, expected 1"
    grep -q "no playable video codec: the stream has h264, hevc, av1; allowed: vp9" \
        "$WORK/none.err" || fail "$manifest --codecs vp9: $(cat "$WORK/none.err")"
done
echo "--codecs vp9: $(grep -m1 'no playable' "$WORK/none.err")"

# An unknown codec name: a usage error naming it.
rc=0
"$SVPLAY" --codecs av1,h265 "$WORK/out/master.m3u8" 2> "$WORK/bad.err" || rc=$?
[ "$rc" -eq 2 ] || fail "--codecs av1,h265: exit $rc, expected 2"
grep -q "'h265' is not a codec" "$WORK/bad.err" || fail "--codecs av1,h265: $(cat "$WORK/bad.err")"
echo "--codecs av1,h265: $(head -n 1 "$WORK/bad.err")"
echo "codec choice: all checks passed"
