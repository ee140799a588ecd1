/*
 * estimator_percentile.c - weighted percentile of the last `window` samples,
 * each weighted by the square root of its size (ExoPlayer's sliding
 * percentile): big downloads, which measure the link better, count more.
 */
#include <math.h>

#include "internal.h"

typedef struct percentile_state {
    double kbps[SV__ABR_MAX_WINDOW];
    double weight[SV__ABR_MAX_WINDOW];
    unsigned next, count;
} percentile_state;

static void percentile_reset(void *state, const sv_abr_estimator_config *cfg)
{
    percentile_state *s = state;
    s->next = s->count = 0;
}

static void percentile_add(void *state, const sv_abr_estimator_config *cfg, double kbps,
                           double bytes, double duration_s)
{
    percentile_state *s = state;
    s->kbps[s->next] = kbps;
    s->weight[s->next] = sqrt(bytes);
    s->next = (s->next + 1) % cfg->window;
    if (s->count < cfg->window)
        s->count++;
}

static double percentile_get(const void *state, const sv_abr_estimator_config *cfg)
{
    const percentile_state *s = state;
    double v[SV__ABR_MAX_WINDOW], w[SV__ABR_MAX_WINDOW], total = 0;
    unsigned n = s->count;

    if (n == 0)
        return 0;
    /* Insertion sort by value: the window is small. */
    for (unsigned i = 0; i < n; i++) {
        unsigned j = i;
        while (j > 0 && v[j - 1] > s->kbps[i]) {
            v[j] = v[j - 1];
            w[j] = w[j - 1];
            j--;
        }
        v[j] = s->kbps[i];
        w[j] = s->weight[i];
        total += s->weight[i];
    }
    double target = cfg->percentile * total, acc = 0;
    for (unsigned i = 0; i < n; i++) {
        acc += w[i];
        if (acc >= target)
            return v[i];
    }
    return v[n - 1];
}

const sv__abr_estimator_impl sv__abr_estimator_percentile = {
    .kind = SV_ABR_ESTIMATOR_PERCENTILE,
    .name = "percentile",
    .state_size = sizeof(percentile_state),
    .reset = percentile_reset,
    .add = percentile_add,
    .get = percentile_get,
};
