/*
 * The pure parts of accounts: the login guard's throttling, back-off and
 * lockout (login_guard.h), roles in user JWTs, and password records.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "backend/accounts.h"
#include "backend/login_guard.h"
#include "streamverse/common.h"

#define SECRET "auth-test-secret-0123456789"
#define T0 1700000000

static sv__login_guard *guard(void)
{
    sv__login_limits l;
    sv__login_guard *g = NULL;

    sv__login_limits_default(&l); /* 3 free, back-off to 60 s, lock at 10, 64 pending */
    assert_int_equal(sv__login_guard_create(&l, &g), 0);
    return g;
}

/* One admitted attempt that fails (or succeeds); returns finish's verdict. */
static int attempt(sv__login_guard *g, const char *name, const char *addr, int ok, double now)
{
    int wait;

    assert_int_equal(sv__login_guard_admit(g, name, addr, now, &wait), SV__LOGIN_ADMIT);
    return sv__login_guard_finish(g, name, addr, ok, now);
}

static void test_backoff_doubles(void **state)
{
    sv__login_guard *g = guard();
    int64_t now = T0;
    int wait;

    (void)state;
    for (int i = 0; i < 3; i++)
        assert_int_equal(attempt(g, "alice", "10.0.0.1", 0, now), 0);
    /* Free failures spent: the 4th failure costs 1 s, then 2, 4, 8. */
    assert_int_equal(attempt(g, "alice", "10.0.0.1", 0, now), 0);
    assert_int_equal(sv__login_guard_admit(g, "alice", "10.0.0.1", now, &wait),
                     SV__LOGIN_THROTTLED);
    assert_int_equal(wait, 1);
    now += 1;
    assert_int_equal(attempt(g, "alice", "10.0.0.1", 0, now), 0);
    assert_int_equal(sv__login_guard_admit(g, "alice", "10.0.0.1", now, &wait),
                     SV__LOGIN_THROTTLED);
    assert_int_equal(wait, 2);
    /* The address is throttled for another name too (it guesses). */
    assert_int_equal(sv__login_guard_admit(g, "bob", "10.0.0.1", now, &wait),
                     SV__LOGIN_THROTTLED);
    /* The name is throttled from another address too. */
    assert_int_equal(sv__login_guard_admit(g, "alice", "10.0.0.2", now, &wait),
                     SV__LOGIN_THROTTLED);
    /* Another name from another address is not. */
    assert_int_equal(attempt(g, "bob", "10.0.0.2", 1, now), 0);
    sv__login_guard_destroy(g);
}

/* A back-off of 1 s lasts a whole second from the failure, wherever in a
 * second the failure fell (whole-second clocks made it anything from 0 to
 * 1 s). */
static void test_backoff_whole_seconds(void **state)
{
    sv__login_guard *g = guard();
    double now = T0 + 0.9;
    int wait;

    (void)state;
    for (int i = 0; i < 4; i++)
        assert_int_equal(attempt(g, "gina", "10.0.6.1", 0, now), 0);
    assert_int_equal(sv__login_guard_admit(g, "gina", "10.0.6.1", T0 + 1.2, &wait),
                     SV__LOGIN_THROTTLED);
    assert_int_equal(wait, 1);
    assert_int_equal(sv__login_guard_admit(g, "gina", "10.0.6.1", T0 + 1.85, &wait),
                     SV__LOGIN_THROTTLED);
    assert_int_equal(sv__login_guard_admit(g, "gina", "10.0.6.1", T0 + 1.9, &wait),
                     SV__LOGIN_ADMIT);
    sv__login_guard_destroy(g);
}

