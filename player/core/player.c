/*
 * The public player API (streamverse/player.h): creation, commands posted to
 * the control loop, events, rendering on the host's thread.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "player/core/internal.h"
#include "drm/clearkey.h"
#include "platform/abi.h"
#include "platform/alloc.h"
#include "player/manifest/url.h"
#include "player/net/tls_pin.h"

/* The sizes of the first published versions (ABI 1) of the structs read here. */
#define SETTINGS_V1 SV__SIZE_TO(sv_player_settings, num_abr_params)
#define LOAD_OPTIONS_V1 SV__SIZE_TO(sv_load_options, quality_index)
#define CDN_V1 SV__SIZE_TO(sv_cdn, weight)
#define SESSION_OPTIONS_V1 SV__SIZE_TO(sv_session_options, load)
#define SESSION_INFO_V1 SV__SIZE_TO(sv_session_info, heartbeats_failed)
#define VIDEO_SINK_V1 SV__SIZE_TO(sv_video_sink, opaque)
#define AUDIO_SINK_V1 SV__SIZE_TO(sv_audio_sink, opaque)
#define CDM_V1 SV__SIZE_TO(sv_cdm, opaque)
#define CLOCK_V1 SV__SIZE_TO(sv_clock, opaque)

/* The defaults, whole; the public functions copy what fits the host's size. */
static void settings_defaults(sv_player_settings *s)
{
    memset(s, 0, sizeof(*s));
    s->struct_size = sizeof(*s);
    s->abr_rule = "hybrid";
    s->start_buffer_s = 2;
    s->buffer_goal_s = 30;
    s->buffer_max_s = 60;
    s->connect_timeout_s = 5;
    s->low_speed_bytes_per_s = 8000;
    s->low_speed_time_s = 5;
    s->log_level = SV_LOG_WARN;
    s->fetch_give_up_ms = SV__FETCH_GIVE_UP_DEFAULT_MS;
}

static void load_defaults(sv_load_options *o)
{
    memset(o, 0, sizeof(*o));
    o->struct_size = sizeof(*o);
    o->quality_index = -1;
}

void sv_player_default_settings_sized(sv_player_settings *s, size_t struct_size)
{
    sv_player_settings full;

    settings_defaults(&full);
    sv__struct_defaults(s, struct_size, &full, sizeof(full), SETTINGS_V1);
}

void sv_load_default_options_sized(sv_load_options *o, size_t struct_size)
{
    sv_load_options full;

    load_defaults(&full);
    sv__struct_defaults(o, struct_size, &full, sizeof(full), LOAD_OPTIONS_V1);
}

static char *dup_or_null(const sv_allocator *alloc, const char *s, int *failed)
{
    if (!s)
        return NULL;
    char *d = sv__strdup(alloc, s);
    if (!d)
        *failed = 1;
    return d;
}

static void *control_main(void *arg)
{
    struct sv_player *p = arg;
    sv__loop_run(p->loop);
    /* Unload on the loop thread: the fetcher and scheduler belong to it. */
    sv__session_teardown(p->sessions);
    sv__control_unload(p);
    return NULL;
}

int sv__abr_params_ok(const sv_abr_rule *rule, const sv_abr_param *params, size_t n)
{
    sv_abr *abr = NULL;
    int ret;

    if (!n)
        return 1;
    if (!rule || !params)
        return 0;
    ret = sv_abr_create(rule, NULL, &abr);
    if (ret == 0)
        ret = sv_abr_set_params(abr, params, n);
    sv_abr_destroy(abr);
    return ret == 0;
}

/* The player's own copy of the rule parameters (names duplicated). */
static int copy_abr_params(struct sv_player *p, const sv_abr_param *params, size_t n)
{
    if (!n)
        return 0;
    if (!(p->abr_params = sv__calloc(p->settings.allocator, n, sizeof(*p->abr_params))))
        return SV_ERR_NOMEM;
    p->settings.abr_params = p->abr_params;
    for (size_t i = 0; i < n; i++) {
        p->abr_params[i].value = params[i].value;
        if (!(p->abr_params[i].name = sv__strdup(p->settings.allocator, params[i].name)))
            return SV_ERR_NOMEM;
    }
    return 0;
}

