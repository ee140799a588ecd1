/*
 * The scheduler's own state. Loop thread only.
 */
#ifndef SV_PLAYER_SCHEDULER_INTERNAL_H
#define SV_PLAYER_SCHEDULER_INTERNAL_H

#include "player/core/internal.h"

#define MAX_LADDER 32
/* A segment that starts this close before an interstitial's cut is cut
 * too (an audio segment's AAC frames end a few ms off the video's). */
#define SV__CUT_TOLERANCE_S 0.05

typedef struct sched_stream {
    sv__sched *owner;
    sv__stream *stream;
    sv_track_type type;
    int track_index;           /* index among the period's tracks of `type` */
    int period;
    double next_time;          /* manifest time of the next segment to fetch */
    double buffered_end;
    int64_t fetch_id;          /* > 0 while a request is in flight */
    int fetch_is_init;
    int growing;               /* the media fetch in flight reads the segment as it grows */
    int fetch_last;            /* ... is of the last entry listed (live) */
    int fetch_hint;            /* ... is an LL-HLS preload hint */
    /* A preload hint that failed (its producer stalled): not asked again
     * before the next playlist load lists what really came. */
    char hint_failed[SV__URL_MAX];
    double stale_reload_s;     /* loop clock of the last reload of a stale other rep */
    int fetch_is_index;        /* playlist or sidx for `fetch_rep` */
    int fetch_rep;
    sv__segment seg;           /* the segment being fetched (copied) */
    char seg_url[SV__URL_MAX]; /* its URL (sv__segment_url), "" when it has none */
    const char *reason;        /* the ABR's reason for its rep (static string) */
    /* A decision that needed a playlist, sidx or init segment first: the
     * fetch that follows it takes this rep rather than asking the rule
     * again (-1: none), so what was loaded for it is not wasted. */
    int chosen_rep;
    const char *chosen_reason;
    int64_t wait_timer;        /* > 0: the rule asked to wait before fetching chosen_rep */
    char *last_init_url;       /* identity of the run's init segment */
    int64_t last_init_offset;
    int last_rep;
    int64_t last_disc;
    uint64_t run;
    int init_pending;          /* the run's init segment is still to be fetched */
    int run_media;             /* media of the current run was delivered */
    int done;                  /* end of stream pushed */
    int wait_rep;              /* the rep waited for at the edge (HLS: the one reloaded
                                  while the stream has no run yet, as after a seek) */
    int waiting_live;          /* at the live edge, waiting for a refresh or (DASH) for
                                  the next segment's availability time */
    int refreshing;            /* HLS live: this stream's playlist reload is in flight */
    int64_t refresh_id;
    int refresh_rep;           /* ... of this rep (the stream may have switched since) */
    sv__recv *recv;            /* what the fetches are handed to (media/receive.c) */
} sched_stream;

struct sv__sched {
    struct sv_player *p;
    /* scheduler.c's pump, set by sv__sched_start: how the files below it
     * (scheduler_streams.c, and through it faults and live) hand a stream
     * back to be looked at. */
    void (*pump)(sched_stream *ss);
    sched_stream ss[2];        /* 0: video (or muxed A/V), 1: separate audio */
    int nb;
    sv_abr *abr;
    int locked;                /* -1: ABR */
    int live_joined;           /* live, and the streams start at the live start */
    sv__throughput tput;       /* measured by the receivers, read by choose_rep */
    int64_t refresh_timer;
    int refresh_timer_blocking; /* it is armed for a blocking reload (at once) */
    int64_t outage_timer;      /* live: looks again when the outage reaches the give-up */
    int64_t refresh_fetch;
    int64_t avail_timer;       /* live DASH: > 0 until the next segment becomes available */
    int avail_refresh;         /* the timer reloads the MPD (a SegmentTimeline's next
                                  segment) rather than listing from the one we have */
    int edge_misses;           /* such reloads in a row that came too early */
    double edge_pos;           /* sv__sched_edge_frozen: the position last seen at the edge */
    double edge_pos_since;     /* player clock since which it has stood there */
    int refresh_errors;        /* HLS: playlist reloads of this round that failed */
    int refresh_failed;        /* the last round failed: no blocking reload at once */
    uint64_t gen;              /* generation the chunks are tagged with */

