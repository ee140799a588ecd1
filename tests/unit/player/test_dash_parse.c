/*
 * DASH MPD scenarios: multi-CDN BaseURLs with DVB priorities, SegmentTemplate
 * inheritance with a SegmentTimeline (r = -1) and $Number%05d$, SegmentList,
 * SegmentBase, two Periods back to back, a dynamic MPD's timing attributes,
 * init byte ranges without sourceURL, availabilityTimeOffset, and malformed
 * MPDs refused with a reason that names the element, attribute and value.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "player/manifest/dash.h"

static sv__dash_mpd *parse_ok(const char *text, const char *url)
{
    sv__dash_mpd *mpd = NULL;
    sv__parse_error err;
    int ret = sv__dash_parse(text, strlen(text), url, NULL, &mpd, &err);
    if (ret != 0)
        print_error("parse failed: line %d: %s\n", err.line, err.message);
    assert_int_equal(ret, 0);
    return mpd;
}

static int near(double a, double b)
{
    return a - b < 1e-6 && b - a < 1e-6;
}

static const char *vod_mpd =
    "<?xml version=\"1.0\"?>\n"
    "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" xmlns:dvb=\"urn:dvb:dash:dash-extensions:2014-1\"\n"
    "     xmlns:cenc=\"urn:mpeg:cenc:2013\" xmlns:dashif=\"https://dashif.org/CPS\"\n"
    "     type=\"static\" mediaPresentationDuration=\"PT1M0.5S\" minBufferTime=\"PT2S\">\n"
    "  <BaseURL serviceLocation=\"edge-a\" dvb:priority=\"1\" dvb:weight=\"2\">http://127.0.0.1:9001/media/t1/</BaseURL>\n"
    "  <BaseURL serviceLocation=\"edge-b\" dvb:priority=\"2\">http://127.0.0.1:9002/media/t1/</BaseURL>\n"
    "  <ContentSteering defaultServiceLocation=\"edge-a\">/api/v1/steering?t=t1</ContentSteering>\n"
    "  <Period id=\"p0\">\n"
    "    <AdaptationSet id=\"1\" contentType=\"video\" mimeType=\"video/mp4\">\n"
    "      <ContentProtection schemeIdUri=\"urn:mpeg:dash:mp4protection:2011\" value=\"cenc\"\n"
    "         cenc:default_KID=\"4060a865-8878-4267-9cbf-91ae5bae1e72\"/>\n"
    "      <ContentProtection schemeIdUri=\"urn:uuid:E2719D58-A985-B3C9-781A-B030AF78D30E\">\n"
    "        <dashif:laurl>http://127.0.0.1:8080/api/v1/license</dashif:laurl>\n"
    "      </ContentProtection>\n"
    "      <SegmentTemplate timescale=\"90000\" initialization=\"$RepresentationID$/init.mp4\"\n"
    "                       media=\"$RepresentationID$/seg_$Number%05d$.m4s\" startNumber=\"1\">\n"
    "        <SegmentTimeline><S t=\"0\" d=\"360000\" r=\"-1\"/></SegmentTimeline>\n"
    "      </SegmentTemplate>\n"
    "      <Representation id=\"v0\" bandwidth=\"300000\" width=\"426\" height=\"240\" codecs=\"avc1.4d4015\" frameRate=\"30000/1001\"/>\n"
    "      <Representation id=\"v4\" bandwidth=\"5000000\" width=\"1920\" height=\"1080\" codecs=\"avc1.640028\">\n"
    "        <BaseURL>hd/</BaseURL>\n"
    "      </Representation>\n"
    "    </AdaptationSet>\n"
    "    <AdaptationSet id=\"2\" mimeType=\"audio/mp4\" lang=\"en\">\n"
    "      <Label>English</Label>\n"
    "      <SegmentTemplate timescale=\"48000\" duration=\"192000\" media=\"a/$Time$.m4s\"\n"
    "                       initialization=\"a/init.mp4\" startNumber=\"0\"/>\n"
    "      <Representation id=\"a0\" bandwidth=\"128000\" codecs=\"mp4a.40.2\" audioSamplingRate=\"48000\"/>\n"
    "    </AdaptationSet>\n"
    "  </Period>\n"
    "</MPD>\n";

static void vod_template_timeline_and_cdns(void **state)
{
    sv__dash_mpd *mpd = parse_ok(vod_mpd, "http://127.0.0.1:8080/media/t1/manifest.mpd");
    sv__dash_seg *segs = NULL;
    sv__dash_range r;
    (void)state;

    assert_false(mpd->dynamic);
    assert_true(near(mpd->duration, 60.5));
    assert_true(near(mpd->min_buffer_time, 2));
    assert_string_equal(mpd->steering_uri, "http://127.0.0.1:8080/api/v1/steering?t=t1");
    assert_string_equal(mpd->steering_default_service_location, "edge-a");
    assert_int_equal(mpd->nb_periods, 1);
    const sv__dash_period *p = &mpd->periods[0];
    assert_true(near(p->start, 0) && near(p->duration, 60.5));
    assert_int_equal(p->nb_sets, 2);

    const sv__dash_adaptation *video = &p->sets[0];
    assert_int_equal(video->content, SV_DASH_VIDEO);
    assert_int_equal(video->nb_protections, 2);
    assert_string_equal(video->protections[0].default_kid, "4060a865-8878-4267-9cbf-91ae5bae1e72");
    assert_string_equal(video->protections[1].scheme_id_uri,
                        "urn:uuid:e2719d58-a985-b3c9-781a-b030af78d30e");
    assert_string_equal(video->protections[1].laurl, "http://127.0.0.1:8080/api/v1/license");

    const sv__dash_representation *v0 = &video->reps[0];
    assert_int_equal(v0->bandwidth, 300000);
    assert_true(v0->frame_rate > 29.97 && v0->frame_rate < 29.98);
    assert_int_equal(v0->nb_base_urls, 2);
    assert_string_equal(v0->base_urls[0].url, "http://127.0.0.1:9001/media/t1/");
    assert_string_equal(v0->base_urls[0].service_location, "edge-a");
    assert_int_equal(v0->base_urls[0].weight, 2);
    assert_int_equal(v0->base_urls[1].priority, 2);
    assert_string_equal(video->reps[1].base_urls[1].url, "http://127.0.0.1:9002/media/t1/hd/");

    /* 60.5 s of 4 s segments from r=-1: 16 segments, the last one short. */
    int n = sv__dash_expand(mpd->arena, v0, 1, p->duration, 0, 0, 1000, &segs);
    assert_int_equal(n, 16);
    assert_string_equal(segs[0].url, "http://127.0.0.1:9002/media/t1/v0/seg_00001.m4s");
    assert_string_equal(segs[15].url, "http://127.0.0.1:9002/media/t1/v0/seg_00016.m4s");
    assert_true(near(segs[15].start, 60));
    assert_int_equal(segs[15].time, 15 * 360000);
    assert_string_equal(sv__dash_init_url(mpd->arena, v0, 0, &r),
                        "http://127.0.0.1:9001/media/t1/v0/init.mp4");

    /* A window: only the segments overlapping [10, 20). */
    n = sv__dash_expand(mpd->arena, v0, 0, p->duration, 10, 20, 1000, &segs);
    assert_int_equal(n, 3);
    assert_int_equal(segs[0].number, 3);

    /* Audio: @duration numbering with $Time$, startNumber 0. */
    const sv__dash_representation *a0 = &p->sets[1].reps[0];
    assert_int_equal(p->sets[1].content, SV_DASH_AUDIO);
    assert_string_equal(p->sets[1].lang, "en");
    assert_string_equal(p->sets[1].label, "English");
    n = sv__dash_expand(mpd->arena, a0, 0, p->duration, 0, 0, 1000, &segs);
    assert_int_equal(n, 16);
    assert_string_equal(segs[1].url, "http://127.0.0.1:9001/media/t1/a/192000.m4s");
    assert_int_equal(segs[1].number, 1);
    assert_true(near(segs[15].duration, 0.5));
    sv__dash_mpd_free(mpd);
}

