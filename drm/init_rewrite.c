/*
 * The clear form of a protected init segment, for a demuxer that must not
 * see protection: each encv/enca sample entry takes back its `frma` format
 * and loses its `sinf`, every `pssh` goes, and the boxes on the path
 * moov/trak/mdia/minf/stbl/stsd are rebuilt so their sizes stay right.
 * Everything else is copied byte for byte.
 */
#include <stdlib.h>

#include "box.h"
#include "cenc.h"

#define T(a, b, c, d) SV__FOURCC(a, b, c, d)

static int is_container(uint32_t type)
{
    return type == T('m', 'o', 'o', 'v') || type == T('t', 'r', 'a', 'k') ||
           type == T('m', 'd', 'i', 'a') || type == T('m', 'i', 'n', 'f') ||
           type == T('s', 't', 'b', 'l');
}

static int rewrite_entry(sv__buf *b, const sv__box *entry)
{
    sv__box_iter it;
    sv__box child, sinf, frma;
    int ret;

    if (entry->type != T('e', 'n', 'c', 'v') && entry->type != T('e', 'n', 'c', 'a')) {
        sv__buf_append(b, entry->start, entry->size);
        return 0;
    }
    int fixed = sv__cenc_sample_entry_fixed_size(entry->type, entry->payload, entry->payload_size);
    if (fixed < 0)
        return fixed;
    const uint8_t *kids = entry->payload + fixed;
    size_t kids_size = entry->payload_size - (size_t)fixed;
    if ((ret = sv__box_find(kids, kids_size, T('s', 'i', 'n', 'f'), &sinf)) <= 0)
        return ret < 0 ? ret : SV_ERR_PARSE;
    if ((ret = sv__box_find(sinf.payload, sinf.payload_size, T('f', 'r', 'm', 'a'), &frma)) <= 0)
        return ret < 0 ? ret : SV_ERR_PARSE;
    if (frma.payload_size < 4)
        return SV_ERR_PARSE;
    size_t box = sv__buf_box_begin(b, sv__rb32(frma.payload));
    sv__buf_append(b, entry->payload, (size_t)fixed);
    sv__box_iter_init(&it, kids, kids_size);
    while ((ret = sv__box_next(&it, &child)) == 1) {
        if (child.type != T('s', 'i', 'n', 'f'))
            sv__buf_append(b, child.start, child.size);
    }
    sv__buf_box_end(b, box);
    return ret;
}

static int rewrite_stsd(sv__buf *b, const sv__box *stsd)
{
    sv__box_iter it;
    sv__box entry;
    int ret;

    if (stsd->payload_size < 8)
        return SV_ERR_PARSE;
    size_t box = sv__buf_box_begin(b, stsd->type);
    sv__buf_append(b, stsd->payload, 8); /* version, flags, entry_count */
    sv__box_iter_init(&it, stsd->payload + 8, stsd->payload_size - 8);
    while ((ret = sv__box_next(&it, &entry)) == 1) {
        if ((ret = rewrite_entry(b, &entry)) < 0)
            return ret;
    }
    sv__buf_box_end(b, box);
    return ret;
}

/* Copies a range of boxes, descending into the containers on the way to
 * stsd. The depth is bounded by the fixed container path. */
static int rewrite_range(sv__buf *b, const uint8_t *data, size_t size)
{
    sv__box_iter it;
    sv__box box;
    int ret;

    sv__box_iter_init(&it, data, size);
    while ((ret = sv__box_next(&it, &box)) == 1) {
        if (box.type == T('p', 's', 's', 'h')) {
            continue;
        } else if (box.type == T('s', 't', 's', 'd')) {
            ret = rewrite_stsd(b, &box);
        } else if (is_container(box.type)) {
            size_t start = sv__buf_box_begin(b, box.type);
            ret = rewrite_range(b, box.payload, box.payload_size);
            sv__buf_box_end(b, start);
        } else {
            sv__buf_append(b, box.start, box.size);
        }
        if (ret < 0)
            return ret;
    }
    return ret;
}

int sv__cenc_init_rewrite_clear(const uint8_t *data, size_t size, const sv_allocator *alloc,
                                uint8_t **out, size_t *out_size)
{
    sv__buf b;
    int ret;

    if (!data || !out || !out_size)
        return SV_ERR_INVALID;
    sv__buf_init(&b);
    b.alloc = alloc;
    if ((ret = rewrite_range(&b, data, size)) < 0)
        goto fail;
    if ((ret = b.err) < 0)
        goto fail;
    *out = sv__buf_take(&b, out_size);
    return 0;
fail:
    sv__buf_free(&b);
    return ret;
}
