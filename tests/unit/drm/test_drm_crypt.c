/*
 * Sample decryption against fixed vectors made by the openssl CLI
 * (gen_vectors.py -> vectors.h), with Shaka's ClearKey test asset key; the
 * inverse (encryption) must give the vectors back; layout errors and a
 * wrong key are caught.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "drm/cenc.h"
#include "fixture.h"
#include "vectors.h"

static const uint8_t iv16[16] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };

static void plain(uint8_t *p, size_t n, int seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(i * 7 + (size_t)seed);
}

/* Decrypts `cipher` per `s` and checks the plaintext; then encrypts it back
 * and checks the ciphertext: both directions against the CLI's bytes. */
static void check_both_ways(sv_encrypted_sample s, const uint8_t *cipher, size_t n, int seed)
{
    uint8_t *buf = malloc(n), *want = malloc(n);
    plain(want, n, seed);
    memcpy(buf, cipher, n);
    s.data = buf;
    s.size = n;
    assert_int_equal(sv__cenc_crypt_sample(fx_key, &s, 0), 0);
    assert_memory_equal(buf, want, n);
    assert_int_equal(sv__cenc_crypt_sample(fx_key, &s, 1), 0);
    assert_memory_equal(buf, cipher, n);
    free(buf);
    free(want);
}

static void cenc_whole_sample_16_byte_iv(void **state)
{
    sv_encrypted_sample s = { .scheme = SV_SCHEME_CENC, .iv_size = 16 };
    (void)state;
    memcpy(s.iv, iv16, 16);
    check_both_ways(s, vec_cenc_full, sizeof(vec_cenc_full), 3);
}

static void cenc_subsamples_8_byte_iv_and_zero_protected(void **state)
{
    static const sv_subsample subs[] = { { 10, 40 }, { 5, 0 }, { 20, 45 } };
    sv_encrypted_sample s = { .scheme = SV_SCHEME_CENC, .iv_size = 8,
                              .iv = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88 },
                              .subsamples = subs, .nb_subsamples = 3 };
    (void)state;
    check_both_ways(s, vec_cenc_sub, sizeof(vec_cenc_sub), 5);
}

static void cbc1_chains_across_subsamples(void **state)
{
    static const sv_subsample subs[] = { { 16, 32 }, { 8, 48 } };
    sv_encrypted_sample s = { .scheme = SV_SCHEME_CBC1, .iv_size = 16,
                              .subsamples = subs, .nb_subsamples = 2 };
    (void)state;
    memcpy(s.iv, iv16, 16);
    check_both_ways(s, vec_cbc1, sizeof(vec_cbc1), 11);
}

static void cbc1_8_byte_iv_leaves_partial_block_clear(void **state)
{
    sv_encrypted_sample s = { .scheme = SV_SCHEME_CBC1, .iv_size = 8,
                              .iv = { 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11 } };
    uint8_t want[50];
    (void)state;
    plain(want, 50, 19);
    assert_memory_equal(vec_cbc1_iv8 + 48, want + 48, 2); /* the CLI left it clear too */
    check_both_ways(s, vec_cbc1_iv8, sizeof(vec_cbc1_iv8), 19);
}

static void cens_pattern_2_3(void **state)
{
    static const sv_subsample subs[] = { { 5, 200 } };
    sv_encrypted_sample s = { .scheme = SV_SCHEME_CENS, .iv_size = 16, .crypt_byte_block = 2,
                              .skip_byte_block = 3, .subsamples = subs, .nb_subsamples = 1 };
    (void)state;
    memcpy(s.iv, iv16, 16);
    check_both_ways(s, vec_cens, sizeof(vec_cens), 13);
}

static void cbcs_pattern_1_9_constant_iv_partial_blocks(void **state)
{
    static const sv_subsample subs[] = { { 4, 340 }, { 3, 37 } };
    sv_encrypted_sample s = { .scheme = SV_SCHEME_CBCS, .iv_size = 16, .crypt_byte_block = 1,
                              .skip_byte_block = 9, .subsamples = subs, .nb_subsamples = 2,
                              .iv = { 0xf0, 0xe0, 0xd0, 0xc0, 0xb0, 0xa0, 0x90, 0x80,
                                      0x70, 0x60, 0x50, 0x40, 0x30, 0x20, 0x10, 0x00 } };
    uint8_t want[sizeof(vec_cbcs)];
    (void)state;
    plain(want, sizeof(want), 17);
    /* The last 4 bytes of the first run are a partial block: clear. */
    assert_memory_equal(vec_cbcs + 4 + 336, want + 4 + 336, 4);
    check_both_ways(s, vec_cbcs, sizeof(vec_cbcs), 17);
}

