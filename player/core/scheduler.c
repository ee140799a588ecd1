/*
 * The scheduler decides, per stream, what to download next: the segment that
 * follows what is buffered, in the representation the ABR rule picks (or the
 * locked one), preceded by its init segment when the run changes. It loads
 * what the model still lacks (HLS media playlists, DASH sidx) on demand,
 * moves across DASH periods, and waits at a live edge (scheduler_live.c:
 * manifest refreshes, DASH availability times).
 *
 * Loop thread only.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "player/core/scheduler_internal.h"

static double position(sv__sched *s)
{
    struct sv_player *p = s->p;
    sv__mutex_lock(&p->st.lock);
    double pos = p->st.position_s;
    sv__mutex_unlock(&p->st.lock);
    return pos;
}

static void pump(sched_stream *ss);

/* ---- choosing a representation ------------------------------------------ */

static int choose_rep(sched_stream *ss, sv__track *t, const char **reason, double *wait_s)
{
    sv__sched *s = ss->owner;
    struct sv_player *p = s->p;
    *reason = "only";
    *wait_s = 0;
    if (t->nb_reps <= 1)
        return 0;
    if (ss->type != SV_TRACK_VIDEO) {
        *reason = "audio";
        return (int)t->nb_reps - 1; /* audio ladders are cheap: take the best */
    }
    if (s->locked >= 0) {
        *reason = "locked";
        return s->locked < (int)t->nb_reps ? s->locked : (int)t->nb_reps - 1;
    }
    /* The ladder the rule sees: reps of the codec families chosen at load
     * (control.c; a later period without them: all), within max_height,
     * bitrates ascending. */
    uint32_t kbps[MAX_LADDER];
    int map[MAX_LADDER];
    size_t n = 0;
    unsigned codecs = p->codec_ladder;
    if (codecs) {
        size_t match = 0;
        for (size_t i = 0; i < t->nb_reps; i++)
            match += (codecs & SV__CODEC_BIT(sv__codec_family_of(t->reps[i].codecs))) != 0;
        if (!match)
            codecs = 0;
    }
    for (size_t i = 0; i < t->nb_reps && n < MAX_LADDER; i++) {
        const sv__rep *r = &t->reps[i];
        if (codecs && !(codecs & SV__CODEC_BIT(sv__codec_family_of(r->codecs))))
            continue;
        if (p->settings.max_height > 0 && r->height > p->settings.max_height && n > 0)
            continue;
        uint32_t k = (uint32_t)(r->bandwidth / 1000);
        if (n && k <= kbps[n - 1])
            k = kbps[n - 1] + 1;
        kbps[n] = k ? k : 1;
        map[n++] = (int)i;
    }
    double tput = sv_abr_estimator_get_kbps(s->tput.est);
    if (s->tput.media_samples == 0) {
        /* Nothing measured yet: the lowest rung gives the fastest first
         * frame, and its download is the first throughput sample. */
        *reason = "startup";
        return map[0];
    }
    double seg_d = 4;
    const sv__rep *cur = &t->reps[ss->last_rep >= 0 ? ss->last_rep : 0];
    if (cur->seg_state == SV__SEGS_READY && cur->nb_segs) {
        double d0 = sv__rep_segment(cur, 0).duration;
        seg_d = d0 > 0 ? d0 : seg_d;
    }
    int last = -1;
    for (size_t i = 0; i < n; i++)
        if (map[i] == ss->last_rep)
            last = (int)i;
    double buffer = ss->buffered_end - position(s);
    double now = sv__loop_now(p->loop);
    sv_abr_input in = {
        .bitrates_kbps = kbps, .num_rungs = n, .segment_duration_s = seg_d,
        .buffer_s = buffer > 0 ? buffer : 0, .buffer_max_s = p->settings.buffer_goal_s,
        .throughput_kbps = tput, .last_index = last,
        .idle_s = s->tput.last_download_end > 0 ? now - s->tput.last_download_end : 0,
        .phase = p->st.state == SV_STATE_PLAYING ? SV_ABR_PHASE_PLAYING
                 : last < 0                   ? SV_ABR_PHASE_STARTUP
                                              : SV_ABR_PHASE_STALLED,
    };
    if (in.idle_s < 0)
        in.idle_s = 0;
    uint64_t sizes[SV__SIZES_LOOKAHEAD * MAX_LADDER];
    in.num_next = sv__sched_known_sizes(p, t, ss->last_rep, ss->next_time, map, n, sizes,
                                        &in.segments_left);
    in.next_sizes = in.num_next ? sizes : NULL;
    sv_abr_decision d;
    if (sv_abr_choose(s->abr, &in, &d) < 0)
        return map[0];
    *reason = d.reason;
    /* A rule may ask to wait before the request (BOLA); the wait never
     * stalls playback: it is capped by the buffer, as in abr/sim.c. */
    *wait_s = d.delay_s < in.buffer_s ? d.delay_s : in.buffer_s;
    return map[d.index];
}

