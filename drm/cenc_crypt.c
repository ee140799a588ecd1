/*
 * Sample decryption and encryption for the four CENC schemes, in place, with
 * OpenSSL EVP doing every AES operation.
 *
 * cenc/cens run AES-128-CTR: one keystream over all protected bytes of the
 * sample (the context carries the counter and any partial block across
 * subsamples). cbc1/cbcs run AES-128-CBC without padding: only whole blocks
 * are touched, so a trailing partial block stays clear; cbc1 chains across
 * subsamples, cbcs restarts from the IV at every subsample. With a pattern
 * (skip > 0), each protected range is crypt blocks processed, skip blocks
 * left alone, repeated; a partial block is never processed.
 */
#include <string.h>

#include <openssl/evp.h>

#include "cenc.h"

static int run(EVP_CIPHER_CTX *ctx, uint8_t *p, size_t len)
{
    /* EVP takes int lengths: feed large ranges in slices. The CTR and CBC
     * state carries over between calls, so slicing changes nothing. */
    while (len > 0) {
        int chunk = len > (1u << 30) ? 1 << 30 : (int)len, outl = 0;
        if (!EVP_CipherUpdate(ctx, p, &outl, p, chunk) || outl != chunk)
            return SV_ERR_INTERNAL;
        p += chunk;
        len -= (size_t)chunk;
    }
    return 0;
}

static int crypt_range(EVP_CIPHER_CTX *ctx, uint8_t *p, size_t len, int ctr,
                       const sv_encrypted_sample *s)
{
    if (s->skip_byte_block == 0)
        return run(ctx, p, ctr ? len : len & ~(size_t)15);
    size_t crypt = (size_t)s->crypt_byte_block * 16, skip = (size_t)s->skip_byte_block * 16;
    while (len > 0) {
        size_t c = len < crypt ? len & ~(size_t)15 : crypt;
        int ret = run(ctx, p, c);
        if (ret < 0)
            return ret;
        if (len <= crypt + skip)
            break;
        p += crypt + skip;
        len -= crypt + skip;
    }
    return 0;
}

int sv__cenc_crypt_sample(const uint8_t key[16], sv_encrypted_sample *s, int encrypt)
{
    EVP_CIPHER_CTX *ctx = NULL;
    uint8_t iv[16] = { 0 };
    uint64_t total = 0;
    int ctr, ret;

    if (!key || !s || (!s->data && s->size))
        return SV_ERR_INVALID;
    switch (s->scheme) {
    case SV_SCHEME_CENC: case SV_SCHEME_CENS: ctr = 1; break;
    case SV_SCHEME_CBC1: case SV_SCHEME_CBCS: ctr = 0; break;
    default: return SV_ERR_UNSUPPORTED;
    }
    if ((s->iv_size != 8 && s->iv_size != 16) || (s->skip_byte_block && !s->crypt_byte_block))
        return SV_ERR_DRM;
    if (s->nb_subsamples && !s->subsamples)
        return SV_ERR_INVALID;
    for (size_t i = 0; i < s->nb_subsamples; i++)
        total += (uint64_t)s->subsamples[i].clear_bytes + s->subsamples[i].protected_bytes;
    if (total > s->size)
        return SV_ERR_DRM;
    /* An 8-byte IV is the high half of the 16-byte counter block (the low
     * half, the block counter, starts at zero). */
    memcpy(iv, s->iv, (size_t)s->iv_size);

    ctx = EVP_CIPHER_CTX_new();
    if (!ctx)
        return SV_ERR_NOMEM;
    ret = SV_ERR_INTERNAL;
    if (!EVP_CipherInit_ex(ctx, ctr ? EVP_aes_128_ctr() : EVP_aes_128_cbc(), NULL, key, iv,
                           encrypt ? 1 : 0) ||
        !EVP_CIPHER_CTX_set_padding(ctx, 0))
        goto fail;
    if (s->nb_subsamples == 0) {
        ret = crypt_range(ctx, s->data, s->size, ctr, s);
        goto fail; /* the single exit; ret says how it went */
    }
    size_t pos = 0;
    for (size_t i = 0; i < s->nb_subsamples; i++) {
        const sv_subsample *ss = &s->subsamples[i];
        pos += ss->clear_bytes;
        if (s->scheme == SV_SCHEME_CBCS && i > 0 &&
            !EVP_CipherInit_ex(ctx, NULL, NULL, NULL, iv, -1)) {
            ret = SV_ERR_INTERNAL;
            goto fail;
        }
        if ((ret = crypt_range(ctx, s->data + pos, ss->protected_bytes, ctr, s)) < 0)
            goto fail;
        pos += ss->protected_bytes;
    }
    ret = 0;
fail:
    EVP_CIPHER_CTX_free(ctx);
    return ret;
}
