#!/bin/sh
# Preloading the next item and gapless switching (issue 19 item 2), through
# the public API: tests/player/preload.c is built here against
# include/streamverse and libstreamverse (like two_players.sh) and plays, in
# real time with a sound card of its own (a sink that pulls in real time and
# counts the samples it asked for and did not get):
#   switch:  the fMP4 HLS fixture (A); a preload of a 404 URL must fail with
#            an event while A plays on; Shaka's DASH (B) preloaded; at 4 s of
#            A a load of B; B plays to its end;
#   gapless: the same, with the gapless preload: A plays to its end and the
#            player moves to B by itself, the audio sink open throughout.
# Checks: the 404's event and error, A still playing; A 0 dropped frames;
# B's first frame within 500 ms of the command (the bench has the tight
# figure); B's presented frames equal ffmpeg's decode of its lowest
# rendition; the load was answered from the preload; gapless: every frame of
# A equal to ffmpeg's, one open of the audio sink, no silence between A's
# last sample and B's first beyond 20 ms, B's first frame within 100 ms of
# A's last. Then svplay's playlist with --gapless, an encrypted B (CENC,
# ClearKey license fetched by the preload) and the preload's life cycle
# (preload.c edge).
#   preload.sh LIBSTREAMVERSE_DIR
. "$SV_SOURCE_DIR/tests/player/playlib.sh"
libdir=${1:-$SV_BUILD_DIR}

pl_build_sdk_program preload

pl_serve
pl_fixture hls_fmp4
a="$PL_URL/$FX_PATH"
fa=$FX_FRAMES
pl_fixture shaka_dash
b="$PL_URL/$FX_PATH"
fb=$FX_FRAMES
bad="$PL_URL/no/such/manifest.mpd"

# key FILE NAME - the value of a "NAME value" line of the program's output.
key() {
    awk -v k="$2" '$1 == k { sub(/^[^ ]+ /, ""); print; exit }' "$1"
}

# below VALUE LIMIT - VALUE is a number under LIMIT.
below() {
    awk -v v="$1" -v l="$2" 'BEGIN { exit !(v != "" && v + 0 == v && v >= 0 && v < l) }'
}

for mode in switch gapless; do
    out="$PL_TMP/$mode"
    mkdir -p "$out"
    timeout -k 5 120 "$PL_TMP/preload" "$mode" "$a" "$b" "$bad" "$out" >"$out/figures" \
        2>"$out/err"
    rc=$?
    sed "s/^/  $mode: /" "$out/figures"
    if [ "$rc" -ne 0 ]; then
        check 1 "$mode: the run exited $rc"
        tail -n 20 "$out/err"
        continue
    fi
    e=$(key "$out/figures" bad_error)
    [ "$e" = -11 ] # SV_ERR_NOT_FOUND
    check $? "$mode: the 404 preload failed with SV_ERR_NOT_FOUND ($e): $(key "$out/figures" bad_message)"
    s=$(key "$out/figures" bad_state_after)
    [ "$s" = playing ]
    check $? "$mode: A plays on after the failed preload ($s)"
    d=$(key "$out/figures" a_dropped)
    [ "$d" = 0 ]
    check $? "$mode: A dropped $d frames while B was preloaded"
    d=$(key "$out/figures" b_dropped)
    [ "$d" = 0 ]
    check $? "$mode: B dropped $d frames"
    h=$(key "$out/figures" preload_hits)
    [ "${h:-0}" -ge 3 ]
    check $? "$mode: B's load took $h answers from the preload (manifest, init, segments)"
    n=$(wc -l <"$out/b.md5")
    if cmp -s "$out/b.md5" "$PL_STREAMS/ref/shaka_dash/v0.md5"; then
        check 0 "$mode: B's $n/$fb presented frames equal ffmpeg's decode"
    else
        check 1 "$mode: B's presented frames differ from ffmpeg's ($n of $fb; first difference: $(diff "$out/b.md5" "$PL_STREAMS/ref/shaka_dash/v0.md5" | head -n 1))"
    fi
    if [ "$mode" = switch ]; then
        t=$(key "$out/figures" switch_first_frame_ms)
        below "$t" 500
        check $? "switch: B's first frame $t ms after the load command (bound 500 ms)"
        continue
    fi
    n=$(wc -l <"$out/a.md5")
    cmp -s "$out/a.md5" "$PL_STREAMS/ref/hls_fmp4/v0.md5"
    check $? "gapless: A's $n/$fa frames, the last ones shown after B was loaded, equal ffmpeg's decode"
    o=$(key "$out/figures" audio_opens)
    [ "$o" = 1 ]
    check $? "gapless: the audio sink was opened $o time(s) for both items"
    g=$(key "$out/figures" audio_gap_ms)
    below "$g" 20
    check $? "gapless: longest silence between samples $g ms (bound 20 ms)"
    v=$(key "$out/figures" video_seam_ms)
    below "$v" 100
    check $? "gapless: B's first frame $v ms after A's last (bound 100 ms)"
done
# svplay's playlist (issue 19 item 3): two URLs with --gapless, the first
# from 8 s: the second is preloaded while the first plays and follows it;
# --stats lists both items, the second taken from the preload (state used);
# the frames presented are A's last 4 s then all of B, equal to ffmpeg's.
pl_play playlist 60 --headless --realtime --gapless --quality 0 --start 8 \
    --framemd5 "$PL_TMP/playlist.md5" --stats "$PL_TMP/playlist.json" "$a" "$b"
if [ "$PL_RC" -ne 0 ]; then
    check 1 "svplay playlist: exit status $PL_RC"
    pl_show playlist
