/* Bounds-checked reader and box writing (drm/internal.h). */
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
