/*
 * preload.c - the next item fetched ahead (streamverse/preload.h): its
 * manifest, the playlists or index of the representations a load would
 * start on, keys, init segments and first media segments, one request at
 * a time on a fetcher of its own over the recording face of the preload
 * cache (net/preload_cache.h), which keeps the bodies for the load that
 * plays the item.
 *
 * Loop thread, except sv_player_get_preload() and sv_preload_state_name()
 * (any thread; the published info is under pl->lock).
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "platform/fs.h"
#include "player/core/internal.h"
#include "player/core/scheduler_internal.h"
#include "player/manifest/url.h"

#define WAIT_S 0.1                      /* the current item starting: look again */
#define DEFAULT_MAX_BYTES (32u << 20)
#define MIN_MAX_BYTES (64u << 10)
#define MAX_PICKS 2
#define MSG_MAX 512                      /* events cut it at SV__EVENT_TEXT */

typedef enum what { W_MANIFEST, W_INDEX, W_INIT, W_KEY, W_LICENSE, W_MEDIA } what;

/* A representation to fetch the start of, and how far it got. */
typedef struct pick {
    sv__track *track;
    int rep;
    long next;                 /* next segment index; -1 before the first is found */
    double covered;            /* media seconds fetched */
    char *init_url;            /* the last init fetched (with its offset) */
    int64_t init_offset;
    char *key_url;             /* the last AES-128 key fetched */
} pick;

struct sv__preload {
    struct sv_player *p;
    sv__fetcher *fetcher;
    sv__mutex lock;            /* guards info */
    sv_preload_info info;

    /* Loop thread. */
    sv__cmd *cmd;              /* the command (url, load options); NULL when none */
    char *url;                 /* absolute */
    int replied;
    sv__presentation *pres;
    pick picks[MAX_PICKS];
    int nb_picks, cur;
    int64_t fetch_id, timer;
    what fetching;
    char *fetch_url;           /* the fetch in flight: forgotten if it turns out bad */
    int64_t fetch_offset, fetch_length;
    sv__decryptor *dec;
    uint8_t *license_req;      /* CDM-owned, while the license request is in flight */
    double started_s, ahead_s;
    size_t max_bytes;
    int gapless;               /* move to it at the end of the current item */
    int has_audio;             /* a separate audio track was picked */
    int moving;                /* the gapless move is posted */
    sv_preload_state internal_state; /* the state, also of the player's own preloads
                                        (publish() leaves info alone for those) */
};

const char *sv_preload_state_name(sv_preload_state st)
{
    static const char *const names[] = { "none", "loading", "ready", "failed", "used" };
    return (unsigned)st < sizeof(names) / sizeof(names[0]) ? names[st] : "unknown";
}

static void publish(sv__preload *pl, sv_preload_state st, int error, const char *msg)
{
    sv__pcache_stats cs;
    pl->internal_state = st;
    if (pl->cmd && pl->cmd->internal)
        return; /* the player's own (an interstitial's): the host's info stays */
    sv__pcache_stats_get(pl->p->pcache, &cs);
    sv__mutex_lock(&pl->lock);
    pl->info.state = st;
    pl->info.error = error;
    snprintf(pl->info.message, sizeof(pl->info.message), "%s", msg ? msg : "");
    pl->info.bytes = cs.bytes;
    pl->info.hits = cs.hits;
    pl->info.bounded = cs.full;
    if (st == SV_PRELOAD_READY && pl->info.ready_s < 0)
        pl->info.ready_s = sv__player_now(pl->p) - pl->started_s;
    sv__mutex_unlock(&pl->lock);
}

int sv_player_get_preload(sv_player *p, sv_preload_info *info)
{
    if (!p || !info || info->struct_size < sizeof(sv_preload_info))
        return SV_ERR_INVALID;
    sv__preload *pl = p->preload;
    sv_preload_info tmp;
    sv__mutex_lock(&pl->lock);
    tmp = pl->info;
    sv__mutex_unlock(&pl->lock);
    tmp.struct_size = info->struct_size < sizeof(tmp) ? info->struct_size : sizeof(tmp);
    memcpy(info, &tmp, tmp.struct_size);
    return 0;
}

