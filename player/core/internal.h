/*
 * The core's internal contract: the sv_player struct and the core's pieces.
 * Their files call one way, from the top down: a file calls functions of
 * the files on the lines below its own, and "a -> b, c" on a line means a
 * calls b and c, never the other way round (test_player_call_loops fails
 * on any loop between two files of player/):
 *
 *   player.c          public entry points; commands are posted to the loop
 *   control.c         the commands, and the ways up: the env and session
 *                     host the stages below report through, p->hooks
 *   control_load.c    loads, tracks chosen and switched, streams restarted
 *   control_tick.c    the tick: buffering, playing, rebuffering, the end
 *   the features      interstitials_tick.c -> interstitials_play.c ->
 *                     interstitials.c, preload.c; control_trick.c ->
 *                     control_live.c (seeks, UTCTiming) -> latency.c
 *   control_state.c   the state, replies, errors, commands freed
 *   the scheduler     scheduler.c -> scheduler_live.c -> scheduler_faults.c
 *                     -> scheduler_streams.c; scheduler_sizes.c
 *   the helpers       control_cdn.c, control_timed.c, control_streams.c,
 *                     captions_api.c, properties.c -> scheduler_state.c,
 *                     events.c (the event queue the host drains)
 *
 * A lower layer that has to reach a higher one does it through a hook
 * (sv__control_hooks: p->hooks, set by control.c at creation): trick play
 * restarting the streams, the UTCTiming answer starting the load, the
 * interstitials' and gapless loads, the interstitials' error filter, their
 * timed events and preloads. Decisions a higher layer acts on are returned
 * (sv__latency_tick: a seek back to the live start).
 *
 * The core sits on the stages below it (docs/architecture.md, "Player"):
 * net/ (loop, fetcher), model/, output/ (status, outputs, subtitles), media/
 * (streams, receive, demux), session/. They report up through the sv__env
 * (p->env), the playout and chunk-sink interfaces and their callbacks, never
 * by calling the functions declared here.
 *
 * Threads: the control thread (loop.h) owns the presentation, scheduler and
 * fetcher. Each stream has a demux/decode thread. Video is presented on the
 * render thread (the player's own, or the host's with host_renders). Audio is
 * pulled on the sink's thread. They share only the objects below, each with
 * the lock its comment names.
 *
 * Generations: every load and seek bumps player->gen. Chunks, frames and
 * samples carry the generation they were made for; a consumer drops what
 * belongs to an older one, so a flush never has to chase data in flight.
 */
#ifndef SV_PLAYER_INTERNAL_H
#define SV_PLAYER_INTERNAL_H

#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "player/net/fetcher.h"
#include "player/net/preload_cache.h"
#include "player/net/cmcd.h"
#include "player/net/loop.h"
#include "player/net/steering.h"
#include "player/model/codec.h"
#include "player/model/model.h"
#include "player/model/track_prefs.h"
#include "player/media/media.h"
#include "player/output/output.h"
#include "player/session/session.h"
#include "platform/log.h"
#include "platform/thread.h"
#include "streamverse/abr.h"
#include "streamverse/abrsim.h"
#include "streamverse/player.h"

struct AVFrame;
typedef struct sv__sched sv__sched;

/* ---- events (events.c) ------------------------------------------------ */

#define SV__EVENT_QUEUE 256
#define SV__EVENT_TEXT 200

typedef struct sv__event_slot {
    sv_event ev;
    char text[3][SV__EVENT_TEXT]; /* strings the event's pointers refer to */
    sv_cue_style style;           /* what a cue's style points to */
    int has_style;
    sv_timed_event *timed;     /* SV_EVENT_TIMED_METADATA: its block, owned by the slot */
} sv__event_slot;

typedef struct sv__events {
    sv__mutex lock;            /* guards every field below */
    sv__cond cond;
    sv__event_slot ring[SV__EVENT_QUEUE];
    size_t head, count;
    int woken;                 /* a sv_player_wakeup() is pending */
    void (*wakeup_cb)(void *);
    void *wakeup_opaque;
    sv__event_slot current;    /* what the last wait returned (waiter's own) */
    const sv_allocator *alloc; /* the player's: frees the slots' timed blocks */
} sv__events;

