/*
 * Fragment protection: for each traf of a protected track, the sample
 * positions from tfhd/trun, the per-sample parameters from the seig sample
 * group (sbgp/sgpd, key rotation) or tenc, and the IVs and subsamples from
 * senc (or the auxiliary information saiz/saio point at), cross-checked.
 */
#include <stdlib.h>
#include <string.h>

#include "box.h"
#include "cenc.h"
#include "platform/alloc.h"

#define T(a, b, c, d) SV__FOURCC(a, b, c, d)
#define MAX_SEIG 32
/* A sane ceiling on samples per segment; a fuzzed count cannot make us
 * allocate gigabytes. */
#define MAX_SAMPLES (1u << 20)

typedef struct traf_boxes {
    sv__box tfhd, senc, saiz, saio, sbgp, sgpd;
    int have_tfhd, have_senc, have_saiz, have_saio, have_sbgp, have_sgpd;
} traf_boxes;

/* The walk through one traf's sample groups. */
typedef struct group_cursor {
    sv__rd entries;
    uint32_t entries_left;
    uint32_t in_entry;      /* samples left in the current entry */
    uint32_t index;         /* its group_description_index */
} group_cursor;

typedef struct traf_state {
    const sv__cenc_track *track;
    sv__tenc seig[MAX_SEIG];
    uint32_t nb_seig;
    group_cursor groups;
    int have_groups;
} traf_state;

void sv__cenc_fragment_reset(sv__cenc_fragment *f)
{
    const sv_allocator *alloc = f->alloc;
    sv__free(alloc, f->samples);
    sv__free(alloc, f->subsamples);
    memset(f, 0, sizeof(*f));
    f->alloc = alloc;
}

static int grow(const sv_allocator *alloc, void **p, size_t count, size_t extra, size_t elem)
{
    if (extra > SIZE_MAX / elem - count)
        return SV_ERR_NOMEM;
    size_t bytes = (count + extra) * elem;
    void *np = sv__realloc(alloc, *p, bytes ? bytes : 1);
    if (!np)
        return SV_ERR_NOMEM;
    *p = np;
    return 0;
}

static int parse_sgpd(const sv__box *box, traf_state *st)
{
    sv__rd r;
    uint8_t version;
    uint32_t flags, default_length = 0;

    if (sv__fullbox(box, &version, &flags, &r) < 0)
        return SV_ERR_PARSE;
    if (sv__rd_u32(&r) != T('s', 'e', 'i', 'g'))
        return 0;
    if (version == 1)
        default_length = sv__rd_u32(&r);
    else if (version >= 2)
        sv__rd_u32(&r); /* default_sample_description_index */
    uint32_t count = sv__rd_u32(&r);
    if (count > MAX_SEIG)
        return SV_ERR_UNSUPPORTED;
    for (uint32_t i = 0; i < count; i++) {
        /* Version 1 gives each entry a length; version 0 entries are read
         * straight from the box, their size following from their fields. */
        sv__rd e, *src = &r;
        if (version >= 1) {
            uint32_t len = default_length ? default_length : sv__rd_u32(&r);
            const uint8_t *p = sv__rd_bytes(&r, len);
            if (!p)
                return SV_ERR_PARSE;
            sv__rd_init(&e, p, len);
            src = &e;
        }
        sv__tenc *t = &st->seig[i];
        memset(t, 0, sizeof(*t));
        sv__rd_u8(src); /* reserved */
        uint8_t pattern = sv__rd_u8(src);
        t->crypt_byte_block = pattern >> 4;
        t->skip_byte_block = pattern & 0xf;
        t->is_protected = sv__rd_u8(src);
        t->iv_size = sv__rd_u8(src);
        sv__rd_copy(src, t->kid, 16);
        if (t->iv_size != 0 && t->iv_size != 8 && t->iv_size != 16)
            return SV_ERR_PARSE;
        if (t->is_protected && t->iv_size == 0) {
            t->constant_iv_size = sv__rd_u8(src);
            if (t->constant_iv_size != 8 && t->constant_iv_size != 16)
                return SV_ERR_PARSE;
            sv__rd_copy(src, t->constant_iv, t->constant_iv_size);
        }
        if (src->err)
            return SV_ERR_PARSE;
    }
    if (r.err)
        return SV_ERR_PARSE;
    st->nb_seig = count;
    return 0;
}

