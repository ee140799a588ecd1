/*
 * Playback and media tokens (backend/token.c): what verifies, what is refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "backend/token.h"
#include "streamverse/common.h"

#define SECRET "0123456789abcdef-test-secret"
#define NOW 1800000000

static void sign(const sv__token_claims *c, char *out)
{
    assert_int_equal(sv__token_sign(SECRET, c, out, SV__TOKEN_MAX), 0);
}

static sv__token_claims sample(void)
{
    sv__token_claims c = {.title_id = 42, .expires = NOW + 60};

    strcpy(c.session, "9f8e7d6c5b4a39281706f5e4d3c2b1a0");
    strcpy(c.prefix, "/media/42/");
    return c;
}

static void round_trip(void **state)
{
    sv__token_claims c = sample(), got;
    char tok[SV__TOKEN_MAX];

    (void)state;
    sign(&c, tok);
    assert_true(strspn(tok, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.") ==
                strlen(tok));
    assert_int_equal(sv__token_verify(SECRET, tok, strlen(tok), NOW, &got), 0);
    assert_int_equal(got.title_id, 42);
    assert_int_equal(got.expires, NOW + 60);
    assert_string_equal(got.session, c.session);
    assert_string_equal(got.prefix, "/media/42/");
}

static void expired(void **state)
{
    sv__token_claims c = sample(), got;
    char tok[SV__TOKEN_MAX];

    (void)state;
    sign(&c, tok);
    assert_int_equal(sv__token_verify(SECRET, tok, strlen(tok), NOW + 59, &got), 0);
    assert_int_equal(sv__token_verify(SECRET, tok, strlen(tok), NOW + 60, &got), SV_ERR_TIMEOUT);
}

/* Every single-character change, a wrong secret and truncations are refused. */
static void tampered(void **state)
{
    sv__token_claims c = sample(), got;
    char tok[SV__TOKEN_MAX], bad[SV__TOKEN_MAX];
    size_t n;

    (void)state;
    sign(&c, tok);
    n = strlen(tok);
    for (size_t i = 0; i < n; i++) {
        memcpy(bad, tok, n + 1);
        bad[i] = bad[i] == 'A' ? 'B' : 'A';
        assert_int_equal(sv__token_verify(SECRET, bad, n, NOW, &got), SV_ERR_FORBIDDEN);
    }
    /* The MAC's last character carries unused bits: every other spelling
     * of it is refused too. */
    for (const char *ch = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"; *ch;
         ch++) {
        if (*ch == tok[n - 1])
            continue;
        memcpy(bad, tok, n + 1);
        bad[n - 1] = *ch;
        assert_int_equal(sv__token_verify(SECRET, bad, n, NOW, &got), SV_ERR_FORBIDDEN);
    }
    for (size_t len = 0; len < n; len++)
        assert_int_equal(sv__token_verify(SECRET, tok, len, NOW, &got), SV_ERR_FORBIDDEN);
    assert_int_equal(sv__token_verify("another-secret-of-16+", tok, n, NOW, &got),
                     SV_ERR_FORBIDDEN);
    assert_int_equal(sv__token_verify(SECRET, "", 0, NOW, &got), SV_ERR_FORBIDDEN);
    assert_int_equal(sv__token_verify(SECRET, "....", 4, NOW, &got), SV_ERR_FORBIDDEN);
}

/* A token whose claims swap in another title needs a new MAC. */
static void payload_swap(void **state)
{
    sv__token_claims a = sample(), b = sample(), got;
    char ta[SV__TOKEN_MAX], tb[SV__TOKEN_MAX], mix[2 * SV__TOKEN_MAX];
    const char *claims_b, *mac_a;

    (void)state;
    b.title_id = 43;
    strcpy(b.prefix, "/media/43/");
    sign(&a, ta);
    sign(&b, tb);
    /* header.claims of b, then the MAC of a. */
    claims_b = strchr(tb, '.') + 1;
    mac_a = strrchr(ta, '.');
    snprintf(mix, sizeof(mix), "%.*s%s", (int)(strchr(claims_b, '.') - tb), tb, mac_a);
    assert_string_not_equal(mix, ta);
    assert_string_not_equal(mix, tb);
    assert_int_equal(sv__token_verify(SECRET, mix, strlen(mix), NOW, &got), SV_ERR_FORBIDDEN);
}

/* A playback token is a JWT: three parts, the standard HS256 header. */
static void is_a_jwt(void **state)
{
    sv__token_claims c = sample();
    char tok[SV__TOKEN_MAX];
    const char *dot1, *dot2;

    (void)state;
    sign(&c, tok);
    dot1 = strchr(tok, '.');
    dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
    assert_non_null(dot2);
    assert_null(strchr(dot2 + 1, '.'));
    assert_int_equal(dot1 - tok, 36);
    assert_memory_equal(tok, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9", 36);
    assert_int_equal(strlen(dot2 + 1), 43);
}

static void prefix(void **state)
{
    sv__token_claims c = sample();

    (void)state;
    assert_true(sv__token_grants_path(&c, "/media/42/master.m3u8"));
    assert_true(sv__token_grants_path(&c, "/media/42/video/720p/seg-1.m4s"));
    assert_false(sv__token_grants_path(&c, "/media/421/master.m3u8"));
    assert_false(sv__token_grants_path(&c, "/media/4"));
    strcpy(c.prefix, "/media/42");
    assert_true(sv__token_grants_path(&c, "/media/42/a"));
    assert_false(sv__token_grants_path(&c, "/media/421/a"));
    c.prefix[0] = '\0';
    assert_false(sv__token_grants_path(&c, "/media/42/a"));
}

static void bad_input(void **state)
{
    sv__token_claims c = sample();
    char tok[SV__TOKEN_MAX];

    (void)state;
    assert_int_equal(sv__token_sign("", &c, tok, sizeof(tok)), SV_ERR_INVALID);
    assert_int_equal(sv__token_sign(SECRET, &c, tok, 20), SV_ERR_INVALID);
    assert_string_equal(tok, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip), cmocka_unit_test(expired), cmocka_unit_test(tampered),
        cmocka_unit_test(payload_swap),
        cmocka_unit_test(is_a_jwt), cmocka_unit_test(prefix), cmocka_unit_test(bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
