/*
 * The MPD's XML read into a libxml2 tree, with SegmentTimeline and
 * SegmentList entries kept out of it (player/manifest/dash_xml.h). libxml2
 * does all the XML: this file only sits in front of its SAX2 tree builder
 * and, for an S or SegmentURL element, reads the attributes SAX2 hands
 * over instead of letting a node be built.
 */
#include <errno.h>
#include <libxml/SAX2.h>
#include <stdlib.h>
#include <string.h>

#include "player/manifest/dash_xml.h"

/* The hook's state, in the parser context's _private. */
typedef struct hook {
    sv__arena *a;
    sv__parse_error *err;
    int code;                    /* the first error, 0 while none */
    int skip;                    /* depth inside an element read here */
    startElementNsSAX2Func start;
    endElementNsSAX2Func end;
    charactersSAXFunc chars, blanks;
} hook;

int sv__dash_parse_range(const char *s, sv__dash_range *r)
{
    char *end;
    if (!s)
        return 0;
    long long a = strtoll(s, &end, 10);
    if (end == s || *end != '-')
        return -1;
    const char *b = end + 1;
    long long z = strtoll(b, &end, 10);
    if (end == b || *end || a < 0 || z < a)
        return -1;
    r->offset = a;
    r->length = z - a + 1;
    return 1;
}

static int is_node(const xmlNode *n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

/* Attribute `name` in SAX2's array (localname, prefix, URI, value, end),
 * namespace prefixes ignored as the tree walk does; its value is copied
 * into buf[cap] (cut to fit). NULL when absent. */
static const char *find(const xmlChar **attrs, int n, const char *name, char *buf, size_t cap)
{
    for (int i = 0; i < n; i++, attrs += 5) {
        if (strcmp((const char *)attrs[0], name) != 0)
            continue;
        size_t len = (size_t)(attrs[4] - attrs[3]);
        if (len >= cap)
            len = cap - 1;
        memcpy(buf, attrs[3], len);
        buf[len] = '\0';
        return buf;
    }
    return NULL;
}

static void stop(xmlParserCtxtPtr px, hook *h, int code)
{
    if (!h->code)
        h->code = code;
    xmlStopParser(px);
}

static int line_of(xmlParserCtxtPtr px)
{
    return xmlSAX2GetLineNumber(px);
}

/* An integer attribute of element `el`: 0 absent, 1 read, or the error
 * recorded (as the tree walk words it) and -1. */
static int int_attr(xmlParserCtxtPtr px, hook *h, const char *el, const xmlChar **attrs, int n,
                    const char *name, int64_t *out)
{
    char buf[64], *end;
    const char *v = find(attrs, n, name, buf, sizeof(buf));
    if (!v)
        return 0;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    const char *why = end == v || *end ? "is not an integer"
                      : errno == ERANGE ? "is out of the 64-bit range" : NULL;
    if (why) {
        stop(px, h, sv__parse_fail(h->err, line_of(px), "%s@%s \"%.40s\" %s", el, name, v, why));
        return -1;
    }
    *out = x;
    return 1;
}

static sv__dash_items *items_of(hook *h, xmlNode *parent)
{
    if (!parent->_private)
        parent->_private = sv__arena_alloc(h->a, sizeof(sv__dash_items));
    return parent->_private;
}

static void read_s(xmlParserCtxtPtr px, hook *h, sv__dash_items *it, const xmlChar **attrs, int n)
{
    int64_t t = 0, d = 0, r = 0;
    int has_t, has_d;
    const char *why = NULL, *bad = NULL;
    char v[64];

    if ((has_t = int_attr(px, h, "S", attrs, n, "t", &t)) < 0 ||
        (has_d = int_attr(px, h, "S", attrs, n, "d", &d)) < 0 ||
        int_attr(px, h, "S", attrs, n, "r", &r) < 0)
        return;
    if (!has_d) {
        stop(px, h, sv__parse_fail(h->err, line_of(px), "S without the d attribute"));
        return;
    }
    if (d <= 0)
        bad = "d", why = "must be positive";
    else if (r < -1)
        bad = "r", why = "must be -1 or more";
    else if (t < 0)
        bad = "t", why = "is negative";
    if (bad) {
        find(attrs, n, bad, v, sizeof(v));
        stop(px, h, sv__parse_fail(h->err, line_of(px), "S@%s \"%.40s\" %s", bad, v, why));
        return;
    }
    if (++it->nb_s_read > SV__DASH_MAX_ITEMS) {
        stop(px, h, sv__parse_fail(h->err, line_of(px), "SegmentTimeline: more than %d S elements",
                                   SV__DASH_MAX_ITEMS));
        return;
    }
    /* Where this entry starts: its t, else where the last one ended (0 for
     * the first), unknown after an r = -1. */
    int start_known = has_t || it->nb_s == 0 || it->end_known;
    int64_t start = has_t ? t : it->nb_s ? it->end : 0;
    sv__dash_s *last = it->nb_s ? &it->s[it->nb_s - 1] : NULL;
    double end = (double)start + ((double)r + 1) * (double)d;
    if (last && last->r >= 0 && r >= 0 && last->d == d && it->end_known && start == it->end &&
        end < 9e18 && (double)last->r + (double)r < 9e18) {
        last->r += r + 1; /* it continues the last entry */
    } else {
        if (!(it->s = sv__arena_grow(h->a, it->s, &it->cap_s, it->nb_s + 1, sizeof(*it->s)))) {
            stop(px, h, SV_ERR_NOMEM);
            return;
        }
        sv__dash_s *e = &it->s[it->nb_s++];
        e->t = t;
        e->d = d;
        e->r = r;
        e->has_t = has_t;
    }
    it->end_known = start_known && r >= 0 && end < 9e18;
    it->end = it->end_known ? (int64_t)start + (r + 1) * d : 0;
}

static void read_segment_url(xmlParserCtxtPtr px, hook *h, sv__dash_items *it,
                             const xmlChar **attrs, int n)
{
    char range[64];
    sv__dash_segment_url su = { NULL, { 0, -1 } };

    if (it->nb_urls == SV__DASH_MAX_ITEMS) {
        stop(px, h, sv__parse_fail(h->err, line_of(px),
                                   "SegmentList: more than %d SegmentURL elements",
                                   SV__DASH_MAX_ITEMS));
        return;
    }
    for (int i = 0; i < n; i++) {
        const xmlChar **at = attrs + 5 * i;
        if (strcmp((const char *)at[0], "media") == 0 &&
            !(su.media = sv__arena_strndup(h->a, (const char *)at[3], (size_t)(at[4] - at[3])))) {
            stop(px, h, SV_ERR_NOMEM);
            return;
        }
    }
    if (sv__dash_parse_range(find(attrs, n, "mediaRange", range, sizeof(range)), &su.range) < 0) {
        stop(px, h, sv__parse_fail(h->err, line_of(px), "SegmentURL@mediaRange \"%.40s\" is "
                                   "not a byte range first-last", range));
        return;
    }
    if (!(it->urls = sv__arena_grow(h->a, it->urls, &it->cap_urls, it->nb_urls + 1,
                                    sizeof(*it->urls)))) {
        stop(px, h, SV_ERR_NOMEM);
        return;
    }
    it->urls[it->nb_urls++] = su;
}

static void on_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
                     const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
                     int nb_attributes, int nb_defaulted, const xmlChar **attributes)
{
    xmlParserCtxtPtr px = ctx;
    hook *h = px->_private;
    xmlNode *parent = px->node;
    int s = is_node(parent, "SegmentTimeline") && strcmp((const char *)localname, "S") == 0;
    int u = is_node(parent, "SegmentList") && strcmp((const char *)localname, "SegmentURL") == 0;

    if (h->skip || s || u) {
        h->skip++;
        if (h->skip > 1 || h->code)
            return;
        sv__dash_items *it = items_of(h, parent);
        if (!it)
            stop(px, h, SV_ERR_NOMEM);
        else if (s)
            read_s(px, h, it, attributes, nb_attributes);
        else
            read_segment_url(px, h, it, attributes, nb_attributes);
        return;
    }
    h->start(ctx, localname, prefix, uri, nb_namespaces, namespaces, nb_attributes, nb_defaulted,
             attributes);
}

