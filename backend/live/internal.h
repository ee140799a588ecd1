/*
 * backend/live/internal.h - the pieces of a live channel and the seams
 * between them; backend/live/live.h is the server's view.
 *
 *   listen.c    one thread per protocol and channel: libavformat's SRT and
 *               RTMP listeners, the key check, one publisher at a time
 *   pipeline.c  on that thread: decode, cut the timeline into parts, hand
 *               frames to the rungs, encode audio
 *   rung.c      one thread per video rung: scale, libx264 (zero latency),
 *               a track (track.c)
 *   track.c     a CMAF track: fmp4 muxer (backend/media's fragment seam),
 *               one fragment per part, part and segment files, events
 *   channel.c   the loop's side of a channel: events in, index, end of an
 *               event, the parked requests
 *   index.c     a rendition's live index: segments, parts, DVR window
 *   hls.c, dash.c   playlists and MPD from the index
 *   serve.c     the HTTP answers, blocking reload, chunked segments
 *   manager.c   channels from the catalog, the live-wide timer
 *
 * Numbering: part k of an event (k from 0 at the first video frame,
 * k = floor(t / part_s)) is part k % pps of segment msn0 + k / pps, where
 * pps = segment_s / part_s: every rendition (the rungs and audio) cuts at
 * the same k, so parts and segments line up across renditions.
 */
#ifndef SV_BACKEND_LIVE_INTERNAL_H
#define SV_BACKEND_LIVE_INTERNAL_H

#include <stdint.h>
#include <uv.h>

#include <libavutil/rational.h>

#include "backend/channels.h"
#include "backend/http.h"
#include "backend/live/live.h"
#include "platform/buf.h"
#include "platform/thread.h"

#define SV__LIVE_MAX_RENDS 5     /* three video rungs, the passthrough and audio */
#define SV__LIVE_MAX_PARTS 20    /* parts per segment (segment_s / part_s) */

typedef struct sv__live_channel sv__live_channel;

/* FFmpeg's types, for the prototypes below (the .c files include FFmpeg). */
struct AVCodecContext;
struct AVFormatContext;
struct AVFrame;
struct AVPacket;
struct AVStream;
struct sv__fmp4;

/* ---- the index (index.c): loop thread ---------------------------------- */

typedef struct sv__live_part {
    float duration;          /* seconds */
    uint8_t independent;     /* starts with a key frame */
    uint32_t bytes;
} sv__live_part;

typedef struct sv__live_seg {
    int64_t msn;
    double duration;         /* the parts' sum */
    int64_t pdt_ms;          /* wall clock of its first sample (ms since the epoch) */
    int nb_parts;
    sv__live_part parts[SV__LIVE_MAX_PARTS];
    int complete;            /* seg-<msn>.m4s is written */
    int discontinuity;       /* the first segment of a publisher after another */
    int epoch;               /* its init segment: init-<epoch>.mp4 */
    int64_t msn0;            /* its publisher's first segment (media time 0) */
    int64_t bytes;
} sv__live_seg;

typedef struct sv__live_rend {
    char name[24];           /* "720p", "audio": its folder */
    int is_audio;
    int width, height;
    double frame_rate;
    int bandwidth;           /* bit/s announced */
    char codecs[48];
    sv__live_seg *segs;      /* oldest first */
    int nb_segs, cap_segs;
    int64_t disc_seq;        /* discontinuities trimmed off the front */
} sv__live_rend;

/* Adds part `part` of segment `msn` (a new segment when it is the next
 * one). Returns 0, SV_ERR_NOMEM or SV_ERR_STATE (out of order: ignored). */
int sv__live_index_add(sv__live_rend *r, int64_t msn, int part, double duration,
                       int independent, uint32_t bytes, int64_t pdt_ms, int epoch,
                       int64_t msn0, int discontinuity);
/* Marks segment msn complete. */
void sv__live_index_complete(sv__live_rend *r, int64_t msn);
/* Drops the oldest complete segments while the rest hold more than
 * window_s; returns how many (their files are the caller's). */
