/*
 * The one signed-token format (backend/jws.c): compact JWS HS256 checked
 * against an independent signer (OpenSSL HMAC here), the header and claims
 * rules enforced after the MAC, and the two token kinds kept apart.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "backend/accounts.h"
#include "backend/jws.h"
#include "backend/token.h"
#include "platform/b64url.h"
#include "streamverse/common.h"

#define SECRET "0123456789abcdef-test-secret"
#define NOW 1800000000

/* A token made here, independently of jws.c: base64url(header JSON) "."
 * base64url(claims JSON) "." base64url(HMAC-SHA256 over both). */
static void forge(const char *header, const char *claims, const char *secret, char *out,
                  size_t cap)
{
    uint8_t mac[32];
    unsigned int mac_len = 0;
    int n, pos;

    n = sv__b64url_encode((const uint8_t *)header, strlen(header), out, cap);
    assert_true(n > 0);
    pos = n;
    out[pos++] = '.';
    n = sv__b64url_encode((const uint8_t *)claims, strlen(claims), out + pos, cap - (size_t)pos);
    assert_true(n > 0);
    pos += n;
    assert_non_null(HMAC(EVP_sha256(), secret, (int)strlen(secret), (const uint8_t *)out,
                         (size_t)pos, mac, &mac_len));
    out[pos++] = '.';
    assert_int_equal(sv__b64url_encode(mac, mac_len, out + pos, cap - (size_t)pos), 43);
}

static int verify(const char *tok, int64_t now, json_t **claims)
{
    return sv__jws_verify(SECRET, tok, strlen(tok), now, claims);
}

#define HS256 "{\"alg\":\"HS256\",\"typ\":\"JWT\"}"

static void signs_what_an_independent_signer_signs(void **state)
{
    json_t *claims = json_pack("{s:s,s:I}", "who", "x", "exp", (json_int_t)(NOW + 10)), *got;
    char tok[SV__JWS_MAX], want[SV__JWS_MAX];
    int n;

    (void)state;
    n = sv__jws_sign(SECRET, claims, tok, sizeof(tok));
    assert_int_equal(n, (int)strlen(tok));
    forge(HS256, "{\"who\":\"x\",\"exp\":1800000010}", SECRET, want, sizeof(want));
    assert_string_equal(tok, want);
    assert_int_equal(verify(want, NOW, &got), 0);
    assert_string_equal(json_string_value(json_object_get(got, "who")), "x");
    json_decref(got);
    assert_int_equal(verify(want, NOW + 10, &got), SV_ERR_TIMEOUT);
    assert_null(got);
    json_decref(claims);
}

static void header_and_claims_rules(void **state)
{
    char tok[SV__JWS_MAX];
    json_t *got;

    (void)state;
    /* Each of these carries a valid MAC: only the rules after it refuse. */
    forge("{\"alg\":\"none\"}", "{\"exp\":1900000000}", SECRET, tok, sizeof(tok));
    assert_int_equal(verify(tok, NOW, &got), SV_ERR_FORBIDDEN);
    forge("{\"alg\":\"HS512\"}", "{\"exp\":1900000000}", SECRET, tok, sizeof(tok));
    assert_int_equal(verify(tok, NOW, &got), SV_ERR_FORBIDDEN);
    forge("{\"typ\":\"JWT\"}", "{\"exp\":1900000000}", SECRET, tok, sizeof(tok));
    assert_int_equal(verify(tok, NOW, &got), SV_ERR_FORBIDDEN);
    forge("{\"alg\":\"HS256\",\"crit\":[\"x\"],\"x\":1}", "{\"exp\":1900000000}", SECRET, tok,
          sizeof(tok));
    assert_int_equal(verify(tok, NOW, &got), SV_ERR_FORBIDDEN);
    forge(HS256, "{\"sub\":\"1\"}", SECRET, tok, sizeof(tok));           /* no exp */
    assert_int_equal(verify(tok, NOW, &got), SV_ERR_FORBIDDEN);
    forge(HS256, "{\"exp\":\"1900000000\"}", SECRET, tok, sizeof(tok));  /* not an integer */
    assert_int_equal(verify(tok, NOW, &got), SV_ERR_FORBIDDEN);
    forge(HS256, "[1900000000]", SECRET, tok, sizeof(tok));              /* not an object */
    assert_int_equal(verify(tok, NOW, &got), SV_ERR_FORBIDDEN);
    forge(HS256, "{\"exp\":1,\"exp\":1900000000}", SECRET, tok, sizeof(tok));
    assert_int_equal(verify(tok, NOW, &got), SV_ERR_FORBIDDEN);
    assert_null(got);
    /* The minimal acceptable one, the header with alg alone. */
    forge("{\"alg\":\"HS256\"}", "{\"exp\":1900000000}", SECRET, tok, sizeof(tok));
    assert_int_equal(verify(tok, NOW, &got), 0);
    json_decref(got);
}