/*
 * Reads the host's settings and copies the host's interfaces (sinks, CDM,
 * clock, allocator) into the player at their full size, so the rest of the
 * player never reads past the end of a smaller, older struct.
 */
static int read_settings(struct sv_player *p, const sv_player_settings *host)
{
    settings_defaults(&p->settings);
    int r = sv__struct_read(&p->settings, sizeof(p->settings), host, SETTINGS_V1);
    /* Whatever happens, the player frees through the allocator it was
     * allocated from (sv__player_create copied it; zero callbacks: libc). */
    p->settings.allocator = &p->allocator;
    p->settings.struct_size = sizeof(p->settings);
    if (r < 0)
        return SV_ERR_INVALID;
    sv_player_settings *s = &p->settings;
    if (s->video_sink) {
        if (sv__struct_read(&p->video_sink, sizeof(p->video_sink), s->video_sink,
                            VIDEO_SINK_V1) < 0)
            return SV_ERR_INVALID;
        s->video_sink = &p->video_sink;
    }
    if (s->audio_sink) {
        if (sv__struct_read(&p->audio_sink, sizeof(p->audio_sink), s->audio_sink,
                            AUDIO_SINK_V1) < 0)
            return SV_ERR_INVALID;
        s->audio_sink = &p->audio_sink;
    }
    if (s->cdm) {
        if (sv__struct_read(&p->host_cdm, sizeof(p->host_cdm), s->cdm, CDM_V1) < 0)
            return SV_ERR_INVALID;
        s->cdm = &p->host_cdm;
    }
    if (s->clock) {
        if (sv__struct_read(&p->host_clock, sizeof(p->host_clock), s->clock, CLOCK_V1) < 0)
            return SV_ERR_INVALID;
        s->clock = &p->host_clock;
    }
    return 0;
}

/* A language list of the settings (track_prefs.h); a malformed one is
 * reported through the host's log callback, which is all there is before
 * the player exists. */
static int check_languages(const sv_player_settings *s, const char *field, const char *list,
                           sv__lang_prefs *out)
{
    char err[256];
    if (sv__lang_prefs_parse(list, out, err, sizeof(err)) == 0)
        return 0;
    if (s->log_cb) {
        char msg[320];
        snprintf(msg, sizeof(msg), "settings.%s: %s", field, err);
        s->log_cb(s->log_opaque, SV_LOG_ERROR, "player", msg);
    }
    return SV_ERR_INVALID;
}

/* The TLS and HTTP settings; a bad pin list is reported like a language list. */
static int check_tls(const sv_player_settings *s)
{
    char err[200];
    const char *field = NULL;

    if (s->http_version < SV_HTTP_VERSION_AUTO || s->http_version > SV_HTTP_VERSION_2) {
        field = "http_version";
        snprintf(err, sizeof(err), "%d is not an sv_http_version (0 to 2)", (int)s->http_version);
    } else if (s->tls_ca_file && !*s->tls_ca_file) {
        field = "tls_ca_file";
        snprintf(err, sizeof(err), "empty path (NULL for the system's CAs)");
    } else if (s->tls_pinned_pubkey && sv__tls_pins_check(s->tls_pinned_pubkey, err,
                                                          sizeof(err)) < 0) {
        field = "tls_pinned_pubkey";
    }
    if (!field)
        return 0;
    if (s->log_cb) {
        char msg[260];
        snprintf(msg, sizeof(msg), "settings.%s: %s", field, err);
        s->log_cb(s->log_opaque, SV_LOG_ERROR, "player", msg);
    }
    return SV_ERR_INVALID;
}