/* ---- ending ------------------------------------------------------------------- */

static void reply(sv__preload *pl, int error)
{
    if (pl->replied || !pl->cmd)
        return;
    pl->replied = 1;
    if (pl->cmd->internal)
        return;
    sv_event ev = { .id = SV_EVENT_COMMAND_REPLY, .error = error,
                    .reply_userdata = pl->cmd->userdata };
    sv__events_push(&pl->p->events, &ev, NULL, NULL, NULL);
}

/* Stops fetching; what the cache holds stays. */
static void halt(sv__preload *pl)
{
    struct sv_player *p = pl->p;
    if (pl->fetch_id > 0)
        sv__fetch_cancel(pl->fetcher, pl->fetch_id);
    pl->fetch_id = 0;
    if (pl->timer > 0)
        sv__loop_timer_cancel(p->loop, pl->timer);
    pl->timer = 0;
    if (pl->license_req)
        p->cdm->free_request(p->cdm->opaque, pl->license_req);
    pl->license_req = NULL;
    sv__decryptor_destroy(pl->dec);
    pl->dec = NULL;
    sv__free(p->settings.allocator, pl->fetch_url);
    pl->fetch_url = NULL;
    for (int i = 0; i < pl->nb_picks; i++) {
        sv__free(p->settings.allocator, pl->picks[i].init_url);
        sv__free(p->settings.allocator, pl->picks[i].key_url);
    }
    memset(pl->picks, 0, sizeof(pl->picks));
    pl->nb_picks = pl->cur = 0;
    sv__model_destroy(pl->pres);
    pl->pres = NULL;
}

/* Forgets the preload: fetches stopped, bodies dropped, its reply sent. */
static void drop(sv__preload *pl, sv_preload_state st)
{
    struct sv_player *p = pl->p;
    halt(pl);
    sv__pcache_reset(p->pcache, 0);
    /* Published before the reply: a host woken by it reads the new state. */
    publish(pl, st, 0, NULL);
    reply(pl, SV_ERR_CANCELLED);
    sv__cmd_free(pl->cmd);
    pl->cmd = NULL;
    sv__free(p->settings.allocator, pl->url);
    pl->url = NULL;
}

static void finish(sv__preload *pl, int error, const char *msg)
{
    halt(pl);
    publish(pl, error ? SV_PRELOAD_FAILED : SV_PRELOAD_READY, error, msg);
    if (error)
        PLOGI(pl->p, "preload of %s failed: %s", pl->cmd->url, msg);
    else
        PLOGI(pl->p, "preload of %s ready", pl->cmd->url);
    pl->internal_state = error ? SV_PRELOAD_FAILED : SV_PRELOAD_READY;
    if (pl->cmd->internal) {
        pl->p->hooks.preloaded(pl->p, pl->url ? pl->url : pl->cmd->url, error, msg ? msg : "");
        return;
    }
    sv_event ev = { .id = SV_EVENT_PRELOAD, .error = error };
    ev.data.preload.ready = !error;
    sv__events_push(&pl->p->events, &ev, pl->cmd->url, msg ? msg : "", NULL);
    reply(pl, error);
}

/* ---- what to fetch --------------------------------------------------------------- */

static sv__track *find_track(sv__period *per, sv_track_type type, int index)
{
    for (size_t i = 0; i < per->nb_tracks; i++)
        if (per->tracks[i].type == type && per->tracks[i].index == index)
            return &per->tracks[i];
    return NULL;
}

/* The video track and rep a load would start on (control.c begin() and the
 * scheduler's startup choice): the most preferred playable codec's track
 * (the default one first), its lowest rung of the ladder's families, or
 * the load's quality_index. Returns 0, or SV_ERR_UNSUPPORTED with msg. */
