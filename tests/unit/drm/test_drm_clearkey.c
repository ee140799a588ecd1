/*
 * ClearKey: base64url, the W3C request and JWK set license, and the CDM's
 * contract from cdm.h (request 1 when keys are held, SV_ERR_DRM for bad
 * licenses, SV_ERR_NO_KEY for unknown KIDs), plus the KID:KEY parser.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "drm/clearkey.h"
#include "drm/cenc.h"
#include "fixture.h"
#include "vectors.h"

/* base64url of the Shaka test KID and key, as the Shaka demo lists them. */
#define KID_B64 "QGCoZYh4Qmecv5GuW64ecg"
#define KEY_B64 "_DU0CDcxDMD7U96X4ipp4A"

static void base64url(void **state)
{
    char text[32];
    uint8_t out[16];
    (void)state;
    assert_int_equal(sv__b64url_encode(fx_kid, 16, text, sizeof(text)), 22);
    assert_string_equal(text, KID_B64);
    assert_int_equal(sv__b64url_encode(fx_key, 16, text, sizeof(text)), 22);
    assert_string_equal(text, KEY_B64);
    assert_int_equal(sv__b64url_decode(KEY_B64, 22, out, 16), 16);
    assert_memory_equal(out, fx_key, 16);
    assert_int_equal(sv__b64url_decode(KEY_B64 "==", 24, out, 16), 16);
    assert_int_equal(sv__b64url_decode("_DU0+DcxDMD7U96X4ipp4A", 22, out, 16), SV_ERR_PARSE);
    assert_int_equal(sv__b64url_decode("QUJD", 4, out, 2), SV_ERR_OVERFLOW);
    assert_int_equal(sv__b64url_decode("QUJDR", 5, out, 16), SV_ERR_PARSE);
}

static void request_has_missing_kids_only(void **state)
{
    sv_cdm *cdm = NULL;
    uint8_t *req = NULL;
    size_t n = 0;
    const uint8_t kids[2][16] = { { 0 }, { 1 } };
    (void)state;
    memcpy((uint8_t *)kids[0], fx_kid, 16);
    sv_cdm_init_data init = { .kids = kids, .nb_kids = 2 };
    assert_int_equal(sv_cdm_clearkey_create(&cdm), 0);
    assert_string_equal(cdm->key_system, "org.w3.clearkey");
    uint8_t common[16] = SV_SYSTEM_ID_W3C_COMMON, other[16] = { 0xed, 0xef };
    assert_int_equal(cdm->supports(cdm->opaque, common), 1);
    assert_int_equal(cdm->supports(cdm->opaque, other), 0);

    assert_int_equal(cdm->create_request(cdm->opaque, &init, &req, &n), 0);
    char *text = strndup((char *)req, n);
    assert_string_equal(text, "{\"kids\":[\"" KID_B64 "\",\"AQAAAAAAAAAAAAAAAAAAAA\"],\"type\":\"temporary\"}");
    free(text);
    cdm->free_request(cdm->opaque, req);

    static const char license[] = "{\"keys\":[{\"kty\":\"oct\",\"k\":\"" KEY_B64 "\",\"kid\":\"" KID_B64 "\"}]}";
    assert_int_equal(cdm->update(cdm->opaque, (const uint8_t *)license, strlen(license)), 0);
    assert_int_equal(cdm->has_key(cdm->opaque, fx_kid), 1);
    /* Now only the second KID is asked for; with one KID, nothing. */
    assert_int_equal(cdm->create_request(cdm->opaque, &init, &req, &n), 0);
    assert_non_null(strstr((char *)req, "AQAAAAAAAAAAAAAAAAAAAA"));
    assert_null(strstr((char *)req, KID_B64));
    cdm->free_request(cdm->opaque, req);
    init.nb_kids = 1;
    req = NULL;
    assert_int_equal(cdm->create_request(cdm->opaque, &init, &req, &n), 1);
    assert_null(req);

    /* The licensed key decrypts the openssl vector. */
    uint8_t buf[sizeof(vec_cenc_full)], want[100];
    memcpy(buf, vec_cenc_full, sizeof(buf));
    for (int i = 0; i < 100; i++)
        want[i] = (uint8_t)(i * 7 + 3);
    sv_encrypted_sample s = { .scheme = SV_SCHEME_CENC, .iv_size = 16, .data = buf,
                              .size = sizeof(buf),
                              .iv = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 } };
    memcpy(s.kid, fx_kid, 16);
    assert_int_equal(cdm->decrypt(cdm->opaque, &s), 0);
    assert_memory_equal(buf, want, 100);
    s.kid[0] ^= 1;
    assert_int_equal(cdm->decrypt(cdm->opaque, &s), SV_ERR_NO_KEY);
    cdm->destroy(cdm);
}