static int check_settings(const sv_player_settings *s)
{
    if (s->start_buffer_s < 0 || s->buffer_goal_s <= 0 || s->buffer_max_s < s->buffer_goal_s ||
        s->max_height < 0 || s->decoder_threads < 0 || s->connect_timeout_s < 0 ||
        s->fetch_give_up_ms < SV__FETCH_GIVE_UP_MIN_MS ||
        s->fetch_give_up_ms > SV__FETCH_GIVE_UP_MAX_MS || s->live_target_latency_ms < -1 ||
        s->live_target_latency_ms > 600000 || s->live_max_latency_ms < -1 ||
        s->live_max_latency_ms > 600000)
        return SV_ERR_INVALID;
    char err[160];
    sv__codec_prefs prefs;
    sv__lang_prefs langs;
    if (sv__codec_prefs_parse(s->codecs, &prefs, err, sizeof(err)) < 0 ||
        check_languages(s, "audio_languages", s->audio_languages, &langs) < 0 ||
        check_languages(s, "subtitle_languages", s->subtitle_languages, &langs) < 0 ||
        check_tls(s) < 0)
        return SV_ERR_INVALID;
    if (sv__captions_track_parse(s->caption_track) < 0 &&
        check_languages(s, "caption_track (not CC1, SERVICE1 to SERVICE63 nor languages)",
                        s->caption_track, &langs) < 0)
        return SV_ERR_INVALID;
    if (s->video_sink && !s->video_sink->present)
        return SV_ERR_INVALID;
    if (s->audio_sink && (!s->audio_sink->open || !s->audio_sink->pause || !s->audio_sink->close))
        return SV_ERR_INVALID;
    return 0;
}

int sv_player_create(sv_player **out, const sv_player_settings *settings)
{
    return sv__player_create(out, settings, NULL, 1);
}