static int pick_video(sv__preload *pl, sv__period *per, char *msg, size_t cap)
{
    struct sv_player *p = pl->p;
    unsigned present = 0, decodable = sv__decodable_codecs();
    sv__track *chosen = NULL;
    for (size_t i = 0; i < per->nb_tracks; i++)
        for (size_t k = 0; per->tracks[i].type == SV_TRACK_VIDEO && k < per->tracks[i].nb_reps; k++)
            present |= SV__CODEC_BIT(sv__codec_family_of(per->tracks[i].reps[k].codecs));
    if (!present)
        return 0;
    int f = sv__codec_choose(present, decodable, &p->codec_prefs, msg, cap);
    if (f < 0)
        return SV_ERR_UNSUPPORTED;
    unsigned mask = sv__codec_ladder_mask(f, present, decodable, &p->codec_prefs,
                                          p->settings.allow_codec_switch);
    for (size_t i = 0; i < per->nb_tracks; i++) {
        sv__track *t = &per->tracks[i];
        int has = 0;
        for (size_t k = 0; t->type == SV_TRACK_VIDEO && k < t->nb_reps; k++)
            has |= (int)sv__codec_family_of(t->reps[k].codecs) == f;
        if (has && (!chosen || (t->is_default && !chosen->is_default)))
            chosen = t;
    }
    if (!chosen)
        return 0;
    int rep = -1, q = pl->cmd->opts.quality_index;
    if (q >= 0 && q < (int)chosen->nb_reps)
        rep = q;
    for (size_t k = 0; rep < 0 && k < chosen->nb_reps; k++)
        if (chosen->nb_reps == 1 ||
            (mask & SV__CODEC_BIT(sv__codec_family_of(chosen->reps[k].codecs))))
            rep = (int)k;
    pl->picks[pl->nb_picks++] = (pick){ .track = chosen, .rep = rep < 0 ? 0 : rep, .next = -1 };
    return 0;
}

/* The picks of the loaded manifest. Returns 0 or a negative code with msg. */
static int plan(sv__preload *pl, char *msg, size_t cap)
{
    struct sv_player *p = pl->p;
    if (pl->pres->kind == SV__SOURCE_FILE || !pl->pres->nb_periods)
        return 0;
    sv__period *per = &pl->pres->periods[0];
    int r = p->settings.video_sink ? pick_video(pl, per, msg, cap) : 0;
    if (r < 0)
        return r;
    int ai = sv__lang_pick(per, SV_TRACK_AUDIO, &p->audio_prefs);
    sv__track *at = find_track(per, SV_TRACK_AUDIO,
                               ai >= 0 ? ai : sv__lang_default(per, SV_TRACK_AUDIO));
    if (at && !at->muxed && p->settings.audio_sink && at->nb_reps) {
        pl->picks[pl->nb_picks++] = (pick){ .track = at, .rep = (int)at->nb_reps - 1, .next = -1 };
        pl->has_audio = 1;
    }
    return 0;
}

static double start_time(const sv__preload *pl)
{
    return pl->pres->live ? pl->pres->live_start : pl->cmd->opts.start_position_s;
}

/* ---- fetching ----------------------------------------------------------------------- */

static void advance(sv__preload *pl);

static void wait_over(void *arg)
{
    sv__preload *pl = arg;
    pl->timer = 0;
    advance(pl);
}

/* The current item goes first: nothing is fetched while it loads,
 * buffers (startup or a rebuffer) or seeks. */
static int may_fetch(const sv__preload *pl)
{
    struct sv_player *p = pl->p;
    if (!p->pres && !p->manifest_fetch)
        return 1;
    sv__mutex_lock(&p->st.lock);
    sv_player_state st = p->st.state;
    sv__mutex_unlock(&p->st.lock);
    return st != SV_STATE_LOADING && st != SV_STATE_BUFFERING && st != SV_STATE_SEEKING;
}

static void on_fetched(void *opaque, sv__fetch_result *r);

