/*
 * The output stage: what is decoded reaches the host's sinks here.
 *
 *   output_video.c  frame queue, presentation on time, drops, render thread
 *   output_audio.c  sample FIFO, resampling, the audio sink's pull, master clock
 *   subtitles.c     WebVTT cues fetched ahead, the text shown now
 *   captions.c      CEA-608 and CEA-708 captions from the video (cea708.h: the 708 decoder)
 *   status.c        the status they report into and the way up (status.h)
 *
 * Threads: frames and samples are pushed by the demux threads (media/),
 * video is presented on the render thread (the player's own, or the host's),
 * audio is pulled on the sink's thread, the rest runs on the control thread.
 * The outputs report upward only through the sv__env they were given: they
 * never call the control loop.
 */
#ifndef SV_PLAYER_OUTPUT_OUTPUT_H
#define SV_PLAYER_OUTPUT_OUTPUT_H

#include <stdint.h>

#include "player/manifest/webvtt.h" /* sv__cue */
#include "player/model/model.h"
#include "player/net/fetcher.h"
#include "player/output/status.h"
#include "streamverse/sinks.h"

struct AVFrame;
typedef struct sv__vout sv__vout;
typedef struct sv__aout sv__aout;

/* ---- video output (output_video.c) ----------------------------------------- */

/* `sink` (the host's, NULL: no video), `aout` (the master clock when audio
 * plays) and `env` are borrowed for the output's lifetime. */
int sv__vout_create(sv__vout **out, const sv__env *env, sv_video_sink *sink, sv__aout *aout,
                    int benchmark);
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
/* Gapless (core/preload.c): generation `gen` (the next item) follows the
 * frames queued, which are shown first on the previous item's clock (and
 * count in none of this load's figures); its own frames wait until its
 * audio is heard (sv__aout_seam_pending), the first one too. A flush of
 * `gen` then only sets the target. Control thread. */
void sv__vout_keep(sv__vout *v, uint64_t gen);
/* 1 when the generation played reached its end: every frame is queued. */
int sv__vout_all_queued(sv__vout *v);
/* The media of generation `gen` in [from, to) (presentation seconds) will
 * not come (a segment was skipped): frames in it are dropped, queued or
 * pushed later, without counting as late drops, and the video-only clock
 * jumps over it. Up to SV__OUT_GAPS gaps are kept per generation (the
 * oldest goes). Any thread. */
#define SV__OUT_GAPS 8
void sv__vout_gap(sv__vout *v, uint64_t gen, double from, double to);
/* Frames of generation `gen` from `end` on (presentation seconds) are not
 * shown: an HLS interstitial's cut (core/interstitials.c). A flush sets it
 * back to INFINITY. Any thread. */
void sv__vout_set_end(sv__vout *v, uint64_t gen, double end);
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
/* The video-only clock's speed (media seconds per second; audio, when it
 * plays, has its own: sv__aout_set_speed). Any thread. */
void sv__vout_set_speed(sv__vout *v, double speed);

/* Trick play (on: 1): frames are presented as soon as they are queued, in
 * order, on no clock and never dropped as late; the one who pushes them
 * paces them (core/control_trick.c). Off: back to the clock. Any thread. */
void sv__vout_set_trick(sv__vout *v, int on);
/* Frames presented since the output was created (any generation). */
uint64_t sv__vout_presented(sv__vout *v);

/* ---- audio output (output_audio.c) ----------------------------------------- */

/* `sink` (the host's, NULL: no audio) and `env` are borrowed. */
int sv__aout_create(sv__aout **out, const sv__env *env, sv_audio_sink *sink);
void sv__aout_destroy(sv__aout *a);
/* Queues decoded audio (converted to the sink's format, opening the sink
 * on first use) for generation `gen`. Blocks while the FIFO is full;
 * returns 0, SV_ERR_CANCELLED when stale, or a sink error. Demux thread. */
