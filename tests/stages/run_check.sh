#!/bin/sh
# Runs check_stages.py over the source tree for each rules file given.
# Usage: run_check.sh RULES... (SV_SOURCE_DIR from CTest)
set -eu
command -v python3 >/dev/null || { echo "FAIL: python3 missing: run scripts/install-deps.sh"; exit 1; }
: "${SV_SOURCE_DIR:?SV_SOURCE_DIR is not set: run this test through ctest}"
exec python3 "$(dirname "$0")/check_stages.py" --repo "$SV_SOURCE_DIR" "$@"
