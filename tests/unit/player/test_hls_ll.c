/*
 * Low-latency HLS (RFC 8216bis): the parser's tags (hls_ll.c) and what the
 * model makes of them (model_hls.c, model_hls_ll.c):
 *   - EXT-X-SERVER-CONTROL, EXT-X-PART-INF, EXT-X-PART (byte ranges that
 *     follow on), EXT-X-PRELOAD-HINT, EXT-X-SKIP, EXT-X-RENDITION-REPORT;
 *     malformed ones refused with the line and the reason;
 *   - the segments whose parts are listed become their parts, then the
 *     parts of the segment being written and the hinted part; the target
 *     latency is PART-HOLD-BACK, the program date time gives the wall
 *     clock of time 0, the next blocking reload asks for the hinted part;
 *   - a delta update puts the skipped segments back from the kept list,
 *     and one the kept list cannot fill is refused;
 *   - a rendition report gives the other rendition's playlist URL with
 *     _HLS_msn and _HLS_part;
 *   - an encoder that came back: the parts of the segment being written and
 *     the hint after EXT-X-DISCONTINUITY and a new EXT-X-MAP take that
 *     init and epoch, and their date gives the wall clock (the dates jump
 *     by the gap, the list's times do not).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "player/manifest/hls.h"
#include "player/model/model.h"

#define BASE "http://h/live/"

static int near(double a, double b)
{
    return a - b < 1e-6 && b - a < 1e-6;
}

static const char *url_of(const sv__rep *rep, size_t i)
{
    static char bufs[4][SV__URL_MAX];
    static unsigned next;
    sv__segment seg = sv__rep_segment(rep, i);
    const char *u = sv__segment_url(rep, &seg, bufs[next++ % 4], SV__URL_MAX);
    return u ? u : "(no URL)";
}

/* Segments 10..12 (2 s), the parts of 11 and 12 listed, 3 parts of 13 made,
 * the 4th hinted. */
static const char *ll_playlist =
    "#EXTM3U\n#EXT-X-VERSION:9\n#EXT-X-TARGETDURATION:2\n"
    "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.0,CAN-SKIP-UNTIL=12.0\n"
    "#EXT-X-PART-INF:PART-TARGET=0.5\n#EXT-X-MEDIA-SEQUENCE:10\n#EXT-X-MAP:URI=\"init.mp4\"\n"
    "#EXT-X-PROGRAM-DATE-TIME:2026-12-07T00:00:20.000Z\n#EXTINF:2.0,\nseg10.m4s\n"
    "#EXT-X-PART:DURATION=0.5,URI=\"p11.mp4\",BYTERANGE=\"100@0\",INDEPENDENT=YES\n"
    "#EXT-X-PART:DURATION=0.5,URI=\"p11.mp4\",BYTERANGE=\"120\"\n"
    "#EXT-X-PART:DURATION=0.5,URI=\"p11.mp4\",BYTERANGE=\"90\"\n"
    "#EXT-X-PART:DURATION=0.5,URI=\"p11.mp4\",BYTERANGE=\"80\"\n"
    "#EXTINF:2.0,\nseg11.m4s\n"
    "#EXT-X-PART:DURATION=0.5,URI=\"p12.0.mp4\",INDEPENDENT=YES\n"
    "#EXT-X-PART:DURATION=0.5,URI=\"p12.1.mp4\"\n"
    "#EXT-X-PART:DURATION=0.5,URI=\"p12.2.mp4\"\n"
    "#EXT-X-PART:DURATION=0.5,URI=\"p12.3.mp4\"\n"
    "#EXTINF:2.0,\nseg12.m4s\n"
    "#EXT-X-PART:DURATION=0.5,URI=\"p13.0.mp4\",INDEPENDENT=YES\n"
    "#EXT-X-PART:DURATION=0.5,URI=\"p13.1.mp4\"\n"
    "#EXT-X-PART:DURATION=0.5,URI=\"p13.2.mp4\",GAP=YES\n"
    "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"p13.3.mp4\"\n"
    "#EXT-X-RENDITION-REPORT:URI=\"../alt/live.m3u8\",LAST-MSN=13,LAST-PART=2\n";

