/*
 * faultsrv_rules.c - scenario files (parsed with jansson) and rule matching.
 *
 * The parser is strict: unknown keys, wrong types and out-of-range values are
 * errors naming the JSON path ("rules[2].stall.after"), because a typo in a
 * scenario should fail the test that uses it, not silently disable a fault.
 */
#include <fnmatch.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "faultsrv_internal.h"

#define MAX_DELAY_MS (10LL * 60 * 1000)
#define MAX_BYTES    (1LL << 40)

static int is_token_char(unsigned char c)
{
    /* RFC 9110 tchar: what a header name or a method may contain. */
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

static int is_token(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!is_token_char((unsigned char)*s))
            return 0;
    return 1;
}

/* Checks that every key of `obj` is in the NULL-terminated `allowed` list. */
static int check_keys(json_t *obj, const char *const *allowed, const char *where,
                      char *err, size_t err_size)
{
    const char *key;
    json_t *val;

    json_object_foreach(obj, key, val) {
        size_t i;
        for (i = 0; allowed[i]; i++)
            if (!strcmp(key, allowed[i]))
                break;
        if (!allowed[i]) {
            sv__fault_set_err(err, err_size, "%s: unknown key \"%s\"", where, key);
            return SV_ERR_PARSE;
        }
    }
    return 0;
}

/* Reads an optional integer member into *out (left alone when absent). */
static int get_int(json_t *obj, const char *key, long long min, long long max,
                   long long *out, const char *where, char *err, size_t err_size)
{
    json_t *v = json_object_get(obj, key);
    long long x;

    if (!v)
        return 0;
    if (!json_is_integer(v)) {
        sv__fault_set_err(err, err_size, "%s.%s: expected an integer", where, key);
        return SV_ERR_PARSE;
    }
    x = (long long)json_integer_value(v);
    if (x < min || x > max) {
        sv__fault_set_err(err, err_size, "%s.%s: %lld is outside [%lld, %lld]", where, key, x, min, max);
        return SV_ERR_PARSE;
    }
    *out = x;
    return 0;
}

/* Reads an optional string member into a new copy in *out. */
static int get_str(json_t *obj, const char *key, size_t max_len, char **out,
                   size_t *out_len, const char *where, char *err, size_t err_size)
{
    json_t *v = json_object_get(obj, key);
    size_t len;

    if (!v)
        return 0;
    if (!json_is_string(v)) {
        sv__fault_set_err(err, err_size, "%s.%s: expected a string", where, key);
        return SV_ERR_PARSE;
    }
    len = json_string_length(v);
    /* Only a body may hold NUL bytes; in a name or a pattern one would
     * silently cut the string short. */
    if (!out_len && strlen(json_string_value(v)) != len) {
        sv__fault_set_err(err, err_size, "%s.%s: contains a NUL character", where, key);
        return SV_ERR_PARSE;
    }
    if (len > max_len) {
        sv__fault_set_err(err, err_size, "%s.%s: longer than %zu bytes", where, key, max_len);
        return SV_ERR_PARSE;
    }
    *out = malloc(len + 1);
    if (!*out) {
        sv__fault_set_err(err, err_size, "out of memory");
        return SV_ERR_NOMEM;
    }
    memcpy(*out, json_string_value(v), len);
    (*out)[len] = '\0';
    if (out_len)
        *out_len = len;
    return 0;
}

static void rule_clear(sv__fault_rule *r)
{
    size_t i;

    free(r->name);
    free(r->match);
    free(r->method);
    free(r->body);
    for (i = 0; i < r->n_headers; i++) {
        free(r->headers[i].name);
        free(r->headers[i].value);
    }
    free(r->headers);
}

