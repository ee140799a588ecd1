/*
 * Fuzz target: the signed tokens (backend/jws.c and the claims readers of
 * token.c and accounts_jwt.c). The input is wrapped into a token with a
 * valid MAC (fixed header, the input as the claims part), so every check
 * after the MAC sees arbitrary bytes; the input is also verified as a token
 * of its own. What verifies must re-sign to a token that verifies alike.
 */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdint.h>
#include <string.h>

#include "backend/accounts.h"
#include "backend/jws.h"
#include "backend/token.h"
#include "platform/b64url.h"
#include "streamverse/common.h"

#define SECRET "fuzz-secret-0123456789"
#define NOW 1800000000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* header.b64url(data).mac, NUL-terminated; 0 when it does not fit. */
static size_t wrap(const uint8_t *data, size_t size, char *out, size_t cap)
{
    static const char header[] = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.";
    uint8_t mac[32];
    unsigned int mac_len = 0;
    size_t pos = sizeof(header) - 1;
    int n;

    memcpy(out, header, pos);
    if ((n = sv__b64url_encode(data, size, out + pos, cap - pos)) < 0)
        return 0;
    pos += (size_t)n;
    if (!HMAC(EVP_sha256(), SECRET, (int)strlen(SECRET), (const uint8_t *)out, pos, mac,
              &mac_len) || pos + 48 > cap)
        return 0;
    out[pos++] = '.';
    n = sv__b64url_encode(mac, mac_len, out + pos, cap - pos);
    return n < 0 ? 0 : pos + (size_t)n;
}

static void check(const char *tok, size_t len)
{
    sv__token_claims pc;
    sv__jwt_claims uc;
    json_t *claims = NULL;
    char again[SV__JWS_MAX + 64];

    if (sv__jws_verify(SECRET, tok, len, NOW, &claims) == 0) {
        json_t *back = NULL;
        int n = sv__jws_sign(SECRET, claims, again, sizeof(again));

        /* Claims that verified re-sign (they fitted once) and read back. */
        if (n > 0 && (sv__jws_verify(SECRET, again, (size_t)n, NOW, &back) != 0 ||
                      !json_equal(claims, back)))
            __builtin_trap();
        json_decref(back);
        json_decref(claims);
    } else if (claims) {
        __builtin_trap(); /* no claims on failure */
    }
    if (sv__token_verify(SECRET, tok, len, NOW, &pc) == 0 &&
        (!memchr(pc.session, 0, sizeof(pc.session)) || !memchr(pc.prefix, 0, sizeof(pc.prefix))))
        __builtin_trap();
    if (sv__jwt_verify(SECRET, tok, len, NOW, &uc) == 0 &&
        (!memchr(uc.name, 0, sizeof(uc.name)) || uc.user_id <= 0))
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char tok[2 * SV__JWS_MAX];
    size_t n;

    check((const char *)data, size);
    if (size <= SV__JWS_MAX && (n = wrap(data, size, tok, sizeof(tok))) > 0)
        check(tok, n);
    return 0;
}
