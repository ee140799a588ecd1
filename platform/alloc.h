/*
 * Allocation through the host's sv_allocator (streamverse/common.h), or the C
 * library when the allocator is NULL or empty. Every object that takes an
 * allocator from its settings keeps a copy and allocates through these.
 */
#ifndef SV_PLATFORM_ALLOC_H
#define SV_PLATFORM_ALLOC_H

#include <stddef.h>

#include "streamverse/common.h"

/* Returns 1 if `a` is usable as given: NULL, or a struct_size of at least
 * the first version with all three callbacks set (or none: the C library). */
int sv__allocator_valid(const sv_allocator *a);
/* Copies a host allocator at full size into *dst (all zero for NULL: the C
 * library), so objects keep their own. Returns 0, or SV_ERR_INVALID when
 * sv__allocator_valid() says no (dst zeroed). */
int sv__allocator_copy(sv_allocator *dst, const sv_allocator *src);

void *sv__malloc(const sv_allocator *a, size_t size);
/* Zero-filled; fails (NULL) when n * size overflows. */
void *sv__calloc(const sv_allocator *a, size_t n, size_t size);
void *sv__realloc(const sv_allocator *a, void *ptr, size_t size);
void sv__free(const sv_allocator *a, void *ptr);
/* Copy of a NUL-terminated string; NULL in gives NULL out. */
char *sv__strdup(const sv_allocator *a, const char *s);
/* Copy of the first n bytes of s, NUL-terminated. */
char *sv__strndup(const sv_allocator *a, const char *s, size_t n);
/* vasprintf/asprintf through the allocator: a new string, or NULL. */
char *sv__asprintf(const sv_allocator *a, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* A monotonic clock (clock.h) whose own memory comes from `alloc`: the one a
 * player makes when the host gives none. */
struct sv_clock;
int sv__clock_monotonic_create(struct sv_clock **out, const sv_allocator *alloc);

#endif
