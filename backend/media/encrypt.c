/*
 * The encrypting sink of the fragment seam (internal.h): CENC for one track.
 *
 * Per fragment (the muxer's moof + mdat, one traf):
 *  - the samples lie back to back in mdat from the first trun's data
 *    offset, in the order and sizes of the fragment's sample table, so no
 *    trun sample table has to be read: the offsets are checked against mdat
 *    instead;
 *  - each sample is encrypted in place with drm/'s engine (OpenSSL EVP):
 *    AVC video by the NAL subsample map (NAL lengths and headers, SPS/PPS/SEI
 *    clear, whole 16-byte blocks of slice data protected); HEVC and AV1 by
 *    the ranges their layout (layout_*.c) finds, HEVC slice data after the
 *    slice header, AV1 tile data only, made into subsamples by drm/ ('cenc':
 *    whole blocks ending on the range's end; 'cbcs': the range exactly, one
 *    subsample each); audio whole;
 *  - moof is rebuilt with senc (IVs and subsamples), saiz and saio in the
 *    traf; every trun data offset grows by the bytes added to moof, and saio
 *    points at the first senc entry relative to moof (default-base-is-moof).
 *
 * IVs: cenc takes 8-byte IVs from a counter that starts at a random value
 * per track, so no two samples under the title's key share an IV (the
 * other half of the counter block counts blocks within a sample). cbcs
 * uses one random constant IV per track, as the scheme defines.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "backend/media/internal.h"
#include "drm/package.h"
#include "streamverse/common.h"

#define T(a, b, c, d) SV__FOURCC(a, b, c, d)
#define MAX_SUBSAMPLES_PER_SAMPLE 4096
/* Ranges of one sample: slices of an HEVC picture, tiles of AV1 frames. */
#define MAX_RANGES_PER_SAMPLE 1024

struct sv__encsink {
    sv__frag_sink next;
    const sv__media_protection *prot;
    sv__track_protection tp;
    sv_encryption_scheme scheme;
    int is_video;
    int nal_length_size;     /* from avcC in the init */
    sv__layout *layout;      /* HEVC, AV1: NULL for AVC and audio */
    sv__cenc_range ranges[MAX_RANGES_PER_SAMPLE];
    uint64_t iv_counter;     /* cenc: the next sample's 8-byte IV */
    sv__cenc_sample *samples;
    size_t cap_samples;
    uint32_t *sizes;         /* sample sizes in mdat, from trun */
    size_t cap_sizes;
    sv_subsample *subs;
    size_t nb_subs, cap_subs;
    sv__buf out;             /* the rewritten fragment */
};

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap : 64;
    while (n < need)
        n *= 2;
    void *q = realloc(*p, n * elem);
    if (!q)
        return SV_ERR_NOMEM;
    *p = q;
    *cap = n;
    return 0;
}

static int on_init(void *opaque, const uint8_t *data, size_t size, char *errbuf, size_t errlen)
{
    sv__encsink *e = opaque;
    uint8_t *init = NULL;
    size_t init_size = 0;
    sv__video_config vc;
    int ret;
    if (e->is_video) {
        /* HEVC and AV1 need the codec's syntax to place the subsamples. */
        if ((ret = sv__init_video_config(data, size, &vc)) < 0)
            return sv__media_err(errbuf, errlen, SV_ERR_INTERNAL,
                                 "video init without a sample entry the packager knows");
        if (vc.entry != SV__FOURCC('a', 'v', 'c', '1') &&
            (ret = sv__layout_create(&vc, &e->layout)) < 0)
            return sv__media_err(errbuf, errlen, ret == SV_ERR_NOMEM ? ret : SV_ERR_INTERNAL,
                                 "cannot read the video track's configuration (%s)",
                                 sv_strerror(ret));
    }
    ret = sv__encrypt_init(data, size, &e->tp, &init, &init_size, &e->nal_length_size);
    if (ret < 0)
        return sv__media_err(errbuf, errlen, ret == SV_ERR_NOMEM ? ret : SV_ERR_INTERNAL,
                             "cannot write the protected init segment (%s)", sv_strerror(ret));
    if (e->is_video && !e->layout && e->nal_length_size == 0) {
        free(init);
        return sv__media_err(errbuf, errlen, SV_ERR_INTERNAL, "video init without avcC");
    }
    ret = e->next.init(e->next.opaque, init, init_size, errbuf, errlen);
    free(init);
    return ret;
}