int sv__player_create(sv_player **out, const sv_player_settings *settings,
                      sv__transport *transport, int own_thread)
{
    const sv_abr_rule *rule = NULL;
    if (!out || !settings) {
        sv__transport_destroy(transport);
        return SV_ERR_INVALID;
    }
    /* The allocator first: the player itself comes from it. */
    sv_allocator al;
    const sv_allocator *host_alloc =
        sv__struct_size(settings) >= SETTINGS_V1 ? settings->allocator : NULL;
    if (sv__allocator_copy(&al, host_alloc) < 0) {
        sv__transport_destroy(transport);
        return SV_ERR_INVALID;
    }
    al.struct_size = sizeof(al);
    int ret = SV_ERR_NOMEM, failed = 0;
    struct sv_player *p = sv__calloc(&al, 1, sizeof(*p));
    if (!p) {
        sv__transport_destroy(transport);
        return SV_ERR_NOMEM;
    }
    p->allocator = al;
    p->transport = transport;
    if (read_settings(p, settings) < 0 || check_settings(&p->settings) < 0 ||
        !(rule = sv_abr_rule_find(p->settings.abr_rule ? p->settings.abr_rule : "hybrid")) ||
        !sv__abr_params_ok(rule, p->settings.abr_params, p->settings.num_abr_params)) {
        ret = SV_ERR_INVALID;
        goto fail;
    }
    settings = &p->settings; /* from here on, the full-size copy */
    p->abr_rule = rule;
    p->abr_rule_name = dup_or_null(p->settings.allocator, sv_abr_rule_name(rule), &failed);
    p->license_url = dup_or_null(p->settings.allocator, settings->license_url, &failed);
    p->user_agent = dup_or_null(p->settings.allocator, settings->user_agent, &failed);
    p->settings.abr_rule = p->abr_rule_name;
    p->settings.license_url = p->license_url;
    p->settings.user_agent = p->user_agent;
    p->codecs = dup_or_null(p->settings.allocator, settings->codecs, &failed);
    p->settings.codecs = p->codecs;
    p->tls_ca_file = dup_or_null(p->settings.allocator, settings->tls_ca_file, &failed);
    p->tls_pinned_pubkey = dup_or_null(p->settings.allocator, settings->tls_pinned_pubkey,
                                       &failed);
    p->settings.tls_ca_file = p->tls_ca_file;
    p->settings.tls_pinned_pubkey = p->tls_pinned_pubkey;
    char codec_err[160]; /* check_settings() refused a bad list already */
    sv__codec_prefs_parse(p->codecs, &p->codec_prefs, codec_err, sizeof(codec_err));
    /* Parsed once for the loads (checked above); the strings are not kept. */
    sv__lang_prefs_parse(settings->audio_languages, &p->audio_prefs, codec_err, sizeof(codec_err));
    sv__lang_prefs_parse(settings->subtitle_languages, &p->subtitle_prefs, codec_err,
                         sizeof(codec_err));
    p->settings.audio_languages = p->settings.subtitle_languages = NULL;
    p->caption_service = sv__captions_track_parse(settings->caption_track);
    if (p->caption_service < 0) { /* languages, checked above */
        sv__lang_prefs_parse(settings->caption_track, &p->caption_prefs, codec_err,
                             sizeof(codec_err));
        p->caption_service = 0;
    }
    p->settings.caption_track = NULL;
    const sv_abr_param *host_params = p->settings.abr_params;
    p->settings.abr_params = NULL;
    if (failed || (ret = copy_abr_params(p, host_params, p->settings.num_abr_params)) < 0)
        goto fail;
    sv__logger_init(&p->log, settings->log_cb, settings->log_opaque, settings->log_level);
    p->st.volume = 1;
    p->video_track = p->audio_track = p->text_track = -1;
    p->rebuffer_start_s = -1;
    p->st.stats.startup_time_s = -1;
    p->st.quality_index = -1;
    p->load_replied = 1; /* no load is pending yet: nothing to supersede */
    sv__control_init_hooks(p);

    if (sv__mutex_init(&p->st.lock) < 0) {
        ret = SV_ERR_INTERNAL;
        goto fail;
    }
    p->sync_ready = 1;
    if (sv__events_init(&p->events, p->settings.allocator) < 0) {
        ret = SV_ERR_INTERNAL;
        goto fail;
    }
    p->sync_ready = 2;
    if (settings->clock) {
        p->clock = settings->clock;
    } else {
        if ((ret = sv__clock_monotonic_create(&p->own_clock, p->settings.allocator)) < 0)
            goto fail;
        p->clock = p->own_clock;
    }
    p->clock_anchor = sv__player_now(p);
    p->utc_anchor = (double)sv__realtime_ns() / 1e9;
    if (settings->cdm) {
        p->cdm = settings->cdm;
    } else {
        if ((ret = sv__cdm_clearkey_create(&p->own_cdm, p->settings.allocator)) < 0)
            goto fail;
        p->cdm = p->own_cdm;
    }
    sv__curl_options copts = { .alloc = p->settings.allocator, .user_agent = p->user_agent,
                               .ca_file = p->tls_ca_file, .pinned_pubkey = p->tls_pinned_pubkey,
                               .http_version = (int)p->settings.http_version };
    if (!p->transport && (ret = sv__transport_curl_create(&p->transport, p->clock, &copts)) < 0)
        goto fail;
    /* The preload cache wraps the real transport (it takes it, also on failure). */
    sv__transport *inner = p->transport;
    p->transport = NULL;
    if ((ret = sv__pcache_create(&p->transport, &p->record_transport, &p->pcache, inner, p->clock,
                                 p->settings.allocator)) < 0 ||
        (ret = sv__loop_create(&p->loop, p->clock, p->transport, p->settings.allocator)) < 0)
        goto fail;
    sv__fetch_options fo;
    sv__fetch_default_options(&fo);
    fo.alloc = p->settings.allocator;
    fo.connect_timeout_s = settings->connect_timeout_s;
    fo.low_speed_bytes_per_s = settings->low_speed_bytes_per_s;
    fo.low_speed_time_s = settings->low_speed_time_s;
    if ((ret = sv__fetcher_create(&p->fetcher, p->loop, p->transport, &fo)) < 0)
        goto fail;
    sv__fetcher_set_logger(p->fetcher, &p->log);
    if ((ret = sv__preload_create(p)) < 0 || (ret = sv__inter_create(p)) < 0)
        goto fail;
    sv__control_cdns_init(p);
    sv__control_init_env(p);
    if ((ret = sv__aout_create(&p->aout, &p->env, p->settings.audio_sink)) < 0 ||
        (ret = sv__vout_create(&p->vout, &p->env, p->settings.video_sink, p->aout,
                               p->settings.benchmark)) < 0 ||
        (ret = sv__subs_create(&p->subs, &p->env, p->fetcher)) < 0 ||
        (ret = sv__thumbs_create(&p->thumbs, &p->env, p->fetcher)) < 0 ||
        (p->settings.captions && (ret = sv__captions_create(&p->captions, &p->env, p->caption_service)) < 0) ||
        (ret = sv__timed_create(&p->timed, &p->env)) < 0)
        goto fail;
    sv__subs_set_captions(p->subs, p->captions);
    p->env.timed = p->timed;
    sv__session_host sh;
    sv__control_session_host(p, &sh);
    if ((ret = sv__sessions_create(&p->sessions, &sh)) < 0)
        goto fail;
    sv__playout_decoding(&p->own_playout, p->vout);
    if (!p->playout)
        p->playout = &p->own_playout;
    if (p->settings.video_sink && !p->settings.host_renders &&
        (ret = sv__vout_start_thread(p->vout)) < 0)
        goto fail;
    if (own_thread && sv__thread_create(&p->control_thread, "sv-control", control_main, p) < 0) {
        ret = SV_ERR_INTERNAL;
        goto fail;
    }
    p->control_started = own_thread;
    *out = p;
    return 0;

fail:
    sv_player_destroy(p);
    return ret;
}

