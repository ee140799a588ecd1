/* Growable output buffer and bounds-checked reader (drm/internal.h). */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

const uint8_t *sv__rd_bytes(sv__rd *r, size_t n)
{
    if (r->err || n > r->left) {
        r->err = 1;
        r->left = 0;
        return NULL;
    }
    const uint8_t *p = r->p;
    r->p += n;
    r->left -= n;
    return p;
}

uint8_t sv__rd_u8(sv__rd *r)
{
    const uint8_t *p = sv__rd_bytes(r, 1);
    return p ? p[0] : 0;
}

uint16_t sv__rd_u16(sv__rd *r)
{
    const uint8_t *p = sv__rd_bytes(r, 2);
    return p ? sv__rb16(p) : 0;
}

uint32_t sv__rd_u32(sv__rd *r)
{
    const uint8_t *p = sv__rd_bytes(r, 4);
    return p ? sv__rb32(p) : 0;
}

uint64_t sv__rd_u64(sv__rd *r)
{
    const uint8_t *p = sv__rd_bytes(r, 8);
    return p ? sv__rb64(p) : 0;
}

void sv__rd_copy(sv__rd *r, void *out, size_t n)
{
    const uint8_t *p = sv__rd_bytes(r, n);
    if (p)
        memcpy(out, p, n);
    else
        memset(out, 0, n);
}

void sv__buf_init(sv__buf *b)
{
    memset(b, 0, sizeof(*b));
}

void sv__buf_free(sv__buf *b)
{
    free(b->data);
    sv__buf_init(b);
}

uint8_t *sv__buf_take(sv__buf *b, size_t *size)
{
    uint8_t *d = b->data;
    *size = b->size;
    sv__buf_init(b);
    return d;
}

static int grow(sv__buf *b, size_t extra)
{
    if (b->err)
        return 0;
    if (extra > SIZE_MAX - b->size) {
        b->err = SV_ERR_NOMEM;
        return 0;
    }
    if (b->size + extra <= b->cap)
        return 1;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->size + extra)
        cap = cap > SIZE_MAX / 2 ? b->size + extra : cap * 2;
    uint8_t *d = realloc(b->data, cap);
    if (!d) {
        b->err = SV_ERR_NOMEM;
        return 0;
    }
    b->data = d;
    b->cap = cap;
    return 1;
}

void sv__buf_append(sv__buf *b, const void *p, size_t n)
{
    if (n && grow(b, n)) {
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
    uint8_t p[4];
    sv__wb32(p, v);
    sv__buf_append(b, p, 4);
}

void sv__buf_u64(sv__buf *b, uint64_t v)
{
    sv__buf_u32(b, (uint32_t)(v >> 32));
    sv__buf_u32(b, (uint32_t)v);
}

size_t sv__buf_box_begin(sv__buf *b, uint32_t type)
{
    size_t start = b->size;
    sv__buf_u32(b, 0);
    sv__buf_u32(b, type);
    return start;
}

size_t sv__buf_fullbox_begin(sv__buf *b, uint32_t type, uint8_t version, uint32_t flags)
{
    size_t start = sv__buf_box_begin(b, type);
    sv__buf_u32(b, (uint32_t)version << 24 | (flags & 0xffffff));
    return start;
}

void sv__buf_box_end(sv__buf *b, size_t start)
{
    if (b->err)
        return;
    size_t len = b->size - start;
    if (len > UINT32_MAX) {
        b->err = SV_ERR_OVERFLOW;
        return;
    }
    sv__wb32(b->data + start, (uint32_t)len);
}
