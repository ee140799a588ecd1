/*
 * Trick play (sv_player_set_trick_rate): fast forward and rewind over key
 * frames. While it runs, the load's streams and scheduler are stopped (audio
 * with them) and trick play has a stream of its own: a video-only stream
 * whose demuxer gives each run's first frame only (media/, first_frame_only)
 * and a receiver that clears what it fetches (media/receive.c), so encrypted
 * titles play too. Each key frame is one run: its init segment, then its
 * bytes (an I-frame track's entry, or a whole segment of the lowest
 * rung), and the video output shows it as it comes (sv__vout_set_trick).
 *
 * The pace: every STEP_S the target is start + rate x the time since the
 * rate was set (sv__trick_target); when the frame handed on last has been
 * shown and the key frame at or before the target (at or after it,
 * rewinding) is another, that one is fetched. One fetch at a time: a slow link shows fewer frames, never a
 * late position. Rate 1 (or a bound reached) restarts normal playback at
 * the key frame on screen through the restart hook (control_load.c).
 *
 * Loop thread only.
 */
#include <math.h>
#include <string.h>

#include "player/core/internal.h"
#include "player/core/scheduler_internal.h" /* sv__sched_plain_playlist_url */
#include "player/media/media.h"

#define STEP_S 0.02         /* how often the pace is looked at */
#define FRAME_WAIT_S 2.0    /* a key frame handed on and not shown by then is given up */
#define LIVE_REFRESH_S 2.0  /* live: the window is listed again this often at most */

enum { FETCH_NONE, FETCH_INDEX, FETCH_INIT, FETCH_MEDIA };

struct sv__trick {
    struct sv_player *p;
    int rate;
    double anchor, anchor_time;  /* the position and player clock the pace counts from */
    sv__rep *rep;                /* whose segments are the key frames */
    const sv__track *main;       /* the video track played (license, quality index) */
    int iframes;                 /* rep is an I-frame track's, else the lowest rung's */
    sv__stream *stream;
    sv__recv *recv;
    sv__throughput tput;
    int64_t timer;
    int64_t fetch_id;
    int fetch_kind;
    long entry;                  /* the entry fetched or handed on last, -1 none */
    sv__segment seg;             /* and its segment */
    uint8_t *init;               /* the rep's init segment, kept for every run */
    size_t init_size;
    const sv__resource *init_of; /* which init it is */
    uint8_t *held;               /* the media fetched, waiting for its init to be delivered */
    size_t held_size;
    int init_delivered;
    uint64_t run;
    int waiting;                 /* a frame was handed on and is not shown yet */
    uint64_t presented;          /* the output's count of frames when it was */
    double handed_at;
    uint64_t gen;
    double next_refresh;         /* live: player clock of the next listing of the window */
};

double sv__trick_target(double anchor, int rate, double elapsed, double lo, double hi,
                        int *at_end)
{
    double t = anchor + (double)rate * (elapsed > 0 ? elapsed : 0);
    *at_end = 0;
    if (t >= hi) {
        t = hi;
        *at_end = rate > 0;
    }
    if (t <= lo) {
        t = lo;
        *at_end = rate < 0;
    }
    return t;
}

int sv__trick_active(const struct sv_player *p)
{
    return p->trick != NULL;
}

static double position(struct sv_player *p)
{
    sv__mutex_lock(&p->st.lock);
    double pos = p->st.position_s;
    sv__mutex_unlock(&p->st.lock);
    return pos;
}

static void publish(struct sv_player *p, int rate, double pos)
{
    sv__mutex_lock(&p->st.lock);
    p->st.trick_rate = rate;
    sv__mutex_unlock(&p->st.lock);
    sv_event ev = { .id = SV_EVENT_TRICK_RATE };
    ev.data.trick.rate = rate;
    ev.data.trick.position_s = pos;
    sv__events_push(&p->events, &ev, NULL, NULL, NULL);
}

/* The range trick play moves in: the media, or a live load's DVR window. */
static int bounds(struct sv_player *p, double *lo, double *hi)
{
    *lo = 0;
    *hi = p->pres->duration;
    if (p->pres->live)
        return sv__model_seekable(p->pres, sv__wallclock_utc(p), lo, hi);
    return *hi > 0 ? 0 : SV_ERR_STATE;
}

