#!/bin/sh
# check_stages.py on made-up trees: a lower stage that includes a higher
# stage's header (by a repository path, beside itself, or from the folder)
# must fail, naming the file and the include; a tree that keeps the order
# passes; a file outside every stage and a broken rules file are refused.
# Usage: selftest.sh PATH_TO_CHECK_STAGES_PY
set -eu
check=$1
command -v python3 >/dev/null || { echo "FAIL: python3 missing: run scripts/install-deps.sh"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

mkdir -p "$tmp/lib/low" "$tmp/lib/mid" "$tmp/lib/high" "$tmp/other"
printf 'folder lib\nstage .\nstage low\nstage mid   # comments are allowed\nstage high\n' > "$tmp/lib.rules"
echo '#include <stdio.h>' > "$tmp/lib/top.h"
printf '#include "other/x.h"\n#include "lib/top.h"\n' > "$tmp/lib/low/a.h"
printf '#include "a.h"\n#include "../top.h"\n' > "$tmp/lib/low/a.c"
printf '#include "lib/low/a.h"\n' > "$tmp/lib/mid/b.h"
printf '#include "low/a.h"\n#include "b.h"\n' > "$tmp/lib/mid/b.c"
printf '#include "lib/mid/b.h"\n#include "../low/a.h"\n' > "$tmp/lib/high/c.c"
echo 'int x;' > "$tmp/other/x.h"

out=$(python3 "$check" --repo "$tmp" "$tmp/lib.rules") || fail "a tree in order was refused: $out"

# A lower stage reaching up, three ways.
echo '#include "lib/high/c.h"' >> "$tmp/lib/low/a.c"
echo 'int c;' > "$tmp/lib/high/c.h"
printf '#include "../high/c.h"\n' >> "$tmp/lib/mid/b.h"
printf '#include "mid/b.h"\n' >> "$tmp/lib/top.h"
if out=$(python3 "$check" --repo "$tmp" "$tmp/lib.rules"); then
    fail "includes against the order passed"
fi
for want in 'lib/low/a.c: #include "lib/high/c.h": stage low' \
            'lib/mid/b.h: #include "../high/c.h": stage mid' \
            'lib/top.h: #include "mid/b.h": stage .' \
            'FAIL: 3 include(s)'; do
    echo "$out" | grep -qF "$want" || fail "no '$want' in: $out"
done

# Outside every stage.
mkdir -p "$tmp/lib/stray"
echo 'int s;' > "$tmp/lib/stray/s.c"
out=$(python3 "$check" --repo "$tmp" "$tmp/lib.rules") && fail "a file in no stage passed"
echo "$out" | grep -qF 'lib/stray/s.c: in no stage' || fail "stray file not named: $out"

# Broken rules: exit 2 with the line.
printf 'folder lib\nlayer low\n' > "$tmp/bad.rules"
set +e
out=$(python3 "$check" --repo "$tmp" "$tmp/bad.rules" 2>&1)
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "a broken rules file gave $rc, not 2: $out"
echo "$out" | grep -qF 'bad.rules:2' || fail "broken rules line not named: $out"
echo "PASS"
