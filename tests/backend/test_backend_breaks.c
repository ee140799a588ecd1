/*
 * Ad breaks into manifests (backend/breaks_manifest.c): the SCTE-35
 * splice_insert a break becomes, read back by the player's own reader
 * (event id, out of network, splice time, duration, CRC); the HLS rewrite
 * (tags before the first segment, a program date only when the playlist
 * has none, its own dates used when it has, idempotent, and gone again
 * with no breaks, byte for byte); the DASH rewrite (an EventStream before
 * the first AdaptationSet, other EventStreams kept, replaced not added).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "backend/breaks.h"
#include "player/manifest/scte35.h"

static const sv__ad_break breaks[2] = {
    { .id = 7, .title_id = 3, .at_s = 3.2, .duration_s = 2.0, .cls = "com.streamverse.ad-break" },
    { .id = 9, .title_id = 3, .at_s = 61.75, .duration_s = 30.0, .cls = "com.example.slot" },
};

static void scte35_reads_back(void **state)
{
    (void)state;
    uint8_t sec[64];
    size_t n = sv__break_scte35(&breaks[1], sec, sizeof(sec));
    sv_scte35_info info;
    sv__parse_error err = { 0 };
    assert_int_equal(n, 40); /* 14 + splice_insert 20 + descriptor loop 2 + CRC 4 */
    int r = sv__scte35_parse(sec, n, &info, &err);
    if (r)
        print_error("%s\n", err.message);
    assert_int_equal(r, 0);
    assert_int_equal(info.command, 5);
    assert_int_equal(info.event_id, 9);
    assert_int_equal(info.out_of_network, 1);
    assert_int_equal(info.cancel, 0);
    assert_true(info.pts_s > 61.7499 && info.pts_s < 61.7501);
    assert_true(info.duration_s > 29.9999 && info.duration_s < 30.0001);
    assert_int_equal(info.auto_return, 1);
    assert_int_equal(sv__break_scte35(&breaks[0], sec, 10), 0);
}

static const char *playlist =
    "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:2\n#EXT-X-PLAYLIST-TYPE:VOD\n"
    "#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:2.000,\nseg_0.m4s\n#EXTINF:2.000,\nseg_1.m4s\n"
    "#EXT-X-ENDLIST\n";

