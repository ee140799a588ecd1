/*
 * Abuse limits (backend/ratelimit.c, backend/log_guard.c): the per-client
 * token bucket and its bounded table, and the log-flood guard.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "backend/log_guard.h"
#include "backend/ratelimit.h"
#include "streamverse/common.h"

#define SEC 1000000000ull

static void burst_then_rate(void **state)
{
    sv__ratelimit *rl;
    uint64_t t = 5 * SEC;

    (void)state;
    assert_int_equal(sv__ratelimit_create(2, 10, &rl), 0);
    for (int i = 0; i < 10; i++)
        assert_int_equal(sv__ratelimit_take(rl, "192.0.2.1", t), 0);
    /* Empty: the next token comes in 0.5 s, announced as 1 s. */
    assert_int_equal(sv__ratelimit_take(rl, "192.0.2.1", t), 1);
    /* Another client has its own bucket. */
    assert_int_equal(sv__ratelimit_take(rl, "192.0.2.2", t), 0);
    /* 0.5 s later one request passes, the next does not. */
    assert_int_equal(sv__ratelimit_take(rl, "192.0.2.1", t + SEC / 2), 0);
    assert_int_not_equal(sv__ratelimit_take(rl, "192.0.2.1", t + SEC / 2), 0);
    /* After a long pause the bucket is full again, not more than full. */
    for (int i = 0; i < 10; i++)
        assert_int_equal(sv__ratelimit_take(rl, "192.0.2.1", t + 100 * SEC), 0);
    assert_int_not_equal(sv__ratelimit_take(rl, "192.0.2.1", t + 100 * SEC), 0);
    sv__ratelimit_destroy(rl);
}

static void retry_after_slow_rate(void **state)
{
    sv__ratelimit *rl;

    (void)state;
    assert_int_equal(sv__ratelimit_create(0.1, 1, &rl), 0);
    assert_int_equal(sv__ratelimit_take(rl, "2001:db8::1", SEC), 0);
    /* One request every 10 s. */
    assert_int_equal(sv__ratelimit_take(rl, "2001:db8::1", SEC), 10);
    assert_int_equal(sv__ratelimit_take(rl, "2001:db8::1", 6 * SEC), 5);
    sv__ratelimit_destroy(rl);
}

/* A flood of distinct addresses costs a fixed table, and a client that
 * keeps sending stays limited while it does. */
static void many_clients_bounded(void **state)
{
    sv__ratelimit *rl;
    char addr[48];
    int refused = 0;

    (void)state;
    assert_int_equal(sv__ratelimit_create(1, 3, &rl), 0);
    for (int i = 0; i < 200000; i++) {
        snprintf(addr, sizeof(addr), "10.%d.%d.%d", (i >> 16) & 255, (i >> 8) & 255, i & 255);
        assert_int_equal(sv__ratelimit_take(rl, addr, SEC + (uint64_t)i), 0);
        if (i % 1000 == 0 && sv__ratelimit_take(rl, "198.51.100.7", SEC + (uint64_t)i))
            refused++;
    }
    /* 200 tries within 0.2 ms: 3 pass (the burst), the rest are refused,
     * unless the flood evicted the client (then it starts again full). */
    assert_true(refused >= 150);
    sv__ratelimit_destroy(rl);
}

static void bad_settings(void **state)
{
    sv__ratelimit *rl;

    (void)state;
    assert_int_equal(sv__ratelimit_create(0, 10, &rl), SV_ERR_INVALID);
    assert_int_equal(sv__ratelimit_create(1, 0.5, &rl), SV_ERR_INVALID);
}

typedef struct seen {
    int lines, warns_suppressed, debug;
    long long suppressed_total; /* the sum of the N of the reports */
    char last[256];
} seen;

static void record(void *opaque, sv_log_level level, const char *module, const char *msg)
{
    seen *s = opaque;

    s->lines++;
    if (level == SV_LOG_DEBUG)
        s->debug++;
    if (!strcmp(module, "log") && strstr(msg, "log lines suppressed")) {
        s->warns_suppressed++;
        s->suppressed_total += strtoll(msg, NULL, 10);
    }
    snprintf(s->last, sizeof(s->last), "%s", msg);
}

static void flood_is_held_back(void **state)
{
    sv__log_guard g;
    sv_clock *clock;
    seen s = {0};

    (void)state;
    /* A virtual clock: the flood comes within one instant however slowly the
     * machine (or an emulator) runs the loop. */
    assert_int_equal(sv_clock_virtual_create(&clock, 0), 0);
    sv__log_guard_init(&g, record, &s, 50);
    sv__log_guard_set_clock(&g, clock);
    for (int i = 0; i < 100000; i++)
        sv__log_guard_cb(&g, SV_LOG_WARN, "http", "accept: Too many open files");
    /* The burst: 50 lines a second. */
    assert_int_equal(s.lines, 50);
    assert_int_equal(s.warns_suppressed, 0);
    /* 100 ms later five lines' worth has refilled: the first line through is
     * preceded by the count of those held back. */
    assert_int_equal(sv_clock_virtual_advance(clock, 100000000), 0);
    for (int i = 0; i < 10; i++)
        sv__log_guard_cb(&g, SV_LOG_WARN, "http", "accept: Too many open files");
    assert_int_equal(s.warns_suppressed, 1);
    assert_int_equal(s.lines, 50 + 1 + 5);
    /* Debug lines (access lines) are never held back. */
    for (int i = 0; i < 1000; i++)
        sv__log_guard_cb(&g, SV_LOG_DEBUG, "access", "GET / 200");
    assert_int_equal(s.debug, 1000);
    /* The five held back since come out at the end. */
    sv__log_guard_fini(&g);
    assert_int_equal(s.warns_suppressed, 2);
    assert_non_null(strstr(s.last, "5 log lines suppressed"));
    /* Every line is either passed (55) or counted in exactly one report. */
    assert_int_equal(55 + s.suppressed_total, 100000 + 10);
    sv_clock_destroy(clock);
}

static void no_limit(void **state)
{
    sv__log_guard g;
    seen s = {0};

    (void)state;
    sv__log_guard_init(&g, record, &s, 0);
    for (int i = 0; i < 5000; i++)
        sv__log_guard_cb(&g, SV_LOG_ERROR, "x", "y");
    sv__log_guard_fini(&g);
    assert_int_equal(s.lines, 5000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(burst_then_rate),
        cmocka_unit_test(retry_after_slow_rate),
        cmocka_unit_test(many_clients_bounded),
        cmocka_unit_test(bad_settings),
        cmocka_unit_test(flood_is_held_back),
        cmocka_unit_test(no_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
