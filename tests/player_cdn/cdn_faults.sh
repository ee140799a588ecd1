#!/bin/sh
# The fault table: three sv-faultsrv instances serve the same packaged
# 70 s title (HLS, 2 s segments) as three CDNs of equal priority; svplay
# plays in real time with them as --cdn. One fault at a time is injected on
# the CDN in use, on its media segments, through PUT /_fault/rules (or, for
# a refused connection, by stopping that server): 500, 503, 404, refused,
# reset mid-body, a 10 s stall, a 20 kB/s drip, a truncated body and a
# Content-Length larger than the body. Each row must recover on another CDN
# (the player's --stats show the change, away from the faulty CDN, with more
# than 10 s buffered) with no rebuffer at all. The table is printed.
. "$SV_SOURCE_DIR/tests/backend/backendlib.sh"
. "$SV_SOURCE_DIR/tests/player_cdn/cdnlib.sh"
FS_BIN="$SV_BUILD_DIR/tests/support/sv-faultsrv"
[ -x "$FS_BIN" ] || fail "$FS_BIN not built"

FS_PIDS=""
PLAY_CLEANUP_EXTRA='for _p in $FS_PIDS; do kill -TERM "$_p" 2>/dev/null; wait "$_p" 2>/dev/null; done'

id=$(cdn_title 70)
ROOT="$SV_DATA/media/$id"
[ -f "$ROOT/master.m3u8" ] || fail "no $ROOT/master.m3u8 after ingest"

# cdn_up K [PORT] - starts CDN cK (on PORT, else a free one); sets PORT_K.
cdn_up() {
    _d="$SV_TMP/cdn$1"
    mkdir -p "$_d"
    rm -f "$_d/port"
    _n=$(ls "$_d"/log*.jsonl 2>/dev/null | wc -l)
    "$FS_BIN" --root "$ROOT" --listen "127.0.0.1:${2:-0}" --port-file "$_d/port" \
        --log "$_d/log$_n.jsonl" 2>"$_d/err" &
    eval "PID_$1=$!"
    FS_PIDS="$FS_PIDS $!"
    wait_for 5 test -s "$_d/port" || { cat "$_d/err" >&2; fail "c$1 did not start"; }
    eval "PORT_$1=$(cat "$_d/port")"
}
cdn_down() {
    eval "_p=\$PID_$1"
    kill -TERM "$_p" 2>/dev/null
    wait "$_p" 2>/dev/null
}
cdn_port() {
    eval "echo \$PORT_$1"
}
# served K - media segments cK answered in full.
served() {
    cat "$SV_TMP/cdn$1"/log*.jsonl 2>/dev/null |
        grep -c '"path":"[^"]*/seg-[0-9]*\.m4s".*"status":20[06].*"end":"complete"'
}
# rules K JSON - replaces cK's rules; the answer must be 200.
rules() {
    _code=$(curl -s -o "$SV_TMP/rules.out" -w '%{http_code}' --max-time 5 -X PUT \
        --data-binary "$2" "http://127.0.0.1:$(cdn_port "$1")/_fault/rules")
    [ "$_code" = 200 ] || fail "PUT /_fault/rules on c$1: $_code $(cat "$SV_TMP/rules.out")"
}
for k in 1 2 3; do
    cdn_up $k
done

play_start --cdn "c1=http://127.0.0.1:$PORT_1/,1" --cdn "c2=http://127.0.0.1:$PORT_2/,1" \
    --cdn "c3=http://127.0.0.1:$PORT_3/,1" "http://127.0.0.1:$PORT_1/master.m3u8"
wait_for 10 eval '[ "$(served 1)" -ge 10 ]' || { dump_play; fail "c1 served under 10 segments"; }
# Mid-playback, with the 30 s buffer goal reached.
sleep 2

SEG='*/seg-*.m4s'
ROWS="500|\"status\":500
503|\"status\":503
404|\"status\":404
refused connection|-
reset mid-body|\"reset_after\":20000
10 s stall|\"stall\":{\"after\":20000,\"ms\":10000}
20 kB/s drip|\"rate\":20000
truncated body|\"truncate_after\":20000
wrong Content-Length|\"content_length_delta\":5000"