static int parse_headers(json_t *obj, sv__fault_rule *r, const char *where,
                         char *err, size_t err_size)
{
    const char *key;
    json_t *val;

    if (!json_is_object(obj)) {
        sv__fault_set_err(err, err_size, "%s.headers: expected an object of strings", where);
        return SV_ERR_PARSE;
    }
    if (json_object_size(obj) > SV__FAULT_MAX_RULE_HDRS) {
        sv__fault_set_err(err, err_size, "%s.headers: more than %d headers", where,
                SV__FAULT_MAX_RULE_HDRS);
        return SV_ERR_PARSE;
    }
    r->headers = calloc(json_object_size(obj) + 1, sizeof(*r->headers));
    if (!r->headers)
        goto nomem;
    json_object_foreach(obj, key, val) {
        sv__fault_header *h = &r->headers[r->n_headers];
        const char *s = json_string_value(val);

        if (!is_token(key) || strlen(key) > 64) {
            sv__fault_set_err(err, err_size, "%s.headers: \"%s\" is not a valid header name", where, key);
            return SV_ERR_PARSE;
        }
        /* The server owns framing; lies about length have their own keys. */
        if (!strcasecmp(key, "Content-Length") || !strcasecmp(key, "Connection") ||
            !strcasecmp(key, "Transfer-Encoding")) {
            sv__fault_set_err(err, err_size, "%s.headers: \"%s\" is set by the server "
                    "(use content_length or content_length_delta to lie about the length)",
                    where, key);
            return SV_ERR_PARSE;
        }
        /* The value goes into the response verbatim: a CR or LF in it would
         * split the header block, so refuse them. */
        if (!s || strlen(s) != json_string_length(val) || strlen(s) > 1024 ||
            strpbrk(s, "\r\n")) {
            sv__fault_set_err(err, err_size,
                    "%s.headers.%s: expected a string of at most 1024 bytes without CR, LF or NUL",
                    where, key);
            return SV_ERR_PARSE;
        }
        h->name = strdup(key);
        h->value = strdup(s);
        r->n_headers++;
        if (!h->name || !h->value)
            goto nomem;
    }
    return 0;

nomem:
    sv__fault_set_err(err, err_size, "out of memory");
    return SV_ERR_NOMEM;
}

static int parse_rule(json_t *obj, sv__fault_rule *r, const char *where,
                      char *err, size_t err_size)
{
    static const char *const keys[] = {
        "name", "comment", "match", "method", "times", "status", "body", "headers",
        "delay_ms", "rate", "stall", "reset_after", "truncate_after",
        "content_length", "content_length_delta", NULL
    };
    static const char *const stall_keys[] = { "after", "ms", NULL };
    long long status = 0;
    json_t *v;
    int ret;
    char sub[96];

    r->times = -1;
    r->stall_after = -1;
    r->stall_ms = -1;
    r->reset_after = -1;
    r->truncate_after = -1;

    if (!json_is_object(obj)) {
        sv__fault_set_err(err, err_size, "%s: expected an object", where);
        return SV_ERR_PARSE;
    }
    if ((ret = check_keys(obj, keys, where, err, err_size)) < 0)
        return ret;
    if (!json_object_get(obj, "match")) {
        sv__fault_set_err(err, err_size, "%s: missing \"match\" (a glob on the URL path)", where);
        return SV_ERR_PARSE;
    }
    v = json_object_get(obj, "comment");
    if (v && !json_is_string(v)) {
        sv__fault_set_err(err, err_size, "%s.comment: expected a string", where);
        return SV_ERR_PARSE;
    }
    if ((ret = get_str(obj, "match", 1024, &r->match, NULL, where, err, err_size)) < 0 ||
        (ret = get_str(obj, "name", 128, &r->name, NULL, where, err, err_size)) < 0 ||
        (ret = get_str(obj, "method", 32, &r->method, NULL, where, err, err_size)) < 0 ||
        (ret = get_str(obj, "body", SV__FAULT_MAX_RULE_BODY, &r->body, &r->body_len,
                       where, err, err_size)) < 0 ||
        (ret = get_int(obj, "times", 1, LLONG_MAX, &r->times, where, err, err_size)) < 0 ||
        (ret = get_int(obj, "status", 200, 599, &status, where, err, err_size)) < 0 ||
        (ret = get_int(obj, "delay_ms", 0, MAX_DELAY_MS, &r->delay_ms, where, err, err_size)) < 0 ||
        (ret = get_int(obj, "rate", 1, 1000000000LL, &r->rate, where, err, err_size)) < 0 ||
        (ret = get_int(obj, "reset_after", 0, MAX_BYTES, &r->reset_after,
                       where, err, err_size)) < 0 ||
        (ret = get_int(obj, "truncate_after", 0, MAX_BYTES, &r->truncate_after,
                       where, err, err_size)) < 0)
        return ret;
    r->status = (int)status;
    if (r->match[0] != '/' && r->match[0] != '*') {
        sv__fault_set_err(err, err_size, "%s.match: \"%s\" must start with '/' or '*'", where, r->match);
        return SV_ERR_PARSE;
    }
    if (r->method && !is_token(r->method)) {
        sv__fault_set_err(err, err_size, "%s.method: \"%s\" is not a method name", where, r->method);
        return SV_ERR_PARSE;
    }
    if (r->body && !r->status) {
        sv__fault_set_err(err, err_size, "%s.body: only allowed together with \"status\"", where);
        return SV_ERR_PARSE;
    }
    if ((v = json_object_get(obj, "headers")) &&
        (ret = parse_headers(v, r, where, err, err_size)) < 0)
        return ret;

    if ((v = json_object_get(obj, "stall"))) {
        snprintf(sub, sizeof(sub), "%s.stall", where);
        if (!json_is_object(v)) {
            sv__fault_set_err(err, err_size, "%s: expected an object {\"after\": bytes, \"ms\": ms}", sub);
            return SV_ERR_PARSE;
        }
        if ((ret = check_keys(v, stall_keys, sub, err, err_size)) < 0 ||
            (ret = get_int(v, "after", 0, MAX_BYTES, &r->stall_after, sub, err, err_size)) < 0 ||
            (ret = get_int(v, "ms", 1, MAX_DELAY_MS, &r->stall_ms, sub, err, err_size)) < 0)
            return ret;
        if (r->stall_after < 0) {
            sv__fault_set_err(err, err_size, "%s: missing \"after\" (body bytes before the stall)", sub);
            return SV_ERR_PARSE;
        }
    }

    if (json_object_get(obj, "content_length") && json_object_get(obj, "content_length_delta")) {
        sv__fault_set_err(err, err_size,
                "%s: \"content_length\" and \"content_length_delta\" exclude each other", where);
        return SV_ERR_PARSE;
    }
    if (json_object_get(obj, "content_length")) {
        r->cl_mode = SV__FAULT_CL_VALUE;
        ret = get_int(obj, "content_length", 0, MAX_BYTES, &r->cl_arg, where, err, err_size);
    } else if (json_object_get(obj, "content_length_delta")) {
        r->cl_mode = SV__FAULT_CL_DELTA;
        ret = get_int(obj, "content_length_delta", -MAX_BYTES, MAX_BYTES, &r->cl_arg,
                      where, err, err_size);
    }
    if (ret < 0)
        return ret;

    if (!r->name && !(r->name = strdup(r->match))) {
        sv__fault_set_err(err, err_size, "out of memory");
        return SV_ERR_NOMEM;
    }
    return 0;
}