int sv__events_init(sv__events *q, const sv_allocator *alloc);
void sv__events_destroy(sv__events *q);
/* Queues SV_EVENT_TIMED_METADATA with `ev`, a block from the player's
 * allocator that the queue takes (freed once the host moved past it, or
 * when the queue is full of events that are never dropped and it is the
 * oldest). Any thread. */
void sv__events_push_timed(sv__events *q, sv_timed_event *ev);
/*
 * Queues `ev`. Its string pointers are copied into the slot: pass the
 * strings as t0..t2 (NULL allowed) and they are bound in the order the
 * event type uses them (rendition: reason; cdn: from, to, reason; error:
 * message). Any thread.
 */
void sv__events_push(sv__events *q, const sv_event *ev, const char *t0, const char *t1,
                     const char *t2);
const sv_event *sv__events_wait(sv__events *q, double timeout_s);
void sv__events_wakeup(sv__events *q);

/* ---- scheduler (scheduler.c) ------------------------------------------------ */

int sv__sched_start(struct sv_player *p);  /* after the model is ready */
void sv__sched_stop(struct sv_player *p);  /* cancels fetches and timers */
void sv__sched_seek(struct sv_player *p, double target);
void sv__sched_kick(struct sv_player *p);  /* re-evaluate what to fetch */
double sv__sched_buffered_end(struct sv_player *p); /* lowest buffered end over streams */
int sv__sched_all_fetched(struct sv_player *p);
/* Live: 1 when every stream still fetching has fetched all that is
 * available and waits at the live edge, or reads the segment being written
 * (more buffer is not to be had). */
int sv__sched_at_live_edge(struct sv_player *p);
/* Live, at the edge (as above), the playback position standing still: how
 * long it has (seconds, player clock), once that is SV__EDGE_FROZEN_S or
 * more, else 0. The decoder keeps the last frames it was given until more
 * come, so a stream starved at the edge freezes with a few frames' worth of
 * media still counted ahead of the position: the control loop asks this
 * while under 0.4 s is ahead, to tell such a stall from a short wait for
 * the next segment (a video under 2 frames a second would look frozen
 * between its frames; with more buffered than that it is never asked).
 * Control thread, each tick. */
#define SV__EDGE_FROZEN_S 0.5
double sv__sched_edge_frozen(struct sv_player *p);
void sv__sched_lock_quality(struct sv_player *p, int index); /* -1: ABR */
double sv__sched_throughput_bps(struct sv_player *p);
/* When the scheduler gave up (nothing could be fetched for
 * settings.fetch_give_up_ms): its error code with the message in msg[cap],
 * for the control loop to report once what was buffered has played out.
 * 0 otherwise. scheduler_faults.c. */
int sv__sched_failure(struct sv_player *p, char *msg, size_t cap);
/* settings.fetch_give_up_ms: default and valid range. */
#define SV__FETCH_GIVE_UP_DEFAULT_MS 10000
#define SV__FETCH_GIVE_UP_MIN_MS 100
#define SV__FETCH_GIVE_UP_MAX_MS 3600000
/* Sizes of the next segments (up to SV__SIZES_LOOKAHEAD) at each of the n
 * ladder rungs (map: rung -> rep index of track t), segment-major into out,
 * when the player knows them: byte ranges, or p->size_table. Returns how many
 * segments are known at every rung (0: none) and sets *left to the segments
 * left in the presentation (0 when unknown). scheduler_sizes.c. */
#define SV__SIZES_LOOKAHEAD 8
size_t sv__sched_known_sizes(const struct sv_player *p, const sv__track *t, int last_rep,
                             double next_time, const int *map, size_t n, uint64_t *out,
                             size_t *left);

/* ---- control (control.c, control_load.c, control_tick.c, control_state.c) ---- */

