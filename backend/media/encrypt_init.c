/*
 * The protected init segment: a copy of the muxer's ftyp + moov in which the
 * one sample entry (avc1, hvc1, hev1, av01, mp4a) becomes encv/enca with a sinf appended to
 * its children, and moov ends with two pssh boxes. Every box on the path
 * moov/trak/mdia/minf/stbl/stsd is rewritten with its new size; everything
 * else is copied byte for byte. The box writers are drm/'s (cenc.h).
 *
 * Also the manifest helpers that need the same boxes: the pssh of a system
 * as base64.
 */
#include <string.h>

#include <openssl/evp.h>

#include "backend/media/internal.h"
#include "drm/package.h"
#include "streamverse/common.h"

#define T(a, b, c, d) SV__FOURCC(a, b, c, d)

const uint8_t sv__system_w3c_common[16] = {
    0x10, 0x77, 0xef, 0xec, 0xc0, 0xb2, 0x4d, 0x02, 0xac, 0xe3, 0x3c, 0x1e, 0x52, 0xe2, 0xfb, 0x4b,
};
const uint8_t sv__system_dashif_clearkey[16] = {
    0xe2, 0x71, 0x9d, 0x58, 0xa9, 0x85, 0xb3, 0xc9, 0x78, 0x1a, 0xb0, 0x30, 0xaf, 0x78, 0xd3, 0x0e,
};

typedef struct rewrite {
    const sv__track_protection *tp;
    sv__buf out;
    int nal_length_size;
    int entries;             /* sample entries rewritten */
} rewrite;

static int is_path_container(uint32_t type)
{
    return type == T('m', 'o', 'o', 'v') || type == T('t', 'r', 'a', 'k') ||
           type == T('m', 'd', 'i', 'a') || type == T('m', 'i', 'n', 'f') ||
           type == T('s', 't', 'b', 'l');
}

static void write_tenc_sinf(rewrite *w, uint32_t original)
{
    const sv__track_protection *tp = w->tp;
    sv__tenc t = {
        .is_protected = 1,
        .iv_size = tp->iv_size,
        .crypt_byte_block = tp->crypt_byte_block,
        .skip_byte_block = tp->skip_byte_block,
        .constant_iv_size = tp->iv_size ? 0 : 16,
    };
    memcpy(t.kid, tp->kid, 16);
    memcpy(t.constant_iv, tp->constant_iv, 16);
    sv__cenc_write_sinf(&w->out, original, tp->scheme_type, &t);
}

/* One sample entry: new type, same fixed fields and children, then sinf. */
static int rewrite_entry(rewrite *w, const sv__box *e)
{
    uint32_t prot;
    if (e->type == T('a', 'v', 'c', '1') || e->type == T('h', 'v', 'c', '1') ||
        e->type == T('h', 'e', 'v', '1') || e->type == T('a', 'v', '0', '1'))
        prot = T('e', 'n', 'c', 'v');
    else if (e->type == T('m', 'p', '4', 'a'))
        prot = T('e', 'n', 'c', 'a');
    else
        return SV_ERR_UNSUPPORTED;
    int fixed = sv__cenc_sample_entry_fixed_size(prot, e->payload, e->payload_size);
    if (fixed < 0)
        return fixed;
    if (e->type == T('a', 'v', 'c', '1')) {
        sv__box avcc;
        int ret = sv__box_find(e->payload + fixed, e->payload_size - (size_t)fixed,
                               T('a', 'v', 'c', 'C'), &avcc);
        if (ret <= 0 || avcc.payload_size < 5)
            return SV_ERR_PARSE;
        w->nal_length_size = (avcc.payload[4] & 3) + 1;
    } else if (e->type != T('m', 'p', '4', 'a') && e->type != T('a', 'v', '0', '1')) {
        /* hvcC: lengthSizeMinusOne in the low bits of its 22nd byte. */
        sv__box hvcc;
        int ret = sv__box_find(e->payload + fixed, e->payload_size - (size_t)fixed,
                               T('h', 'v', 'c', 'C'), &hvcc);
        if (ret <= 0 || hvcc.payload_size < 23)
            return SV_ERR_PARSE;
        w->nal_length_size = (hvcc.payload[21] & 3) + 1;
    }
    size_t box = sv__buf_box_begin(&w->out, prot);
    sv__buf_append(&w->out, e->payload, e->payload_size);
    write_tenc_sinf(w, e->type);
    sv__buf_box_end(&w->out, box);
    w->entries++;
    return 0;
}