static void list_base_and_two_periods(void **state)
{
    const char *text =
        "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" type=\"static\" mediaPresentationDuration=\"PT20S\">"
        "<Period id=\"ad\" duration=\"PT8S\"><AdaptationSet mimeType=\"video/mp4\">"
        "  <Representation id=\"v\" bandwidth=\"1000\"><BaseURL>ad/video.mp4</BaseURL>"
        "    <SegmentList timescale=\"1000\" duration=\"4000\">"
        "      <Initialization sourceURL=\"video.mp4\" range=\"0-799\"/>"
        "      <SegmentURL mediaRange=\"800-1999\"/><SegmentURL mediaRange=\"2000-2999\"/>"
        "    </SegmentList></Representation></AdaptationSet></Period>"
        "<Period id=\"main\"><AdaptationSet mimeType=\"video/mp4\">"
        "  <Representation id=\"v\" bandwidth=\"2000\"><BaseURL>main.mp4</BaseURL>"
        "    <SegmentBase indexRange=\"900-1099\"><Initialization range=\"0-899\"/></SegmentBase>"
        "  </Representation></AdaptationSet></Period></MPD>";
    sv__dash_mpd *mpd = parse_ok(text, "http://h/x/manifest.mpd");
    sv__dash_seg *segs = NULL;
    sv__dash_range r;
    (void)state;

    assert_int_equal(mpd->nb_periods, 2);
    assert_true(near(mpd->periods[1].start, 8));
    assert_true(near(mpd->periods[1].duration, 12));
    const sv__dash_representation *ad = &mpd->periods[0].sets[0].reps[0];
    assert_int_equal(ad->seg.kind, SV_DASH_ADDR_LIST);
    int n = sv__dash_expand(mpd->arena, ad, 0, 8, 0, 0, 100, &segs);
    assert_int_equal(n, 2);
    assert_string_equal(segs[1].url, "http://h/x/ad/video.mp4");
    assert_int_equal(segs[1].range.offset, 2000);
    assert_int_equal(segs[1].range.length, 1000);
    assert_string_equal(sv__dash_init_url(mpd->arena, ad, 0, &r), "http://h/x/ad/video.mp4");
    assert_int_equal(r.length, 800);

    const sv__dash_representation *main_rep = &mpd->periods[1].sets[0].reps[0];
    assert_int_equal(main_rep->seg.kind, SV_DASH_ADDR_BASE);
    assert_int_equal(main_rep->seg.index_range.offset, 900);
    assert_int_equal(main_rep->seg.index_range.length, 200);
    assert_int_equal(sv__dash_expand(mpd->arena, main_rep, 0, 12, 0, 0, 100, &segs), SV_ERR_STATE);
    assert_string_equal(sv__dash_init_url(mpd->arena, main_rep, 0, &r), "http://h/x/main.mp4");
    assert_int_equal(r.length, 900);
    sv__dash_mpd_free(mpd);
}