static int parse_sbgp(const sv__box *box, traf_state *st)
{
    sv__rd r;
    uint8_t version;
    uint32_t flags;

    if (sv__fullbox(box, &version, &flags, &r) < 0)
        return SV_ERR_PARSE;
    if (sv__rd_u32(&r) != T('s', 'e', 'i', 'g'))
        return 0;
    if (version == 1)
        sv__rd_u32(&r); /* grouping_type_parameter */
    uint32_t count = sv__rd_u32(&r);
    if (r.err || count > r.left / 8)
        return SV_ERR_PARSE;
    st->groups.entries = r;
    st->groups.entries_left = count;
    st->groups.in_entry = 0;
    st->have_groups = 1;
    return 0;
}

/* The parameters of the next sample: its seig entry, or the track's tenc. */
static int next_params(traf_state *st, const sv__tenc **out)
{
    group_cursor *g = &st->groups;

    *out = &st->track->tenc;
    if (!st->have_groups)
        return 0;
    while (g->in_entry == 0 && g->entries_left > 0) {
        g->in_entry = sv__rd_u32(&g->entries);
        g->index = sv__rd_u32(&g->entries);
        g->entries_left--;
    }
    if (g->in_entry == 0)
        return 0; /* past the grouped samples: track defaults */
    g->in_entry--;
    if (g->index == 0)
        return 0;
    /* Indexes above 0x10000 name this fragment's sgpd; lower ones would
     * name the init segment's, which packagers do not use for seig. */
    if (g->index <= 0x10000)
        return SV_ERR_UNSUPPORTED;
    if (g->index - 0x10000 > st->nb_seig)
        return SV_ERR_PARSE;
    *out = &st->seig[g->index - 0x10001];
    return 0;
}

static int collect_boxes(const sv__box *traf, traf_boxes *b)
{
    sv__box_iter it;
    sv__box box;
    int ret;

    memset(b, 0, sizeof(*b));
    sv__box_iter_init(&it, traf->payload, traf->payload_size);
    while ((ret = sv__box_next(&it, &box)) == 1) {
        switch (box.type) {
        case T('t', 'f', 'h', 'd'): b->tfhd = box; b->have_tfhd = 1; break;
        case T('s', 'e', 'n', 'c'): b->senc = box; b->have_senc = 1; break;
        case T('s', 'a', 'i', 'z'): b->saiz = box; b->have_saiz = 1; break;
        case T('s', 'a', 'i', 'o'): b->saio = box; b->have_saio = 1; break;
        case T('s', 'b', 'g', 'p'):
            /* Only the seig grouping matters; others are skipped later. */
            if (box.payload_size >= 8 && sv__rb32(box.payload + 4) == T('s', 'e', 'i', 'g')) {
                b->sbgp = box;
                b->have_sbgp = 1;
            }
            break;
        case T('s', 'g', 'p', 'd'):
            if (box.payload_size >= 8 && sv__rb32(box.payload + 4) == T('s', 'e', 'i', 'g')) {
                b->sgpd = box;
                b->have_sgpd = 1;
            }
            break;
        default:
            break;
        }
    }
    return ret < 0 ? ret : (b->have_tfhd ? 0 : SV_ERR_PARSE);
}

/* Positions and sizes from the truns of one traf; appends to f->samples. */
static int read_truns(const sv__box *traf, size_t base, uint32_t default_size,
                      size_t size, uint32_t track_id, sv__cenc_fragment *f, size_t *data_end)
{
    sv__box_iter it;
    sv__box box;
    sv__rd r;
    uint8_t version;
    uint32_t flags;
    int ret;
    size_t next = base;

    sv__box_iter_init(&it, traf->payload, traf->payload_size);
    while ((ret = sv__box_next(&it, &box)) == 1) {
        if (box.type != T('t', 'r', 'u', 'n'))
            continue;
        if (sv__fullbox(&box, &version, &flags, &r) < 0)
            return SV_ERR_PARSE;
        uint32_t count = sv__rd_u32(&r);
        if (flags & 0x1) {
            int64_t pos = (int64_t)base + (int32_t)sv__rd_u32(&r);
            if (pos < 0 || (uint64_t)pos > size)
                return SV_ERR_PARSE;
            next = (size_t)pos;
        }
        if (flags & 0x4)
            sv__rd_u32(&r); /* first_sample_flags */
        size_t per = 4u * (!!(flags & 0x100) + !!(flags & 0x200) + !!(flags & 0x400) + !!(flags & 0x800));
        if (r.err || (per && count > r.left / per) || count > MAX_SAMPLES - f->nb_samples)
            return SV_ERR_PARSE;
        if ((ret = grow(f->alloc, (void **)&f->samples, f->nb_samples, count, sizeof(*f->samples))) < 0)
            return ret;
        for (uint32_t i = 0; i < count; i++) {
            sv__cenc_sample *s = &f->samples[f->nb_samples];
            uint32_t ssize = default_size;
            if (flags & 0x100)
                sv__rd_u32(&r);
            if (flags & 0x200)
                ssize = sv__rd_u32(&r);
            if (flags & 0x400)
                sv__rd_u32(&r);
            if (flags & 0x800)
                sv__rd_u32(&r);
            if (r.err || ssize > size - next)
                return SV_ERR_PARSE;
            memset(s, 0, sizeof(*s));
            s->offset = next;
            s->size = ssize;
            s->track_id = track_id;
            next += ssize;
            f->nb_samples++;
        }
    }
    *data_end = next;
    return ret;
}

