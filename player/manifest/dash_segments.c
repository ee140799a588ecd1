/*
 * From a representation's segment addressing to concrete segments: template
 * identifiers, SegmentTimeline runs (r = -1 repeats to the period's end),
 * @duration numbering, and SegmentList entries.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "player/manifest/dash.h"
#include "player/manifest/url.h"

/* Appends printf output to a bounded buffer; -1 when it would not fit. */
static int put(char *buf, size_t cap, size_t *len, int64_t v, int width)
{
    int n = snprintf(buf + *len, cap - *len, "%0*" PRId64, width, v);
    if (n < 0 || (size_t)n >= cap - *len)
        return -1;
    *len += (size_t)n;
    return 0;
}

int sv__dash_fill_template_buf(const char *tmpl, const char *rep_id, int64_t number,
                               int64_t bandwidth, int64_t time, char *buf, size_t cap)
{
    size_t len = 0;

    if (!cap)
        return SV_ERR_OVERFLOW;
    for (const char *p = tmpl; *p;) {
        if (*p != '$') {
            if (len + 1 >= cap)
                return SV_ERR_OVERFLOW;
            buf[len++] = *p++;
            continue;
        }
        const char *end = strchr(p + 1, '$');
        if (!end)
            return SV_ERR_PARSE;
        size_t idlen = (size_t)(end - p - 1);
        const char *id = p + 1;
        p = end + 1;
        if (idlen == 0) { /* "$$" is a literal '$' */
            if (len + 1 >= cap)
                return SV_ERR_OVERFLOW;
            buf[len++] = '$';
            continue;
        }
        /* An optional "%0<width>d" format tag follows the identifier. */
        const char *pct = memchr(id, '%', idlen);
        size_t namelen = pct ? (size_t)(pct - id) : idlen;
        int width = 0;
        if (pct) {
            const char *f = pct + 1;
            if (*f != '0')
                return SV_ERR_PARSE;
            while (++f < end && *f >= '0' && *f <= '9')
                width = width * 10 + (*f - '0');
            if (f != end - 1 || *f != 'd' || width > 32)
                return SV_ERR_PARSE;
        }
#define ID(s) (namelen == sizeof(s) - 1 && memcmp(id, s, namelen) == 0)
        int ok;
        if (ID("RepresentationID")) {
            size_t n = strlen(rep_id);
            if (pct)
                return SV_ERR_PARSE;
            if ((ok = len + n < cap) != 0) {
                memcpy(buf + len, rep_id, n);
                len += n;
            }
        } else if (ID("Number")) {
            ok = put(buf, cap, &len, number, width) == 0;
        } else if (ID("Bandwidth")) {
            ok = put(buf, cap, &len, bandwidth, width) == 0;
        } else if (ID("Time")) {
            ok = put(buf, cap, &len, time, width) == 0;
        } else {
            return SV_ERR_PARSE;
        }
#undef ID
        if (!ok)
            return SV_ERR_OVERFLOW;
    }
    buf[len] = '\0';
    return (int)len;
}

char *sv__dash_fill_template(sv__arena *a, const char *tmpl, const char *rep_id,
                             int64_t number, int64_t bandwidth, int64_t time)
{
    char buf[4096];
    int len = sv__dash_fill_template_buf(tmpl, rep_id, number, bandwidth, time, buf, sizeof(buf));
    return len < 0 ? NULL : sv__arena_strndup(a, buf, (size_t)len);
}

/* A walk in progress: the visitor and how many segments it was handed. */
typedef struct walk {
    sv__dash_visit visit;
    void *opaque;
    size_t n, max;
} walk;

/* Hands one segment to the visitor: 0 to go on, 1 to stop (the visitor
 * asked, or max_segments were handed over), or its negative code. */
static int emit(walk *w, const char *ref, sv__dash_range range, double start, double dur,
                int64_t d, int64_t number, int64_t time)
{
    if (w->n >= w->max)
        return 1; /* full: stop quietly */
    sv__dash_seg s = { ref, range, start, dur, number, time, d };
    w->n++;
    return w->visit(w->opaque, &s);
}

/* Whether [start, start+dur) overlaps [from, to), to <= 0 meaning open. */
static int overlaps(double start, double dur, double from, double to)
{
    return start + dur > from && (to <= 0 || start < to);
}

