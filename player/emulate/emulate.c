/*
 * sv_emulate_run() (streamverse/emulate.h): a player whose loop runs on the
 * caller's thread, on a virtual clock, over the trace transport, with the
 * playout model in place of demux threads and outputs.
 *
 * The player is configured as a host with a video sink that renders on its
 * own thread (host_renders, never called) and, with audio, an audio sink
 * that is never opened: the control state machine then picks the same
 * tracks and streams as in playback, and the playout model answers for the
 * outputs.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/alloc.h"
#include "player/emulate/emulate_internal.h"
#include "player/core/internal.h"
#include "streamverse/emulate.h"

#define WATCH_S 0.05

/* Sinks that are never driven: no frame is decoded, no sample pulled. */
static int vsink_present(void *opaque, const sv_video_frame *frame)
{
    (void)opaque;
    (void)frame;
    return 0;
}

static int asink_open(void *opaque, const sv_audio_format *wanted, sv_audio_format *obtained,
                      sv_audio_pull_fn pull, void *pull_opaque)
{
    (void)opaque;
    (void)pull;
    (void)pull_opaque;
    *obtained = *wanted;
    return 0;
}

static void asink_pause(void *opaque, int paused)
{
    (void)opaque;
    (void)paused;
}

static void asink_close(void *opaque)
{
    (void)opaque;
}

typedef struct session {
    struct sv_player *p;
    double limit_s;
    int error;
    char message[256];
    int timed_out;
} session;

/* Watches the player from the loop: drains its events (keeping the first
 * fatal error's text) and stops the loop at the end. */
static void watch(void *arg)
{
    session *s = arg;
    struct sv_player *p = s->p;
    const sv_event *ev;
    while ((ev = sv__events_wait(&p->events, 0))->id != SV_EVENT_NONE)
        if (ev->id == SV_EVENT_ERROR && ev->data.error.fatal && !s->error) {
            s->error = ev->error ? ev->error : SV_ERR_INTERNAL;
            snprintf(s->message, sizeof(s->message), "%s",
                     ev->data.error.message ? ev->data.error.message : sv_strerror(s->error));
        }
    sv__mutex_lock(&p->st.lock);
    sv_player_state st = p->st.state;
    sv__mutex_unlock(&p->st.lock);
    if (p->pres && p->pres->kind == SV__SOURCE_FILE && !s->error) {
        /* A plain file is demuxed whole by libavformat: there are no
         * segments for the link to carry. */
        s->error = SV_ERR_UNSUPPORTED;
        snprintf(s->message, sizeof(s->message),
                 "%s is a plain media file: emulation needs HLS or DASH segments", p->pres->url);
    }
    if (st == SV_STATE_ENDED || st == SV_STATE_ERROR || s->error) {
        sv__loop_stop(p->loop);
        return;
    }
    if (sv__player_now(p) >= s->limit_s) {
        s->timed_out = 1;
        sv__loop_stop(p->loop);
        return;
    }
    sv__loop_timer(p->loop, WATCH_S, watch, s);
}

void sv_emulate_default_config(sv_emulate_config *cfg)
{
    if (!cfg)
        return;
    memset(cfg, 0, sizeof(*cfg));
    cfg->rtt_s = 0.08;
    cfg->payload_ratio = 0.95;
    cfg->start_buffer_s = 2;
    cfg->buffer_goal_s = 60;
    cfg->sizes_known = 1;
    cfg->max_session_s = 3600;
    cfg->log_level = SV_LOG_ERROR;
}

void sv_emulate_report_free(sv_emulate_report *r)
{
    if (!r)
        return;
    sv__free(NULL, r->steps);
    sv__free(NULL, r->bitrates_kbps);
    sv__free(NULL, r);
}

/* The rule exists and takes the parameters. */
static int rule_ok(const sv_emulate_config *c)
{
    const sv_abr_rule *rule = sv_abr_rule_find(c->abr_rule ? c->abr_rule : "hybrid");
    return rule && sv__abr_params_ok(rule, c->abr_params, c->num_abr_params);
}

static int config_ok(const sv_emulate_config *c)
{
    return c->rtt_s >= 0 && c->rtt_s <= 60 && c->payload_ratio > 0 && c->payload_ratio <= 1 &&
           c->start_buffer_s >= 0 && c->buffer_goal_s > 0 && c->buffer_goal_s <= 3600 &&
           c->max_session_s > 0 && c->max_session_s <= 864000 && rule_ok(c);
}

