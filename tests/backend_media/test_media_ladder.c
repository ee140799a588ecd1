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

/* Probe points measured by svserver on bench/per_title.sh's clips (1 s
 * window, 1080p display): {height, target, kb/s, PSNR}. */
typedef struct measured {
    int height, target;
    double kbps, psnr;
} measured;

static const measured test_card[] = {  /* testsrc: flat, easy */
    { 240, 75, 76.8, 30.323 },    { 240, 150, 108.6, 30.416 },  { 360, 150, 129.9, 33.154 },
    { 360, 300, 197.2, 33.187 },  { 480, 150, 114.2, 33.776 },  { 480, 300, 175.7, 33.952 },
    { 480, 750, 362.5, 34.030 },  { 720, 750, 370.5, 38.699 },  { 720, 1200, 515.9, 38.701 },
    { 1080, 750, 312.0, 55.738 }, { 1080, 1200, 395.8, 59.186 }, { 1080, 2800, 773.1, 65.372 },
    { 1080, 5000, 1251.2, 70.061 }, { 1080, 375, 191.0, 50.078 }, { 1080, 187, 164.6, 42.422 },
    { 1080, 93, 113.9, 33.776 },
};

static const measured grain[] = {  /* testsrc2 with noise and a hue shift: hard */
    { 240, 75, 124.2, 27.585 },   { 240, 150, 175.5, 29.445 },   { 240, 300, 318.2, 30.007 },
    { 360, 150, 211.2, 29.270 },  { 360, 300, 323.0, 30.748 },   { 360, 750, 788.9, 31.280 },
    { 360, 1200, 1270.3, 31.361 }, { 480, 150, 211.4, 28.375 },  { 480, 300, 345.7, 30.748 },
    { 480, 750, 705.6, 31.895 },  { 480, 1200, 1151.9, 32.108 }, { 720, 750, 715.2, 32.421 },
    { 720, 1200, 1088.8, 33.067 }, { 720, 2800, 2755.4, 33.637 }, { 720, 5000, 5600.3, 33.817 },
    { 1080, 750, 866.2, 32.507 }, { 1080, 1200, 1389.7, 33.618 }, { 1080, 2800, 2936.9, 35.846 },
    { 1080, 5000, 5601.8, 36.629 },
};

static void load(sv__ladder_report *rep, const measured *m, int n)
{
    source(rep, 1920, 1080);
    for (int i = 0; i < n; i++)
        add(rep, m[i].height, m[i].target, m[i].kbps, m[i].psnr);
}

/* The chosen rung a template rung stands with: its own, or the next one
 * above when it was left out. */
static const sv__ladder_choice *standing_for(const sv__ladder_report *rep, int rung)
{
    for (int i = 0; i < rep->nb_chosen; i++)
        if (rep->chosen[i].from_rung >= rung)
            return &rep->chosen[i];
    return NULL;
}

/* Above the ceiling the bytes are saved: at least 30 % fewer than the fixed
 * ladder produces (its rungs' measured rates), and no template rung stands
 * with less quality than the fixed rung gives, less the tolerance. */
static void test_test_card_saves_bytes_above_the_ceiling(void **state)
{
    /* The fixed ladder on the test card: what each template rung produced
     * and its quality (the encoder saturates: 240p at 300 makes 108.6). */
    static const double fixed_kbps[] = { 108.6, 197.2, 362.5, 515.9, 1251.2 };
    static const double fixed_psnr[] = { 30.416, 33.187, 34.030, 38.701, 70.061 };
    sv__ladder tmpl;
    sv__ladder_report rep;
    double total = 0, fixed_total = 0;

    (void)state;
    sv__ladder_default(&tmpl);
    load(&rep, test_card, (int)(sizeof(test_card) / sizeof(test_card[0])));
    sv__ladder_choose(&tmpl, &rep);
    assert_true(rep.nb_chosen >= 2);
    for (int i = 0; i < rep.nb_chosen; i++)
        total += rep.chosen[i].expected_kbps;
    for (int r = 0; r < tmpl.nb_rungs; r++) {
        const sv__ladder_choice *c = standing_for(&rep, r);

        assert_non_null(c);
        assert_true(c->psnr >= fixed_psnr[r] - SV_LADDER_TOLERANCE_DB - 1e-6);
        fixed_total += fixed_kbps[r];
    }
    assert_true(total <= 0.7 * fixed_total);
    /* The top keeps the fixed rung's own quality (above the ceiling). */
    assert_true(rep.chosen[rep.nb_chosen - 1].psnr > SV_LADDER_CEILING_DB);
    assert_int_equal(rep.chosen[rep.nb_chosen - 1].height, 1080);
}

/* Below the ceiling every rung keeps the template's rate and takes the
 * resolution best at it: more quality for the same bytes. */