static void pssh_kids_are_requested(void **state)
{
    static const uint8_t common[16] = SV_SYSTEM_ID_W3C_COMMON;
    sv__buf b;
    sv_cdm *cdm = NULL;
    uint8_t *req = NULL;
    size_t n = 0;
    (void)state;
    sv__buf_init(&b);
    sv__cenc_write_pssh(&b, common, (const uint8_t (*)[16])fx_kid, 1, NULL, 0);
    sv_cdm_init_data init = { .pssh = b.data, .pssh_size = b.size };
    assert_int_equal(sv_cdm_clearkey_create(&cdm), 0);
    assert_int_equal(cdm->create_request(cdm->opaque, &init, &req, &n), 0);
    assert_non_null(strstr((char *)req, KID_B64));
    cdm->free_request(cdm->opaque, req);
    cdm->destroy(cdm);
    sv__buf_free(&b);
}

static void bad_licenses_are_drm_errors(void **state)
{
    static const char *const bad[] = {
        "", "{", "[]", "{\"keys\":[]}", "{\"keys\":{}}",
        "{\"keys\":[{\"kty\":\"RSA\",\"k\":\"" KEY_B64 "\",\"kid\":\"" KID_B64 "\"}]}",
        "{\"keys\":[{\"kty\":\"oct\",\"k\":\"AAAA\",\"kid\":\"" KID_B64 "\"}]}",
        "{\"keys\":[{\"kty\":\"oct\",\"k\":\"" KEY_B64 "\"}]}",
        "{\"keys\":[{\"kty\":\"oct\",\"k\":\"" KEY_B64 "\",\"kid\":\"" KID_B64 "!\"}]}",
        "{\"keys\":[{\"kty\":\"oct\",\"k\":7,\"kid\":\"" KID_B64 "\"}]}",
    };
    sv_cdm *cdm = NULL;
    (void)state;
    assert_int_equal(sv_cdm_clearkey_create(&cdm), 0);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(cdm->update(cdm->opaque, (const uint8_t *)bad[i], strlen(bad[i])), SV_ERR_DRM);
    assert_int_equal(cdm->has_key(cdm->opaque, fx_kid), 0);
    cdm->destroy(cdm);
}

static void license_and_request_round_trip(void **state)
{
    sv__clearkey_key k, *keys = NULL;
    char *text = NULL;
    size_t n = 0;
    uint8_t (*kids)[16] = NULL;
    (void)state;
    memcpy(k.kid, fx_kid, 16);
    memcpy(k.key, fx_key, 16);
    assert_int_equal(sv__clearkey_license_write(&k, 1, &text), 0);
    assert_int_equal(sv__clearkey_license_parse((uint8_t *)text, strlen(text), NULL, &keys, &n), 0);
    assert_int_equal(n, 1);
    assert_memory_equal(&keys[0], &k, sizeof(k));
    free(keys);
    free(text);
    assert_int_equal(sv__clearkey_request_write((const uint8_t (*)[16])fx_kid, 1, NULL, &text), 0);
    assert_int_equal(sv__clearkey_request_parse((uint8_t *)text, strlen(text), &kids, &n), 0);
    assert_int_equal(n, 1);
    assert_memory_equal(kids[0], fx_kid, 16);
    free(kids);
    free(text);
}

static void key_pair_parser(void **state)
{
    uint8_t kid[16], key[16];
    (void)state;
    assert_int_equal(sv_cdm_parse_key_pair("4060a865887842679cbf91ae5bae1e72:fc35340837310cc0fb53de97e22a69e0", kid, key), 0);
    assert_memory_equal(kid, fx_kid, 16);
    assert_memory_equal(key, fx_key, 16);
    assert_int_equal(sv_cdm_parse_key_pair("4060A865-8878-4267-9CBF-91AE5BAE1E72:FC35340837310CC0FB53DE97E22A69E0", kid, key), 0);
    assert_memory_equal(kid, fx_kid, 16);
    assert_int_equal(sv_cdm_parse_key_pair("4060a865887842679cbf91ae5bae1e72", kid, key), SV_ERR_INVALID);
    assert_int_equal(sv_cdm_parse_key_pair("4060a865887842679cbf91ae5bae1e72:fc35340837310cc0fb53de97e22a69e", kid, key), SV_ERR_INVALID);
    assert_int_equal(sv_cdm_parse_key_pair("4060a865887842679cbf91ae5bae1e72:fc35340837310cc0fb53de97e22a69e00", kid, key), SV_ERR_INVALID);
    assert_int_equal(sv_cdm_parse_key_pair("g060a865887842679cbf91ae5bae1e72:fc35340837310cc0fb53de97e22a69e0", kid, key), SV_ERR_INVALID);
    assert_int_equal(sv_cdm_parse_key_pair(NULL, kid, key), SV_ERR_INVALID);
    sv_cdm other = { 0 };
    assert_int_equal(sv_cdm_clearkey_add_key(&other, kid, key), SV_ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(base64url),
        cmocka_unit_test(request_has_missing_kids_only),
        cmocka_unit_test(pssh_kids_are_requested),
        cmocka_unit_test(bad_licenses_are_drm_errors),
        cmocka_unit_test(license_and_request_round_trip),
        cmocka_unit_test(key_pair_parser),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
