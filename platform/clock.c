/*
 * Monotonic and virtual clocks (streamverse/clock.h).
 *
 * Both kinds share one object: a lock, a condition variable sleepers wait on,
 * a list of sleepers' deadlines and a wake generation. They differ only in
 * where "now" comes from: the OS monotonic clock, or a value the driver moves.
 * A monotonic sleeper waits on the condition with the deadline as timeout; a
 * virtual sleeper waits until advance() moves the time past its deadline.
 */
#include <stdint.h>
#include <stdlib.h>

#include "alloc.h"
#include "streamverse/clock.h"
#include "thread.h"

typedef enum clock_kind { CLOCK_KIND_MONOTONIC, CLOCK_KIND_VIRTUAL } clock_kind;

/* One thread inside sleep_until(); lives on that thread's stack. */
typedef struct sleeper {
    int64_t deadline;
    struct sleeper *next;
} sleeper;

typedef struct sv_clock_impl {
    sv_clock pub;          /* first: the public pointer is the object */
    sv_allocator alloc;    /* its own memory; zero: the C library */
    clock_kind kind;
    sv__mutex lock;
    sv__cond cond;
    /* Guarded by lock: */
    int64_t virtual_now;   /* CLOCK_KIND_VIRTUAL only */
    sleeper *sleepers;
    int nb_sleepers;
    uint64_t wake_gen;     /* bumped by wake(): sleepers that saw another value return */
    int destroying;
} sv_clock_impl;

static int64_t monotonic_now(void *opaque)
{
    (void)opaque;
    return sv__monotonic_ns();
}

static int64_t virtual_now(void *opaque)
{
    sv_clock_impl *c = opaque;
    sv__mutex_lock(&c->lock);
    int64_t t = c->virtual_now;
    sv__mutex_unlock(&c->lock);
    return t;
}

static int64_t now_locked(sv_clock_impl *c)
{
    return c->kind == CLOCK_KIND_VIRTUAL ? c->virtual_now : sv__monotonic_ns();
}

static void unlink_sleeper_locked(sv_clock_impl *c, sleeper *s)
{
    for (sleeper **pp = &c->sleepers; *pp; pp = &(*pp)->next) {
        if (*pp == s) {
            *pp = s->next;
            break;
        }
    }
    c->nb_sleepers--;
}

static int sleep_until(void *opaque, int64_t deadline)
{
    sv_clock_impl *c = opaque;
    sleeper self = { deadline, NULL };
    int ret = 0;

    sv__mutex_lock(&c->lock);
    if (c->destroying) {
        sv__mutex_unlock(&c->lock);
        return SV_ERR_CANCELLED;
    }
    uint64_t gen = c->wake_gen;
    self.next = c->sleepers;
    c->sleepers = &self;
    c->nb_sleepers++;
    for (;;) {
        if (c->destroying) {
            ret = SV_ERR_CANCELLED;
            break;
        }
        if (c->wake_gen != gen) {
            ret = SV_ERR_AGAIN;
            break;
        }
        if (now_locked(c) >= deadline)
            break;
        if (c->kind == CLOCK_KIND_VIRTUAL)
            sv__cond_wait(&c->cond, &c->lock);
        else
            sv__cond_timedwait(&c->cond, &c->lock, deadline);
    }
    unlink_sleeper_locked(c, &self);
    /* destroy() waits for the last sleeper to leave. */
    if (c->destroying && c->nb_sleepers == 0)
        sv__cond_broadcast(&c->cond);
    sv__mutex_unlock(&c->lock);
    return ret;
}

static void wake(void *opaque)
{
    sv_clock_impl *c = opaque;
    sv__mutex_lock(&c->lock);
    c->wake_gen++;
    sv__cond_broadcast(&c->cond);
    sv__mutex_unlock(&c->lock);
}

