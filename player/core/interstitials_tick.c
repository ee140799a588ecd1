/*
 * interstitials_tick.c - when a break of HLS interstitials starts (docs/sdk.md,
 * "Interstitials"): the tick (a pre-roll, the cut before the next break,
 * a break the primary passed before it was known, the preloads) and the
 * seeks (back before a break, over one with X-RESTRICT JUMP). Above the
 * switches (interstitials_play.c) and the schedule (interstitials.c).
 *
 * Loop thread, except sv__control_seek_refused (any thread).
 */
#include <math.h>

#include "player/core/interstitials_internal.h"

/* ---- the tick -------------------------------------------------------------------- */

static double position(struct sv_player *p)
{
    sv__mutex_lock(&p->st.lock);
    double pos = p->st.position_s;
    sv__mutex_unlock(&p->st.lock);
    return pos;
}

int sv__inter_tick(struct sv_player *p)
{
    sv__inter *in = p->inter;
    if (!p->pres)
        return 0;
    if (in->playing >= 0) {
        sv__inter_set_cut(p, p->stop_at); /* after a seek in the asset */
        sv__inter_preload_next(in);
        return 0;
    }
    sv__inter_fetch_lists(in);
    /* A pre-roll plays before the primary's first frame (at once when it
     * comes later: the primary starts again where it started). */
    sv__brk *b = sv__inter_cued(in, SV__CUE_PRE);
    if (b && b->state == SV__BRK_READY) {
        sv__inter_start(in, b, p->load_opts.start_position_s);
        return 1;
    }
    if (b) {
        sv__inter_set_cut(p, in->from);
        return 0; /* its list is on its way: the primary waits for it */
    }
    b = sv__inter_next(in, in->from);
    sv__inter_set_cut(p, b ? b->start : INFINITY);
    /* A break the primary passed before it was known (its playlist came
     * late): it starts now, the primary resuming after it. */
    double pos = position(p);
    if (b && b->state == SV__BRK_READY && pos > b->start + SV__INTER_LATE_S &&
        sv__control_get_state(p) == SV_STATE_PLAYING) {
        sv__inter_start(in, b, NAN);
        return 1;
    }
    sv__inter_preload_next(in);
    return 0;
}

/* ---- the seeks ------------------------------------------------------------------- */

int sv__control_seek_refused(struct sv_player *p)
{
    sv__mutex_lock(&p->st.lock);
    int r = p->st.ad_playing && p->st.ad_restrict_skip;
    sv__mutex_unlock(&p->st.lock);
    return r;
}

int sv__inter_seek(struct sv_player *p, const sv__cmd *c)
{
    sv__inter *in = p->inter;
    if (in->playing >= 0 || !p->pres || (c->flags & SV__SEEK_LIVE))
        return 0;
    double pos = position(p);
    double target = c->flags & SV_SEEK_RELATIVE ? pos + c->dvalue : c->dvalue;
    if (target < 0)
        target = 0;
    /* Back before a break: it plays again (unless CUE ONCE). */
    for (size_t i = 0; i < in->nb; i++) {
        sv__brk *b = &in->brk[i];
        if (b->state == SV__BRK_PLAYED && !(b->d.cue & (SV__CUE_ONCE | SV__CUE_PRE | SV__CUE_POST)) &&
            b->start > target + SV__INTER_EPS)
            b->state = SV__BRK_READY;
    }
    /* Over a break with JUMP: the last one jumped over plays first. */
    sv__brk *jumped = NULL;
    for (size_t i = 0; i < in->nb; i++) {
        sv__brk *b = &in->brk[i];
        if (sv__inter_pending(b) && (b->d.restrict_flags & SV__RESTRICT_JUMP) &&
            !(b->d.cue & (SV__CUE_PRE | SV__CUE_POST)) && b->start > pos + SV__INTER_EPS &&
            b->start <= target + SV__INTER_EPS && (!jumped || b->start > jumped->start))
            jumped = b;
    }
    in->from = target;
    sv__brk *next = sv__inter_next(in, target);
    sv__inter_set_cut(p, next ? next->start : INFINITY);
    if (!jumped || jumped->state != SV__BRK_READY)
        return 0;
    PLOGI(p, "seek to %.3f s over interstitial %s: it plays first", target, jumped->id);
    sv__inter_start(in, jumped, target);
    return 1;
}
