/*
 * output_audio_clock.c - the audio output as the master clock (the time
 * heard now, across gaps' jumps and a gapless seam), the gapless keep of
 * the FIFO for the next item, and the queries the other outputs and the
 * control loop make. Any thread unless said otherwise.
 */
#include <math.h>
#include <string.h>

#include "player/output/output_audio_internal.h"

void sv__aout_keep(sv__aout *a, uint64_t gen)
{
    sv__mutex_lock(&a->lock);
    a->gen = a->keep_gen = gen;
    a->target = -1;
    a->end = INFINITY;
    a->eos = a->done = 0;
    a->nb_gaps = 0;
    a->seam = 1;
    sv__cond_broadcast(&a->cond);
    sv__mutex_unlock(&a->lock);
}

int sv__aout_seam_pending(sv__aout *a)
{
    double now = sv__env_now(a->env);
    sv__mutex_lock(&a->lock);
    if (a->seam == 3 && now >= a->seam_time)
        a->seam = 0; /* the next item is heard */
    if (a->seam == 1 && !a->len)
        a->seam = 0; /* ran dry first: its first samples restart the FIFO */
    int r = a->seam != 0;
    sv__mutex_unlock(&a->lock);
    return r;
}

int sv__aout_tail(sv__aout *a)
{
    sv__mutex_lock(&a->lock);
    int r = a->opened && a->eos && !a->done && a->len > 0 && !a->seam;
    sv__mutex_unlock(&a->lock);
    return r;
}

/* The time heard at `now`. Before a jump still to come it is the time
 * before the jump (the samples before a mark are contiguous up to it, even
 * when a later pull's anchor lies beyond it); after the last jump heard
 * since the anchor, the time after it; otherwise the anchor's. */
static double heard_locked(const sv__aout *a, double now)
{
    double v = a->anchor_speed;
    for (int i = 0; i < a->nb_jumps; i++)
        if (a->jumps[i].time > now)
            return a->jumps[i].from - (a->jumps[i].time - now) * v;
    if (a->nb_jumps && a->jumps[a->nb_jumps - 1].time >= a->anchor_time)
        return a->jumps[a->nb_jumps - 1].pts + (now - a->jumps[a->nb_jumps - 1].time) * v;
    return a->anchor_pts + (now - a->anchor_time) * v;
}

double sv__aout_clock(sv__aout *a)
{
    double now = sv__env_now(a->env);
    sv__mutex_lock(&a->lock);
    double c = NAN;
    if (a->playing && a->anchor_valid) {
        c = heard_locked(a, now);
        if (c > a->fifo_pts && !(a->eos && !a->len))
            c = a->fifo_pts; /* nothing beyond what was handed out is heard */
    }
    sv__mutex_unlock(&a->lock);
    return c;
}

double sv__aout_buffered_s(sv__aout *a)
{
    sv__mutex_lock(&a->lock);
    double s = a->frame_bytes ? (double)(a->len / (size_t)a->frame_bytes) / a->fmt.sample_rate : 0;
    sv__mutex_unlock(&a->lock);
    return s;
}

int sv__aout_done(sv__aout *a)
{
    sv__mutex_lock(&a->lock);
    int d = a->done || !a->active || !a->sink;
    sv__mutex_unlock(&a->lock);
    return d;
}

int sv__aout_active(sv__aout *a)
{
    sv__mutex_lock(&a->lock);
    int r = a->active && a->sink != NULL;
    sv__mutex_unlock(&a->lock);
    return r;
}

void sv__aout_set_active(sv__aout *a, int active)
{
    sv__mutex_lock(&a->lock);
    a->active = active;
    sv__mutex_unlock(&a->lock);
}

void sv__aout_volume(sv__aout *a, double volume, int muted)
{
    sv__mutex_lock(&a->lock);
    a->gain = muted ? 0.0f : (float)volume;
    sv__mutex_unlock(&a->lock);
}
