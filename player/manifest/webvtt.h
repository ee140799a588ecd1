/*
 * WebVTT (W3C) cue reading for subtitles: a whole file or one HLS/DASH
 * segment of one. Line-based like the HLS parser; no I/O.
 *
 * Cue payloads come out as plain text: tags (<b>, <i>, <c.x>, <v Name>,
 * timestamps) are dropped and the character references &amp; &lt; &gt;
 * &quot; &nbsp; &lrm; &rlm; are decoded; lines stay separated by '\n'.
 * Cue settings give the cue a style (align; line, position and size as
 * percentages: the cue box). STYLE, REGION and NOTE blocks, integer line
 * numbers and vertical text are ignored.
 *
 * Threads: pure functions, any thread.
 */
#ifndef SV_PLAYER_WEBVTT_H
#define SV_PLAYER_WEBVTT_H

#include <stddef.h>
#include <stdint.h>

#include "streamverse/player.h" /* sv_cue_style */
#include "player/manifest/parse_error.h"

typedef struct sv__cue {
    double start, end;   /* seconds, as written in the file (see map below) */
    char *text;          /* plain text, from the parse's alloc */
    sv_cue_style style;  /* where and how (TTML; WebVTT settings); when has_style */
    int has_style;
} sv__cue;

typedef struct sv__webvtt {
    const sv_allocator *alloc; /* the parse's (NULL: the C library) */
    sv__cue *cues;       /* in file order, from alloc */
    size_t nb_cues;
    /* HLS X-TIMESTAMP-MAP: cue time t is media time t - local + mpegts/90000. */
    int has_map;
    double map_local;
    int64_t map_mpegts;
} sv__webvtt;

/* Parses `size` bytes. Returns 0 and fills *out (free with
 * sv__webvtt_free), SV_ERR_PARSE with err set (no "WEBVTT" signature, a bad
 * timing line, an end before its start), SV_ERR_OVERFLOW (more than 100000
 * cues) or SV_ERR_NOMEM. */
int sv__webvtt_parse(const char *text, size_t size, const sv_allocator *alloc, sv__webvtt *out,
                     sv__parse_error *err);
void sv__webvtt_free(sv__webvtt *v);

#endif