static const sv__track *video_track(struct sv_player *p)
{
    const sv__period *per = &p->pres->periods[p->period];
    for (size_t i = 0; i < per->nb_tracks; i++)
        if (per->tracks[i].type == SV_TRACK_VIDEO && per->tracks[i].index == p->video_track)
            return &per->tracks[i];
    return NULL;
}

/* The lowest-bandwidth rep of `t` of a codec the load plays. */
static sv__rep *lowest(struct sv_player *p, const sv__track *t)
{
    for (size_t k = 0; t && k < t->nb_reps; k++) {
        unsigned bit = SV__CODEC_BIT(sv__codec_family_of(t->reps[k].codecs));
        if (!p->codec_ladder || (p->codec_ladder & bit))
            return &t->reps[k];
    }
    return NULL;
}

/* ---- handing frames on ------------------------------------------------------ */

static int end_at(struct sv_player *p, double pos, int paused);

static void hand_media(sv__trick *t);

static void describe(sv__trick *t, int is_init, sv__recv_item *it)
{
    struct sv_player *p = t->p;
    const char *lic = p->load_opts.license_url   ? p->load_opts.license_url
                      : p->settings.license_url ? p->settings.license_url
                      : t->main                 ? t->main->license_url
                                                 : NULL;
    *it = (sv__recv_item){ .is_init = is_init, .key = t->seg.key, .sequence = t->seg.number,
                           .license_url = lic, .gen = t->gen, .pres = p->pres,
                           .media_offset = sv__model_media_offset(p->pres, t->rep) };
    sv__chunk *c = &it->chunk;
    c->run = t->run;
    c->disc = t->seg.disc;
    c->start = t->seg.start;
    c->duration = t->seg.duration;
    sv__mutex_lock(&p->st.lock);
    c->rep_index = p->st.quality_index; /* the ladder's rung stays what the host saw */
    sv__mutex_unlock(&p->st.lock);
    c->bitrate = t->rep->bandwidth;
    c->width = t->rep->width;
    c->height = t->rep->height;
    c->reason = "trick play";
    it->period = c->disc >= 0 && p->pres->kind == SV__SOURCE_DASH ? (size_t)c->disc : 0;
}

static void on_delivered(void *opaque, int is_init)
{
    sv__trick *t = opaque;
    if (is_init) {
        t->init_delivered = 1;
        return; /* the media follows from hand_media or the next step */
    }
    t->waiting = 1;
    t->handed_at = sv__player_now(t->p);
}

/* A run for the key frame just fetched: its init, then its bytes. */
static void hand_run(sv__trick *t, uint8_t *data, size_t size)
{
    struct sv_player *p = t->p;
    const sv_allocator *al = p->settings.allocator;
    t->run++;
    t->held = data;
    t->held_size = size;
    t->init_delivered = !t->init;
    if (t->init) {
        uint8_t *copy = sv__malloc(al, t->init_size);
        if (!copy) {
            sv__control_error(p, SV_ERR_NOMEM, 1, "out of memory in trick play");
            return;
        }
        memcpy(copy, t->init, t->init_size);
        sv__fetch_result r = { .data = copy, .size = t->init_size, .url = t->init_of->url };
        sv__recv_item it;
        describe(t, 1, &it);
        sv__recv_segment(t->recv, &r, &it);
    }
    hand_media(t);
}

/* The held media goes on once its init is in the stream (at once, or after
 * a license: then from the next step). */
static void hand_media(sv__trick *t)
{
    if (!t->held || !t->init_delivered || !t->p->trick)
        return;
    sv__fetch_result r = { .data = t->held, .size = t->held_size };
    t->held = NULL;
    sv__recv_item it;
    describe(t, 0, &it);
    t->presented = sv__vout_presented(t->p->vout);
    sv__recv_segment(t->recv, &r, &it);
}

/* ---- fetching ------------------------------------------------------------------ */