typedef enum sv__cmd_kind {
    SV__CMD_LOAD, SV__CMD_PAUSE, SV__CMD_SEEK, SV__CMD_STOP, SV__CMD_QUALITY, SV__CMD_TRACK,
    SV__CMD_LOAD_TITLE, SV__CMD_TRICK, SV__CMD_PRELOAD
} sv__cmd_kind;

/* SV__CMD_SEEK to the live start (sv_player_seek_live), beside SV_SEEK_*. */
#define SV__SEEK_LIVE 0x100

typedef struct sv__cmd {
    struct sv_player *player;
    sv__cmd_kind kind;
    uint64_t userdata;
    char *url;
    sv_load_options opts;      /* strings copied below */
    sv_cdn *cdns;
    sv_session_options session; /* LOAD_TITLE; its strings are copies, its load
                                   points to session_load */
    sv_load_options session_load;
    int ivalue;
    double dvalue;
    int flags;
    sv_track_type track_type;
    size_t max_bytes;          /* PRELOAD: sv_preload_options.max_bytes (ahead_s: dvalue) */
    int internal;              /* PRELOAD asked by the player itself (an interstitial's):
                                  no reply, no SV_EVENT_PRELOAD */
} sv__cmd;

/*
 * The way up inside the core: what a lower layer (the order is at the top
 * of this file) calls in a higher one, filled in by sv__control_init_hooks
 * at creation and never changed after, so any thread may read them.
 */
typedef struct sv__control_hooks {
    /* control_load.c, loop thread: trick play's end restarts the streams
     * (sv__control_restart), the UTCTiming answer starts the load
     * (sv__control_start_loaded), an interstitial's switch and a gapless
     * move load an item (sv__control_load). */
    int (*restart)(struct sv_player *p, double pos);
    void (*start_loaded)(struct sv_player *p);
    void (*load)(struct sv_player *p, sv__cmd *c, int continues);
    /* The interstitials: sv__control_error asks whether a fatal error is an
     * asset's to skip (any thread, sv__inter_asset_failed); the timed events
     * the model took (sv__inter_event, from control_timed.c); the player's
     * own preload ended (sv__inter_preloaded, from preload.c). */
    int (*asset_failed)(struct sv_player *p, int code, const char *msg);
    void (*timed)(struct sv_player *p, const sv__timed_desc *d);
    void (*preloaded)(struct sv_player *p, const char *url, int error, const char *msg);
} sv__control_hooks;

/* control.c: the commands and the ways up. */
void sv__control_run_cmd(void *cmd);     /* loop task */
/* Fills p->hooks in (first thing at creation). */
void sv__control_init_hooks(struct sv_player *p);

/* control_load.c: loads, below the commands and above the tick. */
void sv__control_unload(struct sv_player *p);
/* A load is pending from here on (state LOADING, the previous one unloaded
 * and its reply cancelled); its reply carries `userdata`. */
void sv__control_begin_pending(struct sv_player *p, uint64_t userdata);
/* Loads c->url with c->opts; the player owns c from here on. `continues`:
 * the pending load begun by sv__control_begin_pending (a session's). */
void sv__control_load(struct sv_player *p, sv__cmd *c, int continues);
/* The presentation is loaded (and the clock synchronised): starts playing
 * it. */
void sv__control_start_loaded(struct sv_player *p);
/* Starts the streams and the scheduler of the loaded presentation at the
 * load's start position; `choose` picks the default tracks, otherwise
 * p->video_track and audio_track are kept. 0 or a negative code. */
int sv__control_begin(struct sv_player *p, int choose);
/* Restarts the streams at `pos` with the tracks chosen (a track switch,
 * the end of trick play): state SEEKING. 0 or a negative code. */
int sv__control_restart(struct sv_player *p, double pos);
/* Switches the video or audio track (restarting the streams at the current
 * position). Returns 0, SV_ERR_RANGE or SV_ERR_STATE. */
int sv__control_select_track(struct sv_player *p, sv_track_type type, int index);

/* control_tick.c: arms the tick (a load begins; sv__control_unload cancels
 * p->tick_timer). */
