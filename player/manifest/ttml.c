/*
 * ttml.c - TTML/IMSC1 text cues (ttml.h): libxml2 builds the tree, this walks
 * it once, resolving times down <body>/<div>/<p> and computing each
 * paragraph's style from its region and ancestors.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "platform/alloc.h"
#include "streamverse/common.h"
#include "player/manifest/ttml.h"
#include "player/manifest/ttml_internal.h"

#define MAX_CUES 100000
#define MAX_DEPTH 64
#define MAX_TEXT 4096
#define MAX_STYLE_REFS 16  /* a chain of style references deeper than this is cut */

enum ns { NS_NONE, NS_TTS, NS_TTP, NS_XML, NS_SMPTE };

typedef struct walk {
    const sv_allocator *alloc;
    sv__parse_error *err;
    sv__ttml_params pm;
    xmlNodePtr styling, layout; /* children of <head>, NULL when absent */
    sv__ttml *out;
    size_t cap;
    xmlNodePtr chain[MAX_DEPTH]; /* <body> .. the element being walked */
    int depth;
} walk;

/* What the text of a paragraph is collected into. */
typedef struct text_runs {
    char buf[MAX_TEXT];
    size_t n;
    int pending_space, any;
    int italic, bold, underline;  /* every run so */
    uint32_t color, background;   /* the runs' common value, 0 when they differ */
} text_runs;

static void skipped(walk *w, const char *fmt, ...) SV_PRINTF(2, 3);
static void skipped(walk *w, const char *fmt, ...)
{
    w->out->skipped++;
    if (w->out->warning[0])
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->out->warning, sizeof(w->out->warning), fmt, ap);
    va_end(ap);
}

static int ns_is(const xmlNs *ns, enum ns want)
{
    const char *href = ns && ns->href ? (const char *)ns->href : NULL;
    size_t n = href ? strlen(href) : 0;
    switch (want) {
    case NS_NONE:
        return !href;
    case NS_TTS:
        return n > 8 && !strcmp(href + n - 8, "#styling");
    case NS_TTP:
        return n > 10 && !strcmp(href + n - 10, "#parameter");
    case NS_XML:
        return href && !strcmp(href, (const char *)XML_XML_NAMESPACE);
    case NS_SMPTE:
        return href && strstr(href, "smpte-tt") != NULL;
    }
    return 0;
}

static const char *attr(xmlNodePtr n, enum ns ns, const char *name)
{
    for (xmlAttrPtr a = n->properties; a; a = a->next)
        if (!strcmp((const char *)a->name, name) && ns_is(a->ns, ns))
            return a->children && a->children->content ? (const char *)a->children->content
                                                       : "";
    return NULL;
}

/* An element of the TTML namespace (or of none, as lenient writers do). */
static int is_el(xmlNodePtr n, const char *name)
{
    if (n->type != XML_ELEMENT_NODE || strcmp((const char *)n->name, name))
        return 0;
    const char *href = n->ns && n->ns->href ? (const char *)n->ns->href : NULL;
    return !href || strstr(href, "/ttml") || strstr(href, "/ttaf1");
}

static xmlNodePtr child(xmlNodePtr n, const char *name)
{
    for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next)
        if (is_el(c, name))
            return c;
    return NULL;
}

static xmlNodePtr by_id(xmlNodePtr parent, const char *name, const char *id, size_t len)
{
    for (xmlNodePtr c = parent ? parent->children : NULL; c; c = c->next) {
        const char *v;
        if (is_el(c, name) && (v = attr(c, NS_XML, "id")) && strlen(v) == len &&
            !memcmp(v, id, len))
            return c;
    }
    return NULL;
}

/* ---- styles ------------------------------------------------------------ */

static sv_cue_align align_of(const char *v, int block)
{
    if (!strcmp(v, block ? "before" : "left") || !strcmp(v, "start"))
        return SV_CUE_ALIGN_START;
    if (!strcmp(v, "center"))
        return SV_CUE_ALIGN_CENTER;
    if (!strcmp(v, block ? "after" : "right") || !strcmp(v, "end"))
        return SV_CUE_ALIGN_END;
    return SV_CUE_ALIGN_UNSET;
}

