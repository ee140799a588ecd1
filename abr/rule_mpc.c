/*
 * rule_mpc.c - robustMPC (Yin et al., SIGCOMM 2015) as Pensieve evaluates
 * it (test/mpc.py):
 *   - throughput samples in MB/s = bytes / download time (latency included);
 *   - prediction = harmonic mean of the last `window` samples, divided by
 *     1 + the largest relative error of the last `window` predictions;
 *   - every plan of rungs for the next `horizon` segments is scored with the
 *     linear QoE (bitrate - 4.3 x stall - switches) on a simple buffer
 *     model, and the first rung of the best plan is taken; ties go to the
 *     plan enumerated last, i.e. the higher first rung.
 * The history lives in the instance and sv_abr_reset() clears it, so each
 * session starts fresh ("history reset per trace").
 * The arithmetic follows mpc.py step by step so results match it exactly;
 * the search walks the plan tree depth-first, sharing prefixes, which visits
 * the same plans in the same (lexicographic) order.
 */
#include <math.h>

#include "internal.h"

enum { P_HORIZON, P_WINDOW, P_OFFSET, NUM_PARAMS };

static const sv_abr_param_info params[NUM_PARAMS] = {
    [P_HORIZON] = { "horizon", "segments looked ahead", 5.0, 1.0, 8.0 },
    [P_WINDOW] = { "window", "samples in the harmonic mean and the error window", 5.0, 1.0,
                   16.0 },
    [P_OFFSET] = { "lookahead_offset",
                   "1 = plan with the sizes of the next segment but one (Pensieve mpc.py)", 0.0,
                   0.0, 1.0 },
};

#define REBUF_PENALTY 4.3
/* Plans scored per decision at most; the horizon shrinks for big ladders. */
#define MAX_PLANS 50000.0

typedef struct mpc_state {
    double bw[16];     /* MB/s, ring, oldest at bw_next when full */
    double err[16];
    unsigned nbw, bw_next, nerr, err_next;
    int have_est;
    double est;        /* last harmonic mean, undiscounted */
    double future;     /* discounted prediction, MB/s */
} mpc_state;

typedef struct search {
    const sv_abr_input *in;
    double bw;          /* MB/s */
    size_t len;
    size_t offset;
    double best;
    int best_first;
} search;

static void mpc_reset(void *state, const double *p)
{
    mpc_state *s = state;
    s->nbw = s->bw_next = s->nerr = s->err_next = 0;
    s->have_est = 0;
    s->est = s->future = 0;
}

static void mpc_on_download(void *state, const double *p, const sv_abr_sample *smp)
{
    mpc_state *s = state;
    const unsigned window = (unsigned)p[P_WINDOW];
    double bw = (double)smp->bytes / (smp->duration_s * 1000.0) / 1000.0;

    double error = s->have_est ? fabs(s->est - bw) / bw : 0.0;
    s->err[s->err_next] = error;
    s->err_next = (s->err_next + 1) % window;
    if (s->nerr < window)
        s->nerr++;
    s->bw[s->bw_next] = bw;
    s->bw_next = (s->bw_next + 1) % window;
    if (s->nbw < window)
        s->nbw++;

    /* Oldest first, as mpc.py sums them. */
    double sum = 0;
    unsigned first = s->nbw < window ? 0 : s->bw_next;
    for (unsigned i = 0; i < s->nbw; i++)
        sum += 1 / s->bw[(first + i) % window];
    double harmonic = 1.0 / (sum / s->nbw);
    double max_error = 0;
    for (unsigned i = 0; i < s->nerr; i++)
        if (s->err[i] > max_error)
            max_error = s->err[i];
    s->future = harmonic / (1 + max_error);
    s->est = harmonic;
    s->have_est = 1;
}

static void walk(search *s, size_t depth, double buffer, double rebuf, uint64_t bitrate_sum,
                 uint64_t smooth, int last, int first)
{
    const sv_abr_input *in = s->in;

    if (depth == s->len) {
        double reward = bitrate_sum / 1000. - REBUF_PENALTY * rebuf - smooth / 1000.;
        if (reward >= s->best) {
            s->best = reward;
            s->best_first = first;
        }
        return;
    }
    for (int q = 0; q < (int)in->num_rungs; q++) {
        double download = (sv__abr_segment_bytes(in, depth + s->offset, q) / 1000000.) / s->bw;
        double b = buffer, r = rebuf;
        if (b < download) {
            r += download - b;
            b = 0;
        } else {
            b -= download;
        }
        b += in->segment_duration_s;
        uint32_t rq = in->bitrates_kbps[q], rl = in->bitrates_kbps[last];
        walk(s, depth + 1, b, r, bitrate_sum + rq, smooth + (rq > rl ? rq - rl : rl - rq), q,
             depth == 0 ? q : first);
    }
}

static void mpc_choose(void *state, const double *p, const sv_abr_input *in,
                       sv_abr_decision *out)
{
    mpc_state *s = state;
    search srch = { in, s->future, (size_t)p[P_HORIZON], (size_t)p[P_OFFSET], -100000000.0, 0 };
    size_t left = in->segments_left ? in->segments_left : in->num_next;

    if (!s->have_est) {
        if (!(in->throughput_kbps > 0)) {
            out->index = in->last_index < 0 ? 0 : in->last_index;
            out->reason = "mpc: no throughput sample yet, keep the rung";
            return;
        }
        srch.bw = in->throughput_kbps / 8.0 / 1000.0;
    }
    if (in->num_rungs == 1) {
        out->index = 0;
        out->reason = "mpc: single rung";
        return;
    }
    if (left > 0 && left < srch.len)
        srch.len = left;
    while (srch.len > 1 && pow((double)in->num_rungs, (double)srch.len) > MAX_PLANS)
        srch.len--;
    walk(&srch, 0, in->buffer_s, 0.0, 0, 0, in->last_index < 0 ? 0 : in->last_index, 0);
    out->index = srch.best_first;
    out->reason = "mpc: first rung of the best plan";
}

const sv_abr_rule sv_abr_rule_mpc = {
    .name = "mpc",
    .description = "robustMPC: 5-segment look-ahead on a harmonic-mean estimate discounted "
                   "by the recent prediction error",
    .params = params,
    .num_params = NUM_PARAMS,
    .state_size = sizeof(mpc_state),
    .reset = mpc_reset,
    .choose = mpc_choose,
    .on_download = mpc_on_download,
};
