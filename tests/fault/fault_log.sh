#!/bin/sh
# The request log: one JSON object per request with what the client asked
# and how the answer ended, the same over /_fault/log and in the --log file.
. "$SV_SOURCE_DIR/tests/fault/faultlib.sh"
fs_start --scenario "$FS_SCENARIOS/log.json"

curl -s -o /dev/null "$FS_URL/master.m3u8"
curl -s -o /dev/null -r 100-199 "$FS_URL/video/seg-1.m4s?bitrate=800000&cdn=a"
curl -s -o /dev/null -I "$FS_URL/data.bin"
curl -s -o /dev/null "$FS_URL/missing.ts"
curl -s -o /dev/null "$FS_URL/dead/seg-9.m4s"
fs_wait_log 5

cat >"$FS_TMP/want" <<'WANT'
{"conn":1,"method":"GET","path":"/master.m3u8","query":null,"range":null,"status":200,"bytes":25,"rule":null,"end":"complete"}
{"conn":2,"method":"GET","path":"/video/seg-1.m4s","query":"bitrate=800000&cdn=a","range":"bytes=100-199","status":206,"bytes":100,"rule":null,"end":"complete"}
{"conn":3,"method":"HEAD","path":"/data.bin","query":null,"range":null,"status":200,"bytes":0,"rule":null,"end":"complete"}
{"conn":4,"method":"GET","path":"/missing.ts","query":null,"range":null,"status":404,"bytes":14,"rule":null,"end":"complete"}
{"conn":5,"method":"GET","path":"/dead/seg-9.m4s","query":null,"range":null,"status":503,"bytes":24,"rule":"dead","end":"complete"}
WANT
fs_log >"$FS_TMP/got"
if ! cmp -s "$FS_TMP/got" "$FS_TMP/want"; then
    diff "$FS_TMP/want" "$FS_TMP/got" >&2
    fail "the log differs from the requests made"
fi
ok "log entries match the five requests"

# Times are milliseconds since start, in request order.
curl -s "$FS_URL/_fault/log" | sed 's/^{"t_ms":\([0-9]*\),"dur_ms":[0-9]*,.*/\1/' >"$FS_TMP/times"
sort -n "$FS_TMP/times" | cmp -s - "$FS_TMP/times" || fail "t_ms is not increasing"
ok "t_ms increases"

curl -s "$FS_URL/_fault/log" >"$FS_TMP/endpoint"
cmp -s "$FS_TMP/endpoint" "$FS_LOG" || fail "--log file differs from /_fault/log"
ok "--log file equals /_fault/log"
