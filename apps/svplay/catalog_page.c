/*
 * The title page (catalog_page.h): its model from the title JSON, its keys,
 * and its painting on the catalog's canvas. Pure.
 */
#include <stdio.h>
#include <string.h>

#include <streamverse/sdl2.h>

#include "catalog_page.h"

#define BG 0xff12161cu
#define HEADER_FG 0xffe50914u
#define TEXT_FG 0xffe8e8e8u
#define TITLE_FG 0xffffffffu
#define DIM_FG 0xff8a93a0u
#define BUTTON_BG 0xff2a3140u
#define POSTER_BG 0xff000000u

#define MARGIN 12
#define POSTER_Y 26
#define POSTER_W 192
#define POSTER_H 108
#define INFO_X (MARGIN + POSTER_W + 12)
#define INFO_COLS ((SVP_CANVAS_W - INFO_X - MARGIN) / SV_SDL2_TEXT_CELL_W)
#define SYNOPSIS_LINES 8
#define BUTTON_Y (POSTER_Y + POSTER_H + 12)
#define BUTTON_H 16
#define BUTTON_PITCH 24
#define FOCUS_PAD 3
#define STATUS_Y (SVP_CANVAS_H - 12)

static void copy(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
}

/* "Action, Drama" from the title's genres. */
static void join_genres(const json_t *genres, char *out, size_t size)
{
    size_t i, n = 0;
    json_t *g;

    out[0] = '\0';
    json_array_foreach(genres, i, g) {
        if (!json_is_string(g) || n + 3 >= size)
            continue;
        n += (size_t)snprintf(out + n, size - n, "%s%s", n ? ", " : "", json_string_value(g));
        if (n >= size)
            n = size - 1;
    }
}

void svp_title_page_fill(svp_title_page *pg, const svp_card *card, const json_t *title,
                         const char *audio, const char *subtitles)
{
    memset(pg, 0, sizeof(*pg));
    pg->card = *card;
    pg->duration_s = card->duration_s;
    if (title) {
        const char *name = json_string_value(json_object_get(title, "title"));
        const char *poster = json_string_value(json_object_get(title, "poster_url"));
        if (name)
            copy(pg->card.title, sizeof(pg->card.title), name);
        if (poster)
            copy(pg->card.poster_url, sizeof(pg->card.poster_url), poster);
        copy(pg->synopsis, sizeof(pg->synopsis),
             json_string_value(json_object_get(title, "synopsis")));
        join_genres(json_object_get(title, "genres"), pg->genres, sizeof(pg->genres));
        if (json_is_number(json_object_get(title, "duration")))
            pg->duration_s = json_number_value(json_object_get(title, "duration"));
    }
    copy(pg->audio, sizeof(pg->audio), audio);
    copy(pg->subtitles, sizeof(pg->subtitles), subtitles);
    if (pg->card.resume_s > 0) {
        pg->actions[pg->nb_actions++] = SVP_PAGE_RESUME;
        pg->actions[pg->nb_actions++] = SVP_PAGE_START_OVER;
    } else {
        pg->actions[pg->nb_actions++] = SVP_PAGE_PLAY;
    }
    if (title && json_is_true(json_object_get(title, "download")))
        pg->actions[pg->nb_actions++] = SVP_PAGE_DOWNLOAD;
}

