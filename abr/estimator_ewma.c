/*
 * estimator_ewma.c - two exponentially weighted moving averages, a fast and
 * a slow one, weighted by download time (as in dash.js and Shaka). The
 * estimate is the lower of the two: it drops quickly when the link degrades
 * and rises only when both agree. Each average is corrected for its zero
 * start, so the first sample is taken at face value.
 */
#include <math.h>

#include "internal.h"

typedef struct ewma_state {
    double fast, slow;     /* uncorrected averages */
    double total_s;        /* download time seen */
} ewma_state;

static void ewma_reset(void *state, const sv_abr_estimator_config *cfg)
{
    ewma_state *s = state;
    s->fast = s->slow = s->total_s = 0;
}

static void ewma_add(void *state, const sv_abr_estimator_config *cfg, double kbps,
                     double bytes, double duration_s)
{
    ewma_state *s = state;
    double af = pow(0.5, duration_s / cfg->fast_half_life_s);
    double as = pow(0.5, duration_s / cfg->slow_half_life_s);
    s->fast = af * s->fast + (1 - af) * kbps;
    s->slow = as * s->slow + (1 - as) * kbps;
    s->total_s += duration_s;
}

static double ewma_get(const void *state, const sv_abr_estimator_config *cfg)
{
    const ewma_state *s = state;
    if (!(s->total_s > 0))
        return 0;
    double f = s->fast / (1 - pow(0.5, s->total_s / cfg->fast_half_life_s));
    double w = s->slow / (1 - pow(0.5, s->total_s / cfg->slow_half_life_s));
    return f < w ? f : w;
}

const sv__abr_estimator_impl sv__abr_estimator_ewma = {
    .kind = SV_ABR_ESTIMATOR_EWMA,
    .name = "ewma",
    .state_size = sizeof(ewma_state),
    .reset = ewma_reset,
    .add = ewma_add,
    .get = ewma_get,
};
