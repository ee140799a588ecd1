/*
 * The player core's internal contract: the sv_player struct and the pieces
 * it is made of, one file each:
 *
 *   player.c        public entry points; commands are posted to the loop
 *   events.c        the bounded event queue the host drains
 *   properties.c    properties, stats and track lists (under `lock`)
 *   control.c       the loop-thread state machine: load, start, seek, stop
 *   scheduler.c     what to fetch next per stream, ABR, live refresh
 *   stream.c        chunk queue from the loop to a demux thread
 *   demux.c         demux thread: libavformat over the chunk queue
 *   decode.c        decoders and picture conversion for the sinks
 *   output_video.c  frame queue, presentation on time, drops, render thread
 *   output_audio.c  sample FIFO, resampling, the audio sink's pull, master clock
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

#include "player/net/fetcher.h"
#include "player/net/loop.h"
#include "player/model/model.h"
#include "platform/log.h"
#include "platform/thread.h"
#include "streamverse/abr.h"
#include "streamverse/abrsim.h"
#include "streamverse/player.h"

struct AVFrame;
typedef struct sv__vout sv__vout;
typedef struct sv__aout sv__aout;
typedef struct sv__stream sv__stream;
typedef struct sv__sched sv__sched;

/* ---- events (events.c) ------------------------------------------------ */

#define SV__EVENT_QUEUE 256
#define SV__EVENT_TEXT 200

typedef struct sv__event_slot {
    sv_event ev;
    char text[3][SV__EVENT_TEXT]; /* strings the event's pointers refer to */
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
} sv__events;

int sv__events_init(sv__events *q);
void sv__events_destroy(sv__events *q);
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

/* ---- chunks and streams (stream.c) --------------------------------------- */

/* A downloaded piece of media on its way to a demux thread. */
typedef struct sv__chunk {
    struct sv__chunk *next;
    uint8_t *data;             /* owned by the chunk */
    size_t size;
    int is_init;
    int eos;                   /* no data: the stream ends here */
    uint64_t run;              /* one demuxer per run: new rep, init or epoch */
    int64_t disc;              /* timeline epoch (HLS discontinuity / DASH period) */
    double start, duration;    /* manifest time of a media chunk */
    int rep_index;
    int64_t bitrate;
    int width, height;
    int encrypted;             /* was decrypted on the way: decode errors mean a wrong key */
    const char *reason;        /* why the ABR picked this rep (static string, or NULL) */
} sv__chunk;

/* What a stream feeds: its video, its audio, or both (muxed TS). */
enum { SV__FEED_VIDEO = 1, SV__FEED_AUDIO = 2 };

typedef struct sv__stream_config {
    int feeds;                 /* SV__FEED_* mask this stream decodes */
    const char *direct_url;    /* plain file: libavformat opens it; NULL for chunks */
    struct sv_player *player;
} sv__stream_config;

int sv__stream_create(sv__stream **out, const sv__stream_config *cfg);
/* Stops the demux thread, frees queued chunks. Accepts NULL. */
void sv__stream_destroy(sv__stream *s);
/* Appends a chunk (ownership passes to the stream) tagged for generation
 * `gen`. Loop thread. */
void sv__stream_push(sv__stream *s, sv__chunk *c, uint64_t gen);
/* Drops every queued chunk and makes the demux thread abandon its current
 * demuxer; later chunks start afresh. `target` is the accurate-seek target
 * (presentation seconds) frames before which are not shown; for a direct
 * file the demux thread seeks there itself. Any thread. */
void sv__stream_flush(sv__stream *s, uint64_t gen, double target);
/* Bytes queued and not yet read by the demuxer. */
size_t sv__stream_queued_bytes(sv__stream *s);

/* Used by the demux thread (demux.c): blocks for the next chunk of
 * generation >= *gen; returns NULL when the stream is being destroyed.
 * *gen is updated when a flush happened. */
sv__chunk *sv__stream_next(sv__stream *s, uint64_t *gen, double *target);
/* Non-blocking peek at the run of the next queued chunk; returns 0 and sets
 * *run when one is queued for the current generation. */
int sv__stream_peek_run(sv__stream *s, uint64_t gen, uint64_t *run);
int sv__stream_quitting(sv__stream *s);
uint64_t sv__stream_gen(sv__stream *s);
const sv__stream_config *sv__stream_cfg(const sv__stream *s);
void sv__chunk_free(sv__chunk *c);

