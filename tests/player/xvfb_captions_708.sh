#!/bin/sh
# svplay draws CEA-708 captions where their windows say (issue 18, items 3
# and 5): under Xvfb it plays a dark blue DASH clip (sv-ccgen --708 --blue)
# whose service 1 has two captions, yellow text in a window anchored at the
# top centre (1-4 s) and cyan text in a window anchored at the bottom right
# (5-8.5 s), with --captions --caption-track SERVICE1, while ffmpeg's
# x11grab takes screenshots. Within the picture (found by its colour), the
# yellow text must sit in the top quarter and the cyan text in the bottom
# quarter, right of the centre, each in its own screenshot: the window's
# place comes with the text shown (sv_player_get_subtitle_style), before the
# caption's end is known. The screenshots are kept as artifacts:
# $SV_BUILD_DIR/tests/player/artifacts/xvfb_captions_708_*.png
. "$SV_SOURCE_DIR/tests/player/playlib.sh"
pl_need Xvfb od

mkdir -p "$PL_ARTIFACTS"
W=1280
H=720
pl_xvfb "$W" "$H"
xpid=$PL_XVFB_PID
disp=$PL_DISPLAY

ccgen="$SV_BUILD_DIR/tests/support/sv-ccgen"
[ -x "$ccgen" ] || fail "no sv-ccgen in the build"
w="$PL_TMP/www"
mkdir -p "$w"
printf '%s\n' "1.0 4.0 @1,5,50 +y AT THE TOP" "5.0 8.5 @8,95,95 +c BOTTOM RIGHT" >"$PL_TMP/cues.txt"
"$ccgen" --708 --blue "$PL_TMP/cc.mp4" 10 "$PL_TMP/cues.txt" 2>"$PL_TMP/ccgen.log" ||
    { cat "$PL_TMP/ccgen.log"; fail "sv-ccgen could not make the clip"; }
(cd "$w" && ffmpeg -nostdin -v error -i "$PL_TMP/cc.mp4" -c copy -seg_duration 2 -f dash \
    manifest.mpd) || fail "ffmpeg could not make the DASH"
pl_serve "$w"

DISPLAY=$disp SDL_AUDIODRIVER=${SDL_AUDIODRIVER:-dummy} timeout -k 5 60 "$SVPLAY" --quiet \
    --captions --caption-track SERVICE1 "$PL_URL/manifest.mpd" >"$PL_TMP/svplay.out" \
    2>"$PL_TMP/svplay.err" &
spid=$!
PL_PIDS="$spid $xpid"

. "$SV_SOURCE_DIR/tests/player/xvfb_caption_shots.sh"
caption_shots xvfb_captions_708 caption 1
pl_finish