static int parse_rules(json_t *arr, sv__fault_rules **out, char *err, size_t err_size)
{
    sv__fault_rules *rules = NULL;
    size_t i;
    int ret = SV_ERR_PARSE;
    char where[32];

    if (!json_is_array(arr)) {
        sv__fault_set_err(err, err_size, "rules: expected an array");
        goto fail;
    }
    if (json_array_size(arr) > SV__FAULT_MAX_RULES) {
        sv__fault_set_err(err, err_size, "rules: more than %d rules", SV__FAULT_MAX_RULES);
        goto fail;
    }
    ret = SV_ERR_NOMEM;
    rules = calloc(1, sizeof(*rules));
    if (!rules || !(rules->v = calloc(json_array_size(arr) + 1, sizeof(*rules->v)))) {
        sv__fault_set_err(err, err_size, "out of memory");
        goto fail;
    }
    rules->refs = 1;
    for (i = 0; i < json_array_size(arr); i++) {
        snprintf(where, sizeof(where), "rules[%zu]", i);
        /* Count the rule first so that a half-parsed one is freed too. */
        rules->n++;
        if ((ret = parse_rule(json_array_get(arr, i), &rules->v[i], where, err, err_size)) < 0)
            goto fail;
    }
    *out = rules;
    return 0;

fail:
    sv__fault_rules_unref(rules);
    return ret;
}

