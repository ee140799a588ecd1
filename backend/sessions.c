/*
 * sessions.c - the write-behind session cache (sessions.h): a chained hash
 * index by id, the catalog calls of start/stop, and the tick that writes
 * heartbeats, expires sessions and forgets idle entries.
 */
#include <openssl/rand.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/sessions.h"
#include "backend/sessions_flush.h"
#include "streamverse/common.h"

struct sv__sessions {
    uv_loop_t *loop;
    uv_timer_t *timer;        /* freed by its close callback */
    sv__catalog *cat;
    const sv__logger *log;
    uint64_t interval_ms;     /* heartbeat interval */
    sv__session **by_id;
    size_t nb_buckets;        /* power of two */
    int count;                /* cached here */
    int nb_dirty;
    int64_t live;             /* last figure read from the catalog */
    sv__flusher *flusher;     /* the tick's writes on their own thread, or NULL */
    int catalog_lost;         /* the last tick could not reach the catalog */
    uint64_t grace_until_ms;  /* loop time until which nothing is stale */
    uint64_t nb_stopped, nb_expired, nb_replaced; /* ended by this server */
};

#define MIN_BUCKETS 1024

/* FNV-1a: ids are random hex and spread well. */
static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static void link_session(sv__sessions *ss, sv__session *s)
{
    size_t a = hash_str(s->id) & (ss->nb_buckets - 1);

    s->next_id = ss->by_id[a];
    ss->by_id[a] = s;
}

/* Doubles the index when there are more sessions than buckets. */
static int grow(sv__sessions *ss)
{
    size_t n = ss->nb_buckets * 2, old_n = ss->nb_buckets;
    sv__session **old = ss->by_id, **a = calloc(n, sizeof(*a));

    if (!a)
        return SV_ERR_NOMEM;
    ss->by_id = a;
    ss->nb_buckets = n;
    for (size_t i = 0; i < old_n; i++)
        for (sv__session *s = old[i], *next; s; s = next) {
            next = s->next_id;
            link_session(ss, s);
        }
    free(old);
    return 0;
}

/* Adds s (allocated by the caller) to the cache. */
static int add(sv__sessions *ss, sv__session *s)
{
    if (ss->count >= (int)ss->nb_buckets && grow(ss) < 0)
        return SV_ERR_NOMEM;
    link_session(ss, s);
    ss->count++;
    return 0;
}

/* Removes s from the cache and frees it. */
static void drop(sv__sessions *ss, sv__session *s)
{
    sv__session **p = &ss->by_id[hash_str(s->id) & (ss->nb_buckets - 1)];

    while (*p != s)
        p = &(*p)->next_id;
    *p = s->next_id;
    if (s->dirty)
        ss->nb_dirty--;
    ss->count--;
    free(s);
}

static sv__session *cached(sv__sessions *ss, const char *id)
{
    sv__session *s = ss->by_id[hash_str(id) & (ss->nb_buckets - 1)];

    while (s && strcmp(s->id, id) != 0)
        s = s->next_id;
    return s;
}

/* Queued for the next write, which also tells whether another server ended
 * it meanwhile (then the entry goes): a stop or a replacement elsewhere is
 * seen here within a tick. */
static void mark_dirty(sv__sessions *ss, sv__session *s)
{
    if (!s->dirty) {
        s->dirty = 1;
        ss->nb_dirty++;
    }
}

static uint64_t stale_ms(const sv__sessions *ss)
{
    return 3 * ss->interval_ms;
}

/* Unix seconds before which a session counts as expired; 0 (none) from an
 * outage of the catalog until three intervals after it came back: the other
 * servers still hold the heartbeats they answered meanwhile, and write them
 * at their next tick. */
static int64_t stale_before(const sv__sessions *ss)
{
    if (ss->catalog_lost || uv_now(ss->loop) < ss->grace_until_ms)
        return 0;
    return (int64_t)time(NULL) - (int64_t)((stale_ms(ss) + 999) / 1000);
}

static int idle(const sv__sessions *ss, const sv__session *s, uint64_t now_ms)
{
    return now_ms > s->last_seen_ms && now_ms - s->last_seen_ms > stale_ms(ss);
}

/* Writes the changed sessions in one transaction; forgets those another
 * server ended. On failure they stay dirty and are tried at the next tick
 * (their heartbeat counts keep adding up meanwhile). */
/* The dirty sessions into *list (a new array; NULL when there are none),
 * their number into *n. Returns 0 or SV_ERR_NOMEM. */