/* An AdaptationSet or Representation with an EssentialProperty of a scheme
 * the player does not know is left out, as ISO/IEC 23009-1 asks; a
 * trick-mode set (svserver's, Shaka Packager's: key frames only) is a scheme
 * it knows: parsed, with its property, for the model to keep out of normal
 * playback (test_model_dash); the main set stays whole. */
static void unknown_essential_properties_are_dropped(void **state)
{
    const char *text =
        "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" type=\"static\" mediaPresentationDuration=\"PT8S\">"
        "<Period><AdaptationSet id=\"0\" contentType=\"video\" mimeType=\"video/mp4\">"
        "  <Representation id=\"240p\" bandwidth=\"300000\">"
        "    <SegmentTemplate media=\"v/seg-$Number$.m4s\" duration=\"4\"/></Representation>"
        "  <Representation id=\"odd\" bandwidth=\"1\">"
        "    <EssentialProperty schemeIdUri=\"urn:example:unknown\"/>"
        "    <SegmentTemplate media=\"o/seg-$Number$.m4s\" duration=\"4\"/></Representation>"
        "</AdaptationSet>"
        "<AdaptationSet id=\"2\" contentType=\"video\" mimeType=\"video/mp4\" codingDependency=\"false\">"
        "  <EssentialProperty schemeIdUri=\"http://dashif.org/guidelines/trickmode\" value=\"0\"/>"
        "  <Representation id=\"240p-trick\" bandwidth=\"20000\">"
        "    <SegmentList timescale=\"1000\" duration=\"4000\">"
        "      <Initialization sourceURL=\"v/init.mp4\"/>"
        "      <SegmentURL media=\"v/seg-1.m4s\" mediaRange=\"0-99\"/>"
        "      <SegmentURL media=\"v/seg-2.m4s\" mediaRange=\"0-99\"/>"
        "    </SegmentList></Representation></AdaptationSet>"
        "<AdaptationSet id=\"1\" contentType=\"audio\" mimeType=\"audio/mp4\">"
        "  <Representation id=\"a\" bandwidth=\"128000\">"
        "    <SegmentTemplate media=\"a/seg-$Number$.m4s\" duration=\"4\"/></Representation>"
        "</AdaptationSet></Period></MPD>";
    sv__dash_mpd *mpd = parse_ok(text, "http://h/t/manifest.mpd");
    (void)state;

    const sv__dash_period *p = &mpd->periods[0];
    assert_int_equal(p->nb_sets, 3);
    assert_int_equal(p->sets[0].id, 0);
    assert_int_equal(p->sets[0].nb_reps, 1);
    assert_string_equal(p->sets[0].reps[0].id, "240p");
    assert_int_equal(p->sets[1].id, 2);
    assert_int_equal(p->sets[1].nb_essentials, 1);
    assert_string_equal(p->sets[1].essentials[0].scheme_id_uri,
                        "http://dashif.org/guidelines/trickmode");
    assert_int_equal(p->sets[2].id, 1);
    assert_int_equal(p->sets[2].content, SV_DASH_AUDIO);
    sv__dash_mpd_free(mpd);
}

