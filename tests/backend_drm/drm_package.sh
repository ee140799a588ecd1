#!/bin/sh
# The packager's CENC output, checked by decryptors that are not ours.
#
# One 8 s 640x360 clip with audio is packaged three times by sv-media-ingest
# (the same pipeline svserver runs, one encoder thread per rung so x264's
# output repeats exactly): clear, cenc and cbcs, with Shaka's test key.
#  - The encrypted builds really are encrypted: tenc/pssh in every init,
#    senc/saiz/saio in every segment, and every video and audio packet
#    differs from the clear build's.
#  - Shaka Packager (--enable_raw_key_decryption) decrypts each rendition,
#    cenc and cbcs, to packets (size + MD5) equal to the clear build's.
#  - ffmpeg -decryption_key decodes each cenc init+fragment pair to the same
#    frames or packets as the clear pair (FFmpeg 5.1 decrypts one fragment
#    reliably; a video segment is its key frame's fragment and the rest's).
#  - Manifests: ContentProtection (mp4protection + ClearKey with
#    dashif:Laurl, default_KID) in the MPD, EXT-X-KEY in every media
#    playlist, the key nowhere in any file.
set -eu
: "${SV_BUILD_DIR:?run through ctest}"
: "${SV_SOURCE_DIR:?run through ctest}"
ING="$SV_BUILD_DIR/tests/backend_media/sv-media-ingest"
[ -x "$ING" ] || { echo "FAIL: $ING not built" >&2; exit 1; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/sv-drm-package.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }
expect_eq() { [ "$2" = "$3" ] || fail "$1: got '$2', expected '$3'"; ok "$1 = $3"; }

KID=4060a865887842679cbf91ae5bae1e72
KEY=fc35340837310cc0fb53de97e22a69e0
packager=$("$SV_SOURCE_DIR/scripts/shaka-packager.sh" | tail -n 1) ||
    fail "Shaka Packager could not be installed"

ffmpeg -loglevel error -f lavfi -i testsrc2=size=640x360:rate=25 \
    -f lavfi -i "sine=frequency=440:sample_rate=48000" -t 8 \
    -c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -shortest "$TMP/clip.mp4"
common="--ladder 240:300,360:750 --segment 2 --threads 1"
"$ING" "$TMP/clip.mp4" "$TMP/clear" $common >/dev/null
"$ING" "$TMP/clip.mp4" "$TMP/cenc" $common --drm cenc --kid $KID --key $KEY >/dev/null
"$ING" "$TMP/clip.mp4" "$TMP/cbcs" $common --drm cbcs --kid $KID --key $KEY >/dev/null
RENDS="video/240p video/360p audio"

# Top-level and traf boxes of a file, one fourcc per line.
boxes() {
    python3 - "$1" <<'EOF'
import struct, sys
d = open(sys.argv[1], 'rb').read()
def walk(off, end):
    while off + 8 <= end:
        size, typ = struct.unpack('>I4s', d[off:off + 8])
        if size < 8:
            break
        print(typ.decode('latin-1'))
        if typ in (b'moov', b'trak', b'mdia', b'minf', b'stbl', b'moof', b'traf', b'sinf', b'schi'):
            walk(off + 8, off + size)
        elif typ == b'stsd':
            walk(off + 16, off + size)
        elif typ in (b'encv', b'enca'):
            walk(off + 8 + (78 if typ == b'encv' else 28), off + size)
        off += size
walk(0, len(d))
EOF
}

# "size md5" per packet of a file (stream copy, so the samples themselves).
packets() {
    ffmpeg -loglevel error -i "$1" -map 0 -c copy -f framemd5 - | grep -v '^#' |
        awk -F, '{gsub(/ /, ""); print $5, $6}'
}
frames() {
    ffmpeg -loglevel error "$@" -f framemd5 - | grep -v '^#' | awk -F, '{gsub(/ /, ""); print $6}'
}

