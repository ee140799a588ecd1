/*
 * rule_hybrid.c - Streamverse's default rule: a buffer-aware look-ahead over
 * the real sizes of the upcoming segments (docs/abr.md has the why and the
 * tuning record).
 *
 *   1. Link estimate. Each sample is turned into a link rate with the
 *      request latency taken out (small segments would otherwise make a
 *      fast link look slow); the prediction is the harmonic mean of the last
 *      `window` rates, divided by 1 + error_weight x the largest recent
 *      over-prediction. Only over-predictions count (a link that turned out
 *      faster than predicted is no threat), and only after `warmup` samples,
 *      so one slow first segment does not cripple the startup.
 *   2. The discount fades as the buffer fills (gone at relax_s): a full
 *      buffer absorbs a misprediction, so it need not be paid for twice.
 *   3. Plan. Every sequence of rungs for the next `horizon` segments is
 *      scored on a buffer model (real segment sizes, measured latency,
 *      buffer cap) with bitrate - rebuffer_penalty x stall -
 *      switch_penalty x |change|, and - buffer_weight x the shortfall
 *      below target_s the plan leaves behind (unless the plan reaches the
 *      end of the session). The first rung of the best plan is taken.
 *      The terminal term is what makes the rule buffer-based: it keeps a
 *      reserve and spends it when the end is near; the doubled switch
 *      penalty damps oscillation.
 */
#include <math.h>

#include "internal.h"

enum {
    P_HORIZON,
    P_WINDOW,
    P_ERROR_WEIGHT,
    P_WARMUP,
    P_RELAX,
    P_TARGET,
    P_BUFFER_WEIGHT,
    P_REBUF,
    P_SWITCH,
    NUM_PARAMS
};

static const sv_abr_param_info params[NUM_PARAMS] = {
    [P_HORIZON] = { "horizon", "segments looked ahead", 5.0, 1.0, 8.0 },
    [P_WINDOW] = { "window", "link samples in the harmonic mean and the error window", 6.0, 1.0,
                   16.0 },
    [P_ERROR_WEIGHT] = { "error_weight", "share of the largest recent over-prediction that "
                         "discounts the estimate", 0.75, 0.0, 10.0 },
    [P_WARMUP] = { "warmup", "samples before prediction errors count", 4.0, 0.0, 16.0 },
    [P_RELAX] = { "relax_s", "buffer level at which the error discount has faded (0 = never)",
                  60.0, 0.0, 3600.0 },
    [P_TARGET] = { "target_s", "buffer a plan should leave behind", 20.0, 0.0, 3600.0 },
    [P_BUFFER_WEIGHT] = { "buffer_weight", "QoE per second a plan leaves below target_s", 0.5,
                          0.0, 100.0 },
    [P_REBUF] = { "rebuffer_penalty", "QoE per second of stall, when planning", 3.0, 0.0, 100.0 },
    [P_SWITCH] = { "switch_penalty", "QoE per Mbit/s of rung change, when planning", 2.0, 0.0,
                   100.0 },
};

/* Plans scored per decision at most; the horizon shrinks for big ladders. */
#define MAX_PLANS 50000.0
#define MAX_WINDOW 16

typedef struct hybrid_state {
    double rate[MAX_WINDOW];   /* link rates, kbit/s (ring) */
    double error[MAX_WINDOW];  /* relative over-predictions (ring) */
    unsigned nrate, rate_next, nerror, error_next;
    unsigned samples;
    int have_est;
    double est;                /* harmonic mean, kbit/s */
    double max_error;
    double latency_s;          /* latency of the last sample */
} hybrid_state;

typedef struct plan {
    const sv_abr_input *in;
    const double *p;
    double bytes_per_s;   /* predicted link rate */
    double latency_s;
    double cap_s;         /* the buffer never exceeds this */
    double target_s;      /* 0 when the plan reaches the end of the session */
    size_t len;
    double best;
    int best_first;
} plan;

static void hybrid_reset(void *state, const double *p)
{
    hybrid_state *s = state;
    s->nrate = s->rate_next = s->nerror = s->error_next = 0;
    s->samples = 0;
    s->have_est = 0;
    s->est = s->max_error = s->latency_s = 0;
}

static void push(double *ring, unsigned *count, unsigned *next, unsigned window, double v)
{
    ring[*next] = v;
    *next = (*next + 1) % window;
    if (*count < window)
        (*count)++;
}

