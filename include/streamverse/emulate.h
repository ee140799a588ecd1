/*
 * streamverse/emulate.h - the real player core replayed over a network trace.
 *
 * sv_emulate_run() plays a real HLS or DASH presentation with the player's
 * own manifest parsing, scheduler, fetcher, ABR rule objects and
 * buffer/rebuffer/stats accounting, headless, on a virtual clock. Its
 * transport fetches the real bytes (from a server on loopback, or file://
 * URLs and local paths) but delivers them when a link shaped by the trace
 * would: each request waits one RTT, then the body flows at payload_ratio x
 * the trace bandwidth (the link of the chunk-level simulator in abrsim.h;
 * the trace wraps). Nothing is decoded: the playhead moves on the virtual
 * clock over the segment durations the scheduler delivered. So a
 * 10-minute session takes a fraction of a second, and the same inputs give
 * the same result on any machine, whatever its load: nothing depends on
 * wall time or thread timing.
 *
 * For QA engineers and device makers who want to check how the player
 * itself (not a model of it) adapts to a link: `svtrace emulate` is this
 * function on the command line (docs/abr.md).
 *
 * Threads: both calls run everything on the calling thread, block until
 * done and are reentrant (no global state): several emulations may run at
 * once on different threads.
 */
#ifndef STREAMVERSE_EMULATE_H
#define STREAMVERSE_EMULATE_H

#include "streamverse/abrsim.h"
#include "streamverse/common.h"
#include "streamverse/player.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sv_emulate_config {
    const char *abr_rule;      /* rule name (abr.h); NULL: "hybrid", the player's default */
    /* Parameters of that rule (abr.h, borrowed for the call; as
     * `svtrace run --param`); NULL/0: the rule's defaults. */
    const sv_abr_param *abr_params;
    size_t num_abr_params;
    double rtt_s;              /* per request: 0.08 (a CSV trace's rtt_ms wins) */
    double payload_ratio;      /* share of the trace bandwidth carrying payload: 0.95 */
    double start_buffer_s;     /* the player's start/resume threshold: 2 */
    double buffer_goal_s;      /* the player stops fetching above this: 60, Pensieve's cap */
    /* 0 (default): the video track only, which is what the simulator
     * models; 1: a separate audio track is fetched too and shares the link. */
    int with_audio;
    /* 1 (default): the player's ABR is told the size of every upcoming
     * segment, measured first with sv_emulate_describe() (as if the
     * manifest addressed segments by byte range, which the player uses when
     * it does), so look-ahead rules plan with what the simulator knows;
     * 0: only what the manifest tells (template-addressed segments: none). */
    int sizes_known;
    double max_session_s;      /* virtual seconds before giving up: 3600 */
    /* Player logging (player.h); NULL callback: warnings to stderr. */
    sv_log_fn log_cb;
    void *log_opaque;
    sv_log_level log_level;    /* default SV_LOG_ERROR */
    uint64_t reserved[8];     /* zero (see "Reserved tails" in common.h) */
} sv_emulate_config;

/* Fills *cfg with the defaults above. */
SV_API void sv_emulate_default_config(sv_emulate_config *cfg);

/* The outcome of one emulated session. */
typedef struct sv_emulate_report {
    /* Totals in the simulator's terms and units (abrsim.h): the Pensieve QoE
     * over video segments 2..N (the whole title), rebuffer time after
     * startup, and startup_s = the player's own load-to-first-frame time.
     * A stall lasts, as in the simulator, from the instant the playhead ran
     * out of media to the instant it moved again; the player pauses its
     * outputs a little earlier (under 0.1 s left, at a 50 ms tick), which
     * `stats` counts. */
    sv_abr_sim_result result;
    /* One step per video media segment in arrival order: rung, bytes,
     * request time and download time (latency included) on the session
     * clock, the estimator after it, the stall its arrival ended, the buffer
     * after it, and the rule's reason. delay_s and sleep_s are 0. */
    sv_abr_sim_step *steps;
    size_t num_steps;
    /* The ladder the rule saw, kbit/s ascending (declared bandwidths). */
    uint32_t *bitrates_kbps;
    size_t num_rungs;
    /* The player's own counters at the end (player.h). */
    sv_player_stats stats;
} sv_emulate_report;

