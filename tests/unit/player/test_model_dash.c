/*
 * DASH into the presentation model: a VOD MPD with multi-CDN BaseURLs,
 * ContentProtection and a SegmentTimeline (r = -1) with $Number%05d$; a
 * dynamic MPD at a fixed clock (availability window, live start, refresh
 * that slides the window and adds a period); live segments that come with
 * the clock (@duration templates, availabilityTimeOffset, Periods), a live
 * start common to audio and video; SegmentList then SegmentBase
 * across two periods, the latter indexed by the sidx ffmpeg writes; and
 * MPDs refused with a reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "player/model/model.h"

/* Segment i of rep by value, and a pointer to such a copy that lives to the
 * end of the enclosing block (sv__rep_segment). */
#define SEG(rep, i) sv__rep_segment((rep), (size_t)(i))
#define SEGP(rep, i) (&(sv__segment[1]){ SEG(rep, i) }[0])

/* The URL of segment i of rep (sv__segment_url), in one of a few buffers
 * so an assertion can compare two. */
static const char *seg_url(const sv__rep *rep, size_t i)
{
    static char bufs[4][SV__URL_MAX];
    static unsigned next;
    const char *u = sv__segment_url(rep, SEGP(rep, i), bufs[next++ % 4], SV__URL_MAX);
    return u ? u : "(no URL)";
}

static int near(double a, double b)
{
    return a - b < 1e-6 && b - a < 1e-6;
}

static sv__presentation *create_ok(const char *text, const char *url, double now)
{
    sv__presentation *pres = NULL;
    sv__parse_error err;
    int ret = sv__model_create(SV__SOURCE_DASH, text, strlen(text), url, now, NULL, &pres, &err);
    if (ret != 0)
        print_error("create failed: %d: %s\n", ret, err.message);
    assert_int_equal(ret, 0);
    return pres;
}

/* Text and thumbnails first, video last, v4 before v0: the model reorders. */
static const char *vod_mpd =
    "<?xml version=\"1.0\"?>\n"
    "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" xmlns:dvb=\"urn:dvb:dash:dash-extensions:2014-1\"\n"
    "     xmlns:cenc=\"urn:mpeg:cenc:2013\" xmlns:dashif=\"https://dashif.org/CPS\"\n"
    "     type=\"static\" mediaPresentationDuration=\"PT1M0.5S\" minBufferTime=\"PT2S\">\n"
    "  <BaseURL serviceLocation=\"edge-a\" dvb:priority=\"1\" dvb:weight=\"2\">http://127.0.0.1:9001/media/t1/</BaseURL>\n"
    "  <BaseURL serviceLocation=\"edge-b\" dvb:priority=\"2\">http://127.0.0.1:9002/media/t1/</BaseURL>\n"
    "  <ContentSteering defaultServiceLocation=\"edge-a\">/api/v1/steering?t=t1</ContentSteering>\n"
    "  <Period id=\"p0\">\n"
    "    <AdaptationSet id=\"3\" contentType=\"text\" mimeType=\"text/vtt\" lang=\"de\">\n"
    "      <Representation id=\"sub-de\" bandwidth=\"256\"><BaseURL>subs/de.vtt</BaseURL></Representation>\n"
    "    </AdaptationSet>\n"
    "    <AdaptationSet id=\"4\" contentType=\"image\" mimeType=\"image/jpeg\">\n"
    "      <SegmentTemplate media=\"thumbs/$Number$.jpg\" duration=\"10\"/>\n"
    "      <Representation id=\"thumbs\" bandwidth=\"1000\"/>\n"
    "    </AdaptationSet>\n"
    "    <AdaptationSet id=\"2\" mimeType=\"audio/mp4\" lang=\"en\">\n"
    "      <Label>English</Label>\n"
    "      <SegmentTemplate timescale=\"48000\" duration=\"192000\" media=\"a/$Time$.m4s\"\n"
    "                       initialization=\"a/init.mp4\" startNumber=\"0\"/>\n"
    "      <Representation id=\"a0\" bandwidth=\"128000\" codecs=\"mp4a.40.2\" audioSamplingRate=\"48000\"/>\n"
    "    </AdaptationSet>\n"
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
    "      <Representation id=\"v4\" bandwidth=\"5000000\" width=\"1920\" height=\"1080\" codecs=\"avc1.640028\"/>\n"
    "      <Representation id=\"v0\" bandwidth=\"300000\" width=\"426\" height=\"240\" codecs=\"avc1.4d4015\" frameRate=\"30000/1001\"/>\n"
    "    </AdaptationSet>\n"
    "  </Period>\n"
    "</MPD>\n";

