#!/bin/sh
# Bit-exact decoding: with video rendition N locked (--quality N, 0 = lowest
# bandwidth), the MD5 of every frame svplay decodes equals ffmpeg's framemd5 of
# that rendition's own media playlist or file, line for line; and the audio
# sample count equals ffmpeg's (fMP4, DASH and mp4 fixtures; the MPEG-TS and
# two-Period counts are printed only, see docs/testing-player.md).
#   bitexact.sh [FIXTURE...]   (default: all)
. "$SV_SOURCE_DIR/tests/player/playlib.sh"

pl_serve
names=${*:-$(pl_fixtures | cut -f1)}
for name in $names; do
    pl_fixture "$name"
    want_audio=$(cat "$PL_STREAMS/ref/$name/audio_samples")
    r=0
    while [ "$r" -lt "$FX_RENDITIONS" ]; do
        run="$name-v$r"
        md5="$PL_TMP/$run.framemd5"
        stats="$PL_TMP/$run.json"
        pl_play "$run" 60 --headless --benchmark --quiet --quality "$r" --framemd5 "$md5" \
            --stats "$stats" "$PL_URL/$FX_PATH"
        if [ "$PL_RC" -ne 0 ]; then
            check 1 "$run: exit status $PL_RC"
            pl_show "$run"
            r=$((r + 1))
            continue
        fi
        ref="$PL_STREAMS/ref/$name/v$r.md5"
        pl_hashes "$md5" >"$PL_TMP/$run.md5"
        got=$(wc -l <"$PL_TMP/$run.md5")
        want=$(wc -l <"$ref")
        if cmp -s "$PL_TMP/$run.md5" "$ref"; then
            check 0 "$run: $got/$want frame hashes equal ffmpeg's framemd5"
        else
            first=$(diff "$PL_TMP/$run.md5" "$ref" | head -n 1)
            check 1 "$run: hashes differ from ffmpeg's ($got frames, expected $want; first difference: $first)"
        fi
        audio=$(pl_json "$stats" audio_frames)
        case "$FX_KIND" in
            fmp4 | dash | mp4)
                if [ "$name" = multiperiod ]; then
                    echo "info $run: audio_frames $audio, ffmpeg decodes $want_audio from the two Periods' files"
                else
                    [ "$audio" = "$want_audio" ]
                    check $? "$run: audio_frames $audio, ffmpeg decodes $want_audio samples"
                fi
                ;;
            *) echo "info $run: audio_frames $audio, ffmpeg decodes $want_audio samples" ;;
        esac
        r=$((r + 1))
    done
done
pl_finish