/* The demux thread body (demux.c). */
void *sv__demux_thread(void *arg);

/* ---- timeline (control.c) ----------------------------------------------- */

/* Returns the offset that maps container seconds of epoch `disc` onto the
 * presentation timeline; the first caller for an epoch sets it from its
 * candidate, so every stream of an epoch shares one mapping, except that an
 * authoritative (video) candidate replaces one set by audio. Any thread. */
double sv__timeline_offset(struct sv_player *p, int64_t disc, double candidate,
                           int authoritative);
/* Reads the offset of epoch `disc` without setting it: 0, or
 * SV_ERR_NOT_FOUND while no stream has demuxed that epoch. Any thread. */
int sv__timeline_offset_get(struct sv_player *p, int64_t disc, double *offset);

/* ---- decoding (decode.c) ------------------------------------------------ */

typedef struct sv__decoder sv__decoder;
struct AVCodecParameters;
/* `strict`: report bitstream errors instead of concealing them (decrypted
 * media, where an error means a wrong key). */
int sv__decoder_open(sv__decoder **out, const struct AVCodecParameters *par, int threads,
                     int strict, const sv__logger *log, char *err, size_t errlen);
void sv__decoder_close(sv__decoder *d);
/* Sends a packet (NULL drains) and hands every frame that comes out to fn;
 * returns 0 or a negative code (fn's negative return stops it). */
struct AVPacket;
int sv__decoder_decode(sv__decoder *d, const struct AVPacket *pkt,
                       int (*fn)(void *opaque, struct AVFrame *frame), void *opaque);
/* Codec-level comparison: 1 if `par` can go on through decoder `d`. */
int sv__decoder_same(const sv__decoder *d, const struct AVCodecParameters *par);
int sv__decoder_strict(const sv__decoder *d);

/* ---- video output (output_video.c) ----------------------------------------- */

int sv__vout_create(sv__vout **out, struct sv_player *p);
void sv__vout_destroy(sv__vout *v);
/* Queues a decoded frame (a new reference is taken) for generation `gen`
 * with its presentation time. Blocks while the queue is full; returns 0, or
 * SV_ERR_CANCELLED when a flush made it stale. Demux thread. */
typedef struct sv__rep_meta {
    int rep_index;
    int64_t bitrate;
    int width, height;         /* declared by the manifest (0 if unknown) */
} sv__rep_meta;
int sv__vout_push(sv__vout *v, struct AVFrame *frame, uint64_t gen, double pts_s,
                  double duration_s, const sv__rep_meta *meta);
/* The stream that feeds video ended (no more frames for this generation). */
void sv__vout_eos(sv__vout *v, uint64_t gen);
/* Drops queued frames; frames of `gen` before `target` (accurate seek,
 * < 0: none) are dropped at push. Any thread. */
void sv__vout_flush(sv__vout *v, uint64_t gen, double target);
/* Presents what is due (render thread). Returns 1 presented, 0 not;
 * *next_due_s: wait hint. */
int sv__vout_render(sv__vout *v, double *next_due_s);
/* Starts the player's own render thread (when the host does not render). */
int sv__vout_start_thread(sv__vout *v);
/* Starts (anchoring the video-only clock at the frame on screen) or stops
 * the clock frames are presented on. */
void sv__vout_set_playing(sv__vout *v, int playing);
int sv__vout_queued(sv__vout *v);
int sv__vout_done(sv__vout *v);     /* EOS reached and every frame presented */
int sv__vout_has_frame(sv__vout *v); /* a first frame is queued or was shown */
int sv__vout_shown(sv__vout *v);     /* a frame of this generation was presented */

/* ---- audio output (output_audio.c) ----------------------------------------- */

int sv__aout_create(sv__aout **out, struct sv_player *p);
void sv__aout_destroy(sv__aout *a);
/* Queues decoded audio (converted to the sink's format, opening the sink
 * on first use) for generation `gen`. Blocks while the FIFO is full;
 * returns 0, SV_ERR_CANCELLED when stale, or a sink error. Demux thread. */
int sv__aout_push(sv__aout *a, struct AVFrame *frame, uint64_t gen, double pts_s);
void sv__aout_eos(sv__aout *a, uint64_t gen);
void sv__aout_flush(sv__aout *a, uint64_t gen, double target);
void sv__aout_set_playing(sv__aout *a, int playing);
/* Closes the sink; call only when no demux thread runs. */
void sv__aout_close(sv__aout *a);
/* The master clock: presentation seconds being heard now, or NAN when
 * audio is not running. Any thread. */
