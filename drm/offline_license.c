/*
 * Persistent ClearKey licenses as EdDSA-signed JWS (offline_license.h).
 */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/pem.h>

#include "drm/offline_license.h"
#include "platform/alloc.h"
#include "platform/b64url.h"
#include "streamverse/common.h"

#define HEADER "{\"alg\":\"EdDSA\",\"typ\":\"" SV__OLIC_TYP "\"}"
#define SIG_LEN 64

int sv__olic_seed_from_master(const uint8_t master[32], uint8_t seed[32])
{
    static const char info[] = "sv-offline-license-ed25519-v1";
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL);
    size_t n = 32;
    int ok = c && EVP_PKEY_derive_init(c) > 0 && EVP_PKEY_CTX_set_hkdf_md(c, EVP_sha256()) > 0 &&
             EVP_PKEY_CTX_set1_hkdf_key(c, master, 32) > 0 &&
             EVP_PKEY_CTX_add1_hkdf_info(c, (const unsigned char *)info, sizeof(info) - 1) > 0 &&
             EVP_PKEY_derive(c, seed, &n) > 0 && n == 32;
    EVP_PKEY_CTX_free(c);
    return ok ? 0 : SV_ERR_INTERNAL;
}

int sv__olic_public_pem(const uint8_t seed[32], char *out, size_t cap)
{
    EVP_PKEY *k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
    BIO *b = BIO_new(BIO_s_mem());
    char *p = NULL;
    long n = -1;
    int ret = SV_ERR_INTERNAL;

    if (k && b && PEM_write_bio_PUBKEY(b, k) > 0 && (n = BIO_get_mem_data(b, &p)) > 0) {
        ret = (size_t)n < cap ? (int)n : SV_ERR_OVERFLOW;
        if (ret > 0) {
            memcpy(out, p, (size_t)n);
            out[n] = '\0';
        }
    }
    BIO_free(b);
    EVP_PKEY_free(k);
    return ret;
}

/* Appends base64url(data) at out + *pos. */
static int put_b64(const uint8_t *data, size_t n, char *out, size_t cap, size_t *pos)
{
    int r = sv__b64url_encode(data, n, out + *pos, cap - *pos);
    if (r < 0)
        return SV_ERR_OVERFLOW;
    *pos += (size_t)r;
    return 0;
}

int sv__olic_sign(const uint8_t seed[32], const json_t *claims, char *out, size_t cap)
{
    EVP_PKEY *k = NULL;
    EVP_MD_CTX *md = NULL;
    uint8_t sig[SIG_LEN];
    size_t siglen = sizeof(sig), pos = 0;
    char *text = NULL;
    int ret = SV_ERR_INVALID;

    if (cap)
        out[0] = '\0';
    if (!json_is_object(claims))
        return ret;
    size_t tn = json_dumpb(claims, NULL, 0, JSON_COMPACT | JSON_SORT_KEYS);
    ret = SV_ERR_NOMEM;
    if (!tn || !(text = sv__malloc(NULL, tn)))
        goto done;
    json_dumpb(claims, text, tn, JSON_COMPACT | JSON_SORT_KEYS);
    if ((ret = put_b64((const uint8_t *)HEADER, strlen(HEADER), out, cap, &pos)) < 0 ||
        pos + 1 >= cap)
        goto overflow;
    out[pos++] = '.';
    if ((ret = put_b64((const uint8_t *)text, tn, out, cap, &pos)) < 0)
        goto overflow;
    ret = SV_ERR_INTERNAL;
    if (!(k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32)) ||
        !(md = EVP_MD_CTX_new()) || EVP_DigestSignInit(md, NULL, NULL, NULL, k) <= 0 ||
        EVP_DigestSign(md, sig, &siglen, (const uint8_t *)out, pos) <= 0 || siglen != SIG_LEN)
        goto done;
    if (pos + 1 >= cap)
        goto overflow;
    out[pos++] = '.';
    if (put_b64(sig, siglen, out, cap, &pos) < 0)
        goto overflow;
    ret = (int)pos;
    goto done;
overflow:
    ret = SV_ERR_OVERFLOW;
    if (cap)
        out[0] = '\0';
done:
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(k);
    sv__free(NULL, text);
    return ret;
}

static int fail(char *why, size_t cap, int err, const char *msg)
{
    snprintf(why, cap, "%s", msg);
    return err;
}

/* Decodes a base64url part holding a JSON object. */
static json_t *json_part(const char *p, size_t n)
{
    uint8_t buf[SV__OLIC_MAX];
    int len = sv__b64url_decode(p, n, buf, sizeof(buf));
    json_t *j = len > 0 ? json_loadb((const char *)buf, (size_t)len, JSON_REJECT_DUPLICATES, NULL)
                        : NULL;
    if (j && !json_is_object(j)) {
        json_decref(j);
        j = NULL;
    }
    return j;
}