static int rewrite_stsd(rewrite *w, const sv__box *stsd)
{
    sv__box_iter it;
    sv__box e;
    int ret;
    if (stsd->payload_size < 8)
        return SV_ERR_PARSE;
    size_t box = sv__buf_box_begin(&w->out, stsd->type);
    sv__buf_append(&w->out, stsd->payload, 8);   /* version, flags, entry_count */
    sv__box_iter_init(&it, stsd->payload + 8, stsd->payload_size - 8);
    while ((ret = sv__box_next(&it, &e)) == 1)
        if ((ret = rewrite_entry(w, &e)) < 0)
            return ret;
    if (ret < 0)
        return ret;
    sv__buf_box_end(&w->out, box);
    return 0;
}

static void write_pssh(rewrite *w)
{
    const uint8_t (*kids)[16] = (const uint8_t (*)[16])w->tp->kid;
    sv__cenc_write_pssh(&w->out, sv__system_w3c_common, kids, 1, NULL, 0);
    sv__cenc_write_pssh(&w->out, sv__system_dashif_clearkey, kids, 1, NULL, 0);
}

/* Copies the boxes of a range, descending along the path to stsd. */
static int rewrite_range(rewrite *w, const uint8_t *data, size_t size)
{
    sv__box_iter it;
    sv__box b;
    int ret;
    sv__box_iter_init(&it, data, size);
    while ((ret = sv__box_next(&it, &b)) == 1) {
        if (b.type == T('s', 't', 's', 'd')) {
            if ((ret = rewrite_stsd(w, &b)) < 0)
                return ret;
        } else if (is_path_container(b.type)) {
            size_t box = sv__buf_box_begin(&w->out, b.type);
            if ((ret = rewrite_range(w, b.payload, b.payload_size)) < 0)
                return ret;
            if (b.type == T('m', 'o', 'o', 'v'))
                write_pssh(w);
            sv__buf_box_end(&w->out, box);
        } else {
            sv__buf_append(&w->out, b.start, b.size);
        }
    }
    return ret;
}

int sv__encrypt_init(const uint8_t *data, size_t size, const sv__track_protection *tp,
                     uint8_t **out, size_t *out_size, int *nal_length_size)
{
    rewrite w = { .tp = tp };
    sv__buf_init(&w.out);
    int ret = rewrite_range(&w, data, size);
    if (ret == 0 && w.entries != 1)
        ret = SV_ERR_PARSE;   /* the muxer writes exactly one track */
    if (ret == 0 && w.out.err)
        ret = w.out.err;
    if (ret < 0) {
        sv__buf_free(&w.out);
        return ret;
    }
    *nal_length_size = w.nal_length_size;
    *out = sv__buf_take(&w.out, out_size);
    return 0;
}

int sv__media_base64(const uint8_t *in, size_t n, char *out, size_t cap)
{
    size_t need = 4 * ((n + 2) / 3) + 1;
    if (need > cap || n > INT32_MAX / 2)
        return SV_ERR_OVERFLOW;
    return EVP_EncodeBlock((unsigned char *)out, in, (int)n);
}

int sv__pssh_base64(const uint8_t system_id[16], const uint8_t kid[16], char *out, size_t cap)
{
    sv__buf b;
    sv__buf_init(&b);
    sv__cenc_write_pssh(&b, system_id, (const uint8_t (*)[16])kid, 1, NULL, 0);
    int ret = b.err ? b.err : sv__media_base64(b.data, b.size, out, cap);
    sv__buf_free(&b);
    return ret;
}
