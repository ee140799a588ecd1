/*
 * MPD parser: libxml2 builds the tree (no network, no external entities),
 * this file walks MPD > Period > AdaptationSet > Representation, resolving
 * BaseURLs level by level and merging the segment addressing each level
 * inherits (a Representation's SegmentTemplate overrides the attributes its
 * AdaptationSet's and Period's set).
 */
#include <errno.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "player/manifest/dash.h"
#include "player/manifest/dash_xml.h"
#include "platform/numeric.h"
#include "player/manifest/url.h"

#define MAX_BASES 16
/* Representations in an AdaptationSet, descriptors of one kind. */
#define MAX_ITEMS 100000

typedef struct ctx {
    sv__arena *arena;
    sv__parse_error *err;
    sv__dash_mpd *mpd;
} ctx;

typedef struct bases {
    sv__dash_base_url v[MAX_BASES];
    size_t n;
} bases;

/* ---- attribute helpers (namespace prefixes ignored: match local names) --- */

static const xmlChar *attr_raw(const xmlNode *n, const char *name)
{
    for (const xmlAttr *a = n->properties; a; a = a->next)
        if (strcmp((const char *)a->name, name) == 0 && a->children &&
            a->children->type == XML_TEXT_NODE)
            return a->children->content;
    return NULL;
}

static const char *attr(ctx *c, const xmlNode *n, const char *name)
{
    const xmlChar *v = attr_raw(n, name);
    return v ? sv__arena_strdup(c->arena, (const char *)v) : NULL;
}

/* Errors name the element, the attribute and (cut short) the value. */
static int bad_attr(ctx *c, const xmlNode *n, const char *name, const char *why)
{
    const xmlChar *v = attr_raw(n, name);
    return sv__parse_fail(c->err, (int)xmlGetLineNo(n), "%s@%s \"%.40s\" %s",
                          (const char *)n->name, name, v ? (const char *)v : "", why);
}

static int attr_i64(ctx *c, const xmlNode *n, const char *name, int64_t *out)
{
    const xmlChar *v = attr_raw(n, name);
    char *end;
    if (!v)
        return 0;
    errno = 0;
    long long x = strtoll((const char *)v, &end, 10);
    if (end == (const char *)v || *end)
        return bad_attr(c, n, name, "is not an integer");
    if (errno == ERANGE)
        return bad_attr(c, n, name, "is out of the 64-bit range");
    *out = x;
    return 1;
}

static int attr_dur(ctx *c, const xmlNode *n, const char *name, double *out)
{
    const xmlChar *v = attr_raw(n, name);
    if (!v)
        return 0;
    double d = sv__dash_parse_duration((const char *)v);
    if (d < 0)
        return bad_attr(c, n, name, "is not an xs:duration");
    *out = d;
    return 1;
}

/* @availabilityTimeOffset: seconds (xs:double) or "INF". */
static int attr_ato(ctx *c, const xmlNode *n, double *out)
{
    const xmlChar *v = attr_raw(n, "availabilityTimeOffset");
    char *end;
    if (!v)
        return 0;
    if (strcmp((const char *)v, "INF") == 0) {
        *out = INFINITY;
        return 1;
    }
    double d = strtod((const char *)v, &end);
    if (end == (const char *)v || *end || !isfinite(d) || fabs(d) > 1e9)
        return bad_attr(c, n, "availabilityTimeOffset", "is not a number of seconds or INF");
    *out = d;
    return 1;
}

/* An xs:boolean attribute: 1/0, -1 when absent. */
static int attr_bool(ctx *c, const xmlNode *n, const char *name, int *out)
{
    const xmlChar *v = attr_raw(n, name);
    if (!v)
        return 0;
    if (!strcmp((const char *)v, "true") || !strcmp((const char *)v, "1"))
        *out = 1;
    else if (!strcmp((const char *)v, "false") || !strcmp((const char *)v, "0"))
        *out = 0;
    else
        return bad_attr(c, n, name, "is not true or false");
    return 1;
}

