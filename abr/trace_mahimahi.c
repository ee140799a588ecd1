/*
 * trace_mahimahi.c - mahimahi link traces: one integer millisecond timestamp
 * per line, each an opportunity to deliver one 1500-byte packet; the trace
 * repeats with the period of its last timestamp.
 *
 * The opportunities are counted in bins of SV__MAHIMAHI_BIN_MS; bin k covers
 * (k x bin, (k+1) x bin] and becomes a point at the end of that interval, so
 * the result has the same meaning as a Pensieve trace starting at 0.
 */
#include <string.h>

#include "internal.h"

#define MTU_BITS (1500.0 * 8.0)
#define MAX_MS ((unsigned long long)(SV__TRACE_MAX_TIME_S * 1000.0))

/* Parses the line as a timestamp; returns 0, or -1 if it is not one. */
static int parse_ms(const char *line, size_t len, unsigned long long *ms)
{
    sv__field f[2];
    unsigned long long v = 0;

    if (sv__split_fields(line, len, 0, f, 2) != 1 || f[0].len > 12)
        return -1;
    for (size_t i = 0; i < f[0].len; i++) {
        char c = f[0].s[i];
        if (c < '0' || c > '9')
            return -1;
        v = v * 10 + (unsigned long long)(c - '0');
    }
    *ms = v;
    return 0;
}

/* First pass: checks every line, returns the period (last timestamp). */
static int scan(const char *data, size_t size, unsigned long long *period, sv_trace_error *err)
{
    sv__line_reader lr;
    const char *line;
    size_t len;
    unsigned long long last = 0, ms;
    size_t count = 0;

    sv__line_reader_init(&lr, data, size);
    while (sv__line_next(&lr, &line, &len)) {
        if (sv__line_is_blank(line, len))
            continue;
        if (parse_ms(line, len, &ms) < 0)
            return sv__trace_fail(err, lr.lineno,
                                  "expected one integer millisecond timestamp per line");
        if (ms > MAX_MS)
            return sv__trace_fail(err, lr.lineno, "timestamp %llu ms is beyond %llu ms", ms,
                                  MAX_MS);
        if (count > 0 && ms < last)
            return sv__trace_fail(err, lr.lineno, "timestamp goes backwards (%llu ms after %llu ms)",
                                  ms, last);
        last = ms;
        count++;
    }
    if (count == 0)
        return sv__trace_fail(err, 0, "empty trace");
    if (last == 0)
        return sv__trace_fail(err, 0, "the trace's period (its last timestamp) is 0 ms");
    *period = last;
    return SV_OK;
}

static int mahimahi_parse(sv__trace_builder *b, const char *data, size_t size,
                          sv_trace_error *err)
{
    sv__line_reader lr;
    const char *line;
    size_t len;
    unsigned long long period = 0, ms;
    uint32_t *bins = NULL;
    int rc = scan(data, size, &period, err);

    if (rc < 0)
        return rc;
    const unsigned long long w = SV__MAHIMAHI_BIN_MS;
    size_t nb = (size_t)((period + w - 1) / w);
    bins = sv__abr_alloc(b->alloc, nb * sizeof(*bins));
    if (!bins)
        return SV_ERR_NOMEM;
    memset(bins, 0, nb * sizeof(*bins));
    sv__line_reader_init(&lr, data, size);
    while (sv__line_next(&lr, &line, &len)) {
        if (sv__line_is_blank(line, len) || parse_ms(line, len, &ms) < 0)
            continue;
        size_t k = ms == 0 ? 0 : (size_t)((ms - 1) / w);
        bins[k]++;
    }
    for (size_t k = 0; k <= nb; k++) {
        /* Point 0 opens the trace at time 0; Pensieve never uses its rate. */
        size_t bin = k == 0 ? 0 : k - 1;
        unsigned long long lo = (unsigned long long)bin * w;
        unsigned long long hi = lo + w < period ? lo + w : period;
        double mbps = bins[bin] * MTU_BITS / (double)(hi - lo) / 1000.0;
        double t = k == 0 ? 0.0 : (double)hi / 1000.0;
        rc = sv__trace_builder_push(b, t, mbps, -1);
        if (rc < 0)
            goto fail;
    }
    rc = SV_OK;
fail:
    sv__abr_free(b->alloc, bins);
    return rc;
}

const sv__trace_reader sv__trace_reader_mahimahi = {
    .format = SV_TRACE_MAHIMAHI,
    .name = "mahimahi",
    .parse = mahimahi_parse,
};
