/*
 * The subtitle languages of a packaged title written into its manifests
 * after the fact (subs_title.c), without the segment records the ingest had:
 * the HLS master gets one EXT-X-MEDIA TYPE=SUBTITLES line per language and
 * SUBTITLES="subs" on every variant, the MPD one text/vtt and one stpp
 * AdaptationSet per language at the end of its Period, exactly as hls.c and
 * dash.c write them at ingest. Earlier subtitle lines and sets (ours: group
 * "subs", Representations "subs-<lang>" and "ttml-<lang>") are replaced;
 * everything else is kept byte for byte (HLS) or as libxml2 writes it back
 * (DASH: ad-break EventStreams, protection, trick-mode and image sets).
 *
 * Pure: no I/O. The MPD is read with libxml2 (XML_PARSE_NONET).
 */
#define _GNU_SOURCE /* memmem */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "backend/media/internal.h"
#include "platform/buf.h"
#include "streamverse/common.h"

#define SUBS_MEDIA "#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\""
#define SUBS_ATTR ",SUBTITLES=\"subs\""

/* ---- HLS master ---------------------------------------------------------- */

static int starts(const char *p, size_t l, const char *s)
{
    size_t n = strlen(s);
    return l >= n && !memcmp(p, s, n);
}

/* A variant line without our SUBTITLES attribute: every copy of it, also
 * one that taking out another makes (",SUBTIT" + copy + "LES=\"subs\""),
 * so that the rewrite of its own output changes nothing. */
static void put_variant(sv__buf *b, const char *p, size_t l)
{
    size_t n = strlen(SUBS_ATTR);
    char *line = malloc(l ? l : 1), *q;
    if (!line) {
        b->err = SV_ERR_NOMEM;
        return;
    }
    memcpy(line, p, l);
    while ((q = memmem(line, l, SUBS_ATTR, n))) {
        memmove(q, q + n, l - (size_t)(q - line) - n);
        l -= n;
    }
    sv__buf_append(b, line, l);
    free(line);
}

char *sv__subs_master_rewrite(const char *text, size_t len, const sv__manifest_subs *subs, int n,
                              size_t *out_len)
{
    sv__buf b = { 0 };
    int placed = 0, variants = 0;
    if (len < 7 || memcmp(text, "#EXTM3U", 7))
        return NULL;
    for (const char *p = text, *end = text + len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t l = (size_t)((nl ? nl : end) - p);
        size_t body = l && p[l - 1] == '\r' ? l - 1 : l;
        int variant = starts(p, body, "#EXT-X-STREAM-INF:");
        if (starts(p, body, SUBS_MEDIA)) {
            p = nl ? nl + 1 : end; /* replaced below */
            continue;
        }
        /* The languages go before the first variant (after the audio
         * rendition, where hls.c puts them). */
        if ((variant || starts(p, body, "#EXT-X-I-FRAME-STREAM-INF:") ||
             starts(p, body, "#EXT-X-IMAGE-STREAM-INF:")) && !placed) {
            for (int i = 0; i < n; i++)
                sv__buf_printf(&b, SUBS_MEDIA ",NAME=\"%s\",LANGUAGE=\"%s\",DEFAULT=NO,"
                               "AUTOSELECT=YES,URI=\"subs/%s/index.m3u8\"\n",
                               subs[i].lang, subs[i].lang, subs[i].lang);
            placed = 1;
        }
        if (variant) {
            put_variant(&b, p, body);
            if (n > 0)
                sv__buf_append(&b, SUBS_ATTR, strlen(SUBS_ATTR));
            sv__buf_append(&b, p + body, l - body);
            variants++;
        } else {
            sv__buf_append(&b, p, l);
        }
        if (nl)
            sv__buf_append(&b, "\n", 1);
        p = nl ? nl + 1 : end;
    }
    sv__buf_append(&b, "", 1); /* a C string too */
    if (!variants || b.err) {
        sv__buf_free(&b);
        return NULL;
    }
    *out_len = b.size - 1;
    return (char *)b.data;
}

/* ---- DASH MPD ------------------------------------------------------------ */

static int is_element(const xmlNode *n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && !xmlStrcmp(n->name, BAD_CAST name);
}

static xmlNodePtr child(const xmlNode *n, const char *name)
{
    for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next)
        if (is_element(c, name))
            return c;
    return NULL;
}

/* An attribute as a number (def when absent or not a number). */
static double num_prop(const xmlNode *n, const char *name, double def)
{
    xmlChar *v = xmlGetProp(n, BAD_CAST name);
    char *end = NULL;
    double d = v ? strtod((const char *)v, &end) : def;
    if (v && (end == (char *)v || *end))
        d = def;
    xmlFree(v);
    return d;
}

