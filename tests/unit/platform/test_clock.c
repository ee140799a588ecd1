/*
 * Clocks: the virtual clock moves only when told, wakes exactly the sleepers
 * that are due, reports the next deadline, and cancels sleepers on destroy;
 * wake() interrupts sleepers of either kind.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "platform/thread.h"
#include "streamverse/clock.h"

typedef struct sleeper_arg {
    sv_clock *clock;
    int64_t deadline;
    int result;
    int done;
    sv__mutex lock;
} sleeper_arg;

static void *sleeper_main(void *p)
{
    sleeper_arg *a = p;
    int ret = a->clock->sleep_until(a->clock->opaque, a->deadline);
    sv__mutex_lock(&a->lock);
    a->result = ret;
    a->done = 1;
    sv__mutex_unlock(&a->lock);
    return NULL;
}

static int is_done(sleeper_arg *a)
{
    sv__mutex_lock(&a->lock);
    int d = a->done;
    sv__mutex_unlock(&a->lock);
    return d;
}

/* Waits (bounded, in real time) until `n` threads sleep on the virtual clock. */
static void wait_sleepers(sv_clock *c, int n)
{
    int64_t give_up = sv__monotonic_ns() + 5000000000LL;
    while (sv_clock_virtual_sleepers(c) != n && sv__monotonic_ns() < give_up)
        sv__sleep_ns(200000);
    assert_int_equal(sv_clock_virtual_sleepers(c), n);
}

static void start_sleeper(sleeper_arg *a, sv__thread *t, sv_clock *c, int64_t deadline)
{
    a->clock = c;
    a->deadline = deadline;
    a->done = 0;
    a->result = 1;
    assert_int_equal(sv__mutex_init(&a->lock), 0);
    assert_int_equal(sv__thread_create(t, "sleeper", sleeper_main, a), 0);
}

static void finish_sleeper(sleeper_arg *a, sv__thread *t)
{
    sv__thread_join(t);
    sv__mutex_destroy(&a->lock);
}

static void virtual_time_moves_only_when_told(void **state)
{
    sv_clock *c = NULL;
    (void)state;

    assert_int_equal(sv_clock_virtual_create(&c, 1000), 0);
    assert_int_equal(c->now_ns(c->opaque), 1000);
    assert_int_equal(c->now_ns(c->opaque), 1000);
    assert_int_equal(sv_clock_virtual_advance(c, 500), 0);
    assert_int_equal(c->now_ns(c->opaque), 1500);
    assert_int_equal(sv_clock_virtual_set(c, 4000), 0);
    assert_int_equal(c->now_ns(c->opaque), 4000);
    /* Time never goes backwards, and bad arguments are refused. */
    assert_int_equal(sv_clock_virtual_set(c, 3999), SV_ERR_RANGE);
    assert_int_equal(sv_clock_virtual_advance(c, -1), SV_ERR_INVALID);
    assert_int_equal(c->now_ns(c->opaque), 4000);
    /* A deadline already past returns at once. */
    assert_int_equal(c->sleep_until(c->opaque, 10), 0);
    assert_int_equal(sv_clock_virtual_next_deadline(c), INT64_MAX);
    sv_clock_destroy(c);
}

static void virtual_wakes_exactly_the_due_sleepers(void **state)
{
    sv_clock *c = NULL;
    sleeper_arg a, b;
    sv__thread ta, tb;
    (void)state;

    assert_int_equal(sv_clock_virtual_create(&c, 0), 0);
    start_sleeper(&a, &ta, c, 100);
    start_sleeper(&b, &tb, c, 300);
    wait_sleepers(c, 2);
    assert_int_equal(sv_clock_virtual_next_deadline(c), 100);

    assert_int_equal(sv_clock_virtual_advance(c, 99), 0);
    wait_sleepers(c, 2);          /* nobody is due at 99 */
    assert_false(is_done(&a));

    assert_int_equal(sv_clock_virtual_advance(c, 1), 0);
    finish_sleeper(&a, &ta);      /* due at 100 */
    assert_int_equal(a.result, 0);
    wait_sleepers(c, 1);
    assert_false(is_done(&b));
    assert_int_equal(sv_clock_virtual_next_deadline(c), 300);

    assert_int_equal(sv_clock_virtual_set(c, 1000), 0);
    finish_sleeper(&b, &tb);
    assert_int_equal(b.result, 0);
    assert_int_equal(sv_clock_virtual_sleepers(c), 0);
    sv_clock_destroy(c);
}

