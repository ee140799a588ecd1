/*
 * breaks_dash.c - ad breaks into a title's MPD (breaks.h): signalled breaks
 * as SCTE-35 Events, interstitials as Periods of their asset between
 * Periods of the title. Pure: no I/O; libxml2 reads and writes the XML.
 *
 * A Period of the title from `from` to `to` (seconds of the title) is a
 * copy of the base Period whose every SegmentTemplate and SegmentList keeps
 * the segments that overlap that span, as a SegmentTimeline (one numbered
 * by @duration is turned into one), with presentationTimeOffset at `from`
 * and startNumber at its first segment: a player asks for the same files as
 * before and cuts the segment that straddles the span's start. Interstitials
 * sit at video segment boundaries (the API moves them there), so the video
 * is cut at a key frame and nothing is decoded twice.
 */
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <math.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/breaks.h"
#include "streamverse/common.h"

#define MAX_SEGMENTS 1000000 /* per SegmentTemplate: a title of days at 0.5 s segments */
#define TIMESCALE 90000      /* of the EventStreams */

typedef struct seg {
    uint64_t t, d;
} seg;

static int is_element(const xmlNode *n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && !xmlStrcmp(n->name, BAD_CAST name);
}

static xmlNodePtr child(xmlNodePtr n, const char *name)
{
    for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next)
        if (is_element(c, name))
            return c;
    return NULL;
}

/* An unsigned attribute, or def when absent; -1 when not a number. */
static int64_t prop_u64(xmlNodePtr n, const char *name, int64_t def)
{
    xmlChar *v = xmlGetProp(n, BAD_CAST name);
    char *end;
    int64_t r = def;
    if (v) {
        long long x = strtoll((const char *)v, &end, 10);
        r = end == (char *)v || *end || x < 0 ? -1 : (int64_t)x;
        xmlFree(v);
    }
    return r;
}

static void set_prop_u64(xmlNodePtr n, const char *name, uint64_t v)
{
    char num[32];
    snprintf(num, sizeof(num), "%llu", (unsigned long long)v);
    xmlSetProp(n, BAD_CAST name, BAD_CAST num);
}

static void set_prop_secs(xmlNodePtr n, const char *name, double s)
{
    char num[48];
    snprintf(num, sizeof(num), "PT%.3fS", s);
    xmlSetProp(n, BAD_CAST name, BAD_CAST num);
}

/* "PT[nH][nM][n[.n]S]" (svserver's durations) -> seconds, or -1. */
static double iso_duration(xmlNodePtr n, const char *name)
{
    xmlChar *v = xmlGetProp(n, BAD_CAST name);
    const char *p = (const char *)v;
    double total = -1;
    if (p && p[0] == 'P' && p[1] == 'T' && p[2]) {
        total = 0;
        for (p += 2; *p && total >= 0;) {
            char *end;
            double x = strtod(p, &end);
            if (end == p || x < 0 || !isfinite(x))
                total = -1;
            else if (*end == 'H')
                total += x * 3600;
            else if (*end == 'M')
                total += x * 60;
            else if (*end == 'S')
                total += x;
            else
                total = -1;
            p = *end ? end + 1 : end;
        }
    }
    xmlFree(v);
    return total;
}

static int is_ours(xmlNodePtr n)
{
    xmlChar *scheme = xmlGetProp(n, BAD_CAST "schemeIdUri");
    xmlChar *value = xmlGetProp(n, BAD_CAST "value");
    int ours = scheme && value && !xmlStrcmp(scheme, BAD_CAST SV__BREAKS_SCHEME) &&
               !xmlStrcmp(value, BAD_CAST SV__BREAKS_VALUE);
    xmlFree(scheme);
    xmlFree(value);
    return ours;
}

static int has_essential(xmlNodePtr set, const char *scheme)
{
    for (xmlNodePtr c = set->children; c; c = c->next) {
        if (!is_element(c, "EssentialProperty"))
            continue;
        xmlChar *s = xmlGetProp(c, BAD_CAST "schemeIdUri");
        int yes = s && !xmlStrcmp(s, BAD_CAST scheme);
        xmlFree(s);
        if (yes)
            return 1;
    }
    return 0;
}

