/*
 * The CEA-708 (DTVCC) decoder (player/output/cea708*.c): packets from
 * cc_data triplets, service blocks (standard and extended numbers), the
 * code sets, windows and cues with their place and style, delays, and the
 * broken data it must skip and report, one report per piece.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "player/output/cea708.h"

typedef struct got {
    int nb_cues, nb_bad;
    double start[16], end[16];
    char text[16][256];
    sv_cue_style style[16];
    char why[256];
} got;

static void on_cue(void *opaque, const sv__dtvcc_cue *q)
{
    got *g = opaque;
    if (g->nb_cues < 16) {
        g->start[g->nb_cues] = q->start;
        g->end[g->nb_cues] = q->end;
        snprintf(g->text[g->nb_cues], sizeof(g->text[0]), "%s", q->text);
        g->style[g->nb_cues] = q->style;
        g->nb_cues++;
    }
}

static void on_bad(void *opaque, double pts, const char *why)
{
    got *g = opaque;
    (void)pts;
    g->nb_bad++;
    snprintf(g->why, sizeof(g->why), "%s", why);
}

typedef struct fixture {
    got g;
    sv__dtvcc_callbacks cb;
    sv__dtvcc *d;
    int seq;
} fixture;

static void start(fixture *f, int service)
{
    memset(f, 0, sizeof(*f));
    f->cb = (sv__dtvcc_callbacks){ .opaque = &f->g, .cue = on_cue, .bad = on_bad };
    assert_int_equal(sv__dtvcc_create(&f->d, NULL, service, &f->cb), 0);
}

/* One packet holding one block of `service` (extended header from 7 on),
 * fed as the cc_data of a frame at `pts`. */
static void block(fixture *f, double pts, int service, const uint8_t *data, size_t n)
{
    uint8_t bytes[128] = { 0 }, cc[3 * 64];
    size_t len = 1;

    if (service < 7) {
        bytes[len++] = (uint8_t)(service << 5 | n);
    } else {
        bytes[len++] = (uint8_t)(7 << 5 | n);
        bytes[len++] = (uint8_t)service;
    }
    memcpy(bytes + len, data, n);
    len += n;
    len += len & 1;
    bytes[0] = (uint8_t)(f->seq << 6 | (len == 128 ? 0 : len / 2));
    f->seq = (f->seq + 1) & 3;
    for (size_t i = 0; i < len; i += 2) {
        cc[3 * (i / 2)] = i ? 0xfe : 0xff;
        cc[3 * (i / 2) + 1] = bytes[i];
        cc[3 * (i / 2) + 2] = bytes[i + 1];
    }
    sv__dtvcc_feed(f->d, pts, cc, 3 * (len / 2));
}

#define BLOCK(f, pts, ...)                                                                    \
    do {                                                                                      \
        static const uint8_t b_[] = { __VA_ARGS__ };                                          \
        block((f), (pts), 1, b_, sizeof(b_));                                                 \
    } while (0)

/* DF0-7 hidden, relative anchor (v, h) at `point`, `rows` x 32, styles 1. */
#define DF(w, vis, point, v, h, rows)                                                         \
    (uint8_t)(0x98 + (w)), (uint8_t)((vis) << 5 | 0x18), (uint8_t)(0x80 | (v)), (uint8_t)(h), \
        (uint8_t)((point) << 4 | ((rows) - 1)), 31, 0x09

static void finish(fixture *f)
{
    sv__dtvcc_destroy(f->d);
}

