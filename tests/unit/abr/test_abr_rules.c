/*
 * ABR rules: the registry, parameters, argument checks, and each rule in the
 * corners a player meets: an empty buffer, a one-rung ladder, no or zero
 * throughput, a huge segment, and plenty of everything.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "streamverse/abr.h"

static const uint32_t ladder[6] = { 300, 750, 1200, 1850, 2850, 4300 };
static const uint32_t one_rung[1] = { 1000 };

static sv_abr_input input(double buffer_s, double tput_kbps, int last)
{
    sv_abr_input in;
    memset(&in, 0, sizeof(in));
    in.bitrates_kbps = ladder;
    in.num_rungs = 6;
    in.segment_duration_s = 4.0;
    in.buffer_s = buffer_s;
    in.buffer_max_s = 60.0;
    in.throughput_kbps = tput_kbps;
    in.last_index = last;
    in.phase = SV_ABR_PHASE_PLAYING;
    return in;
}

/* Feeds n downloads of 4 s segments at rung `index` over a link of `kbps`. */
static void feed(sv_abr *abr, int index, double kbps, int n)
{
    for (int i = 0; i < n; i++) {
        uint64_t bytes = (uint64_t)ladder[index] * 1000 / 8 * 4;
        sv_abr_sample s = { .bytes = bytes, .duration_s = (double)bytes * 8 / 1000 / kbps + 0.08,
                            .latency_s = 0.08, .index = index, .buffer_s = 8.0 };
        assert_int_equal(sv_abr_on_download(abr, &s), 0);
    }
}

static int choose(sv_abr *abr, const sv_abr_input *in)
{
    sv_abr_decision d;
    assert_int_equal(sv_abr_choose(abr, in, &d), 0);
    assert_true(d.index >= 0 && (size_t)d.index < in->num_rungs);
    assert_non_null(d.reason);
    assert_true(d.delay_s >= 0);
    return d.index;
}

static void test_registry(void **state)
{
    const char *names[] = { "bba", "bola", "throughput", "mpc", "hybrid" };
    assert_int_equal(sv_abr_rule_count(), 5);
    for (size_t i = 0; i < 5; i++) {
        assert_string_equal(sv_abr_rule_name(sv_abr_rule_at(i)), names[i]);
        assert_ptr_equal(sv_abr_rule_find(names[i]), sv_abr_rule_at(i));
        assert_true(strlen(sv_abr_rule_description(sv_abr_rule_at(i))) > 0);
    }
    assert_null(sv_abr_rule_at(5));
    assert_null(sv_abr_rule_find("nope"));
    assert_null(sv_abr_rule_find(NULL));
    assert_ptr_equal(sv_abr_rule_find("robustmpc"), &sv_abr_rule_mpc);
    assert_ptr_equal(sv_abr_rule_default(), &sv_abr_rule_hybrid);
    assert_string_equal(sv_abr_rule_name(NULL), "");
}

static void test_params(void **state)
{
    sv_abr *abr = NULL;
    sv_abr_param_info pi;
    double v = 0;

    assert_int_equal(sv_abr_rule_param_count(&sv_abr_rule_bba), 2);
    assert_int_equal(sv_abr_rule_param_info(&sv_abr_rule_bba, 0, &pi), 0);
    assert_string_equal(pi.name, "reservoir_s");
    assert_true(pi.default_value == 5.0);
    assert_int_equal(sv_abr_rule_param_info(&sv_abr_rule_bba, 2, &pi), SV_ERR_RANGE);
    assert_int_equal(sv_abr_rule_param_info(NULL, 0, &pi), SV_ERR_INVALID);

    assert_int_equal(sv_abr_create(&sv_abr_rule_bba, NULL, &abr), 0);
    assert_ptr_equal(sv_abr_get_rule(abr), &sv_abr_rule_bba);
    sv_abr_param ok[2] = { { .name = "reservoir_s", .value = 8 },
                           { .name = "cushion_s", .value = 20 } };
    assert_int_equal(sv_abr_set_params(abr, ok, 2), 0);
    assert_int_equal(sv_abr_get_param(abr, "cushion_s", &v), 0);
    assert_true(v == 20);
    /* All or nothing: a bad second setting leaves the first one unapplied. */
    sv_abr_param bad[2] = { { .name = "reservoir_s", .value = 1 },
                            { .name = "cushion_s", .value = -3 } };
    assert_int_equal(sv_abr_set_params(abr, bad, 2), SV_ERR_RANGE);
    assert_int_equal(sv_abr_get_param(abr, "reservoir_s", &v), 0);
    assert_true(v == 8);
    sv_abr_param unknown = { .name = "speed", .value = 1 };
    assert_int_equal(sv_abr_set_params(abr, &unknown, 1), SV_ERR_NOT_FOUND);
    assert_int_equal(sv_abr_get_param(abr, "speed", &v), SV_ERR_NOT_FOUND);
    sv_abr_param nan_value = { .name = "cushion_s", .value = NAN };
    assert_int_equal(sv_abr_set_params(abr, &nan_value, 1), SV_ERR_RANGE);
    /* With reservoir 8 s and cushion 20 s, a 10 s buffer gives rung 0. */
    sv_abr_input in = input(10.0, 5000, 3);
    assert_int_equal(choose(abr, &in), 0);
    sv_abr_destroy(abr);
    sv_abr_destroy(NULL);
}

