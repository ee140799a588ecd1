/*
 * The simulator's model of the requests a real player makes besides the
 * media segments (sv_abr_sim_config startup_bytes, index_bytes, init_bytes:
 * what `svtrace run --video URL` charges so that it agrees with
 * `svtrace emulate`), on a constant link where the arithmetic is exact:
 *   - the manifest before the first segment, a rung's playlist the first
 *     time it is chosen, its init segment at the start of every run: one
 *     request each (RTT, then the bytes), paid by the buffer;
 *   - the segment's own download (the throughput sample) leaves them out;
 *   - all of them 0/NULL is the Pensieve setup, to the bit.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "streamverse/abrsim.h"

#define assert_near(a, b, eps) near_(__FILE__, __LINE__, (double)(a), (double)(b), (double)(eps))
static void near_(const char *file, int line, double a, double b, double eps)
{
    if (!(fabs(a - b) <= eps))
        fail_msg("%s:%d: %.17g != %.17g (+- %g)", file, line, a, b, eps);
}

/* 10 Mbit/s x 0.95 payload: 1187500 bytes/s; 80 ms per request. */
#define BPS 1187500.0
#define RTT 0.08

static const uint32_t two[2] = { 1000, 2000 };
static uint64_t sizes[4 * 2] = { 1000000, 2000000, 1000000, 2000000,
                                 1000000, 2000000, 1000000, 2000000 };
static const sv_abr_video video = { .bitrates_kbps = two, .num_rungs = 2, .segment_bytes = sizes,
                                    .num_segments = 4, .segment_duration_s = 4.0 };
/* 0.1 s, 0.02 s and 0.01 s of link time. */
static const uint64_t manifest = 118750, index_b[2] = { 23750, 23750 }, init_b[2] = { 11875,
                                                       11875 };

static sv_trace *constant_link(void)
{
    sv_trace *t = NULL;
    sv_trace_error err;
    assert_int_equal(sv_trace_parse("0 10\n1 10\n", 10, SV_TRACE_AUTO, NULL, &t, &err), 0);
    return t;
}

static void run(const sv_trace *t, int extras, sv_abr_sim_step *steps, sv_abr_sim_result *r)
{
    sv_abr_sim_config cfg;
    sv_abr_sim_default_config(&cfg);
    cfg.start_index = 0;
    if (extras) {
        cfg.startup_bytes = manifest;
        cfg.index_bytes = index_b;
        cfg.init_bytes = init_b;
    }
    /* The throughput rule climbs to rung 1 after the first segment and stays. */
    assert_int_equal(sv_abr_simulate(t, &video, &sv_abr_rule_throughput, &cfg, steps, 4, r), 0);
}

static void test_requests_charged(void **state)
{
    (void)state;
    sv_trace *t = constant_link();
    sv_abr_sim_step st[4];
    sv_abr_sim_result r;
    run(t, 1, st, &r);
    assert_int_equal(st[0].index, 0);
    assert_int_equal(st[1].index, 1);
    assert_int_equal(st[2].index, 1);
    assert_int_equal(st[3].index, 1);
    double m = RTT + manifest / BPS, ix = RTT + index_b[0] / BPS, in = RTT + init_b[0] / BPS;
    /* Segment 1: the manifest, rung 0's playlist and init, then its request. */
    assert_near(st[0].request_s, m + ix + in, 1e-9);
    assert_near(st[0].download_s, RTT + 1000000 / BPS, 1e-9);
    assert_near(r.startup_s, m + ix + in + RTT + 1000000 / BPS, 1e-9);
    /* Segment 2 switches: rung 1's playlist and init first. */
    double end0 = st[0].request_s + st[0].download_s;
    assert_near(st[1].request_s, end0 + ix + in, 1e-9);
    assert_near(st[1].download_s, RTT + 2000000 / BPS, 1e-9);
    assert_near(st[1].throughput_kbps, 2000000 * 8 / st[1].download_s / 1000, 1e-6);
    /* The same run: nothing else. */
    for (int k = 2; k < 4; k++)
        assert_near(st[k].request_s, st[k - 1].request_s + st[k - 1].download_s, 1e-9);
    /* The buffer paid for them: 4 s less the segment and the two requests. */
    assert_near(st[1].buffer_s, 4 - (ix + in + st[1].download_s) + 4, 1e-9);
    sv_trace_destroy(t);
}

static void test_none_is_pensieve(void **state)
{
    (void)state;
    sv_trace *t = constant_link();
    sv_abr_sim_step a[4], b[4];
    sv_abr_sim_result ra, rb;
    sv_abr_sim_config cfg;
    sv_abr_sim_default_config(&cfg);
    assert_int_equal(cfg.startup_bytes, 0);
    assert_null(cfg.index_bytes);
    assert_null(cfg.init_bytes);
    run(t, 0, a, &ra);
    run(t, 1, b, &rb);
    /* Without the extras the first request goes out at 0 and every step
     * follows the last at once; with them the session is longer. */
    assert_true(a[0].request_s == 0);
    for (int k = 1; k < 4; k++)
        assert_true(a[k].request_s == a[k - 1].request_s + a[k - 1].download_s);
    assert_true(rb.session_s > ra.session_s);
    assert_true(rb.startup_s > ra.startup_s);
    sv_trace_destroy(t);
}

static void test_index_needs_small_ladder(void **state)
{
    (void)state;
    sv_trace *t = constant_link();
    uint32_t many[65];
    uint64_t big[65] = { 0 }, seg[65];
    for (int i = 0; i < 65; i++) {
        many[i] = 100 + (uint32_t)i;
        seg[i] = 1000;
    }
    sv_abr_video v = { .bitrates_kbps = many, .num_rungs = 65, .segment_bytes = seg,
                       .num_segments = 1, .segment_duration_s = 4.0 };
    sv_abr_sim_config cfg;
    sv_abr_sim_result r;
    sv_abr_sim_default_config(&cfg);
    cfg.index_bytes = big;
    assert_int_equal(sv_abr_simulate(t, &v, &sv_abr_rule_bba, &cfg, NULL, 0, &r), SV_ERR_INVALID);
    cfg.index_bytes = NULL;
    cfg.init_bytes = big;
    assert_int_equal(sv_abr_simulate(t, &v, &sv_abr_rule_bba, &cfg, NULL, 0, &r), 0);
    sv_trace_destroy(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_requests_charged),
        cmocka_unit_test(test_none_is_pensieve),
        cmocka_unit_test(test_index_needs_small_ladder),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
