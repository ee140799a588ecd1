/*
 * HLS interstitials: the X- attributes of an interstitial DATERANGE, and
 * the X-ASSET-LIST document (interstitial.h).
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "player/manifest/hls.h"
#include "player/manifest/interstitial.h"
#include "player/manifest/url.h"

#define MAX_ATTRS 64

static int is(const sv__hls_attr *a, const char *name)
{
    return a->name_len == strlen(name) && !memcmp(a->name, name, a->name_len);
}

/* A quoted value copied into buf[cap]; -1 when unquoted or too long. */
static int quoted(const sv__hls_attr *a, char *buf, size_t cap)
{
    if (!a->quoted || a->value_len >= cap)
        return -1;
    memcpy(buf, a->value, a->value_len);
    buf[a->value_len] = '\0';
    return 0;
}

/* A decimal-floating-point number >= 0; -1 otherwise. */
static int seconds(const sv__hls_attr *a, double *out)
{
    char buf[64], *end;
    if (a->quoted || !a->value_len || a->value_len >= sizeof(buf))
        return -1;
    memcpy(buf, a->value, a->value_len);
    buf[a->value_len] = '\0';
    *out = strtod(buf, &end);
    return *end || !isfinite(*out) || *out < 0 ? -1 : 0;
}

/* A quoted, comma-separated list of names into flags; unknown names are
 * ignored (the draft lets a list grow). */
static int flags_of(const sv__hls_attr *a, const char *const *names, const int *bits, int n)
{
    char buf[256];
    int f = 0;
    if (quoted(a, buf, sizeof(buf)) < 0)
        return -1;
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        while (*t == ' ')
            t++;
        for (int i = 0; i < n; i++)
            if (!strncmp(t, names[i], strlen(names[i])) &&
                (t[strlen(names[i])] == '\0' || t[strlen(names[i])] == ' '))
                f |= bits[i];
    }
    return f;
}

static int resolve(const char *base, const sv__hls_attr *a, char *out, size_t cap)
{
    char ref[SV__INTERSTITIAL_URL_MAX];
    if (quoted(a, ref, sizeof(ref)) < 0 || !ref[0])
        return -1;
    return sv__url_resolve_buf(base, ref, out, cap) < 0 ? -1 : 0;
}

static int bad(char *why, size_t cap, const char *what)
{
    snprintf(why, cap, "%s", what);
    return SV_ERR_PARSE;
}

int sv__interstitial_read(const char *attrs, const char *base, sv__interstitial_desc *out,
                          char *why, size_t cap)
{
    static const char *const restricts[] = { "SKIP", "JUMP" };
    static const int restrict_bits[] = { SV__RESTRICT_SKIP, SV__RESTRICT_JUMP };
    static const char *const cues[] = { "PRE", "POST", "ONCE" };
    static const int cue_bits[] = { SV__CUE_PRE, SV__CUE_POST, SV__CUE_ONCE };
    sv__hls_attr a[MAX_ATTRS];
    int n = attrs ? sv__hls_attrs_split(attrs, strlen(attrs), a, MAX_ATTRS) : SV_ERR_PARSE;

    memset(out, 0, sizeof(*out));
    out->resume_offset = out->playout_limit = -1;
    if (n < 0)
        return bad(why, cap, "the attribute list does not parse");
    for (int i = 0; i < n; i++) {
        if (is(&a[i], "X-ASSET-URI")) {
            if (resolve(base, &a[i], out->asset_uri, sizeof(out->asset_uri)) < 0)
                return bad(why, cap, "X-ASSET-URI is not a quoted URI that resolves");
        } else if (is(&a[i], "X-ASSET-LIST")) {
            if (resolve(base, &a[i], out->list_uri, sizeof(out->list_uri)) < 0)
                return bad(why, cap, "X-ASSET-LIST is not a quoted URI that resolves");
        } else if (is(&a[i], "X-RESUME-OFFSET")) {
            /* A signed number in the draft; a negative offset is not played. */
            if (seconds(&a[i], &out->resume_offset) < 0)
                return bad(why, cap, "X-RESUME-OFFSET is not a number of seconds >= 0");
        } else if (is(&a[i], "X-PLAYOUT-LIMIT")) {
            if (seconds(&a[i], &out->playout_limit) < 0 || out->playout_limit <= 0)
                return bad(why, cap, "X-PLAYOUT-LIMIT is not a number of seconds > 0");
        } else if (is(&a[i], "X-RESTRICT")) {
            if ((out->restrict_flags = flags_of(&a[i], restricts, restrict_bits, 2)) < 0)
                return bad(why, cap, "X-RESTRICT is not a quoted list");
        } else if (is(&a[i], "CUE")) {
            if ((out->cue = flags_of(&a[i], cues, cue_bits, 3)) < 0)
                return bad(why, cap, "CUE is not a quoted list");
        }
    }
    if (!out->asset_uri[0] == !out->list_uri[0])
        return bad(why, cap, out->asset_uri[0] ? "both X-ASSET-URI and X-ASSET-LIST are given"
                                               : "neither X-ASSET-URI nor X-ASSET-LIST is given");
    if ((out->cue & SV__CUE_PRE) && (out->cue & SV__CUE_POST))
        return bad(why, cap, "CUE names both PRE and POST");
    return 0;
}

/* One entry of ASSETS into out: 0, or SV_ERR_PARSE with why. */
static int read_asset(json_t *e, size_t i, const char *base, sv__asset *out, char *why,
                      size_t cap)
{
    json_t *uri = json_object_get(e, "URI"), *dur = json_object_get(e, "DURATION");
    if (!json_is_object(e) || !json_is_string(uri) || !json_string_length(uri)) {
        snprintf(why, cap, "ASSETS[%zu] has no URI string", i);
        return SV_ERR_PARSE;
    }
    if (sv__url_resolve_buf(base, json_string_value(uri), out->uri, sizeof(out->uri)) < 0) {
        snprintf(why, cap, "ASSETS[%zu].URI \"%.200s\" is not a URI that resolves", i,
                 json_string_value(uri));
        return SV_ERR_PARSE;
    }
    out->duration = -1;
    if (dur && (!json_is_number(dur) || !isfinite(json_number_value(dur)) ||
                json_number_value(dur) < 0)) {
        snprintf(why, cap, "ASSETS[%zu].DURATION is not a number of seconds >= 0", i);
        return SV_ERR_PARSE;
    }
    if (dur)
        out->duration = json_number_value(dur);
    return 0;
}

int sv__asset_list_parse(const char *data, size_t len, const char *base, sv__asset *out,
                         size_t cap, size_t *n, char *why, size_t why_cap)
{
    json_error_t jerr;
    int ret = SV_ERR_PARSE;
    *n = 0;
    json_t *root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        snprintf(why, why_cap, "not JSON: line %d: %s", jerr.line, jerr.text);
        return SV_ERR_PARSE;
    }
    json_t *assets = json_object_get(root, "ASSETS");
    size_t count = json_array_size(assets);
    if (!json_is_array(assets))
        snprintf(why, why_cap, "no ASSETS array");
    else if (count == 0)
        snprintf(why, why_cap, "ASSETS is empty");
    else if (count > cap)
        snprintf(why, why_cap, "ASSETS has %zu entries, more than the %zu played", count, cap);
    else
        ret = 0;
    for (size_t i = 0; ret == 0 && i < count; i++)
        ret = read_asset(json_array_get(assets, i), i, base, &out[i], why, why_cap);
    if (ret == 0)
        *n = count;
    json_decref(root);
    return ret;
}