for s in cenc cbcs; do
    for r in $RENDS; do
        init=$(boxes "$TMP/$s/$r/init.mp4" | tr '\n' ' ')
        for b in encv_or_enca sinf frma schm tenc pssh; do
            case "$b" in
                encv_or_enca) case "$init" in *encv*|*enca*) ;; *) fail "$s $r init: no encv/enca" ;; esac ;;
                *) case "$init" in *"$b"*) ;; *) fail "$s $r init: no $b box ($init)" ;; esac ;;
            esac
        done
        [ "$(boxes "$TMP/$s/$r/init.mp4" | grep -c pssh)" -eq 2 ] || fail "$s $r init: not 2 pssh"
        n=0
        for seg in "$TMP/$s/$r"/seg-*.m4s; do
            bx=$(boxes "$seg" | tr '\n' ' ')
            for b in senc saiz saio; do
                case "$bx" in *"$b"*) ;; *) fail "$s $r $(basename "$seg"): no $b" ;; esac
            done
            n=$((n + 1))
        done
        expect_eq "$s $r segments with senc+saiz+saio" "$n" 4
        cat "$TMP/$s/$r/init.mp4" "$TMP/$s/$r"/seg-*.m4s >"$TMP/enc.mp4"
        cat "$TMP/clear/$r/init.mp4" "$TMP/clear/$r"/seg-*.m4s >"$TMP/clear.mp4"
        packets "$TMP/clear.mp4" >"$TMP/clear.pk"
        packets "$TMP/enc.mp4" >"$TMP/enc.pk"
        total=$(wc -l <"$TMP/clear.pk")
        same=$(paste -d' ' "$TMP/clear.pk" "$TMP/enc.pk" | awk '$2 == $4' | wc -l)
        [ "$total" -ge 100 ] || fail "$s $r: only $total packets in the clear build"
        expect_eq "$s $r packets left unencrypted (of $total)" "$same" 0

        stream=video
        [ "$r" = audio ] && stream=audio
        rm -f "$TMP/dec.mp4"
        "$packager" "in=$TMP/enc.mp4,stream=$stream,output=$TMP/dec.mp4" \
            --enable_raw_key_decryption --keys "key_id=$KID:key=$KEY" >"$TMP/pk.log" 2>&1 ||
            { cat "$TMP/pk.log" >&2; fail "Shaka Packager cannot decrypt $s $r"; }
        packets "$TMP/dec.mp4" >"$TMP/dec.pk"
        cmp -s "$TMP/clear.pk" "$TMP/dec.pk" ||
            fail "$s $r: Shaka Packager's decryption differs from the clear build"
        ok "$s $r: Shaka Packager decrypts $total packets equal to the clear build"
    done
done

