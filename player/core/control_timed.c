/*
 * control_timed.c - the control loop's side of timed events (docs/sdk.md,
 * "Timed events"): what the model took from the manifests goes into the
 * store (output/timed_events.c), and what the store reports goes into the
 * host's queue. Loop thread, except sv__control_env_timed (any thread:
 * the render thread reports).
 */
#include <math.h>

#include "player/core/internal.h"

/* The break was counted since the load (the ring still holds it): an
 * interstitial counts when its asset starts, and the primary reaches its
 * DATERANGE again when it resumes there. Under st.lock. */
static int counted_locked(const sv__status *st, uint32_t id, double start)
{
    int64_t from = st->nb_ads > SV__ADS_SEEN ? st->nb_ads - SV__ADS_SEEN : 0;
    for (int64_t k = from; k < st->nb_ads; k++) {
        const sv__ad_seen *a = &st->ads[k % SV__ADS_SEEN];
        if (a->event_id == id && fabs(a->start_s - start) < 0.01)
            return 1;
    }
    return 0;
}

void sv__control_count_ad(struct sv_player *p, uint32_t id, double start, double duration)
{
    sv__mutex_lock(&p->st.lock);
    if (!counted_locked(&p->st, id, start)) {
        sv__ad_seen *a = &p->st.ads[p->st.nb_ads++ % SV__ADS_SEEN];
        a->event_id = id;
        a->start_s = start;
        a->duration_s = duration;
    }
    sv__mutex_unlock(&p->st.lock);
}

void sv__control_env_timed(void *opaque, sv_timed_event *ev)
{
    struct sv_player *p = opaque;
    const sv_scte35_info *c = &ev->scte35;
    /* A break reached: kept for the backend session's reports, once. */
    if (c->command >= 0 && c->out_of_network == 1 && !c->cancel && c->event_id)
        sv__control_count_ad(p, c->event_id, ev->start_s,
                             ev->duration_s >= 0 ? ev->duration_s : c->duration_s);
    sv__events_push_timed(&p->events, ev);
}

/* The malformed ones are logged and counted by the store. */
static void take_timed(void *opaque, const sv__timed_desc *d)
{
    struct sv_player *p = opaque;
    p->hooks.timed(p, d);
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