/* Destroy's last loop task: end the backend session; shutdown_done is set
 * once its stop is answered (session.c). */
static void shutdown_task(void *arg)
{
    struct sv_player *p = arg;
    sv__session_shutdown(p->sessions);
}

/* The stop that saves the resume position gets this long to be answered. */
#define SHUTDOWN_WAIT_NS 2000000000LL

void sv_player_destroy(sv_player *p)
{
    if (!p)
        return;
    if (p->control_started) {
        int64_t deadline = sv__monotonic_ns() + SHUTDOWN_WAIT_NS;
        if (sv__loop_post(p->loop, shutdown_task, p) == 0)
            while (!sv__session_shutdown_done(p->sessions) && sv__monotonic_ns() < deadline)
                sv__sleep_ns(5000000);
        sv__loop_stop(p->loop);
        sv__thread_join(&p->control_thread);
    }
    sv__vout_destroy(p->vout);
    sv__aout_destroy(p->aout);
    sv__latency_free(p);
    sv__subs_destroy(p->subs);
    sv__thumbs_destroy(p->thumbs);
    sv__captions_destroy(p->captions);
    sv__timed_destroy(p->timed);
    sv__sessions_destroy(p->sessions);
    sv__inter_destroy(p);
    sv__preload_destroy(p);
    sv__fetcher_destroy(p->fetcher);
    sv__loop_destroy(p->loop);
    if (p->transport)
        sv__transport_destroy(p->transport);
    if (p->own_clock)
        sv_clock_destroy(p->own_clock);
    if (p->own_cdm)
        p->own_cdm->destroy(p->own_cdm);
    if (p->sync_ready) {
        sv__props_clear(p);
        sv__mutex_destroy(&p->st.lock);
    }
    if (p->sync_ready > 1)
        sv__events_destroy(&p->events);
    for (size_t i = 0; p->abr_params && i < p->settings.num_abr_params; i++)
        sv__free(p->settings.allocator, (char *)p->abr_params[i].name);
    sv__free(p->settings.allocator, p->abr_params);
    sv__free(p->settings.allocator, p->abr_rule_name);
    sv__free(p->settings.allocator, p->license_url);
    sv__free(p->settings.allocator, p->user_agent);
    sv__free(p->settings.allocator, p->codecs);
    sv__free(p->settings.allocator, p->tls_ca_file);
    sv__free(p->settings.allocator, p->tls_pinned_pubkey);
    sv_allocator al = p->allocator;
    sv__free(&al, p);
}

/* ---- commands --------------------------------------------------------------- */

static sv__cmd *cmd_new(sv_player *p, sv__cmd_kind kind, uint64_t userdata)
{
    sv__cmd *c = sv__calloc(p->settings.allocator, 1, sizeof(*c));
    if (c) {
        c->player = p;
        c->kind = kind;
        c->userdata = userdata;
    }
    return c;
}