/* Our subtitle sets: a text AdaptationSet whose Representation is
 * "subs-<lang>" (WebVTT) or "ttml-<lang>" (stpp). */
static int is_subs_set(const xmlNode *set)
{
    xmlNodePtr rep = child(set, "Representation");
    xmlChar *id = rep ? xmlGetProp(rep, BAD_CAST "id") : NULL;
    int ours = id && (!xmlStrncmp(id, BAD_CAST "subs-", 5) || !xmlStrncmp(id, BAD_CAST "ttml-", 5));
    xmlFree(id);
    return ours;
}

/* The main video set: video, with no EssentialProperty (trick-mode sets
 * have one). */
static xmlNodePtr video_set(const xmlNode *period)
{
    for (xmlNodePtr c = period->children; c; c = c->next) {
        xmlChar *ct = is_element(c, "AdaptationSet") ? xmlGetProp(c, BAD_CAST "contentType") : NULL;
        int video = ct && !xmlStrcmp(ct, BAD_CAST "video") && !child(c, "EssentialProperty");
        xmlFree(ct);
        if (video)
            return c;
    }
    return NULL;
}

/* The segment duration the title was cut at. The ingest forces a key frame
 * on the first frame at or after each k x segment_s, so boundary k of the
 * video's timeline lies in [k x s, k x s + one frame): s is in
 * ((t_k - frame) / k, t_k / k] for every k. The roundest number in that
 * interval is the setting the title was ingested with. */
static double nominal_segment(const double *bound, int nb, double frame_s)
{
    static const double steps[] = { 1, 0.5, 0.25, 0.2, 0.1, 0.05, 0.01, 0.001 };
    double lo = 0, hi = INFINITY;
    for (int k = 1; k <= nb; k++) {
        lo = fmax(lo, (bound[k - 1] - frame_s) / k);
        hi = fmin(hi, bound[k - 1] / k);
    }
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        double c = floor(hi / steps[i] + 1e-9) * steps[i];
        if (c > lo + 1e-9 && c > 0)
            return c;
    }
    return hi;
}

#define MAX_BOUNDS 100000

/* Reads the first Representation's SegmentTimeline of `set`: its
 * boundaries (seconds) into bound[] and the end into *end_s. */
static const char *read_timeline(const xmlNode *set, double *bound, int *nb, double *end_s,
                                 double *frame_s)
{
    xmlNodePtr rep = child(set, "Representation");
    xmlNodePtr tpl = child(rep, "SegmentTemplate");
    xmlNodePtr tl = child(tpl, "SegmentTimeline");
    if (!tl)
        return "its video has no SegmentTimeline";
    double ts = num_prop(tpl, "timescale", 1), t = 0;
    xmlChar *fr = xmlGetProp(rep, BAD_CAST "frameRate");
    int fn = 0, fd = 1;
    if (fr && sscanf((const char *)fr, "%d/%d", &fn, &fd) < 1)
        fn = 0;
    xmlFree(fr);
    *frame_s = fn > 0 && fd > 0 ? (double)fd / fn : 0.04;
    if (!(ts >= 1 && ts <= 1e9))
        return "its video timescale is not a number";
    *nb = 0;
    for (xmlNodePtr s = tl->children; s; s = s->next) {
        if (!is_element(s, "S"))
            continue;
        double st = num_prop(s, "t", t), d = num_prop(s, "d", -1), r = num_prop(s, "r", 0);
        if (t == 0 && *nb == 0 && st != 0)
            return "its video does not start at 0 (a recorded live event)";
        if (st != t || !(d > 0) || !(r >= 0 && r < MAX_BOUNDS))
            return "its video timeline has gaps";
        for (int i = 0; i <= (int)r; i++) {
            if (t > 0 && *nb < MAX_BOUNDS)
                bound[(*nb)++] = t / ts;
            t += d;
        }
    }
    if (t <= 0)
        return "its video timeline is empty";
    *end_s = t / ts;
    return NULL;
}

