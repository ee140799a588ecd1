/*
 * One fetched piece of a text track (a subtitle segment or a whole sidecar
 * file) into cues, whatever its format: WebVTT, TTML/IMSC1, or fragmented
 * MP4 carrying TTML samples (`stpp`). The format is read from the bytes,
 * not trusted from the manifest: packagers label text tracks loosely.
 *
 * Threads: pure functions, any thread.
 */
#ifndef SV_PLAYER_TEXT_TRACK_H
#define SV_PLAYER_TEXT_TRACK_H

#include <stddef.h>
#include <stdint.h>

#include "player/manifest/parse_error.h"
#include "player/manifest/webvtt.h" /* sv__cue */

typedef struct sv__text_cues {
    const sv_allocator *alloc;
    sv__cue *cues;         /* in document order, from alloc */
    size_t nb_cues;
    const char *format;    /* "webvtt", "ttml", "stpp" (static) */
    /* WebVTT's X-TIMESTAMP-MAP (webvtt.h) */
    int has_map;
    double map_local;
    int64_t map_mpegts;
    int skipped;           /* parts skipped inside (ttml.h) */
    char warning[160];     /* the first skip's reason */
} sv__text_cues;

/* Parses `size` bytes. `doc_end` ends TTML paragraphs that have no end of
 * their own (the segment's end; INFINITY for a sidecar file). Returns 0 and
 * fills *out (free with sv__text_cues_free), or a negative code with err
 * set: SV_ERR_PARSE (not a text format the player reads, or the format's
 * own refusal), SV_ERR_OVERFLOW, SV_ERR_NOMEM. */
int sv__text_parse(const uint8_t *data, size_t size, double doc_end, const sv_allocator *alloc,
                   sv__text_cues *out, sv__parse_error *err);
void sv__text_cues_free(sv__text_cues *c);

/* The samples of a fragmented MP4 text segment, in order: for every moof,
 * the bytes trun gives each sample of its first traf (data offsets from the
 * moof or tfhd's base-data-offset), checked to lie inside `data`. Calls
 * `each` per sample; stops at its first negative return. Returns the count
 * of samples, or SV_ERR_PARSE (a box overruns, a sample lies outside). */
int sv__mp4_text_samples(const uint8_t *data, size_t size,
                         int (*each)(void *opaque, const uint8_t *sample, size_t n),
                         void *opaque);

#endif