/* Reads one sample's auxiliary information (IV, then subsamples when
 * `with_subsamples`) and fills the sample's protection. */
static int read_aux(sv__rd *r, const sv__tenc *p, int with_subsamples, sv__cenc_sample *s,
                    sv__cenc_fragment *f)
{
    int ret;

    s->is_protected = p->is_protected;
    memcpy(s->kid, p->kid, 16);
    s->crypt_byte_block = p->crypt_byte_block;
    s->skip_byte_block = p->skip_byte_block;
    if (p->iv_size) {
        sv__rd_copy(r, s->iv, p->iv_size);
        s->iv_size = p->iv_size;
    } else {
        memcpy(s->iv, p->constant_iv, p->constant_iv_size);
        s->iv_size = p->constant_iv_size;
    }
    s->first_subsample = f->nb_subsamples;
    if (!with_subsamples)
        return r->err ? SV_ERR_PARSE : 0;
    uint16_t n = sv__rd_u16(r);
    if (r->err || n > r->left / 6)
        return SV_ERR_PARSE;
    if ((ret = grow(f->alloc, (void **)&f->subsamples, f->nb_subsamples, n, sizeof(*f->subsamples))) < 0)
        return ret;
    uint64_t total = 0;
    for (uint16_t i = 0; i < n; i++) {
        sv_subsample *ss = &f->subsamples[f->nb_subsamples++];
        ss->clear_bytes = sv__rd_u16(r);
        ss->protected_bytes = sv__rd_u32(r);
        total += (uint64_t)ss->clear_bytes + ss->protected_bytes;
    }
    s->nb_subsamples = n;
    /* Subsamples must describe the sample, never run past it. */
    if (r->err || total > s->size)
        return SV_ERR_PARSE;
    return 0;
}