int sv__subs_mpd_timing(const char *xml, size_t len, double *segment_s, double *duration_s,
                        char *errbuf, size_t errlen)
{
    const char *why = "it is not an MPD";
    xmlDocPtr doc = xmlReadMemory(xml, (int)len, "manifest.mpd", NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL, period, set;
    double *bound = NULL, frame_s = 0;
    int nb = 0, periods = 0;
    if (!is_element(root, "MPD"))
        goto done;
    for (xmlNodePtr c = root->children; c; c = c->next)
        periods += is_element(c, "Period");
    why = periods == 1 ? "its MPD has no video AdaptationSet"
                       : "its MPD has several Periods (a recorded live event)";
    if (periods != 1 || !(period = child(root, "Period")) || !(set = video_set(period)))
        goto done;
    why = "out of memory";
    if (!(bound = malloc(MAX_BOUNDS * sizeof(*bound))))
        goto done;
    if ((why = read_timeline(set, bound, &nb, duration_s, &frame_s)))
        goto done;
    *segment_s = nb ? nominal_segment(bound, nb, frame_s) : *duration_s;
    /* Subtitles there already keep their cut. */
    for (xmlNodePtr c = period->children; c; c = c->next) {
        xmlNodePtr tpl = is_subs_set(c) ? child(child(c, "Representation"), "SegmentTemplate")
                                        : NULL;
        double d = tpl ? num_prop(tpl, "duration", 0) / num_prop(tpl, "timescale", 1) : 0;
        if (d > 0.01 && d < 3600) {
            *segment_s = d;
            break;
        }
    }
done:
    free(bound);
    xmlFreeDoc(doc);
    if (why)
        return sv__media_err(errbuf, errlen, SV_ERR_UNSUPPORTED,
                             "subtitles cannot be added to this title: %s", why);
    return 0;
}

static xmlNodePtr add(xmlNodePtr parent, const char *name)
{
    return xmlNewChild(parent, parent->ns, BAD_CAST name, NULL);
}

static void prop(xmlNodePtr n, const char *name, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static void prop(xmlNodePtr n, const char *name, const char *fmt, ...)
{
    char v[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v, sizeof(v), fmt, ap);
    va_end(ap);
    if (n)
        xmlNewProp(n, BAD_CAST name, BAD_CAST v);
}

/* One set as dash.c writes it: WebVTT (stpp = 0) or TTML in fMP4. */
static int add_set(xmlNodePtr period, const char *lang, long long seg_ms, int id, int stpp)
{
    xmlNodePtr set = add(period, "AdaptationSet"), role, rep, tpl;
    if (!set)
        return -1;
    prop(set, "id", "%d", id);
    prop(set, "contentType", "text");
    prop(set, "mimeType", "%s", stpp ? "application/mp4" : "text/vtt");
    if (stpp)
        prop(set, "codecs", "stpp.ttml.im1t");
    prop(set, "lang", "%s", lang);
    if (!(role = add(set, "Role")) || !(rep = add(set, "Representation")))
        return -1;
    prop(role, "schemeIdUri", "urn:mpeg:dash:role:2011");
    prop(role, "value", "subtitle");
    prop(rep, "id", "%s-%s", stpp ? "ttml" : "subs", lang);
    prop(rep, "bandwidth", "%s", stpp ? "1024" : "256");
    if (!(tpl = add(rep, "SegmentTemplate")))
        return -1;
    prop(tpl, "timescale", "1000");
    prop(tpl, "duration", "%lld", seg_ms);
    if (stpp)
        prop(tpl, "initialization", "subs/%s/ttml-init.mp4", lang);
    prop(tpl, "media", stpp ? "subs/%s/ttml-$Number$.m4s" : "subs/%s/seg-$Number$.vtt", lang);
    prop(tpl, "startNumber", "1");
    return 0;
}

char *sv__subs_mpd_rewrite(const char *xml, size_t len, const sv__manifest_subs *subs, int n,
                           double segment_s, size_t *out_len)
{
    xmlDocPtr doc = xmlReadMemory(xml, (int)len, "manifest.mpd", NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR |
                                  XML_PARSE_NOWARNING);
    xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL, period;
    xmlChar *dump = NULL;
    char *out = NULL;
    int size = 0, id = -1;
    if (!is_element(root, "MPD") || !(period = child(root, "Period")))
        goto done;
    for (xmlNodePtr c = period->children, next; c; c = next) {
        next = c->next;
        if (is_element(c, "AdaptationSet") && is_subs_set(c)) {
            xmlUnlinkNode(c);
            xmlFreeNode(c);
        } else if (is_element(c, "AdaptationSet")) {
            double v = num_prop(c, "id", -1);
            if (v > id && v < 1e6)
                id = (int)v;
        }
    }
    /* WebVTT sets first (every player reads them), then the TTML ones. */
    for (int stpp = 0; stpp < 2; stpp++)
        for (int i = 0; i < n; i++)
            if (add_set(period, subs[i].lang, llround(segment_s * 1000), ++id, stpp) < 0)
                goto done;
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
