/*
 * Live latency: measured and held by the playback rate.
 *
 * The latency is now (UTC on the player's clock) minus the program date
 * time of the frame on screen: the model's wallclock_origin (DASH
 * availabilityStartTime, HLS EXT-X-PROGRAM-DATE-TIME less the segment's
 * start) plus the position. Every tick (50 ms) while playing it is sampled
 * into a histogram of 10 ms steps, from which the stats give the median and
 * the 95th percentile.
 *
 * With a target (the host's settings.live_target_latency_ms, else the
 * manifest's) the rate follows the error, as dash.js's catch-up does:
 * 1 + 0.05 tanh(error / 0.5 s), in steps of 0.005, held within 0.95-1.05,
 * changed at most every 0.5 s, and never faster than 1 while less than
 * 0.5 s is buffered: playing faster would eat the buffer the stream needs
 * at the edge. The rate is 1 within 30 ms of the target; a correction,
 * once started, goes on (at 1 +- 0.01 at least) until the latency is 30 ms
 * past the target on the other side. So the latency swings evenly around
 * the target and its median sits on it: a band that ended its correction
 * at its own edge would leave the median at the edge, since a live
 * latency only drifts one way (up, with every stall). The target is held within the
 * manifest's DASH Latency@min..@max; a latency over the maximum (the
 * host's settings.live_max_latency_ms, else @max) by more than 0.5 s (more
 * than the rate can make up soon) sends the player back to the live start,
 * at most once per 4 s (dash.js's liveCatchup maxDrift).
 * The audio output plays the rate
 * with the pitch kept (libavfilter's atempo); video follows the audio
 * clock, or its own clock sped up alike when there is no audio.
 *
 * Loop thread; the stats are published under st.lock.
 */
#include <math.h>
#include <string.h>

#include "player/core/internal.h"

#define BIN_S 0.01
#define MAX_RATE_STEP 0.05      /* the rate stays within 1 +- this */
#define RATE_QUANTUM 0.005
#define ERROR_SCALE_S 0.5       /* the error at which the rate reaches 76% of its step */
#define DEAD_BAND_S 0.03        /* |error| under this: rate 1, unless correcting ... */
#define OVERSHOOT_S 0.03        /* ... until the error is this far past the target */
#define MIN_CORRECTION 0.01     /* a correction plays at least 1 +- this: quick to
                                   cross the band, so little time is spent off target */
#define MIN_CHANGE_GAP_S 0.5
#define LOW_BUFFER_S 0.5        /* no speeding up with less than this buffered */
#define MAX_DRIFT_EXTRA_S 0.5   /* over Latency@max by more than this: back to the live start */
#define CATCH_UP_GAP_S 4.0      /* at most one such seek in this long: a seek made while
                                   the next publisher was not there yet is made again soon */

void sv__latency_reset(struct sv_player *p)
{
    sv__latency *l = &p->latency;
    l->rate = 1.0;
    l->last_change_s = -1e9;
    l->nb = 0;
    l->target = -1;
    l->hold = 1;
    l->last_catch_up_s = -1e9;
    if (l->hist)
        memset(l->hist, 0, SV__LATENCY_BINS * sizeof(*l->hist));
    sv__aout_set_speed(p->aout, 1.0);
    sv__vout_set_speed(p->vout, 1.0);
    sv__mutex_lock(&p->st.lock);
    p->st.live = 0;
    p->st.stats.live_latency_s = p->st.stats.live_latency_p50_s = -1;
    p->st.stats.live_latency_p95_s = p->st.stats.live_target_latency_s = -1;
    p->st.stats.playback_rate = p->st.stats.min_playback_rate = 1;
    p->st.stats.max_playback_rate = 1;
    p->st.stats.playback_rate_changes = 0;
    sv__mutex_unlock(&p->st.lock);
}

