/*
 * rule_bba.c - buffer-based adaptation (Huang et al., SIGCOMM 2014), in the
 * form Pensieve evaluates it: the lowest rung while the buffer is below the
 * reservoir, the highest from reservoir + cushion on, and in between the
 * rung index grows linearly with the buffer (rounded down).
 */
#include "internal.h"

enum { P_RESERVOIR, P_CUSHION, NUM_PARAMS };

static const sv_abr_param_info params[NUM_PARAMS] = {
    [P_RESERVOIR] = { "reservoir_s", "below this buffer level, the lowest rung", 5.0, 0.0, 3600.0 },
    [P_CUSHION] = { "cushion_s", "buffer span over which the rung climbs to the top", 10.0, 0.001,
                    3600.0 },
};

static void bba_reset(void *state, const double *p)
{
}

static void bba_choose(void *state, const double *p, const sv_abr_input *in, sv_abr_decision *out)
{
    const double reservoir = p[P_RESERVOIR], cushion = p[P_CUSHION];
    const int top = (int)in->num_rungs - 1;

    if (in->buffer_s < reservoir) {
        out->index = 0;
        out->reason = "bba: buffer below the reservoir";
    } else if (in->buffer_s >= reservoir + cushion) {
        out->index = top;
        out->reason = "bba: buffer above reservoir + cushion";
    } else {
        /* Same order of operations as Pensieve's bb.py. */
        out->index = (int)(top * (in->buffer_s - reservoir) / cushion);
        out->reason = "bba: buffer in the cushion";
    }
}

const sv_abr_rule sv_abr_rule_bba = {
    .name = "bba",
    .description = "buffer-based: reservoir and cushion map the buffer level to a rung",
    .params = params,
    .num_params = NUM_PARAMS,
    .state_size = 0,
    .reset = bba_reset,
    .choose = bba_choose,
    .on_download = NULL,
};