static void parser_reads_the_tags(void **state)
{
    sv__hls_playlist *pl = NULL;
    sv__parse_error err;
    (void)state;
    assert_int_equal(sv__hls_parse(ll_playlist, strlen(ll_playlist), BASE "live.m3u8", NULL, &pl,
                                   &err), 0);
    assert_true(pl->can_block_reload);
    assert_true(near(pl->part_hold_back, 1.0));
    assert_true(pl->hold_back < 0);
    assert_true(near(pl->can_skip_until, 12.0));
    assert_true(near(pl->part_target, 0.5));
    assert_int_equal(pl->nb_segments, 3);
    assert_int_equal(pl->nb_parts, 11);
    const sv__hls_part *p = pl->parts;
    assert_int_equal(p[0].sequence, 11);
    assert_int_equal(p[0].index, 0);
    assert_true(p[0].independent);
    assert_true(near(p[0].start, 2.0));
    assert_int_equal(p[1].offset, 100); /* follows the previous part's range */
    assert_int_equal(p[1].length, 120);
    assert_int_equal(p[3].offset, 310);
    assert_false(p[1].independent);
    assert_string_equal(p[4].uri, BASE "p12.0.mp4");
    assert_int_equal(p[4].length, -1);
    assert_int_equal(p[8].sequence, 13);
    assert_true(near(p[8].start, 6.0));
    assert_true(p[10].gap);
    assert_string_equal(pl->preload_uri, BASE "p13.3.mp4");
    assert_int_equal(pl->preload_sequence, 13);
    assert_int_equal(pl->preload_index, 3);
    assert_int_equal(pl->nb_reports, 1);
    assert_string_equal(pl->reports[0].uri, "http://h/alt/live.m3u8");
    assert_int_equal(pl->reports[0].last_msn, 13);
    assert_int_equal(pl->reports[0].last_part, 2);
    sv__hls_playlist_free(pl);
}

static void expect_error(const char *body, int line, const char *fragment)
{
    char text[1024];
    sv__hls_playlist *pl = NULL;
    sv__parse_error err;
    snprintf(text, sizeof(text), "#EXTM3U\n#EXT-X-TARGETDURATION:2\n%s", body);
    assert_int_equal(sv__hls_parse(text, strlen(text), BASE "x.m3u8", NULL, &pl, &err),
                     SV_ERR_PARSE);
    if (err.line != line || !strstr(err.message, fragment))
        print_error("got line %d: %s; want line %d containing '%s'\n", err.line, err.message,
                    line, fragment);
    assert_int_equal(err.line, line);
    assert_non_null(strstr(err.message, fragment));
}

static void malformed_tags_say_where(void **state)
{
    (void)state;
    expect_error("#EXT-X-PART:DURATION=0.5\n", 3, "EXT-X-PART without URI");
    expect_error("#EXT-X-PART:URI=\"a.mp4\"\n", 3, "EXT-X-PART without DURATION");
    expect_error("#EXT-X-PART:URI=\"a.mp4\",DURATION=x\n", 3, "DURATION 'x'");
    expect_error("#EXT-X-PART:URI=\"a.mp4\",DURATION=1,BYTERANGE=\"1@\"\n", 3, "BYTERANGE");
    expect_error("#EXT-X-PART-INF:PART-TARGET=0\n", 3, "PART-TARGET '0'");
    expect_error("#EXT-X-PART-INF:X=1\n", 3, "without PART-TARGET");
    expect_error("#EXT-X-SERVER-CONTROL:HOLD-BACK=-1\n", 3, "HOLD-BACK '-1'");
    expect_error("#EXT-X-SERVER-CONTROL:PART-HOLD-BACK=abc\n", 3, "PART-HOLD-BACK 'abc'");
    expect_error("#EXTINF:2,\na.ts\n#EXT-X-SKIP:SKIPPED-SEGMENTS=2\n", 5, "after the first segment");
    expect_error("#EXT-X-SKIP:SKIPPED-SEGMENTS=99999999\n", 3, "over the limit");
    expect_error("#EXT-X-PRELOAD-HINT:TYPE=PART\n", 3, "without URI");
    expect_error("#EXT-X-RENDITION-REPORT:LAST-MSN=3\n", 3, "without URI");
    expect_error("#EXT-X-RENDITION-REPORT:URI=\"a\",LAST-MSN=x\n", 3, "LAST-MSN");
}

