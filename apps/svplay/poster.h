/*
 * The posters of the TV catalog's titles (catalog cards and the title page):
 * fetched once per title from the backend's poster URL (the title JSON's
 * "poster_url", GET /api/v1/titles/{id}/poster) with libcurl
 * (svp_backend_get), decoded with libavcodec's MJPEG decoder and scaled with
 * libswscale to the box they are drawn in, kept as SDL textures. The JPEG
 * bytes stay cached, so another size costs a decode, not a fetch.
 * Everything runs on the main (SDL) thread; the fetch blocks it (one small
 * image on the backend's short timeouts), like the catalog's other calls.
 */
#ifndef SVPLAY_POSTER_H
#define SVPLAY_POSTER_H

#include <stddef.h>
#include <stdint.h>

#include "svplay.h"

typedef struct svp_posters svp_posters;

/* A cache drawing with `renderer` (an SDL_Renderer *). 0 or SV_ERR_NOMEM. */
int svp_posters_create(svp_posters **out, svp_app *app, void *renderer);
/* Frees the textures and bytes. Accepts NULL. */
void svp_posters_destroy(svp_posters *p);

/*
 * The poster of title `id` (`url`: its poster_url on the server; "" or NULL
 * when the title has none) fitted inside a box_w x box_h box with its
 * aspect kept: returns the texture (an SDL_Texture *, owned by the cache,
 * valid until the next call) and stores its size in *w and *h; NULL when the
 * title has no poster or it could not be fetched or decoded (one warning on
 * stderr, not tried again).
 */
void *svp_posters_get(svp_posters *p, int64_t id, const char *url, int box_w, int box_h,
                      int *w, int *h);

/*
 * Decodes a JPEG into dst_w x dst_h ARGB pixels (*argb, malloc'd, caller
 * frees) with libavcodec and libswscale; dst_w 0 only reads the size into
 * *src_w and *src_h. 0, or a negative SV_ERR_* (SV_ERR_DECODE for data that
 * is not a JPEG the decoder takes).
 */
int svp_poster_decode(const uint8_t *data, size_t len, int dst_w, int dst_h, uint32_t **argb,
                      int *src_w, int *src_h);

#endif