void sv__latency_hold(struct sv_player *p, int hold)
{
    sv__latency *l = &p->latency;
    l->hold = hold;
    if (!hold && l->rate != 1.0) {
        l->rate = 1.0;
        sv__aout_set_speed(p->aout, 1.0);
        sv__vout_set_speed(p->vout, 1.0);
    }
}

void sv__latency_free(struct sv_player *p)
{
    sv__free(p->settings.allocator, p->latency.hist);
    p->latency.hist = NULL;
}

/* The target held now, seconds; < 0 none. Within the manifest's
 * Latency@min..@max (the host's target too). */
static double target_of(const struct sv_player *p)
{
    if (p->settings.live_target_latency_ms < 0)
        return -1;
    if (p->settings.live_target_latency_ms > 0)
        return sv__model_clamp_latency(p->pres, p->settings.live_target_latency_ms / 1000.0);
    return p->pres->target_latency;
}

/* The most latency to play at, seconds; < 0 none. */
static double max_of(const struct sv_player *p)
{
    int ms = p->settings.live_max_latency_ms;
    return ms > 0 ? ms / 1000.0 : ms < 0 ? -1 : p->pres->max_latency;
}

int sv__latency_too_late(double latency, double target, double max)
{
    if (!(max > 0) || target < 0 || max < target)
        return 0;
    return latency - target > max - target + MAX_DRIFT_EXTRA_S;
}

/* The latency under which a share `q` of the samples lie. */
static double percentile(const sv__latency *l, double q)
{
    int64_t want = (int64_t)ceil(q * (double)l->nb), seen = 0;
    for (int i = 0; i < SV__LATENCY_BINS; i++) {
        seen += l->hist[i];
        if (seen >= want && seen > 0)
            return (i + 0.5) * BIN_S;
    }
    return SV__LATENCY_BINS * BIN_S;
}

double sv__latency_rate(double rate, double error, double buffer)
{
    /* The direction of a correction under way (+1 faster, -1 slower). */
    int dir = rate > 1.0 ? 1 : rate < 1.0 ? -1 : 0;
    if (dir == 0 && fabs(error) < DEAD_BAND_S)
        return 1.0;
    if (dir != 0 && error * dir < -OVERSHOOT_S)
        return 1.0; /* past the target by the overshoot: corrected */
    if (dir == 0)
        dir = error > 0 ? 1 : -1;
    double r = 1 + MAX_RATE_STEP * tanh(error / ERROR_SCALE_S);
    r = 1 + round((r - 1) / RATE_QUANTUM) * RATE_QUANTUM;
    if (dir > 0 && r < 1 + MIN_CORRECTION)
        r = 1 + MIN_CORRECTION;
    if (dir < 0 && r > 1 - MIN_CORRECTION)
        r = 1 - MIN_CORRECTION;
    if (r > 1 + MAX_RATE_STEP)
        r = 1 + MAX_RATE_STEP;
    if (r < 1 - MAX_RATE_STEP)
        r = 1 - MAX_RATE_STEP;
    if (r > 1 && buffer < LOW_BUFFER_S)
        r = 1.0;
    return r;
}

/* Later than the maximum by more than the rate can make up (1.05 closes a
 * second in 20 s), while the target is held on the player's own playout:
 * logs it (`what`, then the figures), marks the catch-up and returns 1; the
 * caller seeks back to the live start. */
static int catch_up_due(struct sv_player *p, double latency, const char *what)
{
    sv__latency *l = &p->latency;
    double max = max_of(p);
    if (l->target < 0 || !l->hold || p->playout != &p->own_playout ||
        !sv__latency_too_late(latency, l->target, max))
        return 0;
    PLOGI(p, "%s %.3f s is over the maximum %.3f s by more than %.1f s: back to the live start",
          what, latency, max, MAX_DRIFT_EXTRA_S);
    l->last_catch_up_s = sv__player_now(p);
    return 1;
}

