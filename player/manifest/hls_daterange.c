/*
 * EXT-X-DATERANGE (RFC 8216bis 4.4.5.1): ID, CLASS, START-DATE, END-DATE,
 * DURATION, PLANNED-DURATION, END-ON-NEXT, SCTE35-CMD/OUT/IN and X-*
 * client attributes, turned into timed events on the playlist's timeline
 * (hls.h). A tag that breaks a rule is left out with a warning naming the
 * rule; the playlist still plays.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "player/manifest/dash.h"
#include "player/manifest/hls_internal.h"
#include "player/manifest/scte35.h"

/* Tags per playlist at most (a live playlist keeps a window of them). */
#define MAX_DATERANGES 10000
#define MAX_ATTRIBUTES 1023

/* What placing an event needs once the whole playlist was read. */
typedef struct sv__hls_dr_state {
    double start_date;           /* UTC seconds */
    double anchor_date, anchor_start; /* the segment date before the tag; NAN none */
    double duration;             /* DURATION or END-DATE - START-DATE; < 0 none */
    int end_on_next;
    int in_point;                /* a SCTE35-IN event: it starts at the range's end */
} sv__hls_dr_state;

void sv__hls_daterange_anchor(sv__hls_parser *p, const char *pdt, size_t len, double start)
{
    char buf[64];
    if (len >= sizeof(buf))
        return;
    memcpy(buf, pdt, len);
    buf[len] = '\0';
    double date = sv__dash_parse_datetime(buf);
    if (date < 0)
        return;
    if (!p->have_anchor) {
        p->first_anchor_date = date;
        p->first_anchor_start = start;
    }
    p->have_anchor = 1;
    p->anchor_date = date;
    p->anchor_start = start;
}

static int attr_is(const sv__hls_attr *a, const char *name)
{
    return a->name_len == strlen(name) && !memcmp(a->name, name, a->name_len);
}

/* A date attribute: 0 with *out, -1 when it is not an ISO 8601 date. */
static int date_of(const sv__hls_attr *a, double *out)
{
    char buf[64];
    if (a->value_len >= sizeof(buf))
        return -1;
    memcpy(buf, a->value, a->value_len);
    buf[a->value_len] = '\0';
    *out = sv__dash_parse_datetime(buf);
    return *out < 0 ? -1 : 0;
}

/* A decimal-floating-point number of seconds >= 0: 0, or -1. */
static int seconds_of(const sv__hls_attr *a, double *out)
{
    char buf[64], *end;
    if (a->value_len == 0 || a->value_len >= sizeof(buf) || a->quoted)
        return -1;
    memcpy(buf, a->value, a->value_len);
    buf[a->value_len] = '\0';
    *out = strtod(buf, &end);
    return *end || !isfinite(*out) || *out < 0 ? -1 : 0;
}

typedef struct dr_tag {
    const sv__hls_attr *id, *cls, *scte[3]; /* OUT, IN, CMD */
    double start, end, duration, planned;   /* end, durations: < 0 absent */
    int end_on_next;
} dr_tag;

static const char *const scte_names[3] = { "SCTE35-OUT", "SCTE35-IN", "SCTE35-CMD" };