static void popon_cue_with_place(void **state)
{
    fixture f;
    char screen[256];
    (void)state;

    start(&f, 1);
    BLOCK(&f, 0.5, DF(0, 0, 7, 90, 50, 2), 0x88, 0x01, 'H', 'E', 'L', 'L', 'O', 0x0d, 'W', 'O',
          'R', 'L', 'D');
    assert_int_equal(sv__dtvcc_screen(f.d, screen, sizeof(screen)), 0);
    assert_string_equal(screen, ""); /* loaded, hidden */
    BLOCK(&f, 1.0, 0x89, 0x01);      /* DSW */
    sv__dtvcc_screen(f.d, screen, sizeof(screen));
    assert_string_equal(screen, "HELLO\nWORLD");
    assert_true(fabs(sv__dtvcc_open_since(f.d) - 1.0) < 1e-9);
    BLOCK(&f, 2.5, 0x8a, 0x01); /* HDW */
    assert_int_equal(f.g.nb_cues, 1);
    assert_string_equal(f.g.text[0], "HELLO\nWORLD");
    assert_true(fabs(f.g.start[0] - 1.0) < 1e-9 && fabs(f.g.end[0] - 2.5) < 1e-9);
    /* Bottom centre at 90 %: 32 columns of 2.5 %, 2 rows of 80/15 %. */
    const sv_cue_style *st = &f.g.style[0];
    assert_true(fabs(st->width - 80) < 0.01 && fabs(st->height - 160.0f / 15) < 0.01);
    assert_true(fabs(st->x - 10) < 0.01 && fabs(st->y - (90 - 160.0f / 15)) < 0.01);
    assert_int_equal(st->display_align, SV_CUE_ALIGN_END);
    assert_int_equal(st->text_align, SV_CUE_ALIGN_START);
    assert_int_equal(st->color, 0xffffffffu);
    assert_int_equal(st->background, 0x000000ffu);
    assert_false(st->italic);
    assert_true(isinf(sv__dtvcc_open_since(f.d)));
    assert_int_equal(f.g.nb_bad, 0);
    assert_true(sv__dtvcc_services(f.d) == 2u);
    finish(&f);
}

static void cues_end_by_clear_delete_toggle_and_change(void **state)
{
    fixture f;
    (void)state;

    start(&f, 1);
    BLOCK(&f, 0.0, DF(0, 1, 0, 0, 0, 1), 'a');          /* visible at once */
    BLOCK(&f, 1.0, 'b');                                 /* paint-on: the text changes */
    BLOCK(&f, 2.0, 0x88, 0x01);                          /* CLW */
    BLOCK(&f, 3.0, 'c', 0x8b, 0x01);                     /* TGW: hidden */
    BLOCK(&f, 4.0, 0x8b, 0x01);                          /* TGW: shown */
    BLOCK(&f, 5.0, 0x8c, 0x01);                          /* DLW */
    BLOCK(&f, 6.0, DF(1, 1, 0, 0, 0, 1), 'd', 0x8f);     /* shown and reset in one frame */
    assert_int_equal(f.g.nb_cues, 3);
    assert_string_equal(f.g.text[0], "a");
    assert_true(f.g.start[0] == 0.0 && f.g.end[0] == 1.0);
    assert_string_equal(f.g.text[1], "ab");
    assert_true(f.g.start[1] == 1.0 && f.g.end[1] == 2.0);
    assert_string_equal(f.g.text[2], "c");
    assert_true(f.g.start[2] == 4.0 && f.g.end[2] == 5.0);
    assert_int_equal(f.g.nb_bad, 0);
    finish(&f);
}

static void code_sets(void **state)
{
    fixture f;
    char screen[256];
    (void)state;

    start(&f, 1);
    BLOCK(&f, 0.0, DF(0, 1, 0, 0, 0, 3), 0x7f, 0xe9, 0x10, 0x25, 0x10, 0x39, 0x10, 0x22, 0x10,
          0xa0, 0x10, 0xb5, 0x18, 0x26, 0x6a);
    /* C2 and C3 codes are skipped with their parameters. */
    BLOCK(&f, 0.1, 0x10, 0x02, 0x10, 0x0a, 'x', 0x10, 0x12, 'x', 'y', 0x10, 0x1a, 'x', 'y', 'z');
    BLOCK(&f, 0.15, 0x10, 0x84, 1, 2, 3, 4, 0x10, 0x8c, 1, 2, 3, 4, 5, 0x10, 0x92, 0x02, 'x', 'y',
          'A');
    /* Row 2: BS erases, HCR clears the row; row 3: FF clears all. */
    BLOCK(&f, 0.2, 0x0d, 'q', 'r', 0x08, 's', 0x0d, 'z', 'z', 0x0e, 't');
    sv__dtvcc_screen(f.d, screen, sizeof(screen));
    assert_string_equal(screen, "\xe2\x99\xaa\xc3\xa9\xe2\x80\xa6\xe2\x84\xa2_\xf0\x9f\x85\xad_"
                                "\xe2\x99\xaa" "A\nqs\nt");
    BLOCK(&f, 0.3, 0x0c, 'n', 'e', 'w');
    sv__dtvcc_screen(f.d, screen, sizeof(screen));
    assert_string_equal(screen, "new");
    assert_int_equal(f.g.nb_bad, 0);
    finish(&f);
}

