#!/bin/sh
# Three real nginx edges (scripts/edges.sh) in front of svserver serving a
# 70 s title (fixture player_cdn_title); svplay plays its DASH manifest in
# real time with the three edges as CDNs (--cdn, priorities 1, 2, 3) and
# the edges' secure_link token (--auth-token). The edge in use, found from
# the access logs, is killed (SIGKILL, master and worker) with more than
# 10 s buffered: the next segment request goes to another edge (the
# segment after the last one the dead edge served), with no rebuffer, and
# --stats records the change. The
# second edge in use is killed the same way: the third carries playback on.
# Then the third is killed: svplay plays out what it holds, ends with a
# clear error once the buffer is empty and exits 1, within a bounded time.
. "$SV_SOURCE_DIR/tests/backend/backendlib.sh"
. "$SV_SOURCE_DIR/tests/player_cdn/cdnlib.sh"
command -v openssl >/dev/null 2>&1 || fail "openssl is missing; run scripts/install-deps.sh"
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] ||
    fail "nginx is missing; run scripts/install-deps.sh (nginx-light)"
EDGES="$SV_SOURCE_DIR/scripts/edges.sh"
EDGE_SECRET="cdn-edges-secret-0123456789"
DURATION=70

# Stop the edges before backendlib's cleanup removes their folder.
PLAY_CLEANUP_EXTRA='sh "$EDGES" stop "$SV_TMP/edges" >/dev/null 2>&1'
# nginx workers of a root master run as nobody: let them into the folder.
chmod 755 "$SV_TMP"

id=$(cdn_title "$DURATION")
sv_start --edge-secret "$EDGE_SECRET" --workers 1
CDNS=$(sh "$EDGES" start "$SV_TMP/edges" "$SV_URL" "$EDGE_SECRET" 3) || fail "edges.sh start failed"
edge_url() {
    echo "$CDNS" | tr ',' '\n' | sed -n "s/^$1=//p"
}

# The edges' secure_link token for the title (backend/deploy/nginx-edge.conf).
exp=$(($(date +%s) + 3600))
hash=$(printf '%s/media/%s/ %s' "$exp" "$id" "$EDGE_SECRET" | openssl md5 -binary |
    openssl base64 -A | tr '+/' '-_' | tr -d '=')
Q="md5=$hash&expires=$exp"
req code "$(edge_url edge2)/media/$id/manifest.mpd?$Q"
expect_eq "the MPD through edge2" "$code" 200

# segs EDGE [video|audio|""] - media segments the edge answered with 200.
segs() {
    awk -v k="${2:-}" '$9 == 200 && $7 ~ /\/seg-[0-9]+\.m4s/ && $7 ~ k { n++ } END { print n + 0 }' \
        "$SV_TMP/edges/$1/access.log" 2>/dev/null || echo 0
}
# seg_numbers EDGE - the video segment numbers the edge served, in order.
seg_numbers() {
    awk '$9 == 200 && $7 ~ /\/video\/.*\/seg-[0-9]+\.m4s/ {
        s = $7; sub(/.*seg-/, "", s); sub(/\.m4s.*/, "", s); print s }' \
        "$SV_TMP/edges/$1/access.log" 2>/dev/null
}
# active - the edge that served the most recent media segment (by the
# nginx request time; ties go to the later edge in the list).
active() {
    for e in edge1 edge2 edge3; do
        awk -v e="$e" '$9 == 200 && $7 ~ /\/seg-[0-9]+\.m4s/ { t = $4 } END { if (t) print t, e }' \
            "$SV_TMP/edges/$e/access.log" 2>/dev/null
    done | sort | tail -n 1 | cut -d' ' -f2
}
kill_edge() {
    _pid=$(cat "$SV_TMP/edges/$1/nginx.pid")
    _kids=$(ps -o pid= --ppid "$_pid")
    # A crash, not a shutdown: master and workers die at once, sockets reset.
    # The master leads its own process group (nginx daemonises with setsid):
    # the whole group goes, so no worker outlives it to serve on.
    kill -KILL "-$_pid" 2>/dev/null
    kill -KILL $_kids "$_pid" 2>/dev/null
    rm -f "$SV_TMP/edges/$1/nginx.pid"
    wait_for 5 edge_refuses "$1" || fail "$1 still answers after SIGKILL"
}
# edge_refuses EDGE - its port refuses connections (curl exit 7); a request
# that times out on a busy machine is no proof that the edge is gone.
edge_refuses() {
    curl -s -o /dev/null --max-time 3 "$(edge_url "$1")/edge-health"
    [ $? -eq 7 ]
}
video_segs_at_least() {
    [ "$(segs "$1" /video/)" -ge "$2" ]
}
other_edge_serves() {
    for e in edge1 edge2 edge3; do
        [ "$e" = "$1" ] || [ "$(segs "$e")" -eq "$(eval echo \${base_$e:-0})" ] || return 0
    done
    return 1
}

