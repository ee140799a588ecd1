/*
 * Init segment protection: sinf/frma/schm/schi/tenc inside encv/enca sample
 * entries, pssh boxes under moov, and trex defaults the fragment parser needs.
 */
#include <string.h>

#include "box.h"
#include "cenc.h"

#define T(a, b, c, d) SV__FOURCC(a, b, c, d)

sv_encryption_scheme sv__cenc_scheme_from_fourcc(uint32_t fourcc)
{
    switch (fourcc) {
    case T('c', 'e', 'n', 'c'): return SV_SCHEME_CENC;
    case T('c', 'b', 'c', '1'): return SV_SCHEME_CBC1;
    case T('c', 'e', 'n', 's'): return SV_SCHEME_CENS;
    case T('c', 'b', 'c', 's'): return SV_SCHEME_CBCS;
    default: return SV_SCHEME_NONE;
    }
}

uint32_t sv__cenc_scheme_fourcc(sv_encryption_scheme scheme)
{
    switch (scheme) {
    case SV_SCHEME_CENC: return T('c', 'e', 'n', 'c');
    case SV_SCHEME_CBC1: return T('c', 'b', 'c', '1');
    case SV_SCHEME_CENS: return T('c', 'e', 'n', 's');
    case SV_SCHEME_CBCS: return T('c', 'b', 'c', 's');
    default: return 0;
    }
}

/* Opens the box at the start of data[0..size) as a full box of `type` and
 * version 0 or 1: *box is the box, *r reads its payload after the header. */
static int open_fullbox_v01(const uint8_t *data, size_t size, uint32_t type, sv__box *box,
                            uint8_t *version, sv__rd *r)
{
    sv__box_iter it;
    uint32_t flags;

    sv__box_iter_init(&it, data, size);
    if (sv__box_next(&it, box) != 1 || box->type != type)
        return SV_ERR_PARSE;
    if (sv__fullbox(box, version, &flags, r) < 0 || *version > 1)
        return SV_ERR_PARSE;
    return 0;
}

int sv__cenc_parse_pssh(const uint8_t *data, size_t size, sv__pssh *out)
{
    sv__box box;
    sv__rd r;
    uint8_t version;

    if (open_fullbox_v01(data, size, T('p', 's', 's', 'h'), &box, &version, &r) < 0)
        return SV_ERR_PARSE;
    memset(out, 0, sizeof(*out));
    out->version = version;
    sv__rd_copy(&r, out->system_id, 16);
    if (version == 1) {
        out->nb_kids = sv__rd_u32(&r);
        /* Check the count against what is left before multiplying. */
        if (out->nb_kids > r.left / 16)
            return SV_ERR_PARSE;
        out->kids = sv__rd_bytes(&r, (size_t)out->nb_kids * 16);
    }
    out->data_size = sv__rd_u32(&r);
    out->data = sv__rd_bytes(&r, out->data_size);
    if (r.err)
        return SV_ERR_PARSE;
    out->box = box.start;
    out->box_size = box.size;
    return 0;
}

int sv__cenc_parse_tenc(const uint8_t *data, size_t size, sv__tenc *out)
{
    sv__box box;
    sv__rd r;
    uint8_t version;

    if (open_fullbox_v01(data, size, T('t', 'e', 'n', 'c'), &box, &version, &r) < 0)
        return SV_ERR_PARSE;
    memset(out, 0, sizeof(*out));
    sv__rd_u8(&r); /* reserved */
    uint8_t pattern = sv__rd_u8(&r);
    if (version == 1) {
        out->crypt_byte_block = pattern >> 4;
        out->skip_byte_block = pattern & 0xf;
    }
    out->is_protected = sv__rd_u8(&r);
    out->iv_size = sv__rd_u8(&r);
    sv__rd_copy(&r, out->kid, 16);
    if (out->iv_size != 0 && out->iv_size != 8 && out->iv_size != 16)
        return SV_ERR_PARSE;
    if (out->is_protected && out->iv_size == 0) {
        out->constant_iv_size = sv__rd_u8(&r);
        if (out->constant_iv_size != 8 && out->constant_iv_size != 16)
            return SV_ERR_PARSE;
        sv__rd_copy(&r, out->constant_iv, out->constant_iv_size);
    }
    return r.err ? SV_ERR_PARSE : 0;
}

