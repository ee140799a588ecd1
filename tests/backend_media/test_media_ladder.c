/*
 * Choosing a per-title ladder (backend/media/ladder_auto.c) from probe
 * points, without encoding: synthetic rate-quality curves shaped like easy
 * content (quality flat early, the encoder spending less than it may),
 * hard content (quality rising all the way, small resolutions better at low
 * rates) and degenerate probes; the `ladder` setting's parser; the record's
 * JSON round trip and its SVG plot.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "backend/media.h"
#include "streamverse/common.h"

static void add(sv__ladder_report *rep, int height, int target, double kbps, double psnr)
{
    sv__probe_point *p = &rep->points[rep->nb_points++];

    *p = (sv__probe_point){ .width = height * 16 / 9, .height = height, .target_kbps = target,
                            .kbps = kbps, .psnr = psnr, .ssim = 1 - exp(-psnr / 10) };
}

static void source(sv__ladder_report *rep, int w, int h)
{
    memset(rep, 0, sizeof(*rep));
    rep->src_width = w;
    rep->src_height = h;
}

/* Every height reaches its best by 300 kb/s and the encoder never spends
 * more than 400 whatever it is allowed. */
static void easy_points(sv__ladder_report *rep)
{
    static const int heights[] = { 240, 360, 480, 720, 1080 };
    static const int targets[] = { 75, 150, 300, 750, 1200, 2800, 5000 };

    for (int h = 0; h < 5; h++)
        for (int t = 0; t < 7; t++) {
            double kbps = fmin(targets[t], 200 + 40 * h);

            add(rep, heights[h], targets[t], kbps,
                30 + 3 * h + 6 * (1 - exp(-kbps / 60.0)));
        }
}

static void test_easy_content_gets_fewer_bits(void **state)
{
    sv__ladder tmpl;
    sv__ladder_report rep;
    double total = 0;

    (void)state;
    sv__ladder_default(&tmpl);
    source(&rep, 1920, 1080);
    easy_points(&rep);
    sv__ladder_choose(&tmpl, &rep);
    assert_true(rep.nb_chosen >= 1);
    assert_true(rep.nb_chosen < tmpl.nb_rungs);  /* levels that cost the same merge */
    for (int i = 0; i < rep.nb_chosen; i++) {
        total += rep.chosen[i].expected_kbps;
        /* Within the tolerance of the level it stands for. */
        assert_true(rep.chosen[i].psnr >= rep.chosen[i].level_psnr - SV_LADDER_TOLERANCE_DB - 1e-6);
        if (i)
            assert_true(rep.chosen[i].kbps > rep.chosen[i - 1].kbps);
    }
    /* The top level is 1080p's best, reached at its top. */
    assert_int_equal(rep.chosen[rep.nb_chosen - 1].height, 1080);
    assert_true(total < 0.2 * (300 + 750 + 1200 + 2800 + 5000));
    assert_string_equal(rep.note, "");
}

/* Quality rises with the rate at every height; below 1 Mb/s the smaller
 * resolutions win (a 1080p encode starved of bits is worse upscaled than a
 * 720p one). */
static double hard_psnr(int height, double kbps)
{
    double bits_per_pixel = kbps * 1000 / (height * height * 16.0 / 9 * 30);

    return 20 + 4 * log2(1 + 40 * bits_per_pixel) + height / 200.0;
}

static void test_hard_content_follows_the_hull(void **state)
{
    static const int heights[] = { 240, 360, 480, 720, 1080 };
    static const int targets[] = { 75, 150, 300, 750, 1200, 2800, 5000 };
    sv__ladder tmpl;
    sv__ladder_report rep;

    (void)state;
    sv__ladder_default(&tmpl);
    source(&rep, 1920, 1080);
    for (int h = 0; h < 5; h++)
        for (int t = 0; t < 7; t++)
            add(&rep, heights[h], targets[t], targets[t], hard_psnr(heights[h], targets[t]));
    sv__ladder_choose(&tmpl, &rep);
    assert_int_equal(rep.nb_chosen, tmpl.nb_rungs);
    for (int i = 0; i < rep.nb_chosen; i++) {
        const sv__ladder_choice *c = &rep.chosen[i];
        double best = -INFINITY;
        int best_h = 0;

        /* No height is better than the chosen one at its rate. */
        for (int h = 0; h < 5; h++)
            if (hard_psnr(heights[h], c->expected_kbps) > best) {
                best = hard_psnr(heights[h], c->expected_kbps);
                best_h = heights[h];
            }
        assert_int_equal(c->height, best_h);
        /* Nothing is saved where quality still rises: the rate is the template's. */
        assert_true(c->kbps >= 0.9 * tmpl.rungs[c->from_rung].bitrate_kbps);
        if (i)
            assert_true(c->height >= rep.chosen[i - 1].height);
    }
}

