/*
 * trace.c - parsed bandwidth traces: format detection, the point list shared
 * by the readers (trace_<format>.c), and line/field helpers.
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/alloc.h"
#include "internal.h"

const char *sv_trace_format_name(sv_trace_format format)
{
    switch (format) {
    case SV_TRACE_AUTO: return "auto";
    case SV_TRACE_PENSIEVE: return "pensieve";
    case SV_TRACE_MAHIMAHI: return "mahimahi";
    case SV_TRACE_CSV: return "csv";
    }
    return "unknown";
}

int sv__trace_fail(sv_trace_error *err, size_t line, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        err->line = line;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof(err->message), fmt, ap);
        va_end(ap);
    }
    return SV_ERR_PARSE;
}

void sv__line_reader_init(sv__line_reader *r, const void *data, size_t size)
{
    r->p = data;
    r->end = r->p + size;
    r->lineno = 0;
}

int sv__line_next(sv__line_reader *r, const char **line, size_t *len)
{
    if (r->p >= r->end)
        return 0;
    const char *start = r->p;
    const char *nl = memchr(start, '\n', (size_t)(r->end - start));
    const char *stop = nl ? nl : r->end;
    r->p = nl ? nl + 1 : r->end;
    if (stop > start && stop[-1] == '\r')
        stop--;
    r->lineno++;
    *line = start;
    *len = (size_t)(stop - start);
    return 1;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

int sv__line_is_blank(const char *line, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!is_blank(line[i]))
            return 0;
    return 1;
}

size_t sv__split_fields(const char *line, size_t len, char sep, sv__field *f, size_t max)
{
    size_t n = 0, i = 0;

    if (sep == 0) {
        while (i < len) {
            while (i < len && is_blank(line[i]))
                i++;
            if (i >= len)
                break;
            size_t s = i;
            while (i < len && !is_blank(line[i]))
                i++;
            if (n < max) {
                f[n].s = line + s;
                f[n].len = i - s;
            }
            n++;
        }
        return n;
    }
    for (;;) {
        size_t s = i;
        while (i < len && line[i] != sep)
            i++;
        size_t e = i;
        while (s < e && is_blank(line[s]))
            s++;
        while (e > s && is_blank(line[e - 1]))
            e--;
        if (n < max) {
            f[n].s = line + s;
            f[n].len = e - s;
        }
        n++;
        if (i >= len)
            break;
        i++;  /* skip the separator */
    }
    return n;
}

