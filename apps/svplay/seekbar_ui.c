/*
 * The seek bar in the SDL window (seekbar.h): reads the player, keeps the
 * thumbnail of the scrub point in a texture, and draws through the video
 * sink's draw callback, so the bar is part of every frame presented and of
 * every redraw while paused. The callback only draws what tick() prepared:
 * it runs inside sv_player_render() and must not call the player.
 */
#include <SDL.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <streamverse/sdl2.h>

#include "seekbar.h"
#include "svplay.h"

typedef struct text_tex {
    SDL_Texture *tex;
    int w, h;                   /* in font pixels (before the text scale) */
    char text[48];
} text_tex;

struct svp_seekbar {
    sv_player *player;
    sv_video_sink *vsink;
    SDL_Renderer *ren;
    FILE *log;                  /* --ui-log, borrowed */
    svp_seekbar_model m;
    int64_t linger_until_ns;    /* the bar stays up until then */
    int visible;
    int prefetched;             /* the first thumbnail call (it starts the fetching) was made */
    uint8_t *px;                /* the thumbnail's RGBA, from the player */
    size_t cap;
    SDL_Texture *thumb;
    int thumb_w, thumb_h;       /* the texture's size; 0 when none */
    int thumb_ok;               /* the texture holds the thumbnail for the scrub point */
    double thumb_start_s, thumb_dur_s;
    text_tex time, label;
    char drawn[256];            /* what the window shows, to redraw when paused */
};

static int64_t now_ns(void)
{
    return svp_now_ns();
}

/* Makes tt show `text` (white, transparent around) unless it already does. */
static void set_text(svp_seekbar *sb, text_tex *tt, const char *text)
{
    int cols = 0, lines = 0;
    uint32_t *buf;

    if (tt->tex && !strcmp(tt->text, text))
        return;
    snprintf(tt->text, sizeof(tt->text), "%s", text);
    sv_sdl2_text_measure(text, &cols, &lines);
    int w = cols * SV_SDL2_TEXT_CELL_W, h = lines * SV_SDL2_TEXT_CELL_H;
    if (tt->tex && (w != tt->w || h != tt->h)) {
        SDL_DestroyTexture(tt->tex);
        tt->tex = NULL;
    }
    tt->w = w;
    tt->h = h;
    if (w <= 0 || h <= 0 || !(buf = calloc((size_t)w * h, sizeof(*buf))))
        return;
    sv_sdl2_text_draw(buf, w, w, h, 0, 0, text, 0xffffffffu);
    if (!tt->tex) {
        tt->tex = SDL_CreateTexture(sb->ren, SDL_PIXELFORMAT_ARGB8888,
                                    SDL_TEXTUREACCESS_STREAMING, w, h);
        if (tt->tex)
            SDL_SetTextureBlendMode(tt->tex, SDL_BLENDMODE_BLEND);
    }
    if (tt->tex)
        SDL_UpdateTexture(tt->tex, NULL, buf, w * (int)sizeof(*buf));
    free(buf);
}

/* Asks the player for the thumbnail at t unless the texture has it. */
static void update_thumb(svp_seekbar *sb, double t)
{
    sv_thumbnail th = SV_THUMBNAIL_INIT;
    int ret;

    if (sb->thumb_ok && t >= sb->thumb_start_s && t < sb->thumb_start_s + sb->thumb_dur_s)
        return;
    th.pixels = sb->px;
    th.capacity = sb->cap;
    ret = sv_player_get_thumbnail(sb->player, t, &th);
    if (ret == SV_ERR_OVERFLOW && th.width > 0 && th.height > 0) {
        size_t need = (size_t)th.width * th.height * 4;
        uint8_t *p = realloc(sb->px, need);
        if (!p)
            return;
        sb->px = p;
        sb->cap = need;
        th.pixels = p;
        th.capacity = need;
        ret = sv_player_get_thumbnail(sb->player, t, &th);
    }
    if (ret == SV_ERR_AGAIN) {
        sb->thumb_ok = 0; /* a placeholder of the last size until it is in */
        return;
    }
    if (ret < 0) {
        sb->thumb_ok = 0;
        sb->thumb_w = sb->thumb_h = 0; /* none for t: no box */
        return;
    }
    if (sb->thumb && (th.width != sb->thumb_w || th.height != sb->thumb_h)) {
        SDL_DestroyTexture(sb->thumb);
        sb->thumb = NULL;
    }
    if (!sb->thumb && !(sb->thumb = SDL_CreateTexture(sb->ren, SDL_PIXELFORMAT_RGBA32,
                                                      SDL_TEXTUREACCESS_STREAMING, th.width,
                                                      th.height)))
        return;
    SDL_UpdateTexture(sb->thumb, NULL, sb->px, th.width * 4);
    sb->thumb_w = th.width;
    sb->thumb_h = th.height;
    sb->thumb_start_s = th.start_s;
    sb->thumb_dur_s = th.duration_s > 0 ? th.duration_s : 1e-3;
    sb->thumb_ok = 1;
}

