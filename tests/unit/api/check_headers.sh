#!/bin/sh
# Compiles every public header alone, so none depends on an include another
# header happened to pull in first. Needs CC (set by CTest) and SV_SOURCE_DIR.
set -eu
: "${SV_SOURCE_DIR:?}" "${CC:=cc}"
inc="$SV_SOURCE_DIR/include"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
count=0
failed=0
for h in "$inc"/streamverse/*.h; do
    name=$(basename "$h")
    printf '#include <streamverse/%s>\n#include <streamverse/%s>\nint main(void) { return 0; }\n' \
        "$name" "$name" > "$tmp/t.c"
    for std in c11 c99; do
        if ! "$CC" -std=$std -pedantic -Wall -Wextra -Werror -I"$inc" -c "$tmp/t.c" -o "$tmp/t.o" 2>"$tmp/err"; then
            echo "FAIL: $name does not compile alone as $std:"; cat "$tmp/err"; failed=$((failed + 1))
        fi
    done
    if command -v c++ >/dev/null 2>&1; then
        cp "$tmp/t.c" "$tmp/t.cpp"
        if ! c++ -std=c++11 -pedantic -Wall -Wextra -Werror -I"$inc" -c "$tmp/t.cpp" -o "$tmp/t.o" 2>"$tmp/err"; then
            echo "FAIL: $name does not compile alone as C++:"; cat "$tmp/err"; failed=$((failed + 1))
        fi
    fi
    count=$((count + 1))
done
if [ "$count" -lt 6 ]; then
    echo "FAIL: expected at least 6 public headers, found $count"; exit 1
fi
echo "$count headers checked, $failed failures"
[ "$failed" -eq 0 ]