static void shape_and_secret(void **state)
{
    char tok[SV__JWS_MAX], big[SV__JWS_MAX + 8];
    json_t *got, *claims = json_pack("{s:I}", "exp", (json_int_t)(NOW + 10));
    json_t *number = json_integer(1);
    int n;

    (void)state;
    assert_true((n = sv__jws_sign(SECRET, claims, tok, sizeof(tok))) > 0);
    assert_int_equal(sv__jws_verify("another-secret-of-16+", tok, (size_t)n, NOW, &got),
                     SV_ERR_FORBIDDEN);
    assert_int_equal(sv__jws_verify("", tok, (size_t)n, NOW, &got), SV_ERR_FORBIDDEN);
    assert_int_equal(verify("a.b", NOW, &got), SV_ERR_FORBIDDEN);
    assert_int_equal(verify("..", NOW, &got), SV_ERR_FORBIDDEN);
    assert_int_equal(verify("a.b.c.d", NOW, &got), SV_ERR_FORBIDDEN);
    /* A fourth part after a valid token. */
    snprintf(big, sizeof(big), "%s.x", tok);
    assert_int_equal(verify(big, NOW, &got), SV_ERR_FORBIDDEN);
    /* Too long to be ours: refused before any work. */
    memset(big, 'A', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(verify(big, NOW, &got), SV_ERR_FORBIDDEN);
    /* Signing: bad arguments and a buffer too small leave "". */
    assert_int_equal(sv__jws_sign(NULL, claims, tok, sizeof(tok)), SV_ERR_INVALID);
    assert_int_equal(sv__jws_sign(SECRET, number, tok, sizeof(tok)), SV_ERR_INVALID);
    assert_int_equal(sv__jws_sign(SECRET, claims, tok, (size_t)n), SV_ERR_INVALID);
    assert_string_equal(tok, "");
    assert_int_equal(sv__jws_sign(SECRET, claims, tok, (size_t)n + 3), n);
    json_decref(number);
    json_decref(claims);
}

/* A user token never passes as a playback token, nor the other way. */
static void kinds_stay_apart(void **state)
{
    sv__user u;
    sv__token_claims pc = {.title_id = 7, .expires = NOW + 60}, pgot;
    sv__jwt_claims ugot;
    char user_tok[SV__JWT_MAX], play_tok[SV__TOKEN_MAX];

    (void)state;
    memset(&u, 0, sizeof(u));
    u.id = 7;
    strcpy(u.name, "alice");
    strcpy(u.region, "DE");
    strcpy(pc.prefix, "/media/7/");
    assert_int_equal(sv__jwt_sign(SECRET, &u, NOW, 60, user_tok, sizeof(user_tok)), 0);
    assert_int_equal(sv__token_sign(SECRET, &pc, play_tok, sizeof(play_tok)), 0);
    assert_int_equal(sv__jwt_verify(SECRET, user_tok, strlen(user_tok), NOW, &ugot), 0);
    assert_int_equal(sv__token_verify(SECRET, play_tok, strlen(play_tok), NOW, &pgot), 0);
    assert_int_equal(sv__token_verify(SECRET, user_tok, strlen(user_tok), NOW, &pgot),
                     SV_ERR_FORBIDDEN);
    assert_int_equal(sv__jwt_verify(SECRET, play_tok, strlen(play_tok), NOW, &ugot),
                     SV_ERR_FORBIDDEN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(signs_what_an_independent_signer_signs),
        cmocka_unit_test(header_and_claims_rules),
        cmocka_unit_test(shape_and_secret),
        cmocka_unit_test(kinds_stay_apart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
