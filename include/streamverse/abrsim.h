/*
 * streamverse/abrsim.h - network traces and the chunk-level ABR simulator.
 *
 * This is what svtrace is built on: parse a bandwidth trace from memory, and
 * replay a video (a ladder with per-segment sizes) over it with one of the
 * rules of streamverse/abr.h, in the Pensieve reference setup by default
 * (docs/abr.md, docs/trace-formats.md).
 *
 * No function here does I/O: the caller reads files and hands over bytes,
 * and adds the file name to the line-numbered errors returned here.
 *
 * Threads: an sv_trace is immutable once parsed and may be shared by any
 * number of threads; sv_abr_simulate() is reentrant (every call has its own
 * rule instance and estimator).
 */
#ifndef STREAMVERSE_ABRSIM_H
#define STREAMVERSE_ABRSIM_H

#include "streamverse/common.h"
#include "streamverse/abr.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Traces                                                                   */
/* ------------------------------------------------------------------------ */

typedef enum sv_trace_format {
    SV_TRACE_AUTO = 0,      /* detect from the first meaningful line */
    SV_TRACE_PENSIEVE = 1,  /* "time_s Mbps" per line (cooked traces) */
    SV_TRACE_MAHIMAHI = 2,  /* one integer ms timestamp per 1500-byte delivery opportunity */
    SV_TRACE_CSV = 3        /* header "time_s,mbps" or "time_s,mbps,rtt_ms", then rows */
} sv_trace_format;

/* "auto", "pensieve", "mahimahi", "csv", or "unknown". Static string. */
SV_API const char *sv_trace_format_name(sv_trace_format format);

/* A parsed trace: a piecewise-constant link capacity. Opaque, immutable. */
typedef struct sv_trace sv_trace;

/* Where and why parsing failed. `line` is 1-based, 0 when the problem is
 * not tied to one line (an empty trace, say). */
typedef struct sv_trace_error {
    size_t line;
    char message[160];
    uint64_t reserved[4];     /* zero (see "Reserved tails" in common.h) */
} sv_trace_error;

/*
 * Parses a trace from data[0..size) (need not be NUL-terminated).
 * `format` SV_TRACE_AUTO detects the format. `alloc` may be NULL.
 * Returns 0 and sets *out (owned by the caller; sv_trace_destroy()), or
 * SV_ERR_INVALID (NULL argument), SV_ERR_PARSE (malformed input; *err, when
 * not NULL, tells the line and the reason) or SV_ERR_NOMEM, with *out NULL.
 * Every trace that parses can be simulated: it lasts more than 0 s and has
 * some bandwidth.
 */
SV_API int sv_trace_parse(const void *data, size_t size, sv_trace_format format,
                          const sv_allocator *alloc, sv_trace **out,
                          sv_trace_error *err);

/* Releases a trace; NULL is ignored. */
SV_API void sv_trace_destroy(sv_trace *trace);

/* The format the trace was parsed as (never SV_TRACE_AUTO). */
SV_API sv_trace_format sv_trace_get_format(const sv_trace *trace);

/*
 * The trace as points (time_s[i], mbps[i], rtt_ms[i]); the bandwidth of point
 * i applies to the interval that ends at time_s[i], and the trace repeats
 * after the last point. Mahimahi traces are converted into 100 ms bins.
 * sv_trace_point() returns 0, or SV_ERR_INVALID / SV_ERR_RANGE. `rtt_ms`
 * gets -1 when the trace carries no RTT. Any output pointer may be NULL.
 */
SV_API size_t sv_trace_num_points(const sv_trace *trace);
SV_API int sv_trace_point(const sv_trace *trace, size_t i, double *time_s,
                          double *mbps, double *rtt_ms);

/* Length of one period of the trace in seconds. */
SV_API double sv_trace_duration(const sv_trace *trace);

/* Time-weighted mean bandwidth in Mbit/s over one period. */
SV_API double sv_trace_mean_mbps(const sv_trace *trace);

/* ------------------------------------------------------------------------ */
/* Videos                                                                   */
/* ------------------------------------------------------------------------ */

/*
 * A video as the simulator sees it: a ladder and the size of every segment
 * at every rung. The arrays are borrowed, not copied.
 */
typedef struct sv_abr_video {
    const uint32_t *bitrates_kbps;  /* num_rungs, strictly ascending */
    size_t num_rungs;
    const uint64_t *segment_bytes;  /* segment-major: [segment * num_rungs + rung] */
    size_t num_segments;
    double segment_duration_s;
    uint64_t reserved[4];     /* zero (see "Reserved tails" in common.h) */
} sv_abr_video;

/* Checks a video description: returns 0 or SV_ERR_INVALID. */
SV_API int sv_abr_video_check(const sv_abr_video *video);