static void vod_template_protection_cdns(void **state)
{
    sv__presentation *pres = create_ok(vod_mpd, "http://127.0.0.1:8080/media/t1/manifest.mpd", 0);
    static const uint8_t kid[16] = { 0x40, 0x60, 0xa8, 0x65, 0x88, 0x78, 0x42, 0x67,
                                     0x9c, 0xbf, 0x91, 0xae, 0x5b, 0xae, 0x1e, 0x72 };
    (void)state;

    assert_int_equal(pres->kind, SV__SOURCE_DASH);
    assert_false(pres->live);
    assert_true(near(pres->duration, 60.5));
    assert_true(near(pres->refresh_s, 0));
    assert_string_equal(pres->steering_uri, "http://127.0.0.1:8080/api/v1/steering?t=t1");
    assert_int_equal(pres->nb_cdns, 2);
    assert_string_equal(pres->cdns[0].id, "edge-a");
    assert_string_equal(pres->cdns[0].base_url, "http://127.0.0.1:9001/");
    assert_int_equal(pres->cdns[0].priority, 1);
    assert_int_equal(pres->cdns[0].weight, 2);
    assert_string_equal(pres->cdns[1].id, "edge-b");
    assert_string_equal(pres->cdns[1].base_url, "http://127.0.0.1:9002/");
    assert_int_equal(pres->cdns[1].priority, 2);

    const sv__period *p = &pres->periods[0];
    assert_string_equal(p->id, "p0");
    assert_int_equal(p->nb_tracks, 3); /* no thumbnails */
    const sv__track *v = &p->tracks[0], *a = &p->tracks[1], *t = &p->tracks[2];
    assert_int_equal(v->type, SV_TRACK_VIDEO);
    assert_int_equal(a->type, SV_TRACK_AUDIO);
    assert_int_equal(t->type, SV_TRACK_TEXT);
    assert_true(v->index == 0 && a->index == 0 && t->index == 0);
    assert_true(v->encrypted && v->has_default_kid);
    assert_memory_equal(v->default_kid, kid, 16);
    assert_string_equal(v->license_url, "http://127.0.0.1:8080/api/v1/license");
    assert_false(a->encrypted);
    assert_string_equal(a->language, "en");
    assert_string_equal(a->label, "English");
    assert_string_equal(a->codecs, "mp4a.40.2");
    assert_string_equal(t->language, "de");

    assert_int_equal(v->nb_reps, 2);
    const sv__rep *v0 = &v->reps[0];
    assert_string_equal(v0->id, "v0");
    assert_int_equal(v0->index, 0);
    assert_string_equal(v->reps[1].id, "v4");
    assert_int_equal(v->reps[1].index, 1);
    assert_int_equal(v0->height, 240);
    assert_true(v0->frame_rate > 29.97 && v0->frame_rate < 29.98);
    assert_int_equal(v0->seg_state, SV__SEGS_READY);
    /* 60.5 s of 4 s segments from r=-1: 16 segments, the last 0.5 s. */
    assert_int_equal(v0->nb_segs, 16);
    assert_string_equal(seg_url(v0, 0), "http://127.0.0.1:9001/media/t1/v0/seg_00001.m4s");
    assert_string_equal(seg_url(v0, 15), "http://127.0.0.1:9001/media/t1/v0/seg_00016.m4s");
    assert_int_equal(SEG(v0, 15).number, 16);
    assert_true(near(SEG(v0, 15).start, 60));
    assert_true(near(SEG(v0, 15).duration, 0.5));
    assert_int_equal(SEG(v0, 15).length, -1);
    assert_string_equal(SEG(v0, 0).init->url, "http://127.0.0.1:9001/media/t1/v0/init.mp4");
    assert_ptr_equal(SEG(v0, 7).init, SEG(v0, 0).init);
    assert_null(SEG(v0, 0).key);
    assert_int_equal(sv__model_find_segment(v0, 59.9995), 15);
    assert_int_equal(sv__model_find_segment(v0, 30), 7);
    assert_int_equal(sv__model_find_segment(v0, 60.5), -1);
    assert_int_equal(sv__model_find_number(v0, 16), 15);

    const sv__rep *a0 = &a->reps[0];
    assert_int_equal(a0->nb_segs, 16);
    assert_string_equal(seg_url(a0, 1), "http://127.0.0.1:9001/media/t1/a/192000.m4s");
    assert_int_equal(SEG(a0, 1).number, 1);
    assert_int_equal(a0->audio_sample_rate, 48000);
    /* A BaseURL-only text rep: one segment, the whole file. */
    assert_int_equal(t->reps[0].nb_segs, 1);
    assert_string_equal(seg_url(&t->reps[0], 0), "http://127.0.0.1:9001/media/t1/subs/de.vtt");
    assert_true(near(SEG(&t->reps[0], 0).duration, 60.5));
    sv__model_destroy(pres);
}

/* 2026-11-20T10:00:00Z */
#define AST 1795168800.0

static const char *live_mpd =
    "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" type=\"dynamic\""
    " availabilityStartTime=\"2026-11-20T10:00:00Z\" minimumUpdatePeriod=\"PT2S\""
    " timeShiftBufferDepth=\"PT30S\" minBufferTime=\"PT2S\">"
    "<Period id=\"live1\" start=\"PT0S\">"
    "<AdaptationSet mimeType=\"video/mp4\">"
    "<SegmentTemplate timescale=\"1000\" media=\"v/$Time$.m4s\" initialization=\"v/init.mp4\">"
    "<SegmentTimeline><S t=\"0\" d=\"4000\" r=\"-1\"/></SegmentTimeline></SegmentTemplate>"
    "<Representation id=\"v\" bandwidth=\"1000000\"/></AdaptationSet>"
    "<AdaptationSet mimeType=\"audio/mp4\">"
    "<SegmentTemplate timescale=\"48000\" duration=\"96000\" media=\"a/$Number%05d$.m4s\"/>"
    "<Representation id=\"a\" bandwidth=\"64000\"/></AdaptationSet>"
    "</Period></MPD>";

