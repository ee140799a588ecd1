/*
 * The scheduler at a live edge: manifest refreshes (the whole MPD, or each
 * stream's HLS media playlist, every refresh_s) and, for live DASH, the
 * times the MPD gives the next segments (player/model/model.h,
 * sv__model_dash_next_available): a stream waiting at the edge is woken
 * when its next segment becomes available, and a SegmentTimeline's MPD is
 * reloaded when its next segment is due rather than a refresh period later.
 *
 * Loop thread only.
 */
#include <stdio.h>
#include <string.h>

#include "player/core/scheduler_internal.h"

static int start_mpd_refresh(sv__sched *s);
static void refresh_due(void *arg);

/* ---- live availability (DASH) -------------------------------------------------- */

static void avail_due(void *arg)
{
    sv__sched *s = arg;
    struct sv_player *p = s->p;
    s->avail_timer = 0;
    if (!p->pres || !p->pres->live || p->pres->kind != SV__SOURCE_DASH || s->failed)
        return;
    if (s->avail_refresh) {
        s->avail_refresh = 0;
        if (!start_mpd_refresh(s))
            sv__sched_schedule_avail(s);
        return;
    }
    sv__parse_error err = { 0 };
    int ret = sv__model_dash_update(p->pres, sv__wallclock_utc(p), &err);
    if (ret < 0)
        sv__env_error(&p->env, ret, 0, "live DASH: cannot list the segments available now: %s",
                      err.message[0] ? err.message : sv_strerror(ret));
    for (int k = 0; k < s->nb; k++)
        sv__sched_pump(&s->ss[k]);
}

/* Wakes the waiting streams when the MPD says the next segment is there,
 * or, for a SegmentTimeline, reloads the MPD when its next segment is due
 * rather than at the next minimumUpdatePeriod (up to a period late, which
 * a player a segment and a half behind the edge cannot wait). */
void sv__sched_schedule_avail(sv__sched *s)
{
    struct sv_player *p = s->p;
    if (s->avail_timer || s->failed || !p->pres->live || p->pres->kind != SV__SOURCE_DASH)
        return;
    double now = sv__wallclock_utc(p);
    int refresh = 0;
    double next = sv__model_dash_next_available(p->pres, now, &refresh);
    if (next <= 0)
        return; /* nothing comes with time: the regular refresh may bring more */
    double d = next - now;
    if (refresh) {
        if (s->refresh_fetch)
            return; /* one is on its way; its end pumps the streams */
        if (d <= 0) {
            /* Due, but the last reload did not have it yet: a late
             * publisher is asked again after 0.25 s, 0.5 s, ... at most
             * every refresh period. */
            d = 0.25 * (double)(1 << (s->edge_misses < 4 ? s->edge_misses : 4));
            if (d > p->pres->refresh_s)
                d = p->pres->refresh_s;
            s->edge_misses++;
        }
    }
    s->avail_refresh = refresh;
    s->avail_timer = sv__loop_timer(p->loop, d > 0.001 ? d : 0.001, avail_due, s);
    if (s->avail_timer < 0)
        s->avail_timer = 0;
}

double sv__sched_edge_frozen(struct sv_player *p)
{
    sv__sched *s = p->sched;
    double now = sv__player_now(p);
    if (!s)
        return 0;
    sv__mutex_lock(&p->st.lock);
    double pos = p->st.position_s;
    sv__mutex_unlock(&p->st.lock);
    if (!sv__sched_at_live_edge(p) || pos != s->edge_pos) {
        s->edge_pos = pos;
        s->edge_pos_since = now;
        return 0;
    }
    return now - s->edge_pos_since >= SV__EDGE_FROZEN_S ? now - s->edge_pos_since : 0;
}

/* ---- live refresh ------------------------------------------------------------ */

/* HLS: the rep whose playlist a stream reloads: the one it plays, else
 * (no run yet, as after a seek past what its list held) the one it waits
 * for at the edge; -1 none. */
static int reload_rep(const sched_stream *ss, const sv__track *t)
{
    int r = ss->last_rep >= 0 ? ss->last_rep : ss->waiting_live ? ss->wait_rep : -1;
    return t && r >= 0 && (size_t)r < t->nb_reps ? r : -1;
}

/* LL-HLS: the rep a stream reloads answers blocking reloads. */
static int blocking_rep(sched_stream *ss)
{
    sv__track *t = sv__sched_track_of(ss);
    int r = reload_rep(ss, t);
    return r >= 0 && t->reps[r].ll.can_block;
}

/* The reload URL of an LL-HLS playlist (RFC 8216bis 6.2.5): the playlist's
 * own query without delivery directives, then _HLS_msn and _HLS_part (the
 * part after the last one listed: the server answers once it exists) and,
 * when the server offers delta updates, _HLS_skip=YES, in that order.
 * Returns buf, or NULL when it does not fit. */