static int dirty_list(sv__sessions *ss, sv__session ***list, int *n)
{
    *list = NULL;
    *n = 0;
    if (ss->nb_dirty == 0)
        return 0;
    if (!(*list = malloc((size_t)ss->nb_dirty * sizeof(**list))))
        return SV_ERR_NOMEM;
    for (size_t i = 0; i < ss->nb_buckets && *n < ss->nb_dirty; i++)
        for (sv__session *s = ss->by_id[i]; s; s = s->next_id)
            if (s->dirty && *n < ss->nb_dirty)
                (*list)[(*n)++] = s;
    return 0;
}

/* Written (or handed to the writer): clean until its next change. */
static void mark_clean(sv__sessions *ss, sv__session *s)
{
    if (s->dirty) {
        s->dirty = 0;
        ss->nb_dirty--;
    }
    s->unsaved_heartbeats = 0;
}

static int flush(sv__sessions *ss)
{
    sv__session **list;
    int n, ret;

    if ((ret = dirty_list(ss, &list, &n)) < 0 || n == 0)
        return ret;
    if ((ret = sv__catalog_sessions_save(ss->cat, list, n, NULL)) == 0) {
        for (int i = 0; i < n; i++)
            mark_clean(ss, list[i]);
        for (int i = 0; i < n; i++)
            if (list[i]->gone)
                drop(ss, list[i]);
    } else {
        SV_LOGE(ss->log, "sessions", "cannot save %d session(s): %s", n,
                sv__catalog_errmsg(ss->cat));
    }
    free(list);
    return ret;
}

/* After a tick's catalog work: `ok` whether the catalog answered, `expired`
 * the sessions its expiry ended. */
static void tick_outcome(sv__sessions *ss, int ok, int expired, const char *errmsg)
{
    if (!ok) {
        if (!ss->catalog_lost)
            SV_LOGE(ss->log, "sessions", "the catalog is unreachable (%s): heartbeats are kept "
                    "here and written when it is back", errmsg);
        ss->catalog_lost = 1;
    } else if (ss->catalog_lost) {
        ss->catalog_lost = 0;
        ss->grace_until_ms = uv_now(ss->loop) + stale_ms(ss);
        SV_LOGI(ss->log, "sessions", "the catalog is back: sessions expire again in %.1f s, "
                "once every server wrote the heartbeats it answered meanwhile",
                (double)stale_ms(ss) / 1000);
    } else if (expired > 0) {
        ss->nb_expired += (uint64_t)expired;
        SV_LOGI(ss->log, "sessions", "%d session(s) expired (three heartbeats missed)", expired);
    }
}

/* Entries not heard of here for three intervals: expired, or heartbeating
 * on another server; read again if they come back. */
static void forget_idle(sv__sessions *ss)
{
    uint64_t now = uv_now(ss->loop);

    for (size_t i = 0; i < ss->nb_buckets; i++)
        for (sv__session *s = ss->by_id[i], *next; s; s = next) {
            next = s->next_id;
            if (!s->dirty && idle(ss, s, now))
                drop(ss, s);
        }
}

void sv__sessions_expire(sv__sessions *ss)
{
    int ok = 1, n = 0;

    if (ss->flusher)
        sv__flusher_drain(ss->flusher); /* its batch is written first */
    if (flush(ss) < 0 || !sv__catalog_available(ss->cat))
        ok = 0;
    else if (!ss->catalog_lost && (n = sv__catalog_sessions_expire(ss->cat, stale_before(ss))) < 0)
        ok = 0;
    tick_outcome(ss, ok, n, sv__catalog_errmsg(ss->cat));
    forget_idle(ss);
}

/* The writer's answer for a batch: entries another server ended go; a
 * failed batch is queued again, its heartbeat counts added back. */
static void flushed(void *opaque, sv__flush_result *r)
{
    sv__sessions *ss = opaque;

    for (int i = 0; i < r->n; i++) {
        sv__session *s = cached(ss, r->batch[i].id);

        if (!s)
            continue; /* ended here meanwhile: the end wrote its row */
        if (r->save_ret < 0) {
            s->unsaved_heartbeats += r->batch[i].unsaved_heartbeats;
            mark_dirty(ss, s);
        } else if (r->batch[i].gone) {
            drop(ss, s);
        }
    }
    if (r->save_ret < 0 && r->n > 0)
        SV_LOGE(ss->log, "sessions", "cannot save %d session(s): %s", r->n, r->errmsg);
    tick_outcome(ss, r->save_ret == 0 && r->expired >= 0, r->expired, r->errmsg);
    free(r->batch);
}

