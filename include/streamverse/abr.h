/*
 * streamverse/abr.h - adaptive bitrate (ABR) rules, throughput estimators and
 * the QoE measure.
 *
 * The player and the trace-replay tool (svtrace) use the very same objects
 * declared here: a rule is a constant descriptor (sv_abr_rule_bba, ...), and
 * an sv_abr is one instance of a rule carrying the state of one playback
 * session (the history robustMPC keeps, BOLA's placeholder buffer, ...).
 *
 * Each decision is a pure function of the sv_abr_input the caller fills in
 * and of the download samples it reported before: no clock, no I/O, no
 * randomness, no global state. The same inputs always give the same choice.
 *
 * Units: bitrates in kbit/s (1000 bit/s), sizes in bytes, times in seconds.
 *
 * Threads: the descriptors and every function taking only a descriptor are
 * thread-safe. An sv_abr or sv_abr_estimator is not: use each one from one
 * thread at a time (different objects may be used from different threads at
 * once).
 *
 * Trace parsing and the chunk-level simulator live in streamverse/abrsim.h.
 */
#ifndef STREAMVERSE_ABR_H
#define STREAMVERSE_ABR_H

#include "streamverse/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Rules                                                                    */
/* ------------------------------------------------------------------------ */

/*
 * An ABR rule: a constant descriptor with static lifetime (never freed).
 * Its contents are private; use the functions below.
 */
typedef struct sv_abr_rule sv_abr_rule;

/* Buffer-based (Huang et al. 2014): lowest rung below the reservoir, highest
 * above reservoir + cushion, linear in between. Parameters "reservoir_s"
 * (5), "cushion_s" (10). */
SV_API extern const sv_abr_rule sv_abr_rule_bba;
/* BOLA as in dash.js (BOLA-O with the placeholder buffer); throughput-based
 * during startup. Parameters "stable_buffer_s" (12), "safety" (0.9). */
SV_API extern const sv_abr_rule sv_abr_rule_bola;
/* Throughput rule: the highest rung below safety x the estimate.
 * Parameter "safety" (0.9). */
SV_API extern const sv_abr_rule sv_abr_rule_throughput;
/* robustMPC (Yin et al. 2015): exhaustive look-ahead over the next
 * "horizon" (5) segments with a harmonic-mean throughput of the last
 * "window" (5) samples discounted by the largest recent prediction error.
 * "lookahead_offset" 1 reproduces the off-by-one of Pensieve's mpc.py (it
 * plans with the sizes of the segments after the ones planned); see
 * docs/abr.md. */
SV_API extern const sv_abr_rule sv_abr_rule_mpc;
/* Streamverse's default: buffer-aware look-ahead over the real sizes of the
 * upcoming segments, conservative throughput, fast startup, switch damping.
 * See docs/abr.md. */
SV_API extern const sv_abr_rule sv_abr_rule_hybrid;

/* Number of built-in rules; their names are "bba", "bola", "throughput",
 * "mpc" and "hybrid". Thread-safe. */
SV_API size_t sv_abr_rule_count(void);

/* The i-th built-in rule (0 <= i < sv_abr_rule_count()), or NULL when i is
 * out of range. The order is stable. Thread-safe. */
SV_API const sv_abr_rule *sv_abr_rule_at(size_t i);

/* The rule called `name` (case-sensitive; "robustmpc" is accepted for
 * "mpc"), or NULL when there is none or name is NULL. Thread-safe. */
SV_API const sv_abr_rule *sv_abr_rule_find(const char *name);

/* The rule the player uses unless told otherwise: sv_abr_rule_hybrid. */
SV_API const sv_abr_rule *sv_abr_rule_default(void);

/* The rule's short name ("bba") and a one-line description. Static strings;
 * "" when rule is NULL. Thread-safe. */
SV_API const char *sv_abr_rule_name(const sv_abr_rule *rule);
SV_API const char *sv_abr_rule_description(const sv_abr_rule *rule);

/* A tunable parameter of a rule. Strings are static. */
typedef struct sv_abr_param_info {
    const char *name;       /* "reservoir_s" */
    const char *help;       /* one line */
    double default_value;
    double min_value;       /* accepted range, inclusive */
    double max_value;
    uint64_t reserved[4];     /* zero (see "Reserved tails" in common.h) */
} sv_abr_param_info;

