/*
 * The catalog in the svplay window (see catalog.h): backend fetches, SDL
 * keys, and the canvas shown with the video sink's own renderer while no
 * title plays. The backend calls block the main thread; they are single
 * small JSON answers with short timeouts, made only on a key press or
 * after a title, never while video plays.
 */
#include <SDL.h>
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#include <streamverse/download.h>
#include <streamverse/sdl2.h>

#include "catalog.h"
#include "catalog_download.h"
#include "catalog_page.h"
#include "mpd_langs.h"
#include "poster.h"

#define PAGE 100
#define MAX_TITLES 1000
/* After Back, the rows are fetched again once the backend saved the
 * resume position ("stopped"), or after this long without that news. */
#define REFRESH_WAIT_NS 3000000000LL

struct svp_catalog_ui {
    svp_app *app;
    sv_video_sink *vsink;
    SDL_Renderer *ren;
    SDL_Texture *tex;
    svp_catalog *cat;
    uint32_t *px;               /* the canvas, SVP_CANVAS_W x SVP_CANVAS_H */
    int showing;                /* the catalog is on screen, no title plays */
    int dirty;                  /* draw again at the next tick */
    int quit;                   /* the user quit: app->done is final */
    int64_t refresh_at_ns;      /* fetch the rows again at this time; 0: no */
    svp_choice playing;         /* the title chosen last */
    char status[160];
    svp_posters *posters;       /* the titles' posters (poster.c) */
    svp_title_page page;        /* the title page, while page_open */
    int page_open;
    int start_over;             /* the title playing was started from 0, not resumed */
    char *logged;               /* the last --ui-log line of the catalog (owned) */
    svp_title_download *download; /* the title page's last download (catalog_download.c) */
    int download_state;         /* its SV_DOWNLOAD_* when last looked at */
};

/* GET path into *items (the answer's "items", a new reference). */
static int get_items(svp_catalog_ui *ui, const char *path, json_t **items, json_int_t *total,
                     char *err, size_t errlen)
{
    json_t *ans = NULL;

    if (svp_backend_call(ui->app->opt.server, "GET", path, ui->app->user_token, NULL, &ans, err,
                         errlen) < 0)
        return -1;
    *items = json_incref(json_object_get(ans, "items"));
    if (total)
        *total = json_integer_value(json_object_get(ans, "total"));
    json_decref(ans);
    if (!json_is_array(*items)) {
        json_decref(*items);
        *items = NULL;
        snprintf(err, errlen, "GET %s: the answer has no items", path);
        return -1;
    }
    return 0;
}

/* Every title (up to MAX_TITLES, a page at a time) and continue-watching. */
static int fetch_browse(svp_catalog_ui *ui, char *err, size_t errlen)
{
    json_t *all = json_array(), *items = NULL, *continuing = NULL;
    json_int_t total = 0;
    char path[96];
    int ret = -1;

    if (!all) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (int offset = 0; offset < MAX_TITLES; offset += PAGE) {
        snprintf(path, sizeof(path), "/api/v1/titles?limit=%d&offset=%d", PAGE, offset);
        if (get_items(ui, path, &items, &total, err, errlen) < 0)
            goto fail;
        size_t n = json_array_size(items);
        json_array_extend(all, items);
        json_decref(items);
        items = NULL;
        if (n < PAGE || offset + (json_int_t)n >= total)
            break;
    }
    if (get_items(ui, "/api/v1/me/continue-watching", &continuing, NULL, err, errlen) < 0)
        goto fail;
    if (svp_catalog_set_browse(ui->cat, all, continuing) < 0) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    ret = 0;
fail:
    json_decref(all);
    json_decref(continuing);
    return ret;
}

