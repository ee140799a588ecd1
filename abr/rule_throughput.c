/*
 * rule_throughput.c - the classic rate-based rule (dash.js ThroughputRule):
 * the highest rung whose bitrate fits in safety x the throughput estimate.
 * Before the first estimate it keeps the previous rung.
 */
#include "internal.h"

enum { P_SAFETY, NUM_PARAMS };

static const sv_abr_param_info params[NUM_PARAMS] = {
    [P_SAFETY] = { "safety", "share of the estimate a rung may use", 0.9, 0.01, 2.0 },
};

static void throughput_reset(void *state, const double *p)
{
}

static void throughput_choose(void *state, const double *p, const sv_abr_input *in,
                              sv_abr_decision *out)
{
    if (!(in->throughput_kbps > 0)) {
        out->index = in->last_index < 0 ? 0 : in->last_index;
        out->reason = "throughput: no estimate yet, keep the rung";
        return;
    }
    out->index = sv__abr_rung_for_rate(in, p[P_SAFETY] * in->throughput_kbps);
    out->reason = "throughput: highest rung below safety x estimate";
}

const sv_abr_rule sv_abr_rule_throughput = {
    .name = "throughput",
    .description = "rate-based: highest rung below safety x the throughput estimate",
    .params = params,
    .num_params = NUM_PARAMS,
    .state_size = 0,
    .reset = throughput_reset,
    .choose = throughput_choose,
    .on_download = NULL,
};
