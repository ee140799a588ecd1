/*
 * ratelimit.c - token buckets per client in an open-addressed table with a
 * short probe window (see ratelimit.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backend/ratelimit.h"
#include "streamverse/common.h"

#define PROBES 8

typedef struct slot {
    char key[SV__RATE_KEY]; /* "" when free */
    double tokens;
    uint64_t last_ns;
} slot;

struct sv__ratelimit {
    double rate, burst;
    slot slots[SV__RATE_SLOTS];
};

int sv__ratelimit_create(double rate, double burst, sv__ratelimit **out)
{
    sv__ratelimit *rl;

    if (!(rate > 0) || !(burst >= 1))
        return SV_ERR_INVALID;
    if (!(rl = calloc(1, sizeof(*rl))))
        return SV_ERR_NOMEM;
    rl->rate = rate;
    rl->burst = burst;
    *out = rl;
    return 0;
}

void sv__ratelimit_destroy(sv__ratelimit *rl)
{
    free(rl);
}

void sv__ratelimit_set(sv__ratelimit *rl, double rate, double burst)
{
    if (rate > 0 && burst >= 1) {
        rl->rate = rate;
        rl->burst = burst;
    }
}

/* FNV-1a: the keys are short address strings. */
static uint32_t hash(const char *s)
{
    uint32_t h = 2166136261u;

    while (*s)
        h = (h ^ (unsigned char)*s++) * 16777619u;
    return h;
}

/* The client's slot: its own, else a free one, else the stalest of the
 * probe window (reset to a full bucket). */
static slot *find(sv__ratelimit *rl, const char *client, uint64_t now_ns)
{
    uint32_t h = hash(client);
    slot *victim = NULL;

    for (int i = 0; i < PROBES; i++) {
        slot *s = &rl->slots[(h + (uint32_t)i) % SV__RATE_SLOTS];

        if (!strcmp(s->key, client))
            return s;
        if (!victim || (victim->key[0] && (!s->key[0] || s->last_ns < victim->last_ns)))
            victim = s;
    }
    strncpy(victim->key, client, sizeof(victim->key) - 1);
    victim->key[sizeof(victim->key) - 1] = '\0';
    victim->tokens = rl->burst;
    victim->last_ns = now_ns;
    return victim;
}

unsigned sv__ratelimit_take(sv__ratelimit *rl, const char *client, uint64_t now_ns)
{
    slot *s = find(rl, client, now_ns);
    double wait;

    if (now_ns > s->last_ns) {
        s->tokens += (double)(now_ns - s->last_ns) / 1e9 * rl->rate;
        if (s->tokens > rl->burst)
            s->tokens = rl->burst;
        s->last_ns = now_ns;
    }
    if (s->tokens >= 1) {
        s->tokens -= 1;
        return 0;
    }
    wait = ceil((1 - s->tokens) / rl->rate);
    return wait < 1 ? 1 : wait > 3600 ? 3600 : (unsigned)wait;
}
