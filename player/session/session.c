/*
 * Backend playback sessions (sv_player_load_title, session.h):
 * playback/start, then the load it answers (handed up to the core through
 * the host's load()); a heartbeat timer on the control loop; playback/stop
 * when the session ends.
 *
 * Wire format (backend/api_playback.c):
 *   start     {title_id, device_id} -> 201 {session_id, media_query,
 *             manifests {hls, dash}, license_url, heartbeat_interval_s,
 *             resume_position_s, cdns, steering_url, ...}
 *   heartbeat {session_id, position_s, bitrate_kbps, buffer_s,
 *             rebuffer_count, rebuffer_s, dropped_frames, cdn, and live:
 *             live_latency_s, playback_rate} -> 200 with a
 *             fresh media_query (the media token is short-lived)
 *   stop      {session_id, position_s} -> 200
 * Every call carries "Authorization: Bearer <user token>"; refusals are
 * {"error":{"code":..,"message":..}}.
 *
 * Lifetime: the session being played is m->current. When it ends it moves
 * to m->ending until its stop is answered, so a stop in flight never points
 * at freed memory; sv__session_teardown frees whatever is left.
 *
 * Threads: loop thread only, except sv__session_shutdown_done (any thread).
 */
#include <jansson.h>
#include <stdatomic.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "platform/alloc.h"
#include "player/manifest/url.h"
#include "player/session/session.h"

#define DEFAULT_INTERVAL_S 10.0
/* Logging with the player's logger. */
#define SLOG(lvl, m, ...) SV_LOG##lvl((m)->host.env->log, "player", __VA_ARGS__)

typedef struct sv__session sv__session;

struct sv__sessions {
    sv__session_host host;
    sv__session *current;      /* the session being played, or NULL */
    sv__session *ending;       /* sessions whose stop is in flight */
    int shutting_down;         /* destroy asked for sv__session_shutdown */
    atomic_int shutdown_done;  /* destroy: the session stop was sent and answered */
};

struct sv__session {
    sv__sessions *m;
    struct sv__session *next;  /* in m->ending */
    char *server;              /* API base, no trailing '/' */
    char *auth;                /* "Authorization: Bearer ..." */
    char *device;
    int64_t title_id;
    int prefer_hls, from_start;
    sv_load_options load;      /* start position and quality lock only */
    uint64_t userdata;
    char id[64];
    double interval_s;
    int64_t start_fetch, hb_fetch, stop_fetch, hb_timer;
    int started;
    int64_t ads_acked, ads_sent;  /* breaks reached (sv__status.nb_ads) the backend has, and
                                     those in the report out now */
};

static void publish(sv__sessions *m, const sv__session *s, int active, int hb_ok, int hb_fail,
                    double resume)
{
    sv__status *st = m->host.env->st;
    sv__mutex_lock(&st->lock);
    sv_session_info *i = &st->session_info;
    if (active && !i->active) {
        memset(i, 0, sizeof(*i));
        snprintf(i->session_id, sizeof(i->session_id), "%s", s->id);
        i->heartbeat_interval_s = s->interval_s;
        i->resume_position_s = resume;
    }
    i->active = active;
    i->heartbeats_sent += hb_ok;
    i->heartbeats_failed += hb_fail;
    sv__mutex_unlock(&st->lock);
}

static void emit(sv__sessions *m, const char *what, const char *id, double pos, long status)
{
    sv_event ev = { .id = SV_EVENT_SESSION };
    ev.data.session.position_s = pos;
    ev.data.session.status = (int)status;
    sv__env_event(m->host.env, &ev, what, id, NULL);
}

static void session_free(sv__session *s)
{
    if (!s)
        return;
    sv__free(s->m->host.env->alloc, s->server);
    sv__free(s->m->host.env->alloc, s->auth);
    sv__free(s->m->host.env->alloc, s->device);
    sv__free(s->m->host.env->alloc, s);
}