/* ---- fetch completions ----------------------------------------------------- */

/* A master playlist does not say whether the stream is live: its first
 * media playlist does, after sv__sched_start chose where to start. When it
 * is live, the streams that have fetched nothing yet start where the model
 * says a live stream starts (RFC 8216 6.3.3: three target durations from
 * the end), not at the oldest segment of the window; the outputs drop what
 * comes before that time (a separate audio rendition's segment starts
 * earlier than video's), as after a seek; and the reloads begin, as when
 * the load was a live media playlist. */
static void join_live(sv__sched *s)
{
    struct sv_player *p = s->p;
    double start = p->pres->live_start;
    uint64_t gen = atomic_load(&p->gen);

    s->live_joined = 1;
    for (int k = 0; k < s->nb; k++)
        if (s->ss[k].last_rep < 0) {
            s->ss[k].next_time = start;
            sv__stream_flush(s->ss[k].stream, gen, start);
        }
    sv__vout_flush(p->vout, gen, start);
    sv__aout_flush(p->aout, gen, start);
    sv__mutex_lock(&p->st.lock);
    p->st.position_s = start;
    sv__mutex_unlock(&p->st.lock);
    sv__sched_schedule_refresh(s);
}

static void on_index(void *opaque, sv__fetch_result *r)
{
    sched_stream *ss = opaque;
    struct sv_player *p = ss->owner->p;
    ss->fetch_id = 0;
    ss->fetch_is_index = 0;
    sv__track *t = sv__sched_track_of(ss);
    if (r->error) {
        /* The fetcher retried it; what is buffered plays out first. */
        sv__free(p->settings.allocator, r->data);
        sv__sched_give_up(ss->owner, r->error, r->message);
        return;
    }
    if (!t || ss->fetch_rep >= (int)t->nb_reps) {
        sv__env_error(&p->env, SV_ERR_INTERNAL, 1, "%s", r->message);
        sv__free(p->settings.allocator, r->data);
        return;
    }
    sv__rep *rep = &t->reps[ss->fetch_rep];
    sv__parse_error err = { 0 };
    int ret = rep->seg_state == SV__SEGS_NEED_INDEX
                  ? sv__model_dash_sidx(p->pres, rep, r->data, r->size, &err)
                  : sv__model_hls_media(p->pres, rep, (const char *)r->data, r->size, r->url, &err);
    sv__free(p->settings.allocator, r->data);
    if (ret < 0) {
        sv__env_error(&p->env, ret, 1, "%s: line %d: %s", r->url, err.line, err.message);
        return;
    }
    sv__control_take_events(p);
    if (p->pres->live && !ss->owner->live_joined)
        join_live(ss->owner);
    pump(ss);
}

/* The license server: the host's choice (load, then settings) wins over the
 * manifest's dashif:laurl, as in Shaka Player: a backend's session answer or
 * svplay --license-url names the server that will honour the token. */
static const char *license_url(sched_stream *ss)
{
    struct sv_player *p = ss->owner->p;
    sv__track *t = sv__sched_track_of(ss);
    if (p->load_opts.license_url)
        return p->load_opts.license_url;
    if (p->settings.license_url)
        return p->settings.license_url;
    return t ? t->license_url : NULL;
}