# ffmpeg's own CENC decryption (cenc only: FFmpeg 5.1 has no cbcs), decoded.
# FFmpeg 5.1 reads the protection of one fragment per file reliably; a video
# segment is two (its key frame's own moof+mdat, then the rest: the I-frame
# playlist's byte range says where the first ends), so a video segment is
# read as init + key fragment, decoded to the clear key frame, and init +
# the rest, decrypted to the clear packets (-copyinkf: it starts after the
# key frame). Audio: one init+segment pair at a time, decoded.
key_len() { # DIR N: segment N's key fragment bytes, from DIR/iframes.m3u8
    awk -v s="seg-$2.m4s" '/^#EXT-X-BYTERANGE:/ { split(substr($0, 18), a, "@"); l = a[1] }
                           $0 == s { print l; exit }' "$1/iframes.m3u8"
}
copied() {
    ffmpeg -loglevel error "$@" -map 0 -c copy -copyinkf -f framemd5 - | grep -v '^#' |
        awk -F, '{gsub(/ /, ""); print $5, $6}'
}
for r in $RENDS; do
    for n in 1 2 3 4; do
        e="$TMP/cenc/$r" c="$TMP/clear/$r"
        if [ "$r" = audio ]; then
            cat "$e/init.mp4" "$e/seg-$n.m4s" >"$TMP/pair.mp4"
            cat "$c/init.mp4" "$c/seg-$n.m4s" >"$TMP/cpair.mp4"
            frames -decryption_key $KEY -i "$TMP/pair.mp4" >"$TMP/got.md5"
            frames -i "$TMP/cpair.mp4" >"$TMP/want.md5"
            [ -s "$TMP/want.md5" ] || fail "no frames in clear $r seg-$n"
            cmp -s "$TMP/got.md5" "$TMP/want.md5" ||
                fail "cenc $r seg-$n: ffmpeg -decryption_key frames differ from the clear build"
            continue
        fi
        el=$(key_len "$e" "$n") cl=$(key_len "$c" "$n")
        [ -n "$el" ] && [ -n "$cl" ] || fail "$r seg-$n: no I-frame range"
        head -c "$el" "$e/seg-$n.m4s" | cat "$e/init.mp4" - >"$TMP/pair.mp4"
        head -c "$cl" "$c/seg-$n.m4s" | cat "$c/init.mp4" - >"$TMP/cpair.mp4"
        frames -decryption_key $KEY -i "$TMP/pair.mp4" >"$TMP/got.md5"
        frames -i "$TMP/cpair.mp4" >"$TMP/want.md5"
        [ "$(wc -l <"$TMP/want.md5")" -eq 1 ] || fail "clear $r seg-$n: key fragment is not one frame"
        cmp -s "$TMP/got.md5" "$TMP/want.md5" ||
            fail "cenc $r seg-$n: ffmpeg -decryption_key key frame differs from the clear build"
        tail -c +$((el + 1)) "$e/seg-$n.m4s" | cat "$e/init.mp4" - >"$TMP/rest.mp4"
        tail -c +$((cl + 1)) "$c/seg-$n.m4s" | cat "$c/init.mp4" - >"$TMP/crest.mp4"
        copied -decryption_key $KEY -i "$TMP/rest.mp4" >"$TMP/got.pk"
        copied -i "$TMP/crest.mp4" >"$TMP/want.pk"
        [ -s "$TMP/want.pk" ] || fail "no packets in clear $r seg-$n after its key frame"
        cmp -s "$TMP/got.pk" "$TMP/want.pk" ||
            fail "cenc $r seg-$n: ffmpeg -decryption_key packets differ from the clear build"
    done
    ok "cenc $r: ffmpeg -decryption_key decodes every segment (video: key frame fragment and the rest) to the clear build"
done
# Without the key the encrypted audio does not decode cleanly.
if ffmpeg -v error -xerror -i "$TMP/pair.mp4" -f null - >/dev/null 2>&1; then
    fail "encrypted audio decodes without a key"
fi
ok "encrypted audio does not decode without the key"

# Manifests.
for s in cenc cbcs; do
    mpd="$TMP/$s/manifest.mpd"
    xmllint --noout "$mpd" || fail "$s MPD is not XML"
    # Video, audio and the video's trick-mode set (its key frames, encrypted).
    expect_eq "$s MPD mp4protection entries" \
        "$(grep -c "urn:mpeg:dash:mp4protection:2011\" value=\"$s\" cenc:default_KID=\"4060a865-8878-4267-9cbf-91ae5bae1e72\"" "$mpd")" 3
    expect_eq "$s MPD ClearKey Laurl entries" \
        "$(grep -c '<dashif:Laurl Lic_type="EME-1.0">/api/v1/license</dashif:Laurl>' "$mpd")" 3
    method=SAMPLE-AES-CTR
    [ $s = cbcs ] && method=SAMPLE-AES
    for r in $RENDS; do
        grep -q "^#EXT-X-KEY:METHOD=$method,URI=\"data:text/plain;base64,.*KEYID=0x$KID," \
            "$TMP/$s/$r/index.m3u8" || fail "$s $r playlist: no EXT-X-KEY $method"
        [ "$r" = audio ] || grep -q "^#EXT-X-KEY:METHOD=$method,URI=\"data:text/plain;base64,.*KEYID=0x$KID," \
            "$TMP/$s/$r/iframes.m3u8" || fail "$s $r I-frame playlist: no EXT-X-KEY $method"
    done
    ok "$s playlists carry EXT-X-KEY METHOD=$method"
    # The key, in hex or as raw bytes, is in no file of the build.
    if grep -rqi "$KEY" "$TMP/$s"; then fail "$s: the key (hex) is in a file"; fi
    KEYB=$(printf '%s' "$KEY" | sed 's/../\\x&/g')
    if grep -rqaF "$(printf "$KEYB")" "$TMP/$s"; then fail "$s: the raw key is in a file"; fi
    ok "$s: the key is in no output file"
done
echo "drm_package: all checks passed"
