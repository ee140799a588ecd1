/*
 * CENC boxes end to end in memory: the box walker's bounds, init parsing,
 * the clear init rewrite, fragments written with the drm/ writers and
 * encrypted with the drm/ encryptor (all four schemes, key rotation) parsed
 * and decrypted back through the ClearKey CDM, and malformed fragments.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "drm/box.h"
#include "drm/cenc.h"
#include "fixture.h"

#define T(a, b, c, d) SV__FOURCC(a, b, c, d)
#define NB 3

static const uint8_t kid2[16] = { 0xaa, 0xbb, 0xcc, 0xdd, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
static const uint8_t key2[16] = { 0x0f, 0x1e, 0x2d, 0x3c, 0x4b, 0x5a, 0x69, 0x78,
                                  0x87, 0x96, 0xa5, 0xb4, 0xc3, 0xd2, 0xe1, 0xf0 };

/* One AVC access unit: SPS, PPS, an IDR slice, and a short P slice. */
static size_t make_access_unit(uint8_t *p, int seed)
{
    static const struct { uint8_t type; uint32_t len; } nals[] = {
        { 0x67, 20 }, { 0x68, 6 }, { 0x65, 300 }, { 0x41, 17 }, { 0x41, 90 }
    };
    size_t pos = 0;
    for (size_t i = 0; i < sizeof(nals) / sizeof(nals[0]); i++) {
        sv__wb32(p + pos, nals[i].len);
        p[pos + 4] = nals[i].type;
        for (uint32_t j = 1; j < nals[i].len; j++)
            p[pos + 4 + j] = (uint8_t)(j * 13 + (uint32_t)seed + i);
        pos += 4 + nals[i].len;
    }
    return pos;
}

typedef struct scenario {
    sv_encryption_scheme scheme;
    int iv_size;        /* 0: constant IV */
    uint8_t crypt, skip;
    int rotate;         /* second and third samples use kid2 through seig */
} scenario;

typedef struct built {
    sv__buf init, frag;
    fx_layout layout;
    uint8_t clear[NB][600];
    uint32_t sizes[NB];
} built;

static void build(const scenario *sc, built *out)
{
    static uint8_t enc[NB][600];
    const uint8_t *samples[NB];
    sv__cenc_sample info[NB];
    sv_subsample subs[NB * 8];
    size_t nsubs = 0;
    sv__tenc tenc = { .is_protected = 1, .iv_size = (uint8_t)sc->iv_size,
                      .crypt_byte_block = sc->crypt, .skip_byte_block = sc->skip };
    sv__tenc seig[1];
    static const uint32_t runs[] = { 1, 0, 2, 1 };

    memcpy(tenc.kid, fx_kid, 16);
    if (!sc->iv_size) {
        tenc.constant_iv_size = 16;
        memset(tenc.constant_iv, 0x5c, 16);
    }
    seig[0] = tenc;
    memcpy(seig[0].kid, kid2, 16);
    sv__buf_init(&out->init);
    sv__buf_init(&out->frag);
    fx_init(&out->init, sv__cenc_scheme_fourcc(sc->scheme), &tenc);

    memset(info, 0, sizeof(info));
    for (int i = 0; i < NB; i++) {
        out->sizes[i] = (uint32_t)make_access_unit(out->clear[i], i);
        memcpy(enc[i], out->clear[i], out->sizes[i]);
        samples[i] = enc[i];
        int n = sv__cenc_nal_subsamples(enc[i], out->sizes[i], 4, SV__NAL_AVC, subs + nsubs, 8);
        assert_true(n > 0);
        info[i].first_subsample = nsubs;
        info[i].nb_subsamples = (size_t)n;
        nsubs += (size_t)n;
        info[i].iv_size = (uint8_t)(sc->iv_size ? sc->iv_size : 16);
        if (sc->iv_size)
            memset(info[i].iv, 0x30 + i, (size_t)sc->iv_size);
        else
            memcpy(info[i].iv, tenc.constant_iv, 16);
        sv_encrypted_sample s = { .scheme = sc->scheme, .iv_size = info[i].iv_size,
                                  .crypt_byte_block = sc->crypt, .skip_byte_block = sc->skip,
                                  .subsamples = subs + info[i].first_subsample,
                                  .nb_subsamples = (size_t)n, .data = enc[i],
                                  .size = out->sizes[i] };
        memcpy(s.iv, info[i].iv, 16);
        assert_int_equal(sv__cenc_crypt_sample(sc->rotate && i ? key2 : fx_key, &s, 1), 0);
    }
    fx_frag f = { .samples = samples, .sizes = out->sizes, .info = info, .subsamples = subs,
                  .nb = NB, .iv_size = sc->iv_size, .with_subsamples = 1,
                  .seig = sc->rotate ? seig : NULL, .nb_seig = sc->rotate ? 1 : 0,
                  .seig_runs = runs, .nb_runs = 2 };
    fx_fragment(&out->frag, &f, &out->layout);
    assert_int_equal(out->init.err, 0);
    assert_int_equal(out->frag.err, 0);
}