/* Reads the attributes into *t; returns NULL or what is wrong. */
static const char *read_tag(const sv__hls_attr *attrs, int n, dr_tag *t, char *why, size_t cap)
{
    int has_start = 0;
    memset(t, 0, sizeof(*t));
    t->end = t->duration = t->planned = -1;
    for (int i = 0; i < n; i++) {
        const sv__hls_attr *a = &attrs[i];
        if (attr_is(a, "ID")) {
            t->id = a;
        } else if (attr_is(a, "CLASS")) {
            t->cls = a;
        } else if (attr_is(a, "START-DATE")) {
            if (date_of(a, &t->start) < 0)
                goto bad_value;
            has_start = 1;
        } else if (attr_is(a, "END-DATE")) {
            if (date_of(a, &t->end) < 0)
                goto bad_value;
        } else if (attr_is(a, "DURATION")) {
            if (seconds_of(a, &t->duration) < 0)
                goto bad_value;
        } else if (attr_is(a, "PLANNED-DURATION")) {
            if (seconds_of(a, &t->planned) < 0)
                goto bad_value;
        } else if (attr_is(a, "END-ON-NEXT")) {
            if (a->value_len != 3 || memcmp(a->value, "YES", 3))
                goto bad_value;
            t->end_on_next = 1;
        } else {
            for (int k = 0; k < 3; k++)
                if (attr_is(a, scte_names[k]))
                    t->scte[k] = a;
        }
        continue;
bad_value:
        snprintf(why, cap, "%.*s=%.*s is not a valid value", (int)a->name_len, a->name,
                 (int)(a->value_len > 40 ? 40 : a->value_len), a->value);
        return why;
    }
    if (!t->id || !t->id->value_len)
        return "it has no ID";
    if (!has_start)
        return "it has no START-DATE";
    if (t->end >= 0 && t->end < t->start)
        return "END-DATE is before START-DATE";
    if (t->end >= 0 && t->duration >= 0 && fabs(t->end - t->start - t->duration) > 0.001)
        return "END-DATE - START-DATE differs from DURATION";
    if (t->end_on_next && (!t->cls || t->duration >= 0 || t->end >= 0))
        return "END-ON-NEXT=YES needs a CLASS and no DURATION or END-DATE";
    if (t->duration < 0 && t->end >= 0)
        t->duration = t->end - t->start;
    return NULL;
}

static int add_event(sv__hls_parser *p, const dr_tag *t, int scte, const char *attrs_text,
                     char *why, size_t cap)
{
    sv__hls_playlist *pl = p->pl;
    sv__timed_desc d;
    uint8_t bytes[SV_SCTE35_MAX_BYTES];
    int r;

    memset(&d, 0, sizeof(d));
    d.source = SV_TIMED_HLS_DATERANGE;
    d.scheme = t->cls ? sv__arena_strndup(p->arena, t->cls->value, t->cls->value_len) : "";
    d.value = scte >= 0 ? scte_names[scte] : "";
    d.id = sv__arena_strndup(p->arena, t->id->value, t->id->value_len);
    d.attributes = attrs_text;
    d.duration_s = t->duration >= 0 ? t->duration : t->planned;
    if (!d.scheme || !d.id)
        return SV_ERR_NOMEM;
    if (scte >= 0) {
        int n = sv__scte35_hex(t->scte[scte]->value, t->scte[scte]->value_len, bytes,
                               sizeof(bytes));
        if (n < 0) {
            snprintf(why, cap, "%s is not hexadecimal of at most %d bytes", scte_names[scte],
                     SV_SCTE35_MAX_BYTES);
            return SV_ERR_PARSE;
        }
        /* Read as SCTE-35 whatever the CLASS: the attribute says it is. */
        const char *scheme = d.scheme;
        d.scheme = SV__SCHEME_SCTE35_BIN;
        r = sv__timed_set_payload(&d, p->arena, bytes, (size_t)n, why, cap);
        d.scheme = scheme;
        if (r < 0)
            return r;
    } else {
        sv__scte35_none(&d.scte35);
        d.payload = (const uint8_t *)"";
    }
    if (!APPEND(p, pl->dateranges, pl->nb_dateranges, p->cap_dateranges, MAX_DATERANGES) ||
        !(p->dr = sv__arena_grow(p->arena, p->dr, &p->cap_dr, pl->nb_dateranges,
                                 sizeof(*p->dr))))
        return SV_ERR_NOMEM;
    pl->dateranges[pl->nb_dateranges - 1] = d;
    sv__hls_dr_state *st = &p->dr[pl->nb_dateranges - 1];
    st->start_date = t->start;
    st->anchor_date = p->have_anchor ? p->anchor_date : NAN;
    st->anchor_start = p->have_anchor ? p->anchor_start : NAN;
    st->duration = t->duration;
    st->end_on_next = t->end_on_next;
    st->in_point = scte == 1;
    return 0;
}