static void run_search(svp_catalog_ui *ui, const char *query)
{
    char path[3 * SVP_QUERY_MAX + 64], err[512], q[SVP_QUERY_MAX];
    char *esc = curl_easy_escape(NULL, query, 0);
    json_t *items = NULL;

    /* The query is copied: the model's buffer is the one being answered. */
    snprintf(q, sizeof(q), "%s", query);
    if (!esc) {
        snprintf(ui->status, sizeof(ui->status), "Search failed: out of memory");
        return;
    }
    snprintf(path, sizeof(path), "/api/v1/titles?limit=50&q=%s", esc);
    curl_free(esc);
    if (get_items(ui, path, &items, NULL, err, sizeof(err)) < 0) {
        snprintf(ui->status, sizeof(ui->status), "Search failed: %.140s", err);
    } else {
        ui->status[0] = '\0';
        svp_catalog_set_results(ui->cat, q, items);
    }
    json_decref(items);
    ui->dirty = 1;
}

/* Canvas rectangle r to window pixels, for a canvas drawn at dst. */
static SDL_Rect to_window(const SDL_Rect *dst, const int r[4])
{
    SDL_Rect w = {dst->x + r[0] * dst->w / SVP_CANVAS_W, dst->y + r[1] * dst->h / SVP_CANVAS_H,
                  r[2] * dst->w / SVP_CANVAS_W, r[3] * dst->h / SVP_CANVAS_H};
    return w;
}

/* The poster of a title centred in canvas box `box`; adds its place (window
 * pixels, or null) to the --ui-log object `log` as "poster". */
static void draw_poster(svp_catalog_ui *ui, const SDL_Rect *dst, const svp_card *card,
                        const int box[4], json_t *log)
{
    SDL_Rect b = to_window(dst, box), r;
    SDL_Texture *tex = svp_posters_get(ui->posters, card->title_id, card->poster_url, b.w, b.h,
                                       &r.w, &r.h);

    if (!tex) {
        json_object_set_new(log, "poster", json_null());
        return;
    }
    r.x = b.x + (b.w - r.w) / 2;
    r.y = b.y + (b.h - r.h) / 2;
    SDL_RenderCopy(ui->ren, tex, NULL, &r);
    json_object_set_new(log, "poster", json_pack("[iiii]", r.x, r.y, r.w, r.h));
}

/* The posters over the cards in view, and their --ui-log entries. */
static json_t *draw_card_posters(svp_catalog_ui *ui, const SDL_Rect *dst)
{
    json_t *cards = json_array();
    size_t focus_row = svp_catalog_focus_row(ui->cat);
    int rect[4], box[4];

    for (size_t row = 0; row < svp_catalog_row_count(ui->cat); row++) {
        const svp_row *r = svp_catalog_row(ui->cat, row);
        for (size_t col = 0; col < r->nb_cards; col++) {
            if (svp_catalog_card_rect(ui->cat, row, col, rect) < 0)
                continue;
            const svp_card *card = &r->cards[col];
            SDL_Rect w = to_window(dst, rect);
            json_t *c = json_pack("{s:I,s:s,s:s,s:[iiii],s:b}", "title_id",
                                  (json_int_t)card->title_id, "title", card->title, "row",
                                  r->name, "rect", w.x, w.y, w.w, w.h, "focused",
                                  row == focus_row && col == r->focus);
            if (card->poster_url[0]) {
                svp_catalog_poster_box(rect, box);
                draw_poster(ui, dst, card, box, c);
            }
            json_array_append_new(cards, c);
        }
    }
    return json_pack("{s:s,s:o}", "what", "catalog", "cards", cards);
}

/* The title page's poster and its --ui-log line (what was laid out). */
static json_t *draw_page_poster(svp_catalog_ui *ui, const SDL_Rect *dst)
{
    const svp_title_page *pg = &ui->page;
    json_t *actions = json_array();
    char label[64];
    int box[4];

    for (int i = 0; i < pg->nb_actions; i++) {
        svp_title_page_action_label(pg, i, label, sizeof(label));
        json_array_append_new(actions, json_string(label));
    }
    json_t *log = json_pack("{s:s,s:I,s:s,s:s,s:s,s:f,s:f,s:s,s:s,s:o,s:i}", "what",
                            "title_page", "title_id", (json_int_t)pg->card.title_id, "title",
                            pg->card.title, "synopsis", pg->synopsis, "genres", pg->genres,
                            "duration_s", pg->duration_s, "resume_s", pg->card.resume_s, "audio",
                            pg->audio, "subtitles", pg->subtitles, "actions", actions, "focus",
                            pg->focus);
    svp_title_page_poster_box(box);
    draw_poster(ui, dst, &pg->card, box, log);
    return log;
}

