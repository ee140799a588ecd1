/*
 * qoe.c - the linear QoE of Pensieve/MPC and summary statistics over sets
 * of sessions.
 */
#include <math.h>
#include <string.h>

#include "internal.h"

void sv_abr_qoe_default_config(sv_abr_qoe_config *cfg)
{
    if (!cfg)
        return;
    cfg->rebuffer_penalty = 4.3;
    cfg->smooth_penalty = 1.0;
    cfg->skip = 1;
}

void sv_abr_qoe_init(sv_abr_qoe *q, const sv_abr_qoe_config *cfg)
{
    if (!q)
        return;
    memset(q, 0, sizeof(*q));
    if (cfg)
        q->cfg = *cfg;
    else
        sv_abr_qoe_default_config(&q->cfg);
    q->last_index = -1;
}

double sv_abr_qoe_add(sv_abr_qoe *q, int index, uint32_t bitrate_kbps, double rebuffer_s,
                      double duration_s)
{
    double term = 0;

    if (!q)
        return 0;
    /* Same expression, same order of operations as Pensieve's reward. */
    double r = bitrate_kbps / 1000.0;
    if (q->segments >= q->cfg.skip) {
        double smooth = q->last_index < 0 ? 0.0
                                          : fabs((double)bitrate_kbps - (double)q->last_kbps);
        term = r - q->cfg.rebuffer_penalty * rebuffer_s - q->cfg.smooth_penalty * smooth / 1000.0;
        q->qoe += term;
        q->rebuffer_s += rebuffer_s;
        q->played_s += duration_s;
        q->bitrate_sum_kbps += bitrate_kbps;
        if (q->last_index >= 0 && index != q->last_index)
            q->switches++;
        q->counted++;
    } else {
        q->startup_s += rebuffer_s;
    }
    q->segments++;
    q->last_index = index;
    q->last_kbps = bitrate_kbps;
    return term;
}

double sv_abr_qoe_rebuffer_ratio(const sv_abr_qoe *q)
{
    if (!q || q->rebuffer_s + q->played_s <= 0)
        return 0;
    return q->rebuffer_s / (q->rebuffer_s + q->played_s);
}

double sv_abr_qoe_mean_bitrate(const sv_abr_qoe *q)
{
    if (!q || q->counted == 0)
        return 0;
    return q->bitrate_sum_kbps / (double)q->counted;
}

double sv_abr_quantile_sorted(const double *sorted, size_t count, double q)
{
    if (!sorted || count == 0)
        return 0;
    if (!(q > 0))
        return sorted[0];
    if (q >= 1)
        return sorted[count - 1];
    double pos = q * (double)(count - 1);
    size_t lo = (size_t)floor(pos);
    size_t hi = lo + 1 < count ? lo + 1 : lo;
    double frac = pos - (double)lo;
    return sorted[lo] + (sorted[hi] - sorted[lo]) * frac;
}

int sv_abr_stats_compute(const double *values, size_t count, double *scratch, sv_abr_stats *out)
{
    if (!out || (count > 0 && (!values || !scratch)))
        return SV_ERR_INVALID;
    memset(out, 0, sizeof(*out));
    if (count == 0)
        return SV_OK;
    double sum = 0;
    for (size_t i = 0; i < count; i++) {
        /* Insertion into the sorted prefix: stable and allocation-free; sets
         * are a few hundred sessions. */
        size_t j = i;
        while (j > 0 && scratch[j - 1] > values[i]) {
            scratch[j] = scratch[j - 1];
            j--;
        }
        scratch[j] = values[i];
        sum += values[i];
    }
    out->count = count;
    out->mean = sum / (double)count;
    out->median = sv_abr_quantile_sorted(scratch, count, 0.5);
    out->p5 = sv_abr_quantile_sorted(scratch, count, 0.05);
    out->min = scratch[0];
    out->max = scratch[count - 1];
    return SV_OK;
}
