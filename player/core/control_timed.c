/*
 * control_timed.c - the control loop's side of timed events (docs/sdk.md,
 * "Timed events"): what the model took from the manifests goes into the
 * store (output/timed_events.c), and what the store reports goes into the
 * host's queue. Loop thread, except sv__control_env_timed (any thread:
 * the render thread reports).
 */
#include "player/core/internal.h"

void sv__control_env_timed(void *opaque, sv_timed_event *ev)
{
    struct sv_player *p = opaque;
    sv__events_push_timed(&p->events, ev);
}

/* The malformed ones are logged and counted by the store. */
static void take_timed(void *opaque, const sv__timed_desc *d)
{
    struct sv_player *p = opaque;
    sv__timed_add(p->timed, d);
}

static void take_malformed(void *opaque, const char *msg)
{
    struct sv_player *p = opaque;
    sv__timed_malformed(p->timed, msg);
}

void sv__control_take_events(struct sv_player *p)
{
    if (!p->pres)
        return;
    sv__model_event_sink sink = { .opaque = p, .event = take_timed, .malformed = take_malformed };
    sv__model_take_events(p->pres, &sink);
}
