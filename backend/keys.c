/*
 * keys.c - per-title content keys: creation with RAND_bytes, AES-256-GCM
 * wrapping under the master key, loading by title or by KID (keys.h).
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "backend/keys.h"
#include "streamverse/common.h"

#define NONCE 12
#define TAG 16
#define AAD_LABEL "sv-key-v1"
#define AAD_SIZE (sizeof(AAD_LABEL) - 1 + 8 + 16)

void sv__title_key_wipe(sv__title_key *k)
{
    if (k)
        OPENSSL_cleanse(k, sizeof(*k));
}

/* The row a blob belongs to: label, title id (big-endian), KID. */
static void make_aad(const sv__title_key *k, uint8_t aad[AAD_SIZE])
{
    size_t n = sizeof(AAD_LABEL) - 1;

    memcpy(aad, AAD_LABEL, n);
    for (int i = 0; i < 8; i++)
        aad[n + (size_t)i] = (uint8_t)((uint64_t)k->title_id >> (56 - 8 * i));
    memcpy(aad + n + 8, k->kid, 16);
}

int sv__key_wrap(const uint8_t master[32], const sv__title_key *k,
                 uint8_t out[SV__WRAPPED_KEY_SIZE])
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    uint8_t aad[AAD_SIZE];
    int n = 0, ret = SV_ERR_INTERNAL;

    make_aad(k, aad);
    if (!ctx || RAND_bytes(out, NONCE) != 1 ||
        !EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) ||
        !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, NONCE, NULL) ||
        !EVP_EncryptInit_ex(ctx, NULL, NULL, master, out) ||
        !EVP_EncryptUpdate(ctx, NULL, &n, aad, (int)sizeof(aad)) ||
        !EVP_EncryptUpdate(ctx, out + NONCE, &n, k->key, 16) || n != 16 ||
        !EVP_EncryptFinal_ex(ctx, out + NONCE + 16, &n) ||
        !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG, out + NONCE + 16))
        goto fail;
    ret = 0;
fail:
    EVP_CIPHER_CTX_free(ctx);
    return ret;
}

int sv__key_unwrap(const uint8_t master[32], const uint8_t *blob, size_t len,
                   sv__title_key *k)
{
    EVP_CIPHER_CTX *ctx;
    uint8_t aad[AAD_SIZE], key[16], tag[TAG], fin[16];
    int n = 0, ret = SV_ERR_DRM;

    if (len != SV__WRAPPED_KEY_SIZE)
        return SV_ERR_DRM;
    if (!(ctx = EVP_CIPHER_CTX_new()))
        return SV_ERR_NOMEM;
    make_aad(k, aad);
    memcpy(tag, blob + NONCE + 16, TAG);
    /* A failed tag check leaves nothing usable behind: the output is
     * written to a local and copied only after EVP_DecryptFinal_ex passed. */
    if (!EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) ||
        !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, NONCE, NULL) ||
        !EVP_DecryptInit_ex(ctx, NULL, NULL, master, blob) ||
        !EVP_DecryptUpdate(ctx, NULL, &n, aad, (int)sizeof(aad)) ||
        !EVP_DecryptUpdate(ctx, key, &n, blob + NONCE, 16) || n != 16 ||
        !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG, tag) ||
        EVP_DecryptFinal_ex(ctx, fin, &n) <= 0)
        goto fail;
    memcpy(k->key, key, 16);
    ret = 0;
fail:
    OPENSSL_cleanse(key, sizeof(key));
    EVP_CIPHER_CTX_free(ctx);
    return ret;
}

int sv__keys_create(sv__catalog *cat, const uint8_t master[32], int64_t title_id,
                    sv__title_key *out)
{
    uint8_t blob[SV__WRAPPED_KEY_SIZE];
    int ret;

    memset(out, 0, sizeof(*out));
    out->title_id = title_id;
    if (RAND_bytes(out->kid, 16) != 1 || RAND_bytes(out->key, 16) != 1) {
        ret = SV_ERR_INTERNAL;
        goto fail;
    }
    if ((ret = sv__key_wrap(master, out, blob)) < 0 ||
        (ret = sv__catalog_key_insert(cat, title_id, out->kid, blob, sizeof(blob))) < 0)
        goto fail;
    return 0;
fail:
    sv__title_key_wipe(out);
    return ret;
}

int sv__keys_load_title(sv__catalog *cat, const uint8_t master[32], int64_t title_id,
                        sv__title_key *out)
{
    uint8_t blob[SV__WRAPPED_KEY_SIZE + 16];
    size_t len = 0;
    int ret;

    memset(out, 0, sizeof(*out));
    out->title_id = title_id;
    if ((ret = sv__catalog_key_by_title(cat, title_id, out->kid, blob, sizeof(blob), &len)) < 0)
        return ret == SV_ERR_OVERFLOW ? SV_ERR_DRM : ret;
    return sv__key_unwrap(master, blob, len, out);
}

int sv__keys_load_kid(sv__catalog *cat, const uint8_t master[32], const uint8_t kid[16],
                      sv__title_key *out)
{
    uint8_t blob[SV__WRAPPED_KEY_SIZE + 16];
    size_t len = 0;
    int ret;

    memset(out, 0, sizeof(*out));
    memcpy(out->kid, kid, 16);
    if ((ret = sv__catalog_key_by_kid(cat, kid, &out->title_id, blob, sizeof(blob), &len)) < 0)
        return ret == SV_ERR_OVERFLOW ? SV_ERR_DRM : ret;
    return sv__key_unwrap(master, blob, len, out);
}

int sv__keys_ensure(sv__catalog *cat, const uint8_t master[32], int64_t title_id,
                    sv__title_key *out)
{
    int ret = sv__keys_load_title(cat, master, title_id, out);

    if (ret == SV_ERR_NOT_FOUND)
        ret = sv__keys_create(cat, master, title_id, out);
    return ret;
}

int sv__keys_media_protection(sv__catalog *cat, const uint8_t *master, int64_t title_id,
                              sv__media_protection *out, char *why, size_t whylen)
{
    sv__title_key k;
    char drm[8];
    int ret;

    memset(out, 0, sizeof(*out));
    if ((ret = sv__catalog_title_drm(cat, title_id, drm, sizeof(drm))) < 0) {
        snprintf(why, whylen, "cannot read the DRM scheme of title %lld", (long long)title_id);
        return ret;
    }
    if (!strcmp(drm, "none"))
        return 0;
    if (!master) {
        snprintf(why, whylen, "title %lld asks for %s but the server has no master-key",
                 (long long)title_id, drm);
        return SV_ERR_INVALID;
    }
    if ((ret = sv__keys_ensure(cat, master, title_id, &k)) < 0) {
        snprintf(why, whylen, "cannot %s the content key of title %lld (%s)",
                 ret == SV_ERR_DRM ? "unwrap" : "store", (long long)title_id, sv_strerror(ret));
        return ret;
    }
    out->scheme = !strcmp(drm, "cbcs") ? SV__PROTECT_CBCS : SV__PROTECT_CENC;
    memcpy(out->kid, k.kid, 16);
    memcpy(out->key, k.key, 16);
    out->license_url = SV__LICENSE_PATH;
    sv__title_key_wipe(&k);
    return 0;
}