static sv__presentation *load(const char *text)
{
    sv__presentation *pres = NULL;
    sv__parse_error err;
    int ret = sv__model_create(SV__SOURCE_HLS, text, strlen(text), BASE "live.m3u8", 0, NULL,
                               &pres, &err);
    if (ret)
        print_error("create: %d line %d: %s\n", ret, err.line, err.message);
    assert_int_equal(ret, 0);
    return pres;
}

static void model_plays_the_parts(void **state)
{
    sv__presentation *pres = load(ll_playlist);
    const sv__rep *r = &pres->periods[0].tracks[0].reps[0];
    (void)state;
    /* seg10, 4 parts of 11, 4 of 12, 3 of 13, the hint. */
    assert_int_equal(r->nb_segs, 1 + 4 + 4 + 3 + 1);
    assert_int_equal(sv__rep_segment(r, 0).part, 0);
    assert_true(sv__rep_segment(r, 0).independent);
    assert_string_equal(url_of(r, 1), BASE "p11.mp4");
    assert_int_equal(sv__rep_segment(r, 1).part, 1);
    assert_int_equal(sv__rep_segment(r, 2).offset, 100);
    assert_int_equal(sv__rep_segment(r, 2).length, 120);
    assert_false(sv__rep_segment(r, 2).independent);
    assert_int_equal(sv__rep_segment(r, 5).number, 12);
    assert_true(near(sv__rep_segment(r, 5).start, 4.0));
    assert_non_null(sv__rep_segment(r, 5).init);
    assert_string_equal(sv__rep_segment(r, 5).init->url, BASE "init.mp4");
    assert_true(sv__rep_segment(r, 11).gap);
    const sv__segment h = sv__rep_segment(r, 12), *hint = &h;
    assert_string_equal(url_of(r, 12), BASE "p13.3.mp4");
    assert_int_equal(hint->number, 13);
    assert_int_equal(hint->part, 4);
    assert_true(near(hint->start, 7.5));
    assert_true(near(hint->duration, 0.5));
    assert_true(pres->live);
    assert_true(near(pres->target_latency, 1.0));
    /* Segment 10 (time 0) was made at 00:00:20 UTC. */
    assert_true(near(pres->wallclock_origin, 1796601620.0));
    /* The end (8.0) less PART-HOLD-BACK: 7.0, a part start. */
    assert_true(near(pres->live_start, 7.0));
    assert_true(r->ll.can_block);
    assert_true(r->ll.can_skip);
    assert_int_equal(r->ll.next_msn, 13);
    assert_int_equal(r->ll.next_part, 3);
    char url[SV__URL_MAX];
    assert_int_equal(sv__model_hls_report_url(r, "http://h/alt/live.m3u8", url, sizeof(url)), 0);
    assert_string_equal(url, "http://h/alt/live.m3u8?_HLS_msn=13&_HLS_part=2");
    /* The URL of the other playlist's last load keeps its own query, not
     * that load's delivery directives. */
    assert_int_equal(sv__model_hls_report_url(r, "http://h/alt/live.m3u8?t=1&_HLS_msn=3&_HLS_part=1"
                                              "&_HLS_skip=YES", url, sizeof(url)), 0);
    assert_string_equal(url, "http://h/alt/live.m3u8?t=1&_HLS_msn=13&_HLS_part=2");
    assert_int_equal(sv__model_hls_report_url(r, "http://h/other.m3u8", url, sizeof(url)),
                     SV_ERR_NOT_FOUND);
    sv__model_destroy(pres);
}

