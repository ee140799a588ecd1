/*
 * Catalog posters (poster.h): libcurl fetch, libavcodec MJPEG decode,
 * libswscale scale, SDL textures.
 */
#include <SDL.h>
#include <libavcodec/avcodec.h>
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>
#include <stdlib.h>
#include <string.h>

#include "poster.h"

/* Two sizes per title: its card and its title page. */
#define SIZES 2

typedef struct poster {
    int64_t id;
    int failed;                 /* no poster, or it did not fetch or decode: not tried again */
    uint8_t *jpeg;
    size_t len;
    int src_w, src_h;
    struct {
        SDL_Texture *tex;
        int w, h;
    } sized[SIZES];
    int next_slot;              /* the slot a new size replaces */
} poster;

struct svp_posters {
    svp_app *app;
    SDL_Renderer *ren;
    poster *items;
    size_t nb, cap;
};

/* The full-range pixel formats of JPEG as their plain twins (swscale warns
 * about the old ones); the range is set on the context instead. */
static enum AVPixelFormat plain_format(enum AVPixelFormat f, int *full)
{
    *full = 1;
    switch (f) {
    case AV_PIX_FMT_YUVJ420P: return AV_PIX_FMT_YUV420P;
    case AV_PIX_FMT_YUVJ422P: return AV_PIX_FMT_YUV422P;
    case AV_PIX_FMT_YUVJ444P: return AV_PIX_FMT_YUV444P;
    case AV_PIX_FMT_YUVJ440P: return AV_PIX_FMT_YUV440P;
    default: *full = 0; return f;
    }
}

static int scale_to(const AVFrame *f, int dst_w, int dst_h, uint32_t **argb)
{
    int full = 0;
    enum AVPixelFormat src = plain_format((enum AVPixelFormat)f->format, &full);
    struct SwsContext *sws = sws_getContext(f->width, f->height, src, dst_w, dst_h,
                                            AV_PIX_FMT_BGRA, SWS_BICUBIC, NULL, NULL, NULL);
    uint32_t *out = malloc((size_t)dst_w * dst_h * sizeof(*out));
    int ret = SV_ERR_NOMEM;

    if (!sws || !out)
        goto fail;
    if (full) {
        const int *coefs = sws_getCoefficients(SWS_CS_ITU601);
        sws_setColorspaceDetails(sws, coefs, 1, coefs, 1, 0, 1 << 16, 1 << 16);
    }
    /* BGRA bytes are ARGB in a little-endian uint32_t (SDL_PIXELFORMAT_ARGB8888). */
    uint8_t *dst[4] = {(uint8_t *)out, NULL, NULL, NULL};
    int stride[4] = {dst_w * 4, 0, 0, 0};
    sws_scale(sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height, dst, stride);
    *argb = out;
    out = NULL;
    ret = 0;
fail:
    free(out);
    sws_freeContext(sws);
    return ret;
}

int svp_poster_decode(const uint8_t *data, size_t len, int dst_w, int dst_h, uint32_t **argb,
                      int *src_w, int *src_h)
{
    const AVCodec *codec = avcodec_find_decoder(AV_CODEC_ID_MJPEG);
    AVCodecContext *ctx = NULL;
    AVPacket *pkt = av_packet_alloc();
    AVFrame *frame = av_frame_alloc();
    int ret = SV_ERR_NOMEM;

    if (argb)
        *argb = NULL;
    if (!codec || !pkt || !frame || !(ctx = avcodec_alloc_context3(codec)))
        goto fail;
    ret = SV_ERR_DECODE;
    if (!data || len == 0 || len > INT32_MAX || avcodec_open2(ctx, codec, NULL) < 0 ||
        av_new_packet(pkt, (int)len) < 0)
        goto fail;
    memcpy(pkt->data, data, len);
    if (avcodec_send_packet(ctx, pkt) < 0 || avcodec_send_packet(ctx, NULL) < 0 ||
        avcodec_receive_frame(ctx, frame) < 0 || frame->width <= 0 || frame->height <= 0)
        goto fail;
    *src_w = frame->width;
    *src_h = frame->height;
    ret = dst_w > 0 && dst_h > 0 ? scale_to(frame, dst_w, dst_h, argb) : 0;
fail:
    av_frame_free(&frame);
    av_packet_free(&pkt);
    avcodec_free_context(&ctx);
    return ret;
}

