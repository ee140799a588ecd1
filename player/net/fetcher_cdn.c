/*
 * CDN health and selection for the fetcher (fetcher_internal.h).
 */
#include <stdlib.h>
#include <string.h>

#include "platform/alloc.h"
#include "player/net/fetcher_internal.h"
#include "player/manifest/url.h"

void sv__cdn_set_init(sv__cdn_set *s, const sv_allocator *alloc)
{
    memset(s, 0, sizeof(*s));
    s->alloc = alloc;
    s->current = -1;
}

static void free_list(const sv_allocator *alloc, sv__cdn *cdns, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        sv__free(alloc, cdns[i].id);
        sv__free(alloc, cdns[i].base);
    }
    sv__free(alloc, cdns);
}

void sv__cdn_set_free(sv__cdn_set *s)
{
    free_list(s->alloc, s->cdns, s->n);
    sv__free(s->alloc, s->origin);
    s->cdns = NULL;
    s->n = 0;
    s->origin = NULL;
}

/* A base with a trailing '/', so "http://h/a/" does not match "http://h/ab". */
static char *normalise_base(const sv_allocator *alloc, const char *base)
{
    size_t len = strlen(base);
    int slash = len > 0 && base[len - 1] == '/';
    char *out;

    if (!sv__url_is_absolute(base) || strpbrk(base, "?#"))
        return NULL;
    if (!(out = sv__malloc(alloc, len + 2)))
        return NULL;
    memcpy(out, base, len);
    if (!slash)
        out[len++] = '/';
    out[len] = '\0';
    return out;
}

int sv__cdn_set_origin(sv__cdn_set *s, const char *origin_base_url)
{
    char *o = NULL;

    if (origin_base_url) {
        if (!sv__url_is_absolute(origin_base_url) || strpbrk(origin_base_url, "?#"))
            return SV_ERR_INVALID;
        if (!(o = normalise_base(s->alloc, origin_base_url)))
            return SV_ERR_NOMEM;
    }
    sv__free(s->alloc, s->origin);
    s->origin = o;
    return 0;
}

int sv__cdn_set_list(sv__cdn_set *s, const sv__cdn_entry *cdns, size_t n)
{
    sv__cdn *list = NULL;
    const char *cur_id = s->current >= 0 ? s->cdns[s->current].id : NULL;
    int current = -1, changed = 0;
    size_t i;

    if (n > SV__MAX_CDNS)
        n = SV__MAX_CDNS;
    if (n && !cdns)
        return SV_ERR_INVALID;
    for (i = 0; i < n; i++)
        if (!cdns[i].id || !cdns[i].base_url || !sv__url_is_absolute(cdns[i].base_url) ||
            strpbrk(cdns[i].base_url, "?#"))
            return SV_ERR_INVALID;
    if (n && !(list = sv__calloc(s->alloc, n, sizeof(*list))))
        return SV_ERR_NOMEM;
    for (i = 0; i < n; i++) {
        list[i].priority = cdns[i].priority;
        list[i].weight = cdns[i].weight;
        if (!(list[i].id = sv__strdup(s->alloc, cdns[i].id)) ||
            !(list[i].base = normalise_base(s->alloc, cdns[i].base_url)))
            goto fail;
        /* A CDN that stays in the list keeps its place as current, and its
         * health: a reordering (content steering) must not revive a CDN
         * that is sitting out. */
        if (cur_id && !strcmp(cur_id, list[i].id))
            current = (int)i;
        size_t k = 0;
        while (k < s->n && strcmp(s->cdns[k].id, list[i].id))
            k++;
        if (k < s->n) {
            list[i].failures = s->cdns[k].failures;
            list[i].down_until = s->cdns[k].down_until;
        }
        changed |= k == s->n || s->cdns[k].priority != list[i].priority ||
                   s->cdns[k].weight != list[i].weight;
    }
    changed |= n != s->n;
    free_list(s->alloc, s->cdns, s->n);
    s->cdns = list;
    s->n = n;
    s->current = current;
    s->generation++;
    /* Only a real change of order makes the next move a "priority" one. */
    s->reordered = current >= 0 && changed;
    return 0;

fail:
    free_list(s->alloc, list, n);
    return SV_ERR_NOMEM;
}

const char *sv__cdn_relative(const sv__cdn_set *s, const char *url)
{
    size_t len;

    if (!s->n || !url)
        return NULL;
    if (s->origin && !strncmp(url, s->origin, (len = strlen(s->origin))))
        return url + len;
    for (size_t i = 0; i < s->n; i++)
        if (!strncmp(url, s->cdns[i].base, (len = strlen(s->cdns[i].base))))
            return url + len;
    return NULL;
}

int sv__cdn_is_down(const sv__cdn_set *s, int idx, double now)
{
    return idx >= 0 && (size_t)idx < s->n && s->cdns[idx].down_until > now;
}

/* 1 if a is the better healthy choice than b. */
static int better(const sv__cdn_set *s, int a, int b)
{
    const sv__cdn *x = &s->cdns[a], *y = &s->cdns[b];

    if (x->priority != y->priority)
        return x->priority < y->priority;
    /* Among equals stay where we are, so equal CDNs do not flap. */
    if (a == s->current || b == s->current)
        return a == s->current;
    if (x->weight != y->weight)
        return x->weight > y->weight;
    return a < b;
}

int sv__cdn_pick(const sv__cdn_set *s, double now, uint64_t tried)
{
    int best = -1, soonest = -1;

    for (size_t i = 0; i < s->n; i++) {
        int idx = (int)i;
        if (tried & ((uint64_t)1 << i))
            continue;
        if (!sv__cdn_is_down(s, idx, now)) {
            if (best < 0 || better(s, idx, best))
                best = idx;
        } else if (soonest < 0 || s->cdns[i].down_until < s->cdns[soonest].down_until) {
            soonest = idx;
        }
    }
    return best >= 0 ? best : soonest;
}

void sv__cdn_select(sv__cdn_set *s, int idx, const char *reason)
{
    const char *from;

    if (idx >= 0 && (size_t)idx < s->n)
        s->reordered = 0;
    if (idx < 0 || (size_t)idx >= s->n || idx == s->current)
        return;
    from = s->current >= 0 ? s->cdns[s->current].id : "";
    /* The first choice is not a switch. */
    if (s->current >= 0) {
        s->switches++;
        s->current = idx;
        if (s->on_change)
            s->on_change(s->on_change_opaque, from, s->cdns[idx].id, reason);
    }
    s->current = idx;
}

void sv__cdn_failed(sv__cdn_set *s, int idx, double now)
{
    sv__cdn *c;
    double backoff = SV__CDN_BACKOFF_START_S;

    if (idx < 0 || (size_t)idx >= s->n)
        return;
    c = &s->cdns[idx];
    c->failures++;
    for (int i = 1; i < c->failures && backoff < SV__CDN_BACKOFF_MAX_S; i++)
        backoff *= 2;
    if (backoff > SV__CDN_BACKOFF_MAX_S)
        backoff = SV__CDN_BACKOFF_MAX_S;
    c->down_until = now + backoff;
}

void sv__cdn_succeeded(sv__cdn_set *s, int idx)
{
    if (idx < 0 || (size_t)idx >= s->n)
        return;
    s->cdns[idx].failures = 0;
    s->cdns[idx].down_until = 0;
}
