/*
 * A bump allocator for data that lives and dies together, such as everything
 * a parsed manifest points to: many small allocations, one free. Not
 * thread-safe: an arena belongs to one owner at a time.
 */
#ifndef SV_PLATFORM_ARENA_H
#define SV_PLATFORM_ARENA_H

#include <stddef.h>

#include "streamverse/common.h"

typedef struct sv__arena sv__arena;

/* Creates an empty arena drawing blocks from `alloc` (NULL: the C library).
 * Returns NULL when out of memory. */
sv__arena *sv__arena_create(const sv_allocator *alloc);
/* Frees every allocation of the arena, then the arena. Accepts NULL. */
void sv__arena_destroy(sv__arena *a);

/* Returns `size` bytes aligned for any type, zero-filled, valid until the
 * arena is destroyed; NULL when out of memory or size is absurd. */
void *sv__arena_alloc(sv__arena *a, size_t size);
/* Copies `len` bytes of `s` and adds a NUL. */
char *sv__arena_strndup(sv__arena *a, const char *s, size_t len);
char *sv__arena_strdup(sv__arena *a, const char *s);
/* Grows an array allocated in the arena to hold `n` elements of `size`
 * bytes, keeping its contents (the old copy is abandoned to the arena).
 * *cap tracks capacity; growth is geometric so appends are amortized O(1). */
void *sv__arena_grow(sv__arena *a, void *array, size_t *cap, size_t n, size_t size);

#endif
