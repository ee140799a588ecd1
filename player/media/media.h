/*
 * The media stage: from downloaded segments to decoded frames.
 *
 *   stream.c        the queue of chunks between the control loop and a reader
 *   demux.c         the demux thread: libavformat over a stream's chunks,
 *                   each track's packets to its lane
 *   lanes.c         a packet queue per track, measured in seconds of media
 *   lane_decode.c   a decode thread per track: its lane to its output
 *                   (the three share demux_internal.h)
 *   decode.c        decoders and picture conversion for the sinks
 *   decrypt.c       CENC: an init segment's protection, samples cleared in place
 *   hls_aes128.c    HLS AES-128: key URIs fetched once, segments cleared whole
 *   segment_check.c whether a downloaded segment is whole (its boxes or TS
 *                   packets end where the body ends)
 *   receive.c       the receive stage: a downloaded segment is measured
 *                   (throughput), its keys fetched, decrypted and handed to
 *                   its stream (receive_keys.c: licenses and AES-128 keys)
 *
 * Threads: the control thread pushes chunks; each stream has a demux thread
 * (or a chunk sink on the pushing thread) and, per track it feeds, a
 * decode thread that pushes decoded frames or samples to the track's
 * output (output/output.h). Errors and epochs go up through
 * the sv__env the stream was given, never into the control loop.
 */
#ifndef SV_PLAYER_MEDIA_MEDIA_H
#define SV_PLAYER_MEDIA_MEDIA_H

#include <stddef.h>
#include <stdint.h>

#include "player/model/model.h"
#include "player/net/fetcher.h"
#include "player/output/output.h"
#include "streamverse/abr.h"
#include "streamverse/cdm.h"

typedef struct sv__stream sv__stream;

/* ---- chunks and streams (stream.c) --------------------------------------- */

