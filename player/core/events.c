/*
 * The event queue the host drains. Producers are every player thread; the
 * consumer is whichever host thread calls sv_player_wait_event(). When the
 * ring is full, the oldest merge-able event (state, rendition, buffering) is
 * dropped to make room; replies and errors are never dropped.
 */
#include <math.h>
#include <string.h>

#include "player/core/internal.h"

int sv__events_init(sv__events *q, const sv_allocator *alloc)
{
    memset(q, 0, sizeof(*q));
    q->alloc = alloc;
    if (sv__mutex_init(&q->lock) < 0)
        return SV_ERR_INTERNAL;
    if (sv__cond_init(&q->cond) < 0) {
        sv__mutex_destroy(&q->lock);
        return SV_ERR_INTERNAL;
    }
    return 0;
}

void sv__events_destroy(sv__events *q)
{
    for (size_t i = 0; i < q->count; i++)
        sv__free(q->alloc, q->ring[(q->head + i) % SV__EVENT_QUEUE].timed);
    sv__free(q->alloc, q->current.timed);
    sv__cond_destroy(&q->cond);
    sv__mutex_destroy(&q->lock);
}

static int droppable(sv_event_id id)
{
    return id == SV_EVENT_STATE_CHANGED || id == SV_EVENT_RENDITION_CHANGED ||
           id == SV_EVENT_REBUFFER_START || id == SV_EVENT_REBUFFER_END ||
           id == SV_EVENT_CDN_CHANGED || id == SV_EVENT_TRACKS_CHANGED ||
           id == SV_EVENT_SUBTITLE;
}

/* Removes the oldest droppable event; returns 0 if there is none. */
static int drop_one_locked(sv__events *q)
{
    for (size_t i = 0; i < q->count; i++) {
        size_t at = (q->head + i) % SV__EVENT_QUEUE;
        if (!droppable(q->ring[at].ev.id))
            continue;
        for (size_t j = i; j + 1 < q->count; j++)
            q->ring[(q->head + j) % SV__EVENT_QUEUE] = q->ring[(q->head + j + 1) % SV__EVENT_QUEUE];
        q->count--;
        return 1;
    }
    return 0;
}

static void copy_text(char *dst, const char *src)
{
    if (!src) {
        dst[0] = '\0';
        return;
    }
    size_t n = strlen(src);
    if (n >= SV__EVENT_TEXT)
        n = SV__EVENT_TEXT - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static void push(sv__events *q, const sv_event *ev, const char *t0, const char *t1,
                 const char *t2, sv_timed_event *timed)
{
    void (*cb)(void *) = NULL;
    void *opaque = NULL;

    sv__mutex_lock(&q->lock);
    if (q->count == SV__EVENT_QUEUE && !drop_one_locked(q)) {
        /* Full of replies, errors and timed events the host never reads:
         * the oldest goes. */
        sv__free(q->alloc, q->ring[q->head].timed);
        q->head = (q->head + 1) % SV__EVENT_QUEUE;
        q->count--;
    }
    sv__event_slot *slot = &q->ring[(q->head + q->count) % SV__EVENT_QUEUE];
    slot->ev = *ev;
    slot->timed = timed;
    copy_text(slot->text[0], t0);
    copy_text(slot->text[1], t1);
    copy_text(slot->text[2], t2);
    /* A cue's style is the producer's: the slot keeps its own copy. */
    slot->has_style = ev->id == SV_EVENT_SUBTITLE_CUE && ev->data.cue.style;
    if (slot->has_style)
        slot->style = *ev->data.cue.style;
    q->count++;
    cb = q->wakeup_cb;
    opaque = q->wakeup_opaque;
    sv__cond_broadcast(&q->cond);
    sv__mutex_unlock(&q->lock);
    if (cb)
        cb(opaque);
}

void sv__events_push(sv__events *q, const sv_event *ev, const char *t0, const char *t1,
                     const char *t2)
{
    push(q, ev, t0, t1, t2, NULL);
}

void sv__events_push_timed(sv__events *q, sv_timed_event *timed)
{
    sv_event ev = { .id = SV_EVENT_TIMED_METADATA };
    push(q, &ev, NULL, NULL, NULL, timed);
}

/* Points the event's strings at the slot's own copies. */
static void bind_text(sv__event_slot *s)
{
    switch (s->ev.id) {
    case SV_EVENT_RENDITION_CHANGED:
        s->ev.data.rendition.reason = s->text[0];
        break;
    case SV_EVENT_CDN_CHANGED:
        s->ev.data.cdn.from = s->text[0];
        s->ev.data.cdn.to = s->text[1];
        s->ev.data.cdn.reason = s->text[2];
        break;
    case SV_EVENT_ERROR:
        s->ev.data.error.message = s->text[0];
        break;
    case SV_EVENT_SUBTITLE:
        s->ev.data.subtitle.text = s->text[0];
        break;
    case SV_EVENT_SUBTITLE_CUE:
        s->ev.data.cue.text = s->text[0];
        s->ev.data.cue.style = s->has_style ? &s->style : NULL;
        break;
    case SV_EVENT_SESSION:
        s->ev.data.session.what = s->text[0];
        s->ev.data.session.session_id = s->text[1];
        break;
    case SV_EVENT_INTERSTITIAL_START:
    case SV_EVENT_INTERSTITIAL_END:
        s->ev.data.interstitial.id = s->text[0];
        s->ev.data.interstitial.asset_uri = s->text[1];
        break;
    case SV_EVENT_SEGMENT_SKIPPED:
        s->ev.data.skip.url = s->text[0];
        s->ev.data.skip.reason = s->text[1];
        break;
    case SV_EVENT_TIMED_METADATA:
        s->ev.data.timed = s->timed;
        break;
    case SV_EVENT_PRELOAD:
        s->ev.data.preload.url = s->text[0];
        s->ev.data.preload.message = s->text[1];
        break;
    default:
        break;
    }
}

const sv_event *sv__events_wait(sv__events *q, double timeout_s)
{
    int64_t deadline = 0;
    if (timeout_s > 0)
        deadline = sv__monotonic_ns() + (int64_t)(timeout_s * 1e9);

    sv__mutex_lock(&q->lock);
    /* The event the host had until now is done with. */
    sv__free(q->alloc, q->current.timed);
    q->current.timed = NULL;
    for (;;) {
        if (q->count > 0) {
            q->current = q->ring[q->head];
            q->head = (q->head + 1) % SV__EVENT_QUEUE;
            q->count--;
            break;
        }
        if (q->woken || timeout_s == 0) {
            q->woken = 0;
            memset(&q->current, 0, sizeof(q->current));
            break;
        }
        if (timeout_s < 0) {
            sv__cond_wait(&q->cond, &q->lock);
        } else if (sv__cond_timedwait(&q->cond, &q->lock, deadline) == SV_ERR_TIMEOUT) {
            memset(&q->current, 0, sizeof(q->current));
            break;
        }
    }
    sv__mutex_unlock(&q->lock);
    bind_text(&q->current);
    return &q->current.ev;
}

void sv__events_wakeup(sv__events *q)
{
    void (*cb)(void *);
    void *opaque;
    sv__mutex_lock(&q->lock);
    q->woken = 1;
    cb = q->wakeup_cb;
    opaque = q->wakeup_opaque;
    sv__cond_broadcast(&q->cond);
    sv__mutex_unlock(&q->lock);
    if (cb)
        cb(opaque);
}