static void hybrid_on_download(void *state, const double *p, const sv_abr_sample *smp)
{
    hybrid_state *s = state;
    const unsigned window = (unsigned)p[P_WINDOW];

    double transfer = smp->duration_s - smp->latency_s;
    if (transfer < smp->duration_s * 0.05)
        transfer = smp->duration_s * 0.05;
    double kbps = (double)smp->bytes * 8.0 / transfer / 1000.0;

    double error = 0;
    if (s->have_est && s->samples >= (unsigned)p[P_WARMUP] && s->est > kbps)
        error = (s->est - kbps) / kbps;
    push(s->error, &s->nerror, &s->error_next, window, error);
    push(s->rate, &s->nrate, &s->rate_next, window, kbps);
    s->samples++;

    double inv = 0;
    for (unsigned i = 0; i < s->nrate; i++)
        inv += 1.0 / s->rate[i];
    s->est = s->nrate / inv;
    s->max_error = 0;
    for (unsigned i = 0; i < s->nerror; i++)
        if (s->error[i] > s->max_error)
            s->max_error = s->error[i];
    s->latency_s = smp->latency_s;
    s->have_est = 1;
}

static void walk(plan *pl, size_t depth, double buffer, double score, int last, int first)
{
    const sv_abr_input *in = pl->in;
    const double *p = pl->p;

    if (depth == pl->len) {
        if (buffer < pl->target_s)
            score -= p[P_BUFFER_WEIGHT] * (pl->target_s - buffer);
        if (score >= pl->best) {
            pl->best = score;
            pl->best_first = first;
        }
        return;
    }
    for (int q = 0; q < (int)in->num_rungs; q++) {
        double download = sv__abr_segment_bytes(in, depth, q) / pl->bytes_per_s + pl->latency_s;
        double b = buffer, sc = score;
        if (b < download) {
            sc -= p[P_REBUF] * (download - b);
            b = 0;
        } else {
            b -= download;
        }
        b += in->segment_duration_s;
        if (b > pl->cap_s)
            b = pl->cap_s;
        double rq = in->bitrates_kbps[q], rl = in->bitrates_kbps[last];
        sc += rq / 1000.0 - p[P_SWITCH] * fabs(rq - rl) / 1000.0;
        walk(pl, depth + 1, b, sc, q, depth == 0 ? q : first);
    }
}

static void hybrid_choose(void *state, const double *p, const sv_abr_input *in,
                          sv_abr_decision *out)
{
    hybrid_state *s = state;
    double kbps;

    if (in->num_rungs == 1) {
        out->index = 0;
        out->reason = "hybrid: single rung";
        return;
    }
    if (s->have_est) {
        double fade = p[P_RELAX] > 0 ? 1 - in->buffer_s / p[P_RELAX] : 1;
        if (fade < 0)
            fade = 0;
        kbps = s->est / (1 + fade * p[P_ERROR_WEIGHT] * s->max_error);
    } else if (in->throughput_kbps > 0) {
        kbps = in->throughput_kbps;
    } else {
        out->index = in->last_index < 0 ? 0 : in->last_index;
        out->reason = "hybrid: no throughput sample yet, keep the rung";
        return;
    }

    plan pl = {
        .in = in,
        .p = p,
        .bytes_per_s = kbps * 1000.0 / 8.0,
        .latency_s = s->latency_s,
        .cap_s = in->buffer_max_s > 0 ? in->buffer_max_s : HUGE_VAL,
        .target_s = p[P_TARGET],
        .len = (size_t)p[P_HORIZON],
        .best = -HUGE_VAL,
        .best_first = 0,
    };
    size_t left = in->segments_left ? in->segments_left : in->num_next;
    if (left > 0 && left <= pl.len) {
        /* Buffer left at the end of the session is worth nothing. */
        pl.len = left;
        pl.target_s = 0;
    }
    while (pl.len > 1 && pow((double)in->num_rungs, (double)pl.len) > MAX_PLANS)
        pl.len--;
    walk(&pl, 0, in->buffer_s, 0.0, in->last_index < 0 ? 0 : in->last_index, 0);
    out->index = pl.best_first;
    if (in->last_index < 0 || out->index == in->last_index)
        out->reason = "hybrid: plan keeps the rung";
    else if (out->index > in->last_index)
        out->reason = "hybrid: plan steps up";
    else
        out->reason = "hybrid: plan steps down";
}

const sv_abr_rule sv_abr_rule_hybrid = {
    .name = "hybrid",
    .description = "buffer-aware look-ahead over the real segment sizes with a conservative, "
                   "latency-corrected throughput estimate (default)",
    .params = params,
    .num_params = NUM_PARAMS,
    .state_size = sizeof(hybrid_state),
    .reset = hybrid_reset,
    .choose = hybrid_choose,
    .on_download = hybrid_on_download,
};
