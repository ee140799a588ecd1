/*
 * steering.c - the CDN list and the content steering manifest (steering.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/steering.h"
#include "streamverse/common.h"

/* A pathway clone as the steering manifests carry it. */
typedef struct clone {
    char id[32], base_id[32];
    json_t *repl;             /* URI-REPLACEMENT for HLS (owned) */
    json_t *repl_dash;        /* its HOST and PARAMS for DASH, NULL when neither */
} clone;

struct sv__steering {
    sv__cdn_list cdns;
    clone clones[SV__MAX_CLONES];
    int nb_clones;
    char paths[SV__MAX_PATHWAYS][32]; /* every pathway id (CDNs, clones), best first */
    int nb_paths;
    int order[SV__MAX_CDNS];  /* CDN indices, best first: paths without the clones */
    int ttl_s;
};

static int id_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_';
}

/* One "id=url[;weight]" item of len bytes. */
static int parse_item(const char *s, size_t len, sv__cdn *c, char *err, size_t errlen)
{
    const char *eq = memchr(s, '=', len), *semi;
    size_t idlen, ulen;

    if (!eq || eq == s || (idlen = (size_t)(eq - s)) >= sizeof(c->id)) {
        snprintf(err, errlen, "cdns: each item is id=url with an id of 1 to %zu characters",
                 sizeof(c->id) - 1);
        return SV_ERR_INVALID;
    }
    for (size_t i = 0; i < idlen; i++)
        if (!id_char(s[i])) {
            snprintf(err, errlen, "cdns: ids use letters, digits, '-' and '_'");
            return SV_ERR_INVALID;
        }
    memcpy(c->id, s, idlen);
    c->id[idlen] = '\0';
    eq++;
    semi = memchr(eq, ';', len - (size_t)(eq - s));
    ulen = (size_t)((semi ? semi : s + len) - eq);
    c->weight = 1;
    if (semi) {
        char num[16], *end;
        size_t nlen = len - (size_t)(semi + 1 - s);
        long w;

        if (nlen == 0 || nlen >= sizeof(num))
            goto bad_weight;
        memcpy(num, semi + 1, nlen);
        num[nlen] = '\0';
        w = strtol(num, &end, 10);
        if (*end || w < 1 || w > 1000)
            goto bad_weight;
        c->weight = (int)w;
    }
    while (ulen > 0 && eq[ulen - 1] == '/')
        ulen--;
    if (ulen >= sizeof(c->base_url) ||
        (strncmp(eq, "http://", 7) != 0 && strncmp(eq, "https://", 8) != 0) ||
        ulen <= (size_t)(eq[4] == 's' ? 8 : 7)) {
        snprintf(err, errlen, "cdns: the URL of '%s' must be http:// or https:// and shorter "
                 "than %zu characters", c->id, sizeof(c->base_url));
        return SV_ERR_INVALID;
    }
    for (size_t i = 0; i < ulen; i++)
        if ((unsigned char)eq[i] <= ' ' || strchr("\"'<>&?#\\", eq[i])) {
            snprintf(err, errlen, "cdns: the URL of '%s' holds a character that cannot go into "
                     "a playlist", c->id);
            return SV_ERR_INVALID;
        }
    memcpy(c->base_url, eq, ulen);
    c->base_url[ulen] = '\0';
    return 0;

bad_weight:
    snprintf(err, errlen, "cdns: the weight of '%s' must be 1..1000", c->id);
    return SV_ERR_INVALID;
}

int sv__cdns_parse(const char *text, sv__cdn_list *out, char *err, size_t errlen)
{
    sv__cdn_list l;
    const char *p = text;

    memset(&l, 0, sizeof(l));
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);

        if (l.n == SV__MAX_CDNS) {
            snprintf(err, errlen, "cdns: at most %d CDNs", SV__MAX_CDNS);
            return SV_ERR_INVALID;
        }
        if (parse_item(p, len, &l.cdn[l.n], err, errlen) < 0)
            return SV_ERR_INVALID;
        for (int i = 0; i < l.n; i++)
            if (!strcmp(l.cdn[i].id, l.cdn[l.n].id)) {
                snprintf(err, errlen, "cdns: '%s' is named twice", l.cdn[i].id);
                return SV_ERR_INVALID;
            }
        l.n++;
        p += len;
        if (*p == ',' && *++p == '\0') {
            snprintf(err, errlen, "cdns: trailing ','");
            return SV_ERR_INVALID;
        }
    }
    if (out)
        *out = l;
    return 0;
}


