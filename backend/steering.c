/*
 * steering.c - the CDN list and the content steering manifest (steering.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/steering.h"
#include "streamverse/common.h"

struct sv__steering {
    sv__cdn_list cdns;
    int order[SV__MAX_CDNS]; /* CDN indices, best first */
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

int sv__steering_create(const sv__cdn_list *cdns, int ttl_s, sv__steering **out)
{
    sv__steering *st = calloc(1, sizeof(*st));

    if (!st)
        return SV_ERR_NOMEM;
    st->cdns = *cdns;
    st->ttl_s = ttl_s;
    for (int i = 0; i < cdns->n; i++)
        st->order[i] = i;
    *out = st;
    return 0;
}

void sv__steering_destroy(sv__steering *st)
{
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

static int find(const sv__steering *st, const char *id)
{
    for (int i = 0; i < st->cdns.n; i++)
        if (!strcmp(st->cdns.cdn[i].id, id))
            return i;
    return -1;
}

int sv__steering_set(sv__steering *st, json_t *priority, char *err, size_t errlen)
{
    int order[SV__MAX_CDNS], used[SV__MAX_CDNS] = {0}, n = 0;
    json_t *v;
    size_t k;

    if (!json_is_array(priority) || json_array_size(priority) == 0) {
        snprintf(err, errlen, "'priority' must be a non-empty array of CDN ids");
        return SV_ERR_INVALID;
    }
    json_array_foreach(priority, k, v) {
        int i = json_is_string(v) ? find(st, json_string_value(v)) : -1;

        if (i < 0) {
            snprintf(err, errlen, "'priority'[%zu] is not a configured CDN id", k);
            return SV_ERR_INVALID;
        }
        if (used[i]) {
            snprintf(err, errlen, "'priority' names '%s' twice", st->cdns.cdn[i].id);
            return SV_ERR_INVALID;
        }
        used[i] = 1;
        order[n++] = i;
    }
    /* The ones not named keep their relative order, after the named ones. */
    for (int j = 0; j < st->cdns.n; j++)
        if (!used[st->order[j]])
            order[n++] = st->order[j];
    memcpy(st->order, order, sizeof(int) * (size_t)n);
    return 0;
}

json_t *sv__steering_json(const sv__steering *st, int dash, const char *reload_uri)
{
    json_t *prio = json_array(), *root;

    if (!prio)
        return NULL;
    for (int k = 0; k < st->cdns.n; k++)
        if (json_array_append_new(prio, json_string(st->cdns.cdn[st->order[k]].id)) < 0) {
            json_decref(prio);
            return NULL;
        }
    /* "o" hands prio to the object, also when packing fails. */
    root = json_pack("{s:i,s:i,s:o}", "VERSION", 1, "TTL", st->ttl_s,
                     dash ? "SERVICE-LOCATION-PRIORITY" : "PATHWAY-PRIORITY", prio);
    if (root && reload_uri &&
        json_object_set_new(root, "RELOAD-URI", json_string(reload_uri)) < 0) {
        json_decref(root);
        return NULL;
    }
    return root;
}
