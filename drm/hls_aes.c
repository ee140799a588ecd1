/*
 * HLS METHOD=AES-128: the whole segment is AES-128-CBC with PKCS#7 padding.
 * Decryption runs EVP without padding in place and checks the padding
 * itself, so no second buffer is needed; a bad padding is how a wrong key
 * usually shows.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "cenc.h"
#include "platform/alloc.h"

void sv__hls_iv_from_sequence(uint64_t sequence, uint8_t iv[16])
{
    memset(iv, 0, 16);
    for (int i = 0; i < 8; i++)
        iv[15 - i] = (uint8_t)(sequence >> (8 * i));
}

static int cbc(const uint8_t key[16], const uint8_t iv[16], const uint8_t *in, uint8_t *out,
               size_t size, int encrypt, int padding, size_t *out_size)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int ret = SV_ERR_INTERNAL, outl = 0, finl = 0;

    if (!ctx)
        return SV_ERR_NOMEM;
    if (size > (size_t)INT32_MAX - 32) {
        ret = SV_ERR_RANGE;
        goto fail;
    }
    if (!EVP_CipherInit_ex(ctx, EVP_aes_128_cbc(), NULL, key, iv, encrypt) ||
        !EVP_CIPHER_CTX_set_padding(ctx, padding) ||
        !EVP_CipherUpdate(ctx, out, &outl, in, (int)size) ||
        !EVP_CipherFinal_ex(ctx, out + outl, &finl))
        goto fail;
    *out_size = (size_t)outl + (size_t)finl;
    ret = 0;
fail:
    EVP_CIPHER_CTX_free(ctx);
    return ret;
}

int sv__hls_aes128_decrypt(const uint8_t key[16], const uint8_t iv[16], uint8_t *data,
                           size_t size, size_t *out_size)
{
    size_t n = 0;
    int ret;

    if (!key || !iv || !data || !out_size)
        return SV_ERR_INVALID;
    if (size == 0 || size % 16)
        return SV_ERR_DRM;
    if ((ret = cbc(key, iv, data, data, size, 0, 0, &n)) < 0)
        return ret;
    uint8_t pad = data[size - 1];
    if (pad == 0 || pad > 16)
        return SV_ERR_DRM;
    for (size_t i = size - pad; i < size; i++) {
        if (data[i] != pad)
            return SV_ERR_DRM;
    }
    *out_size = size - pad;
    return 0;
}

int sv__hls_aes128_encrypt(const uint8_t key[16], const uint8_t iv[16], const uint8_t *data,
                           size_t size, uint8_t **out, size_t *out_size)
{
    uint8_t *buf;
    int ret;

    if (!key || !iv || (!data && size) || !out || !out_size)
        return SV_ERR_INVALID;
    if (!(buf = sv__malloc(NULL, size + 16)))
        return SV_ERR_NOMEM;
    if ((ret = cbc(key, iv, data, buf, size, 1, 1, out_size)) < 0) {
        sv__free(NULL, buf);
        return ret;
    }
    *out = buf;
    return 0;
}