/* tts:fontSize: one length (the height) or two (width, height); % of the
 * parent's size. */
static void font_size(walk *w, const char *v, sv_cue_style *st)
{
    const char *s = v;
    float a, b;
    double cell = 100.0 / w->pm.cell_rows;

    if (sv__ttml_length(&w->pm, &s, 1, &a) < 0)
        return;
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s) {
        if (sv__ttml_length(&w->pm, &s, 1, &b) < 0)
            return;
        a = b;
        v = strrchr(v, ' ') ? strrchr(v, ' ') + 1 : v;
    }
    if (a <= 0)
        return;
    if (strchr(v, '%')) /* relative to the parent's, 1c at the root */
        a = (float)((st->font_size > 0 ? st->font_size : cell) * a / 100);
    st->font_size = a;
}

static void region_box(walk *w, xmlNodePtr n, sv_cue_style *st)
{
    const char *v;
    const char *s;
    float a, b;

    if ((v = attr(n, NS_TTS, "origin")) && (s = v, sv__ttml_length(&w->pm, &s, 0, &a) == 0) &&
        sv__ttml_length(&w->pm, &s, 1, &b) == 0) {
        st->x = a;
        st->y = b;
    }
    if ((v = attr(n, NS_TTS, "extent")) && (s = v, sv__ttml_length(&w->pm, &s, 0, &a) == 0) &&
        sv__ttml_length(&w->pm, &s, 1, &b) == 0 && a > 0 && b > 0) {
        st->width = a;
        st->height = b;
    }
    if ((v = attr(n, NS_TTS, "displayAlign")))
        st->display_align = align_of(v, 1);
}

/* The tts: attributes written on n itself. */
static void inline_style(walk *w, xmlNodePtr n, sv_cue_style *st, int region)
{
    const char *v;
    uint32_t c;

    if ((v = attr(n, NS_TTS, "color")) && sv__ttml_color(v, &c) == 0)
        st->color = c;
    if ((v = attr(n, NS_TTS, "backgroundColor")) && sv__ttml_color(v, &c) == 0)
        st->background = c;
    if ((v = attr(n, NS_TTS, "fontSize")))
        font_size(w, v, st);
    if ((v = attr(n, NS_TTS, "fontStyle")))
        st->italic = !strcmp(v, "italic") || !strcmp(v, "oblique");
    if ((v = attr(n, NS_TTS, "fontWeight")))
        st->bold = !strcmp(v, "bold");
    if ((v = attr(n, NS_TTS, "textDecoration")))
        st->underline = strstr(v, "underline") && !strstr(v, "noUnderline");
    if ((v = attr(n, NS_TTS, "textAlign")))
        st->text_align = align_of(v, 0);
    if (region)
        region_box(w, n, st);
}

/* n's referential styles (each <style> with its own references first),
 * then its inline attributes. */
static void apply(walk *w, xmlNodePtr n, sv_cue_style *st, int region, int refs)
{
    const char *list = attr(n, NS_NONE, "style");

    while (list && *list && refs < MAX_STYLE_REFS) {
        while (*list == ' ' || *list == '\t')
            list++;
        size_t len = strcspn(list, " \t");
        xmlNodePtr ref = len ? by_id(w->styling, "style", list, len) : NULL;
        if (ref && ref != n)
            apply(w, ref, st, region, refs + 1);
        list += len;
    }
    inline_style(w, n, st, region);
}

/* The style a paragraph starts from: its region's (with the region's own
 * nested <style> children), then each ancestor's, then its own. A
 * background is not inherited. */
static void paragraph_style(walk *w, sv_cue_style *st)
{
    const char *rid = NULL;

    memset(st, 0, sizeof(*st));
    for (int i = 0; i <= w->depth; i++) {
        const char *r = attr(w->chain[i], NS_NONE, "region");
        if (r)
            rid = r;
    }
    xmlNodePtr region = rid ? by_id(w->layout, "region", rid, strlen(rid)) : NULL;
    if (rid && !region)
        skipped(w, "region \"%.60s\" is not defined in <layout>", rid);
    if (region) {
        apply(w, region, st, 1, 0);
        for (xmlNodePtr c = region->children; c; c = c->next)
            if (is_el(c, "style"))
                inline_style(w, c, st, 1);
    }
    for (int i = 0; i <= w->depth; i++) {
        st->background = 0;
        apply(w, w->chain[i], st, 0, 0);
    }
}