play_start --cdn "edge1=$(edge_url edge1)/media/$id/,1" --cdn "edge2=$(edge_url edge2)/media/$id/,2" \
    --cdn "edge3=$(edge_url edge3)/media/$id/,3" --auth-token "$Q" \
    "$(edge_url edge1)/media/$id/manifest.mpd?$Q"

# --- 1: the edge in use dies mid-playback with more than 10 s buffered.
# Segments are 2 s: 8 served within 4 s of the start mean more than
# 16 - 4 = 12 s ahead (the stats' buffer at the change says how much).
wait_for 10 eval '[ "$(segs edge1 /video/) $(segs edge2) $(segs edge3)" != "0 0 0" ]' ||
    { dump_play; fail "no segment request reached an edge"; }
A1=$(active)
expect_eq "first edge in use (priority 1)" "$A1" edge1
wait_for 10 video_segs_at_least "$A1" 8 || { dump_play; fail "$A1 served under 8 segments"; }
wait_for 10 eval '[ "$(awk -v t="$(play_elapsed)" "BEGIN { print (t >= 2) }")" = 1 ]'
t1=$(play_elapsed)
expect_le "time of the first kill (s)" "$t1" 4
last1=$(seg_numbers "$A1" | tail -n 1)
n1=$(segs "$A1")
base_edge1=$(segs edge1) base_edge2=$(segs edge2) base_edge3=$(segs edge3)
kill_edge "$A1"
ok "killed $A1 at ${t1} s after segment $last1 ($n1 segments)"
wait_for 15 other_edge_serves "$A1" || { dump_play; fail "no edge took over from $A1"; }
A2=$(active)
first2=$(seg_numbers "$A2" | head -n 1)
expect_eq "the next video segment came from $A2" "$first2" $((last1 + 1))

# --- 2: the second edge in use dies too, again with more than 10 s ahead.
wait_for 15 video_segs_at_least "$A2" 4 || { dump_play; fail "$A2 served under 4 segments"; }
last2=$(seg_numbers "$A2" | tail -n 1)
t2=$(play_elapsed)
base_edge1=$(segs edge1) base_edge2=$(segs edge2) base_edge3=$(segs edge3)
kill_edge "$A2"
ok "killed $A2 at ${t2} s after segment $last2"
wait_for 15 other_edge_serves "$A2" || { dump_play; fail "no edge took over from $A2"; }
A3=$(active)
first3=$(seg_numbers "$A3" | head -n 1)
expect_eq "the next video segment came from $A3" "$first3" $((last2 + 1))
wait_for 15 video_segs_at_least "$A3" 3 || { dump_play; fail "playback did not go on on $A3"; }
play_running || { dump_play; fail "svplay stopped with one edge left"; }
ok "two of three edges dead: $A3 carries playback"