/* Derives the CDN order from the pathway order. */
static void derive_order(sv__steering *st)
{
    int n = 0;

    for (int k = 0; k < st->nb_paths; k++)
        for (int i = 0; i < st->cdns.n; i++)
            if (!strcmp(st->paths[k], st->cdns.cdn[i].id))
                st->order[n++] = i;
}

int sv__steering_create(const sv__cdn_list *cdns, int ttl_s, sv__steering **out)
{
    sv__steering *st = calloc(1, sizeof(*st));

    if (!st)
        return SV_ERR_NOMEM;
    st->cdns = *cdns;
    st->ttl_s = ttl_s;
    for (int i = 0; i < cdns->n; i++)
        snprintf(st->paths[i], sizeof(st->paths[i]), "%s", cdns->cdn[i].id);
    st->nb_paths = cdns->n;
    derive_order(st);
    *out = st;
    return 0;
}

static void clones_free(clone *c, int n)
{
    for (int i = 0; i < n; i++) {
        json_decref(c[i].repl);
        json_decref(c[i].repl_dash);
        c[i].repl = c[i].repl_dash = NULL;
    }
}

void sv__steering_destroy(sv__steering *st)
{
    if (!st)
        return;
    clones_free(st->clones, st->nb_clones);
    free(st);
}

const sv__cdn_list *sv__steering_cdns(const sv__steering *st)
{
    return &st->cdns;
}

const int *sv__steering_order(const sv__steering *st)
{
    return st->order;
}

int sv__steering_priority(const sv__steering *st, int i)
{
    for (int k = 0; k < st->cdns.n; k++)
        if (st->order[k] == i)
            return k + 1;
    return st->cdns.n;
}

int sv__steering_clone_count(const sv__steering *st)
{
    return st->nb_clones;
}

static int find(const sv__steering *st, const char *id)
{
    for (int i = 0; i < st->cdns.n; i++)
        if (!strcmp(st->cdns.cdn[i].id, id))
            return i;
    return -1;
}

/* ---- clone validation: what players get must be usable as it is ---- */

static int in_set(const char *c, const char *set)
{
    return *c && strchr(set, *c) != NULL;
}

static int alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* A pathway id: 1..31 of the CDN id characters. */
static int valid_id(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > 31)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!id_char(s[i]))
            return 0;
    return 1;
}

/* "name[:port]" or "[v6][:port]": what replaces the host part of a URI. */
static int valid_host(const char *h)
{
    const char *port = NULL, *end;
    size_t n = strlen(h), d;
    long v;

    if (n == 0 || n > 255)
        return 0;
    if (h[0] == '[') {
        if (!(end = strchr(h, ']')) || end == h + 1)
            return 0;
        for (const char *p = h + 1; p < end; p++)
            if (!in_set(p, "0123456789abcdefABCDEF:."))
                return 0;
        if (end[1] == '\0')
            return 1;
        if (end[1] != ':')
            return 0;
        port = end + 2;
    } else {
        const char *colon = strchr(h, ':');
        size_t hl = colon ? (size_t)(colon - h) : n;

        if (hl == 0 || h[0] == '.' || h[0] == '-')
            return 0;
        for (size_t i = 0; i < hl; i++)
            if (!alnum(h[i]) && h[i] != '-' && h[i] != '.')
                return 0;
        if (!colon)
            return 1;
        port = colon + 1;
    }
    d = strspn(port, "0123456789");
    if (d == 0 || d > 5 || port[d])
        return 0;
    v = strtol(port, NULL, 10);
    return v >= 1 && v <= 65535;
}

/* Every character of s is alphanumeric or in `extra`. */
static int chars_ok(const char *s, const char *extra)
{
    for (; *s; s++)
        if (!alnum(*s) && !in_set(s, extra))
            return 0;
    return 1;
}

