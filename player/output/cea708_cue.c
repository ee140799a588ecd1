/*
 * cea708_cue.c - what a DTVCC window shows, as cue text, place and style
 * (cea708.h): a cue lasts as long as a window shows the same text.
 *
 * Places: a window's anchor is a percentage of the picture when the window
 * is defined with relative positioning, else a point of the 210 x 75 grid
 * of a 16:9 picture (CEA-708-E 8.4.5); the anchor point says which point of
 * the window sits there. A window's size is its rows and columns in cells
 * of 80 / 32 % of the width (32 columns fill the 4:3 safe title area) and
 * 80 / 15 % of the height, the text a row high.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "player/output/cea708_internal.h"

#define COL_PCT (80.0f / 32.0f)
#define ROW_PCT (80.0f / 15.0f)

static size_t put_utf8(char *out, uint32_t ch)
{
    if (ch < 0x80) {
        out[0] = (char)ch;
        return 1;
    }
    if (ch < 0x800) {
        out[0] = (char)(0xc0 | ch >> 6);
        out[1] = (char)(0x80 | (ch & 0x3f));
        return 2;
    }
    if (ch < 0x10000) {
        out[0] = (char)(0xe0 | ch >> 12);
        out[1] = (char)(0x80 | (ch >> 6 & 0x3f));
        out[2] = (char)(0x80 | (ch & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | ch >> 18);
    out[1] = (char)(0x80 | (ch >> 12 & 0x3f));
    out[2] = (char)(0x80 | (ch >> 6 & 0x3f));
    out[3] = (char)(0x80 | (ch & 0x3f));
    return 4;
}

/* The window's rows that hold text, trailing spaces cut, split by '\n'
 * (out holds SV__DTVCC_TEXT bytes). */
static void window_text(const sv__dtvcc_window *w, char *out)
{
    size_t n = 0;

    for (int r = 0; r < w->rows; r++) {
        size_t row_start = n + (n > 0), end = row_start;
        if (n)
            out[n] = '\n';
        size_t k = row_start;
        for (int c = 0; c < w->cols; c++) {
            uint32_t ch = w->cells[r][c].ch;
            k += put_utf8(out + k, ch ? ch : ' ');
            if (ch && ch != ' ' && ch != 0xa0)
                end = k;
        }
        if (end > row_start)
            n = end; /* a row with text */
    }
    out[n] = '\0';
}

static uint32_t rgba(uint8_t c)
{
    static const uint8_t level[4] = { 0x00, 0x55, 0xaa, 0xff };
    static const uint8_t alpha[4] = { 0xff, 0xff, 0x80, 0x00 };
    return (uint32_t)level[c >> 4 & 3] << 24 | (uint32_t)level[c >> 2 & 3] << 16 |
           (uint32_t)level[c & 3] << 8 | alpha[c >> 6];
}

static float clampf(float v, float lo, float hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

static void window_style(const sv__dtvcc_window *w, sv_cue_style *st)
{
    static const sv_cue_align justify[4] = { SV_CUE_ALIGN_START, SV_CUE_ALIGN_END,
                                             SV_CUE_ALIGN_CENTER, SV_CUE_ALIGN_START };
    const sv__dtvcc_cell *first = NULL;
    int italic = 1, underline = 1;

    memset(st, 0, sizeof(*st));
    float ax = w->relative ? w->anchor_h : w->anchor_h * 100.0f / 210.0f;
    float ay = w->relative ? w->anchor_v : w->anchor_v * 100.0f / 75.0f;
    st->width = clampf(w->cols * COL_PCT, 1, 100);
    st->height = clampf(w->rows * ROW_PCT, 1, 100);
    /* Anchor points: 0-2 top, 3-5 middle, 6-8 bottom; left, centre, right. */
    int ah = w->anchor_point % 3, av = w->anchor_point / 3;
    st->x = clampf(ax - st->width * (float)ah / 2, 0, 100 - st->width);
    st->y = clampf(ay - st->height * (float)av / 2, 0, 100 - st->height);
    st->text_align = justify[w->justify & 3];
    st->font_size = ROW_PCT; /* a row of the caption grid (the pen's size is not read) */
    st->display_align = av == 0 ? SV_CUE_ALIGN_START : av == 1 ? SV_CUE_ALIGN_CENTER
                                                             : SV_CUE_ALIGN_END;
    for (int r = 0; r < w->rows; r++)
        for (int c = 0; c < w->cols; c++) {
            const sv__dtvcc_cell *cell = &w->cells[r][c];
            if (!cell->ch || cell->ch == ' ')
                continue;
            if (!first)
                first = cell;
            italic &= cell->italic;
            underline &= cell->underline;
        }
    if (!first)
        return;
    st->color = rgba(first->fg);
    /* Behind the text: the window's fill, else the pen's background. */
    if (w->fill >> 6 != 3)
        st->background = rgba(w->fill);
    else if (first->bg >> 6 != 3)
        st->background = rgba(first->bg);
    st->italic = italic;
    st->underline = underline;
}

void sv__dtvcc_service_settle(sv__dtvcc_service *s, double pts)
{
    char text[SV__DTVCC_TEXT];

    for (int i = 0; i < 8; i++) {
        sv__dtvcc_window *w = &s->win[i];
        text[0] = '\0';
        if (w->defined && w->visible)
            window_text(w, text);
        if (!strcmp(text, w->open_text))
            continue;
        if (w->open_text[0] && pts > w->open_start && s->cb->cue) {
            sv__dtvcc_cue q = { .start = w->open_start, .end = pts, .window = i,
                                .text = w->open_text, .style = w->open_style };
            s->cb->cue(s->cb->opaque, &q);
        }
        memcpy(w->open_text, text, strlen(text) + 1);
        w->open_start = pts;
        if (text[0])
            window_style(w, &w->open_style);
    }
}
