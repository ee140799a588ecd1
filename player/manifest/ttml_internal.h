/*
 * TTML value syntax (ttml_values.c), shared by the document walk (ttml.c):
 * time expressions, colours, lengths. Pure functions, any thread.
 */
#ifndef SV_PLAYER_TTML_INTERNAL_H
#define SV_PLAYER_TTML_INTERNAL_H

#include <stdint.h>

/* The document's ttp: parameters and root extent, as the values need them. */
typedef struct sv__ttml_params {
    double frame_rate;     /* ttp:frameRate x ttp:frameRateMultiplier (30 by default) */
    double sub_frame_rate; /* ttp:subFrameRate (1) */
    double tick_rate;      /* ttp:tickRate (1, or the frame rate when that is set) */
    int cell_cols, cell_rows; /* ttp:cellResolution (32 15) */
    double extent_w, extent_h; /* the root's tts:extent in px; 0 when not given */
} sv__ttml_params;

/* A time expression (clock time or offset time) in seconds. Returns 0, or -1
 * when it does not parse. */
int sv__ttml_time(const sv__ttml_params *pm, const char *s, double *out);

/* A colour: #rrggbb, #rrggbbaa, rgb(r,g,b), rgba(r,g,b,a) or a TTML named
 * colour, as 0xRRGGBBAA. Returns 0 or -1. */
int sv__ttml_color(const char *s, uint32_t *out);

/* One length of `s` (advanced past it) as % of the picture along an axis:
 * `vertical` picks the height for px and c units. Returns 0 or -1. */
int sv__ttml_length(const sv__ttml_params *pm, const char **s, int vertical, float *out);

/* A whole value that is one non-negative decimal ("30", "29.97"). Returns 0
 * or -1. */
int sv__ttml_number(const char *s, double *out);

/* A ttp:frameRateMultiplier "N D", ttp:cellResolution "C R" or tts:extent
 * "Wpx Hpx": two positive numbers, units skipped. Returns 0 or -1. */
int sv__ttml_pair(const char *s, double *a, double *b);

#endif
