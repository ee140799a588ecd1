/*
 * cea708_service.c - one DTVCC caption service per CEA-708-E: the code
 * space (C0, G0, C1, G1 and, after EXT1, C2, G2, C3, G3), the eight
 * windows with their pens, the delay commands, and the cues made from what
 * the windows show (cea708.h).
 *
 * A command is measured before it runs (command_size), so a block that ends
 * inside a command's parameters is cut there, and the held data of a delay
 * can be scanned for the commands that act at once (DLC, RST).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "player/output/cea708_internal.h"

/* The G2 characters CEA-708-E defines (others show as '_'). */
static const struct { uint8_t code; uint16_t ch; } g2_chars[] = {
    { 0x20, ' ' },    { 0x21, 0x00a0 }, { 0x25, 0x2026 }, { 0x2a, 0x0160 }, { 0x2c, 0x0152 },
    { 0x30, 0x2588 }, { 0x31, 0x2018 }, { 0x32, 0x2019 }, { 0x33, 0x201c }, { 0x34, 0x201d },
    { 0x35, 0x2022 }, { 0x39, 0x2122 }, { 0x3a, 0x0161 }, { 0x3c, 0x0153 }, { 0x3d, 0x2120 },
    { 0x3f, 0x0178 }, { 0x76, 0x215b }, { 0x77, 0x215c }, { 0x78, 0x215d }, { 0x79, 0x215e },
    { 0x7a, 0x2502 }, { 0x7b, 0x2510 }, { 0x7c, 0x2514 }, { 0x7d, 0x2500 }, { 0x7e, 0x2518 },
    { 0x7f, 0x250c },
};

#define WHITE_SOLID 0x3f
#define BLACK_SOLID 0x00
#define TRANSPARENT 0xc0

/* The size of the command at b[0] with its parameters, or 0 when the block
 * ends before them. */
static size_t command_size(const uint8_t *b, size_t n)
{
    static const uint8_t c1_params[32] = {
        0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, /* CW0-7, CLW..DLY, DLC, RST */
        2, 3, 2, 0, 0, 0, 0, 4, 6, 6, 6, 6, 6, 6, 6, 6  /* SPA, SPC, SPL, -, SWA, DF0-7 */
    };
    uint8_t c = b[0];
    size_t size = 1;

    if (c == 0x10) { /* EXT1 */
        if (n < 2)
            return 0;
        uint8_t e = b[1];
        if (e < 0x20) /* C2: 0, 1, 2 or 3 parameter bytes by range */
            size = 2 + e / 8;
        else if (e >= 0x80 && e < 0x88) /* C3 */
            size = 6;
        else if (e >= 0x88 && e < 0x90)
            size = 7;
        else if (e >= 0x90 && e < 0xa0) /* variable: a length byte, then that many */
            size = n < 3 ? 3 : 3 + (b[2] & 0x1fu);
        else
            size = 2; /* G2, G3 */
    } else if (c > 0x10 && c < 0x18) {
        size = 2;
    } else if (c >= 0x18 && c < 0x20) {
        size = 3;
    } else if (c >= 0x80 && c < 0xa0) {
        size = 1 + (size_t)c1_params[c - 0x80];
    }
    return size <= n ? size : 0;
}

/* ---- windows ------------------------------------------------------------- */

static void clear_window(sv__dtvcc_window *w)
{
    memset(w->cells, 0, sizeof(w->cells));
    w->row = w->col = 0;
}

/* Predefined window styles 1-7 (CEA-708-E table 22): justification and fill. */
static void window_style(sv__dtvcc_window *w, int style)
{
    w->justify = style == 3 || style == 6 ? 2 : 0;
    w->fill = style == 2 || style == 5 ? TRANSPARENT : BLACK_SOLID;
}

/* Predefined pen styles 1-7 (table 23): white on black, 6 and 7 on no background. */
static void pen_style(sv__dtvcc_window *w, int style)
{
    memset(&w->pen, 0, sizeof(w->pen));
    w->pen.fg = WHITE_SOLID;
    w->pen.bg = style >= 6 ? TRANSPARENT : BLACK_SOLID;
}

static void define_window(sv__dtvcc_service *s, int id, const uint8_t *p)
{
    sv__dtvcc_window *w = &s->win[id];
    int fresh = !w->defined;

    if (fresh) {
        clear_window(w);
        w->defined = 1;
    }
    w->visible = (p[0] >> 5) & 1;
    w->relative = p[1] >> 7;
    w->anchor_v = p[1] & 0x7f;
    w->anchor_h = p[2];
    w->anchor_point = p[3] >> 4;
    if (w->anchor_point > 8)
        w->anchor_point = 0;
    w->rows = (p[3] & 0x0f) + 1;
    if (w->rows > SV__DTVCC_ROWS)
        w->rows = SV__DTVCC_ROWS;
    w->cols = (p[4] & 0x3f) + 1;
    if (w->cols > SV__DTVCC_COLS)
        w->cols = SV__DTVCC_COLS;
    int ws = (p[5] >> 3) & 7, ps = p[5] & 7;
    if (ws || fresh)
        window_style(w, ws ? ws : 1);
    if (ps || fresh)
        pen_style(w, ps ? ps : 1);
    if (w->row >= w->rows)
        w->row = w->rows - 1;
    if (w->col > w->cols)
        w->col = w->cols;
    s->current = id;
}

