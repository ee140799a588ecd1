/*
 * What headless and windowed runs share: player settings from the options,
 * the ClearKey CDM for --key, loading, and the reaction to player events
 * (end of file, errors, the stats timeline).
 */
#define _GNU_SOURCE /* realpath */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <streamverse/cdm.h>

#include "svplay.h"

/* How long a failed load reply waits for the ERROR event with the message. */
#define PENDING_FAIL_NS 500000000LL

int64_t svp_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

double svp_elapsed_s(const svp_app *app)
{
    return app->load_ns ? (double)(svp_now_ns() - app->load_ns) / 1e9 : 0;
}

/* The load command's instant, on the monotonic clock (the stats' t_s count
 * from it) and on the wall clock (the stats' load_unix_s, so scripts can
 * place their own events on the same timeline). */
static void mark_load(svp_app *app)
{
    struct timespec ts;

    app->load_ns = svp_now_ns();
    if (app->stats && clock_gettime(CLOCK_REALTIME, &ts) == 0)
        svp_stats_loaded(app->stats, (double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

void svp_format_time(char *buf, size_t size, double s)
{
    if (s < 0)
        s = 0;
    long long ds = (long long)(s * 10 + 0.5);
    long long h = ds / 36000, m = ds / 600 % 60, sec = ds / 10 % 60, tenth = ds % 10;
    if (h)
        snprintf(buf, size, "%lld:%02lld:%02lld.%lld", h, m, sec, tenth);
    else
        snprintf(buf, size, "%02lld:%02lld.%lld", m, sec, tenth);
}

/* Copies src into dst, cut to fit. */
static void copy_text(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src);
    if (n >= size)
        n = size - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

void svp_session_fail(svp_app *app, int code, const char *message)
{
    if (!app->error_code) {
        app->error_code = code ? code : SV_ERR_INTERNAL;
        copy_text(app->error_message, sizeof(app->error_message),
                  message && *message ? message : sv_strerror(app->error_code));
    }
    app->exit_code = SVP_EXIT_ERROR;
    app->done = 1;
}

static void log_to_stderr(void *opaque, sv_log_level level, const char *module,
                          const char *message)
{
    svp_app *app = opaque;
    /* One fprintf per line keeps lines whole across threads; "\r\033[K"
     * first clears a progress line drawn on a terminal. */
    fprintf(stderr, "%ssvplay: %s: %s: %s\n", app->tty_progress ? "\r\033[K" : "",
            sv_log_level_name(level), module ? module : "player", message);
}

/* A local path must exist; checking here gives the plain OS message. */
static int check_local_input(svp_app *app)
{
    struct stat st;
    char msg[PATH_MAX + 64];

    if (strstr(app->opt.input, "://"))
        return 0;
    if (stat(app->opt.input, &st) != 0) {
        snprintf(msg, sizeof(msg), "%s: %s", app->opt.input, strerror(errno));
        svp_session_fail(app, errno == ENOENT ? SV_ERR_NOT_FOUND : SV_ERR_IO, msg);
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        snprintf(msg, sizeof(msg), "%s: is a directory", app->opt.input);
        svp_session_fail(app, SV_ERR_INVALID, msg);
        return -1;
    }
    return 0;
}

int svp_session_settings(svp_app *app, sv_player_settings *s)
{
    uint8_t kid[16], key[16];
    int ret;

    if (!app->opt.server && check_local_input(app) < 0)
        return -1;
    sv_player_default_settings(s);
    s->cmcd = app->opt.cmcd;
    s->captions = app->opt.captions;
    s->caption_track = app->opt.caption_track;
    if (app->opt.give_up_ms > 0)
        s->fetch_give_up_ms = app->opt.give_up_ms;
    s->live_target_latency_ms = app->opt.target_latency_ms;
    s->live_max_latency_ms = app->opt.max_latency_ms;
    s->tls_ca_file = app->opt.ca_file;
    s->tls_pinned_pubkey = app->opt.pin_pubkey;
    s->http_version = app->opt.http1 ? SV_HTTP_VERSION_1_1 : SV_HTTP_VERSION_AUTO;
    if (app->opt.abr_rule)
        s->abr_rule = app->opt.abr_rule;
    s->max_height = app->opt.max_height;
    s->codecs = app->opt.codecs;
    s->allow_codec_switch = app->opt.allow_codec_switch;
    s->audio_languages = app->opt.alang;
    s->subtitle_languages = app->opt.slang;
    s->benchmark = app->opt.benchmark;
    s->license_url = app->opt.license_url;
    s->log_cb = log_to_stderr;
    s->log_opaque = app;
    s->log_level = app->opt.log_level;
    if (app->opt.nb_keys > 0) {
        if ((ret = sv_cdm_clearkey_create(&app->cdm)) < 0) {
            svp_session_fail(app, ret, "cannot create the ClearKey CDM");
            return -1;
        }
        for (int i = 0; i < app->opt.nb_keys; i++) {
            /* Checked by the option parser already. */
            if (sv_cdm_parse_key_pair(app->opt.keys[i], kid, key) < 0 ||
                (ret = sv_cdm_clearkey_add_key(app->cdm, kid, key)) < 0) {
                svp_session_fail(app, SV_ERR_INVALID, "cannot add a --key to the CDM");
                return -1;
            }
        }
        s->cdm = app->cdm;
    }
    /* A download's offline license: checked, its keys into the CDM. */
    char msg[700];
    if (!app->opt.server && (ret = svp_offline_license(app, msg, sizeof(msg))) < 0) {
        svp_session_fail(app, ret, msg);
        return -1;
    }
    if (app->cdm)
        s->cdm = app->cdm;
    return 0;
}

/* --server: log in, then let the player run the playback session of
 * app->opt.title_id (the catalog sets it for each title chosen). */
int svp_session_load_title(svp_app *app)
{
    sv_session_options so = SV_SESSION_OPTIONS_INIT;
    sv_load_options lo;
    char msg[512];
    int ret;

    if (!app->user_token && svp_backend_login(app, msg, sizeof(msg)) < 0) {
        char full[600];
        snprintf(full, sizeof(full), "cannot log in to %s as %s: %s", app->opt.server,
                 app->opt.user, msg);
        svp_session_fail(app, SV_ERR_FORBIDDEN, full);
        return -1;
    }
    so.server_url = app->opt.server;
    so.user_token = app->user_token;
    so.title_id = app->opt.title_id;
    so.device_id = app->opt.device ? app->opt.device : "svplay";
    so.prefer_hls = app->opt.prefer_hls;
    so.from_start = app->opt.from_start;
    sv_load_default_options(&lo);
    lo.start_position_s = app->opt.start_s;
    lo.quality_index = app->opt.quality;
    so.load = &lo;
    mark_load(app);
    if ((ret = sv_player_load_title(app->player, &so, 1)) < 0) {
        snprintf(msg, sizeof(msg), "cannot play title %lld: %s", app->opt.title_id,
                 sv_strerror(ret));
        svp_session_fail(app, ret, msg);
        return -1;
    }
    return 0;
}

int svp_session_start(svp_app *app, const sv_player_settings *s)
{
    sv_load_options lo;
    sv_cdn cdns[SVP_MAX_CDNS];
    char cdn_ids[SVP_MAX_CDNS][64], cdn_urls[SVP_MAX_CDNS][1024];
    char msg[256], abs_path[PATH_MAX];
    const char *url = app->opt.input;
    int ret;

    if ((ret = svp_subs_open(app)) < 0) {
        svp_session_fail(app, ret, "cannot open the --sub-log file");
        return -1;
    }
    if ((ret = svp_events_open(app)) < 0) {
        svp_session_fail(app, ret, "cannot open the --events file");
        return -1;
    }
    if ((ret = sv_player_create(&app->player, s)) < 0) {
        snprintf(msg, sizeof(msg), "cannot create the player: %s", sv_strerror(ret));
        svp_session_fail(app, ret, msg);
        return -1;
    }
    sv_player_set_volume(app->player, app->opt.volume / 100.0);
    sv_player_set_mute(app->player, app->opt.mute);
    /* Catalog mode (--server without a title): titles load as they are chosen. */
    if (!app->opt.input)
        return 0;
    sv_load_default_options(&lo);
    lo.start_position_s = app->opt.start_s;
    lo.quality_index = app->opt.quality;
    lo.auth_token = app->opt.auth_token;
    /* --cdn texts were checked by the option parser already. */
    for (int i = 0; i < app->opt.nb_cdns; i++) {
        cdns[i] = (sv_cdn)SV_CDN_INIT;
        if (svp_parse_cdn(app->opt.cdns[i], &cdns[i], cdn_ids[i], sizeof(cdn_ids[i]),
                          cdn_urls[i], sizeof(cdn_urls[i])) < 0) {
            svp_session_fail(app, SV_ERR_INVALID, "cannot read a --cdn option");
            return -1;
        }
    }
    lo.cdns = app->opt.nb_cdns ? cdns : NULL;
    lo.nb_cdns = (size_t)app->opt.nb_cdns;
    /* An absolute path, so the player resolves relative segment names the
     * same way whatever its own working assumptions. */
    if (!strstr(url, "://") && realpath(url, abs_path))
        url = abs_path;
    if (app->opt.server)
        return svp_session_load_title(app);
    mark_load(app);
    svp_playlist_begin(app, app->opt.input);
    if ((ret = sv_player_load(app->player, url, &lo, 1)) < 0) {
        snprintf(msg, sizeof(msg), "cannot load %s: %s", app->opt.input, sv_strerror(ret));
        svp_session_fail(app, ret, msg);
        return -1;
    }
    return 0;
}

void svp_session_event(svp_app *app, const sv_event *ev)
{
    svp_stats_event(app->stats, ev, svp_elapsed_s(app), app->player);
    svp_subs_event(app, ev);
    svp_events_event(app, ev, svp_elapsed_s(app));
    int moved = svp_playlist_event(app, ev);
    if (moved < 0)
        svp_session_fail(app, moved, "cannot load the next item of the playlist");
    if (moved)
        return;
    switch (ev->id) {
    case SV_EVENT_STATE_CHANGED:
        app->state = ev->data.state.state;
        if (app->state == SV_STATE_ENDED && !app->error_code)
            app->done = 1;
        break;
    case SV_EVENT_END_OF_FILE:
        if (!app->error_code)
            app->done = 1;
        break;
    case SV_EVENT_ERROR:
        if (ev->data.error.fatal)
            svp_session_fail(app, ev->error, ev->data.error.message);
        else if (app->opt.log_level >= SV_LOG_WARN)
            fprintf(stderr, "%ssvplay: warning: %s\n", app->tty_progress ? "\r\033[K" : "",
                    ev->data.error.message ? ev->data.error.message : sv_strerror(ev->error));
        break;
    case SV_EVENT_COMMAND_REPLY:
        /* userdata 1 is the load. Its failure also comes as an ERROR event
         * with the better message; wait a moment for it. */
        if (ev->reply_userdata == 1 && ev->error < 0 && ev->error != SV_ERR_CANCELLED &&
            !app->error_code &&
            !app->pending_fail_ns) {
            app->pending_fail_ns = svp_now_ns() + PENDING_FAIL_NS;
            copy_text(app->error_message, sizeof(app->error_message), sv_strerror(ev->error));
            app->pending_fail_code = ev->error;
        }
        break;
    default:
        break;
    }
}

void svp_session_tick(svp_app *app)
{
    if (app->pending_fail_ns && !app->error_code && svp_now_ns() >= app->pending_fail_ns) {
        char msg[sizeof(app->error_message)];
        copy_text(msg, sizeof(msg), app->error_message);
        svp_session_fail(app, app->pending_fail_code, msg);
    }
    if (app->opt.frames > 0 && atomic_load(&app->frames_presented) >= app->opt.frames &&
        !app->error_code)
        app->done = 1;
}

void svp_session_end(svp_app *app, int64_t audio_frames, int64_t audio_silence_frames)
{
    if (app->error_code)
        fprintf(stderr, "%ssvplay: error: %s\n", app->tty_progress ? "\r\033[K" : "",
                app->error_message);
    else if (app->tty_progress)
        fprintf(stderr, "\n");
    svp_playlist_end(app);
    if (app->opt.stats_path &&
        svp_stats_write(app->stats, app->opt.stats_path, app->player, audio_frames,
                        audio_silence_frames, app->audio_md5[0] ? app->audio_md5 : NULL,
                        app->error_code,
                        app->error_code ? app->error_message : NULL, app->exit_code) < 0 &&
        app->exit_code == SVP_EXIT_OK)
        app->exit_code = SVP_EXIT_ERROR;
    sv_player_destroy(app->player);
    app->player = NULL;
    svp_subs_close(app);
    svp_events_close(app);
    if (app->cdm && app->cdm->destroy)
        app->cdm->destroy(app->cdm);
    app->cdm = NULL;
    free(app->user_token);
    app->user_token = NULL;
}