static int walk_timeline(walk *w, const sv__dash_representation *rep, double period_duration,
                         double from, double to)
{
    const sv__dash_segments *s = &rep->seg;
    const double ts = (double)s->timescale;
    int64_t t = 0, number = s->start_number;
    const sv__dash_range whole = { 0, -1 };
    int ret;

    for (size_t i = 0; i < s->nb_timeline; i++) {
        const sv__dash_s *e = &s->timeline[i];
        if (e->has_t)
            t = e->t;
        int64_t repeats = e->r;
        if (repeats < 0) {
            /* r = -1: repeat until the next S's t, or the period's end. */
            int64_t until;
            if (i + 1 < s->nb_timeline && s->timeline[i + 1].has_t)
                until = s->timeline[i + 1].t;
            else if (period_duration > 0)
                until = s->presentation_time_offset + (int64_t)llround(period_duration * ts);
            else if (to > 0)
                until = s->presentation_time_offset + (int64_t)llround(to * ts);
            else
                return SV_ERR_PARSE; /* open-ended and unbounded */
            repeats = until > t ? (until - t + e->d - 1) / e->d - 1 : 0;
        }
        /* Jump over the repeats that end before `from`: a live timeline
         * repeated since a distant start would otherwise be walked in full
         * on every refresh (minutes for millisecond segments). */
        int64_t k = 0;
        const double from_t = (double)s->presentation_time_offset + floor(from * ts);
        if (from > 0 && repeats > 0 && from_t < 9e18 && (int64_t)from_t - t > e->d) {
            k = ((int64_t)from_t - t) / e->d - 1;
            if (k > repeats)
                k = repeats;
            t += k * e->d;
            number += k;
        }
        for (; k <= repeats; k++, t += e->d, number++) {
            double start = (double)(t - s->presentation_time_offset) / ts;
            double dur = (double)e->d / ts;
            if (period_duration > 0 && start >= period_duration - 1e-9)
                return 0;
            if (to > 0 && start >= to)
                return 0;
            if (overlaps(start, dur, from, to) &&
                (ret = emit(w, s->media, whole, start, dur, e->d, number, t)) != 0)
                return ret < 0 ? ret : 0;
        }
    }
    return 0;
}

static int walk_numbered(walk *w, const sv__dash_representation *rep, double period_duration,
                         double from, double to)
{
    const sv__dash_segments *s = &rep->seg;
    const double ts = (double)s->timescale, dur = (double)s->duration / ts;
    const sv__dash_range whole = { 0, -1 };
    int ret;

    int64_t first = from > 0 ? (int64_t)floor(from / dur) : 0;
    int64_t count;
    if (period_duration > 0)
        count = (int64_t)ceil(period_duration / dur - 1e-9);
    else if (to > 0)
        count = (int64_t)ceil(to / dur);
    else
        return SV_ERR_PARSE;
    if (s->end_number > 0 && s->end_number - s->start_number + 1 < count)
        count = s->end_number - s->start_number + 1;
    for (int64_t i = first; i < count; i++) {
        double start = (double)i * dur;
        if (to > 0 && start >= to)
            break;
        double d = period_duration > 0 && start + dur > period_duration ? period_duration - start
                                                                          : dur;
        int64_t time = s->presentation_time_offset + i * s->duration;
        if ((ret = emit(w, s->media, whole, start, d, s->duration, s->start_number + i, time)) != 0)
            return ret < 0 ? ret : 0;
    }
    return 0;
}

/* A SegmentList timed by a SegmentTimeline (23009-1 5.3.9.2: the multiple
 * segment base may hold either; svserver's trick-mode sets do): the i-th
 * SegmentURL lasts the timeline's i-th segment. */
static int walk_list_timeline(walk *w, const sv__dash_segments *s, double period_duration,
                              double from, double to)
{
    const double ts = (double)s->timescale;
    int64_t t = 0;
    size_t i = 0;

    for (size_t k = 0; k < s->nb_timeline && i < s->nb_list; k++) {
        const sv__dash_s *e = &s->timeline[k];
        if (e->has_t)
            t = e->t;
        if (e->d <= 0)
            return SV_ERR_PARSE;
        /* r = -1: as many as the list has left. */
        int64_t repeats = e->r >= 0 ? e->r : (int64_t)(s->nb_list - i) - 1;
        for (int64_t n = 0; n <= repeats && i < s->nb_list; n++, t += e->d, i++) {
            double start = (double)(t - s->presentation_time_offset) / ts;
            double dur = (double)e->d / ts;
            if (period_duration > 0 && start >= period_duration - 1e-9)
                return 0;
            if (!overlaps(start, dur, from, to))
                continue;
            int ret = emit(w, s->list[i].media, s->list[i].range, start, dur, e->d,
                           s->start_number + (int64_t)i, t);
            if (ret != 0)
                return ret < 0 ? ret : 0;
        }
    }
    return 0;
}

static int walk_list(walk *w, const sv__dash_representation *rep, double period_duration,
                     double from, double to)
{
    const sv__dash_segments *s = &rep->seg;
    if (s->nb_timeline && s->timescale > 0)
        return walk_list_timeline(w, s, period_duration, from, to);
    int64_t d = s->duration;
    double dur = s->duration > 0 ? (double)s->duration / (double)s->timescale
                                 : (s->nb_list == 1 ? period_duration : 0);
    int ret;

    if (dur <= 0)
        return SV_ERR_PARSE;
    if (d <= 0)
        d = (int64_t)llround(dur * (double)s->timescale);
    for (size_t i = 0; i < s->nb_list; i++) {
        double start = (double)i * dur;
        if (!overlaps(start, dur, from, to))
            continue;
        if ((ret = emit(w, s->list[i].media, s->list[i].range, start, dur, d,
                        s->start_number + (int64_t)i, 0)) != 0)
            return ret < 0 ? ret : 0;
    }
    return 0;
}

