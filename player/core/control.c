/*
 * The control loop's state machine: loading a URL into a presentation,
 * choosing tracks, starting the streams and the scheduler, and a tick that
 * moves between buffering, playing, rebuffering and the end. Commands from
 * the public API arrive here as loop tasks (sv__control_run_cmd).
 *
 * Loop thread only, except sv__control_error, sv__control_notify and
 * sv__timeline_offset, which any thread may call.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "platform/fs.h"
#include "player/core/internal.h"
#include "player/manifest/url.h"

#define TICK_S 0.05
#define REBUFFER_LOW_S 0.1
#define LIVE_EDGE_START_S 0.4 /* live, nothing more to fetch yet: least buffer to start */

static void check(void *arg);

/* ---- shared helpers -------------------------------------------------------- */

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

static sv_player_state get_state(struct sv_player *p)
{
    sv__mutex_lock(&p->st.lock);
    sv_player_state st = p->st.state;
    sv__mutex_unlock(&p->st.lock);
    return st;
}

sv_player_state sv__control_get_state(struct sv_player *p)
{
    return get_state(p);
}

static void reply(struct sv_player *p, uint64_t userdata, int error)
{
    sv_event ev = { .id = SV_EVENT_COMMAND_REPLY, .error = error, .reply_userdata = userdata };
    sv__events_push(&p->events, &ev, NULL, NULL, NULL);
}

static void reply_load(struct sv_player *p, int error)
{
    if (p->load_replied)
        return;
    p->load_replied = 1;
    reply(p, p->load_userdata, error);
}

/* ---- errors and notifications from any thread -------------------------------- */

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
        reply_load(p, t->code);
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
    if (fatal && !atomic_load(&p->failed) && sv__inter_asset_failed(p, code, msg))
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
    reply_load(p, 0);
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
    reply_load(p, 0);
}