int sv__live_index_trim(sv__live_rend *r, double window_s, int64_t *dropped_msn, int cap);
/* The segment msn, or NULL. */
const sv__live_seg *sv__live_index_find(const sv__live_rend *r, int64_t msn);
/* The last part: msn and part index; -1 when empty. */
int64_t sv__live_index_last(const sv__live_rend *r, int *part);
/* Has the rendition got part `part` of msn (part < 0: the complete segment),
 * or anything later? */
int sv__live_index_has(const sv__live_rend *r, int64_t msn, int part);
void sv__live_index_free(sv__live_rend *r);
/* Saves / loads the renditions' indexes as JSON (DATA/live/<name>/index.json)
 * so a restarted server keeps the DVR window. 0 or a negative code. */
int sv__live_index_save(const char *path, const sv__live_rend *r, int n, int64_t ast_ms,
                        int epoch, int ended);
int sv__live_index_load(const char *path, sv__live_rend *r, int *n, int64_t *ast_ms,
                        int *epoch, int *ended);

/* ---- manifests (hls.c, dash.c): pure ----------------------------------- */

typedef struct sv__live_view {
    const sv__live_rend *rends;
    int nb_rends;
    double segment_s, part_s, dvr_s, target_latency_s;
    int64_t ast_ms;          /* availabilityStartTime: the first segment's pdt */
    int ended;               /* ENDLIST / static MPD */
    int gone;                /* live, its publisher gone (the event waits end_after_s
                              * for one): the last Period ends at its last segment */
    int vod;                 /* the VOD title's layout (media.h): video/<name>/, audio/ */
    const sv__media_protection *prot; /* encrypted (scheme, KID, license URL): EXT-X-KEY,
                                       * EXT-X-SESSION-KEY, ContentProtection; NULL: clear */
} sv__live_view;

/* The multivariant playlist. */
int sv__live_hls_master(const sv__live_view *v, sv__buf *out);
/* A media playlist of rendition `i`; skip: a delta update (EXT-X-SKIP). */
int sv__live_hls_media(const sv__live_view *v, int i, int skip, sv__buf *out);
/* The MPD (dynamic while live, static once ended); now_ms: publishTime. */
int sv__live_dash_mpd(const sv__live_view *v, int64_t now_ms, sv__buf *out);

/* Parses the blocking reload parameters of a media playlist request
 * (_HLS_msn, _HLS_part, _HLS_skip) through the query helpers. msn -1 and
 * part -1 when absent. 0, or SV_ERR_INVALID with a reason. */
int sv__live_hls_query(const char *query, size_t len, int64_t *msn, int *part, int *skip,
                       char *err, size_t errlen);

/* A media file's name: "part-M.P.m4s" (is_part 1) or "seg-M.m4s" (part
 * -1). 1 with the numbers, 0 for another name. */
int sv__live_media_name(const char *name, int *is_part, int64_t *msn, int *part);

/* ---- threads to loop --------------------------------------------------- */

enum sv__live_event_kind { SV__LIVE_EV_START, SV__LIVE_EV_PART, SV__LIVE_EV_END };

typedef struct sv__live_event {
    int kind;
    int rend;
    int64_t msn;
    int part;
    float duration;
    int independent, last;   /* last: the segment is complete with this part */
    uint32_t bytes;
    int64_t pdt_ms;          /* the segment's first sample */
} sv__live_event;

/* What a publisher's pipeline announces at its start (under ch->lock). */
typedef struct sv__live_start {
    sv__live_rend rends[SV__LIVE_MAX_RENDS]; /* names, sizes, codecs; no segments */
    int nb_rends;
    int epoch;
    int64_t msn0;            /* the publisher's first segment */
    /* The capture clock: the wall time media time 0 reached svserver (the
     * feed's first packet read, carried to t = 0 by the feed's
     * timestamps). Every program date time and ProducerReferenceTime
     * comes from it; when a part exists is the availability clock's
     * business (dash.c). */
    int64_t pdt0_ms;
    int64_t title_id;        /* the event's title (pipeline.c: made at the event's start) */
    int scheme;              /* enum sv__protection_scheme of the event's output */
    uint8_t kid[16];         /* its key ID (the manifests); the key is not here */
    /* The tracks' protection (scheme, KID, key), NULL when clear: owned by
     * the pipeline, valid while its tracks write; never read on the loop. */
    const sv__media_protection *prot;
} sv__live_start;