/* "code: message" from a backend error body, else the fetch's own message. */
static void refusal(const sv__fetch_result *r, char *buf, size_t cap)
{
    json_t *root = r->error_body ? json_loads(r->error_body, 0, NULL) : NULL;
    json_t *err = json_object_get(root, "error");
    const char *code = json_string_value(json_object_get(err, "code"));
    const char *msg = json_string_value(json_object_get(err, "message"));

    if (code && msg)
        snprintf(buf, cap, "%s: %s (HTTP %ld)", code, msg, r->status);
    else
        snprintf(buf, cap, "%.180s", r->message);
    json_decref(root);
}

/* POSTs `body` (stolen) to <server><path>. Returns the fetch id or < 0. */
/* The compact text of `body` in memory from `alloc` (jansson's own
 * allocator stays out of the player's memory). NULL when out of memory. */
static char *dump_json(const sv_allocator *alloc, const json_t *body)
{
    size_t n = json_dumpb(body, NULL, 0, JSON_COMPACT);
    char *text = n ? sv__malloc(alloc, n + 1) : NULL;
    if (text && json_dumpb(body, text, n, JSON_COMPACT) == n)
        text[n] = '\0';
    else if (text) {
        sv__free(alloc, text);
        text = NULL;
    }
    return text;
}

static int64_t post_json(sv__session *s, const char *path, json_t *body, sv__fetch_cb cb,
                         void *opaque)
{
    char url[1024];
    char *text = body ? dump_json(s->m->host.env->alloc, body) : NULL;
    int64_t id = SV_ERR_NOMEM;

    json_decref(body);
    if (text && snprintf(url, sizeof(url), "%s%s", s->server, path) < (int)sizeof(url)) {
        sv__fetch_req req = { .kind = SV__FETCH_API, .url = url, .length = -1,
                              .body = (const uint8_t *)text, .body_len = strlen(text),
                              .body_type = "application/json", .header = s->auth };
        id = sv__fetch(s->m->host.fetcher, &req, cb, opaque);
    }
    sv__free(s->m->host.env->alloc, text);
    return id;
}

/* The breaks reached since the backend last took a report (those the
 * ring still holds), as "ad_breaks": [{event_id, start_s, duration_s}]. */
static int add_ads(json_t *o, sv__status *st, sv__session *s)
{
    json_t *arr = json_array();
    sv__mutex_lock(&st->lock);
    int64_t from = s->ads_acked, to = st->nb_ads;
    if (to < from) /* a new load of the session's player */
        from = s->ads_acked = 0;
    if (to - from > SV__ADS_SEEN)
        from = to - SV__ADS_SEEN;
    for (int64_t k = from; arr && k < to; k++) {
        const sv__ad_seen *a = &st->ads[k % SV__ADS_SEEN];
        json_array_append_new(arr, json_pack("{s:I,s:f,s:f}", "event_id",
                                             (json_int_t)a->event_id, "start_s",
                                             a->start_s, "duration_s", a->duration_s));
    }
    sv__mutex_unlock(&st->lock);
    s->ads_sent = to;
    if (!arr || json_array_size(arr) == 0) {
        json_decref(arr);
        return 0;
    }
    return json_object_set_new(o, "ad_breaks", arr);
}