static void dynamic_window_and_refresh(void **state)
{
    sv__presentation *pres = create_ok(live_mpd, "http://127.0.0.1:8080/live/manifest.mpd",
                                       AST + 100.5);
    sv__parse_error err;
    (void)state;

    assert_true(pres->live);
    assert_true(near(pres->duration, 0));
    assert_true(near(pres->refresh_s, 2));
    assert_true(near(pres->availability_start_time, AST));
    assert_true(near(pres->time_shift_buffer_depth, 30));
    /* Now is 100.5 s: video segments that ended by then (less the 0.3 s
     * publishing margin) and end after 70.5 s: [68, 72) .. [96, 100),
     * numbers 18..25. */
    const sv__rep *v = &pres->periods[0].tracks[0].reps[0];
    assert_int_equal(v->nb_segs, 8);
    assert_int_equal(SEG(v, 0).number, 18);
    assert_true(near(SEG(v, 0).start, 68));
    assert_int_equal(SEG(v, 7).number, 25);
    assert_string_equal(seg_url(v, 7), "http://127.0.0.1:8080/live/v/96000.m4s");
    assert_string_equal(SEG(v, 7).init->url, "http://127.0.0.1:8080/live/v/init.mp4");
    /* Audio, 2 s by @duration: [70, 72) .. [98, 100), numbers 36..50. */
    const sv__rep *a = &pres->periods[0].tracks[1].reps[0];
    assert_int_equal(a->nb_segs, 15);
    assert_string_equal(seg_url(a, 0), "http://127.0.0.1:8080/live/a/00036.m4s");
    assert_string_equal(seg_url(a, 14), "http://127.0.0.1:8080/live/a/00050.m4s");
    /* No suggestedPresentationDelay: 3 x the longest segment (4 s) back. */
    assert_true(near(pres->live_start, 88.5));

    /* 8.2 s later the same MPD lists [76, 80) .. [104, 108). */
    assert_int_equal(sv__model_dash_refresh(pres, live_mpd, strlen(live_mpd), NULL, AST + 108.7,
                                            &err), 0);
    assert_int_equal(v->nb_segs, 8);
    assert_int_equal(SEG(v, 0).number, 20);
    assert_int_equal(SEG(v, 7).number, 27);
    assert_true(near(SEG(v, 7).start, 104));
    assert_true(near(pres->live_start, 96.7));

    /* The first period closes at 104 s and a second one opens. */
    const char *two =
        "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" type=\"dynamic\""
        " availabilityStartTime=\"2026-11-20T10:00:00Z\" minimumUpdatePeriod=\"PT4S\""
        " timeShiftBufferDepth=\"PT30S\" suggestedPresentationDelay=\"PT5S\">"
        "<Period id=\"live1\" start=\"PT0S\" duration=\"PT104S\">"
        "<AdaptationSet mimeType=\"video/mp4\">"
        "<SegmentTemplate timescale=\"1000\" media=\"v/$Time$.m4s\">"
        "<SegmentTimeline><S t=\"0\" d=\"4000\" r=\"-1\"/></SegmentTimeline></SegmentTemplate>"
        "<Representation id=\"v\" bandwidth=\"1000000\"/></AdaptationSet></Period>"
        "<Period id=\"live2\" start=\"PT104S\">"
        "<AdaptationSet mimeType=\"video/mp4\">"
        "<SegmentTemplate timescale=\"90000\" presentationTimeOffset=\"900000\" media=\"p2/$Number$.m4s\">"
        "<SegmentTimeline><S t=\"900000\" d=\"180000\" r=\"-1\"/></SegmentTimeline></SegmentTemplate>"
        "<Representation id=\"v\" bandwidth=\"1000000\"/></AdaptationSet></Period></MPD>";
    assert_int_equal(sv__model_dash_refresh(pres, two, strlen(two), NULL, AST + 120.5, &err), 0);
    assert_int_equal(pres->nb_periods, 2);
    assert_string_equal(pres->periods[0].id, "live1");
    assert_true(near(pres->periods[0].duration, 104));
    v = &pres->periods[0].tracks[0].reps[0];
    assert_int_equal(v->nb_segs, 4); /* [88, 92) .. [100, 104) */
    assert_true(near(SEG(v, 0).start, 88));
    assert_int_equal(SEG(v, 0).disc, 0);
    /* The audio set is gone from the MPD: its rep is empty, indexes kept. */
    assert_int_equal(pres->periods[0].nb_tracks, 2);
    assert_int_equal(pres->periods[0].tracks[1].reps[0].nb_segs, 0);
    const sv__period *p2 = &pres->periods[1];
    assert_string_equal(p2->id, "live2");
    assert_true(near(p2->start, 104));
    const sv__rep *v2 = &p2->tracks[0].reps[0];
    /* 16.5 s into the period: 2 s segments [104, 106) .. [118, 120). */
    assert_int_equal(v2->nb_segs, 8);
    assert_true(near(SEG(v2, 0).start, 104));
    assert_int_equal(SEG(v2, 0).disc, 1);
    assert_string_equal(seg_url(v2, 7), "http://127.0.0.1:8080/live/p2/8.m4s");
    assert_true(near(pres->refresh_s, 4));
    assert_true(near(pres->live_start, 115.5));

    /* A broken reload changes nothing. */
    assert_int_equal(sv__model_dash_refresh(pres, "<MPD", 4, NULL, AST + 130, &err), SV_ERR_PARSE);
    assert_int_equal(v2->nb_segs, 8);
    sv__model_destroy(pres);
}

