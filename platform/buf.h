/*
 * A growable byte buffer owned by its user, for output built piece by piece:
 * ISO-BMFF boxes (drm/), playlists and muxer output (backend/media/), HTTP
 * answers. Appends never fail loudly: the first failure (out of memory, a
 * size past SIZE_MAX) sets `err` to a negative SV_ERR_* code and every later
 * append does nothing, so a writer appends a whole structure and checks
 * `err` once at the end.
 *
 * Start from sv__buf_init() or `sv__buf b = { 0 };`, end with
 * sv__buf_free() or sv__buf_take().
 *
 * Threads: a buffer belongs to one thread at a time; no shared state.
 */
#ifndef SV_PLATFORM_BUF_H
#define SV_PLATFORM_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "streamverse/common.h"

typedef struct sv__buf {
    const sv_allocator *alloc; /* NULL: the C library (set before the first append) */
    uint8_t *data;   /* NULL until the first append */
    size_t size;     /* bytes held */
    size_t cap;      /* bytes allocated */
    int err;         /* 0, or the first failure (SV_ERR_NOMEM, SV_ERR_OVERFLOW) */
} sv__buf;

void sv__buf_init(sv__buf *b);
/* Frees the data and leaves an empty buffer (err cleared, alloc kept). */
void sv__buf_free(sv__buf *b);
/* Hands the data to the caller (free with sv__free(b->alloc, ...), which is
 * free() when alloc is NULL; NULL when empty) and leaves an empty buffer
 * (alloc kept). */
uint8_t *sv__buf_take(sv__buf *b, size_t *size);
/* Makes room for `extra` more bytes. Returns 0, or the sticky error. */
int sv__buf_reserve(sv__buf *b, size_t extra);
void sv__buf_append(sv__buf *b, const void *p, size_t n);
/* Big-endian integers. */
void sv__buf_u8(sv__buf *b, uint8_t v);
void sv__buf_u16(sv__buf *b, uint16_t v);
void sv__buf_u32(sv__buf *b, uint32_t v);
void sv__buf_u64(sv__buf *b, uint64_t v);
/* Formatted text, without its NUL (any length). A format error sets err to
 * SV_ERR_INVALID. */
void sv__buf_printf(sv__buf *b, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#endif
