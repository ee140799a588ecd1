/*
 * The TV catalog's title page (svplay --server URL, Enter on a card): the
 * poster, title, genres, duration, synopsis, audio and subtitle languages,
 * and the actions "Resume at mm:ss" and "Start over" (or "Play" when the
 * backend has no resume position), and "Download" when the backend offers
 * the title for offline viewing (its JSON's "download"). Model and canvas drawing, pure (no I/O,
 * no SDL): catalog_ui.c fetches the title, draws the poster over the box
 * this file leaves for it, and starts the play. Main thread.
 */
#ifndef SVPLAY_CATALOG_PAGE_H
#define SVPLAY_CATALOG_PAGE_H

#include <jansson.h>

#include "catalog.h"

#define SVP_PAGE_TEXT_MAX 1024
#define SVP_PAGE_MAX_ACTIONS 3

typedef enum svp_page_action {
    SVP_PAGE_RESUME,            /* play from the card's resume position */
    SVP_PAGE_START_OVER,        /* play from the start (there is a resume position) */
    SVP_PAGE_PLAY,              /* play from the start (there is none) */
    SVP_PAGE_DOWNLOAD           /* store it for offline viewing (catalog_download.c) */
} svp_page_action;

typedef struct svp_title_page {
    svp_card card;              /* the card it was opened from: id, title, resume, poster */
    char synopsis[SVP_PAGE_TEXT_MAX];
    char genres[128];           /* "Action, Drama"; "" when none */
    double duration_s;          /* 0 when unknown */
    char audio[128];            /* audio languages, "" when unknown */
    char subtitles[128];        /* subtitle languages, "none" or "" when unknown */
    svp_page_action actions[SVP_PAGE_MAX_ACTIONS];
    int nb_actions, focus;
    char download_label[96];    /* the Download action's label: "" says "Download" */
} svp_title_page;

/*
 * Fills the page from the card and `title` (the answer of GET
 * /api/v1/titles/{id}; borrowed, may be NULL: the card's fields alone).
 * `audio` and `subtitles` are the languages found (NULL: unknown).
 */
void svp_title_page_fill(svp_title_page *pg, const svp_card *card, const json_t *title,
                         const char *audio, const char *subtitles);

/* The label of action i ("Resume at 00:04", "Start over", "Play",
 * "Download" or the download's progress). */
void svp_title_page_action_label(const svp_title_page *pg, int i, char *buf, size_t size);

typedef enum svp_page_result {
    SVP_PAGE_NONE,              /* nothing changed */
    SVP_PAGE_REDRAW,            /* the focus moved */
    SVP_PAGE_GO,                /* Enter: play, from *from_s (0: the start) */
    SVP_PAGE_DOWNLOAD_IT,       /* Enter on Download */
    SVP_PAGE_CLOSE              /* Esc or Backspace: back to the rows */
} svp_page_result;

/* Up/down (and left/right) move between the actions; Enter plays. */
svp_page_result svp_title_page_key(svp_title_page *pg, svp_nav_key key, double *from_s);

/* Where the poster goes on the canvas (x, y, w, h): a 16:9 box. */
void svp_title_page_poster_box(int rect[4]);
/* Where action i's button is on the canvas (x, y, w, h). */
void svp_title_page_action_rect(int i, int rect[4]);

/* Paints the page (everything but the poster's picture) into px
 * (SVP_CANVAS_W x SVP_CANVAS_H, ARGB, `pitch` pixels a row). */
void svp_title_page_draw(const svp_title_page *pg, uint32_t *px, int pitch, const char *status);

#endif
