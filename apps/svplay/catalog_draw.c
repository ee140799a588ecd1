/*
 * Paints the catalog (see catalog.h) into an ARGB pixel buffer of the
 * logical canvas, with the SDL2 sink's built-in font (sv_sdl2_text_draw).
 * catalog_ui.c scales the canvas up by whole pixels, so the 5x7 glyphs and
 * the card edges stay crisp on a TV. No SDL here (the font is plain pixel
 * work): a unit test can look at the pixels.
 */
#include <string.h>

#include <streamverse/sdl2.h>

#include "catalog.h"

#define BG 0xff12161cu
#define HEADER_FG 0xffe50914u
#define TEXT_FG 0xffe8e8e8u
#define DIM_FG 0xff8a93a0u
#define SEARCH_BG 0xff2a3140u
#define BAR_BG 0xff303030u
#define BAR_FG 0xffe50914u

#define MARGIN 12
#define CARD_W 100
#define CARD_H 48
#define CARD_GAP 10
#define ROW_LABEL_H 11
#define ROW_PITCH 72
#define FOCUS_PAD 3
#define TOP_BROWSE 24
#define TOP_SEARCH 42
#define STATUS_Y (SVP_CANVAS_H - 12)
#define CARD_CHARS ((CARD_W - 6) / SV_SDL2_TEXT_CELL_W)
#define CARD_LINES 4

/* Card colours, picked by title id so a card keeps its colour in every row;
 * none is close to the focus colour. */
static const uint32_t palette[] = {0xff34486bu, 0xff5a3b6bu, 0xff2f5d50u,
                                   0xff6b3b3bu, 0xff4b5a2fu, 0xff2f4f6bu};

typedef struct layout {
    int top;                    /* y of the first visible row's label */
    size_t first_row, nb_visible;
} layout;

static void get_layout(const svp_catalog *c, layout *l)
{
    size_t focus = svp_catalog_focus_row(c);

    l->top = svp_catalog_searching(c) ? TOP_SEARCH : TOP_BROWSE;
    l->nb_visible = (size_t)((STATUS_Y - l->top) / ROW_PITCH);
    if (l->nb_visible < 1)
        l->nb_visible = 1;
    /* The focused row is the last visible one at most: rows above it stay
     * in view, as on a TV home screen scrolling down. */
    l->first_row = focus >= l->nb_visible ? focus - l->nb_visible + 1 : 0;
}

static size_t visible_cols(void)
{
    return (size_t)((SVP_CANVAS_W - MARGIN) / (CARD_W + CARD_GAP));
}

static size_t first_col(const svp_row *r)
{
    size_t n = visible_cols();
    return r->focus >= n ? r->focus - n + 1 : 0;
}

void svp_catalog_poster_box(const int card[4], int box[4])
{
    /* The card less a line of text and the progress bar under it. */
    box[0] = card[0];
    box[1] = card[1];
    box[2] = card[2];
    box[3] = card[3] - SV_SDL2_TEXT_CELL_H - 3;
}

int svp_catalog_card_rect(const svp_catalog *c, size_t row, size_t col, int rect[4])
{
    layout l;
    const svp_row *r = svp_catalog_row(c, row);

    get_layout(c, &l);
    if (!r || col >= r->nb_cards || row < l.first_row || row >= l.first_row + l.nb_visible)
        return -1;
    size_t fc = first_col(r);
    if (col < fc || col >= fc + visible_cols())
        return -1;
    rect[0] = MARGIN + (int)(col - fc) * (CARD_W + CARD_GAP);
    rect[1] = l.top + (int)(row - l.first_row) * ROW_PITCH + ROW_LABEL_H;
    rect[2] = CARD_W;
    rect[3] = CARD_H;
    return 0;
}

void svp_canvas_fill(uint32_t *px, int pitch, int x, int y, int w, int h, uint32_t argb)
{
    int x1 = x + w, y1 = y + h;

    x = x < 0 ? 0 : x;
    y = y < 0 ? 0 : y;
    x1 = x1 > SVP_CANVAS_W ? SVP_CANVAS_W : x1;
    y1 = y1 > SVP_CANVAS_H ? SVP_CANVAS_H : y1;
    for (int j = y; j < y1; j++)
        for (int i = x; i < x1; i++)
            px[(size_t)j * (size_t)pitch + (size_t)i] = argb;
}

void svp_canvas_text(uint32_t *px, int pitch, int x, int y, const char *s, uint32_t fg)
{
    sv_sdl2_text_draw(px, pitch, SVP_CANVAS_W, SVP_CANVAS_H, x, y, s, fg);
}

#define fill svp_canvas_fill
#define text svp_canvas_text

void svp_canvas_wrap(const char *title, size_t cols, size_t max_lines, char *out, size_t size)
{
    size_t o = 0, col = 0, lines = 1;
    const char *p = title;

    out[0] = '\0';
    while (*p == ' ')
        p++;
    while (*p && o + 4 < size) {
        size_t word = strcspn(p, " ");
        size_t take = word > cols ? cols : word;
        if (col > 0 && col + 1 + take > cols) {
            if (lines == max_lines) {
                if (o >= 2 && col + 2 > cols)
                    o -= 2;
                out[o++] = '.';
                out[o++] = '.';
                break;
            }
            out[o++] = '\n';
            lines++;
            col = 0;
        } else if (col > 0) {
            out[o++] = ' ';
            col++;
        }
        for (size_t i = 0; i < take && o + 3 < size; i++, col++)
            out[o++] = p[i];
        p += word;
        while (*p == ' ')
            p++;
    }
    out[o] = '\0';
}

