/*
 * The chunk-level simulator, on synthetic links (exact arithmetic) and on
 * the real trace sets, where it must reproduce the published Pensieve
 * baselines and where hybrid must meet its targets (docs/abr.md):
 *   pensieve/test (142): BBA 30.04 +- 0.05; robustMPC as in Pensieve's
 *   mpc.py (lookahead_offset 1) 39.6 +- 0.3; hybrid >= 41.2 with no more
 *   total stall time than robustMPC (either variant);
 *   belgium-4g and mahimahi: hybrid has the best mean QoE of the five rules.
 * The traces are found through SV_SHARED_DIR (set by CTest).
 */
#include <dirent.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "streamverse/abrsim.h"

/* cmocka 1.1's assert_float_equal compares in single precision. */
#define assert_near(a, b, eps) near_(__FILE__, __LINE__, (double)(a), (double)(b), (double)(eps))
static void near_(const char *file, int line, double a, double b, double eps)
{
    if (!(fabs(a - b) <= eps))
        fail_msg("%s:%d: %.17g != %.17g (+- %g)", file, line, a, b, eps);
}

static const uint32_t ladder[6] = { 300, 750, 1200, 1850, 2850, 4300 };

typedef struct trace_set {
    sv_trace **traces;
    size_t n;
} trace_set;

static uint64_t pensieve_sizes[49 * 6];
static sv_abr_video pensieve_video = { .bitrates_kbps = ladder, .num_rungs = 6,
                                       .segment_bytes = pensieve_sizes, .num_segments = 49,
                                       .segment_duration_s = 4.0 };

static const char *shared_dir(void)
{
    const char *dir = getenv("SV_SHARED_DIR");
    if (!dir || !*dir)
        fail_msg("SV_SHARED_DIR is not set: run this test through ctest, or point it at the "
                 "shared folder holding data/traces");
    return dir;
}