static int parse_traf(const sv__cenc_init *init, const sv__box *traf, size_t moof_offset,
                      size_t *prev_end, const uint8_t *data, size_t size, sv__cenc_fragment *f)
{
    traf_boxes b;
    traf_state st;
    sv__rd r, aux;
    uint8_t version;
    uint32_t flags;
    int ret;

    if ((ret = collect_boxes(traf, &b)) < 0)
        return ret;
    if (sv__fullbox(&b.tfhd, &version, &flags, &r) < 0)
        return SV_ERR_PARSE;
    uint32_t track_id = sv__rd_u32(&r);
    uint64_t base_data_offset = 0;
    uint32_t default_size;
    if (flags & 0x1)
        base_data_offset = sv__rd_u64(&r);
    if (flags & 0x2)
        sv__rd_u32(&r);
    if (flags & 0x8)
        sv__rd_u32(&r);
    const sv__cenc_track *track = sv__cenc_init_track(init, track_id);
    default_size = track ? track->trex_default_sample_size : 0;
    if (flags & 0x10)
        default_size = sv__rd_u32(&r);
    if (r.err)
        return SV_ERR_PARSE;

    size_t base;
    if (flags & 0x1) {
        if (base_data_offset > size)
            return SV_ERR_PARSE;
        base = (size_t)base_data_offset;
    } else if (flags & 0x20000) {
        base = moof_offset;
    } else {
        base = *prev_end;
    }

    size_t first = f->nb_samples, data_end;
    if ((ret = read_truns(traf, base, default_size, size, track_id, f, &data_end)) < 0)
        return ret;
    *prev_end = data_end;
    size_t n = f->nb_samples - first;
    if (!track || track->scheme == SV_SCHEME_NONE) {
        f->nb_samples = first; /* a clear track: nothing to decrypt */
        return 0;
    }

    memset(&st, 0, sizeof(st));
    st.track = track;
    if (b.have_sgpd && (ret = parse_sgpd(&b.sgpd, &st)) < 0)
        return ret;
    if (b.have_sbgp && (ret = parse_sbgp(&b.sbgp, &st)) < 0)
        return ret;

    /* Where the auxiliary information is: senc, or what saio points at. */
    int with_subsamples = 0, from_saio = 0;
    const uint8_t *senc_entries = NULL;
    sv__rd_init(&aux, NULL, 0);
    if (b.have_senc) {
        if (sv__fullbox(&b.senc, &version, &flags, &aux) < 0)
            return SV_ERR_PARSE;
        with_subsamples = !!(flags & 0x2);
        if (sv__rd_u32(&aux) != n || aux.err)
            return SV_ERR_PARSE;
        senc_entries = aux.p;
    }

    /* saiz: one size per sample, for exactly this fragment's samples. */
    uint8_t saiz_default = 0;
    sv__rd saiz_sizes;
    sv__rd_init(&saiz_sizes, NULL, 0);
    if (b.have_saiz) {
        if (sv__fullbox(&b.saiz, &version, &flags, &r) < 0)
            return SV_ERR_PARSE;
        if (flags & 1)
            sv__rd_bytes(&r, 8); /* aux_info_type and parameter */
        saiz_default = sv__rd_u8(&r);
        uint32_t count = sv__rd_u32(&r);
        if (r.err || count != n)
            return SV_ERR_PARSE;
        if (saiz_default == 0) {
            const uint8_t *sizes = sv__rd_bytes(&r, count);
            if (!sizes)
                return SV_ERR_PARSE;
            sv__rd_init(&saiz_sizes, sizes, count);
        }
    }
    if (b.have_saio) {
        if (sv__fullbox(&b.saio, &version, &flags, &r) < 0)
            return SV_ERR_PARSE;
        if (flags & 1)
            sv__rd_bytes(&r, 8);
        uint32_t count = sv__rd_u32(&r);
        uint64_t off = version == 1 ? sv__rd_u64(&r) : sv__rd_u32(&r);
        if (r.err || count < 1 || off > size - base)
            return SV_ERR_PARSE;
        const uint8_t *at = data + base + off;
        if (senc_entries) {
            /* saio must point at senc's first entry, or readers relying on
             * saio (most demuxers) would read something else. */
            if (at != senc_entries)
                return SV_ERR_PARSE;
        } else if (b.have_saiz && count == 1) {
            from_saio = 1;
            sv__rd_init(&aux, at, size - base - (size_t)off);
        } else {
            return SV_ERR_UNSUPPORTED;
        }
    }

    for (size_t i = 0; i < n; i++) {
        sv__cenc_sample *s = &f->samples[first + i];
        const sv__tenc *p;
        if ((ret = next_params(&st, &p)) < 0)
            return ret;
        s->scheme = track->scheme;
        uint32_t aux_size = saiz_default;
        if (b.have_saiz && saiz_default == 0)
            aux_size = sv__rd_u8(&saiz_sizes);
        int subs = with_subsamples;
        if (from_saio)
            subs = aux_size > p->iv_size;
        if (!b.have_senc && !from_saio) {
            /* No auxiliary information: only a constant IV can work. */
            if (p->is_protected && p->iv_size)
                return SV_ERR_PARSE;
            sv__rd empty;
            sv__rd_init(&empty, NULL, 0);
            if ((ret = read_aux(&empty, p, 0, s, f)) < 0)
                return ret;
            continue;
        }
        const uint8_t *start = aux.p;
        if ((ret = read_aux(&aux, p, subs, s, f)) < 0)
            return ret;
        if (b.have_saiz && (size_t)(aux.p - start) != aux_size)
            return SV_ERR_PARSE; /* saiz disagrees with senc */
    }
    return 0;
}

int sv__cenc_parse_fragment(const sv__cenc_init *init, const uint8_t *data, size_t size,
                            sv__cenc_fragment *out)
{
    sv__box_iter it, inner;
    sv__box box, traf;
    int ret;

    const sv_allocator *alloc = out->alloc;
    memset(out, 0, sizeof(*out));
    out->alloc = alloc;
    if (!init || !data)
        return SV_ERR_INVALID;
    sv__box_iter_init(&it, data, size);
    while ((ret = sv__box_next(&it, &box)) == 1) {
        if (box.type != T('m', 'o', 'o', 'f'))
            continue;
        size_t moof_offset = (size_t)(box.start - data);
        size_t prev_end = moof_offset;
        sv__box_iter_init(&inner, box.payload, box.payload_size);
        while ((ret = sv__box_next(&inner, &traf)) == 1) {
            if (traf.type != T('t', 'r', 'a', 'f'))
                continue;
            if ((ret = parse_traf(init, &traf, moof_offset, &prev_end, data, size, out)) < 0)
                goto fail;
        }
        if (ret < 0)
            goto fail;
    }
    if (ret < 0)
        goto fail;
    return 0;
fail:
    sv__cenc_fragment_reset(out);
    return ret;
}
