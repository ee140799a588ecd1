/*
 * The control loop's tick: every TICK_S while a load is on, and at once when
 * an output reports (sv__control_notify), it measures the position and the
 * buffer and moves between buffering, playing, rebuffering and the end; it
 * hands the tick on to the features below it (interstitials, live latency,
 * subtitles, thumbnails, preload).
 *
 * Loop thread only, except sv__control_notify, which any thread may call.
 */
#include <math.h>

#include "player/core/internal.h"

#define TICK_S 0.05
#define REBUFFER_LOW_S 0.1
#define LIVE_EDGE_START_S 0.4 /* live, nothing more to fetch yet: least buffer to start */

static void check(void *arg);

/* ---- the tick ------------------------------------------------------------------ */

static void set_outputs_playing(struct sv_player *p, int playing)
{
    p->playout->set_playing(p->playout->opaque, playing);
}

/* Whether the load plays video (a plain file is taken to). */
static int plays_video(const struct sv_player *p)
{
    return !(p->video_track < 0 && p->pres);
}

/* Updates position, buffer and throughput; returns the buffer ahead. */
static double measure(struct sv_player *p)
{
    p->playout->update(p->playout->opaque);
    double end = sv__sched_buffered_end(p);
    double tput = sv__sched_throughput_bps(p);
    int has_video = p->video_track >= 0 || p->pres == NULL;
    double aclock = sv__aout_clock(p->aout);
    sv__mutex_lock(&p->st.lock);
    if (p->pres && p->pres->duration > 0) /* HLS: known once a media playlist is */
        p->st.duration_s = p->pres->duration;
    if (!has_video && !isnan(aclock))
        p->st.position_s = aclock;
    double ahead = isinf(end) ? p->st.duration_s - p->st.position_s : end - p->st.position_s;
    if (ahead < 0)
        ahead = 0;
    p->st.buffer_s = ahead;
    p->st.throughput_bps = tput;
    sv__mutex_unlock(&p->st.lock);
    return ahead;
}

static int media_ready(struct sv_player *p)
{
    return p->playout->ready(p->playout->opaque, plays_video(p));
}

static void finish(struct sv_player *p)
{
    set_outputs_playing(p, 0);
    sv__set_state(p, SV_STATE_ENDED);
    sv__control_reply_load(p, 0);
    sv__session_end(p->sessions);
    sv_event ev = { .id = SV_EVENT_END_OF_FILE };
    sv__events_push(&p->events, &ev, NULL, NULL, NULL);
}

static void start_playing(struct sv_player *p)
{
    double now = sv__player_now(p);
    p->gapless_start = 0;
    if (p->rebuffer_start_s >= 0) {
        double d = now - p->rebuffer_start_s;
        p->rebuffer_start_s = -1;
        sv__mutex_lock(&p->st.lock);
        p->st.stats.rebuffer_time_s += d;
        sv__mutex_unlock(&p->st.lock);
        sv_event ev = { .id = SV_EVENT_REBUFFER_END };
        ev.data.rebuffer.duration_s = d;
        sv__events_push(&p->events, &ev, NULL, NULL, NULL);
    }
    if (p->paused_by_user) {
        sv__set_state(p, SV_STATE_PAUSED);
    } else {
        set_outputs_playing(p, 1);
        sv__set_state(p, SV_STATE_PLAYING);
    }
    sv__control_reply_load(p, 0);
}

/* Live, later than the latency can be made up by the rate: back to the
 * live start (latency.c decides when). 0 or the seek's negative code. */
static int catch_up(struct sv_player *p)
{
    sv__cmd c = { .player = p, .kind = SV__CMD_SEEK, .flags = SV__SEEK_LIVE };
    return sv__control_seek(p, &c);
}

