#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/api_params.h"
#include "backend/http_util.h"
#include "streamverse/common.h"

/* Text fields must be printable UTF-8 without control characters (they end
 * up in playlists of other tools and in terminals). */
static int text_ok(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 0;
    return 1;
}

/* Reads an optional query parameter: 1 found, 0 absent, <0 error (err set). */
static int get(const char *q, size_t len, const char *name, int index, char *out, size_t cap,
               char *err, size_t errlen)
{
    int r = sv__http_query_get(q, len, name, index, out, cap);

    if (r == SV_ERR_NOT_FOUND) {
        out[0] = '\0';
        return 0;
    }
    if (r < 0 || !text_ok(out)) {
        snprintf(err, errlen, "parameter '%s' is %s", name,
                 r == SV_ERR_OVERFLOW ? "too long" : "malformed");
        return SV_ERR_INVALID;
    }
    return 1;
}

int sv__ingest_params_parse(const char *query, size_t len, sv__ingest_params *out, char *err,
                            size_t errlen)
{
    int r;

    memset(out, 0, sizeof(*out));
    if ((r = get(query, len, "title", 0, out->title, sizeof(out->title), err, errlen)) < 0)
        return r;
    if (!r || !out->title[0]) {
        snprintf(err, errlen, "parameter 'title' is required");
        return SV_ERR_INVALID;
    }
    if (get(query, len, "synopsis", 0, out->synopsis, sizeof(out->synopsis), err, errlen) < 0)
        return SV_ERR_INVALID;
    for (int i = 0;; i++) {
        char g[64];

        if ((r = get(query, len, "genre", i, g, sizeof(g), err, errlen)) < 0)
            return r;
        if (!r)
            break;
        if (!g[0])
            continue;
        if (out->nb_genres == SV__MAX_GENRES) {
            snprintf(err, errlen, "at most %d genres", SV__MAX_GENRES);
            return SV_ERR_INVALID;
        }
        memcpy(out->genres[out->nb_genres++], g, sizeof(g));
    }
    if ((r = get(query, len, "drm", 0, out->drm, sizeof(out->drm), err, errlen)) < 0)
        return r;
    if (r && strcmp(out->drm, "none") && strcmp(out->drm, "cenc") && strcmp(out->drm, "cbcs")) {
        snprintf(err, errlen, "parameter 'drm' must be none, cenc or cbcs");
        return SV_ERR_INVALID;
    }
    return 0;
}

static int get_int(const char *q, size_t len, const char *name, int lo, int hi, int *out,
                   char *err, size_t errlen)
{
    char v[32], *end;
    long n;
    int r = get(q, len, name, 0, v, sizeof(v), err, errlen);

    if (r <= 0)
        return r;
    n = strtol(v, &end, 10);
    if (end == v || *end || n < lo || n > hi) {
        snprintf(err, errlen, "parameter '%s' must be an integer from %d to %d", name, lo, hi);
        return SV_ERR_INVALID;
    }
    *out = (int)n;
    return 1;
}

int sv__list_params_parse(const char *query, size_t len, sv__list_params *out, char *err,
                          size_t errlen)
{
    char status[16];
    int r;

    memset(out, 0, sizeof(*out));
    out->limit = 20;
    if (get(query, len, "q", 0, out->q, sizeof(out->q), err, errlen) < 0 ||
        get(query, len, "genre", 0, out->genre, sizeof(out->genre), err, errlen) < 0 ||
        get_int(query, len, "limit", 1, 100, &out->limit, err, errlen) < 0 ||
        get_int(query, len, "offset", 0, 1000000, &out->offset, err, errlen) < 0 ||
        (r = get(query, len, "status", 0, status, sizeof(status), err, errlen)) < 0)
        return SV_ERR_INVALID;
    if (r && strcmp(status, "ready") != 0) {
        if (strcmp(status, "all") != 0) {
            snprintf(err, errlen, "parameter 'status' must be 'ready' or 'all'");
            return SV_ERR_INVALID;
        }
        out->all = 1;
    }
    return 0;
}

static int string_field(json_t *v, const char *name, size_t min, size_t max, const char **out,
                        char *err, size_t errlen)
{
    size_t n;

    if (!json_is_string(v) || (n = json_string_length(v)) < min || n > max ||
        strlen(json_string_value(v)) != n || !text_ok(json_string_value(v))) {
        snprintf(err, errlen, "'%s' must be a string of %zu to %zu characters", name, min, max);
        return SV_ERR_INVALID;
    }
    *out = json_string_value(v);
    return 0;
}

int sv__title_patch_parse(const char *body, size_t len, sv__title_patch *out, char *err,
                          size_t errlen)
{
    json_error_t jerr;
    const char *key;
    json_t *v;

    memset(out, 0, sizeof(*out));
    if (!(out->root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr))) {
        snprintf(err, errlen, "invalid JSON at line %d column %d: %s", jerr.line, jerr.column,
                 jerr.text);
        return SV_ERR_INVALID;
    }
    if (!json_is_object(out->root) || json_object_size(out->root) == 0) {
        snprintf(err, errlen, "the body must be a JSON object with title, synopsis or genres");
        goto fail;
    }
    json_object_foreach(out->root, key, v) {
        if (!strcmp(key, "title")) {
            if (string_field(v, "title", 1, 255, &out->title, err, errlen) < 0)
                goto fail;
        } else if (!strcmp(key, "synopsis")) {
            if (string_field(v, "synopsis", 0, 4095, &out->synopsis, err, errlen) < 0)
                goto fail;
        } else if (!strcmp(key, "genres")) {
            size_t i;
            json_t *g;
            const char *s;

            if (!json_is_array(v) || json_array_size(v) > SV__MAX_GENRES) {
                snprintf(err, errlen, "'genres' must be an array of at most %d strings",
                         SV__MAX_GENRES);
                goto fail;
            }
            json_array_foreach(v, i, g)
                if (string_field(g, "genres[]", 1, 63, &s, err, errlen) < 0)
                    goto fail;
            out->genres = v;
        } else {
            snprintf(err, errlen, "unknown field '%.64s'", key);
            goto fail;
        }
    }
    return 0;
fail:
    json_decref(out->root);
    memset(out, 0, sizeof(*out));
    return SV_ERR_INVALID;
}

int64_t sv__parse_id(const char *s)
{
    char *end;
    long long v;

    if (!s[0] || s[0] < '1' || s[0] > '9' || strlen(s) > 18)
        return -1;
    v = strtoll(s, &end, 10);
    return *end ? -1 : (int64_t)v;
}
