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

. "$SV_SOURCE_DIR/tests/player/xvfb_caption_shots.sh"
caption_shots xvfb_captions cue 2
pl_finish
