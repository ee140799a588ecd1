/*
 * Windowed runs: the SDL2 sinks, with SDL on the main thread and the player
 * set to host_renders. One loop does everything: wait for an SDL event at
 * most until the next frame is due, handle keys, let the player present,
 * drain the player's events. The player's wakeup callback posts an SDL user
 * event so that loop wakes for player events too.
 */
#include <SDL.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <streamverse/sdl2.h>

#include "catalog.h"
#include "seekbar.h"
#include "svplay.h"

#define OSD_PERIOD_NS 250000000LL
#define MESSAGE_NS 2000000000LL
/* Longest sleep between render calls: a frame queued without a wakeup is
 * still shown within this (10 ms). */
#define MAX_WAIT_MS 10

typedef struct window {
    svp_app *app;
    sv_video_sink *vsink;
    sv_audio_sink *asink;
    int null_audio;             /* no sound device: a null sink keeps the clock */
    Uint32 wake_type;           /* our SDL user event */
    atomic_int wake_pending;    /* one wakeup event in the SDL queue at most */
    int osd_on;
    int64_t osd_next_ns;
    char message[160];
    int64_t message_until_ns;   /* 0: no message shown */
    int overlay_stale;          /* overlay text must be rebuilt now */
    svp_catalog_ui *cat;        /* catalog mode (--server, no title), else NULL */
    svp_seekbar *bar;           /* the seek bar with thumbnails (seekbar.h) */
    /* The last cue reported with a style: drawn so while it is the text shown. */
    char cue_text[200];
    sv_cue_style cue_style;
    int cue_styled;
    int trick;                  /* trick_rate() */
} window;

/* The subtitle shown changed: drawn with its style when it is one cue or
 * caption window that has one (the player's, or else that of the last cue
 * reported, when it is that text); several at once are drawn plain,
 * stacked. */
static void show_subtitle(window *w)
{
    char text[4096];
    sv_cue_style style;

    sv_player_get_subtitle(w->app->player, text, sizeof(text));
    if (text[0] && sv_player_get_subtitle_style(w->app->player, &style, sizeof(style)) == 1)
        sv_sdl2_video_set_subtitle_styled(w->vsink, text, &style);
    else if (w->cue_styled && text[0] && !strncmp(text, w->cue_text, sizeof(w->cue_text) - 1))
        sv_sdl2_video_set_subtitle_styled(w->vsink, text, &w->cue_style);
    else
        sv_sdl2_video_set_subtitle(w->vsink, text[0] ? text : NULL);
}

static void on_wakeup(void *opaque)
{
    window *w = opaque;
    /* Called on a player thread: only post, never call the player. */
    if (!atomic_exchange(&w->wake_pending, 1)) {
        SDL_Event e;
        SDL_zero(e);
        e.type = w->wake_type;
        SDL_PushEvent(&e);
    }
}

/* The trick-play rate asked for last (1: none): keys pressed faster than
 * the player answers each double the one before. An SV_EVENT_TRICK_RATE
 * of 1 (the player stopped at an end) resets it. */
static int trick_rate(window *w)
{
    return w->trick ? w->trick : 1;
}

static void show_message(window *w, const char *text)
{
    snprintf(w->message, sizeof(w->message), "%s", text);
    w->message_until_ns = svp_now_ns() + MESSAGE_NS;
    w->overlay_stale = 1;
}

