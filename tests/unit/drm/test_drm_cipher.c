/*
 * The reusable sample cipher (sv__cenc_cipher) against an oracle that does
 * what the scheme text says in the plainest way: one EVP call per 16-byte
 * crypt block, a fresh context per sample. Covers patterned ranges long
 * enough to fill the gather buffer several times, crypt runs too long to
 * gather, one object reused over samples, schemes and IV sizes, and the
 * ClearKey CDM dropping its cached decryptor when a key is replaced.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>

#include "drm/cenc.h"
#include "fixture.h"

/* Sample layout: clear 100, protected 50000, clear 7, protected 4805 (ends in a
 * partial block), clear 3 with nothing protected, clear 20, protected 15
 * (less than a block). 54950 bytes. */
static const sv_subsample subs[] = { { 100, 50000 }, { 7, 4805 }, { 3, 0 }, { 20, 15 } };
#define SAMPLE_SIZE 54950

static void fill(uint8_t *p, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        p[i] = (uint8_t)(seed >> 16);
    }
}

/* The oracle: encrypts `s` in place block by block. */
static void oracle_encrypt(const uint8_t key[16], const sv_encrypted_sample *s)
{
    int ctr = s->scheme == SV_SCHEME_CENC || s->scheme == SV_SCHEME_CENS;
    size_t crypt = s->skip_byte_block ? s->crypt_byte_block : SIZE_MAX;
    size_t skip = s->skip_byte_block;
    uint8_t iv[16] = { 0 };
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    size_t pos = 0;
    int outl;

    memcpy(iv, s->iv, (size_t)s->iv_size);
    assert_non_null(ctx);
    assert_true(EVP_EncryptInit_ex(ctx, ctr ? EVP_aes_128_ctr() : EVP_aes_128_cbc(), NULL, key,
                                   iv));
    EVP_CIPHER_CTX_set_padding(ctx, 0);
    for (size_t i = 0; i < s->nb_subsamples; i++) {
        uint8_t *p = s->data + pos + s->subsamples[i].clear_bytes;
        size_t len = s->subsamples[i].protected_bytes;
        pos += s->subsamples[i].clear_bytes + len;
        if (s->scheme == SV_SCHEME_CBCS)
            assert_true(EVP_EncryptInit_ex(ctx, NULL, NULL, NULL, iv));
        /* Block b of the range is encrypted when (b mod crypt+skip) < crypt. */
        for (size_t b = 0; b * 16 < len; b++) {
            size_t n = len - b * 16 < 16 ? len - b * 16 : 16;
            if (skip && b % (crypt + skip) >= crypt)
                continue;
            if (n < 16 && (!ctr || skip))
                continue; /* partial blocks: CBC never, patterns never */
            assert_true(EVP_EncryptUpdate(ctx, p + b * 16, &outl, p + b * 16, (int)n));
        }
    }
    EVP_CIPHER_CTX_free(ctx);
}

/* Encrypts a fresh sample with the oracle, decrypts it with `dec` and encrypts
 * it back with `enc` (both reused objects): plaintext and ciphertext again. */
static void round_trip(sv__cenc_cipher *dec, sv__cenc_cipher *enc, sv_encryption_scheme scheme,
                       int crypt, int skip, int iv_size, uint32_t seed)
{
    uint8_t *clear = malloc(SAMPLE_SIZE), *buf = malloc(SAMPLE_SIZE), *cipher = malloc(SAMPLE_SIZE);
    sv_encrypted_sample s = { .scheme = scheme, .iv_size = iv_size,
                              .crypt_byte_block = (uint8_t)crypt, .skip_byte_block = (uint8_t)skip,
                              .subsamples = subs, .nb_subsamples = 4, .size = SAMPLE_SIZE };
    assert_non_null(clear);
    assert_non_null(buf);
    assert_non_null(cipher);
    fill(clear, SAMPLE_SIZE, seed);
    fill(s.iv, (size_t)iv_size, seed ^ 0x5a5a5a5au);
    memcpy(cipher, clear, SAMPLE_SIZE);
    s.data = cipher;
    oracle_encrypt(fx_key, &s);
    /* The oracle really encrypted something (a wrong layout would not). */
    assert_memory_not_equal(cipher + 100, clear + 100, 16);

    memcpy(buf, cipher, SAMPLE_SIZE);
    s.data = buf;
    assert_int_equal(sv__cenc_cipher_sample(dec, &s), 0);
    assert_memory_equal(buf, clear, SAMPLE_SIZE);
    assert_int_equal(sv__cenc_cipher_sample(enc, &s), 0);
    assert_memory_equal(buf, cipher, SAMPLE_SIZE);
    free(clear);
    free(buf);
    free(cipher);
}