static void release(built *b)
{
    sv__buf_free(&b->init);
    sv__buf_free(&b->frag);
}

static sv_cdm *clearkey_with_keys(void)
{
    sv_cdm *cdm = NULL;
    assert_int_equal(sv_cdm_clearkey_create(&cdm), 0);
    assert_int_equal(sv_cdm_clearkey_add_key(cdm, fx_kid, fx_key), 0);
    assert_int_equal(sv_cdm_clearkey_add_key(cdm, kid2, key2), 0);
    return cdm;
}

static void round_trip(const scenario *sc)
{
    built b;
    sv__cenc_init init;
    sv__cenc_fragment frag = { 0 };
    sv_cdm *cdm = clearkey_with_keys();

    build(sc, &b);
    assert_int_equal(sv__cenc_parse_init(b.init.data, b.init.size, &init), 0);
    assert_int_equal(init.tracks[0].scheme, sc->scheme);
    assert_int_equal(sv__cenc_parse_fragment(&init, b.frag.data, b.frag.size, &frag), 0);
    assert_int_equal(frag.nb_samples, NB);
    size_t pos = b.layout.mdat_data;
    for (int i = 0; i < NB; i++) {
        /* Encrypted: the slice data differs, the SPS/PPS and headers do not. */
        assert_memory_not_equal(b.frag.data + pos, b.clear[i], b.sizes[i]);
        assert_memory_equal(b.frag.data + pos, b.clear[i], 4 + 20 + 4 + 6 + 4 + 1);
        assert_int_equal(frag.samples[i].offset, pos);
        assert_memory_equal(frag.samples[i].kid, sc->rotate && i ? kid2 : fx_kid, 16);
        pos += b.sizes[i];
    }
    assert_int_equal(sv__cenc_decrypt_fragment(&frag, b.frag.data, b.frag.size, cdm), 0);
    pos = b.layout.mdat_data;
    for (int i = 0; i < NB; i++) {
        assert_memory_equal(b.frag.data + pos, b.clear[i], b.sizes[i]);
        pos += b.sizes[i];
    }
    sv__cenc_fragment_reset(&frag);
    cdm->destroy(cdm);
    release(&b);
}

static void round_trip_cenc_8_byte_iv(void **state)
{
    scenario sc = { SV_SCHEME_CENC, 8, 0, 0, 0 };
    (void)state;
    round_trip(&sc);
}

static void round_trip_cbcs_constant_iv(void **state)
{
    scenario sc = { SV_SCHEME_CBCS, 0, 1, 9, 0 };
    (void)state;
    round_trip(&sc);
}

static void round_trip_cens_16_byte_iv(void **state)
{
    scenario sc = { SV_SCHEME_CENS, 16, 1, 9, 0 };
    (void)state;
    round_trip(&sc);
}

static void round_trip_cbc1(void **state)
{
    scenario sc = { SV_SCHEME_CBC1, 16, 0, 0, 0 };
    (void)state;
    round_trip(&sc);
}

static void key_rotation_through_seig(void **state)
{
    scenario sc = { SV_SCHEME_CENC, 16, 0, 0, 1 };
    (void)state;
    round_trip(&sc);
}