static int fetch(sv__preload *pl, what w, sv__fetch_kind kind, const char *url, int64_t offset,
                 int64_t length, const uint8_t *body, size_t body_len, const char *body_type)
{
    struct sv_player *p = pl->p;
    sv__fetch_req req = { .kind = kind, .url = url, .offset = offset, .length = length,
                          .body = body, .body_len = body_len, .body_type = body_type,
                          .check = w == W_MEDIA || w == W_INIT ? sv__segment_check : NULL };
    sv__free(p->settings.allocator, pl->fetch_url);
    pl->fetch_url = sv__strdup(p->settings.allocator, url);
    pl->fetch_offset = offset;
    pl->fetch_length = length;
    pl->fetching = w;
    int64_t id = pl->fetch_url ? sv__fetch(pl->fetcher, &req, on_fetched, pl) : SV_ERR_NOMEM;
    if (id < 0) {
        char msg[MSG_MAX];
        snprintf(msg, sizeof(msg), "cannot request %s: %s", url, sv_strerror((int)id));
        finish(pl, (int)id, msg);
        return (int)id;
    }
    sv__mutex_lock(&pl->lock);
    pl->info.requests++;
    sv__mutex_unlock(&pl->lock);
    pl->fetch_id = id;
    return 0;
}

/* The next resource of pick `k`; returns 1 when one went out (or the
 * preload ended), 0 when the pick is complete. */
static int next_of(sv__preload *pl, pick *k)
{
    sv__rep *rep = &k->track->reps[k->rep];
    char buf[SV__URL_MAX];
    if (rep->seg_state == SV__SEGS_NEED_INDEX) {
        fetch(pl, W_INDEX, SV__FETCH_SEGMENT, rep->index_range.url, rep->index_range.offset,
              rep->index_range.length, NULL, 0, NULL);
        return 1;
    }
    if (rep->seg_state == SV__SEGS_NEED_PLAYLIST) {
        if (!rep->playlist_url)
            return 0;
        fetch(pl, W_INDEX, SV__FETCH_MANIFEST,
              sv__sched_plain_playlist_url(rep->playlist_url, buf, sizeof(buf)), 0, -1, NULL, 0,
              NULL);
        return 1;
    }
    if (k->next < 0 && (k->next = sv__model_find_segment(rep, start_time(pl))) < 0)
        return 0;
    while ((size_t)k->next < rep->nb_segs && sv__rep_segment(rep, (size_t)k->next).gap)
        k->next++;
    if ((size_t)k->next >= rep->nb_segs || (k->covered > 0 && k->covered >= pl->ahead_s))
        return 0;
    sv__segment seg = sv__rep_segment(rep, (size_t)k->next);
    if (seg.init && seg.init->url &&
        !(k->init_url && !strcmp(k->init_url, seg.init->url) && k->init_offset == seg.init->offset)) {
        sv__free(pl->p->settings.allocator, k->init_url);
        k->init_url = sv__strdup(pl->p->settings.allocator, seg.init->url);
        k->init_offset = seg.init->offset;
        fetch(pl, W_INIT, SV__FETCH_SEGMENT, seg.init->url, seg.init->offset, seg.init->length,
              NULL, 0, NULL);
        return 1;
    }
    if (seg.key && seg.key->method == SV__KEY_AES128 && seg.key->uri &&
        !(k->key_url && !strcmp(k->key_url, seg.key->uri))) {
        sv__free(pl->p->settings.allocator, k->key_url);
        k->key_url = sv__strdup(pl->p->settings.allocator, seg.key->uri);
        fetch(pl, W_KEY, SV__FETCH_KEY, seg.key->uri, 0, -1, NULL, 0, NULL);
        return 1;
    }
    const char *url = sv__segment_url(rep, &seg, buf, sizeof(buf));
    if (!url)
        return 0;
    k->next++;
    k->covered += seg.duration > 0 ? seg.duration : pl->ahead_s;
    fetch(pl, W_MEDIA, SV__FETCH_SEGMENT, url, seg.offset, seg.length, NULL, 0, NULL);
    return 1;
}

static void advance(sv__preload *pl)
{
    if (pl->fetch_id || pl->timer || !pl->cmd || pl->replied)
        return;
    if (!may_fetch(pl)) {
        int64_t id = sv__loop_timer(pl->p->loop, WAIT_S, wait_over, pl);
        pl->timer = id > 0 ? id : 0;
        return;
    }
    if (!pl->pres) {
        fetch(pl, W_MANIFEST, SV__FETCH_MANIFEST, pl->url, 0, -1, NULL, 0, NULL);
        return;
    }
    sv__pcache_stats cs;
    sv__pcache_stats_get(pl->p->pcache, &cs);
    for (; pl->cur < pl->nb_picks && !cs.full; pl->cur++)
        if (next_of(pl, &pl->picks[pl->cur]))
            return;
    finish(pl, 0, NULL);
}