/* events.c: the wall clock, ms since the epoch (any thread). */
int64_t sv__live_wall_ms(void);
/* events.c: queues an event for the loop and wakes it (any thread); the
 * loop takes the queue and the last start announcement. */
void sv__live_post(sv__live_channel *ch, const sv__live_event *ev);
/* Moves the queued events (caller frees *evs) and, when a publisher
 * started since, its announcement into *st (returns 1). Loop thread. */
int sv__live_events_take(sv__live_channel *ch, sv__live_event **evs, int *n,
                         sv__live_start *st);

/* ---- a channel --------------------------------------------------------- */

typedef struct sv__live_wait sv__live_wait;

/* What every channel of a server shares (manager.c owns it; the loop's
 * catalog connection and the file server are used on the loop only). */
typedef struct sv__live_shared {
    sv__catalog *cat;
    const char *data_dir;
    const char *listen_host;
    const char *preset;
    const sv__logger *log;
    struct sv__static *files; /* DATA/live */
    const char *db;          /* the catalog, for the publishers' threads (their own handle) */
    const uint8_t *master_key; /* 32 bytes, or NULL */
} sv__live_shared;

struct sv__live_channel {
    const sv__live_shared *env;
    sv__channel row;
    sv__channel_settings set;
    char dir[1100];          /* DATA/live/<name> */
    const sv__logger *log;
    const char *listen_host;
    const char *preset;
    int pps;                 /* parts per segment */

    /* The listener threads (listen.c) and their stop flag. */
    sv__thread threads[2];
    int nb_threads;
    volatile int stop;

    sv__mutex lock;
    /* guarded by lock */
    int publisher;           /* 0 none, 1 srt, 2 rtmp: who is live */
    int64_t next_msn;        /* the next publisher's first segment */
    int next_epoch;
    sv__live_event *events;
    int nb_events, cap_events;
    sv__live_start start;    /* the last publisher's announcement */
    int start_pending;
    int64_t event_title;     /* the event's title while it lasts: a publisher's pipeline
                              * makes one when 0; the loop sets 0 when the event ends */
    /* end of lock-guarded fields */

    /* loop thread */
    uv_async_t async;
    uv_timer_t end_timer;
    int handles;             /* open uv handles (closed before the free) */
    int removed;             /* no longer in the catalog: going away */
    int live;                /* a publisher is on */
    int ended;               /* the event ended: ENDLIST, static MPD */
    int discontinuity;       /* the next segment follows a reconnect */
    int epoch;
    int64_t msn0;            /* the current publisher's first segment */
    int64_t ast_ms;
    int64_t title_id;        /* the event's title, from its start; 0: none */
    sv__media_protection prot; /* its scheme and KID for the manifests; the key zeroed */
    sv__live_rend rends[SV__LIVE_MAX_RENDS];
    int nb_rends;
    sv__live_wait *waits;    /* parked requests */
};

/* channel.c */
int sv__live_channel_create(const sv__live_shared *env, uv_loop_t *loop,
                            const sv__channel *row, sv__live_channel **out);
/* Stops its threads; the memory goes once the loop closed its handles. */
void sv__live_channel_destroy(sv__live_channel *ch);
/* Ends the event now (the timer of end_after_s ran out). */
void sv__live_channel_end(sv__live_channel *ch);

/* listen.c: starts the channel's two listener threads. */
int sv__live_listen_start(sv__live_channel *ch);
void sv__live_listen_stop(sv__live_channel *ch);

/* Installs svserver's FFmpeg log callback (listen.c): it turns the RTMP
 * listener's stream-name warning into a refusal. Once, at start. */
