/*
 * `sidx` boxes: the one ffmpeg writes with -movflags +dash+global_sidx (a
 * version 1 box, checked against the moof/mdat sizes of the file it came
 * from), version 0 boxes built here from ISO/IEC 14496-12 8.16.3 behind a
 * `styp`, a two-level hierarchical index, and hostile boxes: every
 * truncation, reference counts that do not fit, zero timescale, offsets
 * that overflow, and references that fan out without end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "player/manifest/sidx.h"

/* ffmpeg -f lavfi -i testsrc2=d=6:s=320x180:r=24 -c:v libx264 -g 48
 * -movflags +dash+global_sidx: ftyp(32) moov(743) sidx(76) at 775, then
 * three moof(296)+mdat pairs at 851, 146948 and 310654. */
static const uint8_t ffmpeg_sidx[76] = {
    0x00, 0x00, 0x00, 0x4c, 's', 'i', 'd', 'x', 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
    0x00, 0x00, 0x30, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x02, 0x3a, 0xb1, 0x00, 0x00,
    0x60, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x02, 0x7f, 0x7a, 0x00, 0x00, 0x60, 0x00, 0x80,
    0x00, 0x00, 0x00, 0x00, 0x02, 0x62, 0x1f, 0x00, 0x00, 0x60, 0x00, 0x80, 0x00, 0x00, 0x00,
};

static size_t put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
    return 4;
}

typedef struct ref { int index; uint32_t size, duration; } ref;

/* A version 0 sidx: header, reference_ID 1, timescale, ept, first_offset,
 * reserved, count, then 12 bytes per reference (SAP type 1 at the start). */
static size_t build_sidx(uint8_t *p, uint32_t timescale, uint32_t ept, uint32_t first_offset,
                         const ref *refs, size_t n)
{
    size_t len = 32 + 12 * n, o = 0;
    o += put32(p + o, (uint32_t)len);
    memcpy(p + o, "sidx", 4);
    o += 4;
    o += put32(p + o, 0);
    o += put32(p + o, 1);
    o += put32(p + o, timescale);
    o += put32(p + o, ept);
    o += put32(p + o, first_offset);
    o += put32(p + o, (uint32_t)n); /* reserved 0, reference_count */
    for (size_t i = 0; i < n; i++) {
        o += put32(p + o, (uint32_t)refs[i].index << 31 | refs[i].size);
        o += put32(p + o, refs[i].duration);
        o += put32(p + o, 0x90000000u);
    }
    return o;
}

static int parse(const uint8_t *d, size_t n, int64_t off, sv__arena *a, sv__sidx *s)
{
    sv__parse_error err;
    return sv__sidx_parse(d, n, off, a, s, &err);
}

static void ffmpeg_global_sidx(void **state)
{
    sv__arena *a = sv__arena_create(NULL);
    static const int64_t off[] = { 851, 146948, 310654 };
    static const int64_t size[] = { 146097, 163706, 156191 }; /* moof 296 + mdat */
    sv__sidx s;
    (void)state;

    assert_int_equal(parse(ffmpeg_sidx, sizeof(ffmpeg_sidx), 775, a, &s), 0);
    assert_int_equal(s.version, 1);
    assert_int_equal(s.reference_id, 1);
    assert_int_equal(s.timescale, 12288);
    assert_int_equal(s.earliest_presentation_time, 0);
    assert_int_equal(s.nb_refs, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(s.refs[i].offset, off[i]);
        assert_int_equal(s.refs[i].size, size[i]);
        assert_int_equal(s.refs[i].duration, 24576); /* 2 s */
        assert_int_equal(s.refs[i].time, 24576 * i);
        assert_true(s.refs[i].starts_with_sap);
    }
    /* Every truncation is refused, none read past the end. */
    for (size_t n = 0; n < sizeof(ffmpeg_sidx); n++) {
        sv__parse_error err;
        assert_int_equal(sv__sidx_parse(ffmpeg_sidx, n, 775, a, &s, &err), SV_ERR_PARSE);
        assert_true(err.message[0] != '\0');
        assert_int_equal(s.nb_refs, 0);
    }
    sv__arena_destroy(a);
}

static void version0_after_styp(void **state)
{
    uint8_t buf[256];
    const ref refs[] = { { 0, 5000, 180000 }, { 0, 6000, 180000 } };
    sv__arena *a = sv__arena_create(NULL);
    sv__sidx s;
    (void)state;

    size_t o = put32(buf, 16);
    memcpy(buf + o, "stypmsdh", 8);
    o += 8;
    o += put32(buf + o, 0);
    size_t n = o + build_sidx(buf + o, 90000, 900, 100, refs, 2);
    assert_int_equal(n, 16 + 56);
    assert_int_equal(parse(buf, n, 1000, a, &s), 0);
    assert_int_equal(s.version, 0);
    assert_int_equal(s.timescale, 90000);
    assert_int_equal(s.nb_refs, 2);
    /* Anchor: first byte after the sidx (1000 + 72), plus first_offset 100. */
    assert_int_equal(s.refs[0].offset, 1172);
    assert_int_equal(s.refs[1].offset, 6172);
    assert_int_equal(s.refs[1].size, 6000);
    assert_int_equal(s.refs[0].time, 900);
    assert_int_equal(s.refs[1].time, 180900);
    assert_int_equal(s.refs[1].sap_type, 1);
    sv__arena_destroy(a);
}

