/*
 * sessions.c - the live session table (sessions.h): two chained hash
 * indexes over one set of sessions (by id, by user), the expiry and batch
 * write timer.
 */
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/sessions.h"
#include "streamverse/common.h"

struct sv__sessions {
    uv_loop_t *loop;
    uv_timer_t *timer;        /* freed by its close callback */
    sv__catalog *cat;
    const sv__logger *log;
    uint64_t interval_ms;     /* heartbeat interval */
    sv__session **by_id, **by_user;
    size_t nb_buckets;        /* power of two, both indexes */
    int count;
    int nb_dirty;
    uint64_t nb_stopped, nb_expired, nb_replaced; /* ended since creation */
};

#define MIN_BUCKETS 1024

/* FNV-1a: ids are random hex, user ids small integers; both spread well. */
static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static uint64_t hash_user(int64_t id)
{
    uint64_t h = (uint64_t)id * 0x9e3779b97f4a7c15ull;

    return h ^ (h >> 29);
}

static void link_session(sv__sessions *ss, sv__session *s)
{
    size_t a = hash_str(s->id) & (ss->nb_buckets - 1);
    size_t b = hash_user(s->user_id) & (ss->nb_buckets - 1);

    s->next_id = ss->by_id[a];
    ss->by_id[a] = s;
    s->next_user = ss->by_user[b];
    ss->by_user[b] = s;
}

/* Doubles both indexes when there are more sessions than buckets. */
static int grow(sv__sessions *ss)
{
    size_t n = ss->nb_buckets * 2, old_n = ss->nb_buckets;
    sv__session **old = ss->by_id, **a = calloc(n, sizeof(*a)), **b = calloc(n, sizeof(*b));

    if (!a || !b) {
        free(a);
        free(b);
        return SV_ERR_NOMEM;
    }
    free(ss->by_user);
    ss->by_id = a;
    ss->by_user = b;
    ss->nb_buckets = n;
    for (size_t i = 0; i < old_n; i++)
        for (sv__session *s = old[i], *next; s; s = next) {
            next = s->next_id;
            link_session(ss, s);
        }
    free(old);
    return 0;
}

static void unlink_session(sv__sessions *ss, sv__session *s)
{
    sv__session **p = &ss->by_id[hash_str(s->id) & (ss->nb_buckets - 1)];

    while (*p != s)
        p = &(*p)->next_id;
    *p = s->next_id;
    p = &ss->by_user[hash_user(s->user_id) & (ss->nb_buckets - 1)];
    while (*p != s)
        p = &(*p)->next_user;
    *p = s->next_user;
    ss->count--;
}

static int expired(const sv__sessions *ss, const sv__session *s, uint64_t now_ms)
{
    return now_ms > s->last_seen_ms && now_ms - s->last_seen_ms > 3 * ss->interval_ms;
}

/* Writes the changed sessions in one transaction. */
static void flush(sv__sessions *ss)
{
    sv__session **list;
    int n = 0;

    if (ss->nb_dirty == 0)
        return;
    if (!(list = calloc((size_t)ss->nb_dirty, sizeof(*list))))
        return; /* tried again next tick */
    for (size_t i = 0; i < ss->nb_buckets && n < ss->nb_dirty; i++)
        for (sv__session *s = ss->by_id[i]; s; s = s->next_id)
            if (s->dirty && n < ss->nb_dirty)
                list[n++] = s;
    if (sv__catalog_sessions_save(ss->cat, list, n, NULL) == 0) {
        for (int i = 0; i < n; i++)
            list[i]->dirty = 0;
        ss->nb_dirty = 0;
    } else {
        SV_LOGE(ss->log, "sessions", "cannot save %d session(s): %s", n,
                sv__catalog_errmsg(ss->cat));
    }
    free(list);
}

