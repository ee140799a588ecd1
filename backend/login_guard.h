/*
 * The login guard: throttling of password guesses per account name and per
 * client address, with exponential back-off and a temporary lockout of a
 * name. Pure bookkeeping (no I/O, no clock: the caller passes the time), so
 * it is unit tested on its own; api_auth.c asks it before hashing a
 * password and tells it the outcome afterwards.
 *
 * Policy, per key (a name as typed, known or not, so the answers never tell
 * which names exist; and an address):
 * - the first `free_failures` failures cost nothing;
 * - each further failure makes the key wait 1, 2, 4 ... up to
 *   `backoff_max_s` seconds before the next attempt (429 + Retry-After);
 * - `lockout_failures` failures on one name lock it for `lockout_s`
 *   seconds (the caller stores the lockout in the catalog, where an admin
 *   lifts it); attempts still hashing count, so a burst of parallel guesses
 *   cannot overshoot the limit;
 * - failures are forgotten `window_s` seconds after the last one; a
 *   success clears the name's failures (not the address's: one good
 *   account must not launder an address's guesses on others);
 * - at most `max_pending` logins hash at once; more get 503 + Retry-After.
 *
 * The table is bounded (SV__LOGIN_GUARD_SLOTS); when full, the least
 * recently used key without attempts in flight is forgotten.
 *
 * Threads: one guard per loop, used on the loop thread only.
 */
#ifndef SV_BACKEND_LOGIN_GUARD_H
#define SV_BACKEND_LOGIN_GUARD_H

#include <stdint.h>

#define SV__LOGIN_GUARD_SLOTS 8192

typedef struct sv__login_limits {
    int free_failures;    /* 3 */
    int backoff_max_s;    /* 60 */
    int lockout_failures; /* 10 */
    int lockout_s;        /* 900 */
    int window_s;         /* 900 */
    int max_pending;      /* 64 */
} sv__login_limits;

void sv__login_limits_default(sv__login_limits *l);

typedef struct sv__login_guard sv__login_guard;

/* Returns 0 and *out, or SV_ERR_NOMEM. */
int sv__login_guard_create(const sv__login_limits *limits, sv__login_guard **out);
void sv__login_guard_destroy(sv__login_guard *g);

/* Replaces the limits (a config reload); keys and their counts stay. */
void sv__login_guard_set_limits(sv__login_guard *g, const sv__login_limits *limits);

enum {
    SV__LOGIN_ADMIT = 0,     /* go ahead: hash, then call sv__login_guard_finish */
    SV__LOGIN_THROTTLED = 1, /* 429: wait *retry_after seconds */
    SV__LOGIN_BUSY = 2       /* 503: too many logins hashing; *retry_after = 1 */
};

/* May `name` try a password from `addr` at `now` (seconds, with their
 * fraction: a back-off of 1 s lasts a whole second, whenever in a second
 * it began)? On SV__LOGIN_ADMIT the attempt is in flight until
 * sv__login_guard_finish. *retry_after is the wait rounded up. */
int sv__login_guard_admit(sv__login_guard *g, const char *name, const char *addr, double now,
                          int *retry_after);

/* The outcome of an admitted attempt. Returns 1 when this failure locks the
 * name (the caller stores a lockout of lockout_s seconds), else 0. */
int sv__login_guard_finish(sv__login_guard *g, const char *name, const char *addr, int ok,
                           double now);

/* Forgets a name's failures and back-off (an admin lifted its lockout). */
void sv__login_guard_forget(sv__login_guard *g, const char *name);

/* Logins hashing now. */
int sv__login_guard_pending(const sv__login_guard *g);

#endif