static const char *blocking_url(const sv__rep *rep, char *buf, size_t cap)
{
    const char *url = rep->playlist_url, *q = strchr(url, '?');
    size_t n = q ? (size_t)(q - url) : strlen(url), len = 0;
    char sep = '?';
    if (n >= cap)
        return NULL;
    memcpy(buf, url, n);
    len = n;
    for (const char *a = q ? q + 1 : NULL; a && *a;) {
        const char *e = strchr(a, '&');
        size_t al = e ? (size_t)(e - a) : strlen(a);
        if (al && strncmp(a, "_HLS_", 5) != 0) {
            if (len + al + 2 >= cap)
                return NULL;
            buf[len++] = sep;
            memcpy(buf + len, a, al);
            len += al;
            sep = '&';
        }
        a = e ? e + 1 : NULL;
    }
    int w = rep->ll.next_part >= 0
                ? snprintf(buf + len, cap - len, "%c_HLS_msn=%lld&_HLS_part=%d%s", sep,
                           (long long)rep->ll.next_msn, rep->ll.next_part,
                           rep->ll.can_skip ? "&_HLS_skip=YES" : "")
                : snprintf(buf + len, cap - len, "%c_HLS_msn=%lld%s", sep,
                           (long long)rep->ll.next_msn, rep->ll.can_skip ? "&_HLS_skip=YES" : "");
    return w > 0 && (size_t)w < cap - len ? buf : NULL;
}

void sv__sched_schedule_refresh(sv__sched *s)
{
    struct sv_player *p = s->p;
    if (!p->pres->live)
        return;
    /* LL-HLS: the next reload goes out at once and the server holds it
     * until the next part is there (after a failure: a period later). */
    int blocking = 0;
    for (int k = 0; k < s->nb; k++)
        if (s->ss[k].refreshing)
            return; /* refresh_done schedules the next round */
    if (p->pres->kind == SV__SOURCE_HLS && !s->refresh_failed)
        for (int k = 0; k < s->nb; k++)
            blocking |= blocking_rep(&s->ss[k]);
    if (s->refresh_timer) {
        /* A timer armed for a period before any stream had a rep that
         * blocks (at the start, before the first fetch) gives way to an
         * immediate reload: waiting a target duration there starved the
         * first seconds of playback. */
        if (!blocking || s->refresh_timer_blocking)
            return;
        sv__loop_timer_cancel(p->loop, s->refresh_timer);
        s->refresh_timer = 0;
    }
    double d = blocking ? 0.001 : p->pres->refresh_s > 0 ? p->pres->refresh_s : 2;
    s->refresh_timer = sv__loop_timer(p->loop, d, refresh_due, s);
    s->refresh_timer_blocking = blocking;
    if (s->refresh_timer < 0)
        s->refresh_timer = 0;
}

static void refresh_done(sv__sched *s)
{
    for (int k = 0; k < s->nb; k++)
        if (s->ss[k].refreshing)
            return; /* another playlist is still coming */
    s->refresh_failed = s->refresh_errors > 0;
    s->refresh_errors = 0;
    for (int k = 0; k < s->nb; k++)
        sv__sched_pump(&s->ss[k]);
    sv__sched_live_check(s, s->p->pres->url);
    if (s->p->pres->live && !s->failed)
        sv__sched_schedule_refresh(s);
}

/* DASH: the whole MPD is reloaded. */
static void on_mpd_refresh(void *opaque, sv__fetch_result *r)
{
    sv__sched *s = opaque;
    struct sv_player *p = s->p;
    s->refresh_fetch = 0;
    if (r->error) {
        /* A live manifest that fails once is retried at the next period. */
        sv__env_error(&p->env, r->error, 0, "%s", r->message);
    } else {
        sv__parse_error err = { 0 };
        int ret = sv__model_dash_refresh(p->pres, (const char *)r->data, r->size, r->url,
                                         sv__wallclock_utc(p), &err);
        if (ret < 0)
            sv__env_error(&p->env, ret, 0, "live refresh of %s: %s", r->url, err.message);
        sv__control_take_events(p);
    }
    sv__free(p->settings.allocator, r->data);
    refresh_done(s);
}

/* HLS: each stream reloads the media playlist it plays. */
static void on_playlist_refresh(void *opaque, sv__fetch_result *r)
{
    sched_stream *ss = opaque;
    struct sv_player *p = ss->owner->p;
    ss->refreshing = 0;
    ss->hint_failed[0] = '\0';
    sv__track *t = sv__sched_track_of(ss);
    if (r->error) {
        sv__env_error(&p->env, r->error, 0, "%s", r->message);
        ss->owner->refresh_errors++;
    } else if (t && ss->refresh_rep >= 0 && (size_t)ss->refresh_rep < t->nb_reps) {
        /* The rep the reload was asked for: an ABR switch while a blocking
         * reload was held made the stream's last_rep another one, and its
         * list must not take this playlist's entries (nor its init). */
        sv__parse_error err = { 0 };
        sv__rep *rep = &t->reps[ss->refresh_rep];
        int ret = sv__model_hls_media(p->pres, rep, (const char *)r->data, r->size, r->url, &err);
        if (ret < 0) {
            sv__env_error(&p->env, ret, 0, "live refresh of %s: %s", r->url, err.message);
            /* A delta update the kept playlist cannot fill: ask in full. */
            rep->ll.can_skip = 0;
            ss->owner->refresh_errors++;
        }
        sv__control_take_events(p);
    }
    sv__free(p->settings.allocator, r->data);
    refresh_done(ss->owner);
}

