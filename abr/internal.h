/*
 * abr/internal.h - the contracts inside the ABR module.
 *
 * A rule is a `const sv_abr_rule` descriptor defined in its own file
 * (rule_bba.c, rule_bola.c, ...). The generic code in abr.c owns the
 * instance memory, the parameter values and the argument checks; a rule only
 * sees validated input and its own state block.
 *
 * Estimators follow the same pattern (estimator_<kind>.c exporting a
 * `const sv__abr_estimator_impl`), and so do trace readers
 * (trace_<format>.c exporting a `const sv__trace_reader`).
 *
 * Nothing in this module does I/O, reads a clock or keeps global state.
 */
#ifndef SV_ABR_INTERNAL_H
#define SV_ABR_INTERNAL_H

#include <stdint.h>
#include <stddef.h>

#include "streamverse/abr.h"
#include "streamverse/abrsim.h"

/* Upper bounds that keep every state block fixed-size. */
#define SV__ABR_MAX_PARAMS 16
#define SV__ABR_MAX_WINDOW 64

/* ---- rules ---------------------------------------------------------------- */

/*
 * The rule contract. `params` always holds num_params values, in the order of
 * the `params` table, each within its range. The input given to choose() has
 * been checked by sv_abr_choose(): num_rungs >= 1, ascending bitrates, finite
 * non-negative levels, segment_duration_s > 0, last_index either -1 or a valid
 * rung, next_sizes non-NULL whenever num_next > 0.
 */
struct sv_abr_rule {
    const char *name;
    const char *description;
    const sv_abr_param_info *params;
    size_t num_params;
    size_t state_size;  /* bytes of per-instance state, aligned like double */
    /* Starts a session: the state block is garbage before the first call. */
    void (*reset)(void *state, const double *params);
    /* Must set out->index to a valid rung and out->reason to a static string;
     * out->delay_s is preset to 0. */
    void (*choose)(void *state, const double *params, const sv_abr_input *in,
                   sv_abr_decision *out);
    /* Optional: a finished download (bytes > 0, duration_s > 0). */
    void (*on_download)(void *state, const double *params, const sv_abr_sample *s);
};

/* Highest rung whose bitrate is <= kbps; 0 when none is. */
int sv__abr_rung_for_rate(const sv_abr_input *in, double kbps);

/* Size of upcoming segment k at rung r: the real size when known, else
 * bitrate x duration. */
double sv__abr_segment_bytes(const sv_abr_input *in, size_t k, int r);

/* Allocation through an optional sv_allocator (NULL: the C library). */
void *sv__abr_alloc(const sv_allocator *a, size_t size);
void sv__abr_free(const sv_allocator *a, void *p);

/* ---- estimators ----------------------------------------------------------- */

typedef struct sv__abr_estimator_impl {
    sv_abr_estimator_kind kind;
    const char *name;
    size_t state_size;
    void (*reset)(void *state, const sv_abr_estimator_config *cfg);
    /* kbps > 0 and finite, bytes > 0, duration_s > 0. */
    void (*add)(void *state, const sv_abr_estimator_config *cfg, double kbps,
                double bytes, double duration_s);
    /* 0 when there is no sample. */
    double (*get)(const void *state, const sv_abr_estimator_config *cfg);
} sv__abr_estimator_impl;

extern const sv__abr_estimator_impl sv__abr_estimator_ewma;
extern const sv__abr_estimator_impl sv__abr_estimator_harmonic;
extern const sv__abr_estimator_impl sv__abr_estimator_percentile;

/* ---- traces --------------------------------------------------------------- */

struct sv_trace {
    sv_allocator alloc;
    int has_alloc;
    sv_trace_format format;
    size_t n;          /* points; >= 2 */
    double *time_s;    /* n, non-decreasing */
    double *mbps;      /* n, >= 0 */
    double *rtt_ms;    /* n, or NULL */
    double duration_s;
    double mean_mbps;
};

/* A growing list of points, filled by a reader. */
typedef struct sv__trace_builder {
    const sv_allocator *alloc;
    size_t n, cap;
    double *time_s, *mbps, *rtt_ms;
    int with_rtt;
} sv__trace_builder;

/* Appends a point; returns 0 or SV_ERR_NOMEM. */
int sv__trace_builder_push(sv__trace_builder *b, double time_s, double mbps, double rtt_ms);

/* Lines of a memory buffer; '\n' or "\r\n" endings, the last line may lack one. */
typedef struct sv__line_reader {
    const char *p, *end;
    size_t lineno;   /* number of the line last returned, 1-based */
} sv__line_reader;

void sv__line_reader_init(sv__line_reader *r, const void *data, size_t size);
/* Returns 1 and the next line (without its ending), or 0 at the end. */
int sv__line_next(sv__line_reader *r, const char **line, size_t *len);
/* 1 when the line holds only blanks. */
int sv__line_is_blank(const char *line, size_t len);

/* A field of a line. */
typedef struct sv__field {
    const char *s;
    size_t len;
} sv__field;

/* Splits a line at `sep` (0: at runs of blanks), trimming blanks around each
 * field. Returns the number of fields found, which may exceed max (only max
 * are stored). */
size_t sv__split_fields(const char *line, size_t len, char sep, sv__field *f, size_t max);

/* Parses a whole field as a finite decimal number. Returns 0 or -1. */
int sv__parse_double(const sv__field *f, double *out);

/* Sets err (when not NULL) to "line: message" and returns SV_ERR_PARSE. */
int sv__trace_fail(sv_trace_error *err, size_t line, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

typedef struct sv__trace_reader {
    sv_trace_format format;
    const char *name;
    int (*parse)(sv__trace_builder *b, const char *data, size_t size, sv_trace_error *err);
} sv__trace_reader;

extern const sv__trace_reader sv__trace_reader_pensieve;
extern const sv__trace_reader sv__trace_reader_mahimahi;
extern const sv__trace_reader sv__trace_reader_csv;

/* Largest time and bandwidth a trace may hold: one day, 100 Gbit/s. */
#define SV__TRACE_MAX_TIME_S 86400.0
#define SV__TRACE_MAX_MBPS 100000.0
/* Mahimahi timestamps are binned into intervals of this many ms. */
#define SV__MAHIMAHI_BIN_MS 100

#endif /* SV_ABR_INTERNAL_H */
