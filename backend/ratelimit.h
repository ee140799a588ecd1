/*
 * Per-client request rate: a token bucket per client address, kept in a
 * fixed-size table so that a flood of distinct addresses costs bounded
 * memory and constant time per request.
 *
 * Each client may send `burst` requests at once and `rate` per second after
 * that. The table holds SV__RATE_SLOTS clients; a new client takes a free
 * slot near its hash or the stalest one there, so a forgotten client simply
 * starts again with a full bucket (the limit is never stricter than asked).
 *
 * Threads: one table per loop; no locks.
 */
#ifndef SV_BACKEND_RATELIMIT_H
#define SV_BACKEND_RATELIMIT_H

#include <stdint.h>

#define SV__RATE_SLOTS 8192
#define SV__RATE_KEY 48

typedef struct sv__ratelimit sv__ratelimit;

/* rate: requests per second (> 0), burst: bucket size (>= 1). Returns 0 or
 * SV_ERR_NOMEM / SV_ERR_INVALID. */
int sv__ratelimit_create(double rate, double burst, sv__ratelimit **out);
void sv__ratelimit_destroy(sv__ratelimit *rl);

/* Changes the rates of a live table (a config reload); buckets are kept. */
void sv__ratelimit_set(sv__ratelimit *rl, double rate, double burst);

/* Takes one request for `client` at `now_ns` (a monotonic clock). Returns 0
 * when allowed, or the whole seconds (>= 1) until the next one would be, for
 * a Retry-After header. */
unsigned sv__ratelimit_take(sv__ratelimit *rl, const char *client, uint64_t now_ns);

#endif