void sv__live_av_log_install(void);

/* pipeline.c: runs a publisher's feed (ic opened) on the calling thread
 * until it ends or ch->stop; *last_read_ns is set at every packet (the
 * listener's stall watch). proto: "srt" or "rtmp"; opened_ms: the wall
 * clock when avformat_open_input() returned (the capture clock's anchor,
 * before the stream info is probed). Returns 0 or < 0. */
int sv__live_pipeline_run(sv__live_channel *ch, struct AVFormatContext *ic, const char *proto,
                          int64_t opened_ms, int64_t *last_read_ns);

/* ---- a CMAF track (track.c): one thread ------------------------------- */

typedef struct sv__live_track {
    sv__live_channel *ch;
    int rend;
    char dir[1200];          /* DATA/live/<name>/<rendition> */
    int epoch;
    int64_t msn0;            /* segment of part 0 */
    int pps;
    int64_t pdt0_ms;         /* wall clock of t = 0 */
    struct sv__fmp4 *mux;
    int64_t k;               /* the part being filled; -1: none yet */
    int independent;         /* it starts with a key frame */
    int last;                /* set before a cut: the segment ends with it */
    sv__buf seg;             /* the segment's fragments so far */
    int64_t bytes;           /* written in all */
    struct sv__encsink *enc; /* encrypting each fragment (part) as it is cut; NULL: clear */
} sv__live_track;

/* Opens the track's muxer for `enc` (opened encoder) writing into
 * DATA/live/<name>/<rendition>/, encrypted under st->prot when set (the
 * init gets encv/enca + sinf + pssh, every part its senc/saiz/saio: each
 * part decrypts on its own). 0 or a negative code with err. */
int sv__live_track_open(sv__live_track *t, sv__live_channel *ch, int rend, const char *name,
                        const struct AVCodecContext *enc, const sv__live_start *st, char *err,
                        size_t errlen);
/* Writes a packet of part k (the encoder's time base; duration set): a new
 * k cuts the fragment of the part before, which then lands (file, event).
 * Takes the packet's reference. */
int sv__live_track_write(sv__live_track *t, int64_t k, struct AVPacket *pkt, char *err,
                         size_t errlen);
/* Cuts the last part (the end of its segment) and ends the muxer. */
int sv__live_track_finish(sv__live_track *t, char *err, size_t errlen);
void sv__live_track_close(sv__live_track *t);

/* Writes a file atomically for readers (temporary name, rename), without
 * fsync: live files are worth their speed, and a lost one is re-made by no
 * one but is also listed by no playlist. 0 or SV_ERR_IO. */
int sv__live_put_file(const char *dir, const char *name, const void *data, size_t len);

/* ---- a video rung (rung.c): its own thread ---------------------------- */

typedef struct sv__live_rung sv__live_rung;

typedef struct sv__live_rung_params {
    int width, height, kbps;
    int fps_num, fps_den;    /* nominal frame rate (packet durations) */
    int gop_frames;          /* frames per segment (informative: IDRs are forced) */
    const char *preset;
} sv__live_rung_params;

/* Opens libx264 for the rung (zero latency: no B-frames, no lookahead, one
 * thread; keyframes only where forced) on the calling thread and writes its
 * RFC 6381 string into codecs. 0 or a negative code with err. */
int sv__live_rung_open(sv__live_rung **out, const sv__live_rung_params *p, char *codecs,
                       size_t codecs_len, char *err, size_t errlen);
/* Starts the rung's thread with its track (rendition `rend`, folder name). */
int sv__live_rung_start(sv__live_rung *r, sv__live_channel *ch, int rend, const char *name,
                        const sv__live_start *st, char *err, size_t errlen);
/* Hands a frame (pts in 1/90000 from the event's t = 0) of part k to the
 * rung; idr: it starts a segment. Blocks while the rung's queue is full.
 * NULL frame: the end. Returns 0 or the rung's error. */
