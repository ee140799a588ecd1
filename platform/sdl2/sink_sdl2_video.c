/*
 * The SDL2 video sink: a window with a streaming YUV texture, scaled to fit
 * with black bars, plus a text panel and a subtitle line drawn with the
 * built-in bitmap font.
 *
 * Everything SDL is touched on the render thread only (the host's main
 * thread, see streamverse/sdl2.h). The texts can be set from any thread, so
 * they are handed over under `lock` and turned into textures at draw time.
 */
#include <SDL.h>
#include <stdlib.h>
#include <string.h>

#include "../abi.h"
#include "streamverse/sdl2.h"

/* The sizes of the first published versions (ABI 1) of the structs read or written here. */
#define SETTINGS_V1 SV__SIZE_TO(sv_sdl2_video_settings, software)
#define STATS_V1 SV__SIZE_TO(sv_sdl2_video_stats, format)

typedef struct text_layer {
    char *text;              /* guarded by the sink's lock */
    int dirty;               /* guarded by the sink's lock: text changed */
    sv_cue_style style;      /* guarded by the sink's lock (subtitle); has_style */
    int has_style;
    sv_cue_style drawn;      /* the style tex was made with, render thread only */
    int drawn_style;
    SDL_Texture *tex;        /* render thread only */
    int w, h;                /* texture size, render thread only */
} text_layer;

typedef struct sdl_video {
    sv_video_sink pub;       /* first: the public pointer is the object */
    SDL_Window *win;
    SDL_Renderer *ren;
    SDL_Texture *tex;        /* the picture; NULL before the first configure */
    sv_pixel_format fmt;
    int w, h;                /* picture size */
    int disp_w, disp_h;      /* picture size with the sample aspect ratio applied */
    int have_frame;          /* tex holds a presented picture */
    int sized;               /* the window was fitted to the first picture */
    int keep_window_size, hidden;
    int fullscreen;
    sv_sdl2_draw_fn draw_fn; /* the host's drawing over the picture, render thread only */
    void *draw_opaque;
    SDL_mutex *lock;
    /* Guarded by lock: */
    text_layer osd, sub;
    sv_sdl2_video_stats stats;
} sdl_video;

static const sv_pixel_format sdl_formats[] = {SV_PIX_FMT_YUV420P, SV_PIX_FMT_NV12,
                                              SV_PIX_FMT_NONE};

static int present(void *opaque, const sv_video_frame *frame);

static sdl_video *as_sdl_video(const sv_video_sink *sink)
{
    return sink && sink->present == present ? (sdl_video *)sink->opaque : NULL;
}

static void fit_window_to_picture(sdl_video *s)
{
    SDL_Rect usable;
    int w = s->disp_w, h = s->disp_h;
    int idx = SDL_GetWindowDisplayIndex(s->win);

    /* Shrink, never grow, a picture that is larger than the screen. */
    if (idx >= 0 && SDL_GetDisplayUsableBounds(idx, &usable) == 0 && usable.w > 0 &&
        usable.h > 0) {
        if (w > usable.w) {
            h = (int)((int64_t)h * usable.w / w);
            w = usable.w;
        }
        if (h > usable.h) {
            w = (int)((int64_t)w * usable.h / h);
            h = usable.h;
        }
    }
    if (w > 0 && h > 0)
        SDL_SetWindowSize(s->win, w, h);
}