active=1
nrows=0
echo "$ROWS" >"$SV_TMP/rows"
while IFS='|' read -r name fault <&3; do
    nrows=$((nrows + 1))
    b1=$(served 1) b2=$(served 2) b3=$(served 3)
    t_inj=$(play_elapsed)
    t_abs=$(date +%s.%N)
    if [ "$fault" = - ]; then
        cdn_down $active
    else
        rules $active "[{\"name\":\"row\",\"match\":\"$SEG\",$fault}]"
    fi
    # The next segment request meets the fault; another CDN must serve.
    next=""
    moved() {
        for k in 1 2 3; do
            [ "$k" != "$active" ] || continue
            eval "_b=\$b$k"
            if [ "$(served $k)" -gt "$_b" ]; then
                next=$k
                return 0
            fi
        done
        return 1
    }
    wait_for 20 moved || { dump_play; fail "row '$name': no other CDN took over from c$active"; }
    if [ "$fault" = - ]; then
        cdn_up $active "$(cdn_port $active)"
    else
        grep -q '"rule":"row"' "$SV_TMP/cdn$active"/log*.jsonl ||
            fail "row '$name': c$active never applied the fault"
        rules $active "[]"
    fi
    echo "$name|$t_abs|c$active|c$next" >>"$SV_TMP/table"
    ok "row '$name': c$active -> c$next (injected at ${t_inj} s)"
    active=$next
    # The player refills its buffer before the next fault.
    sleep 1.5
done 3<"$SV_TMP/rows"

# Stop like a user (SIGINT: exit 0, stats written).
play_running || { dump_play; fail "svplay stopped during the faults"; }
kill -INT "$PLAY_PID"
play_wait 10
[ "$PLAY_RC" -eq 0 ] || { dump_play; fail "svplay exit status $PLAY_RC"; }
[ -f "$PLAY_STATS" ] || fail "no stats written"

# next_change K - the index of the first failover (not a probe of a CDN
# whose back-off ended) after index K. Only the injected faults fail
# requests, so failovers and rows pair up in order.
next_change() {
    _k=$(($1 + 1))
    while [ "$(stat ".cdn_changes[$_k]")" != null ]; do
        [ "$(stat ".cdn_changes[$_k].reason")" = probe ] || { echo "$_k"; return; }
        _k=$((_k + 1))
    done
    echo none
}

bad=0
i=-1
printf '\n%-20s | %-6s | %-3s | %-15s | %-14s | %-6s | %-9s | %s\n' fault failed new "switch s (+inj)" \
    "reason" buffer rebuffers result
printf '%s\n' "---------------------+--------+-----+-----------------+----------------+--------+-----------+-------"
# svplay's t_s count from its load command, whose wall-clock time the stats
# give (load_unix_s): the injections are placed on that timeline.
origin=$(stat .load_unix_s)
[ "$origin" != null ] || fail "the stats have no load_unix_s"
while IFS='|' read -r name t_abs from to <&3; do
    t_inj=$(awk -v a="$t_abs" -v o="$origin" 'BEGIN { printf "%.3f", a - o }')
    [ "$i" = none ] || i=$(next_change "$i")
    res=ok
    if [ "$i" = none ]; then
        sw=none why=- buf=- rb=- res=FAIL
    else
        sw=$(awk -v t="$(stat ".cdn_changes[$i].t_s")" -v a="$t_inj" \
            'BEGIN { printf "%.2f (+%.2f)", t, t - a < 0 ? 0 : t - a }')
        buf=$(printf '%.1f' "$(stat ".cdn_changes[$i].buffer_s")")
        why=$(stat ".cdn_changes[$i].reason")
        rb=$(stat ".cdn_changes[$i].rebuffer_count")
        [ "$(stat ".cdn_changes[$i].from")" = "$from" ] || res="FAIL (from $(stat ".cdn_changes[$i].from"))"
        [ "$(stat ".cdn_changes[$i].to")" = "$to" ] || res="FAIL (to $(stat ".cdn_changes[$i].to"))"
        awk -v b="$buf" 'BEGIN { exit !(b >= 10) }' || res="FAIL (buffer)"
        [ "$rb" = 0 ] || res="FAIL (rebuffer)"
        # Both on svplay's timeline; the injection time is taken before the
        # fault is set, so a change caused by it comes after it.
        awk -v t="$(stat ".cdn_changes[$i].t_s")" -v a="$t_inj" 'BEGIN { exit !(t >= a - 0.01) }' ||
            res="FAIL (before the fault)"
    fi
    [ "$res" = ok ] || bad=$((bad + 1))
    printf '%-20s | %-6s | %-3s | %-15s | %-14s | %-6s | %-9s | %s\n' "$name" "$from" "$to" "$sw" \
        "$why" "$buf" "$rb" "$res"
done 3<"$SV_TMP/table"
echo
expect_eq "rows" "$(wc -l <"$SV_TMP/table" | tr -d ' ')" 9
expect_eq "failed rows" "$bad" 0
expect_eq "rebuffers over the whole run" "$(stat .rebuffer_count)" 0
expect_eq "fatal errors" "$(stat .error)" null
exit 0