/* ---- text -------------------------------------------------------------- */

static void put(text_runs *t, const char *s, size_t len)
{
    size_t want = len;

    if (t->n + len >= sizeof(t->buf))
        len = sizeof(t->buf) - 1 - t->n;
    /* A cut never ends inside a UTF-8 sequence. */
    while (len && len < want && ((unsigned char)s[len] & 0xc0) == 0x80)
        len--;
    memcpy(t->buf + t->n, s, len);
    t->n += len;
    t->buf[t->n] = '\0';
}

static void run_style(text_runs *t, const sv_cue_style *st)
{
    if (!t->any) {
        t->any = 1;
        t->italic = st->italic;
        t->bold = st->bold;
        t->underline = st->underline;
        t->color = st->color;
        t->background = st->background;
        return;
    }
    t->italic &= st->italic;
    t->bold &= st->bold;
    t->underline &= st->underline;
    if (t->color != st->color)
        t->color = 0;
    if (t->background != st->background)
        t->background = 0;
}

static void add_text(text_runs *t, const char *s, int preserve, const sv_cue_style *st)
{
    for (; *s; s++) {
        int ws = *s == ' ' || *s == '\t' || *s == '\n' || *s == '\r';
        if (preserve) {
            if (*s == '\r')
                continue;
            put(t, s, 1);
            continue;
        }
        if (ws) {
            t->pending_space = t->n > 0 && t->buf[t->n - 1] != '\n';
            continue;
        }
        if (t->pending_space)
            put(t, " ", 1);
        t->pending_space = 0;
        size_t len = strcspn(s, " \t\n\r");
        run_style(t, st);
        put(t, s, len);
        s += len - 1;
    }
}

static void collect(walk *w, xmlNodePtr n, text_runs *t, sv_cue_style st, int preserve, int depth)
{
    for (xmlNodePtr c = n->children; c; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            if (c->content)
                add_text(t, (const char *)c->content, preserve, &st);
        } else if (is_el(c, "br")) {
            t->pending_space = 0;
            put(t, "\n", 1);
        } else if (is_el(c, "span")) {
            if (depth >= MAX_DEPTH) {
                skipped(w, "<span> nested deeper than %d", MAX_DEPTH);
                continue;
            }
            sv_cue_style inner = st;
            const char *sp = attr(c, NS_XML, "space");
            inner.background = 0;
            apply(w, c, &inner, 0, 0);
            collect(w, c, t, inner, sp ? !strcmp(sp, "preserve") : preserve, depth + 1);
        }
    }
}

/* ---- cues -------------------------------------------------------------- */

static int add_cue(walk *w, double start, double end, const text_runs *t, const sv_cue_style *st)
{
    sv__ttml *out = w->out;

    if (out->nb_cues == MAX_CUES)
        return sv__parse_fail(w->err, 0, "more than %d cues", MAX_CUES), SV_ERR_OVERFLOW;
    if (out->nb_cues == w->cap) {
        size_t nc = w->cap ? w->cap * 2 : 16;
        sv__cue *c = sv__realloc(w->alloc, out->cues, nc * sizeof(*c));
        if (!c)
            return SV_ERR_NOMEM;
        out->cues = c;
        w->cap = nc;
    }
    sv__cue *c = &out->cues[out->nb_cues];
    memset(c, 0, sizeof(*c));
    /* Trailing white space and line breaks are not text. */
    size_t n = t->n;
    while (n && (t->buf[n - 1] == ' ' || t->buf[n - 1] == '\n'))
        n--;
    if (!(c->text = sv__malloc(w->alloc, n + 1)))
        return SV_ERR_NOMEM;
    memcpy(c->text, t->buf, n);
    c->text[n] = '\0';
    c->start = start;
    c->end = end;
    c->style = *st;
    if (t->any) {
        c->style.italic = t->italic;
        c->style.bold = t->bold;
        c->style.underline = t->underline;
        if (t->color)
            c->style.color = t->color;
        if (!c->style.background)
            c->style.background = t->background;
    }
    c->has_style = 1;
    out->nb_cues++;
    return 0;
}