double sv__aout_clock(sv__aout *a);
double sv__aout_buffered_s(sv__aout *a);
int sv__aout_done(sv__aout *a);
int sv__aout_active(sv__aout *a);  /* audio exists for this load */
void sv__aout_set_active(sv__aout *a, int active);
void sv__aout_volume(sv__aout *a, double volume, int muted);

/* ---- scheduler (scheduler.c) ------------------------------------------------ */

int sv__sched_start(struct sv_player *p);  /* after the model is ready */
void sv__sched_stop(struct sv_player *p);  /* cancels fetches and timers */
void sv__sched_seek(struct sv_player *p, double target);
void sv__sched_kick(struct sv_player *p);  /* re-evaluate what to fetch */
double sv__sched_buffered_end(struct sv_player *p); /* lowest buffered end over streams */
int sv__sched_all_fetched(struct sv_player *p);
void sv__sched_lock_quality(struct sv_player *p, int index); /* -1: ABR */
double sv__sched_throughput_bps(struct sv_player *p);
/* Sizes of the next segments (up to SV__SIZES_LOOKAHEAD) at each of the n
 * ladder rungs (map: rung -> rep index of track t), segment-major into out,
 * when the player knows them: byte ranges, or p->size_table. Returns how many
 * segments are known at every rung (0: none) and sets *left to the segments
 * left in the presentation (0 when unknown). scheduler_sizes.c. */
#define SV__SIZES_LOOKAHEAD 8
size_t sv__sched_known_sizes(const struct sv_player *p, const sv__track *t, int last_rep,
                             double next_time, const int *map, size_t n, uint64_t *out,
                             size_t *left);

/* ---- decryption (decrypt.c) ------------------------------------------------- */

typedef struct sv__decryptor sv__decryptor;
int sv__decryptor_create(sv__decryptor **out);
void sv__decryptor_destroy(sv__decryptor *d);
/* Reads an init segment's protection (copied). Returns 0 or SV_ERR_NOMEM. */
int sv__decryptor_set_init(sv__decryptor *d, const uint8_t *data, size_t size);
int sv__decryptor_encrypted(const sv__decryptor *d);
/* The CDM's license request for the init's KIDs: 0 with *req (release with
 * cdm->free_request), 1 when every key is held, or a negative code. */
int sv__decryptor_request(sv__decryptor *d, sv_cdm *cdm, const char *license_url,
                          uint8_t **req, size_t *req_size);
/* The init segment in clear form (free() it). */
int sv__decryptor_clear_init(sv__decryptor *d, uint8_t **out, size_t *out_size);
/* Decrypts a media segment in place (no-op when clear). */
int sv__decryptor_segment(sv__decryptor *d, sv_cdm *cdm, uint8_t *data, size_t size);

/* ---- HLS AES-128 (hls_aes128.c) ---------------------------------------------- */

/* Whole-segment AES-128-CBC keys of one scheduler stream: each key URI is
 * fetched once per load and kept. Loop thread. */
typedef struct sv__aes_keys sv__aes_keys;
int sv__aes_keys_create(sv__aes_keys **out, struct sv_player *p);
void sv__aes_keys_destroy(sv__aes_keys *k);
/* Forgets a key fetch in flight (its resume is not called). */
void sv__aes_keys_cancel(sv__aes_keys *k);
/* Decrypts a segment of media sequence `sequence` in place (*size shrinks
 * by the padding) when the key is held: 0. Returns 1 when the key is being
 * fetched: the caller keeps the segment, and resume() runs on the loop when
 * the fetch ends (error 0: call sv__aes_keys_finish; else a negative code
 * and a message). < 0: SV_ERR_DRM (wrong size or padding: a wrong key). */
int sv__aes_keys_decrypt(sv__aes_keys *k, const sv__key *key, int64_t sequence, uint8_t *data,
                         size_t *size,
                         void (*resume)(void *opaque, int error, const char *message),
                         void *opaque);
/* Decrypts the held segment with the key that just arrived. */
int sv__aes_keys_finish(sv__aes_keys *k, uint8_t *data, size_t *size);

/* ---- control (control.c) ----------------------------------------------------- */

