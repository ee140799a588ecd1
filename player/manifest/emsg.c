/*
 * emsg boxes (emsg.h): a walk over a segment's top-level boxes and the
 * box's two layouts.
 */
#include <string.h>

#include "drm/box.h"
#include "player/manifest/emsg.h"

#define BOX(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Takes a NUL-terminated string at *pos; returns it, or NULL when no NUL
 * comes before the end. */
static const char *take_string(const uint8_t *p, size_t size, size_t *pos)
{
    const uint8_t *nul = *pos < size ? memchr(p + *pos, 0, size - *pos) : NULL;
    if (!nul)
        return NULL;
    const char *s = (const char *)p + *pos;
    *pos = (size_t)(nul - p) + 1;
    return s;
}

int sv__emsg_parse(const uint8_t *p, size_t size, sv__emsg *out, sv__parse_error *err)
{
    size_t pos = 4;

    memset(out, 0, sizeof(*out));
    if (size < 4)
        return sv__parse_fail(err, 0, "emsg: %zu bytes, fewer than its version and flags", size);
    out->version = p[0];
    if (out->version > 1)
        return sv__parse_fail(err, 0, "emsg: version %d (only 0 and 1 are defined)",
                              out->version);
    if (out->version == 0) {
        if (!(out->scheme = take_string(p, size, &pos)))
            return sv__parse_fail(err, 0, "emsg: scheme_id_uri has no end in the box's %zu bytes",
                                  size);
        if (!(out->value = take_string(p, size, &pos)))
            return sv__parse_fail(err, 0, "emsg: value has no end in the box's %zu bytes", size);
        if (size - pos < 16)
            return sv__parse_fail(err, 0, "emsg: version 0 needs 16 bytes of times after its "
                                  "strings, %zu left", size - pos);
        out->timescale = rd32(p + pos);
        out->time = rd32(p + pos + 4);
        out->duration = rd32(p + pos + 8);
        out->id = rd32(p + pos + 12);
        pos += 16;
    } else {
        if (size - pos < 20)
            return sv__parse_fail(err, 0, "emsg: version 1 needs 20 bytes of times, %zu given",
                                  size - pos);
        out->timescale = rd32(p + pos);
        out->time = (uint64_t)rd32(p + pos + 4) << 32 | rd32(p + pos + 8);
        out->duration = rd32(p + pos + 12);
        out->id = rd32(p + pos + 16);
        pos += 20;
        if (!(out->scheme = take_string(p, size, &pos)))
            return sv__parse_fail(err, 0, "emsg: scheme_id_uri has no end in the box's %zu bytes",
                                  size);
        if (!(out->value = take_string(p, size, &pos)))
            return sv__parse_fail(err, 0, "emsg: value has no end in the box's %zu bytes", size);
    }
    if (out->timescale == 0)
        return sv__parse_fail(err, 0, "emsg: timescale is 0");
    if (!out->scheme[0])
        return sv__parse_fail(err, 0, "emsg: scheme_id_uri is empty");
    out->data = p + pos;
    out->data_size = size - pos;
    return 0;
}

static int looks_like_boxes(const uint8_t *d, size_t n)
{
    if (n < 8)
        return 0;
    for (int i = 4; i < 8; i++)
        if (d[i] < 0x20 || d[i] > 0x7e)
            return 0;
    return 1;
}

int sv__emsg_each(const uint8_t *data, size_t size, sv__emsg_fn fn, void *opaque)
{
    sv__box_iter it;
    sv__box box;
    int r, seen = 0, boxes = 0;

    if (!looks_like_boxes(data, size))
        return 0;
    sv__box_iter_init(&it, data, size);
    while ((r = sv__box_next(&it, &box)) > 0) {
        if (++boxes > SV_EMSG_MAX_BOXES)
            return seen;
        if (box.type != BOX('e', 'm', 's', 'g'))
            continue;
        sv__emsg e;
        sv__parse_error err = { 0 };
        int ok = sv__emsg_parse(box.payload, box.payload_size, &e, &err) == 0;
        seen++;
        if ((r = fn(opaque, ok ? &e : NULL, &err)) < 0)
            return r;
    }
    return r < 0 ? SV_ERR_PARSE : seen;
}