static void update_overlay(window *w)
{
    char text[1024] = "";
    int64_t now = svp_now_ns();

    if (w->message_until_ns && now >= w->message_until_ns) {
        w->message_until_ns = 0;
        w->overlay_stale = 1;
    }
    int trick = trick_rate(w);
    if (!w->overlay_stale && !((w->osd_on || trick != 1) && now >= w->osd_next_ns))
        return;
    if (w->osd_on) {
        svp_osd_format(w->app->player, text, sizeof(text));
    } else if (trick != 1) {
        /* Trick play shows its speed (and the position) without the panel. */
        double pos = 0;
        char label[32], tpos[32];
        sv_player_get_double(w->app->player, SV_PROP_POSITION, &pos);
        svp_trick_label(trick, label, sizeof(label));
        svp_format_time(tpos, sizeof(tpos), pos);
        snprintf(text, sizeof(text), "%s %s  %s", trick > 0 ? ">>" : "<<", label, tpos);
    }
    w->osd_next_ns = now + OSD_PERIOD_NS;
    if (w->message_until_ns) {
        size_t len = strlen(text);
        snprintf(text + len, sizeof(text) - len, "%s%s", len ? "\n" : "", w->message);
    }
    sv_sdl2_video_set_overlay(w->vsink, text);
    w->overlay_stale = 0;
    /* While playing the next frame carries it; otherwise draw now. */
    if (w->app->state != SV_STATE_PLAYING)
        sv_sdl2_video_redraw(w->vsink);
}

static int selected_track(sv_player *p, sv_track_type type, int *count, sv_track_info *info)
{
    *count = sv_player_track_count(p, type);
    for (int i = 0; i < *count; i++) {
        if (sv_player_get_track(p, type, i, info) == 0 && info->selected)
            return i;
    }
    return -1;
}

static void cycle_quality(window *w)
{
    sv_player *p = w->app->player;
    sv_track_info ti = SV_TRACK_INFO_INIT;
    sv_representation_info ri = SV_REPRESENTATION_INFO_INIT;
    int64_t locked = 0, q = -1;
    int n = 0, next;
    char msg[160];

    int t = selected_track(p, SV_TRACK_VIDEO, &n, &ti);
    if (t < 0 || ti.nb_representations < 1) {
        show_message(w, "quality: no video");
        return;
    }
    sv_player_get_int64(p, SV_PROP_QUALITY_LOCKED, &locked);
    sv_player_get_int64(p, SV_PROP_QUALITY_INDEX, &q);
    next = locked ? (int)q + 1 : 0;
    if (next >= ti.nb_representations)
        next = -1;
    sv_player_set_quality(p, next, 0);
    if (next < 0)
        snprintf(msg, sizeof(msg), "quality: auto");
    else if (sv_player_get_representation(p, SV_TRACK_VIDEO, t, next, &ri) == 0)
        snprintf(msg, sizeof(msg), "quality: #%d %dx%d %lld kb/s", next, ri.width, ri.height,
                 (long long)(ri.bandwidth_bps / 1000));
    else
        snprintf(msg, sizeof(msg), "quality: #%d", next);
    show_message(w, msg);
}

static void cycle_track(window *w, sv_track_type type)
{
    sv_player *p = w->app->player;
    sv_track_info ti = SV_TRACK_INFO_INIT;
    int n = 0;
    char msg[160];
    const char *what = type == SV_TRACK_AUDIO ? "audio" : "subtitles";

    int sel = selected_track(p, type, &n, &ti);
    int next = sel + 1;
    if (next >= n)
        next = type == SV_TRACK_AUDIO ? 0 : -1; /* text cycles through "off" */
    if (n == 0 || (type == SV_TRACK_AUDIO && n == 1)) {
        snprintf(msg, sizeof(msg), "%s: %s", what, n ? "only one track" : "none");
    } else if (sv_player_select_track(p, type, next, 0) < 0) {
        snprintf(msg, sizeof(msg), "%s: cannot switch now", what);
    } else if (next < 0) {
        snprintf(msg, sizeof(msg), "%s: off", what);
        sv_sdl2_video_set_subtitle(w->vsink, NULL);
    } else if (sv_player_get_track(p, type, next, &ti) == 0) {
        snprintf(msg, sizeof(msg), "%s: %d/%d %s %s", what, next + 1, n,
                 ti.language[0] ? ti.language : "", ti.label);
    } else {
        snprintf(msg, sizeof(msg), "%s: %d/%d", what, next + 1, n);
    }
    show_message(w, msg);
}

