/*
 * svplay's TV catalog: `svplay --server URL` without a title opens an
 * on-screen catalog of the backend's titles and plays the one chosen.
 *
 * Parts, so the logic is testable without a window or a server:
 * - catalog.c: the model (rows of cards built from the backend's JSON
 *   answers) and the navigation state machine (focus); catalog_search.c:
 *   the search mode (query, debounce on a caller-supplied clock, results
 *   row). Pure: no I/O, no SDL; they share catalog_internal.h.
 * - catalog_draw.c: paints the model into a caller-owned ARGB pixel buffer
 *   with the built-in OSD font. Pure too.
 * - catalog_ui.c: the glue in the SDL window: fetches from the backend
 *   (svp_backend_call), turns SDL keys into navigation keys, shows the
 *   buffer in the video sink's window, starts and stops titles.
 * Everything here runs on the main (SDL) thread.
 */
#ifndef SVPLAY_CATALOG_H
#define SVPLAY_CATALOG_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "svplay.h"

#define SVP_CARD_TITLE_MAX 96
#define SVP_ROW_NAME_MAX 80
#define SVP_QUERY_MAX 64
#define SVP_POSTER_URL_MAX 160
/* Search waits this long after the last keystroke before it queries. */
#define SVP_SEARCH_DEBOUNCE_NS 300000000LL

typedef struct svp_card {
    int64_t title_id;
    char title[SVP_CARD_TITLE_MAX];
    double resume_s;            /* continue-watching position; 0 when none */
    double duration_s;          /* 0 when unknown */
    char poster_url[SVP_POSTER_URL_MAX]; /* the title's poster_url path; "" when none */
} svp_card;

typedef struct svp_row {
    char name[SVP_ROW_NAME_MAX];
    svp_card *cards;            /* owned by the catalog */
    size_t nb_cards;
    size_t focus;               /* focused column, kept while another row has the focus */
} svp_row;

/* Navigation keys, mapped from SDL keys by catalog_ui.c. */
typedef enum svp_nav_key {
    SVP_KEY_LEFT,
    SVP_KEY_RIGHT,
    SVP_KEY_UP,
    SVP_KEY_DOWN,
    SVP_KEY_ENTER,
    SVP_KEY_BACK,               /* Backspace: edits the query, or leaves an empty search */
    SVP_KEY_ESCAPE,             /* leaves search; quits from the browse rows */
    SVP_KEY_CHAR                /* a printable character (letters start a search) */
} svp_nav_key;

typedef enum svp_nav_result {
    SVP_NAV_NONE,               /* nothing changed */
    SVP_NAV_REDRAW,             /* focus, mode or query changed: draw again */
    SVP_NAV_PLAY,               /* Enter on a card: *choice is filled */
    SVP_NAV_QUIT                /* Esc on the browse rows */
} svp_nav_result;

typedef struct svp_choice {
    int64_t title_id;
    double resume_s;            /* where the backend will resume it (0: the start) */
    char title[SVP_CARD_TITLE_MAX];
    svp_card card;              /* the card chosen (for its title page) */
} svp_choice;

typedef struct svp_catalog svp_catalog;

/* Creates an empty catalog (no rows, browse mode). 0 or SV_ERR_NOMEM. */
int svp_catalog_create(svp_catalog **out);
/* Frees the catalog and its rows. Accepts NULL. */
void svp_catalog_destroy(svp_catalog *c);

/*
 * Rebuilds the browse rows from `titles` (the items of GET /api/v1/titles,
 * newest first) and `continuing` (the items of GET /api/v1/me/continue-
 * watching, latest first; NULL or empty: no such row). Rows: "Continue
 * watching" when it has items, then one row per genre (names merged without
 * regard to case, in alphabetical order, titles in list order), then
 * "All titles". Cards take their resume position from the continue-watching
 * items. The focus stays on the same row name and title when they still
 * exist. Both arrays are borrowed. Returns 0, SV_ERR_INVALID (not arrays)
 * or SV_ERR_NOMEM (the old rows are kept).
 */
int svp_catalog_set_browse(svp_catalog *c, const json_t *titles, const json_t *continuing);

/*
 * Sets the search results row from the items of GET /api/v1/titles?q=query.
 * An answer for another query than the current one (a stale answer) is
 * ignored: returns 1. Returns 0 when taken, SV_ERR_INVALID or SV_ERR_NOMEM.
 */
int svp_catalog_set_results(svp_catalog *c, const char *query, const json_t *titles);

/*
 * Handles one key at monotonic time now_ns (it starts the search debounce).
 * `ch` is the character for SVP_KEY_CHAR. On SVP_NAV_PLAY, *choice is the
 * focused card's title.
 */