/* What the receive stage needs of the segment just fetched. */
static void describe(sched_stream *ss, sv__recv_item *it)
{
    sv__sched *s = ss->owner;
    sv__track *t = sv__sched_track_of(ss);
    const sv__rep *rep = t ? &t->reps[ss->last_rep] : NULL;
    sv__chunk *c = &it->chunk;

    *it = (sv__recv_item){ .is_init = ss->fetch_is_init, .key = ss->seg.key,
                           .sequence = ss->seg.number, .license_url = license_url(ss),
                           .gen = s->gen };
    c->run = ss->run;
    c->disc = ss->seg.disc;
    c->start = ss->seg.start;
    c->duration = ss->seg.duration;
    c->rep_index = ss->last_rep;
    c->bitrate = rep ? rep->bandwidth : 0;
    c->width = rep ? rep->width : 0;
    c->height = rep ? rep->height : 0;
    c->reason = ss->reason;
    it->pres = s->p->pres;
    it->period = c->disc >= 0 ? (size_t)c->disc : 0; /* DASH: the period index */
    it->media_offset = sv__model_media_offset(s->p->pres, rep);
}

static void on_segment(void *opaque, sv__fetch_result *r)
{
    sched_stream *ss = opaque;
    sv__sched *s = ss->owner;
    struct sv_player *p = s->p;
    ss->fetch_id = 0;
    if (sv__sched_hint_failed(ss, r))
        return;
    if (r->error) {
        sv__free(p->settings.allocator, r->data);
        sv__sched_segment_failed(ss, r);
        return;
    }
    sv__sched_progress(s);
    sv__recv_item it;
    describe(ss, &it);
    sv__recv_segment(ss->recv, r, &it);
}

/* The receive stage handed the segment to the stream: on to the next. */
static void on_delivered(void *opaque, int is_init)
{
    sched_stream *ss = opaque;
    if (is_init) {
        ss->init_pending = 0;
    } else {
        ss->buffered_end = ss->seg.start + ss->seg.duration;
        ss->next_time = ss->buffered_end;
        ss->run_media = 1;
        ss->owner->last_delivery = sv__loop_now(ss->owner->p->loop);
    }
    pump(ss);
}

/* ---- the decision ---------------------------------------------------------- */

/* CMCD keys for the segment about to be fetched (rep `ri` of the stream's
 * track), into buf; NULL when CMCD is off. */
static const char *cmcd_for(sched_stream *ss, int ri, int is_init, double duration_s,
                            char *buf, size_t cap)
{
    struct sv_player *p = ss->owner->p;
    const sv__track *t = sv__sched_track_of(ss);
    sv__cmcd_object o = { .type = ss->type, .is_init = is_init, .duration_s = duration_s };

    if (!p->settings.cmcd)
        return NULL;
    if (t && ri >= 0 && (size_t)ri < t->nb_reps) {
        o.bitrate_bps = t->reps[ri].bandwidth;
        o.top_bps = t->reps[t->nb_reps - 1].bandwidth; /* sorted ascending */
    }
    sv__mutex_lock(&p->st.lock);
    o.buffer_s = p->st.buffer_s;
    o.state = p->st.state;
    o.session_id = p->st.session_info.active ? p->st.session_info.session_id : p->cmcd_sid;
    sv__mutex_unlock(&p->st.lock);
    o.throughput_bps = sv__sched_throughput_bps(p);
    o.format = !p->pres || p->pres->kind == SV__SOURCE_FILE ? 0
               : p->pres->kind == SV__SOURCE_DASH           ? 'd'
                                                            : 'h';
    return sv__cmcd_query(&o, buf, cap) ? buf : NULL;
}

/* A piece of a segment read as it grows: on to the receive stage. */
static void on_piece(void *opaque, const uint8_t *data, size_t len, size_t offset)
{
    sched_stream *ss = opaque;
    sv__recv_item it;
    describe(ss, &it);
    sv__recv_piece(ss->recv, data, len, offset, &it);
}

