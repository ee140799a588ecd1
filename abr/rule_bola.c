/*
 * rule_bola.c - BOLA (Spiteri et al., INFOCOM 2016) as dash.js implements it
 * (BolaRule.js): BOLA-O with a placeholder buffer.
 *   - utilities ln(bitrate) normalised so the lowest rung has utility 1;
 *     Vp and gp chosen so the lowest rung wins at a 10 s buffer and the top
 *     one at max(stable_buffer_s, 10 + 2 s per rung);
 *   - startup: rate-based (safety x throughput) until a segment's worth of
 *     buffer, with the placeholder buffer set so BOLA would agree;
 *   - steady: the rung maximising (Vp (u + gp) - buffer) / bitrate, using
 *     buffer + placeholder; the placeholder grows by time spent not
 *     downloading and decays by 1% per segment;
 *   - oscillation guard: never step up past the rate-based choice unless it
 *     is the current rung;
 *   - when the buffer is above what the chosen rung deserves, the excess is
 *     taken from the placeholder first, then returned as a delay before the
 *     request (except at the top rung).
 */
#include <math.h>

#include "internal.h"

enum { P_STABLE_BUFFER, P_SAFETY, NUM_PARAMS };

static const sv_abr_param_info params[NUM_PARAMS] = {
    [P_STABLE_BUFFER] = { "stable_buffer_s", "buffer BOLA aims at (dash.js stableBufferTime)",
                          12.0, 1.0, 3600.0 },
    [P_SAFETY] = { "safety", "share of the throughput used during startup and by the guard", 0.9,
                   0.01, 2.0 },
};

#define MINIMUM_BUFFER_S 10.0
#define MINIMUM_BUFFER_PER_RUNG_S 2.0
#define PLACEHOLDER_DECAY 0.99

enum { STARTUP, STEADY };

typedef struct bola_state {
    int phase;
    int last_quality;
    double placeholder_s;
    double buffer_at_request_s;  /* buffer when the last decision was made */
    double max_buffer_s;         /* max_buffer_for_quality() of the last decision */
    double segment_s;            /* segment duration of the last decision */
    double last_segment_s;       /* duration of the last segment, 0 before one */
    int requested;               /* a decision was made since the last download */
} bola_state;

typedef struct bola_params {
    double vp, gp;
} bola_params;

static double utility(const sv_abr_input *in, int i)
{
    return log((double)in->bitrates_kbps[i]) - log((double)in->bitrates_kbps[0]) + 1.0;
}

static bola_params compute_params(const sv_abr_input *in, double stable_buffer_s)
{
    bola_params bp;
    const int top = (int)in->num_rungs - 1;
    double buffer_time = MINIMUM_BUFFER_S + MINIMUM_BUFFER_PER_RUNG_S * (double)in->num_rungs;
    if (stable_buffer_s > buffer_time)
        buffer_time = stable_buffer_s;
    bp.gp = (utility(in, top) - 1) / (buffer_time / MINIMUM_BUFFER_S - 1);
    bp.vp = MINIMUM_BUFFER_S / bp.gp;
    return bp;
}

static int quality_from_buffer(const sv_abr_input *in, const bola_params *bp, double level)
{
    int quality = 0;
    double best = 0;
    for (int i = 0; i < (int)in->num_rungs; i++) {
        double score = (bp->vp * (utility(in, i) + bp->gp) - level) / in->bitrates_kbps[i];
        if (i == 0 || score >= best) {
            best = score;
            quality = i;
        }
    }
    return quality;
}

/* The largest buffer level at which BOLA still prefers downloading `q`. */
static double max_buffer_for_quality(const sv_abr_input *in, const bola_params *bp, int q)
{
    return bp->vp * (utility(in, q) + bp->gp);
}

/* The smallest buffer level at which BOLA picks `q` over any lower rung. */
static double min_buffer_for_quality(const sv_abr_input *in, const bola_params *bp, int q)
{
    double qb = in->bitrates_kbps[q], qu = utility(in, q), level_min = 0;
    for (int i = q - 1; i >= 0; i--) {
        double ib = in->bitrates_kbps[i], iu = utility(in, i);
        double level = bp->vp * (bp->gp + (qb * iu - ib * qu) / (qb - ib));
        if (level > level_min)
            level_min = level;
    }
    return level_min;
}