/* Writes the view's --ui-log line when it changed. */
static void log_view(svp_catalog_ui *ui, json_t *view)
{
    char *text = view ? json_dumps(view, JSON_COMPACT) : NULL;

    if (text && (!ui->logged || strcmp(text, ui->logged))) {
        free(ui->logged);
        ui->logged = text;
        text = NULL;
        svp_uilog_write(ui->app, json_incref(view));
    }
    free(text);
    json_decref(view);
}

static void draw(svp_catalog_ui *ui)
{
    int ow = 0, oh = 0;
    SDL_Rect dst;

    if (ui->page_open)
        svp_title_page_draw(&ui->page, ui->px, SVP_CANVAS_W, ui->status);
    else
        svp_catalog_draw(ui->cat, ui->px, SVP_CANVAS_W, ui->status);
    if (SDL_UpdateTexture(ui->tex, NULL, ui->px, SVP_CANVAS_W * (int)sizeof(uint32_t)) != 0 ||
        SDL_GetRendererOutputSize(ui->ren, &ow, &oh) != 0 || ow <= 0 || oh <= 0)
        return;
    /* Whole-pixel scaling keeps the font crisp; a window smaller than the
     * canvas gets it shrunk to fit instead. */
    int scale = ow / SVP_CANVAS_W < oh / SVP_CANVAS_H ? ow / SVP_CANVAS_W : oh / SVP_CANVAS_H;
    if (scale >= 1) {
        dst.w = SVP_CANVAS_W * scale;
        dst.h = SVP_CANVAS_H * scale;
    } else if ((int64_t)ow * SVP_CANVAS_H <= (int64_t)oh * SVP_CANVAS_W) {
        dst.w = ow;
        dst.h = ow * SVP_CANVAS_H / SVP_CANVAS_W;
    } else {
        dst.h = oh;
        dst.w = oh * SVP_CANVAS_W / SVP_CANVAS_H;
    }
    dst.x = (ow - dst.w) / 2;
    dst.y = (oh - dst.h) / 2;
    SDL_SetRenderDrawColor(ui->ren, 0x12, 0x16, 0x1c, 255);
    SDL_RenderClear(ui->ren);
    SDL_RenderCopy(ui->ren, ui->tex, NULL, &dst);
    json_t *view = ui->page_open ? draw_page_poster(ui, &dst) : draw_card_posters(ui, &dst);
    SDL_RenderPresent(ui->ren);
    ui->dirty = 0;
    if (view)
        json_object_set_new(view, "window", json_pack("[ii]", ow, oh));
    log_view(ui, view);
}

int svp_catalog_ui_create(svp_catalog_ui **out, svp_app *app, sv_video_sink *vsink)
{
    svp_catalog_ui *ui = calloc(1, sizeof(*ui));
    char err[512], msg[768];
    int code = SV_ERR_NOMEM;

    snprintf(msg, sizeof(msg), "out of memory");
    if (!ui || !(ui->px = calloc(SVP_CANVAS_W * SVP_CANVAS_H, sizeof(*ui->px))) ||
        svp_catalog_create(&ui->cat) < 0)
        goto fail;
    ui->app = app;
    ui->vsink = vsink;
    SDL_Window *win = SDL_GetWindowFromID(sv_sdl2_video_window_id(vsink));
    ui->ren = win ? SDL_GetRenderer(win) : NULL;
    if (!ui->ren || !(ui->tex = SDL_CreateTexture(ui->ren, SDL_PIXELFORMAT_ARGB8888,
                                                  SDL_TEXTUREACCESS_STREAMING, SVP_CANVAS_W,
                                                  SVP_CANVAS_H))) {
        code = SV_ERR_IO;
        snprintf(msg, sizeof(msg), "cannot draw the catalog: %s", SDL_GetError());
        goto fail;
    }
    SDL_SetTextureScaleMode(ui->tex, SDL_ScaleModeNearest);
    if (svp_posters_create(&ui->posters, app, ui->ren) < 0)
        goto fail;
    if (!app->user_token && svp_backend_login(app, err, sizeof(err)) < 0) {
        code = SV_ERR_FORBIDDEN;
        snprintf(msg, sizeof(msg), "cannot log in to %s as %s: %s", app->opt.server,
                 app->opt.user, err);
        goto fail;
    }
    if (fetch_browse(ui, err, sizeof(err)) < 0) {
        code = SV_ERR_HTTP;
        snprintf(msg, sizeof(msg), "cannot read the catalog of %s: %s", app->opt.server, err);
        goto fail;
    }
    /* Keys are read as key presses; SDL's text events would repeat them. */
    SDL_StopTextInput();
    ui->showing = 1;
    draw(ui);
    *out = ui;
    return 0;
fail:
    svp_session_fail(app, code, msg);
    svp_catalog_ui_destroy(ui);
    return -1;
}