static void on_fetch(void *opaque, sv__fetch_result *r)
{
    sv__trick *t = opaque;
    struct sv_player *p = t->p;
    const sv_allocator *al = p->settings.allocator;
    int kind = t->fetch_kind;
    t->fetch_id = 0;
    t->fetch_kind = FETCH_NONE;
    if (r->error) {
        /* Trick play goes on with the next key frame; an index is asked again. */
        PLOGW(p, "trick play: %s", r->message);
        sv__free(al, r->data);
        return;
    }
    if (kind == FETCH_INDEX) {
        sv__parse_error err = { 0 };
        int ret = t->rep->seg_state == SV__SEGS_NEED_INDEX
                      ? sv__model_dash_sidx(p->pres, t->rep, r->data, r->size, &err)
                      : sv__model_hls_media(p->pres, t->rep, (const char *)r->data, r->size,
                                            r->url, &err);
        sv__free(al, r->data);
        if (ret < 0)
            sv__control_error(p, ret, 1, "trick play: %s: line %d: %s", r->url, err.line,
                              err.message);
        return;
    }
    if (kind == FETCH_INIT) {
        sv__free(al, t->init);
        t->init = r->data;
        t->init_size = r->size;
        t->init_of = t->seg.init;
        return; /* the next step fetches the key frame */
    }
    hand_run(t, r->data, r->size);
}

static int fetch(sv__trick *t, int kind, const char *url, int64_t offset, int64_t length)
{
    /* An I-frame entry may end inside its mdat (the key frame's bytes
     * only), so the whole-segment check is for whole segments alone. */
    sv__fetch_req req = { .kind = kind == FETCH_INDEX && t->rep->seg_state != SV__SEGS_NEED_INDEX
                                      ? SV__FETCH_MANIFEST
                                      : SV__FETCH_SEGMENT,
                          .url = url, .offset = offset, .length = length,
                          .check = kind == FETCH_MEDIA && !t->iframes ? sv__segment_check : NULL };
    int64_t id = sv__fetch(t->p->fetcher, &req, on_fetch, t);
    if (id < 0) {
        sv__control_error(t->p, (int)id, 1, "trick play: cannot request %s", url ? url : "(none)");
        return (int)id;
    }
    t->fetch_id = id;
    t->fetch_kind = kind;
    return 0;
}

/* Fetches entry k (its init first when the rep's is not held). */
static void fetch_entry(sv__trick *t, long k)
{
    char url[SV__URL_MAX];
    t->entry = k;
    t->seg = sv__rep_segment(t->rep, (size_t)k);
    if (t->seg.init && t->init_of != t->seg.init) {
        fetch(t, FETCH_INIT, t->seg.init->url, t->seg.init->offset, t->seg.init->length);
        t->entry = -1; /* fetched again once the init is here */
        return;
    }
    if (!sv__segment_url(t->rep, &t->seg, url, sizeof(url))) {
        sv__control_error(t->p, SV_ERR_INVALID, 1, "trick play: a segment URL too long");
        return;
    }
    fetch(t, FETCH_MEDIA, url, t->seg.offset, t->seg.length);
}

/* ---- the pace ------------------------------------------------------------------ */

/* Live: the scheduler, which reloads playlists, is stopped during trick
 * play, so the window moves on here: an HLS rep's media playlist is loaded
 * again (its plain URL: no blocking reload), a DASH presentation listed
 * again for now (a SegmentTimeline that only a new MPD extends is not
 * followed). The window is the model's (sv__model_seekable): the latest
 * first start of the reps, the live start of the last playlist. */
static void refresh(sv__trick *t)
{
    struct sv_player *p = t->p;
    double every = p->pres->refresh_s > 0 ? p->pres->refresh_s : LIVE_REFRESH_S;
    t->next_refresh = sv__player_now(p) + (every < LIVE_REFRESH_S ? every : LIVE_REFRESH_S);
    if (p->pres->kind == SV__SOURCE_DASH) {
        sv__parse_error err = { 0 };
        if (sv__model_dash_update(p->pres, sv__wallclock_utc(p), &err) < 0)
            PLOGW(p, "trick play: the live window: %s", err.message);
    } else if (t->rep->playlist_url) {
        char plain[SV__URL_MAX];
        fetch(t, FETCH_INDEX, sv__sched_plain_playlist_url(t->rep->playlist_url, plain,
                                                           sizeof(plain)), 0, -1);
    }
}