static int start_fetch(sched_stream *ss, const sv__resource *res, sv__fetch_cb cb,
                       const char *query, int growing, double hint_stall_s)
{
    /* A body shorter than its own boxes is a truncated segment: retried,
     * then skipped, never handed to the demuxer (media/segment_check.c). */
    sv__fetch_req req = { .kind = SV__FETCH_SEGMENT, .url = res->url, .offset = res->offset,
                          .length = res->length, .query = query, .check = sv__segment_check,
                          .progress = growing ? on_piece : NULL,
                          .hint_stall_s = hint_stall_s };
    int64_t id = sv__fetch(ss->owner->p->fetcher, &req, cb, ss);
    if (id < 0) {
        sv__env_error(&ss->owner->p->env, (int)id, 1, "cannot request %s", res->url);
        return (int)id;
    }
    ss->fetch_id = id;
    return 0;
}

/* LL-HLS parts (entries with `part` set): which entry of `rep` to take for
 * next_time, given the one that holds it (`i`, or -1):
 *   - a run starts at an independent part: decoding cannot start at the
 *     others (the outputs drop what comes before the start);
 *   - a switch to another rep waits for one (the current rep goes on until
 *     then), so no media is fetched twice;
 *   - the part the last fetch took (a preload hint, listed again by the
 *     next playlist with its real duration) is not taken again. */
static long ll_entry(sched_stream *ss, sv__track *t, int *ri, sv__rep **rep, const char **reason,
                     long i)
{
    if (i < 0 || (size_t)i >= (*rep)->nb_segs || !sv__rep_segment(*rep, (size_t)i).part)
        return i;
    int fresh = ss->last_rep < 0 || !ss->run_media;
    if (!fresh && *ri != ss->last_rep && !sv__rep_segment(*rep, (size_t)i).independent) {
        /* Not at an independent part: the rep played goes on, or waits for
         * its next playlist when it lists nothing at next_time yet. Going
         * back to the new rep's independent part would fetch (and play)
         * media already delivered. */
        *ri = ss->last_rep;
        *rep = &t->reps[*ri];
        *reason = ss->reason;
        long j = (*rep)->seg_state == SV__SEGS_READY
                     ? sv__model_find_segment(*rep, ss->next_time)
                     : -1;
        if (j < 0 || (size_t)j >= (*rep)->nb_segs)
            return (long)(*rep)->nb_segs;
        i = j;
    }
    const sv__rep *r = *rep;
    if (fresh) {
        for (;;) {
            sv__segment e = sv__rep_segment(r, (size_t)i);
            if (i == 0 || !e.part || e.independent)
                return i;
            i--;
        }
    }
    char url[SV__URL_MAX];
    sv__segment e = sv__rep_segment(r, (size_t)i);
    if (sv__segment_url(r, &e, url, sizeof(url)) && !strcmp(url, ss->seg_url) &&
        e.offset == ss->seg.offset)
        i++;
    return i;
}

/* Init segments are compared by address: live refreshes rebuild the
 * segment lists, so pointers change while the resource does not. */
static int same_init(const sched_stream *ss, const sv__resource *init)
{
    if (!init || !init->url)
        return ss->last_init_url == NULL;
    return ss->last_init_url && !strcmp(ss->last_init_url, init->url) &&
           ss->last_init_offset == init->offset;
}