static void test_few_points_give_the_template(void **state)
{
    sv__ladder tmpl;
    sv__ladder_report rep;

    (void)state;
    sv__ladder_default(&tmpl);
    source(&rep, 1280, 720);
    add(&rep, 240, 300, 280, 35);
    sv__ladder_choose(&tmpl, &rep);
    assert_int_equal(rep.nb_chosen, 4);  /* 1080p does not fit a 720p source */
    assert_int_equal(rep.chosen[3].height, 720);
    assert_int_equal(rep.chosen[3].kbps, 2800);
    assert_non_null(strstr(rep.note, "template"));
}

static void test_parse_setting(void **state)
{
    sv__ladder l;

    (void)state;
    sv__ladder_default(&l);
    assert_int_equal(l.per_title, 1);
    assert_int_equal(sv__ladder_parse("240:300,720:2800", &l), 0);
    assert_int_equal(l.per_title, 0);
    assert_int_equal(l.nb_rungs, 2);
    assert_int_equal(l.rungs[1].bitrate_kbps, 2800);
    assert_int_equal(sv__ladder_parse("auto:360:500,1080:6000", &l), 0);
    assert_int_equal(l.per_title, 1);
    assert_int_equal(l.rungs[1].height, 1080);
    assert_int_equal(sv__ladder_parse("auto", &l), 0);
    assert_int_equal(l.nb_rungs, 5);
    assert_int_equal(l.per_title, 1);
    assert_int_equal(sv__ladder_parse("automatic", &l), SV_ERR_INVALID);
    assert_int_equal(sv__ladder_parse("auto:", &l), SV_ERR_INVALID);
    assert_int_equal(sv__ladder_parse("720", &l), SV_ERR_INVALID);
    assert_int_equal(sv__ladder_parse("720:10", &l), SV_ERR_INVALID);
    assert_int_equal(sv__ladder_parse("1:300", &l), SV_ERR_INVALID);
    assert_int_equal(sv__ladder_parse("", &l), SV_ERR_INVALID);
    /* A refused setting leaves the ladder as it was. */
    assert_int_equal(l.nb_rungs, 5);
}

static void test_record_round_trip_and_plot(void **state)
{
    sv__ladder tmpl;
    sv__ladder_report rep, back;
    char *svg = NULL;
    size_t len = 0;
    json_t *j;

    (void)state;
    sv__ladder_default(&tmpl);
    source(&rep, 1920, 1080);
    easy_points(&rep);
    rep.nb_windows = 2;
    rep.sample_s = 2.0;
    sv__ladder_choose(&tmpl, &rep);
    assert_non_null(j = sv__ladder_report_json(&rep));
    assert_int_equal(sv__ladder_report_parse(j, &back), 0);
    json_decref(j);
    assert_int_equal(back.nb_points, rep.nb_points);
    assert_int_equal(back.nb_chosen, rep.nb_chosen);
    for (int i = 0; i < rep.nb_chosen; i++) {
        assert_int_equal(back.chosen[i].kbps, rep.chosen[i].kbps);
        assert_int_equal(back.chosen[i].height, rep.chosen[i].height);
    }
    assert_int_equal(sv__ladder_svg(&back, &svg, &len), 0);
    assert_non_null(strstr(svg, "<svg"));
    assert_non_null(strstr(svg, "1080p"));
    assert_int_equal(strlen(svg), len);
    free(svg);
    /* Not a record: refused. */
    j = json_pack("{s:i}", "src_width", 3);
    assert_int_equal(sv__ladder_report_parse(j, &back), SV_ERR_PARSE);
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_easy_content_gets_fewer_bits),
        cmocka_unit_test(test_hard_content_follows_the_hull),
        cmocka_unit_test(test_few_points_give_the_template),
        cmocka_unit_test(test_parse_setting),
        cmocka_unit_test(test_record_round_trip_and_plot),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