static void roll_up_and_full_rows(void **state)
{
    fixture f;
    char screen[256];
    (void)state;

    start(&f, 1);
    BLOCK(&f, 0.0, DF(2, 1, 6, 95, 0, 2), 'o', 'n', 'e', 0x0d, 't', 'w', 'o', 0x0d, 't', 'h',
          'r', 'e', 'e');
    sv__dtvcc_screen(f.d, screen, sizeof(screen));
    assert_string_equal(screen, "two\nthree");
    /* 32 columns: what goes past the row's end is dropped (no word wrap). */
    uint8_t row[31] = { 0x0d };
    memset(row + 1, 'x', 30);
    block(&f, 0.1, 1, row, sizeof(row));
    memset(row, 'y', 10);
    block(&f, 0.2, 1, row, 10);
    sv__dtvcc_screen(f.d, screen, sizeof(screen));
    assert_string_equal(screen, "three\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxyy");
    finish(&f);
}

static void delay_and_cancel(void **state)
{
    fixture f;
    char screen[256];
    (void)state;

    start(&f, 1);
    BLOCK(&f, 0.0, DF(0, 1, 0, 0, 0, 1), 0x8d, 10, 'l', 'a', 't', 'e'); /* DLY 1 s */
    BLOCK(&f, 0.5, 'r');
    sv__dtvcc_screen(f.d, screen, sizeof(screen));
    assert_string_equal(screen, "");
    BLOCK(&f, 1.0, '!');
    sv__dtvcc_screen(f.d, screen, sizeof(screen));
    assert_string_equal(screen, "later!");
    BLOCK(&f, 2.0, 0x8d, 50, 'x');
    BLOCK(&f, 2.5, 'y', 0x8e, 'z'); /* DLC: what was held runs now */
    sv__dtvcc_screen(f.d, screen, sizeof(screen));
    assert_string_equal(screen, "later!xyz");
    BLOCK(&f, 3.0, 0x8d, 50, 'w');
    BLOCK(&f, 3.5, 0x8f); /* RST: held data dropped, windows deleted */
    sv__dtvcc_screen(f.d, screen, sizeof(screen));
    assert_string_equal(screen, "");
    assert_int_equal(f.g.nb_cues, 2);
    assert_string_equal(f.g.text[0], "later!");
    assert_true(f.g.start[0] == 1.0 && f.g.end[0] == 2.5);
    assert_string_equal(f.g.text[1], "later!xyz");
    assert_true(f.g.start[1] == 2.5 && f.g.end[1] == 3.5);
    finish(&f);
}

static void extended_services(void **state)
{
    fixture f;
    char screen[256];
    static const uint8_t text[] = { DF(0, 1, 0, 0, 0, 1), 'n', 'i', 'n', 'e' };
    static const uint8_t other[] = { DF(0, 1, 0, 0, 0, 1), 'n', 'o' };
    (void)state;

    start(&f, 9);
    block(&f, 0.0, 1, other, sizeof(other));
    block(&f, 0.1, 40, other, sizeof(other));
    block(&f, 0.2, 9, text, sizeof(text));
    sv__dtvcc_screen(f.d, screen, sizeof(screen));
    assert_string_equal(screen, "nine");
    assert_true(sv__dtvcc_services(f.d) == ((1ull << 1) | (1ull << 9) | (1ull << 40)));
    sv__dtvcc_services_clear(f.d);
    assert_true(sv__dtvcc_services(f.d) == 0);
    assert_int_equal(f.g.nb_bad, 0);
    finish(&f);
    assert_int_equal(sv__dtvcc_create(&f.d, NULL, 64, &f.cb), SV_ERR_INVALID);
}

static void style_from_pen_and_window(void **state)
{
    fixture f;
    (void)state;

    start(&f, 1);
    /* SWA: fill blue solid, centred; SPA italics and underline; SPC red on
     * transparent. */
    BLOCK(&f, 0.0, DF(3, 0, 4, 50, 50, 1), 0x97, 0x03, 0x00, 0x02, 0x00, 0x90, 0x05, 0xc0, 0x91,
          0x30, 0xc0, 0x00, 'r', 'e', 'd');
    BLOCK(&f, 1.0, 0x89, 0x08);
    BLOCK(&f, 2.0, 0x8a, 0x08);
    assert_int_equal(f.g.nb_cues, 1);
    const sv_cue_style *st = &f.g.style[0];
    assert_int_equal(st->color, 0xff0000ffu);
    assert_int_equal(st->background, 0x0000ffffu);
    assert_true(st->italic && st->underline);
    assert_int_equal(st->text_align, SV_CUE_ALIGN_CENTER);
    assert_int_equal(st->display_align, SV_CUE_ALIGN_CENTER);
    assert_true(fabs(st->x - 10) < 0.01 && fabs(st->y - (50 - 40.0f / 15)) < 0.01);
    finish(&f);
}

