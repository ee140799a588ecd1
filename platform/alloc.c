#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abi.h"
#include "alloc.h"

#define ALLOCATOR_V1 SV__SIZE_TO(sv_allocator, opaque)

static int custom(const sv_allocator *a)
{
    return a && a->alloc;
}

int sv__allocator_valid(const sv_allocator *a)
{
    if (!a)
        return 1;
    if (sv__struct_size(a) < ALLOCATOR_V1)
        return 0;
    int set = !!a->alloc + !!a->realloc + !!a->free;
    return set == 0 || set == 3;
}

int sv__allocator_copy(sv_allocator *dst, const sv_allocator *src)
{
    memset(dst, 0, sizeof(*dst));
    if (!src)
        return 0;
    if (!sv__allocator_valid(src))
        return SV_ERR_INVALID;
    return sv__struct_read(dst, sizeof(*dst), src, ALLOCATOR_V1);
}

void *sv__malloc(const sv_allocator *a, size_t size)
{
    if (size == 0)
        size = 1; /* a valid, unique pointer, as callers expect */
    return custom(a) ? a->alloc(a->opaque, size) : malloc(size);
}

void *sv__calloc(const sv_allocator *a, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    size_t bytes = n * size;
    void *p = sv__malloc(a, bytes);
    if (p && bytes)
        memset(p, 0, bytes);
    return p;
}

void *sv__realloc(const sv_allocator *a, void *ptr, size_t size)
{
    if (size == 0)
        size = 1;
    return custom(a) ? a->realloc(a->opaque, ptr, size) : realloc(ptr, size);
}

void sv__free(const sv_allocator *a, void *ptr)
{
    if (!ptr)
        return;
    if (custom(a))
        a->free(a->opaque, ptr);
    else
        free(ptr);
}

char *sv__strndup(const sv_allocator *a, const char *s, size_t n)
{
    char *p = sv__malloc(a, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

char *sv__asprintf(const sv_allocator *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *p = sv__malloc(a, (size_t)n + 1);
    if (!p)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

char *sv__strdup(const sv_allocator *a, const char *s)
{
    if (!s)
        return NULL;
    size_t len = strlen(s) + 1;
    char *p = sv__malloc(a, len);
    if (p)
        memcpy(p, s, len);
    return p;
}