static void put_char(sv__dtvcc_window *w, uint32_t ch)
{
    if (w->col >= w->cols)
        return; /* no word wrap: the row is full */
    sv__dtvcc_cell *c = &w->cells[w->row][w->col++];
    *c = w->pen;
    c->ch = ch;
}

static void carriage_return(sv__dtvcc_window *w)
{
    w->col = 0;
    if (w->row + 1 < w->rows) {
        w->row++;
        return;
    }
    /* The last row: the text rolls up a row. */
    memmove(w->cells[0], w->cells[1], (size_t)(w->rows - 1) * sizeof(w->cells[0]));
    memset(w->cells[w->rows - 1], 0, sizeof(w->cells[0]));
}

/* ---- commands ------------------------------------------------------------ */

typedef struct run {
    sv__dtvcc_service *s;
    double pts;
    const char *bad;      /* the block's first problem */
    char why[96];
} run;

static void problem(run *r, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static void problem(run *r, const char *fmt, ...)
{
    va_list ap;

    if (r->bad)
        return;
    va_start(ap, fmt);
    vsnprintf(r->why, sizeof(r->why), fmt, ap);
    va_end(ap);
    r->bad = r->why;
}

/* The current window, or NULL with a problem noted for command `c`. */
static sv__dtvcc_window *current(run *r, unsigned c)
{
    if (r->s->current < 0) {
        problem(r, "command or text 0x%02x with no window defined", c);
        return NULL;
    }
    return &r->s->win[r->s->current];
}

static void text(run *r, unsigned c, uint32_t ch)
{
    sv__dtvcc_window *w = current(r, c);
    if (w)
        put_char(w, ch);
}

static uint32_t g2_char(uint8_t e)
{
    for (size_t i = 0; i < sizeof(g2_chars) / sizeof(g2_chars[0]); i++)
        if (g2_chars[i].code == e)
            return g2_chars[i].ch;
    return '_';
}

static void c0(run *r, const uint8_t *p)
{
    sv__dtvcc_window *w;

    switch (p[0]) {
    case 0x08: /* BS */
        if ((w = current(r, p[0])) && w->col > 0)
            memset(&w->cells[w->row][--w->col], 0, sizeof(sv__dtvcc_cell));
        break;
    case 0x0c: /* FF: clear the window, pen to the top left */
        if ((w = current(r, p[0])))
            clear_window(w);
        break;
    case 0x0d: /* CR */
        if ((w = current(r, p[0])))
            carriage_return(w);
        break;
    case 0x0e: /* HCR: clear the row, pen to its start */
        if ((w = current(r, p[0]))) {
            memset(w->cells[w->row], 0, sizeof(w->cells[0]));
            w->col = 0;
        }
        break;
    case 0x10: { /* EXT1: G2 and G3 characters; C2 and C3 are skipped */
        uint8_t e = p[1];
        if (e >= 0x20 && e < 0x80)
            text(r, e, g2_char(e));
        else if (e >= 0xa0)
            text(r, e, e == 0xa0 ? 0x1f16d : '_'); /* the [CC] sign */
        break;
    }
    case 0x18: { /* P16: a 16-bit character */
        uint32_t ch = (uint32_t)p[1] << 8 | p[2];
        text(r, p[0], ch >= 0x20 && (ch < 0xd800 || ch > 0xdfff) ? ch : '_');
        break;
    }
    default: /* NUL, ETX and the unassigned codes do nothing */
        break;
    }
}

typedef void (*window_op)(sv__dtvcc_service *s, int id);

static void op_clear(sv__dtvcc_service *s, int id) { clear_window(&s->win[id]); }
static void op_show(sv__dtvcc_service *s, int id) { s->win[id].visible = 1; }
static void op_hide(sv__dtvcc_service *s, int id) { s->win[id].visible = 0; }
static void op_toggle(sv__dtvcc_service *s, int id) { s->win[id].visible ^= 1; }
static void op_delete(sv__dtvcc_service *s, int id)
{
    s->win[id].defined = s->win[id].visible = 0;
    if (s->current == id)
        s->current = -1;
}

/* Windows named in a bitmap that are not defined are passed over, as
 * encoders send "all windows" freely. */
static void each_window(sv__dtvcc_service *s, uint8_t map, window_op op)
{
    for (int i = 0; i < 8; i++)
        if ((map >> i & 1) && s->win[i].defined)
            op(s, i);
}

static void set_attributes(run *r, const uint8_t *p)
{
    sv__dtvcc_window *w = current(r, p[0]);
    if (!w)
        return;
    switch (p[0]) {
    case 0x90: /* SPA: italics and underline (size, font and edges are not drawn) */
        w->pen.italic = p[2] >> 7;
        w->pen.underline = (p[2] >> 6) & 1;
        break;
    case 0x91: /* SPC: foreground and background (edge colour not drawn) */
        w->pen.fg = p[1];
        w->pen.bg = p[2];
        break;
    case 0x92: /* SPL */
        w->row = p[1] & 0x0f;
        w->col = p[2] & 0x3f;
        if (w->row >= w->rows)
            w->row = w->rows - 1;
        if (w->col > w->cols)
            w->col = w->cols;
        break;
    case 0x97: /* SWA: fill and justification */
        w->fill = p[1];
        w->justify = p[3] & 3;
        break;
    }
}

static void c1(run *r, const uint8_t *p)
{
    sv__dtvcc_service *s = r->s;
    uint8_t c = p[0];

    if (c <= 0x87) { /* CWn */
        if (s->win[c & 7].defined)
            s->current = c & 7;
        else
            problem(r, "CW%u: window not defined", c & 7u);
    } else if (c == 0x88) {
        each_window(s, p[1], op_clear);
    } else if (c == 0x89) {
        each_window(s, p[1], op_show);
    } else if (c == 0x8a) {
        each_window(s, p[1], op_hide);
    } else if (c == 0x8b) {
        each_window(s, p[1], op_toggle);
    } else if (c == 0x8c) {
        each_window(s, p[1], op_delete);
    } else if (c == 0x8d) { /* DLY: tenths of a second */
        s->delaying = 1;
        s->delay_until = r->pts + p[1] / 10.0;
    } else if (c == 0x8e) { /* DLC */
        s->delaying = 0;
    } else if (c == 0x8f) { /* RST */
        each_window(s, 0xff, op_delete);
        s->delaying = 0;
    } else if (c >= 0x98) {
        define_window(s, c - 0x98, p + 1);
    } else {
        set_attributes(r, p);
    }
}

static void execute(run *r, const uint8_t *p)
{
    uint8_t c = p[0];

    if (c < 0x20)
        c0(r, p);
    else if (c < 0x80)
        text(r, c, c == 0x7f ? 0x266a : c); /* G0, the music note at 0x7f */
    else if (c < 0xa0)
        c1(r, p);
    else
        text(r, c, c); /* G1: Latin-1 */
}

static void hold(sv__dtvcc_service *s, const uint8_t *b, size_t n)
{
    if (n > sizeof(s->held) - s->nb_held) {
        s->delaying = 0; /* more than a delay may hold: it ends now */
        return;
    }
    memcpy(s->held + s->nb_held, b, n);
    s->nb_held += n;
}

/* Interprets b[0..n); stops at a DLY, holding the rest back. */
static void interpret(run *r, const uint8_t *b, size_t n)
{
    sv__dtvcc_service *s = r->s;

    while (n) {
        size_t size = command_size(b, n);
        if (!size) {
            problem(r, "command 0x%02x cut short by the end of its block", b[0]);
            return;
        }
        execute(r, b);
        b += size;
        n -= size;
        if (s->delaying) {
            hold(s, b, n);
            return;
        }
    }
}

/* While a delay runs, DLC and RST still act at once (CEA-708-E 8.10.5):
 * a DLC ends the delay, a RST also drops what was held. */
static int cancels_delay(sv__dtvcc_service *s, const uint8_t *b, size_t n)
{
    while (n) {
        size_t size = command_size(b, n);
        if (!size)
            return 0;
        if (b[0] == 0x8e || b[0] == 0x8f) {
            if (b[0] == 0x8f)
                s->nb_held = 0;
            return 1;
        }
        b += size;
        n -= size;
    }
    return 0;
}

static void report(run *r)
{
    if (r->bad && r->s->cb->bad)
        r->s->cb->bad(r->s->cb->opaque, r->pts, r->bad);
}

static void run_held(sv__dtvcc_service *s, double pts)
{
    uint8_t held[SV__DTVCC_HELD];
    size_t n = s->nb_held;
    run r = { .s = s, .pts = pts };

    memcpy(held, s->held, n);
    s->nb_held = 0;
    s->delaying = 0;
    interpret(&r, held, n);
    report(&r);
}

void sv__dtvcc_service_tick(sv__dtvcc_service *s, double pts)
{
    if (s->delaying && pts >= s->delay_until)
        run_held(s, pts);
}

void sv__dtvcc_service_block(sv__dtvcc_service *s, double pts, const uint8_t *b, size_t n)
{
    run r = { .s = s, .pts = pts };

    if (s->delaying) {
        if (cancels_delay(s, b, n)) {
            hold(s, b, n);
            run_held(s, pts);
            return;
        }
        hold(s, b, n);
        return;
    }
    interpret(&r, b, n);
    report(&r);
}

void sv__dtvcc_service_reset(sv__dtvcc_service *s)
{
    const sv__dtvcc_callbacks *cb = s->cb;
    memset(s, 0, sizeof(*s));
    s->cb = cb;
    s->current = -1;
}
