/*
 * The fetcher (fetcher.h): each fetch is a small state machine driven by
 * loop timers and transport callbacks:
 *
 *   sv__fetch() -> timer(0) -> attempt -> transfer -> on_done
 *                     ^                                  |
 *                     +-- timer(0: failover, or back-off) + failure
 *                                                        |
 *                                         success/fatal/out of attempts -> cb
 *
 * Starting through a timer keeps the promise that callbacks never run from
 * inside sv__fetch(). What is retried, and where, is decided by
 * classify(): CDN faults (network, timeout, 5xx, 404 with CDNs, 408, 429)
 * fail over or back off; request faults (other 4xx, a single source's 404)
 * fail fast.
 *
 * Two things look beyond one attempt. A watchdog timer abandons a segment
 * transfer that crawls far below what the link recently gave, when another
 * healthy CDN could serve it (libcurl's own floor is absolute and counts
 * whole seconds, so it cannot tell a 20 kB/s drip on a fast link from a
 * slow link). And a buffer probe lets a segment fetch outlive max_attempts
 * while the player still has media to play, so only an empty buffer turns
 * dead CDNs into an error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/alloc.h"
#include "player/net/fetcher.h"
#include "player/net/fetcher_internal.h"
#include "player/net/fetch_times.h"
#include "player/manifest/url.h"
#include "platform/log.h"

typedef struct fetch {
    sv__fetcher *f;
    int64_t id;
    struct fetch *prev, *next;

    sv__fetch_kind kind;
    char *url;               /* as asked */
    const char *rel;         /* into url: path under the origin/CDN bases, or NULL */
    int64_t offset, length;
    int head_only;
    uint8_t *body;
    size_t body_len;
    char *body_type;
    char *header;            /* extra request header line, or NULL */
    char *query;             /* this request's own query arguments, or NULL */
    int (*check)(const uint8_t *data, size_t size, char *why, size_t cap);
    void (*progress)(void *opaque, const uint8_t *data, size_t len, size_t offset);
    double hold_s;           /* the server may hold the answer this long */
    double hint_stall_s;     /* > 0: a preload hint (one attempt, this stall limit) */
    sv__fetch_cb cb;
    void *opaque;

    int attempts;
    int backoffs;            /* back-off delays so far: the next one doubles */
    uint64_t tried;          /* CDNs tried since the last back-off */
    int cdn;                 /* CDN of the attempt in flight, -1 none */
    uint64_t cdn_gen;
    char *attempt_url;
    sv__transfer *xfer;
    int64_t timer;
    int64_t watchdog;        /* slow-transfer check of the attempt in flight, 0 none */
    double attempt_start;    /* loop clock */
    int slow;                /* the watchdog abandoned the previous attempt */
    char reason[64];         /* why the previous attempt failed, for the CDN switch */

    uint8_t *data;
    size_t size, cap;
    int local_error;         /* on_data refused the body: SV_ERR_OVERFLOW or _NOMEM */
} fetch;

struct sv__fetcher {
    sv__loop *loop;
    sv__transport *transport;
    sv__fetch_options opts;
    sv__logger log;
    int have_log;
    sv__cdn_set cdns;
    char *query;
    fetch *fetches;
    int64_t next_id;
    int64_t bytes, requests, retries, slow_aborts;
    int64_t http1_requests, http2_requests, connections; /* of the answers received */
    sv__fetch_times segment_times; /* successful segment fetches, start to end */
    double last_success_s;   /* loop clock, 0 before the first success */
    double segment_Bps;      /* EWMA of segment transfer rates, bytes/s; 0 before one */
    double (*probe)(void *opaque);
    void *probe_opaque;
};

/* Below this a transfer says more about latency than about the link. */
#define MIN_SAMPLE_BYTES 16384
#define SEGMENT_EWMA_ALPHA 0.3
#define WATCHDOG_PERIOD_S 0.5

void sv__fetch_default_options(sv__fetch_options *o)
{
    memset(o, 0, sizeof(*o)); /* alloc NULL: the C library */
    o->connect_timeout_s = 5;
    o->low_speed_bytes_per_s = 8000;
    o->low_speed_time_s = 5;
    o->manifest_timeout_s = 10;
    o->max_attempts = 4;
    o->backoff_initial_s = 0.25;
    o->backoff_max_s = 4;
    o->max_body_bytes = (size_t)256 << 20;
    o->slow_fraction = 0.1;
    o->slow_grace_s = 1;
    o->slow_floor_max_bytes_per_s = 256000;
    o->keep_trying_above_s = 1.0;
}