/* A parameter setting, as handed to sv_abr_set_params(). */
typedef struct sv_abr_param {
    const char *name;
    double value;
    uint64_t reserved[4];     /* zero (see "Reserved tails" in common.h) */
} sv_abr_param;

/* Number of parameters the rule has (0 when rule is NULL). Thread-safe. */
SV_API size_t sv_abr_rule_param_count(const sv_abr_rule *rule);

/*
 * Fills *info with the i-th parameter of the rule.
 * Returns 0, or SV_ERR_INVALID (NULL argument) or SV_ERR_RANGE (i too big);
 * *info is untouched on failure. Thread-safe.
 */
SV_API int sv_abr_rule_param_info(const sv_abr_rule *rule, size_t i,
                                  sv_abr_param_info *info);

/* ------------------------------------------------------------------------ */
/* Rule instances and decisions                                             */
/* ------------------------------------------------------------------------ */

/* One rule instance: the per-session state of a rule. Opaque. */
typedef struct sv_abr sv_abr;

/* Where playback is when the decision is asked for. */
typedef enum sv_abr_phase {
    SV_ABR_PHASE_STARTUP = 0,   /* nothing shown yet (start, or after a seek) */
    SV_ABR_PHASE_PLAYING = 1,   /* the playhead moves */
    SV_ABR_PHASE_STALLED = 2    /* rebuffering: the buffer ran dry */
} sv_abr_phase;

/*
 * Everything a rule may look at for one decision. All pointers are borrowed
 * for the duration of the call only.
 */
typedef struct sv_abr_input {
    /* The ladder: num_rungs > 0 bitrates in kbit/s, strictly ascending. */
    const uint32_t *bitrates_kbps;
    size_t num_rungs;
    /* Nominal duration of the next segments, > 0. */
    double segment_duration_s;
    /* Media buffered ahead of the playhead, >= 0. */
    double buffer_s;
    /* The most the player buffers before it pauses downloading; 0 if unknown. */
    double buffer_max_s;
    /* The caller's throughput estimate in kbit/s (an sv_abr_estimator), or
     * <= 0 when there is none yet. */
    double throughput_kbps;
    /* Rung of the previous segment, or -1 before the first one. */
    int last_index;
    /*
     * Sizes in bytes of the next num_next segments when known, row-major:
     * next_sizes[k * num_rungs + r] is segment k (0 = the one being decided)
     * at rung r. NULL with num_next == 0 when sizes are unknown; rules then
     * assume bitrate x duration for the segments they lack.
     */
    const uint64_t *next_sizes;
    size_t num_next;
    /* Segments this session will still download, this one included; 0 when
     * unknown (live). Look-ahead rules plan no further than this. It may be
     * smaller than num_next (a session that stops before the end). */
    size_t segments_left;
    /* Time since the previous download finished, spent not downloading
     * (for example waiting because the buffer was full), >= 0. */
    double idle_s;
    sv_abr_phase phase;
    uint64_t reserved[4];     /* zero (see "Reserved tails" in common.h) */
} sv_abr_input;

/* The outcome of a decision. */
typedef struct sv_abr_decision {
    int index;            /* rung to download, 0 <= index < num_rungs */
    double delay_s;       /* wait this long before requesting it (BOLA), >= 0 */
    const char *reason;   /* static string for logs, never NULL */
    uint64_t reserved[4];     /* zero (see "Reserved tails" in common.h) */
} sv_abr_decision;

/* A completed download, reported with sv_abr_on_download(). */
typedef struct sv_abr_sample {
    uint64_t bytes;       /* payload bytes received */
    double duration_s;    /* request sent to last byte, latency included, > 0 */
    double latency_s;     /* request sent to first byte (part of duration_s); 0 if unknown */
    int index;            /* rung of the segment */
    double buffer_s;      /* buffer level just after the segment was added */
    uint64_t reserved[4];     /* zero (see "Reserved tails" in common.h) */
} sv_abr_sample;

/*
 * Creates an instance of `rule` with its default parameters.
 * `alloc` may be NULL (C library); it is copied, and used for this object's
 * memory until sv_abr_destroy().
 * Returns 0 and sets *out (owned by the caller, release with
 * sv_abr_destroy()), or SV_ERR_INVALID / SV_ERR_NOMEM with *out set to NULL.
 * Thread-safe.
 */
