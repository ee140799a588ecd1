/*
 * Languages of a DASH MPD (mpd_langs.h), read with libxml2's tree API.
 */
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <string.h>

#include <streamverse/common.h>

#include "mpd_langs.h"

/* An element's attribute (NULL when absent or n is NULL); free with xmlFree. */
static xmlChar *attr(xmlNode *n, const char *name)
{
    return n ? xmlGetProp(n, (const xmlChar *)name) : NULL;
}

static int is(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

static xmlNode *first_child(xmlNode *n, const char *name)
{
    for (xmlNode *c = n->children; c; c = c->next)
        if (is(c, name))
            return c;
    return NULL;
}

static int starts(const xmlChar *s, const char *prefix)
{
    return s && !strncmp((const char *)s, prefix, strlen(prefix));
}

/* 1 audio, 2 text, 0 other: from the set's or its first Representation's attributes. */
static int kind_of(xmlNode *set)
{
    xmlNode *rep = first_child(set, "Representation");
    xmlChar *ct = attr(set, "contentType"), *mt = attr(set, "mimeType");
    xmlChar *codecs = attr(set, "codecs");
    int kind = 0;

    if (!mt)
        mt = attr(rep, "mimeType");
    if (!codecs)
        codecs = attr(rep, "codecs");
    if ((ct && !strcmp((const char *)ct, "audio")) || starts(mt, "audio/"))
        kind = 1;
    else if ((ct && !strcmp((const char *)ct, "text")) || starts(mt, "text/") ||
             starts(mt, "application/ttml+xml") ||
             (starts(mt, "application/mp4") && (starts(codecs, "stpp") || starts(codecs, "wvtt"))))
        kind = 2;
    xmlFree(ct);
    xmlFree(mt);
    xmlFree(codecs);
    return kind;
}

/* Appends lang to list[size] unless it is there already (cut to fit). */
static void add_lang(char *list, size_t size, const char *lang)
{
    size_t n = strlen(list), l = strlen(lang);
    const char *p = list;

    while ((p = strstr(p, lang))) {
        if ((p == list || p[-1] == ' ') && (p[l] == ',' || p[l] == '\0'))
            return;
        p += l;
    }
    snprintf(list + n, size - n, "%s%s", n ? ", " : "", lang);
}

static void add_set(xmlNode *set, char *audio, size_t asize, char *subs, size_t ssize)
{
    int kind = kind_of(set);
    xmlChar *lang;

    if (!kind)
        return;
    if (!(lang = attr(set, "lang")))
        lang = attr(first_child(set, "Representation"), "lang");
    /* Printable ASCII only: a tag, not whatever bytes a document holds. */
    const char *l = lang && lang[0] ? (const char *)lang : "und";
    char tag[36];
    size_t k = 0;
    for (; l[k] && k + 1 < sizeof(tag); k++)
        tag[k] = l[k] > ' ' && l[k] < 127 && l[k] != ',' ? l[k] : '?';
    tag[k] = '\0';
    if (kind == 1)
        add_lang(audio, asize, tag);
    else
        add_lang(subs, ssize, tag);
    xmlFree(lang);
}

int svp_mpd_languages(const char *xml, size_t len, char *audio, size_t asize, char *subs,
                      size_t ssize)
{
    xmlDoc *doc = NULL;
    xmlNode *root;

    if (asize)
        audio[0] = '\0';
    if (ssize)
        subs[0] = '\0';
    if (!xml || len == 0 || len > 64u << 20 || asize < 8 || ssize < 8)
        return SV_ERR_INVALID;
    doc = xmlReadMemory(xml, (int)len, "manifest.mpd", NULL,
                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc || !(root = xmlDocGetRootElement(doc)) || !is(root, "MPD")) {
        xmlFreeDoc(doc);
        return SV_ERR_INVALID;
    }
    for (xmlNode *p = root->children; p; p = p->next) {
        if (!is(p, "Period"))
            continue;
        for (xmlNode *s = p->children; s; s = s->next)
            if (is(s, "AdaptationSet"))
                add_set(s, audio, asize, subs, ssize);
    }
    xmlFreeDoc(doc);
    if (!audio[0])
        snprintf(audio, asize, "none");
    if (!subs[0])
        snprintf(subs, ssize, "none");
    return 0;
}
