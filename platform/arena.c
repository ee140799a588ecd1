#include <stdalign.h>
#include <stdint.h>
#include <string.h>

#include "alloc.h"
#include "arena.h"

#define BLOCK_SIZE (16 * 1024)
#define ALIGN (alignof(max_align_t))

typedef struct block {
    struct block *next;
    size_t size, used;
    alignas(max_align_t) unsigned char data[];
} block;

struct sv__arena {
    sv_allocator alloc;
    block *head;            /* the block being filled; older blocks follow */
};

sv__arena *sv__arena_create(const sv_allocator *alloc)
{
    sv__arena *a = sv__calloc(alloc, 1, sizeof(*a));
    if (a && alloc)
        a->alloc = *alloc;
    return a;
}

void sv__arena_destroy(sv__arena *a)
{
    if (!a)
        return;
    for (block *b = a->head, *next; b; b = next) {
        next = b->next;
        sv__free(&a->alloc, b);
    }
    sv_allocator alloc = a->alloc;
    sv__free(&alloc, a);
}

void *sv__arena_alloc(sv__arena *a, size_t size)
{
    block *b = a->head;

    if (size > SIZE_MAX / 2)
        return NULL;
    size = (size + ALIGN - 1) & ~(ALIGN - 1);
    if (!b || b->size - b->used < size) {
        size_t bsize = size > BLOCK_SIZE ? size : BLOCK_SIZE;
        b = sv__malloc(&a->alloc, sizeof(block) + bsize);
        if (!b)
            return NULL;
        b->size = bsize;
        b->used = 0;
        /* A big one-off allocation goes behind the current block, so the
         * space left in that block is not wasted. */
        if (a->head && size > BLOCK_SIZE) {
            b->next = a->head->next;
            a->head->next = b;
        } else {
            b->next = a->head;
            a->head = b;
        }
    }
    void *p = b->data + b->used;
    b->used += size;
    memset(p, 0, size);
    return p;
}

char *sv__arena_strndup(sv__arena *a, const char *s, size_t len)
{
    char *p = sv__arena_alloc(a, len + 1);
    if (p) {
        memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

char *sv__arena_strdup(sv__arena *a, const char *s)
{
    return s ? sv__arena_strndup(a, s, strlen(s)) : NULL;
}

void *sv__arena_grow(sv__arena *a, void *array, size_t *cap, size_t n, size_t size)
{
    if (n <= *cap)
        return array;
    size_t ncap = *cap ? *cap * 2 : 8;
    while (ncap < n)
        ncap *= 2;
    if (size && ncap > SIZE_MAX / 2 / size)
        return NULL;
    void *p = sv__arena_alloc(a, ncap * size);
    if (!p)
        return NULL;
    if (array && *cap)
        memcpy(p, array, *cap * size);
    *cap = ncap;
    return p;
}