void sv__control_tick_start(struct sv_player *p);
/* Looks at the state again soon (posted to the loop): the env's changed()
 * ends here when an output shows a first frame or reaches the end. Any
 * thread. */
void sv__control_notify(struct sv_player *p);

/* control_state.c: the bottom, called from every layer above the
 * scheduler; calls nothing above it. */
void sv__cmd_free(sv__cmd *c);
/* Reports a fatal or non-fatal error from any thread. */
void sv__control_error(struct sv_player *p, int code, int fatal, const char *fmt, ...)
    SV_PRINTF(4, 5);
void sv__set_state(struct sv_player *p, sv_player_state st);
sv_player_state sv__control_get_state(struct sv_player *p);
/* SV_EVENT_COMMAND_REPLY for `userdata`; the pending load's reply, once. */
void sv__control_reply(struct sv_player *p, uint64_t userdata, int error);
void sv__control_reply_load(struct sv_player *p, int error);

/* ---- trick play (control_trick.c) ------------------------------------------------ */

/* Opaque: the trick stream, its receiver and its pace. Loop thread only. */
typedef struct sv__trick sv__trick;
/* sv_player_set_trick_rate(): starts trick play at `rate`, changes it, or
 * with 1 ends it (sv__trick_end). Returns 0 or a code for the reply. */
int sv__trick_set(struct sv_player *p, int rate);
/* 1 while trick play runs (the control loop's tick leaves it alone). */
int sv__trick_active(const struct sv_player *p);
/* Ends trick play: normal playback restarts at the key frame on screen
 * (SEEKING), paused with `paused`; SV_EVENT_TRICK_RATE with rate 1. */
int sv__trick_end(struct sv_player *p, int paused);
/* A seek during trick play: trick play goes on from the target; a seek
 * to the live edge ends it there (sv__control_seek). */
int sv__trick_seek(struct sv_player *p, sv__cmd *c);
/* Drops trick play without restarting anything (unload, track switch). */
void sv__trick_abort(struct sv_player *p);
/* Pure: where trick play at `rate` that started at `anchor` stands after
 * `elapsed` seconds, within [lo, hi]; *at_end 1 when it reached the bound
 * it moves to (hi forward, lo rewinding). */
double sv__trick_target(double anchor, int rate, double elapsed, double lo, double hi,
                        int *at_end);

/* ---- the streams of a load (control_streams.c) ------------------------------------ */

/* Starts a stream feeding `feeds` (SV__FEED_*), of the scheduler's chunks or
 * of `direct` (a plain file the demuxer opens), at the load's start. */
int sv__control_start_stream(struct sv_player *p, sv__stream **out, int feeds,
                             const char *direct);
/* Ends the load's streams (a new generation) and closes the audio sink;
 * with p->handover the audio sink plays on and keeps what it holds. */
void sv__control_stop_streams(struct sv_player *p);
/* 1 when `url` names a plain media file (by its extension): the demuxer
 * opens it itself, nothing is fetched as a manifest. */
int sv__control_plain_file(const char *url);
/* A local path as a file:// URL, an absolute URL copied; NULL on failure. */
char *sv__control_to_url(const sv_allocator *alloc, const char *in);

/* ---- preload (preload.c) ---------------------------------------------------------- */

/* The next item fetched ahead (streamverse/preload.h), loop thread but
 * create/destroy (with the player). */
typedef struct sv__preload sv__preload;
int sv__preload_create(struct sv_player *p);   /* after the fetcher and the cache */
void sv__preload_destroy(struct sv_player *p); /* before them */
void sv__preload_start(struct sv_player *p, sv__cmd *c); /* takes c */
void sv__preload_stop(struct sv_player *p);    /* a stop: cancelled, bodies dropped */
/* A load of `url` (absolute) begins: the preload of that URL serves it;
 * one already played is dropped. */
void sv__preload_loading(struct sv_player *p, const char *url);
/* From the tick: the published figures (hits) catch up, and with a gapless
 * preload ready, at the end of the current item the preloaded one is
 * loaded behind it (a task posted). Returns 1 when that was posted. */
int sv__preload_tick(struct sv_player *p);

