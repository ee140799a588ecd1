#!/bin/sh
# Downloads for offline viewing (streamverse/download.h, svplay --download):
# svserver ingests a clear title (two rungs) and a ClearKey (cenc) title;
# svplay downloads each (the clear one through a loopback relay that slows
# every chunk, kill -9 midway, then resumed); every stored file's bytes equal
# the server's; svserver is then stopped and the local presentation plays
# with no server at all: every frame equals ffmpeg's decode of the server's
# segments (the cenc one decrypted by ffmpeg with the key the license server
# gave while it ran). A damaged segment is fetched again on resume; a quota
# and a full disk (a 1 MiB tmpfs, in a mount namespace) fail with the path
# and leave a resumable download that no playlist references yet; the list
# reports the storage used; delete removes only the download's files.
if [ -z "${SV_OFFLINE_NS:-}" ]; then
    SV_OFFLINE_NS=1
    export SV_OFFLINE_NS
    if [ "$(id -u)" = 0 ]; then
        exec unshare --mount --propagation private sh "$0" "$@"
    fi
    exec unshare --map-root-user --mount sh "$0" "$@"
fi
. "$SV_SOURCE_DIR/tests/backend/backendlib.sh"
set -e
SVPLAY="$SV_BUILD_DIR/apps/svplay/svplay"
[ -x "$SVPLAY" ] || fail "$SVPLAY not built"
command -v node >/dev/null || fail "node is missing (tests/support/delayproxy.js)"

export SVSERVER_MASTER_KEY=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
export SVSERVER_TOKEN_SECRET=offline-download-test-secret-0123
OPTS="--data $SV_DATA --segment-seconds 2"
ffmpeg -loglevel error -f lavfi -i testsrc2=size=640x360:rate=25 \
    -f lavfi -i "sine=frequency=440:sample_rate=48000" -t 8 \
    -c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -shortest "$SV_TMP/clip.mp4"
"$SVSERVER" ingest "$SV_TMP/clip.mp4" --title Open --ladder 240:300,360:600 $OPTS \
    >"$SV_TMP/i1.out" 2>"$SV_TMP/ingest.log" || { cat "$SV_TMP/ingest.log" >&2; fail "ingest clear"; }
"$SVSERVER" ingest "$SV_TMP/clip.mp4" --title Locked --drm cenc --ladder 240:300 $OPTS \
    >"$SV_TMP/i2.out" 2>>"$SV_TMP/ingest.log" || { cat "$SV_TMP/ingest.log" >&2; fail "ingest cenc"; }
T1=$(tail -n 1 "$SV_TMP/i1.out")
T2=$(tail -n 1 "$SV_TMP/i2.out")
sv_start --segment-seconds 2

# A relay holding every chunk 120 ms each way: the download takes a few
# seconds, time enough to kill it midway.
node "$SV_SOURCE_DIR/tests/support/delayproxy.js" --target "127.0.0.1:$SV_PORT" --delay-ms 120 \
    --port-file "$SV_TMP/relay.port" >"$SV_TMP/relay.log" 2>&1 &
