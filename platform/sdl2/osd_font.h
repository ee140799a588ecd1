/*
 * The glyph table behind the built-in bitmap font of libstreamverse-sdl2 (the
 * SDL2 sink's panel and subtitles, and sv_sdl2_text_draw() for hosts), so
 * drawing text needs no font library. Printable ASCII only; glyphs are 5x7
 * pixels in the 6x9 cell of streamverse/sdl2.h (one column and two rows of
 * spacing). Pure functions on caller-owned buffers: thread-safe, no
 * allocation.
 */
#ifndef SV_PLATFORM_SDL2_OSD_FONT_H
#define SV_PLATFORM_SDL2_OSD_FONT_H

#include <stdint.h>

#include "streamverse/sdl2.h"

#define SV__OSD_GLYPH_W 5
#define SV__OSD_GLYPH_H 7
#define SV__OSD_CELL_W SV_SDL2_TEXT_CELL_W
#define SV__OSD_CELL_H SV_SDL2_TEXT_CELL_H

/*
 * Stores the 7 rows of the glyph for byte c in rows[], top first, bit 4 the
 * leftmost column. Bytes outside printable ASCII (32..126) give '?'.
 */
void sv__osd_glyph(unsigned char c, uint8_t rows[SV__OSD_GLYPH_H]);

#endif