/* What a heartbeat or stop reports, read under the player's lock. */
static json_t *report(sv__sessions *m, sv__session *s, int full)
{
    sv__fetch_stats fs;
    sv__status *st = m->host.env->st;
    sv__mutex_lock(&st->lock);
    double pos = sv__status_position_locked(st), buf = st->buffer_s;
    double rs = st->stats.rebuffer_time_s;
    int64_t kbps = st->bitrate_bps / 1000, rc = st->stats.rebuffer_count;
    int64_t dropped = st->stats.dropped_frames;
    double latency = st->stats.live_latency_s, rate = st->stats.playback_rate;
    sv__mutex_unlock(&st->lock);

    if (!full) {
        json_t *o = json_pack("{s:s,s:f}", "session_id", s->id, "position_s", pos > 0 ? pos : 0);
        if (o && add_ads(o, st, s) < 0) {
            json_decref(o);
            o = NULL;
        }
        return o;
    }
    sv__fetcher_stats(m->host.fetcher, &fs);
    json_t *o = json_pack("{s:s,s:f,s:I,s:f,s:I,s:f,s:I,s:s}", "session_id", s->id, "position_s",
                          pos > 0 ? pos : 0, "bitrate_kbps", (json_int_t)kbps, "buffer_s",
                          buf > 0 ? buf : 0, "rebuffer_count", (json_int_t)rc, "rebuffer_s",
                          rs > 0 ? rs : 0, "dropped_frames", (json_int_t)dropped, "cdn",
                          fs.current_cdn ? fs.current_cdn : "");
    /* Live: the latency behind the edge and the rate holding it. */
    if (o && latency >= 0 &&
        (json_object_set_new(o, "live_latency_s", json_real(latency)) < 0 ||
         json_object_set_new(o, "playback_rate", json_real(rate)) < 0)) {
        json_decref(o);
        o = NULL;
    }
    if (o && add_ads(o, st, s) < 0) {
        json_decref(o);
        o = NULL;
    }
    return o;
}

/* ---- heartbeats ------------------------------------------------------------ */

static void heartbeat(void *arg);

/* A refreshed media token from a start or heartbeat answer. */
static void take_token(sv__session *s, json_t *ans)
{
    const char *q = json_string_value(json_object_get(ans, "media_query"));
    if (q && *q && sv__fetcher_set_query(s->m->host.fetcher, q) < 0)
        SLOG(W, s->m, "session %s: unusable media token from the backend", s->id);
}

static void on_heartbeat(void *opaque, sv__fetch_result *r)
{
    sv__session *s = opaque;
    sv__sessions *m = s->m;
    char why[200];
    json_t *ans;

    s->hb_fetch = 0;
    if (!r->error) {
        s->ads_acked = s->ads_sent;
        if ((ans = json_loadb((const char *)r->data, r->size, 0, NULL)))
            take_token(s, ans);
        json_decref(ans);
        sv__free(s->m->host.env->alloc, r->data);
        publish(m, s, 1, 1, 0, 0);
        emit(m, "heartbeat", s->id, 0, r->status);
        return;
    }
    refusal(r, why, sizeof(why));
    if (r->status == 404 || r->status == 410) {
        /* The backend forgot the session: its media token dies soon too. */
        emit(m, "ended", s->id, 0, r->status);
        sv__env_error(m->host.env, SV_ERR_FORBIDDEN, 1, "the backend ended the session: %s", why);
        return;
    }
    publish(m, s, 1, 0, 1, 0);
    emit(m, "heartbeat-failed", s->id, 0, r->status);
    SLOG(W, m, "session %s: heartbeat failed: %s", s->id, why);
}

static void heartbeat(void *arg)
{
    sv__session *s = arg;

    /* The next one is timed from this one, not from its answer, so the
     * backend sees a steady cadence. */
    s->hb_timer = sv__loop_timer(s->m->host.loop, s->interval_s, heartbeat, s);
    if (s->hb_timer < 0)
        s->hb_timer = 0;
    if (s->hb_fetch > 0)
        return; /* the last one is still out: do not pile up */
    int64_t id = post_json(s, "/api/v1/playback/heartbeat", report(s->m, s, 1), on_heartbeat, s);
    s->hb_fetch = id > 0 ? id : 0;
}

/* ---- stop -------------------------------------------------------------------- */

static void unlink_ending(sv__sessions *m, sv__session *s)
{
    for (sv__session **pp = &m->ending; *pp; pp = &(*pp)->next)
        if (*pp == s) {
            *pp = s->next;
            return;
        }
}

/* Tells a waiting destroy when the last stop in flight is answered. */
static void shutdown_check(sv__sessions *m)
{
    if (m->shutting_down && !m->ending)
        atomic_store(&m->shutdown_done, 1);
}