static void change_volume(window *w, double delta)
{
    double v = 1;
    char msg[64];

    sv_player_get_double(w->app->player, SV_PROP_VOLUME, &v);
    v += delta;
    v = v < 0 ? 0 : v > 1 ? 1 : v;
    sv_player_set_volume(w->app->player, v);
    snprintf(msg, sizeof(msg), "volume %d%%", (int)(v * 100 + 0.5));
    show_message(w, msg);
}

static void seek_by(window *w, double s)
{
    char msg[64];

    /* An interstitial that may not be skipped (X-RESTRICT SKIP) refuses it. */
    if (sv_player_seek(w->app->player, s, SV_SEEK_RELATIVE | SV_SEEK_ACCURATE, 0) ==
        SV_ERR_FORBIDDEN) {
        fprintf(stderr, "svplay: this ad cannot be skipped\n");
        show_message(w, "this ad cannot be skipped");
        return;
    }
    svp_seekbar_show(w->bar);
    snprintf(msg, sizeof(msg), "seek %+.0f s", s);
    show_message(w, msg);
}

/* ']' and '[' (dir +1 / -1): faster forward or rewind; '\' (dir 0) back to 1x. */
static void trick_key(window *w, int dir)
{
    int rate = dir ? svp_trick_next(trick_rate(w), dir) : 1;
    char msg[64];
    int r = sv_player_set_trick_rate(w->app->player, rate, 0);
    if (r < 0) {
        snprintf(msg, sizeof(msg), "trick play: %s", sv_strerror(r));
    } else {
        w->trick = rate;
        svp_trick_label(rate, msg, sizeof(msg));
    }
    show_message(w, msg);
}

static void handle_key(window *w, SDL_Keycode key)
{
    svp_app *app = w->app;
    int64_t muted = 0;

    switch (key) {
    case SDLK_q:
    case SDLK_ESCAPE: app->done = 1; break;
    case SDLK_RIGHTBRACKET: trick_key(w, 1); break;
    case SDLK_LEFTBRACKET: trick_key(w, -1); break;
    case SDLK_BACKSLASH: trick_key(w, 0); break;
    case SDLK_SPACE:
    case SDLK_p:
        if (trick_rate(w) != 1) { /* from trick play: back to normal speed */
            trick_key(w, 0);
            break;
        }
        sv_player_set_pause(app->player, app->state != SV_STATE_PAUSED, 0);
        show_message(w, app->state != SV_STATE_PAUSED ? "pause" : "play");
        break;
    case SDLK_LEFT: seek_by(w, -10); break;
    case SDLK_RIGHT: seek_by(w, 10); break;
    case SDLK_DOWN: seek_by(w, -60); break;
    case SDLK_UP: seek_by(w, 60); break;
    case SDLK_f: sv_sdl2_video_set_fullscreen(w->vsink, -1); break;
    case SDLK_m:
        sv_player_get_int64(app->player, SV_PROP_MUTE, &muted);
        sv_player_set_mute(app->player, !muted);
        show_message(w, muted ? "unmuted" : "muted");
        break;
    case SDLK_9:
    case SDLK_KP_DIVIDE: change_volume(w, -0.05); break;
    case SDLK_0:
    case SDLK_KP_MULTIPLY: change_volume(w, 0.05); break;
    case SDLK_i:
        w->osd_on = !w->osd_on;
        w->osd_next_ns = 0;
        w->overlay_stale = 1;
        break;
    case SDLK_a: cycle_track(w, SV_TRACK_AUDIO); break;
    case SDLK_s: cycle_track(w, SV_TRACK_TEXT); break;
    case SDLK_v: cycle_quality(w); break;
    case SDLK_n: {
        int r = svp_playlist_next(app);
        if (r > 0)
            show_message(w, "next item");
        else if (r < 0)
            svp_session_fail(app, r, "cannot load the next item of the playlist");
        break;
    }
    case SDLK_l:
        sv_player_seek_live(app->player, 0);
        show_message(w, "live edge");
        break;
    default: break;
    }
}