static void broken_data_reported_once_each(void **state)
{
    fixture f;
    char screen[256];
    (void)state;

    start(&f, 1);
    /* The six pieces sv-ccgen --bad-708 writes. */
    static const uint8_t bad[] = {
        0xff, 0x04, 0x21, 0xfe, 0x03, 0x00, /* 8 bytes announced, 4 sent */
        0xff, 0x42, 0x2a, 0xfe, 0x41, 0x42, /* block of 10 in a 4-byte packet */
        0xff, 0x82, 0x21, 0xfe, 0x87, 0x00, /* CW7 */
        0xff, 0xc2, 0x22, 0xfe, 0x98, 0x01, /* DF0 with 1 of its 6 bytes */
        0xff, 0x42, 0x21, 0xfe, 0x03, 0x00, /* sequence 1 after 3 */
        0xfe, 0x41, 0x42,                   /* after a complete packet */
    };
    sv__dtvcc_feed(f.d, 0.0, bad, sizeof(bad));
    assert_int_equal(f.g.nb_bad, 6);
    assert_non_null(strstr(f.g.why, "outside"));
    /* Text with no window, and a command cut by its block's end. */
    f.seq = 2; /* after the packet numbered 1 */
    BLOCK(&f, 0.1, 'x');
    assert_int_equal(f.g.nb_bad, 7);
    assert_non_null(strstr(f.g.why, "no window"));
    BLOCK(&f, 0.2, DF(0, 1, 0, 0, 0, 1), 'o', 'k', 0x91, 0x3f);
    assert_int_equal(f.g.nb_bad, 8);
    assert_non_null(strstr(f.g.why, "cut short"));
    sv__dtvcc_screen(f.d, screen, sizeof(screen));
    assert_string_equal(screen, "ok"); /* what came before it stands */
    /* After a reset, data before the next start is the stream joined late. */
    sv__dtvcc_reset(f.d);
    static const uint8_t late[] = { 0xfe, 0x41, 0x42, 0xfa, 0x00, 0x00 };
    sv__dtvcc_feed(f.d, 0.3, late, sizeof(late));
    assert_int_equal(f.g.nb_bad, 8);
    sv__dtvcc_screen(f.d, screen, sizeof(screen));
    assert_string_equal(screen, "");
    assert_int_equal(f.g.nb_cues, 0); /* the open cue went with the reset */
    finish(&f);
}

static void long_packet(void **state)
{
    fixture f;
    char screen[256];
    uint8_t data[31];
    (void)state;

    start(&f, 1);
    BLOCK(&f, 0.0, DF(0, 1, 0, 0, 0, 4));
    /* A 128-byte packet (size code 0) of four blocks. */
    uint8_t cc[3 * 64], bytes[128] = { 0 };
    size_t len = 1;
    for (int b = 0; b < 4; b++) { /* 1 + 3 x 32 + 31 bytes: rows of 30 */
        size_t n = b < 3 ? 31 : 30;
        memset(data, 'a' + b, sizeof(data));
        data[30] = 0x0d;
        bytes[len++] = (uint8_t)(1 << 5 | n);
        memcpy(bytes + len, data, n);
        len += n;
    }
    assert_int_equal(len, 128);
    bytes[0] = (uint8_t)(1 << 6); /* sequence 1, size code 0 */
    for (size_t i = 0; i < 128; i += 2) {
        cc[3 * (i / 2)] = i ? 0xfe : 0xff;
        cc[3 * (i / 2) + 1] = bytes[i];
        cc[3 * (i / 2) + 2] = bytes[i + 1];
    }
    sv__dtvcc_feed(f.d, 0.1, cc, sizeof(cc));
    sv__dtvcc_screen(f.d, screen, sizeof(screen));
    assert_int_equal(strlen(screen), 4 * 30 + 3);
    assert_int_equal(f.g.nb_bad, 0);
    finish(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(popon_cue_with_place),
        cmocka_unit_test(cues_end_by_clear_delete_toggle_and_change),
        cmocka_unit_test(code_sets),
        cmocka_unit_test(roll_up_and_full_rows),
        cmocka_unit_test(delay_and_cancel),
        cmocka_unit_test(extended_services),
        cmocka_unit_test(style_from_pen_and_window),
        cmocka_unit_test(broken_data_reported_once_each),
        cmocka_unit_test(long_packet),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
