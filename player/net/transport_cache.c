/*
 * transport_cache.c - the preload cache (preload_cache.h): a store of
 * bodies, a recording face that fills it and a serving face that answers
 * from it, both wrapped around the real transport.
 *
 * Loop thread only, except wakeup.
 */
#include <stdio.h>
#include <string.h>

#include "platform/alloc.h"
#include "player/net/preload_cache.h"

#define KEY_MAX 4096

typedef struct entry {
    struct entry *next;
    char *key;
    int64_t offset, length;
    uint8_t *data;
    size_t size;
    char *content_type, *effective_url; /* NULL when none */
    double dur_s, ttfb_s;              /* of the transfer that fetched it */
    long status;
} entry;

/* An answer from the store, waiting for the next poll. It holds copies, so
 * a reset of the store never pulls the bytes from under it. */
typedef struct served {
    struct served *next;
    entry e;
    void (*on_done)(void *, const sv__transfer_result *);
    int (*on_data)(void *, const uint8_t *, size_t);
    void *opaque;
} served;

/* A transfer of the recording face: the real one, and its body so far. */
typedef struct rec {
    sv__pcache *c;
    sv__transfer *inner;
    int keep;                  /* a GET whose body goes to the store */
    char *key;
    int64_t offset, length;
    uint8_t *buf;
    size_t size, cap;
    int (*on_data)(void *, const uint8_t *, size_t);
    void (*on_done)(void *, const sv__transfer_result *);
    void *opaque;
} rec;

struct sv__pcache {
    const sv_allocator *alloc;
    sv__transport *inner;
    const sv_clock *clock;
    sv__transport record;      /* the recording face (borrowed by the preload) */
    entry *entries;
    size_t bytes, max_bytes;
    int64_t nb, hits;
    int full;
    served *pending, **pending_tail;
};

char *sv__pcache_key(const char *url, char *out, size_t cap)
{
    size_t n = strlen(url);
    if (n >= cap)
        return NULL;
    const char *q = strchr(url, '?');
    if (!q) {
        memcpy(out, url, n + 1);
        return out;
    }
    size_t o = (size_t)(q - url);
    memcpy(out, url, o);
    char sep = '?';
    for (const char *a = q + 1; *a;) {
        size_t len = strcspn(a, "&#");
        if (len && strncmp(a, "CMCD=", 5) != 0) {
            out[o++] = sep;
            memcpy(out + o, a, len);
            o += len;
            sep = '&';
        }
        a += len;
        if (*a == '#')
            break;
        if (*a == '&')
            a++;
    }
    out[o] = '\0';
    return out;
}

static double now_s(const sv__pcache *c)
{
    return (double)c->clock->now_ns(c->clock->opaque) / 1e9;
}

static void entry_free(const sv_allocator *a, entry *e)
{
    sv__free(a, e->key);
    sv__free(a, e->data);
    sv__free(a, e->content_type);
    sv__free(a, e->effective_url);
}

static entry *find(sv__pcache *c, const char *url, int64_t offset, int64_t length)
{
    char key[KEY_MAX];
    if (!sv__pcache_key(url, key, sizeof(key)))
        return NULL;
    for (entry *e = c->entries; e; e = e->next)
        if (e->offset == offset && e->length == length && !strcmp(e->key, key))
            return e;
    return NULL;
}

void sv__pcache_reset(sv__pcache *c, size_t max_bytes)
{
    while (c->entries) {
        entry *e = c->entries;
        c->entries = e->next;
        entry_free(c->alloc, e);
        sv__free(c->alloc, e);
    }
    c->bytes = 0;
    c->nb = c->hits = 0;
    c->full = 0;
    c->max_bytes = max_bytes;
}

void sv__pcache_forget(sv__pcache *c, const char *url, int64_t offset, int64_t length)
{
    entry *e = find(c, url, offset, length);
    for (entry **pp = &c->entries; e && *pp; pp = &(*pp)->next) {
        if (*pp != e)
            continue;
        *pp = e->next;
        c->bytes -= e->size;
        c->nb--;
        entry_free(c->alloc, e);
        sv__free(c->alloc, e);
        return;
    }
}

void sv__pcache_stats_get(const sv__pcache *c, sv__pcache_stats *st)
{
    *st = (sv__pcache_stats){ .bytes = (int64_t)c->bytes, .entries = c->nb, .hits = c->hits,
                              .full = c->full };
}

/* ---- the serving face ------------------------------------------------------ */

static char *dup_opt(const sv_allocator *a, const char *s, int *failed)
{
    if (!s)
        return NULL;
    char *d = sv__strdup(a, s);
    *failed |= !d;
    return d;
}