svp_nav_result svp_catalog_key(svp_catalog *c, svp_nav_key key, int ch, int64_t now_ns,
                               svp_choice *choice);

/*
 * The query to send now, or NULL: in search mode, once the debounce passed
 * since the last edit and that query was not sent yet (it is then marked
 * sent). An empty query is never sent; its row is simply empty.
 */
const char *svp_catalog_search_due(svp_catalog *c, int64_t now_ns);
/* Nanoseconds until a query becomes due (0: due now), or -1 when none is pending. */
int64_t svp_catalog_search_wait_ns(const svp_catalog *c, int64_t now_ns);

/* ---- read access for drawing and tests ---- */
int svp_catalog_searching(const svp_catalog *c);
const char *svp_catalog_query(const svp_catalog *c);
/* 1 while a query was typed but its results have not arrived. */
int svp_catalog_search_pending(const svp_catalog *c);
/* The rows on screen: the browse rows, or the one results row in search mode. */
size_t svp_catalog_row_count(const svp_catalog *c);
const svp_row *svp_catalog_row(const svp_catalog *c, size_t i);
size_t svp_catalog_focus_row(const svp_catalog *c);
/* The focused card, or NULL when the focused row is empty. */
const svp_card *svp_catalog_focused(const svp_catalog *c);

/* ---- drawing (catalog_draw.c) ---- */

/* The logical canvas; the UI scales it to the window by whole pixels. */
#define SVP_CANVAS_W 480
#define SVP_CANVAS_H 270
/* ARGB colour of the focused card's frame (tests look for it on screen). */
#define SVP_FOCUS_RGB 0xffd200u

/* Where card (row, col) of the screen lies on the canvas (x, y, w, h), as
 * drawn now; 0, or -1 when it is scrolled off. */
int svp_catalog_card_rect(const svp_catalog *c, size_t row, size_t col, int rect[4]);

/* The box of a card (x, y, w, h on the canvas) that shows the poster of a
 * title with a poster_url: the card less its title line. */
void svp_catalog_poster_box(const int card[4], int box[4]);

/* Canvas helpers of catalog_draw.c, shared with catalog_page.c: a filled
 * rectangle (clipped to the canvas), text in the built-in font, and text
 * word-wrapped into at most max_lines lines of `cols` cells (a word longer
 * than a line is cut; ".." ends the last line when the text goes on). */
void svp_canvas_fill(uint32_t *px, int pitch, int x, int y, int w, int h, uint32_t argb);
void svp_canvas_text(uint32_t *px, int pitch, int x, int y, const char *s, uint32_t fg);
void svp_canvas_wrap(const char *text, size_t cols, size_t max_lines, char *out, size_t size);

/*
 * Paints the catalog into px (SVP_CANVAS_W x SVP_CANVAS_H pixels, ARGB,
 * `pitch` pixels per row): header, search box, rows of cards with titles and
 * progress bars, the focus frame, and `status` (may be NULL) at the bottom.
 */
void svp_catalog_draw(const svp_catalog *c, uint32_t *px, int pitch, const char *status);

/* ---- the window glue (catalog_ui.c) ---- */

typedef struct svp_catalog_ui svp_catalog_ui;

/*
 * Logs in, fetches the catalog and draws it in the window of `vsink` (an
 * SDL2 video sink; the UI draws with its renderer while no title plays).
 * Returns 0, or sets the app's error (svp_session_fail) and returns -1.
 */
int svp_catalog_ui_create(svp_catalog_ui **out, svp_app *app, sv_video_sink *vsink);
void svp_catalog_ui_destroy(svp_catalog_ui *ui);
/* 1 while the catalog is on screen (no title playing). */
int svp_catalog_ui_showing(const svp_catalog_ui *ui);
/*
 * Offers one SDL event (a `const SDL_Event *`). Returns 1 when the catalog
 * took it: every key while it shows; Backspace, Esc (back to the catalog,
 * stopping the title so the backend saves the resume position) and q (quit)
 * while a title plays. Other events return 0 for window.c.
 */
int svp_catalog_ui_event(svp_catalog_ui *ui, const void *sdl_event);
/*
 * Once per loop turn after the player's events: a title that ended or
 * failed returns to the catalog (the error shown there, not fatal: the app's
 * done/error state is reset unless the user quit); refreshes the rows once
 * the backend saved the resume position; runs a due search; draws when
 * something changed. `presented` is 1 when the player drew a frame this
 * turn (over the catalog, which is then drawn again).
 */
void svp_catalog_ui_tick(svp_catalog_ui *ui, int presented);
/* A player event, seen before svp_session_event: notes the session start. */
void svp_catalog_ui_player_event(svp_catalog_ui *ui, const sv_event *ev);

#endif