void sv__sessions_expire(sv__sessions *ss)
{
    uint64_t now = uv_now(ss->loop);

    for (size_t i = 0; i < ss->nb_buckets; i++)
        for (sv__session *s = ss->by_id[i], *next; s; s = next) {
            next = s->next_id;
            if (expired(ss, s, now)) {
                SV_LOGI(ss->log, "sessions", "session %s of user %lld expired", s->id,
                        (long long)s->user_id);
                sv__sessions_end(ss, s, s->stats.position_s, "expired");
            }
        }
}

static void on_tick(uv_timer_t *t)
{
    sv__sessions *ss = t->data;

    sv__sessions_expire(ss);
    flush(ss);
}

static int add_loaded(void *opaque, const sv__session *row)
{
    sv__sessions *ss = opaque;
    sv__session *s = malloc(sizeof(*s));
    int64_t age_ms = (int64_t)(time(NULL) - row->last_seen) * 1000;
    uint64_t now = uv_now(ss->loop);

    if (!s)
        return SV_ERR_NOMEM;
    *s = *row;
    /* Place its last heartbeat on the loop clock; it expires on schedule. */
    s->last_seen_ms = age_ms <= 0 ? now : (uint64_t)age_ms < now ? now - (uint64_t)age_ms : 0;
    s->dirty = 0;
    if (ss->count >= (int)ss->nb_buckets && grow(ss) < 0) {
        free(s);
        return SV_ERR_NOMEM;
    }
    link_session(ss, s);
    ss->count++;
    return 0;
}

static void on_timer_closed(uv_handle_t *h)
{
    free(h);
}

int sv__sessions_create(uv_loop_t *loop, sv__catalog *cat, const sv__logger *log,
                        double heartbeat_s, sv__sessions **out)
{
    sv__sessions *ss = calloc(1, sizeof(*ss));
    uint64_t tick;
    int ret = SV_ERR_NOMEM;

    if (!ss)
        return SV_ERR_NOMEM;
    ss->loop = loop;
    ss->cat = cat;
    ss->log = log;
    ss->interval_ms = (uint64_t)(heartbeat_s * 1000);
    ss->nb_buckets = MIN_BUCKETS;
    if (!(ss->by_id = calloc(ss->nb_buckets, sizeof(*ss->by_id))) ||
        !(ss->by_user = calloc(ss->nb_buckets, sizeof(*ss->by_user))) ||
        !(ss->timer = malloc(sizeof(*ss->timer))))
        goto fail;
    uv_update_time(loop);
    if ((ret = sv__catalog_sessions_load(cat, add_loaded, ss)) < 0)
        goto fail;
    uv_timer_init(loop, ss->timer);
    ss->timer->data = ss;
    tick = ss->interval_ms < 1000 ? ss->interval_ms : 1000;
    uv_timer_start(ss->timer, on_tick, tick, tick);
    /* Sessions never keep the server running on their own. */
    uv_unref((uv_handle_t *)ss->timer);
    if (ss->count)
        SV_LOGI(log, "sessions", "%d open session(s) loaded from the catalog", ss->count);
    *out = ss;
    return 0;

fail:
    free(ss->timer);
    ss->timer = NULL;
    sv__sessions_destroy(ss);
    return ret;
}

void sv__sessions_destroy(sv__sessions *ss)
{
    if (!ss)
        return;
    /* One last write of everything still open (they stay open). */
    ss->nb_dirty = ss->count;
    for (size_t i = 0; i < ss->nb_buckets && ss->by_id; i++)
        for (sv__session *s = ss->by_id[i]; s; s = s->next_id)
            s->dirty = 1;
    flush(ss);
    for (size_t i = 0; i < ss->nb_buckets && ss->by_id; i++)
        for (sv__session *s = ss->by_id[i], *next; s; s = next) {
            next = s->next_id;
            free(s);
        }
    if (ss->timer)
        uv_close((uv_handle_t *)ss->timer, on_timer_closed);
    free(ss->by_id);
    free(ss->by_user);
    free(ss);
}

