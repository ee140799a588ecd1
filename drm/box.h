/*
 * drm/box.h - an ISO-BMFF box walker over a memory buffer.
 *
 * The walker never reads outside the range it was given: a box whose size
 * runs past its parent (or is smaller than its own header) is an error, not
 * a clamp. Boxes point into the caller's buffer; nothing is copied or owned.
 */
#ifndef SV_DRM_BOX_H
#define SV_DRM_BOX_H

#include <stddef.h>
#include <stdint.h>

#include "internal.h"

typedef struct sv__box {
    uint32_t type;
    const uint8_t *start;      /* first byte of the header */
    size_t size;               /* whole box, header included */
    const uint8_t *payload;    /* after the header (and the usertype of 'uuid') */
    size_t payload_size;
    const uint8_t *usertype;   /* 16 bytes for 'uuid' boxes, else NULL */
} sv__box;

typedef struct sv__box_iter {
    const uint8_t *pos;
    const uint8_t *end;
} sv__box_iter;

void sv__box_iter_init(sv__box_iter *it, const uint8_t *data, size_t size);

/* Reads the next box. Returns 1 with *box filled, 0 at the end of the range,
 * or SV_ERR_PARSE when a header is truncated or a size overruns the range
 * (32-bit sizes, 64-bit `largesize`, and size 0 meaning "to the end"). */
int sv__box_next(sv__box_iter *it, sv__box *box);

/* Finds the first child of `type` in a range. Returns 1 (found), 0 (absent)
 * or SV_ERR_PARSE when the range is malformed before it was found. */
int sv__box_find(const uint8_t *data, size_t size, uint32_t type, sv__box *box);

/* Splits a full box payload into version, flags and the rest. Returns 0 or
 * SV_ERR_PARSE when the payload is shorter than 4 bytes. */
int sv__fullbox(const sv__box *box, uint8_t *version, uint32_t *flags, sv__rd *rest);

#endif