/* A delta update of the next load: segments 10 and 11 skipped. */
static const char *delta =
    "#EXTM3U\n#EXT-X-VERSION:9\n#EXT-X-TARGETDURATION:2\n"
    "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.0,CAN-SKIP-UNTIL=12.0\n"
    "#EXT-X-PART-INF:PART-TARGET=0.5\n#EXT-X-MEDIA-SEQUENCE:10\n#EXT-X-MAP:URI=\"init.mp4\"\n"
    "#EXT-X-SKIP:SKIPPED-SEGMENTS=2\n"
    "#EXTINF:2.0,\nseg12.m4s\n"
    "#EXT-X-PART:DURATION=0.5,URI=\"p13.0.mp4\",INDEPENDENT=YES\n"
    "#EXT-X-PART:DURATION=0.5,URI=\"p13.1.mp4\"\n"
    "#EXT-X-PART:DURATION=0.5,URI=\"p13.2.mp4\"\n"
    "#EXT-X-PART:DURATION=0.5,URI=\"p13.3.mp4\"\n"
    "#EXTINF:2.0,\nseg13.m4s\n"
    "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"p14.0.mp4\"\n";

static void delta_update_merges_the_kept_segments(void **state)
{
    sv__presentation *pres = load(ll_playlist);
    sv__rep *r = &pres->periods[0].tracks[0].reps[0];
    sv__parse_error err;
    (void)state;
    assert_int_equal(sv__model_hls_media(pres, r, delta, strlen(delta), BASE "live.m3u8?_HLS_msn=13"
                                         "&_HLS_part=3&_HLS_skip=YES", &err), 0);
    /* seg10 and the 4 parts of 11 kept, seg12, 4 parts of 13, the hint. */
    assert_int_equal(r->nb_segs, 1 + 4 + 1 + 4 + 1);
    assert_string_equal(url_of(r, 0), BASE "seg10.m4s");
    assert_true(near(sv__rep_segment(r, 0).start, 0.0));
    assert_string_equal(url_of(r, 1), BASE "p11.mp4");
    assert_int_equal(sv__rep_segment(r, 2).offset, 100);
    assert_string_equal(sv__rep_segment(r, 1).init->url, BASE "init.mp4");
    assert_string_equal(url_of(r, 5), BASE "seg12.m4s");
    assert_true(near(sv__rep_segment(r, 5).start, 4.0));
    assert_int_equal(sv__rep_segment(r, 5).part, 0);
    assert_true(near(sv__rep_segment(r, 9).start, 7.5));
    assert_string_equal(url_of(r, 10), BASE "p14.0.mp4");
    assert_true(sv__rep_segment(r, 10).independent);
    assert_int_equal(r->ll.next_msn, 14);
    assert_int_equal(r->ll.next_part, 0);

    /* A delta update without EXT-X-MAP (it was before the skipped
     * segments): the map of the kept ones goes on. */
    const char *nomap =
        "#EXTM3U\n#EXT-X-VERSION:9\n#EXT-X-TARGETDURATION:2\n"
        "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.0,CAN-SKIP-UNTIL=12.0\n"
        "#EXT-X-PART-INF:PART-TARGET=0.5\n#EXT-X-MEDIA-SEQUENCE:10\n"
        "#EXT-X-SKIP:SKIPPED-SEGMENTS=3\n"
        "#EXTINF:2.0,\nseg13.m4s\n#EXTINF:2.0,\nseg14.m4s\n";
    assert_int_equal(sv__model_hls_media(pres, r, nomap, strlen(nomap), BASE "live.m3u8", &err),
                     0);
    assert_int_equal(r->nb_segs, 1 + 4 + 1 + 2);
    assert_string_equal(url_of(r, 7), BASE "seg14.m4s");
    assert_non_null(sv__rep_segment(r, 7).init);
    assert_string_equal(sv__rep_segment(r, 7).init->url, BASE "init.mp4");
    assert_string_equal(sv__rep_segment(r, 6).init->url, BASE "init.mp4");

    /* ... and so do the parts of the segment being written and the hint
     * (svplay lost its init there and stalled 12 s into a live channel). */
    const char *nomap_tail =
        "#EXTM3U\n#EXT-X-VERSION:9\n#EXT-X-TARGETDURATION:2\n"
        "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.0,CAN-SKIP-UNTIL=12.0\n"
        "#EXT-X-PART-INF:PART-TARGET=0.5\n#EXT-X-MEDIA-SEQUENCE:10\n"
        "#EXT-X-SKIP:SKIPPED-SEGMENTS=3\n"
        "#EXTINF:2.0,\nseg13.m4s\n#EXTINF:2.0,\nseg14.m4s\n"
        "#EXT-X-PART:DURATION=0.5,URI=\"p15.0.mp4\",INDEPENDENT=YES\n"
        "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"p15.1.mp4\"\n";
    assert_int_equal(sv__model_hls_media(pres, r, nomap_tail, strlen(nomap_tail),
                                         BASE "live.m3u8", &err), 0);
    assert_int_equal(r->nb_segs, 1 + 4 + 1 + 2 + 2);
    for (size_t i = 8; i < 10; i++) {
        assert_non_null(sv__rep_segment(r, i).init);
        assert_string_equal(sv__rep_segment(r, i).init->url, BASE "init.mp4");
        assert_int_equal(sv__rep_segment(r, i).disc, sv__rep_segment(r, 7).disc);
    }

    /* A delta that skips what the kept list no longer has is refused. */
    const char *gone = "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:2\n"
                       "#EXT-X-SKIP:SKIPPED-SEGMENTS=3\n#EXTINF:2.0,\nseg5.m4s\n";
    assert_int_equal(sv__model_hls_media(pres, r, gone, strlen(gone), BASE "live.m3u8", &err),
                     SV_ERR_PARSE);
    assert_non_null(strstr(err.message, "EXT-X-SKIP"));
    assert_int_equal(r->nb_segs, 10); /* unchanged */
    sv__model_destroy(pres);
}