/* A 10 ms timeline repeated from t=0 since 2020, 2e8 s ago: only the last
 * minute is listed (up to the 0.3 s publishing margin), without walking the
 * 2e10 segments before it. */
static void long_running_live_timeline(void **state)
{
    const char *text =
        "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" type=\"dynamic\""
        " availabilityStartTime=\"2020-01-01T00:00:00Z\" timeShiftBufferDepth=\"PT60S\">"
        "<Period id=\"p\" start=\"PT0S\"><AdaptationSet mimeType=\"audio/mp4\">"
        "<SegmentTemplate timescale=\"1000\" media=\"a/$Number$.m4s\">"
        "<SegmentTimeline><S t=\"0\" d=\"10\" r=\"-1\"/></SegmentTimeline></SegmentTemplate>"
        "<Representation id=\"a\" bandwidth=\"64000\"/></AdaptationSet></Period></MPD>";
    sv__presentation *pres = create_ok(text, "http://h/live.mpd", 1577836800.0 + 2e8);
    (void)state;

    const sv__rep *a = &pres->periods[0].tracks[0].reps[0];
    assert_int_equal(a->nb_segs, 5970);
    assert_int_equal(SEG(a, 0).number, INT64_C(19999994001));
    assert_true(SEG(a, 0).start > 2e8 - 60 - 1e-6 && SEG(a, 0).start < 2e8 - 60 + 1e-6);
    assert_int_equal(SEG(a, 5969).number, INT64_C(19999999970));
    assert_string_equal(seg_url(a, 5969), "http://h/a/19999999970.m4s");
    sv__model_destroy(pres);
}

/* A live SegmentTemplate with @duration (ffmpeg -use_timeline 0): the MPD
 * never changes, the segments come with the clock. */
static const char *number_mpd =
    "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" type=\"dynamic\""
    " availabilityStartTime=\"2026-11-20T10:00:00Z\" minimumUpdatePeriod=\"PT500S\""
    " timeShiftBufferDepth=\"PT10S\" suggestedPresentationDelay=\"PT2S\">"
    "<Period id=\"0\" start=\"PT0S\">"
    "<AdaptationSet contentType=\"video\" mimeType=\"video/mp4\">"
    "<SegmentTemplate timescale=\"1000000\" duration=\"2000000\" startNumber=\"1\""
    " initialization=\"init-$RepresentationID$.m4s\" media=\"c-$RepresentationID$-$Number%05d$.m4s\"@@/>"
    "<Representation id=\"0\" bandwidth=\"300000\"/></AdaptationSet>"
    "<AdaptationSet contentType=\"audio\" mimeType=\"audio/mp4\">"
    "<SegmentTemplate timescale=\"1000000\" duration=\"2000000\" startNumber=\"1\""
    " initialization=\"init-$RepresentationID$.m4s\" media=\"c-$RepresentationID$-$Number%05d$.m4s\"@@/>"
    "<Representation id=\"1\" bandwidth=\"64000\"/></AdaptationSet>"
    "</Period></MPD>";

/* number_mpd with `extra` attributes in place of each "@@". */
static sv__presentation *number_live(const char *extra, double now)
{
    char text[2048];
    size_t n = 0;
    for (const char *p = number_mpd; *p && n + strlen(extra) + 1 < sizeof(text);) {
        if (p[0] == '@' && p[1] == '@') {
            memcpy(text + n, extra, strlen(extra));
            n += strlen(extra);
            p += 2;
        } else {
            text[n++] = *p++;
        }
    }
    text[n] = '\0';
    return create_ok(text, "http://h/live/manifest.mpd", now);
}

static void live_number_template_by_time(void **state)
{
    sv__presentation *pres = number_live("", AST + 9.5);
    sv__parse_error err;
    (void)state;

    /* 9.5 s in: the segments that ended 0.3 s ago or earlier, [0, 8). */
    const sv__rep *v = &pres->periods[0].tracks[0].reps[0];
    assert_int_equal(v->nb_segs, 4);
    assert_int_equal(SEG(v, 3).number, 4);
    assert_false(v->complete);
    /* 2 s behind (suggestedPresentationDelay) is closer than a segment +
     * the margin + 0.5 s: 2.8 s behind, inside [0, 8) of both sets. */
    assert_true(near(pres->live_start, 6.7));
    /* The next one, [8, 10), becomes available at 10 s + the margin. */
    assert_true(near(sv__model_dash_next_available(pres, AST + 9.5, NULL), AST + 10.3));
    assert_int_equal(sv__model_dash_update(pres, AST + 10.29, &err), 0);
    assert_int_equal(v->nb_segs, 4);
    assert_int_equal(sv__model_dash_update(pres, AST + 10.3, &err), 0);
    assert_int_equal(v->nb_segs, 5);
    assert_string_equal(seg_url(v, 4), "http://h/live/c-0-00005.m4s");
    assert_string_equal(SEG(v, 4).init->url, "http://h/live/init-0.m4s");
    assert_true(near(sv__model_dash_next_available(pres, AST + 10.3, NULL), AST + 12.3));
    /* 10 s later: the time-shift buffer (10 s) holds [10, 12) .. [18, 20). */
    assert_int_equal(sv__model_dash_update(pres, AST + 20.3, &err), 0);
    const sv__rep *a = &pres->periods[0].tracks[1].reps[0];
    assert_int_equal(v->nb_segs, 5);
    assert_int_equal(SEG(v, 0).number, 6);
    assert_int_equal(a->nb_segs, 5);
    assert_int_equal(SEG(a, 4).number, 10);
    sv__model_destroy(pres);
}

