/*
 * DASH timed events in the MPD (ISO/IEC 23009-1 5.10.2): a Period's
 * EventStream elements and their Events, and the InbandEventStream elements
 * that announce emsg boxes in the segments. A malformed Event is left out
 * with a warning; the MPD still plays.
 *
 * SCTE-35 comes two ways: scheme urn:scte:scte35:2013:bin with the section
 * as the Event's content (base64, contentEncoding="base64" or not: binary
 * cannot be XML text), and urn:scte:scte35:2014:xml+bin with a Signal
 * element holding the section in a Binary child (SCTE 214-1, DASH-IF IOP).
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "player/manifest/dash_xml.h"

/* Events per Period at most; the rest are warned about once. */
#define MAX_EVENTS 10000

static const char *raw(const xmlNode *n, const char *name)
{
    for (const xmlAttr *a = n->properties; a; a = a->next)
        if (!strcmp((const char *)a->name, name) && a->children &&
            a->children->type == XML_TEXT_NODE)
            return (const char *)a->children->content;
    return NULL;
}

static int is(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

/* An unsigned integer attribute: 1 set, 0 absent, -1 malformed. */
static int uint_attr(const xmlNode *n, const char *name, uint64_t *out)
{
    const char *v = raw(n, name);
    char *end;
    if (!v)
        return 0;
    errno = 0;
    unsigned long long x = strtoull(v, &end, 10);
    if (end == v || *end || errno == ERANGE || *v == '-')
        return -1;
    *out = x;
    return 1;
}

static const xmlNode *child(const xmlNode *n, const char *name)
{
    for (const xmlNode *c = n ? n->children : NULL; c; c = c->next)
        if (is(c, name))
            return c;
    return NULL;
}

/* The Event's payload: @messageData, else its content (an SCTE-35
 * scheme's Signal/Binary child first); base64 decoded when the stream says
 * so or the scheme is SCTE-35's, trimmed text otherwise. */
static int payload(sv__arena *a, const xmlNode *ev, const char *scheme, int base64,
                   sv__timed_desc *d, char *why, size_t cap)
{
    int scte = sv__timed_is_scte35(scheme);
    const xmlNode *bin = scte ? child(child(ev, "Signal"), "Binary") : NULL;
    const char *md = bin ? NULL : raw(ev, "messageData");
    xmlChar *content = NULL;
    int r;

    if (!md) {
        if (!(content = xmlNodeGetContent(bin ? bin : ev)))
            return SV_ERR_NOMEM;
        md = (const char *)content;
    }
    const char *b = md, *e = b + strlen(b);
    while (*b == ' ' || *b == '\n' || *b == '\r' || *b == '\t')
        b++;
    while (e > b && (e[-1] == ' ' || e[-1] == '\n' || e[-1] == '\r' || e[-1] == '\t'))
        e--;
    if (base64 || scte) {
        uint8_t *bytes = NULL;
        int n = sv__timed_base64(a, b, (size_t)(e - b), &bytes);
        if (n < 0) {
            snprintf(why, cap, "%s is not base64",
                     bin ? "Signal/Binary" : content ? "its content" : "@messageData");
            r = n == SV_ERR_NOMEM ? n : SV_ERR_PARSE;
        } else {
            r = sv__timed_set_payload(d, a, bytes, (size_t)n, why, cap);
        }
    } else {
        r = sv__timed_set_payload(d, a, (const uint8_t *)b, (size_t)(e - b), why, cap);
    }
    xmlFree(content);
    return r;
}

static int add_event(sv__arena *a, sv__dash_period *p, size_t *cap, const sv__timed_desc *d)
{
    if (!(p->events = sv__arena_grow(a, p->events, cap, p->nb_events + 1, sizeof(*p->events))))
        return SV_ERR_NOMEM;
    p->events[p->nb_events++] = *d;
    return 0;
}

static const char *dup_or_empty(sv__arena *a, const char *s)
{
    return sv__arena_strdup(a, s ? s : "");
}

static int event_stream(sv__arena *a, const xmlNode *es, sv__dash_period *p, size_t *cap,
                        sv__timed_warnings *w)
{
    const char *scheme = raw(es, "schemeIdUri"), *value = raw(es, "value");
    const char *enc = raw(es, "contentEncoding");
    uint64_t timescale = 1, pto = 0;
    int line = (int)xmlGetLineNo(es);

    if (!scheme || !*scheme)
        return sv__timed_warn(w, a, "line %d: EventStream without schemeIdUri: its Events "
                              "are left out", line);
    if (uint_attr(es, "timescale", &timescale) < 0 || timescale == 0 ||
        timescale > UINT32_MAX)
        return sv__timed_warn(w, a, "line %d: EventStream@timescale \"%.40s\" is not a "
                              "timescale (1..4294967295): its Events are left out", line,
                              raw(es, "timescale"));
    if (uint_attr(es, "presentationTimeOffset", &pto) < 0)
        return sv__timed_warn(w, a, "line %d: EventStream@presentationTimeOffset \"%.40s\" is "
                              "not an unsigned integer: its Events are left out", line,
                              raw(es, "presentationTimeOffset"));
    if (enc && strcmp(enc, "base64"))
        return sv__timed_warn(w, a, "line %d: EventStream@contentEncoding \"%.40s\" is not "
                              "base64: its Events are left out", line, enc);
    for (const xmlNode *ev = es->children; ev; ev = ev->next) {
        if (!is(ev, "Event"))
            continue;
        int eline = (int)xmlGetLineNo(ev);
        uint64_t t = 0, dur = 0;
        int has_dur, r;
        char why[160];
        if (p->nb_events >= MAX_EVENTS)
            return sv__timed_warn(w, a, "line %d: more than %d Events in Period \"%s\": the "
                                  "rest are left out", eline, MAX_EVENTS, p->id ? p->id : "");
        if (uint_attr(ev, "presentationTime", &t) < 0) {
            if ((r = sv__timed_warn(w, a, "line %d: Event@presentationTime \"%.40s\" is not an "
                                    "unsigned integer: the Event is left out", eline,
                                    raw(ev, "presentationTime"))) < 0)
                return r;
            continue;
        }
        if ((has_dur = uint_attr(ev, "duration", &dur)) < 0) {
            if ((r = sv__timed_warn(w, a, "line %d: Event@duration \"%.40s\" is not an unsigned "
                                    "integer: the Event is left out", eline,
                                    raw(ev, "duration"))) < 0)
                return r;
            continue;
        }
        sv__timed_desc d;
        memset(&d, 0, sizeof(d));
        d.source = SV_TIMED_DASH_EVENT_STREAM;
        d.scheme = dup_or_empty(a, scheme);
        d.value = dup_or_empty(a, value);
        d.attributes = "";
        const char *id = raw(ev, "id");
        char tid[32];
        if (!id) { /* no @id: the time tells Events of one stream apart */
            snprintf(tid, sizeof(tid), "@%" PRIu64, t);
            id = tid;
        }
        d.id = sv__arena_strdup(a, id);
        if (!d.scheme || !d.value || !d.id)
            return SV_ERR_NOMEM;
        d.start_s = ((double)t - (double)pto) / (double)timescale;
        d.duration_s = has_dur ? (double)dur / (double)timescale : -1;
        if ((r = payload(a, ev, scheme, enc != NULL, &d, why, sizeof(why))) == SV_ERR_NOMEM)
            return r;
        if (r < 0) {
            if ((r = sv__timed_warn(w, a, "line %d: Event id \"%.40s\" of %.60s: %s: the Event "
                                    "is left out", eline, d.id, scheme, why)) < 0)
                return r;
            continue;
        }
        if ((r = add_event(a, p, cap, &d)) < 0)
            return r;
    }
    return 0;
}

static int inband(sv__arena *a, const xmlNode *n, sv__dash_period *p, size_t *cap, int depth)
{
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (is(c, "InbandEventStream") && raw(c, "schemeIdUri")) {
            if (!(p->inband = sv__arena_grow(a, p->inband, cap, p->nb_inband + 1,
                                             sizeof(*p->inband))))
                return SV_ERR_NOMEM;
            sv__dash_descriptor *d = &p->inband[p->nb_inband++];
            if (!(d->scheme_id_uri = dup_or_empty(a, raw(c, "schemeIdUri"))) ||
                !(d->value = dup_or_empty(a, raw(c, "value"))))
                return SV_ERR_NOMEM;
        } else if (depth < 2 && (is(c, "AdaptationSet") || is(c, "Representation"))) {
            int r = inband(a, c, p, cap, depth + 1);
            if (r < 0)
                return r;
        }
    }
    return 0;
}

int sv__dash_parse_events(sv__arena *a, const xmlNode *n, sv__dash_period *p,
                          sv__timed_warnings *w)
{
    size_t cap = 0, icap = 0;
    int r;

    for (const xmlNode *c = n->children; c; c = c->next)
        if (is(c, "EventStream") && (r = event_stream(a, c, p, &cap, w)) < 0)
            return r;
    return inband(a, n, p, &icap, 0);
}
