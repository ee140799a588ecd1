/*
 * emsg boxes: version 0 and version 1 built from ISO/IEC 23009-1 5.10.3.3
 * inside a segment (styp, emsg, emsg, moof, mdat), and hostile boxes: every
 * truncation, strings without their NUL, a zero timescale, an unknown
 * version, an empty scheme; a malformed box between two good ones does not
 * hide them, and a segment that is not ISO-BMFF (MPEG-TS) has none.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "player/manifest/emsg.h"

static size_t put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
    return 4;
}

static size_t put_str(uint8_t *p, const char *s)
{
    size_t n = strlen(s) + 1;
    memcpy(p, s, n);
    return n;
}

static size_t box_start(uint8_t *p, const char *type)
{
    memcpy(p + 4, type, 4);
    return 8;
}

static size_t box_end(uint8_t *p, size_t len)
{
    put32(p, (uint32_t)len);
    return len;
}

static size_t emsg_v0(uint8_t *p, const char *scheme, const char *value, uint32_t ts,
                      uint32_t delta, uint32_t dur, uint32_t id, const char *data)
{
    size_t o = box_start(p, "emsg");
    o += put32(p + o, 0); /* version 0, flags */
    o += put_str(p + o, scheme);
    o += put_str(p + o, value);
    o += put32(p + o, ts);
    o += put32(p + o, delta);
    o += put32(p + o, dur);
    o += put32(p + o, id);
    memcpy(p + o, data, strlen(data));
    o += strlen(data);
    return box_end(p, o);
}

static size_t emsg_v1(uint8_t *p, const char *scheme, const char *value, uint32_t ts,
                      uint64_t time, uint32_t dur, uint32_t id, const uint8_t *data, size_t n)
{
    size_t o = box_start(p, "emsg");
    o += put32(p + o, 0x01000000u);
    o += put32(p + o, ts);
    o += put32(p + o, (uint32_t)(time >> 32));
    o += put32(p + o, (uint32_t)time);
    o += put32(p + o, dur);
    o += put32(p + o, id);
    o += put_str(p + o, scheme);
    o += put_str(p + o, value);
    memcpy(p + o, data, n);
    o += n;
    return box_end(p, o);
}

typedef struct seen {
    sv__emsg e[4];
    char msg[4][200];
    int good, bad;
} seen;

static int collect(void *opaque, const sv__emsg *e, const sv__parse_error *err)
{
    seen *s = opaque;
    int k = s->good + s->bad;
    if (k < 4) {
        if (e)
            s->e[k] = *e;
        else
            memcpy(s->msg[k], err->message, sizeof(s->msg[k]));
    }
    if (e)
        s->good++;
    else
        s->bad++;
    return 0;
}

static void two_versions_in_a_segment(void **state)
{
    (void)state;
    uint8_t seg[1024];
    size_t o = 0;
    o += box_end(seg + o, box_start(seg + o, "styp") + 8);
    o += emsg_v0(seg + o, "urn:example:ad", "1", 1000, 2500, 10000, 7, "hello");
    static const uint8_t bin[3] = { 0xFC, 0x00, 0x11 };
    o += emsg_v1(seg + o, "urn:scte:scte35:2013:bin", "", 90000, 0x100000000ull + 90000, 0xFFFFFFFF,
                 8, bin, sizeof(bin));
    o += box_end(seg + o, box_start(seg + o, "moof"));
    o += box_end(seg + o, box_start(seg + o, "mdat") + 100);
    seen s = { 0 };
    assert_int_equal(sv__emsg_each(seg, o, collect, &s), 2);
    assert_int_equal(s.good, 2);
    assert_int_equal(s.e[0].version, 0);
    assert_string_equal(s.e[0].scheme, "urn:example:ad");
    assert_string_equal(s.e[0].value, "1");
    assert_int_equal(s.e[0].timescale, 1000);
    assert_int_equal(s.e[0].time, 2500);
    assert_int_equal(s.e[0].duration, 10000);
    assert_int_equal(s.e[0].id, 7);
    assert_int_equal(s.e[0].data_size, 5);
    assert_memory_equal(s.e[0].data, "hello", 5);
    assert_int_equal(s.e[1].version, 1);
    assert_string_equal(s.e[1].scheme, "urn:scte:scte35:2013:bin");
    assert_string_equal(s.e[1].value, "");
    assert_int_equal(s.e[1].time, 0x100000000ull + 90000);
    assert_int_equal(s.e[1].duration, 0xFFFFFFFFu);
    assert_int_equal(s.e[1].data_size, 3);
    assert_memory_equal(s.e[1].data, bin, 3);
}