/* availabilityTimeOffset lists segments earlier; with
 * availabilityTimeComplete="false" (ffmpeg -ldash 1 -streaming 1) too, and
 * the rep is read as it grows (chunked). */
static void live_availability_time_offset(void **state)
{
    sv__presentation *pres = number_live(" availabilityTimeOffset=\"1.5\"", AST + 9.5);
    (void)state;
    assert_int_equal(pres->periods[0].tracks[0].reps[0].nb_segs, 5);
    assert_true(near(sv__model_dash_next_available(pres, AST + 9.5, NULL), AST + 10.8));
    sv__model_destroy(pres);

    pres = number_live(" availabilityTimeOffset=\"1.8\" availabilityTimeComplete=\"false\"",
                       AST + 9.5);
    const sv__rep *v = &pres->periods[0].tracks[0].reps[0];
    assert_int_equal(v->nb_segs, 5);
    assert_true(v->chunked);
    /* [10, 12) gets its first chunk at 10.2 s: listed 0.3 s after. */
    assert_true(near(sv__model_dash_next_available(pres, AST + 9.5, NULL), AST + 10.5));
    /* What becomes available at once is 0.2 s, not a segment: the start
     * may lie 0.2 + 0.3 + 0.5 s behind now (suggestedPresentationDelay is
     * 2 s here, which wins). */
    assert_true(near(pres->live_start, 7.5));
    sv__model_destroy(pres);
}

/* A timeline MPD whose audio is published a segment after the video:
 * both sets start at one time, inside a segment each of them lists. */
static void live_start_common_to_audio_and_video(void **state)
{
    const char *text =
        "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" type=\"dynamic\""
        " availabilityStartTime=\"2026-11-20T10:00:00Z\" minimumUpdatePeriod=\"PT2S\""
        " timeShiftBufferDepth=\"PT10S\" suggestedPresentationDelay=\"PT2S\">"
        "<Period id=\"0\" start=\"PT0S\">"
        "<AdaptationSet contentType=\"video\" mimeType=\"video/mp4\">"
        "<SegmentTemplate timescale=\"15360\" media=\"v$Number$.m4s\">"
        "<SegmentTimeline><S t=\"0\" d=\"30720\" r=\"4\"/></SegmentTimeline></SegmentTemplate>"
        "<Representation id=\"0\" bandwidth=\"300000\"/></AdaptationSet>"
        "<AdaptationSet contentType=\"audio\" mimeType=\"audio/mp4\">"
        "<SegmentTemplate timescale=\"48000\" media=\"a$Number$.m4s\">"
        "<SegmentTimeline><S t=\"0\" d=\"95232\"/><S d=\"96256\" r=\"2\"/></SegmentTimeline>"
        "</SegmentTemplate>"
        "<Representation id=\"1\" bandwidth=\"64000\"/></AdaptationSet>"
        "</Period></MPD>";
    (void)state;

    /* 10.5 s in: video [0, 10), audio up to 7.999 s. 10.5 - 2.8 = 7.7 is
     * past the audio's last end less 0.5 s: 7.499. */
    sv__presentation *pres = create_ok(text, "http://h/live.mpd", AST + 10.5);
    const double audio_end = (95232.0 + 3 * 96256.0) / 48000;
    assert_true(near(pres->live_start, audio_end - 0.5));
    const sv__rep *v = &pres->periods[0].tracks[0].reps[0];
    const sv__rep *a = &pres->periods[0].tracks[1].reps[0];
    long vi = sv__model_find_segment(v, pres->live_start), ai = sv__model_find_segment(a, pres->live_start);
    assert_int_equal(vi, 3);
    assert_int_equal(ai, 3);
    /* A timeline grows with a reloaded MPD only: the audio's next segment,
     * [7.999, 10.004), was due 0.3 s after its end, before now. */
    int reload = 0;
    double next = sv__model_dash_next_available(pres, AST + 10.5, &reload);
    assert_true(reload);
    assert_true(near(next, AST + (95232.0 + 4 * 96256.0) / 48000 + 0.3));
    sv__model_destroy(pres);
}

/* Live Periods: the next one's segments come with the clock, and a period
 * whose end is available is complete. */
