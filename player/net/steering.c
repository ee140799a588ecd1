/*
 * Content steering (steering.h): the steering manifest
 * a presentation names (HLS EXT-X-CONTENT-STEERING SERVER-URI, DASH
 * ContentSteering) is fetched when playback starts and again every TTL;
 * its priority list reorders the load's CDNs, so the next request goes to
 * the new first one.
 *
 * Steering manifest (HLS Content Steering 1.2 / DASH-IF CTS):
 *   {"VERSION":1, "TTL":300, "RELOAD-URI":"...",
 *    "PATHWAY-PRIORITY":["cdn-b","cdn-a"]          (HLS)
 *    "SERVICE-LOCATION-PRIORITY":["cdn-b","cdn-a"] (DASH)
 *    "PATHWAY-CLONES":[{"BASE-ID":"cdn-a","ID":"cdn-c",
 *                       "URI-REPLACEMENT":{"HOST":"h:port"}}]}
 * Requests carry _HLS_pathway / _DASH_pathway (the CDN in use) and
 * _HLS_throughput / _DASH_throughput (bits/s) so the server can decide.
 *
 * Choices: a CDN the list leaves out is demoted behind the listed ones
 * rather than dropped, so failover still has somewhere to go; a clone
 * takes its base CDN's URL with the host (and port) replaced (PARAMS and
 * per-URI replacements are not supported and are logged once). A failed
 * fetch keeps the current order and retries after the TTL; 410 stops
 * steering for the load, as the specs ask.
 *
 * Threads: loop thread only.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "platform/alloc.h"
#include "platform/arena.h"
#include "player/manifest/url.h"
#include "player/net/steering.h"

#define DEFAULT_TTL_S 300.0
/* Logging with the steering's logger. */
#define STLOG(lvl, st, ...) SV_LOG##lvl((st)->cfg.log, "player", __VA_ARGS__)
#define MIN_TTL_S 1.0
#define MAX_CLONES 8

typedef struct clone_def {
    char *id, *base_id, *host;
} clone_def;

struct sv__steer {
    sv__steer_config cfg;    /* uri is the arena's copy until the first answer */
    sv__arena *arena;        /* uri, order and clones of the latest answer */
    char *uri;               /* absolute steering URI (RELOAD-URI after the first) */
    int dash;
    double ttl_s;
    int64_t fetch, timer;
    char **order;
    size_t nb_order;
    clone_def clones[MAX_CLONES];
    size_t nb_clones;
    int warned_params;
};

static void reload(void *arg);

static void schedule(sv__steer *st)
{
    st->timer = sv__loop_timer(st->cfg.loop, st->ttl_s, reload, st);
    if (st->timer < 0)
        st->timer = 0;
}

/* base_url with its host (and port, when `host` has one) replaced; from alloc. */
static char *replace_host(const sv_allocator *alloc, const char *base_url, const char *host)
{
    CURLU *u = curl_url();
    char *out = NULL, *res = NULL, hostname[256];
    const char *colon = strrchr(host, ']') ? strchr(strrchr(host, ']'), ':') : strchr(host, ':');
    size_t hlen = colon ? (size_t)(colon - host) : strlen(host);

    if (!u || hlen == 0 || hlen >= sizeof(hostname))
        goto out;
    memcpy(hostname, host, hlen);
    hostname[hlen] = '\0';
    if (curl_url_set(u, CURLUPART_URL, base_url, 0) != CURLUE_OK ||
        curl_url_set(u, CURLUPART_HOST, hostname, 0) != CURLUE_OK ||
        (colon && curl_url_set(u, CURLUPART_PORT, colon + 1, 0) != CURLUE_OK) ||
        curl_url_get(u, CURLUPART_URL, &res, 0) != CURLUE_OK)
        goto out;
    out = sv__strdup(alloc, res);
out:
    curl_free(res);
    curl_url_cleanup(u);
    return out;
}

static int rank(const sv__steer *st, const char *id)
{
    for (size_t i = 0; i < st->nb_order; i++)
        if (!strcmp(st->order[i], id))
            return (int)i + 1;
    return 0;
}

