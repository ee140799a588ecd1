/*
 * Subtitles written into a packaged title's manifests after the fact
 * (backend/media/subs_manifest.c): the segment duration read back from the
 * MPD's video timeline (exact frame rates, 29.97 fps, a title of one
 * segment, subtitles already there), the titles refused (a recorded live
 * event: several Periods, a timeline not from 0; not an MPD), and the master
 * and MPD rewrites: languages added, replaced and removed, the rest kept,
 * the rewrite idempotent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "backend/media/internal.h"
#include "streamverse/common.h"

/* An MPD as dash.c writes it: one video set of `timeline` (S elements) at
 * `timescale` and `fps`, `extra` after it inside the Period. */
static char *mpd(const char *timeline, int timescale, const char *fps, const char *extra)
{
    static char buf[4096];
    snprintf(buf, sizeof(buf),
             "<?xml version=\"1.0\"?>\n<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" "
             "type=\"static\"><Period id=\"0\" start=\"PT0S\"><AdaptationSet id=\"0\" "
             "contentType=\"video\"><Representation id=\"180p\" frameRate=\"%s\">"
             "<SegmentTemplate timescale=\"%d\" media=\"video/180p/seg-$Number$.m4s\">"
             "<SegmentTimeline>%s</SegmentTimeline></SegmentTemplate></Representation>"
             "</AdaptationSet>%s</Period></MPD>\n", fps, timescale, timeline, extra);
    return buf;
}

static void timing(const char *xml, double want_seg, double want_dur)
{
    double seg = 0, dur = 0;
    char err[256];
    assert_int_equal(sv__subs_mpd_timing(xml, strlen(xml), &seg, &dur, err, sizeof(err)), 0);
    assert_true(seg > want_seg - 1e-9 && seg < want_seg + 1e-9);
    assert_true(dur > want_dur - 1e-6 && dur < want_dur + 1e-6);
}

static void refused(const char *xml, const char *why)
{
    double seg = 0, dur = 0;
    char err[256] = "";
    assert_int_equal(sv__subs_mpd_timing(xml, strlen(xml), &seg, &dur, err, sizeof(err)),
                     SV_ERR_UNSUPPORTED);
    assert_non_null(strstr(err, why));
}

static void test_segment_duration(void **state)
{
    (void)state;
    /* 25 fps, 4 s: whole segments, a 2 s rest. */
    timing(mpd("<S t=\"0\" d=\"51200\" r=\"1\"/><S d=\"25600\"/>", 12800, "25", ""), 4, 10);
    /* 29.97 fps, 2.5 s (what svserver wrote): 75 frames each, the twelfth
     * boundary one frame earlier. */
    timing(mpd("<S t=\"0\" d=\"75075\" r=\"10\"/><S d=\"74074\"/>", 30000, "30000/1001", ""),
           2.5, (11 * 75075 + 74074) / 30000.0);
    /* 29.97 fps, 4 s: 120 frames (4.004 s) is 4 s of the setting. */
    timing(mpd("<S t=\"0\" d=\"120120\" r=\"2\"/><S d=\"30030\"/>", 30000, "30000/1001", ""),
           4, (3 * 120120 + 30030) / 30000.0);
    /* One segment: the subtitles are one segment too. */
    timing(mpd("<S t=\"0\" d=\"38400\"/>", 12800, "25", ""), 3, 3);
    /* Subtitles there already keep their cut. */
    timing(mpd("<S t=\"0\" d=\"51200\" r=\"1\"/>", 12800, "25",
               "<AdaptationSet contentType=\"text\"><Representation id=\"subs-en\">"
               "<SegmentTemplate timescale=\"1000\" duration=\"6000\"/></Representation>"
               "</AdaptationSet>"), 6, 8);
}

static void test_refused(void **state)
{
    (void)state;
    refused("not xml", "not an MPD");
    refused("<MPD><Period/><Period/></MPD>", "several Periods");
    refused(mpd("<S t=\"90000\" d=\"51200\"/>", 12800, "25", ""), "does not start at 0");
    refused(mpd("<S t=\"0\" d=\"51200\"/><S t=\"60000\" d=\"51200\"/>", 12800, "25", ""), "gaps");
    refused("<MPD><Period><AdaptationSet contentType=\"audio\"/></Period></MPD>",
            "no video AdaptationSet");
}

static const char master[] =
    "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n"
    "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio\",NAME=\"audio\",URI=\"audio/index.m3u8\"\n"
    "#EXT-X-STREAM-INF:BANDWIDTH=1,CODECS=\"avc1.42c00c,mp4a.40.2\",AUDIO=\"audio\"\n"
    "video/180p/index.m3u8\n"
    "#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1,URI=\"video/180p/iframes.m3u8\"\n";

