#define _GNU_SOURCE /* memmem */
/*
 * manifest_rewrite.c - per-CDN master playlists and MPDs with content
 * steering (manifest_rewrite.h).
 *
 * The HLS side edits lines of our own packager's master playlist: it only
 * needs to know which lines are variants and renditions and to walk their
 * attribute lists (NAME=VALUE, VALUE maybe a quoted string) to change
 * URI, group names and PATHWAY-ID. The DASH side goes through libxml2.
 */
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/manifest_rewrite.h"

enum line_kind { L_HEADER, L_MEDIA, L_IFRAME, L_VARIANT, L_URI, L_DROP };

typedef struct line {
    const char *s;
    size_t len;
    int kind;
} line;

static int starts(const char *s, size_t len, const char *tag)
{
    size_t n = strlen(tag);

    return len >= n && !memcmp(s, tag, n);
}

/* Writes URI value u (len n) made absolute on cdn. */
static void put_uri(FILE *f, const char *u, size_t n, const sv__cdn *cdn, const char *prefix)
{
    if (memmem(u, n, "://", 3))
        fprintf(f, "%.*s", (int)n, u);
    else if (n > 0 && u[0] == '/')
        fprintf(f, "%s%.*s", cdn->base_url, (int)n, u);
    else
        fprintf(f, "%s%s%.*s", cdn->base_url, prefix, (int)n, u);
}

static int is_group_attr(const char *name, size_t n)
{
    static const char *const names[] = {"GROUP-ID", "AUDIO", "VIDEO", "SUBTITLES",
                                        "CLOSED-CAPTIONS"};

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strlen(names[i]) == n && !memcmp(name, names[i], n))
            return 1;
    return 0;
}

/* Re-emits a tag line with its attributes edited for one CDN. */
static void put_tag(FILE *f, const line *l, const sv__cdn *cdn, const char *prefix, int pathway)
{
    const char *p = memchr(l->s, ':', l->len), *end = l->s + l->len;
    int first = 1;

    if (!p) {
        fprintf(f, "%.*s\n", (int)l->len, l->s);
        return;
    }
    fprintf(f, "%.*s", (int)(p + 1 - l->s), l->s);
    p++;
    while (p < end) {
        const char *name = p, *eq = p, *val, *vend;
        int quoted;

        while (eq < end && *eq != '=' && *eq != ',')
            eq++;
        if (eq >= end || *eq != '=') { /* not NAME=VALUE: keep it as it is */
            fprintf(f, "%s%.*s", first ? "" : ",", (int)(eq - name), name);
            first = 0;
            p = eq + 1;
            continue;
        }
        val = eq + 1;
        quoted = val < end && *val == '"';
        vend = val + quoted;
        while (vend < end && (quoted ? *vend != '"' : *vend != ','))
            vend++;
        p = quoted && vend < end ? vend + 1 : vend; /* past the closing quote */
        while (p < end && *p != ',')
            p++;
        p++;
        if (eq - name == 10 && !memcmp(name, "PATHWAY-ID", 10))
            continue;
        fprintf(f, "%s%.*s=", first ? "" : ",", (int)(eq - name), name);
        first = 0;
        if (quoted && eq - name == 3 && !memcmp(name, "URI", 3)) {
            fputc('"', f);
            put_uri(f, val + 1, (size_t)(vend - val - 1), cdn, prefix);
            fputc('"', f);
        } else if (quoted && is_group_attr(name, (size_t)(eq - name))) {
            fprintf(f, "\"%.*s.%s\"", (int)(vend - val - 1), val + 1, cdn->id);
        } else {
            fprintf(f, "%.*s", (int)((quoted && vend < end ? vend + 1 : vend) - val), val);
        }
    }
    if (pathway)
        fprintf(f, "%sPATHWAY-ID=\"%s\"", first ? "" : ",", cdn->id);
    fputc('\n', f);
}

/* Splits into lines (CR LF or LF) and classifies them. */
static line *split(const char *text, size_t len, int *n_out)
{
    int cap = 64, n = 0, want_uri = 0;
    line *lines = malloc(sizeof(*lines) * (size_t)cap);
    const char *p = text, *end = text + len;

    while (lines && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t l = (size_t)((nl ? nl : end) - p);
        line *x;

        if (n == cap) {
            line *g = realloc(lines, sizeof(*lines) * (size_t)(cap *= 2));

            if (!g) {
                free(lines);
                return NULL;
            }
            lines = g;
        }
        x = &lines[n++];
        x->s = p;
        x->len = l > 0 && p[l - 1] == '\r' ? l - 1 : l;
        p = nl ? nl + 1 : end;
        if (x->len == 0) {
            x->kind = L_DROP;
        } else if (starts(x->s, x->len, "#EXT-X-STREAM-INF:")) {
            x->kind = L_VARIANT;
            want_uri = 1;
            continue;
        } else if (starts(x->s, x->len, "#EXT-X-MEDIA:")) {
            x->kind = L_MEDIA;
        } else if (starts(x->s, x->len, "#EXT-X-I-FRAME-STREAM-INF:")) {
            x->kind = L_IFRAME;
        } else if (starts(x->s, x->len, "#EXT-X-CONTENT-STEERING:")) {
            x->kind = L_DROP;
        } else if (x->s[0] != '#') {
            x->kind = want_uri ? L_URI : L_DROP;
        } else {
            x->kind = L_HEADER;
            continue; /* comments between a variant and its URI are headers */
        }
        want_uri = 0;
    }
    *n_out = n;
    return lines;
}