static void dynamic_mpd_timing(void **state)
{
    const char *text =
        "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" type=\"dynamic\""
        " availabilityStartTime=\"2026-11-20T10:00:00Z\" publishTime=\"2026-11-20T10:05:00+01:00\""
        " minimumUpdatePeriod=\"PT2S\" timeShiftBufferDepth=\"PT30S\" suggestedPresentationDelay=\"PT6S\">"
        "<UTCTiming schemeIdUri=\"urn:mpeg:dash:utc:http-iso:2014\" value=\"http://127.0.0.1/time\"/>"
        "<Period start=\"PT0S\"><AdaptationSet mimeType=\"video/mp4\">"
        "<SegmentTemplate timescale=\"1\" duration=\"2\" media=\"s$Number$.m4s\" startNumber=\"1\"/>"
        "<Representation id=\"v\" bandwidth=\"1\"/></AdaptationSet></Period></MPD>";
    sv__dash_mpd *mpd = parse_ok(text, "http://h/live/manifest.mpd");
    sv__dash_seg *segs = NULL;
    (void)state;

    assert_true(mpd->dynamic);
    assert_true(near(mpd->availability_start_time, 1795168800.0));
    assert_true(near(mpd->publish_time, 1795168800.0 + 300 - 3600));
    assert_true(near(mpd->min_update_period, 2));
    assert_true(near(mpd->time_shift_buffer_depth, 30));
    assert_true(near(mpd->suggested_presentation_delay, 6));
    assert_string_equal(mpd->utc_timing_scheme, "urn:mpeg:dash:utc:http-iso:2014");
    assert_true(mpd->periods[0].duration < 0);
    /* A live window [100, 110): segments 51..55. */
    int n = sv__dash_expand(mpd->arena, &mpd->periods[0].sets[0].reps[0], 0, -1, 100, 110, 100,
                            &segs);
    assert_int_equal(n, 5);
    assert_int_equal(segs[0].number, 51);
    assert_string_equal(segs[4].url, "http://h/live/s55.m4s");
    sv__dash_mpd_free(mpd);
}

static void templates_and_times(void **state)
{
    sv__arena *a = sv__arena_create(NULL);
    (void)state;
    assert_string_equal(sv__dash_fill_template(a, "$RepresentationID$_$Number%03d$_$Bandwidth$_$Time$$$.m4s",
                                               "v1", 7, 300000, 1234),
                        "v1_007_300000_1234$.m4s");
    assert_null(sv__dash_fill_template(a, "$Unknown$", "v", 1, 1, 1));
    assert_null(sv__dash_fill_template(a, "seg_$Number", "v", 1, 1, 1));
    assert_null(sv__dash_fill_template(a, "$Number%5d$", "v", 1, 1, 1));
    assert_true(near(sv__dash_parse_duration("PT1H2M3.5S"), 3723.5));
    assert_true(near(sv__dash_parse_duration("P1DT1S"), 86401));
    assert_true(near(sv__dash_parse_duration("PT0S"), 0));
    assert_true(sv__dash_parse_duration("1H") < 0);
    assert_true(sv__dash_parse_duration("PT") < 0);
    assert_true(sv__dash_parse_duration("PT-5S") < 0);
    assert_true(sv__dash_parse_duration("P5H") < 0);
    assert_true(near(sv__dash_parse_datetime("1970-01-01T00:00:00Z"), 0));
    assert_true(near(sv__dash_parse_datetime("2000-03-01T00:00:00.5Z"), 951868800.5));
    assert_true(sv__dash_parse_datetime("2000-13-01T00:00:00Z") < 0);
    assert_true(sv__dash_parse_datetime("yesterday") < 0);
    sv__arena_destroy(a);
}

