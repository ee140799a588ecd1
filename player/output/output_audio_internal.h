/*
 * The audio output's state, shared by output_audio.c (the FIFO: conversion,
 * gaps, the rate, the sink's pulls) and output_audio_clock.c (the master
 * clock, gapless seams and the queries). Only these two files see it.
 */
#ifndef SV_PLAYER_OUTPUT_AUDIO_INTERNAL_H
#define SV_PLAYER_OUTPUT_AUDIO_INTERNAL_H

#include <libswresample/swresample.h>

#include "player/output/output.h"
#include "player/output/output_tempo.h"

#define FIFO_SECONDS 1.0
/* Samples this close to the queued end follow on (no jump), and a gap that
 * ends this close to it is behind it (the end rounds to a sample). */
#define GAP_SLACK_S 0.02
/* At most this much silence fills the hole between the queued audio and a
 * gap's start, or between its end and the next samples: the audio a muxed
 * segment carries is offset from its video by up to the muxer's delay
 * (0.7 s by default in ffmpeg's mpegts), beyond that something else is
 * wrong and the time just jumps. */
#define GAP_PAD_MAX_S 1.0
/* Marks the FIFO holds: the gaps' jumps (at most SV__OUT_GAPS) and the
 * changes of speed (a playback rate asked for is taken up when one is
 * free). */
#define MARKS (2 * SV__OUT_GAPS)

struct sv__aout {
    const sv__env *env;        /* borrowed: clock, notify */
    sv_audio_sink *sink;       /* the host's, or NULL: no audio is played */

    /* Demux thread only (open, conversion). */
    SwrContext *swr;
    int in_rate, in_fmt, in_channels;
    uint8_t *tmp;
    int tmp_samples;
    sv__tempo *tempo;          /* the rate with the pitch kept; NULL while it was always 1 */
    uint64_t tempo_gen;        /* the generation the tempo's samples belong to */

    sv__mutex lock;            /* guards everything below */
    sv__cond cond;
    int opened;
    sv_audio_format fmt;       /* what the sink obtained */
    int frame_bytes;
    uint8_t *buf;              /* ring of converted samples */
    size_t cap, rpos, len;
    double fifo_pts;           /* time of the sample at rpos */
    double end_pts;            /* time just after the last sample queued */
    uint64_t gen;
    double target;
    double end;                /* samples from it on are not played (an interstitial's
                                  cut); INFINITY */
    int eos, done, playing, active;
    double anchor_time, anchor_pts, anchor_speed;
    int anchor_valid;
    /* Playback rate: asked for (any thread), of the samples being written
     * (w_speed) and of the sample at rpos (fifo_speed). A FIFO frame stands
     * for `speed` frames of media: time moves by speed / sample rate per
     * frame heard. */
    double want_speed, w_speed, fifo_speed;
    /* Gaps of `gen`, and where the FIFO's time jumps over one or its
     * speed changes: from frame `at` (counted like nwritten) on, heard at
     * `pts` and moving at `speed`; `jump`: the time jumps there. */
    struct { double from, to; } gaps[SV__OUT_GAPS];
    int nb_gaps;
    struct { uint64_t at; double pts, speed; int jump; } marks[MARKS];
    int nb_marks;
    uint64_t nread, nwritten;  /* frames handed to the sink / queued, since the FIFO emptied */
    uint64_t cuts;             /* times a gap cut queued samples: a write waiting stops */
    /* Marks handed out and not yet heard (or heard since the last pull),
     * oldest first: at `time` the time heard goes from `from` to `pts`. */
    struct { double time, from, pts; } jumps[SV__OUT_GAPS];
    int nb_jumps;
    float gain;
    /* Gapless (sv__aout_keep): 1 armed (the next write marks the seam), 2
     * the seam's mark queued, 3 handed out, heard at seam_time; 0 none. */
    int seam;
    uint64_t keep_gen;
    double seam_time;
};

#endif
