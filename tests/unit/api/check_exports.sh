#!/bin/sh
# Usage: check_exports.sh LIBSTREAMVERSE_SO
set -eu
lib=$1
command -v nm >/dev/null || { echo "nm missing: run scripts/install-deps.sh"; exit 1; }
syms=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVW]$/ {print $3}')
total=$(printf '%s\n' "$syms" | grep -c . || true)
bad=$(printf '%s\n' "$syms" | grep -v '^sv_' | grep -v '^_' || true)
internal=$(printf '%s\n' "$syms" | grep '^sv__' || true)
if [ -n "$bad" ] || [ -n "$internal" ]; then
    echo "FAIL: symbols exported outside the public API:"
    printf '%s\n' $bad $internal
    exit 1
fi
[ "$total" -ge 10 ] || { echo "FAIL: only $total symbols exported"; exit 1; }
echo "$total exported symbols, all public sv_ API"