/* The load's CDNs (plus clones) ranked by the latest priority list. */
static void apply(sv__steer *st)
{
    sv__cdn_entry list[SV__STEER_MAX_CDNS];
    char *made[MAX_CLONES] = { NULL };
    size_t n = st->cfg.cdns(st->cfg.opaque, list, SV__STEER_MAX_CDNS), base_n = n;

    if (n == 0)
        return;
    for (size_t c = 0; c < st->nb_clones && n < SV__STEER_MAX_CDNS; c++) {
        size_t b = 0;
        int dup = 0;
        while (b < base_n && strcmp(list[b].id, st->clones[c].base_id))
            b++;
        for (size_t k = 0; k < n; k++)
            dup |= !strcmp(list[k].id, st->clones[c].id);
        if (b == base_n || dup || !(made[c] = replace_host(st->cfg.allocator, list[b].base_url, st->clones[c].host)))
            continue;
        list[n] = list[b];
        list[n].id = st->clones[c].id;
        list[n].base_url = made[c];
        n++;
    }
    for (size_t i = 0; i < n; i++) {
        int r = rank(st, list[i].id);
        /* Listed: 1..k in list order; left out: behind, in their own order. */
        list[i].priority = r ? r : (int)st->nb_order + 1 + list[i].priority;
    }
    if (sv__fetcher_set_cdns(st->cfg.fetcher, list, n) < 0)
        STLOG(W, st, "content steering: cannot apply the new CDN order");
    for (size_t c = 0; c < MAX_CLONES; c++)
        sv__free(st->cfg.allocator, made[c]);
}

/* Reads one steering answer into a fresh arena. 0 or SV_ERR_PARSE. */
static int parse(sv__steer *st, const uint8_t *data, size_t size, const char *from)
{
    json_error_t jerr;
    json_t *root = json_loadb((const char *)data, size, 0, &jerr);
    json_t *prio, *clones, *v;
    sv__arena *a = NULL;
    size_t i;
    int ret = SV_ERR_PARSE;

    if (!json_is_object(root) || json_integer_value(json_object_get(root, "VERSION")) != 1) {
        STLOG(W, st, "content steering: %s is not a VERSION 1 steering manifest", from);
        goto out;
    }
    prio = json_object_get(root, st->dash ? "SERVICE-LOCATION-PRIORITY" : "PATHWAY-PRIORITY");
    if (!prio)
        prio = json_object_get(root, st->dash ? "PATHWAY-PRIORITY" : "SERVICE-LOCATION-PRIORITY");
    if (!json_is_array(prio) || !(a = sv__arena_create(st->cfg.allocator)))
        goto out;
    size_t np = json_array_size(prio);
    char **order = np ? sv__arena_alloc(a, np * sizeof(*order)) : NULL;
    if (np && !order)
        goto out;
    json_array_foreach(prio, i, v) {
        if (!json_is_string(v) || !(order[i] = sv__arena_strdup(a, json_string_value(v))))
            goto out;
    }
    st->nb_clones = 0;
    clones = json_object_get(root, "PATHWAY-CLONES");
    json_array_foreach(clones, i, v) {
        json_t *rep = json_object_get(v, "URI-REPLACEMENT");
        const char *id = json_string_value(json_object_get(v, "ID"));
        const char *base = json_string_value(json_object_get(v, "BASE-ID"));
        const char *host = json_string_value(json_object_get(rep, "HOST"));
        if (!id || !base || !host || st->nb_clones == MAX_CLONES)
            continue;
        if ((json_object_get(rep, "PARAMS") || json_object_get(rep, "PER-VARIANT-URIS") ||
             json_object_get(rep, "PER-RENDITION-URIS")) && !st->warned_params) {
            st->warned_params = 1;
            STLOG(I, st, "content steering: clone PARAMS and per-URI replacements are ignored");
        }
        clone_def *c = &st->clones[st->nb_clones];
        if (!(c->id = sv__arena_strdup(a, id)) || !(c->base_id = sv__arena_strdup(a, base)) ||
            !(c->host = sv__arena_strdup(a, host)))
            goto out;
        st->nb_clones++;
    }
    double ttl = json_number_value(json_object_get(root, "TTL"));
    st->ttl_s = json_is_number(json_object_get(root, "TTL")) && isfinite(ttl)
                ? (ttl < MIN_TTL_S ? MIN_TTL_S : ttl) : DEFAULT_TTL_S;
    const char *rel = json_string_value(json_object_get(root, "RELOAD-URI"));
    char *next = sv__url_resolve(a, from, rel && *rel ? rel : from);
    if (!next)
        goto out;
    sv__arena_destroy(st->arena);
    st->arena = a;
    a = NULL;
    st->uri = next;
    st->order = order;
    st->nb_order = np;
    ret = 0;
out:
    if (a) {
        st->nb_clones = 0; /* they pointed into the arena going away */
        sv__arena_destroy(a);
    }
    json_decref(root);
    return ret;
}