static void test_invalid_arguments(void **state)
{
    sv_abr *abr = NULL;
    sv_abr_decision d = { .index = 7, .delay_s = 0, .reason = "untouched" };
    const uint32_t descending[2] = { 2000, 1000 };

    assert_int_equal(sv_abr_create(NULL, NULL, &abr), SV_ERR_INVALID);
    assert_null(abr);
    assert_int_equal(sv_abr_create(&sv_abr_rule_bba, NULL, NULL), SV_ERR_INVALID);
    sv_allocator half = { 0 };
    half.opaque = NULL;
    assert_int_equal(sv_abr_create(&sv_abr_rule_bba, &half, &abr), SV_ERR_INVALID);
    assert_int_equal(sv_abr_create(&sv_abr_rule_hybrid, NULL, &abr), 0);

    sv_abr_input in = input(5, 1000, 0);
    assert_int_equal(sv_abr_choose(NULL, &in, &d), SV_ERR_INVALID);
    assert_int_equal(sv_abr_choose(abr, NULL, &d), SV_ERR_INVALID);
    assert_int_equal(sv_abr_choose(abr, &in, NULL), SV_ERR_INVALID);
    in.num_rungs = 0;
    assert_int_equal(sv_abr_choose(abr, &in, &d), SV_ERR_INVALID);
    in = input(5, 1000, 0);
    in.bitrates_kbps = descending;
    in.num_rungs = 2;
    assert_int_equal(sv_abr_choose(abr, &in, &d), SV_ERR_INVALID);
    in = input(-1, 1000, 0);
    assert_int_equal(sv_abr_choose(abr, &in, &d), SV_ERR_INVALID);
    in = input(NAN, 1000, 0);
    assert_int_equal(sv_abr_choose(abr, &in, &d), SV_ERR_INVALID);
    in = input(5, INFINITY, 0);
    assert_int_equal(sv_abr_choose(abr, &in, &d), SV_ERR_INVALID);
    in = input(5, 1000, 6);
    assert_int_equal(sv_abr_choose(abr, &in, &d), SV_ERR_INVALID);
    in = input(5, 1000, 0);
    in.segment_duration_s = 0;
    assert_int_equal(sv_abr_choose(abr, &in, &d), SV_ERR_INVALID);
    in = input(5, 1000, 0);
    in.num_next = 3;  /* sizes promised but not given */
    assert_int_equal(sv_abr_choose(abr, &in, &d), SV_ERR_INVALID);
    assert_int_equal(d.index, 7);
    assert_string_equal(d.reason, "untouched");

    sv_abr_sample s = { .bytes = 1000, .duration_s = 0, .latency_s = 0, .index = 1, .buffer_s = 4 };
    assert_int_equal(sv_abr_on_download(abr, &s), SV_ERR_INVALID);
    s.duration_s = 1;
    s.latency_s = 2;  /* more than the whole download */
    assert_int_equal(sv_abr_on_download(abr, &s), SV_ERR_INVALID);
    assert_int_equal(sv_abr_on_download(NULL, &s), SV_ERR_INVALID);
    sv_abr_destroy(abr);
}