# --- 3: all dead. svplay plays what it holds, then fails.
last3=$(seg_numbers "$A3" | tail -n 1)
t3=$(play_elapsed)
kill_edge "$A3"
ok "killed $A3 at ${t3} s after segment $last3 (media to $((last3 * 2)) s)"
play_wait 60
t_end=$(play_elapsed)
[ "$PLAY_RC" -eq 1 ] || { dump_play; fail "svplay exit status $PLAY_RC, expected 1"; }
ok "svplay exit status 1 at ${t_end} s"
[ -f "$PLAY_STATS" ] || { dump_play; fail "no stats written"; }
msg=$(stat .error.message)
expect_contains "the error message names the request" "$msg" "GET http://127.0.0.1:"
expect_contains "the error message names the title's media" "$msg" "/media/$id/"
expect_contains "svplay prints the error" "$(cat "$SV_TMP/play.err")" "svplay: error: "

# change_after T EDGE - the index of the first failover away from EDGE (not
# a probe of a CDN whose back-off ended, nor the move back from such a
# probe) at or after T seconds (less 0.3: svplay's clock starts a few ms
# after the script's).
change_after() {
    _k=0
    while [ "$(stat ".cdn_changes[$_k]")" != null ]; do
        if [ "$(stat ".cdn_changes[$_k].reason")" != probe ] &&
            [ "$(stat ".cdn_changes[$_k].from")" = "$2" ] &&
            awk -v a="$(stat ".cdn_changes[$_k].t_s")" -v b="$1" 'BEGIN { exit !(a >= b - 0.3) }'; then
            echo "$_k"
            return
        fi
        _k=$((_k + 1))
    done
    echo none
}
# Each kill shows as a change at the next request: within one segment
# duration (the player holds its 30 s goal and asks every 2 s), away from
# the dead edge, with more than 10 s buffered and no rebuffer so far.
k=0
for kill in "$t1 $A1 $A2" "$t2 $A2 $A3"; do
    set -- $kill
    i=$(change_after "$1" "$2")
    [ "$i" != none ] || { dump_play; fail "no CDN change after the kill at $1 s"; }
    expect_eq "change after killing $2" "$(stat ".cdn_changes[$i].from") -> $(stat ".cdn_changes[$i].to")" \
        "$2 -> $3"
    expect_le "change after killing $2: at (s)" "$(stat ".cdn_changes[$i].t_s")" \
        "$(awk -v t="$1" 'BEGIN { print t + 2.5 }')"
    expect_ge "change after killing $2: buffer (s)" "$(stat ".cdn_changes[$i].buffer_s")" 10
    expect_eq "change after killing $2: rebuffers" "$(stat ".cdn_changes[$i].rebuffer_count")" 0
    [ "$k" -ne 0 ] || seg_at=$(stat ".cdn_changes[$i].segments_downloaded")
    k=$((k + 1))
done
# At the first switch the player had exactly what the dead edge served
# (give or take the other stream's request finishing in the same instant).
expect_ge "segments at the first change" "$seg_at" "$n1"
expect_le "segments at the first change" "$seg_at" $((n1 + 1))

# The end: no stall before the buffer ran out, everything held was shown,
# and the error came once it was spent, not while media remained.
nrb=$(count_records .rebuffers)
expect_le "rebuffers (only the final empty buffer)" "$nrb" 1
[ "$nrb" -eq 0 ] || expect_ge "the stall came after the last kill plus 10 s" \
    "$(stat .rebuffers[0].t_s)" "$(awk -v t="$t3" 'BEGIN { print t + 10 }')"
held=$((last3 * 2))
expect_ge "media played (s)" "$(stat .played_s)" $((held - 3))
expect_ge "frames decoded" "$(stat .decoded_frames)" $(((held - 3) * 25))
expect_ge "the error came once the buffer was spent (s)" "$t_end" \
    "$(awk -v h="$held" -v s="$(stat .startup_time_s)" 'BEGIN { print h - 3 + s }')"
exit 0