static void step(void *arg)
{
    sv__trick *t = arg;
    struct sv_player *p = t->p;
    t->timer = 0;
    hand_media(t);
    if (t->waiting && (sv__vout_presented(p->vout) > t->presented ||
                       sv__player_now(p) - t->handed_at > FRAME_WAIT_S))
        t->waiting = 0;
    if (!p->trick || t->fetch_id || t->held || t->waiting || sv__recv_busy(t->recv) ||
        atomic_load(&p->failed))
        goto again;
    if (t->rep->seg_state != SV__SEGS_READY) {
        if (t->rep->seg_state == SV__SEGS_NEED_INDEX)
            fetch(t, FETCH_INDEX, t->rep->index_range.url, t->rep->index_range.offset,
                  t->rep->index_range.length);
        else
            fetch(t, FETCH_INDEX, t->rep->playlist_url, 0, -1);
        goto again;
    }
    if (p->pres->live && sv__player_now(p) >= t->next_refresh) {
        refresh(t);
        goto again;
    }
    double lo, hi;
    int at_end;
    if (bounds(p, &lo, &hi) < 0 || !t->rep->nb_segs)
        goto again;
    double target = sv__trick_target(t->anchor, t->rate, sv__player_now(p) - t->anchor_time,
                                     lo, hi, &at_end);
    long k = sv__model_find_segment(t->rep, target);
    if (k < 0)
        k = (long)t->rep->nb_segs - 1; /* past the last entry's end */
    /* Rewinding, the key frame at or after the target: the position lags
     * the pace in the direction it moves, never runs ahead of it. */
    if (t->rate < 0 && k + 1 < (long)t->rep->nb_segs &&
        sv__rep_segment(t->rep, (size_t)k).start < target - 0.001)
        k++;
    /* By its time, not its index: a live reload moves the indexes. */
    if (t->entry < 0 || fabs(sv__rep_segment(t->rep, (size_t)k).start - t->seg.start) > 0.001) {
        fetch_entry(t, k);
        goto again;
    }
    if (at_end) {
        /* The key frame at the bound is on screen: normal playback takes
         * over there, paused. Live plays on: at the live start, or a
         * segment into the window (its start slides away as it plays). */
        double live_pos = t->rate > 0 ? hi : fmin(lo + sv__rep_segment(t->rep, 0).duration, hi);
        end_at(p, p->pres->live ? live_pos : position(p), !p->pres->live);
        return;
    }
again:
    if (p->trick == t)
        t->timer = sv__loop_timer(p->loop, STEP_S, step, t);
}

/* ---- starting and ending ------------------------------------------------------- */

static void destroy(struct sv_player *p)
{
    sv__trick *t = p->trick;
    if (!t)
        return;
    const sv_allocator *al = p->settings.allocator;
    p->trick = NULL;
    if (t->timer)
        sv__loop_timer_cancel(p->loop, t->timer);
    if (t->fetch_id)
        sv__fetch_cancel(p->fetcher, t->fetch_id);
    sv__recv_destroy(t->recv);
    uint64_t gen = atomic_fetch_add(&p->gen, 1) + 1;
    if (t->stream)
        sv__stream_flush(t->stream, gen, -1);
    sv__vout_flush(p->vout, gen, -1);
    sv__stream_destroy(t->stream);
    sv__vout_set_trick(p->vout, 0);
    sv_abr_estimator_destroy(t->tput.est);
    sv__free(al, t->init);
    sv__free(al, t->held);
    sv__free(al, t);
}

void sv__trick_abort(struct sv_player *p)
{
    if (!p->trick)
        return;
    destroy(p);
    publish(p, 1, position(p)); /* the host learns the rate is 1 again */
}

int sv__trick_end(struct sv_player *p, int paused)
{
    return p->trick ? end_at(p, position(p), paused) : 0;
}

static int end_at(struct sv_player *p, double pos, int paused)
{
    destroy(p);
    PLOGI(p, "trick play ends at %.3f s%s", pos, paused ? ", paused" : "");
    p->paused_by_user = paused;
    int r = p->hooks.restart(p, p->pres->live ? 0 : pos);
    if (r == 0 && p->pres->live) {
        /* A live begin starts at the live start: then the seek to pos. */
        sv__cmd c = { .player = p, .kind = SV__CMD_SEEK, .dvalue = pos };
        r = sv__control_seek(p, &c);
    }
    sv__subs_seek(p->subs, pos);
    publish(p, 1, pos);
    return r;
}

