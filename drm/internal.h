/*
 * drm/internal.h - helpers shared by the drm/ files: big-endian byte access,
 * a bounds-checked reader with a sticky error, and a growable output buffer
 * with box writing. Nothing here does I/O.
 *
 * Thread: every function works on the caller's data only; no shared state.
 */
#ifndef SV_DRM_INTERNAL_H
#define SV_DRM_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "streamverse/cdm.h"

#define SV__FOURCC(a, b, c, d) \
    (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))

static inline uint16_t sv__rb16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t sv__rb32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline uint64_t sv__rb64(const uint8_t *p)
{
    return (uint64_t)sv__rb32(p) << 32 | sv__rb32(p + 4);
}
static inline void sv__wb32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);  p[3] = (uint8_t)v;
}

/*
 * A cursor over a byte range. Every read checks the remaining length; once a
 * read overruns, `err` stays set and every later read returns zeros, so a
 * parser can read a whole structure and test `err` once at the end.
 */
typedef struct sv__rd {
    const uint8_t *p;
    size_t left;
    int err;
} sv__rd;

static inline void sv__rd_init(sv__rd *r, const uint8_t *p, size_t n)
{
    r->p = p;
    r->left = n;
    r->err = 0;
}
/* Returns a pointer to the next n bytes and advances, or NULL (and sets err). */
const uint8_t *sv__rd_bytes(sv__rd *r, size_t n);
uint8_t sv__rd_u8(sv__rd *r);
uint16_t sv__rd_u16(sv__rd *r);
uint32_t sv__rd_u32(sv__rd *r);
uint64_t sv__rd_u64(sv__rd *r);
/* Copies n bytes to out (zeros on overrun). */
void sv__rd_copy(sv__rd *r, void *out, size_t n);

/*
 * A growable byte buffer owned by its user. Appends never fail loudly: the
 * first allocation failure sets `err` (SV_ERR_NOMEM) and later appends do
 * nothing, so a writer checks once at the end. Free with sv__buf_free.
 */
typedef struct sv__buf {
    uint8_t *data;
    size_t size;
    size_t cap;
    int err;
} sv__buf;

void sv__buf_init(sv__buf *b);
void sv__buf_free(sv__buf *b);
/* Hands the data to the caller (free with free()) and resets the buffer. */
uint8_t *sv__buf_take(sv__buf *b, size_t *size);
void sv__buf_append(sv__buf *b, const void *p, size_t n);
void sv__buf_u8(sv__buf *b, uint8_t v);
void sv__buf_u16(sv__buf *b, uint16_t v);
void sv__buf_u32(sv__buf *b, uint32_t v);
void sv__buf_u64(sv__buf *b, uint64_t v);
/* Starts a box (a 32-bit size patched by sv__buf_box_end); returns its offset. */
size_t sv__buf_box_begin(sv__buf *b, uint32_t type);
size_t sv__buf_fullbox_begin(sv__buf *b, uint32_t type, uint8_t version, uint32_t flags);
/* Patches the size of the box started at `start`; fails (err) past 4 GiB. */
void sv__buf_box_end(sv__buf *b, size_t start);

#endif
