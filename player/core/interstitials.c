/*
 * interstitials.c - HLS interstitials (docs/sdk.md, "Interstitials"): the
 * breaks the primary's media playlists schedule (EXT-X-DATERANGE
 * CLASS="com.apple.hls.interstitial"), their asset lists fetched, their
 * first asset preloaded ahead, the primary cut at the next break (the
 * scheduler fetches no segment that starts at or after it: p->stop_at),
 * and the switches: primary -> asset(s) -> primary at the resume position,
 * each a load of its own (the load hook: control_load.c's sv__control_load,
 * with p->item_switch set: the host's load, stats and session go on). The
 * schedule is here; the switches are in interstitials_play.c, the tick and
 * the seeks in interstitials_tick.c.
 *
 * Loop thread, except sv__inter_asset_failed (any thread: an asset's
 * fatal error, which it turns into a skip posted to the loop).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "player/core/interstitials_internal.h"

/* ---- creation and reset --------------------------------------------------------- */

int sv__inter_create(struct sv_player *p)
{
    sv__inter *in = sv__calloc(p->settings.allocator, 1, sizeof(*in));
    if (!in)
        return SV_ERR_NOMEM;
    in->p = p;
    in->playing = -1;
    in->last_cut = INFINITY;
    atomic_init(&in->active, 0);
    p->inter = in;
    p->stop_at = INFINITY;
    return 0;
}

static void forget(sv__inter *in, int outputs)
{
    struct sv_player *p = in->p;
    for (size_t i = 0; i < in->nb; i++) {
        if (in->brk[i].list_fetch > 0) { /* a cancelled fetch's callback never comes */
            sv__fetch_cancel(p->fetcher, in->brk[i].list_fetch);
            sv__free(p->settings.allocator, in->brk[i].list_ref);
        }
    }
    sv__free(p->settings.allocator, in->brk);
    in->brk = NULL;
    in->nb = in->cap = 0;
    in->overflow_warned = 0;
    sv__cmd_free(in->primary);
    in->primary = NULL;
    in->playing = -1;
    in->primary_preloaded = 0;
    atomic_store(&in->active, 0);
    if (outputs)
        sv__inter_set_cut(p, INFINITY);
    p->stop_at = INFINITY;
    sv__mutex_lock(&p->st.lock);
    p->st.ad_playing = p->st.ad_hold = p->st.ad_restrict_skip = 0;
    p->st.ad_limit_s = -1;
    sv__mutex_unlock(&p->st.lock);
}

void sv__inter_destroy(struct sv_player *p)
{
    if (!p->inter)
        return;
    forget(p->inter, 0); /* the outputs are gone by now */
    sv__free(p->settings.allocator, p->inter);
    p->inter = NULL;
}

void sv__inter_reset(struct sv_player *p, double from)
{
    if (!p->inter)
        return;
    forget(p->inter, 1);
    p->inter->from = from;
    p->inter->last_cut = INFINITY;
}

/* ---- the cut ----------------------------------------------------------------------- */

/* The scheduler fetches nothing that starts at or after p->stop_at; the
 * outputs show nothing from it on (a break between two segment starts,
 * an asset's X-PLAYOUT-LIMIT). Set again after each flush of the outputs
 * (a new generation). */
void sv__inter_set_cut(struct sv_player *p, double at)
{
    sv__inter *in = p->inter;
    uint64_t gen = atomic_load(&p->gen);
    p->stop_at = at;
    if (isfinite(at) && in->playing < 0)
        in->last_cut = at;
    if (in->cut_gen == gen && in->cut_at == at)
        return;
    sv__vout_set_end(p->vout, gen, at);
    sv__aout_set_end(p->aout, gen, at);
    in->cut_gen = gen;
    in->cut_at = at;
}

void sv__inter_begun(struct sv_player *p)
{
    p->inter->cut_gen = 0;
    sv__inter_set_cut(p, p->stop_at);
}

/* ---- the schedule ------------------------------------------------------------------ */

static sv__brk *find(sv__inter *in, const char *id)
{
    for (size_t i = 0; i < in->nb; i++)
        if (!strcmp(in->brk[i].id, id))
            return &in->brk[i];
    return NULL;
}

/* A warning the host sees (a non-fatal SV_EVENT_ERROR); the break is left out. */
void sv__inter_fail(sv__inter *in, sv__brk *b, int code, const char *what)
{
    if (b->state == SV__BRK_FAILED)
        return;
    b->state = SV__BRK_FAILED;
    sv__control_error(in->p, code, 0, "interstitial %s skipped: %s", b->id, what);
}