int sv_emulate_run(const char *url, const sv_trace *trace, const sv_emulate_config *cfg_in,
                   sv_emulate_report **out, char *err, size_t errlen)
{
    sv_emulate_config cfg;
    sv_clock *clock = NULL;
    sv__transport *link = NULL;
    struct sv_player *p = NULL;
    sv__emu *emu = NULL;
    sv_emulate_report *rep = NULL;
    sv_emulate_video *sizes = NULL;
    session s = { 0 };
    char dummy[8];
    int ret;

    if (!err || !errlen) {
        err = dummy;
        errlen = sizeof(dummy);
    }
    err[0] = '\0';
    if (out)
        *out = NULL;
    if (cfg_in)
        cfg = *cfg_in;
    else
        sv_emulate_default_config(&cfg);
    if (!url || !*url || !trace || !out || !config_ok(&cfg)) {
        snprintf(err, errlen, "invalid arguments (a URL, a trace, a valid configuration, "
                              "a known rule and parameters it takes are needed)");
        return SV_ERR_INVALID;
    }

    sv_video_sink vsink = { .struct_size = sizeof(vsink), .present = vsink_present };
    sv_audio_sink asink = { .struct_size = sizeof(asink), .open = asink_open,
                            .pause = asink_pause, .close = asink_close };
    sv_player_settings st;
    sv_player_default_settings(&st);
    st.video_sink = &vsink;
    st.host_renders = 1;
    st.audio_sink = cfg.with_audio ? &asink : NULL;
    st.abr_rule = cfg.abr_rule ? cfg.abr_rule : "hybrid";
    st.abr_params = cfg.abr_params;
    st.num_abr_params = cfg.num_abr_params;
    st.start_buffer_s = cfg.start_buffer_s;
    st.buffer_goal_s = cfg.buffer_goal_s;
    st.buffer_max_s = cfg.buffer_goal_s > st.buffer_max_s ? cfg.buffer_goal_s : st.buffer_max_s;
    st.log_cb = cfg.log_cb;
    st.log_opaque = cfg.log_opaque;
    st.log_level = cfg.log_level;

    if (cfg.sizes_known && (ret = sv_emulate_describe(url, 0, &sizes, err, errlen)) < 0)
        goto fail;
    sv__trace_link_config lc = { .trace = trace, .rtt_s = cfg.rtt_s,
                                 .payload_ratio = cfg.payload_ratio };
    if ((ret = sv_clock_virtual_create(&clock, 0)) < 0 ||
        (ret = sv__transport_trace_create(&link, clock, &lc)) < 0) {
        snprintf(err, errlen, "cannot set up the emulated link: %s", sv_strerror(ret));
        goto fail;
    }
    st.clock = clock;
    sv__transport *given = link;
    link = NULL; /* the player owns it from here on, even when creation fails */
    ret = sv__player_create(&p, &st, given, 0);
    if (ret < 0) {
        snprintf(err, errlen, "cannot create the player: %s", sv_strerror(ret));
        goto fail;
    }
    if ((ret = sv__emu_create(&emu, p, p->transport)) < 0)
        goto fail;
    p->playout = sv__emu_playout(emu);
    p->chunk_sink = sv__emu_sink(emu);
    p->size_table = sizes ? &sizes->video : NULL;
    s.p = p;
    s.limit_s = sv__player_now(p) + cfg.max_session_s;
    if ((ret = sv_player_load(p, url, NULL, 0)) < 0 ||
        (ret = (int)sv__loop_timer(p->loop, WATCH_S, watch, &s)) < 0) {
        snprintf(err, errlen, "cannot start loading %s: %s", url, sv_strerror(ret));
        goto fail;
    }
    ret = sv__loop_run(p->loop);
    /* The last events (an error the watch has not seen yet). */
    watch(&s);
    if (ret < 0 && !s.error) {
        s.error = ret;
        snprintf(s.message, sizeof(s.message), "the emulated link failed: %s", sv_strerror(ret));
    }
    if (s.error) {
        ret = s.error;
        snprintf(err, errlen, "%s", s.message);
        goto fail;
    }
    if (s.timed_out) {
        ret = SV_ERR_TIMEOUT;
        snprintf(err, errlen, "%s did not play to its end within %.0f s of emulated time", url,
                 cfg.max_session_s);
        goto fail;
    }
    if (!(rep = sv__calloc(NULL, 1, sizeof(*rep)))) {
        ret = SV_ERR_NOMEM;
        goto fail;
    }
    rep->stats.struct_size = sizeof(rep->stats);
    sv_player_get_stats(p, &rep->stats);
    if ((ret = sv__emu_report(emu, &rep->steps, &rep->num_steps, &rep->bitrates_kbps,
                              &rep->num_rungs, &rep->result)) < 0)
        goto fail;
    rep->result.startup_s = rep->stats.startup_time_s > 0 ? rep->stats.startup_time_s : 0;
    sv__control_unload(p);
    sv_player_destroy(p);
    sv__emu_destroy(emu);
    sv_emulate_video_free(sizes);
    sv_clock_destroy(clock);
    *out = rep;
    return 0;

fail:
    if (!err[0])
        snprintf(err, errlen, "%s", sv_strerror(ret));
    if (p) {
        sv__control_unload(p);
        sv_player_destroy(p);
    } else {
        sv__transport_destroy(link);
    }
    sv__emu_destroy(emu);
    sv_emulate_video_free(sizes);
    sv_emulate_report_free(rep);
    sv_clock_destroy(clock);
    return ret;
}