/* PARAMS: {"name":"value"}: RFC 3986 unreserved names, values of
 * unreserved characters and a few sub-delimiters, so a player can add
 * them to a query as they are. */
static int check_params(json_t *o, const char *where, char *err, size_t errlen)
{
    const char *k;
    json_t *v;

    if (!json_is_object(o) || json_object_size(o) == 0 || json_object_size(o) > 16) {
        snprintf(err, errlen, "%s.params must be an object of 1 to 16 \"name\": \"value\"",
                 where);
        return SV_ERR_INVALID;
    }
    json_object_foreach(o, k, v) {
        const char *s = json_string_value(v);

        if (strlen(k) == 0 || strlen(k) > 64 || !chars_ok(k, "-._~") || !s ||
            strlen(s) > 256 || !chars_ok(s, "-._~:+,@/")) {
            snprintf(err, errlen, "%s.params: names are 1..64 of [A-Za-z0-9-._~], values "
                     "strings of up to 256 of [A-Za-z0-9-._~:+,@/]", where);
            return SV_ERR_INVALID;
        }
    }
    return 0;
}

/* PER-VARIANT-URIS / PER-RENDITION-URIS: {"stable id": "http(s)://..."}. */
static int check_uris(json_t *o, const char *where, const char *key, char *err, size_t errlen)
{
    const char *k;
    json_t *v;

    if (!json_is_object(o) || json_object_size(o) == 0 || json_object_size(o) > 64) {
        snprintf(err, errlen, "%s.%s must be an object of 1 to 64 \"stable id\": \"URI\"",
                 where, key);
        return SV_ERR_INVALID;
    }
    json_object_foreach(o, k, v) {
        const char *s = json_string_value(v);
        size_t n = s ? strlen(s) : 0;
        int ok = strlen(k) > 0 && strlen(k) <= 64 && chars_ok(k, "+/=.-_") && s &&
                 n <= 1024 &&
                 ((!strncmp(s, "http://", 7) && n > 7) || (!strncmp(s, "https://", 8) && n > 8));

        for (size_t i = 0; ok && i < n; i++)
            ok = s[i] > ' ' && s[i] < 0x7f && !strchr("\"<>\\^`{|}", s[i]);
        if (!ok) {
            snprintf(err, errlen, "%s.%s: ids are 1..64 of [A-Za-z0-9+/=.-_], URIs absolute "
                     "http:// or https:// without blanks or quotes (up to 1024 characters)",
                     where, key);
            return SV_ERR_INVALID;
        }
    }
    return 0;
}

/* One element of 'clones' into c (its JSON owned by c on success). `taken`
 * holds the n ids already used (CDNs, earlier clones). */