static void on_steering(void *opaque, sv__fetch_result *r)
{
    sv__steer *st = opaque;

    st->fetch = 0;
    if (r->error) {
        if (r->status == 410) {
            STLOG(I, st, "content steering: %s is gone (410): steering stops", st->uri);
            return;
        }
        STLOG(W, st, "content steering: %s", r->message);
    } else if (parse(st, r->data, r->size, r->url) == 0) {
        STLOG(D, st, "content steering: %zu CDNs ranked, next in %.0f s", st->nb_order, st->ttl_s);
        apply(st);
    }
    sv__free(st->cfg.allocator, r->data);
    schedule(st);
}

static void reload(void *arg)
{
    sv__steer *st = arg;
    sv__fetch_stats fs;
    char *url;
    size_t n;

    st->timer = 0;
    sv__fetcher_stats(st->cfg.fetcher, &fs);
    char *cdn = curl_easy_escape(NULL, fs.current_cdn ? fs.current_cdn : "", 0);
    n = strlen(st->uri) + (cdn ? strlen(cdn) : 0) + 96;
    if (!cdn || !(url = sv__malloc(st->cfg.allocator, n))) {
        curl_free(cdn);
        schedule(st);
        return;
    }
    const char *pre = st->dash ? "_DASH" : "_HLS";
    snprintf(url, n, "%s%s%s_pathway=%s&%s_throughput=%.0f", st->uri,
             strchr(st->uri, '?') ? "&" : "?", pre, cdn, pre,
             st->cfg.throughput_bps(st->cfg.opaque));
    curl_free(cdn);
    sv__fetch_req req = { .kind = SV__FETCH_API, .url = url, .length = -1 };
    st->fetch = sv__fetch(st->cfg.fetcher, &req, on_steering, st);
    sv__free(st->cfg.allocator, url);
    if (st->fetch < 0) {
        st->fetch = 0;
        schedule(st);
    }
}

int sv__steer_create(sv__steer **out, const sv__steer_config *cfg)
{
    sv__steer *st;

    if (!(st = sv__calloc(cfg->allocator, 1, sizeof(*st))) ||
        !(st->arena = sv__arena_create(cfg->allocator)) ||
        !(st->uri = sv__arena_strdup(st->arena, cfg->uri))) {
        if (st)
            sv__arena_destroy(st->arena);
        sv__free(cfg->allocator, st);
        return SV_ERR_NOMEM;
    }
    st->cfg = *cfg;
    st->cfg.uri = NULL; /* st->uri is the one in use */
    st->dash = cfg->dash;
    st->ttl_s = DEFAULT_TTL_S;
    *out = st;
    reload(st);
    return 0;
}

void sv__steer_destroy(sv__steer *st)
{
    if (!st)
        return;
    if (st->fetch > 0)
        sv__fetch_cancel(st->cfg.fetcher, st->fetch);
    if (st->timer > 0)
        sv__loop_timer_cancel(st->cfg.loop, st->timer);
    sv__arena_destroy(st->arena);
    sv__free(st->cfg.allocator, st);
}
