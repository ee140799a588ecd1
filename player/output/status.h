/*
 * The playback status and the way up: what every stage below the core
 * (output, media, session) gets from the player instead of the player
 * itself.
 *
 *   sv__status   the status the host reads (position, stats, the rendition
 *                on screen, the timeline of epochs), under its own lock;
 *                the outputs write the position and frame counts into it
 *   sv__notify   callbacks through which a lower stage reports upward: an
 *                error, "something changed, look again", an event for the
 *                host's queue; the core fills them in, no lower stage calls
 *                the control loop's functions
 *   sv__env      the two above, the injected clock and the logger
 *
 * The core owns all of them (core/internal.h); the lower stages borrow the
 * sv__env for the player's lifetime. Every callback may be called from any
 * thread and never calls back into the stage that reported.
 */
#ifndef SV_PLAYER_OUTPUT_STATUS_H
#define SV_PLAYER_OUTPUT_STATUS_H

#include <stdint.h>

#include "platform/alloc.h"
#include "platform/log.h"
#include "platform/thread.h"
#include "streamverse/clock.h"
#include "streamverse/player.h"

typedef struct sv__epoch { int64_t disc; double offset; int authoritative; } sv__epoch;

/* An ad break the playback reached: a timed event whose SCTE-35 starts a
 * break (out of network, not cancelled), reported at its media time. The
 * session module tells the backend (docs/sdk.md, "Sessions"). */
#define SV__ADS_SEEN 32
typedef struct sv__ad_seen {
    uint32_t event_id;             /* splice_event_id (svserver: the break's id) */
    double start_s, duration_s;    /* on the presentation timeline; duration -1 unknown */
} sv__ad_seen;

typedef struct sv__status {
    sv__mutex lock;                /* guards every field below (and the player's fields
                                      that core/internal.h says it guards) */
    sv_player_state state;
    sv_player_stats stats;
    double position_s, duration_s, buffer_s, throughput_bps;
    int64_t bitrate_bps;
    int quality_index, quality_locked;
    int video_width, video_height;
    double av_drift_s;
    int live;                      /* 1: the load is live; 2: and its window is known */
    double seekable_start_s, seekable_end_s; /* live: the DVR window (core/latency.c) */
    double volume;
    int muted;
    int trick_rate;                /* trick play (core/control_trick.c); 0 or 1: none */
    double bitrate_time_weight, bitrate_weighted_sum; /* for mean_bitrate_bps */
    sv__epoch epochs[16];
    int nb_epochs;
    sv_session_info session_info;  /* the backend session (session/) */
    sv__ad_seen ads[SV__ADS_SEEN]; /* the last breaks reached: the k-th (from 0) of the load
                                      at ads[k % SV__ADS_SEEN] */
    int64_t nb_ads;                /* breaks reached since the load */
    /* An HLS interstitial's asset plays (core/interstitials.c): the host's
     * position and duration stay the primary content's (ad_primary_*);
     * position_s and duration_s are the asset's. */
    int ad_playing;
    int ad_hold;                   /* position and duration are ad_primary_*: an asset plays,
                                      or a POST-roll ended the load */
    int ad_restrict_skip;          /* its X-RESTRICT has SKIP: seeks are refused */
    double ad_primary_pos_s, ad_primary_dur_s;
    double ad_limit_s;             /* X-PLAYOUT-LIMIT left for this asset; < 0 none */
} sv__status;

/* The position and duration the host sees (the primary's while an
 * interstitial plays). Under st->lock. */
static inline double sv__status_position_locked(const sv__status *st)
{
    return st->ad_hold ? st->ad_primary_pos_s : st->position_s;
}

static inline double sv__status_duration_locked(const sv__status *st)
{
    return st->ad_hold ? st->ad_primary_dur_s : st->duration_s;
}

typedef struct sv__notify {
    void *opaque;
    /* Playback may have moved on (a first frame after a seek was shown, an
     * output reached its end): the control loop looks again soon. */
    void (*changed)(void *opaque);
    /* An error; a fatal one stops the load. `message` is copied. */
    void (*error)(void *opaque, int code, int fatal, const char *message);
    /* An event for the host's queue; the strings are copied (events.c). */
    void (*event)(void *opaque, const sv_event *ev, const char *t0, const char *t1,
                  const char *t2);
    /* An SV_EVENT_TIMED_METADATA for the host's queue: `ev` is one
     * allocation from the env's allocator (the struct, its strings and its
     * payload), which the callee takes in every case. */
    void (*timed)(void *opaque, sv_timed_event *ev);
} sv__notify;

typedef struct sv__env {
    sv__status *st;
    const sv_clock *clock;         /* every timestamp of playback comes from it */
    const sv__logger *log;
    const sv_allocator *alloc;     /* the player's: every allocation below the core */
    sv__notify notify;
    struct sv__timed *timed;       /* the timed events (output.h); the core's */
} sv__env;

/* Seconds on the injected clock. Any thread. */
static inline double sv__env_now(const sv__env *env)
{
    return (double)env->clock->now_ns(env->clock->opaque) / 1e9;
}

/* The notify callbacks with a formatted message. Any thread. */
void sv__env_error(const sv__env *env, int code, int fatal, const char *fmt, ...)
    SV_PRINTF(4, 5);
void sv__env_changed(const sv__env *env);
void sv__env_event(const sv__env *env, const sv_event *ev, const char *t0, const char *t1,
                   const char *t2);

/* ---- the timeline of epochs (status.c) ----------------------------------- */

/* Returns the offset that maps container seconds of epoch `disc` onto the
 * presentation timeline; the first caller for an epoch sets it from its
 * candidate, so every stream of an epoch shares one mapping, except that an
 * authoritative (video) candidate replaces one set by audio. Any thread. */
double sv__timeline_offset(sv__status *st, int64_t disc, double candidate, int authoritative);
/* Reads the offset of epoch `disc` without setting it: 0, or
 * SV_ERR_NOT_FOUND while no stream has demuxed that epoch. Any thread. */
int sv__timeline_offset_get(sv__status *st, int64_t disc, double *offset);

#endif