static int parse_clone(const sv__steering *st, json_t *o, size_t idx, clone *c,
                       char taken[][32], int n, char *err, size_t errlen)
{
    static const char *const keys[] = {"base_id", "id", "host", "params", "per_variant_uris",
                                       "per_rendition_uris"};
    char where[32];
    const char *k, *id, *base, *host = NULL;
    json_t *v, *params, *pv, *pr;

    snprintf(where, sizeof(where), "'clones'[%zu]", idx);
    if (!json_is_object(o)) {
        snprintf(err, errlen, "%s must be an object", where);
        return SV_ERR_INVALID;
    }
    json_object_foreach(o, k, v) {
        size_t i = 0;

        while (i < sizeof(keys) / sizeof(keys[0]) && strcmp(k, keys[i]))
            i++;
        if (i == sizeof(keys) / sizeof(keys[0])) {
            snprintf(err, errlen, "%s: unknown key '%.40s'", where, k);
            return SV_ERR_INVALID;
        }
    }
    id = json_string_value(json_object_get(o, "id"));
    base = json_string_value(json_object_get(o, "base_id"));
    if (!id || !valid_id(id)) {
        snprintf(err, errlen, "%s.id must be 1 to 31 of [A-Za-z0-9_-]", where);
        return SV_ERR_INVALID;
    }
    for (int i = 0; i < n; i++)
        if (!strcmp(taken[i], id)) {
            snprintf(err, errlen, "%s.id '%s' is already a pathway", where, id);
            return SV_ERR_INVALID;
        }
    if (!base || find(st, base) < 0) {
        snprintf(err, errlen, "%s.base_id must be a configured CDN id", where);
        return SV_ERR_INVALID;
    }
    if ((v = json_object_get(o, "host")) && (!(host = json_string_value(v)) || !valid_host(host))) {
        snprintf(err, errlen, "%s.host must be a host name or address with an optional :port",
                 where);
        return SV_ERR_INVALID;
    }
    params = json_object_get(o, "params");
    pv = json_object_get(o, "per_variant_uris");
    pr = json_object_get(o, "per_rendition_uris");
    if ((params && check_params(params, where, err, errlen) < 0) ||
        (pv && check_uris(pv, where, "per_variant_uris", err, errlen) < 0) ||
        (pr && check_uris(pr, where, "per_rendition_uris", err, errlen) < 0))
        return SV_ERR_INVALID;
    if (!host && !params && !pv && !pr) {
        snprintf(err, errlen, "%s must replace something: host, params, per_variant_uris or "
                 "per_rendition_uris", where);
        return SV_ERR_INVALID;
    }
    memset(c, 0, sizeof(*c));
    snprintf(c->id, sizeof(c->id), "%s", id);
    snprintf(c->base_id, sizeof(c->base_id), "%s", base);
    if (!(c->repl = json_object()))
        return SV_ERR_NOMEM;
    if (host || params) {
        if (!(c->repl_dash = json_object()))
            goto nomem;
        if (host && (json_object_set_new(c->repl, "HOST", json_string(host)) < 0 ||
                     json_object_set_new(c->repl_dash, "HOST", json_string(host)) < 0))
            goto nomem;
        if (params && (json_object_set_new(c->repl, "PARAMS", json_deep_copy(params)) < 0 ||
                       json_object_set_new(c->repl_dash, "PARAMS", json_deep_copy(params)) < 0))
            goto nomem;
    }
    if ((pv && json_object_set_new(c->repl, "PER-VARIANT-URIS", json_deep_copy(pv)) < 0) ||
        (pr && json_object_set_new(c->repl, "PER-RENDITION-URIS", json_deep_copy(pr)) < 0))
        goto nomem;
    return 0;

nomem:
    clones_free(c, 1);
    return SV_ERR_NOMEM;
}

/* Pathway ids are at most 31 characters (checked where they come in). */
static void copy_id(char *dst, const char *src)
{
    size_t n = strnlen(src, 31);

    memcpy(dst, src, n);
    dst[n] = '\0';
}

static int index_of(char ids[][32], int n, const char *id)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(ids[i], id))
            return i;
    return -1;
}