/* ---- answers ------------------------------------------------------------------------ */

static int took_manifest(sv__preload *pl, sv__fetch_result *r, char *msg, size_t cap)
{
    struct sv_player *p = pl->p;
    sv__parse_error err = { 0 };
    sv__source_kind kind = sv__model_detect(r->data, r->size, r->url, r->content_type);
    int ret = r->size == 0 ? SV_ERR_PARSE
                           : sv__model_create(kind, (const char *)r->data, r->size, r->url,
                                              sv__wallclock_utc(p), p->settings.allocator,
                                              &pl->pres, &err);
    if (ret < 0) {
        snprintf(msg, cap, "broken manifest %s: line %d: %s", r->url, err.line,
                 r->size ? err.message : "the answer has 0 bytes");
        return ret;
    }
    return plan(pl, msg, cap);
}

static int took_index(sv__preload *pl, sv__fetch_result *r, char *msg, size_t cap)
{
    sv__rep *rep = &pl->picks[pl->cur].track->reps[pl->picks[pl->cur].rep];
    sv__parse_error err = { 0 };
    int ret = rep->seg_state == SV__SEGS_NEED_INDEX
                  ? sv__model_dash_sidx(pl->pres, rep, r->data, r->size, &err)
                  : sv__model_hls_media(pl->pres, rep, (const char *)r->data, r->size, r->url,
                                        &err);
    if (ret < 0)
        snprintf(msg, cap, "%s: line %d: %s", r->url, err.line, err.message);
    return ret;
}

/* An encrypted init segment: its keys into the CDM now, so the load finds
 * them held (receive_keys.c asks the CDM first). 1 when a license request
 * went out, 0 when none is needed, < 0 on failure. */
static int took_init(sv__preload *pl, sv__fetch_result *r, char *msg, size_t cap)
{
    struct sv_player *p = pl->p;
    const sv__track *t = pl->picks[pl->cur].track;
    const char *url = pl->cmd->opts.license_url ? pl->cmd->opts.license_url
                      : p->settings.license_url ? p->settings.license_url
                                                : t->license_url;
    uint8_t *req = NULL;
    size_t len = 0;
    int ret;
    sv__decryptor_destroy(pl->dec); /* the last pick's */
    pl->dec = NULL;
    if ((ret = sv__decryptor_create(&pl->dec, p->settings.allocator)) < 0 ||
        (ret = sv__decryptor_set_init(pl->dec, r->data, r->size)) < 0)
        return ret;
    if (!sv__decryptor_encrypted(pl->dec))
        return 0;
    ret = sv__decryptor_request(pl->dec, p->cdm, url, &req, &len);
    if (ret == 1)
        return 0;
    if (ret < 0 || !url) {
        if (ret == 0)
            p->cdm->free_request(p->cdm->opaque, req);
        snprintf(msg, cap, "%s is encrypted and %s", r->url,
                 ret < 0 ? "the CDM cannot ask for its keys" : "no license URL or key was given");
        return ret < 0 ? ret : SV_ERR_NO_KEY;
    }
    pl->license_req = req;
    /* A request that cannot go out ends the preload in fetch(). */
    fetch(pl, W_LICENSE, SV__FETCH_KEY, url, 0, -1, req, len, p->cdm->request_content_type);
    return 1;
}

static int took_license(sv__preload *pl, sv__fetch_result *r, char *msg, size_t cap)
{
    struct sv_player *p = pl->p;
    p->cdm->free_request(p->cdm->opaque, pl->license_req);
    pl->license_req = NULL;
    if (p->cdm->update(p->cdm->opaque, r->data, r->size) < 0) {
        snprintf(msg, cap, "the license server's answer holds no usable key");
        return SV_ERR_DRM;
    }
    return 0;
}

