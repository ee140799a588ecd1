/*
 * The playout model (abr/playout.h) that the simulator and the player's
 * emulation share: startup, stalls charged to the segment that ends them,
 * a pause that plays out only what it held, the end of the media, seeks,
 * waits and sleeps, and the Pensieve arithmetic kept bit for bit.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "abr/playout.h"

#define assert_near(a, b, eps) near_(__FILE__, __LINE__, (double)(a), (double)(b), (double)(eps))
static void near_(const char *file, int line, double a, double b, double eps)
{
    if (!(fabs(a - b) <= eps))
        fail_msg("%s:%d: %.17g != %.17g (+- %g)", file, line, a, b, eps);
}

/* Before the start nothing plays and nothing stalls: that is the startup,
 * which the caller measures. Media buffered meanwhile is there at the start. */
static void test_startup(void **state)
{
    sv__playout_model m;
    sv__playout_init(&m, NULL, 1.0);
    assert_near(sv__playout_elapse(&m, 3), 0, 0);
    assert_near(sv__playout_fill(&m, 4), 0, 0);
    sv__playout_preload(&m, 2.5); /* a second stream joined with less */
    assert_near(sv__playout_level_s(&m), 2.5, 0);
    assert_near(sv__playout_elapse(&m, 1), 0, 0);
    assert_near(sv__playout_set_playing(&m, 1), 0, 0);
    assert_true(m.started && m.playing && !m.dry);
    sv__playout_preload(&m, 100); /* ignored once started */
    assert_near(sv__playout_elapse(&m, 1), 1, 1e-12);
    assert_near(sv__playout_level_s(&m), 1.5, 1e-12);
    (void)state;
}

/* The simulator's session (ms): the playhead starts at once, so the first
 * download is a stall that the QoE's skip turns into startup; a later
 * download longer than the buffer stalls for the difference, charged to the
 * segment that arrives. */
static void test_sim_session(void **state)
{
    sv__playout_model m;
    sv_abr_sim_result r;
    sv__playout_init(&m, NULL, 1000.0);
    sv__playout_set_playing(&m, 1);
    sv__playout_elapse(&m, 1500);
    double stall = sv__playout_fill(&m, 4000);
    assert_near(stall, 1500, 1e-9);
    assert_near(sv__playout_account(&m, 1, 750, stall, 4), 0, 0);
    sv__playout_elapse(&m, 5000); /* 4 s buffered, 5 s download */
    stall = sv__playout_fill(&m, 4000);
    assert_near(stall, 1000, 1e-9);
    assert_near(sv__playout_level_s(&m), 4, 1e-12);
    /* 1.2 - 4.3 x 1.0 - |1200 - 750| / 1000 */
    assert_near(sv__playout_account(&m, 2, 1200, stall, 4), 1.2 - 4.3 - 0.45, 1e-12);
    sv__playout_elapse(&m, 1000); /* no stall: 3 s left */
    assert_near(sv__playout_fill(&m, 4000), 0, 0);
    assert_near(sv__playout_account(&m, 2, 1200, 0, 4), 1.2, 1e-12);
    sv__playout_result(&m, 3, 7.5, &r);
    assert_near(r.startup_s, 1.5, 1e-12);
    assert_near(r.rebuffer_s, 1.0, 1e-12);
    assert_near(r.qoe, 1.2 - 4.3 - 0.45 + 1.2, 1e-12);
    assert_near(r.rebuffer_ratio, 1.0 / 9.0, 1e-12);
    assert_near(r.mean_bitrate_kbps, 1200, 1e-9);
    assert_int_equal(r.switches, 1); /* 750 -> 1200 */
    assert_int_equal(r.segments, 3);
    assert_near(r.session_s, 7.5, 0);
    (void)state;
}

/* A stall measured over several steps of the clock, from the instant the
 * media ran out, ends when media arrives while playing. */
static void test_stall_over_steps(void **state)
{
    sv__playout_model m;
    sv__playout_init(&m, NULL, 1.0);
    sv__playout_fill(&m, 1);
    sv__playout_set_playing(&m, 1);
    assert_near(sv__playout_elapse(&m, 0.5), 0.5, 1e-12);
    assert_false(m.dry);
    assert_near(sv__playout_elapse(&m, 0.7), 0.5, 1e-12); /* dry after 0.5 */
    assert_true(m.dry);
    assert_near(sv__playout_elapse(&m, 1.0), 0, 0);
    assert_near(sv__playout_level_s(&m), 0, 0);
    assert_near(sv__playout_fill(&m, 4), 1.2, 1e-12);
    assert_false(m.dry);
    assert_near(sv__playout_fill(&m, 4), 0, 0); /* nothing left to charge */
    assert_near(sv__playout_elapse(&m, 2), 2, 1e-12);
    assert_near(sv__playout_level_s(&m), 6, 1e-12);
    (void)state;
}

/* Paused for a rebuffer, the playhead plays out what it held and no more,
 * even when media arrives; the resume ends the stall. */