static void pump(sched_stream *ss)
{
    sv__sched *s = ss->owner;
    struct sv_player *p = s->p;
    if (ss->fetch_id || sv__recv_busy(ss->recv) || ss->done || ss->wait_timer || !p->pres ||
        p->st.state == SV_STATE_ERROR || s->failed)
        return;
    double ahead = ss->buffered_end - position(s);
    double goal = p->settings.buffer_goal_s;
    if (ss->buffered_end > 0 && ahead >= goal)
        return; /* the tick pumps again as the buffer drains */

    sv__track *t = sv__sched_track_of(ss);
    if (!t) {
        sv__sched_end_stream(ss);
        return;
    }
    const char *reason;
    double wait_s = 0;
    int ri = ss->chosen_rep;
    if (ri >= 0 && ri < (int)t->nb_reps)
        reason = ss->chosen_reason;
    else
        ri = choose_rep(ss, t, &reason, &wait_s);
    ss->chosen_rep = -1;
    if (wait_s > 0 && sv__sched_wait(ss, wait_s)) {
        ss->chosen_rep = ri;
        ss->chosen_reason = reason;
        return;
    }
    sv__rep *rep = &t->reps[ri];
    if (rep->seg_state != SV__SEGS_READY) {
        sv__fetch_req req = { .kind = SV__FETCH_MANIFEST, .length = -1 };
        if (rep->seg_state == SV__SEGS_NEED_INDEX) {
            req.kind = SV__FETCH_SEGMENT;
            req.url = rep->index_range.url;
            req.offset = rep->index_range.offset;
            req.length = rep->index_range.length;
        }
        char plain[SV__URL_MAX], url[SV__URL_MAX];
        if (rep->seg_state != SV__SEGS_NEED_INDEX && rep->playlist_url)
            req.url = sv__sched_plain_playlist_url(rep->playlist_url, plain, sizeof(plain));
        /* LL-HLS: switching renditions, the one played reports where the
         * other's playlist ends: it is asked for as of then (a blocking
         * reload answered at once, never an older playlist). */
        if (ss->last_rep >= 0 && ss->last_rep != ri && rep->seg_state == SV__SEGS_NEED_PLAYLIST &&
            sv__model_hls_report_url(&t->reps[ss->last_rep], rep->playlist_url, url,
                                     sizeof(url)) == 0) {
            PLOGD(p, "rendition report: %s", url);
            req.url = url;
        }
        int64_t id = sv__fetch(p->fetcher, &req, on_index, ss);
        if (id < 0) {
            sv__env_error(&p->env, (int)id, 1, "cannot request %s", req.url ? req.url : "(none)");
            return;
        }
        ss->fetch_id = id;
        ss->fetch_is_index = 1;
        ss->fetch_rep = ri;
        ss->chosen_rep = ri;
        ss->chosen_reason = reason;
        return;
    }

    long i = sv__model_find_segment(rep, ss->next_time);
    i = ll_entry(ss, t, &ri, &rep, &reason, i);
    if (sv__sched_hint_withheld(ss, rep, i))
        return; /* the failed hint, not listed again yet */
    /* Live HLS: only the rendition played is reloaded, so one the ABR
     * turns to again may end before next_time; no refresh would bring it
     * (the player stalled for good there): it is reloaded first, through
     * the played one's rendition report, at most twice a second. */
    if (p->pres->live && p->pres->kind == SV__SOURCE_HLS && ss->last_rep >= 0 &&
        ri != ss->last_rep && (i < 0 || (size_t)i >= rep->nb_segs) && rep->playlist_url &&
        sv__loop_now(p->loop) - ss->stale_reload_s >= 0.5) {
        ss->stale_reload_s = sv__loop_now(p->loop);
        PLOGD(p, "%s: representation %d lists nothing at %.3f s: its playlist again",
              ss->type == SV_TRACK_VIDEO ? "video" : "audio", ri, ss->next_time);
        rep->seg_state = SV__SEGS_NEED_PLAYLIST;
        ss->chosen_rep = ri;
        ss->chosen_reason = reason;
        pump(ss);
        return;
    }
    while (i >= 0 && (size_t)i < rep->nb_segs && sv__rep_segment(rep, (size_t)i).gap)
        i++;
    /* An interstitial's cut (interstitials.c): nothing from it on. */
    if (i >= 0 && (size_t)i < rep->nb_segs &&
        sv__rep_segment(rep, (size_t)i).start >= p->stop_at - SV__CUT_TOLERANCE_S) {
        sv__sched_end_stream(ss);
        return;
    }
    if (i < 0 || (size_t)i >= rep->nb_segs) {
        /* A live period is over once its rep lists its last segment. */
        if (p->pres->live && !(rep->complete && ss->period + 1 < (int)p->pres->nb_periods)) {
            /* The next refresh brings more; with DASH, so does the time. */
            ss->waiting_live = 1;
            ss->wait_rep = ri;
            sv__sched_schedule_avail(s);
            return;
        }
        if (ss->period + 1 < (int)p->pres->nb_periods) {
            ss->period++;
            ss->next_time = p->pres->periods[ss->period].start;
            ss->last_rep = -1;
            pump(ss);
            return;
        }
        sv__sched_end_stream(ss);
        return;
    }
    ss->waiting_live = 0;
    s->edge_misses = 0;
    const sv__segment segv = sv__rep_segment(rep, (size_t)i), *seg = &segv;
    if (ri != ss->last_rep || seg->disc != ss->last_disc || !same_init(ss, seg->init)) {
        ss->run++;
        ss->run_media = 0;
        ss->last_rep = ri;
        ss->last_disc = seg->disc;
        sv__free(p->settings.allocator, ss->last_init_url);
        ss->last_init_url = seg->init && seg->init->url ? sv__strdup(p->settings.allocator, seg->init->url) : NULL;
        ss->last_init_offset = seg->init ? seg->init->offset : 0;
        ss->init_pending = seg->init != NULL;
        PLOGD(p, "%s: representation %d (%s) from %.3f s", ss->type == SV_TRACK_VIDEO ? "video" : "audio",
              ri, reason, seg->start);
        /* LL-HLS: a stream that now reloads a rep answering blocking
         * reloads asks at once, not a target duration later. */
        sv__sched_schedule_refresh(s);
    }
    ss->seg = *seg;
    if (!sv__segment_url(rep, seg, ss->seg_url, sizeof(ss->seg_url)))
        ss->seg_url[0] = '\0';
    ss->reason = reason;
    char cmcd[512];
    if (ss->init_pending) {
        ss->fetch_is_init = 1;
        ss->chosen_rep = ri;
        ss->chosen_reason = reason;
        start_fetch(ss, seg->init, on_segment, cmcd_for(ss, ri, 1, 0, cmcd, sizeof(cmcd)), 0, 0);
        return;
    }
    ss->fetch_is_init = 0;
    if (!ss->seg_url[0]) {
        sv__env_error(&p->env, SV_ERR_INTERNAL, 1, "segment %lld of representation %d has no URL",
                      (long long)seg->number, ri);
        return;
    }
    sv__resource res = { .url = ss->seg_url, .offset = seg->offset, .length = seg->length };
    /* Low-latency DASH: a clear segment still being written is read as it
     * grows (an encrypted one is decrypted whole). */
    ss->growing = rep->chunked && !seg->key && !t->encrypted && !sv__recv_encrypted(ss->recv);
    ss->fetch_last = p->pres->live && (size_t)i + 1 == rep->nb_segs;
    /* An LL-HLS preload hint (the last entry, a part) is held by the server
     * until the part exists: one attempt, given up after HINT_STALL_S
     * without a byte (an encoder that stalled may come back after a
     * discontinuity, with a part that does not continue this run). */
    ss->fetch_hint = ss->fetch_last && seg->part && rep->ll.can_block;
    start_fetch(ss, &res, on_segment, cmcd_for(ss, ri, 0, seg->duration, cmcd, sizeof(cmcd)),
                ss->growing, ss->fetch_hint ? HINT_STALL_S : 0);
}