typedef enum sv__cmd_kind {
    SV__CMD_LOAD, SV__CMD_PAUSE, SV__CMD_SEEK, SV__CMD_STOP, SV__CMD_QUALITY, SV__CMD_TRACK,
    SV__CMD_LOAD_TITLE
} sv__cmd_kind;

typedef struct sv__cmd {
    struct sv_player *player;
    sv__cmd_kind kind;
    uint64_t userdata;
    char *url;
    sv_load_options opts;      /* strings copied below */
    sv_cdn *cdns;
    sv_session_options session; /* LOAD_TITLE; its strings are copies */
    int ivalue;
    double dvalue;
    int flags;
    sv_track_type track_type;
} sv__cmd;

void sv__control_run_cmd(void *cmd);     /* loop task */
void sv__control_unload(struct sv_player *p);
/* A load is pending from here on (state LOADING, the previous one unloaded
 * and its reply cancelled); its reply carries `userdata`. */
void sv__control_begin_pending(struct sv_player *p, uint64_t userdata);
/* Loads c->url with c->opts; the player owns c from here on. `continues`:
 * the pending load begun by sv__control_begin_pending (a session's). */
void sv__control_load(struct sv_player *p, sv__cmd *c, int continues);
/* Switches the video or audio track (restarting the streams at the current
 * position). Returns 0, SV_ERR_RANGE or SV_ERR_STATE. */
int sv__control_select_track(struct sv_player *p, sv_track_type type, int index);
void sv__cmd_free(sv__cmd *c);
/* Reports a fatal or non-fatal error from any thread. */
void sv__control_error(struct sv_player *p, int code, int fatal, const char *fmt, ...)
    SV_PRINTF(4, 5);
void sv__set_state(struct sv_player *p, sv_player_state st);
/* Called from output threads when the first frame after a seek is shown
 * and when the end is reached (posted to the loop). */
void sv__control_notify(struct sv_player *p);

/* ---- backend session (session.c) ------------------------------------------------ */

typedef struct sv__session sv__session;
/* Runs a LOAD_TITLE command: ends the current session, starts a new one and
 * loads what it answers. Loop thread. */
void sv__session_load(struct sv_player *p, sv__cmd *c);
/* Ends the current session (stop sent, resume position saved); no-op
 * without one. Loop thread. */
void sv__session_end(struct sv_player *p);
/* Destroy is coming: ends the session and sets p->shutdown_done once no
 * stop waits for its answer any more (at once when none does). */
void sv__session_shutdown(struct sv_player *p);
/* Ends everything at once, answered or not (the loop is about to go). */
void sv__session_teardown(struct sv_player *p);

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

/* ---- CMCD (cmcd.c) ---------------------------------------------------------------- */

typedef struct sv__cmcd_object {
    sv_track_type type;
    int is_init;
    int64_t bitrate_bps, top_bps;  /* 0: unknown */
    double duration_s;             /* 0: unknown */
} sv__cmcd_object;
/* Writes "CMCD=<encoded keys>" for a segment request into out and returns
 * 1, or 0 (out untouched) when CMCD is off. */
int sv__cmcd_query(struct sv_player *p, const sv__cmcd_object *o, char *out, size_t cap);
/* A fresh session id for CMCD (each load; a backend session's id wins). */
void sv__cmcd_new_session(struct sv_player *p);

/* ---- content steering (steering.c) --------------------------------------------- */

#define SV__STEER_MAX_CDNS 24
typedef struct sv__steer sv__steer;
/* Follows the presentation's steering manifest, when it names one and the
 * load has CDNs (fetched now, then every TTL). 0 or SV_ERR_NOMEM. */
int sv__steer_start(struct sv_player *p);
void sv__steer_stop(struct sv_player *p);

/* ---- subtitles (subtitles.c) --------------------------------------------------- */

/* WebVTT text tracks: cues fetched up to 30 s ahead of the position, the
 * active ones shown through SV_EVENT_SUBTITLE and sv_player_get_subtitle().
 * Loop thread, except sv__subs_text (any thread). */
typedef struct sv__subs sv__subs;
int sv__subs_create(sv__subs **out);
void sv__subs_destroy(sv__subs *s);
/* Shows text track `index` of the current period, or none (-1). Returns 0
 * or SV_ERR_RANGE. */
