#!/bin/sh
# SIGTERM while a response is in flight: the download completes with every
# byte, new connections are refused, and svserver exits 0. Also the JSON log
# format and settings from a config file and the environment.
. "$SV_SOURCE_DIR/tests/backend/backendlib.sh"

mkdir -p "$SV_DATA/media/1"
head -c 3000000 /dev/urandom >"$SV_DATA/media/1/big.m4s"
printf '{"log-level": "info", "workers": 1, "drain-timeout": 20}\n' >"$SV_TMP/config.json"
SVSERVER_LOG_JSON=1 sv_start --config "$SV_TMP/config.json"

# About 3 s at 1 MB/s: SIGTERM lands in the middle.
curl -s --max-time 20 --limit-rate 1000k -o "$SV_TMP/got" "$SV_URL/media/1/big.m4s" &
CURL=$!
sleep 1
kill -TERM "$SV_PID"
sleep 0.3
code=$(curl -s --max-time 2 -o /dev/null -w '%{http_code}' "$SV_URL/healthz") || true
expect_eq "new requests during the drain" "$code" 000
wait $CURL || fail "the in-flight download failed"
expect_eq "in-flight download complete" "$(cksum <"$SV_TMP/got")" "$(cksum <"$SV_DATA/media/1/big.m4s")"
rc=0
wait "$SV_PID" || rc=$?
SV_PID=""
expect_eq "exit status" "$rc" 0
grep -q '"level":"info","module":"server","msg":"SIGTERM' "$SV_TMP/server.err" ||
    fail "no JSON log line for SIGTERM"
ok "JSON log lines"

# Bad settings are refused with a message, not ignored.
rc=0
"$SVSERVER" --workers zero >/dev/null 2>"$SV_TMP/bad" || rc=$?
expect_eq "bad option exit" "$rc" 2
expect_contains "bad option message" "$(cat "$SV_TMP/bad")" "workers"
printf '{"listen": ' >"$SV_TMP/broken.json"
rc=0
"$SVSERVER" --config "$SV_TMP/broken.json" >/dev/null 2>"$SV_TMP/bad" || rc=$?
expect_eq "broken config exit" "$rc" 2
rc=0
SVSERVER_LISTEN=nonsense "$SVSERVER" >/dev/null 2>"$SV_TMP/bad" || rc=$?
expect_eq "bad env exit" "$rc" 2
"$SVSERVER" --help | grep -q -- '--listen HOST:PORT' || fail "--help lacks --listen"
ok "--help"
