/*
 * jws.c - compact JWS with HS256 (jws.h), from OpenSSL HMAC and jansson.
 */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>

#include "backend/jws.h"
#include "platform/b64url.h"
#include "streamverse/common.h"

#define MAC_LEN 32
#define MAC_TEXT_LEN 43 /* base64url of 32 bytes, unpadded */
/* {"alg":"HS256","typ":"JWT"} */
#define HEADER_B64 "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"

static int hs256(const char *secret, const char *data, size_t len, uint8_t out[MAC_LEN])
{
    unsigned int n = 0;

    if (!HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)data, len, out,
              &n) || n != MAC_LEN)
        return SV_ERR_INTERNAL;
    return 0;
}

int sv__jws_sign(const char *secret, const json_t *claims, char *out, size_t cap)
{
    uint8_t mac[MAC_LEN];
    char *text = NULL;
    size_t pos = sizeof(HEADER_B64) - 1;
    int ret = SV_ERR_INVALID, n;

    if (!out || !cap)
        return SV_ERR_INVALID;
    out[0] = '\0';
    if (!secret || !secret[0] || !json_is_object(claims) || cap < pos + 2)
        return SV_ERR_INVALID;
    if (!(text = json_dumps(claims, JSON_COMPACT | JSON_ENSURE_ASCII)))
        return SV_ERR_NOMEM;
    memcpy(out, HEADER_B64 ".", pos + 1);
    pos++;
    if ((n = sv__b64url_encode((const uint8_t *)text, strlen(text), out + pos, cap - pos)) < 0)
        goto fail;
    pos += (size_t)n;
    if ((ret = hs256(secret, out, pos, mac)) < 0)
        goto fail;
    ret = SV_ERR_INVALID;
    if (pos + 2 > cap)
        goto fail;
    out[pos++] = '.';
    if ((n = sv__b64url_encode(mac, sizeof(mac), out + pos, cap - pos)) < 0)
        goto fail;
    ret = (int)(pos + (size_t)n);
fail:
    if (ret < 0)
        out[0] = '\0';
    free(text);
    return ret;
}

/* Decodes one base64url part holding a JSON object; NULL when it does not. */
static json_t *part(const char *s, size_t len)
{
    uint8_t buf[SV__JWS_MAX];
    json_t *j;
    int n;

    n = sv__b64url_decode(s, len, buf, sizeof(buf));
    if (n <= 0)
        return NULL;
    j = json_loadb((const char *)buf, (size_t)n, JSON_REJECT_DUPLICATES, NULL);
    if (j && !json_is_object(j)) {
        json_decref(j);
        j = NULL;
    }
    return j;
}

/* Is the MAC text `sig` (sig_len characters) the one `secret` gives? */
static int mac_ok(const char *secret, const char *signed_part, size_t signed_len,
                  const char *sig, size_t sig_len)
{
    uint8_t want[MAC_LEN];
    char want_text[48]; /* the encoder wants room for padding */

    /* Compared as text with the canonical encoding of the expected MAC:
     * base64url has several spellings of the last character's unused bits,
     * and only the canonical one is the token that was issued. */
    return sig_len == MAC_TEXT_LEN && hs256(secret, signed_part, signed_len, want) == 0 &&
           sv__b64url_encode(want, MAC_LEN, want_text, sizeof(want_text)) == MAC_TEXT_LEN &&
           CRYPTO_memcmp(want_text, sig, MAC_TEXT_LEN) == 0;
}

int sv__jws_verify(const char *secret, const char *token, size_t len, int64_t now,
                   json_t **claims)
{
    const char *dot1, *dot2, *alg;
    json_t *header = NULL, *c = NULL, *exp;
    int ret = SV_ERR_FORBIDDEN;

    *claims = NULL;
    if (!secret || !secret[0] || !token || len > SV__JWS_MAX)
        return SV_ERR_FORBIDDEN;
    if (!(dot1 = memchr(token, '.', len)) ||
        !(dot2 = memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - token))) ||
        memchr(dot2 + 1, '.', len - (size_t)(dot2 + 1 - token)) || dot1 == token ||
        dot2 == dot1 + 1)
        return SV_ERR_FORBIDDEN;
    if (!mac_ok(secret, token, (size_t)(dot2 - token), dot2 + 1,
                len - (size_t)(dot2 + 1 - token)))
        return SV_ERR_FORBIDDEN;
    /* Signed with our secret from here on; still, only HS256 is accepted. */
    if (!(header = part(token, (size_t)(dot1 - token))) ||
        json_unpack(header, "{s:s}", "alg", &alg) < 0 || strcmp(alg, "HS256") != 0 ||
        json_object_get(header, "crit"))
        goto fail;
    if (!(c = part(dot1 + 1, (size_t)(dot2 - dot1 - 1))) ||
        !json_is_integer(exp = json_object_get(c, "exp")))
        goto fail;
    if (now >= (int64_t)json_integer_value(exp)) {
        ret = SV_ERR_TIMEOUT;
        goto fail;
    }
    *claims = c;
    c = NULL;
    ret = 0;
fail:
    json_decref(header);
    json_decref(c);
    return ret;
}
