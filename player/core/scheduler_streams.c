/*
 * scheduler_streams.c - what every part of the scheduler does to its
 * streams: find the track a stream plays, end a stream, cancel what is in
 * flight, and ask for a stream to be looked at again, now or after a wait.
 *
 * The looking itself is scheduler.c's pump, which this file reaches only
 * through the sv__sched's `pump` (set by sv__sched_start): the faults and
 * live-edge files below scheduler.c hand a stream back to it that way and
 * never call it by name. Loop thread only.
 */
#include "player/core/scheduler_internal.h"

sv__period *sv__sched_period_of(sched_stream *ss)
{
    sv__presentation *pres = ss->owner->p->pres;
    return ss->period < (int)pres->nb_periods ? &pres->periods[ss->period] : NULL;
}

sv__track *sv__sched_track_of(sched_stream *ss)
{
    sv__period *per = sv__sched_period_of(ss);
    if (!per)
        return NULL;
    sv__track *best = NULL;
    for (size_t i = 0; i < per->nb_tracks; i++) {
        sv__track *t = &per->tracks[i];
        if (t->type != ss->type)
            continue;
        if (t->index == ss->track_index)
            return t;
        if (!best)
            best = t; /* a later period without this track index: take its first */
    }
    return best;
}

void sv__sched_end_stream(sched_stream *ss)
{
    const sv_allocator *alloc = ss->owner->p->settings.allocator;
    sv__chunk *c = sv__calloc(alloc, 1, sizeof(*c));
    if (c) {
        c->alloc = alloc;
        c->eos = 1;
        sv__stream_push(ss->stream, c, ss->owner->gen);
    }
    ss->done = 1;
}

void sv__sched_pump(sched_stream *ss)
{
    ss->owner->pump(ss);
}

static void wait_over(void *arg)
{
    sched_stream *ss = arg;
    ss->wait_timer = 0;
    sv__sched_pump(ss);
}

int sv__sched_wait(sched_stream *ss, double delay_s)
{
    if (ss->wait_timer)
        return 1;
    int64_t id = sv__loop_timer(ss->owner->p->loop, delay_s, wait_over, ss);
    if (id <= 0)
        return 0;
    ss->wait_timer = id;
    return 1;
}

void sv__sched_pump_later(sched_stream *ss, double delay_s)
{
    if (!sv__sched_wait(ss, delay_s))
        sv__sched_pump(ss);
}

void sv__sched_cancel(sv__sched *s)
{
    for (int k = 0; k < s->nb; k++) {
        sched_stream *ss = &s->ss[k];
        if (ss->fetch_id)
            sv__fetch_cancel(s->p->fetcher, ss->fetch_id);
        ss->fetch_id = 0;
        ss->fetch_is_index = 0;
        sv__recv_cancel(ss->recv);
        if (ss->wait_timer)
            sv__loop_timer_cancel(s->p->loop, ss->wait_timer);
        ss->wait_timer = 0;
        ss->chosen_rep = -1;
    }
    if (s->refresh_fetch)
        sv__fetch_cancel(s->p->fetcher, s->refresh_fetch);
    s->refresh_fetch = 0;
    if (s->avail_timer)
        sv__loop_timer_cancel(s->p->loop, s->avail_timer);
    s->avail_timer = 0;
    s->avail_refresh = 0;
    for (int k = 0; k < s->nb; k++) {
        if (s->ss[k].refreshing)
            sv__fetch_cancel(s->p->fetcher, s->ss[k].refresh_id);
        s->ss[k].refreshing = 0;
    }
}