void sv__inter_event(struct sv_player *p, const sv__timed_desc *d)
{
    sv__inter *in = p->inter;
    if (d->source != SV_TIMED_HLS_DATERANGE || strcmp(d->scheme, SV__INTERSTITIAL_CLASS) ||
        in->playing >= 0 || in->primary)
        return; /* an asset's own breaks are not played */
    sv__brk *b = find(in, d->id);
    if (b) { /* the same tag again (another rendition, a reload): its SCTE-35 part */
        if (d->scte35.command >= 0 && d->scte35.out_of_network == 1 && !b->scte_id)
            b->scte_id = d->scte35.event_id;
        return;
    }
    if (in->nb == SV__INTER_MAX_BREAKS) {
        if (!in->overflow_warned)
            sv__control_error(p, SV_ERR_OVERFLOW, 0, "interstitial %s and later ones skipped: "
                              "more than %d in the presentation", d->id, SV__INTER_MAX_BREAKS);
        in->overflow_warned = 1;
        return;
    }
    if (in->nb == in->cap) {
        size_t cap = in->cap ? 2 * in->cap : 8;
        sv__brk *nb = sv__realloc(p->settings.allocator, in->brk, cap * sizeof(*nb));
        if (!nb)
            return;
        in->brk = nb;
        in->cap = cap;
    }
    b = &in->brk[in->nb++];
    memset(b, 0, sizeof(*b));
    snprintf(b->id, sizeof(b->id), "%s", d->id);
    b->start = d->start_s;
    b->duration = d->duration_s;
    if (d->scte35.command >= 0 && d->scte35.out_of_network == 1)
        b->scte_id = d->scte35.event_id;
    char why[200];
    if (sv__interstitial_read(d->attributes, d->base_url ? d->base_url : p->load_url, &b->d, why,
                              sizeof(why)) < 0) {
        sv__inter_fail(in, b, SV_ERR_PARSE, why);
        return;
    }
    if (b->d.asset_uri[0]) {
        snprintf(b->assets[0].uri, sizeof(b->assets[0].uri), "%s", b->d.asset_uri);
        b->assets[0].duration = b->duration;
        b->nb_assets = 1;
        b->state = SV__BRK_READY;
    }
    /* The cut before it, before the scheduler fetches past it (a pre-roll:
     * nothing of the primary is fetched or shown before it). */
    sv__brk *next = sv__inter_next(in, in->from);
    if (b->d.cue & SV__CUE_PRE)
        sv__inter_set_cut(p, in->from);
    else if (!sv__inter_cued(in, SV__CUE_PRE))
        sv__inter_set_cut(p, next ? next->start : INFINITY);
    PLOGI(p, "interstitial %s at %.3f s: %s%s%s", b->id, b->start,
          b->d.asset_uri[0] ? b->d.asset_uri : b->d.list_uri,
          b->d.restrict_flags & SV__RESTRICT_SKIP ? " (no skip)" : "",
          b->d.restrict_flags & SV__RESTRICT_JUMP ? " (no jump)" : "");
}

/* The X-ASSET-LIST answered. */
static void on_list(void *opaque, sv__fetch_result *r)
{
    sv__brk_ref *ref = opaque;
    sv__inter *in = ref->in;
    sv__brk *b = find(in, ref->id);
    sv__free(in->p->settings.allocator, ref);
    if (!b) {
        sv__free(in->p->settings.allocator, r->data);
        return;
    }
    b->list_fetch = 0;
    b->list_ref = NULL;
    char why[300];
    if (r->error) {
        sv__inter_fail(in, b, r->error, r->message);
    } else if (sv__asset_list_parse((const char *)r->data, r->size, r->url, b->assets,
                                    SV__ASSETS_MAX, &b->nb_assets, why, sizeof(why)) < 0) {
        char msg[400];
        snprintf(msg, sizeof(msg), "X-ASSET-LIST %.200s: %.180s", b->d.list_uri, why);
        sv__inter_fail(in, b, SV_ERR_PARSE, msg);
    } else {
        b->state = SV__BRK_READY;
        PLOGI(in->p, "interstitial %s: %zu asset(s) from %s", b->id, b->nb_assets, b->d.list_uri);
    }
    sv__free(in->p->settings.allocator, r->data);
}

static void fetch_list(sv__inter *in, sv__brk *b)
{
    struct sv_player *p = in->p;
    sv__brk_ref *ref = sv__calloc(p->settings.allocator, 1, sizeof(*ref));
    if (!ref)
        return;
    ref->in = in;
    snprintf(ref->id, sizeof(ref->id), "%s", b->id);
    sv__fetch_req req = { .kind = SV__FETCH_MANIFEST, .url = b->d.list_uri, .length = -1 };
    b->state = SV__BRK_LISTING;
    b->list_ref = ref;
    b->list_fetch = sv__fetch(p->fetcher, &req, on_list, ref);
    if (b->list_fetch < 0) {
        b->list_fetch = 0;
        b->list_ref = NULL;
        sv__free(p->settings.allocator, ref);
        sv__inter_fail(in, b, SV_ERR_INVALID, "X-ASSET-LIST cannot be requested");
    }
}

/* The next break the primary reaches from `from` (mid-roll: neither PRE nor
 * POST), or NULL. */
sv__brk *sv__inter_next(sv__inter *in, double from)
{
    sv__brk *best = NULL;
    for (size_t i = 0; i < in->nb; i++) {
        sv__brk *b = &in->brk[i];
        if (sv__inter_pending(b) && !(b->d.cue & (SV__CUE_PRE | SV__CUE_POST)) &&
            b->start >= from - SV__INTER_EPS && (!best || b->start < best->start))
            best = b;
    }
    return best;
}

sv__brk *sv__inter_cued(sv__inter *in, int cue)
{
    for (size_t i = 0; i < in->nb; i++)
        if (sv__inter_pending(&in->brk[i]) && (in->brk[i].d.cue & cue))
            return &in->brk[i];
    return NULL;
}

void sv__inter_fetch_lists(sv__inter *in)
{
    for (size_t i = 0; i < in->nb; i++)
        if (in->brk[i].state == SV__BRK_NEW && in->brk[i].d.list_uri[0])
            fetch_list(in, &in->brk[i]);
}