/* Every rule, every corner: the answer is always a valid rung. */
static void test_all_rules_corners(void **state)
{
    for (size_t i = 0; i < sv_abr_rule_count(); i++) {
        const sv_abr_rule *rule = sv_abr_rule_at(i);
        sv_abr *abr = NULL;
        assert_int_equal(sv_abr_create(rule, NULL, &abr), 0);

        /* Empty buffer, no estimate, no history: stay where we are. */
        sv_abr_input in = input(0, 0, -1);
        in.phase = SV_ABR_PHASE_STARTUP;
        int q = choose(abr, &in);
        if (rule != &sv_abr_rule_bba)
            assert_int_equal(q, 0);

        /* One-rung ladder: always rung 0, whatever else. */
        in = input(30, 100000, 0);
        in.bitrates_kbps = one_rung;
        in.num_rungs = 1;
        assert_int_equal(choose(abr, &in), 0);

        /* Zero throughput estimate after a rung-3 segment: a valid rung. */
        in = input(2, 0, 3);
        q = choose(abr, &in);
        assert_true(q >= 0 && q <= 5);

        /* A dying link and an empty buffer: the lowest rung. */
        feed(abr, 0, 50, 6);
        in = input(0.5, 50, 0);
        in.phase = SV_ABR_PHASE_STALLED;
        assert_int_equal(choose(abr, &in), 0);
        sv_abr_destroy(abr);
    }
}

/* Plenty of throughput and buffer: every rule ends on the top rung. */
static void test_all_rules_climb(void **state)
{
    for (size_t i = 0; i < sv_abr_rule_count(); i++) {
        const sv_abr_rule *rule = sv_abr_rule_at(i);
        sv_abr *abr = NULL;
        int q = 1;
        assert_int_equal(sv_abr_create(rule, NULL, &abr), 0);
        for (int k = 0; k < 12; k++) {
            feed(abr, q, 50000, 1);
            sv_abr_input in = input(4.0 + 3.0 * k, 50000, q);
            q = choose(abr, &in);
        }
        assert_int_equal(q, 5);
        sv_abr_destroy(abr);
    }
}

/* A huge next segment at the upper rungs: rules that read segment sizes
 * avoid it even though the nominal bitrates would fit. */
static void test_huge_segment(void **state)
{
    const sv_abr_rule *rules[] = { &sv_abr_rule_mpc, &sv_abr_rule_hybrid };
    uint64_t sizes[6 * 5];

    for (int k = 0; k < 5; k++)
        for (int r = 0; r < 6; r++)
            sizes[k * 6 + r] = (uint64_t)ladder[r] * 500;  /* nominal 4 s */
    for (int r = 1; r < 6; r++)
        sizes[r] = UINT64_C(1) << 40;  /* the next segment: a terabyte */
    for (size_t i = 0; i < 2; i++) {
        sv_abr *abr = NULL;
        assert_int_equal(sv_abr_create(rules[i], NULL, &abr), 0);
        feed(abr, 3, 8000, 6);
        sv_abr_input in = input(12, 8000, 3);
        in.next_sizes = sizes;
        in.num_next = 5;
        assert_int_equal(choose(abr, &in), 0);
        /* Without the sizes the same link supports a high rung. */
        in.next_sizes = NULL;
        in.num_next = 0;
        assert_true(choose(abr, &in) >= 3);
        sv_abr_destroy(abr);
    }
}

static void test_bba_map(void **state)
{
    sv_abr *abr = NULL;
    assert_int_equal(sv_abr_create(&sv_abr_rule_bba, NULL, &abr), 0);
    const double buf[] = { 0, 4.99, 5, 7, 9, 11, 14.99, 15, 60 };
    const int want[] = { 0, 0, 0, 1, 2, 3, 4, 5, 5 };
    for (size_t i = 0; i < sizeof(buf) / sizeof(buf[0]); i++) {
        sv_abr_input in = input(buf[i], 1000, 2);
        assert_int_equal(choose(abr, &in), want[i]);
    }
    sv_abr_destroy(abr);
}