static void live_periods_by_time(void **state)
{
    const char *text =
        "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" type=\"dynamic\""
        " availabilityStartTime=\"2026-11-20T10:00:00Z\" minimumUpdatePeriod=\"PT500S\""
        " suggestedPresentationDelay=\"PT2S\">"
        "<Period id=\"a\" start=\"PT0S\" duration=\"PT6S\"><BaseURL>a/</BaseURL>"
        "<AdaptationSet mimeType=\"video/mp4\"><SegmentTemplate timescale=\"1\" duration=\"2\" media=\"$Number$.m4s\"/>"
        "<Representation id=\"v\" bandwidth=\"1\"/></AdaptationSet></Period>"
        "<Period id=\"b\" start=\"PT6S\" duration=\"PT6S\"><BaseURL>b/</BaseURL>"
        "<AdaptationSet mimeType=\"video/mp4\"><SegmentTemplate timescale=\"1\" duration=\"2\" media=\"$Number$.m4s\"/>"
        "<Representation id=\"v\" bandwidth=\"1\"/></AdaptationSet></Period></MPD>";
    sv__presentation *pres = create_ok(text, "http://h/live.mpd", AST + 5.5);
    sv__parse_error err;
    (void)state;

    const sv__rep *a = &pres->periods[0].tracks[0].reps[0];
    const sv__rep *b = &pres->periods[1].tracks[0].reps[0];
    assert_int_equal(a->nb_segs, 2);
    assert_false(a->complete);
    assert_int_equal(b->nb_segs, 0);
    assert_true(near(sv__model_dash_next_available(pres, AST + 5.5, NULL), AST + 6.3));
    assert_int_equal(sv__model_dash_update(pres, AST + 6.3, &err), 0);
    assert_int_equal(a->nb_segs, 3);
    assert_true(a->complete);
    assert_int_equal(b->nb_segs, 0);
    /* Period b's first segment, [6, 8). */
    assert_true(near(sv__model_dash_next_available(pres, AST + 6.3, NULL), AST + 8.3));
    assert_int_equal(sv__model_dash_update(pres, AST + 8.3, &err), 0);
    assert_int_equal(b->nb_segs, 1);
    assert_string_equal(seg_url(b, 0), "http://h/b/1.m4s");
    assert_int_equal(SEG(b, 0).disc, 1);
    assert_true(near(SEG(b, 0).start, 6));
    sv__model_destroy(pres);
}

/* ffmpeg -movflags +dash+global_sidx: the sidx at 775..850 (see test_sidx). */
static const uint8_t ffmpeg_sidx[76] = {
    0x00, 0x00, 0x00, 0x4c, 's', 'i', 'd', 'x', 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
    0x00, 0x00, 0x30, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x02, 0x3a, 0xb1, 0x00, 0x00,
    0x60, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x02, 0x7f, 0x7a, 0x00, 0x00, 0x60, 0x00, 0x80,
    0x00, 0x00, 0x00, 0x00, 0x02, 0x62, 0x1f, 0x00, 0x00, 0x60, 0x00, 0x80, 0x00, 0x00, 0x00,
};

static void list_then_segment_base(void **state)
{
    const char *text =
        "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" type=\"static\" mediaPresentationDuration=\"PT14S\">"
        "<Period id=\"ad\" duration=\"PT8S\"><AdaptationSet mimeType=\"video/mp4\">"
        "  <Representation id=\"v\" bandwidth=\"1000\"><BaseURL>ad/video.mp4</BaseURL>"
        "    <SegmentList timescale=\"1000\" duration=\"4000\">"
        "      <Initialization sourceURL=\"ad/init.mp4\"/>"
        "      <SegmentURL mediaRange=\"800-1999\"/><SegmentURL mediaRange=\"2000-2999\"/>"
        "    </SegmentList></Representation></AdaptationSet></Period>"
        "<Period id=\"main\"><AdaptationSet mimeType=\"video/mp4\">"
        "  <Representation id=\"v\" bandwidth=\"2000\"><BaseURL>main.mp4</BaseURL>"
        "    <SegmentBase indexRange=\"775-850\" timescale=\"12288\" presentationTimeOffset=\"6144\">"
        "      <Initialization range=\"0-774\"/></SegmentBase>"
        "  </Representation></AdaptationSet></Period></MPD>";
    sv__presentation *pres = create_ok(text, "http://127.0.0.1:8080/m/manifest.mpd", 0);
    static const int64_t off[] = { 851, 146948, 310654 };
    static const int64_t len[] = { 146097, 163706, 156191 };
    sv__parse_error err;
    (void)state;

    assert_int_equal(pres->nb_periods, 2);
    const sv__rep *ad = &pres->periods[0].tracks[0].reps[0];
    assert_int_equal(ad->nb_segs, 2);
    assert_string_equal(seg_url(ad, 1), "http://127.0.0.1:8080/m/ad/video.mp4");
    assert_int_equal(SEG(ad, 1).offset, 2000);
    assert_int_equal(SEG(ad, 1).length, 1000);
    assert_true(near(SEG(ad, 1).start, 4));
    assert_string_equal(SEG(ad, 0).init->url, "http://127.0.0.1:8080/m/ad/ad/init.mp4");

    sv__rep *main_rep = &pres->periods[1].tracks[0].reps[0];
    assert_true(near(pres->periods[1].start, 8));
    assert_int_equal(main_rep->seg_state, SV__SEGS_NEED_INDEX);
    assert_int_equal(sv__model_find_segment(main_rep, 9), -1);
    assert_string_equal(main_rep->index_range.url, "http://127.0.0.1:8080/m/main.mp4");
    assert_int_equal(main_rep->index_range.offset, 775);
    assert_int_equal(main_rep->index_range.length, 76);
    assert_string_equal(main_rep->init_res.url, "http://127.0.0.1:8080/m/main.mp4");
    assert_int_equal(main_rep->init_res.offset, 0);
    assert_int_equal(main_rep->init_res.length, 775);

    /* Truncated index bytes: refused, still waiting for the index. */
    assert_int_equal(sv__model_dash_sidx(pres, main_rep, ffmpeg_sidx, 40, &err), SV_ERR_PARSE);
    assert_int_equal(main_rep->seg_state, SV__SEGS_NEED_INDEX);

    assert_int_equal(sv__model_dash_sidx(pres, main_rep, ffmpeg_sidx, sizeof(ffmpeg_sidx), &err), 0);
    assert_int_equal(main_rep->seg_state, SV__SEGS_READY);
    assert_int_equal(main_rep->nb_segs, 3);
    for (size_t i = 0; i < 3; i++) {
        const sv__segment *s = SEGP(main_rep, i);
        assert_string_equal(seg_url(main_rep, i), "http://127.0.0.1:8080/m/main.mp4");
        assert_int_equal(s->offset, off[i]);
        assert_int_equal(s->length, len[i]);
        /* 8 s period start, minus 0.5 s of presentationTimeOffset. */
        assert_true(near(s->start, 7.5 + 2.0 * (double)i));
        assert_true(near(s->duration, 2));
        assert_int_equal(s->number, 1 + (int64_t)i);
        assert_int_equal(s->disc, 1);
        assert_int_equal(s->init->offset, 0);
        assert_int_equal(s->init->length, 775);
    }
    assert_int_equal(sv__model_find_segment(main_rep, 10), 1);
    sv__model_destroy(pres);
}

