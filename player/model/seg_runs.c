/*
 * DASH SegmentTemplate segments kept as runs (issue 16: a SegmentTimeline
 * of a million segments). A run is what an <S t d r> says: so many segments
 * of one duration, one after the other. Segment i is found by a binary
 * search over the runs and computed with the same arithmetic that
 * sv__dash_walk() uses, so a computed segment equals the one a list would
 * have stored; its URL is the template filled in and resolved on demand.
 */
#include <string.h>

#include "player/manifest/url.h"
#include "player/model/model_internal.h"

int sv__seg_list_use_runs(sv__seg_list *l, const sv__dash_representation *dr,
                          double period_start, double period_duration, int64_t disc,
                          const sv__resource *init)
{
    sv__seg_runs *r = sv__arena_alloc(l->arena, sizeof(*r));
    if (!r)
        return SV_ERR_NOMEM;
    memset(r, 0, sizeof(*r));
    if (!(r->media = sv__arena_strdup(l->arena, dr->seg.media)) ||
        !(r->base = sv__arena_strdup(l->arena, dr->base_urls[0].url)) ||
        !(r->rep_id = sv__arena_strdup(l->arena, dr->id)))
        return SV_ERR_NOMEM;
    r->bandwidth = dr->bandwidth;
    r->timescale = dr->seg.timescale;
    r->pto = dr->seg.presentation_time_offset;
    r->numbered = dr->seg.nb_timeline ? 0 : dr->seg.duration;
    r->period_start = period_start;
    r->period_duration = period_duration;
    r->disc = disc;
    r->init = init;
    l->runs = r;
    return 0;
}

int sv__seg_list_add_run(sv__seg_list *l, const sv__dash_seg *seg)
{
    sv__seg_runs *r = l->runs;
    sv__seg_run *last = r->n ? &r->v[r->n - 1] : NULL;

    if (last && seg->d == last->d && seg->time == last->time + (int64_t)last->count * last->d &&
        seg->number == last->number + (int64_t)last->count) {
        last->count++;
        l->n++;
        return 0;
    }
    if (!(r->v = sv__arena_grow(l->arena, r->v, &r->cap, r->n + 1, sizeof(*r->v))))
        return SV_ERR_NOMEM;
    sv__seg_run *run = &r->v[r->n++];
    run->first = l->n++;
    run->count = 1;
    run->time = seg->time;
    run->d = seg->d;
    run->number = seg->number;
    return 0;
}

void sv__seg_list_set_disc(sv__seg_list *l, int64_t disc)
{
    if (l->runs)
        l->runs->disc = disc;
    for (size_t i = 0; !l->runs && i < l->n; i++)
        l->segs[i].disc = disc;
}

void sv__rep_set_disc(sv__rep *rep, int64_t disc)
{
    if (rep->runs)
        rep->runs->disc = disc;
    for (size_t i = 0; rep->seg_array && i < rep->nb_segs; i++)
        rep->seg_array[i].disc = disc;
}

sv__segment sv__seg_runs_get(const sv__seg_runs *r, size_t i)
{
    sv__segment s;
    size_t lo = 0, hi = r->n;

    /* The last run whose first segment is at or before i. */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->v[mid].first <= i)
            lo = mid;
        else
            hi = mid;
    }
    const sv__seg_run *run = &r->v[lo];
    const int64_t k = (int64_t)(i - run->first);
    const int64_t t = run->time + k * run->d;
    const double ts = (double)r->timescale;
    double start, dur;
    if (r->numbered) {
        /* As sv__dash_walk() numbers @duration segments: index x duration. */
        dur = (double)r->numbered / ts;
        start = (double)((t - r->pto) / r->numbered) * dur;
    } else {
        start = (double)(t - r->pto) / ts;
        dur = (double)run->d / ts;
    }
    /* Only up to the period's end is presented. */
    if (r->period_duration > 0 && start + dur > r->period_duration)
        dur = r->period_duration - start;
    memset(&s, 0, sizeof(s));
    s.start = r->period_start + start;
    s.duration = dur;
    s.number = run->number + k;
    s.disc = r->disc;
    s.length = -1;
    s.init = r->init;
    s.uri_number = (uint64_t)t;
    return s;
}

int sv__seg_runs_url(const sv__seg_runs *r, const sv__segment *seg, char *buf, size_t cap)
{
    char ref[SV__URL_MAX];
    int len = sv__dash_fill_template_buf(r->media, r->rep_id, seg->number, r->bandwidth,
                                         (int64_t)seg->uri_number, ref, sizeof(ref));
    if (len < 0)
        return len;
    return sv__url_resolve_buf(r->base, ref, buf, cap);
}