/* The slot is free for the player's own preload: none, used, failed, or
 * one of the player's (the host's preload is never replaced). */
int sv__preload_free_for(struct sv_player *p);
/* The preload is (or was, and failed) for `url` (absolute). */
int sv__preload_holds(struct sv_player *p, const char *url);

/* ---- HLS interstitials (interstitials.c, _play.c, _tick.c) ------------------------ */

typedef struct sv__inter sv__inter;
int sv__inter_create(struct sv_player *p);
void sv__inter_destroy(struct sv_player *p);
/* A host's load (the primary from `from`) or stop: the schedule is forgotten. */
void sv__inter_reset(struct sv_player *p, double from);
/* A timed event the model took: an interstitial DATERANGE of the primary
 * joins the schedule (its attributes read, a warning when they are wrong). */
void sv__inter_event(struct sv_player *p, const sv__timed_desc *d);
/* From the tick: asset lists fetched, the cut before the next break set
 * (p->stop_at), preloads asked; 1 when a break started (a pre-roll, or a
 * break passed before it was known): the tick stops there. */
int sv__inter_tick(struct sv_player *p);
/* The load played out: 1 when a break starts (the primary reached its cut,
 * or its end with a POST-roll), the next asset plays, or the primary
 * resumes; 0 when the load ends as usual. */
int sv__inter_at_end(struct sv_player *p);
/* A seek command on the primary: 1 when it jumps over a break with
 * X-RESTRICT JUMP, which then plays first (the reply is 0). */
int sv__inter_seek(struct sv_player *p, const sv__cmd *c);
/* A fatal error while an asset plays: 1 when it is taken as a warning and
 * the asset skipped (posted to the loop). Any thread. */
int sv__inter_asset_failed(struct sv_player *p, int code, const char *msg);
/* The player's own preload of `url` ended with `error` (0: ready). */
void sv__inter_preloaded(struct sv_player *p, const char *url, int error, const char *msg);
/* A load's streams started (outputs flushed): the cut is set on them again. */
void sv__inter_begun(struct sv_player *p);
/* 1 while an interstitial whose X-RESTRICT has SKIP plays. Any thread. */
int sv__control_seek_refused(struct sv_player *p);

/* ---- live (control_live.c) ------------------------------------------------------ */

/* A seek command: a position (clamped to a live load's DVR window) or, with
 * SV__SEEK_LIVE, the live start. Returns 0 or a negative code for the reply. */
int sv__control_seek(struct sv_player *p, sv__cmd *c);
/* Live DASH with UTCTiming (http-xsdate, http-iso, direct): sets the
 * player's UTC from the server's time. Returns 1 when a request went out
 * (sv__control_start_loaded follows its answer), 0 when the load goes on
 * now (no UTCTiming, direct, or a scheme not supported: logged). */
int sv__control_sync_clock(struct sv_player *p);
/* control.c: fills p->env in: the status, clock and logger, and notify callbacks that
 * end in sv__control_notify, sv__control_error and the event queue. */
void sv__control_init_env(struct sv_player *p);
/* control_timed.c: moves the timed events the manifest loads brought into
 * the store (loop thread: after each load, media playlist and refresh, and
 * every tick); the notify callback that queues what the store reports (any
 * thread). */
void sv__control_take_events(struct sv_player *p);
/* A break reached (SCTE-35 splice_event_id `id` at `start`), kept for the
 * session's reports once per load (a repeat of one the ring holds is not).
 * Any thread. */
void sv__control_count_ad(struct sv_player *p, uint32_t id, double start, double duration);
void sv__control_env_timed(void *opaque, sv_timed_event *ev);
/* control.c: the sessions' host; their loads end in sv__control_load. */
void sv__control_session_host(struct sv_player *p, sv__session_host *host);

/* ---- CDNs of a load (control_cdn.c) ------------------------------------------- */

/* Routes CDN changes to SV_EVENT_CDN_CHANGED (once, at creation). */
void sv__control_cdns_init(struct sv_player *p);
/* The host's list from load_opts, its bases standing for the folder of
 * `manifest_url`. 0 (also when there is none) or a negative code. */