/* Encrypts one sample in place and records its senc entry. */
static int encrypt_sample(sv__encsink *e, uint8_t *data, uint32_t size, sv__cenc_sample *cs)
{
    memset(cs, 0, sizeof(*cs));
    cs->first_subsample = e->nb_subs;
    if (e->is_video) {
        int ret = grow((void **)&e->subs, &e->cap_subs, e->nb_subs + MAX_SUBSAMPLES_PER_SAMPLE,
                       sizeof(*e->subs));
        if (ret < 0)
            return ret;
        int n;
        if (e->layout) {
            n = sv__layout_sample(e->layout, data, size, e->ranges, MAX_RANGES_PER_SAMPLE);
            if (n >= 0)
                n = sv__cenc_range_subsamples(size, e->ranges, (size_t)n,
                                              e->scheme == SV_SCHEME_CENC,
                                              e->subs + e->nb_subs, MAX_SUBSAMPLES_PER_SAMPLE);
        } else {
            n = sv__cenc_nal_subsamples(data, size, e->nal_length_size, SV__NAL_AVC,
                                        e->subs + e->nb_subs, MAX_SUBSAMPLES_PER_SAMPLE);
        }
        if (n < 0)
            return n;
        cs->nb_subsamples = (size_t)n;
        e->nb_subs += (size_t)n;
    } else if (e->tp.iv_size == 0) {
        /* cbcs audio: the whole sample as one protected range. With a
         * constant IV and no subsamples senc would carry nothing, and a
         * zero-size saiz cannot be written; one range says the same. */
        int ret = grow((void **)&e->subs, &e->cap_subs, e->nb_subs + 1, sizeof(*e->subs));
        if (ret < 0)
            return ret;
        e->subs[e->nb_subs++] = (sv_subsample){ 0, size };
        cs->nb_subsamples = 1;
    }
    sv_encrypted_sample s = {
        .scheme = e->scheme,
        .crypt_byte_block = e->tp.crypt_byte_block,
        .skip_byte_block = e->tp.skip_byte_block,
        .subsamples = cs->nb_subsamples ? e->subs + cs->first_subsample : NULL,
        .nb_subsamples = cs->nb_subsamples,
        .data = data,
        .size = size,
    };
    memcpy(s.kid, e->tp.kid, 16);
    if (e->tp.iv_size == 8) {
        for (int i = 0; i < 8; i++)
            s.iv[i] = (uint8_t)(e->iv_counter >> (56 - 8 * i));
        e->iv_counter++;
        s.iv_size = 8;
        memcpy(cs->iv, s.iv, 8);
        cs->iv_size = 8;
    } else {
        memcpy(s.iv, e->tp.constant_iv, 16);
        s.iv_size = 16;
    }
    return sv__cenc_crypt_sample(e->prot->key, &s, 1);
}

/* Reads the sample sizes of a traf's truns (or tfhd's default size) into
 * e->sizes and the first trun's data offset. The sizes in mdat differ from
 * the encoder's packet sizes (the muxer turns Annex B start codes into
 * length prefixes), so they come from the box, not the sample table. */
static int read_sizes(sv__encsink *e, const sv__box *traf, size_t expected, int64_t *offset)
{
    sv__box_iter it;
    sv__box b, tfhd;
    uint8_t version;
    uint32_t flags, default_size = 0;
    sv__rd r;
    size_t n = 0;
    int ret, first = 1;

    if (sv__box_find(traf->payload, traf->payload_size, T('t', 'f', 'h', 'd'), &tfhd) != 1 ||
        sv__fullbox(&tfhd, &version, &flags, &r) < 0)
        return SV_ERR_PARSE;
    sv__rd_u32(&r);                       /* track_ID */
    if (flags & 0x1) sv__rd_u64(&r);      /* base_data_offset */
    if (flags & 0x2) sv__rd_u32(&r);      /* sample_description_index */
    if (flags & 0x8) sv__rd_u32(&r);      /* default_sample_duration */
    if (flags & 0x10) default_size = sv__rd_u32(&r);
    if (r.err || (flags & 0x1))
        return SV_ERR_PARSE;              /* the muxer writes default-base-is-moof */
    if ((ret = grow((void **)&e->sizes, &e->cap_sizes, expected + 1, sizeof(*e->sizes))) < 0)
        return ret;
    sv__box_iter_init(&it, traf->payload, traf->payload_size);
    while ((ret = sv__box_next(&it, &b)) == 1) {
        if (b.type != T('t', 'r', 'u', 'n'))
            continue;
        if (sv__fullbox(&b, &version, &flags, &r) < 0 || !(flags & 1))
            return SV_ERR_PARSE;
        uint32_t count = sv__rd_u32(&r);
        int32_t off = (int32_t)sv__rd_u32(&r);
        if (first)
            *offset = off;
        first = 0;
        if (flags & 0x4)
            sv__rd_u32(&r);
        if (count > expected - n)
            return SV_ERR_PARSE;
        for (uint32_t i = 0; i < count; i++) {
            if (flags & 0x100) sv__rd_u32(&r);
            e->sizes[n++] = (flags & 0x200) ? sv__rd_u32(&r) : default_size;
            if (flags & 0x400) sv__rd_u32(&r);
            if (flags & 0x800) sv__rd_u32(&r);
        }
        if (r.err)
            return SV_ERR_PARSE;
    }
    return ret < 0 || first || n != expected ? SV_ERR_PARSE : 0;
}