static void test_throughput_safety(void **state)
{
    sv_abr *abr = NULL;
    assert_int_equal(sv_abr_create(&sv_abr_rule_throughput, NULL, &abr), 0);
    sv_abr_input in = input(10, 2000, 1);  /* 0.9 x 2000 = 1800: rung 2 */
    assert_int_equal(choose(abr, &in), 2);
    in.throughput_kbps = 2100;             /* 1890: rung 3 */
    assert_int_equal(choose(abr, &in), 3);
    in.throughput_kbps = 100;              /* below the ladder: rung 0 */
    assert_int_equal(choose(abr, &in), 0);
    sv_abr_destroy(abr);
}

/* BOLA-O: in steady state, BOLA does not step up past what the throughput
 * sustains, and above its buffer target at a low rung it asks to wait. */
static void test_bola_guard_and_delay(void **state)
{
    sv_abr *abr = NULL;
    sv_abr_decision d;
    assert_int_equal(sv_abr_create(&sv_abr_rule_bola, NULL, &abr), 0);
    /* Startup: rate-based on 0.9 x 1000 kbps -> rung 1 (750). */
    feed(abr, 1, 1000, 1);
    sv_abr_input in = input(4, 1000, 1);
    assert_int_equal(choose(abr, &in), 1);
    feed(abr, 1, 1000, 1);
    in = input(8, 1000, 1);
    choose(abr, &in);  /* buffer >= one segment: steady from now on */
    feed(abr, 1, 1000, 1);
    /* A big buffer alone would pick a high rung; the guard caps it at 1. */
    in = input(30, 1000, 1);
    assert_int_equal(sv_abr_choose(abr, &in, &d), 0);
    assert_int_equal(d.index, 1);
    assert_true(d.delay_s > 0);
    sv_abr_destroy(abr);
}

/* robustMPC keeps its history per instance; reset forgets it. */
static void test_mpc_history_reset(void **state)
{
    sv_abr *a = NULL, *b = NULL;
    assert_int_equal(sv_abr_create(&sv_abr_rule_mpc, NULL, &a), 0);
    assert_int_equal(sv_abr_create(&sv_abr_rule_mpc, NULL, &b), 0);
    feed(a, 2, 300, 5);  /* a slow past */
    sv_abr_reset(a);
    feed(a, 2, 20000, 2);
    feed(b, 2, 20000, 2);
    sv_abr_input in = input(10, 20000, 2);
    assert_int_equal(choose(a, &in), choose(b, &in));
    sv_abr_destroy(a);
    sv_abr_destroy(b);
}

/* Same inputs, same decisions, in two independent instances. */
static void test_deterministic(void **state)
{
    for (size_t i = 0; i < sv_abr_rule_count(); i++) {
        sv_abr *a = NULL, *b = NULL;
        assert_int_equal(sv_abr_create(sv_abr_rule_at(i), NULL, &a), 0);
        assert_int_equal(sv_abr_create(sv_abr_rule_at(i), NULL, &b), 0);
        int qa = 1, qb = 1;
        for (int k = 0; k < 30; k++) {
            double kbps = 500 + 4000 * (double)((k * 7) % 11) / 10.0;
            feed(a, qa, kbps, 1);
            feed(b, qb, kbps, 1);
            sv_abr_input ia = input((k * 13) % 40, kbps, qa), ib = input((k * 13) % 40, kbps, qb);
            qa = choose(a, &ia);
            qb = choose(b, &ib);
            assert_int_equal(qa, qb);
        }
        sv_abr_destroy(a);
        sv_abr_destroy(b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registry),
        cmocka_unit_test(test_params),
        cmocka_unit_test(test_invalid_arguments),
        cmocka_unit_test(test_all_rules_corners),
        cmocka_unit_test(test_all_rules_climb),
        cmocka_unit_test(test_huge_segment),
        cmocka_unit_test(test_bba_map),
        cmocka_unit_test(test_throughput_safety),
        cmocka_unit_test(test_bola_guard_and_delay),
        cmocka_unit_test(test_mpc_history_reset),
        cmocka_unit_test(test_deterministic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