int sv__fetcher_create(sv__fetcher **out, sv__loop *loop, sv__transport *transport,
                       const sv__fetch_options *opts)
{
    sv__fetcher *f;

    if (!out || !loop || !transport)
        return SV_ERR_INVALID;
    if (!(f = sv__calloc(opts ? opts->alloc : NULL, 1, sizeof(*f))))
        return SV_ERR_NOMEM;
    f->loop = loop;
    f->transport = transport;
    if (opts)
        f->opts = *opts;
    else
        sv__fetch_default_options(&f->opts);
    if (f->opts.max_attempts < 1)
        f->opts.max_attempts = 1;
    if (!f->opts.max_body_bytes)
        f->opts.max_body_bytes = (size_t)256 << 20;
    sv__cdn_set_init(&f->cdns, f->opts.alloc);
    sv__fetch_times_init(&f->segment_times, f->opts.alloc);
    f->next_id = 1;
    *out = f;
    return 0;
}

void sv__fetcher_set_logger(sv__fetcher *f, const sv__logger *log)
{
    if (!f)
        return;
    f->have_log = log != NULL;
    if (log)
        f->log = *log;
}

/* ---- one fetch's life --------------------------------------------------------- */

static void unlink_fetch(fetch *x)
{
    sv__fetcher *f = x->f;
    if (x->prev)
        x->prev->next = x->next;
    else if (f->fetches == x)
        f->fetches = x->next;
    if (x->next)
        x->next->prev = x->prev;
    x->prev = x->next = NULL;
}

static void free_fetch(fetch *x)
{
    sv__free(x->f->opts.alloc, x->url);
    sv__free(x->f->opts.alloc, x->body);
    sv__free(x->f->opts.alloc, x->body_type);
    sv__free(x->f->opts.alloc, x->header);
    sv__free(x->f->opts.alloc, x->query);
    sv__free(x->f->opts.alloc, x->attempt_url);
    sv__free(x->f->opts.alloc, x->data);
    sv__free(x->f->opts.alloc, x);
}

/* Stops whatever the fetch is waiting for, without callbacks. */
static void halt(fetch *x)
{
    if (x->xfer)
        x->f->transport->ops->cancel(x->f->transport->priv, x->xfer);
    x->xfer = NULL;
    if (x->timer > 0)
        sv__loop_timer_cancel(x->f->loop, x->timer);
    x->timer = 0;
    if (x->watchdog > 0)
        sv__loop_timer_cancel(x->f->loop, x->watchdog);
    x->watchdog = 0;
}

static const char *method_name(const fetch *x)
{
    return x->head_only ? "HEAD" : x->body ? "POST" : "GET";
}

/* Ends the fetch: the callback takes the data; the fetch is freed after it
 * returns and the fetcher is not touched again, so the callback may even
 * destroy the fetcher. */
static void finish(fetch *x, const sv__transfer_result *tr, int error, const char *why)
{
    sv__fetch_result r;

    memset(&r, 0, sizeof(r));
    unlink_fetch(x);
    r.error = error;
    r.attempts = x->attempts;
    r.cdn_id = x->cdn >= 0 && x->cdn_gen == x->f->cdns.generation
               ? x->f->cdns.cdns[x->cdn].id : "";
    r.url = tr && tr->effective_url ? tr->effective_url
          : x->attempt_url ? x->attempt_url : x->url;
    if (tr) {
        r.status = tr->status;
        r.start_s = tr->start_s;
        r.end_s = tr->end_s;
        r.first_byte_s = tr->first_byte_s;
        r.content_type = tr->content_type;
        r.error_body = tr->error_body;
    }
    if (!error) {
        double dt = r.end_s - r.start_s;
        r.data = x->size ? x->data : NULL;
        r.size = x->size;
        if (r.data)
            x->data = NULL;
        r.throughput_bps = r.size ? (double)r.size * 8 / (dt > 1e-6 ? dt : 1e-6) : 0;
    } else {
        snprintf(r.message, sizeof(r.message), "%s %s: %s (%d attempt%s)", method_name(x),
                 r.url, why, x->attempts, x->attempts == 1 ? "" : "s");
        /* The caller reports what the failure means (a skip, an error). */
        if (x->f->have_log)
            SV_LOGI(&x->f->log, "fetch", "%s", r.message);
    }
    x->cb(x->opaque, &r);
    free_fetch(x);
}