static int configure(void *opaque, const sv_video_frame *frame)
{
    sdl_video *s = opaque;
    Uint32 sdl_fmt;

    if (!frame || frame->width <= 0 || frame->height <= 0)
        return SV_ERR_INVALID;
    if (frame->format == SV_PIX_FMT_YUV420P)
        sdl_fmt = SDL_PIXELFORMAT_IYUV;
    else if (frame->format == SV_PIX_FMT_NV12)
        sdl_fmt = SDL_PIXELFORMAT_NV12;
    else
        return SV_ERR_UNSUPPORTED;

    if (!s->tex || s->fmt != frame->format || s->w != frame->width || s->h != frame->height) {
        /* SDL picks the YUV matrix when the texture is made; it has only a
         * process-wide setting for it. */
        SDL_SetYUVConversionMode(frame->full_range ? SDL_YUV_CONVERSION_JPEG
                                                   : SDL_YUV_CONVERSION_AUTOMATIC);
        SDL_Texture *tex = SDL_CreateTexture(s->ren, sdl_fmt, SDL_TEXTUREACCESS_STREAMING,
                                             frame->width, frame->height);
        if (!tex)
            return SV_ERR_IO;
        SDL_SetTextureScaleMode(tex, SDL_ScaleModeLinear);
        if (s->tex)
            SDL_DestroyTexture(s->tex);
        s->tex = tex;
        s->have_frame = 0;
    }
    s->fmt = frame->format;
    s->w = frame->width;
    s->h = frame->height;
    s->disp_w = frame->width;
    s->disp_h = frame->height;
    if (frame->sar_num > 0 && frame->sar_den > 0 && frame->sar_num != frame->sar_den)
        s->disp_w = (int)((int64_t)frame->width * frame->sar_num / frame->sar_den);
    if (!s->sized) {
        s->sized = 1;
        if (!s->keep_window_size && !s->fullscreen)
            fit_window_to_picture(s);
        if (s->hidden) {
            SDL_ShowWindow(s->win);
            s->hidden = 0;
        }
    }
    SDL_LockMutex(s->lock);
    s->stats.configures++;
    s->stats.width = s->w;
    s->stats.height = s->h;
    s->stats.format = s->fmt;
    SDL_UnlockMutex(s->lock);
    return 0;
}

/* A cue colour 0xRRGGBBAA as the textures' ARGB. */
static uint32_t argb(uint32_t rgba)
{
    return (rgba >> 8) | (rgba << 24);
}

/* Rebuilds a text layer's texture when its text changed. */
static void refresh_layer(sdl_video *s, text_layer *l)
{
    char *text = NULL;
    int dirty, cols = 0, lines = 0;

    SDL_LockMutex(s->lock);
    dirty = l->dirty;
    l->dirty = 0;
    if (dirty && l->text)
        text = SDL_strdup(l->text);
    if (dirty) {
        l->drawn = l->style;
        l->drawn_style = l->has_style;
    }
    SDL_UnlockMutex(s->lock);
    if (!dirty)
        return;
    if (l->tex) {
        SDL_DestroyTexture(l->tex);
        l->tex = NULL;
    }
    sv_sdl2_text_measure(text, &cols, &lines);
    if (cols > 0 && lines > 0) {
        /* Two pixels of padding around the text, one cell of spacing
         * between lines; the box is drawn with the text, at 1x, and scaled
         * up with nearest-pixel sampling so the glyphs stay crisp. */
        int w = cols * SV_SDL2_TEXT_CELL_W + 3, h = lines * SV_SDL2_TEXT_CELL_H + 2;
        uint32_t *px = SDL_malloc((size_t)w * (size_t)h * sizeof(*px));
        if (px) {
            uint32_t bg = 0xb0000000u, fg = 0xffffffffu; /* ARGB: white on translucent black */
            if (l->drawn_style && l->drawn.background)
                bg = argb(l->drawn.background);
            if (l->drawn_style && l->drawn.color)
                fg = argb(l->drawn.color);
            for (int i = 0; i < w * h; i++)
                px[i] = bg;
            sv_sdl2_text_draw(px, w, w, h, 2, 2, text, fg);
            l->tex = SDL_CreateTexture(s->ren, SDL_PIXELFORMAT_ARGB8888,
                                       SDL_TEXTUREACCESS_STATIC, w, h);
            if (l->tex) {
                SDL_UpdateTexture(l->tex, NULL, px, w * (int)sizeof(*px));
                SDL_SetTextureBlendMode(l->tex, SDL_BLENDMODE_BLEND);
                SDL_SetTextureScaleMode(l->tex, SDL_ScaleModeNearest);
                l->w = w;
                l->h = h;
            }
            SDL_free(px);
        }
    }
    SDL_free(text);
}

static int place(sv_cue_align a, int start, int len, int size)
{
    return a == SV_CUE_ALIGN_START ? start
           : a == SV_CUE_ALIGN_END ? start + len - size
                                   : start + (len - size) / 2;
}