static int parse_expect(json_t *arr, json_t **out, char *err, size_t err_size)
{
    static const char *const keys[] = {
        "method", "path", "query", "range", "status", "bytes", "rule", "end", "conn", NULL
    };
    static const char *const str_keys[] = { "method", "path", "query", "range", "rule", NULL };
    static const char *const int_keys[] = { "status", "bytes", "conn", NULL };
    size_t i, k;
    char where[32];
    int ret;

    if (!json_is_array(arr)) {
        sv__fault_set_err(err, err_size, "expect: expected an array");
        return SV_ERR_PARSE;
    }
    if (json_array_size(arr) > SV__FAULT_MAX_EXPECT) {
        sv__fault_set_err(err, err_size, "expect: more than %d entries", SV__FAULT_MAX_EXPECT);
        return SV_ERR_PARSE;
    }
    for (i = 0; i < json_array_size(arr); i++) {
        json_t *e = json_array_get(arr, i);
        json_t *end;

        snprintf(where, sizeof(where), "expect[%zu]", i);
        if (!json_is_object(e)) {
            sv__fault_set_err(err, err_size, "%s: expected an object", where);
            return SV_ERR_PARSE;
        }
        if ((ret = check_keys(e, keys, where, err, err_size)) < 0)
            return ret;
        for (k = 0; str_keys[k]; k++) {
            json_t *v = json_object_get(e, str_keys[k]);
            if (v && !json_is_string(v) && !json_is_null(v)) {
                sv__fault_set_err(err, err_size, "%s.%s: expected a string or null", where, str_keys[k]);
                return SV_ERR_PARSE;
            }
        }
        for (k = 0; int_keys[k]; k++) {
            json_t *v = json_object_get(e, int_keys[k]);
            if (v && !json_is_integer(v)) {
                sv__fault_set_err(err, err_size, "%s.%s: expected an integer", where, int_keys[k]);
                return SV_ERR_PARSE;
            }
        }
        if ((end = json_object_get(e, "end"))) {
            int e_ok = 0;
            for (k = 0; k <= SV__FAULT_END_ABORTED; k++)
                if (json_is_string(end) &&
                    !strcmp(json_string_value(end), sv__fault_end_name((sv__fault_end)k)))
                    e_ok = 1;
            if (!e_ok) {
                sv__fault_set_err(err, err_size,
                        "%s.end: expected one of complete, reset, truncated, stalled, "
                        "client-closed, aborted", where);
                return SV_ERR_PARSE;
            }
        }
    }
    *out = json_incref(arr);
    return 0;
}

int sv__fault_scenario_parse(const char *data, size_t len, const char *base_dir,
                             int runtime, sv__fault_scenario **out,
                             char *err, size_t err_size)
{
    static const char *const keys[] = { "description", "root", "rules", "expect", NULL };
    sv__fault_scenario *sc = NULL;
    json_error_t jerr;
    json_t *doc = NULL, *v;
    int ret = SV_ERR_PARSE;

    if (!data || !out)
        return SV_ERR_INVALID;
    /* Duplicate keys are refused: the second "rules" would silently win. */
    doc = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc) {
        sv__fault_set_err(err, err_size, "line %d, column %d: %s", jerr.line, jerr.column, jerr.text);
        goto fail;
    }
    ret = SV_ERR_NOMEM;
    if (!(sc = calloc(1, sizeof(*sc)))) {
        sv__fault_set_err(err, err_size, "out of memory");
        goto fail;
    }
    ret = SV_ERR_PARSE;
    if (runtime && json_is_array(doc)) {
        if ((ret = parse_rules(doc, &sc->rules, err, err_size)) < 0)
            goto fail;
        goto done;
    }
    if (!json_is_object(doc)) {
        sv__fault_set_err(err, err_size, "expected a JSON object with \"rules\"%s",
                runtime ? " or an array of rules" : "");
        goto fail;
    }
    if ((ret = check_keys(doc, keys, "scenario", err, err_size)) < 0)
        goto fail;
    ret = SV_ERR_PARSE;
    if ((v = json_object_get(doc, "description")) && !json_is_string(v)) {
        sv__fault_set_err(err, err_size, "description: expected a string");
        goto fail;
    }
    if ((v = json_object_get(doc, "root"))) {
        const char *root = json_string_value(v);
        size_t need;

        if (runtime) {
            sv__fault_set_err(err, err_size, "root: cannot be changed while the server runs");
            goto fail;
        }
        if (!root || !*root || strlen(root) != json_string_length(v) || strlen(root) > 4096) {
            sv__fault_set_err(err, err_size, "root: expected a non-empty path");
            goto fail;
        }
        ret = SV_ERR_NOMEM;
        if (root[0] == '/' || !base_dir || !*base_dir) {
            sc->root = strdup(root);
        } else {
            need = strlen(base_dir) + strlen(root) + 2;
            if ((sc->root = malloc(need)))
                snprintf(sc->root, need, "%s/%s", base_dir, root);
        }
        if (!sc->root) {
            sv__fault_set_err(err, err_size, "out of memory");
            goto fail;
        }
    }
    if ((v = json_object_get(doc, "rules"))) {
        if ((ret = parse_rules(v, &sc->rules, err, err_size)) < 0)
            goto fail;
    }
    if ((v = json_object_get(doc, "expect"))) {
        if ((ret = parse_expect(v, &sc->expect, err, err_size)) < 0)
            goto fail;
    }