static int on_data(void *opaque, const uint8_t *data, size_t len)
{
    fetch *x = opaque;
    size_t max = x->f->opts.max_body_bytes;

    if (len > max || x->size > max - len) {
        x->local_error = SV_ERR_OVERFLOW;
        return SV_ERR_OVERFLOW;
    }
    if (x->size + len > x->cap) {
        size_t cap = x->cap ? x->cap : 64 * 1024;
        while (cap < x->size + len)
            cap = cap > max / 2 ? max : cap * 2;
        uint8_t *p = sv__realloc(x->f->opts.alloc, x->data, cap);
        if (!p) {
            x->local_error = SV_ERR_NOMEM;
            return SV_ERR_NOMEM;
        }
        x->data = p;
        x->cap = cap;
    }
    memcpy(x->data + x->size, data, len);
    x->size += len;
    if (x->progress)
        x->progress(x->opaque, data, len, x->size - len);
    return 0;
}

typedef enum verdict { FATAL, RETRY, FAILOVER } verdict;

/* What a failed attempt means: see the comment at the top. */
static verdict classify(const sv__transfer_result *tr, int multi_cdn, sv__fetch_kind kind)
{
    long st = tr->status;

    /* A certificate or key refused: another CDN may be fine, this one will
     * not change its mind on a retry. */
    if (tr->tls_error)
        return multi_cdn ? FAILOVER : FATAL;
    switch (tr->error) {
    case SV_ERR_NETWORK:
    case SV_ERR_TIMEOUT:
        return FAILOVER;
    case SV_ERR_NOT_FOUND:
        /* A 404 on one CDN may be a hole in its cache; a segment's 404 or
         * 410 from a single source may be an origin still publishing, and
         * it is retried while media is buffered (then skipped, above us). A
         * single source's 404 of anything else (or a missing local file)
         * will not heal. */
        if (multi_cdn && st)
            return FAILOVER;
        return kind == SV__FETCH_SEGMENT && st ? RETRY : FATAL;
    case SV_ERR_HTTP:
        if (st >= 500 || st == 408 || st == 429)
            return multi_cdn ? FAILOVER : RETRY;
        return FATAL;
    default:
        return FATAL;
    }
}

static void attempt(void *opaque);

/* A body the transport took as whole that is not: a byte range shorter
 * than asked, or a segment its own check refuses. Fills *t as the failed
 * transfer it is and returns 1; 0 when the body is whole. */
static int short_body(fetch *x, const sv__transfer_result *tr, sv__transfer_result *t)
{
    char why[128] = "";

    if (x->head_only)
        return 0;
    if (x->length > 0 && (int64_t)x->size < x->length)
        snprintf(why, sizeof(why), "the range asked for %lld", (long long)x->length);
    else if (!x->check || x->check(x->data, x->size, why, sizeof(why)) == 0)
        return 0;
    *t = *tr;
    t->error = SV_ERR_NETWORK;
    snprintf(t->message, sizeof(t->message), "truncated body: %zu bytes received, %s", x->size,
             why);
    return 1;
}

/* The cause of a failed attempt, with byte counts for a short body. */
static void describe_failure(const sv__transfer_result *tr, char *out, size_t cap)
{
    if (tr->error == SV_ERR_NETWORK && tr->content_length > 0 &&
        tr->bytes < tr->content_length)
        snprintf(out, cap, "truncated body: %lld of %lld bytes (Content-Length)",
                 (long long)tr->bytes, (long long)tr->content_length);
    else
        snprintf(out, cap, "%s", tr->message);
}

/* How long until the next attempt on the same source: the back-off, cut for
 * a segment so that it comes while media is still buffered. */
static double backoff_delay(fetch *x)
{
    sv__fetcher *f = x->f;
    double delay = f->opts.backoff_initial_s;

    for (int i = 0; i < x->backoffs && delay < f->opts.backoff_max_s; i++)
        delay *= 2;
    if (delay > f->opts.backoff_max_s)
        delay = f->opts.backoff_max_s;
    if (x->kind == SV__FETCH_SEGMENT && f->probe && x->attempts >= f->opts.max_attempts) {
        double room = f->probe(f->probe_opaque) - f->opts.keep_trying_above_s;
        if (room < delay)
            delay = room > 0 ? room : 0;
    }
    x->backoffs++;
    return delay;
}