/* A downloaded piece of media on its way to a demux thread. */
typedef struct sv__chunk {
    struct sv__chunk *next;
    const sv_allocator *alloc; /* the chunk and its data came from it (the player's) */
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

/* Who takes a stream's chunks instead of a demux thread: each chunk is
 * handed over (ownership passes) on the thread that pushed it. The emulated
 * playout is one (emulate/). */
typedef struct sv__chunk_sink {
    void *opaque;
    void (*chunk)(void *opaque, sv__stream *s, sv__chunk *c);
} sv__chunk_sink;

typedef struct sv__stream_config {
    int feeds;                 /* SV__FEED_* mask this stream decodes */
    const char *direct_url;    /* plain file: libavformat opens it; NULL for chunks */
    const sv__env *env;        /* borrowed: status, log, notify */
    sv__vout *vout;            /* where decoded frames and samples go (borrowed) */
    sv__aout *aout;
    int decoder_threads;
    /* The body of the thread that reads the chunks (sv__demux_thread), or,
     * when `sink` is set, no thread: the sink takes every chunk. */
    void *(*reader)(void *stream);
    const sv__chunk_sink *sink;
    sv__captions *captions;    /* borrowed: fed the video's A/53 cc_data; NULL none */
    /* Trick play: each run gives its first video packet only (a key frame:
     * runs start with one) and ends right after it, so the decoder drains
     * it at once; the rest of the run's chunks are dropped. */
    int first_frame_only;
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
/* Calls fn(opaque, generation, quitting) now and at every flush and at
 * destroy, with the stream's lock held: fn may take only locks of its own
 * and must not call the stream. A NULL fn stops the calls (once it
 * returns, fn is not running). The demux thread's lanes watch their
 * stream this way. */
void sv__stream_watch(sv__stream *s, void (*fn)(void *opaque, uint64_t gen, int quit),
                      void *opaque);
/* Bytes queued and not yet read by the demuxer. */
size_t sv__stream_queued_bytes(sv__stream *s);
/* The demux thread read a packet of generation `gen` that ends at `end`
 * (presentation seconds). Any thread. */
void sv__stream_note_demuxed(sv__stream *s, uint64_t gen, double end);
/* The latest such end since the last flush, NAN when none: how far a
 * segment read as it grows has come. Any thread. */
double sv__stream_demuxed_end(sv__stream *s);

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

/* The demux thread body (demux.c): it starts the stream's decode threads. */
void *sv__demux_thread(void *arg);

/* ---- decoding (decode.c) ------------------------------------------------ */

typedef struct sv__decoder sv__decoder;
struct AVCodecParameters;
/* `strict`: report bitstream errors instead of concealing them (decrypted
 * media, where an error means a wrong key). */
int sv__decoder_open(sv__decoder **out, const struct AVCodecParameters *par, int threads,
                     int strict, const sv__logger *log, const sv_allocator *alloc, char *err,
                     size_t errlen);
void sv__decoder_close(sv__decoder *d);
/* Sends a packet (NULL drains) and hands every frame that comes out to fn;
 * returns 0 or a negative code (fn's negative return stops it). */
struct AVPacket;
int sv__decoder_decode(sv__decoder *d, const struct AVPacket *pkt,
                       int (*fn)(void *opaque, struct AVFrame *frame), void *opaque);
/* Codec-level comparison: 1 if `par` can go on through decoder `d`. */
int sv__decoder_same(const sv__decoder *d, const struct AVCodecParameters *par);
int sv__decoder_strict(const sv__decoder *d);
/* The video codec families (SV__CODEC_BIT of player/model/codec.h) this
 * libavcodec has a decoder for; SV__CODEC_UNKNOWN's bit is always set.
 * Asked of libavcodec once per process; thread-safe. */
unsigned sv__decodable_codecs(void);

/* ---- decryption (decrypt.c) ------------------------------------------------- */

typedef struct sv__decryptor sv__decryptor;
int sv__decryptor_create(sv__decryptor **out, const sv_allocator *alloc);
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
/* Key URIs are fetched through `fetcher` (borrowed). */
int sv__aes_keys_create(sv__aes_keys **out, sv__fetcher *fetcher, const sv_allocator *alloc);
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

/* ---- whole segments (segment_check.c) ----------------------------------------- */

/* The fetcher's body check for segments (net/fetcher.h, sv__fetch_req.check):
 * 0 when the body is a whole ISO-BMFF segment (its top-level boxes end at
 * its end), whole 188-byte TS packets, or neither format; else SV_ERR_PARSE
 * with the reason in why[cap], naming the bytes the boxes need. */
int sv__segment_check(const uint8_t *data, size_t size, char *why, size_t cap);

/* ---- receiving segments (receive.c, receive_keys.c) ------------------------ */

/* The throughput of a load's media downloads, shared by its receivers and
 * read by the scheduler's ABR decisions. Loop thread. */
typedef struct sv__throughput {
    sv_abr_estimator *est;     /* media segments only (owned by whoever made it) */
    int64_t media_samples;     /* media segments measured so far */
    double last_download_end;  /* end of the last download (clock seconds), 0: none */
} sv__throughput;

/* A segment as the scheduler asked for it: what the receive stage needs to
 * measure it, clear it and describe it to the demuxer. The pointers are the
 * model's (or the load's) and must stay valid while the segment is held. */
typedef struct sv__recv_item {
    int is_init;
    sv__chunk chunk;           /* the description of the chunk: run, disc, start, duration,
                                  rep_index, bitrate, width, height, reason */
    const sv__key *key;        /* whole-segment encryption (AES-128), or NULL */
    int64_t sequence;          /* media sequence number (the AES-128 IV) */
    const char *license_url;   /* where a license is asked for, or NULL */
    uint64_t gen;              /* generation the chunk is tagged with */
    /* emsg boxes (media/receive_emsg.c): the load's presentation (its
     * InbandEventStream announcements), the period, and presentation
     * seconds minus media seconds of the rep (NAN: not known). */
    sv__presentation *pres;
    size_t period;
    double media_offset;
} sv__recv_item;

typedef struct sv__recv_config {
    const sv__env *env;        /* status (stats, position), errors: borrowed */
    sv__fetcher *fetcher;      /* license and key requests: borrowed */
    sv_cdm *cdm;               /* borrowed */
    sv__stream *stream;        /* where the chunks go: borrowed */
    sv__throughput *tput;      /* borrowed */
    sv_abr *abr;               /* told of each download (video), or NULL */
    /* A chunk went into the stream (or, for an init segment, is there):
     * the scheduler moves on. */
    void (*delivered)(void *opaque, int is_init);
    void *opaque;
} sv__recv_config;

typedef struct sv__recv sv__recv;

int sv__recv_create(sv__recv **out, const sv__recv_config *cfg);
/* Cancels what is in flight and frees. Accepts NULL. */
void sv__recv_destroy(sv__recv *rv);
/* Forgets a license or key request in flight and a held segment (seek,
 * stop); later segments are received afresh. */
void sv__recv_cancel(sv__recv *rv);
/* 1 while a segment waits for its key or a license is in flight: the
 * scheduler asks for nothing more on this stream until it is delivered. */
int sv__recv_busy(const sv__recv *rv);
/* 1 when the current init segment announced encryption (CENC). */
int sv__recv_encrypted(const sv__recv *rv);
/* A fetched segment: takes r->data. Counts it, makes a throughput sample of
 * a media segment, clears it (fetching keys when needed) and hands it to the
 * stream, then calls delivered(); errors go to the env (fatal). */
void sv__recv_segment(sv__recv *rv, sv__fetch_result *r, const sv__recv_item *item);
/* A piece of a clear media segment still being written (low-latency DASH:
 * sv__fetch_req.progress): what lies past the bytes already handed on goes
 * to the stream now, as part of the segment's chunk run, so the demuxer
 * reads the segment as it grows. sv__recv_segment() at the end of the
 * transfer hands on the rest and calls delivered(); its throughput sample
 * comes from the chunks' bursts, the waits between chunks left out. */
void sv__recv_piece(sv__recv *rv, const uint8_t *data, size_t len, size_t offset,
                    const sv__recv_item *item);

#endif
