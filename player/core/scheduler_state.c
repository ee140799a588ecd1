/*
 * scheduler_state.c - what the control loop reads of the scheduler between
 * its decisions: how far the streams are buffered, whether every stream is
 * fetched to its end or waits at the live edge, the throughput estimate;
 * and the quality lock it sets. Loop thread only.
 */
#include <math.h>

#include "player/core/scheduler_internal.h"

void sv__sched_lock_quality(struct sv_player *p, int index)
{
    if (p->sched)
        p->sched->locked = index;
}

double sv__sched_buffered_end(struct sv_player *p)
{
    sv__sched *s = p->sched;
    if (!s)
        return 0;
    double end = INFINITY;
    for (int k = 0; k < s->nb; k++) {
        const sched_stream *ss = &s->ss[k];
        if (ss->done)
            continue;
        double e = ss->buffered_end;
        /* A segment read as it grows: as far as the demuxer got into it. */
        if (ss->fetch_id && ss->growing && !ss->fetch_is_init) {
            double d = sv__stream_demuxed_end(ss->stream);
            double seg_end = ss->seg.start + ss->seg.duration;
            if (!isnan(d) && d > e)
                e = d < seg_end ? d : seg_end;
        }
        if (e < end)
            end = e;
    }
    return end;
}

int sv__sched_all_fetched(struct sv_player *p)
{
    sv__sched *s = p->sched;
    if (!s)
        return 1;
    for (int k = 0; k < s->nb; k++)
        if (!s->ss[k].done)
            return 0;
    return 1;
}

int sv__sched_at_live_edge(struct sv_player *p)
{
    sv__sched *s = p->sched;
    int waiting = 0;
    if (!s || !p->pres || !p->pres->live)
        return 0;
    for (int k = 0; k < s->nb; k++) {
        const sched_stream *ss = &s->ss[k];
        if (ss->done)
            continue;
        /* A segment read as it is written, or the last entry listed (an
         * LL-HLS preload hint the server holds), is the edge too. */
        int edge = ss->fetch_id && !ss->fetch_is_init && (ss->growing || ss->fetch_last);
        if (!edge && (!ss->waiting_live || ss->fetch_id || sv__recv_busy(ss->recv)))
            return 0;
        waiting = 1;
    }
    return waiting;
}

double sv__sched_throughput_bps(struct sv_player *p)
{
    return p->sched ? sv_abr_estimator_get_kbps(p->sched->tput.est) * 1000 : 0;
}