void svp_catalog_ui_destroy(svp_catalog_ui *ui)
{
    if (!ui)
        return;
    if (ui->tex)
        SDL_DestroyTexture(ui->tex);
    svp_catalog_destroy(ui->cat);
    svp_posters_destroy(ui->posters);
    svp_title_download_free(ui->download);
    free(ui->logged);
    free(ui->px);
    free(ui);
}

int svp_catalog_ui_showing(const svp_catalog_ui *ui)
{
    return ui->showing;
}

/* Leaves the title for the catalog: the stop ends the backend session,
 * which saves the resume position; the rows follow once it did. */
static void back_to_catalog(svp_catalog_ui *ui)
{
    sv_player_stop(ui->app->player, 0);
    sv_sdl2_video_set_overlay(ui->vsink, NULL);
    sv_sdl2_video_set_subtitle(ui->vsink, NULL);
    ui->showing = 1;
    ui->dirty = 1;
    ui->refresh_at_ns = svp_now_ns() + REFRESH_WAIT_NS;
}

/* Plays the title of the page: from the backend's resume position, or
 * (start_over) from the start. */
static void play(svp_catalog_ui *ui, const svp_choice *choice, int start_over)
{
    svp_app *app = ui->app;
    int from_start = app->opt.from_start;
    double start_s = app->opt.start_s;

    ui->playing = *choice;
    app->opt.title_id = choice->title_id;
    snprintf(ui->status, sizeof(ui->status), "Starting %.100s...", choice->title);
    draw(ui); /* stays up until the first frame replaces it */
    ui->status[0] = '\0';
    ui->showing = 0;
    ui->page_open = 0;
    ui->start_over = start_over;
    app->opt.from_start = start_over;
    app->opt.start_s = start_over ? 0 : start_s;
    /* A refusal here sets the app's error; the next tick shows it. */
    svp_session_load_title(app);
    app->opt.from_start = from_start;
    app->opt.start_s = start_s;
}

/* The audio and subtitle languages of the title's DASH manifest (the title
 * JSON does not list them): 0, or -1 when it cannot be read (a media tree
 * that wants a playback token answers 403 to a plain GET). */
static int manifest_languages(svp_catalog_ui *ui, const json_t *title, char *audio,
                              size_t asize, char *subs, size_t ssize)
{
    const char *mpd = json_string_value(json_object_get(json_object_get(title, "manifests"),
                                                        "dash"));
    uint8_t *data = NULL;
    size_t len = 0;
    char err[512];
    int ret = -1;

    if (mpd && mpd[0] == '/' &&
        svp_backend_get(ui->app->opt.server, mpd, NULL, &data, &len, err, sizeof(err)) == 0)
        ret = svp_mpd_languages((const char *)data, len, audio, asize, subs, ssize) < 0 ? -1 : 0;
    free(data);
    return ret;
}

/* Opens the title page of the chosen card: GET /api/v1/titles/{id} for its
 * synopsis, genres and duration (the card's fields alone when that fails),
 * and its manifest for the languages. */
