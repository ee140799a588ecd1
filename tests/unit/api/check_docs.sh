#!/bin/sh
# The docs follow the code (checked, not hoped for):
# - docs/api-index.md is what scripts/api-index.sh makes from the public
#   headers now, and it names every symbol the two libraries export, so an
#   export without a documented declaration fails;
# - README.md's layout names every public header, every top-level folder of
#   the tree and every stage folder of player/;
# - docs/sdk.md's header table names every public header;
# - docs/architecture.md names every stage folder of player/.
# Needs SV_SOURCE_DIR and SV_BUILD_DIR (set by CTest).
set -eu
: "${SV_SOURCE_DIR:?}" "${SV_BUILD_DIR:?}"
src=$SV_SOURCE_DIR
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
fail() {
    echo "FAIL: $*"
    failed=$((failed + 1))
}

sh "$src/scripts/api-index.sh" >"$tmp/index.md"
if ! diff -u "$src/docs/api-index.md" "$tmp/index.md" >"$tmp/diff"; then
    fail "docs/api-index.md is out of date: run scripts/api-index.sh --update"
    head -n 40 "$tmp/diff"
fi

# Every exported symbol is in the index (read off the built libraries).
for lib in libstreamverse.so libstreamverse-sdl2.so; do
    [ -f "$SV_BUILD_DIR/$lib" ] || { fail "$SV_BUILD_DIR/$lib is missing"; continue; }
    nm -D --defined-only "$SV_BUILD_DIR/$lib" | awk '$3 ~ /^sv_/ { print $3 }' |
        while read -r sym; do
            grep -q "^| \`$sym\`" "$tmp/index.md" || echo "$lib exports $sym, which no public header documents"
        done >>"$tmp/undocumented"
done
if [ -s "$tmp/undocumented" ]; then
    fail "$(cat "$tmp/undocumented")"
fi

# The layout block of the README (between "## Layout" and the next heading).
awk '/^## Layout/ { on = 1; next } /^## / { on = 0 } on' "$src/README.md" >"$tmp/layout"
[ -s "$tmp/layout" ] || fail "README.md has no '## Layout' section"
for h in "$src"/include/streamverse/*.h; do
    name=$(basename "$h")
    grep -q "\b$name\b" "$tmp/layout" || fail "README.md's layout does not name include/streamverse/$name"
    grep -q "^| \`$name\`" "$src/docs/sdk.md" || fail "docs/sdk.md's header table does not name $name"
done
for d in "$src"/*/; do
    name=$(basename "$d")
    case "$name" in build*) continue ;; esac
    grep -q "^$name/" "$tmp/layout" || fail "README.md's layout does not name the folder $name/"
done
for d in "$src"/player/*/; do
    name=$(basename "$d")
    grep -q "\b$name/" "$tmp/layout" || fail "README.md's layout does not name player/$name/"
    grep -q "\b$name/" "$src/docs/architecture.md" || fail "docs/architecture.md does not name player/$name/"
done

if [ "$failed" -ne 0 ]; then
    echo "$failed check(s) failed"
    exit 1
fi
echo "docs follow the code: api-index, README layout, sdk.md headers, architecture.md stages"