static void test_backoff_capped_and_forgotten(void **state)
{
    sv__login_limits l;
    sv__login_guard *g = NULL;
    int64_t now = T0;
    int wait;

    (void)state;
    sv__login_limits_default(&l);
    l.backoff_max_s = 10;
    assert_int_equal(sv__login_guard_create(&l, &g), 0);
    for (int i = 0; i < 9; i++) {
        /* A fresh address each time: only the name's back-off applies. */
        char addr[32];

        snprintf(addr, sizeof(addr), "10.0.1.%d", i);
        now += 61;
        assert_int_equal(attempt(g, "carol", addr, 0, now), 0);
    }
    /* 2^5 s would be due after 9 failures; the cap says 10. */
    assert_int_equal(sv__login_guard_admit(g, "carol", "10.9.9.9", now, &wait),
                     SV__LOGIN_THROTTLED);
    assert_int_equal(wait, 10);
    /* After the failure window the count starts again. */
    now += 901;
    assert_int_equal(sv__login_guard_admit(g, "carol", "10.9.9.9", now, &wait),
                     SV__LOGIN_ADMIT);
    sv__login_guard_destroy(g);
}

static void test_lockout_after_ten(void **state)
{
    sv__login_guard *g = guard();
    int64_t now = T0;
    int locked = 0;

    (void)state;
    for (int i = 0; i < 10; i++) {
        char addr[32];

        snprintf(addr, sizeof(addr), "10.0.2.%d", i);
        now += 61; /* past any back-off */
        locked = attempt(g, "dave", addr, 0, now);
        assert_int_equal(locked, i == 9);
    }
    sv__login_guard_destroy(g);
}

static void test_parallel_burst_stops_at_limit(void **state)
{
    sv__login_guard *g = guard();
    int admitted = 0, wait;

    (void)state;
    /* 50 guesses at once on one name from 50 addresses: attempts in flight
     * count, so no more than the lockout limit get to hash. */
    for (int i = 0; i < 50; i++) {
        char addr[32];

        snprintf(addr, sizeof(addr), "10.0.3.%d", i);
        if (sv__login_guard_admit(g, "erin", addr, T0, &wait) == SV__LOGIN_ADMIT)
            admitted++;
    }
    assert_int_equal(admitted, 10);
    sv__login_guard_destroy(g);
}

static void test_pending_cap(void **state)
{
    sv__login_limits l;
    sv__login_guard *g = NULL;
    int wait;

    (void)state;
    sv__login_limits_default(&l);
    l.max_pending = 2;
    assert_int_equal(sv__login_guard_create(&l, &g), 0);
    assert_int_equal(sv__login_guard_admit(g, "a", "10.0.4.1", T0, &wait), SV__LOGIN_ADMIT);
    assert_int_equal(sv__login_guard_admit(g, "b", "10.0.4.2", T0, &wait), SV__LOGIN_ADMIT);
    assert_int_equal(sv__login_guard_admit(g, "c", "10.0.4.3", T0, &wait), SV__LOGIN_BUSY);
    assert_int_equal(wait, 1);
    sv__login_guard_finish(g, "a", "10.0.4.1", 1, T0);
    assert_int_equal(sv__login_guard_pending(g), 1);
    assert_int_equal(sv__login_guard_admit(g, "c", "10.0.4.3", T0, &wait), SV__LOGIN_ADMIT);
    sv__login_guard_destroy(g);
}

static void test_forget_lifts_backoff(void **state)
{
    sv__login_guard *g = guard();
    int wait;

    (void)state;
    for (int i = 0; i < 6; i++) {
        char addr[32];

        snprintf(addr, sizeof(addr), "10.0.5.%d", i);
        attempt(g, "frank", addr, 0, T0 + 100 * i);
    }
    assert_int_equal(sv__login_guard_admit(g, "frank", "10.0.5.99", T0 + 500, &wait),
                     SV__LOGIN_THROTTLED);
    sv__login_guard_forget(g, "frank");
    assert_int_equal(sv__login_guard_admit(g, "frank", "10.0.5.99", T0 + 500, &wait),
                     SV__LOGIN_ADMIT);
    sv__login_guard_destroy(g);
}