/* The subtitle: centred near the bottom of the window, or where its style
 * says inside the picture `pic`. */
static void draw_subtitle(sdl_video *s, const SDL_Rect *pic, int ow, int oh, int sub_scale)
{
    const sv_cue_style *st = s->sub.drawn_style ? &s->sub.drawn : NULL;
    SDL_Rect r = {0, 0, s->sub.w * sub_scale, s->sub.h * sub_scale};

    if (st && st->font_size > 0 && pic->h > 0) {
        /* Whole steps of the bitmap font nearest the asked size. */
        int step = (int)(st->font_size / 100 * pic->h / SV_SDL2_TEXT_CELL_H + 0.5f);
        step = step < 1 ? 1 : step > 8 ? 8 : step;
        r.w = s->sub.w * step;
        r.h = s->sub.h * step;
    }
    if (st && st->width > 0 && pic->w > 0) {
        SDL_Rect reg = {pic->x + (int)(st->x / 100 * pic->w), pic->y + (int)(st->y / 100 * pic->h),
                        (int)(st->width / 100 * pic->w), (int)(st->height / 100 * pic->h)};
        r.x = place(st->text_align ? st->text_align : SV_CUE_ALIGN_CENTER, reg.x, reg.w, r.w);
        r.y = place(st->display_align ? st->display_align : SV_CUE_ALIGN_END, reg.y, reg.h, r.h);
    } else {
        r.x = st && st->text_align ? place(st->text_align, pic->x, pic->w, r.w) : (ow - r.w) / 2;
        r.y = oh - r.h - oh / 16;
    }
    SDL_RenderCopy(s->ren, s->sub.tex, NULL, &r);
}

static int draw(sdl_video *s)
{
    int ow = 0, oh = 0;
    SDL_Rect pic = {0, 0, 0, 0};

    if (SDL_GetRendererOutputSize(s->ren, &ow, &oh) != 0 || ow <= 0 || oh <= 0)
        return SV_ERR_IO;
    SDL_SetRenderDrawColor(s->ren, 0, 0, 0, 255);
    SDL_RenderClear(s->ren);
    if (s->tex && s->have_frame && s->disp_w > 0 && s->disp_h > 0) {
        /* Largest rectangle of the picture's aspect that fits; bars fill the rest. */
        SDL_Rect dst;
        if ((int64_t)ow * s->disp_h <= (int64_t)oh * s->disp_w) {
            dst.w = ow;
            dst.h = (int)((int64_t)ow * s->disp_h / s->disp_w);
        } else {
            dst.h = oh;
            dst.w = (int)((int64_t)oh * s->disp_w / s->disp_h);
        }
        dst.x = (ow - dst.w) / 2;
        dst.y = (oh - dst.h) / 2;
        pic = dst;
        if (SDL_RenderCopy(s->ren, s->tex, NULL, &dst) != 0)
            return SV_ERR_IO;
    }
    refresh_layer(s, &s->osd);
    refresh_layer(s, &s->sub);
    /* Text grows with the window: 1x up to 360 lines, then one step per 360. */
    int scale = oh / 360 + 1;
    if (scale > 4)
        scale = 4;
    if (s->osd.tex) {
        SDL_Rect r = {8 * scale, 8 * scale, s->osd.w * scale, s->osd.h * scale};
        SDL_RenderCopy(s->ren, s->osd.tex, NULL, &r);
    }
    if (s->sub.tex)
        draw_subtitle(s, &pic, ow, oh, scale + 1);
    if (s->draw_fn) {
        const int rect[4] = {pic.x, pic.y, pic.w, pic.h};
        s->draw_fn(s->draw_opaque, s->ren, ow, oh, rect);
    }
    SDL_RenderPresent(s->ren);
    return 0;
}