int sv__trick_seek(struct sv_player *p, sv__cmd *c)
{
    sv__trick *t = p->trick;
    double lo, hi, target = c->dvalue;
    if (c->flags & SV__SEEK_LIVE) { /* back to the live edge at 1x */
        int r = end_at(p, position(p), 0);
        return r < 0 ? r : sv__control_seek(p, c);
    }
    if (bounds(p, &lo, &hi) < 0)
        return SV_ERR_STATE;
    if (c->flags & SV_SEEK_RELATIVE)
        target += position(p);
    target = target < lo ? lo : target > hi ? hi : target;
    t->anchor = target;
    t->anchor_time = sv__player_now(p);
    sv_event ev = { .id = SV_EVENT_SEEK_DONE };
    ev.data.seek.position_s = target;
    sv__events_push(&p->events, &ev, NULL, NULL, NULL);
    return 0;
}

/* The key frames trick play shows: the I-frame track's lowest rep of the
 * codec played, else (none, or live: an I-frame track is not refreshed)
 * the lowest rung of the video. */
static void choose_rep(struct sv_player *p, sv__trick *t)
{
    const sv__period *per = &p->pres->periods[p->period];
    t->main = video_track(p);
    t->rep = p->pres->live ? NULL : lowest(p, per->trick);
    t->iframes = t->rep != NULL;
    if (!t->rep)
        t->rep = lowest(p, t->main);
}

static int start(struct sv_player *p)
{
    sv__trick *t = sv__calloc(p->settings.allocator, 1, sizeof(*t));
    if (!t)
        return SV_ERR_NOMEM;
    t->p = p;
    t->entry = -1;
    t->next_refresh = sv__player_now(p) + LIVE_REFRESH_S;
    choose_rep(p, t);
    if (!t->rep) {
        sv__free(p->settings.allocator, t);
        return SV_ERR_UNSUPPORTED;
    }
    double pos = position(p);
    sv__sched_stop(p);
    sv__control_stop_streams(p);
    p->trick = t;
    t->gen = atomic_load(&p->gen);
    sv__vout_flush(p->vout, t->gen, -1);
    sv__vout_set_trick(p->vout, 1);
    sv_abr_estimator_config ec;
    sv_abr_estimator_default_config(&ec, SV_ABR_ESTIMATOR_EWMA);
    sv__stream_config cfg = { .feeds = SV__FEED_VIDEO, .env = &p->env, .vout = p->vout,
                              .aout = p->aout, .decoder_threads = p->settings.decoder_threads,
                              .reader = sv__demux_thread, .first_frame_only = 1 };
    int r = sv_abr_estimator_create(&ec, p->settings.allocator, &t->tput.est);
    if (r == 0)
        r = sv__stream_create(&t->stream, &cfg);
    if (r == 0) {
        sv__stream_flush(t->stream, t->gen, -1);
        sv__recv_config rc = { .env = &p->env, .fetcher = p->fetcher, .cdm = p->cdm,
                               .stream = t->stream, .tput = &t->tput,
                               .delivered = on_delivered, .opaque = t };
        r = sv__recv_create(&t->recv, &rc);
    }
    if (r < 0) {
        sv__trick_abort(p);
        return r;
    }
    t->anchor = pos;
    PLOGI(p, "trick play over %s (%s)",
          t->iframes ? "the I-frame track" : "the lowest rung's key frames",
          t->rep->id && *t->rep->id   ? t->rep->id
          : t->rep->codecs && *t->rep->codecs ? t->rep->codecs
                                            : "no codecs declared");
    return 0;
}

int sv__trick_set(struct sv_player *p, int rate)
{
    sv_player_state st;
    sv__mutex_lock(&p->st.lock);
    st = p->st.state;
    sv__mutex_unlock(&p->st.lock);
    if (!p->pres || st == SV_STATE_IDLE || st == SV_STATE_LOADING || st == SV_STATE_ERROR)
        return SV_ERR_STATE;
    if (rate == 1)
        return sv__trick_end(p, 0);
    if (p->pres->kind == SV__SOURCE_FILE || p->video_track < 0 || p->chunk_sink)
        return SV_ERR_UNSUPPORTED;
    if (!p->trick) {
        int r = start(p);
        if (r < 0)
            return r;
        sv__set_state(p, SV_STATE_PLAYING);
    }
    sv__trick *t = p->trick;
    /* A new rate counts from the key frame on screen. */
    if (t->rate)
        t->anchor = position(p);
    t->anchor_time = sv__player_now(p);
    t->rate = rate;
    PLOGI(p, "trick play at %dx from %.3f s", rate, t->anchor);
    publish(p, rate, t->anchor);
    if (!t->timer)
        step(t);
    return 0;
}