static void on_end(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri)
{
    xmlParserCtxtPtr px = ctx;
    hook *h = px->_private;

    if (h->skip) {
        h->skip--;
        return;
    }
    h->end(ctx, localname, prefix, uri);
}

/* Text inside an element read here, or between the entries of a list
 * (the line breaks and indentation, a text node each), is dropped. */
static int dropped(xmlParserCtxtPtr px)
{
    const hook *h = px->_private;
    return h->skip || is_node(px->node, "SegmentTimeline") || is_node(px->node, "SegmentList");
}

static void on_chars(void *ctx, const xmlChar *ch, int len)
{
    xmlParserCtxtPtr px = ctx;
    if (!dropped(px))
        ((hook *)px->_private)->chars(ctx, ch, len);
}

static void on_blanks(void *ctx, const xmlChar *ch, int len)
{
    xmlParserCtxtPtr px = ctx;
    if (!dropped(px))
        ((hook *)px->_private)->blanks(ctx, ch, len);
}

xmlDocPtr sv__dash_xml_read(xmlParserCtxtPtr px, const char *text, size_t size, const char *url,
                            int options, sv__arena *a, sv__parse_error *err, int *code)
{
    hook h;

    memset(&h, 0, sizeof(h));
    h.a = a;
    h.err = err;
    h.start = px->sax->startElementNs;
    h.end = px->sax->endElementNs;
    h.chars = px->sax->characters;
    h.blanks = px->sax->ignorableWhitespace;
    if (!h.start || !h.end || !h.chars || !h.blanks) {
        *code = SV_ERR_INTERNAL;
        sv__parse_fail(err, 0, "libxml2 has no SAX2 tree builder");
        return NULL;
    }
    px->_private = &h;
    px->sax->startElementNs = on_start;
    px->sax->endElementNs = on_end;
    px->sax->characters = on_chars;
    px->sax->ignorableWhitespace = on_blanks;
    xmlDocPtr doc = xmlCtxtReadMemory(px, text, (int)size, url, NULL, options);
    px->sax->startElementNs = h.start;
    px->sax->endElementNs = h.end;
    px->sax->characters = h.chars;
    px->sax->ignorableWhitespace = h.blanks;
    px->_private = NULL;
    if (h.code) {
        xmlFreeDoc(doc);
        *code = h.code;
        return NULL;
    }
    if (!doc) {
        const xmlError *e = xmlCtxtGetLastError(px);
        *code = sv__parse_fail(err, e ? e->line : 0, "XML: %s",
                               e && e->message ? e->message : "not well-formed");
        /* libxml2 messages end with a newline. */
        size_t n = strlen(err->message);
        if (n && err->message[n - 1] == '\n')
            err->message[n - 1] = '\0';
    }
    return doc;
}
