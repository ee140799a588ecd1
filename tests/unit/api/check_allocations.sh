#!/bin/sh
# The allocator promise (streamverse/common.h), statically: library code
# (abr/, drm/, platform/, player/) allocates through platform/alloc.c's
# sv__malloc/sv__calloc/sv__realloc/sv__strdup/sv__free and never calls the C
# library's malloc, calloc, realloc, strdup, strndup, free, asprintf or
# vasprintf itself; only platform/alloc.c does. The SDL2 sinks (platform/sdl2/,
# a library of their own without libstreamverse's internals) go through
# SDL_malloc and friends, SDL's own hook. jansson's json_dumps is refused too
# (its text comes from jansson's allocator: dump with json_dumpb into our own
# memory). FFmpeg, libcurl, libxml2 and jansson
# functions that allocate inside those libraries (av_*, curl_*, xml*, json_*)
# are theirs and not matched. Comments are skipped.
set -eu
: "${SV_SOURCE_DIR:?}"
cd "$SV_SOURCE_DIR"
files=$(find abr drm platform player -name '*.[ch]' ! -path platform/alloc.c | sort)
[ -n "$files" ] || { echo "FAIL: no library sources found"; exit 1; }
# Strip /* */ comments and string literals, then look for a plain call: the
# name not preceded by a word character, '.', '>' (a member call such as
# a->free) or another identifier.
bad=$(for f in $files; do
    perl -0777 -ne '
        my $t = $_;
        $t =~ s{/\*.*?\*/}{ my $c = $&; $c =~ s/[^\n]//g; $c }gse;
        $t =~ s{"(?:\\.|[^"\\\n])*"}{""}g;
        my $n = 0;
        for my $line (split /\n/, $t, -1) {
            $n++;
            print "$ARGV:$n: $1\n"
                while $line =~ /(?<![\w.>])((?:malloc|calloc|realloc|strdup|strndup|free|asprintf|vasprintf|json_dumps)\s*\()/g;
        }' "$f"
done)
count=$(echo "$files" | wc -l)
if [ -n "$bad" ]; then
    echo "FAIL: allocations outside the library allocator (use sv__malloc & co, platform/alloc.h):"
    echo "$bad"
    exit 1
fi
calls=$(cat $files | grep -c 'sv__\(malloc\|calloc\|realloc\|strdup\|strndup\|free\|asprintf\)(' || true)
[ "$calls" -ge 100 ] || { echo "FAIL: only $calls sv__ allocation calls found: is the check reading the sources?"; exit 1; }
echo "$count library source files: $calls allocation calls, all through the library allocator"
