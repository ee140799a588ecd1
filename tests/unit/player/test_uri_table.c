/*
 * Segment URLs as patterns and numbers (player/model/uri_table.h): every
 * URL comes back byte for byte; numbered runs share one pattern across
 * widths and digit counts; a digit in the extension (".m4s", ".mp4") or the
 * host does not split the pattern wrongly for long; byte ranges of one file
 * share it; a few alternating files share theirs; limits are refused; and
 * a HLS media playlist of a million segments reaches the model as one
 * pattern, 80 bytes a segment, through sv__hls_parse_each().
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
#include "player/model/uri_table.h"

/* Segment i of rep by value, and a pointer to such a copy that lives to the
 * end of the enclosing block (sv__rep_segment). */
#define SEG(rep, i) sv__rep_segment((rep), (size_t)(i))
#define SEGP(rep, i) (&(sv__segment[1]){ SEG(rep, i) }[0])

typedef struct fixture {
    sv__arena *arena;
    sv__uri_table *t;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    f->arena = sv__arena_create(NULL);
    f->t = sv__uri_table_create(f->arena);
    *state = f;
    return f->t ? 0 : -1;
}

static int teardown(void **state)
{
    fixture *f = *state;
    sv__arena_destroy(f->arena);
    free(f);
    return 0;
}

/* Adds url and checks it comes back whole; returns its pattern. */
static uint32_t roundtrip(sv__uri_table *t, const char *url)
{
    uint32_t k;
    uint64_t n;
    char buf[SV__URL_MAX];
    assert_int_equal(sv__uri_table_add(t, url, strlen(url), &k, &n), 0);
    const char *back = sv__uri_table_format(t, k, n, buf, sizeof(buf));
    assert_non_null(back);
    assert_string_equal(back, url);
    return k;
}

static void test_numbered(void **state)
{
    fixture *f = *state;
    char url[128];
    uint32_t first = 0, k = 0;
    /* Zero-padded to 5, then past 99999 (6 and 7 digits): one pattern
     * after the first two URLs show where the number is. */
    for (int i = 1; i <= 300; i++) {
        int n = i <= 100 ? i : i <= 200 ? 99900 + i : 999900 + i;
        snprintf(url, sizeof(url), "http://127.0.0.1:8080/dash/chunk-stream0-%05d.m4s", n);
        k = roundtrip(f->t, url);
        if (i == 2)
            first = k;
    }
    assert_int_equal(k, first);
    assert_true(sv__uri_table_patterns(f->t) <= 2);
    /* Unpadded numbers, a query with digits of its own. */
    for (int i = 8; i <= 12; i++) {
        snprintf(url, sizeof(url), "https://cdn.example/v/seg%d.ts?token=12345&exp=99", i);
        roundtrip(f->t, url);
    }
    assert_true(sv__uri_table_patterns(f->t) <= 4);
}

static void test_unnumbered(void **state)
{
    fixture *f = *state;
    size_t before = sv__uri_table_patterns(f->t);
    /* Byte ranges of one file: the same URL, one pattern. */
    uint32_t a = roundtrip(f->t, "http://h/m/main.mp4");
    for (int i = 0; i < 50; i++)
        assert_int_equal(roundtrip(f->t, "http://h/m/main.mp4"), a);
    /* No digits at all. */
    uint32_t b = roundtrip(f->t, "http://h/m/video.ts");
    assert_int_equal(roundtrip(f->t, "http://h/m/video.ts"), b);
    /* Two files taking turns (audio and video ranges) share theirs too. */
    uint32_t v = roundtrip(f->t, "http://h/m/v.mp4"), au = roundtrip(f->t, "http://h/m/a.mp4");
    for (int i = 0; i < 20; i++) {
        assert_int_equal(roundtrip(f->t, "http://h/m/v.mp4"), v);
        assert_int_equal(roundtrip(f->t, "http://h/m/a.mp4"), au);
    }
    assert_int_equal(sv__uri_table_patterns(f->t), before + 4);
    /* Names with nothing in common still come back whole. */
    roundtrip(f->t, "http://h/x/3f9a0c.ts");
    roundtrip(f->t, "http://h/x/b77e10.ts");
    roundtrip(f->t, "http://h/x/0.ts");
    roundtrip(f->t, "http://h/x/00.ts");
    roundtrip(f->t, "http://h/x/123456789012345678901234567890.ts");
}

