/*
 * The bottom of the control loop: the player's state and its events, the
 * replies to commands, errors, and commands freed. Every layer of the core
 * above the scheduler calls these; they call nothing above them (an
 * interstitial's asset that fails reaches the interstitials through the
 * asset_failed hook, internal.h).
 *
 * Loop thread only, except sv__control_error, which any thread may call.
 */
#include <stdarg.h>
#include <stdio.h>

#include "player/core/internal.h"

void sv__set_state(struct sv_player *p, sv_player_state st)
{
    sv__mutex_lock(&p->st.lock);
    sv_player_state old = p->st.state;
    p->st.state = st;
    sv__mutex_unlock(&p->st.lock);
    if (old == st)
        return;
    PLOGD(p, "state %s -> %s", sv_player_state_name(old), sv_player_state_name(st));
    sv_event ev = { .id = SV_EVENT_STATE_CHANGED };
    ev.data.state.state = st;
    ev.data.state.old_state = old;
    sv__events_push(&p->events, &ev, NULL, NULL, NULL);
}

sv_player_state sv__control_get_state(struct sv_player *p)
{
    sv__mutex_lock(&p->st.lock);
    sv_player_state st = p->st.state;
    sv__mutex_unlock(&p->st.lock);
    return st;
}

void sv__control_reply(struct sv_player *p, uint64_t userdata, int error)
{
    sv_event ev = { .id = SV_EVENT_COMMAND_REPLY, .error = error, .reply_userdata = userdata };
    sv__events_push(&p->events, &ev, NULL, NULL, NULL);
}

void sv__control_reply_load(struct sv_player *p, int error)
{
    if (p->load_replied)
        return;
    p->load_replied = 1;
    sv__control_reply(p, p->load_userdata, error);
}

/* ---- errors from any thread ---------------------------------------------------- */

typedef struct fatal_task { struct sv_player *p; int code; } fatal_task;

static void on_fatal(void *arg)
{
    fatal_task *t = arg;
    struct sv_player *p = t->p;
    /* A backend session ends with the playback it was for. */
    sv__session_end(p->sessions);
    if (p->pres || p->vstream || !p->load_replied) {
        sv__sched_stop(p);
        sv__vout_set_playing(p->vout, 0);
        sv__aout_set_playing(p->aout, 0);
        sv__set_state(p, SV_STATE_ERROR);
        sv__control_reply_load(p, t->code);
    }
    sv__free(p->settings.allocator, t);
}

void sv__control_error(struct sv_player *p, int code, int fatal, const char *fmt, ...)
{
    char msg[SV__EVENT_TEXT];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    /* An interstitial's asset that fails is skipped, not the playback. */
    if (fatal && !atomic_load(&p->failed) && p->hooks.asset_failed(p, code, msg))
        return;
    if (fatal && atomic_exchange(&p->failed, 1))
        return; /* the first fatal error stops playback; later ones are echoes */
    /* A fatal error reaches the host as an event; the log keeps it quieter. */
    sv__log(&p->log, fatal ? SV_LOG_INFO : SV_LOG_WARN, "player", "%s", msg);
    sv_event ev = { .id = SV_EVENT_ERROR, .error = code };
    ev.data.error.fatal = fatal;
    sv__events_push(&p->events, &ev, msg, NULL, NULL);
    if (!fatal)
        return;
    fatal_task *t = sv__malloc(p->settings.allocator, sizeof(*t));
    if (t) {
        *t = (fatal_task){ p, code };
        if (sv__loop_post(p->loop, on_fatal, t) < 0)
            sv__free(p->settings.allocator, t);
    }
}

/* ---- commands -------------------------------------------------------------------- */

void sv__cmd_free(sv__cmd *c)
{
    if (!c)
        return;
    if (c->cdns) {
        for (size_t i = 0; i < c->opts.nb_cdns; i++) {
            sv__free(c->player->settings.allocator, (char *)c->cdns[i].id);
            sv__free(c->player->settings.allocator, (char *)c->cdns[i].base_url);
        }
        sv__free(c->player->settings.allocator, c->cdns);
    }
    sv__free(c->player->settings.allocator, (char *)c->opts.license_url);
    sv__free(c->player->settings.allocator, (char *)c->opts.auth_token);
    sv__free(c->player->settings.allocator, (char *)c->session.server_url);
    sv__free(c->player->settings.allocator, (char *)c->session.user_token);
    sv__free(c->player->settings.allocator, (char *)c->session.device_id);
    sv__free(c->player->settings.allocator, c->url);
    sv__free(c->player->settings.allocator, c);
}