static int present(void *opaque, const sv_video_frame *frame)
{
    sdl_video *s = opaque;
    int ret;

    if (!frame || frame->nb_planes < 1)
        return SV_ERR_INVALID;
    if (!s->tex || frame->format != s->fmt || frame->width != s->w || frame->height != s->h) {
        if ((ret = configure(s, frame)) < 0)
            return ret;
    }
    if (s->fmt == SV_PIX_FMT_YUV420P) {
        if (frame->nb_planes < 3)
            return SV_ERR_INVALID;
        ret = SDL_UpdateYUVTexture(s->tex, NULL, frame->planes[0].data, frame->planes[0].stride,
                                   frame->planes[1].data, frame->planes[1].stride,
                                   frame->planes[2].data, frame->planes[2].stride);
    } else {
        if (frame->nb_planes < 2)
            return SV_ERR_INVALID;
        ret = SDL_UpdateNVTexture(s->tex, NULL, frame->planes[0].data, frame->planes[0].stride,
                                  frame->planes[1].data, frame->planes[1].stride);
    }
    if (ret != 0)
        return SV_ERR_IO;
    s->have_frame = 1;
    if ((ret = draw(s)) < 0)
        return ret;
    SDL_LockMutex(s->lock);
    s->stats.frames++;
    SDL_UnlockMutex(s->lock);
    return 0;
}

static void free_layer(text_layer *l)
{
    if (l->tex)
        SDL_DestroyTexture(l->tex);
    SDL_free(l->text);
}

static void destroy(sv_video_sink *sink)
{
    sdl_video *s = as_sdl_video(sink);

    if (!s)
        return;
    free_layer(&s->osd);
    free_layer(&s->sub);
    if (s->tex)
        SDL_DestroyTexture(s->tex);
    if (s->ren)
        SDL_DestroyRenderer(s->ren);
    if (s->win)
        SDL_DestroyWindow(s->win);
    SDL_QuitSubSystem(SDL_INIT_VIDEO);
    SDL_DestroyMutex(s->lock);
    SDL_free(s);
}

static void defaults(sv_sdl2_video_settings *s)
{
    memset(s, 0, sizeof(*s));
    s->struct_size = sizeof(*s);
    s->width = 640;
    s->height = 360;
    s->x = -1;
    s->y = -1;
}

SV_SDL2_API void sv_sdl2_video_default_settings_sized(sv_sdl2_video_settings *s,
                                                      size_t struct_size)
{
    sv_sdl2_video_settings full;

    defaults(&full);
    sv__struct_defaults(s, struct_size, &full, sizeof(full), SETTINGS_V1);
}

SV_SDL2_API int sv_sdl2_video_sink_create(sv_video_sink **out,
                                          const sv_sdl2_video_settings *settings)
{
    sv_sdl2_video_settings set;
    sdl_video *s = NULL;
    int ret = SV_ERR_IO, sdl_up = 0;

    defaults(&set);
    if (!out || (settings && sv__struct_read(&set, sizeof(set), settings, SETTINGS_V1) < 0))
        return SV_ERR_INVALID;
    if (set.width <= 0 || set.height <= 0 || set.width > 16384 || set.height > 16384)
        return SV_ERR_INVALID;
    if (!(s = SDL_calloc(1, sizeof(*s))))
        return SV_ERR_NOMEM;
    if (!(s->lock = SDL_CreateMutex())) {
        ret = SV_ERR_NOMEM;
        goto fail;
    }
    if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0)
        goto fail;
    sdl_up = 1;

    Uint32 flags = SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI;
    if (set.hidden_until_first_frame)
        flags |= SDL_WINDOW_HIDDEN;
    if (set.fullscreen)
        flags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
    s->win = SDL_CreateWindow(set.title ? set.title : "Streamverse",
                              set.x >= 0 ? set.x : (int)SDL_WINDOWPOS_UNDEFINED,
                              set.y >= 0 ? set.y : (int)SDL_WINDOWPOS_UNDEFINED, set.width,
                              set.height, flags);
    if (!s->win)
        goto fail;
    Uint32 rflags = set.vsync ? SDL_RENDERER_PRESENTVSYNC : 0;
    if (!set.software)
        s->ren = SDL_CreateRenderer(s->win, -1, rflags | SDL_RENDERER_ACCELERATED);
    if (!s->ren)
        s->ren = SDL_CreateRenderer(s->win, -1, rflags | SDL_RENDERER_SOFTWARE);
    if (!s->ren)
        goto fail;
    s->keep_window_size = set.keep_window_size;
    s->hidden = set.hidden_until_first_frame;
    s->fullscreen = set.fullscreen ? 1 : 0;
    s->pub.struct_size = sizeof(s->pub);
    s->pub.formats = sdl_formats;
    s->pub.configure = configure;
    s->pub.present = present;
    s->pub.flush = NULL; /* the last picture stays up until the next one */
    s->pub.destroy = destroy;
    s->pub.opaque = s;
    if (!s->hidden)
        draw(s); /* black, rather than whatever the window system left */
    *out = &s->pub;
    return 0;

