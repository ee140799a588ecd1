/*
 * The TLS and HTTP settings (API 2.5) and the segment fetch time figures:
 * the form of a pin list (player/net/tls_pin.h) and sv_player_create()'s
 * refusals naming the setting; the medians and 95th percentiles of the
 * fetch time histogram (player/net/fetch_times.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "player/net/fetch_times.h"
#include "player/net/tls_pin.h"
#include "streamverse/player.h"

#define PIN_A "sha256//YhKJKSzoTt2b5FP18fvpHo7fJYqQCjAa3HWY3tvRMwE="
#define PIN_B "sha256//sRHdihwgkaib1P1gxX8HFszlD+7/gTfNvuAybgLPNis="

static void pin_lists_of_the_right_form_pass(void **state)
{
    (void)state;
    char err[200];
    assert_int_equal(sv__tls_pins_check(PIN_A, err, sizeof(err)), 0);
    assert_int_equal(sv__tls_pins_check(PIN_A ";" PIN_B, err, sizeof(err)), 0);
}

static void malformed_pin_lists_name_the_entry(void **state)
{
    (void)state;
    char err[200];
    static const char *bad[] = {
        "",
        "sha1//YhKJKSzoTt2b5FP18fvpHo7fJYqQCjAa3HWY3tvRMwE=",
        "sha256//YhKJKSzoTt2b5FP18fvpHo7fJYqQCjAa3HWY3tvRMw=", /* 43 characters */
        "sha256//YhKJKSzoTt2b5FP18fvpHo7fJYqQCjAa3HWY3tvRMwEA", /* no '=' */
        "sha256//YhKJKSzoTt2b5FP18fvpHo7fJYqQ-jAa3HWY3tvRMwE=", /* '-' is not base64 */
        "/etc/ssl/key.pem",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(sv__tls_pins_check(bad[i], err, sizeof(err)), SV_ERR_INVALID);
    assert_int_equal(sv__tls_pins_check(PIN_A ";sha256//short=", err, sizeof(err)),
                     SV_ERR_INVALID);
    assert_non_null(strstr(err, "pin 2 \"sha256//short=\""));
    assert_int_equal(sv__tls_pins_check(PIN_A ";", err, sizeof(err)), SV_ERR_INVALID);
    assert_non_null(strstr(err, "pin 2 \"\""));
}

static char logged[512];

static void keep_log(void *opaque, sv_log_level level, const char *module, const char *msg)
{
    (void)opaque;
    (void)level;
    (void)module;
    snprintf(logged, sizeof(logged), "%s", msg);
}

static void player_refuses_bad_tls_settings(void **state)
{
    (void)state;
    sv_player *p = NULL;
    sv_player_settings s;

    sv_player_default_settings(&s);
    s.log_cb = keep_log;
    s.tls_pinned_pubkey = PIN_A ";sha256//nope";
    logged[0] = '\0';
    assert_int_equal(sv_player_create(&p, &s), SV_ERR_INVALID);
    assert_null(p);
    assert_non_null(strstr(logged, "settings.tls_pinned_pubkey: pin 2 \"sha256//nope\""));

    sv_player_default_settings(&s);
    s.log_cb = keep_log;
    s.http_version = (sv_http_version)3;
    assert_int_equal(sv_player_create(&p, &s), SV_ERR_INVALID);
    assert_non_null(strstr(logged, "settings.http_version: 3"));

    sv_player_default_settings(&s);
    s.log_cb = keep_log;
    s.tls_ca_file = "";
    assert_int_equal(sv_player_create(&p, &s), SV_ERR_INVALID);
    assert_non_null(strstr(logged, "settings.tls_ca_file"));

    /* Good values, and a host built before API 2.5 (a smaller struct whose
     * garbage past its end is never read). */
    sv_player_default_settings(&s);
    s.tls_ca_file = "ca.pem";
    s.tls_pinned_pubkey = PIN_A ";" PIN_B;
    s.http_version = SV_HTTP_VERSION_1_1;
    assert_int_equal(sv_player_create(&p, &s), 0);
    sv_player_destroy(p);
    p = NULL;
    s.tls_pinned_pubkey = "not read";
    s.http_version = (sv_http_version)99;
    s.struct_size = offsetof(sv_player_settings, tls_ca_file);
    assert_int_equal(sv_player_create(&p, &s), 0);
    sv_player_destroy(p);
}

static void fetch_times_give_median_and_p95(void **state)
{
    (void)state;
    sv__fetch_times t;

    sv__fetch_times_init(&t, NULL);
    assert_true(t.p50_s < 0 && t.p95_s < 0);
    /* 1.5 ms, 2.5 ms, ..., 100.5 ms: in 1 ms bins, reported at their middle. */
    for (int k = 100; k >= 1; k--)
        assert_int_equal(sv__fetch_times_add(&t, (k + 0.5) / 1000), 0);
    assert_int_equal(t.count, 100);
    assert_float_equal(t.p50_s, 0.0505, 1e-9);
    assert_float_equal(t.p95_s, 0.0955, 1e-9);
    /* Past 1 s the bins are 10 ms wide; past 30 s all fall in the last. */
    sv__fetch_times_free(&t);
    for (int k = 0; k < 10; k++)
        sv__fetch_times_add(&t, 2.345);
    assert_float_equal(t.p50_s, 2.345, 1e-9);
    sv__fetch_times_add(&t, 95.0);
    sv__fetch_times_add(&t, -1.0);
    assert_true(t.p95_s > 29.9 && t.p95_s < 30.0);
    sv__fetch_times_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pin_lists_of_the_right_form_pass),
        cmocka_unit_test(malformed_pin_lists_name_the_entry),
        cmocka_unit_test(player_refuses_bad_tls_settings),
        cmocka_unit_test(fetch_times_give_median_and_p95),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