static void on_fetched(void *opaque, sv__fetch_result *r)
{
    sv__preload *pl = opaque;
    struct sv_player *p = pl->p;
    char msg[MSG_MAX] = "";
    int ret = 0;
    pl->fetch_id = 0;
    if (r->error) {
        /* A body the check refused may sit in the cache: never serve it. */
        sv__pcache_forget(p->pcache, pl->fetch_url, pl->fetch_offset, pl->fetch_length);
        if (pl->fetching == W_LICENSE && pl->license_req) {
            p->cdm->free_request(p->cdm->opaque, pl->license_req);
            pl->license_req = NULL;
        }
        snprintf(msg, sizeof(msg), "%s", r->message);
        ret = r->error;
    } else if (pl->fetching == W_MANIFEST) {
        ret = took_manifest(pl, r, msg, sizeof(msg));
    } else if (pl->fetching == W_INDEX) {
        ret = took_index(pl, r, msg, sizeof(msg));
    } else if (pl->fetching == W_INIT) {
        ret = took_init(pl, r, msg, sizeof(msg));
    } else if (pl->fetching == W_LICENSE) {
        ret = took_license(pl, r, msg, sizeof(msg));
    }
    sv__free(p->settings.allocator, r->data);
    if (ret < 0) {
        finish(pl, ret, msg);
        return;
    }
    if (pl->replied)
        return; /* ended inside: a request that could not go out */
    publish(pl, SV_PRELOAD_LOADING, 0, NULL);
    if (ret == 0)
        advance(pl);
}

/* ---- the control loop's calls -------------------------------------------------------- */

int sv__preload_create(struct sv_player *p)
{
    sv__preload *pl = sv__calloc(p->settings.allocator, 1, sizeof(*pl));
    sv__fetch_options fo;
    if (!pl)
        return SV_ERR_NOMEM;
    pl->p = p;
    pl->info = (sv_preload_info){ .struct_size = sizeof(pl->info), .ready_s = -1 };
    if (sv__mutex_init(&pl->lock) < 0) {
        sv__free(p->settings.allocator, pl);
        return SV_ERR_INTERNAL;
    }
    p->preload = pl;
    sv__fetch_default_options(&fo);
    fo.alloc = p->settings.allocator;
    fo.connect_timeout_s = p->settings.connect_timeout_s;
    fo.low_speed_bytes_per_s = p->settings.low_speed_bytes_per_s;
    fo.low_speed_time_s = p->settings.low_speed_time_s;
    int ret = sv__fetcher_create(&pl->fetcher, p->loop, p->record_transport, &fo);
    if (ret == 0)
        sv__fetcher_set_logger(pl->fetcher, &p->log);
    return ret;
}

void sv__preload_destroy(struct sv_player *p)
{
    sv__preload *pl = p->preload;
    if (!pl)
        return;
    halt(pl);
    sv__cmd_free(pl->cmd);
    sv__free(p->settings.allocator, pl->url);
    sv__fetcher_destroy(pl->fetcher);
    sv__mutex_destroy(&pl->lock);
    sv__free(p->settings.allocator, pl);
    p->preload = NULL;
}

void sv__preload_start(struct sv_player *p, sv__cmd *c)
{
    sv__preload *pl = p->preload;
    drop(pl, SV_PRELOAD_LOADING);
    pl->cmd = c;
    pl->replied = 0;
    pl->started_s = sv__player_now(p);
    pl->max_bytes = c->max_bytes ? c->max_bytes : DEFAULT_MAX_BYTES;
    if (pl->max_bytes < MIN_MAX_BYTES)
        pl->max_bytes = MIN_MAX_BYTES;
    pl->ahead_s = c->dvalue > 0 ? c->dvalue : p->settings.start_buffer_s;
    pl->gapless = c->flags;
    pl->has_audio = 0;
    sv__pcache_reset(p->pcache, pl->max_bytes);
    pl->internal_state = SV_PRELOAD_LOADING;
    if (!c->internal) {
        sv__mutex_lock(&pl->lock);
        pl->info = (sv_preload_info){ .struct_size = sizeof(pl->info),
                                      .state = SV_PRELOAD_LOADING, .ready_s = -1 };
        sv__mutex_unlock(&pl->lock);
    }
    pl->url = sv__url_is_absolute(c->url) ? sv__strdup(p->settings.allocator, c->url)
                                          : sv__file_url(p->settings.allocator, c->url);
    if (!pl->url) {
        finish(pl, SV_ERR_NOT_FOUND, "no such file");
        return;
    }
    if (sv__fetcher_set_query(pl->fetcher, c->opts.auth_token) < 0) {
        finish(pl, SV_ERR_NOMEM, "out of memory");
        return;
    }
    if (sv__control_plain_file(pl->url)) {
        finish(pl, 0, NULL); /* the demuxer opens it at load time */
        return;
    }
    advance(pl);
}