/* A set of the title's pictures: video, not a trick-mode set. */
static int is_video_set(xmlNodePtr set)
{
    xmlChar *ct = xmlGetProp(set, BAD_CAST "contentType");
    xmlChar *mime = xmlGetProp(set, BAD_CAST "mimeType");
    int video = (ct && !xmlStrcmp(ct, BAD_CAST "video")) ||
                (mime && !xmlStrncmp(mime, BAD_CAST "video/", 6));
    xmlFree(ct);
    xmlFree(mime);
    return video && !has_essential(set, "http://dashif.org/guidelines/trickmode");
}

/* The segments of a SegmentTemplate or SegmentList: its SegmentTimeline,
 * or numbered by @duration up to title_s. Returns the count (into *out,
 * malloc'd), or -1. */
static int segments_of(xmlNodePtr node, double title_s, seg **out)
{
    int64_t ts = prop_u64(node, "timescale", 1), pto = prop_u64(node, "presentationTimeOffset", 0);
    xmlNodePtr tl = child(node, "SegmentTimeline");
    seg *s = NULL;
    int n = 0, cap = 0;

    if (ts <= 0 || pto < 0)
        return -1;
    uint64_t end = (uint64_t)pto + (uint64_t)llround(title_s * (double)ts), t = (uint64_t)pto;
    int64_t dur = tl ? 0 : prop_u64(node, "duration", 0);
    if (!tl && dur <= 0)
        return -1;
    for (xmlNodePtr e = tl ? tl->children : NULL;; e = e ? e->next : NULL) {
        int64_t d = dur, r = 0;
        if (tl) {
            while (e && !is_element(e, "S"))
                e = e->next;
            if (!e)
                break;
            int64_t st = prop_u64(e, "t", (int64_t)t);
            d = prop_u64(e, "d", -1);
            xmlChar *rv = xmlGetProp(e, BAD_CAST "r");
            r = rv ? strtoll((const char *)rv, NULL, 10) : 0;
            xmlFree(rv);
            if (st < 0 || d <= 0)
                goto fail;
            t = (uint64_t)st;
            if (r < 0) /* up to the end */
                r = t < end ? (int64_t)((end - t + (uint64_t)d - 1) / (uint64_t)d) - 1 : 0;
        } else if (t >= end) {
            break;
        }
        for (int64_t k = 0; k <= r; k++, t += (uint64_t)d) {
            if (n == MAX_SEGMENTS)
                goto fail;
            if (n == cap) {
                cap = cap ? cap * 2 : 64;
                seg *grown = realloc(s, (size_t)cap * sizeof(*s));
                if (!grown)
                    goto fail;
                s = grown;
            }
            s[n].t = t;
            s[n++].d = (uint64_t)d;
        }
    }
    *out = s;
    return n;
fail:
    free(s);
    return -1;
}

/* A SegmentTimeline of s[0..n), runs of equal segments folded into @r. */
static xmlNodePtr timeline(xmlDocPtr doc, xmlNsPtr ns, const seg *s, int n)
{
    xmlNodePtr tl = xmlNewDocNode(doc, ns, BAD_CAST "SegmentTimeline", NULL), last = NULL;
    int64_t run = 0;
    for (int i = 0; tl && i < n; i++) {
        if (last && s[i].d == s[i - 1].d && s[i].t == s[i - 1].t + s[i - 1].d) {
            set_prop_u64(last, "r", (uint64_t)++run);
            continue;
        }
        last = xmlNewChild(tl, ns, BAD_CAST "S", NULL);
        if (!last)
            return tl;
        if (i == 0 || s[i].t != s[i - 1].t + s[i - 1].d)
            set_prop_u64(last, "t", s[i].t);
        set_prop_u64(last, "d", s[i].d);
        run = 0;
    }
    return tl;
}

/* Keeps the segments of a SegmentTemplate or SegmentList that overlap
 * [from, to) of the title. 0, or -1 (a timing it cannot read, none left). */