static void test_grain_keeps_the_rates(void **state)
{
    static const int best_height[] = { 360, 720, 1080, 1080, 1080 };
    sv__ladder tmpl;
    sv__ladder_report rep;

    (void)state;
    sv__ladder_default(&tmpl);
    load(&rep, grain, (int)(sizeof(grain) / sizeof(grain[0])));
    sv__ladder_choose(&tmpl, &rep);
    assert_int_equal(rep.nb_chosen, tmpl.nb_rungs);
    for (int i = 0; i < rep.nb_chosen; i++) {
        assert_int_equal(rep.chosen[i].from_rung, i);
        assert_int_equal(rep.chosen[i].kbps, tmpl.rungs[i].bitrate_kbps);
        assert_int_equal(rep.chosen[i].height, best_height[i]);
        assert_true(rep.chosen[i].psnr <= SV_LADDER_CEILING_DB);
    }
}

/* The other codecs' rates: HEVC probed at 480p (the middle rung) at 35, 50,
 * 70 and 100 % of its 1200 kb/s reaches H.264's quality there at about 55 %;
 * AV1 never does (100 %). The codec points leave the H.264 hull and the
 * choice as they were, and the record keeps them. */
static void test_codec_rates_from_the_probe(void **state)
{
    static const measured hevc[] = {
        { 480, 420, 380, 31.2 }, { 480, 600, 560, 31.95 }, { 480, 840, 800, 32.5 }, { 480, 1200, 1150, 32.9 },
    };
    static const measured av1[] = {
        { 480, 420, 400, 30.0 }, { 480, 600, 590, 30.5 }, { 480, 840, 820, 31.0 }, { 480, 1200, 1180, 31.5 },
    };
    sv__ladder tmpl, out;
    sv__ladder_report rep, plain, back;
    json_t *j;

    (void)state;
    sv__ladder_default(&tmpl);
    assert_int_equal(sv__ladder_codec_reference(&tmpl, 1080), 2);
    assert_int_equal(sv__ladder_codec_reference(&tmpl, 400), 1);  /* 240p, 360p fit */
    load(&plain, grain, (int)(sizeof(grain) / sizeof(grain[0])));
    sv__ladder_choose(&tmpl, &plain);
    load(&rep, grain, (int)(sizeof(grain) / sizeof(grain[0])));
    for (int i = 0; i < 4; i++) {
        add(&rep, hevc[i].height, hevc[i].target, hevc[i].kbps, hevc[i].psnr);
        rep.points[rep.nb_points - 1].codec = SV__CODEC_HEVC;
        add(&rep, av1[i].height, av1[i].target, av1[i].kbps, av1[i].psnr);
        rep.points[rep.nb_points - 1].codec = SV__CODEC_AV1;
    }
    sv__ladder_choose(&tmpl, &rep);
    assert_true(rep.codec_percent[SV__CODEC_HEVC] >= 52 && rep.codec_percent[SV__CODEC_HEVC] <= 58);
    assert_int_equal(rep.codec_percent[SV__CODEC_AV1], 100);
    assert_int_equal(rep.codec_percent[SV__CODEC_H264], 0);
    assert_int_equal(rep.nb_chosen, plain.nb_chosen);
    for (int i = 0; i < rep.nb_chosen; i++) {
        assert_int_equal(rep.chosen[i].kbps, plain.chosen[i].kbps);
        assert_int_equal(rep.chosen[i].height, plain.chosen[i].height);
    }
    for (int i = 0; i < rep.nb_points; i++)
        if (rep.points[i].codec)
            assert_int_equal(rep.points[i].on_hull, 0);
    sv__ladder_apply(&tmpl, &rep, &out);
    assert_int_equal(out.codec_percent[SV__CODEC_HEVC], rep.codec_percent[SV__CODEC_HEVC]);
    assert_int_equal(sv__codec_rate_kbps(SV__CODEC_HEVC, 1000, out.codec_percent[SV__CODEC_HEVC]),
                     10 * rep.codec_percent[SV__CODEC_HEVC]);
    assert_int_equal(sv__codec_rate_kbps(SV__CODEC_HEVC, 1000, 0), 700);  /* the rule of thumb */
    assert_non_null(j = sv__ladder_report_json(&rep));
    assert_int_equal(sv__ladder_report_parse(j, &back), 0);
    json_decref(j);
    assert_int_equal(back.codec_percent[SV__CODEC_HEVC], rep.codec_percent[SV__CODEC_HEVC]);
    assert_int_equal(back.codec_percent[SV__CODEC_AV1], 100);
    assert_int_equal(back.points[rep.nb_points - 1].codec, SV__CODEC_AV1);
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
        cmocka_unit_test(test_test_card_saves_bytes_above_the_ceiling),
        cmocka_unit_test(test_grain_keeps_the_rates),
        cmocka_unit_test(test_codec_rates_from_the_probe),
        cmocka_unit_test(test_few_points_give_the_template),
        cmocka_unit_test(test_parse_setting),
        cmocka_unit_test(test_record_round_trip_and_plot),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
