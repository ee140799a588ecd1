/*
 * estimator_harmonic.c - harmonic mean of the last `window` samples. The
 * harmonic mean is dominated by the slow samples, which is what a rule that
 * fears stalls wants (MPC, FESTIVE).
 */
#include "internal.h"

typedef struct harmonic_state {
    double kbps[SV__ABR_MAX_WINDOW];
    unsigned next, count;
} harmonic_state;

static void harmonic_reset(void *state, const sv_abr_estimator_config *cfg)
{
    harmonic_state *s = state;
    s->next = s->count = 0;
}

static void harmonic_add(void *state, const sv_abr_estimator_config *cfg, double kbps,
                         double bytes, double duration_s)
{
    harmonic_state *s = state;
    s->kbps[s->next] = kbps;
    s->next = (s->next + 1) % cfg->window;
    if (s->count < cfg->window)
        s->count++;
}

static double harmonic_get(const void *state, const sv_abr_estimator_config *cfg)
{
    const harmonic_state *s = state;
    double inv = 0;
    if (s->count == 0)
        return 0;
    for (unsigned i = 0; i < s->count; i++)
        inv += 1.0 / s->kbps[i];
    return s->count / inv;
}

const sv__abr_estimator_impl sv__abr_estimator_harmonic = {
    .kind = SV_ABR_ESTIMATOR_HARMONIC,
    .name = "harmonic",
    .state_size = sizeof(harmonic_state),
    .reset = harmonic_reset,
    .add = harmonic_add,
    .get = harmonic_get,
};
