#!/bin/sh
# svplay draws TTML cues where their regions and styles say (issue 18,
# item 5): under Xvfb it plays a dark blue DASH clip with an IMSC1 sidecar
# of two cues, yellow text in a region at the top (1-4.5 s) and cyan text
# right-aligned in a region at the bottom (5.5-9 s), while ffmpeg's x11grab
# takes screenshots. Within the picture (found by its colour), the yellow
# text must sit in the top quarter and the cyan text in the bottom quarter,
# right of the centre, each in its own screenshot. The screenshots are kept
# as artifacts: $SV_BUILD_DIR/tests/player/artifacts/xvfb_captions_*.png
. "$SV_SOURCE_DIR/tests/player/playlib.sh"
pl_need Xvfb od

mkdir -p "$PL_ARTIFACTS"
W=1280
H=720
pl_xvfb "$W" "$H"
xpid=$PL_XVFB_PID
disp=$PL_DISPLAY

w="$PL_TMP/www"
mkdir -p "$w"
(cd "$w" && ffmpeg -nostdin -v error -f lavfi -i color=c=0x202060:size=640x360:rate=25 \
    -f lavfi -i sine=r=48000 -t 10 -c:v libx264 -preset ultrafast -g 50 -c:a aac \
    -seg_duration 2 -adaptation_sets "id=0,streams=v id=1,streams=a" -f dash ffmpeg.mpd) ||
    fail "ffmpeg could not make the DASH stream"
cat >"$w/subs.ttml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<tt xmlns="http://www.w3.org/ns/ttml" xmlns:tts="http://www.w3.org/ns/ttml#styling" xml:lang="en">
  <head><layout>
    <region xml:id="top" tts:origin="10% 5%" tts:extent="80% 20%" tts:displayAlign="before"/>
    <region xml:id="bottom" tts:origin="10% 75%" tts:extent="80% 20%" tts:displayAlign="after"/>
  </layout></head>
  <body><div>
    <p region="top" begin="1s" end="4.5s" tts:color="yellow" tts:textAlign="center">AT THE TOP</p>
    <p region="bottom" begin="5.5s" end="9s" tts:color="cyan" tts:textAlign="right">BOTTOM RIGHT</p>
  </div></body>
</tt>
EOF
awk '/<\/Period>/ {
         print "<AdaptationSet id=\"2\" contentType=\"text\" mimeType=\"application/ttml+xml\" lang=\"en\">"
         print "<Representation id=\"subs\" bandwidth=\"256\"><BaseURL>subs.ttml</BaseURL></Representation>"
         print "</AdaptationSet>"
     }
     { print }' "$w/ffmpeg.mpd" >"$w/manifest.mpd"
pl_serve "$w"

DISPLAY=$disp SDL_AUDIODRIVER=${SDL_AUDIODRIVER:-dummy} timeout -k 5 60 "$SVPLAY" --quiet \
    --slang en "$PL_URL/manifest.mpd" >"$PL_TMP/svplay.out" 2>"$PL_TMP/svplay.err" &
spid=$!
PL_PIDS="$spid $xpid"

# where PNG - "<picture top> <picture height> <yellow n> <yellow y> <cyan n>
# <cyan y> <cyan x>": the picture's rows (its dark blue), and the count and
# mean place of yellow and cyan pixels, y and x as fractions of the picture.
where() {
    ffmpeg -nostdin -v error -i "$1" -vf "scale=$((W / 2)):$((H / 2)):flags=neighbor" \
        -f rawvideo -pix_fmt rgb24 - | od -An -v -tu1 -w3 | awk -v w=$((W / 2)) '
        {
            x = n % w; y = int(n / w); n++
            if ($1 < 60 && $2 < 60 && $3 > 70 && $3 < 130) {
                if (top == "" || y < top) top = y
                if (y > bot) bot = y
                if (left == "" || x < left) left = x
                if (x > right) right = x
            }
            if ($1 > 170 && $2 > 170 && $3 < 85) { yn++; ys += y }
            if ($1 < 85 && $2 > 170 && $3 > 170) { cn++; cs += y; cx += x }
        }
        END {
            h = bot - top + 1; pw = right - left + 1
            if (top == "" || h < 10) { print "0 0 0 0 0 0 0"; exit }
            printf "%d %d %d %.3f %d %.3f %.3f\n", top, h, yn, yn ? (ys / yn - top) / h : 0,
                cn, cn ? (cs / cn - top) / h : 0, cn ? (cx / cn - left) / pw : 0
        }'
}

seen_top=0
seen_bottom=0
i=0
while [ "$i" -lt 24 ] && [ $((seen_top * seen_bottom)) -eq 0 ]; do
    i=$((i + 1))
    sleep 0.5
    kill -0 "$spid" 2>/dev/null || break
    DISPLAY=$disp ffmpeg -nostdin -v error -y -f x11grab -video_size "${W}x${H}" -i "$disp" \
        -frames:v 1 "$PL_TMP/shot.png" 2>"$PL_TMP/grab.err" || continue
    set -- $(where "$PL_TMP/shot.png")
    echo "shot $i: $*" >>"$PL_TMP/shots.log"
    if [ "$3" -ge 40 ] && [ "$5" -eq 0 ] && [ "$seen_top" -eq 0 ]; then
        cp "$PL_TMP/shot.png" "$PL_ARTIFACTS/xvfb_captions_top.png"
        echo "top cue: $3 yellow pixels at $4 of the picture's height"
        awk -v y="$4" 'BEGIN { exit !(y < 0.25) }'
        check $? "the yellow cue is drawn in the top quarter of the picture (at $4)"
        seen_top=1
    fi
    if [ "$5" -ge 40 ] && [ "$3" -eq 0 ] && [ "$seen_bottom" -eq 0 ]; then
        cp "$PL_TMP/shot.png" "$PL_ARTIFACTS/xvfb_captions_bottom.png"
        echo "bottom cue: $5 cyan pixels at $6 of the height, $7 of the width"
        awk -v y="$6" -v x="$7" 'BEGIN { exit !(y > 0.75 && x > 0.5) }'
        check $? "the cyan cue is drawn in the bottom quarter, right of the centre (at $6, $7)"
        seen_bottom=1
    fi
done
[ $((seen_top * seen_bottom)) -eq 1 ] || { cat "$PL_TMP/shots.log"; pl_show svplay; }
[ "$seen_top" -eq 1 ] || check 1 "no screenshot showed the yellow cue"
[ "$seen_bottom" -eq 1 ] || check 1 "no screenshot showed the cyan cue"
pl_finish