static int paragraph(walk *w, xmlNodePtr p, double start, double end)
{
    text_runs *t = sv__calloc(w->alloc, 1, sizeof(*t));
    sv_cue_style st;
    int ret = 0;

    if (!t)
        return SV_ERR_NOMEM;
    paragraph_style(w, &st);
    int preserve = 0;
    for (int i = 0; i <= w->depth; i++) {
        const char *sp = attr(w->chain[i], NS_XML, "space");
        if (sp)
            preserve = !strcmp(sp, "preserve");
    }
    collect(w, p, t, st, preserve, w->depth);
    if (t->n && strspn(t->buf, " \n") < t->n)
        ret = add_cue(w, start, end, t, &st);
    sv__free(w->alloc, t);
    return ret;
}

/* The active interval of n inside its parent's [pbegin, pend); `base` is
 * where its begin counts from (the parent's begin, or in a "seq" parent the
 * previous sibling's end). Returns 0, or -1 on a bad time expression. */
static int interval(walk *w, xmlNodePtr n, double base, double pend, double *b, double *e)
{
    const char *vb = attr(n, NS_NONE, "begin"), *ve = attr(n, NS_NONE, "end");
    const char *vd = attr(n, NS_NONE, "dur");
    double t;

    *b = base;
    if (vb) {
        if (sv__ttml_time(&w->pm, vb, &t) < 0)
            return -1;
        *b = base + t;
    }
    *e = pend;
    if (ve) {
        if (sv__ttml_time(&w->pm, ve, &t) < 0)
            return -1;
        *e = base + t;
    } else if (vd) {
        if (sv__ttml_time(&w->pm, vd, &t) < 0)
            return -1;
        *e = *b + t;
    }
    if (*e > pend)
        *e = pend;
    return 0;
}

static int timed(walk *w, xmlNodePtr n, double base, double pend, double *end_out)
{
    double b, e;
    int ret = 0;

    *end_out = base;
    if (w->depth + 1 >= MAX_DEPTH) {
        skipped(w, "<%s> nested deeper than %d", (const char *)n->name, MAX_DEPTH);
        return 0;
    }
    if (interval(w, n, base, pend, &b, &e) < 0) {
        skipped(w, "<%s> with a bad time expression", (const char *)n->name);
        return 0;
    }
    if (attr(n, NS_SMPTE, "backgroundImage") || child(n, "image")) {
        skipped(w, "image profile content in <%s>", (const char *)n->name);
        return 0;
    }
    *end_out = e;
    w->chain[++w->depth] = n;
    if (is_el(n, "p")) {
        if (e > b)
            ret = paragraph(w, n, b, e);
    } else if (e > b) {
        const char *tc = attr(n, NS_NONE, "timeContainer");
        int seq = tc && !strcmp(tc, "seq");
        double next = b, child_end;
        for (xmlNodePtr c = n->children; c && ret >= 0; c = c->next) {
            if (!is_el(c, "div") && !is_el(c, "p"))
                continue;
            ret = timed(w, c, seq ? next : b, e, &child_end);
            next = child_end;
        }
    }
    w->depth--;
    return ret;
}

/* ---- the document ------------------------------------------------------ */