SV_API int sv_abr_create(const sv_abr_rule *rule, const sv_allocator *alloc,
                         sv_abr **out);

/* Releases an instance. NULL is accepted and ignored. */
SV_API void sv_abr_destroy(sv_abr *abr);

/* The descriptor the instance was created from. */
SV_API const sv_abr_rule *sv_abr_get_rule(const sv_abr *abr);

/*
 * Sets parameters by name (see sv_abr_rule_param_info()) and resets the
 * session state. Either all settings are applied or none: returns 0, or
 * SV_ERR_INVALID (NULL argument), SV_ERR_NOT_FOUND (unknown name) or
 * SV_ERR_RANGE (value outside the parameter's range).
 */
SV_API int sv_abr_set_params(sv_abr *abr, const sv_abr_param *params, size_t count);

/* Reads the current value of a parameter. Returns 0, SV_ERR_INVALID or
 * SV_ERR_NOT_FOUND. */
SV_API int sv_abr_get_param(const sv_abr *abr, const char *name, double *value);

/* Forgets the session history (call at the start of each session and after a
 * seek); parameters are kept. */
SV_API void sv_abr_reset(sv_abr *abr);

/*
 * Picks the rung of the next segment.
 * Returns 0 and fills *out (out->index is always a valid rung), or
 * SV_ERR_INVALID (NULL argument, empty ladder, non-finite or negative
 * level, segment duration <= 0) with *out untouched.
 * Deterministic: no clock, no allocation.
 */
SV_API int sv_abr_choose(sv_abr *abr, const sv_abr_input *in, sv_abr_decision *out);

/* Reports a finished download. Returns 0, or SV_ERR_INVALID (NULL, or
 * duration_s not > 0) without changing any state. */
SV_API int sv_abr_on_download(sv_abr *abr, const sv_abr_sample *sample);

/* ------------------------------------------------------------------------ */
/* Throughput estimators                                                    */
/* ------------------------------------------------------------------------ */

typedef enum sv_abr_estimator_kind {
    /* Two exponentially weighted moving averages over download time with a
     * fast and a slow half-life; the estimate is the lower of the two. */
    SV_ABR_ESTIMATOR_EWMA = 0,
    /* Harmonic mean of the last `window` samples. */
    SV_ABR_ESTIMATOR_HARMONIC = 1,
    /* Weighted percentile of the last `window` samples, each weighted by the
     * square root of its size (ExoPlayer's sliding percentile). */
    SV_ABR_ESTIMATOR_PERCENTILE = 2
} sv_abr_estimator_kind;

typedef struct sv_abr_estimator_config {
    sv_abr_estimator_kind kind;
    double fast_half_life_s;  /* EWMA: default 3 */
    double slow_half_life_s;  /* EWMA: default 8 */
    unsigned window;          /* HARMONIC, PERCENTILE: 1..64, default 5 / 20 */
    double percentile;        /* PERCENTILE: 0..1, default 0.5 */
    uint64_t reserved[4];     /* zero (see "Reserved tails" in common.h) */
} sv_abr_estimator_config;

/* Fills *cfg with the defaults of `kind` (unknown kinds give EWMA). */
SV_API void sv_abr_estimator_default_config(sv_abr_estimator_config *cfg,
                                            sv_abr_estimator_kind kind);

/* A throughput estimator. Opaque; not thread-safe. */
typedef struct sv_abr_estimator sv_abr_estimator;

/*
 * Creates an estimator. `cfg` NULL means the EWMA defaults; `alloc` may be
 * NULL. Returns 0 and sets *out (release with sv_abr_estimator_destroy()),
 * or SV_ERR_INVALID (bad configuration) / SV_ERR_NOMEM with *out NULL.
 */
SV_API int sv_abr_estimator_create(const sv_abr_estimator_config *cfg,
                                   const sv_allocator *alloc,
                                   sv_abr_estimator **out);

/* Releases an estimator; NULL is ignored. */
SV_API void sv_abr_estimator_destroy(sv_abr_estimator *est);

/* Adds one download: `bytes` received in `duration_s` seconds. Returns 0,
 * or SV_ERR_INVALID (NULL, duration not > 0, not finite) and ignores it. */