/* Copies a traf with every trun data offset moved by `delta` (patched in
 * the output) and appends senc, saiz, saio. Returns the saio value's
 * position in e->out and the senc start through the pointers. */
static int write_traf(sv__encsink *e, const sv__box *traf, size_t nb, size_t *saio_at,
                      size_t *senc_at)
{
    sv__buf *b = &e->out;
    sv__box_iter it;
    sv__box c;
    int ret;
    int with_subs = e->is_video || e->tp.iv_size == 0;
    size_t box = sv__buf_box_begin(b, traf->type);
    sv__box_iter_init(&it, traf->payload, traf->payload_size);
    while ((ret = sv__box_next(&it, &c)) == 1) {
        if (c.type == T('s', 'e', 'n', 'c') || c.type == T('s', 'a', 'i', 'z') ||
            c.type == T('s', 'a', 'i', 'o'))
            return SV_ERR_PARSE;   /* already protected: never encrypt twice */
        sv__buf_append(b, c.start, c.size);
    }
    if (ret < 0)
        return ret;
    *senc_at = b->size;
    sv__cenc_write_senc(b, e->samples, nb, e->subs, e->tp.iv_size, with_subs);
    sv__cenc_write_saiz(b, e->samples, nb, e->tp.iv_size, with_subs);
    *saio_at = sv__cenc_write_saio(b, 0);
    sv__buf_box_end(b, box);
    return b->err ? b->err : 0;
}

/* Adds `delta` to the data offset of every trun in the new moof. */
static int patch_truns(uint8_t *moof, size_t size, int64_t delta)
{
    sv__box_iter it, it2;
    sv__box b, c;
    int ret;
    sv__box_iter_init(&it, moof + 8, size - 8);
    while ((ret = sv__box_next(&it, &b)) == 1) {
        if (b.type != T('t', 'r', 'a', 'f'))
            continue;
        sv__box_iter_init(&it2, b.payload, b.payload_size);
        while ((ret = sv__box_next(&it2, &c)) == 1) {
            if (c.type != T('t', 'r', 'u', 'n'))
                continue;
            if (c.payload_size < 12 || !(sv__rb32(c.payload) & 1))
                return SV_ERR_PARSE;
            uint8_t *p = (uint8_t *)c.payload + 8;
            int64_t v = (int32_t)sv__rb32(p) + delta;
            if (v < 0 || v > INT32_MAX)
                return SV_ERR_RANGE;
            sv__wb32(p, (uint32_t)v);
        }
        if (ret < 0)
            return ret;
    }
    return ret;
}

static int rebuild(sv__encsink *e, const sv__fragment *f, uint8_t *copy)
{
    sv__box_iter it;
    sv__box b, moof = { 0 }, mdat = { 0 }, traf = { 0 };
    int ret, have_moof = 0, have_mdat = 0;
    size_t lead = 0;   /* bytes before moof (styp), copied as they are */

    sv__box_iter_init(&it, copy, f->size);
    while ((ret = sv__box_next(&it, &b)) == 1) {
        if (b.type == T('m', 'o', 'o', 'f') && !have_moof) {
            moof = b;
            have_moof = 1;
        } else if (b.type == T('m', 'd', 'a', 't') && have_moof && !have_mdat) {
            mdat = b;
            have_mdat = 1;
        } else if (b.type == T('m', 'o', 'o', 'f') || b.type == T('m', 'd', 'a', 't')) {
            return SV_ERR_UNSUPPORTED;   /* one moof + mdat per fragment */
        } else if (!have_moof) {
            lead += b.size;
        }
    }
    if (ret < 0 || !have_moof || !have_mdat ||
        sv__box_find(moof.payload, moof.payload_size, T('t', 'r', 'a', 'f'), &traf) != 1)
        return SV_ERR_PARSE;

    /* The samples must cover mdat exactly, from the trun's offset. */
    int64_t offset = -1;
    size_t nb = (size_t)f->nb_samples;
    if ((ret = read_sizes(e, &traf, nb, &offset)) < 0)
        return ret;
    size_t data_start = (size_t)(mdat.payload - moof.start);
    uint64_t total = 0;
    for (size_t i = 0; i < nb; i++)
        total += e->sizes[i];
    if (offset < 0 || (size_t)offset != data_start || total != mdat.payload_size)
        return SV_ERR_PARSE;

    if ((ret = grow((void **)&e->samples, &e->cap_samples, (size_t)f->nb_samples + 1,
                    sizeof(*e->samples))) < 0)
        return ret;
    e->nb_subs = 0;
    uint8_t *p = (uint8_t *)mdat.payload;
    for (size_t i = 0; i < nb; i++) {
        if ((ret = encrypt_sample(e, p, e->sizes[i], &e->samples[i])) < 0)
            return ret;
        p += e->sizes[i];
    }

    /* New moof: its children, with the traf rewritten. */
    sv__buf *o = &e->out;
    o->size = 0;
    o->err = 0;
    sv__buf_append(o, copy, lead);
    size_t moof_at = o->size, saio_at = 0, senc_at = 0;
    size_t box = sv__buf_box_begin(o, moof.type);
    sv__box_iter_init(&it, moof.payload, moof.payload_size);
    while ((ret = sv__box_next(&it, &b)) == 1) {
        if (b.type == T('t', 'r', 'a', 'f') && b.start == traf.start)
            ret = write_traf(e, &b, (size_t)f->nb_samples, &saio_at, &senc_at);
        else
            sv__buf_append(o, b.start, b.size);
        if (ret < 0)
            return ret;
    }
    sv__buf_box_end(o, box);
    if (ret < 0 || o->err)
        return ret < 0 ? ret : o->err;
    size_t new_moof = o->size - moof_at;
    /* senc: header 8 + version/flags 4 + sample_count 4, then the entries. */
    sv__wb32(o->data + saio_at, (uint32_t)(senc_at - moof_at + 16));
    if ((ret = patch_truns(o->data + moof_at, new_moof, (int64_t)new_moof - (int64_t)moof.size)) < 0)
        return ret;
    sv__buf_append(o, moof.start + moof.size, f->size - lead - moof.size);
    return o->err ? o->err : 0;
}

