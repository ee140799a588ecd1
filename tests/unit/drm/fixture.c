/* Test fixtures: protected init segments and fragments (fixture.h). */
#include <string.h>

#include "fixture.h"

#define T(a, b, c, d) SV__FOURCC(a, b, c, d)

const uint8_t fx_kid[16] = { 0x40, 0x60, 0xa8, 0x65, 0x88, 0x78, 0x42, 0x67,
                             0x9c, 0xbf, 0x91, 0xae, 0x5b, 0xae, 0x1e, 0x72 };
const uint8_t fx_key[16] = { 0xfc, 0x35, 0x34, 0x08, 0x37, 0x31, 0x0c, 0xc0,
                             0xfb, 0x53, 0xde, 0x97, 0xe2, 0x2a, 0x69, 0xe0 };

static void zeros(sv__buf *b, size_t n)
{
    while (n--)
        sv__buf_u8(b, 0);
}

void fx_init(sv__buf *b, uint32_t scheme_type, const sv__tenc *tenc)
{
    static const uint8_t common[16] = SV_SYSTEM_ID_W3C_COMMON;
    static const uint8_t clearkey[16] = SV_SYSTEM_ID_DASHIF_CLEARKEY;
    size_t ftyp = sv__buf_box_begin(b, T('f', 't', 'y', 'p'));
    sv__buf_u32(b, T('i', 's', 'o', '6'));
    sv__buf_u32(b, 0);
    sv__buf_box_end(b, ftyp);
    size_t moov = sv__buf_box_begin(b, T('m', 'o', 'o', 'v'));
    size_t trak = sv__buf_box_begin(b, T('t', 'r', 'a', 'k'));
    size_t tkhd = sv__buf_fullbox_begin(b, T('t', 'k', 'h', 'd'), 0, 3);
    sv__buf_u32(b, 0);
    sv__buf_u32(b, 0);
    sv__buf_u32(b, 1); /* track_ID */
    zeros(b, 68);
    sv__buf_box_end(b, tkhd);
    size_t mdia = sv__buf_box_begin(b, T('m', 'd', 'i', 'a'));
    size_t minf = sv__buf_box_begin(b, T('m', 'i', 'n', 'f'));
    size_t stbl = sv__buf_box_begin(b, T('s', 't', 'b', 'l'));
    size_t stsd = sv__buf_fullbox_begin(b, T('s', 't', 's', 'd'), 0, 0);
    sv__buf_u32(b, 1);
    size_t encv = sv__buf_box_begin(b, T('e', 'n', 'c', 'v'));
    zeros(b, 6);
    sv__buf_u16(b, 1);   /* data_reference_index */
    zeros(b, 70);        /* the rest of VisualSampleEntry */
    size_t avcc = sv__buf_box_begin(b, T('a', 'v', 'c', 'C'));
    sv__buf_u32(b, 0x01640028);
    sv__buf_box_end(b, avcc);
    sv__cenc_write_sinf(b, T('a', 'v', 'c', '1'), scheme_type, tenc);
    sv__buf_box_end(b, encv);
    sv__buf_box_end(b, stsd);
    sv__buf_box_end(b, stbl);
    sv__buf_box_end(b, minf);
    sv__buf_box_end(b, mdia);
    sv__buf_box_end(b, trak);
    size_t mvex = sv__buf_box_begin(b, T('m', 'v', 'e', 'x'));
    size_t trex = sv__buf_fullbox_begin(b, T('t', 'r', 'e', 'x'), 0, 0);
    sv__buf_u32(b, 1);
    sv__buf_u32(b, 1);
    sv__buf_u32(b, 0);
    sv__buf_u32(b, 0);
    sv__buf_u32(b, 0);
    sv__buf_box_end(b, trex);
    sv__buf_box_end(b, mvex);
    sv__cenc_write_pssh(b, common, (const uint8_t (*)[16])fx_kid, 1, NULL, 0);
    sv__cenc_write_pssh(b, clearkey, (const uint8_t (*)[16])fx_kid, 1, NULL, 0);
    sv__buf_box_end(b, moov);
}