static void expect_bad(const uint8_t *box, size_t n, const char *words)
{
    sv__emsg e;
    sv__parse_error err = { 0 };
    assert_int_equal(sv__emsg_parse(box + 8, n - 8, &e, &err), SV_ERR_PARSE);
    if (words && !strstr(err.message, words)) {
        print_error("\"%s\" lacks \"%s\"\n", err.message, words);
        fail();
    }
}

static void malformed(void **state)
{
    (void)state;
    uint8_t b[256];
    size_t n = emsg_v0(b, "urn:x", "v", 1000, 0, 0, 1, "");
    /* Every cut of the payload (no message data: all of it is needed). */
    for (size_t k = 8; k < n; k++) {
        sv__emsg e;
        sv__parse_error err = { 0 };
        assert_int_equal(sv__emsg_parse(b + 8, k - 8, &e, &err), SV_ERR_PARSE);
    }
    expect_bad(b, 10, "fewer than its version");
    expect_bad(b, 14, "scheme_id_uri has no end");
    expect_bad(b, 20, "16 bytes of times");
    n = emsg_v0(b, "urn:x", "v", 0, 0, 0, 1, "");
    expect_bad(b, n, "timescale is 0");
    n = emsg_v0(b, "", "v", 1, 0, 0, 1, "");
    expect_bad(b, n, "scheme_id_uri is empty");
    n = emsg_v0(b, "urn:x", "v", 1, 0, 0, 1, "");
    b[8] = 2;
    expect_bad(b, n, "version 2");
    static const uint8_t none[1] = { 0 };
    n = emsg_v1(b, "urn:x", "v", 1, 5, 0, 1, none, 0);
    expect_bad(b, 20, "version 1 needs 20 bytes");
    expect_bad(b, n - 1, "value has no end");
    for (size_t k = 8; k < n; k++) {
        sv__emsg e;
        sv__parse_error err = { 0 };
        assert_int_equal(sv__emsg_parse(b + 8, k - 8, &e, &err), SV_ERR_PARSE);
    }
}

static void bad_box_between_good_ones(void **state)
{
    (void)state;
    uint8_t seg[512];
    size_t o = 0;
    o += emsg_v0(seg + o, "urn:a", "", 1, 0, 0, 1, "x");
    size_t bad = o;
    o += emsg_v0(seg + o, "urn:b", "", 0, 0, 0, 2, "y"); /* timescale 0 */
    (void)bad;
    o += emsg_v0(seg + o, "urn:c", "", 1, 0, 0, 3, "z");
    seen s = { 0 };
    assert_int_equal(sv__emsg_each(seg, o, collect, &s), 3);
    assert_int_equal(s.good, 2);
    assert_int_equal(s.bad, 1);
    assert_non_null(strstr(s.msg[1], "timescale is 0"));
    assert_string_equal(s.e[2].scheme, "urn:c");

    /* A box that runs past the segment: the walk stops with an error after
     * handing over the boxes before it. */
    put32(seg + bad, 4000);
    memset(&s, 0, sizeof(s));
    assert_int_equal(sv__emsg_each(seg, o, collect, &s), SV_ERR_PARSE);
    assert_int_equal(s.good, 1);

    /* MPEG-TS: no boxes at all. */
    uint8_t ts[188] = { 0x47, 0x40, 0x00, 0x10 };
    assert_int_equal(sv__emsg_each(ts, sizeof(ts), collect, &s), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(two_versions_in_a_segment),
        cmocka_unit_test(malformed),
        cmocka_unit_test(bad_box_between_good_ones),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
