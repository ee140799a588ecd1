/*
 * playout.c - the playout model (playout.h). The expressions are the
 * simulator's, operation for operation (Pensieve's fixed_env.py): a stall is
 * `dt - buffer` when positive, the buffer `buffer - dt` when positive, a
 * sleep whole drain steps above the cap; changing their form changes the
 * published baselines in the last digits.
 */
#include <math.h>
#include <string.h>

#include "playout.h"

void sv__playout_init(sv__playout_model *m, const sv_abr_qoe_config *qoe, double per_s)
{
    memset(m, 0, sizeof(*m));
    m->per_s = per_s > 0 ? per_s : 1.0;
    sv_abr_qoe_init(&m->qoe, qoe);
}

double sv__playout_elapse(sv__playout_model *m, double dt)
{
    if (!m->started || !(dt > 0))
        return 0;
    if (m->seeking) {
        m->seek_wait += dt;
        return 0;
    }
    double over = dt - m->playable;
    double played = over < 0 ? dt : m->playable;
    m->level = m->level - played > 0 ? m->level - played : 0.0;
    m->playable = m->playable - played > 0 ? m->playable - played : 0.0;
    if (over >= 0 && (m->dry || !m->ended)) {
        /* Out of media: the stall runs from the instant it ran out (at the
         * end of the media the playhead just stops). */
        m->dry = 1;
        if (over > 0)
            m->stall += over;
    }
    return played;
}

/* The playhead moves again: the stall in progress is over. */
static double end_stall(sv__playout_model *m)
{
    double s = m->stall;
    m->stall = 0;
    m->dry = 0;
    return s;
}

double sv__playout_fill(sv__playout_model *m, double media)
{
    if (!(media > 0))
        return 0;
    m->level += media;
    m->seeking = 0;
    if (!m->playing)
        return 0; /* paused: the playhead plays out what it held, no more */
    m->playable = m->level;
    return m->dry ? end_stall(m) : 0;
}

void sv__playout_preload(sv__playout_model *m, double media)
{
    if (m->started)
        return;
    m->level = media > 0 ? media : 0.0;
    m->playable = m->level;
}

double sv__playout_set_playing(sv__playout_model *m, int playing)
{
    playing = playing != 0;
    if (playing == m->playing)
        return 0;
    m->playing = playing;
    if (!playing)
        return 0; /* playable stays what is buffered now */
    m->playable = m->level;
    if (!m->started) {
        m->started = 1;
        m->stall = 0;
        m->dry = 0;
        return 0;
    }
    return end_stall(m);
}

double sv__playout_seek(sv__playout_model *m)
{
    double s = end_stall(m);
    m->level = 0;
    m->playable = 0;
    m->seeking = 1;
    m->ended = 0;
    return s;
}

void sv__playout_set_ended(sv__playout_model *m)
{
    m->ended = 1;
}

double sv__playout_wait(sv__playout_model *m, double want_s)
{
    double cap_s = m->level / m->per_s;
    double wait_s = want_s < cap_s ? want_s : cap_s;
    if (!(wait_s > 0))
        return 0;
    m->level -= wait_s * m->per_s;
    if (m->level < 0)
        m->level = 0;
    if (m->playing || m->playable > m->level)
        m->playable = m->level;
    return wait_s;
}

double sv__playout_sleep_to_cap(sv__playout_model *m, double cap, double step)
{
    if (!(m->level > cap) || !(step > 0))
        return 0;
    double sleep = ceil((m->level - cap) / step) * step;
    m->level -= sleep;
    if (m->playing || m->playable > m->level)
        m->playable = m->level;
    return sleep;
}

double sv__playout_level_s(const sv__playout_model *m)
{
    return m->level / m->per_s;
}

double sv__playout_account(sv__playout_model *m, int index, uint32_t kbps, double rebuffer,
                           double duration_s)
{
    return sv_abr_qoe_add(&m->qoe, index, kbps, rebuffer / m->per_s, duration_s);
}

void sv__playout_result(const sv__playout_model *m, size_t segments, double session_s,
                        sv_abr_sim_result *out)
{
    memset(out, 0, sizeof(*out));
    out->qoe = m->qoe.qoe;
    out->rebuffer_s = m->qoe.rebuffer_s;
    out->rebuffer_ratio = sv_abr_qoe_rebuffer_ratio(&m->qoe);
    out->startup_s = m->qoe.startup_s;
    out->mean_bitrate_kbps = sv_abr_qoe_mean_bitrate(&m->qoe);
    out->switches = m->qoe.switches;
    out->segments = segments;
    out->session_s = session_s;
}
