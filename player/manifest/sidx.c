/*
 * `sidx` parsing with a bounds check before every read: sizes come from the
 * network, so a box may claim more bytes than were fetched, a reference
 * count may exceed what the box holds, and offsets may overflow.
 */
#include <string.h>

#include "player/manifest/sidx.h"

#define MAX_DEPTH 8
#define MAX_BOXES 4096

typedef struct ctx {
    const uint8_t *data;
    size_t size;
    int64_t base;                /* file offset of data[0] */
    sv__arena *arena;
    sv__sidx *out;
    size_t cap;
    int boxes;                   /* sidx boxes read so far */
    sv__parse_error *err;
} ctx;

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t rd64(const uint8_t *p)
{
    return (uint64_t)rd32(p) << 32 | rd32(p + 4);
}

/* Reads the box header at pos: its type, header length and total size
 * (size 0 means "to the end of the data"). -1 when it does not fit. */
static int box_header(const ctx *c, size_t pos, uint32_t *type, size_t *hdr, size_t *box_size)
{
    if (pos > c->size || c->size - pos < 8)
        return -1;
    const uint8_t *p = c->data + pos;
    uint64_t sz = rd32(p);
    *type = rd32(p + 4);
    *hdr = 8;
    if (sz == 1) {
        if (c->size - pos < 16)
            return -1;
        sz = rd64(p + 8);
        *hdr = 16;
    } else if (sz == 0) {
        sz = c->size - pos;
    }
    if (sz < *hdr || sz > c->size - pos)
        return -1;
    *box_size = (size_t)sz;
    return 0;
}

#define SIDX 0x73696478u /* 'sidx' */

static int parse_box(ctx *c, size_t pos, int depth, uint32_t want_timescale);

static int add_ref(ctx *c, const sv__sidx_ref *r)
{
    if (c->out->nb_refs >= SV_SIDX_MAX_REFS)
        return sv__parse_fail(c->err, 0, "sidx: more than %d references", SV_SIDX_MAX_REFS);
    sv__sidx *o = c->out;
    if (!(o->refs = sv__arena_grow(c->arena, o->refs, &c->cap, o->nb_refs + 1, sizeof(*o->refs))))
        return SV_ERR_NOMEM;
    o->refs[o->nb_refs++] = *r;
    return 0;
}

static int parse_box(ctx *c, size_t pos, int depth, uint32_t want_timescale)
{
    uint32_t type;
    size_t hdr, box_size;
    int ret;

    if (box_header(c, pos, &type, &hdr, &box_size) < 0)
        return sv__parse_fail(c->err, 0, "sidx: truncated box at offset %zu", pos);
    if (type != SIDX)
        return sv__parse_fail(c->err, 0, "sidx: a reference points at a box that is not sidx");
    /* References may point back at a box already read: bound the work. */
    if (++c->boxes > MAX_BOXES)
        return sv__parse_fail(c->err, 0, "sidx: more than %d index boxes", MAX_BOXES);
    const uint8_t *p = c->data + pos + hdr;
    size_t len = box_size - hdr;
    if (len < 4)
        return sv__parse_fail(c->err, 0, "sidx: box too short");
    int version = p[0];
    size_t fixed = 4 + 8 + (version == 0 ? 8 : 16) + 4;
    if (version > 1)
        return sv__parse_fail(c->err, 0, "sidx: unknown version %d", version);
    if (len < fixed)
        return sv__parse_fail(c->err, 0, "sidx: box too short for its header");
    uint32_t reference_id = rd32(p + 4), timescale = rd32(p + 8);
    uint64_t ept, first_offset;
    if (version == 0) {
        ept = rd32(p + 12);
        first_offset = rd32(p + 16);
    } else {
        ept = rd64(p + 12);
        first_offset = rd64(p + 20);
    }
    size_t count = (size_t)(p[fixed - 2] << 8 | p[fixed - 1]);
    if (timescale == 0)
        return sv__parse_fail(c->err, 0, "sidx: timescale is 0");
    if (want_timescale && timescale != want_timescale) {
        sv__parse_fail(c->err, 0, "sidx: nested index with another timescale");
        return SV_ERR_UNSUPPORTED;
    }
    if ((len - fixed) / 12 < count)
        return sv__parse_fail(c->err, 0, "sidx: %zu references do not fit in %zu bytes", count,
                              len - fixed);
    if (depth == 0) {
        c->out->reference_id = reference_id;
        c->out->timescale = timescale;
        c->out->earliest_presentation_time = ept;
        c->out->version = version;
    }

    /* The anchor is the first byte after this box, in file offsets. */
    uint64_t offset = (uint64_t)c->base + pos + box_size;
    if (first_offset > (uint64_t)INT64_MAX - offset)
        return sv__parse_fail(c->err, 0, "sidx: first_offset overflows");
    offset += first_offset;
    uint64_t time = ept;
    const uint8_t *e = p + fixed;
    for (size_t i = 0; i < count; i++, e += 12) {
        uint32_t w0 = rd32(e), w2 = rd32(e + 8);
        sv__sidx_ref r;
        r.offset = (int64_t)offset;
        r.size = w0 & 0x7fffffffu;
        r.time = time;
        r.duration = rd32(e + 4);
        r.starts_with_sap = (int)(w2 >> 31);
        r.sap_type = (int)(w2 >> 28 & 7);
        if (w0 >> 31) {
            /* An index reference: follow it when the box is in our bytes. */
            int64_t local = r.offset - c->base;
            if (r.offset < c->base || (uint64_t)local >= c->size || depth + 1 >= MAX_DEPTH) {
                sv__parse_fail(c->err, 0, "sidx: hierarchical index outside the fetched range");
                return SV_ERR_UNSUPPORTED;
            }
            if ((ret = parse_box(c, (size_t)local, depth + 1, timescale)) < 0)
                return ret;
        } else if ((ret = add_ref(c, &r)) < 0) {
            return ret;
        }
        if ((uint64_t)r.size > (uint64_t)INT64_MAX - offset || r.duration > UINT64_MAX - time)
            return sv__parse_fail(c->err, 0, "sidx: offsets overflow");
        offset += (uint64_t)r.size;
        time += r.duration;
    }
    return 0;
}

int sv__sidx_parse(const uint8_t *data, size_t size, int64_t data_offset, sv__arena *a,
                   sv__sidx *out, sv__parse_error *err)
{
    sv__parse_error local_err;
    ctx c;

    if (!err)
        err = &local_err;
    memset(err, 0, sizeof(*err));
    if (!data || !a || !out || data_offset < 0 || size > (uint64_t)INT64_MAX - (uint64_t)data_offset)
        return SV_ERR_INVALID;
    memset(out, 0, sizeof(*out));
    memset(&c, 0, sizeof(c));
    c.data = data;
    c.size = size;
    c.base = data_offset;
    c.arena = a;
    c.out = out;
    c.err = err;
    /* Skip the top-level boxes before the sidx (styp, free, ...). */
    for (size_t pos = 0; pos < size;) {
        uint32_t type;
        size_t hdr, box_size;
        if (box_header(&c, pos, &type, &hdr, &box_size) < 0)
            return sv__parse_fail(err, 0, "sidx: truncated box at offset %zu", pos);
        if (type == SIDX) {
            int ret = parse_box(&c, pos, 0, 0);
            if (ret < 0)
                memset(out, 0, sizeof(*out));
            return ret;
        }
        pos += box_size;
    }
    return sv__parse_fail(err, 0, "no sidx box in %zu bytes", size);
}