static void check(void *arg)
{
    struct sv_player *p = arg;
    if (!p->pres && !p->vstream)
        return;
    sv_player_state st = get_state(p);
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
    sv__latency_tick(p, get_state(p) == SV_STATE_PLAYING, ahead);
    sv__mutex_lock(&p->st.lock);
    double pos = p->st.position_s;
    sv__mutex_unlock(&p->st.lock);
    sv__subs_tick(p->subs, pos);
    sv__control_take_events(p);
    /* Video reports timed events as its frames are shown; without video
     * the position is the audio clock's, read here. */
    if (!plays_video(p) && get_state(p) == SV_STATE_PLAYING)
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

/* ---- loading -------------------------------------------------------------------- */

void sv__control_unload(struct sv_player *p)
{
    sv__trick_abort(p);
    sv__sched_stop(p);
    sv__subs_reset(p->subs);
    sv__timed_reset(p->timed);
    sv__thumbs_reset(p->thumbs);
    p->text_track = -1;
    if (p->tick_timer > 0)
        sv__loop_timer_cancel(p->loop, p->tick_timer);
    p->tick_timer = 0;
    if (p->manifest_fetch > 0)
        sv__fetch_cancel(p->fetcher, p->manifest_fetch);
    p->manifest_fetch = 0;
    if (p->utc_fetch > 0)
        sv__fetch_cancel(p->fetcher, p->utc_fetch);
    p->utc_fetch = 0;
    sv__control_stop_streams(p);
    sv__captions_api_unload(p);
    p->gapless_start = 0;
    sv__model_destroy(p->pres);
    p->pres = NULL;
    sv__free(p->settings.allocator, p->load_url);
    p->load_url = NULL;
    sv__steer_stop(p);
    sv__cmd_free(p->load_cmd);
    p->load_cmd = NULL;
    memset(&p->load_opts, 0, sizeof(p->load_opts));
    p->load_opts.quality_index = -1;
    sv__control_cdns_clear(p);
    sv__props_clear(p);
    atomic_store(&p->failed, 0);
}

static const sv__track *find_track(const sv__period *per, sv_track_type type, int index)
{
    for (size_t i = 0; i < per->nb_tracks; i++)
        if (per->tracks[i].type == type && per->tracks[i].index == index)
            return &per->tracks[i];
    return NULL;
}

/* The codec families of the reps of video track `index` (-1: every video track). */
static unsigned video_families(const sv__period *per, int index)
{
    unsigned m = 0;
    for (size_t i = 0; i < per->nb_tracks; i++) {
        const sv__track *t = &per->tracks[i];
        if (t->type != SV_TRACK_VIDEO || (index >= 0 && t->index != index))
            continue;
        for (size_t k = 0; k < t->nb_reps; k++)
            m |= SV__CODEC_BIT(sv__codec_family_of(t->reps[k].codecs));
    }
    return m;
}

/*
 * The codec choice (player/model/codec.h): the most preferred allowed family
 * this device decodes among the video reps (of track `index`, or of all
 * with -1, then the track that has it: the default one first). Sets
 * p->codec_ladder, and with index -1 p->video_track.
 * Returns 0 or SV_ERR_UNSUPPORTED (reported) when nothing is playable.
 */
static int choose_codec(struct sv_player *p, const sv__period *per, int index)
{
    char err[256];
    unsigned present = video_families(per, index), decodable = sv__decodable_codecs();
    int f = sv__codec_choose(present, decodable, &p->codec_prefs, err, sizeof(err));
    if (f < 0) {
        sv__control_error(p, SV_ERR_UNSUPPORTED, 1, "%s: %s", p->pres->url, err);
        return SV_ERR_UNSUPPORTED;
    }
    p->codec_ladder = sv__codec_ladder_mask(f, present, decodable, &p->codec_prefs,
                                            p->settings.allow_codec_switch);
    if (index < 0) {
        int first = -1, def = -1;
        for (size_t i = 0; i < per->nb_tracks; i++) {
            const sv__track *t = &per->tracks[i];
            if (t->type != SV_TRACK_VIDEO || !(video_families(per, t->index) & SV__CODEC_BIT(f)))
                continue;
            if (first < 0)
                first = t->index;
            if (t->is_default && def < 0)
                def = t->index;
        }
        p->video_track = def >= 0 ? def : first;
    }
    PLOGI(p, "video codec %s (found: 0x%x, decodable: 0x%x)", sv__codec_family_name(f), present,
          decodable);
    return 0;
}

/* Starts playing a loaded presentation (or a plain file); `choose` picks
 * the default tracks, otherwise p->video_track/audio_track are kept. */
int sv__control_begin(struct sv_player *p, int choose)
{
    /* A live start may lie inside a segment (DASH: A and V at one time; LL-HLS: a
     * part after the independent one decoding starts from): earlier frames are hidden. */
    double start = p->pres->live ? p->pres->live_start : p->load_opts.start_position_s;
    uint64_t gen = atomic_load(&p->gen);
    sv__vout_flush(p->vout, gen, start > 0 ? start : -1);
    sv__aout_flush(p->aout, gen, start > 0 ? start : -1);
    sv__timed_seek(p->timed, start > 0 ? start : 0);
    sv__inter_begun(p);
    sv__control_take_events(p);
    if (p->pres->kind == SV__SOURCE_FILE) {
        p->video_track = 0;
        p->audio_track = -1;
        return sv__control_start_stream(p, &p->vstream, SV__FEED_VIDEO | SV__FEED_AUDIO, p->pres->url);
    }
    const sv__period *per = &p->pres->periods[0];
    sv__thumbs_select(p->thumbs, p->pres, p->period);
    sv__captions_api_load(p, per);
    if (choose) {
        /* The host's languages first (track_prefs.h), else the default. */
        p->video_track = sv__lang_default(per, SV_TRACK_VIDEO);
        p->audio_track = sv__lang_pick(per, SV_TRACK_AUDIO, &p->audio_prefs);
        if (p->audio_track < 0)
            p->audio_track = sv__lang_default(per, SV_TRACK_AUDIO);
        int text = sv__lang_pick(per, SV_TRACK_TEXT, &p->subtitle_prefs);
        if (text >= 0 && sv__subs_select(p->subs, p->pres, p->period, text,
                                         p->load_opts.start_position_s) == 0)
            p->text_track = text;
    }
    if (p->video_track < 0 && p->audio_track < 0) {
        sv__control_error(p, SV_ERR_UNSUPPORTED, 1, "%s has no video or audio track", p->pres->url);
        return SV_ERR_UNSUPPORTED;
    }
    if (!p->settings.video_sink)
        p->video_track = -1;
    p->codec_ladder = 0;
    if (p->video_track >= 0 && choose_codec(p, per, choose ? -1 : p->video_track) < 0)
        return SV_ERR_UNSUPPORTED;
    const sv__track *vt = p->video_track >= 0 ? find_track(per, SV_TRACK_VIDEO, p->video_track) : NULL;
    if (vt && p->load_opts.quality_index >= (int)vt->nb_reps) {
        sv__control_error(p, SV_ERR_RANGE, 1,
                          "quality %d is beyond the ladder of %s: it has %zu video "
                          "representation(s), 0..%zu",
                          p->load_opts.quality_index, p->pres->url, vt->nb_reps, vt->nb_reps - 1);
        return SV_ERR_RANGE;
    }
    const sv__track *at = p->audio_track >= 0 ? find_track(per, SV_TRACK_AUDIO, p->audio_track) : NULL;
    int separate_audio = at && !at->muxed && p->settings.audio_sink;
    int feeds = (p->video_track >= 0 ? SV__FEED_VIDEO : 0) |
                (!separate_audio || p->video_track < 0 ? SV__FEED_AUDIO : 0);
    int r = sv__control_start_stream(p, &p->vstream, feeds, NULL);
    if (r == 0 && separate_audio && p->video_track >= 0)
        r = sv__control_start_stream(p, &p->astream, SV__FEED_AUDIO, NULL);
    if (r < 0)
        return r;
    if (separate_audio)
        sv__aout_set_active(p->aout, 1);
    sv__props_publish_tracks(p);
    return sv__sched_start(p);
}

static void on_manifest(void *opaque, sv__fetch_result *r)
{
    struct sv_player *p = opaque;
    p->manifest_fetch = 0;
    if (r->error) {
        sv__free(p->settings.allocator, r->data);
        sv__control_error(p, r->error, 1, "%s", r->message);
        return;
    }
    if (r->size == 0) {
        sv__free(p->settings.allocator, r->data);
        sv__control_error(p, SV_ERR_PARSE, 1, "empty manifest %s: the answer has 0 bytes",
                          r->url);
        return;
    }
    sv__source_kind kind = sv__model_detect(r->data, r->size, r->url, r->content_type);
    sv__parse_error err = { 0 };
    int ret;
    if (kind == SV__SOURCE_FILE) {
        ret = sv__model_create(kind, NULL, 0, p->load_url, 0, p->settings.allocator, &p->pres, &err);
    } else {
        ret = sv__model_create(kind, (const char *)r->data, r->size, r->url, sv__wallclock_utc(p),
                               p->settings.allocator, &p->pres, &err);
    }
    sv__free(p->settings.allocator, r->data);
    if (ret < 0) {
        if (ret == SV_ERR_PARSE)
            sv__control_error(p, ret, 1, "broken manifest %s: line %d: %s", r->url, err.line,
                              err.message);
        else
            sv__control_error(p, ret, 1, "cannot play %s: %s", r->url,
                              err.message[0] ? err.message : sv_strerror(ret));
        return;
    }
    /* Live DASH with UTCTiming: the clock is set by the server's first. */
    if (sv__control_sync_clock(p) == 0)
        sv__control_start_loaded(p);
}

void sv__control_start_loaded(struct sv_player *p)
{
    int ret;
    if (p->settings.live_target_latency_ms > 0)
        sv__model_set_target_latency(p->pres, p->settings.live_target_latency_ms / 1000.0,
                                     sv__wallclock_utc(p));
    sv__mutex_lock(&p->st.lock);
    p->st.duration_s = p->pres->duration;
    sv__mutex_unlock(&p->st.lock);
    if ((ret = sv__control_cdns_model(p)) < 0)
        PLOGW(p, "ignoring the manifest's CDN alternatives: %s", sv_strerror(ret));
    ret = sv__control_begin(p, 1);
    if (ret < 0 && !atomic_load(&p->failed))
        sv__control_error(p, ret, 1, "cannot start playback: %s", sv_strerror(ret));
    if (ret == 0) {
        sv__set_state(p, SV_STATE_BUFFERING);
        if (sv__steer_start(p) < 0)
            PLOGW(p, "content steering is off: out of memory");
    }
}

void sv__control_begin_pending(struct sv_player *p, uint64_t userdata)
{
    if (p->pres || p->vstream || p->manifest_fetch || p->load_cmd)
        sv__control_unload(p);
    if (p->item_switch) { /* an interstitial's switch: the host's load goes on */
        atomic_store(&p->failed, 0);
        sv__set_state(p, SV_STATE_LOADING);
        return;
    }
    reply_load(p, SV_ERR_CANCELLED); /* a load still pending is superseded */
    atomic_store(&p->failed, 0);
    p->load_userdata = userdata;
    p->load_replied = 0;
    sv__set_state(p, SV_STATE_LOADING);
}

void sv__control_load(struct sv_player *p, sv__cmd *c, int continues)
{
    if (!continues)
        sv__control_begin_pending(p, c->userdata);
    /* The player keeps the command: load_opts points at its strings. */
    p->load_cmd = c;
    sv__cmcd_new_session(p->cmcd_sid, sizeof(p->cmcd_sid), p);
    p->load_opts = c->opts;
    p->rebuffer_start_s = -1;
    /* An interstitial's switch is part of the host's load: its stats,
     * breaks reached and pause go on. */
    if (!p->item_switch) {
        sv__inter_reset(p, c->opts.start_position_s);
        p->paused_by_user = 0;
        p->stats_startup_pending = 1;
        p->load_time_s = sv__player_now(p);
    }
    sv__mutex_lock(&p->st.lock);
    if (!p->item_switch) {
        memset(&p->st.stats, 0, sizeof(p->st.stats));
        p->st.stats.startup_time_s = -1;
        p->st.nb_ads = 0;
        p->st.bitrate_time_weight = p->st.bitrate_weighted_sum = 0;
    }
    p->st.position_s = c->opts.start_position_s;
    p->st.nb_epochs = 0;
    p->st.quality_locked = c->opts.quality_index >= 0;
    sv__mutex_unlock(&p->st.lock);
    sv__latency_reset(p);

    p->load_url = sv__control_to_url(p->settings.allocator, c->url);
    if (!p->load_url) {
        sv__control_error(p, SV_ERR_NOT_FOUND, 1, "cannot open %s: no such file", c->url);
        return;
    }
    sv__preload_loading(p, p->load_url);
    /* NULL clears the previous load's token. */
    if (sv__fetcher_set_query(p->fetcher, c->opts.auth_token) < 0 ||
        sv__control_cdns_host(p, p->load_url) < 0) {
        sv__control_error(p, SV_ERR_INVALID, 1, "cannot use the token or CDN list for %s",
                          c->url);
        return;
    }
    p->tick_timer = sv__loop_timer(p->loop, TICK_S, tick, p);
    if (sv__control_plain_file(p->load_url)) {
        sv__parse_error err = { 0 };
        if (sv__model_create(SV__SOURCE_FILE, NULL, 0, p->load_url, 0, p->settings.allocator,
                             &p->pres, &err) < 0 || sv__control_begin(p, 1) < 0) {
            if (!atomic_load(&p->failed))
                sv__control_error(p, SV_ERR_NOMEM, 1, "cannot start playback of %s", c->url);
            return;
        }
        sv__set_state(p, SV_STATE_BUFFERING);
        return;
    }
    sv__fetch_req req = { .kind = SV__FETCH_MANIFEST, .url = p->load_url, .length = -1 };
    p->manifest_fetch = sv__fetch(p->fetcher, &req, on_manifest, p);
    if (p->manifest_fetch < 0) {
        p->manifest_fetch = 0;
        sv__control_error(p, SV_ERR_INVALID, 1, "bad URL: %s", c->url);
    }
}

/* ---- commands ---------------------------------------------------------------------- */

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

/* ---- other commands ---------------------------------------------------------------- */

int sv__control_select_track(struct sv_player *p, sv_track_type type, int index)
{
    if (!p->pres || p->pres->kind == SV__SOURCE_FILE)
        return SV_ERR_STATE;
    if (type == SV_TRACK_TEXT) { /* no restart: cues come beside the media */
        int r = sv__subs_select(p->subs, p->pres, p->period, index, NAN);
        p->text_track = r == 0 && index >= 0 ? index : -1;
        return r;
    }
    const sv__period *per = &p->pres->periods[0];
    if (!find_track(per, type, index))
        return SV_ERR_RANGE;
    /* A video track of no allowed decodable codec is refused before
     * playback stops (begin() would otherwise end it with an error). */
    char err[256];
    if (type == SV_TRACK_VIDEO && p->settings.video_sink &&
        sv__codec_choose(video_families(per, index), sv__decodable_codecs(), &p->codec_prefs,
                         err, sizeof(err)) < 0) {
        PLOGW(p, "video track %d: %s", index, err);
        return SV_ERR_UNSUPPORTED;
    }
    /* Restart the streams at the current position with the new track. */
    sv__trick_abort(p);
    sv__mutex_lock(&p->st.lock);
    double pos = p->st.position_s;
    sv__mutex_unlock(&p->st.lock);
    sv__sched_stop(p);
    sv__control_stop_streams(p);
    if (type == SV_TRACK_VIDEO)
        p->video_track = index;
    else
        p->audio_track = index;
    return sv__control_restart(p, pos);
}

static int cmd_pause(struct sv_player *p, int paused)
{
    sv_player_state st = get_state(p);
    if (!p->pres || st == SV_STATE_IDLE || st == SV_STATE_ERROR)
        return SV_ERR_STATE;
    if (paused && sv__trick_active(p))
        return sv__trick_end(p, 1); /* rate 1, paused at the key frame shown */
    p->paused_by_user = paused;
    if (paused && st == SV_STATE_PLAYING) {
        set_outputs_playing(p, 0);
        sv__set_state(p, SV_STATE_PAUSED);
    } else if (!paused && st == SV_STATE_PAUSED) {
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
        reply_load(p, SV_ERR_CANCELLED);
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
        reply(p, c->userdata, r);
    sv__cmd_free(c);
}
