/*
 * Timed events on their way from the manifest parsers to the core
 * (model.h, "timed events"): placed on the presentation timeline and
 * queued in an arena of their own until the control loop takes them.
 */
#include <math.h>
#include <string.h>

#include "player/model/model_internal.h"

static int queue_event(sv__model *m, const sv__timed_desc *src, double offset, const char *base)
{
    sv__arena *a = m->ev_arena;
    if (!(m->ev = sv__arena_grow(a, m->ev, &m->cap_ev, m->nb_ev + 1, sizeof(*m->ev))))
        return SV_ERR_NOMEM;
    sv__timed_desc *d = &m->ev[m->nb_ev];
    *d = *src;
    d->start_s += offset;
    /* The parse's arena goes with the next reload: copy what it owns. */
    uint8_t *payload = sv__arena_alloc(a, src->payload_size ? src->payload_size : 1);
    if (!payload || !(d->scheme = sv__arena_strdup(a, src->scheme)) ||
        !(d->value = sv__arena_strdup(a, src->value)) || !(d->id = sv__arena_strdup(a, src->id)) ||
        !(d->attributes = sv__arena_strdup(a, src->attributes ? src->attributes : "")) ||
        (base && !(d->base_url = sv__arena_strdup(a, base))))
        return SV_ERR_NOMEM;
    if (src->payload_size)
        memcpy(payload, src->payload, src->payload_size);
    d->payload = payload;
    m->nb_ev++;
    return 0;
}

static int queue_warnings(sv__model *m, const sv__timed_warnings *w)
{
    size_t kept = w->count < SV__TIMED_WARNINGS ? w->count : SV__TIMED_WARNINGS;
    for (size_t i = 0; i < w->count; i++) {
        if (!(m->ev_bad = sv__arena_grow(m->ev_arena, m->ev_bad, &m->cap_ev_bad, m->nb_ev_bad + 1,
                                         sizeof(*m->ev_bad))))
            return SV_ERR_NOMEM;
        /* Past the messages kept, the rest are counted under the last one. */
        const char *msg = i < kept ? w->messages[i] : "a further timed event was malformed";
        if (!(m->ev_bad[m->nb_ev_bad++] = sv__arena_strdup(m->ev_arena, msg)))
            return SV_ERR_NOMEM;
    }
    return 0;
}

static int ensure_arena(sv__model *m)
{
    if (!m->ev_arena && !(m->ev_arena = sv__arena_create(sv__model_alloc(m))))
        return SV_ERR_NOMEM;
    return 0;
}

int sv__model_events_dash(sv__model *m, const sv__dash_mpd *mpd)
{
    int r;
    if ((r = ensure_arena(m)) < 0)
        return r;
    for (size_t pi = 0; pi < mpd->nb_periods; pi++)
        for (size_t i = 0; i < mpd->periods[pi].nb_events; i++)
            if ((r = queue_event(m, &mpd->periods[pi].events[i], mpd->periods[pi].start, NULL)) < 0)
                return r;
    return queue_warnings(m, &mpd->event_warnings);
}

int sv__model_events_hls(sv__model *m, const sv__hls_playlist *pl, double offset, const char *url)
{
    int r;
    if (!pl->nb_dateranges && !pl->daterange_warnings.count)
        return 0;
    if ((r = ensure_arena(m)) < 0)
        return r;
    for (size_t i = 0; i < pl->nb_dateranges; i++)
        if ((r = queue_event(m, &pl->dateranges[i], offset, url)) < 0)
            return r;
    return queue_warnings(m, &pl->daterange_warnings);
}

static void events_free(sv__model *m)
{
    sv__arena_destroy(m->ev_arena);
    m->ev_arena = NULL;
    m->ev = NULL;
    m->ev_bad = NULL;
    m->nb_ev = m->cap_ev = m->nb_ev_bad = m->cap_ev_bad = 0;
}

void sv__model_take_events(sv__presentation *pres, const sv__model_event_sink *sink)
{
    sv__model *m = sv__model_of(pres);
    for (size_t i = 0; i < m->nb_ev; i++)
        sink->event(sink->opaque, &m->ev[i]);
    for (size_t i = 0; i < m->nb_ev_bad; i++)
        sink->malformed(sink->opaque, m->ev_bad[i]);
    events_free(m);
}

int sv__model_inband_wanted(const sv__presentation *pres, size_t pi, const char *scheme)
{
    const sv__model *m = (const sv__model *)pres;
    if (pres->kind != SV__SOURCE_DASH || !m->mpd || pi >= m->mpd->nb_periods)
        return 1;
    const sv__dash_period *p = &m->mpd->periods[pi];
    if (!p->nb_inband)
        return 1;
    for (size_t i = 0; i < p->nb_inband; i++)
        if (!strcmp(p->inband[i].scheme_id_uri, scheme))
            return 1;
    return 0;
}

double sv__model_media_offset(sv__presentation *pres, const sv__rep *rep)
{
    size_t pi, ti;
    if (!pres || !rep || pres->kind != SV__SOURCE_DASH || !rep->source ||
        sv__model_locate(pres, rep, &pi, &ti) < 0)
        return NAN;
    const sv__dash_representation *dr = rep->source;
    double ts = dr->seg.timescale ? (double)dr->seg.timescale : 1;
    return pres->periods[pi].start - (double)dr->seg.presentation_time_offset / ts;
}