/* 1 while a title's picture is on screen (not the catalog). */
static int playing_view(const window *w)
{
    return !w->cat || !svp_catalog_ui_showing(w->cat);
}

static void handle_sdl_event(window *w, const SDL_Event *e)
{
    /* The bar first: while scrubbing, Esc cancels the scrub, not the title. */
    if (playing_view(w) && svp_seekbar_event(w->bar, e))
        return;
    if (w->cat && svp_catalog_ui_event(w->cat, e))
        return;
    if (e->type == SDL_QUIT) {
        w->app->done = 1;
    } else if (e->type == SDL_KEYDOWN) {
        handle_key(w, e->key.keysym.sym);
    } else if (e->type == SDL_WINDOWEVENT) {
        if (e->window.event == SDL_WINDOWEVENT_EXPOSED ||
            e->window.event == SDL_WINDOWEVENT_SIZE_CHANGED)
            sv_sdl2_video_redraw(w->vsink);
    } else if (e->type == SDL_MOUSEBUTTONDOWN && e->button.clicks == 2) {
        sv_sdl2_video_set_fullscreen(w->vsink, -1);
    } else if (e->type == w->wake_type) {
        atomic_store(&w->wake_pending, 0);
    }
}

static int open_outputs(window *w)
{
    sv_sdl2_video_settings vs;
    sv_null_audio_settings ns;
    char title[512];
    int ret;

    snprintf(title, sizeof(title), "svplay - %s",
             w->app->opt.input ? w->app->opt.input : w->app->opt.server);
    sv_sdl2_video_default_settings(&vs);
    vs.title = title;
    if (!w->app->opt.input) {
        /* The catalog's canvas at 2x; titles keep this size. */
        vs.width = 2 * SVP_CANVAS_W;
        vs.height = 2 * SVP_CANVAS_H;
        vs.keep_window_size = 1;
    }
    vs.fullscreen = w->app->opt.fullscreen;
    if ((ret = sv_sdl2_video_sink_create(&w->vsink, &vs)) < 0) {
        char msg[256];
        snprintf(msg, sizeof(msg), "cannot open a window (%s; no display?): use --headless",
                 SDL_GetError());
        svp_session_fail(w->app, ret, msg);
        return -1;
    }
    if (sv_sdl2_audio_sink_create(&w->asink, NULL) < 0) {
        /* No sound device: play on anyway, with a null sink pacing the
         * audio clock like a sound card would. */
        if (w->app->opt.log_level >= SV_LOG_WARN)
            fprintf(stderr, "svplay: warning: no audio device (%s); audio is discarded\n",
                    SDL_GetError());
        sv_null_audio_default_settings(&ns);
        if ((ret = sv_null_audio_sink_create(&w->asink, &ns)) < 0) {
            svp_session_fail(w->app, ret, "cannot create the null audio sink");
            return -1;
        }
        w->null_audio = 1;
    }
    if ((w->wake_type = SDL_RegisterEvents(1)) == (Uint32)-1) {
        svp_session_fail(w->app, SV_ERR_INTERNAL, "SDL has no user events left");
        return -1;
    }
    return 0;
}

