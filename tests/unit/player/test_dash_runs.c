/*
 * DASH segments kept as runs (issue 16): a SegmentTemplate's segments are
 * computed on demand from runs, and a SegmentTimeline's S elements never
 * become tree nodes. The segments computed must equal those
 * sv__dash_expand() lists one by one (URL, start, duration, number), and a
 * timeline of a million segments must cost the model and libxml2 almost
 * nothing, counted by allocators that keep the peak.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <libxml/parser.h>

#include "player/manifest/dash.h"
#include "player/model/model.h"

/* Bytes allocated now and at the peak, through one allocator. */
typedef struct meter {
    size_t now, peak;
} meter;

static meter model_mem, xml_mem;

static void *count_alloc(meter *m, void *old, size_t size)
{
    size_t *p = old ? (size_t *)old - 2 : NULL;
    size_t before = p ? p[0] : 0;
    size_t *q = realloc(p, size + 2 * sizeof(size_t));
    if (!q)
        return NULL;
    q[0] = size;
    m->now = m->now - before + size;
    if (m->now > m->peak)
        m->peak = m->now;
    return q + 2;
}

static void count_free(meter *m, void *ptr)
{
    if (!ptr)
        return;
    size_t *p = (size_t *)ptr - 2;
    m->now -= p[0];
    free(p);
}

static void *model_alloc(void *opaque, size_t size)
{
    return count_alloc(opaque, NULL, size);
}

static void *model_realloc(void *opaque, void *ptr, size_t size)
{
    return count_alloc(opaque, ptr, size);
}

static void model_free(void *opaque, void *ptr)
{
    count_free(opaque, ptr);
}

static void *xml_malloc(size_t size)
{
    return count_alloc(&xml_mem, NULL, size);
}

static void *xml_realloc(void *ptr, size_t size)
{
    return count_alloc(&xml_mem, ptr, size);
}

static void xml_free(void *ptr)
{
    count_free(&xml_mem, ptr);
}

static char *xml_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = xml_malloc(n);
    return d ? memcpy(d, s, n) : NULL;
}

/* An MPD with one video Representation whose SegmentTemplate holds `seg`. */
#define MPD_HEAD "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" type=\"static\"" \
                 " mediaPresentationDuration=\"%s\"><Period>" \
                 "<AdaptationSet mimeType=\"video/mp4\">" \
                 "<Representation id=\"v\" bandwidth=\"1000\">%s" \
                 "</Representation></AdaptationSet></Period></MPD>"

static char *mpd_with(const char *duration, const char *seg)
{
    size_t cap = sizeof(MPD_HEAD) + strlen(duration) + strlen(seg);
    char *text = malloc(cap);
    assert_non_null(text);
    snprintf(text, cap, MPD_HEAD, duration, seg);
    return text;
}

/* Every segment of every rep of the model equals sv__dash_expand()'s of
 * the rep's Representation: URL, start, duration (cut at the period's
 * end), number. */
static void assert_same_as_expand(const sv__presentation *pres)
{
    char url[SV__URL_MAX];
    for (size_t p = 0; p < pres->nb_periods; p++) {
        const sv__period *per = &pres->periods[p];
        for (size_t t = 0; t < per->nb_tracks; t++)
            for (size_t r = 0; r < per->tracks[t].nb_reps; r++) {
                const sv__rep *rep = &per->tracks[t].reps[r];
                sv__arena *a = sv__arena_create(NULL);
                sv__dash_seg *want = NULL;
                int n = sv__dash_expand(a, rep->source, 0, per->duration, 0, 0, 1000000, &want);
                assert_int_equal(n, (int)rep->nb_segs);
                for (int i = 0; i < n; i++) {
                    sv__segment got = sv__rep_segment(rep, (size_t)i);
                    double dur = want[i].duration;
                    if (per->duration > 0 && want[i].start + dur > per->duration)
                        dur = per->duration - want[i].start;
                    assert_string_equal(sv__segment_url(rep, &got, url, sizeof(url)), want[i].url);
                    assert_true(got.start == per->start + want[i].start);
                    assert_true(got.duration == dur);
                    assert_int_equal(got.number, want[i].number);
                    assert_int_equal(got.disc, (int64_t)p);
                    assert_int_equal(got.length, -1);
                }
                sv__arena_destroy(a);
            }
    }
}

