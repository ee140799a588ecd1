/* ISO-BMFF box walker (drm/box.h). */
#include "box.h"

#define TYPE_UUID SV__FOURCC('u', 'u', 'i', 'd')

void sv__box_iter_init(sv__box_iter *it, const uint8_t *data, size_t size)
{
    it->pos = data;
    it->end = data ? data + size : data;
}

int sv__box_next(sv__box_iter *it, sv__box *box)
{
    size_t left = (size_t)(it->end - it->pos);
    const uint8_t *p = it->pos;
    size_t header = 8;
    uint64_t size;

    if (left == 0)
        return 0;
    if (left < 8)
        return SV_ERR_PARSE;
    size = sv__rb32(p);
    box->type = sv__rb32(p + 4);
    if (size == 1) {
        if (left < 16)
            return SV_ERR_PARSE;
        size = sv__rb64(p + 8);
        header = 16;
    } else if (size == 0) {
        size = left; /* the box runs to the end of its parent */
    }
    box->usertype = NULL;
    if (box->type == TYPE_UUID) {
        if (left < header + 16)
            return SV_ERR_PARSE;
        box->usertype = p + header;
        header += 16;
    }
    /* Compare in 64 bits first: a largesize may not fit in size_t. */
    if (size < header || size > (uint64_t)left)
        return SV_ERR_PARSE;
    box->start = p;
    box->size = (size_t)size;
    box->payload = p + header;
    box->payload_size = (size_t)size - header;
    it->pos = p + box->size;
    return 1;
}

int sv__box_find(const uint8_t *data, size_t size, uint32_t type, sv__box *box)
{
    sv__box_iter it;
    int ret;

    sv__box_iter_init(&it, data, size);
    while ((ret = sv__box_next(&it, box)) == 1) {
        if (box->type == type)
            return 1;
    }
    return ret;
}

int sv__fullbox(const sv__box *box, uint8_t *version, uint32_t *flags, sv__rd *rest)
{
    if (box->payload_size < 4)
        return SV_ERR_PARSE;
    *version = box->payload[0];
    *flags = sv__rb32(box->payload) & 0xffffff;
    sv__rd_init(rest, box->payload + 4, box->payload_size - 4);
    return 0;
}
