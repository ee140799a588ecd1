/*
 * cea708.c - the DTVCC transport (CEA-708-E section 5 and 6): caption
 * channel packets assembled from cc_data triplets (cc_type 3 starts one,
 * cc_type 2 continues it; cc_valid 0 is padding), each split into service
 * blocks (standard service numbers 1-6 in the block header, extended ones
 * 7-63 in the byte after it), the chosen service's blocks interpreted by
 * cea708_service.c. See cea708.h.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "platform/alloc.h"
#include "player/output/cea708_internal.h"

struct sv__dtvcc {
    const sv_allocator *alloc;
    int service;
    sv__dtvcc_callbacks cb;
    uint8_t pkt[128];        /* the packet being assembled */
    size_t pkt_len, pkt_size;
    int in_packet;           /* a start came and the packet is not complete */
    int started;             /* a start came since the reset */
    int stray;               /* data outside a packet was reported (once per packet) */
    int last_seq;            /* -1 before the first packet */
    uint64_t seen;           /* bit n: service n */
    sv__dtvcc_service svc;
};

int sv__dtvcc_create(sv__dtvcc **out, const sv_allocator *alloc, int service,
                     const sv__dtvcc_callbacks *cb)
{
    if (service < 0 || service > 63)
        return SV_ERR_INVALID;
    sv__dtvcc *d = sv__calloc(alloc, 1, sizeof(*d));
    if (!d)
        return SV_ERR_NOMEM;
    d->alloc = alloc;
    d->service = service;
    d->cb = *cb;
    d->svc.cb = &d->cb;
    sv__dtvcc_reset(d);
    *out = d;
    return 0;
}

void sv__dtvcc_destroy(sv__dtvcc *d)
{
    if (d)
        sv__free(d->alloc, d);
}

void sv__dtvcc_set_service(sv__dtvcc *d, int service, const sv__dtvcc_callbacks *cb)
{
    d->service = service >= 0 && service <= 63 ? service : 0;
    d->cb = *cb;
    sv__dtvcc_reset(d);
}

void sv__dtvcc_reset(sv__dtvcc *d)
{
    d->in_packet = d->started = d->stray = 0;
    d->pkt_len = d->pkt_size = 0;
    d->last_seq = -1;
    sv__dtvcc_service_reset(&d->svc);
}

static void bad(sv__dtvcc *d, double pts, const char *why)
{
    if (d->cb.bad)
        d->cb.bad(d->cb.opaque, pts, why);
}

/* bad() with a printf message. */
#define BADF(d, pts, ...)                                                                     \
    do {                                                                                      \
        char why_[128];                                                                       \
        snprintf(why_, sizeof(why_), __VA_ARGS__);                                            \
        bad(d, pts, why_);                                                                    \
    } while (0)

/* Splits a complete packet into service blocks. */
static void packet(sv__dtvcc *d, double pts)
{
    const uint8_t *p = d->pkt + 1;
    size_t n = d->pkt_size - 1;

    while (n) {
        unsigned number = p[0] >> 5, size = p[0] & 0x1f;
        p++, n--;
        if (number == 0)
            return; /* the null block: the rest is padding */
        if (number == 7 && size) {
            if (!n) {
                bad(d, pts, "extended service header cut short");
                return;
            }
            number = p[0] & 0x3f;
            p++, n--;
        }
        if (size > n) {
            BADF(d, pts, "service block of %u bytes with %zu left in its packet", size, n);
            return;
        }
        if (number)
            d->seen |= (uint64_t)1 << number;
        if (d->service && (int)number == d->service)
            sv__dtvcc_service_block(&d->svc, pts, p, size);
        p += size;
        n -= size;
    }
}

static void start(sv__dtvcc *d, double pts, uint8_t hdr, uint8_t b1)
{
    int seq = hdr >> 6;

    if (d->in_packet)
        BADF(d, pts, "packet cut short: %zu of its %zu bytes came", d->pkt_len, d->pkt_size);
    if (d->last_seq >= 0 && seq != ((d->last_seq + 1) & 3))
        BADF(d, pts, "packet sequence number %zu after %zu: packets were lost", (size_t)seq,
            (size_t)d->last_seq);
    d->last_seq = seq;
    d->pkt[0] = hdr;
    d->pkt[1] = b1;
    d->pkt_len = 2;
    d->pkt_size = (hdr & 0x3f) ? (size_t)(hdr & 0x3f) * 2 : 128;
    d->in_packet = d->started = 1;
    d->stray = 0;
}

static void data(sv__dtvcc *d, double pts, uint8_t b0, uint8_t b1)
{
    if (!d->in_packet) {
        /* After a reset the stream is joined mid-packet: not an error.
         * Zero pairs after a complete packet are padding. */
        if (d->started && (b0 || b1) && !d->stray) {
            bad(d, pts, "data outside a caption channel packet");
            d->stray = 1;
        }
        return;
    }
    d->pkt[d->pkt_len++] = b0;
    d->pkt[d->pkt_len++] = b1;
}

void sv__dtvcc_feed(sv__dtvcc *d, double pts, const uint8_t *cc, size_t size)
{
    sv__dtvcc_service_tick(&d->svc, pts);
    for (size_t i = 0; i + 3 <= size; i += 3) {
        uint8_t b = cc[i];
        if (!(b & 0x04) || (b & 0x03) < 2)
            continue; /* padding, or CEA-608 */
        if ((b & 0x03) == 3)
            start(d, pts, cc[i + 1], cc[i + 2]);
        else
            data(d, pts, cc[i + 1], cc[i + 2]);
        if (d->in_packet && d->pkt_len >= d->pkt_size) {
            d->in_packet = 0;
            packet(d, pts);
        }
    }
    sv__dtvcc_service_settle(&d->svc, pts);
}

int sv__dtvcc_screen(const sv__dtvcc *d, char *buf, size_t cap)
{
    size_t n = 0;

    if (!cap)
        return SV_ERR_OVERFLOW;
    buf[0] = '\0';
    for (int i = 0; i < 8; i++) {
        const char *t = d->svc.win[i].open_text;
        if (!t[0])
            continue;
        int w = snprintf(buf + n, cap - n, "%s%s", n ? "\n" : "", t);
        if (w < 0 || (size_t)w >= cap - n)
            return SV_ERR_OVERFLOW;
        n += (size_t)w;
    }
    return 0;
}

int sv__dtvcc_screen_style(const sv__dtvcc *d, sv_cue_style *out)
{
    int shown = -1;

    for (int i = 0; i < 8; i++) {
        if (!d->svc.win[i].open_text[0])
            continue;
        if (shown >= 0)
            return 0; /* several: drawn plain, stacked */
        shown = i;
    }
    if (shown < 0)
        return 0;
    *out = d->svc.win[shown].open_style;
    return 1;
}

double sv__dtvcc_open_since(const sv__dtvcc *d)
{
    double since = INFINITY;

    for (int i = 0; i < 8; i++)
        if (d->svc.win[i].open_text[0] && d->svc.win[i].open_start < since)
            since = d->svc.win[i].open_start;
    return since;
}

uint64_t sv__dtvcc_services(const sv__dtvcc *d)
{
    return d->seen;
}

void sv__dtvcc_services_clear(sv__dtvcc *d)
{
    d->seen = 0;
}