static int on_fragment(void *opaque, const sv__fragment *f, char *errbuf, size_t errlen)
{
    sv__encsink *e = opaque;
    /* The muxer's buffer is read-only to sinks: encrypt a copy. */
    uint8_t *copy = malloc(f->size ? f->size : 1);
    if (!copy)
        return sv__media_err(errbuf, errlen, SV_ERR_NOMEM, "out of memory (encryption)");
    memcpy(copy, f->data, f->size);
    int ret = rebuild(e, f, copy);
    free(copy);
    if (ret < 0)
        return sv__media_err(errbuf, errlen, ret == SV_ERR_NOMEM ? ret : SV_ERR_INTERNAL,
                             "cannot encrypt fragment %d (%s)", f->number, sv_strerror(ret));
    sv__fragment g = *f;
    g.data = e->out.data;
    g.size = e->out.size;
    return e->next.fragment(e->next.opaque, &g, errbuf, errlen);
}

int sv__encsink_wrap(sv__encsink **enc, const sv__media_protection *prot, int is_video,
                     sv__frag_sink next, sv__frag_sink *out, char *errbuf, size_t errlen)
{
    *enc = NULL;
    *out = next;
    if (!prot || prot->scheme == SV__PROTECT_NONE)
        return 0;
    sv__encsink *e = calloc(1, sizeof(*e));
    if (!e)
        return sv__media_err(errbuf, errlen, SV_ERR_NOMEM, "out of memory (encryption)");
    e->next = next;
    e->prot = prot;
    e->is_video = is_video;
    sv__buf_init(&e->out);
    memcpy(e->tp.kid, prot->kid, 16);
    if (prot->scheme == SV__PROTECT_CBCS) {
        e->scheme = SV_SCHEME_CBCS;
        e->tp.scheme_type = T('c', 'b', 'c', 's');
        e->tp.iv_size = 0;
        /* Video 1:9; audio every block (1:0 keeps tenc at version 1, which
         * cbcs requires, and means the same as no pattern). */
        e->tp.crypt_byte_block = 1;
        e->tp.skip_byte_block = is_video ? 9 : 0;
        if (RAND_bytes(e->tp.constant_iv, 16) != 1)
            goto no_random;
    } else {
        e->scheme = SV_SCHEME_CENC;
        e->tp.scheme_type = T('c', 'e', 'n', 'c');
        e->tp.iv_size = 8;
        if (RAND_bytes((uint8_t *)&e->iv_counter, sizeof(e->iv_counter)) != 1)
            goto no_random;
    }
    *enc = e;
    *out = (sv__frag_sink){ on_init, on_fragment, e };
    return 0;
no_random:
    free(e);
    return sv__media_err(errbuf, errlen, SV_ERR_INTERNAL, "no random bytes for the IVs");
}

void sv__encsink_destroy(sv__encsink *e)
{
    if (!e)
        return;
    sv__layout_destroy(e->layout);
    free(e->samples);
    free(e->sizes);
    free(e->subs);
    sv__buf_free(&e->out);
    free(e);
}
