/*
 * TTML cue reading for subtitles: the IMSC1 text profile (W3C TTML1 as
 * IMSC1 restricts it), a whole sidecar document or one ISOBMFF `stpp`
 * sample. Parsed with libxml2 into a tree; no I/O, no network (external
 * entities and DTDs are never loaded).
 *
 * What a cue carries:
 *   - times: each <p> is a cue from its resolved begin to its resolved end.
 *     begin/end/dur on <body>, <div>, <p> nest as the timing model says
 *     (timeContainer "par", the default, and "seq"); clock times
 *     (hh:mm:ss.fff, hh:mm:ss:ff[.sub] with ttp:frameRate,
 *     ttp:frameRateMultiplier, ttp:subFrameRate) and offset times
 *     (h, m, s, ms, f, t with ttp:tickRate). Timing on <span> is not
 *     followed: a span is shown for its paragraph's time.
 *   - text: <span> content and <br/> as '\n'; white space collapsed unless
 *     xml:space="preserve".
 *   - style (sv_cue_style): the region's origin, extent, displayAlign and
 *     the paragraph's textAlign, colour, background, fontSize, fontStyle,
 *     fontWeight and textDecoration, computed as TTML does: from the region,
 *     down <body>/<div>/<p>, each element's referential styles (chained
 *     <style> references) then its inline tts: attributes. Lengths in %, px
 *     (with the root's tts:extent) and c (ttp:cellResolution) become % of the
 *     picture. Colour, italic, bold and underline set on spans count when
 *     every span of the cue agrees.
 *
 * What is skipped, with a count and a warning (the cue, or the rest of the
 * document, still comes out): elements nested deeper than 64, a time
 * expression that does not parse (that element and its subtree), content
 * of the image profile (smpte:backgroundImage, <image>).
 *
 * Threads: pure functions, any thread.
 */
#ifndef SV_PLAYER_TTML_H
#define SV_PLAYER_TTML_H

#include <stddef.h>

#include "player/manifest/parse_error.h"
#include "player/manifest/webvtt.h" /* sv__cue */

typedef struct sv__ttml {
    const sv_allocator *alloc; /* the parse's (NULL: the C library) */
    sv__cue *cues;         /* in document order, each with has_style set */
    size_t nb_cues;
    int skipped;           /* elements skipped (see above) */
    char warning[160];     /* the first skip's reason, "" when none */
} sv__ttml;

/* Parses `size` bytes. `doc_end` (seconds, INFINITY for a sidecar file) ends
 * what has no end of its own: an `stpp` sample's document is active until the
 * sample ends. Returns 0 and fills *out (free with sv__ttml_free),
 * SV_ERR_PARSE with err set (not well-formed XML, a root that is not <tt>,
 * a bad ttp: parameter), SV_ERR_OVERFLOW (more than 100000 cues) or
 * SV_ERR_NOMEM. */
int sv__ttml_parse(const char *text, size_t size, double doc_end, const sv_allocator *alloc,
                   sv__ttml *out, sv__parse_error *err);
void sv__ttml_free(sv__ttml *t);

#endif
