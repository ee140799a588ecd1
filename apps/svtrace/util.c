/*
 * util.c - file helpers of svtrace: whole-file reads, trace loading with
 * "file:line: message" errors, output files.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "svtrace.h"

char *svt_read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0;

    if (!f) {
        fprintf(stderr, "svtrace: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    for (;;) {
        if (cap - n < 65536) {
            size_t ncap = cap ? cap * 2 : 262144;
            char *nb = realloc(buf, ncap + 1);
            if (!nb) {
                fprintf(stderr, "svtrace: %s: out of memory\n", path);
                goto fail;
            }
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        fprintf(stderr, "svtrace: %s: read error\n", path);
        goto fail;
    }
    fclose(f);
    buf[n] = '\0';
    *size = n;
    return buf;

fail:
    fclose(f);
    free(buf);
    return NULL;
}

const sv_abr_rule *svt_find_rule(const char *name)
{
    const sv_abr_rule *rule = sv_abr_rule_find(name);

    if (!rule)
        fprintf(stderr, "svtrace: unknown rule '%s' (see svtrace rules)\n", name);
    return rule;
}

sv_trace *svt_load_trace(const char *path)
{
    size_t size = 0;
    sv_trace *t = NULL;
    sv_trace_error err;
    char *data = svt_read_file(path, &size);

    if (!data)
        return NULL;
    int rc = sv_trace_parse(data, size, SV_TRACE_AUTO, NULL, &t, &err);
    if (rc < 0) {
        if (rc == SV_ERR_PARSE && err.line > 0)
            fprintf(stderr, "svtrace: %s:%zu: %s\n", path, err.line, err.message);
        else if (rc == SV_ERR_PARSE)
            fprintf(stderr, "svtrace: %s: %s\n", path, err.message);
        else
            fprintf(stderr, "svtrace: %s: %s\n", path, sv_strerror(rc));
    }
    free(data);
    return t;
}

FILE *svt_open_out(const char *path)
{
    if (strcmp(path, "-") == 0)
        return stdout;
    FILE *f = fopen(path, "wb");
    if (!f)
        fprintf(stderr, "svtrace: %s: %s\n", path, strerror(errno));
    return f;
}

int svt_close_out(FILE *f, const char *path)
{
    int bad = ferror(f);
    if (f == stdout)
        bad |= fflush(f) != 0;
    else
        bad |= fclose(f) != 0;
    if (bad) {
        fprintf(stderr, "svtrace: %s: write error\n", path);
        return -1;
    }
    return 0;
}

int svt_parse_param(char *arg, sv_abr_param *out)
{
    char *eq = strchr(arg, '=');
    char *end = NULL;

    if (!eq || eq == arg)
        return -1;
    *eq = '\0';
    out->name = arg;
    out->value = strtod(eq + 1, &end);
    if (end == eq + 1 || *end != '\0')
        return -1;
    return 0;
}

double svt_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int svt_check_params(const sv_abr_rule *rule, const sv_abr_param *params, size_t count)
{
    sv_abr *abr = NULL;
    int rc = sv_abr_create(rule, NULL, &abr);

    if (rc == 0)
        rc = sv_abr_set_params(abr, params, count);
    sv_abr_destroy(abr);
    if (rc == SV_ERR_NOT_FOUND || rc == SV_ERR_RANGE) {
        fprintf(stderr, "svtrace: rule '%s' accepts:", sv_abr_rule_name(rule));
        for (size_t i = 0; i < sv_abr_rule_param_count(rule); i++) {
            sv_abr_param_info pi;
            sv_abr_rule_param_info(rule, i, &pi);
            fprintf(stderr, " %s=%g..%g", pi.name, pi.min_value, pi.max_value);
        }
        if (sv_abr_rule_param_count(rule) == 0)
            fprintf(stderr, " no parameters");
        fprintf(stderr, "\n");
        return -1;
    }
    return rc < 0 ? -1 : 0;
}

int svt_parse_count(const char *s, size_t max, size_t *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || *end || errno || *s == '-' || v == 0 || v > max)
        return -1;
    *out = (size_t)v;
    return 0;
}