static void test_limits(void **state)
{
    fixture *f = *state;
    uint32_t k;
    uint64_t n;
    char buf[64];
    static char longurl[SV__URL_MAX + 1];
    memset(longurl, 'a', SV__URL_MAX);
    memcpy(longurl, "http://h/", 9);
    longurl[SV__URL_MAX] = '\0';
    assert_int_equal(sv__uri_table_add(f->t, longurl, SV__URL_MAX, &k, &n), SV_ERR_OVERFLOW);
    /* The longest allowed comes back in a buffer of SV__URL_MAX. */
    longurl[SV__URL_MAX - 1] = '\0';
    roundtrip(f->t, longurl);
    /* A buffer too small, an unknown pattern: NULL, nothing written past. */
    assert_int_equal(sv__uri_table_add(f->t, "http://h/seg_1.ts", 17, &k, &n), 0);
    assert_null(sv__uri_table_format(f->t, k, n, buf, 10));
    assert_null(sv__uri_table_format(f->t, 100000, 0, buf, sizeof(buf)));
}

static int count_segment(void *opaque, const sv__hls_playlist *pl, const sv__hls_segment *seg)
{
    size_t *n = opaque;
    (void)pl;
    assert_int_equal(seg->sequence, (int64_t)(10 + *n));
    (*n)++;
    return *n == 3 ? SV_ERR_INVALID : 0; /* the callback can stop the parse */
}

static void test_parse_each(void **state)
{
    static const char pl_text[] =
        "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:10\n"
        "#EXTINF:2,one\nseg_10.ts\n#EXTINF:2,\nseg_11.ts\n#EXTINF:2,\nseg_12.ts\n"
        "#EXTINF:2,\nseg_13.ts\n#EXT-X-ENDLIST\n";
    sv__hls_playlist *pl = NULL;
    sv__parse_error err;
    size_t n = 0;
    (void)state;
    assert_int_equal(sv__hls_parse_each(pl_text, sizeof(pl_text) - 1, "http://h/p.m3u8", NULL,
                                        count_segment, &n, &pl, &err),
                     SV_ERR_INVALID);
    assert_null(pl);
    assert_int_equal(n, 3);
    assert_int_equal(err.line, 9);
    assert_non_null(strstr(err.message, "segment 12 refused"));
}

/* A million segments: one pattern, 80 bytes each (LP64), every URL whole. */
static void test_million(void **state)
{
    const size_t N = 1000000;
    size_t cap = 64 + N * 34;
    char *text = malloc(cap), url[SV__URL_MAX];
    size_t len = (size_t)snprintf(text, cap, "#EXTM3U\n#EXT-X-TARGETDURATION:2\n"
                                             "#EXT-X-PLAYLIST-TYPE:VOD\n");
    sv__presentation *pres = NULL;
    sv__parse_error err;
    (void)state;
    for (size_t i = 0; i < N; i++)
        len += (size_t)snprintf(text + len, cap - len, "#EXTINF:2.000,\nseg_%07zu.ts\n", i);
    len += (size_t)snprintf(text + len, cap - len, "#EXT-X-ENDLIST\n");
    assert_int_equal(sv__model_create(SV__SOURCE_HLS, text, len, "http://127.0.0.1:8080/big/v.m3u8",
                                      0, NULL, &pres, &err), 0);
    const sv__rep *rep = &pres->periods[0].tracks[0].reps[0];
    assert_int_equal(rep->nb_segs, N);
    assert_true(sv__uri_table_patterns(rep->uris) <= 2);
    if (sizeof(void *) == 8)
        assert_int_equal(sizeof(sv__segment), 80);
    assert_string_equal(sv__segment_url(rep, SEGP(rep, 0), url, sizeof(url)),
                        "http://127.0.0.1:8080/big/seg_0000000.ts");
    assert_string_equal(sv__segment_url(rep, SEGP(rep, N - 1), url, sizeof(url)),
                        "http://127.0.0.1:8080/big/seg_0999999.ts");
    assert_true(SEG(rep, N - 1).start > 1999997.9 && SEG(rep, N - 1).start < 1999998.1);
    assert_int_equal(SEG(rep, N - 1).number, (int64_t)N - 1);
    assert_true(pres->duration > 1999999.9);
    sv__model_destroy(pres);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_numbered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unnumbered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
        cmocka_unit_test(test_parse_each),
        cmocka_unit_test(test_million),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
