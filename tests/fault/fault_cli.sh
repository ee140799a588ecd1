#!/bin/sh
# sv-faultsrv's command line: --help, clear errors and non-zero exits for bad
# arguments and bad scenarios (naming the file and the problem), loopback
# only, and a clean exit 0 on SIGTERM and SIGINT.
. "$SV_SOURCE_DIR/tests/fault/faultlib.sh"
fs_make_root

# run_bad WHAT EXPECTED-EXIT NEEDLE ARGS... - the command must fail at once.
run_bad() {
    _what=$1 _want=$2 _needle=$3
    shift 3
    _rc=0
    "$FS_BIN" "$@" >"$FS_TMP/out" 2>&1 || _rc=$?
    expect_eq "exit status for $_what" "$_rc" "$_want"
    expect_contains "message for $_what" "$(cat "$FS_TMP/out")" "$_needle"
}

rc=0
"$FS_BIN" --help >"$FS_TMP/out" 2>&1 || rc=$?
expect_eq "--help exit status" "$rc" 0
expect_contains "--help" "$(cat "$FS_TMP/out")" "usage: sv-faultsrv"

run_bad "no arguments" 2 "give --root DIR" 
run_bad "an unknown option" 2 "usage:" --root "$FS_ROOT" --bogus
run_bad "a stray argument" 2 'unexpected argument "extra"' --root "$FS_ROOT" extra
run_bad "a malformed --listen" 2 "expected ADDR:PORT" --root "$FS_ROOT" --listen 127.0.0.1
run_bad "a bad port" 2 "expected ADDR:PORT" --root "$FS_ROOT" --listen 127.0.0.1:70000
run_bad "a wildcard address" 1 "loopback addresses only" --root "$FS_ROOT" --listen 0.0.0.0:0
run_bad "a LAN address" 1 "refusing to bind 192.168.1.10" --root "$FS_ROOT" \
    --listen 192.168.1.10:0
run_bad "a host name" 1 "not a numeric IP address" --root "$FS_ROOT" --listen localhost:0
run_bad "a missing root" 1 "$FS_TMP/nope: not a folder" --root "$FS_TMP/nope"
run_bad "a missing scenario" 1 "$FS_TMP/nope.json: cannot open" --root "$FS_ROOT" \
    --scenario "$FS_TMP/nope.json"
bad="$FS_SCENARIOS/bad"
run_bad "a JSON syntax error" 1 "$bad/syntax.json: line 1, column" \
    --root "$FS_ROOT" --scenario "$bad/syntax.json"
run_bad "an unknown key" 1 "$bad/unknown-key.json: rules[0]: unknown key \"stauts\"" \
    --root "$FS_ROOT" --scenario "$bad/unknown-key.json"
run_bad "a wrongly typed value" 1 "$bad/wrong-type.json: rules[1].delay_ms: expected an integer" \
    --root "$FS_ROOT" --scenario "$bad/wrong-type.json"
run_bad "a rule without match" 1 "$bad/no-match.json: rules[0]: missing \"match\"" \
    --root "$FS_ROOT" --scenario "$bad/no-match.json"
run_bad "an unwritable log" 1 "cannot open the log file" --root "$FS_ROOT" \
    --log "$FS_TMP/nope/log.jsonl"

# A port in use is a clear error too.
fs_start
run_bad "a port in use" 1 "cannot listen on 127.0.0.1 port $FS_PORT" --root "$FS_ROOT" \
    --listen "127.0.0.1:$FS_PORT"

# stop_with SIGNAL - the running server exits 0 within 5 s.
stop_with() {
    kill "-$1" "$FS_PID"
    _i=0
    while kill -0 "$FS_PID" 2>/dev/null; do
        _i=$((_i + 1))
        [ "$_i" -le 100 ] || fail "sv-faultsrv ignored SIG$1 for 5 s"
        sleep 0.05
    done
    _rc=0
    wait "$FS_PID" || _rc=$?
    FS_PID=""
    expect_eq "exit status after SIG$1" "$_rc" 0
}
# A stalled connection must not hold the exit up.
printf '{"rules":[{"match":"*","stall":{"after":0}}]}' >"$FS_TMP/stall.json"
curl -s -X PUT --data-binary @"$FS_TMP/stall.json" -o /dev/null "$FS_URL/_fault/rules"
curl -s -o /dev/null --max-time 5 "$FS_URL/data.bin" &
curl_pid=$!
sleep 0.3
stop_with TERM
wait "$curl_pid" 2>/dev/null
expect_contains "log file after SIGTERM" "$(cat "$FS_LOG")" '"end":"stalled"'
fs_start
stop_with INT