int sv__hls_daterange_tag(sv__hls_parser *p, const char *v, size_t len)
{
    sv__hls_attr attrs[SV_HLS_MAX_ATTRS];
    sv__timed_warnings *w = &p->pl->daterange_warnings;
    char why[160];
    const char *bad;
    dr_tag t;
    int r, any = 0;

    p->saw_media_tag = 1;
    if (p->pl->nb_dateranges + 3 > MAX_DATERANGES)
        return sv__timed_warn(w, p->arena, "line %d: EXT-X-DATERANGE over the limit of %d: "
                              "left out", p->line, MAX_DATERANGES);
    int n = sv__hls_attrs_split(v, len, attrs, SV_HLS_MAX_ATTRS);
    if (n < 0)
        return sv__timed_warn(w, p->arena, "line %d: EXT-X-DATERANGE: malformed attribute list "
                              "(or more than %d attributes): left out", p->line,
                              SV_HLS_MAX_ATTRS);
    if ((bad = read_tag(attrs, n, &t, why, sizeof(why))))
        return sv__timed_warn(w, p->arena, "line %d: EXT-X-DATERANGE %.*s: %s: left out", p->line,
                              t.id ? (int)t.id->value_len : 0, t.id ? t.id->value : "", bad);
    const char *text = sv__arena_strndup(p->arena, v, len > MAX_ATTRIBUTES ? MAX_ATTRIBUTES : len);
    if (!text)
        return SV_ERR_NOMEM;
    for (int k = 0; k < 3; k++) {
        if (!t.scte[k])
            continue;
        any = 1;
        if ((r = add_event(p, &t, k, text, why, sizeof(why))) == SV_ERR_NOMEM)
            return r;
        if (r < 0 && (r = sv__timed_warn(w, p->arena, "line %d: EXT-X-DATERANGE %.*s: %s: "
                                         "left out", p->line, (int)t.id->value_len, t.id->value,
                                         why)) < 0)
            return r;
    }
    if (!any && (r = add_event(p, &t, -1, text, why, sizeof(why))) < 0)
        return r;
    return 0;
}

int sv__hls_daterange_finish(sv__hls_parser *p)
{
    sv__hls_playlist *pl = p->pl;

    if (pl->nb_dateranges && !p->have_anchor) {
        size_t n = pl->nb_dateranges;
        pl->nb_dateranges = 0;
        return sv__timed_warn(&pl->daterange_warnings, p->arena, "%zu EXT-X-DATERANGE events "
                              "left out: the playlist has no EXT-X-PROGRAM-DATE-TIME to place "
                              "them", n);
    }
    for (size_t i = 0; i < pl->nb_dateranges; i++) {
        sv__timed_desc *d = &pl->dateranges[i];
        sv__hls_dr_state *st = &p->dr[i];
        /* END-ON-NEXT: the range ends where the next one of its CLASS starts. */
        if (st->end_on_next)
            for (size_t j = i + 1; j < pl->nb_dateranges; j++)
                if (p->dr[j].start_date > st->start_date &&
                    !strcmp(pl->dateranges[j].scheme, d->scheme)) {
                    d->duration_s = st->duration = p->dr[j].start_date - st->start_date;
                    break;
                }
        double ad = isnan(st->anchor_date) ? p->first_anchor_date : st->anchor_date;
        double as = isnan(st->anchor_date) ? p->first_anchor_start : st->anchor_start;
        d->start_s = as + (st->start_date - ad);
        if (st->in_point && st->duration >= 0)
            d->start_s += st->duration;
    }
    return 0;
}