/* ---- the scheduler's interface ------------------------------------------------- */

static void stream_init(sv__sched *s, sched_stream *ss, sv__stream *stream, sv_track_type type,
                        int track, double start)
{
    ss->owner = s;
    ss->stream = stream;
    ss->type = type;
    ss->track_index = track;
    ss->next_time = start;
    ss->last_rep = -1;
    ss->last_disc = -1;
    ss->fetch_rep = -1;
    ss->chosen_rep = -1;
}

static int period_at(const sv__presentation *pres, double t)
{
    int k = 0;
    for (size_t i = 0; i < pres->nb_periods; i++)
        if (pres->periods[i].start <= t + 1e-3)
            k = (int)i;
    return k;
}

int sv__sched_start(struct sv_player *p)
{
    sv__sched *s = sv__calloc(p->settings.allocator, 1, sizeof(*s));
    if (!s)
        return SV_ERR_NOMEM;
    s->p = p;
    s->pump = pump;
    s->locked = p->load_opts.quality_index;
    s->gen = atomic_load(&p->gen);
    s->live_joined = p->pres->live;
    sv_abr_estimator_config ec;
    sv_abr_estimator_default_config(&ec, SV_ABR_ESTIMATOR_EWMA);
    const sv_allocator *al = p->settings.allocator;
    int r = sv_abr_create(p->abr_rule, al, &s->abr);
    if (r == 0 && p->settings.num_abr_params)
        r = sv_abr_set_params(s->abr, p->settings.abr_params, p->settings.num_abr_params);
    if (r == 0)
        r = sv_abr_estimator_create(&ec, al, &s->tput.est);
    if (r < 0) {
        sv_abr_destroy(s->abr);
        sv__free(p->settings.allocator, s);
        return r;
    }
    double start = p->pres->live ? p->pres->live_start : p->load_opts.start_position_s;
    int period = period_at(p->pres, start);
    stream_init(s, &s->ss[0], p->vstream, p->video_track >= 0 ? SV_TRACK_VIDEO : SV_TRACK_AUDIO,
                p->video_track >= 0 ? p->video_track : p->audio_track, start);
    s->nb = 1;
    if (p->astream) {
        stream_init(s, &s->ss[1], p->astream, SV_TRACK_AUDIO, p->audio_track, start);
        s->nb = 2;
    }
    for (int k = 0; k < s->nb; k++) {
        s->ss[k].period = period;
        sched_stream *ss = &s->ss[k];
        sv__recv_config rc = { .env = &p->env, .fetcher = p->fetcher, .cdm = p->cdm,
                               .stream = ss->stream, .tput = &s->tput,
                               .abr = ss->type == SV_TRACK_VIDEO ? s->abr : NULL,
                               .delivered = on_delivered, .opaque = ss };
        if ((r = sv__recv_create(&ss->recv, &rc)) < 0) {
            p->sched = s;
            sv__sched_stop(p);
            return r;
        }
    }
    p->sched = s;
    s->last_delivery = sv__loop_now(p->loop);
    sv__mutex_lock(&p->st.lock);
    p->st.position_s = start;
    sv__mutex_unlock(&p->st.lock);
    for (int k = 0; k < s->nb; k++)
        pump(&s->ss[k]);
    sv__sched_schedule_refresh(s);
    return 0;
}

