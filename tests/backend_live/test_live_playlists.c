/*
 * The live index and what is written from it (backend/live/index.c,
 * hls.c, dash.c), without a feed: parts go in only in order, a segment
 * starts with its part 0; the DVR trim keeps the window and counts the
 * discontinuities it drops; the media playlist lists parts only for the
 * last three target durations, hints the next part, skips the old
 * segments in a delta update, marks a reconnect with a discontinuity and
 * a new map, reports the other renditions, ends with ENDLIST; the MPD has
 * one Period per publisher; the blocking reload query is read and refused
 * with reasons; index.json round-trips. An encrypted channel's playlists
 * carry its key (EXT-X-SESSION-KEY, one EXT-X-KEY in full and delta
 * playlists) and the MPD its ContentProtection.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "backend/live/internal.h"
#include "streamverse/common.h"

/* Segments first..last of 5 parts of 0.4 s, complete but maybe the last;
 * epoch changes (a reconnect) at segment `reconnect` (-1: none). */
static void fill(sv__live_rend *r, int first, int last, int last_parts, int reconnect)
{
    for (int m = first; m <= last; m++) {
        int parts = m == last ? last_parts : 5;
        int epoch = reconnect >= 0 && m >= reconnect;

        for (int k = 0; k < parts; k++)
            assert_int_equal(sv__live_index_add(r, m, k, 0.4, k == 0, 1000,
                                                1700000000000LL + m * 2000, epoch,
                                                epoch ? reconnect : 0, m == reconnect), 0);
        if (parts == 5)
            sv__live_index_complete(r, m);
    }
}

static sv__live_view view(sv__live_rend *r, int n)
{
    return (sv__live_view){.rends = r, .nb_rends = n, .segment_s = 2.0, .part_s = 0.4,
                           .dvr_s = 300, .target_latency_s = 1.5, .ast_ms = 1700000000000LL};
}

static int count(const char *hay, const char *needle)
{
    int n = 0;

    for (const char *p = hay; (p = strstr(p, needle)); p++)
        n++;
    return n;
}

static void test_index_order(void **state)
{
    sv__live_rend r = {0};
    int part;

    (void)state;
    assert_int_equal(sv__live_index_add(&r, 5, 1, 0.4, 0, 1, 0, 0, 0, 0), SV_ERR_STATE);
    assert_int_equal(sv__live_index_add(&r, 5, 0, 0.4, 1, 1, 0, 0, 0, 0), 0);
    assert_int_equal(sv__live_index_add(&r, 5, 2, 0.4, 0, 1, 0, 0, 0, 0), SV_ERR_STATE);
    assert_int_equal(sv__live_index_add(&r, 5, 1, 0.4, 0, 1, 0, 0, 0, 0), 0);
    assert_int_equal(sv__live_index_add(&r, 4, 0, 0.4, 1, 1, 0, 0, 0, 0), SV_ERR_STATE);
    assert_int_equal(sv__live_index_last(&r, &part), 5);
    assert_int_equal(part, 1);
    assert_true(sv__live_index_has(&r, 5, 1));
    assert_false(sv__live_index_has(&r, 5, 2));
    assert_false(sv__live_index_has(&r, 5, -1));
    sv__live_index_complete(&r, 5);
    assert_true(sv__live_index_has(&r, 5, -1));
    assert_true(sv__live_index_has(&r, 4, 3));
    assert_false(sv__live_index_has(&r, 6, 0));
    sv__live_index_free(&r);
}

static void test_trim(void **state)
{
    sv__live_rend r = {0};
    int64_t dropped[16];

    (void)state;
    fill(&r, 0, 9, 2, 3);
    /* 9 complete segments of 2 s and one of 0.8 s: a 10 s window keeps 5
     * whole segments and the growing one. */
    assert_int_equal(sv__live_index_trim(&r, 10, dropped, 16), 4);
    assert_int_equal(dropped[0], 0);
    assert_int_equal(dropped[3], 3);
    assert_int_equal(r.segs[0].msn, 4);
    assert_int_equal(r.disc_seq, 1); /* segment 3 began the second publisher */
    assert_int_equal(sv__live_index_trim(&r, 10, dropped, 16), 0);
    sv__live_index_free(&r);
}