static void on_stop(void *opaque, sv__fetch_result *r)
{
    sv__session *s = opaque;
    sv__sessions *m = s->m;
    char why[200];
    double pos = 0;
    json_t *ans;

    if (!r->error && (ans = json_loadb((const char *)r->data, r->size, 0, NULL))) {
        pos = json_number_value(json_object_get(ans, "position_s"));
        json_decref(ans);
        emit(m, "stopped", s->id, pos, r->status);
        SLOG(I, m, "session %s stopped at %.1f s", s->id, pos);
    } else {
        refusal(r, why, sizeof(why));
        SLOG(W, m, "session %s: stop failed: %s", s->id, why);
    }
    sv__free(s->m->host.env->alloc, r->data);
    unlink_ending(m, s);
    session_free(s);
    shutdown_check(m);
}

void sv__session_end(sv__sessions *m)
{
    sv__session *s = m->current;

    if (!s)
        return;
    m->current = NULL;
    if (s->hb_timer > 0)
        sv__loop_timer_cancel(m->host.loop, s->hb_timer);
    if (s->hb_fetch > 0)
        sv__fetch_cancel(m->host.fetcher, s->hb_fetch);
    if (s->start_fetch > 0)
        sv__fetch_cancel(m->host.fetcher, s->start_fetch);
    s->hb_timer = s->hb_fetch = s->start_fetch = 0;
    publish(m, s, 0, 0, 0, 0);
    if (!s->started) {
        session_free(s);
        return;
    }
    int64_t id = post_json(s, "/api/v1/playback/stop", report(m, s, 0), on_stop, s);
    if (id <= 0) {
        SLOG(W, m, "session %s: cannot send its stop", s->id);
        session_free(s);
        return;
    }
    s->stop_fetch = id;
    s->next = m->ending;
    m->ending = s;
}

void sv__session_shutdown(sv__sessions *m)
{
    m->shutting_down = 1;
    sv__session_end(m);
    shutdown_check(m);
}

void sv__session_teardown(sv__sessions *m)
{
    sv__session_end(m);
    while (m->ending) {
        sv__session *s = m->ending;
        m->ending = s->next;
        sv__fetch_cancel(m->host.fetcher, s->stop_fetch);
        session_free(s);
    }
}

/* ---- start ------------------------------------------------------------------- */

/* <server> + ref when ref is a path, ref itself when absolute; malloc'd. */
static char *on_server(const sv__session *s, const char *ref)
{
    if (!ref || !*ref)
        return NULL;
    if (sv__url_is_absolute(ref))
        return sv__strdup(s->m->host.env->alloc, ref);
    size_t n = strlen(s->server) + strlen(ref) + 2;
    char *u = sv__malloc(s->m->host.env->alloc, n);
    if (u)
        snprintf(u, n, "%s%s%s", s->server, ref[0] == '/' ? "" : "/", ref);
    return u;
}