static void check(void *arg)
{
    struct sv_player *p = arg;
    if (!p->pres && !p->vstream)
        return;
    sv_player_state st = sv__control_get_state(p);
    if (st == SV_STATE_ERROR || st == SV_STATE_IDLE || sv__trick_active(p))
        return; /* trick play paces itself (control_trick.c) */
    /* Interstitials first: a pre-roll plays before the primary's first frame. */
    sv__control_take_events(p);
    if (sv__inter_tick(p))
        return;
    double ahead = measure(p), frozen = 0;
    int all = sv__sched_all_fetched(p);
    int shown = p->playout->shown(p->playout->opaque);

    if (shown && p->stats_startup_pending) {
        p->stats_startup_pending = 0;
        sv__mutex_lock(&p->st.lock);
        p->st.stats.startup_time_s = sv__player_now(p) - p->load_time_s;
        sv__mutex_unlock(&p->st.lock);
    }
    if (st == SV_STATE_SEEKING && (shown || p->video_track < 0)) {
        sv_event ev = { .id = SV_EVENT_SEEK_DONE };
        sv__mutex_lock(&p->st.lock);
        ev.data.seek.position_s = p->st.position_s;
        sv__mutex_unlock(&p->st.lock);
        sv__events_push(&p->events, &ev, NULL, NULL, NULL);
        sv__set_state(p, SV_STATE_BUFFERING);
        st = SV_STATE_BUFFERING;
    }
    if (p->playout->done(p->playout->opaque, plays_video(p)) && (all || !p->pres) &&
        st != SV_STATE_ENDED) {
        /* The scheduler gave up: what was buffered has played out, now the
         * error ends the load. */
        char msg[SV__EVENT_TEXT];
        int code = sv__sched_failure(p, msg, sizeof(msg));
        if (code < 0) {
            sv__control_error(p, code, 1, "%s", msg);
            return;
        }
        /* The end, once the subtitles reported every cue up to it too. */
        if (sv__subs_finish(p->subs)) {
            if (!sv__inter_at_end(p)) /* a break, the next asset, or back to the primary */
                finish(p);
            return;
        }
    }
    if (p->gapless_start) {
        /* The previous item still sounds: this one plays once it is heard. */
        if (st == SV_STATE_BUFFERING && !sv__aout_seam_pending(p->aout))
            start_playing(p);
    } else if ((st == SV_STATE_BUFFERING || st == SV_STATE_LOADING) && media_ready(p) &&
        (ahead >= p->settings.start_buffer_s || all || !p->pres || p->settings.benchmark ||
         (ahead >= LIVE_EDGE_START_S && sv__sched_at_live_edge(p)))) {
        start_playing(p);
    } else if (st == SV_STATE_PLAYING && p->pres && !all && !p->settings.benchmark &&
               (ahead < REBUFFER_LOW_S ||
                (ahead < LIVE_EDGE_START_S && (frozen = sv__sched_edge_frozen(p)) > 0))) {
        set_outputs_playing(p, 0);
        p->rebuffer_start_s = sv__player_now(p) - frozen; /* since the picture stood still */
        sv__mutex_lock(&p->st.lock);
        p->st.stats.rebuffer_count++;
        sv__mutex_unlock(&p->st.lock);
        sv_event ev = { .id = SV_EVENT_REBUFFER_START };
        sv__events_push(&p->events, &ev, NULL, NULL, NULL);
        sv__set_state(p, SV_STATE_BUFFERING);
    }
    sv__sched_kick(p);
    if (sv__latency_tick(p, sv__control_get_state(p) == SV_STATE_PLAYING, ahead) &&
        catch_up(p) < 0)
        sv__latency_follow(p, ahead);
    sv__mutex_lock(&p->st.lock);
    double pos = p->st.position_s;
    sv__mutex_unlock(&p->st.lock);
    sv__subs_tick(p->subs, pos);
    sv__control_take_events(p);
    /* Video reports timed events as its frames are shown; without video
     * the position is the audio clock's, read here. */
    if (!plays_video(p) && sv__control_get_state(p) == SV_STATE_PLAYING)
        sv__timed_reached(p->timed, pos, 0);
    sv__thumbs_tick(p->thumbs, pos);
    sv__preload_tick(p);
}

static void tick(void *arg)
{
    struct sv_player *p = arg;
    p->tick_timer = 0;
    check(p);
    /* Also while the manifest is on its way: a manifest slower than one
     * tick must not leave the load without its tick. */
    if (p->pres || p->vstream || p->manifest_fetch)
        p->tick_timer = sv__loop_timer(p->loop, TICK_S, tick, p);
}

void sv__control_tick_start(struct sv_player *p)
{
    p->tick_timer = sv__loop_timer(p->loop, TICK_S, tick, p);
}

/* ---- notifications from any thread ------------------------------------------------ */

static void notified(void *arg)
{
    struct sv_player *p = arg;
    atomic_store(&p->notify_pending, 0);
    check(p);
}

void sv__control_notify(struct sv_player *p)
{
    if (!atomic_exchange(&p->notify_pending, 1) && sv__loop_post(p->loop, notified, p) < 0)
        atomic_store(&p->notify_pending, 0);
}