static void test_many_keys_bounded(void **state)
{
    sv__login_guard *g = guard();
    int wait;

    (void)state;
    /* Far more keys than slots: old ones are forgotten, nothing breaks. */
    for (int i = 0; i < 3 * SV__LOGIN_GUARD_SLOTS; i++) {
        char name[32], addr[32];

        snprintf(name, sizeof(name), "user%d", i);
        snprintf(addr, sizeof(addr), "10.%d.%d.%d", (i >> 16) & 255, (i >> 8) & 255, i & 255);
        assert_int_equal(sv__login_guard_admit(g, name, addr, T0, &wait), SV__LOGIN_ADMIT);
        sv__login_guard_finish(g, name, addr, 0, T0);
    }
    assert_int_equal(sv__login_guard_pending(g), 0);
    sv__login_guard_destroy(g);
}

static void test_roles(void **state)
{
    (void)state;
    assert_int_equal(sv__role_parse("viewer"), SV__ROLE_VIEWER);
    assert_int_equal(sv__role_parse("operator"), SV__ROLE_OPERATOR);
    assert_int_equal(sv__role_parse("admin"), SV__ROLE_ADMIN);
    assert_int_equal(sv__role_parse("root"), -1);
    assert_int_equal(sv__role_parse("anonymous"), -1);
    assert_string_equal(sv__role_name(SV__ROLE_OPERATOR), "operator");
}

static void test_jwt_carries_role(void **state)
{
    sv__user u = {.id = 7, .name = "op", .region = "FR", .max_streams = 1,
                  .role = SV__ROLE_OPERATOR};
    sv__jwt_claims c;
    char tok[SV__JWT_MAX];

    (void)state;
    assert_int_equal(sv__jwt_sign(SECRET, &u, T0, 60, tok, sizeof(tok)), 0);
    assert_int_equal(sv__jwt_verify(SECRET, tok, strlen(tok), T0 + 1, &c), 0);
    assert_int_equal(c.role, SV__ROLE_OPERATOR);
    /* A user without a role signs as a viewer, never as anything above. */
    u.role = 0;
    assert_int_equal(sv__jwt_sign(SECRET, &u, T0, 60, tok, sizeof(tok)), 0);
    assert_int_equal(sv__jwt_verify(SECRET, tok, strlen(tok), T0 + 1, &c), 0);
    assert_int_equal(c.role, SV__ROLE_VIEWER);
}

static void test_pw_records(void **state)
{
    sv__pw_record rec, dummy;

    (void)state;
    assert_int_equal(sv__pw_record_new("short", &rec), SV_ERR_INVALID);
    assert_int_equal(sv__pw_record_new("correct horse", &rec), 0);
    assert_int_equal(sv__pw_check("correct horse", &rec), 0);
    assert_int_equal(sv__pw_check("correct horsf", &rec), SV_ERR_FORBIDDEN);
    /* The dummy record has the same cost parameters and matches nothing. */
    sv__pw_record_dummy(&dummy);
    assert_int_equal(dummy.n, rec.n);
    assert_int_equal(dummy.r, rec.r);
    assert_int_equal(dummy.p, rec.p);
    assert_int_equal(dummy.salt_len, rec.salt_len);
    assert_int_equal(sv__pw_check("correct horse", &dummy), SV_ERR_FORBIDDEN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backoff_doubles),
        cmocka_unit_test(test_backoff_whole_seconds),
        cmocka_unit_test(test_backoff_capped_and_forgotten),
        cmocka_unit_test(test_lockout_after_ten),
        cmocka_unit_test(test_parallel_burst_stops_at_limit),
        cmocka_unit_test(test_pending_cap),
        cmocka_unit_test(test_forget_lifts_backoff),
        cmocka_unit_test(test_many_keys_bounded),
        cmocka_unit_test(test_roles),
        cmocka_unit_test(test_jwt_carries_role),
        cmocka_unit_test(test_pw_records),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
