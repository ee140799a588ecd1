#!/bin/sh
# The ABI dumps of libstreamverse and libstreamverse-sdl2 (abi/*.abi), made and
# compared with libabigail (Debian abigail-tools). docs/sdk.md, "ABI and
# versions", says when a dump may change.
#
#   scripts/abi.sh dump  SOURCE_DIR LIB.so DUMP.abi   write the dump (make abi-dump)
#   scripts/abi.sh check SOURCE_DIR LIB.so DUMP.abi   compare the library with the dump
#
# The dump describes what the public headers (include/streamverse/) declare and
# the library exports, from the library's DWARF (build with -g: RelWithDebInfo or
# Debug). It holds no path of the machine that made it (source paths are cut
# to the tree, the build path is left out), so a dump made in any checkout
# compares equal. It is made on x86_64; on another architecture `check` skips
# (exit 77), since sizes and the architecture differ by design.
#
# check exits 0 when the library's ABI equals the dump's, 1 otherwise, printing
# abidiff's report: any change fails, an addition too, so the dump is always
# the ABI of the current headers and is only updated on purpose.
set -eu
mode=${1:-}; src=${2:-}; lib=${3:-}; dump=${4:-}
if [ -z "$mode" ] || [ -z "$src" ] || [ -z "$lib" ] || [ -z "$dump" ]; then
    echo "usage: $0 dump|check SOURCE_DIR LIB.so DUMP.abi" >&2
    exit 2
fi
command -v abidw >/dev/null && command -v abidiff >/dev/null || {
    echo "abidw/abidiff missing: run scripts/install-deps.sh (abigail-tools)" >&2; exit 1; }
[ -f "$lib" ] || { echo "no library at $lib" >&2; exit 1; }
src=$(cd "$src" && pwd -P)

# dump_to LIB OUT: the dump, paths cut to the source tree.
dump_to() {
    abidw --no-corpus-path --no-comp-dir-path --no-show-locs --no-elf-needed \
          --drop-private-types --exported-interfaces-only \
          --headers-dir "$src/include/streamverse" --type-id-style hash \
          --out-file "$2.tmp" "$1"
    sed "s|path='$src/|path='|" "$2.tmp" > "$2"
    rm -f "$2.tmp"
    if grep -q "path='/" "$2"; then
        echo "the dump of $1 still names an absolute path:" >&2
        grep -o "path='/[^']*'" "$2" | sort -u | head -5 >&2
        exit 1
    fi
    grep -q "<elf-symbol name='sv_" "$2" || { echo "no sv_ symbol in the dump of $1" >&2; exit 1; }
}

case "$mode" in
dump)
    dump_to "$lib" "$dump"
    echo "wrote $dump: $(grep -c "<elf-symbol name='sv_" "$dump") exported symbols"
    ;;
check)
    [ -f "$dump" ] || { echo "no dump at $dump: make abi-dump" >&2; exit 1; }
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    dump_to "$lib" "$tmp/current.abi"
    want=$(sed -n "s/.*<abi-corpus [^>]*architecture='\([^']*\)'.*/\1/p" "$dump" | head -1)
    have=$(sed -n "s/.*<abi-corpus [^>]*architecture='\([^']*\)'.*/\1/p" "$tmp/current.abi" | head -1)
    if [ "$want" != "$have" ]; then
        echo "SKIP: the dump is of $want, this build is $have"
        exit 77
    fi
    set +e
    # A sanitizer build (make test-asan) adds its instrumentation symbols
    # (__odr_asan.*): the compiler's, not the library's interface.
    printf '[suppress_variable]\n  symbol_name_regexp = ^__odr_asan\n' >"$tmp/sanitizers.supp"
    abidiff --no-show-locs --suppressions "$tmp/sanitizers.supp" "$dump" "$tmp/current.abi" \
        > "$tmp/report" 2>&1
    rc=$?
    set -e
    if [ "$rc" -eq 0 ]; then
        echo "$(basename "$lib"): ABI equals $(basename "$dump")" \
             "($(grep -c "<elf-symbol name='sv_" "$dump") symbols)"
        exit 0
    fi
    cat "$tmp/report"
    # abidiff's exit status is a bit field: 1 error, 2 usage, 4 change, 8 incompatible.
    if [ $((rc & 3)) -ne 0 ]; then
        echo "FAIL: abidiff could not compare (status $rc)"
    elif [ $((rc & 8)) -ne 0 ]; then
        echo "FAIL: the ABI of $(basename "$lib") BREAKS against $(basename "$dump")." \
             "Undo the change, or make the break on purpose: bump SV_ABI_VERSION" \
             "(include/streamverse/version.h), then make abi-dump."
    else
        # abidiff flags only removed symbols as incompatible; a moved member
        # or a changed signature shows as a change, which the report names.
        echo "FAIL: the ABI of $(basename "$lib") changed (report above). A new" \
             "function, or a field appended to a struct with struct_size, is an" \
             "addition: bump SV_API_VERSION_MINOR. A field inserted, moved or" \
             "retyped, or a changed signature, is a break: undo it, or bump" \
             "SV_ABI_VERSION. Then make abi-dump."
    fi
    exit 1
    ;;
*)
    echo "usage: $0 dump|check SOURCE_DIR LIB.so DUMP.abi" >&2
    exit 2
    ;;
esac