SV_API int sv_abr_estimator_add(sv_abr_estimator *est, uint64_t bytes, double duration_s);

/* The current estimate in kbit/s, or 0 when there is no sample yet (or est
 * is NULL). */
SV_API double sv_abr_estimator_get_kbps(const sv_abr_estimator *est);

/* Forgets all samples. */
SV_API void sv_abr_estimator_reset(sv_abr_estimator *est);

/* ------------------------------------------------------------------------ */
/* QoE                                                                      */
/* ------------------------------------------------------------------------ */

/*
 * The linear QoE of Pensieve/MPC, per segment:
 *   R/1000 - rebuffer_penalty x rebuffer_s - smooth_penalty x |R - R_prev|/1000
 * with R in kbit/s. The first `skip` segments are played but not counted
 * (Pensieve counts segments 2..48: skip = 1); their stall time is the
 * startup delay.
 */
typedef struct sv_abr_qoe_config {
    double rebuffer_penalty;  /* 4.3 */
    double smooth_penalty;    /* 1.0 */
    size_t skip;              /* 1 */
    uint64_t reserved[4];     /* zero (see "Reserved tails" in common.h) */
} sv_abr_qoe_config;

/* Fills *cfg with the Pensieve values above. */
SV_API void sv_abr_qoe_default_config(sv_abr_qoe_config *cfg);

/*
 * A running QoE tally for one session. A plain struct: initialise it with
 * sv_abr_qoe_init(), feed it with sv_abr_qoe_add(), read the fields.
 * The fields after `cfg` cover the counted segments only, except
 * startup_s and segments.
 */
typedef struct sv_abr_qoe {
    sv_abr_qoe_config cfg;
    double qoe;              /* sum of the per-segment QoE */
    double rebuffer_s;       /* stall time */
    double startup_s;        /* stall time of the skipped (first) segments */
    double played_s;         /* media duration */
    double bitrate_sum_kbps; /* sum of R */
    unsigned switches;       /* segments whose rung differs from the previous one */
    size_t counted;          /* counted segments */
    size_t segments;         /* all segments added */
    int last_index;          /* -1 before the first segment */
    uint32_t last_kbps;
    uint64_t reserved[4];     /* zero (see "Reserved tails" in common.h) */
} sv_abr_qoe;

/* Starts a tally; cfg NULL means sv_abr_qoe_default_config(). */
SV_API void sv_abr_qoe_init(sv_abr_qoe *q, const sv_abr_qoe_config *cfg);

/*
 * Adds one played segment: rung `index` at `bitrate_kbps`, with the stall
 * `rebuffer_s` that preceded it and its media `duration_s`. Returns the
 * segment's QoE term (0 for a skipped segment).
 */
SV_API double sv_abr_qoe_add(sv_abr_qoe *q, int index, uint32_t bitrate_kbps,
                             double rebuffer_s, double duration_s);

/* Stall time over stall + play time of the counted segments (0 if none). */
SV_API double sv_abr_qoe_rebuffer_ratio(const sv_abr_qoe *q);

/* Mean bitrate of the counted segments in kbit/s (0 if none). */
SV_API double sv_abr_qoe_mean_bitrate(const sv_abr_qoe *q);

/* Summary statistics of a set of values (QoE per trace, for instance). */
typedef struct sv_abr_stats {
    size_t count;
    double mean;
    double median;
    double p5;      /* 5th percentile, linear interpolation between ranks */
    double min;
    double max;
    uint64_t reserved[4];     /* zero (see "Reserved tails" in common.h) */
} sv_abr_stats;

/*
 * Computes the statistics of values[0..count). `scratch` must hold `count`
 * doubles (it receives the sorted values; it may not alias `values`).
 * Returns 0, or SV_ERR_INVALID (NULL with count > 0). With count == 0 every
 * field is 0. Thread-safe.
 */
SV_API int sv_abr_stats_compute(const double *values, size_t count, double *scratch,
                                sv_abr_stats *out);

/* Value at quantile q (0..1) of sorted[0..count), linear interpolation
 * between closest ranks (numpy's default). 0 when count is 0. */
SV_API double sv_abr_quantile_sorted(const double *sorted, size_t count, double q);

#ifdef __cplusplus
}
#endif

#endif /* STREAMVERSE_ABR_H */