/* Segments 10 and 11 of the first publisher, then the second one's
 * segment 12 being written (two parts and the hint) 10 s of wall clock
 * later: a new init segment and epoch. */
static const char *came_back =
    "#EXTM3U\n#EXT-X-VERSION:9\n#EXT-X-TARGETDURATION:2\n"
    "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.0\n"
    "#EXT-X-PART-INF:PART-TARGET=0.5\n#EXT-X-MEDIA-SEQUENCE:10\n#EXT-X-MAP:URI=\"init-0.mp4\"\n"
    "#EXT-X-PROGRAM-DATE-TIME:2026-12-07T00:00:20.000Z\n#EXTINF:2.0,\nseg10.m4s\n"
    "#EXT-X-PROGRAM-DATE-TIME:2026-12-07T00:00:22.000Z\n#EXTINF:2.0,\nseg11.m4s\n"
    "#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI=\"init-1.mp4\"\n"
    "#EXT-X-PROGRAM-DATE-TIME:2026-12-07T00:00:34.000Z\n"
    "#EXT-X-PART:DURATION=0.5,URI=\"p12.0.mp4\",INDEPENDENT=YES\n"
    "#EXT-X-PART:DURATION=0.5,URI=\"p12.1.mp4\"\n"
    "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"p12.2.mp4\"\n";

static void tail_after_a_discontinuity(void **state)
{
    sv__presentation *pres = load(came_back);
    const sv__rep *r = &pres->periods[0].tracks[0].reps[0];
    (void)state;
    assert_int_equal(r->nb_segs, 2 + 2 + 1);
    assert_string_equal(sv__rep_segment(r, 1).init->url, BASE "init-0.mp4");
    for (size_t i = 2; i < 5; i++) {
        sv__segment e = sv__rep_segment(r, i);
        assert_non_null(e.init);
        assert_string_equal(e.init->url, BASE "init-1.mp4");
        assert_int_equal(e.disc, sv__rep_segment(r, 1).disc + 1);
        assert_int_equal(e.number, 12);
    }
    assert_string_equal(url_of(r, 4), BASE "p12.2.mp4");
    /* Segment 12 starts at 4.0 in the list and was made at 00:00:34. */
    assert_true(near(pres->wallclock_origin, 1796601634.0 - 4.0));
    assert_true(near(r->ll.target_duration, 2.0));
    sv__model_destroy(pres);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parser_reads_the_tags),
        cmocka_unit_test(malformed_tags_say_where),
        cmocka_unit_test(model_plays_the_parts),
        cmocka_unit_test(delta_update_merges_the_kept_segments),
        cmocka_unit_test(tail_after_a_discontinuity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
