/*
 * The top of the control loop: commands from the public API arrive here as
 * loop tasks (sv__control_run_cmd) and go down to the loads
 * (control_load.c), the tick (control_tick.c) and the features (trick play,
 * live seeks, preload, interstitials). Here too are the ways up: the env
 * the stages below the core report through, the sessions' host, and the
 * hooks through which the core's lower layers reach the higher ones
 * (internal.h has the order of the layers).
 *
 * Loop thread only, except the env's callbacks, which any thread may call.
 */
#include "player/core/internal.h"

/* The way up for the stages below the core (output/status.h). */
static void env_changed(void *opaque)
{
    sv__control_notify(opaque);
}

static void env_error(void *opaque, int code, int fatal, const char *message)
{
    sv__control_error(opaque, code, fatal, "%s", message);
}

static void env_event(void *opaque, const sv_event *ev, const char *t0, const char *t1,
                      const char *t2)
{
    struct sv_player *p = opaque;
    sv__events_push(&p->events, ev, t0, t1, t2);
}

/* A backend session answered with what to load (session/session.h). */
static void session_load(void *opaque, uint64_t userdata, char *url, const sv_load_options *opts)
{
    struct sv_player *p = opaque;
    sv__cmd *c = sv__calloc(p->settings.allocator, 1, sizeof(*c));

    if (!c) {
        sv__free(p->settings.allocator, url);
        sv__free(p->settings.allocator, (char *)opts->auth_token);
        sv__free(p->settings.allocator, (char *)opts->license_url);
        sv__control_error(p, SV_ERR_NOMEM, 1, "out of memory loading the session's manifest");
        return;
    }
    c->player = p;
    c->kind = SV__CMD_LOAD;
    c->userdata = userdata;
    c->url = url;
    c->opts = *opts;
    sv__control_load(p, c, 1);
}

void sv__control_session_host(struct sv_player *p, sv__session_host *host)
{
    *host = (sv__session_host){ .env = &p->env, .loop = p->loop, .fetcher = p->fetcher,
                                .load = session_load, .opaque = p };
}

void sv__control_init_env(struct sv_player *p)
{
    p->env = (sv__env){ .st = &p->st, .clock = p->clock, .log = &p->log,
                        .alloc = p->settings.allocator,
                        .notify = { .opaque = p, .changed = env_changed, .error = env_error,
                                    .event = env_event, .timed = sv__control_env_timed },
                        .timed = p->timed };
}

void sv__control_init_hooks(struct sv_player *p)
{
    p->hooks = (sv__control_hooks){ .restart = sv__control_restart,
                                    .start_loaded = sv__control_start_loaded,
                                    .load = sv__control_load,
                                    .asset_failed = sv__inter_asset_failed,
                                    .timed = sv__inter_event,
                                    .preloaded = sv__inter_preloaded };
}

/* ---- commands ---------------------------------------------------------------------- */

static void set_outputs_playing(struct sv_player *p, int playing)
{
    p->playout->set_playing(p->playout->opaque, playing);
}

static int cmd_pause(struct sv_player *p, int paused)
{
    sv_player_state st = sv__control_get_state(p);
    if (!p->pres || st == SV_STATE_IDLE || st == SV_STATE_ERROR)
        return SV_ERR_STATE;
    if (paused && sv__trick_active(p))
        return sv__trick_end(p, 1); /* rate 1, paused at the key frame shown */
    p->paused_by_user = paused;
    if (paused && st == SV_STATE_PLAYING) {
        set_outputs_playing(p, 0);
        sv__set_state(p, SV_STATE_PAUSED);
    } else if (!paused && st == SV_STATE_PAUSED) {
        /* Live, paused longer than the rate can make up: back to the live
         * start now, as the next tick would after a late frame or two. */
        sv__cmd live = { .player = p, .kind = SV__CMD_SEEK, .flags = SV__SEEK_LIVE };
        if (sv__latency_resume_late(p) && sv__control_seek(p, &live) == 0)
            return 0;
        set_outputs_playing(p, 1);
        sv__set_state(p, SV_STATE_PLAYING);
    }
    return 0;
}

void sv__control_run_cmd(void *arg)
{
    sv__cmd *c = arg;
    struct sv_player *p = c->player;
    int r = 0;
    switch (c->kind) {
    case SV__CMD_LOAD:
        sv__session_end(p->sessions);
        sv__control_load(p, c, 0);
        return; /* the player keeps c */
    case SV__CMD_LOAD_TITLE:
        /* Ends the current session, starts a new one and loads what it answers. */
        sv__session_end(p->sessions);
        sv__control_begin_pending(p, c->userdata);
        sv__session_start(p->sessions, &c->session, c->userdata);
        break;
    case SV__CMD_PAUSE:
        r = cmd_pause(p, c->ivalue);
        break;
    case SV__CMD_SEEK:
        if (sv__control_seek_refused(p))
            r = SV_ERR_FORBIDDEN;
        else if (sv__trick_active(p))
            r = sv__trick_seek(p, c);
        else
            r = sv__inter_seek(p, c) ? 0 : sv__control_seek(p, c);
        break;
    case SV__CMD_TRICK: /* fast forward would skip an ad that may not be skipped */
        r = c->ivalue != 1 && sv__control_seek_refused(p) ? SV_ERR_FORBIDDEN
                                                          : sv__trick_set(p, c->ivalue);
        break;
    case SV__CMD_PRELOAD:
        sv__preload_start(p, c);
        return; /* the preload keeps c and replies when it ends */
    case SV__CMD_STOP:
        sv__inter_reset(p, 0);
        sv__preload_stop(p);
        sv__control_reply_load(p, SV_ERR_CANCELLED);
        sv__session_end(p->sessions);
        sv__control_unload(p);
        sv__set_state(p, SV_STATE_IDLE);
        break;
    case SV__CMD_QUALITY:
        if (!p->pres) {
            r = SV_ERR_STATE;
            break;
        }
        sv__sched_lock_quality(p, c->ivalue);
        sv__mutex_lock(&p->st.lock);
        p->st.quality_locked = c->ivalue >= 0;
        sv__mutex_unlock(&p->st.lock);
        break;
    case SV__CMD_TRACK:
        r = sv__control_select_track(p, c->track_type, c->ivalue);
        break;
    }
    if (c->kind != SV__CMD_LOAD_TITLE)
        sv__control_reply(p, c->userdata, r);
    sv__cmd_free(c);
}