int sv__aout_push(sv__aout *a, struct AVFrame *frame, uint64_t gen, double pts_s);
void sv__aout_eos(sv__aout *a, uint64_t gen);
void sv__aout_flush(sv__aout *a, uint64_t gen, double target);
/* 1 from a keep until the next item's first sample is heard. Any thread. */
int sv__aout_seam_pending(sv__aout *a);
/* Gapless (core/preload.c): generation `gen` (the next item) follows what
 * the FIFO holds, the sink open and pulling. Its first samples are queued
 * right behind the last queued ones, with a mark where the time restarts
 * (the seam); sv__aout_flush of `gen` then only sets the target. Until the
 * seam is heard the clock is the previous item's (its kept video frames
 * are shown on it). Control thread, the old streams joined. */
void sv__aout_keep(sv__aout *a, uint64_t gen);
/* 1 when the audio of the generation played is all queued (its end came)
 * and not all heard yet: a gapless move can still queue behind it. */
int sv__aout_tail(sv__aout *a);
void sv__aout_set_playing(sv__aout *a, int playing);
/* As sv__vout_gap: samples in [from, to) are dropped (cut from the FIFO
 * when already queued, with what follows them there and the rest of a push
 * waiting for room), and the clock jumps from `from` to `to` when that
 * moment is heard, so audio and video go over it together. Audio missing
 * between the gap and the audio around it (up to 1 s a side) plays as
 * silence, so the clock still reaches `from` and leaves from `to`. Any
 * thread. */
void sv__aout_gap(sv__aout *a, uint64_t gen, double from, double to);
/* As sv__vout_set_end: samples from `end` on are not played. Any thread. */
void sv__aout_set_end(sv__aout *a, uint64_t gen, double end);
/* Closes the sink; call only when no demux thread runs. */
void sv__aout_close(sv__aout *a);
/* The master clock: presentation seconds being heard now (once the last
 * sample has played, it runs on in real time), or NAN when audio is not
 * running. Any thread. */
double sv__aout_clock(sv__aout *a);
double sv__aout_buffered_s(sv__aout *a);
int sv__aout_done(sv__aout *a);
int sv__aout_active(sv__aout *a);  /* audio exists for this load */
void sv__aout_set_active(sv__aout *a, int active);
void sv__aout_volume(sv__aout *a, double volume, int muted);
/* Plays at `speed` media seconds per second (0.5 to 2; a live latency is
 * held within 0.95 to 1.05) with the pitch kept: the samples pushed from
 * now on go through libavfilter's atempo (output_tempo.h) and the clock
 * moves at the speed of the samples heard. Any thread. */
void sv__aout_set_speed(sv__aout *a, double speed);
/* The speed of the audio heard now. Any thread. */
double sv__aout_speed(sv__aout *a);

typedef struct sv__captions sv__captions; /* captions.c, below */

/* ---- subtitles (subtitles.c) --------------------------------------------------- */

/* WebVTT text tracks: cues fetched up to 30 s ahead of the position, the
 * active ones shown through SV_EVENT_SUBTITLE and sv_player_get_subtitle(),
 * each reported once through SV_EVENT_SUBTITLE_CUE in order of start when
 * playback reaches it (the same cues in the same order on every run).
 * Loop thread, except sv__subs_text (any thread). */
typedef struct sv__subs sv__subs;
/* `env` and `fetcher` are borrowed for the object's lifetime. */
int sv__subs_create(sv__subs **out, const sv__env *env, sv__fetcher *fetcher);
void sv__subs_destroy(sv__subs *s);
/* Shows text track `index` of period `period` of `pres` (borrowed until the
 * next reset), or none (-1); cues that end at or before `from` are not
 * reported: the load's start position (0 for a live presentation: its
 * live_start), or NAN for the position now. Segments are read from the one
 * holding `from` (a seek's target after sv__subs_seek()), wherever playback
 * is when the playlist arrives. Returns 0 or SV_ERR_RANGE. */
int sv__subs_select(sv__subs *s, sv__presentation *pres, int period, int index, double from);
/* Forgets the track and its cues (unload). */
void sv__subs_reset(sv__subs *s);
/* Closed captions (borrowed, NULL none): shown and reported like a text
 * track while no text track is selected. */
void sv__subs_set_captions(sv__subs *s, sv__captions *c);
/* The position jumped to `target`: fetching restarts from there (cues read
 * are kept) and the cues from there on are reported again. */
void sv__subs_seek(sv__subs *s, double target);
/* From the tick: fetches ahead, reports the cues reached and updates the
 * text shown at `position`. */
