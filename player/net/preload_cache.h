/*
 * The preload cache: bodies fetched ahead for the next item (core/preload.c)
 * and served to the load that plays it, without a network round trip.
 *
 * It is a transport (transport.h) wrapped around the real one, with two
 * faces over one store:
 *   - the serving face is the player's transport (the loop polls it, the
 *     player's fetcher submits to it): a GET whose URL and byte range the
 *     store holds is answered from memory on the next poll, with the timing
 *     of the original transfer (so the ABR's throughput samples stay those
 *     of the link, not of memcpy); anything else goes to the real transport.
 *     A retry (fresh_connection) always goes to the network.
 *   - the recording face is the preload fetcher's: its requests go to the
 *     real transport, and each successful body (status < 300) is kept under
 *     the URL the fetcher asked for, while the store stays within its bound.
 * Keys are the requested URL (query included: a load's token must match)
 * with any CMCD argument left out (CMCD keys change with every request),
 * the byte offset and the length.
 *
 * Threads: loop thread only (like every transport call but wakeup).
 */
#ifndef SV_PLAYER_PRELOAD_CACHE_H
#define SV_PLAYER_PRELOAD_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "player/net/transport.h"
#include "streamverse/clock.h"

typedef struct sv__pcache sv__pcache;

/* Wraps `inner` (owned from this call on, also on failure). *serve is the
 * player's transport: destroying it (sv__transport_destroy) destroys the
 * store, the recording face and `inner`. *record is borrowed from it.
 * `clock` (borrowed) stamps the answers. Returns 0 or SV_ERR_NOMEM. */
int sv__pcache_create(sv__transport **serve, sv__transport **record, sv__pcache **store,
                      sv__transport *inner, const sv_clock *clock, const sv_allocator *alloc);

/* Drops every body and sets the bound for the next ones (bytes). */
void sv__pcache_reset(sv__pcache *c, size_t max_bytes);
/* Forgets one body (a segment the fetcher found truncated). */
void sv__pcache_forget(sv__pcache *c, const char *url, int64_t offset, int64_t length);

typedef struct sv__pcache_stats {
    int64_t bytes;         /* bodies held */
    int64_t entries;
    int64_t hits;          /* requests answered from the store since the reset */
    int full;              /* a body was left out: it would have passed the bound */
} sv__pcache_stats;
void sv__pcache_stats_get(const sv__pcache *c, sv__pcache_stats *st);

/* The key of a URL: `url` with its CMCD query argument removed, into
 * out[cap]. Returns out, or NULL when it does not fit. Pure. */
char *sv__pcache_key(const char *url, char *out, size_t cap);

#endif