int sv__latency_tick(struct sv_player *p, int playing, double buffer)
{
    sv__latency *l = &p->latency;
    sv__presentation *pres = p->pres;
    if (!pres || !pres->live)
        return 0;
    double lo, hi;
    int window = sv__model_seekable(pres, sv__wallclock_utc(p), &lo, &hi) == 0;
    sv__mutex_lock(&p->st.lock);
    p->st.live = 1 + window;
    if (window) {
        p->st.seekable_start_s = lo;
        p->st.seekable_end_s = hi;
    }
    sv__mutex_unlock(&p->st.lock);
    if (!(pres->wallclock_origin > 0))
        return 0;
    if (!l->hist && !(l->hist = sv__calloc(p->settings.allocator, SV__LATENCY_BINS,
                                           sizeof(*l->hist))))
        return 0; /* no memory for the histogram: nothing measured */
    l->target = target_of(p);
    sv__mutex_lock(&p->st.lock);
    double pos = p->st.position_s;
    p->st.stats.live_target_latency_s = l->target;
    sv__mutex_unlock(&p->st.lock);
    if (!playing)
        return 0;
    double latency = sv__wallclock_utc(p) - (pres->wallclock_origin + pos);
    /* Clamped before the conversion: a playlist dated months ago (or a
     * NaN) would overflow int and index far outside the histogram. */
    double bins = latency / BIN_S;
    int bin = !(bins > 0) ? 0 : bins >= SV__LATENCY_BINS ? SV__LATENCY_BINS - 1 : (int)bins;
    l->hist[bin]++;
    l->nb++;

    double now = sv__player_now(p);
    l->sample = latency;
    l->sample_s = now;
    /* Back to the live start, as dash.js does, at most once per
     * CATCH_UP_GAP_S. The control loop seeks. */
    if (now - l->last_catch_up_s >= CATCH_UP_GAP_S && catch_up_due(p, latency, "live latency"))
        return 1;
    sv__latency_follow(p, buffer);
    return 0;
}

int sv__latency_resume_late(struct sv_player *p)
{
    sv__presentation *pres = p->pres;
    if (!pres || !pres->live || !(pres->wallclock_origin > 0))
        return 0;
    sv__mutex_lock(&p->st.lock);
    double pos = p->st.position_s;
    sv__mutex_unlock(&p->st.lock);
    return catch_up_due(p, sv__wallclock_utc(p) - (pres->wallclock_origin + pos),
                        "resumed at a live latency");
}

void sv__latency_follow(struct sv_player *p, double buffer)
{
    sv__latency *l = &p->latency;
    double latency = l->sample, now = l->sample_s;
    int changed = 0;
    if (l->target >= 0 && l->hold && p->playout == &p->own_playout &&
        now - l->last_change_s >= MIN_CHANGE_GAP_S) {
        double r = sv__latency_rate(l->rate, latency - l->target, buffer);
        if (r != l->rate) {
            l->rate = r;
            l->last_change_s = now;
            sv__aout_set_speed(p->aout, r);
            sv__vout_set_speed(p->vout, r);
            changed = 1;
            PLOGD(p, "live latency %.3f s, target %.3f s, buffer %.2f s: rate %.3f", latency,
                  l->target, buffer, r);
        }
    }
    double p50 = percentile(l, 0.5), p95 = percentile(l, 0.95);
    double heard = sv__aout_active(p->aout) ? sv__aout_speed(p->aout) : l->rate;
    sv__mutex_lock(&p->st.lock);
    sv_player_stats *s = &p->st.stats;
    s->live_latency_s = latency;
    s->live_latency_p50_s = p50;
    s->live_latency_p95_s = p95;
    s->playback_rate = heard;
    if (heard < s->min_playback_rate)
        s->min_playback_rate = heard;
    if (heard > s->max_playback_rate)
        s->max_playback_rate = heard;
    s->playback_rate_changes += changed;
    sv__mutex_unlock(&p->st.lock);
}
