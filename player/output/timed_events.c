/*
 * timed_events.c - the load's timed events, each reported once when the
 * position reaches it (output.h, "timed events"; player.h, sv_timed_event).
 *
 * An event is kept as one block from the player's allocator: the public
 * struct, then its strings and payload, which the struct points into. At
 * report time the block is copied and the copy goes to the host's queue,
 * so the store never shares memory with an event the host holds.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "player/output/output.h"

#define MAX_PAYLOAD 4096
#define MAX_ATTRIBUTES 1023
#define MAX_BAD 256 /* malformed messages remembered, so each is counted once */

typedef struct stored {
    sv_timed_event *ev;  /* its block */
    size_t size;         /* of the block */
    uint64_t key;        /* hash of scheme, value and id */
    int armed;           /* to be reported when reached */
} stored;

struct sv__timed {
    const sv__env *env;
    sv__mutex lock;      /* guards every field below */
    stored *ev;
    size_t nb, cap;
    double from;         /* events wholly before it are not reported */
    uint64_t bad[MAX_BAD];
    size_t nb_bad;
    int warned_full;     /* the store was full once: said once per load */
};

int sv__timed_create(sv__timed **out, const sv__env *env)
{
    sv__timed *t = sv__calloc(env->alloc, 1, sizeof(*t));
    if (!t)
        return SV_ERR_NOMEM;
    t->env = env;
    if (sv__mutex_init(&t->lock) < 0) {
        sv__free(env->alloc, t);
        return SV_ERR_NOMEM;
    }
    *out = t;
    return 0;
}

static void clear_locked(sv__timed *t)
{
    for (size_t i = 0; i < t->nb; i++)
        sv__free(t->env->alloc, t->ev[i].ev);
    t->nb = 0;
    t->nb_bad = 0;
    t->from = 0;
    t->warned_full = 0;
}

void sv__timed_destroy(sv__timed *t)
{
    if (!t)
        return;
    clear_locked(t);
    sv__free(t->env->alloc, t->ev);
    sv__mutex_destroy(&t->lock);
    sv__free(t->env->alloc, t);
}

void sv__timed_reset(sv__timed *t)
{
    sv__mutex_lock(&t->lock);
    clear_locked(t);
    sv__mutex_unlock(&t->lock);
}

static uint64_t hash(uint64_t h, const char *s)
{
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 1099511628211u;
    return (h ^ 0xff) * 1099511628211u; /* the NUL: "ab"+"c" differs from "a"+"bc" */
}

static uint64_t key_of(const char *scheme, const char *value, const char *id)
{
    return hash(hash(hash(14695981039346656037u, scheme), value), id);
}

static double end_of(const sv_timed_event *e)
{
    return e->start_s + (e->duration_s > 0 ? e->duration_s : 0);
}

/* Whether an event is reported when playback starts at `from`. */
static int wanted_from(const sv_timed_event *e, double from)
{
    return e->start_s >= from - 1e-6 || end_of(e) > from;
}

/* One block holding a copy of the event, its strings and its payload. */
static sv_timed_event *make_block(const sv_allocator *alloc, const sv_timed_event *src,
                                  size_t *size_out)
{
    const char *strs[4] = { src->scheme, src->value, src->id, src->attributes };
    size_t lens[4], size = sizeof(*src);
    for (int i = 0; i < 4; i++) {
        lens[i] = strs[i] ? strlen(strs[i]) : 0;
        if (i == 3 && lens[i] > MAX_ATTRIBUTES)
            lens[i] = MAX_ATTRIBUTES;
        size += lens[i] + 1;
    }
    size_t payload = src->payload_size > MAX_PAYLOAD ? MAX_PAYLOAD : src->payload_size;
    size += payload;
    sv_timed_event *e = sv__malloc(alloc, size);
    if (!e)
        return NULL;
    *e = *src;
    char *p = (char *)(e + 1);
    const char **dst[4] = { &e->scheme, &e->value, &e->id, &e->attributes };
    for (int i = 0; i < 4; i++) {
        if (lens[i])
            memcpy(p, strs[i], lens[i]);
        p[lens[i]] = '\0';
        *dst[i] = p;
        p += lens[i] + 1;
    }
    if (payload)
        memcpy(p, src->payload, payload);
    e->payload = (const uint8_t *)p;
    e->payload_size = payload;
    e->payload_cut = src->payload_cut || payload < src->payload_size;
    *size_out = size;
    return e;
}

/* Makes room by dropping reported events that ended before the position. */
static void prune_locked(sv__timed *t, double pos)
{
    size_t k = 0;
    for (size_t i = 0; i < t->nb; i++) {
        if (!t->ev[i].armed && end_of(t->ev[i].ev) < pos)
            sv__free(t->env->alloc, t->ev[i].ev);
        else
            t->ev[k++] = t->ev[i];
    }
    t->nb = k;
}