static void runs_match_expand(void **state)
{
    (void)state;
    /* Timelines with gaps (t), r = -1 up to the next t and to the period's
     * end, $Time$ and $Number$, presentationTimeOffset, a cut last segment,
     * two periods; @duration numbering with startNumber 0 and a cut end. */
    const char *text =
        "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" type=\"static\""
        " mediaPresentationDuration=\"PT61.3S\">"
        "<Period id=\"a\" duration=\"PT21.3S\"><AdaptationSet mimeType=\"video/mp4\">"
        "<SegmentTemplate timescale=\"90000\" presentationTimeOffset=\"900000\""
        " media=\"$RepresentationID$/t$Time$-n$Number%04d$.m4s\" startNumber=\"7\">"
        "<SegmentTimeline><S t=\"900000\" d=\"180000\" r=\"2\"/><S d=\"90000\"/>"
        "<S t=\"1710000\" d=\"135000\" r=\"-1\"/><S t=\"2250000\" d=\"180000\"/>"
        "<S d=\"180000\" r=\"-1\"/></SegmentTimeline></SegmentTemplate>"
        "<Representation id=\"v1\" bandwidth=\"1000\"/>"
        "<Representation id=\"v2\" bandwidth=\"2000\"/></AdaptationSet>"
        "<AdaptationSet mimeType=\"audio/mp4\"><Representation id=\"a\" bandwidth=\"64000\">"
        "<SegmentTemplate timescale=\"48000\" duration=\"96000\" startNumber=\"0\""
        " presentationTimeOffset=\"4800\" media=\"a/$Number$_$Time$_$Bandwidth$.m4s\"/>"
        "</Representation></AdaptationSet></Period>"
        "<Period id=\"b\"><AdaptationSet mimeType=\"video/mp4\">"
        "<Representation id=\"v\" bandwidth=\"1000\"><BaseURL>b/</BaseURL>"
        "<SegmentTemplate timescale=\"1000\" duration=\"3000\" media=\"s$Number$.m4s\"/>"
        "</Representation></AdaptationSet></Period></MPD>";
    sv__presentation *pres = NULL;
    sv__parse_error err;
    assert_int_equal(sv__model_create(SV__SOURCE_DASH, text, strlen(text), "http://h/x/m.mpd", 0,
                                      NULL, &pres, &err), 0);
    assert_int_equal(pres->nb_periods, 2);
    assert_true(pres->periods[0].tracks[0].reps[0].nb_segs > 8);
    assert_same_as_expand(pres);
    /* Seeks land on the computed segments as on stored ones. */
    const sv__rep *v = &pres->periods[0].tracks[0].reps[0];
    assert_int_equal(sv__model_find_segment(v, 6.0), 3);   /* [6, 7) */
    assert_int_equal(sv__model_find_segment(v, 5.9995), 3); /* 1 ms tolerance */
    assert_int_equal(sv__model_find_number(v, 10), 3);
    assert_int_equal(sv__model_find_number(v, 1000), -1);
    sv__model_destroy(pres);
}

/* S elements that continue one another become one entry; the others stay. */
static void timeline_entries_merge(void **state)
{
    (void)state;
    char *text = mpd_with("PT40S", "<SegmentTemplate timescale=\"1\" media=\"$Time$.m4s\">"
                                   "<SegmentTimeline><S t=\"0\" d=\"2\"/><S d=\"2\"/>"
                                   "<S t=\"4\" d=\"2\" r=\"1\"/><S t=\"10\" d=\"2\"/>"
                                   "<S d=\"3\" r=\"-1\"/><S t=\"30\" d=\"2\"/><S d=\"2\" r=\"3\"/>"
                                   "</SegmentTimeline></SegmentTemplate>");
    sv__dash_mpd *mpd = NULL;
    sv__parse_error err;
    sv__presentation *pres = NULL;
    assert_int_equal(sv__dash_parse(text, strlen(text), "http://h/m.mpd", NULL, &mpd, &err), 0);
    const sv__dash_segments *s = &mpd->periods[0].sets[0].reps[0].seg;
    assert_int_equal(s->nb_timeline, 4);
    assert_int_equal(s->timeline[0].r, 3);   /* 0, 2, 4, 6 */
    assert_int_equal(s->timeline[1].t, 10);  /* a gap: 8 to 10 */
    assert_int_equal(s->timeline[2].r, -1);  /* 12 .. 30 by 3 */
    assert_int_equal(s->timeline[3].r, 4);   /* 30 .. 38 */
    sv__dash_mpd_free(mpd);
    assert_int_equal(sv__model_create(SV__SOURCE_DASH, text, strlen(text), "http://h/m.mpd", 0,
                                      NULL, &pres, &err), 0);
    assert_int_equal(pres->periods[0].tracks[0].reps[0].nb_segs, 4 + 1 + 6 + 5);
    assert_same_as_expand(pres);
    sv__model_destroy(pres);
    free(text);
}