int sv__control_cdns_host(struct sv_player *p, const char *manifest_url);
/* The manifest's alternatives, when the host gave no list. 0 or < 0. */
int sv__control_cdns_model(struct sv_player *p);
/* No CDNs (unload). */
void sv__control_cdns_clear(struct sv_player *p);
/* Copies the load's CDN list (host's or manifest's, in their order, before
 * steering) into out (up to cap) and returns how many there are. Pointers
 * stay valid while the load lasts. */
size_t sv__control_cdns_list(struct sv_player *p, sv__cdn_entry *out, size_t cap);

/* ---- content steering (control_cdn.c over net/steering.c) --------------------------- */

/* Follows the presentation's steering manifest, when it names one and the
 * load has CDNs (fetched now, then every TTL). 0 or SV_ERR_NOMEM. */
int sv__steer_start(struct sv_player *p);
void sv__steer_stop(struct sv_player *p);

/* ---- live latency (latency.c) --------------------------------------------------- */

#define SV__LATENCY_BINS 6000      /* 10 ms steps up to a minute */

/* Loop thread only. */
typedef struct sv__latency {
    double target;                 /* seconds held; < 0 none */
    double rate;                   /* asked of the outputs */
    double last_change_s;          /* player clock of the last change */
    int hold;                      /* the target is held (not after a seek behind the edge) */
    double last_catch_up_s;        /* player clock of the last seek back to the live start */
    double sample, sample_s;       /* the last latency sampled, and when (player clock) */
    int64_t nb;                    /* samples in hist */
    uint32_t *hist;                /* SV__LATENCY_BINS counts; NULL until live is played */
} sv__latency;

/* A new load: rate 1, no samples, the stats' live fields -1. */
void sv__latency_reset(struct sv_player *p);
/* From the tick: samples the latency while `playing` (live with a date),
 * moves the rate toward the target given the `buffer` ahead (seconds), and
 * publishes the stats (sv__latency_follow). Returns 1, and does neither,
 * when the latency is too far over the maximum for the rate to make it up:
 * the caller seeks back to the live start, and follows when that fails;
 * else 0. */
int sv__latency_tick(struct sv_player *p, int playing, double buffer);
/* The rate and the stats for the last sample (the rest of the tick). */
void sv__latency_follow(struct sv_player *p, double buffer);
/* At a resume from pause: 1 when the position paused at is so far behind
 * the live edge that the tick would send the player back to the live start
 * (sv__latency_too_late): the caller seeks there instead of resuming, so no
 * frame of the old position is shown (and found late) first; else 0. */
int sv__latency_resume_late(struct sv_player *p);
void sv__latency_free(struct sv_player *p);
/* Holds the target (1: at a load and back at the live edge) or not (0:
 * a seek back into the DVR window plays on at rate 1). */
void sv__latency_hold(struct sv_player *p, int hold);
/* Pure: 1 when a live `latency` held at `target` is so far over the
 * manifest's maximum latency `max` (< 0: none) that the rate cannot make it
 * up and the player goes back to the live start instead: more than
 * max - target + 0.5 s over the target (dash.js's liveCatchup maxDrift from
 * ServiceDescription Latency@max). */
int sv__latency_too_late(double latency, double target, double max);
/* Pure: the playback rate to play at next, from the one played now
 * (`rate`), the latency's `error` (latency - target, seconds) and the
 * `buffer` ahead (seconds): 1 within 30 ms of the target; else
 * 1 + 0.05 tanh(error / 0.5 s) in steps of 0.005 (at least 0.01 off 1),
 * within 0.95-1.05, a correction kept until the error is 30 ms past the
 * target the other way; never over 1 with less than 0.5 s buffered. */
double sv__latency_rate(double rate, double error, double buffer);

/* ---- the player ------------------------------------------------------------ */

#define SV__MAX_TRACKS 16

/* A caption track a manifest declares (sv__caption_decl, copied). */
#define SV__MAX_CAPTION_DECLS 67
typedef struct sv__caption_track {
    char name[12];
    int service;               /* 0 CC1, 1-63, -1 CC2-CC4 */
    char language[16];
    char label[64];
} sv__caption_track;