static void hls(void **state)
{
    (void)state;
    size_t n1 = 0, n2 = 0, n0 = 0;
    char *once = sv__breaks_hls(playlist, strlen(playlist), breaks, 2, "../ads/", &n1);
    assert_non_null(once);
    const char *map = strstr(once, "#EXT-X-MAP"), *pdt = strstr(once, "#EXT-X-PROGRAM-DATE-TIME:2000-01-01T00:00:00.000Z\n");
    const char *tag = strstr(once, "#EXT-X-DATERANGE:ID=\"sv-break-7\",CLASS=\"com.streamverse.ad-break\","
                                   "START-DATE=\"2000-01-01T00:00:03.200Z\",DURATION=2.000,"
                                   "PLANNED-DURATION=2.000,SCTE35-OUT=0xFC30");
    const char *tag2 = strstr(once, "ID=\"sv-break-9\",CLASS=\"com.example.slot\",START-DATE="
                                    "\"2000-01-01T00:01:01.750Z\"");
    const char *inf = strstr(once, "#EXTINF");
    assert_true(map && pdt && tag && tag2 && inf);
    assert_true(map < pdt && pdt < tag && tag < tag2 && tag2 < inf);
    /* Again: the same text (ours replaced, not added). */
    char *twice = sv__breaks_hls(once, n1, breaks, 2, "../ads/", &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(once, twice, n1);
    /* None: the packager's playlist, byte for byte. */
    char *none = sv__breaks_hls(twice, n2, breaks, 0, "../ads/", &n0);
    assert_int_equal(n0, strlen(playlist));
    assert_memory_equal(none, playlist, n0);
    free(once);
    free(twice);
    free(none);
    assert_null(sv__breaks_hls("#EXT-X-DATERANGE", 16, breaks, 1, "", &n0));
}

static void hls_with_own_dates(void **state)
{
    (void)state;
    static const char *live =
        "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-PROGRAM-DATE-TIME:2026-05-01T10:00:00.500+02:00\n"
        "#EXTINF:2.000,\nseg_0.m4s\n#EXT-X-ENDLIST\n";
    size_t n = 0;
    char *out = sv__breaks_hls(live, strlen(live), breaks, 1, "", &n);
    assert_non_null(out);
    assert_null(strstr(out, "2000-01-01"));
    assert_non_null(strstr(out, "START-DATE=\"2026-05-01T08:00:03.700Z\""));
    free(out);
}

static const char *mpd =
    "<?xml version=\"1.0\"?>\n"
    "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" type=\"static\" mediaPresentationDuration=\"PT10S\">"
    "<Period id=\"0\"><EventStream schemeIdUri=\"urn:example:other\"><Event id=\"1\"/></EventStream>"
    "<AdaptationSet contentType=\"video\"><Representation id=\"v\" bandwidth=\"1\"/></AdaptationSet>"
    "</Period></MPD>\n";

static int count(const char *s, const char *what)
{
    int n = 0;
    for (const char *p = s; (p = strstr(p, what)); p++)
        n++;
    return n;
}

static void dash(void **state)
{
    (void)state;
    size_t n1 = 0, n2 = 0, n0 = 0;
    char *once = sv__breaks_dash(mpd, strlen(mpd), breaks, 2, NULL, NULL, &n1);
    assert_non_null(once);
    const char *es = strstr(once, "<EventStream schemeIdUri=\"urn:scte:scte35:2013:bin\" "
                                  "value=\"streamverse-breaks\" timescale=\"90000\" "
                                  "contentEncoding=\"base64\">");
    const char *ev = strstr(once, "<Event presentationTime=\"5557500\" duration=\"2700000\" id=\"9\">/DA");
    const char *as = strstr(once, "<AdaptationSet");
    assert_true(es && ev && as && es < ev && ev < as);
    assert_int_equal(count(once, "urn:example:other"), 1);
    char *twice = sv__breaks_dash(once, n1, breaks, 2, NULL, NULL, &n2);
    assert_int_equal(count(twice, "streamverse-breaks"), 1);
    assert_int_equal(count(twice, "<Event "), 3);
    char *none = sv__breaks_dash(twice, n2, breaks, 0, NULL, NULL, &n0);
    assert_int_equal(count(none, "streamverse-breaks"), 0);
    assert_int_equal(count(none, "urn:example:other"), 1);
    free(once);
    free(twice);
    free(none);
    assert_null(sv__breaks_dash("<html/>", 7, breaks, 1, NULL, NULL, &n0));
}

/* A title of 10 s (video: a timeline of 2 s segments; audio: numbered by
 * @duration) and a 2 s asset: an interstitial at 4 s splits the title into
 * two Periods around the asset's, each template keeping its own segments. */
static const char *title_mpd =
    "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" type=\"static\" mediaPresentationDuration=\"PT10.000S\">"
    "<Period id=\"0\" start=\"PT0S\">"
    "<AdaptationSet contentType=\"video\" mimeType=\"video/mp4\"><Representation id=\"v\" bandwidth=\"1\">"
    "<SegmentTemplate timescale=\"1000\" media=\"v/$Number$.m4s\" startNumber=\"1\">"
    "<SegmentTimeline><S t=\"0\" d=\"2000\" r=\"4\"/></SegmentTimeline></SegmentTemplate>"
    "</Representation></AdaptationSet>"
    "<AdaptationSet contentType=\"audio\" mimeType=\"audio/mp4\"><Representation id=\"a\" bandwidth=\"1\">"
    "<SegmentTemplate timescale=\"48000\" duration=\"96000\" media=\"a/$Number$.m4s\" startNumber=\"1\"/>"
    "</Representation></AdaptationSet></Period></MPD>";
static const char *asset_mpd =
    "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" type=\"static\" mediaPresentationDuration=\"PT2S\">"
    "<Period><AdaptationSet contentType=\"video\" mimeType=\"video/mp4\"><Representation id=\"v\" bandwidth=\"1\">"
    "<SegmentTemplate timescale=\"1000\" media=\"v/$Number$.m4s\" startNumber=\"1\">"
    "<SegmentTimeline><S t=\"0\" d=\"2000\"/></SegmentTimeline></SegmentTemplate>"
    "</Representation></AdaptationSet>"
    "<AdaptationSet contentType=\"video\" mimeType=\"video/mp4\">"
    "<EssentialProperty schemeIdUri=\"http://dashif.org/guidelines/trickmode\" value=\"0\"/>"
    "<Representation id=\"t\" bandwidth=\"1\"/></AdaptationSet></Period></MPD>";

static void dash_interstitial(void **state)
{
    (void)state;
    sv__ad_break b = { .id = 7, .title_id = 1, .at_s = 4, .duration_s = 2, .asset_title_id = 3 };
    snprintf(b.cls, sizeof(b.cls), "%s", SV__BREAK_CLASS_INTERSTITIAL);
    const char *assets[1] = { asset_mpd };
    size_t lens[1] = { strlen(asset_mpd) }, n = 0;
    double at = -1;

    assert_int_equal(sv__breaks_dash_boundary(title_mpd, strlen(title_mpd), 4.9, &at), 0);
    assert_true(at == 4.0);
    assert_int_equal(sv__breaks_dash_boundary(title_mpd, strlen(title_mpd), 5.1, &at), 0);
    assert_true(at == 6.0);
    assert_int_equal(sv__breaks_dash_periods(title_mpd, strlen(title_mpd)), 1);
    assert_int_equal(sv__breaks_dash_periods("<html/>", 7), 0);
    char *out = sv__breaks_dash(title_mpd, strlen(title_mpd), &b, 1, assets, lens, &n);
    assert_non_null(out);
    assert_int_equal(sv__breaks_dash_periods(out, n), 3);
    assert_non_null(strstr(out, "mediaPresentationDuration=\"PT12.000S\""));
    assert_non_null(strstr(out, "<Period id=\"0\" start=\"PT0.000S\" duration=\"PT4.000S\">"));
    assert_non_null(strstr(out, "<Period id=\"ad-7\" start=\"PT4.000S\" duration=\"PT2.000S\">"));
    assert_non_null(strstr(out, "<BaseURL>ads/3/</BaseURL>"));
    assert_non_null(strstr(out, "<Period id=\"0-1\" start=\"PT6.000S\" duration=\"PT6.000S\">"));
    /* The video after the break: its third segment on, where it stopped. */
    assert_non_null(strstr(out, "startNumber=\"3\" presentationTimeOffset=\"4000\""));
    assert_non_null(strstr(out, "<S t=\"4000\" d=\"2000\" r=\"2\"/>"));
    /* The audio numbered by @duration became a timeline of its own spans. */
    assert_non_null(strstr(out, "<S t=\"0\" d=\"96000\" r=\"1\"/>"));
    assert_non_null(strstr(out, "<S t=\"192000\" d=\"96000\" r=\"2\"/>"));
    /* The asset's trick-mode set stays out; its video is in, once. */
    assert_int_equal(count(out, "trickmode"), 0);
    assert_int_equal(count(out, "<AdaptationSet"), 5);
    /* The break's Event at the start of the ad's Period. */
    assert_non_null(strstr(out, "<Event presentationTime=\"0\" duration=\"180000\" id=\"7\">"));
    /* A split MPD is no base: refused. */
    size_t n2 = 0;
    assert_null(sv__breaks_dash(out, n, &b, 1, assets, lens, &n2));
    /* An interstitial without its asset's MPD: refused. */
    assert_null(sv__breaks_dash(title_mpd, strlen(title_mpd), &b, 1, NULL, NULL, &n2));
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scte35_reads_back),
        cmocka_unit_test(hls),
        cmocka_unit_test(dash_interstitial),
        cmocka_unit_test(hls_with_own_dates),
        cmocka_unit_test(dash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
