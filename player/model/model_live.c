/*
 * Live DASH: a reloaded MPD refreshes the model in place. Periods are
 * matched by @id (by start time when they have none), representations by
 * @id within their period, so every index the player holds keeps its
 * meaning. The refresh is all or nothing: new segment lists are built
 * first, and only when every one succeeded do they replace the old ones.
 */
#include <math.h>
#include <string.h>

#include "player/model/model_internal.h"

typedef struct update {
    sv__rep *rep;
    const sv__dash_representation *src; /* NULL: gone from the MPD */
    sv__seg_list list;
    int need_index;
} update;

typedef struct refresh {
    sv__model *m;
    sv__arena *tmp;              /* bookkeeping, freed at the end */
    update *ups;
    size_t nb_ups, cap_ups;
    sv__period *added;           /* new periods, in MPD order */
    size_t nb_added, cap_added;
    double max_dur;
} refresh;

static int same_id(const char *a, const char *b)
{
    return a && b && *a && strcmp(a, b) == 0;
}

/* The old period that new period j continues, or -1 for a new one. */
static long match_period(const sv__presentation *pres, const sv__dash_mpd *mpd, size_t j)
{
    const sv__dash_period *np = &mpd->periods[j];
    for (size_t i = 0; i < pres->nb_periods; i++) {
        const sv__period *op = &pres->periods[i];
        if (np->id && *np->id ? same_id(op->id, np->id)
                              : !*op->id && fabs(op->start - np->start) < 1e-3)
            return (long)i;
    }
    return -1;
}

static const sv__dash_representation *find_rep(const sv__dash_period *dp, const sv__track *t,
                                                const char *id)
{
    for (size_t s = 0; s < dp->nb_sets; s++) {
        const sv__dash_adaptation *as = &dp->sets[s];
        sv_track_type type = as->content == SV_DASH_VIDEO   ? SV_TRACK_VIDEO
                             : as->content == SV_DASH_AUDIO ? SV_TRACK_AUDIO
                                                            : SV_TRACK_TEXT;
        if (as->content == SV_DASH_OTHER || type != t->type)
            continue;
        for (size_t r = 0; r < as->nb_reps; r++)
            if (strcmp(as->reps[r].id, id) == 0)
                return &as->reps[r];
    }
    return NULL;
}

static update *add_update(refresh *rf, sv__rep *rep)
{
    if (!(rf->ups = sv__arena_grow(rf->tmp, rf->ups, &rf->cap_ups, rf->nb_ups + 1,
                                   sizeof(*rf->ups))))
        return NULL;
    update *u = &rf->ups[rf->nb_ups++];
    memset(u, 0, sizeof(*u));
    u->rep = rep;
    return u;
}

/* Phase 1: every new list, nothing in the model touched. */
static int prepare(refresh *rf, const sv__dash_mpd *mpd, double now_utc, long *pmap,
                   sv__parse_error *err)
{
    sv__presentation *pres = &rf->m->pub;
    int ret;

    for (size_t j = 0; j < mpd->nb_periods; j++) {
        long i = match_period(pres, mpd, j);
        pmap[j] = i;
        if (i < 0) {
            if (!(rf->added = sv__arena_grow(rf->tmp, rf->added, &rf->cap_added,
                                             rf->nb_added + 1, sizeof(*rf->added))))
                return SV_ERR_NOMEM;
            sv__period *np = &rf->added[rf->nb_added++];
            /* Its segments are disc = its index once appended. */
            size_t index = pres->nb_periods + rf->nb_added - 1;
            if ((ret = sv__model_dash_period(rf->m, mpd, j, now_utc, np, &rf->max_dur, err)) < 0)
                return ret;
            for (size_t t = 0; t < np->nb_tracks; t++)
                for (size_t r = 0; r < np->tracks[t].nb_reps; r++)
                    sv__rep_set_disc(&np->tracks[t].reps[r], (int64_t)index);
            continue;
        }
        sv__period *op = &pres->periods[i];
        for (size_t t = 0; t < op->nb_tracks; t++)
            for (size_t r = 0; r < op->tracks[t].nb_reps; r++) {
                sv__rep *rep = &op->tracks[t].reps[r];
                update *u = add_update(rf, rep);
                if (!u)
                    return SV_ERR_NOMEM;
                if (!(u->src = find_rep(&mpd->periods[j], &op->tracks[t], rep->id))) {
                    if ((ret = sv__seg_list_init(rf->m, &u->list)) < 0)
                        return ret; /* gone: its list becomes empty */
                    continue;
                }
                if ((ret = sv__model_dash_list(rf->m, mpd, j, u->src, now_utc, &u->list,
                                               &rf->max_dur, err)) < 0)
                    return ret;
                u->need_index = ret == 1;
                /* Segments of a continued period keep its old index. */
                sv__seg_list_set_disc(&u->list, i);
            }
    }
    /* Periods the MPD no longer lists have left the time-shift buffer. */
    for (size_t i = 0; i < pres->nb_periods; i++) {
        int kept = 0;
        for (size_t j = 0; j < mpd->nb_periods; j++)
            kept |= pmap[j] == (long)i;
        if (kept)
            continue;
        for (size_t t = 0; t < pres->periods[i].nb_tracks; t++)
            for (size_t r = 0; r < pres->periods[i].tracks[t].nb_reps; r++) {
                update *u = add_update(rf, &pres->periods[i].tracks[t].reps[r]);
                if (!u)
                    return SV_ERR_NOMEM;
                if ((ret = sv__seg_list_init(rf->m, &u->list)) < 0)
                    return ret;
            }
    }
    return 0;
}