RELAY_PID=$!
trap '_s=$?; kill $RELAY_PID 2>/dev/null || true; umount -l "$SV_TMP/full" 2>/dev/null || true; (exit $_s) || sv_cleanup; sv_cleanup' EXIT
i=0
while [ ! -s "$SV_TMP/relay.port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
RELAY="http://127.0.0.1:$(cat "$SV_TMP/relay.port")"

files_done() { # DIR - finished files in the state file
    python3 -c "import json,sys; print(sum(f['done'] for f in json.load(open(sys.argv[1]+'/download.json'))['files']))" "$1" 2>/dev/null || echo 0
}
# same_bytes DIR SRC - every stored file equals the server's (by path).
same_bytes() {
    python3 - "$1" "$2" <<'EOF'
import json, sys, hashlib
d, src = sys.argv[1], sys.argv[2]
st = json.load(open(d + '/download.json'))
for f in st['files']:
    rel = f['url'].split('/media/', 1)[1].split('/', 1)[1].split('?')[0]
    a = open(d + '/' + f['path'], 'rb').read()
    b = open(src + '/' + rel, 'rb').read()
    if a != b or hashlib.sha256(a).hexdigest() != f['sha256'] or len(a) != f['size']:
        sys.exit('differs: ' + f['path'])
print(len(st['files']))
EOF
}

# --- clear title: kill -9 midway, resume ----------------------------------------
D1="$SV_TMP/dl/open"
"$SVPLAY" --download "$D1" --max-height 240 "$RELAY/media/$T1/master.m3u8" \
    >"$SV_TMP/dl1.out" 2>"$SV_TMP/dl1.err" &
PID=$!
i=0
while [ "$(files_done "$D1")" -lt 3 ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
kill -9 $PID
wait $PID 2>/dev/null || true
n=$(files_done "$D1")
[ "$n" -ge 3 ] && [ "$n" -lt 10 ] || fail "kill -9 not midway: $n files done"
[ ! -e "$D1/master.m3u8" ] || fail "a killed download left a master playlist"
ok "kill -9 after $n of 10 files: no playlist yet"
# A finished segment damaged on disk is fetched again.
seg=$(python3 -c "import json,sys; print([f['path'] for f in json.load(open(sys.argv[1]+'/download.json'))['files'] if f['done'] and not f['is_init']][0])" "$D1")
printf 'XXXX' | dd of="$D1/$seg" bs=1 seek=100 conv=notrunc 2>/dev/null
rc=0
"$SVPLAY" --download "$D1" "$RELAY/media/$T1/master.m3u8" >"$SV_TMP/dl1b.out" \
    2>"$SV_TMP/dl1b.err" || rc=$?
[ "$rc" -eq 0 ] || { cat "$SV_TMP/dl1b.err" >&2; fail "resume exit $rc"; }
expect_contains "resume re-fetches the damaged file" "$(cat "$SV_TMP/dl1b.err")" "missing or changed"
expect_eq "resume prints the manifest" "$(cat "$SV_TMP/dl1b.out")" "$D1/master.m3u8"
expect_eq "files stored" "$(same_bytes "$D1" "$SV_DATA/media/$T1")" 10
expect_contains "the 240p rung chosen" "$(cat "$D1/master.m3u8")" "RESOLUTION=426x240"
ok "resumed download: 10 files, bytes equal the server's"

# SIGTERM pauses (sv_download_pause: the transfer in flight abandoned, no
# .part left), exit 1 "paused"; the next run completes the same folder.
D5="$SV_TMP/dl/paused"
"$SVPLAY" --download "$D5" --max-height 240 "$RELAY/media/$T1/master.m3u8" >/dev/null 2>"$SV_TMP/dl5.err" &
PID=$!
i=0
while [ "$(files_done "$D5")" -lt 2 ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
kill -TERM $PID
rc=0
wait $PID || rc=$?
expect_eq "SIGTERM: exit" "$rc" 1
expect_contains "SIGTERM: paused" "$(cat "$SV_TMP/dl5.err")" "download paused at"
ls "$D5"/*/*.part >/dev/null 2>&1 && fail "a pause left a .part file"
"$SVPLAY" -q --download "$D5" "$RELAY/media/$T1/master.m3u8" >/dev/null || fail "resume after a pause"
diff -r "$D1/video" "$D5/video" >/dev/null || fail "the paused download differs once complete"
ok "SIGTERM pauses; the next run completes it with the same bytes"
rm -rf "$D5"

# A network outage mid-download: the relay killed for 3 s and started again
# on the same port; the same run goes on by itself (retries with back-off,
# give_up_ms 30 s) and completes.
D6="$SV_TMP/dl/outage"
"$SVPLAY" --download "$D6" --max-height 240 "$RELAY/media/$T1/master.m3u8" >/dev/null \
    2>"$SV_TMP/dl6.err" &
PID=$!
i=0
while [ "$(files_done "$D6")" -lt 3 ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
kill $RELAY_PID
wait $RELAY_PID 2>/dev/null || true
sleep 3
kill -0 $PID 2>/dev/null || fail "the download ended during the outage: $(cat "$SV_TMP/dl6.err")"
rm -f "$SV_TMP/relay.port"
node "$SV_SOURCE_DIR/tests/support/delayproxy.js" --target "127.0.0.1:$SV_PORT" --delay-ms 120 \
    --port "${RELAY##*:}" --port-file "$SV_TMP/relay.port" >>"$SV_TMP/relay.log" 2>&1 &
RELAY_PID=$!
rc=0
wait $PID || rc=$?
[ "$rc" -eq 0 ] || { cat "$SV_TMP/dl6.err" >&2; fail "the download did not survive the outage"; }
expect_contains "the outage was retried" "$(cat "$SV_TMP/dl6.err")" "retried for up to 30 s"
diff -r "$D1/video" "$D6/video" >/dev/null && diff -r "$D1/audio" "$D6/audio" >/dev/null ||
    fail "the download through the outage differs"
ok "a 3 s network outage mid-download: the same run went on and completed, same bytes"
rm -rf "$D6"

# --- cenc title, directly, with its key from the license server ------------------
D2="$SV_TMP/dl/locked"
"$SVPLAY" -q --download "$D2" "$SV_URL/media/$T2/manifest.mpd" >/dev/null 2>"$SV_TMP/dl2.err" ||
    { cat "$SV_TMP/dl2.err" >&2; fail "download of the cenc title"; }
expect_eq "cenc files stored" "$(same_bytes "$D2" "$SV_DATA/media/$T2")" 10
# The same title from its HLS master: the local playlists keep its
# SAMPLE-AES-CTR EXT-X-KEY (ClearKey KEYFORMAT, pssh data URI).
D3="$SV_TMP/dl/locked-hls"
"$SVPLAY" -q --download "$D3" "$SV_URL/media/$T2/master.m3u8" >/dev/null 2>"$SV_TMP/dl3.err" ||
    { cat "$SV_TMP/dl3.err" >&2; fail "download of the cenc title's HLS"; }
expect_contains "EXT-X-KEY kept" "$(cat "$D3/video/index.m3u8")" \
    '#EXT-X-KEY:METHOD=SAMPLE-AES-CTR,URI="data:text/plain;base64,'
expect_eq "cenc files stored (HLS)" "$(same_bytes "$D3" "$SV_DATA/media/$T2")" 10
KID=$(python3 -c "import sys; d=open(sys.argv[1],'rb').read(); i=d.index(b'tenc'); print(d[i+12:i+28].hex())" "$D2/video/init-0.mp4")
KIDU=$(python3 -c "import base64,sys; print(base64.urlsafe_b64encode(bytes.fromhex(sys.argv[1])).decode().rstrip('='))" "$KID")
TOK=$("$SVSERVER" token "$T2" --ttl 600)
req code -X POST -d "{\"kids\":[\"$KIDU\"],\"type\":\"temporary\"}" "$SV_URL/api/v1/license?token=$TOK"
expect_eq "license" "$code" 200
KEY=$(python3 -c "import base64,sys; s=sys.argv[1]; print(base64.urlsafe_b64decode(s+'='*(-len(s)%4)).hex())" "$(json_get '.keys[0].k')")

# --- list, storage --------------------------------------------------------------
"$SVPLAY" --list-downloads "$SV_TMP/dl" >"$SV_TMP/list.out" || fail "--list-downloads"
expect_eq "downloads listed" "$(grep -c complete "$SV_TMP/list.out")" 3
du=$(du -s --block-size=1 "$SV_TMP/dl" | cut -f1)
total=$(awk -F'\t' '$1 == "total" {print $3}' "$SV_TMP/list.out" | cut -d' ' -f1)
[ "$total" -gt 800000 ] && [ "$total" -le "$du" ] || fail "storage reported $total, du says $du"
ok "list: 3 complete downloads, $total bytes on disk (du: $du with the root folder)"

# --- offline: svserver stopped, then play ----------------------------------------
sv_stop
kill $RELAY_PID 2>/dev/null || true
curl -s -o /dev/null "$SV_URL/healthz" && fail "the server still answers"
ref_md5() { # DIR [KEY] - ffmpeg's frame hashes of a rung's init + segments
    cat "$1/init.mp4" "$1"/seg-1.m4s "$1"/seg-2.m4s "$1"/seg-3.m4s "$1"/seg-4.m4s |
        ffmpeg -loglevel error ${2:+-decryption_key $2} -i - -map 0:v -f framemd5 - |
        grep -v '^#' | awk -F, '{gsub(/ /, "", $6); print $6}'
}
got_md5() { grep -v '^#' "$1" | awk -F, '{gsub(/ /, "", $6); print $6}'; }
ref_md5 "$SV_DATA/media/$T1/video/240p" >"$SV_TMP/want1.md5"
ref_md5 "$SV_DATA/media/$T2/video/240p" "$KEY" >"$SV_TMP/want2.md5"
expect_eq "reference frames" "$(wc -l <"$SV_TMP/want1.md5")" 200
"$SVPLAY" --framemd5 "$SV_TMP/got1.txt" "$D1/master.m3u8" 2>"$SV_TMP/play1.err" ||
    { cat "$SV_TMP/play1.err" >&2; fail "offline play of the clear title"; }
got_md5 "$SV_TMP/got1.txt" >"$SV_TMP/got1.md5"
cmp -s "$SV_TMP/want1.md5" "$SV_TMP/got1.md5" || fail "clear title: frames differ from ffmpeg's"
"$SVPLAY" --framemd5 "$SV_TMP/got2.txt" --key "$KID:$KEY" "file://$D2/master.m3u8" \
    2>"$SV_TMP/play2.err" || { cat "$SV_TMP/play2.err" >&2; fail "offline play of the cenc title"; }
got_md5 "$SV_TMP/got2.txt" >"$SV_TMP/got2.md5"
cmp -s "$SV_TMP/want2.md5" "$SV_TMP/got2.md5" || fail "cenc title: frames differ from ffmpeg's"
"$SVPLAY" --framemd5 "$SV_TMP/got3.txt" --key "$KID:$KEY" "$D3/master.m3u8" \
    2>"$SV_TMP/play3.err" || { cat "$SV_TMP/play3.err" >&2; fail "offline play of the cenc HLS download"; }
got_md5 "$SV_TMP/got3.txt" >"$SV_TMP/got3.md5"
cmp -s "$SV_TMP/want2.md5" "$SV_TMP/got3.md5" || fail "cenc title (HLS): frames differ from ffmpeg's"
ok "server stopped: the three downloads play, 200 frames each equal ffmpeg's decode"

# --- quota and a full disk: clear errors, resumable, nothing referenced ----------
rc=0
"$SVPLAY" --download "$SV_TMP/dl/quota" --download-quota 100000 "file://$D1/master.m3u8" \
    >/dev/null 2>"$SV_TMP/quota.err" || rc=$?
expect_eq "quota: exit" "$rc" 1
expect_contains "quota: message" "$(cat "$SV_TMP/quota.err")" "would pass the quota of 100000 bytes"
[ ! -e "$SV_TMP/dl/quota/master.m3u8" ] || fail "quota: a playlist was written"
"$SVPLAY" -q --download "$SV_TMP/dl/quota" "file://$D1/master.m3u8" >/dev/null ||
    fail "quota: resume without the quota"
mkdir -p "$SV_TMP/full"
mount -t tmpfs -o size=300k tmpfs "$SV_TMP/full" || fail "cannot mount a tmpfs"
rc=0
"$SVPLAY" --download "$SV_TMP/full/d" "file://$D1/master.m3u8" >/dev/null \
    2>"$SV_TMP/full.err" || rc=$?
expect_eq "full disk: exit" "$rc" 1
expect_contains "full disk: message" "$(cat "$SV_TMP/full.err")" "the disk is full"
expect_contains "full disk: the path" "$(cat "$SV_TMP/full.err")" "$SV_TMP/full/d/"
[ ! -e "$SV_TMP/full/d/master.m3u8" ] || fail "full disk: a playlist was written"
ls "$SV_TMP/full/d"/*/*.part >/dev/null 2>&1 && fail "full disk: a .part file was left"
n=$(files_done "$SV_TMP/full/d")
python3 - "$SV_TMP/full/d" <<'EOF' || fail "full disk: a recorded file is not whole"
import json, sys, hashlib
d = sys.argv[1]
for f in json.load(open(d + '/download.json'))['files']:
    if f['done'] and hashlib.sha256(open(d + '/' + f['path'], 'rb').read()).hexdigest() != f['sha256']:
        sys.exit(1)
EOF
ok "full disk after $n files: error names the path, every recorded file whole"
mount -o remount,size=4m "$SV_TMP/full" || fail "cannot grow the tmpfs"
"$SVPLAY" -q --download "$SV_TMP/full/d" "file://$D1/master.m3u8" >/dev/null ||
    fail "the full disk's download, resumed with room"
diff -r "$D1/video" "$SV_TMP/full/d/video" && diff -r "$D1/audio" "$SV_TMP/full/d/audio" ||
    fail "the download resumed after the full disk differs from the first"
ok "quota and full disk: exit 1 with the path, resumed to the same bytes"

# --- delete ------------------------------------------------------------------------
echo keep >"$SV_TMP/dl/open/mine.txt"
"$SVPLAY" --delete-download "$SV_TMP/dl/open" || fail "--delete-download"
expect_eq "delete keeps foreign files" "$(ls "$SV_TMP/dl/open")" "mine.txt"
rc=0
"$SVPLAY" --delete-download "$SV_TMP/dl/open" 2>/dev/null || rc=$?
expect_eq "delete of no download: exit" "$rc" 1
echo "offline_download: all checks passed"
