/*
 * token.c - HMAC-SHA256 signed playback and media tokens (token.h).
 */
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>

#include "backend/token.h"
#include "platform/b64url.h"
#include "streamverse/common.h"

#define MAC_LEN 32
#define MAX_PAYLOAD 320 /* JSON text; keeps every token under SV__TOKEN_MAX */

static int mac(const char *secret, const char *payload, size_t len, uint8_t out[MAC_LEN])
{
    unsigned int n = 0;

    if (!HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)payload, len,
              out, &n) || n != MAC_LEN)
        return SV_ERR_INTERNAL;
    return 0;
}

int sv__token_sign(const char *secret, const sv__token_claims *c, char *out, size_t cap)
{
    uint8_t sig[MAC_LEN];
    json_t *obj = NULL;
    char *json = NULL;
    int ret = SV_ERR_INVALID, n, m;

    if (!secret || !secret[0] || !memchr(c->session, 0, sizeof(c->session)) ||
        !memchr(c->prefix, 0, sizeof(c->prefix)))
        return SV_ERR_INVALID;
    obj = json_pack("{sIsssssI}", "t", (json_int_t)c->title_id, "s", c->session, "p",
                    c->prefix, "e", (json_int_t)c->expires);
    if (!obj || !(json = json_dumps(obj, JSON_COMPACT | JSON_ENSURE_ASCII))) {
        ret = SV_ERR_NOMEM;
        goto fail;
    }
    if ((n = sv__b64url_encode((const uint8_t *)json, strlen(json), out, cap)) < 0)
        goto fail;
    if ((ret = mac(secret, out, (size_t)n, sig)) < 0)
        goto fail;
    ret = SV_ERR_INVALID;
    if ((size_t)n + 2 > cap)
        goto fail;
    out[n] = '.';
    if ((m = sv__b64url_encode(sig, sizeof(sig), out + n + 1, cap - (size_t)n - 1)) < 0)
        goto fail;
    ret = 0;
fail:
    if (ret < 0 && cap)
        out[0] = '\0';
    free(json);
    json_decref(obj);
    return ret;
}

static int copy_claims(json_t *root, sv__token_claims *out)
{
    json_int_t t, e;
    const char *s, *p;

    if (json_unpack(root, "{s:I, s:s, s:s, s:I}", "t", &t, "s", &s, "p", &p, "e", &e) < 0 ||
        strlen(s) >= sizeof(out->session) || strlen(p) >= sizeof(out->prefix))
        return SV_ERR_FORBIDDEN;
    memset(out, 0, sizeof(*out));
    out->title_id = t;
    out->expires = e;
    memcpy(out->session, s, strlen(s));
    memcpy(out->prefix, p, strlen(p));
    return 0;
}

int sv__token_verify(const char *secret, const char *token, size_t len, int64_t now,
                     sv__token_claims *out)
{
    uint8_t want[MAC_LEN], payload[MAX_PAYLOAD + 3];
    char want_text[64];
    const char *dot = memchr(token, '.', len);
    size_t plen;
    json_t *root;
    int n, ret;

    if (!secret || !secret[0] || !dot)
        return SV_ERR_FORBIDDEN;
    plen = (size_t)(dot - token);
    if (plen == 0 || plen > 4 * (MAX_PAYLOAD / 3 + 1))
        return SV_ERR_FORBIDDEN;
    /* The MAC is compared in its text form: base64url has several spellings
     * of the last character's unused bits, and only the canonical one is
     * the token that was issued. */
    if (mac(secret, token, plen, want) < 0 ||
        (n = sv__b64url_encode(want, sizeof(want), want_text, sizeof(want_text))) < 0 ||
        len - plen - 1 != (size_t)n || CRYPTO_memcmp(want_text, dot + 1, (size_t)n))
        return SV_ERR_FORBIDDEN;
    /* Authentic from here on: the payload is ours. */
    if ((n = sv__b64url_decode(token, plen, payload, sizeof(payload) - 1)) < 0)
        return SV_ERR_FORBIDDEN;
    if (!(root = json_loadb((const char *)payload, (size_t)n, JSON_REJECT_DUPLICATES, NULL)))
        return SV_ERR_FORBIDDEN;
    ret = copy_claims(root, out);
    json_decref(root);
    if (ret == 0 && now >= out->expires)
        ret = SV_ERR_TIMEOUT;
    return ret;
}

int sv__token_grants_path(const sv__token_claims *c, const char *path)
{
    size_t n = strlen(c->prefix);

    if (n == 0 || strncmp(path, c->prefix, n) != 0)
        return 0;
    return c->prefix[n - 1] == '/' || path[n] == '\0' || path[n] == '/';
}