static void open_page(svp_catalog_ui *ui, const svp_choice *choice)
{
    char path[64], err[512], audio[128], subs[128];
    json_t *title = NULL;
    int langs = -1;

    ui->playing = *choice;
    snprintf(path, sizeof(path), "/api/v1/titles/%lld", (long long)choice->title_id);
    if (svp_backend_call(ui->app->opt.server, "GET", path, ui->app->user_token, NULL, &title,
                         err, sizeof(err)) < 0)
        snprintf(ui->status, sizeof(ui->status), "Cannot read the title: %.120s", err);
    else
        langs = manifest_languages(ui, title, audio, sizeof(audio), subs, sizeof(subs));
    svp_title_page_fill(&ui->page, &choice->card, title, langs == 0 ? audio : NULL,
                        langs == 0 ? subs : NULL);
    json_decref(title);
    if (ui->download && svp_title_download_title(ui->download) == choice->title_id)
        svp_title_download_poll(ui->download, ui->page.download_label,
                                sizeof(ui->page.download_label));
    ui->page_open = 1;
    ui->dirty = 1;
}

/* Enter on Download: the page's title stored for offline viewing (the
 * download of another title before it pauses, resumable from its folder). */
static void start_download(svp_catalog_ui *ui)
{
    char err[600];
    int64_t id = ui->page.card.title_id;

    if (ui->download && svp_title_download_title(ui->download) == id &&
        ui->download_state != SV_DOWNLOAD_FAILED)
        return; /* running, or done */
    svp_title_download_free(ui->download);
    ui->download = NULL;
    ui->download_state = -1;
    if (svp_title_download_start(ui->app, id, &ui->download, err, sizeof(err)) < 0) {
        snprintf(ui->page.download_label, sizeof(ui->page.download_label), "Download failed");
        snprintf(ui->status, sizeof(ui->status), "%.150s", err);
        fprintf(stderr, "svplay: cannot download title %lld: %s\n", (long long)id, err);
    }
    ui->dirty = 1;
}

/* The download's progress into the page's label; its end on stderr. */
static void poll_download(svp_catalog_ui *ui)
{
    char label[96];
    if (!ui->download)
        return;
    int state = svp_title_download_poll(ui->download, label, sizeof(label));
    int64_t id = svp_title_download_title(ui->download);
    if (ui->page_open && ui->page.card.title_id == id &&
        strcmp(label, ui->page.download_label)) {
        snprintf(ui->page.download_label, sizeof(ui->page.download_label), "%s", label);
        ui->dirty = 1;
    }
    if (state != ui->download_state && state == SV_DOWNLOAD_COMPLETE)
        fprintf(stderr, "svplay: title %lld downloaded: %s/master.m3u8\n", (long long)id,
                svp_title_download_dir(ui->download));
    else if (state != ui->download_state && state == SV_DOWNLOAD_FAILED)
        fprintf(stderr, "svplay: title %lld: %s\n", (long long)id, label);
    ui->download_state = state;
}

static void page_key(svp_catalog_ui *ui, svp_nav_key key)
{
    double from = 0;

    switch (svp_title_page_key(&ui->page, key, &from)) {
    case SVP_PAGE_REDRAW: ui->dirty = 1; break;
    case SVP_PAGE_GO:
        ui->playing.card = ui->page.card;
        play(ui, &ui->playing, from <= 0);
        break;
    case SVP_PAGE_DOWNLOAD_IT: start_download(ui); break;
    case SVP_PAGE_CLOSE:
        ui->page_open = 0;
        ui->status[0] = '\0';
        ui->dirty = 1;
        break;
    case SVP_PAGE_NONE: break;
    }
}

static int nav_key(SDL_Keycode sym, svp_nav_key *key, int *ch)
{
    *ch = 0;
    switch (sym) {
    case SDLK_LEFT: *key = SVP_KEY_LEFT; return 0;
    case SDLK_RIGHT: *key = SVP_KEY_RIGHT; return 0;
    case SDLK_UP: *key = SVP_KEY_UP; return 0;
    case SDLK_DOWN: *key = SVP_KEY_DOWN; return 0;
    case SDLK_RETURN:
    case SDLK_KP_ENTER: *key = SVP_KEY_ENTER; return 0;
    case SDLK_BACKSPACE: *key = SVP_KEY_BACK; return 0;
    case SDLK_ESCAPE:
    case SDLK_AC_BACK: *key = SVP_KEY_ESCAPE; return 0;
    default:
        /* SDL keycodes of printable keys are their unshifted ASCII. */
        if (sym < 32 || sym > 126)
            return -1;
        *key = SVP_KEY_CHAR;
        *ch = (int)sym;
        return 0;
    }
}

