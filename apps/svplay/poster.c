/*
 * Catalog posters (poster.h): the cache, libcurl fetches and SDL textures;
 * the decode is poster_decode.c.
 */
#include <SDL.h>
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
