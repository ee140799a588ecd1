#!/bin/sh
# A title's rungs encoded by different workers at once (issue 14, item 3):
# an API node with --workers 0 and two `svserver worker --job-parts 3`
# processes on one data folder and catalog (SQLite here, PostgreSQL as
# pg_backend_workers_parts).
#   - the job is split into three parts, both workers encode parts, the one
#     that finishes last assembles: the title is READY with the same
#     renditions, segment counts and durations as a whole ingest of the clip
#     (`svserver ingest` into another data folder), and the parts' folders
#     are gone from staging/;
#   - kill -9 of a worker while it encodes a part: nothing is published, the
#     other worker takes the part over once its lease (3 s) ran out, and the
#     title still ends READY with the same segments;
#   - an encrypted (cenc) title in parts: one KID in every init segment, and
#     every rung decrypts with the key the license service gives.
. "$SV_SOURCE_DIR/tests/backend/backendlib.sh"

# x264 veryfast: a part still takes over a second (the kill lands 0.5 s
# into one) at half the CPU of medium.
LADDER="--ladder 144:150,240:300,270:400 --segment-seconds 2 --preset veryfast"
SETTINGS="$LADDER --job-lease 3 --max-attempts 3"
WORKER_OPTS="--job-parts 3"
. "$SV_SOURCE_DIR/tests/backend_workers/workerslib.sh"