int sv__cenc_parse_sinf(const uint8_t *payload, size_t size, sv__cenc_track *track)
{
    sv__box_iter it;
    sv__box box, tenc;
    sv__rd r;
    uint8_t version;
    uint32_t flags;
    int ret, have_tenc = 0;

    sv__box_iter_init(&it, payload, size);
    while ((ret = sv__box_next(&it, &box)) == 1) {
        switch (box.type) {
        case T('f', 'r', 'm', 'a'):
            if (box.payload_size < 4)
                return SV_ERR_PARSE;
            track->original_format = sv__rb32(box.payload);
            break;
        case T('s', 'c', 'h', 'm'):
            if (sv__fullbox(&box, &version, &flags, &r) < 0)
                return SV_ERR_PARSE;
            track->scheme_type = sv__rd_u32(&r);
            track->scheme_version = sv__rd_u32(&r);
            if (r.err)
                return SV_ERR_PARSE;
            break;
        case T('s', 'c', 'h', 'i'):
            ret = sv__box_find(box.payload, box.payload_size, T('t', 'e', 'n', 'c'), &tenc);
            if (ret < 0)
                return ret;
            if (ret == 1) {
                if ((ret = sv__cenc_parse_tenc(tenc.start, tenc.size, &track->tenc)) < 0)
                    return ret;
                have_tenc = 1;
            }
            break;
        default:
            break;
        }
    }
    if (ret < 0)
        return ret;
    if (!track->original_format || !track->scheme_type || !have_tenc)
        return SV_ERR_PARSE;
    track->scheme = sv__cenc_scheme_from_fourcc(track->scheme_type);
    return track->scheme == SV_SCHEME_NONE ? SV_ERR_UNSUPPORTED : 0;
}

int sv__cenc_sample_entry_fixed_size(uint32_t type, const uint8_t *payload, size_t size)
{
    size_t fixed;

    if (type == T('e', 'n', 'c', 'a')) {
        /* AudioSampleEntry: 8 + 20 bytes; QuickTime-style versions 1 and 2
         * carry 16 or 36 more bytes of fields before the children. */
        if (size < 10)
            return SV_ERR_PARSE;
        uint16_t version = sv__rb16(payload + 8);
        fixed = version == 1 ? 44 : version == 2 ? 64 : 28;
    } else {
        fixed = 78; /* VisualSampleEntry: 8 + 70 bytes */
    }
    return size < fixed ? SV_ERR_PARSE : (int)fixed;
}

/* Reads the first sample entry of stsd; a protected one fills the track's
 * protection from its sinf. */
static int parse_stsd(const sv__box *stsd, sv__cenc_track *track)
{
    sv__rd r;
    uint8_t version;
    uint32_t flags;
    sv__box_iter it;
    sv__box entry, sinf;
    int ret;

    if (sv__fullbox(stsd, &version, &flags, &r) < 0)
        return SV_ERR_PARSE;
    sv__rd_u32(&r); /* entry_count: the walker bounds the entries anyway */
    if (r.err)
        return SV_ERR_PARSE;
    sv__box_iter_init(&it, r.p, r.left);
    if ((ret = sv__box_next(&it, &entry)) <= 0)
        return ret < 0 ? ret : SV_ERR_PARSE;
    track->sample_entry = entry.type;
    track->original_format = entry.type;
    if (entry.type != T('e', 'n', 'c', 'v') && entry.type != T('e', 'n', 'c', 'a'))
        return 0;
    track->original_format = 0;
    int fixed = sv__cenc_sample_entry_fixed_size(entry.type, entry.payload, entry.payload_size);
    if (fixed < 0)
        return fixed;
    ret = sv__box_find(entry.payload + fixed, entry.payload_size - (size_t)fixed,
                       T('s', 'i', 'n', 'f'), &sinf);
    if (ret <= 0)
        return ret < 0 ? ret : SV_ERR_PARSE;
    return sv__cenc_parse_sinf(sinf.payload, sinf.payload_size, track);
}