int svp_posters_create(svp_posters **out, svp_app *app, void *renderer)
{
    svp_posters *p = calloc(1, sizeof(*p));

    if (!p)
        return SV_ERR_NOMEM;
    p->app = app;
    p->ren = renderer;
    *out = p;
    return 0;
}

void svp_posters_destroy(svp_posters *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->nb; i++) {
        free(p->items[i].jpeg);
        for (int s = 0; s < SIZES; s++)
            if (p->items[i].sized[s].tex)
                SDL_DestroyTexture(p->items[i].sized[s].tex);
    }
    free(p->items);
    free(p);
}

/* The entry of title id, made (and its poster fetched) on first use. */
static poster *entry(svp_posters *p, int64_t id, const char *url)
{
    char err[512];

    for (size_t i = 0; i < p->nb; i++)
        if (p->items[i].id == id)
            return &p->items[i];
    if (p->nb == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 16;
        poster *grown = realloc(p->items, cap * sizeof(*grown));
        if (!grown)
            return NULL;
        p->items = grown;
        p->cap = cap;
    }
    poster *e = &p->items[p->nb++];
    memset(e, 0, sizeof(*e));
    e->id = id;
    if (!url || !url[0]) {
        e->failed = 1;
        return e;
    }
    if (svp_backend_get(p->app->opt.server, url, p->app->user_token, &e->jpeg, &e->len, err,
                        sizeof(err)) < 0 ||
        svp_poster_decode(e->jpeg, e->len, 0, 0, NULL, &e->src_w, &e->src_h) < 0) {
        if (p->app->opt.log_level >= SV_LOG_WARN)
            fprintf(stderr, "svplay: warning: no poster for title %lld (%s): %s\n",
                    (long long)id, url, e->jpeg ? "not a JPEG the decoder takes" : err);
        free(e->jpeg);
        e->jpeg = NULL;
        e->failed = 1;
    }
    return e;
}

void *svp_posters_get(svp_posters *p, int64_t id, const char *url, int box_w, int box_h,
                      int *w, int *h)
{
    poster *e = entry(p, id, url);
    uint32_t *argb = NULL;
    int sw, sh;

    if (!e || e->failed || box_w <= 0 || box_h <= 0)
        return NULL;
    /* The largest size of the poster's aspect inside the box. */
    if ((int64_t)box_w * e->src_h <= (int64_t)box_h * e->src_w) {
        *w = box_w;
        *h = (int)((int64_t)box_w * e->src_h / e->src_w);
    } else {
        *h = box_h;
        *w = (int)((int64_t)box_h * e->src_w / e->src_h);
    }
    if (*w < 1 || *h < 1)
        return NULL;
    for (int s = 0; s < SIZES; s++)
        if (e->sized[s].tex && e->sized[s].w == *w && e->sized[s].h == *h)
            return e->sized[s].tex;
    int s = e->next_slot;
    e->next_slot = (s + 1) % SIZES;
    if (e->sized[s].tex)
        SDL_DestroyTexture(e->sized[s].tex);
    e->sized[s].tex = NULL;
    if (svp_poster_decode(e->jpeg, e->len, *w, *h, &argb, &sw, &sh) < 0)
        return NULL;
    e->sized[s].tex = SDL_CreateTexture(p->ren, SDL_PIXELFORMAT_ARGB8888,
                                        SDL_TEXTUREACCESS_STATIC, *w, *h);
    if (e->sized[s].tex)
        SDL_UpdateTexture(e->sized[s].tex, NULL, argb, *w * 4);
    e->sized[s].w = *w;
    e->sized[s].h = *h;
    free(argb);
    return e->sized[s].tex;
}
