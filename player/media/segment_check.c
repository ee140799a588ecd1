/*
 * Is a downloaded segment whole? A server may announce and send fewer bytes
 * than the segment has (a cut file, a CDN that stored half an object): the
 * transfer then looks complete and only the demuxer would notice, deep in a
 * fragment, when the rest of the run is already lost. The fetcher asks this
 * check instead (net/fetcher.h, sv__fetch_req.check), so a short segment is
 * retried and then skipped like any other failed fetch.
 *
 * ISO-BMFF (fMP4/CMAF) segments are walked box by box with drm/box.h: the
 * top-level boxes must end exactly at the end of the body. MPEG-TS segments
 * must be whole 188-byte packets. Anything else passes.
 */
#include <stdio.h>

#include "drm/box.h"
#include "player/media/media.h"

#define TS_PACKET 188

static int fourcc_char(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ' ';
}

static int looks_like_boxes(const uint8_t *d, size_t n)
{
    return n >= 8 && fourcc_char(d[4]) && fourcc_char(d[5]) && fourcc_char(d[6]) &&
           fourcc_char(d[7]);
}

/* The size a box header at `d` (n bytes left) declares, or 0 when even the
 * header is cut. */
static uint64_t declared_size(const uint8_t *d, size_t n)
{
    if (n < 8)
        return 0;
    uint32_t size = sv__rb32(d);
    return size != 1 ? size : n >= 16 ? sv__rb64(d + 8) : 0;
}

int sv__segment_check(const uint8_t *data, size_t size, char *why, size_t cap)
{
    sv__box_iter it;
    sv__box box;
    int r;

    if (!data || !size)
        return 0;
    /* A TS packet starts with 0x47; a box of 1.1 GB or more would too. */
    if (data[0] == 0x47) {
        if (size % TS_PACKET == 0)
            return 0;
        snprintf(why, cap, "not whole 188-byte TS packets (%zu bytes over)", size % TS_PACKET);
        return SV_ERR_PARSE;
    }
    if (!looks_like_boxes(data, size))
        return 0;
    sv__box_iter_init(&it, data, size);
    while ((r = sv__box_next(&it, &box)) > 0)
        ;
    if (r == 0)
        return 0;
    size_t at = (size_t)(it.pos - data);
    uint64_t need = declared_size(it.pos, size - at);
    if (need > size - at)
        snprintf(why, cap, "its boxes need %llu (the '%.4s' box at byte %zu is cut)",
                 (unsigned long long)(at + need), (const char *)it.pos + 4, at);
    else
        snprintf(why, cap, "a box header at byte %zu is cut or malformed", at);
    return SV_ERR_PARSE;
}