/* ffmpeg -single_file: an Initialization with a range and no sourceURL is
 * that range of the BaseURL, in a SegmentList as in a SegmentBase; a
 * SegmentBase with only an indexRange has its init before the index. */
static void init_ranges_without_source_url(void **state)
{
    const char *text =
        "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" type=\"static\" mediaPresentationDuration=\"PT4S\">"
        "<Period><AdaptationSet mimeType=\"video/mp4\">"
        "  <Representation id=\"0\" bandwidth=\"1000\"><BaseURL>out-stream0.mp4</BaseURL>"
        "    <SegmentList timescale=\"1000000\" duration=\"2000000\" startNumber=\"1\">"
        "      <Initialization range=\"0-815\"/>"
        "      <SegmentURL mediaRange=\"816-61812\" indexRange=\"816-867\"/>"
        "      <SegmentURL mediaRange=\"61813-131290\"/>"
        "    </SegmentList></Representation>"
        "  <Representation id=\"1\" bandwidth=\"2000\"><BaseURL>b.mp4</BaseURL>"
        "    <SegmentBase indexRange=\"838-949\"/></Representation>"
        "  <Representation id=\"2\" bandwidth=\"3000\"><BaseURL>c.mp4</BaseURL></Representation>"
        "</AdaptationSet></Period></MPD>";
    sv__dash_mpd *mpd = parse_ok(text, "http://h/sf/out.mpd");
    const sv__dash_adaptation *as = &mpd->periods[0].sets[0];
    sv__dash_seg *segs = NULL;
    sv__dash_range r;
    (void)state;

    assert_string_equal(sv__dash_init_url(mpd->arena, &as->reps[0], 0, &r),
                        "http://h/sf/out-stream0.mp4");
    assert_int_equal(r.offset, 0);
    assert_int_equal(r.length, 816);
    assert_int_equal(sv__dash_expand(mpd->arena, &as->reps[0], 0, 4, 0, 0, 10, &segs), 2);
    assert_string_equal(segs[1].url, "http://h/sf/out-stream0.mp4");
    assert_int_equal(segs[1].range.offset, 61813);
    assert_int_equal(segs[1].range.length, 131290 - 61813 + 1);
    assert_string_equal(sv__dash_init_url(mpd->arena, &as->reps[1], 0, &r), "http://h/sf/b.mp4");
    assert_int_equal(r.offset, 0);
    assert_int_equal(r.length, 838);
    assert_null(sv__dash_init_url(mpd->arena, &as->reps[2], 0, &r));
    sv__dash_mpd_free(mpd);
}

/* availabilityTimeOffset: the segment information's plus the BaseURLs'
 * (summed down the levels), "INF", and availabilityTimeComplete false
 * (chunked); ServiceDescription's Latency@target, @max (no @min) and
 * maxSegmentDuration. */