/*
 * Emulates playing `url` (http(s)://, file:// or a local path of an HLS
 * master/media playlist or a DASH MPD; clear content) over `trace`
 * (borrowed) from the start to the end of the presentation.
 * cfg NULL: the defaults.
 *
 * Returns 0 and sets *out (free with sv_emulate_report_free()). On failure
 * returns a negative code with *out NULL and, when err is not NULL, a
 * message in err[errlen] naming what failed (the URL and the cause, e.g.
 * "GET http://127.0.0.1:9/x.mpd: couldn't connect (4 attempts)"):
 * SV_ERR_INVALID (NULL argument, bad config, unknown rule, a parameter the
 * rule does not take or out of its range), the player's
 * error (SV_ERR_NETWORK, SV_ERR_HTTP, SV_ERR_NOT_FOUND, SV_ERR_PARSE, ...),
 * SV_ERR_TIMEOUT when playback did not end within max_session_s,
 * SV_ERR_NOMEM.
 */
SV_API int sv_emulate_run(const char *url, const sv_trace *trace, const sv_emulate_config *cfg,
                          sv_emulate_report **out, char *err, size_t errlen);

/* Frees a report; NULL is ignored. */
SV_API void sv_emulate_report_free(sv_emulate_report *report);

/*
 * A presentation's video ladder with the size of every segment, as the
 * simulator takes it: what `svtrace run --video URL` replays.
 */
typedef struct sv_emulate_video {
    sv_abr_video video;        /* arrays point into this object */
    size_t num_requests;       /* HEAD requests made (0 when byte ranges gave every size) */
    /* What the player fetches besides the media segments, in bytes, for
     * sv_abr_sim_config (startup_bytes, index_bytes, init_bytes) so that the
     * simulator pays for the requests the player makes: the manifest; per
     * rung its index, fetched on first use (an HLS media playlist, a DASH
     * sidx; 0 when the manifest lists the segments itself); per rung its
     * init segment, fetched at the start of each run (0: none). The arrays
     * have video.num_rungs entries and point into this object. */
    uint64_t manifest_bytes;
    const uint64_t *index_bytes;
    const uint64_t *init_bytes;
} sv_emulate_video;

/*
 * Describes the video of `url` (as for sv_emulate_run) with the player's
 * own manifest parser: per rung, the declared bandwidth in kbit/s (made
 * strictly ascending as the player's ABR sees it) and per segment its size
 * in bytes: from the byte ranges when the manifest or the sidx gives them
 * (EXT-X-BYTERANGE, SegmentBase), otherwise from HEAD requests
 * (Content-Length), at most `max_parallel` (1..64, 0: 8) at a time. Init
 * segments are not part of the segment sizes; their sizes (from the byte
 * range, or a HEAD request), the manifest's and the indexes' are reported
 * apart. The segment duration is the first segment's.
 * Real time, libcurl; nothing is decoded.
 *
 * Returns 0 and sets *out (sv_emulate_video_free()), or a negative code
 * with a message in err: SV_ERR_INVALID, SV_ERR_UNSUPPORTED (live, no
 * video track, rungs whose segment lists differ in count), a fetch error
 * (naming the URL), SV_ERR_PARSE, SV_ERR_NOMEM.
 */
SV_API int sv_emulate_describe(const char *url, int max_parallel, sv_emulate_video **out,
                               char *err, size_t errlen);

/* Frees a description; NULL is ignored. */
SV_API void sv_emulate_video_free(sv_emulate_video *video);

#ifdef __cplusplus
}
#endif

#endif /* STREAMVERSE_EMULATE_H */
