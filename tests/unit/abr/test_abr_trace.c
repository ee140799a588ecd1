/*
 * Trace readers: Pensieve/cooked, mahimahi and CSV traces parse from memory
 * (not NUL-terminated), the format is detected, and malformed files fail
 * with SV_ERR_PARSE, the right line number and a message that says why.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "streamverse/abrsim.h"

/* cmocka 1.1's assert_float_equal compares in single precision. */
#define assert_near(a, b, eps) near_(__FILE__, __LINE__, (double)(a), (double)(b), (double)(eps))
static void near_(const char *file, int line, double a, double b, double eps)
{
    if (!(fabs(a - b) <= eps))
        fail_msg("%s:%d: %.17g != %.17g (+- %g)", file, line, a, b, eps);
}

/* Parses text from an exact-size heap copy, so reading past the end is
 * caught under ASan. */
static int parse(const char *text, sv_trace_format fmt, sv_trace **out, sv_trace_error *err)
{
    size_t n = strlen(text);
    char *copy = malloc(n ? n : 1);
    memcpy(copy, text, n);
    int rc = sv_trace_parse(copy, n, fmt, NULL, out, err);
    free(copy);
    return rc;
}

static void expect_error(const char *text, size_t line, const char *needle)
{
    sv_trace *t = (sv_trace *)1;
    sv_trace_error err;
    int rc = parse(text, SV_TRACE_AUTO, &t, &err);
    if (rc != SV_ERR_PARSE || err.line != line || !strstr(err.message, needle))
        fail_msg("input \"%s\": rc %d line %zu message \"%s\"; wanted line %zu with \"%s\"", text,
                 rc, err.line, err.message, line, needle);
    assert_null(t);
}

static void test_pensieve(void **state)
{
    sv_trace *t = NULL;
    sv_trace_error err;
    double time, mbps, rtt;

    assert_int_equal(parse("0.0\t2.0\n1.5 4.0 extra\r\n\n3.0   1.0", SV_TRACE_AUTO, &t, &err), 0);
    assert_int_equal(sv_trace_get_format(t), SV_TRACE_PENSIEVE);
    assert_int_equal(sv_trace_num_points(t), 3);
    assert_int_equal(sv_trace_point(t, 1, &time, &mbps, &rtt), 0);
    assert_near(time, 1.5, 0);
    assert_near(mbps, 4.0, 0);
    assert_near(rtt, -1, 0);
    assert_int_equal(sv_trace_point(t, 3, &time, NULL, NULL), SV_ERR_RANGE);
    assert_near(sv_trace_duration(t), 3.0, 1e-12);
    /* (4 x 1.5 + 1 x 1.5) / 3 */
    assert_near(sv_trace_mean_mbps(t), 2.5, 1e-12);
    assert_string_equal(sv_trace_format_name(sv_trace_get_format(t)), "pensieve");
    sv_trace_destroy(t);
    sv_trace_destroy(NULL);
}

static void test_mahimahi(void **state)
{
    sv_trace *t = NULL;
    sv_trace_error err;
    double time, mbps;

    /* One packet per ms: 12 Mbit/s, the trace repeats every 1 ms. */
    assert_int_equal(parse("1\n", SV_TRACE_AUTO, &t, &err), 0);
    assert_int_equal(sv_trace_get_format(t), SV_TRACE_MAHIMAHI);
    assert_near(sv_trace_mean_mbps(t), 12.0, 1e-9);
    sv_trace_destroy(t);

    /* 100 ms bins: 3 packets in (0,100], none in (100,200], 1 in (200,250]. */
    assert_int_equal(parse("0\n50\n100\n250\n", SV_TRACE_MAHIMAHI, &t, &err), 0);
    assert_int_equal(sv_trace_num_points(t), 4);
    sv_trace_point(t, 1, &time, &mbps, NULL);
    assert_near(time, 0.1, 1e-12);
    assert_near(mbps, 3 * 12000.0 / 100 / 1000, 1e-12);
    sv_trace_point(t, 2, &time, &mbps, NULL);
    assert_near(mbps, 0, 0);
    sv_trace_point(t, 3, &time, &mbps, NULL);
    assert_near(time, 0.25, 1e-12);
    assert_near(mbps, 12000.0 / 50 / 1000, 1e-12);
    assert_near(sv_trace_duration(t), 0.25, 1e-12);
    sv_trace_destroy(t);
}

