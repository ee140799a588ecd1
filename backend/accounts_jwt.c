/*
 * accounts_jwt.c - HS256 JSON Web Tokens for users (accounts.h), from
 * OpenSSL HMAC and jansson.
 */
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>

#include "backend/accounts.h"
#include "platform/b64url.h"
#include "backend/edge_token.h"
#include "streamverse/common.h"

#define MAC_LEN 32
#define MAX_PART 512 /* decoded header or claims */

static int hs256(const char *secret, const char *data, size_t len, uint8_t out[MAC_LEN])
{
    unsigned int n = 0;

    if (!HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)data, len, out,
              &n) || n != MAC_LEN)
        return SV_ERR_INTERNAL;
    return 0;
}

/* Appends base64url(JSON text of v) at out + *pos. */
static int put_json(json_t *v, char *out, size_t cap, size_t *pos)
{
    char *text = v ? json_dumps(v, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
    int n;

    if (!text)
        return SV_ERR_NOMEM;
    n = sv__b64url_encode((const uint8_t *)text, strlen(text), out + *pos, cap - *pos);
    free(text);
    if (n < 0)
        return SV_ERR_INVALID;
    *pos += (size_t)n;
    return 0;
}

int sv__jwt_sign(const char *secret, const sv__user *u, int64_t now, int ttl_s, char *out,
                 size_t cap)
{
    json_t *header = NULL, *claims = NULL;
    uint8_t mac[MAC_LEN];
    char sub[24];
    size_t pos = 0;
    int ret = SV_ERR_INVALID, n;

    if (!secret || !secret[0] || cap < 64)
        return SV_ERR_INVALID;
    snprintf(sub, sizeof(sub), "%lld", (long long)u->id);
    header = json_pack("{s:s,s:s}", "alg", "HS256", "typ", "JWT");
    claims = json_pack("{s:s,s:s,s:s,s:s,s:I,s:I}", "sub", sub, "name", u->name, "region",
                       u->region, "role",
                       sv__role_name(u->role > SV__ROLE_VIEWER ? u->role : SV__ROLE_VIEWER), "iat", (json_int_t)now, "exp",
                       (json_int_t)(now + ttl_s));
    if ((ret = put_json(header, out, cap, &pos)) < 0)
        goto fail;
    if (pos + 2 > cap)
        goto fail;
    out[pos++] = '.';
    if ((ret = put_json(claims, out, cap, &pos)) < 0 ||
        (ret = hs256(secret, out, pos, mac)) < 0)
        goto fail;
    ret = SV_ERR_INVALID;
    if (pos + 2 > cap)
        goto fail;
    out[pos++] = '.';
    if ((n = sv__b64url_encode(mac, sizeof(mac), out + pos, cap - pos)) < 0)
        goto fail;
    ret = 0;
fail:
    if (ret < 0)
        out[0] = '\0';
    json_decref(header);
    json_decref(claims);
    return ret;
}

/* Decodes one base64url JSON object part. */
static json_t *part(const char *s, size_t len)
{
    uint8_t buf[MAX_PART];
    int n;

    if (len > 4 * (MAX_PART / 3))
        return NULL;
    n = sv__b64url_decode(s, len, buf, sizeof(buf));
    if (n <= 0)
        return NULL;
    return json_loadb((const char *)buf, (size_t)n, JSON_REJECT_DUPLICATES, NULL);
}

static int read_claims(json_t *c, sv__jwt_claims *out)
{
    const char *sub, *name, *region, *role = NULL;
    json_int_t iat, exp;
    char *end;
    long long id;
    int r = SV__ROLE_VIEWER;

    /* Tokens signed before roles existed carry none: they are a viewer's. */
    if (json_unpack(c, "{s:s,s:s,s:s,s?s,s:I,s:I}", "sub", &sub, "name", &name, "region",
                    &region, "role", &role, "iat", &iat, "exp", &exp) < 0 ||
        strlen(name) >= sizeof(out->name) || strlen(region) >= sizeof(out->region) ||
        (role && (r = sv__role_parse(role)) < 0))
        return SV_ERR_FORBIDDEN;
    id = strtoll(sub, &end, 10);
    if (end == sub || *end || id <= 0)
        return SV_ERR_FORBIDDEN;
    memset(out, 0, sizeof(*out));
    out->user_id = id;
    strcpy(out->name, name);
    strcpy(out->region, region);
    out->role = r;
    out->iat = iat;
    out->exp = exp;
    return 0;
}

int sv__jwt_verify(const char *secret, const char *token, size_t len, int64_t now,
                   sv__jwt_claims *out)
{
    const char *dot1 = memchr(token, '.', len), *dot2;
    uint8_t want[MAC_LEN];
    char want_text[48];
    json_t *header = NULL, *claims = NULL;
    const char *alg;
    int ret = SV_ERR_FORBIDDEN;

    if (!secret || !secret[0] || !dot1)
        return SV_ERR_FORBIDDEN;
    dot2 = memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - token));
    if (!dot2 || memchr(dot2 + 1, '.', len - (size_t)(dot2 + 1 - token)))
        return SV_ERR_FORBIDDEN;
    /* The signature is compared as text with the canonical encoding of the
     * expected MAC, so no other spelling of the same bytes passes. */
    if (len - (size_t)(dot2 + 1 - token) != 43 ||
        hs256(secret, token, (size_t)(dot2 - token), want) < 0 ||
        sv__b64url_encode(want, MAC_LEN, want_text, sizeof(want_text)) != 43 ||
        CRYPTO_memcmp(want_text, dot2 + 1, 43))
        return SV_ERR_FORBIDDEN;
    /* Signed by us; still, only HS256 is ever accepted (no "none"). */
    if (!(header = part(token, (size_t)(dot1 - token))) ||
        json_unpack(header, "{s:s}", "alg", &alg) < 0 || strcmp(alg, "HS256") != 0)
        goto fail;
    if (!(claims = part(dot1 + 1, (size_t)(dot2 - dot1 - 1))) || read_claims(claims, out) < 0)
        goto fail;
    ret = now >= out->exp ? SV_ERR_TIMEOUT : 0;
fail:
    json_decref(header);
    json_decref(claims);
    return ret;
}
