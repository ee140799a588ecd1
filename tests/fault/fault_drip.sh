#!/bin/sh
# rate drips the body: 20 000 bytes at 50 000 bytes/s take 0.4 s.
. "$SV_SOURCE_DIR/tests/fault/faultlib.sh"
fs_start --scenario "$FS_SCENARIOS/drip.json"

fs_curl t -o "$FS_TMP/body" -w '%{time_total} %{size_download}' "$FS_URL/video/seg-1.m4s"
expect_eq "curl exit" "$FS_RC" 0
expect_eq "bytes received" "${t#* }" 20000
# The first 20 ms slice leaves at once, so allow that much slack.
expect_ge "total time (s)" "${t% *}" 0.37
expect_le "total time (s)" "${t% *}" 3
cmp -s "$FS_TMP/body" "$FS_ROOT/video/seg-1.m4s" || fail "dripped body differs from the file"

fs_curl t -o /dev/null -w '%{time_total}' "$FS_URL/data.bin"
expect_le "total time (s) without the rule" "$t" 0.2