static int restrict_span(xmlNodePtr node, double from, double to, double title_s)
{
    seg *s = NULL;
    int n = segments_of(node, title_s, &s), first = -1, last = -1, ret = -1;
    int64_t ts = prop_u64(node, "timescale", 1), pto = prop_u64(node, "presentationTimeOffset", 0);
    int64_t start = prop_u64(node, "startNumber", 1);

    if (n <= 0 || start < 0)
        goto out;
    uint64_t a = (uint64_t)pto + (uint64_t)llround(from * (double)ts);
    uint64_t b = (uint64_t)pto + (uint64_t)llround(to * (double)ts);
    for (int i = 0; i < n; i++) {
        if (s[i].t < b && s[i].t + s[i].d > a) {
            if (first < 0)
                first = i;
            last = i;
        }
    }
    if (first < 0)
        goto out;
    xmlNodePtr old = child(node, "SegmentTimeline"), url = child(node, "SegmentURL");
    xmlNodePtr tl = timeline(node->doc, node->ns, s + first, last - first + 1);
    if (!tl)
        goto out;
    if (old) {
        xmlUnlinkNode(old);
        xmlFreeNode(old);
    }
    if (url)
        xmlAddPrevSibling(url, tl);
    else
        xmlAddChild(node, tl);
    /* A SegmentList keeps the URLs of those segments, in order. */
    int i = 0;
    for (xmlNodePtr c = node->children, next; c; c = next) {
        next = c->next;
        if (is_element(c, "SegmentURL") && (i++ < first || i - 1 > last)) {
            xmlUnlinkNode(c);
            xmlFreeNode(c);
        }
    }
    xmlUnsetProp(node, BAD_CAST "duration");
    set_prop_u64(node, "presentationTimeOffset", a);
    if (is_element(node, "SegmentTemplate"))
        set_prop_u64(node, "startNumber", (uint64_t)(start + first));
    ret = 0;
out:
    free(s);
    return ret;
}

static int restrict_tree(xmlNodePtr n, double from, double to, double title_s)
{
    for (xmlNodePtr c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (is_element(c, "SegmentTemplate") || is_element(c, "SegmentList")) {
            if (restrict_span(c, from, to, title_s) < 0)
                return -1;
        } else if (restrict_tree(c, from, to, title_s) < 0) {
            return -1;
        }
    }
    return 0;
}

/* An EventStream of the SCTE-35 Events of b[] whose at_s is in [from, to)
 * (all when to < 0), times on the title's clock less pto_s; NULL when none
 * (or out of memory: the Events are then missing, as with none). */
static xmlNodePtr event_stream(xmlDocPtr doc, xmlNsPtr ns, const sv__ad_break *b, int n,
                               double from, double to, double pto_s)
{
    xmlNodePtr es = NULL;
    for (int i = 0; i < n; i++) {
        if (to >= 0 && (b[i].at_s < from || b[i].at_s >= to || b[i].asset_title_id > 0))
            continue;
        if (!es) {
            if (!(es = xmlNewDocNode(doc, ns, BAD_CAST "EventStream", NULL)))
                return NULL;
            xmlNewProp(es, BAD_CAST "schemeIdUri", BAD_CAST SV__BREAKS_SCHEME);
            xmlNewProp(es, BAD_CAST "value", BAD_CAST SV__BREAKS_VALUE);
            xmlNewProp(es, BAD_CAST "timescale", BAD_CAST "90000");
            if (pto_s > 0)
                set_prop_u64(es, "presentationTimeOffset", (uint64_t)llround(pto_s * TIMESCALE));
            xmlNewProp(es, BAD_CAST "contentEncoding", BAD_CAST "base64");
        }
        uint8_t sec[64];
        unsigned char b64[4 * sizeof(sec) / 3 + 8];
        size_t sl = sv__break_scte35(&b[i], sec, sizeof(sec));
        EVP_EncodeBlock(b64, sec, (int)sl);
        xmlNodePtr ev = xmlNewChild(es, ns, BAD_CAST "Event", NULL);
        if (!ev)
            break;
        /* An interstitial's Event is at the start of its own Period. */
        double at = b[i].asset_title_id > 0 ? pto_s : b[i].at_s;
        set_prop_u64(ev, "presentationTime", (uint64_t)llround(at * TIMESCALE));
        set_prop_u64(ev, "duration", (uint64_t)llround(b[i].duration_s * TIMESCALE));
        set_prop_u64(ev, "id", (uint64_t)b[i].id);
        xmlNodeAddContent(ev, b64);
    }
    return es;
}

/* Puts es before the Period's first AdaptationSet (after BaseURL and the
 * like, as the schema orders them). */
static void add_event_stream(xmlNodePtr period, xmlNodePtr es)
{
    xmlNodePtr anchor = child(period, "AdaptationSet");
    if (!es)
        return;
    if (anchor)
        xmlAddPrevSibling(anchor, es);
    else
        xmlAddChild(period, es);
}

static void remove_ours(xmlNodePtr period)
{
    for (xmlNodePtr c = period->children, next; c; c = next) {
        next = c->next;
        if (is_element(c, "EventStream") && is_ours(c)) {
            xmlUnlinkNode(c);
            xmlFreeNode(c);
        }
    }
}