static int parameters(walk *w, xmlNodePtr tt)
{
    sv__ttml_params *pm = &w->pm;
    const char *v;
    double a, b;

    *pm = (sv__ttml_params){ 30, 1, 1, 32, 15, 0, 0 };
    if ((v = attr(tt, NS_TTP, "frameRate"))) {
        if (sv__ttml_number(v, &a) < 0 || a <= 0 || a > 1000)
            return sv__parse_fail(w->err, tt->line, "bad ttp:frameRate \"%.40s\"", v);
        pm->frame_rate = a;
        if ((v = attr(tt, NS_TTP, "frameRateMultiplier"))) {
            if (sv__ttml_pair(v, &a, &b) < 0)
                return sv__parse_fail(w->err, tt->line, "bad ttp:frameRateMultiplier \"%.40s\"", v);
            pm->frame_rate = pm->frame_rate * a / b;
        }
    }
    if ((v = attr(tt, NS_TTP, "subFrameRate")) &&
        (sv__ttml_number(v, &pm->sub_frame_rate) < 0 || pm->sub_frame_rate <= 0))
        return sv__parse_fail(w->err, tt->line, "bad ttp:subFrameRate \"%.40s\"", v);
    pm->tick_rate = attr(tt, NS_TTP, "frameRate") ? pm->frame_rate * pm->sub_frame_rate : 1;
    if ((v = attr(tt, NS_TTP, "tickRate")) &&
        (sv__ttml_number(v, &pm->tick_rate) < 0 || pm->tick_rate <= 0))
        return sv__parse_fail(w->err, tt->line, "bad ttp:tickRate \"%.40s\"", v);
    if ((v = attr(tt, NS_TTP, "cellResolution"))) {
        if (sv__ttml_pair(v, &a, &b) < 0 || a > 10000 || b > 10000)
            return sv__parse_fail(w->err, tt->line, "bad ttp:cellResolution \"%.40s\"", v);
        pm->cell_cols = (int)a;
        pm->cell_rows = (int)b;
        if (pm->cell_cols < 1 || pm->cell_rows < 1)
            return sv__parse_fail(w->err, tt->line, "bad ttp:cellResolution \"%.40s\"", v);
    }
    if ((v = attr(tt, NS_TTS, "extent")) && strstr(v, "px") && sv__ttml_pair(v, &a, &b) == 0) {
        pm->extent_w = a;
        pm->extent_h = b;
    }
    return 0;
}

static int document(walk *w, xmlDocPtr doc, double doc_end)
{
    xmlNodePtr tt = xmlDocGetRootElement(doc);
    int ret;

    if (!tt || !is_el(tt, "tt"))
        return sv__parse_fail(w->err, tt ? tt->line : 0, "the root element is <%.40s>, not <tt>",
                              tt ? (const char *)tt->name : "");
    if ((ret = parameters(w, tt)) < 0)
        return ret;
    xmlNodePtr head = child(tt, "head"), body = child(tt, "body");
    w->styling = child(head, "styling");
    w->layout = child(head, "layout");
    if (!body)
        return 0; /* an empty document: a sample with nothing to show */
    w->chain[0] = tt;
    w->depth = 0;
    double end;
    return timed(w, body, 0, doc_end, &end);
}

int sv__ttml_parse(const char *text, size_t size, double doc_end, const sv_allocator *alloc,
                   sv__ttml *out, sv__parse_error *err)
{
    walk w = { .alloc = alloc, .err = err, .out = out };
    int ret;

    memset(out, 0, sizeof(*out));
    out->alloc = alloc;
    if (size > (size_t)INT32_MAX)
        return sv__parse_fail(err, 0, "a TTML document of %zu bytes", size);
    xmlParserCtxtPtr px = xmlNewParserCtxt();
    if (!px)
        return SV_ERR_NOMEM;
    /* No network, no entity expansion beyond the predefined ones, no DTD. */
    xmlDocPtr doc = xmlCtxtReadMemory(px, text, (int)size, NULL, NULL,
                                      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                                          XML_PARSE_NOCDATA);
    if (!doc) {
        const xmlError *e = xmlCtxtGetLastError(px);
        ret = sv__parse_fail(err, e ? e->line : 0, "TTML is not well-formed XML: %s",
                             e && e->message ? e->message : "no document");
        size_t n = strlen(err->message);
        if (n && err->message[n - 1] == '\n')
            err->message[n - 1] = '\0';
    } else {
        ret = document(&w, doc, isnan(doc_end) ? INFINITY : doc_end);
        xmlFreeDoc(doc);
    }
    xmlFreeParserCtxt(px);
    if (ret < 0)
        sv__ttml_free(out);
    return ret;
}

void sv__ttml_free(sv__ttml *t)
{
    for (size_t i = 0; i < t->nb_cues; i++)
        sv__free(t->alloc, t->cues[i].text);
    sv__free(t->alloc, t->cues);
    t->cues = NULL;
    t->nb_cues = 0;
}