static void draw_card(uint32_t *px, int pitch, const svp_card *card, const int r[4], int focused)
{
    char wrapped[CARD_CHARS * CARD_LINES + CARD_LINES + 4];

    if (focused)
        fill(px, pitch, r[0] - FOCUS_PAD, r[1] - FOCUS_PAD, r[2] + 2 * FOCUS_PAD,
             r[3] + 2 * FOCUS_PAD, 0xff000000u | SVP_FOCUS_RGB);
    fill(px, pitch, r[0], r[1], r[2], r[3],
         palette[(uint64_t)card->title_id % (sizeof(palette) / sizeof(palette[0]))]);
    if (card->poster_url[0]) {
        /* The poster (drawn over its box by catalog_ui.c), the title in one
         * line under it, the progress at the very bottom. */
        int box[4];
        svp_catalog_poster_box(r, box);
        fill(px, pitch, box[0], box[1], box[2], box[3], 0xff000000u);
        svp_canvas_wrap(card->title, CARD_CHARS, 1, wrapped, sizeof(wrapped));
        text(px, pitch, r[0] + 3, box[1] + box[3] + 1, wrapped,
             focused ? 0xffffffffu : TEXT_FG);
        if (card->resume_s > 0 && card->duration_s > 0) {
            double f = card->resume_s / card->duration_s;
            f = f > 1 ? 1 : f;
            fill(px, pitch, r[0], r[1] + r[3] - 2, r[2], 2, BAR_BG);
            fill(px, pitch, r[0], r[1] + r[3] - 2, (int)(r[2] * f + 0.5), 2, BAR_FG);
        }
        return;
    }
    svp_canvas_wrap(card->title, CARD_CHARS, CARD_LINES, wrapped, sizeof(wrapped));
    text(px, pitch, r[0] + 4, r[1] + 4, wrapped, focused ? 0xffffffffu : TEXT_FG);
    if (card->resume_s > 0 && card->duration_s > 0) {
        double f = card->resume_s / card->duration_s;
        f = f > 1 ? 1 : f;
        fill(px, pitch, r[0] + 4, r[1] + r[3] - 6, r[2] - 8, 3, BAR_BG);
        fill(px, pitch, r[0] + 4, r[1] + r[3] - 6, (int)((r[2] - 8) * f + 0.5), 3, BAR_FG);
    }
}

static void draw_row(const svp_catalog *c, uint32_t *px, int pitch, size_t row, int y,
                     int focused_row)
{
    const svp_row *r = svp_catalog_row(c, row);
    int rect[4];

    text(px, pitch, MARGIN, y, r->name, focused_row ? TEXT_FG : DIM_FG);
    if (r->nb_cards == 0) {
        const char *empty = !svp_catalog_searching(c) ? "(no titles)"
                            : svp_catalog_search_pending(c) ? "Searching..."
                            : svp_catalog_query(c)[0] ? "No titles match" : "";
        text(px, pitch, MARGIN, y + ROW_LABEL_H + 4, empty, DIM_FG);
        return;
    }
    for (size_t col = 0; col < r->nb_cards; col++) {
        if (svp_catalog_card_rect(c, row, col, rect) == 0)
            draw_card(px, pitch, &r->cards[col], rect, focused_row && col == r->focus);
    }
}

void svp_catalog_draw(const svp_catalog *c, uint32_t *px, int pitch, const char *status)
{
    layout l;
    char line[SVP_QUERY_MAX + 16];
    size_t focus = svp_catalog_focus_row(c), n = svp_catalog_row_count(c);
    int searching = svp_catalog_searching(c);
    const char *hint = searching ? "Enter open  Esc back" : "Enter open  / search  Esc quit";

    fill(px, pitch, 0, 0, SVP_CANVAS_W, SVP_CANVAS_H, BG);
    text(px, pitch, MARGIN, 8, "STREAMVERSE", HEADER_FG);
    text(px, pitch, SVP_CANVAS_W - MARGIN - (int)strlen(hint) * SV_SDL2_TEXT_CELL_W, 8, hint,
         DIM_FG);
    if (searching) {
        fill(px, pitch, MARGIN, 21, SVP_CANVAS_W - 2 * MARGIN, 14, SEARCH_BG);
        snprintf(line, sizeof(line), "Search: %s_", svp_catalog_query(c));
        text(px, pitch, MARGIN + 4, 24, line, TEXT_FG);
    }
    get_layout(c, &l);
    for (size_t row = l.first_row; row < n && row < l.first_row + l.nb_visible; row++)
        draw_row(c, px, pitch, row, l.top + (int)(row - l.first_row) * ROW_PITCH, row == focus);
    if (!searching && n == 0)
        text(px, pitch, MARGIN, l.top, "The catalog is empty.", DIM_FG);
    if (status && *status)
        text(px, pitch, MARGIN, STATUS_Y, status, TEXT_FG);
}