static void missing_rotated_key_is_no_key(void **state)
{
    scenario sc = { SV_SCHEME_CENC, 16, 0, 0, 1 };
    built b;
    sv__cenc_init init;
    sv__cenc_fragment frag = { 0 };
    sv_cdm *cdm = NULL;
    (void)state;
    build(&sc, &b);
    assert_int_equal(sv_cdm_clearkey_create(&cdm), 0);
    assert_int_equal(sv_cdm_clearkey_add_key(cdm, fx_kid, fx_key), 0);
    assert_int_equal(sv__cenc_parse_init(b.init.data, b.init.size, &init), 0);
    assert_int_equal(sv__cenc_parse_fragment(&init, b.frag.data, b.frag.size, &frag), 0);
    assert_int_equal(sv__cenc_decrypt_fragment(&frag, b.frag.data, b.frag.size, cdm), SV_ERR_NO_KEY);
    sv__cenc_fragment_reset(&frag);
    cdm->destroy(cdm);
    release(&b);
}

static void init_is_parsed(void **state)
{
    scenario sc = { SV_SCHEME_CBCS, 0, 1, 9, 0 };
    built b;
    sv__cenc_init init;
    static const uint8_t common[16] = SV_SYSTEM_ID_W3C_COMMON;
    (void)state;
    build(&sc, &b);
    assert_int_equal(sv__cenc_parse_init(b.init.data, b.init.size, &init), 0);
    assert_int_equal(init.nb_tracks, 1);
    const sv__cenc_track *t = sv__cenc_init_track(&init, 1);
    assert_non_null(t);
    assert_int_equal(t->sample_entry, T('e', 'n', 'c', 'v'));
    assert_int_equal(t->original_format, T('a', 'v', 'c', '1'));
    assert_int_equal(t->scheme_type, T('c', 'b', 'c', 's'));
    assert_int_equal(t->tenc.crypt_byte_block, 1);
    assert_int_equal(t->tenc.skip_byte_block, 9);
    assert_int_equal(t->tenc.constant_iv_size, 16);
    assert_memory_equal(t->tenc.kid, fx_kid, 16);
    assert_int_equal(init.nb_pssh, 2);
    assert_memory_equal(init.pssh[0].system_id, common, 16);
    assert_int_equal(init.pssh[0].version, 1);
    assert_int_equal(init.pssh[0].nb_kids, 1);
    assert_memory_equal(init.pssh[0].kids, fx_kid, 16);
    release(&b);
}

/* Walks every box of a range, descending into the known containers; fails
 * the test on any inconsistent size and counts boxes of `type`. */
static int count_boxes(const uint8_t *p, size_t n, uint32_t type)
{
    sv__box_iter it;
    sv__box box;
    int count = 0, ret;
    sv__box_iter_init(&it, p, n);
    while ((ret = sv__box_next(&it, &box)) == 1) {
        count += box.type == type;
        switch (box.type) {
        case T('m', 'o', 'o', 'v'): case T('t', 'r', 'a', 'k'): case T('m', 'd', 'i', 'a'):
        case T('m', 'i', 'n', 'f'): case T('s', 't', 'b', 'l'): case T('s', 'i', 'n', 'f'):
        case T('s', 'c', 'h', 'i'):
            count += count_boxes(box.payload, box.payload_size, type);
            break;
        case T('s', 't', 's', 'd'):
            count += count_boxes(box.payload + 8, box.payload_size - 8, type);
            break;
        case T('e', 'n', 'c', 'v'): case T('a', 'v', 'c', '1'):
            count += count_boxes(box.payload + 78, box.payload_size - 78, type);
            break;
        default:
            break;
        }
    }
    assert_int_equal(ret, 0);
    return count;
}