void sv__sched_stop(struct sv_player *p)
{
    sv__sched *s = p->sched;
    if (!s)
        return;
    sv__sched_cancel(s);
    if (s->refresh_timer)
        sv__loop_timer_cancel(p->loop, s->refresh_timer);
    if (s->outage_timer)
        sv__loop_timer_cancel(p->loop, s->outage_timer);
    for (int k = 0; k < s->nb; k++) {
        sv__free(p->settings.allocator, s->ss[k].last_init_url);
        sv__recv_destroy(s->ss[k].recv);
    }
    sv_abr_destroy(s->abr);
    sv_abr_estimator_destroy(s->tput.est);
    sv__free(p->settings.allocator, s);
    p->sched = NULL;
}

void sv__sched_seek(struct sv_player *p, double target)
{
    sv__sched *s = p->sched;
    if (!s)
        return;
    sv__sched_cancel(s);
    s->gen = atomic_load(&p->gen);
    int period = period_at(p->pres, target);
    for (int k = 0; k < s->nb; k++) {
        sched_stream *ss = &s->ss[k];
        ss->period = period;
        ss->next_time = target;
        ss->buffered_end = 0;
        ss->done = 0;
        ss->last_rep = -1; /* a new run: the init segment is sent again */
        ss->chosen_rep = -1;
    }
    s->outage_start = 0;
    s->failed = 0; /* a seek tries again */
    for (int k = 0; k < s->nb; k++)
        pump(&s->ss[k]);
    sv__sched_schedule_refresh(s);
}

void sv__sched_kick(struct sv_player *p)
{
    sv__sched *s = p->sched;
    if (!s)
        return;
    for (int k = 0; k < s->nb; k++)
        pump(&s->ss[k]);
}