void sv__subs_tick(sv__subs *s, double position);
/* At the end of playback (the duration, or the position when it is
 * unknown or passed): fetches what remains up to it and reports every cue
 * before it. Returns 1 when all are reported (or no track is selected), 0
 * while some are still coming: the player then holds
 * SV_EVENT_END_OF_FILE back and calls again at its next tick. Bounded: a
 * segment that cannot be fetched is skipped. */
int sv__subs_finish(sv__subs *s);
/* Copies the text shown now ("" none). Returns 0, SV_ERR_OVERFLOW when cut
 * to fit, or SV_ERR_INVALID. */
int sv__subs_text(sv__subs *s, char *buf, size_t cap);
/* 1 and the style into *out when the text shown now is one cue (or one
 * CEA-708 caption window) that has a style; 0 otherwise. Any thread. */
int sv__subs_style(sv__subs *s, sv_cue_style *out);

/* ---- captions (captions.c) ---------------------------------------------- */

/* Closed captions carried in the video's A/53 cc_data: CEA-608 channel CC1
 * decoded by libavcodec, or a CEA-708 service decoded by cea708.h. Complete
 * cues (start and end; 708 ones with their place and style) for the report,
 * and the screen's changes as they happen for the text shown. Fed by the
 * video decode threads, taken by the subtitle module on the loop thread;
 * its own lock. */
#define SV__CAPTION_TEXT 1024
typedef struct sv__captions_state {
    double known_until;      /* cues starting before this are all complete */
    char screen[SV__CAPTION_TEXT]; /* the caption text on screen at the position */
    int has_style;           /* CEA-708: one window shows it, in this style */
    sv_cue_style style;
} sv__captions_state;
/* `env` is borrowed. `service`: 0 for CEA-608 CC1, 1-63 for that CEA-708
 * service. SV_ERR_UNSUPPORTED when libavcodec has no EIA-608 decoder,
 * SV_ERR_INVALID for a service out of range. */
int sv__captions_create(sv__captions **out, const sv__env *env, int service);
void sv__captions_destroy(sv__captions *c);
/* The cc_data triplets of the frame presented at `pts` (presentation
 * seconds), frames in presentation order. Data that does not decode is
 * logged and counted in stats.text_skipped. Decode threads. */
void sv__captions_feed(sv__captions *c, double pts, const uint8_t *cc, size_t size);
/* Moves up to `max` complete cues to out (their text now the caller's, from
 * the player's allocator) and says what is on screen at `position`. */
size_t sv__captions_take(sv__captions *c, sv__cue *out, size_t max, double position,
                         sv__captions_state *st);
/* Forgets the decoders' screens and what was not taken (a seek, an unload). */
void sv__captions_reset(sv__captions *c);
/* The caption services the data carried: bit n for CEA-708 service n, bit
 * 0 for CEA-608 field 1 (CC1); whichever is decoded. `clear`: from now on
 * only those that come again (a new load). Any thread. */
uint64_t sv__captions_services(sv__captions *c, int clear);
/* Decodes `service` (0: CC1, 1-63) from the next frame on; what was decoded
 * and not taken is dropped, and the generation moves on (the subtitle
 * module then forgets the cues it kept). Returns 0, SV_ERR_INVALID, or the
 * error of opening the 608 decoders. Any thread. */
int sv__captions_set_service(sv__captions *c, int service);
/* The service decoded, and (when not NULL) the generation. Any thread. */
int sv__captions_service(sv__captions *c, unsigned *generation);
/* settings.caption_track: 0 for NULL, "" or "CC1", n for "SERVICEn"
 * (1-63), or SV_ERR_INVALID. Case-insensitive. */
int sv__captions_track_parse(const char *name);
/* ---- timed events (timed_events.c) ------------------------------------- */

/* The timed events of the load (DASH Events and emsg, HLS DATERANGE),
 * each reported once as SV_EVENT_TIMED_METADATA when the position reaches
 * its start (player.h, sv_timed_event). Copies are dropped on the way in:
 * the same scheme, value and id. Every function takes the store's own
 * lock: events come from the control thread, the position from the
 * render thread (video) or the control thread (audio only). */