sv__session *sv__sessions_find(sv__sessions *ss, const char *id)
{
    sv__session *s = ss->by_id[hash_str(id) & (ss->nb_buckets - 1)];

    while (s && strcmp(s->id, id) != 0)
        s = s->next_id;
    if (s && expired(ss, s, uv_now(ss->loop))) {
        sv__sessions_end(ss, s, s->stats.position_s, "expired");
        return NULL;
    }
    return s;
}

int sv__sessions_count_user(sv__sessions *ss, int64_t user_id, const char *except_device)
{
    uint64_t now = uv_now(ss->loop);
    sv__session **p = &ss->by_user[hash_user(user_id) & (ss->nb_buckets - 1)];
    int n = 0;

    for (sv__session *s = *p, *next; s; s = next) {
        next = s->next_user;
        if (s->user_id != user_id)
            continue;
        if (expired(ss, s, now))
            sv__sessions_end(ss, s, s->stats.position_s, "expired");
        else if (!except_device || strcmp(s->device_id, except_device) != 0)
            n++;
    }
    return n;
}

int sv__sessions_open(sv__sessions *ss, int64_t user_id, int64_t title_id,
                      const char *device_id, sv__session **out)
{
    uint8_t rnd[SV__SESSION_ID_LEN / 2];
    sv__session *s, *old = NULL;
    int ret;

    for (s = ss->by_user[hash_user(user_id) & (ss->nb_buckets - 1)]; s; s = s->next_user)
        if (s->user_id == user_id && !strcmp(s->device_id, device_id))
            old = s;
    if (old)
        sv__sessions_end(ss, old, old->stats.position_s, "replaced");
    if (ss->count >= (int)ss->nb_buckets && grow(ss) < 0)
        return SV_ERR_NOMEM;
    if (RAND_bytes(rnd, sizeof(rnd)) != 1)
        return SV_ERR_INTERNAL;
    if (!(s = calloc(1, sizeof(*s))))
        return SV_ERR_NOMEM;
    for (size_t i = 0; i < sizeof(rnd); i++)
        snprintf(s->id + 2 * i, 3, "%02x", rnd[i]);
    s->user_id = user_id;
    s->title_id = title_id;
    snprintf(s->device_id, sizeof(s->device_id), "%s", device_id);
    s->started = s->last_seen = (int64_t)time(NULL);
    s->last_seen_ms = uv_now(ss->loop);
    if ((ret = sv__catalog_session_insert(ss->cat, s)) < 0) {
        free(s);
        return ret;
    }
    link_session(ss, s);
    ss->count++;
    *out = s;
    return 0;
}

void sv__sessions_heartbeat(sv__sessions *ss, sv__session *s, const sv__session_stats *st)
{
    s->stats = *st;
    s->heartbeats++;
    s->last_seen_ms = uv_now(ss->loop);
    s->last_seen = (int64_t)time(NULL);
    if (!s->dirty) {
        s->dirty = 1;
        ss->nb_dirty++;
    }
}

int sv__sessions_end(sv__sessions *ss, sv__session *s, double position_s, const char *reason)
{
    int ret;

    unlink_session(ss, s);
    if (s->dirty)
        ss->nb_dirty--;
    if (!strcmp(reason, "stopped"))
        ss->nb_stopped++;
    else if (!strcmp(reason, "expired"))
        ss->nb_expired++;
    else
        ss->nb_replaced++;
    s->stats.position_s = position_s;
    if ((ret = sv__catalog_sessions_save(ss->cat, &s, 1, reason)) < 0)
        SV_LOGE(ss->log, "sessions", "cannot save the end of session %s: %s", s->id,
                sv__catalog_errmsg(ss->cat));
    free(s);
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

int sv__sessions_count(const sv__sessions *ss)
{
    return ss->count;
}

void sv__sessions_ended(const sv__sessions *ss, uint64_t *stopped, uint64_t *expired,
                        uint64_t *replaced)
{
    *stopped = ss->nb_stopped;
    *expired = ss->nb_expired;
    *replaced = ss->nb_replaced;
}
