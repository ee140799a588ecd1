/*
 * Segments that cannot be fetched (docs/sdk.md, "Segment faults"). The
 * fetcher has already retried such a segment with back-off on every CDN for
 * as long as media was buffered (net/fetcher.h); when it gives up, the
 * buffer is spent and this file decides:
 *
 *   - skip it: the stream moves past it, the playout is told of the gap so
 *     audio and video go over it together, the skip is counted in the stats
 *     and reported as SV_EVENT_SEGMENT_SKIPPED (as ffmpeg and Shaka do);
 *   - or fetch it again: within one outage (no segment fetched since the
 *     first give-up) only the first segment is skipped, and later ones only
 *     when the fault is the segment's own (404, 410, a short body), so a dead
 *     network or origin does not race through the presentation skipping
 *     everything;
 *   - or end the load: the outage has lasted settings.fetch_give_up_ms. The
 *     streams end where they are, what is buffered plays out, and only then
 *     does the control loop report the error (sv__sched_failure).
 *
 * Loop thread only.
 */
#include <stdio.h>
#include <string.h>

#include "player/core/scheduler_internal.h"

/* Between two rounds of attempts at a segment within an outage. */
#define RETRY_WAIT_S 0.5

static double now_s(const sv__sched *s)
{
    return sv__loop_now(s->p->loop);
}

static double give_up_s(const sv__sched *s)
{
    return s->p->settings.fetch_give_up_ms / 1000.0;
}

void sv__sched_progress(sv__sched *s)
{
    s->outage_start = 0;
}

void sv__sched_give_up(sv__sched *s, int code, const char *msg)
{
    struct sv_player *p = s->p;

    if (s->failed)
        return;
    s->failed = 1;
    s->fail_code = code < 0 ? code : SV_ERR_NETWORK;
    snprintf(s->fail_msg, sizeof(s->fail_msg), "%s", msg);
    PLOGW(p, "giving up: %s; playing out what is buffered", msg);
    sv__sched_cancel(s);
    for (int k = 0; k < s->nb; k++)
        if (!s->ss[k].done)
            sv__sched_end_stream(&s->ss[k]);
    /* The tick sees the play-out end and reports the error then. */
}

int sv__sched_failure(struct sv_player *p, char *msg, size_t cap)
{
    sv__sched *s = p->sched;

    if (!s || !s->failed)
        return 0;
    snprintf(msg, cap, "%s", s->fail_msg);
    return s->fail_code;
}

/* The gap of the segment `ss` was fetching: stats, event, warning, playout. */
static void skip(sched_stream *ss, const sv__fetch_result *r)
{
    sv__sched *s = ss->owner;
    struct sv_player *p = s->p;
    double from = ss->seg.start, to = ss->seg.start + ss->seg.duration;
    const char *url = r->url && *r->url ? r->url : ss->seg_url;
    const char *why = r->message;

    /* The fetcher's message is "GET <url>: <cause> (<n> attempts)": the
     * event carries the URL apart, so its reason is the cause. */
    const char *colon = url ? strstr(why, url) : NULL;
    if (colon && colon[strlen(url)] == ':')
        why = colon + strlen(url) + 2;
    sv__mutex_lock(&p->st.lock);
    p->st.stats.skipped_segments++;
    p->st.stats.skipped_s += ss->seg.duration;
    sv__mutex_unlock(&p->st.lock);
    sv__env_error(&p->env, r->error, 0, "segment skipped (%.3f s at %.3f s): %s", ss->seg.duration,
                  from, r->message);
    sv_event ev = { .id = SV_EVENT_SEGMENT_SKIPPED, .error = r->error };
    ev.data.skip.type = ss->type;
    ev.data.skip.start_s = from;
    ev.data.skip.duration_s = ss->seg.duration;
    sv__env_event(&p->env, &ev, url, why, NULL);
    if (p->playout->gap)
        p->playout->gap(p->playout->opaque, s->gen, from, to);
    /* An init segment that failed takes its first media segment with it;
     * the next one asks for the init again (init_pending stays set). */
    ss->fetch_is_init = 0;
    ss->next_time = to;
    /* buffered_end stays where the media ends: the gap is no buffer, and
     * the fetcher's probe must see the buffer spent while the next segment
     * fails too. The next delivery moves it past the gap. */
}

void sv__sched_segment_failed(sched_stream *ss, const sv__fetch_result *r)
{
    sv__sched *s = ss->owner;
    double now = now_s(s);
    int first = s->outage_start == 0;

    if (first)
        s->outage_start = now;
    if (now - s->outage_start >= give_up_s(s)) {
        char msg[SV__EVENT_TEXT];
        snprintf(msg, sizeof(msg), "nothing could be fetched for %.1f s: %.160s",
                 now - s->outage_start, r->message);
        sv__sched_give_up(s, r->error, msg);
        return;
    }
    /* A missing or cut segment (404, 410, a short 2xx body) is the
     * segment's own fault: skipping it again and again is right. A server
     * error or no answer at all is the network's: one skip, then wait. */
    int segment_fault = r->status == 404 || r->status == 410 ||
                        (r->status >= 200 && r->status < 300);
    if (first || segment_fault) {
        skip(ss, r);
        sv__sched_pump(ss);
        return;
    }
    /* A 403 or a refused connection fails at once: the next round of
     * attempts waits a little, so an outage never spins. */
    PLOGI(s->p, "%s; trying it again (outage of %.1f s)", r->message, now - s->outage_start);
    sv__sched_pump_later(ss, RETRY_WAIT_S);
}

static void outage_due(void *arg)
{
    sv__sched *s = arg;
    s->outage_timer = 0;
    sv__sched_live_check(s, s->p->pres->url);
}

void sv__sched_live_check(sv__sched *s, const char *manifest_url)
{
    struct sv_player *p = s->p;
    int at_edge = 0;

    if (!p->pres || !p->pres->live || s->failed)
        return;
    for (int k = 0; k < s->nb; k++)
        at_edge |= s->ss[k].waiting_live;
    sv__mutex_lock(&p->st.lock);
    double buffered = p->st.buffer_s;
    sv__mutex_unlock(&p->st.lock);
    /* Media still buffered, or neither at the live edge nor cut off from
     * the manifest (its reloads failing: a dead network, where the streams
     * go on asking for the parts the last playlist hinted at): nothing to
     * wait for yet. A segment fetched ends the outage (sv__sched_progress). */
    if (!(at_edge || s->refresh_failed) || buffered > 0.5)
        return;
    double now = now_s(s);
    if (!s->outage_start)
        s->outage_start = now;
    if (now - s->outage_start < give_up_s(s)) {
        /* A dead network answers nothing, not even the reloads that would
         * look again: a timer does, when the give-up is due. */
        if (!s->outage_timer && (s->outage_timer = sv__loop_timer(
                                     p->loop, s->outage_start + give_up_s(s) - now + 0.05,
                                     outage_due, s)) < 0)
            s->outage_timer = 0;
        return;
    }
    char msg[SV__EVENT_TEXT];
    snprintf(msg, sizeof(msg), "the live manifest %s %s: no new segment for %.1f s", manifest_url,
             s->refresh_failed ? "could not be reloaded" : "stopped advancing",
             now - s->last_delivery);
    sv__sched_give_up(s, SV_ERR_TIMEOUT, msg);
}