static int post(sv_player *p, sv__cmd *c)
{
    if (!c)
        return SV_ERR_NOMEM;
    int r = sv__loop_post(p->loop, sv__control_run_cmd, c);
    if (r < 0)
        sv__cmd_free(c);
    return r;
}

/* The i-th CDN of a host array whose elements are `size` bytes apart, read
 * at full size into *out. */
static void read_cdn(sv_cdn *out, const sv_cdn *cdns, size_t size, size_t i)
{
    memset(out, 0, sizeof(*out));
    sv__struct_read(out, sizeof(*out), (const char *)cdns + i * size, CDN_V1);
}

/* Reads the host's load options (NULL: the defaults) at full size and checks
 * them. Returns 0 or SV_ERR_INVALID. */
static int read_load_options(sv_load_options *o, const sv_load_options *host)
{
    load_defaults(o);
    if (host && sv__struct_read(o, sizeof(*o), host, LOAD_OPTIONS_V1) < 0)
        return SV_ERR_INVALID;
    if (o->start_position_s < 0 || o->quality_index < -1 || (o->nb_cdns && !o->cdns))
        return SV_ERR_INVALID;
    size_t size = o->nb_cdns ? sv__struct_size(o->cdns) : 0;
    if (o->nb_cdns && size < CDN_V1)
        return SV_ERR_INVALID;
    for (size_t i = 0; i < o->nb_cdns; i++) {
        sv_cdn cdn;
        read_cdn(&cdn, o->cdns, size, i);
        if (cdn.struct_size != sizeof(cdn) || sv__struct_size((const char *)o->cdns + i * size) != size ||
            !cdn.base_url)
            return SV_ERR_INVALID;
    }
    return 0;
}

/* c->opts takes `o` (read by read_load_options) with its strings and CDNs copied. */
static int copy_load_options(sv__cmd *c, const sv_load_options *o)
{
    int failed = 0;
    size_t size = o->nb_cdns ? sv__struct_size(o->cdns) : 0;
    c->opts = *o;
    c->opts.cdns = NULL;
    c->opts.license_url = dup_or_null(c->player->settings.allocator, o->license_url, &failed);
    c->opts.auth_token = dup_or_null(c->player->settings.allocator, o->auth_token, &failed);
    if (o->nb_cdns) {
        c->cdns = sv__calloc(c->player->settings.allocator, o->nb_cdns, sizeof(*c->cdns));
        if (!c->cdns)
            return SV_ERR_NOMEM;
        for (size_t i = 0; i < o->nb_cdns; i++) {
            read_cdn(&c->cdns[i], o->cdns, size, i);
            c->cdns[i].id = dup_or_null(c->player->settings.allocator, c->cdns[i].id ? c->cdns[i].id : "", &failed);
            c->cdns[i].base_url = dup_or_null(c->player->settings.allocator, c->cdns[i].base_url, &failed);
        }
        c->opts.cdns = c->cdns;
    }
    return failed ? SV_ERR_NOMEM : 0;
}

int sv_player_preload(sv_player *p, const char *url, const sv_preload_options *host,
                      uint64_t userdata)
{
    sv_preload_options o = SV_PRELOAD_OPTIONS_INIT;
    sv_load_options opts;
    if (!p || !url || !*url || (host && sv__struct_read(&o, sizeof(o), host, sizeof(o)) < 0) ||
        read_load_options(&opts, o.load) < 0 || !(o.ahead_s >= 0))
        return SV_ERR_INVALID;
    sv__cmd *c = cmd_new(p, SV__CMD_PRELOAD, userdata);
    if (!c)
        return SV_ERR_NOMEM;
    opts.nb_cdns = 0; /* the preload fetches from the manifest's URLs */
    opts.cdns = NULL;
    c->max_bytes = o.max_bytes;
    c->dvalue = o.ahead_s;
    c->flags = o.gapless != 0;
    c->url = sv__strdup(p->settings.allocator, url);
    if (!c->url || copy_load_options(c, &opts) < 0) {
        sv__cmd_free(c);
        return SV_ERR_NOMEM;
    }
    return post(p, c);
}