fail:
    if (s->ren)
        SDL_DestroyRenderer(s->ren);
    if (s->win)
        SDL_DestroyWindow(s->win);
    if (sdl_up)
        SDL_QuitSubSystem(SDL_INIT_VIDEO);
    SDL_DestroyMutex(s->lock);
    SDL_free(s);
    return ret;
}

SV_SDL2_API uint32_t sv_sdl2_video_window_id(const sv_video_sink *sink)
{
    sdl_video *s = as_sdl_video(sink);
    return s ? SDL_GetWindowID(s->win) : 0;
}

static int set_layer_text(sv_video_sink *sink, int subtitle, const char *text,
                          const sv_cue_style *style)
{
    sdl_video *s = as_sdl_video(sink);
    char *copy = NULL;

    if (!s)
        return SV_ERR_INVALID;
    if (text && *text && !(copy = SDL_strdup(text)))
        return SV_ERR_NOMEM;
    text_layer *l = subtitle ? &s->sub : &s->osd;
    SDL_LockMutex(s->lock);
    SDL_free(l->text);
    l->text = copy;
    l->dirty = 1;
    l->has_style = style != NULL;
    if (style)
        l->style = *style;
    SDL_UnlockMutex(s->lock);
    return 0;
}

SV_SDL2_API int sv_sdl2_video_set_overlay(sv_video_sink *sink, const char *text)
{
    return set_layer_text(sink, 0, text, NULL);
}

SV_SDL2_API int sv_sdl2_video_set_subtitle(sv_video_sink *sink, const char *text)
{
    return set_layer_text(sink, 1, text, NULL);
}

SV_SDL2_API int sv_sdl2_video_set_subtitle_styled(sv_video_sink *sink, const char *text,
                                                  const sv_cue_style *style)
{
    return set_layer_text(sink, 1, text, style);
}

SV_SDL2_API int sv_sdl2_video_redraw(sv_video_sink *sink)
{
    sdl_video *s = as_sdl_video(sink);
    int ret;

    if (!s)
        return SV_ERR_INVALID;
    if ((ret = draw(s)) < 0)
        return ret;
    SDL_LockMutex(s->lock);
    s->stats.redraws++;
    SDL_UnlockMutex(s->lock);
    return 0;
}

SV_SDL2_API int sv_sdl2_video_set_fullscreen(sv_video_sink *sink, int on)
{
    sdl_video *s = as_sdl_video(sink);

    if (!s)
        return SV_ERR_INVALID;
    int want = on < 0 ? !s->fullscreen : (on ? 1 : 0);
    if (SDL_SetWindowFullscreen(s->win, want ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0) != 0)
        return SV_ERR_IO;
    s->fullscreen = want;
    draw(s);
    return want;
}

SV_SDL2_API int sv_sdl2_video_set_draw_callback(sv_video_sink *sink, sv_sdl2_draw_fn fn,
                                                void *opaque)
{
    sdl_video *s = as_sdl_video(sink);

    if (!s)
        return SV_ERR_INVALID;
    s->draw_fn = fn;
    s->draw_opaque = opaque;
    return 0;
}

SV_SDL2_API int sv_sdl2_video_get_stats(const sv_video_sink *sink, sv_sdl2_video_stats *stats)
{
    sdl_video *s = as_sdl_video(sink);
    sv_sdl2_video_stats full;

    if (!s || sv__struct_size(stats) < STATS_V1)
        return SV_ERR_INVALID;
    SDL_LockMutex(s->lock);
    full = s->stats;
    SDL_UnlockMutex(s->lock);
    return sv__struct_write(stats, &full, sizeof(full), STATS_V1);
}