static void init_rewrite_gives_clear_init(void **state)
{
    scenario sc = { SV_SCHEME_CENC, 8, 0, 0, 0 };
    built b;
    uint8_t *clear = NULL;
    size_t n = 0;
    sv__cenc_init init;
    (void)state;
    build(&sc, &b);
    assert_int_equal(count_boxes(b.init.data, b.init.size, T('s', 'i', 'n', 'f')), 1);
    assert_int_equal(count_boxes(b.init.data, b.init.size, T('p', 's', 's', 'h')), 2);
    assert_int_equal(sv__cenc_init_rewrite_clear(b.init.data, b.init.size, NULL, &clear, &n), 0);
    assert_int_equal(count_boxes(clear, n, T('s', 'i', 'n', 'f')), 0);
    assert_int_equal(count_boxes(clear, n, T('t', 'e', 'n', 'c')), 0);
    assert_int_equal(count_boxes(clear, n, T('p', 's', 's', 'h')), 0);
    assert_int_equal(count_boxes(clear, n, T('e', 'n', 'c', 'v')), 0);
    assert_int_equal(count_boxes(clear, n, T('a', 'v', 'c', '1')), 1);
    assert_int_equal(count_boxes(clear, n, T('a', 'v', 'c', 'C')), 1);
    /* Exactly the removed bytes are gone: sinf and both pssh. */
    size_t sinf = 8 + 12 + 20 + 8 + 32, pssh = 2 * (8 + 4 + 16 + 4 + 16 + 4);
    assert_int_equal(n, b.init.size - sinf - pssh);
    assert_int_equal(sv__cenc_parse_init(clear, n, &init), 0);
    assert_int_equal(init.tracks[0].scheme, SV_SCHEME_NONE);
    assert_int_equal(init.tracks[0].sample_entry, T('a', 'v', 'c', '1'));
    /* A clear init comes back the same. */
    uint8_t *again = NULL;
    size_t n2 = 0;
    assert_int_equal(sv__cenc_init_rewrite_clear(clear, n, NULL, &again, &n2), 0);
    assert_int_equal(n2, n);
    assert_memory_equal(again, clear, n);
    free(again);
    free(clear);
    release(&b);
}

static void box_walker_bounds(void **state)
{
    /* A 64-bit size box, then a size-0 box running to the end. */
    uint8_t buf[16 + 4 + 8 + 2] = { 0, 0, 0, 1, 'f', 'r', 'e', 'e', 0, 0, 0, 0, 0, 0, 0, 20,
                                    1, 2, 3, 4, 0, 0, 0, 0, 'm', 'd', 'a', 't', 9, 9 };
    sv__box_iter it;
    sv__box box;
    (void)state;
    sv__box_iter_init(&it, buf, sizeof(buf));
    assert_int_equal(sv__box_next(&it, &box), 1);
    assert_int_equal(box.size, 20);
    assert_int_equal(box.payload_size, 4);
    assert_int_equal(sv__box_next(&it, &box), 1);
    assert_int_equal(box.type, T('m', 'd', 'a', 't'));
    assert_int_equal(box.payload_size, 2);
    assert_int_equal(sv__box_next(&it, &box), 0);
    /* Overrunning the parent, a size below the header, a cut header. */
    sv__wb32(buf + 20, 11);
    sv__box_iter_init(&it, buf + 20, 10);
    assert_int_equal(sv__box_next(&it, &box), SV_ERR_PARSE);
    sv__wb32(buf + 20, 7);
    sv__box_iter_init(&it, buf + 20, 10);
    assert_int_equal(sv__box_next(&it, &box), SV_ERR_PARSE);
    sv__box_iter_init(&it, buf, 12);
    assert_int_equal(sv__box_next(&it, &box), SV_ERR_PARSE);
    buf[15] = 200; /* largesize past the end */
    sv__box_iter_init(&it, buf, sizeof(buf));
    assert_int_equal(sv__box_next(&it, &box), SV_ERR_PARSE);
}

/* Parses b.frag after `mutate`; returns the parser's code. */
static int parse_mutated(built *b)
{
    sv__cenc_init init;
    sv__cenc_fragment frag = { 0 };
    assert_int_equal(sv__cenc_parse_init(b->init.data, b->init.size, &init), 0);
    int ret = sv__cenc_parse_fragment(&init, b->frag.data, b->frag.size, &frag);
    assert_int_equal(frag.nb_samples, 0); /* nothing left behind on failure */
    assert_null(frag.samples);
    return ret;
}