static void bola_reset(void *state, const double *p)
{
    bola_state *s = state;
    s->phase = STARTUP;
    s->last_quality = 0;
    s->placeholder_s = 0;
    s->buffer_at_request_s = 0;
    s->max_buffer_s = 0;
    s->segment_s = 0;
    s->last_segment_s = 0;
    s->requested = 0;
}

static void bola_choose(void *state, const double *p, const sv_abr_input *in,
                        sv_abr_decision *out)
{
    bola_state *s = state;
    const int top = (int)in->num_rungs - 1;

    if (in->num_rungs == 1) {
        out->index = 0;
        out->reason = "bola: single rung";
        return;
    }
    if (!(in->throughput_kbps > 0)) {
        out->index = in->last_index < 0 ? 0 : in->last_index;
        out->reason = "bola: no throughput sample yet, keep the rung";
        return;
    }
    if (in->last_index >= 0)
        s->last_quality = in->last_index;
    bola_params bp = compute_params(in, p[P_STABLE_BUFFER]);
    int rate_quality = sv__abr_rung_for_rate(in, p[P_SAFETY] * in->throughput_kbps);
    /* A seek or a new session puts the player back in startup. */
    if (in->phase == SV_ABR_PHASE_STARTUP)
        s->phase = STARTUP;
    s->buffer_at_request_s = in->buffer_s;
    s->segment_s = in->segment_duration_s;
    s->requested = 1;

    if (s->phase == STARTUP) {
        int q = rate_quality;
        double ph = min_buffer_for_quality(in, &bp, q) - in->buffer_s;
        s->placeholder_s = ph > 0 ? ph : 0;
        s->last_quality = q;
        s->max_buffer_s = max_buffer_for_quality(in, &bp, q);
        if (s->last_segment_s > 0 && in->buffer_s >= s->last_segment_s)
            s->phase = STEADY;
        out->index = q;
        out->reason = "bola: startup, rate-based";
        return;
    }

    /* Time spent not downloading counts as buffer BOLA could have had. */
    s->placeholder_s += in->idle_s;
    int q = quality_from_buffer(in, &bp, in->buffer_s + s->placeholder_s);
    out->reason = "bola: buffer-based";
    if (q > s->last_quality && q > rate_quality) {
        q = rate_quality > s->last_quality ? rate_quality : s->last_quality;
        out->reason = "bola: step up held back by the throughput (BOLA-O)";
    }
    double delay = in->buffer_s + s->placeholder_s - max_buffer_for_quality(in, &bp, q);
    if (delay < 0)
        delay = 0;
    if (delay <= s->placeholder_s) {
        s->placeholder_s -= delay;
        delay = 0;
    } else {
        delay -= s->placeholder_s;
        s->placeholder_s = 0;
        if (q == top)
            delay = 0;  /* at the top rung the buffer cap decides */
    }
    s->last_quality = q;
    s->max_buffer_s = max_buffer_for_quality(in, &bp, q);
    s->buffer_at_request_s = in->buffer_s - delay;
    out->index = q;
    out->delay_s = delay;
}

static void bola_on_download(void *state, const double *p, const sv_abr_sample *smp)
{
    bola_state *s = state;

    s->last_quality = smp->index;
    if (!s->requested)
        return;
    s->requested = 0;
    s->placeholder_s *= PLACEHOLDER_DECAY;
    /* The placeholder must not claim more than the buffer the last segment
     * was requested for could have reached at its rung. */
    double cap = s->max_buffer_s - s->buffer_at_request_s;
    if (cap < 0)
        cap = 0;
    if (s->placeholder_s > cap)
        s->placeholder_s = cap;
    s->last_segment_s = s->segment_s;
}

const sv_abr_rule sv_abr_rule_bola = {
    .name = "bola",
    .description = "BOLA as in dash.js: Lyapunov buffer-based utility, placeholder buffer, "
                   "oscillation guard",
    .params = params,
    .num_params = NUM_PARAMS,
    .state_size = sizeof(bola_state),
    .reset = bola_reset,
    .choose = bola_choose,
    .on_download = bola_on_download,
};