static void on_done(void *opaque, const sv__transfer_result *result)
{
    fetch *x = opaque;
    sv__fetcher *f = x->f;
    int cdn_valid = x->cdn >= 0 && x->cdn_gen == f->cdns.generation;
    const sv__transfer_result *tr = result;
    sv__transfer_result shortened;
    char cause[sizeof(tr->message)];
    double delay;
    int out_of_attempts;

    x->xfer = NULL;
    if (x->watchdog > 0)
        sv__loop_timer_cancel(f->loop, x->watchdog);
    x->watchdog = 0;
    f->connections += tr->connections;
    if (tr->http_version == 10 || tr->http_version == 11)
        f->http1_requests++;
    else if (tr->http_version == 20)
        f->http2_requests++;
    if (!tr->error && short_body(x, tr, &shortened))
        tr = &shortened;
    if (!tr->error) {
        if (cdn_valid)
            sv__cdn_succeeded(&f->cdns, x->cdn);
        f->bytes += (int64_t)x->size;
        f->last_success_s = sv__loop_now(f->loop);
        if (x->kind == SV__FETCH_SEGMENT && x->size >= MIN_SAMPLE_BYTES && !x->progress &&
            tr->end_s > tr->start_s) {
            double bps = (double)x->size / (tr->end_s - tr->start_s);
            f->segment_Bps = f->segment_Bps > 0
                             ? (1 - SEGMENT_EWMA_ALPHA) * f->segment_Bps + SEGMENT_EWMA_ALPHA * bps
                             : bps;
        }
        /* A chunk still being written arrives at its producer's pace: not a
         * fetch time. Without memory for the histogram the sample is lost. */
        if (x->kind == SV__FETCH_SEGMENT && !x->progress && !x->head_only)
            (void)sv__fetch_times_add(&f->segment_times, tr->end_s - tr->start_s);
        finish(x, tr, 0, NULL);
        return;
    }
    if (x->local_error) {
        /* on_data refused the body: our limit or our memory, not the server. */
        char why[96];
        if (x->local_error == SV_ERR_OVERFLOW)
            snprintf(why, sizeof(why), "body larger than the %zu-byte limit",
                     f->opts.max_body_bytes);
        else
            snprintf(why, sizeof(why), "out of memory for the body");
        finish(x, tr, x->local_error, why);
        return;
    }
    describe_failure(tr, cause, sizeof(cause));
    verdict v = classify(tr, cdn_valid && f->cdns.n > 1, x->kind);
    if (v == FAILOVER && cdn_valid) {
        sv__cdn_failed(&f->cdns, x->cdn, sv__loop_now(f->loop));
        x->tried |= (uint64_t)1 << x->cdn;
    }
    /* Out of attempts, a segment still waits for a CDN to come back while
     * the player has media to play: giving up now would stop playback
     * with seconds still buffered. */
    out_of_attempts = x->attempts >= f->opts.max_attempts || x->hint_stall_s > 0;
    if (out_of_attempts && v != FATAL && x->kind == SV__FETCH_SEGMENT && !(x->hint_stall_s > 0) &&
        f->probe &&
        f->probe(f->probe_opaque) > f->opts.keep_trying_above_s)
        out_of_attempts = 0;
    if (v == FATAL || out_of_attempts) {
        finish(x, tr, tr->error, cause);
        return;
    }
    if (x->slow)
        snprintf(x->reason, sizeof(x->reason), "too slow");
    else if (tr->status >= 400)
        snprintf(x->reason, sizeof(x->reason), "HTTP %ld", tr->status);
    else
        snprintf(x->reason, sizeof(x->reason), "%s", sv_strerror(tr->error));
    /* A short body is worth a warning even when a retry mends it: the
     * server or the CDN cut a response it called complete. */
    if (f->have_log)
        sv__log(&f->log, strncmp(cause, "truncated", 9) ? SV_LOG_INFO : SV_LOG_WARN, "fetch",
                "%s %s failed: %s; retrying", method_name(x), x->attempt_url, cause);

    /* Another CDN not yet tried: go there at once. Otherwise back off. */
    if (v == FAILOVER && cdn_valid && sv__cdn_pick(&f->cdns, sv__loop_now(f->loop), x->tried) >= 0) {
        delay = 0;
    } else {
        delay = backoff_delay(x);
        x->tried = 0;
    }
    if ((x->timer = sv__loop_timer(f->loop, delay, attempt, x)) < 0) {
        x->timer = 0;
        finish(x, tr, tr->error, cause);
    }
}