static void malformed_fragments_are_refused(void **state)
{
    scenario sc = { SV_SCHEME_CENC, 8, 0, 0, 0 };
    built b;
    (void)state;

    /* senc claims one more sample than trun has. */
    build(&sc, &b);
    sv__wb32(b.frag.data + b.layout.senc + 12, NB + 1);
    assert_int_equal(parse_mutated(&b), SV_ERR_PARSE);
    release(&b);

    /* senc truncated: its box ends before the last entry does. */
    build(&sc, &b);
    uint32_t senc_size = sv__rb32(b.frag.data + b.layout.senc);
    sv__wb32(b.frag.data + b.layout.senc, senc_size - 7);
    /* keep the parent consistent: a free box covers the cut bytes */
    sv__wb32(b.frag.data + b.layout.senc + senc_size - 7, 7);
    assert_int_equal(parse_mutated(&b), SV_ERR_PARSE);
    release(&b);

    /* saiz sample count disagrees with trun. */
    build(&sc, &b);
    sv__wb32(b.frag.data + b.layout.saiz + 13, NB - 1);
    assert_int_equal(parse_mutated(&b), SV_ERR_PARSE);
    release(&b);

    /* saiz size disagrees with senc's entries. */
    build(&sc, &b);
    b.frag.data[b.layout.saiz + 12] = 3;
    assert_int_equal(parse_mutated(&b), SV_ERR_PARSE);
    release(&b);

    /* subsamples summing past the sample: grow the first protected size. */
    build(&sc, &b);
    size_t first_entry = b.layout.senc + 16 + 8 + 2; /* header, IV, count */
    uint32_t prot = sv__rb32(b.frag.data + first_entry + 2);
    sv__wb32(b.frag.data + first_entry + 2, prot + 1000);
    assert_int_equal(parse_mutated(&b), SV_ERR_PARSE);
    release(&b);

    /* trun sample sizes past the end of the buffer. */
    build(&sc, &b);
    sv__wb32(b.frag.data + b.layout.trun + 20, 0x7fffffff);
    assert_int_equal(parse_mutated(&b), SV_ERR_PARSE);
    release(&b);

    /* A box (the senc) overrunning its parent traf. */
    build(&sc, &b);
    sv__wb32(b.frag.data + b.layout.senc, 0x10000);
    assert_int_equal(parse_mutated(&b), SV_ERR_PARSE);
    release(&b);
}

static void nal_subsample_map(void **state)
{
    uint8_t au[600];
    sv_subsample subs[8];
    size_t n = make_access_unit(au, 0);
    (void)state;
    int count = sv__cenc_nal_subsamples(au, n, 4, SV__NAL_AVC, subs, 8);
    /* SPS+PPS ride in the clear part of the IDR; the 17-byte P slice has
     * 16 body bytes: one block; the last slice 89 body bytes: 80 protected. */
    assert_int_equal(count, 3);
    assert_int_equal(subs[0].clear_bytes, 24 + 10 + 4 + 1 + (299 % 16));
    assert_int_equal(subs[0].protected_bytes, 299 / 16 * 16);
    assert_int_equal(subs[1].clear_bytes, 5);
    assert_int_equal(subs[1].protected_bytes, 16);
    assert_int_equal(subs[2].clear_bytes, 5 + 9);
    assert_int_equal(subs[2].protected_bytes, 80);
    size_t total = 0;
    for (int i = 0; i < count; i++)
        total += subs[i].clear_bytes + subs[i].protected_bytes;
    assert_int_equal(total, n);
    assert_int_equal(sv__cenc_nal_subsamples(au, n, 4, SV__NAL_AVC, subs, 2), SV_ERR_OVERFLOW);
    sv__wb32(au, 5000); /* a NAL length past the sample */
    assert_int_equal(sv__cenc_nal_subsamples(au, n, 4, SV__NAL_AVC, subs, 8), SV_ERR_PARSE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(box_walker_bounds),
        cmocka_unit_test(init_is_parsed),
        cmocka_unit_test(init_rewrite_gives_clear_init),
        cmocka_unit_test(nal_subsample_map),
        cmocka_unit_test(round_trip_cenc_8_byte_iv),
        cmocka_unit_test(round_trip_cbcs_constant_iv),
        cmocka_unit_test(round_trip_cens_16_byte_iv),
        cmocka_unit_test(round_trip_cbc1),
        cmocka_unit_test(key_rotation_through_seig),
        cmocka_unit_test(missing_rotated_key_is_no_key),
        cmocka_unit_test(malformed_fragments_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
