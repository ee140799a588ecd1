/*
 * events.c - what the listener, pipeline and encoder threads tell the
 * loop about a channel: a queue of events under the channel's lock and a
 * uv_async to wake the loop, which takes them all at once.
 */
#include <stdlib.h>
#include <sys/time.h>

#include "backend/live/internal.h"
#include "streamverse/common.h"

int64_t sv__live_wall_ms(void)
{
    struct timeval tv;

    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

void sv__live_post(sv__live_channel *ch, const sv__live_event *ev)
{
    sv__mutex_lock(&ch->lock);
    if (ch->nb_events == ch->cap_events) {
        int cap = ch->cap_events ? 2 * ch->cap_events : 64;
        sv__live_event *n = realloc(ch->events, (size_t)cap * sizeof(*n));

        if (!n) {
            sv__mutex_unlock(&ch->lock);
            SV_LOGE(ch->log, "live", "channel %s: out of memory: an event is lost",
                    ch->row.name);
            return;
        }
        ch->events = n;
        ch->cap_events = cap;
    }
    ch->events[ch->nb_events++] = *ev;
    sv__mutex_unlock(&ch->lock);
    uv_async_send(&ch->async);
}

int sv__live_events_take(sv__live_channel *ch, sv__live_event **evs, int *n,
                         sv__live_start *st)
{
    int started;

    sv__mutex_lock(&ch->lock);
    *evs = ch->events;
    *n = ch->nb_events;
    ch->events = NULL;
    ch->nb_events = ch->cap_events = 0;
    started = ch->start_pending;
    if (started)
        *st = ch->start;
    ch->start_pending = 0;
    sv__mutex_unlock(&ch->lock);
    return started;
}