void fx_fragment(sv__buf *b, const fx_frag *f, fx_layout *layout)
{
    size_t moof = sv__buf_box_begin(b, T('m', 'o', 'o', 'f'));
    size_t mfhd = sv__buf_fullbox_begin(b, T('m', 'f', 'h', 'd'), 0, 0);
    sv__buf_u32(b, 1);
    sv__buf_box_end(b, mfhd);
    size_t traf = sv__buf_box_begin(b, T('t', 'r', 'a', 'f'));
    size_t tfhd = sv__buf_fullbox_begin(b, T('t', 'f', 'h', 'd'), 0, 0x20000);
    sv__buf_u32(b, 1);
    sv__buf_box_end(b, tfhd);
    layout->trun = b->size;
    size_t trun = sv__buf_fullbox_begin(b, T('t', 'r', 'u', 'n'), 0, 0x201);
    sv__buf_u32(b, (uint32_t)f->nb);
    size_t data_offset_at = b->size;
    sv__buf_u32(b, 0);
    for (size_t i = 0; i < f->nb; i++)
        sv__buf_u32(b, f->sizes[i]);
    sv__buf_box_end(b, trun);
    if (f->nb_seig) {
        size_t sgpd = sv__buf_fullbox_begin(b, T('s', 'g', 'p', 'd'), 1, 0);
        sv__buf_u32(b, T('s', 'e', 'i', 'g'));
        sv__buf_u32(b, 0); /* default_length 0: a length per entry */
        sv__buf_u32(b, (uint32_t)f->nb_seig);
        for (size_t i = 0; i < f->nb_seig; i++) {
            const sv__tenc *t = &f->seig[i];
            int civ = t->is_protected && !t->iv_size;
            sv__buf_u32(b, 20u + (civ ? 1u + t->constant_iv_size : 0));
            sv__buf_u8(b, 0);
            sv__buf_u8(b, (uint8_t)(t->crypt_byte_block << 4 | t->skip_byte_block));
            sv__buf_u8(b, t->is_protected);
            sv__buf_u8(b, t->iv_size);
            sv__buf_append(b, t->kid, 16);
            if (civ) {
                sv__buf_u8(b, t->constant_iv_size);
                sv__buf_append(b, t->constant_iv, t->constant_iv_size);
            }
        }
        sv__buf_box_end(b, sgpd);
        size_t sbgp = sv__buf_fullbox_begin(b, T('s', 'b', 'g', 'p'), 0, 0);
        sv__buf_u32(b, T('s', 'e', 'i', 'g'));
        sv__buf_u32(b, (uint32_t)f->nb_runs);
        for (size_t i = 0; i < f->nb_runs; i++) {
            sv__buf_u32(b, f->seig_runs[2 * i]);
            sv__buf_u32(b, f->seig_runs[2 * i + 1] ? 0x10000 + f->seig_runs[2 * i + 1] : 0);
        }
        sv__buf_box_end(b, sbgp);
    }
    layout->senc = b->size;
    sv__cenc_write_senc(b, f->info, f->nb, f->subsamples, f->iv_size, f->with_subsamples);
    layout->saiz = b->size;
    sv__cenc_write_saiz(b, f->info, f->nb, f->iv_size, f->with_subsamples);
    size_t saio_at = sv__cenc_write_saio(b, 0);
    sv__buf_box_end(b, traf);
    sv__buf_box_end(b, moof);
    if (!b->err) {
        /* saio points at senc's first entry, relative to the moof. */
        sv__wb32(b->data + saio_at, (uint32_t)(layout->senc + 16 - moof));
        sv__wb32(b->data + data_offset_at, (uint32_t)(b->size + 8 - moof));
    }
    size_t mdat = sv__buf_box_begin(b, T('m', 'd', 'a', 't'));
    layout->mdat_data = b->size;
    for (size_t i = 0; i < f->nb; i++)
        sv__buf_append(b, f->samples[i], f->sizes[i]);
    sv__buf_box_end(b, mdat);
}
