/*
 * Content steering (steering.c): the steering manifest a presentation names
 * is fetched at the start of playback and again every TTL; its priority
 * list reorders the load's CDNs in the fetcher. What it needs of the player
 * (the load's CDN list, the measured throughput) it asks through the
 * config's callbacks, on the loop thread.
 */
#ifndef SV_PLAYER_NET_STEERING_H
#define SV_PLAYER_NET_STEERING_H

#include <stddef.h>

#include "platform/log.h"
#include "player/net/fetcher.h"
#include "player/net/loop.h"
#include "streamverse/common.h"

#define SV__STEER_MAX_CDNS 24

typedef struct sv__steer_config {
    const char *uri;           /* the steering manifest's absolute URI (copied) */
    int dash;                  /* DASH (_DASH_ query keys), else HLS */
    sv__loop *loop;            /* borrowed, as are the three below */
    sv__fetcher *fetcher;
    const sv_allocator *allocator;
    const sv__logger *log;
    /* Copies the load's CDNs (in their order, before steering) into out (up
     * to cap) and returns how many there are; pointers stay valid while
     * the steering lasts. */
    size_t (*cdns)(void *opaque, sv__cdn_entry *out, size_t cap);
    double (*throughput_bps)(void *opaque);
    void *opaque;
} sv__steer_config;

typedef struct sv__steer sv__steer;

/* Starts following the steering manifest (the first fetch leaves now).
 * Returns 0 or SV_ERR_NOMEM. Loop thread. */
int sv__steer_create(sv__steer **out, const sv__steer_config *cfg);
/* Stops (cancelling what is in flight) and frees. Accepts NULL. */
void sv__steer_destroy(sv__steer *st);

#endif