/* A copy of a Period or of the asset's set declares the MPD namespace again
 * on itself (libxml2 copies the declaration along): its elements take the
 * MPD's, and that declaration goes. */
static void adopt_ns(xmlNodePtr n, xmlNsPtr ns)
{
    for (xmlNodePtr c = n->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            adopt_ns(c, ns);
    if (n->ns && !xmlStrcmp(n->ns->href, ns->href))
        n->ns = ns;
    for (xmlNsPtr *d = &n->nsDef; *d;) {
        xmlNsPtr cur = *d;
        if (!cur->prefix && !xmlStrcmp(cur->href, ns->href)) {
            *d = cur->next;
            xmlFreeNs(cur);
        } else {
            d = &cur->next;
        }
    }
}

/* The title from `from` to `to`, at presentation time `at`. */
static xmlNodePtr title_period(xmlNodePtr base, int k, double at, double from, double to,
                               double title_s, const sv__ad_break *b, int n)
{
    xmlNodePtr p = xmlDocCopyNode(base, base->doc, 1);
    xmlChar *id = xmlGetProp(base, BAD_CAST "id");
    char name[96];
    if (p && base->ns)
        adopt_ns(p, base->ns);
    if (!p || restrict_tree(p, from, to, title_s) < 0) {
        xmlFreeNode(p);
        xmlFree(id);
        return NULL;
    }
    if (k == 0)
        snprintf(name, sizeof(name), "%s", id ? (const char *)id : "0");
    else
        snprintf(name, sizeof(name), "%s-%d", id ? (const char *)id : "0", k);
    xmlFree(id);
    xmlSetProp(p, BAD_CAST "id", BAD_CAST name);
    set_prop_secs(p, "start", at);
    set_prop_secs(p, "duration", to - from);
    add_event_stream(p, event_stream(p->doc, p->ns, b, n, from, to, from));
    return p;
}

/* The asset's Period for break *b: its video and audio sets (no trick-mode
 * or image sets, no Events of its own), reached through the link. */
static xmlNodePtr asset_period(xmlNodePtr base, const sv__ad_break *b, double at, const char *xml,
                               size_t len)
{
    xmlDocPtr adoc = xmlReadMemory(xml, (int)len, "asset.mpd", NULL,
                                   XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR |
                                   XML_PARSE_NOWARNING);
    xmlNodePtr aroot = adoc ? xmlDocGetRootElement(adoc) : NULL, p = NULL, src;
    char buf[96];
    int sets = 0;

    if (!is_element(aroot, "MPD") || !(src = child(aroot, "Period")))
        goto out;
    if (!(p = xmlNewDocNode(base->doc, base->ns, BAD_CAST "Period", NULL)))
        goto out;
    snprintf(buf, sizeof(buf), "ad-%lld", (long long)b->id);
    xmlNewProp(p, BAD_CAST "id", BAD_CAST buf);
    set_prop_secs(p, "start", at);
    set_prop_secs(p, "duration", b->duration_s);
    snprintf(buf, sizeof(buf), SV__BREAKS_ADS_DIR "/%lld/", (long long)b->asset_title_id);
    xmlNewChild(p, base->ns, BAD_CAST "BaseURL", BAD_CAST buf);
    for (xmlNodePtr c = src->children; c; c = c->next) {
        xmlChar *ct = is_element(c, "AdaptationSet") ? xmlGetProp(c, BAD_CAST "contentType") : NULL;
        int keep = ct && (is_video_set(c) || !xmlStrcmp(ct, BAD_CAST "audio"));
        xmlFree(ct);
        if (keep) {
            xmlNodePtr copy = xmlDocCopyNode(c, base->doc, 1);
            if (copy && base->ns)
                adopt_ns(copy, base->ns);
            if (copy && xmlAddChild(p, copy))
                sets++;
        }
    }
    xmlNodePtr es = event_stream(base->doc, base->ns, b, 1, 0, -1, 0);
    add_event_stream(p, es);
    if (sets == 0) {
        xmlFreeNode(p);
        p = NULL;
    }
out:
    xmlFreeDoc(adoc);
    return p;
}

/* Replaces the base Period with the title's spans and the assets' Periods.
 * Returns 0 or -1. */
static int split(xmlNodePtr root, xmlNodePtr base, const sv__ad_break *b, int n,
                 const char *const *assets, const size_t *lens)
{
    double title_s = iso_duration(root, "mediaPresentationDuration"), from = 0, at = 0;
    int k = 0;
    xmlNodePtr p;

    if (title_s <= 0)
        return -1;
    for (int i = 0; i <= n; i++) {
        double to = i < n ? b[i].at_s : title_s;
        if (i < n && (b[i].asset_title_id <= 0 || !assets[i]))
            continue;
        if (to > from + 0.001) {
            if (!(p = title_period(base, k++, at, from, to, title_s, b, n)))
                return -1;
            xmlAddPrevSibling(base, p);
            at += to - from;
        }
        if (i < n) {
            if (!(p = asset_period(base, &b[i], at, assets[i], lens[i])))
                return -1;
            xmlAddPrevSibling(base, p);
            at += b[i].duration_s;
        }
        from = to;
    }
    xmlUnlinkNode(base);
    xmlFreeNode(base);
    set_prop_secs(root, "mediaPresentationDuration", at);
    return 0;
}

char *sv__breaks_dash(const char *xml, size_t len, const sv__ad_break *b, int n,
                      const char *const *assets, const size_t *asset_lens, size_t *out_len)
{
    xmlDocPtr doc;
    xmlNodePtr root, period = NULL;
    xmlChar *dump = NULL;
    char *out = NULL;
    int size = 0, interstitials = 0;

    doc = xmlReadMemory(xml, (int)len, "manifest.mpd", NULL, XML_PARSE_NONET | XML_PARSE_NOBLANKS |
                        XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc || !(root = xmlDocGetRootElement(doc)) || !is_element(root, "MPD") ||
        !(period = child(root, "Period")))
        goto done;
    remove_ours(period);
    for (int i = 0; i < n; i++) {
        if (b[i].asset_title_id > 0 && (!assets || !assets[i]))
            goto done; /* an interstitial without its asset's MPD */
        interstitials += b[i].asset_title_id > 0;
    }
    if (interstitials) {
        /* A Period after the first: not the single-Period base. */
        for (xmlNodePtr c = period->next; c; c = c->next)
            if (is_element(c, "Period"))
                goto done;
        if (split(root, period, b, n, assets, asset_lens) < 0)
            goto done;
    } else {
        add_event_stream(period, event_stream(doc, period->ns, b, n, 0, -1, 0));
    }
    xmlDocDumpFormatMemoryEnc(doc, &dump, &size, "UTF-8", 1);
    if (dump && size > 0 && (out = malloc((size_t)size + 1))) {
        memcpy(out, dump, (size_t)size);
        out[size] = '\0';
        *out_len = (size_t)size;
    }
done:
    xmlFree(dump);
    xmlFreeDoc(doc);
    return out;
}

int sv__breaks_dash_periods(const char *xml, size_t len)
{
    xmlDocPtr doc = xmlReadMemory(xml, (int)len, "manifest.mpd", NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR |
                                  XML_PARSE_NOWARNING);
    xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
    int n = 0;
    if (is_element(root, "MPD"))
        for (xmlNodePtr c = root->children; c; c = c->next)
            n += is_element(c, "Period");
    xmlFreeDoc(doc);
    return n;
}

int sv__breaks_dash_boundary(const char *xml, size_t len, double at_s, double *out)
{
    xmlDocPtr doc = xmlReadMemory(xml, (int)len, "manifest.mpd", NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR |
                                  XML_PARSE_NOWARNING);
    xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL, period, set = NULL, tmpl = NULL;
    double title_s, best = -1;
    seg *s = NULL;
    int n = -1;

    if (is_element(root, "MPD") && (period = child(root, "Period")) &&
        (title_s = iso_duration(root, "mediaPresentationDuration")) > 0) {
        for (set = period->children; set && !(is_element(set, "AdaptationSet") &&
                                              is_video_set(set)); set = set->next)
            ;
        if (set && !(tmpl = child(set, "SegmentTemplate")))
            tmpl = child(child(set, "Representation"), "SegmentTemplate");
        if (tmpl)
            n = segments_of(tmpl, title_s, &s);
    }
    if (n > 0) {
        double ts = (double)prop_u64(tmpl, "timescale", 1);
        double pto = (double)prop_u64(tmpl, "presentationTimeOffset", 0);
        for (int i = 0; i < n; i++) {
            double t = ((double)s[i].t - pto) / ts;
            if (best < 0 || fabs(t - at_s) < fabs(best - at_s))
                best = t;
        }
    }
    free(s);
    xmlFreeDoc(doc);
    if (best < 0)
        return SV_ERR_INVALID;
    *out = best;
    return 0;
}
