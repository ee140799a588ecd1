/*
 * estimator.c - the public throughput estimator handle; the maths is in
 * estimator_<kind>.c.
 */
#include <math.h>
#include <string.h>

#include "platform/alloc.h"
#include "internal.h"

struct sv_abr_estimator {
    const sv__abr_estimator_impl *impl;
    sv_abr_estimator_config cfg;
    sv_allocator alloc;
    int has_alloc;
    double state[];
};

static const sv__abr_estimator_impl *impl_for(sv_abr_estimator_kind kind)
{
    switch (kind) {
    case SV_ABR_ESTIMATOR_EWMA: return &sv__abr_estimator_ewma;
    case SV_ABR_ESTIMATOR_HARMONIC: return &sv__abr_estimator_harmonic;
    case SV_ABR_ESTIMATOR_PERCENTILE: return &sv__abr_estimator_percentile;
    }
    return NULL;
}

void sv_abr_estimator_default_config(sv_abr_estimator_config *cfg, sv_abr_estimator_kind kind)
{
    if (!cfg)
        return;
    memset(cfg, 0, sizeof(*cfg));
    cfg->kind = impl_for(kind) ? kind : SV_ABR_ESTIMATOR_EWMA;
    /* dash.js's half-lives for on-demand content. */
    cfg->fast_half_life_s = 3.0;
    cfg->slow_half_life_s = 8.0;
    cfg->window = cfg->kind == SV_ABR_ESTIMATOR_PERCENTILE ? 20 : 5;
    cfg->percentile = 0.5;
}

static int config_valid(const sv_abr_estimator_config *c)
{
    if (!impl_for(c->kind))
        return 0;
    switch (c->kind) {
    case SV_ABR_ESTIMATOR_EWMA:
        return c->fast_half_life_s > 0 && c->slow_half_life_s > 0 &&
               isfinite(c->fast_half_life_s) && isfinite(c->slow_half_life_s);
    case SV_ABR_ESTIMATOR_HARMONIC:
        return c->window >= 1 && c->window <= SV__ABR_MAX_WINDOW;
    case SV_ABR_ESTIMATOR_PERCENTILE:
        return c->window >= 1 && c->window <= SV__ABR_MAX_WINDOW &&
               c->percentile >= 0 && c->percentile <= 1;
    }
    return 0;
}

int sv_abr_estimator_create(const sv_abr_estimator_config *cfg, const sv_allocator *alloc,
                            sv_abr_estimator **out)
{
    sv_abr_estimator_config c;
    sv_abr_estimator *est;

    if (!out)
        return SV_ERR_INVALID;
    *out = NULL;
    if (cfg)
        c = *cfg;
    else
        sv_abr_estimator_default_config(&c, SV_ABR_ESTIMATOR_EWMA);
    if (!config_valid(&c))
        return SV_ERR_INVALID;
    if (!sv__allocator_valid(alloc))
        return SV_ERR_INVALID;
    const sv__abr_estimator_impl *impl = impl_for(c.kind);
    est = sv__abr_alloc(alloc, sizeof(*est) + impl->state_size);
    if (!est)
        return SV_ERR_NOMEM;
    memset(est, 0, sizeof(*est));
    est->impl = impl;
    est->cfg = c;
    if (alloc) {
        sv__allocator_copy(&est->alloc, alloc);
        est->has_alloc = 1;
    }
    impl->reset(est->state, &est->cfg);
    *out = est;
    return SV_OK;
}

void sv_abr_estimator_destroy(sv_abr_estimator *est)
{
    if (!est)
        return;
    sv_allocator a = est->alloc;
    sv__abr_free(est->has_alloc ? &a : NULL, est);
}

int sv_abr_estimator_add(sv_abr_estimator *est, uint64_t bytes, double duration_s)
{
    if (!est || !(duration_s > 0) || !isfinite(duration_s))
        return SV_ERR_INVALID;
    if (bytes == 0)
        return SV_OK;  /* no information about the link */
    double kbps = (double)bytes * 8.0 / duration_s / 1000.0;
    if (!isfinite(kbps))
        return SV_ERR_INVALID;
    est->impl->add(est->state, &est->cfg, kbps, (double)bytes, duration_s);
    return SV_OK;
}

double sv_abr_estimator_get_kbps(const sv_abr_estimator *est)
{
    return est ? est->impl->get(est->state, &est->cfg) : 0.0;
}

void sv_abr_estimator_reset(sv_abr_estimator *est)
{
    if (est)
        est->impl->reset(est->state, &est->cfg);
}