int sv_player_load(sv_player *p, const char *url, const sv_load_options *host_opts,
                   uint64_t userdata)
{
    sv_load_options opts;
    if (!p || !url || !*url || read_load_options(&opts, host_opts) < 0)
        return SV_ERR_INVALID;
    sv__cmd *c = cmd_new(p, SV__CMD_LOAD, userdata);
    if (!c)
        return SV_ERR_NOMEM;
    c->url = sv__strdup(p->settings.allocator, url);
    if (!c->url || copy_load_options(c, &opts) < 0) {
        sv__cmd_free(c);
        return SV_ERR_NOMEM;
    }
    return post(p, c);
}

static int loaded(sv_player *p)
{
    sv__mutex_lock(&p->st.lock);
    sv_player_state st = p->st.state;
    sv__mutex_unlock(&p->st.lock);
    return st != SV_STATE_IDLE;
}

int sv_player_set_pause(sv_player *p, int paused, uint64_t userdata)
{
    if (!p)
        return SV_ERR_INVALID;
    if (!loaded(p))
        return SV_ERR_STATE;
    sv__cmd *c = cmd_new(p, SV__CMD_PAUSE, userdata);
    if (c)
        c->ivalue = paused != 0;
    return post(p, c);
}

int sv_player_seek(sv_player *p, double position_s, int flags, uint64_t userdata)
{
    if (!p || !isfinite(position_s) || (flags & ~(SV_SEEK_KEYFRAME | SV_SEEK_RELATIVE)))
        return SV_ERR_INVALID;
    if (!loaded(p))
        return SV_ERR_STATE;
    if (sv__control_seek_refused(p))
        return SV_ERR_FORBIDDEN; /* an interstitial with X-RESTRICT SKIP plays */
    sv__cmd *c = cmd_new(p, SV__CMD_SEEK, userdata);
    if (c) {
        c->dvalue = position_s;
        c->flags = flags;
    }
    return post(p, c);
}

int sv_player_seek_live(sv_player *p, uint64_t userdata)
{
    if (!p)
        return SV_ERR_INVALID;
    if (!loaded(p))
        return SV_ERR_STATE;
    sv__cmd *c = cmd_new(p, SV__CMD_SEEK, userdata);
    if (c)
        c->flags = SV__SEEK_LIVE;
    return post(p, c);
}

int sv_player_set_trick_rate(sv_player *p, int rate, uint64_t userdata)
{
    if (!p)
        return SV_ERR_INVALID;
    if (rate != 1 && (rate < -64 || rate > 64 || (rate > -2 && rate < 2)))
        return SV_ERR_RANGE;
    if (!loaded(p))
        return SV_ERR_STATE;
    sv__cmd *c = cmd_new(p, SV__CMD_TRICK, userdata);
    if (c)
        c->ivalue = rate;
    return post(p, c);
}

int sv_player_stop(sv_player *p, uint64_t userdata)
{
    if (!p)
        return SV_ERR_INVALID;
    return post(p, cmd_new(p, SV__CMD_STOP, userdata));
}

int sv_player_set_quality(sv_player *p, int index, uint64_t userdata)
{
    if (!p || index < -1)
        return SV_ERR_INVALID;
    if (!loaded(p))
        return SV_ERR_STATE;
    if (index >= 0) {
        sv_track_info t;
        if (sv_player_get_track(p, SV_TRACK_VIDEO, 0, &t) < 0 || index >= t.nb_representations)
            return SV_ERR_RANGE;
    }
    sv__cmd *c = cmd_new(p, SV__CMD_QUALITY, userdata);
    if (c)
        c->ivalue = index;
    return post(p, c);
}

int sv_player_select_track(sv_player *p, sv_track_type type, int index, uint64_t userdata)
{
    if (!p || (type != SV_TRACK_VIDEO && type != SV_TRACK_AUDIO && type != SV_TRACK_TEXT))
        return SV_ERR_INVALID;
    if (!loaded(p))
        return SV_ERR_STATE;
    int n = sv_player_track_count(p, type);
    if (index >= n || index < (type == SV_TRACK_TEXT ? -1 : 0))
        return SV_ERR_RANGE;
    sv__cmd *c = cmd_new(p, SV__CMD_TRACK, userdata);
    if (c) {
        c->track_type = type;
        c->ivalue = index;
    }
    return post(p, c);
}

