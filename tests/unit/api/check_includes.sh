#!/bin/sh
# Who may include what (docs/architecture.md, "Who includes what"):
# - a file under apps/ includes public headers only: include/streamverse/*.h,
#   the svserver API backend/include/svserver/*.h, its own folder's headers
#   ("name.h"), the apps' shared command-line helper ("../common/name.h",
#   apps/common/) and system or library headers (<stdio.h>, <SDL.h>); never
#   another header of the source tree (platform/, backend/, drm/, ...);
# - a file under backend/ includes drm/package.h and no other header of drm/;
# - the apps' compile commands give them no include path into the source
#   tree but include/ and backend/include/, so a private include does not
#   even build;
# - svserver/svserver.h compiles on its own as C11, C99 and C++.
# The rules are first checked against a small tree of known good and bad
# includes, so a checker that stopped seeing violations fails here too.
# Needs SV_SOURCE_DIR and SV_BUILD_DIR (set by CTest) and CC.
set -eu
: "${SV_SOURCE_DIR:?}" "${SV_BUILD_DIR:?}" "${CC:=cc}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# violations ROOT: prints "file: include" for every include that breaks the
# rules in ROOT's apps/ and backend/, one per line, sorted.
violations() {
    root=$1
    (
        cd "$root"
        # Every header of the tree, relative to its root; build folders and
        # git's data are not the tree.
        find . -name '*.h' -not -path './build*' -not -path './.git/*' | sed 's|^\./||'
        echo '--'
        # "FILE:LINE:#include <NAME>" for every include, as "FILE < NAME".
        find apps backend -name '*.[ch]' 2>/dev/null | sort |
            xargs grep -HnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]' |
            sed -E 's|^([^:]+):[0-9]+:[[:space:]]*#[[:space:]]*include[[:space:]]*([<"])([^>"]*)[>"].*|\1 \2 \3|'
    ) | awk '
        function dirname(p) { return p ~ /\// ? substr(p, 1, match(p, /\/[^\/]*$/) - 1) : "." }
        function basename(p) { sub(/.*\//, "", p); return p }
        # "../../drm/cenc.h" and "./x.h" name the same header as "drm/cenc.h".
        function strip_up(n) { while (n ~ /^\.\.?\//) sub(/^\.\.?\//, "", n); return n }
        # A header of the source tree outside the public folders whose path
        # is n or ends with "/" n (found through some -I).
        function private(n,    b, k, p) {
            b = basename(n)
            for (k = 1; k <= count[b]; k++) {
                p = by_name[b, k]
                if (p == n || substr(p, length(p) - length(n)) == "/" n)
                    return 1
            }
            return 0
        }
        function public(n) {
            return (n ~ /^streamverse\/[^\/]+\.h$/ && ("include/" n) in all) ||
                   (n ~ /^svserver\/[^\/]+\.h$/ && ("backend/include/" n) in all)
        }
        phase == 0 && $0 == "--" { phase = 1; next }
        phase == 0 {
            all[$0] = 1
            if ($0 !~ /^include\/streamverse\// && $0 !~ /^backend\/include\//) {
                b = basename($0)
                by_name[b, ++count[b]] = $0
            }
            next
        }
        {
            file = $1; quoted = $2 == "\""; name = $3; n = strip_up(name)
            local = quoted && (dirname(file) "/" name) in all
            # "../common/x.h" from apps/APP/: the shared helper of the apps.
            common = quoted && file ~ /^apps\/[^\/]+\/[^\/]+$/ &&
                     name ~ /^\.\.\/common\/[^\/]+\.h$/ && ("apps/" substr(name, 4)) in all
            if (file ~ /^apps\//) {
                if (public(n) || (local && name !~ /\//) || common)
                    next
                if (quoted || private(n))
                    print file ": " name
            } else if (n ~ /^drm\// && n != "drm/package.h") {
                print file ": " name
            } else if (!local && !(n in all) && (("drm/" basename(n)) in all) &&
                       basename(n) != "package.h") {
                print file ": " name
            }
        }' | sort
}

failures=0

# --- the checker against known cases --------------------------------------------
t="$tmp/tree"
mkdir -p "$t/include/streamverse" "$t/backend/include/svserver" "$t/backend/media" \
         "$t/platform" "$t/drm" "$t/apps/a" "$t/apps/b" "$t/apps/common"
for h in include/streamverse/player.h backend/include/svserver/svserver.h platform/log.h \
         drm/cenc.h drm/box.h drm/package.h backend/catalog.h backend/media/internal.h \
         apps/a/own.h apps/b/other.h apps/common/shared.h; do
    : > "$t/$h"
done
cat > "$t/apps/a/good.c" <<'C'
#include <stdio.h>
#include <SDL.h>
#include <curl/curl.h>
#include <streamverse/player.h>
#include "streamverse/player.h"
#include <svserver/svserver.h>
#include "own.h"
#include "../common/shared.h"
C
cat > "$t/apps/a/bad.c" <<'C'
#include "platform/log.h"
#include <log.h>
#include "backend/catalog.h"
#include "../../drm/cenc.h"
#include "missing.h"
#include "other.h"
#include "../common/other.h"
#include "../b/other.h"
C
cat > "$t/backend/good.c" <<'C'
#include "drm/package.h"
#include "backend/catalog.h"
#include "platform/log.h"
#include <stdio.h>
C
cat > "$t/backend/media/bad.c" <<'C'
#include "backend/media/internal.h"
#include "internal.h"
#include "drm/cenc.h"
#include <box.h>
#include "drm/package.h"
C
cat > "$tmp/expected" <<'E'
apps/a/bad.c: ../../drm/cenc.h
apps/a/bad.c: ../b/other.h
apps/a/bad.c: ../common/other.h
apps/a/bad.c: backend/catalog.h
apps/a/bad.c: log.h
apps/a/bad.c: missing.h
apps/a/bad.c: other.h
apps/a/bad.c: platform/log.h
backend/media/bad.c: box.h
backend/media/bad.c: drm/cenc.h
E
sort -o "$tmp/expected" "$tmp/expected"
violations "$t" > "$tmp/found"
if ! cmp -s "$tmp/expected" "$tmp/found"; then
    echo "FAIL: the checker misjudges its known cases (expected, then found):"
    cat "$tmp/expected"; echo "--"; cat "$tmp/found"
    failures=$((failures + 1))
fi

# --- the source tree ------------------------------------------------------------
violations "$SV_SOURCE_DIR" > "$tmp/tree.txt"
if [ -s "$tmp/tree.txt" ]; then
    echo "FAIL: includes of private headers:"
    cat "$tmp/tree.txt"
    failures=$((failures + 1))
fi
apps_files=$(cd "$SV_SOURCE_DIR" && find apps -name '*.[ch]' | wc -l)
backend_files=$(cd "$SV_SOURCE_DIR" && find backend -name '*.[ch]' | wc -l)
[ "$apps_files" -ge 20 ] && [ "$backend_files" -ge 50 ] ||
    { echo "FAIL: only $apps_files files under apps/ and $backend_files under backend/"; exit 1; }

# --- the apps' include paths ------------------------------------------------------
cc_json="$SV_BUILD_DIR/compile_commands.json"
[ -f "$cc_json" ] || { echo "FAIL: no $cc_json (CMAKE_EXPORT_COMPILE_COMMANDS)"; exit 1; }
src=$SV_SOURCE_DIR
# The command lines of the apps' own objects, CMakeFiles/APP.dir/FILE.c.o
# (tests compile some app sources too, into CMakeFiles/TEST.dir/__/...,
# with include paths of their own), then their -I/-isystem paths.
grep -E '"command": .* -o CMakeFiles/[^ /]+\.dir/[^ /]+\.o -c [^ ]*/apps/[^ ]+\.c"' \
    "$cc_json" > "$tmp/apps_cmds" || true
napps=$(wc -l < "$tmp/apps_cmds")
[ "$napps" -ge 20 ] || { echo "FAIL: only $napps app sources in $cc_json"; exit 1; }
sed -E 's/ -isystem /\n-I/g; s/ -I/\n-I/g' "$tmp/apps_cmds" | sed -n 's/^-I\([^ "]*\).*/\1/p' |
    sort -u > "$tmp/apps_dirs"
while read -r d; do
    case "$d" in
        "$src/include" | "$src/backend/include") ;;
        "$src" | "$src"/*) echo "FAIL: an app compiles with -I$d"; failures=$((failures + 1));;
    esac
done < "$tmp/apps_dirs"
echo "the apps' include paths: $(tr '\n' ' ' < "$tmp/apps_dirs")"

# --- svserver/svserver.h on its own ------------------------------------------------
printf '#include <svserver/svserver.h>\n#include <svserver/svserver.h>\nint main(void) { return 0; }\n' \
    > "$tmp/h.c"
for std in c11 c99; do
    "$CC" -std=$std -pedantic -Wall -Wextra -Werror -I"$SV_SOURCE_DIR/include" \
        -I"$SV_SOURCE_DIR/backend/include" -c "$tmp/h.c" -o "$tmp/h.o" 2>"$tmp/err" || {
        echo "FAIL: svserver/svserver.h does not compile alone as $std:"; cat "$tmp/err"
        failures=$((failures + 1)); }
done
if command -v c++ >/dev/null 2>&1; then
    cp "$tmp/h.c" "$tmp/h.cpp"
    c++ -std=c++11 -pedantic -Wall -Wextra -Werror -I"$SV_SOURCE_DIR/include" \
        -I"$SV_SOURCE_DIR/backend/include" -c "$tmp/h.cpp" -o "$tmp/h.o" 2>"$tmp/err" || {
        echo "FAIL: svserver/svserver.h does not compile alone as C++:"; cat "$tmp/err"
        failures=$((failures + 1)); }
fi

[ "$failures" -eq 0 ] || { echo "$failures failures"; exit 1; }
echo "$apps_files files under apps/ and $backend_files under backend/ include only what they may"