static void on_start(void *opaque, sv__fetch_result *r)
{
    sv__session *s = opaque;
    sv__sessions *m = s->m;
    char why[200];
    json_t *ans = NULL, *man;
    char *url = NULL;
    sv_load_options lo = { 0 };
    double resume;
    const char *id;

    s->start_fetch = 0;
    if (r->error) {
        refusal(r, why, sizeof(why));
        sv__env_error(m->host.env, r->status == 404 ? SV_ERR_NOT_FOUND : r->error, 1,
                      "playback refused: %s", why);
        return;
    }
    ans = json_loadb((const char *)r->data, r->size, 0, NULL);
    sv__free(s->m->host.env->alloc, r->data);
    man = json_object_get(ans, "manifests");
    id = json_string_value(json_object_get(ans, "session_id"));
    if (!id || strlen(id) >= sizeof(s->id) || !json_is_object(man)) {
        sv__env_error(m->host.env, SV_ERR_PARSE, 1, "the backend's playback/start answer is "
                      "not understood (no session_id or manifests)");
        goto out;
    }
    snprintf(s->id, sizeof(s->id), "%s", id);
    s->started = 1;
    double iv = json_number_value(json_object_get(ans, "heartbeat_interval_s"));
    s->interval_s = iv >= 1 && isfinite(iv) ? iv : DEFAULT_INTERVAL_S;
    resume = json_number_value(json_object_get(ans, "resume_position_s"));
    if (!(resume > 0) || !isfinite(resume))
        resume = 0;
    publish(m, s, 1, 0, 0, resume);
    emit(m, "started", s->id, resume, r->status);
    SLOG(I, m, "session %s: heartbeats every %.0f s, resume at %.1f s", s->id, s->interval_s,
         resume);

    const char *q = json_string_value(json_object_get(ans, "media_query"));
    const char *murl = json_string_value(json_object_get(man, s->prefer_hls ? "hls" : "dash"));
    if (!(url = on_server(s, murl)) || (q && *q && !(lo.auth_token = sv__strdup(s->m->host.env->alloc, q)))) {
        sv__env_error(m->host.env, murl ? SV_ERR_NOMEM : SV_ERR_PARSE, 1,
                      "the session has no %s manifest", s->prefer_hls ? "HLS" : "DASH");
        sv__free(s->m->host.env->alloc, url);
        goto out;
    }
    lo.quality_index = s->load.quality_index;
    lo.start_position_s = s->from_start ? s->load.start_position_s : resume;
    lo.license_url = on_server(s, json_string_value(json_object_get(ans, "license_url")));
    s->hb_timer = sv__loop_timer(m->host.loop, s->interval_s, heartbeat, s);
    if (s->hb_timer < 0)
        s->hb_timer = 0;
    m->host.load(m->host.opaque, s->userdata, url, &lo);
out:
    json_decref(ans);
}

void sv__session_start(sv__sessions *m, const sv_session_options *o, uint64_t userdata)
{
    const sv_allocator *alloc = m->host.env->alloc;
    sv__session *s = sv__calloc(alloc, 1, sizeof(*s));
    char *auth = NULL;
    json_t *body;

    sv__session_end(m);
    if (s)
        s->m = m; /* session_free frees through it */
    if (!s || !(s->server = sv__strdup(alloc, o->server_url)) ||
        !(s->device = sv__strdup(alloc, o->device_id)) ||
        !(auth = sv__malloc(alloc, strlen(o->user_token) + 32))) {
        sv__free(alloc, auth);
        session_free(s);
        sv__env_error(m->host.env, SV_ERR_NOMEM, 1, "out of memory starting a session");
        return;
    }
    sprintf(auth, "Authorization: Bearer %s", o->user_token);
    s->auth = auth;
    size_t n = strlen(s->server);
    while (n > 0 && s->server[n - 1] == '/')
        s->server[--n] = '\0';
    s->m = m;
    s->title_id = o->title_id;
    s->prefer_hls = o->prefer_hls;
    s->from_start = o->from_start;
    s->load = *o->load; /* never NULL: player.c points it to the command's copy */
    s->userdata = userdata;
    s->interval_s = DEFAULT_INTERVAL_S;
    m->current = s;
    body = json_pack("{s:I,s:s}", "title_id", (json_int_t)o->title_id, "device_id", s->device);
    s->start_fetch = post_json(s, "/api/v1/playback/start", body, on_start, s);
    if (s->start_fetch <= 0) {
        s->start_fetch = 0;
        sv__env_error(m->host.env, SV_ERR_INVALID, 1, "bad server URL: %s", s->server);
    }
}

/* ---- the sessions of a player ---------------------------------------------- */

int sv__sessions_create(sv__sessions **out, const sv__session_host *host)
{
    sv__sessions *m = sv__calloc(host->env->alloc, 1, sizeof(*m));

    if (!m)
        return SV_ERR_NOMEM;
    m->host = *host;
    atomic_init(&m->shutdown_done, 0);
    *out = m;
    return 0;
}

void sv__sessions_destroy(sv__sessions *m)
{
    if (!m)
        return;
    sv__session_teardown(m);
    sv__free(m->host.env->alloc, m);
}

int sv__session_shutdown_done(sv__sessions *m)
{
    return atomic_load(&m->shutdown_done);
}