int svp_catalog_ui_event(svp_catalog_ui *ui, const void *sdl_event)
{
    const SDL_Event *e = sdl_event;
    svp_choice choice;
    svp_nav_key key;
    int ch;

    if (e->type == SDL_QUIT) {
        ui->quit = 1;
        return 0;
    }
    if (e->type == SDL_WINDOWEVENT && ui->showing) {
        ui->dirty = 1; /* expose or resize: ours to draw, not the sink's */
        return 1;
    }
    if (e->type == SDL_TEXTINPUT || e->type == SDL_TEXTEDITING)
        return ui->showing;
    if (e->type != SDL_KEYDOWN)
        return 0;
    SDL_Keycode sym = e->key.keysym.sym;
    if (!ui->showing) {
        if (sym == SDLK_BACKSPACE || sym == SDLK_ESCAPE || sym == SDLK_AC_BACK) {
            back_to_catalog(ui);
            return 1;
        }
        if (sym == SDLK_q)
            ui->quit = 1; /* window.c quits */
        return 0;
    }
    if (nav_key(sym, &key, &ch) < 0)
        return 1;
    if (ui->page_open) {
        page_key(ui, key);
        return 1;
    }
    switch (svp_catalog_key(ui->cat, key, ch, svp_now_ns(), &choice)) {
    case SVP_NAV_REDRAW: ui->dirty = 1; break;
    case SVP_NAV_PLAY: open_page(ui, &choice); break;
    case SVP_NAV_QUIT:
        ui->quit = 1;
        ui->app->done = 1;
        break;
    case SVP_NAV_NONE: break;
    }
    return 1;
}

void svp_catalog_ui_player_event(svp_catalog_ui *ui, const sv_event *ev)
{
    if (ev->id != SV_EVENT_SESSION || !ev->data.session.what)
        return;
    if (!strcmp(ev->data.session.what, "started") && ui->app->opt.log_level >= SV_LOG_WARN)
        fprintf(stderr, "svplay: playing title %lld \"%s\" from %.1f s\n",
                (long long)ui->playing.title_id, ui->playing.title,
                ui->start_over ? 0.0 : ev->data.session.position_s);
    /* The resume position is saved: the continue-watching row can show it. */
    if (!strcmp(ev->data.session.what, "stopped") && ui->refresh_at_ns)
        ui->refresh_at_ns = svp_now_ns();
}

/* A title ended or failed (or a late failure of one already left): back to
 * the catalog with the news, and the app keeps running. */
static void absorb_end(svp_catalog_ui *ui)
{
    svp_app *app = ui->app;

    if (app->error_code) {
        snprintf(ui->status, sizeof(ui->status), "Cannot play %.40s: %.100s", ui->playing.title,
                 app->error_message);
        fprintf(stderr, "svplay: cannot play title %lld: %s\n",
                (long long)ui->playing.title_id, app->error_message);
    }
    app->done = 0;
    app->error_code = 0;
    app->error_message[0] = '\0';
    app->exit_code = SVP_EXIT_OK;
    app->pending_fail_ns = 0;
    if (!ui->showing)
        back_to_catalog(ui);
    ui->dirty = 1;
}

void svp_catalog_ui_tick(svp_catalog_ui *ui, int presented)
{
    int64_t now = svp_now_ns();
    char err[512];
    const char *q;

    if (ui->app->done && !ui->quit)
        absorb_end(ui);
    poll_download(ui);
    if (!ui->showing)
        return;
    if (ui->refresh_at_ns && now >= ui->refresh_at_ns) {
        ui->refresh_at_ns = 0;
        if (fetch_browse(ui, err, sizeof(err)) < 0)
            snprintf(ui->status, sizeof(ui->status), "Cannot refresh: %.120s", err);
        ui->dirty = 1;
    }
    if ((q = svp_catalog_search_due(ui->cat, now)))
        run_search(ui, q);
    if (ui->dirty || presented)
        draw(ui);
}
