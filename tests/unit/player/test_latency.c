/*
 * The live latency's range from the manifest (issue 17): DASH
 * ServiceDescription Latency@min and @max clamp the target the player holds
 * (the manifest's and the host's, and the live start placed by it), and a
 * latency over @max by more than the rate can make up sends the player back
 * to the live start (dash.js's liveCatchup maxDrift = @max - @target +
 * 0.5 s).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "player/core/internal.h"
#include "player/model/model.h"

#define NOW 1700000100.0 /* 2023-11-14T22:15:00Z */

static int near(double a, double b)
{
    return a - b < 1e-6 && b - a < 1e-6;
}

/* A live MPD of 2 s segments since NOW - 100 s with the given Latency. */
static sv__presentation *live(const char *latency)
{
    char text[2048];
    sv__presentation *pres = NULL;
    sv__parse_error err;

    snprintf(text, sizeof(text),
             "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" type=\"dynamic\" "
             "availabilityStartTime=\"2023-11-14T22:13:20Z\" minimumUpdatePeriod=\"PT2S\" "
             "timeShiftBufferDepth=\"PT60S\" minBufferTime=\"PT1S\">"
             "<ServiceDescription id=\"0\"><Latency referenceId=\"0\" %s/></ServiceDescription>"
             "<Period id=\"0\" start=\"PT0S\"><AdaptationSet contentType=\"video\" "
             "mimeType=\"video/mp4\"><SegmentTemplate timescale=\"1000\" duration=\"2000\" "
             "startNumber=\"0\" initialization=\"init.mp4\" media=\"seg-$Number$.m4s\"/>"
             "<Representation id=\"v\" bandwidth=\"800000\" codecs=\"avc1.64001f\" "
             "width=\"640\" height=\"360\"/></AdaptationSet></Period></MPD>", latency);
    assert_int_equal(sv__model_create(SV__SOURCE_DASH, text, strlen(text),
                                      "http://127.0.0.1/live/manifest.mpd", NOW, NULL, &pres,
                                      &err), 0);
    return pres;
}

/* The manifest's target within its own range; the host's too. */
static void target_clamped(void **state)
{
    (void)state;
    sv__presentation *pres = live("target=\"1500\" min=\"750\" max=\"3000\"");
    assert_true(near(pres->target_latency, 1.5));
    assert_true(near(pres->min_latency, 0.75));
    assert_true(near(pres->max_latency, 3.0));
    /* The host asks for less than @min, more than @max: held at the bounds. */
    sv__model_set_target_latency(pres, 0.3, NOW);
    assert_true(near(pres->target_latency, 0.75));
    sv__model_set_target_latency(pres, 8.0, NOW);
    assert_true(near(pres->target_latency, 3.0));
    /* The live start follows the clamped target: at most @max behind now. */
    assert_true(NOW - (pres->availability_start_time + pres->live_start) <= 3.0 + 1e-6);
    sv__model_destroy(pres);

    /* A manifest whose target is outside its own range. */
    pres = live("target=\"500\" min=\"1000\" max=\"3000\"");
    assert_true(near(pres->target_latency, 1.0));
    sv__model_destroy(pres);
    pres = live("target=\"9000\" max=\"4000\"");
    assert_true(near(pres->target_latency, 4.0));
    sv__model_destroy(pres);
    /* Without @min and @max the target is the manifest's. */
    pres = live("target=\"500\"");
    assert_true(near(pres->target_latency, 0.5));
    assert_true(near(sv__model_clamp_latency(pres, 12.0), 12.0));
    assert_true(sv__model_clamp_latency(pres, -1) < 0);
    sv__model_destroy(pres);
}

/* Back to the live start only past @max + 0.5 s, and only with a @max. */
static void too_late(void **state)
{
    (void)state;
    assert_false(sv__latency_too_late(1.5, 1.5, 3.0));
    assert_false(sv__latency_too_late(3.0, 1.5, 3.0)); /* the rate's business */
    assert_false(sv__latency_too_late(3.49, 1.5, 3.0));
    assert_true(sv__latency_too_late(3.51, 1.5, 3.0));
    assert_true(sv__latency_too_late(9.0, 1.5, 3.0));
    assert_false(sv__latency_too_late(60.0, 1.5, -1));  /* no @max: never */
    assert_false(sv__latency_too_late(60.0, -1, 3.0));  /* no target held */
    assert_false(sv__latency_too_late(60.0, 4.0, 3.0)); /* a target over @max: not ours */
}

/* The rate holds the latency's median on the target: a correction starts
 * 30 ms off and goes on to 30 ms past the target. */
static void rate_swings_around_target(void **state)
{
    (void)state;
    assert_true(near(sv__latency_rate(1.0, 0.02, 2.0), 1.0));
    assert_true(near(sv__latency_rate(1.0, -0.02, 2.0), 1.0));
    assert_true(near(sv__latency_rate(1.0, 0.04, 2.0), 1.01));    /* at least 1 +- 0.01 */
    assert_true(near(sv__latency_rate(1.0, -0.04, 2.0), 0.99));
    assert_true(near(sv__latency_rate(1.0, 0.3, 2.0), 1.025));    /* more when further off */
    assert_true(near(sv__latency_rate(1.01, 0.0, 2.0), 1.01));    /* on through the target */
    assert_true(near(sv__latency_rate(1.01, -0.02, 2.0), 1.01));
    assert_true(near(sv__latency_rate(1.01, -0.031, 2.0), 1.0));  /* 30 ms past: done */
    assert_true(near(sv__latency_rate(0.99, 0.031, 2.0), 1.0));
    assert_true(near(sv__latency_rate(1.0, 3.0, 2.0), 1.05));     /* far behind: the most */
    assert_true(near(sv__latency_rate(1.0, -3.0, 2.0), 0.95));
    assert_true(near(sv__latency_rate(1.0, 0.5, 0.3), 1.0));      /* little buffered */
    assert_true(near(sv__latency_rate(1.0, -0.5, 0.3), 0.96));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(target_clamped),
        cmocka_unit_test(too_late),
        cmocka_unit_test(rate_swings_around_target),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
