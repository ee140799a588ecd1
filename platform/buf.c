/* Growable byte buffer (platform/buf.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/alloc.h"
#include "platform/buf.h"

void sv__buf_init(sv__buf *b)
{
    memset(b, 0, sizeof(*b));
}

/* Empties the buffer, keeping its allocator. */
static void reset(sv__buf *b)
{
    const sv_allocator *alloc = b->alloc;
    sv__buf_init(b);
    b->alloc = alloc;
}

void sv__buf_free(sv__buf *b)
{
    sv__free(b->alloc, b->data);
    reset(b);
}

uint8_t *sv__buf_take(sv__buf *b, size_t *size)
{
    uint8_t *d = b->data;

    *size = b->size;
    reset(b);
    return d;
}

int sv__buf_reserve(sv__buf *b, size_t extra)
{
    size_t cap;
    uint8_t *d;

    if (b->err)
        return b->err;
    if (extra > SIZE_MAX - b->size)
        return b->err = SV_ERR_NOMEM;
    if (b->size + extra <= b->cap)
        return 0;
    cap = b->cap ? b->cap : 256;
    while (cap < b->size + extra)
        cap = cap > SIZE_MAX / 2 ? b->size + extra : cap * 2;
    if (!(d = sv__realloc(b->alloc, b->data, cap)))
        return b->err = SV_ERR_NOMEM;
    b->data = d;
    b->cap = cap;
    return 0;
}

void sv__buf_append(sv__buf *b, const void *p, size_t n)
{
    if (n && sv__buf_reserve(b, n) == 0) {
        memcpy(b->data + b->size, p, n);
        b->size += n;
    }
}

void sv__buf_u8(sv__buf *b, uint8_t v)
{
    sv__buf_append(b, &v, 1);
}

void sv__buf_u16(sv__buf *b, uint16_t v)
{
    uint8_t p[2] = { (uint8_t)(v >> 8), (uint8_t)v };

    sv__buf_append(b, p, 2);
}

void sv__buf_u32(sv__buf *b, uint32_t v)
{
    uint8_t p[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };

    sv__buf_append(b, p, 4);
}

void sv__buf_u64(sv__buf *b, uint64_t v)
{
    sv__buf_u32(b, (uint32_t)(v >> 32));
    sv__buf_u32(b, (uint32_t)v);
}

void sv__buf_printf(sv__buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (b->err)
        return;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->err = SV_ERR_INVALID;
        return;
    }
    /* Room for vsnprintf's NUL too; it is not counted in size. */
    if (sv__buf_reserve(b, (size_t)n + 1) < 0)
        return;
    va_start(ap, fmt);
    vsnprintf((char *)b->data + b->size, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->size += (size_t)n;
}