static void test_csv(void **state)
{
    sv_trace *t = NULL;
    sv_trace_error err;
    double rtt;

    assert_int_equal(parse("# comment\nTime_s, Mbps ,rtt_ms\n0,1,40\n2,3,80\n", SV_TRACE_AUTO, &t,
                           &err), 0);
    assert_int_equal(sv_trace_get_format(t), SV_TRACE_CSV);
    assert_int_equal(sv_trace_point(t, 1, NULL, NULL, &rtt), 0);
    assert_near(rtt, 80, 0);
    sv_trace_destroy(t);
    assert_int_equal(parse("time_s,mbps\n0,1\n1,1\n", SV_TRACE_AUTO, &t, &err), 0);
    assert_int_equal(sv_trace_point(t, 0, NULL, NULL, &rtt), 0);
    assert_near(rtt, -1, 0);
    sv_trace_destroy(t);
}

static void test_malformed(void **state)
{
    expect_error("", 0, "empty");
    expect_error("\n  \n", 0, "empty");
    expect_error("0 1\n1 x\n", 2, "not a number");
    expect_error("0 1\n2 1\n1 1\n", 3, "backwards");
    expect_error("0 1\n1 -2\n", 2, "outside");
    expect_error("0 1\n1 nan\n", 2, "not a number");
    expect_error("0 1\n1 inf\n", 2, "not a number");
    expect_error("0 1\n1 1e999\n", 2, "not a number");
    expect_error("0 1\n1\n", 2, "field");
    expect_error("0 1\n", 0, "two points");
    expect_error("0 0\n5 0\n", 0, "no bandwidth");
    expect_error("0 1\n0 1\n", 0, "lasts");
    expect_error("?\n", 1, "unrecognised");
    /* mahimahi */
    expect_error("5\n3\n", 2, "backwards");
    expect_error("5\n3.5\n", 2, "integer");
    expect_error("0\n", 0, "period");
    expect_error("1\n99999999999\n", 2, "beyond");
    /* CSV */
    expect_error("time_s,kbps\n0,1\n", 1, "header");
    expect_error("time_s,mbps\n0,1,2\n", 2, "fields");
    expect_error("time_s,mbps\n0,1\n1,\n", 3, "not a number");
    expect_error("time_s,mbps,rtt_ms\n0,1,-5\n", 2, "rtt_ms");
    expect_error("time_s,mbps\n", 0, "two points");
    expect_error("# only a comment\n", 0, "empty");
}

static void test_arguments(void **state)
{
    sv_trace *t = NULL;
    sv_trace_error err;

    assert_int_equal(sv_trace_parse("0 1\n1 1\n", 8, SV_TRACE_AUTO, NULL, NULL, &err),
                     SV_ERR_INVALID);
    assert_int_equal(sv_trace_parse(NULL, 4, SV_TRACE_AUTO, NULL, &t, &err), SV_ERR_INVALID);
    assert_int_equal(sv_trace_parse(NULL, 0, SV_TRACE_AUTO, NULL, &t, NULL), SV_ERR_PARSE);
    /* Forcing a format that does not match fails cleanly. */
    assert_int_equal(sv_trace_parse("0 1\n1 1\n", 8, SV_TRACE_MAHIMAHI, NULL, &t, &err),
                     SV_ERR_PARSE);
    assert_int_equal(err.line, 1);
    assert_int_equal(sv_trace_num_points(NULL), 0);
    /* A NUL byte inside a number is an error, not the end of the input. */
    assert_int_equal(sv_trace_parse("0 1\n1 2\0x\n", 10, SV_TRACE_AUTO, NULL, &t, &err),
                     SV_ERR_PARSE);
    assert_int_equal(err.line, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pensieve),
        cmocka_unit_test(test_mahimahi),
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
