#!/bin/sh
# times limits a rule to the first K matching requests: two 503s, then 200.
. "$SV_SOURCE_DIR/tests/fault/faultlib.sh"
fs_start --scenario "$FS_SCENARIOS/times.json"

codes=""
for seg in 1 2 1 2; do
    fs_curl c -o /dev/null -w '%{http_code}' "$FS_URL/video/seg-$seg.m4s"
    codes="$codes $c"
done
expect_eq "statuses of four segment requests" "$codes" " 503 503 200 200"
expect_eq "rules that fired" "$(fs_log | sed 's/.*"rule":\([^,]*\),.*/\1/' | tr '\n' ' ')" \
    '"first-two-fail" "first-two-fail" null null '

# POST /_fault/reset starts the counters again.
curl -s -X POST -o /dev/null "$FS_URL/_fault/reset"
fs_curl c -o /dev/null -w '%{http_code}' "$FS_URL/video/seg-1.m4s"
expect_eq "status after a reset" "$c" 503