/* captions_api.c: the load's caption tracks from period `per` (a
 * settings.caption_track of languages picks among them); forgets them. */
void sv__captions_api_load(struct sv_player *p, const sv__period *per);
void sv__captions_api_unload(struct sv_player *p);

struct sv_player {
    sv_player_settings settings;   /* strings point to the copies below; sinks, CDM,
                                      clock and allocator to the full-size copies of the
                                      host's that follow (player.c, read_settings) */
    sv_video_sink video_sink;
    sv_audio_sink audio_sink;
    sv_cdm host_cdm;
    sv_clock host_clock;
    sv_allocator allocator;        /* the host's, copied; no callbacks when it gave none
                                      (the C library). settings.allocator points here */
    char *abr_rule_name, *license_url, *user_agent, *codecs;
    char *tls_ca_file, *tls_pinned_pubkey; /* settings' copies, or NULL */
    sv__codec_prefs codec_prefs;   /* settings.codecs parsed (player/model/codec.h) */
    sv__lang_prefs audio_prefs;    /* settings.audio_languages parsed (track_prefs.h) */
    sv__lang_prefs subtitle_prefs; /* settings.subtitle_languages parsed */
    sv_abr_param *abr_params;      /* settings.abr_params' copy (names owned) */
    sv__logger log;
    const sv_clock *clock;
    sv_clock *own_clock;
    /* The wall clock read once, at creation, and the player's clock then:
     * UTC times (live DASH availability) are this plus the player's clock
     * since, so they move with an injected (virtual) clock. */
    double utc_anchor, clock_anchor;
    const sv_abr_rule *abr_rule;
    sv_cdm *cdm;                   /* settings.cdm, or own_cdm */
    sv_cdm *own_cdm;               /* the built-in ClearKey CDM when the host gave none */

    sv__events events;
    sv__env env;                   /* st, clock, log and the notify callbacks (control.c) for
                                      the stages below the core */

    /* Control thread. */
    sv__thread control_thread;
    sv__loop *loop;
    sv__transport *transport;      /* the preload cache's serving face over the real one */
    sv__transport *record_transport; /* its recording face (the preload's fetcher) */
    sv__pcache *pcache;            /* the bodies preloaded (net/preload_cache.h) */
    sv__preload *preload;          /* the next item fetched ahead (preload.c) */
    sv__fetcher *fetcher;
    int control_started;
    int sync_ready;                /* 1: lock initialised, 2: events too */

    /* Loop-thread state (no lock: only the control thread touches it). */
    sv__presentation *pres;
    int period;                    /* period being played */
    int video_track, audio_track;  /* selected track indexes (-1 none) */
    unsigned codec_ladder;         /* families the video ladder may hold (SV__CODEC_BIT);
                                      0: no restriction */
    int text_track;
    sv__subs *subs;
    sv__thumbs *thumbs;        /* seek thumbnails of the period played */
    sv__captions *captions;    /* settings.captions: CEA-608 or 708 from the video, else NULL */
    int caption_service;       /* settings.caption_track: 0 CC1, 1-63 a CEA-708 service */
    sv__lang_prefs caption_prefs; /* settings.caption_track as languages (n 0: a name) */
    /* The caption tracks the load's manifest declares (captions_api.c);
     * guarded by st.lock. */
    sv__caption_track cap_decls[SV__MAX_CAPTION_DECLS];
    size_t nb_cap_decls;
    sv__timed *timed;          /* the load's timed events (output/timed_events.c) */
    sv__stream *vstream, *astream; /* astream NULL when audio is muxed/absent */
    sv__sched *sched;
    sv_load_options load_opts;     /* strings belong to load_cmd */
    sv__cmd *load_cmd;             /* the load being played (owned) */
    sv__sessions *sessions;        /* backend sessions (session/) */
    sv__steer *steer;              /* content steering of the load, or NULL */
    char cmcd_sid[40];             /* CMCD session id of the load */
    char *load_url;
    uint64_t load_userdata;
    int load_replied;
    int64_t tick_timer;
    double load_time_s;
    double rebuffer_start_s;       /* < 0 when not rebuffering */
    double seek_target;            /* < 0 when no seek is pending */
    int paused_by_user;
    /* Gapless (preload.c): the next sv__control_stop_streams keeps the
     * outputs playing and what they hold (the next item queues behind);
     * then the load starts playing as soon as its first samples are heard. */
    int handover;
    int gapless_start;
    /* Interstitials (interstitials.c): the schedule; item_switch is set
     * while a break's switch loads an asset or the primary again (the
     * host's load goes on: no reply, stats and session kept); stop_at is
     * the cut: no segment that starts at or after it is fetched. */
    sv__inter *inter;
    int item_switch;
    double stop_at;