static void hierarchical(void **state)
{
    uint8_t buf[512];
    sv__arena *a = sv__arena_create(NULL);
    sv__sidx s;
    (void)state;

    /* Top (56 bytes at 0) indexes two sidx boxes that follow it (56 bytes
     * each); their media starts after both, at 168. */
    const ref top[] = { { 1, 56, 4000 }, { 1, 56, 4000 } };
    const ref first[] = { { 0, 1000, 2000 }, { 0, 2000, 2000 } };
    const ref second[] = { { 0, 1500, 2000 }, { 0, 500, 2000 } };
    size_t n = build_sidx(buf, 1000, 0, 0, top, 2);
    n += build_sidx(buf + n, 1000, 0, 56, first, 2);
    n += build_sidx(buf + n, 1000, 4000, 3000, second, 2);
    assert_int_equal(n, 168);
    assert_int_equal(parse(buf, n, 0, a, &s), 0);
    assert_int_equal(s.nb_refs, 4);
    static const int64_t off[] = { 168, 1168, 3168, 4668 };
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(s.refs[i].offset, off[i]);
        assert_int_equal(s.refs[i].time, 2000 * i);
    }
    /* Only the top box fetched: its children are out of reach. */
    assert_int_equal(parse(buf, 56, 0, a, &s), SV_ERR_UNSUPPORTED);
    sv__arena_destroy(a);
}

static void hostile_boxes(void **state)
{
    uint8_t buf[4096];
    sv__arena *a = sv__arena_create(NULL);
    sv__parse_error err;
    sv__sidx s;
    const ref one[] = { { 0, 10, 10 } };
    (void)state;

    /* A reference count larger than the box holds. */
    size_t n = build_sidx(buf, 1000, 0, 0, one, 1);
    buf[31] = 2;
    assert_int_equal(sv__sidx_parse(buf, n, 0, a, &s, &err), SV_ERR_PARSE);
    assert_non_null(strstr(err.message, "do not fit"));
    /* Zero timescale. */
    n = build_sidx(buf, 0, 0, 0, one, 1);
    assert_int_equal(sv__sidx_parse(buf, n, 0, a, &s, &err), SV_ERR_PARSE);
    assert_non_null(strstr(err.message, "timescale"));
    /* A box claiming more bytes than were fetched. */
    n = build_sidx(buf, 1000, 0, 0, one, 1);
    put32(buf, 4000);
    assert_int_equal(parse(buf, n, 0, a, &s), SV_ERR_PARSE);
    /* No sidx at all. */
    assert_int_equal(sv__sidx_parse((const uint8_t *)"\0\0\0\x08" "free", 8, 0, a, &s, &err),
                     SV_ERR_PARSE);
    assert_non_null(strstr(err.message, "no sidx"));
    /* Offsets past INT64_MAX. */
    n = build_sidx(buf, 1000, 0, 0xffffffffu, one, 1);
    assert_int_equal(parse(buf, n, INT64_MAX - 100, a, &s), SV_ERR_PARSE);
    /* 100 zero-size index references to a box with 100 more, each to one
     * media reference: 10,000 boxes to read, refused before it explodes. */
    ref fan[100];
    for (size_t i = 0; i < 100; i++)
        fan[i] = (ref){ 1, 0, 10 };
    n = build_sidx(buf, 1000, 0, 0, fan, 100);
    n += build_sidx(buf + n, 1000, 0, 0, fan, 100);
    n += build_sidx(buf + n, 1000, 0, 0, one, 1);
    assert_int_equal(sv__sidx_parse(buf, n, 0, a, &s, &err), SV_ERR_PARSE);
    assert_non_null(strstr(err.message, "index boxes"));
    /* Index reference to a nested box with another timescale. */
    const ref idx[] = { { 1, 44, 10 } };
    n = build_sidx(buf, 1000, 0, 0, idx, 1);
    n += build_sidx(buf + n, 90000, 0, 0, one, 1);
    assert_int_equal(parse(buf, n, 0, a, &s), SV_ERR_UNSUPPORTED);
    sv__arena_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ffmpeg_global_sidx),
        cmocka_unit_test(version0_after_styp),
        cmocka_unit_test(hierarchical),
        cmocka_unit_test(hostile_boxes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