/* A trick-mode set (Shaka Packager's trick_play_factor writes one), even
 * listed first, is never played as the video: one video track remains. */
static void trick_mode_set_left_out(void **state)
{
    static const char mpd[] =
        "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" type=\"static\" mediaPresentationDuration=\"PT12S\">"
        "<Period id=\"0\">"
        "<AdaptationSet id=\"1\" contentType=\"video\">"
        "<EssentialProperty schemeIdUri=\"http://dashif.org/guidelines/trickmode\" value=\"0\"/>"
        "<Representation id=\"trick\" bandwidth=\"45000\" codecs=\"avc1.42c00d\" mimeType=\"video/mp4\""
        " maxPlayoutRate=\"50\" codingDependency=\"false\">"
        "<SegmentTemplate timescale=\"1000\" duration=\"2000\" media=\"t/$Number$.m4s\" initialization=\"t/init.mp4\"/>"
        "</Representation></AdaptationSet>"
        "<AdaptationSet id=\"0\" contentType=\"video\">"
        "<Representation id=\"main\" bandwidth=\"800000\" codecs=\"avc1.42c00d\" mimeType=\"video/mp4\">"
        "<SegmentTemplate timescale=\"1000\" duration=\"2000\" media=\"v/$Number$.m4s\" initialization=\"v/init.mp4\"/>"
        "</Representation></AdaptationSet></Period></MPD>";
    sv__presentation *pres = create_ok(mpd, "http://h/m.mpd", 0);
    (void)state;
    size_t video = 0;
    for (size_t i = 0; i < pres->periods[0].nb_tracks; i++)
        if (pres->periods[0].tracks[i].type == SV_TRACK_VIDEO) {
            video++;
            assert_string_equal(pres->periods[0].tracks[i].reps[0].id, "main");
        }
    assert_int_equal(video, 1);
    /* (Issue 18) It is the period's trick track instead, listed like video. */
    const sv__track *t = pres->periods[0].trick;
    assert_non_null(t);
    assert_int_equal(t->nb_reps, 1);
    assert_string_equal(t->reps[0].id, "trick");
    assert_int_equal(t->reps[0].bandwidth, 45000);
    assert_int_equal(t->reps[0].seg_state, SV__SEGS_READY);
    assert_int_equal(t->reps[0].nb_segs, 6);
    assert_true(sv__rep_segment(&t->reps[0], 5).start > 9.999);
    char url[SV__URL_MAX];
    sv__segment seg = sv__rep_segment(&t->reps[0], 1);
    assert_string_equal(sv__segment_url(&t->reps[0], &seg, url, sizeof(url)), "http://h/t/2.m4s");
    assert_string_equal(seg.init->url, "http://h/t/init.mp4");
    sv__model_destroy(pres);
}

/* svserver's trick-mode set (backend/media/dash.c): a SegmentList of the
 * key frames' byte ranges at the start of each segment, timed by a
 * SegmentTimeline, after the audio set. */
