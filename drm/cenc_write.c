/* Writers for the CENC boxes the packager puts in init segments and fragments. */
#include "cenc.h"

#define T(a, b, c, d) SV__FOURCC(a, b, c, d)

void sv__cenc_write_frma(sv__buf *b, uint32_t original_format)
{
    size_t box = sv__buf_box_begin(b, T('f', 'r', 'm', 'a'));
    sv__buf_u32(b, original_format);
    sv__buf_box_end(b, box);
}

void sv__cenc_write_schm(sv__buf *b, uint32_t scheme_type)
{
    size_t box = sv__buf_fullbox_begin(b, T('s', 'c', 'h', 'm'), 0, 0);
    sv__buf_u32(b, scheme_type);
    sv__buf_u32(b, 0x00010000); /* scheme_version 1.0 */
    sv__buf_box_end(b, box);
}

void sv__cenc_write_tenc(sv__buf *b, const sv__tenc *t)
{
    /* Version 1 only when there is a pattern to carry (cens/cbcs). */
    int v1 = t->crypt_byte_block || t->skip_byte_block;
    size_t box = sv__buf_fullbox_begin(b, T('t', 'e', 'n', 'c'), v1 ? 1 : 0, 0);
    sv__buf_u8(b, 0);
    sv__buf_u8(b, v1 ? (uint8_t)(t->crypt_byte_block << 4 | (t->skip_byte_block & 0xf)) : 0);
    sv__buf_u8(b, t->is_protected);
    sv__buf_u8(b, t->iv_size);
    sv__buf_append(b, t->kid, 16);
    if (t->is_protected && t->iv_size == 0) {
        sv__buf_u8(b, t->constant_iv_size);
        sv__buf_append(b, t->constant_iv, t->constant_iv_size);
    }
    sv__buf_box_end(b, box);
}

void sv__cenc_write_sinf(sv__buf *b, uint32_t original_format, uint32_t scheme_type,
                         const sv__tenc *t)
{
    size_t sinf = sv__buf_box_begin(b, T('s', 'i', 'n', 'f'));
    sv__cenc_write_frma(b, original_format);
    sv__cenc_write_schm(b, scheme_type);
    size_t schi = sv__buf_box_begin(b, T('s', 'c', 'h', 'i'));
    sv__cenc_write_tenc(b, t);
    sv__buf_box_end(b, schi);
    sv__buf_box_end(b, sinf);
}

void sv__cenc_write_pssh(sv__buf *b, const uint8_t system_id[16], const uint8_t (*kids)[16],
                         size_t nb_kids, const uint8_t *data, uint32_t data_size)
{
    size_t box = sv__buf_fullbox_begin(b, T('p', 's', 's', 'h'), nb_kids ? 1 : 0, 0);
    sv__buf_append(b, system_id, 16);
    if (nb_kids) {
        sv__buf_u32(b, (uint32_t)nb_kids);
        for (size_t i = 0; i < nb_kids; i++)
            sv__buf_append(b, kids[i], 16);
    }
    sv__buf_u32(b, data_size);
    sv__buf_append(b, data, data_size);
    sv__buf_box_end(b, box);
}

/* Bytes one sample takes in senc (and so its saiz entry). */
static size_t aux_size(const sv__cenc_sample *s, int iv_size, int with_subsamples)
{
    return (size_t)iv_size + (with_subsamples ? 2 + 6 * s->nb_subsamples : 0);
}

void sv__cenc_write_senc(sv__buf *b, const sv__cenc_sample *samples, size_t n,
                         const sv_subsample *subsamples, int iv_size, int with_subsamples)
{
    size_t box = sv__buf_fullbox_begin(b, T('s', 'e', 'n', 'c'), 0, with_subsamples ? 2 : 0);
    sv__buf_u32(b, (uint32_t)n);
    for (size_t i = 0; i < n; i++) {
        const sv__cenc_sample *s = &samples[i];
        sv__buf_append(b, s->iv, (size_t)iv_size);
        if (!with_subsamples)
            continue;
        if (s->nb_subsamples > UINT16_MAX) {
            b->err = SV_ERR_RANGE;
            return;
        }
        sv__buf_u16(b, (uint16_t)s->nb_subsamples);
        for (size_t j = 0; j < s->nb_subsamples; j++) {
            const sv_subsample *ss = &subsamples[s->first_subsample + j];
            if (ss->clear_bytes > UINT16_MAX) {
                b->err = SV_ERR_RANGE;
                return;
            }
            sv__buf_u16(b, (uint16_t)ss->clear_bytes);
            sv__buf_u32(b, ss->protected_bytes);
        }
    }
    sv__buf_box_end(b, box);
}

void sv__cenc_write_saiz(sv__buf *b, const sv__cenc_sample *samples, size_t n, int iv_size,
                         int with_subsamples)
{
    size_t box = sv__buf_fullbox_begin(b, T('s', 'a', 'i', 'z'), 0, 0);
    size_t first = n ? aux_size(&samples[0], iv_size, with_subsamples) : 0;
    int same = first <= 255;
    for (size_t i = 1; i < n && same; i++)
        same = aux_size(&samples[i], iv_size, with_subsamples) == first;
    /* One default size when every sample agrees, else a table. */
    sv__buf_u8(b, same ? (uint8_t)first : 0);
    sv__buf_u32(b, (uint32_t)n);
    for (size_t i = 0; !same && i < n; i++) {
        size_t sz = aux_size(&samples[i], iv_size, with_subsamples);
        if (sz > 255) {
            b->err = SV_ERR_RANGE;
            return;
        }
        sv__buf_u8(b, (uint8_t)sz);
    }
    sv__buf_box_end(b, box);
}

size_t sv__cenc_write_saio(sv__buf *b, uint32_t offset)
{
    size_t box = sv__buf_fullbox_begin(b, T('s', 'a', 'i', 'o'), 0, 0);
    sv__buf_u32(b, 1);
    size_t at = b->size;
    sv__buf_u32(b, offset);
    sv__buf_box_end(b, box);
    return at;
}
