/*
 * mp4_text.c - the samples of a fragmented MP4 text segment
 * (text_track.h): moof/traf/tfhd/trun give each sample's place and size.
 */
#include "drm/box.h"
#include "player/manifest/text_track.h"

#define MAX_SAMPLES 10000

#define BOX(a, b, c, d) SV__FOURCC(a, b, c, d)

typedef struct frag {
    const uint8_t *seg;        /* the whole segment */
    size_t seg_size;
    const uint8_t *moof;       /* where this moof starts */
    int (*each)(void *, const uint8_t *, size_t);
    void *opaque;
    int count;
} frag;

/* One trun: sample sizes from the table or the default, bytes from
 * base + data_offset on. */
static int trun(frag *f, const sv__box *box, size_t base, uint32_t default_size)
{
    uint8_t version;
    uint32_t flags;
    sv__rd r;
    int ret;

    if (sv__fullbox(box, &version, &flags, &r) < 0)
        return SV_ERR_PARSE;
    uint32_t n = sv__rd_u32(&r);
    int64_t offset = 0;
    if (flags & 0x1)
        offset = (int32_t)sv__rd_u32(&r);
    if (flags & 0x4)
        sv__rd_u32(&r); /* first sample flags */
    if (r.err || n > MAX_SAMPLES)
        return SV_ERR_PARSE;
    int64_t pos = (int64_t)base + offset;
    for (uint32_t i = 0; i < n; i++) {
        if (flags & 0x100)
            sv__rd_u32(&r); /* duration */
        uint32_t size = flags & 0x200 ? sv__rd_u32(&r) : default_size;
        if (flags & 0x400)
            sv__rd_u32(&r);
        if (flags & 0x800)
            sv__rd_u32(&r);
        if (r.err || pos < 0 || (uint64_t)pos + size > f->seg_size)
            return SV_ERR_PARSE;
        if (f->count++ >= MAX_SAMPLES)
            return SV_ERR_PARSE;
        if ((ret = f->each(f->opaque, f->seg + pos, size)) < 0)
            return ret;
        pos += size;
    }
    return 0;
}

static int traf(frag *f, const sv__box *t)
{
    sv__box tfhd, b;
    uint8_t version;
    uint32_t flags;
    sv__rd r;
    int ret;

    if (sv__box_find(t->payload, t->payload_size, BOX('t', 'f', 'h', 'd'), &tfhd) != 1 ||
        sv__fullbox(&tfhd, &version, &flags, &r) < 0)
        return SV_ERR_PARSE;
    sv__rd_u32(&r); /* track_ID */
    uint64_t base = (uint64_t)(f->moof - f->seg);
    if (flags & 0x1)
        base = sv__rd_u64(&r);
    if (flags & 0x2)
        sv__rd_u32(&r);
    if (flags & 0x8)
        sv__rd_u32(&r);
    uint32_t default_size = flags & 0x10 ? sv__rd_u32(&r) : 0;
    if (r.err || base > f->seg_size)
        return SV_ERR_PARSE;
    sv__box_iter it;
    sv__box_iter_init(&it, t->payload, t->payload_size);
    while ((ret = sv__box_next(&it, &b)) == 1)
        if (b.type == BOX('t', 'r', 'u', 'n') && (ret = trun(f, &b, (size_t)base, default_size)) < 0)
            return ret;
    return ret;
}

int sv__mp4_text_samples(const uint8_t *data, size_t size,
                         int (*each)(void *opaque, const uint8_t *sample, size_t n),
                         void *opaque)
{
    frag f = { .seg = data, .seg_size = size, .each = each, .opaque = opaque };
    sv__box_iter it;
    sv__box box, t;
    int ret;

    sv__box_iter_init(&it, data, size);
    while ((ret = sv__box_next(&it, &box)) == 1) {
        if (box.type != BOX('m', 'o', 'o', 'f'))
            continue;
        f.moof = box.start;
        /* A text segment has one track: its first traf. */
        if ((ret = sv__box_find(box.payload, box.payload_size, BOX('t', 'r', 'a', 'f'), &t)) < 0)
            return ret;
        if (ret == 1 && (ret = traf(&f, &t)) < 0)
            return ret;
    }
    return ret < 0 ? ret : f.count;
}