static void availability_attributes(void **state)
{
    const char *text =
        "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" type=\"dynamic\""
        " availabilityStartTime=\"2026-11-20T10:00:00Z\" maxSegmentDuration=\"PT2.0S\">"
        "<ServiceDescription id=\"0\"><Latency target=\"3500\" max=\"6000\"/></ServiceDescription>"
        "<BaseURL availabilityTimeOffset=\"0.5\">http://cdn/live/</BaseURL>"
        "<Period start=\"PT0S\"><BaseURL availabilityTimeOffset=\"0.25\">p/</BaseURL>"
        "<AdaptationSet mimeType=\"video/mp4\">"
        "<SegmentTemplate timescale=\"1\" duration=\"2\" media=\"$Number$.m4s\" availabilityTimeOffset=\"1\"/>"
        "<Representation id=\"a\" bandwidth=\"1\"/>"
        "<Representation id=\"b\" bandwidth=\"1\">"
        "<SegmentTemplate timescale=\"1\" duration=\"2\" media=\"$Number$.m4s\""
        " availabilityTimeOffset=\"1.967\" availabilityTimeComplete=\"false\"/></Representation>"
        "<Representation id=\"c\" bandwidth=\"1\">"
        "<SegmentTemplate timescale=\"1\" duration=\"2\" media=\"$Number$.m4s\" availabilityTimeOffset=\"INF\"/>"
        "</Representation></AdaptationSet></Period></MPD>";
    sv__dash_mpd *mpd = parse_ok(text, "http://h/live.mpd");
    const sv__dash_adaptation *as = &mpd->periods[0].sets[0];
    (void)state;

    assert_true(near(mpd->target_latency, 3.5));
    assert_true(near(mpd->max_segment_duration, 2));
    assert_true(near(as->reps[0].base_urls[0].availability_time_offset, 0.75));
    assert_true(near(sv__dash_availability_offset(&as->reps[0], 0), 1.75));
    assert_true(near(sv__dash_availability_offset(&as->reps[1], 0), 1.967 + 0.75));
    assert_true(isinf(sv__dash_availability_offset(&as->reps[2], 0)));
    assert_int_equal(sv__dash_availability_complete(&as->reps[0], 0), 1);
    assert_int_equal(sv__dash_availability_complete(&as->reps[1], 0), 0);
    assert_true(near(mpd->max_latency, 6.0));
    assert_true(mpd->min_latency < 0);
    sv__dash_mpd_free(mpd);
}

/* Shaka Packager 3.4 (--low_latency_dash_mode) writes its
 * ServiceDescription in the Period: read there when the MPD has none. */
static void service_description_in_the_period(void **state)
{
    const char *text =
        "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" type=\"dynamic\""
        " availabilityStartTime=\"2026-11-20T10:00:00Z\"><Period id=\"0\" start=\"PT0S\">"
        "<ServiceDescription id=\"0\"><Latency target=\"1000\"/></ServiceDescription>"
        "<AdaptationSet mimeType=\"video/mp4\"><Representation id=\"0\" bandwidth=\"1\">"
        "<SegmentTemplate timescale=\"90000\" duration=\"180000\" media=\"v_$Number$.m4s\""
        " availabilityTimeOffset=\"1.966667\" availabilityTimeComplete=\"false\"/>"
        "</Representation></AdaptationSet></Period></MPD>";
    sv__dash_mpd *mpd = parse_ok(text, "http://h/live.mpd");
    (void)state;
    assert_true(near(mpd->target_latency, 1.0));
    assert_true(mpd->max_latency < 0);
    sv__dash_mpd_free(mpd);
}

static void expect_error(const char *text, const char *fragment)
{
    sv__dash_mpd *mpd = NULL;
    sv__parse_error err;
    assert_int_equal(sv__dash_parse(text, strlen(text), "http://h/m.mpd", NULL, &mpd, &err),
                     SV_ERR_PARSE);
    assert_null(mpd);
    if (!strstr(err.message, fragment))
        print_error("got '%s', want '%s'\n", err.message, fragment);
    assert_non_null(strstr(err.message, fragment));
}