/* mm:ss (h:mm:ss from an hour), whole seconds. */
static void clock_text(char *buf, size_t size, double s)
{
    long long t = s > 0 ? (long long)(s + 0.5) : 0;
    if (t >= 3600)
        snprintf(buf, size, "%lld:%02lld:%02lld", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(buf, size, "%02lld:%02lld", t / 60, t % 60);
}

void svp_title_page_action_label(const svp_title_page *pg, int i, char *buf, size_t size)
{
    char t[24];

    switch (i >= 0 && i < pg->nb_actions ? pg->actions[i] : SVP_PAGE_PLAY) {
    case SVP_PAGE_RESUME:
        clock_text(t, sizeof(t), pg->card.resume_s);
        snprintf(buf, size, "Resume at %s", t);
        break;
    case SVP_PAGE_START_OVER: snprintf(buf, size, "Start over"); break;
    case SVP_PAGE_PLAY: snprintf(buf, size, "Play"); break;
    case SVP_PAGE_DOWNLOAD:
        snprintf(buf, size, "%s", pg->download_label[0] ? pg->download_label : "Download");
        break;
    }
}

svp_page_result svp_title_page_key(svp_title_page *pg, svp_nav_key key, double *from_s)
{
    switch (key) {
    case SVP_KEY_UP:
    case SVP_KEY_LEFT:
        if (pg->focus == 0)
            return SVP_PAGE_NONE;
        pg->focus--;
        return SVP_PAGE_REDRAW;
    case SVP_KEY_DOWN:
    case SVP_KEY_RIGHT:
        if (pg->focus + 1 >= pg->nb_actions)
            return SVP_PAGE_NONE;
        pg->focus++;
        return SVP_PAGE_REDRAW;
    case SVP_KEY_ENTER:
        if (pg->actions[pg->focus] == SVP_PAGE_DOWNLOAD)
            return SVP_PAGE_DOWNLOAD_IT;
        *from_s = pg->actions[pg->focus] == SVP_PAGE_RESUME ? pg->card.resume_s : 0;
        return SVP_PAGE_GO;
    case SVP_KEY_BACK:
    case SVP_KEY_ESCAPE: return SVP_PAGE_CLOSE;
    case SVP_KEY_CHAR: return SVP_PAGE_NONE;
    }
    return SVP_PAGE_NONE;
}

void svp_title_page_poster_box(int rect[4])
{
    rect[0] = MARGIN;
    rect[1] = POSTER_Y;
    rect[2] = POSTER_W;
    rect[3] = POSTER_H;
}

void svp_title_page_action_rect(int i, int rect[4])
{
    rect[0] = MARGIN;
    rect[1] = BUTTON_Y + i * BUTTON_PITCH;
    rect[2] = POSTER_W;
    rect[3] = BUTTON_H;
}

void svp_title_page_draw(const svp_title_page *pg, uint32_t *px, int pitch, const char *status)
{
    static const char hint[] = "Enter select  Esc back";
    char line[SVP_PAGE_TEXT_MAX + 64], t[24];
    int r[4], y = POSTER_Y;

    svp_canvas_fill(px, pitch, 0, 0, SVP_CANVAS_W, SVP_CANVAS_H, BG);
    svp_canvas_text(px, pitch, MARGIN, 8, "STREAMVERSE", HEADER_FG);
    svp_canvas_text(px, pitch, SVP_CANVAS_W - MARGIN - (int)strlen(hint) * SV_SDL2_TEXT_CELL_W,
                    8, hint, DIM_FG);
    svp_title_page_poster_box(r);
    svp_canvas_fill(px, pitch, r[0], r[1], r[2], r[3], POSTER_BG);
    if (!pg->card.poster_url[0])
        svp_canvas_text(px, pitch, r[0] + 6, r[1] + 6, "No poster", DIM_FG);

    svp_canvas_wrap(pg->card.title, INFO_COLS, 2, line, sizeof(line));
    svp_canvas_text(px, pitch, INFO_X, y, line, TITLE_FG);
    y += 2 * SV_SDL2_TEXT_CELL_H + 4;
    clock_text(t, sizeof(t), pg->duration_s);
    snprintf(line, sizeof(line), "%s%s%s", pg->duration_s > 0 ? t : "",
             pg->duration_s > 0 && pg->genres[0] ? "  |  " : "", pg->genres);
    svp_canvas_wrap(line, INFO_COLS, 1, line + SVP_PAGE_TEXT_MAX / 2, SVP_PAGE_TEXT_MAX / 2);
    svp_canvas_text(px, pitch, INFO_X, y, line + SVP_PAGE_TEXT_MAX / 2, DIM_FG);
    y += SV_SDL2_TEXT_CELL_H + 6;
    svp_canvas_wrap(pg->synopsis[0] ? pg->synopsis : "No synopsis.", INFO_COLS, SYNOPSIS_LINES,
                    line, sizeof(line));
    svp_canvas_text(px, pitch, INFO_X, y, line, TEXT_FG);
    y += SYNOPSIS_LINES * SV_SDL2_TEXT_CELL_H + 6;
    snprintf(line, sizeof(line), "Audio: %s", pg->audio[0] ? pg->audio : "-");
    svp_canvas_text(px, pitch, INFO_X, y, line, DIM_FG);
    snprintf(line, sizeof(line), "Subtitles: %s", pg->subtitles[0] ? pg->subtitles : "-");
    svp_canvas_text(px, pitch, INFO_X, y + SV_SDL2_TEXT_CELL_H + 2, line, DIM_FG);

    for (int i = 0; i < pg->nb_actions; i++) {
        svp_title_page_action_rect(i, r);
        if (i == pg->focus)
            svp_canvas_fill(px, pitch, r[0] - FOCUS_PAD, r[1] - FOCUS_PAD, r[2] + 2 * FOCUS_PAD,
                            r[3] + 2 * FOCUS_PAD, 0xff000000u | SVP_FOCUS_RGB);
        svp_canvas_fill(px, pitch, r[0], r[1], r[2], r[3], BUTTON_BG);
        svp_title_page_action_label(pg, i, line, sizeof(line));
        svp_canvas_text(px, pitch, r[0] + 6, r[1] + 4, line, i == pg->focus ? TITLE_FG : TEXT_FG);
    }
    if (status && *status)
        svp_canvas_text(px, pitch, MARGIN, STATUS_Y, status, TEXT_FG);
}
