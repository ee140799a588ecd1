/*
 * Which CDNs a load fetches from (internal.h, "CDNs of a load").
 *
 * Sources, first match wins:
 *   1. the host's list (sv_load_options.cdns, or a backend session's
 *      playback-start answer): each base URL stands for the manifest's
 *      folder, so "<manifest folder>/video/seg-1.m4s" may be fetched as
 *      "<base>/video/seg-1.m4s" from any of them;
 *   2. the manifest's own alternatives (DASH BaseURLs with serviceLocation,
 *      HLS variants with PATHWAY-ID), whose bases the model worked out.
 * A steering manifest (steering.c) later only reorders the list.
 *
 * Threads: loop thread only.
 */
#include <stdlib.h>
#include <string.h>

#include "player/core/internal.h"

/* "http://h/a/b/master.m3u8?x" -> "http://h/a/b/" (malloc'd), or NULL. */
static char *folder_of(const sv_allocator *alloc, const char *url)
{
    size_t end = strcspn(url, "?#");
    while (end > 0 && url[end - 1] != '/')
        end--;
    if (!end)
        return NULL;
    char *f = sv__malloc(alloc, end + 1);
    if (f) {
        memcpy(f, url, end);
        f[end] = '\0';
    }
    return f;
}

static void on_cdn_change(void *opaque, const char *from, const char *to, const char *reason)
{
    struct sv_player *p = opaque;
    sv_event ev = { .id = SV_EVENT_CDN_CHANGED };

    PLOGI(p, "CDN %s -> %s (%s)", from, to, reason);
    sv__events_push(&p->events, &ev, from, to, reason);
}

/* Asked by the fetcher before it gives up on a segment (loop thread): while
 * media remains it keeps trying, so dead CDNs end playback only once the
 * buffer is spent. */
static double buffered_s(void *opaque)
{
    struct sv_player *p = opaque;
    sv__mutex_lock(&p->st.lock);
    double b = p->st.buffer_s;
    sv__mutex_unlock(&p->st.lock);
    return b;
}

void sv__control_cdns_init(struct sv_player *p)
{
    sv__fetcher_on_cdn_change(p->fetcher, on_cdn_change, p);
    sv__fetcher_set_buffer_probe(p->fetcher, buffered_s, p);
}

int sv__control_cdns_host(struct sv_player *p, const char *manifest_url)
{
    size_t n = p->load_opts.nb_cdns;
    sv__cdn_entry *list;
    char *origin;
    int ret;

    if (!n)
        return 0;
    if (!(origin = folder_of(p->settings.allocator, manifest_url)))
        return SV_ERR_INVALID;
    if (!(list = sv__calloc(p->settings.allocator, n, sizeof(*list)))) {
        sv__free(p->settings.allocator, origin);
        return SV_ERR_NOMEM;
    }
    sv__control_cdns_list(p, list, n);
    if ((ret = sv__fetcher_set_origin(p->fetcher, origin)) == 0)
        ret = sv__fetcher_set_cdns(p->fetcher, list, n);
    sv__free(p->settings.allocator, list);
    sv__free(p->settings.allocator, origin);
    return ret;
}

size_t sv__control_cdns_list(struct sv_player *p, sv__cdn_entry *out, size_t cap)
{
    const sv_load_options *o = &p->load_opts;
    const sv__presentation *pres = p->pres;
    size_t n = o->nb_cdns ? o->nb_cdns : pres && pres->nb_cdns > 1 ? pres->nb_cdns : 0;

    for (size_t i = 0; i < n && i < cap; i++)
        out[i] = o->nb_cdns ? (sv__cdn_entry){ o->cdns[i].id, o->cdns[i].base_url,
                                               o->cdns[i].priority, o->cdns[i].weight }
                            : (sv__cdn_entry){ pres->cdns[i].id, pres->cdns[i].base_url,
                                               pres->cdns[i].priority, pres->cdns[i].weight };
    return n;
}

int sv__control_cdns_model(struct sv_player *p)
{
    sv__cdn_entry list[SV__STEER_MAX_CDNS];
    size_t n;

    if (p->load_opts.nb_cdns || !p->pres || p->pres->nb_cdns < 2)
        return 0;
    n = sv__control_cdns_list(p, list, SV__STEER_MAX_CDNS);
    if (n > SV__STEER_MAX_CDNS)
        n = SV__STEER_MAX_CDNS;
    /* The model's URLs already sit under the first base: no origin. */
    int ret = sv__fetcher_set_origin(p->fetcher, NULL);
    return ret < 0 ? ret : sv__fetcher_set_cdns(p->fetcher, list, n);
}

void sv__control_cdns_clear(struct sv_player *p)
{
    sv__fetcher_set_cdns(p->fetcher, NULL, 0);
    sv__fetcher_set_origin(p->fetcher, NULL);
}

/* ---- content steering of the load ---------------------------------------------- */

static size_t steer_cdns(void *opaque, sv__cdn_entry *out, size_t cap)
{
    return sv__control_cdns_list(opaque, out, cap);
}

static double steer_throughput(void *opaque)
{
    return sv__sched_throughput_bps(opaque);
}

int sv__steer_start(struct sv_player *p)
{
    sv__steer_stop(p);
    if (!p->pres || !p->pres->steering_uri || sv__control_cdns_list(p, NULL, 0) == 0)
        return 0;
    sv__steer_config cfg = { .uri = p->pres->steering_uri,
                             .dash = p->pres->kind == SV__SOURCE_DASH, .loop = p->loop,
                             .fetcher = p->fetcher, .allocator = p->settings.allocator,
                             .log = &p->log, .cdns = steer_cdns,
                             .throughput_bps = steer_throughput, .opaque = p };
    return sv__steer_create(&p->steer, &cfg);
}

void sv__steer_stop(struct sv_player *p)
{
    sv__steer_destroy(p->steer);
    p->steer = NULL;
}