static void test_rebuffer_pause(void **state)
{
    sv__playout_model m;
    sv__playout_init(&m, NULL, 1.0);
    sv__playout_fill(&m, 3);
    sv__playout_set_playing(&m, 1);
    assert_near(sv__playout_set_playing(&m, 0), 0, 0);
    assert_near(sv__playout_fill(&m, 4), 0, 0); /* arrives while paused */
    assert_near(sv__playout_elapse(&m, 5), 3, 1e-12);
    assert_true(m.dry);
    assert_near(sv__playout_level_s(&m), 4, 1e-12);
    assert_near(sv__playout_set_playing(&m, 1), 2, 1e-12);
    assert_false(m.dry);
    assert_near(sv__playout_elapse(&m, 1), 1, 1e-12);
    assert_near(sv__playout_level_s(&m), 3, 1e-12);
    /* A resume with nothing buffered: the stall goes on as a new one. */
    sv__playout_elapse(&m, 3);
    sv__playout_set_playing(&m, 0);
    sv__playout_elapse(&m, 1);
    assert_near(sv__playout_set_playing(&m, 1), 1, 1e-12);
    sv__playout_elapse(&m, 0.25);
    assert_near(sv__playout_fill(&m, 2), 0.25, 1e-12);
    (void)state;
}

/* At the end of the media the playhead stops: no stall. */
static void test_end(void **state)
{
    sv__playout_model m;
    sv__playout_init(&m, NULL, 1.0);
    sv__playout_fill(&m, 2);
    sv__playout_set_playing(&m, 1);
    sv__playout_set_ended(&m);
    assert_near(sv__playout_elapse(&m, 5), 2, 1e-12);
    assert_false(m.dry);
    assert_near(m.stall, 0, 0);
    (void)state;
}

/* A seek drops the buffer; a stall in progress ends there; the wait for
 * media at the new position is seek time, not a stall. */
static void test_seek(void **state)
{
    sv__playout_model m;
    sv__playout_init(&m, NULL, 1.0);
    sv__playout_fill(&m, 10);
    sv__playout_set_playing(&m, 1);
    sv__playout_elapse(&m, 2);
    assert_near(sv__playout_seek(&m), 0, 0);
    assert_near(sv__playout_level_s(&m), 0, 0);
    assert_near(sv__playout_elapse(&m, 3), 0, 0);
    assert_false(m.dry);
    assert_near(m.seek_wait, 3, 1e-12);
    assert_near(sv__playout_fill(&m, 4), 0, 0);
    assert_near(sv__playout_elapse(&m, 1), 1, 1e-12);
    /* Seeking while stalled: the stall so far is returned, then seek time. */
    sv__playout_elapse(&m, 4.5);
    assert_true(m.dry);
    assert_near(sv__playout_seek(&m), 1.5, 1e-12);
    sv__playout_elapse(&m, 2);
    assert_near(m.seek_wait, 5, 1e-12);
    assert_near(sv__playout_fill(&m, 4), 0, 0);
    (void)state;
}

/* A rule's wait is capped by the buffer; above the cap the client sleeps
 * whole drain steps. */
static void test_wait_and_sleep(void **state)
{
    sv__playout_model m;
    sv__playout_init(&m, NULL, 1000.0);
    sv__playout_set_playing(&m, 1);
    assert_near(sv__playout_wait(&m, 2), 0, 0); /* empty: no wait */
    sv__playout_fill(&m, 3000);
    assert_near(sv__playout_wait(&m, 2), 2, 1e-12);
    assert_near(sv__playout_wait(&m, 5), 1, 1e-12);
    assert_near(sv__playout_level_s(&m), 0, 1e-12);
    assert_false(m.dry);
    sv__playout_fill(&m, 61200);
    assert_near(sv__playout_sleep_to_cap(&m, 60000, 500), 1500, 1e-9);
    assert_near(sv__playout_level_s(&m), 59.7, 1e-9);
    assert_near(sv__playout_sleep_to_cap(&m, 60000, 500), 0, 0);
    (void)state;
}

/* The model is Pensieve's fixed_env.py arithmetic, bit for bit: the same
 * expressions on a long pseudo-random session give identical doubles. */
static void test_pensieve_exact(void **state)
{
    sv__playout_model m;
    sv__playout_init(&m, NULL, 1000.0);
    sv__playout_set_playing(&m, 1);
    double buffer_ms = 0;
    uint32_t x = 12345;
    for (int i = 0; i < 5000; i++) {
        x = x * 1103515245u + 12345u;
        double delay_ms = (double)(x >> 8) / 1677.7216 + 80.0;
        double rebuffer_ms = delay_ms - buffer_ms > 0 ? delay_ms - buffer_ms : 0.0;
        buffer_ms = buffer_ms - delay_ms > 0 ? buffer_ms - delay_ms : 0.0;
        buffer_ms += 4000.0;
        double sleep_ms = 0;
        if (buffer_ms > 60000.0) {
            sleep_ms = ceil((buffer_ms - 60000.0) / 500.0) * 500.0;
            buffer_ms -= sleep_ms;
        }
        sv__playout_elapse(&m, delay_ms);
        double got = sv__playout_fill(&m, 4000.0);
        double slept = sv__playout_sleep_to_cap(&m, 60000.0, 500.0);
        if (got != rebuffer_ms || slept != sleep_ms || m.level != buffer_ms)
            fail_msg("step %d: stall %.17g/%.17g sleep %.17g/%.17g buffer %.17g/%.17g", i, got,
                     rebuffer_ms, slept, sleep_ms, m.level, buffer_ms);
    }
    (void)state;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_startup),
        cmocka_unit_test(test_sim_session),
        cmocka_unit_test(test_stall_over_steps),
        cmocka_unit_test(test_rebuffer_pause),
        cmocka_unit_test(test_end),
        cmocka_unit_test(test_seek),
        cmocka_unit_test(test_wait_and_sleep),
        cmocka_unit_test(test_pensieve_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