    sv__latency latency;           /* live latency and the rate that holds it */
    sv__control_hooks hooks;       /* set at creation, read-only after (any thread) */
    sv__trick *trick;              /* trick play, NULL when none (control_trick.c) */
    int64_t manifest_fetch;        /* > 0 while the manifest is being fetched */
    int64_t utc_fetch;             /* > 0 while the UTCTiming time is being fetched */
    int stats_startup_pending;     /* startup_time_s not measured yet */

    /* Shared across threads. */
    _Atomic uint64_t gen;
    atomic_int failed;             /* a fatal error stopped this load */
    atomic_int notify_pending;     /* a check task is already posted */
    sv__vout *vout;
    sv__aout *aout;
    /* What plays the media: the decoding outputs (own_playout over vout and
     * aout, with a demux thread per stream), or, set before the first load,
     * another implementation and the chunk sink that feeds it (emulate/). */
    const sv__playout *playout;
    sv__playout own_playout;
    const sv__chunk_sink *chunk_sink; /* NULL: each stream has a demux thread */
    const sv_abr_video *size_table; /* segment sizes per rep known before the session
                                      (segment-major, reps of the video track), as if byte
                                      ranges gave them; or NULL */

    sv__status st;                 /* position, stats, epochs: st.lock guards them and every
                                      field below */
    sv_track_info tracks[3][SV__MAX_TRACKS];
    int nb_tracks[3];
    sv_representation_info *reps[3][SV__MAX_TRACKS];
    int nb_reps[3][SV__MAX_TRACKS];
};

/* sv_player_create() with a transport of the caller's (owned by the player
 * from this call on, also on failure; NULL: libcurl) and, with
 * `own_thread` 0, no control thread: the caller runs sv__loop_run() and
 * sv__control_unload() itself (emulate.c). */
int sv__player_create(sv_player **out, const sv_player_settings *settings,
                      sv__transport *transport, int own_thread);

/* 1 when `rule` takes every parameter of params[n] (n 0: always). */
int sv__abr_params_ok(const sv_abr_rule *rule, const sv_abr_param *params, size_t n);

/* Logging shorthands with the player's logger. */
#define PLOGE(p, ...) SV_LOGE(&(p)->log, "player", __VA_ARGS__)
#define PLOGW(p, ...) SV_LOGW(&(p)->log, "player", __VA_ARGS__)
#define PLOGI(p, ...) SV_LOGI(&(p)->log, "player", __VA_ARGS__)
#define PLOGD(p, ...) SV_LOGD(&(p)->log, "player", __VA_ARGS__)

/* Seconds on the player's clock. */
static inline double sv__player_now(const struct sv_player *p)
{
    return (double)p->clock->now_ns(p->clock->opaque) / 1e9;
}

/* Wall-clock UTC seconds since 1970 (live DASH), on the player's clock. */
static inline double sv__wallclock_utc(const struct sv_player *p)
{
    return p->utc_anchor + (sv__player_now(p) - p->clock_anchor);
}

/* Properties helpers (properties.c), loop thread: publish the loaded
 * presentation's tracks and clear them on unload. */
void sv__props_publish_tracks(struct sv_player *p);
void sv__props_clear(struct sv_player *p);

#endif