static void wake_interrupts_sleepers(void **state)
{
    sv_clock *c = NULL;
    sleeper_arg a;
    sv__thread ta;
    (void)state;

    /* Virtual: the deadline never comes, wake() ends the sleep. */
    assert_int_equal(sv_clock_virtual_create(&c, 0), 0);
    start_sleeper(&a, &ta, c, 1000000);
    wait_sleepers(c, 1);
    c->wake(c->opaque);
    finish_sleeper(&a, &ta);
    assert_int_equal(a.result, SV_ERR_AGAIN);
    assert_int_equal(c->now_ns(c->opaque), 0);
    sv_clock_destroy(c);

    /* Monotonic: a one-hour sleep is cut short too. */
    assert_int_equal(sv_clock_monotonic_create(&c), 0);
    start_sleeper(&a, &ta, c, c->now_ns(c->opaque) + 3600LL * 1000000000);
    for (int i = 0; i < 5000 && !is_done(&a); i++) {
        c->wake(c->opaque);
        sv__sleep_ns(1000000);
    }
    finish_sleeper(&a, &ta);
    assert_int_equal(a.result, SV_ERR_AGAIN);
    sv_clock_destroy(c);
}

static void destroy_cancels_sleepers(void **state)
{
    sv_clock *c = NULL;
    sleeper_arg a;
    sv__thread ta;
    (void)state;

    assert_int_equal(sv_clock_virtual_create(&c, 0), 0);
    start_sleeper(&a, &ta, c, 1000);
    wait_sleepers(c, 1);
    sv_clock_destroy(c);   /* returns only after the sleeper left */
    finish_sleeper(&a, &ta);
    assert_int_equal(a.result, SV_ERR_CANCELLED);
}

static void monotonic_reaches_deadline(void **state)
{
    sv_clock *c = NULL;
    (void)state;

    assert_int_equal(sv_clock_monotonic_create(&c), 0);
    int64_t t0 = c->now_ns(c->opaque);
    assert_int_equal(c->sleep_until(c->opaque, t0 + 2000000), 0);
    /* Ordering, not timing: the deadline was reached, time did not go back. */
    assert_true(c->now_ns(c->opaque) >= t0 + 2000000);
    sv_clock_destroy(c);
}

static void non_virtual_clocks_are_refused(void **state)
{
    sv_clock *c = NULL;
    (void)state;

    assert_int_equal(sv_clock_monotonic_create(&c), 0);
    assert_int_equal(sv_clock_virtual_advance(c, 1), SV_ERR_INVALID);
    assert_int_equal(sv_clock_virtual_set(c, 1), SV_ERR_INVALID);
    assert_int_equal(sv_clock_virtual_sleepers(c), SV_ERR_INVALID);
    assert_true(sv_clock_virtual_next_deadline(c) == INT64_MIN);
    assert_int_equal(sv_clock_virtual_advance(NULL, 1), SV_ERR_INVALID);
    assert_int_equal(sv_clock_virtual_create(NULL, 0), SV_ERR_INVALID);
    sv_clock_destroy(c);
    sv_clock_destroy(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(virtual_time_moves_only_when_told),
        cmocka_unit_test(virtual_wakes_exactly_the_due_sleepers),
        cmocka_unit_test(wake_interrupts_sleepers),
        cmocka_unit_test(destroy_cancels_sleepers),
        cmocka_unit_test(monotonic_reaches_deadline),
        cmocka_unit_test(non_virtual_clocks_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