static void discard(refresh *rf)
{
    for (size_t i = 0; i < rf->nb_ups; i++)
        sv__seg_list_discard(&rf->ups[i].list);
    for (size_t p = 0; p < rf->nb_added; p++)
        for (size_t t = 0; t < rf->added[p].nb_tracks; t++)
            for (size_t r = 0; r < rf->added[p].tracks[t].nb_reps; r++)
                sv__arena_destroy(rf->added[p].tracks[t].reps[r].seg_arena);
}

/* Phase 2: only the new periods array is allocated, before anything changes. */
static int commit(refresh *rf, const sv__dash_mpd *mpd, const long *pmap)
{
    sv__presentation *pres = &rf->m->pub;

    if (rf->nb_added) {
        size_t n = pres->nb_periods + rf->nb_added;
        sv__period *all = sv__arena_alloc(pres->arena, n * sizeof(*all));
        if (!all)
            return SV_ERR_NOMEM;
        memcpy(all, pres->periods, pres->nb_periods * sizeof(*all));
        memcpy(all + pres->nb_periods, rf->added, rf->nb_added * sizeof(*all));
        pres->periods = all;
    }
    for (size_t i = 0; i < rf->nb_ups; i++) {
        update *u = &rf->ups[i];
        u->rep->source = u->src;
        u->rep->chunked = u->src && !sv__dash_availability_complete(u->src, 0);
        if (u->need_index) {
            if (u->rep->seg_state != SV__SEGS_READY)
                u->rep->seg_state = SV__SEGS_NEED_INDEX;
            continue; /* a sidx-indexed file does not change under a live MPD */
        }
        sv__seg_list_commit(&u->list, u->rep);
    }
    for (size_t j = 0; j < mpd->nb_periods; j++)
        if (pmap[j] >= 0) {
            pres->periods[pmap[j]].start = mpd->periods[j].start;
            pres->periods[pmap[j]].duration = mpd->periods[j].duration;
        }
    pres->nb_periods += rf->nb_added;
    return 0;
}

/* Lists every rep again from `mpd` for now_utc and commits the lists; on
 * success the reps point into `mpd` (the caller keeps it as m->mpd). */
static int relist(sv__model *m, const sv__dash_mpd *mpd, double now_utc, sv__parse_error *err)
{
    refresh rf;
    long *pmap;
    int ret = SV_ERR_NOMEM;

    memset(&rf, 0, sizeof(rf));
    rf.m = m;
    if (!(rf.tmp = sv__arena_create(sv__model_alloc(m))) ||
        !(pmap = sv__arena_alloc(rf.tmp, mpd->nb_periods * sizeof(*pmap))))
        goto fail;
    if ((ret = prepare(&rf, mpd, now_utc, pmap, err)) < 0)
        goto fail;
    if ((ret = commit(&rf, mpd, pmap)) < 0)
        goto fail;
    sv__model_dash_timing(m, mpd, now_utc, rf.max_dur);
    sv__arena_destroy(rf.tmp);
    return 0;

fail:
    discard(&rf);
    sv__arena_destroy(rf.tmp);
    return ret;
}