typedef struct sv__timed sv__timed;
/* At most this many events are kept; past it, those reported and ended
 * before the position go first, then new ones are refused (and warned). */
#define SV__TIMED_MAX 4096
int sv__timed_create(sv__timed **out, const sv__env *env);
void sv__timed_destroy(sv__timed *t);
/* Forgets every event (a new load). */
void sv__timed_reset(sv__timed *t);
/* Playback starts (again) at `from`: events that start at or after it,
 * or whose span holds it, are reported when reached; earlier ones not. */
void sv__timed_seek(sv__timed *t, double from);
/* Keeps a copy of `d` unless an event of the same scheme, value and id is
 * kept already. Returns 1 kept, 0 a copy, SV_ERR_OVERFLOW full, or
 * SV_ERR_NOMEM. */
int sv__timed_add(sv__timed *t, const sv__timed_desc *d);
/* An event left out as malformed: logged once per message (a live
 * playlist brings the same one at every reload) and counted in the stats
 * once per message. */
void sv__timed_malformed(sv__timed *t, const char *msg);
/* The position reached `pos`, a frame of `frame_s` seconds being shown
 * from there (0: a position without frames): reports the events that
 * start before pos + frame_s, in order of start. */
void sv__timed_reached(sv__timed *t, double pos, double frame_s);

/* ---- thumbnails (thumbs.c) ------------------------------------------------ */

/* Seek thumbnails of the period played (its thumbnail tile set): tiles
 * fetched one at a time from the position on, cut out on demand. Loop
 * thread, except sv__thumbs_get (any thread). */
typedef struct sv__thumbs sv__thumbs;
/* `env` and `fetcher` are borrowed. */
int sv__thumbs_create(sv__thumbs **out, const sv__env *env, sv__fetcher *fetcher);
void sv__thumbs_destroy(sv__thumbs *t);
/* Uses period `period` of `pres` (borrowed until the next reset or select;
 * an HLS image playlist is fetched and read into it); none when it has no
 * thumbnail set. Returns 0 or SV_ERR_NOMEM. */
int sv__thumbs_select(sv__thumbs *t, sv__presentation *pres, int period);
void sv__thumbs_reset(sv__thumbs *t);
/* Fetches the next tile not yet held (the one under `position` first). */
void sv__thumbs_tick(sv__thumbs *t, double position);
/* The thumbnail for `time` into out (sv_player_get_thumbnail()'s contract). */
int sv__thumbs_get(sv__thumbs *t, double time, sv_thumbnail *out);
/* thumbs_keyframe.c: the first video frame of an init segment (NULL: none,
 * MPEG-TS) followed by an I-frame entry's bytes, into `out`. Returns 0,
 * SV_ERR_DECODE, SV_ERR_UNSUPPORTED (no decoder) or SV_ERR_NOMEM. Any
 * thread; no state kept. */
int sv__keyframe_decode(const uint8_t *init, size_t init_size, const uint8_t *data, size_t size,
                        struct AVFrame *out);

/* ---- the playout as the control loop drives it ------------------------- */

/* What plays the media, as the control loop starts, stops and watches it:
 * the decoding outputs (sv__playout_decoding), or another implementation
 * (the emulated playout, emulate/). Loop thread. `video`: the load plays
 * video, so a first frame and the end are waited for on it. */
typedef struct sv__playout {
    void *opaque;
    void (*set_playing)(void *opaque, int playing);
    /* Brings the position up to now (decoded video moves it as frames are
     * shown, so the decoding outputs have nothing to do here). */
    void (*update)(void *opaque);
    /* Playback can start: a first frame is there (and audio, when it plays). */
    int (*ready)(void *opaque, int video);
    /* A frame of this generation was shown. */
    int (*shown)(void *opaque);
    /* Everything was played. */
    int (*done)(void *opaque, int video);
    /* Media of generation `gen` in [from, to) will not come: play over it
     * (sv__vout_gap, sv__aout_gap). NULL: the playout has nothing to do. */
    void (*gap)(void *opaque, uint64_t gen, double from, double to);
} sv__playout;

/* Fills *out with the decoding outputs: `v` and the audio output it was
 * created with (borrowed). */
void sv__playout_decoding(sv__playout *out, sv__vout *v);

#endif