static int create(sv_clock **out, clock_kind kind, int64_t start, const sv_allocator *alloc)
{
    sv_clock_impl *c;

    if (!out || !sv__allocator_valid(alloc))
        return SV_ERR_INVALID;
    if (!(c = sv__calloc(alloc, 1, sizeof(*c))))
        return SV_ERR_NOMEM;
    sv__allocator_copy(&c->alloc, alloc);
    if (sv__mutex_init(&c->lock) < 0)
        goto fail_mutex;
    if (sv__cond_init(&c->cond) < 0)
        goto fail_cond;
    c->kind = kind;
    c->virtual_now = start;
    c->pub.struct_size = sizeof(c->pub);
    c->pub.now_ns = kind == CLOCK_KIND_VIRTUAL ? virtual_now : monotonic_now;
    c->pub.sleep_until = sleep_until;
    c->pub.wake = wake;
    c->pub.opaque = c;
    *out = &c->pub;
    return 0;

fail_cond:
    sv__mutex_destroy(&c->lock);
fail_mutex:
    sv__free(alloc, c);
    return SV_ERR_INTERNAL;
}

int sv__clock_monotonic_create(sv_clock **out, const sv_allocator *alloc)
{
    return create(out, CLOCK_KIND_MONOTONIC, 0, alloc);
}

SV_API int sv_clock_monotonic_create(sv_clock **out)
{
    return create(out, CLOCK_KIND_MONOTONIC, 0, NULL);
}

SV_API int sv_clock_virtual_create(sv_clock **out, int64_t start_ns)
{
    return create(out, CLOCK_KIND_VIRTUAL, start_ns, NULL);
}

/* Returns the implementation behind a public virtual clock, or NULL for
 * anything else (a monotonic clock, or a host's own sv_clock). It goes
 * through opaque, not the pointer itself, so a copy of the public struct (the
 * player keeps one) reaches the same clock. */
static sv_clock_impl *as_virtual(sv_clock *clock)
{
    if (!clock || clock->now_ns != virtual_now)
        return NULL;
    return (sv_clock_impl *)clock->opaque;
}

SV_API int sv_clock_virtual_set(sv_clock *clock, int64_t t_ns)
{
    sv_clock_impl *c = as_virtual(clock);
    int ret = 0;

    if (!c)
        return SV_ERR_INVALID;
    sv__mutex_lock(&c->lock);
    if (t_ns < c->virtual_now) {
        ret = SV_ERR_RANGE;
    } else {
        c->virtual_now = t_ns;
        sv__cond_broadcast(&c->cond);
    }
    sv__mutex_unlock(&c->lock);
    return ret;
}

SV_API int sv_clock_virtual_advance(sv_clock *clock, int64_t delta_ns)
{
    sv_clock_impl *c = as_virtual(clock);
    int ret = 0;

    if (!c || delta_ns < 0)
        return SV_ERR_INVALID;
    sv__mutex_lock(&c->lock);
    if (c->virtual_now > INT64_MAX - delta_ns) {
        ret = SV_ERR_RANGE;
    } else {
        c->virtual_now += delta_ns;
        sv__cond_broadcast(&c->cond);
    }
    sv__mutex_unlock(&c->lock);
    return ret;
}

SV_API int64_t sv_clock_virtual_next_deadline(sv_clock *clock)
{
    sv_clock_impl *c = as_virtual(clock);
    int64_t next = INT64_MAX;

    if (!c)
        return INT64_MIN;
    sv__mutex_lock(&c->lock);
    for (sleeper *s = c->sleepers; s; s = s->next)
        if (s->deadline < next)
            next = s->deadline;
    sv__mutex_unlock(&c->lock);
    return next;
}

SV_API int sv_clock_virtual_sleepers(sv_clock *clock)
{
    sv_clock_impl *c = as_virtual(clock);
    int n;

    if (!c)
        return SV_ERR_INVALID;
    sv__mutex_lock(&c->lock);
    n = c->nb_sleepers;
    sv__mutex_unlock(&c->lock);
    return n;
}

SV_API void sv_clock_destroy(sv_clock *clock)
{
    if (!clock || (clock->now_ns != virtual_now && clock->now_ns != monotonic_now))
        return;
    sv_clock_impl *c = (sv_clock_impl *)clock;
    sv__mutex_lock(&c->lock);
    c->destroying = 1;
    sv__cond_broadcast(&c->cond);
    while (c->nb_sleepers > 0)
        sv__cond_wait(&c->cond, &c->lock);
    sv__mutex_unlock(&c->lock);
    sv__cond_destroy(&c->cond);
    sv__mutex_destroy(&c->lock);
    sv_allocator alloc = c->alloc;
    sv__free(&alloc, c);
}