done:
    if (!sc->rules) {
        ret = SV_ERR_NOMEM;
        if (!(sc->rules = calloc(1, sizeof(*sc->rules)))) {
            sv__fault_set_err(err, err_size, "out of memory");
            goto fail;
        }
        sc->rules->refs = 1;
    }
    json_decref(doc);
    *out = sc;
    return 0;

fail:
    sv__fault_scenario_free(sc);
    json_decref(doc);
    return ret;
}

int sv__fault_scenario_load(const char *path, sv__fault_scenario **out,
                            char *err, size_t err_size)
{
    FILE *f = NULL;
    char *data = NULL, *dir = NULL, *slash;
    size_t len = 0;
    int ret = SV_ERR_IO;
    char msg[384];

    if (!path || !out)
        return SV_ERR_INVALID;
    if (!(f = fopen(path, "rb"))) {
        sv__fault_set_err(err, err_size, "%s: cannot open", path);
        goto fail;
    }
    /* One byte over the limit tells "too big" from "exactly the limit". */
    if (!(data = malloc(SV__FAULT_MAX_SCENARIO + 1))) {
        ret = SV_ERR_NOMEM;
        sv__fault_set_err(err, err_size, "out of memory");
        goto fail;
    }
    len = fread(data, 1, SV__FAULT_MAX_SCENARIO + 1, f);
    if (ferror(f)) {
        sv__fault_set_err(err, err_size, "%s: read error", path);
        goto fail;
    }
    if (len > SV__FAULT_MAX_SCENARIO) {
        ret = SV_ERR_PARSE;
        sv__fault_set_err(err, err_size, "%s: larger than %d bytes", path, SV__FAULT_MAX_SCENARIO);
        goto fail;
    }
    if (!(dir = malloc(strlen(path) + 2))) {
        ret = SV_ERR_NOMEM;
        sv__fault_set_err(err, err_size, "out of memory");
        goto fail;
    }
    strcpy(dir, path);
    /* A relative "root" is relative to the scenario's folder. */
    slash = strrchr(dir, '/');
    if (!slash)
        strcpy(dir, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
    ret = sv__fault_scenario_parse(data, len, dir, 0, out, msg, sizeof(msg));
    if (ret < 0)
        sv__fault_set_err(err, err_size, "%s: %s", path, msg);

fail:
    if (f)
        fclose(f);
    free(data);
    free(dir);
    return ret;
}

void sv__fault_scenario_free(sv__fault_scenario *sc)
{
    if (!sc)
        return;
    free(sc->root);
    sv__fault_rules_unref(sc->rules);
    json_decref(sc->expect);
    free(sc);
}

sv__fault_rules *sv__fault_rules_ref(sv__fault_rules *rules)
{
    if (rules)
        rules->refs++;
    return rules;
}

void sv__fault_rules_unref(sv__fault_rules *rules)
{
    size_t i;

    if (!rules || --rules->refs > 0)
        return;
    for (i = 0; i < rules->n; i++)
        rule_clear(&rules->v[i]);
    free(rules->v);
    free(rules);
}

sv__fault_rule *sv__fault_rules_match_locked(sv__fault_rules *rules,
                                             const char *method, const char *path)
{
    size_t i;

    if (!rules || !method || !path)
        return NULL;
    for (i = 0; i < rules->n; i++) {
        sv__fault_rule *r = &rules->v[i];

        if (r->method && strcmp(r->method, method))
            continue;
        /* No FNM_PATHNAME: '*' also matches '/', so one star after
         * "/video/" covers "/video/hd/seg.m4s" as well. */
        if (fnmatch(r->match, path, 0) != 0)
            continue;
        /* A rule whose `times` is used up steps aside for the next one. */
        if (r->times >= 0 && r->hits >= r->times)
            continue;
        r->hits++;
        return r;
    }
    return NULL;
}

void sv__fault_rules_reset_hits_locked(sv__fault_rules *rules)
{
    size_t i;

    for (i = 0; rules && i < rules->n; i++)
        rules->v[i].hits = 0;
}