static void test_media_playlist(void **state)
{
    sv__live_rend r[2] = {{.name = "720p"}, {.name = "audio", .is_audio = 1}};
    sv__live_view v;
    sv__buf b = {0};
    const char *t;

    (void)state;
    fill(&r[0], 0, 10, 3, 6);
    fill(&r[1], 0, 10, 2, 6);
    v = view(r, 2);
    assert_int_equal(sv__live_hls_media(&v, 0, 0, &b), 0);
    sv__buf_u8(&b, 0);
    t = (const char *)b.data;
    assert_non_null(strstr(t, "#EXT-X-TARGETDURATION:2\n"));
    assert_non_null(strstr(t, "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.500,"
                              "CAN-SKIP-UNTIL=12.0\n"));
    /* Audio makes the target an AAC frame longer than the grid. */
    assert_non_null(strstr(t, "#EXT-X-PART-INF:PART-TARGET=0.422\n"));
    assert_non_null(strstr(t, "#EXT-X-MEDIA-SEQUENCE:0\n"));
    assert_int_equal(count(t, "\nseg-"), 10);
    assert_int_equal(count(t, "#EXT-X-PROGRAM-DATE-TIME:"), 11);
    assert_non_null(strstr(t, "#EXT-X-PROGRAM-DATE-TIME:2023-11-14T22:13:20.000Z\n"));
    /* Parts of the segments that end within three target durations of
     * the end (21.2 s): segments 7 (ends 5.2 s before), 8, 9, and the 3
     * parts of 10. */
    assert_int_equal(count(t, "#EXT-X-PART:"), 18);
    assert_null(strstr(t, "part-6.4.m4s"));
    assert_non_null(strstr(t, "#EXT-X-PART:DURATION=0.40000,URI=\"part-7.0.m4s\","
                              "INDEPENDENT=YES\n"));
    assert_non_null(strstr(t, "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"part-10.3.m4s\"\n"));
    assert_non_null(strstr(t, "#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI=\"init-1.mp4\"\n"));
    assert_non_null(strstr(t, "#EXT-X-MAP:URI=\"init-0.mp4\"\n"));
    assert_non_null(strstr(t, "#EXT-X-RENDITION-REPORT:URI=\"../audio/index.m3u8\",LAST-MSN=10,"
                              "LAST-PART=1\n"));
    assert_null(strstr(t, "#EXT-X-ENDLIST"));

    /* A delta update skips what starts more than 12 s before the end. */
    b.size = 0;
    assert_int_equal(sv__live_hls_media(&v, 0, 1, &b), 0);
    sv__buf_u8(&b, 0);
    t = (const char *)b.data;
    assert_non_null(strstr(t, "#EXT-X-SKIP:SKIPPED-SEGMENTS=4\n"));
    assert_int_equal(count(t, "\nseg-"), 6);
    assert_null(strstr(t, "\nseg-3.m4s"));

    /* Ended: ENDLIST, no parts, no hint, no server control. */
    v.ended = 1;
    b.size = 0;
    assert_int_equal(sv__live_hls_media(&v, 0, 0, &b), 0);
    sv__buf_u8(&b, 0);
    t = (const char *)b.data;
    assert_non_null(strstr(t, "#EXT-X-ENDLIST\n"));
    assert_null(strstr(t, "#EXT-X-PART"));
    assert_null(strstr(t, "PRELOAD-HINT"));
    assert_null(strstr(t, "SERVER-CONTROL"));
    sv__buf_free(&b);
    sv__live_index_free(&r[0]);
    sv__live_index_free(&r[1]);
}