int sv__model_dash_refresh(sv__presentation *pres, const char *text, size_t size,
                           const char *url, double now_utc, sv__parse_error *err)
{
    sv__parse_error local_err;
    sv__dash_mpd *mpd = NULL;
    int ret;

    if (!err)
        err = &local_err;
    memset(err, 0, sizeof(*err));
    if (!pres || !text || pres->kind != SV__SOURCE_DASH)
        return SV_ERR_INVALID;
    sv__model *m = sv__model_of(pres);
    if (!url)
        url = pres->url;
    if ((ret = sv__dash_parse(text, size, url, sv__model_alloc(m), &mpd, err)) < 0)
        return ret;
    /* Copied first: once the lists are committed nothing may fail. */
    const char *new_url = url == pres->url ? url : sv__arena_strdup(pres->arena, url);
    ret = SV_ERR_NOMEM;
    if (!new_url || (ret = sv__model_events_dash(m, mpd)) < 0 ||
        (ret = relist(m, mpd, now_utc, err)) < 0)
        goto fail;
    pres->url = new_url;
    sv__dash_mpd_free(m->mpd);
    m->mpd = mpd;
    return 0;

fail:
    sv__dash_mpd_free(mpd);
    return ret;
}

int sv__model_dash_update(sv__presentation *pres, double now_utc, sv__parse_error *err)
{
    sv__parse_error local_err;

    if (!err)
        err = &local_err;
    memset(err, 0, sizeof(*err));
    if (!pres || pres->kind != SV__SOURCE_DASH || !pres->live || !sv__model_of(pres)->mpd)
        return SV_ERR_INVALID;
    return relist(sv__model_of(pres), sv__model_of(pres)->mpd, now_utc, err);
}

/* When the first segment of `dr` (period pi) that is not available at
 * now_utc becomes available, UTC; 0 when the addressing describes none. */
static double rep_next(const sv__dash_mpd *mpd, size_t pi, const sv__dash_representation *dr,
                       double now_utc, sv__arena *a)
{
    const sv__dash_period *dp = &mpd->periods[pi];
    sv__dash_seg *segs = NULL;

    if (dr->seg.kind != SV_DASH_ADDR_TEMPLATE && dr->seg.kind != SV_DASH_ADDR_LIST)
        return 0; /* one file, or a sidx: nothing comes with time */
    double pa = sv__model_dash_avail_edge(mpd, pi, dr, now_utc);
    if (isinf(pa) || (dp->duration > 0 && pa + LIVE_EPSILON_S >= dp->duration))
        return 0;
    double from = pa > 0 ? pa : 0;
    /* The next segment starts before `from` + its duration; two of the
     * longest a template can describe is enough to find it. */
    double span = dr->seg.duration > 0 ? 2.0 * (double)dr->seg.duration / (double)dr->seg.timescale
                                       : 0;
    for (size_t i = 0; i < dr->seg.nb_timeline; i++) {
        double d = 2.0 * (double)dr->seg.timeline[i].d / (double)dr->seg.timescale;
        if (d > span)
            span = d;
    }
    if (span <= 0 && dr->seg.kind == SV_DASH_ADDR_LIST)
        span = dp->duration > 0 ? dp->duration : 0;
    if (span <= 0 || from + span > 9e15 / (double)dr->seg.timescale)
        return 0;
    int n = sv__dash_expand(a, dr, 0, dp->duration, from, from + span, 4, &segs);
    for (int i = 0; i < n; i++) {
        double end = segs[i].start + segs[i].duration;
        if (dp->duration > 0 && end > dp->duration)
            end = dp->duration; /* cut at the period's end, as the list does */
        if (end > pa + LIVE_EPSILON_S)
            return now_utc + (end - pa);
    }
    return 0;
}

/* When the segment after the last one of `dr`'s SegmentTimeline would
 * become available if the timeline went on with its last duration, UTC; 0
 * when it has no timeline, repeats with r = -1 (rep_next covers it), or
 * reaches its period's end. */
