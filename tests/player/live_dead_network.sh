#!/bin/sh
# A live stream whose network dies (issue 17, faults): svplay plays the
# LL-HLS origin of tests/support/llhls.js through bench/shape_proxy.py, a
# loopback link that carries 5 Mbit/s for 14 s and then nothing at all (no
# answer, no reset: the requests hang). The player must not wait forever
# on reloads that never answer: once the buffer is spent it gives up after
# --give-up (3 s) with an error that names the manifest, and exits 1 - not
# at the test's 90 s limit, as it did before.
. "$SV_SOURCE_DIR/tests/player/playlib.sh"
. "$SV_SOURCE_DIR/tests/support/livegen.sh"

origin="$PL_TMP/origin"
mkdir -p "$origin"
node "$SV_SOURCE_DIR/tests/support/llhls.js" --port-file "$PL_TMP/port" --dir "$origin" \
    --seconds 60 --log "$PL_TMP/requests.jsonl" 2>"$PL_TMP/origin.err" &
og=$!
PL_PIDS="$PL_PIDS $og"
livegen_wait "$og" "$origin" 25 "$PL_TMP/origin.err"
awk 'BEGIN { for (t = 1; t <= 600; t++) printf "%d\t%.1f\n", t, t <= 14 ? 5 : 0 }' >"$PL_TMP/trace"
python3 "$SV_SOURCE_DIR/bench/shape_proxy.py" --origin "http://127.0.0.1:$(cat "$PL_TMP/port")" \
    --trace "$PL_TMP/trace" --port-file "$PL_TMP/proxy.port" 2>"$PL_TMP/proxy.err" &
PL_PIDS="$PL_PIDS $!"
i=0
while [ ! -s "$PL_TMP/proxy.port" ]; do
    i=$((i + 1))
    [ $i -le 100 ] || fail "the shaping proxy did not start: $(cat "$PL_TMP/proxy.err")"
    sleep 0.1
done
url="http://127.0.0.1:$(cat "$PL_TMP/proxy.port")/live.m3u8"

t0=$(date +%s.%N)
pl_play dead 90 --headless --quiet --give-up 3000 --stats "$PL_TMP/dead.json" "$url"
t1=$(date +%s.%N)
took=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
[ "$PL_RC" -eq 1 ]
check $? "svplay exits 1 once the network is dead (exit $PL_RC after $took s)"
# 14 s of link, what was buffered, the 3 s give-up and the reloads' slack.
awk -v t="$took" 'BEGIN { exit !(t < 40) }'
check $? "it gave up within 40 s of the start ($took s), not at the 90 s limit"
msg=$(grep "error:" "$PL_TMP/dead.err" | tail -n 1)
case "$msg" in
*"the live manifest $url"*"no new segment for"*) check 0 "the error names the manifest: $msg" ;;
*) check 1 "the error names the manifest: '$msg'" ;;
esac
played=$(pl_json "$PL_TMP/dead.json" decoded_frames 2>/dev/null || echo 0)
awk -v f="$played" 'BEGIN { exit !(f + 0 >= 150) }'
check $? "it played while the link lived ($played frames)"
pl_finish
