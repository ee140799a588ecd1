/*
 * trace_csv.c - CSV traces: a header "time_s,mbps" or "time_s,mbps,rtt_ms"
 * (names case-insensitive, blanks around fields allowed), then one row per
 * point with the same meaning as a Pensieve trace; rtt_ms, when present, is
 * the round-trip time of requests sent during that interval. Blank lines
 * and lines starting with '#' are skipped.
 */
#include <ctype.h>

#include "internal.h"

static int field_is(const sv__field *f, const char *name)
{
    size_t i = 0;
    for (; i < f->len && name[i]; i++)
        if (tolower((unsigned char)f->s[i]) != name[i])
            return 0;
    return i == f->len && name[i] == '\0';
}

static int skip_line(const char *line, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (line[i] == ' ' || line[i] == '\t')
            continue;
        return line[i] == '#';
    }
    return 1;  /* blank */
}

static int csv_parse(sv__trace_builder *b, const char *data, size_t size, sv_trace_error *err)
{
    sv__line_reader lr;
    const char *line;
    size_t len, cols = 0;
    sv__field f[4];
    double last_t = 0;

    sv__line_reader_init(&lr, data, size);
    while (sv__line_next(&lr, &line, &len)) {
        double t, mbps, rtt = -1;
        if (skip_line(line, len) || sv__line_is_blank(line, len))
            continue;
        size_t n = sv__split_fields(line, len, ',', f, 4);
        if (cols == 0) {
            if ((n != 2 && n != 3) || !field_is(&f[0], "time_s") || !field_is(&f[1], "mbps") ||
                (n == 3 && !field_is(&f[2], "rtt_ms")))
                return sv__trace_fail(err, lr.lineno,
                                      "expected the CSV header 'time_s,mbps' or "
                                      "'time_s,mbps,rtt_ms'");
            cols = n;
            b->with_rtt = n == 3;
            continue;
        }
        if (n != cols)
            return sv__trace_fail(err, lr.lineno, "expected %zu fields as in the header, found %zu",
                                  cols, n);
        if (sv__parse_double(&f[0], &t) < 0)
            return sv__trace_fail(err, lr.lineno, "time_s '%.*s' is not a number",
                                  (int)(f[0].len > 40 ? 40 : f[0].len), f[0].s);
        if (sv__parse_double(&f[1], &mbps) < 0)
            return sv__trace_fail(err, lr.lineno, "mbps '%.*s' is not a number",
                                  (int)(f[1].len > 40 ? 40 : f[1].len), f[1].s);
        if (cols == 3 && sv__parse_double(&f[2], &rtt) < 0)
            return sv__trace_fail(err, lr.lineno, "rtt_ms '%.*s' is not a number",
                                  (int)(f[2].len > 40 ? 40 : f[2].len), f[2].s);
        if (t < 0 || t > SV__TRACE_MAX_TIME_S)
            return sv__trace_fail(err, lr.lineno, "time_s %g is outside 0..%g", t,
                                  SV__TRACE_MAX_TIME_S);
        if (b->n > 0 && t < last_t)
            return sv__trace_fail(err, lr.lineno, "time goes backwards (%g s after %g s)", t,
                                  last_t);
        if (mbps < 0 || mbps > SV__TRACE_MAX_MBPS)
            return sv__trace_fail(err, lr.lineno, "mbps %g is outside 0..%g", mbps,
                                  SV__TRACE_MAX_MBPS);
        if (cols == 3 && (rtt < 0 || rtt > 60000))
            return sv__trace_fail(err, lr.lineno, "rtt_ms %g is outside 0..60000", rtt);
        if (sv__trace_builder_push(b, t, mbps, rtt) < 0)
            return SV_ERR_NOMEM;
        last_t = t;
    }
    if (cols == 0)
        return sv__trace_fail(err, 0, "empty trace: no CSV header 'time_s,mbps'");
    return SV_OK;
}

const sv__trace_reader sv__trace_reader_csv = {
    .format = SV_TRACE_CSV,
    .name = "csv",
    .parse = csv_parse,
};