static char *slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *size = (size_t)n;
    return buf;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static trace_set load_set(const char *sub)
{
    char dir[4096], path[8192];
    trace_set s = { NULL, 0 };
    char *names[512];
    size_t n = 0;

    snprintf(dir, sizeof(dir), "%s/data/traces/%s", shared_dir(), sub);
    DIR *d = opendir(dir);
    if (!d)
        fail_msg("cannot open %s (is SV_SHARED_DIR right?)", dir);
    struct dirent *de;
    while ((de = readdir(d)) && n < 512) {
        if (de->d_name[0] == '.' || strncmp(de->d_name, "README", 6) == 0)
            continue;
        names[n++] = strdup(de->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof(char *), cmp_name);
    s.traces = calloc(n, sizeof(*s.traces));
    for (size_t i = 0; i < n; i++) {
        size_t size;
        sv_trace_error err;
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        char *data = slurp(path, &size);
        if (sv_trace_parse(data, size, SV_TRACE_AUTO, NULL, &s.traces[i], &err) != 0)
            fail_msg("%s:%zu: %s", path, err.line, err.message);
        free(data);
        free(names[i]);
    }
    s.n = n;
    return s;
}

static void free_set(trace_set *s)
{
    for (size_t i = 0; i < s->n; i++)
        sv_trace_destroy(s->traces[i]);
    free(s->traces);
}

static int setup_video(void **state)
{
    char path[4096];
    for (int r = 0; r < 6; r++) {
        snprintf(path, sizeof(path), "%s/data/traces/pensieve/video_sizes/video_size_%d",
                 shared_dir(), r);
        FILE *f = fopen(path, "r");
        if (!f)
            fail_msg("cannot open %s", path);
        for (int k = 0; k < 49; k++) {
            unsigned long long v;
            if (fscanf(f, "%llu", &v) != 1)
                fail_msg("%s: line %d: expected a size", path, k + 1);
            pensieve_sizes[k * 6 + r] = v;
        }
        fclose(f);
    }
    return 0;
}

typedef struct set_result {
    double mean_qoe, rebuffer_total;
} set_result;

static set_result run_set(const trace_set *s, const sv_abr_rule *rule, const sv_abr_param *params,
                          size_t nparams)
{
    sv_abr_sim_config cfg;
    set_result out = { 0, 0 };
    sv_abr_sim_default_config(&cfg);
    cfg.num_segments = 48;  /* Pensieve plays 48 of the 49 segments */
    cfg.params = params;
    cfg.num_params = nparams;
    for (size_t i = 0; i < s->n; i++) {
        sv_abr_sim_result r;
        assert_int_equal(sv_abr_simulate(s->traces[i], &pensieve_video, rule, &cfg, NULL, 0, &r),
                         0);
        assert_int_equal(r.segments, 48);
        out.mean_qoe += r.qoe;
        out.rebuffer_total += r.rebuffer_s;
    }
    out.mean_qoe /= (double)s->n;
    return out;
}

/* A constant 10 Mbit/s link: every number can be worked out by hand. */
static void test_constant_link(void **state)
{
    sv_trace *t = NULL;
    sv_trace_error err;
    const char *text = "0 10\n1 10\n";
    uint64_t sizes[3 * 2] = { 1000000, 2000000, 1000000, 2000000, 1000000, 2000000 };
    const uint32_t two[2] = { 1000, 2000 };
    sv_abr_video v = { .bitrates_kbps = two, .num_rungs = 2, .segment_bytes = sizes,
                       .num_segments = 3, .segment_duration_s = 4.0 };
    sv_abr_sim_step steps[3];
    sv_abr_sim_result r;
    sv_abr_sim_config cfg;

    assert_int_equal(sv_trace_parse(text, strlen(text), SV_TRACE_AUTO, NULL, &t, &err), 0);
    sv_abr_sim_default_config(&cfg);
    cfg.start_index = 0;
    sv_abr_param low = { .name = "reservoir_s", .value = 100 };  /* BBA pinned to rung 0 */
    cfg.params = &low;
    cfg.num_params = 1;
    assert_int_equal(sv_abr_simulate(t, &v, &sv_abr_rule_bba, &cfg, steps, 3, &r), 0);
    /* 1 MB at 0.95 x 10 Mbit/s plus 80 ms. */
    double dl = 1000000.0 / (10e6 / 8 * 0.95) + 0.08;
    assert_near(steps[0].download_s, dl, 1e-9);
    assert_near(r.startup_s, dl, 1e-9);
    /* The first segment arrives into an empty buffer: a stall, then 4 s. */
    assert_near(steps[1].buffer_s, 4 - dl + 4, 1e-9);
    assert_near(steps[1].request_s, dl, 1e-9);
    assert_near(r.rebuffer_s, 0, 0);
    assert_near(r.qoe, 2.0, 1e-12);  /* 2 counted segments at 1 Mbit/s */
    assert_int_equal(r.switches, 0);
    assert_near(steps[2].throughput_kbps, 1000000.0 * 8 / dl / 1000, 1e-6);
    sv_trace_destroy(t);
}

/* The buffer never exceeds its cap; the excess is slept in 500 ms steps. */
static void test_buffer_cap(void **state)
{
    sv_trace *t = NULL;
    sv_trace_error err;
    const char *text = "0 100\n0.5 100\n";
    uint64_t sizes[40];
    const uint32_t one[1] = { 100 };
    sv_abr_video v = { .bitrates_kbps = one, .num_rungs = 1, .segment_bytes = sizes,
                       .num_segments = 40, .segment_duration_s = 4.0 };
    sv_abr_sim_step steps[40];
    sv_abr_sim_result r;

    for (int i = 0; i < 40; i++)
        sizes[i] = 1000;
    assert_int_equal(sv_trace_parse(text, strlen(text), SV_TRACE_AUTO, NULL, &t, &err), 0);
    assert_int_equal(sv_abr_simulate(t, &v, &sv_abr_rule_hybrid, NULL, steps, 40, &r), 0);
    for (int i = 0; i < 40; i++) {
        assert_true(steps[i].buffer_s <= 60.0 + 1e-9);
        double slept = steps[i].sleep_s / 0.5;
        assert_near(slept, floor(slept + 0.5), 1e-9);
    }
    assert_true(steps[39].sleep_s > 0);
    sv_trace_destroy(t);
}

static void test_invalid(void **state)
{
    sv_trace *t = NULL;
    sv_trace_error err;
    sv_abr_sim_result r;
    sv_abr_sim_config cfg;
    uint64_t sizes[2] = { 1, 1 };
    const uint32_t one[1] = { 100 };
    sv_abr_video v = { .bitrates_kbps = one, .num_rungs = 1, .segment_bytes = sizes,
                       .num_segments = 2, .segment_duration_s = 4.0 }, bad = v;

    assert_int_equal(sv_trace_parse("0 1\n1 1\n", 8, SV_TRACE_AUTO, NULL, &t, &err), 0);
    assert_int_equal(sv_abr_simulate(NULL, &v, &sv_abr_rule_bba, NULL, NULL, 0, &r),
                     SV_ERR_INVALID);
    assert_int_equal(sv_abr_simulate(t, &v, NULL, NULL, NULL, 0, &r), SV_ERR_INVALID);
    bad.segment_duration_s = 0;
    assert_int_equal(sv_abr_simulate(t, &bad, &sv_abr_rule_bba, NULL, NULL, 0, &r),
                     SV_ERR_INVALID);
    sv_abr_sim_default_config(&cfg);
    cfg.num_segments = 3;  /* more than the video has */
    assert_int_equal(sv_abr_simulate(t, &v, &sv_abr_rule_bba, &cfg, NULL, 0, &r), SV_ERR_INVALID);
    sv_abr_sim_default_config(&cfg);
    sv_abr_param p = { .name = "nope", .value = 1 };
    cfg.params = &p;
    cfg.num_params = 1;
    assert_int_equal(sv_abr_simulate(t, &v, &sv_abr_rule_bba, &cfg, NULL, 0, &r),
                     SV_ERR_NOT_FOUND);
    /* A link too slow to deliver a segment within a simulated day. */
    sv_trace_destroy(t);
    assert_int_equal(sv_trace_parse("0 0.000001\n1 0.000001\n", 22, SV_TRACE_AUTO, NULL, &t,
                                    &err), 0);
    sizes[0] = sizes[1] = 100000000;
    assert_int_equal(sv_abr_simulate(t, &v, &sv_abr_rule_bba, NULL, NULL, 0, &r), SV_ERR_RANGE);
    sv_trace_destroy(t);
}

static void test_pensieve_baselines(void **state)
{
    trace_set s = load_set("pensieve/test");
    assert_int_equal(s.n, 142);

    set_result bba = run_set(&s, &sv_abr_rule_bba, NULL, 0);
    sv_abr_param as_mpc_py = { .name = "lookahead_offset", .value = 1 };
    set_result mpc_ref = run_set(&s, &sv_abr_rule_mpc, &as_mpc_py, 1);
    set_result mpc = run_set(&s, &sv_abr_rule_mpc, NULL, 0);
    set_result hybrid = run_set(&s, &sv_abr_rule_hybrid, NULL, 0);
    print_message("pensieve/test: bba %.4f, robustMPC (mpc.py) %.4f (stalls %.1f s), "
                  "robustMPC %.4f (stalls %.1f s), hybrid %.4f (stalls %.1f s)\n",
                  bba.mean_qoe, mpc_ref.mean_qoe, mpc_ref.rebuffer_total, mpc.mean_qoe,
                  mpc.rebuffer_total, hybrid.mean_qoe, hybrid.rebuffer_total);

    if (fabs(bba.mean_qoe - 30.04) > 0.05)
        fail_msg("BBA mean QoE %.4f, published 30.04 +- 0.05", bba.mean_qoe);
    if (fabs(mpc_ref.mean_qoe - 39.6) > 0.3)
        fail_msg("robustMPC (mpc.py) mean QoE %.4f, published 39.6 +- 0.3", mpc_ref.mean_qoe);
    if (hybrid.mean_qoe < 41.2)
        fail_msg("hybrid mean QoE %.4f below the 41.2 floor", hybrid.mean_qoe);
    if (hybrid.mean_qoe <= mpc.mean_qoe)
        fail_msg("hybrid %.4f does not beat robustMPC %.4f", hybrid.mean_qoe, mpc.mean_qoe);
    if (hybrid.rebuffer_total > mpc.rebuffer_total || hybrid.rebuffer_total > mpc_ref.rebuffer_total)
        fail_msg("hybrid stalls %.1f s, robustMPC %.1f s / %.1f s", hybrid.rebuffer_total,
                 mpc.rebuffer_total, mpc_ref.rebuffer_total);
    free_set(&s);
}

static void expect_hybrid_best(const char *sub)
{
    trace_set s = load_set(sub);
    set_result hybrid = run_set(&s, &sv_abr_rule_hybrid, NULL, 0);
    assert_true(s.n > 0);
    for (size_t i = 0; i < sv_abr_rule_count(); i++) {
        const sv_abr_rule *rule = sv_abr_rule_at(i);
        if (rule == &sv_abr_rule_hybrid)
            continue;
        set_result other = run_set(&s, rule, NULL, 0);
        print_message("%s: %s %.4f, hybrid %.4f\n", sub, sv_abr_rule_name(rule), other.mean_qoe,
                      hybrid.mean_qoe);
        if (other.mean_qoe >= hybrid.mean_qoe)
            fail_msg("%s: %s (%.4f) beats hybrid (%.4f)", sub, sv_abr_rule_name(rule),
                     other.mean_qoe, hybrid.mean_qoe);
    }
    free_set(&s);
}

static void test_hybrid_best_belgium(void **state)
{
    expect_hybrid_best("belgium-4g");
}

static void test_hybrid_best_mahimahi(void **state)
{
    expect_hybrid_best("mahimahi");
}

/* The same session twice gives bit-identical results. */
static void test_deterministic(void **state)
{
    trace_set s = load_set("mahimahi");
    for (size_t i = 0; i < sv_abr_rule_count(); i++) {
        sv_abr_sim_step a[48], b[48];
        sv_abr_sim_result ra, rb;
        sv_abr_sim_config cfg;
        /* Compared byte for byte: padding too, which 32-bit ABIs have
         * (armhf: after bitrate_kbps and at the end of a step). */
        memset(a, 0, sizeof(a));
        memset(b, 0, sizeof(b));
        memset(&ra, 0, sizeof(ra));
        memset(&rb, 0, sizeof(rb));
        sv_abr_sim_default_config(&cfg);
        cfg.num_segments = 48;
        assert_int_equal(sv_abr_simulate(s.traces[0], &pensieve_video, sv_abr_rule_at(i), &cfg, a,
                                         48, &ra), 0);
        assert_int_equal(sv_abr_simulate(s.traces[0], &pensieve_video, sv_abr_rule_at(i), &cfg, b,
                                         48, &rb), 0);
        assert_memory_equal(&ra, &rb, sizeof(ra));
        assert_memory_equal(a, b, sizeof(a));
    }
    free_set(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_constant_link),
        cmocka_unit_test(test_buffer_cap),
        cmocka_unit_test(test_invalid),
        cmocka_unit_test_setup(test_pensieve_baselines, setup_video),
        cmocka_unit_test_setup(test_hybrid_best_belgium, setup_video),
        cmocka_unit_test_setup(test_hybrid_best_mahimahi, setup_video),
        cmocka_unit_test_setup(test_deterministic, setup_video),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