/* Why a fetch moves to another CDN: its own previous attempt failed there,
 * the current CDN sits out after another fetch's failure, or a preferred
 * CDN's back-off is over and it is being probed again. */
static const char *switch_reason(const fetch *x)
{
    const sv__cdn_set *s = &x->f->cdns;

    if (x->reason[0])
        return x->reason;
    if (s->current >= 0 && sv__cdn_is_down(s, s->current, sv__loop_now(x->f->loop)))
        return "failover";
    /* The list was reordered (content steering) and another CDN now leads. */
    return s->reordered ? "priority" : "probe";
}

/* The URL of the next attempt, malloc'ed; picks the CDN. */
static char *attempt_url(fetch *x)
{
    sv__fetcher *f = x->f;
    const char *base = NULL, *rest = x->url;
    /* Media tokens gate manifests too (an origin may check every /media/ request). */
    const char *q = x->kind != SV__FETCH_API ? f->query : NULL;
    size_t len, hash;
    char *u;

    x->cdn = -1;
    if (x->kind != SV__FETCH_API && (x->rel = sv__cdn_relative(&f->cdns, x->url))) {
        int idx = sv__cdn_pick(&f->cdns, sv__loop_now(f->loop), x->tried);
        if (idx < 0) {
            x->tried = 0;
            idx = sv__cdn_pick(&f->cdns, sv__loop_now(f->loop), 0);
        }
        sv__cdn_select(&f->cdns, idx, switch_reason(x));
        x->cdn = idx;
        x->cdn_gen = f->cdns.generation;
        base = f->cdns.cdns[idx].base;
        rest = x->rel;
    }
    /* Fragments are never sent; a query token goes before where one was. */
    hash = strcspn(rest, "#");
    const char *own = x->query;
    len = (base ? strlen(base) : 0) + hash + (q ? strlen(q) + 1 : 0) +
          (own ? strlen(own) + 1 : 0) + 1;
    if (!(u = sv__malloc(x->f->opts.alloc, len)))
        return NULL;
    int has_q = memchr(rest, '?', hash) != NULL;
    snprintf(u, len, "%s%.*s%s%s%s%s", base ? base : "", (int)hash, rest,
             q ? (has_q ? "&" : "?") : "", q ? q : "",
             own ? (has_q || q ? "&" : "?") : "", own ? own : "");
    return u;
}

/* The relative floor for the attempt in flight, in bytes/s, or 0 when it
 * does not apply: no rate known yet, no other healthy CDN to go to, or not
 * above the absolute floor libcurl already enforces. */
static double slow_floor(const fetch *x)
{
    sv__fetcher *f = x->f;
    double now = sv__loop_now(f->loop), floor;
    int alt;

    if (f->segment_Bps <= 0 || x->cdn < 0 || x->cdn_gen != f->cdns.generation)
        return 0;
    alt = sv__cdn_pick(&f->cdns, now, x->tried | (uint64_t)1 << x->cdn);
    if (alt < 0 || sv__cdn_is_down(&f->cdns, alt, now))
        return 0;
    floor = f->segment_Bps * f->opts.slow_fraction;
    if (floor > f->opts.slow_floor_max_bytes_per_s)
        floor = f->opts.slow_floor_max_bytes_per_s;
    return floor > f->opts.low_speed_bytes_per_s ? floor : 0;
}