/* The tick with a writer: the changed sessions are copied (and count as
 * written here) and handed over with the expiry; the loop goes on. A tick
 * while the last batch is still being written leaves its changes for the
 * next one. */
static void tick_async(sv__sessions *ss)
{
    sv__session **list = NULL, *batch = NULL;
    int n = 0;

    if (!sv__flusher_busy(ss->flusher) && dirty_list(ss, &list, &n) == 0 &&
        (n == 0 || (batch = malloc((size_t)n * sizeof(*batch))))) {
        for (int i = 0; i < n; i++) {
            batch[i] = *list[i];
            batch[i].next_id = NULL;
            batch[i].gone = 0;
            mark_clean(ss, list[i]);
        }
        if (sv__flusher_submit(ss->flusher, batch, n, stale_before(ss)) < 0)
            free(batch); /* cannot happen: not busy */
    }
    free(list);
    forget_idle(ss);
}

static void on_tick(uv_timer_t *t)
{
    sv__sessions *ss = t->data;

    if (ss->flusher)
        tick_async(ss);
    else
        sv__sessions_expire(ss);
}

static void on_timer_closed(uv_handle_t *h)
{
    free(h);
}

int sv__sessions_create(uv_loop_t *loop, sv__catalog *cat, sv__catalog *writer_cat,
                        const sv__logger *log, double heartbeat_s, sv__sessions **out)
{
    sv__sessions *ss = calloc(1, sizeof(*ss));
    uint64_t tick;
    int ret;

    if (!ss) {
        sv__catalog_close(writer_cat);
        return SV_ERR_NOMEM;
    }
    if (writer_cat &&
        (ret = sv__flusher_create(loop, writer_cat, flushed, ss, &ss->flusher)) < 0) {
        free(ss);
        return ret;
    }
    ss->loop = loop;
    ss->cat = cat;
    ss->log = log;
    ss->interval_ms = (uint64_t)(heartbeat_s * 1000);
    ss->nb_buckets = MIN_BUCKETS;
    if (!(ss->by_id = calloc(ss->nb_buckets, sizeof(*ss->by_id))) ||
        !(ss->timer = malloc(sizeof(*ss->timer)))) {
        sv__sessions_destroy(ss);
        return SV_ERR_NOMEM;
    }
    uv_timer_init(loop, ss->timer);
    ss->timer->data = ss;
    /* Half an interval at most, so a session heartbeating on schedule is
     * always well inside the three intervals in the catalog. */
    tick = ss->interval_ms / 2 < 1000 ? ss->interval_ms / 2 : 1000;
    if (tick < 50)
        tick = 50;
    uv_timer_start(ss->timer, on_tick, tick, tick);
    /* Sessions never keep the server running on their own. */
    uv_unref((uv_handle_t *)ss->timer);
    *out = ss;
    return 0;
}

void sv__sessions_destroy(sv__sessions *ss)
{
    if (!ss)
        return;
    sv__flusher_destroy(ss->flusher); /* delivers its last batch */
    if (ss->by_id) {
        flush(ss);
        for (size_t i = 0; i < ss->nb_buckets; i++)
            for (sv__session *s = ss->by_id[i], *next; s; s = next) {
                next = s->next_id;
                free(s);
            }
    }
    if (ss->timer)
        uv_close((uv_handle_t *)ss->timer, on_timer_closed);
    free(ss->by_id);
    free(ss);
}

/* Reads an open, fresh session row into the cache (or refreshes an idle
 * entry from it). NULL when it is ended, expired, unknown or unreadable. */
static sv__session *load(sv__sessions *ss, const char *id, sv__session *entry)
{
    sv__session row, *s = entry;
    int64_t age_ms;
    uint64_t now = uv_now(ss->loop);

    if (sv__catalog_session_get(ss->cat, id, &row) != 1 || row.last_seen < stale_before(ss)) {
        if (entry)
            drop(ss, entry);
        return NULL;
    }
    if (!s) {
        if (!(s = malloc(sizeof(*s))))
            return NULL;
        *s = row;
        if (add(ss, s) < 0) {
            free(s);
            return NULL;
        }
    }
    /* Place the row's last heartbeat on the loop clock. */
    age_ms = ((int64_t)time(NULL) - row.last_seen) * 1000;
    s->last_seen_ms = age_ms <= 0 ? now : (uint64_t)age_ms < now ? now - (uint64_t)age_ms : 0;
    if (row.last_seen > s->last_seen)
        s->last_seen = row.last_seen;
    return s;
}

