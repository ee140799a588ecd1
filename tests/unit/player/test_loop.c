/*
 * test_loop.c - the control loop: timers fire in deadline order and can be
 * cancelled, tasks posted from another thread run in order, stop works from
 * any thread, a loop on a virtual clock fires a +10 s timer as soon as the
 * driver advances the clock (no real waiting), and the libcurl transport's
 * wakeup interrupts a loop waiting in curl_multi_poll().
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "player/net/loop.h"
#include "player/net/transport.h"
#include "platform/thread.h"
#include "streamverse/clock.h"

/* ---- timers ----------------------------------------------------------------- */

typedef struct order_log {
    sv__loop *loop;
    int seen[16];
    int n;
} order_log;

typedef struct mark {
    order_log *log;
    int value;
    int stop;
} mark;

static void on_mark(void *arg)
{
    mark *m = arg;
    m->log->seen[m->log->n++] = m->value;
    if (m->stop)
        sv__loop_stop(m->log->loop);
}

static void test_timer_order_and_cancel(void **state)
{
    sv_clock *clock;
    order_log log = { 0 };
    mark m[5];

    (void)state;
    assert_int_equal(sv_clock_monotonic_create(&clock), 0);
    assert_int_equal(sv__loop_create(&log.loop, clock, NULL, NULL), 0);
    for (int i = 0; i < 5; i++)
        m[i] = (mark){ &log, i, 0 };
    m[4].stop = 1;
    /* Armed out of order; two share a deadline and keep creation order. */
    assert_true(sv__loop_timer(log.loop, 0.03, on_mark, &m[3]) > 0);
    assert_true(sv__loop_timer(log.loop, 0.01, on_mark, &m[1]) > 0);
    assert_true(sv__loop_timer(log.loop, 0.0, on_mark, &m[0]) > 0);
    int64_t cancelled = sv__loop_timer(log.loop, 0.02, on_mark, &m[2]);
    assert_true(cancelled > 0);
    assert_true(sv__loop_timer(log.loop, 0.03, on_mark, &m[4]) > 0);
    sv__loop_timer_cancel(log.loop, cancelled);
    sv__loop_timer_cancel(log.loop, 12345); /* unknown: ignored */

    double t0 = sv__loop_now(log.loop);
    assert_int_equal(sv__loop_run(log.loop), 0);
    assert_int_equal(log.n, 4);
    assert_int_equal(log.seen[0], 0);
    assert_int_equal(log.seen[1], 1);
    assert_int_equal(log.seen[2], 3);
    assert_int_equal(log.seen[3], 4);
    /* The last timer cannot have fired before its deadline. */
    assert_true(sv__loop_now(log.loop) - t0 >= 0.03 - 1e-6);
    assert_ptr_equal(sv__loop_clock(log.loop), clock);

    sv__loop_destroy(log.loop);
    sv_clock_destroy(clock);
}

/* ---- posts and stop from another thread ----------------------------------------- */

#define NB_POSTS 2000

typedef struct poster {
    sv__loop *loop;
    int next_expected;
    int out_of_order;
    int values[NB_POSTS];
} poster;

typedef struct post_arg {
    poster *p;
    int value;
} post_arg;

static void on_post(void *arg)
{
    post_arg *a = arg;
    if (a->value != a->p->next_expected)
        a->p->out_of_order++;
    a->p->next_expected = a->value + 1;
}

static void stop_task(void *arg)
{
    sv__loop_stop(arg);
}

static post_arg post_args[NB_POSTS];

static void *post_thread(void *arg)
{
    poster *p = arg;
    for (int i = 0; i < NB_POSTS; i++) {
        post_args[i] = (post_arg){ p, i };
        assert_int_equal(sv__loop_post(p->loop, on_post, &post_args[i]), 0);
        if (i % 500 == 0)
            sv__sleep_ns(2000000);  /* let the loop fall asleep in between */
    }
    assert_int_equal(sv__loop_post(p->loop, stop_task, p->loop), 0);
    return NULL;
}

static void run_posts(sv__loop *loop)
{
    static poster p;
    sv__thread th;

    memset(&p, 0, sizeof(p));
    p.loop = loop;
    assert_int_equal(sv__thread_create(&th, "poster", post_thread, &p), 0);
    assert_int_equal(sv__loop_run(loop), 0);
    sv__thread_join(&th);
    assert_int_equal(p.next_expected, NB_POSTS);
    assert_int_equal(p.out_of_order, 0);
}

static void test_posts_from_thread(void **state)
{
    sv_clock *clock;
    sv__loop *loop;

    (void)state;
    assert_int_equal(sv_clock_monotonic_create(&clock), 0);
    assert_int_equal(sv__loop_create(&loop, clock, NULL, NULL), 0);
    run_posts(loop);
    sv__loop_destroy(loop);
    sv_clock_destroy(clock);
}

typedef struct stopper {
    sv__loop *loop;
    int64_t delay_ns;
} stopper;

static void *stop_thread(void *arg)
{
    stopper *s = arg;
    sv__sleep_ns(s->delay_ns);
    sv__loop_stop(s->loop);
    return NULL;
}

static int fired;
static void on_fire(void *arg)
{
    (void)arg;
    fired++;
}

