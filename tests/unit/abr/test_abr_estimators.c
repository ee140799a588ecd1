/*
 * Throughput estimators: dual EWMA (fast drop, slow rise, zero-bias
 * corrected), harmonic mean of the last N, weighted sliding percentile.
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

static sv_abr_estimator *make(sv_abr_estimator_kind kind, unsigned window)
{
    sv_abr_estimator_config c;
    sv_abr_estimator *e = NULL;
    sv_abr_estimator_default_config(&c, kind);
    if (window)
        c.window = window;
    assert_int_equal(sv_abr_estimator_create(&c, NULL, &e), 0);
    return e;
}

/* bytes for `kbps` over `s` seconds */
static uint64_t bytes_for(double kbps, double s)
{
    return (uint64_t)(kbps * 1000 / 8 * s);
}

static void test_ewma(void **state)
{
    sv_abr_estimator *e = make(SV_ABR_ESTIMATOR_EWMA, 0);
    assert_true(sv_abr_estimator_get_kbps(e) == 0);
    /* The first sample is taken at face value (zero-bias correction). */
    assert_int_equal(sv_abr_estimator_add(e, bytes_for(8000, 1), 1.0), 0);
    assert_near(sv_abr_estimator_get_kbps(e), 8000, 1e-6);
    /* A drop pulls the estimate down fast (the fast average rules)... */
    assert_int_equal(sv_abr_estimator_add(e, bytes_for(1000, 2), 2.0), 0);
    double low = sv_abr_estimator_get_kbps(e);
    assert_true(low < 5000 && low > 1000);
    /* ...and a recovery lifts it slowly (the slow average rules). */
    assert_int_equal(sv_abr_estimator_add(e, bytes_for(8000, 0.5), 0.5), 0);
    double up = sv_abr_estimator_get_kbps(e);
    assert_true(up > low && up < 8000);
    sv_abr_estimator_reset(e);
    assert_true(sv_abr_estimator_get_kbps(e) == 0);
    sv_abr_estimator_destroy(e);
}

static void test_harmonic(void **state)
{
    sv_abr_estimator *e = make(SV_ABR_ESTIMATOR_HARMONIC, 3);
    sv_abr_estimator_add(e, bytes_for(1000, 1), 1);
    sv_abr_estimator_add(e, bytes_for(2000, 1), 1);
    sv_abr_estimator_add(e, bytes_for(4000, 1), 1);
    assert_near(sv_abr_estimator_get_kbps(e), 3.0 / (1.0 / 1000 + 1.0 / 2000 + 1.0 / 4000),
                       1e-6);
    /* The window slides: 1000 drops out. */
    sv_abr_estimator_add(e, bytes_for(4000, 1), 1);
    assert_near(sv_abr_estimator_get_kbps(e), 3.0 / (1.0 / 2000 + 2.0 / 4000), 1e-6);
    sv_abr_estimator_destroy(e);
}

static void test_percentile(void **state)
{
    sv_abr_estimator *e = make(SV_ABR_ESTIMATOR_PERCENTILE, 5);
    /* Equal sizes, equal weights: the median of 1000..5000 is 3000. */
    const double kbps[] = { 5000, 1000, 4000, 2000, 3000 };
    for (int i = 0; i < 5; i++)
        sv_abr_estimator_add(e, 1000000, 1000000.0 * 8 / 1000 / kbps[i]);
    assert_near(sv_abr_estimator_get_kbps(e), 3000, 1e-6);
    /* One huge slow download weighs more than one small fast one. */
    sv_abr_estimator *w = make(SV_ABR_ESTIMATOR_PERCENTILE, 5);
    sv_abr_estimator_add(w, 100000000, 100000000.0 * 8 / 1000 / 1000);
    sv_abr_estimator_add(w, 1000, 1000.0 * 8 / 1000 / 9000);
    assert_near(sv_abr_estimator_get_kbps(w), 1000, 1e-6);
    sv_abr_estimator_destroy(w);
    sv_abr_estimator_destroy(e);
}

static void test_edges(void **state)
{
    sv_abr_estimator *e = NULL;
    sv_abr_estimator_config c;

    assert_int_equal(sv_abr_estimator_create(NULL, NULL, NULL), SV_ERR_INVALID);
    assert_int_equal(sv_abr_estimator_create(NULL, NULL, &e), 0);  /* EWMA defaults */
    assert_int_equal(sv_abr_estimator_add(e, 1000, 0), SV_ERR_INVALID);
    assert_int_equal(sv_abr_estimator_add(e, 1000, -1), SV_ERR_INVALID);
    assert_int_equal(sv_abr_estimator_add(e, 1000, NAN), SV_ERR_INVALID);
    assert_int_equal(sv_abr_estimator_add(NULL, 1000, 1), SV_ERR_INVALID);
    /* Zero bytes tell nothing: ignored. */
    assert_int_equal(sv_abr_estimator_add(e, 0, 1), 0);
    assert_true(sv_abr_estimator_get_kbps(e) == 0);
    /* A near-zero link gives a near-zero, positive estimate. */
    assert_int_equal(sv_abr_estimator_add(e, 1, 1000), 0);
    assert_true(sv_abr_estimator_get_kbps(e) > 0 && sv_abr_estimator_get_kbps(e) < 0.01);
    sv_abr_estimator_destroy(e);
    sv_abr_estimator_destroy(NULL);
    assert_true(sv_abr_estimator_get_kbps(NULL) == 0);

    sv_abr_estimator_default_config(&c, SV_ABR_ESTIMATOR_HARMONIC);
    c.window = 0;
    assert_int_equal(sv_abr_estimator_create(&c, NULL, &e), SV_ERR_INVALID);
    c.window = 65;
    assert_int_equal(sv_abr_estimator_create(&c, NULL, &e), SV_ERR_INVALID);
    sv_abr_estimator_default_config(&c, SV_ABR_ESTIMATOR_EWMA);
    c.fast_half_life_s = 0;
    assert_int_equal(sv_abr_estimator_create(&c, NULL, &e), SV_ERR_INVALID);
    assert_null(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ewma),
        cmocka_unit_test(test_harmonic),
        cmocka_unit_test(test_percentile),
        cmocka_unit_test(test_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