else
    st="$PL_TMP/playlist.json"
    items=$(pl_json "$st" items.length)
    p1=$(pl_json "$st" items.1.preload)
    [ "$items" = 2 ] && [ "$p1" = used ]
    check $? "svplay playlist: $items items in --stats, the second's preload $p1"
    d0=$(pl_json "$st" items.0.dropped_frames)
    d1=$(pl_json "$st" items.1.dropped_frames)
    [ "$d0" = 0 ] && [ "$d1" = 0 ]
    check $? "svplay playlist: dropped frames $d0 and $d1"
    pl_hashes "$PL_TMP/playlist.md5" >"$PL_TMP/playlist.hashes"
    { tail -n 120 "$PL_STREAMS/ref/hls_fmp4/v0.md5"; cat "$PL_STREAMS/ref/shaka_dash/v0.md5"; } \
        >"$PL_TMP/playlist.ref"
    n=$(wc -l <"$PL_TMP/playlist.hashes")
    cmp -s "$PL_TMP/playlist.hashes" "$PL_TMP/playlist.ref"
    check $? "svplay playlist: $n frames (A from 8 s, then B) equal ffmpeg's decode, in order"
fi

# An encrypted next item: Shaka Packager's CENC DASH of the same lowest
# rendition (the interop tests' ClearKey test key), its license answered by a
# second sv-faultsrv (tests/interop/scenarios/license-clearkey.json, POST
# /license). The preload asks for the license (the CDM keeps the keys): the
# one license request of the run comes before B's load, and B's frames, now
# decrypted, equal ffmpeg's decode of the clear rendition.
packager=$("$SV_SOURCE_DIR/scripts/shaka-packager.sh" | tail -n 1) || fail "no Shaka Packager"
enc="$PL_TMP/enc"
mkdir -p "$enc"
(cd "$enc" && "$packager" --quiet \
    "in=$PL_STREAMS/src/v0.mp4,stream=video,init_segment=v0/init.mp4,segment_template=v0/\$Number\$.m4s" \
    "in=$PL_STREAMS/src/a.mp4,stream=audio,init_segment=a/init.mp4,segment_template=a/\$Number\$.m4s" \
    --enable_raw_key_encryption \
    --keys "label=:key_id=4060a865887842679cbf91ae5bae1e72:key=fc35340837310cc0fb53de97e22a69e0" \
    --protection_scheme cenc --protection_systems CommonSystem --clear_lead 0 \
    --segment_duration 2 --generate_static_live_mpd --mpd_output manifest.mpd \
    >"$PL_TMP/packager.log" 2>&1) ||
    { tail -n 5 "$PL_TMP/packager.log"; fail "Shaka Packager could not make the CENC DASH"; }
"$PL_FS_BIN" --root "$enc" --scenario "$SV_SOURCE_DIR/tests/interop/scenarios/license-clearkey.json" \
    --listen 127.0.0.1:0 --port-file "$PL_TMP/eport" --log "$PL_TMP/license.jsonl" \
    2>"$PL_TMP/eserver.err" &
PL_PIDS="$PL_PIDS $!"
i=0
while [ ! -s "$PL_TMP/eport" ]; do
    i=$((i + 1))
    [ "$i" -le 100 ] || fail "the license server did not start: $(cat "$PL_TMP/eserver.err")"
    sleep 0.05
done
e="http://127.0.0.1:$(cat "$PL_TMP/eport")"
out="$PL_TMP/encrypted"
mkdir -p "$out"
timeout -k 5 120 "$PL_TMP/preload" switch "$a" "$e/manifest.mpd" "$bad" "$out" "$e/license" \
    >"$out/figures" 2>"$out/err"
rc=$?
sed "s/^/  encrypted: /" "$out/figures"
if [ "$rc" -ne 0 ]; then
    check 1 "encrypted: the run exited $rc"
    tail -n 20 "$out/err"
else
    n=$(grep -c '"method":"POST","path":"/license"' "$PL_TMP/license.jsonl")
    [ "$n" = 1 ]
    check $? "encrypted: $n license request(s) in the run, made by the preload"
    h=$(key "$out/figures" preload_hits)
    [ "${h:-0}" -ge 3 ]
    check $? "encrypted: B's load took $h answers from the preload"
    d=$(key "$out/figures" b_dropped)
    [ "$d" = 0 ]
    check $? "encrypted: B dropped $d frames"
    n=$(wc -l <"$out/b.md5")
    cmp -s "$out/b.md5" "$PL_STREAMS/ref/shaka_dash/v0.md5"
    check $? "encrypted: B's $n/$fb frames, decrypted, equal ffmpeg's decode of the clear rendition"
fi

# The preload's life cycle (not in real time): a preload replaced by another
# (its reply SV_ERR_CANCELLED), one cancelled by a stop (state none, nothing
# held), one a load of its URL takes over while it is still fetching (state
# used, the load plays), bad arguments refused, the player destroyed with one
# in flight.
out="$PL_TMP/edge"
mkdir -p "$out"
if timeout -k 5 60 "$PL_TMP/preload" edge "$a" "$b" >"$out/figures" 2>"$out/err"; then
    sed "s/^/  edge: /" "$out/figures"
    for want in "replaced_reply -17" "replacing_reply 0" "stopped_reply -17" \
                "stopped_state none" "stopped_bytes 0" "takeover_state used" \
                "takeover_plays 1" "null_url -1" "negative_ahead -1" "destroyed 1"; do
        grep -qx "$want" "$out/figures"
        check $? "edge: $want"
    done
else
    check 1 "edge: the run exited non-zero"
    tail -n 20 "$out/err"
fi
pl_finish