static void test_master_and_mpd(void **state)
{
    sv__live_rend r[2] = {{.name = "720p", .width = 1280, .height = 720, .frame_rate = 30,
                           .bandwidth = 3000000, .codecs = "avc1.64001f"},
                          {.name = "audio", .is_audio = 1, .bandwidth = 140000,
                           .codecs = "mp4a.40.2"}};
    sv__live_view v;
    sv__buf b = {0};
    const char *t;

    (void)state;
    fill(&r[0], 0, 5, 2, 3);
    fill(&r[1], 0, 5, 2, 3);
    v = view(r, 2);
    assert_int_equal(sv__live_hls_master(&v, &b), 0);
    sv__buf_u8(&b, 0);
    t = (const char *)b.data;
    assert_non_null(strstr(t, "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aud\""));
    assert_non_null(strstr(t, "BANDWIDTH=3140000,CODECS=\"avc1.64001f,mp4a.40.2\","
                              "RESOLUTION=1280x720,FRAME-RATE=30.000,AUDIO=\"aud\"\n"
                              "720p/index.m3u8\n"));
    b.size = 0;
    assert_int_equal(sv__live_dash_mpd(&v, 1700000010000LL, &b), 0);
    sv__buf_u8(&b, 0);
    t = (const char *)b.data;
    assert_non_null(strstr(t, "type=\"dynamic\""));
    assert_non_null(strstr(t, "availabilityStartTime=\"2023-11-14T22:13:20.000Z\""));
    assert_int_equal(count(t, "<Period "), 2);
    assert_non_null(strstr(t, "<Period id=\"1\" start=\"PT6.000S\""));
    assert_non_null(strstr(t, "startNumber=\"3\""));
    /* The capture clock's dates, the availability one part later: a
     * segment's first part is announced one part after its capture ended
     * (2 s segments, 0.4 s parts). */
    assert_non_null(strstr(t, "availabilityTimeOffset=\"1.200\" "
                              "availabilityTimeComplete=\"false\""));
    assert_non_null(strstr(t, "<Latency referenceId=\"0\" target=\"1500\""));
    assert_non_null(strstr(t, "urn:mpeg:dash:utc:http-iso:2014"));
    /* ProducerReferenceTime@wallClockTime is an ISO date: its UTCTiming
     * child says so (without one it is read as NTP; Shaka Player did). */
    {
        const char *prt = strstr(t, "<ProducerReferenceTime "), *utc, *end;

        assert_non_null(prt);
        assert_non_null(strstr(prt, "wallClockTime=\"2023-11-14T22:13:20.000Z\""));
        utc = strstr(prt, "<UTCTiming schemeIdUri=\"urn:mpeg:dash:utc:http-iso:2014\"");
        end = strstr(prt, "</ProducerReferenceTime>");
        assert_non_null(utc);
        assert_non_null(end);
        assert_true(utc < end);
    }
    /* The live Period has no duration (a player asks for segments as the
     * clock makes them available); the first publisher's keeps the one it
     * got when its publisher went: it ends at its last segment, an
     * early-terminated Period, not where the second starts... */
    assert_int_equal(count(t, "duration=\"PT"), 1);
    assert_non_null(strstr(t, "<Period id=\"0\" start=\"PT0.000S\" duration=\"PT"));
    assert_non_null(strstr(t, "<Period id=\"1\" start=\"PT6.000S\">"));
    /* ...and while the publisher is gone the last one ends at its last
     * segment too (segments 3..5 of the second publisher: two whole, one of
     * 2 parts, 4.8 s). */
    v.gone = 1;
    b.size = 0;
    assert_int_equal(sv__live_dash_mpd(&v, 1700000010000LL, &b), 0);
    sv__buf_u8(&b, 0);
    t = (const char *)b.data;
    assert_non_null(strstr(t, "type=\"dynamic\""));
    assert_non_null(strstr(t, "minimumUpdatePeriod"));
    assert_int_equal(count(t, "duration=\"PT"), 2);
    assert_non_null(strstr(t, "<Period id=\"1\" start=\"PT6.000S\" duration=\"PT4.800S\""));
    v.gone = 0;
    v.ended = 1;
    b.size = 0;
    assert_int_equal(sv__live_dash_mpd(&v, 1700000010000LL, &b), 0);
    sv__buf_u8(&b, 0);
    t = (const char *)b.data;
    assert_non_null(strstr(t, "type=\"static\""));
    assert_null(strstr(t, "availabilityTimeOffset"));
    sv__buf_free(&b);
    sv__live_index_free(&r[0]);
    sv__live_index_free(&r[1]);
}

static void test_protected(void **state)
{
    sv__live_rend r[2] = {{.name = "720p", .width = 1280, .height = 720, .frame_rate = 30,
                           .bandwidth = 3000000, .codecs = "avc1.64001f"},
                          {.name = "audio", .is_audio = 1, .bandwidth = 140000,
                           .codecs = "mp4a.40.2"}};
    sv__media_protection prot = {SV__PROTECT_CENC, {0x10, 0x77, 0xef, 0xec}, {0},
                                 "/api/v1/license"};
    sv__live_view v;
    sv__buf b = {0};
    const char *t, *key;

    (void)state;
    fill(&r[0], 0, 10, 3, 6);
    fill(&r[1], 0, 10, 2, 6);
    v = view(r, 2);
    v.prot = &prot;
    assert_int_equal(sv__live_hls_master(&v, &b), 0);
    sv__buf_u8(&b, 0);
    t = (const char *)b.data;
    assert_non_null(strstr(t, "#EXT-X-SESSION-KEY:METHOD=SAMPLE-AES-CTR,URI=\"data:text/plain;"
                              "base64,"));
    assert_non_null(strstr(t, "KEYID=0x1077efec000000000000000000000000,KEYFORMAT=\"urn:uuid:"
                              "e2719d58-a985-b3c9-781a-b030af78d30e\""));
    for (int skip = 0; skip <= 1; skip++) {
        b.size = 0;
        assert_int_equal(sv__live_hls_media(&v, 0, skip, &b), 0);
        sv__buf_u8(&b, 0);
        t = (const char *)b.data;
        /* Once, before the first segment listed (a delta update too). */
        assert_int_equal(count(t, "#EXT-X-KEY:METHOD=SAMPLE-AES-CTR,"), 1);
        key = strstr(t, "#EXT-X-KEY:");
        assert_true(key < strstr(t, "#EXT-X-MAP:"));
        assert_true(!skip || strstr(t, "#EXT-X-SKIP:") < key);
    }
    b.size = 0;
    assert_int_equal(sv__live_dash_mpd(&v, 1700000010000LL, &b), 0);
    sv__buf_u8(&b, 0);
    t = (const char *)b.data;
    assert_non_null(strstr(t, "xmlns:cenc=\"urn:mpeg:cenc:2013\""));
    /* Every AdaptationSet of both Periods: video and audio. */
    assert_int_equal(count(t, "value=\"cenc\" cenc:default_KID=\"1077efec-0000-0000-0000-"
                              "000000000000\""), 4);
    assert_int_equal(count(t, "<dashif:Laurl Lic_type=\"EME-1.0\">/api/v1/license<"), 4);
    /* Before ProducerReferenceTime, as the schema orders them. */
    assert_true(strstr(t, "<ContentProtection") < strstr(t, "<ProducerReferenceTime"));
    sv__buf_free(&b);
    sv__live_index_free(&r[0]);
    sv__live_index_free(&r[1]);
}