static void patterns_match_the_block_by_block_oracle(void **state)
{
    sv__cenc_cipher *dec = NULL, *enc = NULL;
    (void)state;
    assert_int_equal(sv__cenc_cipher_create(fx_key, 0, &dec), 0);
    assert_int_equal(sv__cenc_cipher_create(fx_key, 1, &enc), 0);
    /* cbcs 1:9 (the common video pattern), 5:5, and crypt runs of 1600 and
     * 4080 bytes (gathered two at a time, and too long to gather). */
    round_trip(dec, enc, SV_SCHEME_CBCS, 1, 9, 16, 1);
    round_trip(dec, enc, SV_SCHEME_CBCS, 5, 5, 16, 2);
    round_trip(dec, enc, SV_SCHEME_CBCS, 100, 28, 16, 3);
    round_trip(dec, enc, SV_SCHEME_CBCS, 255, 1, 8, 4);
    /* cens: the keystream runs over crypt blocks only, across subsamples. */
    round_trip(dec, enc, SV_SCHEME_CENS, 1, 9, 8, 5);
    round_trip(dec, enc, SV_SCHEME_CENS, 2, 3, 16, 6);
    /* No pattern: cenc (partial blocks included), cbc1 (chained). */
    round_trip(dec, enc, SV_SCHEME_CENC, 0, 0, 8, 7);
    round_trip(dec, enc, SV_SCHEME_CBC1, 0, 0, 16, 8);
    /* The same objects again, after other schemes ran on them: each sample
     * starts from its own IV, nothing carries over. */
    round_trip(dec, enc, SV_SCHEME_CBCS, 1, 9, 16, 9);
    round_trip(dec, enc, SV_SCHEME_CENC, 0, 0, 16, 10);
    sv__cenc_cipher_destroy(dec);
    sv__cenc_cipher_destroy(enc);
    sv__cenc_cipher_destroy(NULL);
}

static void bad_arguments_are_refused(void **state)
{
    sv__cenc_cipher *c = NULL;
    uint8_t buf[32] = { 0 };
    sv_encrypted_sample s = { .scheme = SV_SCHEME_CENC, .iv_size = 12, .data = buf, .size = 32 };
    (void)state;
    assert_int_equal(sv__cenc_cipher_create(NULL, 0, &c), SV_ERR_INVALID);
    assert_int_equal(sv__cenc_cipher_create(fx_key, 0, NULL), SV_ERR_INVALID);
    assert_int_equal(sv__cenc_cipher_create(fx_key, 0, &c), 0);
    assert_int_equal(sv__cenc_cipher_sample(c, NULL), SV_ERR_INVALID);
    assert_int_equal(sv__cenc_cipher_sample(c, &s), SV_ERR_DRM);
    s.iv_size = 8;
    s.scheme = SV_SCHEME_HLS_AES128;
    assert_int_equal(sv__cenc_cipher_sample(c, &s), SV_ERR_UNSUPPORTED);
    /* A refused sample is left alone. */
    static const uint8_t zero[32];
    assert_memory_equal(buf, zero, 32);
    sv__cenc_cipher_destroy(c);
}

/* The CDM keeps a decryptor per key; a replaced key must not decrypt with
 * the old schedule. */
static void cdm_replaced_key_is_used(void **state)
{
    static const sv_subsample one[] = { { 10, 400 } };
    uint8_t key2[16], clear[410], buf[410];
    sv_cdm *cdm = NULL;
    sv_encrypted_sample s = { .scheme = SV_SCHEME_CBCS, .iv_size = 16, .crypt_byte_block = 1,
                              .skip_byte_block = 9, .subsamples = one, .nb_subsamples = 1,
                              .size = sizeof(buf) };
    (void)state;
    memcpy(key2, fx_key, 16);
    key2[15] ^= 0x80;
    memcpy(s.kid, fx_kid, 16);
    fill(s.iv, 16, 77);
    fill(clear, sizeof(clear), 78);
    assert_int_equal(sv_cdm_clearkey_create(&cdm), 0);
    assert_int_equal(sv_cdm_clearkey_add_key(cdm, fx_kid, fx_key), 0);
    for (int round = 0; round < 2; round++) {
        const uint8_t *key = round ? key2 : fx_key;
        if (round)
            assert_int_equal(sv_cdm_clearkey_add_key(cdm, fx_kid, key2), 0);
        /* Two samples per key: the second one reuses the cached decryptor. */
        for (int i = 0; i < 2; i++) {
            memcpy(buf, clear, sizeof(buf));
            s.data = buf;
            oracle_encrypt(key, &s);
            assert_memory_not_equal(buf, clear, sizeof(buf));
            assert_int_equal(cdm->decrypt(cdm->opaque, &s), 0);
            assert_memory_equal(buf, clear, sizeof(buf));
        }
    }
    cdm->destroy(cdm);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(patterns_match_the_block_by_block_oracle),
        cmocka_unit_test(bad_arguments_are_refused),
        cmocka_unit_test(cdm_replaced_key_is_used),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