int sv__preload_free_for(struct sv_player *p)
{
    sv__preload *pl = p->preload;
    if (!pl->cmd || pl->cmd->internal)
        return 1;
    return pl->internal_state == SV_PRELOAD_USED || pl->internal_state == SV_PRELOAD_FAILED;
}

int sv__preload_holds(struct sv_player *p, const char *url)
{
    sv__preload *pl = p->preload;
    return pl->cmd && pl->url && !strcmp(pl->url, url);
}

void sv__preload_stop(struct sv_player *p)
{
    drop(p->preload, SV_PRELOAD_NONE);
}

void sv__preload_loading(struct sv_player *p, const char *url)
{
    sv__preload *pl = p->preload;
    if (!pl->cmd)
        return;
    if (pl->url && !strcmp(pl->url, url)) {
        /* The load takes over: what is held serves it, the rest it fetches. */
        halt(pl);
        publish(pl, SV_PRELOAD_USED, 0, NULL);
        reply(pl, SV_ERR_CANCELLED);
        return;
    }
    if (pl->internal_state == SV_PRELOAD_USED)
        drop(pl, SV_PRELOAD_NONE); /* the preloaded item was played: its bodies go */
}

/* Gapless: the current item has queued its last sample and frame (the
 * outputs hold them) and plays on. */
static int at_the_end(struct sv_player *p)
{
    sv__mutex_lock(&p->st.lock);
    sv_player_state st = p->st.state;
    sv__mutex_unlock(&p->st.lock);
    return st == SV_STATE_PLAYING && p->pres && p->playout == &p->own_playout &&
           sv__sched_all_fetched(p) && (p->video_track < 0 || sv__vout_all_queued(p->vout)) &&
           sv__aout_tail(p->aout);
}

/* Loads the preloaded item behind the current one, the outputs kept (a
 * loop task: the tick that saw the end has re-armed itself by then). */
static void move_on(void *arg)
{
    sv__preload *pl = arg;
    struct sv_player *p = pl->p;
    sv__cmd *c = pl->cmd;
    pl->moving = 0;
    if (!c || !at_the_end(p))
        return; /* stopped, replaced or sought meanwhile */
    PLOGI(p, "gapless: %s follows %s", c->url, p->load_url);
    /* The load owns the command from here on; the preload is used (said
     * before the event, so a host that reads it finds USED). */
    pl->cmd = NULL;
    c->kind = SV__CMD_LOAD;
    publish(pl, SV_PRELOAD_USED, 0, NULL);
    sv_event ev = { .id = SV_EVENT_END_OF_FILE };
    sv__events_push(&p->events, &ev, NULL, NULL, NULL);
    sv__session_end(p->sessions);
    p->handover = 1;
    p->hooks.load(p, c, 0);
    p->handover = 0;
    p->gapless_start = !atomic_load(&p->failed);
}

int sv__preload_tick(struct sv_player *p)
{
    sv__preload *pl = p->preload;
    sv__mutex_lock(&pl->lock);
    sv_preload_state st = pl->info.state;
    sv__mutex_unlock(&pl->lock);
    if (st != SV_PRELOAD_NONE && !(pl->cmd && pl->cmd->internal)) {
        char msg[sizeof(pl->info.message)];
        memcpy(msg, pl->info.message, sizeof(msg)); /* only this thread writes it */
        publish(pl, st, pl->info.error, msg);
    }
    if (st != SV_PRELOAD_READY || !pl->gapless || !pl->has_audio || !pl->cmd || pl->moving ||
        !at_the_end(p))
        return 0;
    pl->moving = sv__loop_post(p->loop, move_on, pl) == 0;
    return pl->moving;
}