static char *rewrite_master(const char *in, const char *const *langs, int n)
{
    sv__manifest_subs s[4];
    size_t len = 0;
    for (int i = 0; i < n; i++)
        snprintf(s[i].lang, sizeof(s[i].lang), "%s", langs[i]);
    char *out = sv__subs_master_rewrite(in, strlen(in), s, n, &len);
    assert_non_null(out);
    assert_int_equal(strlen(out), len);
    return out;
}

static void test_master(void **state)
{
    (void)state;
    static const char *const two[] = { "en", "pt-BR" };
    char *a = rewrite_master(master, two, 2);
    assert_non_null(strstr(a, "URI=\"audio/index.m3u8\"\n#EXT-X-MEDIA:TYPE=SUBTITLES,"
                              "GROUP-ID=\"subs\",NAME=\"en\",LANGUAGE=\"en\",DEFAULT=NO,"
                              "AUTOSELECT=YES,URI=\"subs/en/index.m3u8\"\n#EXT-X-MEDIA:TYPE="
                              "SUBTITLES,GROUP-ID=\"subs\",NAME=\"pt-BR\""));
    assert_non_null(strstr(a, "AUDIO=\"audio\",SUBTITLES=\"subs\"\nvideo/180p/index.m3u8\n"));
    /* The I-frame line names no group. */
    assert_non_null(strstr(a, "\n#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1,URI=\"video/180p/"
                              "iframes.m3u8\"\n"));
    /* Idempotent, and the languages replaced rather than added. */
    char *b = rewrite_master(a, two, 2);
    assert_string_equal(a, b);
    static const char *const one[] = { "fr" };
    char *c = rewrite_master(b, one, 1);
    assert_null(strstr(c, "\"en\""));
    assert_non_null(strstr(c, "NAME=\"fr\""));
    /* None: back to the master as it was. */
    char *d = rewrite_master(c, NULL, 0);
    assert_string_equal(d, master);
    free(a);
    free(b);
    free(c);
    free(d);
    size_t len;
    const char *media = "#EXTM3U\n#EXTINF:4,\nseg-1.m4s\n";
    assert_null(sv__subs_master_rewrite(media, strlen(media), NULL, 0, &len));
    assert_null(sv__subs_master_rewrite("hello", 5, NULL, 0, &len));
}

static void test_mpd(void **state)
{
    (void)state;
    sv__manifest_subs s[2] = { { "en", 0 }, { "fr", 0 } };
    const char *in = mpd("<S t=\"0\" d=\"51200\" r=\"1\"/>", 12800, "25",
                         "<AdaptationSet id=\"3\" contentType=\"image\"/>"
                         "<EventStream schemeIdUri=\"urn:scte:scte35:2013:bin\"/>");
    size_t len = 0, len2 = 0;
    char *a = sv__subs_mpd_rewrite(in, strlen(in), s, 2, 4, &len);
    assert_non_null(a);
    /* WebVTT sets first, then TTML, numbered after the highest id. */
    const char *v = strstr(a, "id=\"4\" contentType=\"text\" mimeType=\"text/vtt\" lang=\"en\"");
    const char *t = strstr(a, "id=\"6\" contentType=\"text\" mimeType=\"application/mp4\" "
                              "codecs=\"stpp.ttml.im1t\" lang=\"en\"");
    assert_non_null(v);
    assert_non_null(t);
    assert_true(v < t);
    assert_non_null(strstr(a, "<SegmentTemplate timescale=\"1000\" duration=\"4000\" "
                              "initialization=\"subs/fr/ttml-init.mp4\" "
                              "media=\"subs/fr/ttml-$Number$.m4s\" startNumber=\"1\"/>"));
    assert_non_null(strstr(a, "<EventStream"));
    /* Idempotent; one language left; none. */
    char *b = sv__subs_mpd_rewrite(a, len, s, 2, 4, &len2);
    assert_string_equal(a, b);
    free(b);
    b = sv__subs_mpd_rewrite(a, len, s + 1, 1, 4, &len2);
    assert_null(strstr(b, "lang=\"en\""));
    assert_non_null(strstr(b, "id=\"4\" contentType=\"text\" mimeType=\"text/vtt\" lang=\"fr\""));
    free(b);
    b = sv__subs_mpd_rewrite(a, len, s, 0, 4, &len2);
    assert_null(strstr(b, "contentType=\"text\""));
    assert_non_null(strstr(b, "contentType=\"image\""));
    free(b);
    free(a);
    assert_null(sv__subs_mpd_rewrite("<x/>", 4, s, 1, 4, &len));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_segment_duration),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_master),
        cmocka_unit_test(test_mpd),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