static void test_stop_from_thread(void **state)
{
    sv_clock *clock;
    sv__loop *loop;
    sv__thread th;
    stopper s;

    (void)state;
    assert_int_equal(sv_clock_monotonic_create(&clock), 0);
    assert_int_equal(sv__loop_create(&loop, clock, NULL, NULL), 0);
    fired = 0;
    /* A timer far away: only the stop can end the run. */
    assert_true(sv__loop_timer(loop, 3600, on_fire, NULL) > 0);
    s = (stopper){ loop, 20000000 };
    assert_int_equal(sv__thread_create(&th, "stopper", stop_thread, &s), 0);
    assert_int_equal(sv__loop_run(loop), 0);
    sv__thread_join(&th);
    assert_int_equal(fired, 0);

    /* A stop before run makes it return at once; tasks stay queued. */
    assert_int_equal(sv__loop_post(loop, on_fire, NULL), 0);
    sv__loop_stop(loop);
    assert_int_equal(sv__loop_run(loop), 0);
    assert_int_equal(fired, 0);
    /* The next run picks the task up. */
    assert_int_equal(sv__loop_post(loop, stop_task, loop), 0);
    assert_int_equal(sv__loop_run(loop), 0);
    assert_int_equal(fired, 1);

    sv__loop_destroy(loop);   /* drops the far timer */
    sv_clock_destroy(clock);
}

/* ---- virtual clock ------------------------------------------------------------- */

typedef struct vrun {
    sv__loop *loop;
    int64_t fired_at;
    int ret;
} vrun;

static void on_virtual_timer(void *arg)
{
    vrun *v = arg;
    v->fired_at = sv__loop_clock(v->loop)->now_ns(sv__loop_clock(v->loop)->opaque);
    sv__loop_stop(v->loop);
}

static void *run_thread(void *arg)
{
    vrun *v = arg;
    v->ret = sv__loop_run(v->loop);
    return NULL;
}

/* Waits (real time, bounded) until the loop sleeps on the clock with the
 * expected deadline. */
static void wait_for_sleeper(sv_clock *clock, int64_t deadline)
{
    for (int i = 0; i < 5000; i++) {
        if (sv_clock_virtual_sleepers(clock) == 1 &&
            sv_clock_virtual_next_deadline(clock) == deadline)
            return;
        sv__sleep_ns(1000000);
    }
    fail_msg("the loop never slept on the virtual clock until %lld", (long long)deadline);
}

static void test_virtual_clock(void **state)
{
    const int64_t start = 1000000000000LL;
    sv_clock *clock;
    vrun v = { 0 };
    sv__thread th;

    (void)state;
    assert_int_equal(sv_clock_virtual_create(&clock, start), 0);
    assert_int_equal(sv__loop_create(&v.loop, clock, NULL, NULL), 0);
    assert_true(sv__loop_timer(v.loop, 10.0, on_virtual_timer, &v) > 0);
    assert_int_equal(sv__thread_create(&th, "vloop", run_thread, &v), 0);

    /* The driver sees the loop's next deadline and jumps there in two
     * steps; the timer must not fire at the first. */
    wait_for_sleeper(clock, start + 10000000000LL);
    assert_int_equal(sv_clock_virtual_advance(clock, 4000000000LL), 0);
    wait_for_sleeper(clock, start + 10000000000LL);
    assert_int_equal(v.fired_at, 0);
    assert_int_equal(sv_clock_virtual_advance(clock, 6000000000LL), 0);
    sv__thread_join(&th);
    assert_int_equal(v.ret, 0);
    assert_int_equal(v.fired_at, start + 10000000000LL);

    /* With no timer at all, the loop sleeps with no deadline, and a post
     * from another thread (here: this one) still gets through. */
    assert_int_equal(sv__thread_create(&th, "vloop", run_thread, &v), 0);
    wait_for_sleeper(clock, INT64_MAX);
    assert_int_equal(sv__loop_post(v.loop, stop_task, v.loop), 0);
    sv__thread_join(&th);
    assert_int_equal(v.ret, 0);

    /* Many posts racing with the loop falling asleep are never lost. */
    run_posts(v.loop);

    sv__loop_destroy(v.loop);
    sv_clock_destroy(clock);
}

/* ---- with the libcurl transport ----------------------------------------------- */

static void test_curl_transport_wakeup(void **state)
{
    sv_clock *clock;
    sv__transport *tr;
    order_log log = { 0 };
    mark m = { &log, 7, 0 };

    (void)state;
    assert_int_equal(sv_clock_monotonic_create(&clock), 0);
    assert_int_equal(sv__transport_curl_create(&tr, clock, NULL), 0);
    assert_string_equal(tr->ops->name, "curl");
    assert_int_equal(sv__loop_create(&log.loop, clock, tr, NULL), 0);
    /* Posts from another thread wake curl_multi_poll()... */
    run_posts(log.loop);
    /* ...and timers end its waits. */
    assert_true(sv__loop_timer(log.loop, 0.02, on_mark, &m) > 0);
    m.stop = 1;
    assert_int_equal(sv__loop_run(log.loop), 0);
    assert_int_equal(log.n, 1);
    assert_int_equal(log.seen[0], 7);
    sv__loop_destroy(log.loop);
    sv__transport_destroy(tr);
    sv_clock_destroy(clock);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timer_order_and_cancel),
        cmocka_unit_test(test_posts_from_thread),
        cmocka_unit_test(test_stop_from_thread),
        cmocka_unit_test(test_virtual_clock),
        cmocka_unit_test(test_curl_transport_wakeup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