int sv__parse_double(const sv__field *f, double *out)
{
    char buf[64];
    char *end = NULL;

    /* Plain decimal notation only: digits, sign, point, exponent. This keeps
     * out "nan", "inf", hex floats and locale-dependent forms. */
    if (f->len == 0 || f->len >= sizeof(buf))
        return -1;
    for (size_t i = 0; i < f->len; i++) {
        char c = f->s[i];
        if (!(isdigit((unsigned char)c) || c == '.' || c == '-' || c == '+' || c == 'e' ||
              c == 'E'))
            return -1;
    }
    memcpy(buf, f->s, f->len);
    buf[f->len] = '\0';
    double v = strtod(buf, &end);
    if (end != buf + f->len || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

static int grow(sv__trace_builder *b)
{
    size_t cap = b->cap ? b->cap * 2 : 256;
    double *t = sv__abr_alloc(b->alloc, cap * sizeof(double));
    double *m = sv__abr_alloc(b->alloc, cap * sizeof(double));
    double *r = b->with_rtt ? sv__abr_alloc(b->alloc, cap * sizeof(double)) : NULL;

    if (!t || !m || (b->with_rtt && !r))
        goto fail;
    if (b->n) {
        memcpy(t, b->time_s, b->n * sizeof(double));
        memcpy(m, b->mbps, b->n * sizeof(double));
        if (r)
            memcpy(r, b->rtt_ms, b->n * sizeof(double));
    }
    sv__abr_free(b->alloc, b->time_s);
    sv__abr_free(b->alloc, b->mbps);
    sv__abr_free(b->alloc, b->rtt_ms);
    b->time_s = t;
    b->mbps = m;
    b->rtt_ms = r;
    b->cap = cap;
    return SV_OK;

fail:
    sv__abr_free(b->alloc, t);
    sv__abr_free(b->alloc, m);
    sv__abr_free(b->alloc, r);
    return SV_ERR_NOMEM;
}

int sv__trace_builder_push(sv__trace_builder *b, double time_s, double mbps, double rtt_ms)
{
    if (b->n == b->cap && grow(b) < 0)
        return SV_ERR_NOMEM;
    b->time_s[b->n] = time_s;
    b->mbps[b->n] = mbps;
    if (b->with_rtt)
        b->rtt_ms[b->n] = rtt_ms;
    b->n++;
    return SV_OK;
}

/* Picks the format from the first line that is neither blank nor a comment. */
static sv_trace_format detect(const void *data, size_t size, sv_trace_error *err, int *rc)
{
    sv__line_reader lr;
    const char *line;
    size_t len;
    sv__field f[3];

    *rc = 0;
    sv__line_reader_init(&lr, data, size);
    while (sv__line_next(&lr, &line, &len)) {
        if (sv__line_is_blank(line, len))
            continue;
        size_t i = 0;
        while (i < len && is_blank(line[i]))
            i++;
        if (line[i] == '#')
            continue;
        if (memchr(line, ',', len) || isalpha((unsigned char)line[i]))
            return SV_TRACE_CSV;
        size_t n = sv__split_fields(line, len, 0, f, 3);
        if (n >= 2)
            return SV_TRACE_PENSIEVE;
        int digits = 1;
        for (size_t k = 0; k < f[0].len; k++)
            if (!isdigit((unsigned char)f[0].s[k]))
                digits = 0;
        if (n == 1 && digits)
            return SV_TRACE_MAHIMAHI;
        *rc = sv__trace_fail(err, lr.lineno,
                             "unrecognised trace format (expected 'time_s Mbps', a mahimahi "
                             "millisecond timestamp, or a CSV header 'time_s,mbps')");
        return SV_TRACE_AUTO;
    }
    *rc = sv__trace_fail(err, 0, "empty trace");
    return SV_TRACE_AUTO;
}

static const sv__trace_reader *reader_for(sv_trace_format format)
{
    switch (format) {
    case SV_TRACE_PENSIEVE: return &sv__trace_reader_pensieve;
    case SV_TRACE_MAHIMAHI: return &sv__trace_reader_mahimahi;
    case SV_TRACE_CSV: return &sv__trace_reader_csv;
    case SV_TRACE_AUTO: break;
    }
    return NULL;
}

/* Checks what every reader must guarantee, so the simulator always ends. */
static int check_points(const sv__trace_builder *b, sv_trace_error *err, double *mean)
{
    double bytes = 0;

    if (b->n < 2)
        return sv__trace_fail(err, 0, "a trace needs at least two points, found %zu", b->n);
    double duration = b->time_s[b->n - 1] - b->time_s[0];
    if (!(duration >= 0.001))
        return sv__trace_fail(err, 0, "the trace lasts %g s; at least 1 ms is needed", duration);
    for (size_t i = 1; i < b->n; i++)
        bytes += b->mbps[i] * (b->time_s[i] - b->time_s[i - 1]);
    if (!(bytes > 0))
        return sv__trace_fail(err, 0, "the trace has no bandwidth (every interval is 0 Mbps)");
    *mean = bytes / duration;
    return SV_OK;
}

int sv_trace_parse(const void *data, size_t size, sv_trace_format format,
                   const sv_allocator *alloc, sv_trace **out, sv_trace_error *err)
{
    sv__trace_builder b;
    sv_trace *t = NULL;
    double mean = 0;
    int rc;

    if (err) {
        err->line = 0;
        err->message[0] = '\0';
    }
    if (!out)
        return SV_ERR_INVALID;
    *out = NULL;
    if (!data && size > 0)
        return SV_ERR_INVALID;
    if (!sv__allocator_valid(alloc))
        return SV_ERR_INVALID;
    memset(&b, 0, sizeof(b));
    b.alloc = alloc;
    if (format == SV_TRACE_AUTO) {
        format = detect(data, size, err, &rc);
        if (rc < 0)
            return rc;
    }
    const sv__trace_reader *reader = reader_for(format);
    if (!reader)
        return SV_ERR_INVALID;
    rc = reader->parse(&b, data, size, err);
    if (rc < 0)
        goto fail;
    rc = check_points(&b, err, &mean);
    if (rc < 0)
        goto fail;
    t = sv__abr_alloc(alloc, sizeof(*t));
    if (!t) {
        rc = SV_ERR_NOMEM;
        goto fail;
    }
    memset(t, 0, sizeof(*t));
    if (alloc) {
        sv__allocator_copy(&t->alloc, alloc);
        t->has_alloc = 1;
    }
    t->format = format;
    t->n = b.n;
    t->time_s = b.time_s;
    t->mbps = b.mbps;
    t->rtt_ms = b.rtt_ms;
    t->duration_s = b.time_s[b.n - 1] - b.time_s[0];
    t->mean_mbps = mean;
    *out = t;
    return SV_OK;

fail:
    sv__abr_free(alloc, b.time_s);
    sv__abr_free(alloc, b.mbps);
    sv__abr_free(alloc, b.rtt_ms);
    return rc;
}

void sv_trace_destroy(sv_trace *t)
{
    if (!t)
        return;
    sv_allocator a = t->alloc;
    const sv_allocator *ap = t->has_alloc ? &a : NULL;
    sv__abr_free(ap, t->time_s);
    sv__abr_free(ap, t->mbps);
    sv__abr_free(ap, t->rtt_ms);
    sv__abr_free(ap, t);
}

sv_trace_format sv_trace_get_format(const sv_trace *t)
{
    return t ? t->format : SV_TRACE_AUTO;
}

size_t sv_trace_num_points(const sv_trace *t)
{
    return t ? t->n : 0;
}

int sv_trace_point(const sv_trace *t, size_t i, double *time_s, double *mbps, double *rtt_ms)
{
    if (!t)
        return SV_ERR_INVALID;
    if (i >= t->n)
        return SV_ERR_RANGE;
    if (time_s)
        *time_s = t->time_s[i];
    if (mbps)
        *mbps = t->mbps[i];
    if (rtt_ms)
        *rtt_ms = t->rtt_ms ? t->rtt_ms[i] : -1.0;
    return SV_OK;
}

double sv_trace_duration(const sv_trace *t)
{
    return t ? t->duration_s : 0;
}

double sv_trace_mean_mbps(const sv_trace *t)
{
    return t ? t->mean_mbps : 0;
}