int sv_player_set_volume(sv_player *p, double volume)
{
    if (!p)
        return SV_ERR_INVALID;
    if (!(volume >= 0 && volume <= 1))
        return SV_ERR_RANGE;
    sv__mutex_lock(&p->st.lock);
    p->st.volume = volume;
    int muted = p->st.muted;
    sv__mutex_unlock(&p->st.lock);
    sv__aout_volume(p->aout, volume, muted);
    return 0;
}

int sv_player_set_mute(sv_player *p, int muted)
{
    if (!p)
        return SV_ERR_INVALID;
    sv__mutex_lock(&p->st.lock);
    p->st.muted = muted != 0;
    double volume = p->st.volume;
    sv__mutex_unlock(&p->st.lock);
    sv__aout_volume(p->aout, volume, muted != 0);
    return 0;
}

/* ---- events and rendering ----------------------------------------------------- */

const sv_event *sv_player_wait_event(sv_player *p, double timeout_s)
{
    static const sv_event none = { .id = SV_EVENT_NONE };
    if (!p)
        return &none;
    return sv__events_wait(&p->events, timeout_s);
}

void sv_player_wakeup(sv_player *p)
{
    if (p)
        sv__events_wakeup(&p->events);
}

void sv_player_set_wakeup_callback(sv_player *p, void (*cb)(void *), void *opaque)
{
    if (!p)
        return;
    sv__mutex_lock(&p->events.lock);
    p->events.wakeup_cb = cb;
    p->events.wakeup_opaque = opaque;
    sv__mutex_unlock(&p->events.lock);
}

int sv_player_render(sv_player *p, double *next_due_s)
{
    double due = 0.1;
    if (!p)
        return SV_ERR_INVALID;
    if (!p->settings.host_renders || !p->settings.video_sink)
        return SV_ERR_STATE;
    int r = sv__vout_render(p->vout, &due);
    if (next_due_s)
        *next_due_s = due;
    return r;
}

int sv_player_load_title(sv_player *p, const sv_session_options *host, uint64_t userdata)
{
    int failed = 0;
    sv_session_options so;
    sv_load_options lo;

    memset(&so, 0, sizeof(so));
    if (!p || sv__struct_read(&so, sizeof(so), host, SESSION_OPTIONS_V1) < 0 ||
        read_load_options(&lo, so.load) < 0)
        return SV_ERR_INVALID;
    const sv_session_options *o = &so;
    if (!o->server_url || !sv__url_is_absolute(o->server_url) || !o->user_token ||
        !*o->user_token || strpbrk(o->user_token, "\r\n") || o->title_id <= 0)
        return SV_ERR_INVALID;
    sv__cmd *c = cmd_new(p, SV__CMD_LOAD_TITLE, userdata);
    if (!c)
        return SV_ERR_NOMEM;
    c->session = *o;
    c->session_load = lo;
    c->session_load.cdns = NULL;
    c->session_load.nb_cdns = 0;
    c->session_load.license_url = c->session_load.auth_token = NULL;
    c->session.load = &c->session_load;
    c->session.server_url = dup_or_null(c->player->settings.allocator, o->server_url, &failed);
    c->session.user_token = dup_or_null(c->player->settings.allocator, o->user_token, &failed);
    c->session.device_id = dup_or_null(c->player->settings.allocator, o->device_id ? o->device_id : "sdk", &failed);
    if (failed) {
        sv__cmd_free(c);
        return SV_ERR_NOMEM;
    }
    return post(p, c);
}

int sv_player_get_session(sv_player *p, sv_session_info *info)
{
    if (!p || sv__struct_size(info) < SESSION_INFO_V1)
        return SV_ERR_INVALID;
    sv__mutex_lock(&p->st.lock);
    sv_session_info full = p->st.session_info;
    sv__mutex_unlock(&p->st.lock);
    return sv__struct_write(info, &full, sizeof(full), SESSION_INFO_V1);
}