sv__session *sv__sessions_find(sv__sessions *ss, const char *id)
{
    sv__session *s = cached(ss, id);

    if (s && !idle(ss, s, uv_now(ss->loop))) {
        mark_dirty(ss, s);
        return s;
    }
    /* Not here, or silent here for three intervals: the catalog knows
     * whether another server kept it alive. */
    if (s && s->dirty)
        flush(ss);
    if (s && !(s = cached(ss, id)))
        return NULL; /* the flush found it ended */
    return load(ss, id, s);
}

/* Drops the cached sessions that `s` replaced (same user and device). */
static void forget_device(sv__sessions *ss, const sv__session *s)
{
    for (size_t i = 0; i < ss->nb_buckets; i++)
        for (sv__session *o = ss->by_id[i], *next; o; o = next) {
            next = o->next_id;
            if (o != s && o->user_id == s->user_id && !strcmp(o->device_id, s->device_id))
                drop(ss, o);
        }
}

int sv__sessions_open(sv__sessions *ss, int64_t user_id, int64_t title_id,
                      const char *device_id, int max_streams, const char *prefix,
                      sv__session **out)
{
    uint8_t rnd[SV__SESSION_ID_LEN / 2];
    sv__session *s;
    int ret = 0, replaced;

    if (RAND_bytes(rnd, sizeof(rnd)) != 1)
        return SV_ERR_INTERNAL;
    if (!(s = calloc(1, sizeof(*s))))
        return SV_ERR_NOMEM;
    for (size_t i = 0; i < sizeof(rnd); i++)
        snprintf(s->id + 2 * i, 3, "%02x", rnd[i]);
    s->user_id = user_id;
    s->title_id = title_id;
    snprintf(s->device_id, sizeof(s->device_id), "%s", device_id);
    snprintf(s->prefix, sizeof(s->prefix), "%s", prefix ? prefix : "");
    s->started = s->last_seen = (int64_t)time(NULL);
    s->last_seen_ms = uv_now(ss->loop);
    s->stats.live_latency_s = s->stats.playback_rate = NAN; /* not reported yet */
    /* The replaced session's position is in the catalog from its last
     * heartbeat write; write ours first so a replacement on this server
     * loses nothing. */
    flush(ss);
    if ((replaced = sv__catalog_session_start(ss->cat, s, max_streams, stale_before(ss))) < 0 ||
        (ret = add(ss, s)) < 0) {
        free(s);
        return replaced < 0 ? replaced : ret;
    }
    if (replaced > 0) {
        ss->nb_replaced += (uint64_t)replaced;
        forget_device(ss, s);
    }
    *out = s;
    return 0;
}

void sv__sessions_heartbeat(sv__sessions *ss, sv__session *s, const sv__session_stats *st)
{
    s->stats = *st;
    s->heartbeats++;
    s->unsaved_heartbeats++;
    s->last_seen_ms = uv_now(ss->loop);
    s->last_seen = (int64_t)time(NULL);
    mark_dirty(ss, s);
}

int sv__sessions_end(sv__sessions *ss, sv__session *s, double position_s, const char *reason)
{
    int ret;

    s->stats.position_s = position_s;
    s->last_seen = (int64_t)time(NULL);
    if ((ret = sv__catalog_sessions_save(ss->cat, &s, 1, reason)) < 0)
        SV_LOGE(ss->log, "sessions", "cannot save the end of session %s: %s", s->id,
                sv__catalog_errmsg(ss->cat));
    else if (!strcmp(reason, "stopped"))
        ss->nb_stopped++;
    else if (!strcmp(reason, "expired"))
        ss->nb_expired++;
    else
        ss->nb_replaced++;
    drop(ss, s);
    return ret;
}

int sv__sessions_usable(sv__sessions *ss, const char *id)
{
    int r;

    if (sv__sessions_find(ss, id))
        return 1;
    r = sv__catalog_session_ended(ss->cat, id);
    return r == 1 ? 0 : r == 0 ? 1 : r;
}

int sv__sessions_count(sv__sessions *ss)
{
    int64_t n;

    if (sv__catalog_sessions_live(ss->cat, stale_before(ss), &n) == 0)
        ss->live = n;
    return (int)ss->live;
}

void sv__sessions_ended(const sv__sessions *ss, uint64_t *stopped, uint64_t *expired,
                        uint64_t *replaced)
{
    *stopped = ss->nb_stopped;
    *expired = ss->nb_expired;
    *replaced = ss->nb_replaced;
}
