/*
 * The built-in OSD font: every glyph is well formed and distinct where it
 * must be, and text is measured and drawn (with clipping) as documented.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "platform/sdl2/osd_font.h"

static int lit(const uint8_t rows[SV__OSD_GLYPH_H])
{
    int n = 0;
    for (int r = 0; r < SV__OSD_GLYPH_H; r++)
        for (int c = 0; c < SV__OSD_GLYPH_W; c++)
            n += (rows[r] >> c) & 1;
    return n;
}

static void test_glyphs(void **state)
{
    uint8_t a[SV__OSD_GLYPH_H], b[SV__OSD_GLYPH_H], q[SV__OSD_GLYPH_H];

    (void)state;
    sv__osd_glyph(' ', a);
    assert_int_equal(lit(a), 0);
    /* Every printable glyph but space has ink and fits in 5 bits. */
    for (int c = 33; c <= 126; c++) {
        sv__osd_glyph((unsigned char)c, a);
        assert_true(lit(a) > 0);
        for (int r = 0; r < SV__OSD_GLYPH_H; r++)
            assert_true(a[r] < 32);
    }
    /* Digits and letters are all different from each other. */
    const char *set = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    for (const char *x = set; *x; x++)
        for (const char *y = x + 1; *y; y++) {
            sv__osd_glyph((unsigned char)*x, a);
            sv__osd_glyph((unsigned char)*y, b);
            if (!memcmp(a, b, sizeof(a)))
                fail_msg("'%c' and '%c' look the same", *x, *y);
        }
    /* Bytes outside printable ASCII show as '?'. */
    sv__osd_glyph('?', q);
    sv__osd_glyph(0x7f, a);
    assert_memory_equal(a, q, sizeof(q));
    sv__osd_glyph(0xc3, a);
    assert_memory_equal(a, q, sizeof(q));
    /* A known shape: 'L' is a left column and a full bottom row. */
    sv__osd_glyph('L', a);
    for (int r = 0; r < 6; r++)
        assert_int_equal(a[r], 0x10);
    assert_int_equal(a[6], 0x1f);
}

static void test_measure(void **state)
{
    int cols, lines;

    (void)state;
    sv_sdl2_text_measure("", &cols, &lines);
    assert_int_equal(cols, 0);
    assert_int_equal(lines, 0);
    sv_sdl2_text_measure(NULL, &cols, &lines);
    assert_int_equal(lines, 0);
    sv_sdl2_text_measure("abc", &cols, &lines);
    assert_int_equal(cols, 3);
    assert_int_equal(lines, 1);
    sv_sdl2_text_measure("ab\nlonger line\n", &cols, &lines);
    assert_int_equal(cols, 11);
    assert_int_equal(lines, 2);
    sv_sdl2_text_measure("\n\nx", &cols, &lines);
    assert_int_equal(cols, 1);
    assert_int_equal(lines, 3);
}

static void test_draw(void **state)
{
    uint32_t px[20 * 12];
    uint8_t rows[SV__OSD_GLYPH_H];

    (void)state;
    memset(px, 0, sizeof(px));
    sv__osd_glyph('H', rows);
    int n = sv_sdl2_text_draw(px, 20, 20, 12, 1, 2, "H", 0xffu);
    assert_int_equal(n, lit(rows));
    /* 'H' row 3 is a full bar at y = 2 + 3, x = 1..5. */
    for (int x = 1; x <= 5; x++)
        assert_int_equal(px[5 * 20 + x], 0xffu);
    assert_int_equal(px[5 * 20 + 0], 0);
    assert_int_equal(px[5 * 20 + 6], 0);
    /* A second line starts one cell lower, at the left edge again. */
    memset(px, 0, sizeof(px));
    n = sv_sdl2_text_draw(px, 20, 20, 12, 0, 0, "\nH", 0xffu);
    /* Only glyph rows 0-2 (y 9..11) fit in 12 lines: two pixels each. */
    assert_int_equal(n, 6);
    /* Clipped on every side: never writes outside the buffer. */
    uint32_t guard[3 * 8 * 8];
    memset(guard, 0, sizeof(guard));
    n = sv_sdl2_text_draw(guard + 8 * 8, 8, 8, 8, -3, -3, "WW\nWW", 0xffu);
    for (int i = 0; i < 8 * 8; i++) {
        assert_int_equal(guard[i], 0);
        assert_int_equal(guard[2 * 8 * 8 + i], 0);
    }
    assert_true(n > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_glyphs),
        cmocka_unit_test(test_measure),
        cmocka_unit_test(test_draw),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