int sv__dash_walk(const sv__dash_representation *rep, double period_duration, double from,
                  double to, size_t max_segments, sv__dash_visit visit, void *opaque)
{
    walk w = { visit, opaque, 0, max_segments };
    const sv__dash_range whole = { 0, -1 };
    int ret = 0;

    if (!rep || !visit)
        return SV_ERR_INVALID;
    switch (rep->seg.kind) {
    case SV_DASH_ADDR_TEMPLATE:
        ret = rep->seg.nb_timeline ? walk_timeline(&w, rep, period_duration, from, to)
                                   : walk_numbered(&w, rep, period_duration, from, to);
        break;
    case SV_DASH_ADDR_LIST:
        ret = walk_list(&w, rep, period_duration, from, to);
        break;
    case SV_DASH_ADDR_NONE:
        ret = emit(&w, NULL, whole, 0, period_duration, 0, 1, 0);
        break;
    case SV_DASH_ADDR_BASE:
        return SV_ERR_STATE;
    }
    return ret < 0 ? ret : (int)(w.n > INT32_MAX ? INT32_MAX : w.n);
}

/* sv__dash_expand's visitor: the URL is built and the segment kept. */
typedef struct expansion {
    sv__arena *a;
    const sv__dash_representation *rep;
    const char *base;
    sv__dash_seg *v;
    size_t n, cap;
} expansion;

static int keep(void *opaque, const sv__dash_seg *seg)
{
    expansion *x = opaque;
    const char *ref = seg->url;

    if (!(x->v = sv__arena_grow(x->a, x->v, &x->cap, x->n + 1, sizeof(*x->v))))
        return SV_ERR_NOMEM;
    if (ref && x->rep->seg.kind == SV_DASH_ADDR_TEMPLATE &&
        !(ref = sv__dash_fill_template(x->a, ref, x->rep->id, seg->number, x->rep->bandwidth,
                                       seg->time)))
        return SV_ERR_PARSE;
    sv__dash_seg *s = &x->v[x->n];
    *s = *seg;
    s->url = ref ? sv__url_resolve(x->a, x->base, ref) : sv__arena_strdup(x->a, x->base);
    if (!s->url)
        return SV_ERR_PARSE;
    x->n++;
    return 0;
}

int sv__dash_expand(sv__arena *a, const sv__dash_representation *rep, size_t base_index,
                    double period_duration, double from, double to, size_t max_segments,
                    sv__dash_seg **out)
{
    if (!rep || base_index >= rep->nb_base_urls || !out)
        return SV_ERR_INVALID;
    expansion x = { a, rep, rep->base_urls[base_index].url, NULL, 0, 0 };
    int ret = sv__dash_walk(rep, period_duration, from, to, max_segments, keep, &x);
    if (ret < 0)
        return ret;
    *out = x.v;
    return (int)x.n;
}

const char *sv__dash_init_url(sv__arena *a, const sv__dash_representation *rep,
                              size_t base_index, sv__dash_range *range)
{
    const sv__dash_segments *s = &rep->seg;

    if (base_index >= rep->nb_base_urls)
        return NULL;
    const char *base = rep->base_urls[base_index].url;
    *range = s->init_range;
    if (s->kind == SV_DASH_ADDR_TEMPLATE) {
        if (!s->initialization)
            return NULL;
        const char *ref = sv__dash_fill_template(a, s->initialization, rep->id, s->start_number,
                                                 rep->bandwidth, 0);
        return ref ? sv__url_resolve(a, base, ref) : NULL;
    }
    if (s->initialization)
        return sv__url_resolve(a, base, s->initialization);
    /* <Initialization range> without sourceURL, in a SegmentBase or a
     * SegmentList (ffmpeg -single_file): a byte range of the BaseURL. */
    if (s->init_range.length > 0)
        return sv__arena_strdup(a, base);
    /* SegmentBase with only an indexRange: an on-demand file holds the
     * init segment (ftyp, moov) before its sidx. */
    if (s->kind == SV_DASH_ADDR_BASE && s->index_range.length > 0 && s->index_range.offset > 0) {
        range->offset = 0;
        range->length = s->index_range.offset;
        return sv__arena_strdup(a, base);
    }
    return NULL;
}

double sv__dash_availability_offset(const sv__dash_representation *rep, size_t base_index)
{
    const sv__dash_segments *s = &rep->seg;
    const sv__dash_base_url *b = base_index < rep->nb_base_urls ? &rep->base_urls[base_index]
                                                                : NULL;
    return s->availability_time_offset + (b ? b->availability_time_offset : 0);
}

int sv__dash_availability_complete(const sv__dash_representation *rep, size_t base_index)
{
    const sv__dash_segments *s = &rep->seg;
    const sv__dash_base_url *b = base_index < rep->nb_base_urls ? &rep->base_urls[base_index]
                                                                : NULL;
    /* The segment information's availabilityTimeComplete wins over the
     * BaseURL's; absent everywhere means true. */
    return s->availability_time_complete >= 0 ? s->availability_time_complete
           : b && b->availability_time_complete >= 0 ? b->availability_time_complete
                                                      : 1;
}