static int serve_submit(void *priv, const sv__request *req, sv__transfer **out)
{
    sv__pcache *c = priv;
    entry *e = req->body || req->head_only || req->fresh_connection
                   ? NULL
                   : find(c, req->url, req->offset, req->length);
    if (!e)
        return c->inner->ops->submit(c->inner->priv, req, out);
    served *s = sv__calloc(c->alloc, 1, sizeof(*s));
    int failed = !s;
    if (s) {
        s->e = *e;
        s->e.next = NULL;
        s->e.key = NULL;
        s->e.data = e->size ? sv__malloc(c->alloc, e->size) : NULL;
        failed |= e->size && !s->e.data;
        s->e.content_type = dup_opt(c->alloc, e->content_type, &failed);
        s->e.effective_url = dup_opt(c->alloc, e->effective_url, &failed);
    }
    if (failed) {
        if (s)
            entry_free(c->alloc, &s->e);
        sv__free(c->alloc, s);
        return SV_ERR_NOMEM;
    }
    if (e->size)
        memcpy(s->e.data, e->data, e->size);
    s->on_data = req->on_data;
    s->on_done = req->on_done;
    s->opaque = req->opaque;
    *c->pending_tail = s;
    c->pending_tail = &s->next;
    c->hits++;
    *out = (sv__transfer *)s;
    return 0;
}

static int unlink_pending(sv__pcache *c, served *s)
{
    for (served **pp = &c->pending; *pp; pp = &(*pp)->next) {
        if (*pp != s)
            continue;
        *pp = s->next;
        if (c->pending_tail == &s->next)
            c->pending_tail = pp;
        return 1;
    }
    return 0;
}

static void serve_cancel(void *priv, sv__transfer *t)
{
    sv__pcache *c = priv;
    served *s = (served *)t;
    if (unlink_pending(c, s)) {
        entry_free(c->alloc, &s->e);
        sv__free(c->alloc, s);
        return;
    }
    c->inner->ops->cancel(c->inner->priv, t);
}

static void deliver(sv__pcache *c, served *s)
{
    sv__transfer_result r;
    double now = now_s(c);
    memset(&r, 0, sizeof(r));
    r.status = s->e.status;
    r.start_s = now - s->e.dur_s;
    r.first_byte_s = s->e.size ? r.start_s + s->e.ttfb_s : 0;
    r.end_s = now;
    r.content_length = (int64_t)s->e.size;
    r.content_type = s->e.content_type;
    r.effective_url = s->e.effective_url;
    r.http_version = 0; /* no request went out */
    if (s->e.size && s->on_data && s->on_data(s->opaque, s->e.data, s->e.size) < 0) {
        r.error = SV_ERR_CANCELLED;
        snprintf(r.message, sizeof(r.message), "the body from the preload was refused");
    } else {
        r.bytes = (int64_t)s->e.size;
    }
    s->on_done(s->opaque, &r);
}

static int serve_poll(void *priv, int64_t timeout_ns)
{
    sv__pcache *c = priv;
    /* Only what was pending on entry: answers submitted by these callbacks
     * wait for the next poll, so timers and posts keep their turn. */
    size_t n = 0;
    for (served *s = c->pending; s; s = s->next)
        n++;
    if (n)
        timeout_ns = 0;
    while (n-- && c->pending) {
        served *s = c->pending;
        unlink_pending(c, s);
        deliver(c, s);
        entry_free(c->alloc, &s->e);
        sv__free(c->alloc, s);
    }
    return c->inner->ops->poll(c->inner->priv, timeout_ns);
}

static void serve_wakeup(void *priv)
{
    sv__pcache *c = priv;
    c->inner->ops->wakeup(c->inner->priv);
}

static void serve_destroy(void *priv)
{
    sv__pcache *c = priv;
    while (c->pending) {
        served *s = c->pending;
        c->pending = s->next;
        entry_free(c->alloc, &s->e);
        sv__free(c->alloc, s);
    }
    sv__pcache_reset(c, 0);
    sv__transport_destroy(c->inner);
    sv__free(c->alloc, c);
}

static const sv__transport_ops serve_ops = {
    .name = "preload-cache", .submit = serve_submit, .cancel = serve_cancel,
    .poll = serve_poll, .wakeup = serve_wakeup, .destroy = serve_destroy,
};

/* ---- the recording face ----------------------------------------------------- */

static void rec_free(rec *x)
{
    const sv_allocator *a = x->c->alloc;
    sv__free(a, x->key);
    sv__free(a, x->buf);
    sv__free(a, x);
}