static void hls_aes128_iv_from_sequence(void **state)
{
    uint8_t iv[16], buf[sizeof(vec_hls_seq7)], want[100], *enc = NULL;
    size_t n = 0;
    (void)state;
    sv__hls_iv_from_sequence(7, iv);
    assert_int_equal(iv[15], 7);
    assert_int_equal(iv[0], 0);
    memcpy(buf, vec_hls_seq7, sizeof(buf));
    plain(want, 100, 23);
    assert_int_equal(sv__hls_aes128_decrypt(fx_key, iv, buf, sizeof(buf), &n), 0);
    assert_int_equal(n, 100);
    assert_memory_equal(buf, want, 100);
    assert_int_equal(sv__hls_aes128_encrypt(fx_key, iv, want, 100, &enc, &n), 0);
    assert_int_equal(n, sizeof(vec_hls_seq7));
    assert_memory_equal(enc, vec_hls_seq7, n);
    free(enc);
    /* Not a whole number of blocks: refused. */
    assert_int_equal(sv__hls_aes128_decrypt(fx_key, iv, buf, 20, &n), SV_ERR_DRM);
}

static void wrong_key_is_detected(void **state)
{
    uint8_t key[16], buf[sizeof(vec_cenc_full)], want[100], hls[sizeof(vec_hls_seq7)], iv[16];
    sv_encrypted_sample s = { .scheme = SV_SCHEME_CENC, .iv_size = 16, .data = buf,
                              .size = sizeof(buf) };
    size_t n;
    int bad = 0;
    (void)state;
    memcpy(key, fx_key, 16);
    key[0] ^= 1;
    memcpy(s.iv, iv16, 16);
    memcpy(buf, vec_cenc_full, sizeof(buf));
    plain(want, 100, 3);
    /* CTR cannot tell: the known-plaintext check is what catches it. */
    assert_int_equal(sv__cenc_crypt_sample(key, &s, 0), 0);
    assert_memory_not_equal(buf, want, 100);
    /* HLS padding checks catch a wrong key (with overwhelming odds). */
    memcpy(hls, vec_hls_seq7, sizeof(hls));
    sv__hls_iv_from_sequence(7, iv);
    bad = sv__hls_aes128_decrypt(key, iv, hls, sizeof(hls), &n);
    assert_true(bad == SV_ERR_DRM || memcmp(hls, want, 100) != 0);
    assert_int_equal(bad, SV_ERR_DRM);
}

static void bad_layouts_are_refused(void **state)
{
    static const sv_subsample past[] = { { 10, 40 }, { 5, 80 } };
    uint8_t buf[120] = { 0 };
    sv_encrypted_sample s = { .scheme = SV_SCHEME_CENC, .iv_size = 16, .data = buf,
                              .size = sizeof(buf), .subsamples = past, .nb_subsamples = 2 };
    (void)state;
    assert_int_equal(sv__cenc_crypt_sample(fx_key, &s, 0), SV_ERR_DRM);
    s.nb_subsamples = 0;
    s.iv_size = 12;
    assert_int_equal(sv__cenc_crypt_sample(fx_key, &s, 0), SV_ERR_DRM);
    s.iv_size = 16;
    s.scheme = SV_SCHEME_HLS_AES128;
    assert_int_equal(sv__cenc_crypt_sample(fx_key, &s, 0), SV_ERR_UNSUPPORTED);
    s.scheme = SV_SCHEME_CBCS;
    s.crypt_byte_block = 0;
    s.skip_byte_block = 9;
    assert_int_equal(sv__cenc_crypt_sample(fx_key, &s, 0), SV_ERR_DRM);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cenc_whole_sample_16_byte_iv),
        cmocka_unit_test(cenc_subsamples_8_byte_iv_and_zero_protected),
        cmocka_unit_test(cbc1_chains_across_subsamples),
        cmocka_unit_test(cbc1_8_byte_iv_leaves_partial_block_clear),
        cmocka_unit_test(cens_pattern_2_3),
        cmocka_unit_test(cbcs_pattern_1_9_constant_iv_partial_blocks),
        cmocka_unit_test(hls_aes128_iv_from_sequence),
        cmocka_unit_test(wrong_key_is_detected),
        cmocka_unit_test(bad_layouts_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
