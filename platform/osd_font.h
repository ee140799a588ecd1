/*
 * A tiny built-in bitmap font for on-screen text (the SDL2 sink's panel and
 * subtitles), so drawing text needs no font library. Printable ASCII only;
 * glyphs are 5x7 pixels in a 6x9 cell (one column and two rows of spacing).
 * Pure functions on caller-owned pixel buffers: thread-safe, no allocation.
 */
#ifndef SV_PLATFORM_OSD_FONT_H
#define SV_PLATFORM_OSD_FONT_H

#include <stdint.h>

#define SV__OSD_GLYPH_W 5
#define SV__OSD_GLYPH_H 7
#define SV__OSD_CELL_W 6
#define SV__OSD_CELL_H 9

/*
 * Stores the 7 rows of the glyph for byte c in rows[], top first, bit 4 the
 * leftmost column. Bytes outside printable ASCII (32..126) give '?'.
 */
void sv__osd_glyph(unsigned char c, uint8_t rows[SV__OSD_GLYPH_H]);

/* Stores the length of the longest line (in cells) and the number of lines
 * of `text` ('\n' separates lines; a trailing '\n' adds no line). "" gives 0, 0. */
void sv__osd_measure(const char *text, int *cols, int *lines);

/*
 * Draws `text` at (x, y) into a w x h buffer of 32-bit pixels with `pitch`
 * pixels per row, writing `fg` where a glyph pixel is lit and leaving every
 * other pixel as it was. Pixels falling outside the buffer are clipped.
 * Returns the number of pixels written.
 */
int sv__osd_draw(uint32_t *pixels, int pitch, int w, int h, int x, int y, const char *text,
                 uint32_t fg);

#endif