int sv__timed_add(sv__timed *t, const sv__timed_desc *d)
{
    uint64_t key = key_of(d->scheme, d->value, d->id);
    int ret = 1, say_full = 0;

    sv__mutex_lock(&t->lock);
    for (size_t i = 0; i < t->nb; i++) {
        const sv_timed_event *e = t->ev[i].ev;
        if (t->ev[i].key == key && !strcmp(e->scheme, d->scheme) &&
            !strcmp(e->value, d->value) && !strcmp(e->id, d->id)) {
            ret = 0;
            goto done;
        }
    }
    if (t->nb == SV__TIMED_MAX) {
        sv__mutex_lock(&t->env->st->lock);
        double pos = t->env->st->position_s;
        sv__mutex_unlock(&t->env->st->lock);
        prune_locked(t, pos);
        if (t->nb == SV__TIMED_MAX) {
            ret = SV_ERR_OVERFLOW;
            say_full = !t->warned_full;
            t->warned_full = 1;
            goto done;
        }
    }
    if (t->nb == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        stored *grown = sv__realloc(t->env->alloc, t->ev, cap * sizeof(*grown));
        if (!grown) {
            ret = SV_ERR_NOMEM;
            goto done;
        }
        t->ev = grown;
        t->cap = cap;
    }
    sv_timed_event src = { .source = d->source, .scheme = d->scheme, .value = d->value,
                           .id = d->id, .start_s = d->start_s, .duration_s = d->duration_s,
                           .payload = d->payload, .payload_size = d->payload_size,
                           .attributes = d->attributes, .scte35 = d->scte35 };
    stored *s = &t->ev[t->nb];
    if (!(s->ev = make_block(t->env->alloc, &src, &s->size))) {
        ret = SV_ERR_NOMEM;
        goto done;
    }
    s->key = key;
    s->armed = wanted_from(s->ev, t->from);
    t->nb++;
done:
    sv__mutex_unlock(&t->lock);
    /* A live reload brings the same events again: say it once. */
    if (say_full)
        SV_LOGW(t->env->log, "player", "timed event %s id %s at %.3f s left out: %d events are "
                "kept already and none has passed (later ones are left out without a word)",
                d->scheme, d->id, d->start_s, SV__TIMED_MAX);
    return ret;
}

void sv__timed_malformed(sv__timed *t, const char *msg)
{
    uint64_t key = hash(14695981039346656037u, msg);
    int seen = 0;

    sv__mutex_lock(&t->lock);
    for (size_t i = 0; i < t->nb_bad && !seen; i++)
        seen = t->bad[i] == key;
    if (!seen && t->nb_bad < MAX_BAD)
        t->bad[t->nb_bad++] = key;
    sv__mutex_unlock(&t->lock);
    if (seen)
        return;
    SV_LOGW(t->env->log, "player", "timed event skipped: %s", msg);
    sv__mutex_lock(&t->env->st->lock);
    t->env->st->stats.timed_events_malformed++;
    sv__mutex_unlock(&t->env->st->lock);
}

void sv__timed_seek(sv__timed *t, double from)
{
    sv__mutex_lock(&t->lock);
    t->from = from;
    for (size_t i = 0; i < t->nb; i++)
        t->ev[i].armed = wanted_from(t->ev[i].ev, from);
    sv__mutex_unlock(&t->lock);
}

void sv__timed_reached(sv__timed *t, double pos, double frame_s)
{
    if (!t || isnan(pos))
        return;
    for (;;) {
        /* The earliest armed event reached, one at a time, so the host
         * gets them in order of start and the lock is not held while the
         * event is queued. */
        sv_timed_event *copy = NULL;
        size_t size;
        sv__mutex_lock(&t->lock);
        stored *first = NULL;
        for (size_t i = 0; i < t->nb; i++) {
            stored *s = &t->ev[i];
            if (s->armed && (s->ev->start_s < pos + frame_s || s->ev->start_s <= pos) &&
                (!first || s->ev->start_s < first->ev->start_s))
                first = s;
        }
        if (first) {
            first->armed = 0;
            copy = make_block(t->env->alloc, first->ev, &size);
            if (copy)
                copy->reported_at_s = pos;
        }
        sv__mutex_unlock(&t->lock);
        if (!first)
            return;
        if (!copy) {
            sv__env_error(t->env, SV_ERR_NOMEM, 0, "out of memory reporting a timed event");
            continue;
        }
        sv__mutex_lock(&t->env->st->lock);
        t->env->st->stats.timed_events++;
        sv__mutex_unlock(&t->env->st->lock);
        t->env->notify.timed(t->env->notify.opaque, copy);
    }
}
