/*
 * cea708_internal.h - the service interpreter of the DTVCC decoder
 * (cea708_service.c), as the packet layer (cea708.c) drives it.
 */
#ifndef SV_PLAYER_OUTPUT_CEA708_INTERNAL_H
#define SV_PLAYER_OUTPUT_CEA708_INTERNAL_H

#include "player/output/cea708.h"

/* A window holds at most 15 rows of 42 columns (CEA-708-E 16:9 maximum;
 * larger definitions are cut to it). */
#define SV__DTVCC_ROWS 15
#define SV__DTVCC_COLS 42
/* A window's text: four UTF-8 bytes a cell and a line break a row. */
#define SV__DTVCC_TEXT (SV__DTVCC_ROWS * (SV__DTVCC_COLS * 4 + 1) + 1)
/* Service data held back by a DLY command (a block is at most 31 bytes;
 * past this the delay ends early). */
#define SV__DTVCC_HELD 1024

/* Colours as CEA-708 codes them: opacity in bits 7-6 (0 solid, 1 flash,
 * 2 translucent, 3 transparent), red, green and blue in two bits each. */
typedef struct sv__dtvcc_cell {
    uint32_t ch;                 /* Unicode code point; 0: nothing written */
    uint8_t fg, bg;
    uint8_t italic, underline;
} sv__dtvcc_cell;

typedef struct sv__dtvcc_window {
    int defined, visible;
    int rows, cols;              /* 1-15, 1-42 */
    int anchor_point;            /* 0-8: top left, top centre, ... bottom right */
    int relative;                /* anchors in percent, else the 210x75 grid */
    int anchor_v, anchor_h;
    int justify;                 /* 0 left, 1 right, 2 centre, 3 full */
    uint8_t fill;                /* the window's fill colour */
    int row, col;                /* the pen */
    sv__dtvcc_cell pen;          /* the pen's colours and attributes (ch unused) */
    sv__dtvcc_cell cells[SV__DTVCC_ROWS][SV__DTVCC_COLS];
    /* The cue on screen: its text ("" none), start and style. */
    char open_text[SV__DTVCC_TEXT];
    double open_start;
    sv_cue_style open_style;
} sv__dtvcc_window;

typedef struct sv__dtvcc_service {
    const sv__dtvcc_callbacks *cb; /* borrowed */
    sv__dtvcc_window win[8];
    int current;                 /* the current window, -1 none */
    int delaying;                /* a DLY holds the data back until delay_until */
    double delay_until;
    uint8_t held[SV__DTVCC_HELD];
    size_t nb_held;
} sv__dtvcc_service;

/* Forgets windows, delay and open cues. */
void sv__dtvcc_service_reset(sv__dtvcc_service *s);
/* Runs held data whose delay ended by `pts`. */
void sv__dtvcc_service_tick(sv__dtvcc_service *s, double pts);
/* Interprets one service block's data (held back while a delay runs). */
void sv__dtvcc_service_block(sv__dtvcc_service *s, double pts, const uint8_t *b, size_t n);
/* Compares each window's visible text with its open cue: a change ends the
 * open cue at `pts` (the cue callback) and opens the new one. */
void sv__dtvcc_service_settle(sv__dtvcc_service *s, double pts);

#endif