static void fill(SDL_Renderer *ren, int x, int y, int w, int h, uint32_t rgb, int alpha)
{
    SDL_Rect r = {x, y, w, h};
    SDL_SetRenderDrawColor(ren, (rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff, alpha);
    SDL_RenderFillRect(ren, &r);
}

static void draw_text(SDL_Renderer *ren, const text_tex *tt, const int at[2], int scale)
{
    if (!tt->tex)
        return;
    SDL_Rect r = {at[0], at[1], tt->w * scale, tt->h * scale};
    SDL_RenderCopy(ren, tt->tex, NULL, &r);
}

/* The sink's draw callback: the bar over the picture, on the render thread. */
static void draw_cb(void *opaque, void *renderer, int ow, int oh, const int picture[4])
{
    svp_seekbar *sb = opaque;
    SDL_Renderer *ren = renderer;
    svp_seekbar_layout l;
    (void)picture;

    if (!sb->visible)
        return;
    svp_seekbar_layout_for(&sb->m, ow, oh, sb->thumb_w, sb->thumb_h, &l);
    SDL_SetRenderDrawBlendMode(ren, SDL_BLENDMODE_BLEND);
    fill(ren, l.panel[0], l.panel[1], l.panel[2], l.panel[3], 0, 160);
    SDL_SetRenderDrawBlendMode(ren, SDL_BLENDMODE_NONE);
    fill(ren, l.bar[0], l.bar[1], l.bar[2], l.bar[3], SVP_BAR_TRACK_RGB, 255);
    if (l.buffered_x > l.played_x)
        fill(ren, l.played_x, l.bar[1], l.buffered_x - l.played_x, l.bar[3],
             SVP_BAR_BUFFERED_RGB, 255);
    fill(ren, l.bar[0], l.bar[1], l.played_x - l.bar[0], l.bar[3], SVP_BAR_PLAYED_RGB, 255);
    draw_text(ren, &sb->time, l.time, l.text_scale);
    if (l.marker_x >= 0) {
        int ts = l.text_scale;
        fill(ren, l.marker_x - 1, l.bar[1] - 2 * ts, 3, l.bar[3] + 4 * ts, SVP_BAR_MARKER_RGB,
             255);
        draw_text(ren, &sb->label, l.label, ts);
    }
    if (l.thumb[2] > 0) {
        /* A 2-pixel white frame, then the picture (or a dark box until it is in). */
        fill(ren, l.thumb[0] - 2, l.thumb[1] - 2, l.thumb[2] + 4, l.thumb[3] + 4, 0xffffff, 255);
        SDL_Rect r = {l.thumb[0], l.thumb[1], l.thumb[2], l.thumb[3]};
        if (sb->thumb_ok && sb->thumb)
            SDL_RenderCopy(ren, sb->thumb, NULL, &r);
        else
            fill(ren, r.x, r.y, r.w, r.h, 0x202020, 255);
    }
}

int svp_seekbar_create(svp_seekbar **out, sv_player *player, sv_video_sink *vsink,
                       FILE *ui_log)
{
    svp_seekbar *sb = calloc(1, sizeof(*sb));
    SDL_Window *win;

    if (!sb)
        return SV_ERR_NOMEM;
    sb->player = player;
    sb->vsink = vsink;
    sb->log = ui_log;
    win = SDL_GetWindowFromID(sv_sdl2_video_window_id(vsink));
    if (!win || !(sb->ren = SDL_GetRenderer(win)) ||
        sv_sdl2_video_set_draw_callback(vsink, draw_cb, sb) < 0) {
        free(sb);
        return SV_ERR_IO;
    }
    *out = sb;
    return 0;
}

void svp_seekbar_destroy(svp_seekbar *sb)
{
    if (!sb)
        return;
    sv_sdl2_video_set_draw_callback(sb->vsink, NULL, NULL);
    if (sb->thumb)
        SDL_DestroyTexture(sb->thumb);
    if (sb->time.tex)
        SDL_DestroyTexture(sb->time.tex);
    if (sb->label.tex)
        SDL_DestroyTexture(sb->label.tex);
    free(sb->px);
    free(sb);
}

void svp_seekbar_show(svp_seekbar *sb)
{
    sb->linger_until_ns = now_ns() + SVP_SEEKBAR_LINGER_NS;
}

void svp_seekbar_reset(svp_seekbar *sb)
{
    sb->m.mode = SVP_SCRUB_NONE;
    sb->linger_until_ns = 0;
    sb->visible = 0;
    sb->thumb_ok = 0;
    sb->prefetched = 0;
    sb->drawn[0] = '\0';
}

static void output_size(const svp_seekbar *sb, int *w, int *h)
{
    if (SDL_GetRendererOutputSize(sb->ren, w, h) != 0 || *w <= 0 || *h <= 0)
        *w = *h = 1;
}

static const char *mode_name(svp_scrub_mode m)
{
    static const char *const names[] = {"none", "keys", "hover", "drag"};
    return names[m];
}

static void log_seek(svp_seekbar *sb, double to, const char *by)
{
    if (!sb->log)
        return;
    json_t *j = json_pack("{s:s,s:f,s:s}", "what", "seek", "to_s", to, "by", by);
    if (j && json_dumpf(j, sb->log, JSON_COMPACT) == 0)
        fputc('\n', sb->log);
    fflush(sb->log);
    json_decref(j);
}

static void seek_to(svp_seekbar *sb, double to, const char *by)
{
    if (sv_player_seek(sb->player, to, SV_SEEK_ACCURATE, 0) == SV_ERR_FORBIDDEN)
        fprintf(stderr, "svplay: this ad cannot be skipped\n"); /* X-RESTRICT SKIP */
    svp_seekbar_show(sb);
    log_seek(sb, to, by);
}

static int key_of(SDL_Keycode sym, svp_scrub_key *key)
{
    switch (sym) {
    case SDLK_RETURN:
    case SDLK_KP_ENTER: *key = SVP_SCRUB_ENTER; return 0;
    case SDLK_LEFT: *key = SVP_SCRUB_LEFT; return 0;
    case SDLK_RIGHT: *key = SVP_SCRUB_RIGHT; return 0;
    case SDLK_UP: *key = SVP_SCRUB_UP; return 0;
    case SDLK_DOWN: *key = SVP_SCRUB_DOWN; return 0;
    case SDLK_HOME: *key = SVP_SCRUB_HOME; return 0;
    case SDLK_END: *key = SVP_SCRUB_END; return 0;
    case SDLK_ESCAPE:
    case SDLK_BACKSPACE:
    case SDLK_AC_BACK: *key = SVP_SCRUB_CANCEL; return 0;
    default: return -1;
    }
}

/* Window coordinates of a mouse event to renderer output pixels. */
static void to_output(const svp_seekbar *sb, int *x, int *y, int ow, int oh)
{
    int ww = 0, wh = 0;
    SDL_GetWindowSize(SDL_RenderGetWindow(sb->ren), &ww, &wh);
    if (ww > 0 && wh > 0) {
        *x = (int)((int64_t)*x * ow / ww);
        *y = (int)((int64_t)*y * oh / wh);
    }
}

int svp_seekbar_event(svp_seekbar *sb, const void *sdl_event)
{
    const SDL_Event *e = sdl_event;
    svp_seekbar_layout l;
    svp_scrub_result r = SVP_SCRUB_IGNORED;
    svp_scrub_key key;
    double to = 0;
    int ow, oh, x, y, button;

    if (e->type == SDL_KEYDOWN) {
        if (key_of(e->key.keysym.sym, &key) < 0)
            return 0;
        r = svp_seekbar_key(&sb->m, key, &to);
        if (r == SVP_SCRUB_SEEK)
            seek_to(sb, to, "keys");
        return r != SVP_SCRUB_IGNORED;
    }
    if (e->type == SDL_MOUSEMOTION) {
        x = e->motion.x, y = e->motion.y, button = 0;
    } else if ((e->type == SDL_MOUSEBUTTONDOWN || e->type == SDL_MOUSEBUTTONUP) &&
               e->button.button == SDL_BUTTON_LEFT) {
        x = e->button.x, y = e->button.y;
        button = e->type == SDL_MOUSEBUTTONDOWN ? 1 : -1;
    } else {
        return 0;
    }
    output_size(sb, &ow, &oh);
    to_output(sb, &x, &y, ow, oh);
    svp_seekbar_layout_for(&sb->m, ow, oh, 0, 0, &l);
    r = svp_seekbar_mouse(&sb->m, &l, x, y, button, &to);
    if (r == SVP_SCRUB_SEEK)
        seek_to(sb, to, "mouse");
    if (r != SVP_SCRUB_IGNORED && sb->m.mode == SVP_SCRUB_NONE)
        svp_seekbar_show(sb); /* the mouse left: the bar lingers */
    return r != SVP_SCRUB_IGNORED && button != 0;
}

/* One --ui-log line for what is drawn now. */
static void log_layout(svp_seekbar *sb, const svp_seekbar_layout *l, int ow, int oh)
{
    json_t *j = json_pack("{s:s,s:b,s:s,s:f,s:f,s:[ii],s:[iiii],s:i,s:i,s:i,s:s,s:s}", "what",
                          "seekbar", "visible", sb->visible, "mode", mode_name(sb->m.mode),
                          "position_s", sb->m.position_s, "duration_s", sb->m.duration_s,
                          "window", ow, oh, "bar", l->bar[0], l->bar[1], l->bar[2], l->bar[3],
                          "played_x", l->played_x, "buffered_x", l->buffered_x, "marker_x",
                          l->marker_x, "time", sb->time.text, "label",
                          sb->m.mode != SVP_SCRUB_NONE ? sb->label.text : "");
    if (!j)
        return;
    if (sb->m.mode != SVP_SCRUB_NONE)
        json_object_set_new(j, "scrub_s", json_real(sb->m.scrub_s));
    if (l->thumb[2] > 0) {
        json_object_set_new(j, "thumb", json_pack("[iiii]", l->thumb[0], l->thumb[1],
                                                  l->thumb[2], l->thumb[3]));
        json_object_set_new(j, "thumb_scale", json_integer(l->thumb_scale));
        json_object_set_new(j, "thumb_ready", json_boolean(sb->thumb_ok));
        if (sb->thumb_ok)
            json_object_set_new(j, "thumb_span_s", json_pack("[ff]", sb->thumb_start_s,
                                                             sb->thumb_dur_s));
    }
    if (json_dumpf(j, sb->log, JSON_COMPACT) == 0)
        fputc('\n', sb->log);
    fflush(sb->log);
    json_decref(j);
}

void svp_seekbar_tick(svp_seekbar *sb, sv_player_state state)
{
    svp_seekbar_layout l;
    char sig[256], tpos[24], tdur[24];
    int ow, oh;

    sv_player_get_double(sb->player, SV_PROP_POSITION, &sb->m.position_s);
    if (sv_player_get_double(sb->player, SV_PROP_DURATION, &sb->m.duration_s) < 0)
        sb->m.duration_s = 0;
    sv_player_get_double(sb->player, SV_PROP_BUFFER, &sb->m.buffer_s);
    if (sb->m.duration_s <= 0 || state == SV_STATE_IDLE || state == SV_STATE_LOADING) {
        sb->m.mode = SVP_SCRUB_NONE; /* nothing to seek in (yet) */
        sb->visible = 0;
        return;
    }
    if (!sb->prefetched) {
        update_thumb(sb, sb->m.position_s); /* starts the player's fetching */
        sb->prefetched = 1;
    }
    sb->visible = sb->m.mode != SVP_SCRUB_NONE || now_ns() < sb->linger_until_ns;
    if (sb->m.mode != SVP_SCRUB_NONE)
        update_thumb(sb, sb->m.scrub_s);
    svp_format_time(tpos, sizeof(tpos), sb->m.position_s);
    svp_format_time(tdur, sizeof(tdur), sb->m.duration_s);
    snprintf(sig, sizeof(sig), "%s / %s", tpos, tdur);
    set_text(sb, &sb->time, sig);
    svp_format_time(tpos, sizeof(tpos), sb->m.scrub_s);
    set_text(sb, &sb->label, tpos);
    output_size(sb, &ow, &oh);
    svp_seekbar_layout_for(&sb->m, ow, oh, sb->thumb_w, sb->thumb_h, &l);

    /* What is drawn: logged and, while no frame comes (paused), drawn now. */
    if (sb->visible)
        snprintf(sig, sizeof(sig), "%d %.3f %d %.3f %dx%d %d %d %s %d %d", sb->m.mode,
                 sb->m.scrub_s, sb->thumb_ok, sb->thumb_start_s, ow, oh, l.thumb[0], l.thumb[1],
                 sb->time.text, l.played_x, l.buffered_x);
    else
        snprintf(sig, sizeof(sig), "hidden");
    if (!strcmp(sig, sb->drawn))
        return;
    snprintf(sb->drawn, sizeof(sb->drawn), "%s", sig);
    if (sb->log)
        log_layout(sb, &l, ow, oh);
    if (state != SV_STATE_PLAYING)
        sv_sdl2_video_redraw(sb->vsink);
}
