/*
 * The control loop's loads: a URL loaded into a presentation (the manifest
 * fetched and modelled, or a plain file), the tracks and the codec chosen,
 * the streams and the scheduler started; a load undone; a track switched.
 * Below control.c (the commands), above the tick and the features: trick
 * play, the interstitials' switches, a gapless move and the UTCTiming
 * answer come back here through the hooks (internal.h, control.c fills
 * them in).
 *
 * Loop thread only.
 */
#include <math.h>
#include <string.h>

#include "player/core/internal.h"

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
    sv__control_reply_load(p, SV_ERR_CANCELLED); /* a load still pending is superseded */
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
    sv__control_tick_start(p);
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

int sv__control_restart(struct sv_player *p, double pos)
{
    sv__sched_stop(p);
    sv__control_stop_streams(p);
    p->load_opts.start_position_s = pos;
    p->rebuffer_start_s = -1;
    int r = sv__control_begin(p, 0);
    if (r == 0)
        sv__set_state(p, SV_STATE_SEEKING);
    return r;
}

/* ---- tracks ---------------------------------------------------------------------- */

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
