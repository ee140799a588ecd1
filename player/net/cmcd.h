/*
 * Common Media Client Data (CTA-5004) for segment requests (cmcd.c): the
 * keys are written from what the caller says of the object and of the
 * player's state, so the writer needs nothing else. Any thread.
 */
#ifndef SV_PLAYER_NET_CMCD_H
#define SV_PLAYER_NET_CMCD_H

#include <stddef.h>
#include <stdint.h>

#include "streamverse/player.h"

typedef struct sv__cmcd_object {
    sv_track_type type;
    int is_init;
    int64_t bitrate_bps, top_bps;  /* 0: unknown */
    double duration_s;             /* 0: unknown */
    /* The player as the request leaves: */
    double buffer_s;               /* buffer ahead of the position */
    double throughput_bps;         /* measured (0: not yet) */
    sv_player_state state;
    int format;                    /* 'd' DASH, 'h' HLS, 0 neither */
    const char *session_id;        /* "" none */
} sv__cmcd_object;

/* Writes "CMCD=<encoded keys>" for a segment request into out and returns
 * 1, or 0 (out emptied) when it does not fit. */
int sv__cmcd_query(const sv__cmcd_object *o, char *out, size_t cap);
/* Writes a fresh session id for CMCD (each load; a backend session's id
 * wins) into sid (cap >= 37); `salt` tells two players apart. */
void sv__cmcd_new_session(char *sid, size_t cap, const void *salt);

#endif