static void watchdog(void *opaque)
{
    fetch *x = opaque;
    sv__fetcher *f = x->f;
    double now = sv__loop_now(f->loop), elapsed = now - x->attempt_start;
    double floor = slow_floor(x), rate;
    sv__transfer_result tr;

    x->watchdog = 0;
    if (!x->xfer)
        return;
    rate = elapsed > 0 ? (double)x->size / elapsed : 0;
    if (!floor || rate >= floor) {
        if ((x->watchdog = sv__loop_timer(f->loop, WATCHDOG_PERIOD_S, watchdog, x)) < 0)
            x->watchdog = 0;
        return;
    }
    /* Abandon it as libcurl abandons a transfer under its floor: a timeout,
     * which fails over. */
    f->transport->ops->cancel(f->transport->priv, x->xfer);
    x->xfer = NULL;
    f->slow_aborts++;
    memset(&tr, 0, sizeof(tr));
    tr.error = SV_ERR_TIMEOUT;
    tr.start_s = x->attempt_start;
    tr.end_s = now;
    tr.bytes = (int64_t)x->size;
    snprintf(tr.message, sizeof(tr.message), "too slow: %.0f B/s after %.1f s, under the %.0f B/s floor",
             rate, elapsed, floor);
    x->slow = 1;
    on_done(x, &tr);
}

static void attempt(void *opaque)
{
    fetch *x = opaque;
    sv__fetcher *f = x->f;
    sv__request req;
    sv__transfer_result tr;
    int ret;

    x->timer = 0;
    sv__free(x->f->opts.alloc, x->attempt_url);
    if (!(x->attempt_url = attempt_url(x))) {
        ret = SV_ERR_NOMEM;
        goto fail;
    }
    x->reason[0] = '\0';
    x->size = 0;
    x->local_error = 0;
    x->attempts++;
    f->requests++;
    if (x->attempts > 1)
        f->retries++;

    memset(&req, 0, sizeof(req));
    req.url = x->attempt_url;
    req.offset = x->offset;
    req.length = x->length;
    req.head_only = x->head_only;
    req.timeout_s = x->kind == SV__FETCH_SEGMENT ? 0 : f->opts.manifest_timeout_s + x->hold_s;
    req.connect_timeout_s = f->opts.connect_timeout_s;
    /* A resource being written comes at its producer's pace. */
    req.low_speed_bytes_per_s = x->progress ? 0 : f->opts.low_speed_bytes_per_s;
    req.low_speed_time_s = x->progress        ? 0
                           : x->hint_stall_s > 0 ? x->hint_stall_s
                                                 : f->opts.low_speed_time_s + x->hold_s;
    req.body = x->body;
    req.body_len = x->body_len;
    req.body_type = x->body_type;
    req.extra_header = x->header;
    req.fresh_connection = x->attempts > 1;
    req.on_data = on_data;
    req.on_done = on_done;
    req.opaque = x;
    x->attempt_start = sv__loop_now(f->loop);
    x->slow = 0;
    if ((ret = f->transport->ops->submit(f->transport->priv, &req, &x->xfer)) < 0)
        goto fail;
    if (x->kind == SV__FETCH_SEGMENT && !x->progress && !(x->hold_s > 0) && x->cdn >= 0 &&
        f->opts.slow_fraction > 0 &&
        f->cdns.n > 1 && (x->watchdog = sv__loop_timer(f->loop, f->opts.slow_grace_s,
                                                       watchdog, x)) < 0)
        x->watchdog = 0; /* no check this time; libcurl's own floor still holds */
    return;

fail:
    /* Submitting failed before any byte moved: a local problem, not the
     * server's, so no retry. We are in a timer callback: calling back is fine. */
    x->xfer = NULL;
    memset(&tr, 0, sizeof(tr));
    tr.start_s = tr.end_s = sv__loop_now(f->loop);
    if (x->attempts == 0)
        x->attempts = 1;
    finish(x, &tr, ret, sv_strerror(ret));
}

