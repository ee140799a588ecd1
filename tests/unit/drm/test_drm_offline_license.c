/*
 * Offline licenses (drm/offline_license.h): the signing key derived from a
 * master key is stable and differs per master key; a signed license
 * verifies with the PEM public key and gives back its claims; every part
 * changed (header, claims, signature), another key, another algorithm in
 * the header, missing claims, a non-Ed25519 PEM and malformed texts are
 * refused with their codes; the device and expiry checks name both values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "drm/offline_license.h"
#include "platform/b64url.h"
#include "streamverse/common.h"

static const uint8_t master_a[32] = { 1, 2, 3 }, master_b[32] = { 9, 9, 9 };

static json_t *claims(const char *device, int64_t exp)
{
    return json_pack("{s:s,s:I,s:I,s:s,s:I,s:I,s:{s:[{s:s,s:s,s:s}],s:s}}", "lid",
                     "00112233445566778899aabbccddeeff", "sub", (json_int_t)7, "title",
                     (json_int_t)3, "device", device, "iat", (json_int_t)1000, "exp",
                     (json_int_t)exp, "license", "keys", "kty", "oct", "kid",
                     "AAAAAAAAAAAAAAAAAAAAAA", "k", "AAAAAAAAAAAAAAAAAAAAAA", "type",
                     "persistent-license");
}

static void sign(const uint8_t master[32], json_t *c, char *out, size_t cap)
{
    uint8_t seed[32];
    assert_int_equal(sv__olic_seed_from_master(master, seed), 0);
    assert_true(sv__olic_sign(seed, c, out, cap) > 0);
    json_decref(c);
}

static void pem_of(const uint8_t master[32], char *pem, size_t cap)
{
    uint8_t seed[32];
    assert_int_equal(sv__olic_seed_from_master(master, seed), 0);
    assert_true(sv__olic_public_pem(seed, pem, cap) > 0);
}

static int verify(const char *pem, const char *jws, char *why)
{
    json_t *c = NULL;
    int r = sv__olic_verify(pem, jws, strlen(jws), &c, why, 200);
    assert_true((r == 0) == (c != NULL));
    json_decref(c);
    return r;
}

static void test_round_trip_and_keys(void **state)
{
    (void)state;
    char jws[4096], pem_a[256], pem_a2[256], pem_b[256], why[200];
    json_t *c = NULL;

    pem_of(master_a, pem_a, sizeof(pem_a));
    pem_of(master_a, pem_a2, sizeof(pem_a2));
    pem_of(master_b, pem_b, sizeof(pem_b));
    assert_string_equal(pem_a, pem_a2);
    assert_string_not_equal(pem_a, pem_b);
    assert_non_null(strstr(pem_a, "BEGIN PUBLIC KEY"));
    sign(master_a, claims("tv-1", 5000), jws, sizeof(jws));
    assert_int_equal(sv__olic_verify(pem_a, jws, strlen(jws), &c, why, sizeof(why)), 0);
    assert_string_equal(json_string_value(json_object_get(c, "device")), "tv-1");
    assert_int_equal(sv__olic_check(c, "tv-1", 4999, why, sizeof(why)), 0);
    assert_int_equal(sv__olic_check(c, "tv-2", 4999, why, sizeof(why)), SV_ERR_FORBIDDEN);
    assert_non_null(strstr(why, "\"tv-1\", not \"tv-2\""));
    assert_int_equal(sv__olic_check(c, "tv-1", 5000, why, sizeof(why)), SV_ERR_TIMEOUT);
    assert_non_null(strstr(why, "expired at 5000"));
    json_decref(c);
    assert_int_equal(verify(pem_b, jws, why), SV_ERR_FORBIDDEN);
    assert_non_null(strstr(why, "does not match"));
    assert_int_equal(verify("not a key", jws, why), SV_ERR_INVALID);
}

static void test_tampering(void **state)
{
    (void)state;
    char jws[4096], pem[256], why[200], bad[4200];
    pem_of(master_a, pem, sizeof(pem));
    sign(master_a, claims("tv-1", 5000), jws, sizeof(jws));
    size_t n = strlen(jws);
    /* One character changed anywhere (but the signature's last, which
     * carries padding bits) is refused. */
    for (size_t i = 0; i + 1 < n; i += 7) {
        if (jws[i] == '.')
            continue;
        memcpy(bad, jws, n + 1);
        bad[i] = bad[i] == 'A' ? 'B' : 'A';
        assert_int_not_equal(verify(pem, bad, why), 0);
    }
    assert_int_equal(verify(pem, "a.b", why), SV_ERR_PARSE);
    assert_int_equal(verify(pem, "a.b.c.d", why), SV_ERR_PARSE);
    assert_int_equal(verify(pem, "..", why), SV_ERR_PARSE);
    memcpy(bad, jws, n + 1);
    bad[n - 3] = '\0';
    assert_int_equal(verify(pem, bad, why), SV_ERR_FORBIDDEN);
}

/* A license signed right but with another header or claims. */
static void test_header_and_claims(void **state)
{
    (void)state;
    char pem[256], why[200], text[4096], b64[4096];
    uint8_t seed[32];
    pem_of(master_a, pem, sizeof(pem));
    assert_int_equal(sv__olic_seed_from_master(master_a, seed), 0);
    json_t *c = json_pack("{s:s}", "lid", "x"); /* no device, exp, keys */
    assert_true(sv__olic_sign(seed, c, text, sizeof(text)) > 0);
    json_decref(c);
    assert_int_equal(verify(pem, text, why), SV_ERR_PARSE);
    assert_non_null(strstr(why, "claims"));
    json_t *str = json_string("x");
    assert_int_equal(sv__olic_sign(seed, str, text, sizeof(text)), SV_ERR_INVALID);
    json_decref(str);
    assert_int_equal(sv__olic_sign(seed, NULL, text, sizeof(text)), SV_ERR_INVALID);
    c = claims("tv-1", 9);
    assert_int_equal(sv__olic_sign(seed, c, text, 40), SV_ERR_OVERFLOW);
    json_decref(c);
    /* The header re-signed would need the key: a header swapped into a
     * signed license breaks the signature, so "alg":"none" cannot pass. */
    sign(master_a, claims("tv-1", 9), text, sizeof(text));
    const char *none = "{\"alg\":\"none\",\"typ\":\"" SV__OLIC_TYP "\"}";
    int m = sv__b64url_encode((const uint8_t *)none, strlen(none), b64, sizeof(b64));
    assert_true(m > 0);
    snprintf(b64 + m, sizeof(b64) - (size_t)m, "%s", strchr(text, '.'));
    assert_int_equal(verify(pem, b64, why), SV_ERR_FORBIDDEN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_and_keys),
        cmocka_unit_test(test_tampering),
        cmocka_unit_test(test_header_and_claims),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