    /* Segment faults (scheduler_faults.c). An outage starts at the first
     * segment given up after the last successful fetch and lasts until the
     * next one; it ends playback once it is settings.fetch_give_up_ms old. */
    double outage_start;       /* loop clock, 0: none */
    double last_delivery;      /* loop clock of the last media segment handed on */
    int failed;                /* gave up: the streams end, the error waits for the play-out */
    int fail_code;
    char fail_msg[SV__EVENT_TEXT];
};


/* LL-HLS preload hints (scheduler_live.c). A hint with no byte for
 * HINT_STALL_S: its producer stalled. Parts land every part target
 * (0.2-1 s); a publisher that comes back needs its stream probed before
 * its first part (over a second), so a hint given up by then was not
 * answered with the new publisher's part. */
#define HINT_STALL_S 2.0
/* The fetch that ended with r was a preload hint that failed: the stream
 * waits for the next playlist load (1: handled), else 0. */
int sv__sched_hint_failed(sched_stream *ss, sv__fetch_result *r);
/* Entry i of rep is the hint that failed, not listed again by a playlist
 * load since: the stream waits (1), else 0. */
int sv__sched_hint_withheld(sched_stream *ss, const sv__rep *rep, long i);
/* An HLS playlist URL without the delivery directives (_HLS_msn, _HLS_part,
 * _HLS_skip) its last load carried: `url` itself when it has none (or buf
 * is too small), else buf. A playlist loaded whole again (a rendition
 * played before, its list stale) must not ask for a delta update. */
const char *sv__sched_plain_playlist_url(const char *url, char *buf, size_t cap);

/* scheduler_streams.c (below scheduler.c, faults and live; calls none). */
/* Looks at what stream `ss` should fetch next (scheduler.c's pump, through
 * s->pump); at a live edge it waits (sv__sched_schedule_avail). */
void sv__sched_pump(sched_stream *ss);
/* Arms the stream's wait timer to pump it after delay_s: 1 when armed (or
 * it already was), 0 when no timer could be set. */
int sv__sched_wait(sched_stream *ss, double delay_s);
/* Pumps the stream after delay_s, or at once when no timer can be set. */
void sv__sched_pump_later(sched_stream *ss, double delay_s);
/* Cancels every fetch, timer and refresh of the scheduler. */
void sv__sched_cancel(sv__sched *s);
/* The stream ends here (an end-of-stream chunk is pushed). */
void sv__sched_end_stream(sched_stream *ss);
/* The period and the track `ss` plays in it, or NULL. */
sv__period *sv__sched_period_of(sched_stream *ss);
sv__track *sv__sched_track_of(sched_stream *ss);

/* scheduler_live.c */
/* Arms the manifest refresh timer (live; no-op when armed). */
void sv__sched_schedule_refresh(sv__sched *s);
/* Live DASH: arms the timer for the next availability time or timeline
 * reload (no-op when armed or nothing comes with time). */
void sv__sched_schedule_avail(sv__sched *s);

/* scheduler_faults.c */
/* A fetch of the load succeeded: any outage is over. */
void sv__sched_progress(sv__sched *s);
/* The fetcher gave up on the segment `ss` was fetching (its result `r`):
 * skip it (stats, event, the playout's gap), fetch it again, or end the
 * load when the outage has lasted fetch_give_up_ms. */
void sv__sched_segment_failed(sched_stream *ss, const sv__fetch_result *r);
/* Something the load needs (a media playlist, a sidx) cannot be fetched:
 * the streams end with what is buffered, then the load fails with `msg`. */
void sv__sched_give_up(sv__sched *s, int code, const char *msg);
/* After a live refresh: at the live edge with the buffer spent, an outage
 * runs; when it outlasts the give-up time the load ends. */
void sv__sched_live_check(sv__sched *s, const char *manifest_url);

#endif