static double timeline_next(const sv__dash_mpd *mpd, size_t pi, const sv__dash_representation *dr,
                            double now_utc)
{
    const sv__dash_segments *s = &dr->seg;
    const sv__dash_period *dp = &mpd->periods[pi];
    double t = 0, d = 0;

    if (s->kind != SV_DASH_ADDR_TEMPLATE || !s->nb_timeline ||
        isinf(sv__dash_availability_offset(dr, 0)))
        return 0;
    for (size_t i = 0; i < s->nb_timeline; i++) {
        const sv__dash_s *e = &s->timeline[i];
        if (e->r < 0)
            return 0;
        if (e->has_t)
            t = (double)e->t;
        t += ((double)e->r + 1) * (double)e->d;
        d = (double)e->d;
    }
    double end = (t - (double)s->presentation_time_offset) / (double)s->timescale;
    if (dp->duration > 0 && end + LIVE_EPSILON_S >= dp->duration)
        return 0;
    double pa = sv__model_dash_avail_edge(mpd, pi, dr, now_utc);
    return now_utc + (end + d / (double)s->timescale - pa);
}

double sv__model_dash_next_available(const sv__presentation *pres, double now_utc,
                                     int *needs_refresh)
{
    int reload = 0;
    if (needs_refresh)
        *needs_refresh = 0;
    if (!pres || pres->kind != SV__SOURCE_DASH || !pres->live)
        return 0;
    const sv__model *m = (const sv__model *)pres;
    const sv__dash_mpd *mpd = m->mpd;
    if (!mpd || !mpd->dynamic)
        return 0;
    sv__arena *a = sv__arena_create(m->has_alloc ? &m->alloc : NULL);
    if (!a)
        return 0;
    double best = 0;
    for (size_t pi = 0; pi < mpd->nb_periods; pi++)
        for (size_t k = 0; k < mpd->periods[pi].nb_sets; k++) {
            const sv__dash_adaptation *as = &mpd->periods[pi].sets[k];
            if (as->content == SV_DASH_OTHER)
                continue;
            for (size_t r = 0; r < as->nb_reps; r++) {
                double t = rep_next(mpd, pi, &as->reps[r], now_utc, a);
                if (t > now_utc && (best == 0 || t < best)) {
                    best = t;
                    reload = 0;
                }
                t = timeline_next(mpd, pi, &as->reps[r], now_utc);
                if (t > 0 && (best == 0 || t < best)) {
                    best = t;
                    reload = 1;
                }
            }
        }
    sv__arena_destroy(a);
    if (needs_refresh)
        *needs_refresh = reload;
    return best;
}

void sv__model_set_target_latency(sv__presentation *pres, double target, double now_utc)
{
    sv__model *m = sv__model_of(pres);
    m->latency_override = target >= 0 ? target : -1;
    if (target >= 0)
        pres->target_latency = sv__model_clamp_latency(pres, target);
    if (pres->kind == SV__SOURCE_DASH && pres->live && m->mpd)
        sv__model_dash_timing(m, m->mpd, now_utc, m->max_seg_duration);
}

int sv__model_seekable(sv__presentation *pres, double now_utc, double *start, double *end)
{
    sv__model *m = sv__model_of(pres);
    double lo = -1e300;
    int any = 0;
    if (!pres->live)
        return SV_ERR_STATE;
    if (pres->kind == SV__SOURCE_DASH && m->mpd)
        sv__model_dash_timing(m, m->mpd, now_utc, m->max_seg_duration);
    for (size_t pi = 0; pi < pres->nb_periods; pi++) {
        const sv__period *per = &pres->periods[pi];
        for (size_t k = 0; k < per->nb_tracks; k++) {
            if (per->tracks[k].type == SV_TRACK_TEXT)
                continue;
            for (size_t r = 0; r < per->tracks[k].nb_reps; r++) {
                const sv__rep *rep = &per->tracks[k].reps[r];
                if (rep->seg_state != SV__SEGS_READY || !rep->nb_segs)
                    continue;
                double first = sv__rep_segment(rep, 0).start;
                if (!any || first > lo)
                    lo = first;
                any = 1;
            }
        }
        if (any)
            break; /* the window starts in the first period that lists something */
    }
    if (!any)
        return SV_ERR_STATE;
    *start = lo;
    *end = pres->live_start > lo ? pres->live_start : lo;
    return 0;
}
