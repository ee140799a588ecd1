#!/bin/sh
# Protected playback end to end: Shaka Packager (npm) encrypts a clip with
# cenc and with cbcs, as DASH and HLS; svplay plays each over loopback HTTP,
# getting the key from a ClearKey license endpoint (a W3C JWK set answered by
# the fault server), and every decoded frame's MD5 must equal ffmpeg's own
# decode of the clear clip. A wrong key must stop with a DRM error before any
# frame is shown; no key and no license URL must fail clearly.
#
# Usage: player_drm.sh SVPLAY
set -eu
svplay=$1
. "$SV_SOURCE_DIR/tests/fault/faultlib.sh"

KID=4060a865887842679cbf91ae5bae1e72
KEY=fc35340837310cc0fb53de97e22a69e0
packager=$("$SV_SOURCE_DIR/scripts/shaka-packager.sh") || fail "Shaka Packager could not be installed"

mkdir -p "$FS_ROOT"
src="$FS_TMP/src"
mkdir -p "$src"
ffmpeg -loglevel error -f lavfi -i testsrc2=size=320x180:rate=25 \
    -f lavfi -i "sine=frequency=500:sample_rate=48000" -t 6 \
    -c:v libx264 -preset veryfast -g 25 -keyint_min 25 -sc_threshold 0 -pix_fmt yuv420p \
    -c:a aac -shortest "$src/clip.mp4"
ffmpeg -loglevel error -i "$src/clip.mp4" -map 0:v -c copy "$src/v.mp4"
ffmpeg -loglevel error -i "$src/clip.mp4" -map 0:a -c copy "$src/a.mp4"
ffmpeg -loglevel error -i "$src/clip.mp4" -map 0:v -f framemd5 - | grep -v '^#' |
    awk -F, '{gsub(/ /, "", $6); print $6}' >"$FS_TMP/clear.md5"
frames=$(wc -l <"$FS_TMP/clear.md5")
[ "$frames" -eq 150 ] || fail "reference decode has $frames frames, expected 150"

for scheme in cenc cbcs; do
    out="$FS_ROOT/$scheme"
    mkdir -p "$out"
    "$packager" \
        "in=$src/v.mp4,stream=video,init_segment=$out/v_init.mp4,segment_template=$out/v_\$Number\$.m4s,playlist_name=v.m3u8" \
        "in=$src/a.mp4,stream=audio,init_segment=$out/a_init.mp4,segment_template=$out/a_\$Number\$.m4s,playlist_name=a.m3u8" \
        --enable_raw_key_encryption --keys "label=:key_id=$KID:key=$KEY" \
        --protection_scheme "$scheme" --clear_lead 0 --segment_duration 2 \
        --generate_static_live_mpd --mpd_output "$out/m.mpd" \
        --hls_master_playlist_output "$out/master.m3u8" >"$FS_TMP/packager.log" 2>&1 ||
        { cat "$FS_TMP/packager.log" >&2; fail "packager failed for $scheme"; }
done

fs_start --scenario "$SV_SOURCE_DIR/tests/interop/scenarios/license-clearkey.json"

for scheme in cenc cbcs; do
    for manifest in m.mpd master.m3u8; do
        url="$FS_URL/$scheme/$manifest"
        rc=0
        "$svplay" --headless --benchmark --license-url "$FS_URL/license" \
            --framemd5 "$FS_TMP/out.md5" --stats "$FS_TMP/stats.json" "$url" \
            2>"$FS_TMP/err.txt" || rc=$?
        [ "$rc" -eq 0 ] || { cat "$FS_TMP/err.txt" >&2; fail "$scheme $manifest: svplay exit $rc"; }
        grep -v '^#' "$FS_TMP/out.md5" | awk -F, '{gsub(/ /, "", $6); print $6}' >"$FS_TMP/got.md5"
        if ! cmp -s "$FS_TMP/clear.md5" "$FS_TMP/got.md5"; then
            fail "$scheme $manifest: decoded frames differ from the clear clip ($(wc -l <"$FS_TMP/got.md5") frames)"
        fi
        ok "$scheme $manifest: $frames frames equal the clear decode (key from the license endpoint)"
    done
done
posts=$(fs_log | grep -c '"path":"/license"')
expect_ge "license requests made" "$posts" 4

# A wrong key: a DRM error, exit 1, and not one frame presented.
rc=0
"$svplay" --headless --benchmark --key "$KID:00000000000000000000000000000001" \
    --framemd5 "$FS_TMP/wrong.md5" "$FS_URL/cenc/m.mpd" 2>"$FS_TMP/err.txt" || rc=$?
expect_eq "exit status with a wrong key" "$rc" 1
expect_contains "wrong-key message" "$(cat "$FS_TMP/err.txt")" "wrong content key"
shown=$(grep -vc '^#' "$FS_TMP/wrong.md5" || true)
expect_eq "frames presented with a wrong key" "$shown" 0

# Neither key nor license URL.
rc=0
"$svplay" --headless --benchmark "$FS_URL/cbcs/master.m3u8" 2>"$FS_TMP/err.txt" || rc=$?
expect_eq "exit status without a key" "$rc" 1
expect_contains "no-key message" "$(cat "$FS_TMP/err.txt")" "encrypted"
echo "player_drm: all checks passed"
