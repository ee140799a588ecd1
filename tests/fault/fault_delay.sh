#!/bin/sh
# delay_ms holds back the first byte of the response.
. "$SV_SOURCE_DIR/tests/fault/faultlib.sh"
fs_start --scenario "$FS_SCENARIOS/delay.json"

fs_curl t -o /dev/null -w '%{http_code} %{time_starttransfer}' "$FS_URL/video/seg-1.m4s"
expect_eq "curl exit" "$FS_RC" 0
expect_eq "status" "${t% *}" 200
expect_ge "time to first byte (s) with a 300 ms delay" "${t#* }" 0.3

# The same file outside the rule's pattern comes at once.
fs_curl t -o /dev/null -w '%{time_starttransfer}' "$FS_URL/data.bin"
expect_le "time to first byte (s) without the rule" "$t" 0.25

fs_wait_log 2
expect_contains "log" "$(fs_log | head -n 1)" '"rule":"slow-first-byte","end":"complete"'
