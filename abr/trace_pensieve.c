/*
 * trace_pensieve.c - Pensieve "cooked" traces: per line, a time in seconds
 * and the bandwidth in Mbit/s that applies to the interval ending then,
 * separated by blanks. Further columns are ignored (as Pensieve does); blank
 * lines and lines starting with '#' are skipped.
 */
#include "internal.h"

static int is_comment(const char *line, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (line[i] == ' ' || line[i] == '\t')
            continue;
        return line[i] == '#';
    }
    return 0;
}

static int pensieve_parse(sv__trace_builder *b, const char *data, size_t size,
                          sv_trace_error *err)
{
    sv__line_reader lr;
    const char *line;
    size_t len;
    sv__field f[2];
    double last_t = 0;

    sv__line_reader_init(&lr, data, size);
    while (sv__line_next(&lr, &line, &len)) {
        double t, mbps;
        if (sv__line_is_blank(line, len) || is_comment(line, len))
            continue;
        size_t n = sv__split_fields(line, len, 0, f, 2);
        if (n < 2)
            return sv__trace_fail(err, lr.lineno, "expected 'time_s Mbps', found %zu field(s)", n);
        if (sv__parse_double(&f[0], &t) < 0)
            return sv__trace_fail(err, lr.lineno, "time '%.*s' is not a number",
                                  (int)(f[0].len > 40 ? 40 : f[0].len), f[0].s);
        if (sv__parse_double(&f[1], &mbps) < 0)
            return sv__trace_fail(err, lr.lineno, "bandwidth '%.*s' is not a number",
                                  (int)(f[1].len > 40 ? 40 : f[1].len), f[1].s);
        if (t < 0 || t > SV__TRACE_MAX_TIME_S)
            return sv__trace_fail(err, lr.lineno, "time %g s is outside 0..%g s", t,
                                  SV__TRACE_MAX_TIME_S);
        if (b->n > 0 && t < last_t)
            return sv__trace_fail(err, lr.lineno, "time goes backwards (%g s after %g s)", t,
                                  last_t);
        if (mbps < 0 || mbps > SV__TRACE_MAX_MBPS)
            return sv__trace_fail(err, lr.lineno, "bandwidth %g Mbps is outside 0..%g", mbps,
                                  SV__TRACE_MAX_MBPS);
        if (sv__trace_builder_push(b, t, mbps, -1) < 0)
            return SV_ERR_NOMEM;
        last_t = t;
    }
    return SV_OK;
}

const sv__trace_reader sv__trace_reader_pensieve = {
    .format = SV_TRACE_PENSIEVE,
    .name = "pensieve",
    .parse = pensieve_parse,
};