int sv__subs_select(struct sv_player *p, int index);
/* Forgets the track and its cues (unload). */
void sv__subs_reset(struct sv_player *p);
/* The position jumped: fetching restarts from there (cues read are kept). */
void sv__subs_seek(struct sv_player *p);
/* From the tick: fetches ahead and updates the text shown at `position`. */
void sv__subs_tick(struct sv_player *p, double position);
/* Copies the text shown now ("" none). Returns 0, SV_ERR_OVERFLOW when cut
 * to fit, or SV_ERR_INVALID. */
int sv__subs_text(struct sv_player *p, char *buf, size_t cap);

/* ---- the player ------------------------------------------------------------ */

#define SV__MAX_TRACKS 16

typedef struct sv__epoch { int64_t disc; double offset; int authoritative; } sv__epoch;

struct sv_player {
    sv_player_settings settings;   /* strings point to the copies below */
    char *abr_rule_name, *license_url, *user_agent;
    sv_abr_param *abr_params;      /* settings.abr_params' copy (names owned) */
    sv__logger log;
    const sv_clock *clock;
    sv_clock *own_clock;
    const sv_abr_rule *abr_rule;
    sv_cdm *cdm;                   /* settings.cdm, or own_cdm */
    sv_cdm *own_cdm;               /* the built-in ClearKey CDM when the host gave none */

    sv__events events;

    /* Control thread. */
    sv__thread control_thread;
    sv__loop *loop;
    sv__transport *transport;
    sv__fetcher *fetcher;
    int control_started;
    int sync_ready;                /* 1: lock initialised, 2: events too */

    /* Loop-thread state (no lock: only the control thread touches it). */
    sv__presentation *pres;
    int period;                    /* period being played */
    int video_track, audio_track;  /* selected track indexes (-1 none) */
    int text_track;
    sv__subs *subs;
    sv__stream *vstream, *astream; /* astream NULL when audio is muxed/absent */
    sv__sched *sched;
    sv_load_options load_opts;     /* strings belong to load_cmd */
    sv__cmd *load_cmd;             /* the load being played (owned) */
    sv__session *session;          /* backend session, or NULL */
    sv__session *ending;           /* sessions whose stop is in flight */
    sv__steer *steer;              /* content steering of the load, or NULL */
    char cmcd_sid[40];             /* CMCD session id of the load */
    int shutting_down;             /* destroy asked for sv__session_shutdown */
    atomic_int shutdown_done;      /* destroy: the session stop was sent and answered */
    char *load_url;
    uint64_t load_userdata;
    int load_replied;
    int64_t tick_timer;
    double load_time_s;
    double rebuffer_start_s;       /* < 0 when not rebuffering */
    double seek_target;            /* < 0 when no seek is pending */
    int paused_by_user;

    int64_t manifest_fetch;        /* > 0 while the manifest is being fetched */
    int stats_startup_pending;     /* startup_time_s not measured yet */

    /* Shared across threads. */
    _Atomic uint64_t gen;
    atomic_int failed;             /* a fatal error stopped this load */
    atomic_int notify_pending;     /* a check task is already posted */
    sv__vout *vout;
    sv__aout *aout;
    struct sv__emu *emu;           /* emulation (emulate_internal.h): chunks are played out on
                                      the virtual clock, not decoded; NULL in playback */
    const sv_abr_video *size_table; /* emulation: segment sizes per rep (segment-major, reps of
                                      the video track), as if byte ranges gave them; or NULL */

    sv__mutex lock;                /* guards everything below */
    sv_player_state state;
    sv_player_stats stats;
    double position_s, duration_s, buffer_s, throughput_bps;
    int64_t bitrate_bps;
    int quality_index, quality_locked;
    int video_width, video_height;
    double av_drift_s;
    double volume;
    int muted;
    double bitrate_time_weight, bitrate_weighted_sum; /* for mean_bitrate_bps */
    sv__epoch epochs[16];
    int nb_epochs;
    sv_session_info session_info;
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
double sv__player_now(const struct sv_player *p);
/* Wall-clock UTC seconds since 1970 (live DASH), corrected by UTCTiming
 * when the manifest gave one. */
double sv__wallclock_utc(const struct sv_player *p);

/* Properties helpers (properties.c), loop thread: publish the loaded
 * presentation's tracks and clear them on unload. */
void sv__props_publish_tracks(struct sv_player *p);
void sv__props_clear(struct sv_player *p);

#endif
