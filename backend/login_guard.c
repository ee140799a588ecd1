/*
 * login_guard.c - per-name and per-address login throttling (login_guard.h):
 * a fixed open-addressing table, probed from an FNV-1a hash.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/login_guard.h"

#include "streamverse/common.h"

#define PROBE 16
#define KEY_MAX 72 /* "n:" + 63-byte name, or "a:" + an IPv6 address */

typedef struct entry {
    char key[KEY_MAX];
    int fails;
    int inflight;
    double last_fail;
    double next_ok;    /* no attempt before this time (s) */
    uint64_t used;     /* recency stamp for eviction */
} entry;

struct sv__login_guard {
    sv__login_limits lim;
    int pending;
    uint64_t clock;
    entry slots[SV__LOGIN_GUARD_SLOTS];
};

void sv__login_limits_default(sv__login_limits *l)
{
    l->free_failures = 3;
    l->backoff_max_s = 60;
    l->lockout_failures = 10;
    l->lockout_s = 900;
    l->window_s = 900;
    l->max_pending = 64;
}

int sv__login_guard_create(const sv__login_limits *limits, sv__login_guard **out)
{
    sv__login_guard *g = calloc(1, sizeof(*g));

    if (!g)
        return SV_ERR_NOMEM;
    g->lim = *limits;
    *out = g;
    return 0;
}

void sv__login_guard_destroy(sv__login_guard *g)
{
    free(g);
}

void sv__login_guard_set_limits(sv__login_guard *g, const sv__login_limits *limits)
{
    g->lim = *limits;
}

int sv__login_guard_pending(const sv__login_guard *g)
{
    return g->pending;
}

static uint32_t fnv1a(const char *s)
{
    uint32_t h = 2166136261u;

    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

/* The entry for kind:text, created (evicting the stalest) when missing. */
static entry *lookup(sv__login_guard *g, char kind, const char *text, double now)
{
    char key[KEY_MAX];
    entry *victim = NULL;
    uint32_t h;

    snprintf(key, sizeof(key), "%c:%s", kind, text);
    h = fnv1a(key);
    for (int i = 0; i < PROBE; i++) {
        entry *e = &g->slots[(h + (uint32_t)i) % SV__LOGIN_GUARD_SLOTS];

        if (!strcmp(e->key, key)) {
            victim = e;
            goto found;
        }
        if (!e->key[0]) {
            /* Keys are never removed, only replaced: the key is not
             * further on. */
            victim = e;
            break;
        }
        /* Otherwise the stalest key, preferably one without attempts in
         * flight. */
        if (!victim || (!e->inflight && victim->inflight) ||
            (!e->inflight == !victim->inflight && e->used < victim->used))
            victim = e;
    }
    memset(victim, 0, sizeof(*victim));
    snprintf(victim->key, sizeof(victim->key), "%s", key);
found:
    victim->used = ++g->clock;
    if (victim->fails && now - victim->last_fail >= g->lim.window_s) {
        victim->fails = 0;
        victim->next_ok = 0;
    }
    return victim;
}

int sv__login_guard_admit(sv__login_guard *g, const char *name, const char *addr, double now,
                          int *retry_after)
{
    entry *n, *a;
    double wait;

    *retry_after = 0;
    if (g->pending >= g->lim.max_pending) {
        *retry_after = 1;
        return SV__LOGIN_BUSY;
    }
    n = lookup(g, 'n', name, now);
    a = lookup(g, 'a', addr, now);
    wait = n->next_ok > a->next_ok ? n->next_ok - now : a->next_ok - now;
    /* Guesses in flight count as failures to come: a parallel burst stops
     * at the lockout limit. */
    if (wait <= 0 && n->fails + n->inflight >= g->lim.lockout_failures)
        wait = 1;
    if (wait > 0) {
        *retry_after = (int)ceil(wait);
        return SV__LOGIN_THROTTLED;
    }
    n->inflight++;
    a->inflight++;
    g->pending++;
    return SV__LOGIN_ADMIT;
}

static void failed(const sv__login_limits *lim, entry *e, double now)
{
    int over;

    e->fails++;
    e->last_fail = now;
    over = e->fails - lim->free_failures;
    if (over > 0) {
        int64_t wait = over > 20 ? lim->backoff_max_s : (int64_t)1 << (over - 1);

        e->next_ok = now + (double)(wait < lim->backoff_max_s ? wait : lim->backoff_max_s);
    }
}

int sv__login_guard_finish(sv__login_guard *g, const char *name, const char *addr, int ok,
                           double now)
{
    entry *n = lookup(g, 'n', name, now), *a = lookup(g, 'a', addr, now);

    if (n->inflight > 0)
        n->inflight--;
    if (a->inflight > 0)
        a->inflight--;
    if (g->pending > 0)
        g->pending--;
    if (ok) {
        n->fails = 0;
        n->next_ok = 0;
        return 0;
    }
    failed(&g->lim, n, now);
    failed(&g->lim, a, now);
    if (n->fails >= g->lim.lockout_failures) {
        /* The lockout (in the catalog) takes over from the count. */
        n->fails = 0;
        n->next_ok = 0;
        return 1;
    }
    return 0;
}

void sv__login_guard_forget(sv__login_guard *g, const char *name)
{
    entry *n = lookup(g, 'n', name, 0);

    n->fails = 0;
    n->next_ok = 0;
}
