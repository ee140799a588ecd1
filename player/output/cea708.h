/*
 * cea708.h - a CEA-708 (DTVCC) caption service decoder: the cc_data
 * triplets of ATSC A/53 (cc_type 3 starts a caption channel packet, 2
 * carries its data), split into service blocks, one service's commands
 * interpreted per CEA-708-E into its eight windows, and each window's
 * visible text turned into cues with position and style.
 *
 *   cea708.c          the caption channel packet layer and the decoder handle
 *   cea708_service.c  the service's commands and windows (cea708_internal.h)
 *
 * Pure: no I/O, no locks, no clock; the caller gives each frame's time. One
 * decoder is used by one thread at a time (captions.c holds its lock).
 * Data that cannot be read (a packet cut short or longer than its data, a
 * sequence number gap, a service block longer than its packet, a command
 * whose parameters are missing, a window that was never defined) is skipped
 * and reported through the `bad` callback with what was wrong; nothing in
 * the input can make the decoder loop or read out of bounds.
 */
#ifndef SV_PLAYER_OUTPUT_CEA708_H
#define SV_PLAYER_OUTPUT_CEA708_H

#include <stddef.h>
#include <stdint.h>

#include "streamverse/common.h"
#include "streamverse/player.h" /* sv_cue_style */

typedef struct sv__dtvcc sv__dtvcc;

/* The text of a window as long as it was on screen unchanged. */
typedef struct sv__dtvcc_cue {
    double start, end;     /* the times given with the data that showed and removed it */
    int window;            /* 0-7 */
    const char *text;      /* UTF-8, rows split by '\n'; valid during the callback */
    sv_cue_style style;    /* the window's place and fill, the pen's colour and attributes */
} sv__dtvcc_cue;

typedef struct sv__dtvcc_callbacks {
    void *opaque;
    /* A cue ended (its window was hidden, cleared, deleted or its text
     * changed). Called from within sv__dtvcc_feed(). */
    void (*cue)(void *opaque, const sv__dtvcc_cue *cue);
    /* Data was skipped: `what` says why (a static or stack string). */
    void (*bad)(void *opaque, double pts, const char *what);
} sv__dtvcc_callbacks;

/* Decodes service `service` (1-63; 0: none, the packets are only split to
 * see which services there are). `alloc` (NULL: the C library) and the
 * callbacks are borrowed for the decoder's lifetime. Returns 0,
 * SV_ERR_INVALID (service out of range) or SV_ERR_NOMEM. */
int sv__dtvcc_create(sv__dtvcc **out, const sv_allocator *alloc, int service,
                     const sv__dtvcc_callbacks *cb);
void sv__dtvcc_destroy(sv__dtvcc *d);
/* Forgets the packet being assembled, the windows and the open cues (not
 * reported): decoding starts again with the next packet (a seek). */
void sv__dtvcc_reset(sv__dtvcc *d);
/* Decodes `service` (0-63) from now on, with these callbacks (borrowed);
 * resets as above. The services seen are kept. */
void sv__dtvcc_set_service(sv__dtvcc *d, int service, const sv__dtvcc_callbacks *cb);
/* The cc_data of the frame presented at `pts` seconds (frames in
 * presentation order): `size` bytes, triplets of (marker and cc_valid and
 * cc_type, byte 1, byte 2); 608 triplets (cc_type 0 and 1) are left alone. */
void sv__dtvcc_feed(sv__dtvcc *d, double pts, const uint8_t *cc, size_t size);
/* The text on screen after the last feed: the visible windows' text in
 * window order, "" when none. Returns 0, or SV_ERR_OVERFLOW when cut. */
int sv__dtvcc_screen(const sv__dtvcc *d, char *buf, size_t cap);
/* When exactly one window shows text after the last feed: 1 and its cue's
 * style into *out; else 0. */
int sv__dtvcc_screen_style(const sv__dtvcc *d, sv_cue_style *out);
/* The earliest start of a cue still on screen (not yet reported), or
 * INFINITY when none is. */
double sv__dtvcc_open_since(const sv__dtvcc *d);
/* The services seen in the data since creation or the last clear: bit n
 * for service n (1-63). A reset keeps them. */
uint64_t sv__dtvcc_services(const sv__dtvcc *d);
void sv__dtvcc_services_clear(sv__dtvcc *d);

#endif