char *sv__hls_master_rewrite(const char *text, size_t len, const sv__steering *st,
                             const char *prefix, const char *steering_uri, size_t *out_len)
{
    const sv__cdn_list *cdns = sv__steering_cdns(st);
    const int *order = sv__steering_order(st);
    char *out = NULL;
    size_t out_size = 0;
    line *lines;
    FILE *f;
    int n, variants = 0;

    if (!starts(text, len, "#EXTM3U") || cdns->n == 0 || !(lines = split(text, len, &n)))
        return NULL;
    for (int i = 0; i < n; i++)
        variants += lines[i].kind == L_VARIANT && i + 1 < n && lines[i + 1].kind == L_URI;
    if (!variants || !(f = open_memstream(&out, &out_size))) {
        free(lines);
        return NULL;
    }
    for (int i = 0; i < n; i++)
        if (lines[i].kind == L_HEADER)
            fprintf(f, "%.*s\n", (int)lines[i].len, lines[i].s);
    fprintf(f, "#EXT-X-CONTENT-STEERING:SERVER-URI=\"%s\",PATHWAY-ID=\"%s\"\n", steering_uri,
            cdns->cdn[order[0]].id);
    for (int k = 0; k < cdns->n; k++) {
        const sv__cdn *c = &cdns->cdn[order[k]];

        for (int i = 0; i < n; i++) {
            const line *l = &lines[i];

            if (l->kind == L_MEDIA)
                put_tag(f, l, c, prefix, 0);
            else if (l->kind == L_IFRAME)
                put_tag(f, l, c, prefix, 1);
            else if (l->kind == L_VARIANT && i + 1 < n && lines[i + 1].kind == L_URI) {
                put_tag(f, l, c, prefix, 1);
                put_uri(f, lines[i + 1].s, lines[i + 1].len, c, prefix);
                fputc('\n', f);
            }
        }
    }
    free(lines);
    if (fclose(f) != 0) {
        free(out);
        return NULL;
    }
    *out_len = out_size;
    return out;
}

static int is_element(xmlNodePtr n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && !xmlStrcmp(n->name, BAD_CAST name);
}

char *sv__dash_mpd_rewrite(const char *xml, size_t len, const sv__steering *st,
                           const char *prefix, const char *steering_uri, size_t *out_len)
{
    const sv__cdn_list *cdns = sv__steering_cdns(st);
    const int *order = sv__steering_order(st);
    xmlDocPtr doc = NULL;
    xmlNodePtr root, anchor = NULL, steer;
    xmlNsPtr dvb;
    xmlChar *text = NULL;
    char *out = NULL;
    int size = 0;

    if (cdns->n == 0 || len > (size_t)INT32_MAX)
        return NULL;
    doc = xmlReadMemory(xml, (int)len, "manifest.mpd", NULL, XML_PARSE_NONET | XML_PARSE_NOBLANKS |
                                             XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc || !(root = xmlDocGetRootElement(doc)) || !is_element(root, "MPD"))
        goto fail;
    /* Old MPD-level BaseURLs and steering go; the rest stays in order. */
    for (xmlNodePtr c = root->children, next; c; c = next) {
        next = c->next;
        if (is_element(c, "BaseURL") || is_element(c, "ContentSteering")) {
            xmlUnlinkNode(c);
            xmlFreeNode(c);
        } else if (!anchor && c->type == XML_ELEMENT_NODE && !is_element(c, "ProgramInformation")) {
            anchor = c;
        }
    }
    if (!anchor || !(dvb = xmlNewNs(root, BAD_CAST "urn:dvb:dash:profile:dvb-dash:2014",
                                    BAD_CAST "dvb")))
        goto fail;
    for (int k = 0; k < cdns->n; k++) {
        const sv__cdn *c = &cdns->cdn[order[k]];
        char url[512], num[16];
        xmlNodePtr b;

        snprintf(url, sizeof(url), "%s%s", c->base_url, prefix);
        if (!(b = xmlNewDocNode(doc, root->ns, BAD_CAST "BaseURL", NULL)))
            goto fail;
        xmlNodeAddContent(b, BAD_CAST url); /* escaped by libxml2 */
        xmlNewProp(b, BAD_CAST "serviceLocation", BAD_CAST c->id);
        snprintf(num, sizeof(num), "%d", k + 1);
        xmlNewNsProp(b, dvb, BAD_CAST "priority", BAD_CAST num);
        snprintf(num, sizeof(num), "%d", c->weight);
        xmlNewNsProp(b, dvb, BAD_CAST "weight", BAD_CAST num);
        xmlAddPrevSibling(anchor, b);
    }
    if (!(steer = xmlNewDocNode(doc, root->ns, BAD_CAST "ContentSteering", NULL)))
        goto fail;
    xmlNodeAddContent(steer, BAD_CAST steering_uri);
    xmlNewProp(steer, BAD_CAST "defaultServiceLocation", BAD_CAST cdns->cdn[order[0]].id);
    xmlNewProp(steer, BAD_CAST "queryBeforeStart", BAD_CAST "false");
    xmlAddPrevSibling(anchor, steer);
    xmlDocDumpFormatMemoryEnc(doc, &text, &size, "UTF-8", 1);
    if (!text || size <= 0 || !(out = malloc((size_t)size + 1)))
        goto fail;
    memcpy(out, text, (size_t)size);
    out[size] = '\0';
    *out_len = (size_t)size;
fail:
    xmlFree(text);
    xmlFreeDoc(doc);
    return out;
}
