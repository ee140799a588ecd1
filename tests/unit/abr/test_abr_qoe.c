/*
 * QoE: the Pensieve linear QoE per segment, skipped startup segments, and
 * the summary statistics of a set of sessions.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "streamverse/abr.h"

/* cmocka 1.1's assert_float_equal compares in single precision. */
#define assert_near(a, b, eps) near_(__FILE__, __LINE__, (double)(a), (double)(b), (double)(eps))
static void near_(const char *file, int line, double a, double b, double eps)
{
    if (!(fabs(a - b) <= eps))
        fail_msg("%s:%d: %.17g != %.17g (+- %g)", file, line, a, b, eps);
}

static void test_pensieve_qoe(void **state)
{
    sv_abr_qoe q;
    sv_abr_qoe_init(&q, NULL);
    assert_true(q.cfg.rebuffer_penalty == 4.3 && q.cfg.skip == 1);
    /* The first segment is not counted; its stall is the startup delay. */
    assert_true(sv_abr_qoe_add(&q, 1, 750, 0.5, 4) == 0);
    assert_near(q.startup_s, 0.5, 1e-12);
    /* 1850 after 750: 1.85 - 4.3 x 0.2 - 1.1 */
    assert_near(sv_abr_qoe_add(&q, 3, 1850, 0.2, 4), 1.85 - 0.86 - 1.1, 1e-12);
    /* same rung, no stall: 1.85 */
    assert_near(sv_abr_qoe_add(&q, 3, 1850, 0, 4), 1.85, 1e-12);
    assert_near(q.qoe, 1.85 - 0.86 - 1.1 + 1.85, 1e-12);
    assert_int_equal(q.switches, 1);
    assert_int_equal(q.counted, 2);
    assert_int_equal(q.segments, 3);
    assert_near(q.rebuffer_s, 0.2, 1e-12);
    assert_near(sv_abr_qoe_mean_bitrate(&q), 1850, 1e-9);
    assert_near(sv_abr_qoe_rebuffer_ratio(&q), 0.2 / 8.2, 1e-12);

    sv_abr_qoe_config c = { .rebuffer_penalty = 1.0, .smooth_penalty = 0.0, .skip = 0 };
    sv_abr_qoe_init(&q, &c);
    assert_near(sv_abr_qoe_add(&q, 0, 300, 1, 4), 0.3 - 1, 1e-12);
    assert_true(sv_abr_qoe_rebuffer_ratio(NULL) == 0);
}

static void test_stats(void **state)
{
    const double v[] = { 5, 1, 4, 2, 3 };
    double scratch[5];
    sv_abr_stats s;

    assert_int_equal(sv_abr_stats_compute(v, 5, scratch, &s), 0);
    assert_int_equal(s.count, 5);
    assert_near(s.mean, 3, 1e-12);
    assert_near(s.median, 3, 1e-12);
    assert_near(s.p5, 1.2, 1e-12);  /* numpy: 1 + 0.05 x 4 x (2 - 1) */
    assert_near(s.min, 1, 0);
    assert_near(s.max, 5, 0);
    assert_int_equal(sv_abr_stats_compute(NULL, 0, NULL, &s), 0);
    assert_int_equal(s.count, 0);
    assert_int_equal(sv_abr_stats_compute(NULL, 3, scratch, &s), SV_ERR_INVALID);
    const double sorted[] = { 10, 20 };
    assert_near(sv_abr_quantile_sorted(sorted, 2, 0.5), 15, 1e-12);
    assert_near(sv_abr_quantile_sorted(sorted, 2, 0), 10, 0);
    assert_near(sv_abr_quantile_sorted(sorted, 2, 1), 20, 0);
    assert_true(sv_abr_quantile_sorted(NULL, 0, 0.5) == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pensieve_qoe),
        cmocka_unit_test(test_stats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