int64_t sv__fetch(sv__fetcher *f, const sv__fetch_req *req, sv__fetch_cb cb, void *opaque)
{
    fetch *x;

    if (!f || !req || !cb || !req->url || !sv__url_is_absolute(req->url) || req->offset < 0 ||
        req->length < -1 || req->length == 0 || (req->head_only && req->body) ||
        (req->kind != SV__FETCH_MANIFEST && req->kind != SV__FETCH_SEGMENT &&
         req->kind != SV__FETCH_KEY && req->kind != SV__FETCH_API))
        return SV_ERR_INVALID;
    if (!(x = sv__calloc(f->opts.alloc, 1, sizeof(*x))))
        return SV_ERR_NOMEM;
    x->f = f;
    x->kind = req->kind;
    x->offset = req->offset;
    x->length = req->length;
    x->head_only = req->head_only;
    x->cb = cb;
    x->opaque = opaque;
    x->check = req->check;
    x->progress = req->progress;
    x->hold_s = req->hold_s > 0 ? req->hold_s : 0;
    x->hint_stall_s = req->hint_stall_s > 0 ? req->hint_stall_s : 0;
    x->cdn = -1;
    if (!(x->url = sv__strdup(x->f->opts.alloc, req->url)))
        goto fail;
    if (req->body) {
        x->body_len = req->body_len;
        if (!(x->body = sv__malloc(x->f->opts.alloc, req->body_len ? req->body_len : 1)))
            goto fail;
        memcpy(x->body, req->body, req->body_len);
    }
    if ((req->body_type && !(x->body_type = sv__strdup(x->f->opts.alloc, req->body_type))) ||
        (req->header && !(x->header = sv__strdup(x->f->opts.alloc, req->header))) ||
        (req->query && *req->query && !(x->query = sv__strdup(x->f->opts.alloc, req->query))))
        goto fail;
    if ((x->timer = sv__loop_timer(f->loop, 0, attempt, x)) < 0)
        goto fail;
    x->id = f->next_id++;
    x->next = f->fetches;
    if (f->fetches)
        f->fetches->prev = x;
    f->fetches = x;
    return x->id;

fail:
    free_fetch(x);
    return SV_ERR_NOMEM;
}

void sv__fetch_cancel(sv__fetcher *f, int64_t id)
{
    if (!f)
        return;
    for (fetch *x = f->fetches; x; x = x->next) {
        if (x->id == id) {
            halt(x);
            unlink_fetch(x);
            free_fetch(x);
            return;
        }
    }
}

void sv__fetcher_destroy(sv__fetcher *f)
{
    if (!f)
        return;
    while (f->fetches) {
        fetch *x = f->fetches;
        halt(x);
        unlink_fetch(x);
        free_fetch(x);
    }
    sv__cdn_set_free(&f->cdns);
    sv__fetch_times_free(&f->segment_times);
    sv__free(f->opts.alloc, f->query);
    sv__free(f->opts.alloc, f);
}

/* ---- CDNs, query, stats ------------------------------------------------------- */

int sv__fetcher_set_origin(sv__fetcher *f, const char *origin_base_url)
{
    return f ? sv__cdn_set_origin(&f->cdns, origin_base_url) : SV_ERR_INVALID;
}

int sv__fetcher_set_cdns(sv__fetcher *f, const sv__cdn_entry *cdns, size_t n)
{
    return f ? sv__cdn_set_list(&f->cdns, cdns, n) : SV_ERR_INVALID;
}

int sv__fetcher_set_query(sv__fetcher *f, const char *query)
{
    char *q = NULL;

    if (!f || (query && strpbrk(query, "#? \r\n")))
        return SV_ERR_INVALID;
    if (query && *query && !(q = sv__strdup(f->opts.alloc, query)))
        return SV_ERR_NOMEM;
    sv__free(f->opts.alloc, f->query);
    f->query = q;
    return 0;
}

void sv__fetcher_set_buffer_probe(sv__fetcher *f, double (*buffered_s)(void *opaque),
                                  void *opaque)
{
    if (!f)
        return;
    f->probe = buffered_s;
    f->probe_opaque = buffered_s ? opaque : NULL;
}

void sv__fetcher_on_cdn_change(sv__fetcher *f,
                               void (*cb)(void *opaque, const char *from, const char *to,
                                          const char *reason),
                               void *opaque)
{
    if (!f)
        return;
    f->cdns.on_change = cb;
    f->cdns.on_change_opaque = opaque;
}

void sv__fetcher_stats(const sv__fetcher *f, sv__fetch_stats *st)
{
    memset(st, 0, sizeof(*st));
    st->current_cdn = "";
    st->segment_fetch_p50_s = st->segment_fetch_p95_s = -1;
    if (!f)
        return;
    st->bytes = f->bytes;
    st->requests = f->requests;
    st->retries = f->retries;
    st->cdn_switches = f->cdns.switches;
    st->slow_aborts = f->slow_aborts;
    st->last_success_s = f->last_success_s;
    st->http1_requests = f->http1_requests;
    st->http2_requests = f->http2_requests;
    st->connections = f->connections;
    st->segment_fetch_p50_s = f->segment_times.p50_s;
    st->segment_fetch_p95_s = f->segment_times.p95_s;
    if (f->cdns.current >= 0)
        st->current_cdn = f->cdns.cdns[f->cdns.current].id;
}