static int sig_ok(const char *pem, const char *jws, size_t signed_len, const uint8_t *sig,
                  char *why, size_t cap)
{
    BIO *b = BIO_new_mem_buf(pem, -1);
    EVP_PKEY *k = b ? PEM_read_bio_PUBKEY(b, NULL, NULL, NULL) : NULL;
    EVP_MD_CTX *md = NULL;
    int ret;

    if (!k || EVP_PKEY_id(k) != EVP_PKEY_ED25519)
        ret = fail(why, cap, SV_ERR_INVALID, "the public key is not an Ed25519 PEM key");
    else if (!(md = EVP_MD_CTX_new()) || EVP_DigestVerifyInit(md, NULL, NULL, NULL, k) <= 0)
        ret = fail(why, cap, SV_ERR_INTERNAL, "OpenSSL cannot verify");
    else if (EVP_DigestVerify(md, sig, SIG_LEN, (const uint8_t *)jws, signed_len) != 1)
        ret = fail(why, cap, SV_ERR_FORBIDDEN,
                   "the signature does not match the server's public key");
    else
        ret = 0;
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(k);
    BIO_free(b);
    return ret;
}

static int claims_ok(const json_t *c)
{
    const json_t *lic = json_object_get(c, "license");
    return json_is_string(json_object_get(c, "lid")) &&
           json_is_integer(json_object_get(c, "sub")) &&
           json_is_integer(json_object_get(c, "title")) &&
           json_is_string(json_object_get(c, "device")) &&
           json_is_integer(json_object_get(c, "iat")) &&
           json_is_integer(json_object_get(c, "exp")) && json_is_object(lic) &&
           json_is_array(json_object_get(lic, "keys")) &&
           json_array_size(json_object_get(lic, "keys")) > 0;
}

int sv__olic_verify(const char *pem, const char *jws, size_t len, json_t **claims, char *why,
                    size_t cap)
{
    const char *d1, *d2;
    uint8_t sig[SIG_LEN + 4];
    json_t *h = NULL, *c = NULL;
    int ret;

    *claims = NULL;
    if (!pem || !jws || len == 0 || len > SV__OLIC_MAX || memchr(jws, '\0', len))
        return fail(why, cap, SV_ERR_PARSE, "the license is empty or too long");
    if (!(d1 = memchr(jws, '.', len)) || !(d2 = memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - jws))) ||
        memchr(d2 + 1, '.', len - (size_t)(d2 + 1 - jws)) || d1 == jws || d2 == d1 + 1)
        return fail(why, cap, SV_ERR_PARSE, "the license is not a compact JWS (three parts)");
    if (sv__b64url_decode(d2 + 1, len - (size_t)(d2 + 1 - jws), sig, sizeof(sig)) != SIG_LEN)
        return fail(why, cap, SV_ERR_FORBIDDEN, "the license's signature is not 64 bytes");
    /* The signature first: nothing of an unsigned license is parsed. */
    if ((ret = sig_ok(pem, jws, (size_t)(d2 - jws), sig, why, cap)) < 0)
        return ret;
    h = json_part(jws, (size_t)(d1 - jws));
    c = json_part(d1 + 1, (size_t)(d2 - d1 - 1));
    const char *alg = json_string_value(json_object_get(h, "alg"));
    const char *typ = json_string_value(json_object_get(h, "typ"));
    if (!h || !alg || strcmp(alg, "EdDSA") || !typ || strcmp(typ, SV__OLIC_TYP) ||
        json_object_get(h, "crit"))
        ret = fail(why, cap, SV_ERR_FORBIDDEN, "the license header is not EdDSA " SV__OLIC_TYP);
    else if (!c || !claims_ok(c))
        ret = fail(why, cap, SV_ERR_PARSE, "the license claims lack lid, sub, title, device, "
                                           "iat, exp or license keys");
    json_decref(h);
    if (ret < 0)
        json_decref(c);
    else
        *claims = c;
    return ret;
}

int sv__olic_check(const json_t *claims, const char *device, int64_t now, char *why, size_t cap)
{
    const char *dev = json_string_value(json_object_get(claims, "device"));
    int64_t exp = json_integer_value(json_object_get(claims, "exp"));

    if (!dev || !device || strcmp(dev, device) != 0) {
        snprintf(why, cap, "the license is for device \"%.64s\", not \"%.64s\"", dev ? dev : "",
                 device ? device : "");
        return SV_ERR_FORBIDDEN;
    }
    if (now >= exp) {
        snprintf(why, cap, "the license expired at %lld (now %lld)", (long long)exp,
                 (long long)now);
        return SV_ERR_TIMEOUT;
    }
    return 0;
}
