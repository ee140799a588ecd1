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
    const sv_scte35_info *c = &ev->scte35;
    /* A break reached: kept for the backend session's reports. */
    if (c->command >= 0 && c->out_of_network == 1 && !c->cancel && c->event_id) {
        sv__mutex_lock(&p->st.lock);
        sv__ad_seen *a = &p->st.ads[p->st.nb_ads++ % SV__ADS_SEEN];
        a->event_id = c->event_id;
        a->start_s = ev->start_s;
        a->duration_s = ev->duration_s >= 0 ? ev->duration_s : c->duration_s;
        sv__mutex_unlock(&p->st.lock);
    }
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