static int is(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static const char *text_of(ctx *c, const xmlNode *n)
{
    xmlChar *t = xmlNodeGetContent(n);
    const char *s = NULL;
    if (t) {
        /* Trim: BaseURLs are often indented. */
        const char *b = (const char *)t, *e = b + strlen(b);
        while (*b == ' ' || *b == '\n' || *b == '\r' || *b == '\t')
            b++;
        while (e > b && (e[-1] == ' ' || e[-1] == '\n' || e[-1] == '\r' || e[-1] == '\t'))
            e--;
        s = sv__arena_strndup(c->arena, b, (size_t)(e - b));
        xmlFree(t);
    }
    return s;
}

/* ---- BaseURL -------------------------------------------------------------- */

/* Child BaseURLs of `n` resolved against every parent base; no BaseURL
 * children keep the parent's list. */
static int resolve_bases(ctx *c, const xmlNode *n, const bases *parent, bases *out)
{
    size_t count = 0;
    out->n = 0;
    for (const xmlNode *ch = n->children; ch; ch = ch->next)
        if (is(ch, "BaseURL"))
            count++;
    if (count == 0) {
        *out = *parent;
        return 0;
    }
    for (size_t p = 0; p < parent->n; p++) {
        for (const xmlNode *ch = n->children; ch; ch = ch->next) {
            if (!is(ch, "BaseURL"))
                continue;
            if (out->n == MAX_BASES)
                return 0; /* enough alternatives; the rest are ignored */
            const char *ref = text_of(c, ch);
            sv__dash_base_url *b = &out->v[out->n];
            memset(b, 0, sizeof(*b));
            if (!ref || !(b->url = sv__url_resolve(c->arena, parent->v[p].url, ref)))
                return sv__parse_fail(c->err, (int)xmlGetLineNo(ch),
                                      "BaseURL \"%.60s\" is not a URL", ref ? ref : "");
            b->service_location = attr(c, ch, "serviceLocation");
            if (!b->service_location)
                b->service_location = parent->v[p].service_location;
            int64_t v;
            b->priority = attr_i64(c, ch, "priority", &v) > 0 ? (int)v : parent->v[p].priority;
            b->weight = attr_i64(c, ch, "weight", &v) > 0 ? (int)v : parent->v[p].weight;
            double ato = 0;
            int ret;
            if ((ret = attr_ato(c, ch, &ato)) < 0 ||
                attr_bool(c, ch, "availabilityTimeComplete", &b->availability_time_complete) < 0)
                return SV_ERR_PARSE;
            if (!attr_raw(ch, "availabilityTimeComplete"))
                b->availability_time_complete = parent->v[p].availability_time_complete;
            b->availability_time_offset = parent->v[p].availability_time_offset + ato;
            out->n++;
        }
    }
    return 0;
}

/* ---- segment addressing --------------------------------------------------- */

static int merge_common(ctx *c, const xmlNode *n, sv__dash_segments *s)
{
    int64_t v;
    int ret;
    if ((ret = attr_i64(c, n, "timescale", &v)) < 0)
        return ret;
    if (ret) {
        if (v <= 0)
            return bad_attr(c, n, "timescale", "must be positive");
        s->timescale = (uint64_t)v;
    }
    if (attr_ato(c, n, &s->availability_time_offset) < 0 ||
        attr_bool(c, n, "availabilityTimeComplete", &s->availability_time_complete) < 0)
        return SV_ERR_PARSE;
    if ((ret = attr_i64(c, n, "presentationTimeOffset", &s->presentation_time_offset)) < 0)
        return ret;
    if ((ret = attr_i64(c, n, "duration", &s->duration)) < 0)
        return ret;
    if ((ret = attr_i64(c, n, "startNumber", &s->start_number)) < 0)
        return ret;
    if ((ret = attr_i64(c, n, "endNumber", &s->end_number)) < 0)
        return ret;
    if (s->duration < 0)
        return bad_attr(c, n, "duration", "is negative");
    if (s->start_number < 0)
        return bad_attr(c, n, "startNumber", "is negative");
    if (sv__dash_parse_range(attr(c, n, "indexRange"), &s->index_range) < 0)
        return bad_attr(c, n, "indexRange", "is not a byte range first-last");
    for (const xmlNode *ch = n->children; ch; ch = ch->next) {
        if (is(ch, "Initialization") || is(ch, "RepresentationIndex")) {
            if (is(ch, "Initialization")) {
                const char *src = attr(c, ch, "sourceURL");
                if (src)
                    s->initialization = src;
                if (sv__dash_parse_range(attr(c, ch, "range"), &s->init_range) < 0)
                    return bad_attr(c, ch, "range", "is not a byte range first-last");
            }
        } else if (is(ch, "SegmentTimeline")) {
            /* Read while the XML streamed past (dash_xml.h). */
            const sv__dash_items *it = ch->_private;
            s->timeline = it ? it->s : NULL;
            s->nb_timeline = it ? it->nb_s : 0;
        } else if (is(ch, "SegmentURL")) {
            /* Collected by the caller for SegmentList. */
        }
    }
    return 0;
}

static int merge_segments(ctx *c, const xmlNode *level, sv__dash_segments *s)
{
    int ret;
    for (const xmlNode *n = level->children; n; n = n->next) {
        if (is(n, "SegmentTemplate")) {
            s->kind = SV_DASH_ADDR_TEMPLATE;
            const char *m = attr(c, n, "media"), *i = attr(c, n, "initialization");
            if (m)
                s->media = m;
            if (i)
                s->initialization = i;
            if ((ret = merge_common(c, n, s)) < 0)
                return ret;
        } else if (is(n, "SegmentBase")) {
            s->kind = SV_DASH_ADDR_BASE;
            if ((ret = merge_common(c, n, s)) < 0)
                return ret;
        } else if (is(n, "SegmentList")) {
            s->kind = SV_DASH_ADDR_LIST;
            if ((ret = merge_common(c, n, s)) < 0)
                return ret;
            /* Read while the XML streamed past (dash_xml.h). */
            const sv__dash_items *it = n->_private;
            size_t count = it ? it->nb_urls : 0;
            sv__dash_segment_url *list = it ? it->urls : NULL;
            if (count) {
                s->list = list;
                s->nb_list = count;
            }
        }
    }
    return 0;
}

/* ---- elements -------------------------------------------------------------- */

static sv__dash_content content_of(const char *content_type, const char *mime)
{
    const char *t = content_type ? content_type : mime;
    if (!t)
        return SV_DASH_OTHER;
    if (strncmp(t, "video", 5) == 0)
        return SV_DASH_VIDEO;
    if (strncmp(t, "audio", 5) == 0)
        return SV_DASH_AUDIO;
    if (strncmp(t, "text", 4) == 0 || strstr(t, "ttml") || strstr(t, "vtt"))
        return SV_DASH_TEXT;
    return SV_DASH_OTHER;
}

static double frame_rate_of(const char *s)
{
    if (!s)
        return 0;
    char *end;
    double num = strtod(s, &end);
    if (*end == '/') {
        double den = strtod(end + 1, NULL);
        return den > 0 ? num / den : 0;
    }
    return num > 0 ? num : 0;
}

static int parse_protection(ctx *c, const xmlNode *n, sv__dash_adaptation *as, size_t *cap)
{
    if (!(as->protections = sv__arena_grow(c->arena, as->protections, cap, as->nb_protections + 1,
                                           sizeof(*as->protections))))
        return SV_ERR_NOMEM;
    sv__dash_protection *p = &as->protections[as->nb_protections++];
    memset(p, 0, sizeof(*p));
    const char *scheme = attr(c, n, "schemeIdUri");
    if (scheme) {
        char *low = sv__arena_strdup(c->arena, scheme);
        for (char *q = low; q && *q; q++)
            if (*q >= 'A' && *q <= 'Z')
                *q = (char)(*q - 'A' + 'a');
        p->scheme_id_uri = low;
    }
    p->value = attr(c, n, "value");
    p->default_kid = attr(c, n, "default_KID");
    for (const xmlNode *ch = n->children; ch; ch = ch->next) {
        if (is(ch, "Laurl") || is(ch, "laurl"))
            p->laurl = text_of(c, ch);
        else if (is(ch, "pssh"))
            p->pssh = text_of(c, ch);
    }
    return 0;
}

/* Appends a Role, Accessibility or EssentialProperty descriptor to (*list, *count). */
static int parse_descriptor(ctx *c, const xmlNode *n, sv__dash_descriptor **list, size_t *count,
                            size_t *cap)
{
    if (*count == MAX_ITEMS)
        return sv__parse_fail(c->err, (int)xmlGetLineNo(n), "more than %d %s descriptors",
                              MAX_ITEMS, (const char *)n->name);
    if (!(*list = sv__arena_grow(c->arena, *list, cap, *count + 1, sizeof(**list))))
        return SV_ERR_NOMEM;
    sv__dash_descriptor *d = &(*list)[(*count)++];
    memset(d, 0, sizeof(*d));
    const char *scheme = attr(c, n, "schemeIdUri");
    if (scheme) {
        char *low = sv__arena_strdup(c->arena, scheme);
        if (!low)
            return SV_ERR_NOMEM;
        for (char *q = low; *q; q++)
            if (*q >= 'A' && *q <= 'Z')
                *q = (char)(*q - 'A' + 'a');
        d->scheme_id_uri = low;
    }
    d->value = attr(c, n, "value");
    return 0;
}

static int parse_representation(ctx *c, const xmlNode *n, const sv__dash_adaptation *as,
                                 const bases *parent, const sv__dash_segments *inherited,
                                 sv__dash_representation *r)
{
    bases b;
    int64_t v;
    int ret;

    memset(r, 0, sizeof(*r));
    r->id = attr(c, n, "id");
    if (!r->id)
        return sv__parse_fail(c->err, (int)xmlGetLineNo(n), "Representation without id");
    if ((ret = attr_i64(c, n, "bandwidth", &r->bandwidth)) <= 0)
        return ret < 0 ? ret : sv__parse_fail(c->err, (int)xmlGetLineNo(n),
                                              "Representation %s without bandwidth", r->id);
    if (r->bandwidth < 0)
        return bad_attr(c, n, "bandwidth", "is negative");
    if (attr_i64(c, n, "width", &v) > 0)
        r->width = (int)v;
    if (attr_i64(c, n, "height", &v) > 0)
        r->height = (int)v;
    if (attr_i64(c, n, "audioSamplingRate", &v) > 0)
        r->audio_sampling_rate = (int)v;
    r->frame_rate = frame_rate_of(attr(c, n, "frameRate"));
    r->codecs = attr(c, n, "codecs");
    if (!r->codecs)
        r->codecs = as->codecs;
    r->mime_type = attr(c, n, "mimeType");
    if (!r->mime_type)
        r->mime_type = as->mime_type;
    if ((ret = resolve_bases(c, n, parent, &b)) < 0)
        return ret;
    if (!(r->base_urls = sv__arena_alloc(c->arena, b.n * sizeof(*r->base_urls))))
        return SV_ERR_NOMEM;
    memcpy(r->base_urls, b.v, b.n * sizeof(*r->base_urls));
    r->nb_base_urls = b.n;
    r->seg = *inherited;
    if ((ret = merge_segments(c, n, &r->seg)) < 0)
        return ret;
    for (const xmlNode *ch = n->children; ch; ch = ch->next) {
        const char *scheme;
        if (is(ch, "EssentialProperty") && (scheme = attr(c, ch, "schemeIdUri")) &&
            strstr(scheme, "dashif.org/") && strstr(scheme, "thumbnail_tile"))
            r->thumbnail_tile = attr(c, ch, "value");
    }
    if (r->seg.kind == SV_DASH_ADDR_TEMPLATE && !r->seg.media)
        return sv__parse_fail(c->err, (int)xmlGetLineNo(n),
                              "Representation %s: SegmentTemplate without media", r->id);
    if (r->seg.kind == SV_DASH_ADDR_TEMPLATE && !r->seg.nb_timeline && r->seg.duration <= 0)
        return sv__parse_fail(c->err, (int)xmlGetLineNo(n),
                              "Representation %s: SegmentTemplate needs duration or a "
                              "SegmentTimeline", r->id);
    return 0;
}

/* The EssentialProperty schemes the player knows: trick-mode sets (kept
 * out of normal playback by the model, model_dash.c), thumbnail tiles (the
 * seek thumbnails), and the colour description of ISO/IEC 23001-8 (CICP),
 * which the decoder follows. */
static const char *const known_essentials[] = {
    "http://dashif.org/guidelines/trickmode",
    "http://dashif.org/thumbnail_tile",
    "http://dashif.org/guidelines/thumbnail_tile",
    "urn:mpeg:mpegb:cicp:colourprimaries",
    "urn:mpeg:mpegb:cicp:transfercharacteristics",
    "urn:mpeg:mpegb:cicp:matrixcoefficients",
};

/* Does `n` carry an EssentialProperty of a scheme the player does not know?
 * ISO/IEC 23009-1 5.8.4.8 asks a client to ignore such an element. */
static int has_unknown_essential(ctx *c, const xmlNode *n)
{
    for (const xmlNode *ch = n->children; ch; ch = ch->next) {
        if (!is(ch, "EssentialProperty"))
            continue;
        const char *scheme = attr(c, ch, "schemeIdUri");
        int known = 0;
        for (size_t k = 0; scheme && !known && k < sizeof(known_essentials) / sizeof(*known_essentials); k++)
            known = !strcasecmp(scheme, known_essentials[k]);
        if (!known)
            return 1;
    }
    return 0;
}

static int parse_adaptation(ctx *c, const xmlNode *n, const bases *parent,
                            const sv__dash_segments *inherited, sv__dash_adaptation *as)
{
    sv__dash_segments seg = *inherited;
    size_t cap_reps = 0, cap_prot = 0, cap_roles = 0, cap_access = 0, cap_essential = 0;
    bases b;
    int64_t v;
    int ret;

    memset(as, 0, sizeof(*as));
    as->id = attr_i64(c, n, "id", &v) > 0 ? (int)v : -1;
    as->mime_type = attr(c, n, "mimeType");
    as->codecs = attr(c, n, "codecs");
    as->lang = attr(c, n, "lang");
    const char *content_type = attr(c, n, "contentType");
    if ((ret = resolve_bases(c, n, parent, &b)) < 0)
        return ret;
    if ((ret = merge_segments(c, n, &seg)) < 0)
        return ret;
    for (const xmlNode *ch = n->children; ch; ch = ch->next) {
        if (is(ch, "ContentProtection")) {
            if ((ret = parse_protection(c, ch, as, &cap_prot)) < 0)
                return ret;
        } else if (is(ch, "Role")) {
            if ((ret = parse_descriptor(c, ch, &as->roles, &as->nb_roles, &cap_roles)) < 0)
                return ret;
        } else if (is(ch, "Accessibility")) {
            if ((ret = parse_descriptor(c, ch, &as->accessibility, &as->nb_accessibility,
                                        &cap_access)) < 0)
                return ret;
        } else if (is(ch, "EssentialProperty")) {
            if ((ret = parse_descriptor(c, ch, &as->essentials, &as->nb_essentials,
                                        &cap_essential)) < 0)
                return ret;
        } else if (is(ch, "Label")) {
            as->label = text_of(c, ch);
        } else if (is(ch, "ContentComponent") && !content_type) {
            content_type = attr(c, ch, "contentType");
        }
    }
    for (const xmlNode *ch = n->children; ch; ch = ch->next) {
        if (!is(ch, "Representation") || has_unknown_essential(c, ch))
            continue;
        if (as->nb_reps == MAX_ITEMS)
            return sv__parse_fail(c->err, (int)xmlGetLineNo(ch),
                                  "AdaptationSet: more than %d Representation elements", MAX_ITEMS);
        if (!(as->reps = sv__arena_grow(c->arena, as->reps, &cap_reps, as->nb_reps + 1,
                                        sizeof(*as->reps))))
            return SV_ERR_NOMEM;
        if ((ret = parse_representation(c, ch, as, &b, &seg, &as->reps[as->nb_reps])) < 0)
            return ret;
        if (!as->mime_type)
            as->mime_type = as->reps[as->nb_reps].mime_type;
        as->nb_reps++;
    }
    as->content = content_of(content_type, as->mime_type);
    return 0;
}

/* DASH-IF low-latency: ServiceDescription Latency@target, @min and @max in
 * milliseconds (the first Latency with a target). */
static int service_description(ctx *c, const xmlNode *sd, sv__dash_mpd *mpd)
{
    int ret;
    for (const xmlNode *l = sd->children; l; l = l->next) {
        static const char *const names[] = { "target", "min", "max" };
        double *dst[] = { &mpd->target_latency, &mpd->min_latency, &mpd->max_latency };
        if (!is(l, "Latency"))
            continue;
        for (int k = 0; k < 3; k++) {
            int64_t ms;
            if ((ret = attr_i64(c, l, names[k], &ms)) < 0)
                return ret;
            if (ret == 0)
                continue;
            if (ms < 0 || ms > 86400000)
                return bad_attr(c, l, names[k], "is not a latency in ms (0..86400000)");
            *dst[k] = (double)ms / 1000;
        }
        if (mpd->target_latency >= 0)
            break;
    }
    return 0;
}

static int parse_period(ctx *c, const xmlNode *n, const bases *parent, sv__dash_period *p)
{
    sv__dash_segments seg;
    size_t cap = 0;
    bases b;
    int ret;

    memset(&seg, 0, sizeof(seg));
    seg.timescale = 1;
    seg.start_number = 1;
    seg.init_range.length = -1;
    seg.index_range.length = -1;
    seg.availability_time_complete = -1;
    p->id = attr(c, n, "id");
    if ((ret = resolve_bases(c, n, parent, &b)) < 0)
        return ret;
    if ((ret = merge_segments(c, n, &seg)) < 0)
        return ret;
    for (const xmlNode *ch = n->children; ch; ch = ch->next) {
        if (!is(ch, "AdaptationSet") || has_unknown_essential(c, ch))
            continue;
        if (!(p->sets = sv__arena_grow(c->arena, p->sets, &cap, p->nb_sets + 1, sizeof(*p->sets))))
            return SV_ERR_NOMEM;
        if ((ret = parse_adaptation(c, ch, &b, &seg, &p->sets[p->nb_sets])) < 0)
            return ret;
        p->nb_sets++;
    }
    return sv__dash_parse_events(c->arena, n, p, &c->mpd->event_warnings);
}

static int parse_mpd(ctx *c, const xmlNode *root, const char *url)
{
    sv__dash_mpd *mpd = c->mpd;
    bases top, b;
    size_t cap = 0;
    int ret;

    if (!is(root, "MPD"))
        return sv__parse_fail(c->err, (int)xmlGetLineNo(root), "not a DASH MPD: root is <%s>",
                              (const char *)root->name);
    const char *type = attr(c, root, "type");
    mpd->dynamic = type && strcmp(type, "dynamic") == 0;
    mpd->duration = mpd->min_update_period = mpd->time_shift_buffer_depth = -1;
    mpd->suggested_presentation_delay = mpd->target_latency = mpd->max_segment_duration = -1;
    mpd->min_latency = mpd->max_latency = -1;
    if (attr_dur(c, root, "mediaPresentationDuration", &mpd->duration) < 0 ||
        attr_dur(c, root, "minBufferTime", &mpd->min_buffer_time) < 0 ||
        attr_dur(c, root, "maxSegmentDuration", &mpd->max_segment_duration) < 0 ||
        attr_dur(c, root, "minimumUpdatePeriod", &mpd->min_update_period) < 0 ||
        attr_dur(c, root, "timeShiftBufferDepth", &mpd->time_shift_buffer_depth) < 0 ||
        attr_dur(c, root, "suggestedPresentationDelay", &mpd->suggested_presentation_delay) < 0)
        return SV_ERR_PARSE;
    const char *ast = attr(c, root, "availabilityStartTime");
    if (ast && (mpd->availability_start_time = sv__dash_parse_datetime(ast)) < 0)
        return bad_attr(c, root, "availabilityStartTime", "is not an xs:dateTime");
    if (mpd->dynamic && !ast)
        return sv__parse_fail(c->err, (int)xmlGetLineNo(root),
                              "dynamic MPD without availabilityStartTime");
    const char *pt = attr(c, root, "publishTime");
    if (pt)
        mpd->publish_time = sv__dash_parse_datetime(pt);

    memset(&top, 0, sizeof(top));
    top.n = 1;
    top.v[0].url = url;
    top.v[0].priority = 1;
    top.v[0].weight = 1;
    top.v[0].availability_time_complete = -1;
    if ((ret = resolve_bases(c, root, &top, &b)) < 0)
        return ret;

    for (const xmlNode *ch = root->children; ch; ch = ch->next) {
        if (is(ch, "UTCTiming") && !mpd->utc_timing_scheme) {
            mpd->utc_timing_scheme = attr(c, ch, "schemeIdUri");
            mpd->utc_timing_value = attr(c, ch, "value");
        } else if (is(ch, "ServiceDescription") && mpd->target_latency < 0) {
            if ((ret = service_description(c, ch, mpd)) < 0)
                return ret;
        } else if (is(ch, "ContentSteering")) {
            const char *s = text_of(c, ch);
            if (s && *s && !(mpd->steering_uri = sv__url_resolve(c->arena, url, s)))
                return sv__parse_fail(c->err, (int)xmlGetLineNo(ch), "ContentSteering: bad URL");
            mpd->steering_default_service_location = attr(c, ch, "defaultServiceLocation");
        } else if (is(ch, "Period")) {
            /* Shaka Packager writes its ServiceDescription in the Period. */
            for (const xmlNode *sd = ch->children; sd && mpd->target_latency < 0; sd = sd->next)
                if (is(sd, "ServiceDescription") && (ret = service_description(c, sd, mpd)) < 0)
                    return ret;
            if (!(mpd->periods = sv__arena_grow(c->arena, mpd->periods, &cap, mpd->nb_periods + 1,
                                                sizeof(*mpd->periods))))
                return SV_ERR_NOMEM;
            sv__dash_period *p = &mpd->periods[mpd->nb_periods];
            memset(p, 0, sizeof(*p));
            p->start = -1;
            p->duration = -1;
            if (attr_dur(c, ch, "start", &p->start) < 0 || attr_dur(c, ch, "duration", &p->duration) < 0)
                return SV_ERR_PARSE;
            if ((ret = parse_period(c, ch, &b, p)) < 0)
                return ret;
            mpd->nb_periods++;
        }
    }
    if (mpd->nb_periods == 0)
        return sv__parse_fail(c->err, 0, "MPD without a Period");

    /* Period timing (23009-1 5.3.2.1): start from @start, else the previous
     * period's end; duration from @duration, else the next start or the end
     * of the presentation. */
    for (size_t i = 0; i < mpd->nb_periods; i++) {
        sv__dash_period *p = &mpd->periods[i];
        if (p->start < 0) {
            if (i == 0)
                p->start = 0;
            else if (mpd->periods[i - 1].duration >= 0)
                p->start = mpd->periods[i - 1].start + mpd->periods[i - 1].duration;
            else
                return sv__parse_fail(c->err, 0, "Period %zu has no start and the one before "
                                      "it no duration", i + 1);
        }
    }
    for (size_t i = 0; i < mpd->nb_periods; i++) {
        sv__dash_period *p = &mpd->periods[i];
        if (p->duration < 0) {
            if (i + 1 < mpd->nb_periods)
                p->duration = mpd->periods[i + 1].start - p->start;
            else if (mpd->duration >= 0)
                p->duration = mpd->duration - p->start;
        }
        if (i > 0 && p->start < mpd->periods[i - 1].start)
            return sv__parse_fail(c->err, 0, "Period %zu: start %.3f s is before Period %zu's "
                                  "(%.3f s)", i + 1, p->start, i, mpd->periods[i - 1].start);
    }
    if (mpd->duration < 0 && !mpd->dynamic) {
        const sv__dash_period *last = &mpd->periods[mpd->nb_periods - 1];
        if (last->duration < 0)
            return sv__parse_fail(c->err, 0, "static MPD without mediaPresentationDuration");
        mpd->duration = last->start + last->duration;
    }
    return 0;
}

int sv__dash_parse(const char *text, size_t size, const char *url, const sv_allocator *alloc,
                   sv__dash_mpd **out, sv__parse_error *err)
{
    sv__parse_error local_err;
    xmlParserCtxtPtr px = NULL;
    xmlDocPtr doc = NULL;
    ctx c;
    int ret = SV_ERR_NOMEM;

    if (!err)
        err = &local_err;
    memset(err, 0, sizeof(*err));
    if (!text || !url || !out)
        return SV_ERR_INVALID;
    if (size > SV_DASH_MAX_BYTES) {
        sv__parse_fail(err, 0, "the MPD is %zu bytes, over the limit of %d MiB", size,
                       SV_DASH_MAX_BYTES >> 20);
        return SV_ERR_OVERFLOW;
    }
    memset(&c, 0, sizeof(c));
    c.err = err;
    if (!(c.arena = sv__arena_create(alloc)) ||
        !(c.mpd = sv__arena_alloc(c.arena, sizeof(*c.mpd))))
        goto fail;
    c.mpd->arena = c.arena;
    if (!(px = xmlNewParserCtxt()))
        goto fail;
    /* No network, no DTD loading, no entity substitution: an MPD needs none,
     * and each is a way for a hostile manifest to reach out or blow up. */
    doc = sv__dash_xml_read(px, text, size, url,
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING, c.arena,
                            err, &ret);
    if (!doc)
        goto fail;
    const xmlNode *root = xmlDocGetRootElement(doc);
    if (!root) {
        ret = sv__parse_fail(err, 0, "empty XML document");
        goto fail;
    }
    if (!(url = sv__arena_strdup(c.arena, url)))
        goto fail;
    /* MPD numbers use '.', whatever locale the host runs in. */
    sv__c_numeric numeric;
    sv__c_numeric_enter(&numeric);
    ret = parse_mpd(&c, root, url);
    sv__c_numeric_leave(&numeric);
    if (ret < 0)
        goto fail;
    xmlFreeDoc(doc);
    xmlFreeParserCtxt(px);
    *out = c.mpd;
    return 0;

fail:
    if (ret == SV_ERR_PARSE && !err->message[0])
        sv__parse_fail(err, 0, "malformed MPD");
    xmlFreeDoc(doc);
    xmlFreeParserCtxt(px);
    sv__arena_destroy(c.arena);
    return ret;
}

void sv__dash_mpd_free(sv__dash_mpd *mpd)
{
    if (mpd)
        sv__arena_destroy(mpd->arena);
}