/* DASH: reloads the MPD unless a reload is already on its way; 0 when
 * it could not be requested. */
static int start_mpd_refresh(sv__sched *s)
{
    struct sv_player *p = s->p;
    if (s->refresh_fetch)
        return 1;
    sv__fetch_req req = { .kind = SV__FETCH_MANIFEST, .length = -1, .url = p->pres->url };
    s->refresh_fetch = sv__fetch(p->fetcher, &req, on_mpd_refresh, s);
    if (s->refresh_fetch <= 0) {
        s->refresh_fetch = 0;
        return 0;
    }
    return 1;
}

static void refresh_due(void *arg)
{
    sv__sched *s = arg;
    struct sv_player *p = s->p;
    s->refresh_timer = 0;
    if (!p->pres || !p->pres->live)
        return;
    int started = 0;
    sv__fetch_req req = { .kind = SV__FETCH_MANIFEST, .length = -1 };
    if (p->pres->kind == SV__SOURCE_DASH) {
        started = start_mpd_refresh(s);
    } else {
        for (int k = 0; k < s->nb; k++) {
            sched_stream *ss = &s->ss[k];
            sv__track *t = sv__sched_track_of(ss);
            int r = reload_rep(ss, t);
            if (r < 0 || !t->reps[r].playlist_url || ss->refreshing)
                continue;
            char url[SV__URL_MAX];
            const sv__rep *rep = &t->reps[r];
            req.url = rep->playlist_url;
            req.hold_s = 0;
            if (rep->ll.can_block && blocking_url(rep, url, sizeof(url))) {
                req.url = url;
                req.hold_s = 3 * rep->ll.target_duration; /* RFC 8216bis 6.2.5.2 */
            }
            ss->refresh_id = sv__fetch(p->fetcher, &req, on_playlist_refresh, ss);
            ss->refresh_rep = r;
            ss->refreshing = ss->refresh_id > 0;
            started |= ss->refreshing;
        }
    }
    if (!started)
        sv__sched_schedule_refresh(s);
}

/* ---- LL-HLS preload hints ---------------------------------------------------- */

int sv__sched_hint_failed(sched_stream *ss, sv__fetch_result *r)
{
    struct sv_player *p = ss->owner->p;
    int hint = ss->fetch_hint && !ss->fetch_is_init;
    ss->fetch_hint = 0;
    if (!r->error || !hint)
        return 0;
    /* The hint did not come: the next playlist says what did. */
    PLOGI(p, "%s: preload hint %s not answered (%s): waiting for the playlist",
          ss->type == SV_TRACK_VIDEO ? "video" : "audio", ss->seg_url, r->message);
    sv__free(p->settings.allocator, r->data);
    snprintf(ss->hint_failed, sizeof(ss->hint_failed), "%s", ss->seg_url);
    ss->seg_url[0] = '\0'; /* not taken: listed again, it is fetched */
    ss->waiting_live = 1;
    /* At the edge with nothing coming: the outage clock may start. */
    sv__sched_live_check(ss->owner, p->pres->url);
    return 1;
}

int sv__sched_hint_withheld(sched_stream *ss, const sv__rep *rep, long i)
{
    if (!ss->hint_failed[0] || i < 0 || (size_t)i + 1 != rep->nb_segs)
        return 0;
    char url[SV__URL_MAX];
    sv__segment e = sv__rep_segment(rep, (size_t)i);
    if (!e.part || !sv__segment_url(rep, &e, url, sizeof(url)) || strcmp(url, ss->hint_failed))
        return 0;
    ss->waiting_live = 1;
    return 1;
}

const char *sv__sched_plain_playlist_url(const char *url, char *buf, size_t cap)
{
    const char *q = strchr(url, '?');
    size_t n = q ? (size_t)(q - url) : strlen(url), len;
    char sep = '?';
    if (!q || !strstr(q, "_HLS_"))
        return url;
    if (n >= cap)
        return url;
    memcpy(buf, url, n);
    len = n;
    for (const char *a = q + 1; a && *a;) {
        const char *e = strchr(a, '&');
        size_t al = e ? (size_t)(e - a) : strlen(a);
        if (al && strncmp(a, "_HLS_", 5) != 0) {
            if (len + al + 2 >= cap)
                return url;
            buf[len++] = sep;
            memcpy(buf + len, a, al);
            len += al;
            sep = '&';
        }
        a = e ? e + 1 : NULL;
    }
    buf[len] = '\0';
    return buf;
}