/* Descends the containers between trak and stsd. */
static int parse_trak(const sv__box *trak, sv__cenc_track *track)
{
    static const uint32_t path[] = {
        T('m', 'd', 'i', 'a'), T('m', 'i', 'n', 'f'), T('s', 't', 'b', 'l'), T('s', 't', 's', 'd')
    };
    sv__box box, tkhd;
    sv__rd r;
    uint8_t version;
    uint32_t flags;
    int ret;

    if ((ret = sv__box_find(trak->payload, trak->payload_size, T('t', 'k', 'h', 'd'), &tkhd)) <= 0)
        return ret < 0 ? ret : SV_ERR_PARSE;
    if (sv__fullbox(&tkhd, &version, &flags, &r) < 0)
        return SV_ERR_PARSE;
    sv__rd_bytes(&r, version == 1 ? 16 : 8); /* creation and modification times */
    track->track_id = sv__rd_u32(&r);
    if (r.err)
        return SV_ERR_PARSE;
    box = *trak;
    for (size_t i = 0; i < sizeof(path) / sizeof(path[0]); i++) {
        if ((ret = sv__box_find(box.payload, box.payload_size, path[i], &box)) <= 0)
            return ret < 0 ? ret : SV_ERR_PARSE;
    }
    return parse_stsd(&box, track);
}

static int parse_mvex(const sv__box *mvex, sv__cenc_init *out)
{
    sv__box_iter it;
    sv__box box;
    sv__rd r;
    uint8_t version;
    uint32_t flags;
    int ret;

    sv__box_iter_init(&it, mvex->payload, mvex->payload_size);
    while ((ret = sv__box_next(&it, &box)) == 1) {
        if (box.type != T('t', 'r', 'e', 'x'))
            continue;
        if (sv__fullbox(&box, &version, &flags, &r) < 0)
            return SV_ERR_PARSE;
        uint32_t track_id = sv__rd_u32(&r);
        sv__rd_u32(&r); /* default_sample_description_index */
        sv__rd_u32(&r); /* default_sample_duration */
        uint32_t default_size = sv__rd_u32(&r);
        if (r.err)
            return SV_ERR_PARSE;
        for (size_t i = 0; i < out->nb_tracks; i++) {
            if (out->tracks[i].track_id == track_id)
                out->tracks[i].trex_default_sample_size = default_size;
        }
    }
    return ret;
}

int sv__cenc_parse_init(const uint8_t *data, size_t size, sv__cenc_init *out)
{
    sv__box moov, box;
    sv__box_iter it;
    int ret;
    int have_mvex = 0;
    sv__box mvex;

    memset(out, 0, sizeof(*out));
    if ((ret = sv__box_find(data, size, T('m', 'o', 'o', 'v'), &moov)) <= 0)
        return ret < 0 ? ret : SV_ERR_PARSE;
    sv__box_iter_init(&it, moov.payload, moov.payload_size);
    while ((ret = sv__box_next(&it, &box)) == 1) {
        if (box.type == T('t', 'r', 'a', 'k')) {
            if (out->nb_tracks == SV__CENC_MAX_TRACKS)
                return SV_ERR_UNSUPPORTED;
            sv__cenc_track *t = &out->tracks[out->nb_tracks];
            if ((ret = parse_trak(&box, t)) < 0)
                return ret;
            out->nb_tracks++;
        } else if (box.type == T('p', 's', 's', 'h')) {
            if (out->nb_pssh == SV__CENC_MAX_PSSH)
                return SV_ERR_UNSUPPORTED;
            if ((ret = sv__cenc_parse_pssh(box.start, box.size, &out->pssh[out->nb_pssh])) < 0)
                return ret;
            out->nb_pssh++;
        } else if (box.type == T('m', 'v', 'e', 'x')) {
            mvex = box;
            have_mvex = 1;
        }
    }
    if (ret < 0)
        return ret;
    /* trex refers to tracks by ID, so read it once every trak is known. */
    return have_mvex ? parse_mvex(&mvex, out) : 0;
}

const sv__cenc_track *sv__cenc_init_track(const sv__cenc_init *init, uint32_t track_id)
{
    for (size_t i = 0; i < init->nb_tracks; i++) {
        if (init->tracks[i].track_id == track_id)
            return &init->tracks[i];
    }
    return NULL;
}