int sv__live_rung_push(sv__live_rung *r, const struct AVFrame *frame, int64_t k, int idr);
/* Waits for the thread after the end mark; its result. */
int sv__live_rung_join(sv__live_rung *r);
void sv__live_rung_destroy(sv__live_rung *r);

/* ---- audio (audio.c): on the pipeline's thread ------------------------- */

typedef struct sv__live_audio sv__live_audio;

/* Opens the decoder of `st` and the AAC encoder (48 kHz stereo, 128 kb/s). */
int sv__live_audio_open(sv__live_audio **out, const struct AVStream *st, char *err,
                        size_t errlen);
const struct AVCodecContext *sv__live_audio_encoder(const sv__live_audio *a);
/* Opens its track; `start` is t = 0 in the stream's time base. */
int sv__live_audio_start(sv__live_audio *a, sv__live_channel *ch, int rend,
                         const sv__live_start *st, int64_t start, char *err, size_t errlen);
int sv__live_audio_packet(sv__live_audio *a, const struct AVPacket *pkt, char *err,
                          size_t errlen);
/* Flushes; no part after last_k (the video's last part). */
int sv__live_audio_finish(sv__live_audio *a, int64_t last_k, char *err, size_t errlen);
void sv__live_audio_destroy(sv__live_audio *a);

/* ---- the passthrough rung (passthrough.c): on the pipeline's thread ----- */

typedef struct sv__live_src sv__live_src;

/* For the feed's video stream `st` (H.264 with parameter sets in its
 * header, else SV_ERR_UNSUPPORTED naming the codec): its RFC 6381 string
 * into codecs. */
int sv__live_src_open(sv__live_src **out, const struct AVStream *st, AVRational fps,
                      char *codecs, size_t cap, char *err, size_t errlen);
int sv__live_src_start(sv__live_src *s, sv__live_channel *ch, int rend, const sv__live_start *st,
                       char *err, size_t errlen);
/* One packet of the feed (its time base; t0 the first frame's time). */
int sv__live_src_packet(sv__live_src *s, const struct AVPacket *pkt, int64_t t0,
                        double part_ticks, char *err, size_t errlen);
int sv__live_src_finish(sv__live_src *s, char *err, size_t errlen);
void sv__live_src_destroy(sv__live_src *s);

/* serve.c */
void sv__live_channel_serve(sv__live_channel *ch, sv__http_req *req, const char *rest,
                            const sv__live_rewrite *rw);
/* The channel as the manifest writers see it. */
void sv__live_channel_view(const sv__live_channel *ch, sv__live_view *v);
/* Wakes parked requests whose part landed, or whose time ran out. */
void sv__live_channel_wake(sv__live_channel *ch, int64_t now_ns);
void sv__live_waits_fail(sv__live_channel *ch);

/* title.c: the publisher's pipeline, at its start (st->pdt0_ms set): the
 * event's title (ch->event_title, or a new one) and, on an encrypted
 * channel, its protection into *prot (the key included: the caller wipes it
 * after the tracks), all into st (title_id, scheme, kid, prot). 0 (for a
 * clear channel also when the catalog failed: title_id 0, logged) or a
 * negative code with err (the publisher is refused). */
int sv__live_event_title(sv__live_channel *ch, sv__live_start *st, sv__media_protection *prot,
                         char *err, size_t errlen);
/* title.c: a new event's catalog title ("NAME (live, DATE)" with the date of
 * ast_ms, status processing: the catalog reads it as live while the channel
 * is, catalog_internal.h; drm the channel's encrypt setting) through `cat`
 * (the caller's thread's handle). 0 with *id, or a negative code (logged). */
int sv__live_title_create(sv__live_channel *ch, sv__catalog *cat, int64_t ast_ms, int64_t *id);
/* vod.c: an ended event's title becomes a VOD title (its segments linked,
 * not re-encoded, into DATA/media/<id>/; published as ready). The title is
 * ch->title_id, or a new one when the event had none (an event that began
 * before titles were made at the start). 0 with *title_id. */
int sv__live_vod_publish(sv__live_channel *ch, int64_t *title_id);

#endif