int sv__steering_update(sv__steering *st, json_t *priority, json_t *clones, char *err,
                        size_t errlen)
{
    clone nc[SV__MAX_CLONES];
    char set[SV__MAX_PATHWAYS][32], base[SV__MAX_PATHWAYS][32], out[SV__MAX_PATHWAYS][32];
    int used[SV__MAX_PATHWAYS] = {0}, nnc = 0, nset = 0, nbase = 0, nout = 0, ret;
    json_t *v;
    size_t k;

    if (!priority && !clones) {
        snprintf(err, errlen, "give 'priority', 'clones' or both");
        return SV_ERR_INVALID;
    }
    for (int i = 0; i < st->cdns.n; i++)
        copy_id(set[nset++], st->cdns.cdn[i].id);
    if (clones) {
        if (!json_is_array(clones) || json_array_size(clones) > SV__MAX_CLONES) {
            snprintf(err, errlen, "'clones' must be an array of at most %d clones",
                     SV__MAX_CLONES);
            return SV_ERR_INVALID;
        }
        json_array_foreach(clones, k, v) {
            if ((ret = parse_clone(st, v, k, &nc[nnc], set, nset, err, errlen)) < 0)
                goto fail;
            copy_id(set[nset++], nc[nnc++].id);
        }
    } else {
        for (int i = 0; i < st->nb_clones; i++)
            copy_id(set[nset++], st->clones[i].id);
    }
    /* The current order of the pathways that stay, then the new ones. */
    for (int i = 0; i < st->nb_paths; i++)
        if (index_of(set, nset, st->paths[i]) >= 0)
            copy_id(base[nbase++], st->paths[i]);
    for (int i = 0; i < nset; i++)
        if (index_of(base, nbase, set[i]) < 0)
            copy_id(base[nbase++], set[i]);
    ret = SV_ERR_INVALID;
    if (priority) {
        if (!json_is_array(priority) || json_array_size(priority) == 0) {
            snprintf(err, errlen, "'priority' must be a non-empty array of pathway ids");
            goto fail;
        }
        json_array_foreach(priority, k, v) {
            int i = json_is_string(v) ? index_of(base, nbase, json_string_value(v)) : -1;

            if (i < 0) {
                snprintf(err, errlen, "'priority'[%zu] is not a configured CDN or clone id", k);
                goto fail;
            }
            if (used[i]) {
                snprintf(err, errlen, "'priority' names '%s' twice", base[i]);
                goto fail;
            }
            used[i] = 1;
            copy_id(out[nout++], base[i]);
        }
    }
    /* The ones not named keep their relative order, after the named ones. */
    for (int i = 0; i < nbase; i++)
        if (!used[i])
            copy_id(out[nout++], base[i]);
    if (clones) {
        clones_free(st->clones, st->nb_clones);
        memcpy(st->clones, nc, sizeof(nc[0]) * (size_t)nnc);
        st->nb_clones = nnc;
        nnc = 0; /* the table owns them now */
    }
    memcpy(st->paths, out, sizeof(out[0]) * (size_t)nout);
    st->nb_paths = nout;
    derive_order(st);
    ret = 0;
fail:
    clones_free(nc, nnc);
    return ret;
}

int sv__steering_set(sv__steering *st, json_t *priority, char *err, size_t errlen)
{
    if (!priority) {
        snprintf(err, errlen, "'priority' must be a non-empty array of pathway ids");
        return SV_ERR_INVALID;
    }
    return sv__steering_update(st, priority, NULL, err, errlen);
}

static const clone *clone_of(const sv__steering *st, const char *id)
{
    for (int i = 0; i < st->nb_clones; i++)
        if (!strcmp(st->clones[i].id, id))
            return &st->clones[i];
    return NULL;
}

json_t *sv__steering_json(const sv__steering *st, int dash, const char *reload_uri)
{
    json_t *prio = json_array(), *clones = json_array(), *root = NULL;

    if (!prio || !clones)
        goto fail;
    for (int k = 0; k < st->nb_paths; k++) {
        const clone *c = clone_of(st, st->paths[k]);

        if (c && dash && !c->repl_dash)
            continue; /* nothing DASH can replace: the clone would be its base */
        if (json_array_append_new(prio, json_string(st->paths[k])) < 0)
            goto fail;
    }
    for (int i = 0; i < st->nb_clones; i++) {
        const clone *c = &st->clones[i];
        json_t *repl = dash ? c->repl_dash : c->repl;

        if (repl && json_array_append_new(clones, json_pack("{s:s,s:s,s:O}", "BASE-ID",
                                                            c->base_id, "ID", c->id,
                                                            "URI-REPLACEMENT", repl)) < 0)
            goto fail;
    }
    /* "o" hands prio to the object, also when packing fails. */
    root = json_pack("{s:i,s:i,s:o}", "VERSION", 1, "TTL", st->ttl_s,
                     dash ? "SERVICE-LOCATION-PRIORITY" : "PATHWAY-PRIORITY", prio);
    prio = NULL;
    if (!root || (reload_uri &&
                  json_object_set_new(root, "RELOAD-URI", json_string(reload_uri)) < 0))
        goto fail;
    if (json_array_size(clones) > 0) {
        if (json_object_set_new(root, "PATHWAY-CLONES", clones) < 0) {
            clones = NULL;
            goto fail;
        }
        clones = NULL;
    }
    json_decref(clones);
    return root;

fail:
    json_decref(prio);
    json_decref(clones);
    json_decref(root);
    return NULL;
}