static void test_query(void **state)
{
    int64_t msn;
    int part, skip;
    char err[128];

    (void)state;
    assert_int_equal(sv__live_hls_query("", 0, &msn, &part, &skip, err, sizeof(err)), 0);
    assert_true(msn == -1 && part == -1 && !skip);
    assert_int_equal(sv__live_hls_query("_HLS_msn=12&_HLS_part=3&_HLS_skip=YES", 37, &msn,
                                        &part, &skip, err, sizeof(err)), 0);
    assert_true(msn == 12 && part == 3 && skip);
    assert_int_equal(sv__live_hls_query("_HLS_msn=-1", 11, &msn, &part, &skip, err,
                                        sizeof(err)), SV_ERR_INVALID);
    assert_non_null(strstr(err, "_HLS_msn"));
    assert_int_equal(sv__live_hls_query("_HLS_part=2", 11, &msn, &part, &skip, err,
                                        sizeof(err)), SV_ERR_INVALID);
    assert_non_null(strstr(err, "needs _HLS_msn"));
    assert_int_equal(sv__live_hls_query("_HLS_msn=1&_HLS_part=99", 23, &msn, &part, &skip, err,
                                        sizeof(err)), SV_ERR_INVALID);
    assert_int_equal(sv__live_hls_query("_HLS_skip=NO", 12, &msn, &part, &skip, err,
                                        sizeof(err)), SV_ERR_INVALID);
    assert_non_null(strstr(err, "_HLS_skip"));
}

static void test_index_file(void **state)
{
    sv__live_rend r[2] = {{.name = "360p", .width = 640, .height = 360, .codecs = "avc1.x"},
                          {.name = "audio", .is_audio = 1}}, back[SV__LIVE_MAX_RENDS];
    char path[] = "/tmp/sv-live-index-XXXXXX";
    int fd = mkstemp(path), n, epoch, ended;
    int64_t ast;

    (void)state;
    assert_true(fd >= 0);
    close(fd);
    fill(&r[0], 3, 6, 2, 5);
    fill(&r[1], 3, 6, 2, 5);
    r[0].disc_seq = 2;
    assert_int_equal(sv__live_index_save(path, r, 2, 1234, 1, 0), 0);
    assert_int_equal(sv__live_index_load(path, back, &n, &ast, &epoch, &ended), 0);
    assert_int_equal(n, 2);
    assert_int_equal(ast, 1234);
    assert_int_equal(epoch, 1);
    assert_string_equal(back[0].name, "360p");
    assert_int_equal(back[0].width, 640);
    assert_int_equal(back[0].disc_seq, 2);
    assert_int_equal(back[0].nb_segs, 4);
    assert_int_equal(back[0].segs[2].msn, 5);
    assert_int_equal(back[0].segs[2].epoch, 1);
    assert_true(back[0].segs[2].discontinuity);
    assert_int_equal(back[0].segs[2].msn0, 5);
    /* The segment a stop cut short is complete on reload. */
    assert_int_equal(back[0].segs[3].nb_parts, 2);
    assert_true(back[0].segs[3].complete);
    assert_true(back[1].is_audio);
    unlink(path);
    for (int i = 0; i < 2; i++) {
        sv__live_index_free(&r[i]);
        sv__live_index_free(&back[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_index_order),
        cmocka_unit_test(test_trim),
        cmocka_unit_test(test_media_playlist),
        cmocka_unit_test(test_master_and_mpd),
        cmocka_unit_test(test_protected),
        cmocka_unit_test(test_query),
        cmocka_unit_test(test_index_file),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