# shape DIR - per variant playlist: name, segment count, #EXTINF durations;
# and the master's variants without their bandwidths (bytes differ from
# encode to encode when x264 uses several threads).
shape() {
    (cd "$1" && for pl in video/*/index.m3u8 audio/index.m3u8; do
        printf '%s %s %s\n' "$pl" "$(grep -c '^#EXTINF' "$pl")" \
            "$(grep '^#EXTINF' "$pl" | tr -d '\n')"
    done
    sed 's/BANDWIDTH=[0-9]*,AVERAGE-BANDWIDTH=[0-9]*,//' master.m3u8)
}

# The reference: the whole ladder in one process, SQLite, another folder.
t0=$(now)
# shellcheck disable=SC2086
env -u SVSERVER_DB "$SVSERVER" ingest "$SV_TMP/clip.mp4" --title Whole --data "$SV_TMP/ref" \
    $LADDER --log-level warn >"$SV_TMP/ref.out" 2>"$SV_TMP/ref.err" ||
    { cat "$SV_TMP/ref.err" >&2; fail "the whole ingest failed"; }
ok "whole ingest in one process: $(since "$t0") s"
shape "$SV_TMP/ref/media/1" >"$SV_TMP/ref.shape"

# shellcheck disable=SC2086
sv_start $SETTINGS --workers 0
sv_operator
worker_start w1
worker_start w2

# ---- parts on both workers ----------------------------------------------------
t0=$(now)
upload Parts
wait_end "$JOB"
expect_eq "split job" "$STATE" done
ok "split job ready in $(since "$t0") s"
grep -q "job $JOB (title $TITLE) split into 3 parts" "$SV_TMP"/w*.err || wfail "no split line"
n1=$(grep -c "ingesting part" "$SV_TMP/w1.err")
n2=$(grep -c "ingesting part" "$SV_TMP/w2.err")
expect_eq "parts encoded" "$((n1 + n2))" 3
[ "$n1" -ge 1 ] && [ "$n2" -ge 1 ] || wfail "one worker encoded every part ($n1 + $n2)"
ok "both workers encoded parts: w1 $n1, w2 $n2"
grep -q "job [0-9]*: part [0-9] of 3 done .*; the last one" "$SV_TMP"/w*.err ||
    wfail "no worker assembled"
req code "$SV_URL/api/v1/titles/$TITLE"
expect_eq "title" "$(json_get .status)" ready
expect_eq "renditions" "$(json_get .renditions[0].name) $(json_get .renditions[2].name) $(json_get .renditions[3].kind)" \
    "144p 270p audio"
shape "$SV_DATA/media/$TITLE" >"$SV_TMP/parts.shape"
cmp -s "$SV_TMP/ref.shape" "$SV_TMP/parts.shape" ||
    { diff "$SV_TMP/ref.shape" "$SV_TMP/parts.shape" >&2; wfail "the assembled title differs"; }
ok "same renditions, segment counts and durations as the whole ingest"
complete "$TITLE"
expect_eq "staging after the assembly" "$(ls "$SV_DATA/staging")" ""
req code "$SV_URL/media/$TITLE/manifest.mpd"
expect_eq "MPD served" "$code" 200

# ---- kill -9 during a part ------------------------------------------------------
upload Killed
_i=0
victim=""
while [ -z "$victim" ]; do
    # A part being encoded: its staging folder <title>.p<k>.<attempt>@<host>:<pid>.
    victim=$(ls "$SV_DATA/staging" 2>/dev/null | sed -n "s/^$TITLE\.p[0-9]\.1@.*:\([0-9]*\)\$/\1/p" |
        head -n 1)
    _i=$((_i + 1))
    [ $_i -le 600 ] || wfail "no part of job $JOB started"
    sleep 0.05
done
sleep 0.5
kill -KILL "$victim"
wait "$victim" 2>/dev/null
t_kill=$(now)
ok "worker $victim killed with -9 while encoding a part of job $JOB"
[ ! -e "$SV_DATA/media/$TITLE" ] || wfail "a media folder appeared after the kill"
wait_end "$JOB"
expect_eq "job after the kill" "$STATE" done
ok "ready $(since "$t_kill") s after the kill (lease 3 s)"
grep -q "attempt 2) on .*: ingesting part" "$SV_TMP"/w*.err || wfail "no part was taken over"
shape "$SV_DATA/media/$TITLE" >"$SV_TMP/killed.shape"
cmp -s "$SV_TMP/ref.shape" "$SV_TMP/killed.shape" ||
    { diff "$SV_TMP/ref.shape" "$SV_TMP/killed.shape" >&2; wfail "the title differs after the kill"; }
ok "same segments as the whole ingest after the takeover"
complete "$TITLE"
expect_eq "staging after the takeover" "$(ls "$SV_DATA/staging")" ""
expect_eq "uploads" "$(ls "$SV_DATA/uploads")" ""
for p in $WORKERS; do kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
WORKERS=""

# ---- an encrypted title in parts ---------------------------------------------------
# One content key for every part (made when the job is split): every init
# segment names the same KID, and each rung decrypts with the licensed key.
MASTER=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
SECRET=parts-test-token-secret-0123456789
sv_stop || fail "svserver exited with an error"
# shellcheck disable=SC2086
sv_start $SETTINGS --workers 0 --master-key $MASTER --token-secret $SECRET
sv_operator
SETTINGS="$SETTINGS --master-key $MASTER"
worker_start w3
worker_start w4
req code -X POST -H "$OP_AUTH" -H 'Content-Type: video/mp4' --data-binary @"$SV_TMP/clip.mp4" \
    "$SV_URL/api/v1/titles?title=Locked&drm=cenc"
expect_eq "encrypted upload accepted" "$code" 202
JOB=$(json_get .job_id)
TITLE=$(json_get .title_id)
wait_end "$JOB"
expect_eq "encrypted job" "$STATE" done
kid_of() {
    python3 -c "import sys; d=open(sys.argv[1],'rb').read(); i=d.index(b'tenc'); print(d[i+12:i+28].hex())" "$1"
}
KID=$(kid_of "$SV_DATA/media/$TITLE/audio/init.mp4")
for r in 144p 240p 270p; do
    expect_eq "KID of $r" "$(kid_of "$SV_DATA/media/$TITLE/video/$r/init.mp4")" "$KID"
done
TOK=$("$SVSERVER" token "$TITLE" --ttl 600 --token-secret $SECRET)
KIDU=$(python3 -c "import base64,sys; print(base64.urlsafe_b64encode(bytes.fromhex(sys.argv[1])).decode().rstrip('='))" "$KID")
req code -X POST -d "{\"kids\":[\"$KIDU\"],\"type\":\"temporary\"}" "$SV_URL/api/v1/license?token=$TOK"
expect_eq "license" "$code" 200
KEY=$(python3 -c "import base64,sys; k=sys.argv[1]; print(base64.urlsafe_b64decode(k + '=' * (-len(k) % 4)).hex())" \
    "$(json_get '.keys[0].k')")
# FFmpeg 5.1 decrypts one fragment per file reliably, and a video segment is
# two (its key frame's own moof+mdat, then the rest: the I-frame playlist's
# byte range says where the first ends). Each is decrypted alone into
# MPEG-TS (stream copy; -copyinkf: the rest starts after the key frame), the
# two are joined and the segment decoded: every frame, no error line.
for r in 144p 240p 270p; do
    d="$SV_DATA/media/$TITLE/video/$r"
    n=0
    for seg in "$d"/seg-*.m4s; do
        k=$(awk -v s="$(basename "$seg")" '/^#EXT-X-BYTERANGE:/ { split(substr($0, 18), a, "@"); l = a[1] }
                                           $0 == s { print l; exit }' "$d/iframes.m3u8")
        [ -n "$k" ] || wfail "$seg: no I-frame range"
        head -c "$k" "$seg" | cat "$d/init.mp4" - >"$SV_TMP/key.mp4"
        tail -c +$((k + 1)) "$seg" | cat "$d/init.mp4" - >"$SV_TMP/rest.mp4"
        for c in key rest; do
            ffmpeg -nostdin -v error -decryption_key "$KEY" -i "$SV_TMP/$c.mp4" -c copy -copyinkf \
                -f mpegts -y "$SV_TMP/$c.ts" 2>"$SV_TMP/dec.err" ||
                wfail "$seg ($c) does not decrypt: $(head -n 3 "$SV_TMP/dec.err")"
        done
        f=$(cat "$SV_TMP/key.ts" "$SV_TMP/rest.ts" |
            ffmpeg -nostdin -v error -f mpegts -i - -f framemd5 - 2>"$SV_TMP/dec.err" | grep -vc '^#')
        [ -s "$SV_TMP/dec.err" ] && wfail "$seg does not decrypt: $(head -n 3 "$SV_TMP/dec.err")"
        n=$((n + f))
    done
    expect_eq "$r frames decrypted with the licensed key" "$n" 300
done
for p in $WORKERS; do kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
WORKERS=""