/* A million segments, as one S with r and as a million S without: the
 * model keeps a few runs, libxml2 never holds a node per S. */
static void million_segments(void **state)
{
    const size_t N = 1000000;
    sv_allocator alloc = { sizeof(alloc), model_alloc, model_realloc, model_free, &model_mem };
    char url[SV__URL_MAX];
    (void)state;
    for (int form = 0; form < 2; form++) {
        size_t cap = 64 + N * 16, len = 0;
        char *timeline = malloc(cap);
        assert_non_null(timeline);
        if (form == 0)
            len = (size_t)snprintf(timeline, cap, "<S t=\"0\" d=\"2\" r=\"%zu\"/>", N - 1);
        for (size_t i = 0; form == 1 && i < N; i++)
            len += (size_t)snprintf(timeline + len, cap - len, "\n<S d=\"2\"/>");
        size_t tcap = len + 256;
        char *seg = malloc(tcap);
        assert_non_null(seg);
        snprintf(seg, tcap, "<SegmentTemplate timescale=\"1\" media=\"seg_$Number%%07d$.m4s\">"
                            "<SegmentTimeline>%s</SegmentTimeline></SegmentTemplate>", timeline);
        char *text = mpd_with("PT2000000S", seg);
        sv__presentation *pres = NULL;
        sv__parse_error err;
        model_mem.peak = model_mem.now;
        xml_mem.peak = xml_mem.now;
        size_t xml_before = xml_mem.now;
        assert_int_equal(sv__model_create(SV__SOURCE_DASH, text, strlen(text),
                                          "http://127.0.0.1:8080/big/m.mpd", 0, &alloc, &pres,
                                          &err), 0);
        const sv__rep *rep = &pres->periods[0].tracks[0].reps[0];
        assert_int_equal(rep->nb_segs, N);
        sv__segment last = sv__rep_segment(rep, N - 1);
        assert_true(last.start == 2.0 * (double)(N - 1));
        assert_int_equal(last.number, (int64_t)N);
        assert_string_equal(sv__segment_url(rep, &last, url, sizeof(url)),
                            "http://127.0.0.1:8080/big/seg_1000000.m4s");
        assert_int_equal(sv__model_find_segment(rep, 1999999.0), (long)(N - 1));
        assert_int_equal(sv__model_find_number(rep, 500000), 499999);
        /* 80 MB as records; a few kB as runs. The MPD's text is libxml2's
         * to copy (15 MB with a million S); a tree would be about 500 MB. */
        print_message("form %d: model peak %zu bytes, libxml2 peak %zu bytes for %zu bytes\n",
                      form, model_mem.peak, xml_mem.peak - xml_before, strlen(text));
        assert_true(model_mem.peak < 1u << 20);
        assert_true(xml_mem.peak - xml_before < 3 * strlen(text) + (1u << 20));
        sv__model_destroy(pres);
        free(text);
        free(seg);
        free(timeline);
    }
    assert_int_equal(model_mem.now, 0);
}

/* Over the limit, the refusal names the element and the limit. */
static void too_many_s(void **state)
{
    const size_t N = 1000001;
    size_t cap = 256 + N * 12, len = 0;
    char *seg = malloc(cap);
    sv__dash_mpd *mpd = NULL;
    sv__parse_error err;
    (void)state;
    assert_non_null(seg);
    len = (size_t)snprintf(seg, cap, "<SegmentTemplate media=\"$Number$\"><SegmentTimeline>");
    for (size_t i = 0; i < N; i++)
        len += (size_t)snprintf(seg + len, cap - len, "<S d=\"%d\"/>", 1 + (int)(i % 2));
    snprintf(seg + len, cap - len, "</SegmentTimeline></SegmentTemplate>");
    char *text = mpd_with("PT2000000S", seg);
    assert_int_equal(sv__dash_parse(text, strlen(text), "http://h/m.mpd", NULL, &mpd, &err),
                     SV_ERR_PARSE);
    assert_non_null(strstr(err.message, "SegmentTimeline: more than 1000000 S elements"));
    assert_true(err.line > 0);
    free(text);
    free(seg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(runs_match_expand),
        cmocka_unit_test(timeline_entries_merge),
        cmocka_unit_test(million_segments),
        cmocka_unit_test(too_many_s),
    };
    /* Before libxml2 allocates anything: its memory is counted. */
    if (xmlMemSetup(xml_free, xml_malloc, xml_realloc, xml_strdup) != 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