static void svserver_trick_set(void **state)
{
    static const char mpd[] =
        "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" type=\"static\" mediaPresentationDuration=\"PT6.000S\">"
        "<Period id=\"0\" start=\"PT0S\">"
        "<AdaptationSet id=\"0\" contentType=\"video\" mimeType=\"video/mp4\">"
        "<Representation id=\"240p\" bandwidth=\"347136\" codecs=\"avc1.64000d\" width=\"320\" height=\"240\">"
        "<SegmentTemplate timescale=\"12800\" initialization=\"video/240p/init.mp4\" "
        "media=\"video/240p/seg-$Number$.m4s\" startNumber=\"1\"><SegmentTimeline>"
        "<S t=\"0\" d=\"25600\" r=\"2\"/></SegmentTimeline></SegmentTemplate></Representation>"
        "</AdaptationSet>"
        "<AdaptationSet id=\"2\" contentType=\"video\" mimeType=\"video/mp4\" maxPlayoutRate=\"50\" "
        "codingDependency=\"false\">"
        "<EssentialProperty schemeIdUri=\"http://dashif.org/guidelines/trickmode\" value=\"0\"/>"
        "<Representation id=\"240p-trick\" bandwidth=\"30124\" codecs=\"avc1.64000d\" width=\"320\" "
        "height=\"240\" frameRate=\"1/2\"><SegmentList timescale=\"12800\">"
        "<Initialization sourceURL=\"video/240p/init.mp4\"/>"
        "<SegmentTimeline><S t=\"0\" d=\"25600\" r=\"2\"/></SegmentTimeline>"
        "<SegmentURL media=\"video/240p/seg-1.m4s\" mediaRange=\"0-7530\"/>"
        "<SegmentURL media=\"video/240p/seg-2.m4s\" mediaRange=\"0-6548\"/>"
        "<SegmentURL media=\"video/240p/seg-3.m4s\" mediaRange=\"0-6021\"/>"
        "</SegmentList></Representation></AdaptationSet></Period></MPD>";
    sv__presentation *pres = create_ok(mpd, "http://h/m.mpd", 0);
    (void)state;
    const sv__track *t = pres->periods[0].trick;
    assert_non_null(t);
    assert_int_equal(t->nb_reps, 1);
    const sv__rep *r = &t->reps[0];
    assert_int_equal(r->seg_state, SV__SEGS_READY);
    assert_int_equal(r->nb_segs, 3);
    sv__segment seg = sv__rep_segment(r, 2);
    char url[SV__URL_MAX];
    assert_string_equal(sv__segment_url(r, &seg, url, sizeof(url)), "http://h/video/240p/seg-3.m4s");
    assert_int_equal(seg.offset, 0);
    assert_int_equal(seg.length, 6022);
    assert_true(seg.start > 3.999 && seg.start < 4.001);
    sv__model_destroy(pres);
}

static void refusals(void **state)
{
    sv__presentation *pres = NULL;
    sv__parse_error err;
    const char *thumbs_only =
        "<MPD type=\"static\" mediaPresentationDuration=\"PT10S\"><Period>"
        "<AdaptationSet contentType=\"image\" mimeType=\"image/jpeg\">"
        "<SegmentTemplate media=\"t$Number$.jpg\" duration=\"10\"/>"
        "<Representation id=\"t\" bandwidth=\"1\"/></AdaptationSet></Period></MPD>";
    const char *bad_template =
        "<MPD type=\"static\" mediaPresentationDuration=\"PT10S\"><Period><AdaptationSet mimeType=\"video/mp4\">"
        "<SegmentTemplate media=\"s$Nmbr$.m4s\" duration=\"2\"/>"
        "<Representation id=\"v\" bandwidth=\"1\"/></AdaptationSet></Period></MPD>";
    (void)state;

    assert_int_equal(sv__model_create(SV__SOURCE_DASH, thumbs_only, strlen(thumbs_only),
                                      "http://h/m.mpd", 0, NULL, &pres, &err), SV_ERR_UNSUPPORTED);
    assert_null(pres);
    assert_non_null(strstr(err.message, "AdaptationSet"));
    assert_int_equal(sv__model_create(SV__SOURCE_DASH, bad_template, strlen(bad_template),
                                      "http://h/m.mpd", 0, NULL, &pres, &err), SV_ERR_PARSE);
    assert_non_null(strstr(err.message, "Representation v"));
    assert_int_equal(sv__model_create(SV__SOURCE_DASH, "<html/>", 7, "http://h/m.mpd", 0, NULL,
                                      &pres, &err), SV_ERR_PARSE);
    assert_non_null(strstr(err.message, "not a DASH MPD"));
    assert_int_equal(sv__model_create(SV__SOURCE_DASH, NULL, 0, "http://h/m.mpd", 0, NULL, &pres,
                                      &err), SV_ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(vod_template_protection_cdns),
        cmocka_unit_test(dynamic_window_and_refresh),
        cmocka_unit_test(long_running_live_timeline),
        cmocka_unit_test(live_number_template_by_time),
        cmocka_unit_test(live_availability_time_offset),
        cmocka_unit_test(live_start_common_to_audio_and_video),
        cmocka_unit_test(live_periods_by_time),
        cmocka_unit_test(list_then_segment_base),
        cmocka_unit_test(trick_mode_set_left_out),
        cmocka_unit_test(svserver_trick_set),
        cmocka_unit_test(refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