static int rec_data(void *opaque, const uint8_t *data, size_t len)
{
    rec *x = opaque;
    sv__pcache *c = x->c;
    if (x->keep && c->bytes + x->size + len > c->max_bytes) {
        x->keep = 0; /* over the bound: passed on, not kept */
        c->full = 1;
    }
    if (x->keep && x->size + len > x->cap) {
        size_t cap = x->cap ? x->cap : 65536;
        while (cap < x->size + len)
            cap *= 2;
        uint8_t *nb = sv__realloc(c->alloc, x->buf, cap);
        if (!nb) {
            x->keep = 0;
        } else {
            x->buf = nb;
            x->cap = cap;
        }
    }
    if (x->keep) {
        memcpy(x->buf + x->size, data, len);
        x->size += len;
    }
    return x->on_data ? x->on_data(x->opaque, data, len) : 0;
}

static void store(rec *x, const sv__transfer_result *r)
{
    sv__pcache *c = x->c;
    int failed = 0;
    entry *e = sv__calloc(c->alloc, 1, sizeof(*e));
    if (!e || c->bytes + x->size > c->max_bytes) {
        c->full |= e != NULL;
        sv__free(c->alloc, e);
        return;
    }
    sv__pcache_forget(c, x->key, x->offset, x->length);
    *e = (entry){ .key = x->key, .offset = x->offset, .length = x->length, .data = x->buf,
                  .size = x->size, .status = r->status, .dur_s = r->end_s - r->start_s,
                  .ttfb_s = r->first_byte_s > 0 ? r->first_byte_s - r->start_s : 0 };
    e->content_type = dup_opt(c->alloc, r->content_type, &failed);
    e->effective_url = dup_opt(c->alloc, r->effective_url, &failed);
    x->key = NULL;
    x->buf = NULL;
    if (failed) {
        entry_free(c->alloc, e);
        sv__free(c->alloc, e);
        return;
    }
    e->next = c->entries;
    c->entries = e;
    c->bytes += e->size;
    c->nb++;
}

static void rec_done(void *opaque, const sv__transfer_result *r)
{
    rec *x = opaque;
    if (x->keep && !r->error && r->status < 300)
        store(x, r);
    x->on_done(x->opaque, r);
    rec_free(x);
}

static int record_submit(void *priv, const sv__request *req, sv__transfer **out)
{
    sv__pcache *c = priv;
    char key[KEY_MAX];
    rec *x = sv__calloc(c->alloc, 1, sizeof(*x));
    if (!x)
        return SV_ERR_NOMEM;
    x->c = c;
    x->keep = !req->body && !req->head_only && sv__pcache_key(req->url, key, sizeof(key));
    if (x->keep && !(x->key = sv__strdup(c->alloc, key))) {
        sv__free(c->alloc, x);
        return SV_ERR_NOMEM;
    }
    x->offset = req->offset;
    x->length = req->length;
    x->on_data = req->on_data;
    x->on_done = req->on_done;
    x->opaque = req->opaque;
    sv__request r = *req;
    r.on_data = rec_data;
    r.on_done = rec_done;
    r.opaque = x;
    int ret = c->inner->ops->submit(c->inner->priv, &r, &x->inner);
    if (ret < 0) {
        rec_free(x);
        return ret;
    }
    *out = (sv__transfer *)x;
    return 0;
}

static void record_cancel(void *priv, sv__transfer *t)
{
    sv__pcache *c = priv;
    rec *x = (rec *)t; /* the preload fetcher submits here only: always ours */
    c->inner->ops->cancel(c->inner->priv, x->inner);
    rec_free(x);
}

static int record_poll(void *priv, int64_t timeout_ns)
{
    return serve_poll(priv, timeout_ns);
}

static void record_destroy(void *priv)
{
    (void)priv; /* the serving face owns the store */
}

static const sv__transport_ops record_ops = {
    .name = "preload-record", .submit = record_submit, .cancel = record_cancel,
    .poll = record_poll, .wakeup = serve_wakeup, .destroy = record_destroy,
};

int sv__pcache_create(sv__transport **serve, sv__transport **record, sv__pcache **store,
                      sv__transport *inner, const sv_clock *clock, const sv_allocator *alloc)
{
    sv__pcache *c = sv__calloc(alloc, 1, sizeof(*c));
    sv__transport *t = sv__calloc(alloc, 1, sizeof(*t));
    if (!c || !t) {
        sv__free(alloc, c);
        sv__free(alloc, t);
        sv__transport_destroy(inner);
        return SV_ERR_NOMEM;
    }
    c->alloc = alloc;
    c->inner = inner;
    c->clock = clock;
    c->pending_tail = &c->pending;
    c->record = (sv__transport){ .ops = &record_ops, .priv = c };
    sv__allocator_copy(&t->alloc, alloc);
    t->ops = &serve_ops;
    t->priv = c;
    *serve = t;
    *record = &c->record;
    *store = c;
    return 0;
}