static void malformed_mpds(void **state)
{
    (void)state;
    expect_error("<MPD><Period>", "XML");
    expect_error("<html/>", "not a DASH MPD");
    expect_error("<MPD type=\"static\" mediaPresentationDuration=\"PT1S\"/>", "without a Period");
    expect_error("<MPD type=\"dynamic\"><Period/></MPD>", "availabilityStartTime");
    expect_error("<MPD mediaPresentationDuration=\"soon\"><Period/></MPD>", "xs:duration");
    expect_error("<MPD mediaPresentationDuration=\"PT1S\"><Period><AdaptationSet>"
                 "<Representation bandwidth=\"1\"/></AdaptationSet></Period></MPD>", "without id");
    expect_error("<MPD mediaPresentationDuration=\"PT1S\"><Period><AdaptationSet>"
                 "<SegmentTemplate media=\"$Number$\"/><Representation id=\"a\" bandwidth=\"1\"/>"
                 "</AdaptationSet></Period></MPD>", "needs duration");
    expect_error("<MPD mediaPresentationDuration=\"PT1S\"><Period><AdaptationSet>"
                 "<SegmentTemplate media=\"x\" timescale=\"0\" duration=\"1\"/>"
                 "<Representation id=\"a\" bandwidth=\"1\"/></AdaptationSet></Period></MPD>",
                 "timescale");
    /* Errors name the element, the attribute and its value. */
    expect_error("<MPD mediaPresentationDuration=\"PT1S\"><Period><AdaptationSet>"
                 "<SegmentTemplate media=\"x\"><SegmentTimeline><S t=\"0\" d=\"0\"/>"
                 "</SegmentTimeline></SegmentTemplate><Representation id=\"a\" bandwidth=\"1\"/>"
                 "</AdaptationSet></Period></MPD>", "S@d \"0\" must be positive");
    expect_error("<MPD mediaPresentationDuration=\"PT1S\"><Period><AdaptationSet>"
                 "<Representation id=\"a\" bandwidth=\"1\"><BaseURL>f.mp4</BaseURL><SegmentList duration=\"1\">"
                 "<Initialization range=\"0-9\"/><SegmentURL mediaRange=\"50-20\"/></SegmentList>"
                 "</Representation></AdaptationSet></Period></MPD>",
                 "SegmentURL@mediaRange \"50-20\" is not a byte range");
    expect_error("<MPD mediaPresentationDuration=\"PT1S\"><Period><AdaptationSet>"
                 "<Representation id=\"a\" bandwidth=\"1\"><SegmentBase indexRange=\"10\"/>"
                 "</Representation></AdaptationSet></Period></MPD>",
                 "SegmentBase@indexRange \"10\"");
    expect_error("<MPD mediaPresentationDuration=\"PT1S\"><Period><AdaptationSet>"
                 "<SegmentTemplate media=\"x\" duration=\"1\" availabilityTimeOffset=\"soon\"/>"
                 "<Representation id=\"a\" bandwidth=\"1\"/></AdaptationSet></Period></MPD>",
                 "SegmentTemplate@availabilityTimeOffset \"soon\"");
    expect_error("<MPD mediaPresentationDuration=\"PT1S\"><Period><AdaptationSet>"
                 "<SegmentTemplate media=\"x\" duration=\"1\" startNumber=\"99999999999999999999\"/>"
                 "<Representation id=\"a\" bandwidth=\"1\"/></AdaptationSet></Period></MPD>",
                 "SegmentTemplate@startNumber \"99999999999999999999\" is out of the 64-bit range");
    expect_error("<MPD mediaPresentationDuration=\"PT1S\"><ServiceDescription><Latency target=\"-5\"/>"
                 "</ServiceDescription><Period/></MPD>", "Latency@target \"-5\"");
    expect_error("<MPD mediaPresentationDuration=\"PT9S\"><Period start=\"PT5S\"/>"
                 "<Period start=\"PT1S\"/></MPD>", "Period 2: start 1.000 s is before Period 1's");
    expect_error("<!DOCTYPE MPD [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                 "<MPD mediaPresentationDuration=\"PT1S\"><Period><AdaptationSet>"
                 "<Representation id=\"&x;\" bandwidth=\"1\"/></AdaptationSet></Period></MPD>",
                 "external entity");
}

/* Input over the size limit is refused with the limit named. */
static void oversized_mpd_names_the_limit(void **state)
{
    size_t n = (size_t)SV_DASH_MAX_BYTES + 1;
    char *text = malloc(n);
    sv__dash_mpd *mpd = NULL;
    sv__parse_error err;

    (void)state;
    assert_non_null(text);
    memset(text, ' ', n);
    assert_int_equal(sv__dash_parse(text, n, "http://h/m.mpd", NULL, &mpd, &err), SV_ERR_OVERFLOW);
    assert_non_null(strstr(err.message, "over the limit of 32 MiB"));
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(vod_template_timeline_and_cdns),
        cmocka_unit_test(list_base_and_two_periods),
        cmocka_unit_test(unknown_essential_properties_are_dropped),
        cmocka_unit_test(dynamic_mpd_timing),
        cmocka_unit_test(templates_and_times),
        cmocka_unit_test(init_ranges_without_source_url),
        cmocka_unit_test(availability_attributes),
        cmocka_unit_test(service_description_in_the_period),
        cmocka_unit_test(malformed_mpds),
        cmocka_unit_test(oversized_mpd_names_the_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
