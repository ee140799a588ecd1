/*
 * Playback rate with the pitch kept (output_tempo.c): libavfilter's atempo
 * over interleaved samples in the audio sink's format, inside the output
 * stage. The audio output runs its samples through it while a rate other
 * than 1 was asked for (sv__aout_set_speed).
 *
 * Thread: one (the decode thread that pushes audio); not thread-safe.
 */
#ifndef SV_PLAYER_OUTPUT_TEMPO_H
#define SV_PLAYER_OUTPUT_TEMPO_H

#include <stdint.h>

#include "platform/alloc.h"

typedef struct sv__tempo sv__tempo;

/* Receives `frames` stretched frames (interleaved, the tempo's format)
 * whose first sample is media time `pts`, each frame standing for `speed`
 * frames of media. `data` is valid during the call. Returns 0 or a
 * negative code that ends the processing with it. */
typedef int (*sv__tempo_out_fn)(void *opaque, const uint8_t *data, int frames, double pts,
                                double speed);

/* `sample_rate`, `channels` and F32 (`f32` 1) or S16 samples. Returns 0 and
 * *out (free with sv__tempo_destroy), or SV_ERR_NOMEM. */
int sv__tempo_create(sv__tempo **out, const sv_allocator *alloc, int sample_rate, int channels,
                     int f32);
void sv__tempo_destroy(sv__tempo *t);
/* Media seconds per second of output from the next samples on (0.5 to 2;
 * SV_ERR_RANGE outside). */
int sv__tempo_set_speed(sv__tempo *t, double speed);
double sv__tempo_speed(const sv__tempo *t);
/* Stretches `frames` frames of media time `pts` (NAN: following on), handing
 * what comes out to `fn`. Input whose time jumps from where the last ended
 * first drains what the filter holds. Returns 0, SV_ERR_NOMEM,
 * SV_ERR_UNSUPPORTED (libavfilter has no atempo), SV_ERR_INTERNAL, or
 * fn's error. */
int sv__tempo_process(sv__tempo *t, const uint8_t *data, int frames, double pts,
                      sv__tempo_out_fn fn, void *opaque);
/* Hands out what the filter still holds (the end of the audio) and starts
 * afresh with the next input. */
int sv__tempo_drain(sv__tempo *t, sv__tempo_out_fn fn, void *opaque);
/* Drops what the filter holds (a flush: the samples are stale). */
void sv__tempo_reset(sv__tempo *t);

#endif
