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
 *
 * Speed: a cipher object keeps one EVP context per mode with its key
 * schedule made once; a sample only sets a new IV. A pattern (cbcs 1:9 is
 * one 16-byte block in ten) would otherwise cost one EVP call per block, and
 * EVP's per-call cost dwarfs one block of AES; the crypt blocks are gathered
 * into a small buffer instead, processed in one call and scattered back.
 * CTR keystream and CBC chaining run over the crypt blocks only, in order,
 * so the contiguous copy gives the same bytes as the block-by-block calls.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "cenc.h"

/* Gather buffer: small enough to stay in L1 next to the sample's blocks,
 * large enough that one EVP call covers hundreds of blocks. */
#define GATHER_BYTES 4096

struct sv__cenc_cipher {
    uint8_t key[16];
    int encrypt;
    EVP_CIPHER_CTX *ctr;        /* made on first CTR sample; key schedule kept */
    EVP_CIPHER_CTX *cbc;        /* made on first CBC sample */
    uint8_t gather[GATHER_BYTES];
};

int sv__cenc_cipher_create(const uint8_t key[16], int encrypt, sv__cenc_cipher **out)
{
    sv__cenc_cipher *c;

    if (!key || !out)
        return SV_ERR_INVALID;
    if (!(c = OPENSSL_zalloc(sizeof(*c))))
        return SV_ERR_NOMEM;
    memcpy(c->key, key, 16);
    c->encrypt = encrypt ? 1 : 0;
    *out = c;
    return 0;
}

void sv__cenc_cipher_destroy(sv__cenc_cipher *c)
{
    if (!c)
        return;
    /* EVP_CIPHER_CTX_free cleanses the key schedules; the key and whatever
     * clear bytes the gather buffer last held go with the clear_free. */
    EVP_CIPHER_CTX_free(c->ctr);
    EVP_CIPHER_CTX_free(c->cbc);
    OPENSSL_clear_free(c, sizeof(*c));
}

/* The context for the mode, made and keyed on first use, with `iv` set. */
static EVP_CIPHER_CTX *context(sv__cenc_cipher *c, int ctr, const uint8_t iv[16])
{
    EVP_CIPHER_CTX **slot = ctr ? &c->ctr : &c->cbc;

    if (!*slot) {
        EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
        if (!x || !EVP_CipherInit_ex(x, ctr ? EVP_aes_128_ctr() : EVP_aes_128_cbc(), NULL,
                                     c->key, iv, c->encrypt) ||
            !EVP_CIPHER_CTX_set_padding(x, 0)) {
            EVP_CIPHER_CTX_free(x);
            return NULL;
        }
        *slot = x;
        return x;
    }
    /* No cipher and no key: OpenSSL keeps the key schedule, takes the new
     * IV and restarts the CTR block offset and the CBC chain. */
    return EVP_CipherInit_ex(*slot, NULL, NULL, NULL, iv, -1) ? *slot : NULL;
}

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

/* Copies whole blocks with fixed-size moves: a variable-size memcpy of a
 * 16-byte run compiles to `rep movs` here, whose start-up cost is most of
 * the gather time of a 1:9 pattern. */
static inline void copy_blocks(uint8_t *dst, const uint8_t *src, size_t n)
{
    for (; n >= 16; n -= 16, dst += 16, src += 16)
        memcpy(dst, src, 16);
}

/* A patterned range: crypt blocks, then skip blocks, repeated; a last run
 * shorter than `crypt` is cut to whole blocks. */
static int run_pattern(sv__cenc_cipher *c, EVP_CIPHER_CTX *ctx, uint8_t *p, size_t len,
                       const sv_encrypted_sample *s)
{
    size_t crypt = (size_t)s->crypt_byte_block * 16, period = crypt + (size_t)s->skip_byte_block * 16;

    if (crypt > GATHER_BYTES / 2 || len <= period) {
        /* Long crypt runs amortise the call by themselves. */
        for (;;) {
            int ret = run(ctx, p, len < crypt ? len & ~(size_t)15 : crypt);
            if (ret < 0 || len <= period)
                return ret;
            p += period;
            len -= period;
        }
    }
    while (len > 0) {
        /* Gather as many runs as fit. Every run but a cut last one is
         * `crypt` bytes at a stride of `period`, so the scatter below finds
         * each run again from `first` alone. */
        uint8_t *first = p;
        size_t fill = 0;
        while (len > 0 && fill + crypt <= GATHER_BYTES) {
            size_t cut = len < crypt ? len & ~(size_t)15 : crypt;
            copy_blocks(c->gather + fill, p, cut);
            fill += cut;
            if (len <= period) {
                len = 0;
                break;
            }
            p += period;
            len -= period;
        }
        int ret = run(ctx, c->gather, fill);
        if (ret < 0)
            return ret;
        for (size_t off = 0; off < fill; off += crypt, first += period)
            copy_blocks(first, c->gather + off, fill - off < crypt ? fill - off : crypt);
    }
    return 0;
}

static int crypt_range(sv__cenc_cipher *c, EVP_CIPHER_CTX *ctx, uint8_t *p, size_t len, int ctr,
                       const sv_encrypted_sample *s)
{
    if (s->skip_byte_block == 0)
        return run(ctx, p, ctr ? len : len & ~(size_t)15);
    return run_pattern(c, ctx, p, len, s);
}

int sv__cenc_cipher_sample(sv__cenc_cipher *c, sv_encrypted_sample *s)
{
    EVP_CIPHER_CTX *ctx;
    uint8_t iv[16] = { 0 };
    uint64_t total = 0;
    int ctr, ret;

    if (!c || !s || (!s->data && s->size))
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
    if (!(ctx = context(c, ctr, iv)))
        return SV_ERR_INTERNAL;
    if (s->nb_subsamples == 0)
        return crypt_range(c, ctx, s->data, s->size, ctr, s);
    size_t pos = 0;
    int chained = 0; /* the context has moved on from the IV */
    for (size_t i = 0; i < s->nb_subsamples; i++) {
        const sv_subsample *ss = &s->subsamples[i];
        pos += ss->clear_bytes;
        if (ss->protected_bytes == 0)
            continue;
        /* cbcs restarts the chain at every subsample; the others carry the
         * counter or the chain over, as one context fed range by range. */
        if (s->scheme == SV_SCHEME_CBCS && chained &&
            !EVP_CipherInit_ex(ctx, NULL, NULL, NULL, iv, -1))
            return SV_ERR_INTERNAL;
        if ((ret = crypt_range(c, ctx, s->data + pos, ss->protected_bytes, ctr, s)) < 0)
            return ret;
        chained = 1;
        pos += ss->protected_bytes;
    }
    return 0;
}

int sv__cenc_crypt_sample(const uint8_t key[16], sv_encrypted_sample *s, int encrypt)
{
    sv__cenc_cipher *c = NULL;
    int ret = sv__cenc_cipher_create(key, encrypt, &c);

    if (ret == 0)
        ret = sv__cenc_cipher_sample(c, s);
    sv__cenc_cipher_destroy(c);
    return ret;
}
