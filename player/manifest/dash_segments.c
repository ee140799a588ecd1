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

char *sv__dash_fill_template(sv__arena *a, const char *tmpl, const char *rep_id,
                             int64_t number, int64_t bandwidth, int64_t time)
{
    char buf[4096];
    size_t len = 0;

    for (const char *p = tmpl; *p;) {
        if (*p != '$') {
            if (len + 1 >= sizeof(buf))
                return NULL;
            buf[len++] = *p++;
            continue;
        }
        const char *end = strchr(p + 1, '$');
        if (!end)
            return NULL;
        size_t idlen = (size_t)(end - p - 1);
        const char *id = p + 1;
        p = end + 1;
        if (idlen == 0) { /* "$$" is a literal '$' */
            if (len + 1 >= sizeof(buf))
                return NULL;
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
                return NULL;
            while (++f < end && *f >= '0' && *f <= '9')
                width = width * 10 + (*f - '0');
            if (f != end - 1 || *f != 'd' || width > 32)
                return NULL;
        }
#define ID(s) (namelen == sizeof(s) - 1 && memcmp(id, s, namelen) == 0)
        if (ID("RepresentationID")) {
            size_t n = strlen(rep_id);
            if (pct || len + n >= sizeof(buf))
                return NULL;
            memcpy(buf + len, rep_id, n);
            len += n;
        } else if (ID("Number")) {
            if (put(buf, sizeof(buf), &len, number, width) < 0)
                return NULL;
        } else if (ID("Bandwidth")) {
            if (put(buf, sizeof(buf), &len, bandwidth, width) < 0)
                return NULL;
        } else if (ID("Time")) {
            if (put(buf, sizeof(buf), &len, time, width) < 0)
                return NULL;
        } else {
            return NULL;
        }
#undef ID
    }
    return sv__arena_strndup(a, buf, len);
}

typedef struct out_list {
    sv__arena *a;
    sv__dash_seg *v;
    size_t n, cap, max;
} out_list;

static int add(out_list *o, const sv__dash_representation *rep, const char *base,
               const char *media, sv__dash_range range, double start, double dur,
               int64_t number, int64_t time)
{
    if (o->n >= o->max)
        return 1; /* full: stop quietly */
    if (!(o->v = sv__arena_grow(o->a, o->v, &o->cap, o->n + 1, sizeof(*o->v))))
        return SV_ERR_NOMEM;
    sv__dash_seg *s = &o->v[o->n];
    const char *ref = media;
    if (media && rep->seg.kind == SV_DASH_ADDR_TEMPLATE &&
        !(ref = sv__dash_fill_template(o->a, media, rep->id, number, rep->bandwidth, time)))
        return SV_ERR_PARSE;
    s->url = ref ? sv__url_resolve(o->a, base, ref) : sv__arena_strdup(o->a, base);
    if (!s->url)
        return SV_ERR_PARSE;
    s->range = range;
    s->start = start;
    s->duration = dur;
    s->number = number;
    s->time = time;
    o->n++;
    return 0;
}

/* Whether [start, start+dur) overlaps [from, to), to <= 0 meaning open. */
static int overlaps(double start, double dur, double from, double to)
{
    return start + dur > from && (to <= 0 || start < to);
}

static int expand_timeline(out_list *o, const sv__dash_representation *rep, const char *base,
                           double period_duration, double from, double to)
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
                (ret = add(o, rep, base, s->media, whole, start, dur, number, t)) != 0)
                return ret < 0 ? ret : 0;
        }
    }
    return 0;
}

static int expand_numbered(out_list *o, const sv__dash_representation *rep, const char *base,
                           double period_duration, double from, double to)
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
        if ((ret = add(o, rep, base, s->media, whole, start, d, s->start_number + i, time)) != 0)
            return ret < 0 ? ret : 0;
    }
    return 0;
}

static int expand_list(out_list *o, const sv__dash_representation *rep, const char *base,
                       double period_duration, double from, double to)
{
    const sv__dash_segments *s = &rep->seg;
    double dur = s->duration > 0 ? (double)s->duration / (double)s->timescale
                                 : (s->nb_list == 1 ? period_duration : 0);
    int ret;

    if (dur <= 0)
        return SV_ERR_PARSE;
    for (size_t i = 0; i < s->nb_list; i++) {
        double start = (double)i * dur;
        if (!overlaps(start, dur, from, to))
            continue;
        if ((ret = add(o, rep, base, s->list[i].media, s->list[i].range, start, dur,
                       s->start_number + (int64_t)i, 0)) != 0)
            return ret < 0 ? ret : 0;
    }
    return 0;
}

int sv__dash_expand(sv__arena *a, const sv__dash_representation *rep, size_t base_index,
                    double period_duration, double from, double to, size_t max_segments,
                    sv__dash_seg **out)
{
    out_list o = { a, NULL, 0, 0, max_segments };
    const sv__dash_range whole = { 0, -1 };
    int ret = 0;

    if (!rep || base_index >= rep->nb_base_urls || !out)
        return SV_ERR_INVALID;
    const char *base = rep->base_urls[base_index].url;
    switch (rep->seg.kind) {
    case SV_DASH_ADDR_TEMPLATE:
        ret = rep->seg.nb_timeline ? expand_timeline(&o, rep, base, period_duration, from, to)
                                   : expand_numbered(&o, rep, base, period_duration, from, to);
        break;
    case SV_DASH_ADDR_LIST:
        ret = expand_list(&o, rep, base, period_duration, from, to);
        break;
    case SV_DASH_ADDR_NONE:
        ret = add(&o, rep, base, NULL, whole, 0, period_duration, 1, 0);
        break;
    case SV_DASH_ADDR_BASE:
        return SV_ERR_STATE;
    }
    if (ret < 0)
        return ret;
    *out = o.v;
    return (int)o.n;
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