/* ------------------------------------------------------------------------ */
/* Simulator                                                                */
/* ------------------------------------------------------------------------ */

/*
 * The simulated client. The defaults (sv_abr_sim_default_config) are the
 * Pensieve reference setup.
 */
typedef struct sv_abr_sim_config {
    double rtt_s;              /* latency added to each request: 0.08 (a CSV trace's rtt_ms wins) */
    double payload_ratio;      /* share of link capacity carrying payload: 0.95 */
    double buffer_max_s;       /* above this the client sleeps: 60 */
    double drain_step_s;       /* sleeps are whole multiples of this: 0.5 */
    int start_index;           /* rung of the first segment: 1 (clamped to the ladder) */
    size_t num_segments;       /* segments to play; 0 = all of the video */
    sv_abr_qoe_config qoe;     /* Pensieve QoE, segments 2.. counted */
    sv_abr_estimator_config estimator;  /* feeds sv_abr_input.throughput_kbps: EWMA */
    const sv_abr_param *params; /* rule parameters, NULL for the defaults */
    size_t num_params;
    const sv_allocator *alloc; /* for the per-session rule and estimator; NULL = libc */
    /* The requests a real player makes besides the media segments, for a
     * video described from its manifest (`svtrace run --video URL`). Each
     * is one more request (the RTT, then its bytes on the link): the buffer
     * pays for its time, the estimator never sees it. All 0/NULL (the
     * default, and the Pensieve setup): none. */
    uint64_t startup_bytes;        /* before the first segment: the manifest */
    const uint64_t *index_bytes;   /* per rung, the first time it is chosen: an HLS media
                                      playlist or a DASH sidx (ladders of up to 64 rungs) */
    const uint64_t *init_bytes;    /* per rung, before the first segment of each run at it
                                      (the start and every switch): its init segment */
    uint64_t reserved[8];     /* zero (see "Reserved tails" in common.h) */
} sv_abr_sim_config;

/* Fills *cfg with the Pensieve reference setup. */
SV_API void sv_abr_sim_default_config(sv_abr_sim_config *cfg);

/* One downloaded segment, for timelines. */
typedef struct sv_abr_sim_step {
    size_t segment;          /* 0-based */
    int index;               /* rung */
    uint32_t bitrate_kbps;
    uint64_t bytes;
    double request_s;        /* session time when the request went out */
    double download_s;       /* request to last byte, latency included */
    double rebuffer_s;       /* stall caused by this download */
    double buffer_s;         /* buffer after the segment was added and any sleep */
    double sleep_s;          /* time slept after it because the buffer was full */
    double delay_s;          /* wait the rule asked for before the request */
    double throughput_kbps;  /* bytes x 8 / download_s / 1000 */
    double estimate_kbps;    /* the estimator after this sample */
    double qoe;              /* this segment's QoE term (0 if not counted) */
    const char *reason;      /* the rule's reason (static string) */
    uint64_t reserved[4];     /* zero (see "Reserved tails" in common.h) */
} sv_abr_sim_step;

/* The outcome of one session. */
typedef struct sv_abr_sim_result {
    double qoe;                /* summed over the counted segments */
    double rebuffer_s;         /* stalls after startup */
    double rebuffer_ratio;     /* rebuffer_s / (rebuffer_s + counted play time) */
    double startup_s;          /* stall before the counted segments */
    double mean_bitrate_kbps;  /* over the counted segments */
    unsigned switches;         /* among the counted segments */
    size_t segments;           /* downloaded */
    double session_s;          /* session time when the last segment arrived */
    uint64_t reserved[8];     /* zero (see "Reserved tails" in common.h) */
} sv_abr_sim_result;

/*
 * Plays `video` over `trace` with a fresh instance of `rule`.
 * `cfg` NULL means the defaults. When `steps` is not NULL, up to max_steps
 * entries are written (one per segment). The trace always starts at its
 * beginning, and wraps around at its end.
 * Returns 0 and fills *out; or SV_ERR_INVALID (NULL argument, bad video or
 * configuration), SV_ERR_NOT_FOUND (a parameter the rule does not have),
 * SV_ERR_RANGE (a parameter out of range, or the trace is too slow to
 * deliver a segment within a simulated day), SV_ERR_NOMEM; *out is untouched
 * on failure. No allocation besides the rule instance and the estimator,
 * none per segment.
 */
SV_API int sv_abr_simulate(const sv_trace *trace, const sv_abr_video *video,
                           const sv_abr_rule *rule, const sv_abr_sim_config *cfg,
                           sv_abr_sim_step *steps, size_t max_steps,
                           sv_abr_sim_result *out);

#ifdef __cplusplus
}
#endif

#endif /* STREAMVERSE_ABRSIM_H */