int svp_run_window(svp_app *app)
{
    window w;
    sv_player_settings s;
    sv_null_audio_stats ns = SV_NULL_AUDIO_STATS_INIT;
    SDL_Event e;
    double next_due = 0;
    int64_t audio_frames = -1, audio_silence = -1;

    memset(&w, 0, sizeof(w));
    w.app = app;
    atomic_init(&w.wake_pending, 0);
    if (svp_session_settings(app, &s) < 0 || open_outputs(&w) < 0)
        goto out;
    s.video_sink = w.vsink;
    s.audio_sink = w.asink;
    s.host_renders = 1;
    if (svp_session_start(app, &s) < 0)
        goto out;
    sv_player_set_wakeup_callback(app->player, on_wakeup, &w);
    if (svp_uilog_open(app) < 0) {
        char msg[600];
        snprintf(msg, sizeof(msg), "cannot write --ui-log %s: %s", app->opt.ui_log_path,
                 strerror(errno));
        svp_session_fail(app, SV_ERR_IO, msg);
        goto out;
    }
    if (svp_seekbar_create(&w.bar, app->player, w.vsink, app->ui_log) < 0) {
        svp_session_fail(app, SV_ERR_IO, "cannot draw the seek bar (no renderer)");
        goto out;
    }
    if (!app->opt.input && svp_catalog_ui_create(&w.cat, app, w.vsink) < 0)
        goto out;

    while (!app->done) {
        int wait_ms = (int)(next_due * 1000);
        wait_ms = wait_ms < 0 ? 0 : wait_ms > MAX_WAIT_MS ? MAX_WAIT_MS : wait_ms;
        if (wait_ms > 0 ? SDL_WaitEventTimeout(&e, wait_ms) : SDL_PollEvent(&e)) {
            handle_sdl_event(&w, &e);
            while (!app->done && SDL_PollEvent(&e))
                handle_sdl_event(&w, &e);
        }
        if (playing_view(&w))
            svp_seekbar_tick(w.bar, app->state);
        else
            svp_seekbar_reset(w.bar);
        int presented = sv_player_render(app->player, &next_due) == 1;
        if (presented)
            atomic_fetch_add(&app->frames_presented, 1);
        for (;;) {
            const sv_event *ev = sv_player_wait_event(app->player, 0);
            if (ev->id == SV_EVENT_NONE)
                break;
            if (w.cat)
                svp_catalog_ui_player_event(w.cat, ev);
            svp_session_event(app, ev);
            if (ev->id == SV_EVENT_STATE_CHANGED || ev->id == SV_EVENT_TRICK_RATE)
                w.overlay_stale = 1;
            if (ev->id == SV_EVENT_TRICK_RATE && ev->data.trick.rate == 1)
                w.trick = 1;
            if (ev->id == SV_EVENT_TIMED_METADATA && ev->data.timed) {
                char text[sizeof(w.message)];
                svp_events_describe(ev->data.timed, text, sizeof(text));
                show_message(&w, text); /* a few seconds on the overlay */
            }
            if (ev->id == SV_EVENT_SUBTITLE_CUE) {
                w.cue_styled = ev->data.cue.style != NULL;
                snprintf(w.cue_text, sizeof(w.cue_text), "%s", ev->data.cue.text);
                if (w.cue_styled)
                    w.cue_style = *ev->data.cue.style;
            }
            if (ev->id == SV_EVENT_SUBTITLE)
                show_subtitle(&w);
        }
        svp_session_tick(app);
        if (w.cat)
            svp_catalog_ui_tick(w.cat, presented);
        if (!w.cat || !svp_catalog_ui_showing(w.cat))
            update_overlay(&w);
    }

out:
    if (app->player)
        sv_player_set_wakeup_callback(app->player, NULL, NULL);
    if (w.null_audio && sv_null_audio_sink_stats(w.asink, &ns) == 0) {
        audio_frames = (int64_t)ns.frames;
        audio_silence = (int64_t)ns.silence_frames;
    }
    svp_session_end(app, audio_frames, audio_silence);
    svp_catalog_ui_destroy(w.cat);
    svp_seekbar_destroy(w.bar);
    if (w.vsink)
        w.vsink->destroy(w.vsink);
    if (w.asink)
        w.asink->destroy(w.asink);
    svp_uilog_close(app);
    SDL_Quit();
    return app->exit_code;
}
