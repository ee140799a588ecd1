/*
 * drm/internal.h - helpers shared by the drm/ files: big-endian byte access,
 * a bounds-checked reader with a sticky error, and box writing on
 * platform/buf.h's growable buffer. Nothing here does I/O.
 *
 * Thread: every function works on the caller's data only; no shared state.
 */
#ifndef SV_DRM_INTERNAL_H
#define SV_DRM_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "platform/buf.h"
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

/* Box writing on the growable buffer of platform/buf.h (sv__buf). */
/* Starts a box (a 32-bit size patched by sv__buf_box_end); returns its offset. */
size_t sv__buf_box_begin(sv__buf *b, uint32_t type);
size_t sv__buf_fullbox_begin(sv__buf *b, uint32_t type, uint8_t version, uint32_t flags);
/* Patches the size of the box started at `start`; fails (err) past 4 GiB. */
void sv__buf_box_end(sv__buf *b, size_t start);

/* Appends one (clear, protected) pair to out[*n], max entries in all:
 * clear runs past 16 bits go first as (65535, 0) entries. SV_ERR_OVERFLOW
 * when out is full, SV_ERR_RANGE when prot does not fit 32 bits. Shared by
 * the NAL and the range subsample maps (cenc_subsample.c, cenc_ranges.c). */
int sv__subsample_emit(sv_subsample *out, size_t max, size_t *n, size_t clear, size_t prot);

#endif
