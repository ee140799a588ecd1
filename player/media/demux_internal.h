/*
 * The demux thread's own parts, shared by demux.c, lanes.c and
 * lane_decode.c.
 *
 * A stream's demux thread reads packets and hands each track's packets to
 * that track's lane: a queue measured in seconds of media, emptied by the
 * lane's decode thread into the track's output (video frames to sv__vout,
 * samples to sv__aout). A stream that feeds video and audio (muxed TS,
 * fMP4 with both tracks in one fragment, plain files) therefore has one
 * demux thread and two decode threads, and a decoder waiting on its full
 * output never holds up the other track: the demux thread reads on while
 * any track of the run has less than its share queued, so a fragment that
 * carries a whole segment of video before its audio is read through to the
 * audio at once.
 *
 * Threads: the demux thread puts (sv__lanes_put* and sv__lanes_active),
 * each decode thread takes from its own lane (sv__lanes_get). A flush of the
 * stream (sv__stream_flush) reaches the lanes through sv__stream_watch: what
 * they hold of the old generation is dropped and a demux thread waiting for
 * room wakes.
 */
#ifndef SV_PLAYER_MEDIA_DEMUX_INTERNAL_H
#define SV_PLAYER_MEDIA_DEMUX_INTERNAL_H

#include "player/media/media.h"

struct AVCodecParameters;
struct AVPacket;

enum { SV__LANE_VIDEO, SV__LANE_AUDIO, SV__LANES };

/* What a lane's decode thread is told. */
typedef enum {
    SV__LANE_RUN,       /* a run starts: the decoder for its codec parameters */
    SV__LANE_PACKET,    /* a packet to decode */
    SV__LANE_END_RUN,   /* the run ended: drain the decoder */
    SV__LANE_EOS        /* the stream ended: drain, then the output's end */
} sv__lane_kind;

/* The description of a run a track's frames need (SV__LANE_RUN). */
typedef struct sv__lane_run {
    struct AVCodecParameters *par; /* owned by the item */
    int tb_num, tb_den;        /* the track's time base in the container */
    double frame_dur;          /* video: a frame's duration when packets give none */
    int encrypted;             /* decrypted by the player: decode strictly */
    int64_t disc;              /* timeline epoch */
    sv__rep_meta meta;
} sv__lane_run;

typedef struct sv__lane_item {
    struct sv__lane_item *next;
    sv__lane_kind kind;
    uint64_t gen;              /* the stream generation it was demuxed for */
    const sv_allocator *alloc; /* the item came from it (the player's) */
    /* SV__LANE_PACKET */
    struct AVPacket *pkt;      /* owned by the item */
    double seconds;            /* how long the packet plays: what the queue counts */
    double offset;             /* container -> presentation seconds of the run */
    int authoritative;         /* the offset came from the run's video */
    /* SV__LANE_RUN */
    sv__lane_run run;
} sv__lane_item;

/* An item of `kind` for generation `gen` (packet and parameters unset), or
 * NULL when out of memory. */
sv__lane_item *sv__lane_item_new(const sv_allocator *alloc, sv__lane_kind kind, uint64_t gen);
/* Frees the item, its packet and its codec parameters. Accepts NULL. */
void sv__lane_item_free(sv__lane_item *it);

typedef struct sv__lanes sv__lanes;

/* The body of a lane's thread: takes the lane's items (sv__lanes_get)
 * until the lanes stop. */
typedef void (*sv__lane_worker)(sv__lanes *l, int lane);

/* A lane and its thread, running `worker`, for each track stream `s` feeds
 * (its SV__FEED_* mask); watches the stream's flushes. The queue knows
 * nothing of what its threads do: the demux gives them sv__lane_decode.
 * Demux thread. Returns 0, SV_ERR_NOMEM or SV_ERR_INTERNAL (a thread could
 * not start). */
int sv__lanes_create(sv__lanes **out, sv__stream *s, sv__lane_worker worker);
/* Stops and joins the decode threads and frees what is queued. A decode
 * thread blocked on its output is woken by the output's flush, which the
 * core does before it destroys a stream. Accepts NULL. Demux thread. */
void sv__lanes_destroy(sv__lanes *l);
/* Whether the run being read has a track for `lane`: only such lanes are
 * waited for (a run without audio never waits for audio). */
void sv__lanes_active(sv__lanes *l, int lane, int active);
/* Appends `it` (ownership passes) to `lane`. A packet waits while every
 * active lane holds at least its share (or the lanes hold more bytes than
 * their cap); the other kinds never wait. Returns 0, or SV_ERR_CANCELLED
 * (the item is freed) when the item's generation is stale or the stream
 * quits. */
int sv__lanes_put(sv__lanes *l, int lane, sv__lane_item *it);
/* Appends an item of `kind` to every lane of the stream. Returns 0,
 * SV_ERR_CANCELLED or SV_ERR_NOMEM. */
int sv__lanes_put_all(sv__lanes *l, sv__lane_kind kind, uint64_t gen);

/* Decode thread side: blocks for the next item of the current generation
 * of `lane` (older ones are dropped); NULL when the lanes stop. */
sv__lane_item *sv__lanes_get(sv__lanes *l, int lane);
const sv__stream_config *sv__lanes_cfg(const sv__lanes *l);

/* The body of a lane's decode thread (lane_decode.c): takes items until
 * the lanes stop, decodes and pushes to the lane's output. */
void sv__lane_decode(sv__lanes *l, int lane);

#endif
