/*
 * The trace transport (emulate_internal.h): real bytes, virtual timing.
 *
 * The link is a fluid model of the trace: at trace time t the capacity is
 * payload_ratio x the bandwidth of the trace interval covering t (the
 * interval that ends at time_s[i] has mbps[i], as in abr/sim.c; the trace
 * wraps with period time_s[n-1] - time_s[0]). Each request waits one RTT,
 * then the transfers in progress share the capacity equally. Trace time
 * runs with session time except while requests only wait for their first
 * byte (no body flowing): the simulator (Pensieve's fixed_env) adds the RTT
 * to a download without moving along the trace, and so does this link, so
 * that both see the same bandwidth for the same segment. poll() moves
 * the virtual clock from event to event (an RTT elapsing, a trace interval
 * ending, a transfer completing, a speed-floor window closing, a timeout),
 * so time only passes on the link and on the loop's timers, never with the
 * wall clock.
 *
 * The bytes themselves come from an inner libcurl transport, fetched whole
 * inside submit() on a monotonic clock of their own; how long that takes in
 * real time has no effect on the emulated timeline.
 */
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/alloc.h"
#include "player/emulate/emulate_internal.h"
#include "streamverse/common.h"

/* Real-time bound for one inner fetch, so a server that accepts and then
 * says nothing cannot hang an emulation. */
#define REAL_FETCH_TIMEOUT_S 30.0
/* Bytes below this count as delivered (rounding of the fluid model). */
#define BYTE_EPS 1e-6

typedef enum { WAIT_RTT, ACTIVE } xstate;

struct sv__transfer {
    struct sv__transfer *next;
    sv__request req;             /* callbacks and limits; url/header/body not kept */
    xstate state;
    uint8_t *body;               /* the real response body */
    size_t size;
    sv__transfer_result res;     /* outcome of the real fetch */
    char *content_type, *effective_url;
    double submit_s, active_s;
    double sent;                 /* body bytes the link has carried */
    double win_start, win_sent;  /* speed-floor window */
};

typedef struct tlink {
    sv_clock *clock;
    sv__transport *inner;
    sv_clock *inner_clock;
    double *time_s, *bps;        /* trace points; bps already x payload_ratio */
    double *rtt_s;               /* per point, NULL: cfg rtt */
    size_t n;
    double period, rtt_default;
    int64_t origin_ns;
    double trace_t;              /* trace time at session time now_s() */
    struct sv__transfer *head;
    atomic_int woken;            /* a wakeup() since the last poll() */
    int have_last;
    double last_start, last_end;
    uint64_t last_bytes;
} tlink;

/* ---- the trace ------------------------------------------------------------- */

static double now_s(const tlink *l)
{
    return (double)(l->clock->now_ns(l->clock->opaque) - l->origin_ns) / 1e9;
}

/* Interval covering trace time t: capacity (bytes/s) and the trace time at
 * which it ends. */
static void interval_at(const tlink *l, double t, double *bps, double *end)
{
    double cycles = floor(t / l->period);
    double pos = t - cycles * l->period + l->time_s[0];
    size_t lo = 1, hi = l->n - 1;
    /* First i >= 1 with time_s[i] > pos, a position within a nanosecond of
     * a boundary counting as past it, so that every step moves time on. */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (l->time_s[mid] > pos + 1e-9)
            hi = mid;
        else
            lo = mid + 1;
    }
    *bps = l->bps[lo];
    *end = cycles * l->period + (l->time_s[lo] - l->time_s[0]);
    if (!(*end > t + 1e-9))  /* the last point, or rounding at the wrap */
        *end = t + 1e-9;
}

static double rtt_at(const tlink *l, double t)
{
    if (!l->rtt_s)
        return l->rtt_default;
    double cycles = floor(t / l->period);
    double pos = t - cycles * l->period + l->time_s[0];
    for (size_t i = 1; i < l->n; i++)
        if (l->time_s[i] > pos)
            return l->rtt_s[i];
    return l->rtt_s[l->n - 1];
}

/* ---- the real fetch ------------------------------------------------------- */

typedef struct real_fetch {
    struct sv__transfer *x;
    int done;
} real_fetch;

static int real_data(void *opaque, const uint8_t *data, size_t len)
{
    struct sv__transfer *x = ((real_fetch *)opaque)->x;
    uint8_t *b = sv__realloc(NULL, x->body, x->size + len);
    if (!b)
        return -1;
    memcpy(b + x->size, data, len);
    x->body = b;
    x->size += len;
    return 0;
}

static void real_done(void *opaque, const sv__transfer_result *r)
{
    real_fetch *rf = opaque;
    struct sv__transfer *x = rf->x;
    x->res = *r;
    x->res.content_type = NULL;
    x->res.effective_url = NULL;
    if (r->content_type)
        x->content_type = sv__strdup(NULL, r->content_type);
    if (r->effective_url)
        x->effective_url = sv__strdup(NULL, r->effective_url);
    rf->done = 1;
}

static int fetch_real(tlink *l, const sv__request *req, struct sv__transfer *x)
{
    real_fetch rf = { x, 0 };
    sv__request in = *req;
    sv__transfer *t;
    in.timeout_s = req->timeout_s > 0 && req->timeout_s < REAL_FETCH_TIMEOUT_S
                       ? req->timeout_s : REAL_FETCH_TIMEOUT_S;
    in.low_speed_bytes_per_s = in.low_speed_time_s = 0; /* the link applies the floor */
    in.on_data = real_data;
    in.on_done = real_done;
    in.opaque = &rf;
    int r = l->inner->ops->submit(l->inner->priv, &in, &t);
    if (r < 0)
        return r;
    while (!rf.done)
        if ((r = l->inner->ops->poll(l->inner->priv, 100000000)) < 0) {
            l->inner->ops->cancel(l->inner->priv, t);
            return r;
        }
    if (x->res.error) { /* nothing of a failed fetch reaches on_data */
        sv__free(NULL, x->body);
        x->body = NULL;
        x->size = 0;
    }
    return 0;
}

/* ---- transfers ------------------------------------------------------------- */

static void free_transfer(struct sv__transfer *x)
{
    sv__free(NULL, x->body);
    sv__free(NULL, x->content_type);
    sv__free(NULL, x->effective_url);
    sv__free(NULL, x);
}

static void unlink_transfer(tlink *l, struct sv__transfer *x)
{
    for (struct sv__transfer **pp = &l->head; *pp; pp = &(*pp)->next)
        if (*pp == x) {
            *pp = x->next;
            return;
        }
}

static int tt_submit(void *priv, const sv__request *req, sv__transfer **out)
{
    tlink *l = priv;
    if (!req || !req->url || !req->on_done || !out)
        return SV_ERR_INVALID;
    struct sv__transfer *x = sv__calloc(NULL, 1, sizeof(*x));
    if (!x)
        return SV_ERR_NOMEM;
    int r = fetch_real(l, req, x);
    if (r < 0) {
        free_transfer(x);
        return r;
    }
    x->req = *req;
    x->req.url = NULL;
    x->req.extra_header = NULL;
    x->req.body = NULL;
    x->req.body_type = NULL;
    x->submit_s = now_s(l);
    x->active_s = x->submit_s + rtt_at(l, l->trace_t);
    x->state = WAIT_RTT;
    /* Append: transfers that complete at the same instant finish in
     * submission order. */
    struct sv__transfer **pp = &l->head;
    while (*pp)
        pp = &(*pp)->next;
    *pp = x;
    *out = x;
    return 0;
}

static void tt_cancel(void *priv, sv__transfer *x)
{
    tlink *l = priv;
    if (!x)
        return;
    unlink_transfer(l, x);
    free_transfer(x);
}

static double floor_window(const struct sv__transfer *x)
{
    if (!(x->req.low_speed_bytes_per_s > 0) || !(x->req.low_speed_time_s > 0))
        return 0;
    double w = ceil(x->req.low_speed_time_s); /* as libcurl: whole seconds, >= 1 */
    return w < 1 ? 1 : w;
}

/* Finishes x at time t: hands the body over and reports. x is unlinked. */
static void complete(tlink *l, struct sv__transfer *x, double t, int error, const char *why)
{
    sv__transfer_result res = x->res;
    unlink_transfer(l, x);
    res.start_s = (double)l->origin_ns / 1e9 + x->submit_s;
    res.first_byte_s = x->size ? (double)l->origin_ns / 1e9 + x->active_s : 0;
    res.end_s = (double)l->origin_ns / 1e9 + t;
    res.content_type = x->content_type;
    res.effective_url = x->effective_url;
    if (error) {
        res.error = error;
        res.bytes = 0;
        snprintf(res.message, sizeof(res.message), "%s", why);
    } else if (!res.error && x->size && x->req.on_data) {
        if (x->req.on_data(x->req.opaque, x->body, x->size) < 0) {
            res.error = SV_ERR_CANCELLED;
            snprintf(res.message, sizeof(res.message), "the receiver refused the body");
        }
    }
    if (!res.error) {
        l->have_last = 1;
        l->last_start = x->submit_s;
        l->last_end = t;
        l->last_bytes = x->size;
    }
    x->req.on_done(x->req.opaque, &res);
    free_transfer(x);
}

/* ---- time ------------------------------------------------------------------ */

static size_t count_active(const tlink *l)
{
    size_t n = 0;
    for (const struct sv__transfer *x = l->head; x; x = x->next)
        n += x->state == ACTIVE;
    return n;
}

/* Trace time stands still while every request only waits for its RTT. */
static int trace_running(const tlink *l)
{
    return !l->head || count_active(l) > 0;
}

/* The next instant something happens on the link after session time `t`,
 * at most `limit`. */
static double next_event(const tlink *l, double t, double limit)
{
    double next = limit, bps, iend;
    size_t n = count_active(l);
    interval_at(l, l->trace_t, &bps, &iend);
    if (n && t + (iend - l->trace_t) < next)
        next = t + (iend - l->trace_t);
    for (const struct sv__transfer *x = l->head; x; x = x->next) {
        double ev = INFINITY;
        if (x->state == WAIT_RTT) {
            ev = x->active_s;
        } else {
            double left = (double)x->size - x->sent;
            if (left <= BYTE_EPS)
                ev = t;
            else if (bps > 0)
                ev = t + left / (bps / (double)n);
            double w = floor_window(x);
            if (w > 0 && x->win_start + w < ev)
                ev = x->win_start + w;
        }
        if (x->req.timeout_s > 0 && x->submit_s + x->req.timeout_s < ev)
            ev = x->submit_s + x->req.timeout_s;
        if (ev < next)
            next = ev;
    }
    return next < t ? t : next;
}

/* Moves the link from session time t0 to t1, within one trace interval:
 * the body bytes flow and trace time runs (unless frozen). */
static void carry(tlink *l, double t0, double t1)
{
    size_t n = count_active(l);
    if (!(t1 > t0))
        return;
    if (trace_running(l))
        l->trace_t += t1 - t0;
    if (!n)
        return;
    double bps, iend;
    interval_at(l, l->trace_t - (t1 - t0), &bps, &iend);
    double each = bps / (double)n * (t1 - t0);
    for (struct sv__transfer *x = l->head; x; x = x->next) {
        if (x->state != ACTIVE)
            continue;
        double left = (double)x->size - x->sent;
        double d = each < left ? each : left;
        x->sent += d;
        x->win_sent += d;
    }
}

/* Runs what is due at t; returns 1 when a callback ran. */
static int fire(tlink *l, double t)
{
    for (struct sv__transfer *x = l->head; x; x = x->next) {
        if (x->req.timeout_s > 0 && x->submit_s + x->req.timeout_s <= t + 1e-12 &&
            !(x->state == ACTIVE && (double)x->size - x->sent <= BYTE_EPS)) {
            char why[96];
            snprintf(why, sizeof(why), "timed out after %.1f s on the emulated link",
                     x->req.timeout_s);
            complete(l, x, t, SV_ERR_TIMEOUT, why);
            return 1;
        }
        if (x->state == WAIT_RTT && x->active_s <= t + 1e-12) {
            x->state = ACTIVE;
            x->win_start = t;
            x->win_sent = 0;
        }
        if (x->state != ACTIVE)
            continue;
        if ((double)x->size - x->sent <= BYTE_EPS || x->res.error) {
            complete(l, x, t, 0, NULL);
            return 1;
        }
        double w = floor_window(x);
        if (w > 0 && x->win_start + w <= t + 1e-12) {
            if (x->win_sent < x->req.low_speed_bytes_per_s * w) {
                char why[128];
                snprintf(why, sizeof(why),
                         "slower than %.0f bytes/s for %.0f s on the emulated link",
                         x->req.low_speed_bytes_per_s, w);
                complete(l, x, t, SV_ERR_TIMEOUT, why);
                return 1;
            }
            x->win_start = t;
            x->win_sent = 0;
        }
    }
    return 0;
}

static void set_time(tlink *l, double t)
{
    int64_t ns = l->origin_ns + (int64_t)ceil(t * 1e9);
    if (ns > l->clock->now_ns(l->clock->opaque))
        sv_clock_virtual_set(l->clock, ns);
}

static int tt_poll(void *priv, int64_t timeout_ns)
{
    tlink *l = priv;
    double t = now_s(l);
    double limit = t + (double)(timeout_ns > 0 ? timeout_ns : 0) / 1e9;
    if (atomic_exchange(&l->woken, 0))
        limit = t;
    for (;;) {
        if (fire(l, t))
            return 0;
        double next = next_event(l, t, limit);
        /* Carry piecewise: the rate changes at interval ends. */
        while (t < next) {
            double bps, iend, stop = next;
            interval_at(l, l->trace_t, &bps, &iend);
            if (trace_running(l) && t + (iend - l->trace_t) < next)
                stop = t + (iend - l->trace_t);
            carry(l, t, stop);
            t = stop;
        }
        if (next >= limit) {
            set_time(l, limit);
            fire(l, limit);
            return 0;
        }
        set_time(l, t);
    }
}

static void tt_wakeup(void *priv)
{
    /* Posts come from the loop thread itself in an emulation: a flag is
     * enough, and the next poll() returns without moving time. */
    atomic_store(&((tlink *)priv)->woken, 1);
}

static void tt_destroy(void *priv)
{
    tlink *l = priv;
    while (l->head) {
        struct sv__transfer *x = l->head;
        l->head = x->next;
        free_transfer(x);
    }
    sv__transport_destroy(l->inner);
    sv_clock_destroy(l->inner_clock);
    sv__free(NULL, l->time_s);
    sv__free(NULL, l->bps);
    sv__free(NULL, l->rtt_s);
    sv__free(NULL, l);
}

static const sv__transport_ops trace_ops = {
    .name = "trace",
    .submit = tt_submit,
    .cancel = tt_cancel,
    .poll = tt_poll,
    .wakeup = tt_wakeup,
    .destroy = tt_destroy,
};

int sv__transport_trace_last(const sv__transport *t, double *start_s, double *end_s,
                             uint64_t *bytes)
{
    const tlink *l = t->priv;
    if (t->ops != &trace_ops || !l->have_last)
        return SV_ERR_STATE;
    *start_s = l->last_start;
    *end_s = l->last_end;
    *bytes = l->last_bytes;
    return 0;
}

int sv__transport_trace_create(sv__transport **out, sv_clock *clock,
                               const sv__trace_link_config *cfg)
{
    if (!out || !clock || !cfg || !cfg->trace || !(cfg->payload_ratio > 0) ||
        cfg->payload_ratio > 1 || !(cfg->rtt_s >= 0) ||
        sv_clock_virtual_next_deadline(clock) == INT64_MIN)
        return SV_ERR_INVALID;
    size_t n = sv_trace_num_points(cfg->trace);
    if (n < 2)
        return SV_ERR_INVALID;
    int ret = SV_ERR_NOMEM;
    sv__transport *t = sv__calloc(NULL, 1, sizeof(*t));
    tlink *l = sv__calloc(NULL, 1, sizeof(*l));
    if (!t || !l)
        goto fail;
    l->clock = clock;
    l->n = n;
    l->rtt_default = cfg->rtt_s;
    l->time_s = sv__calloc(NULL, n, sizeof(double));
    l->bps = sv__calloc(NULL, n, sizeof(double));
    if (!l->time_s || !l->bps)
        goto fail;
    for (size_t i = 0; i < n; i++) {
        double mbps, rtt_ms;
        sv_trace_point(cfg->trace, i, &l->time_s[i], &mbps, &rtt_ms);
        l->bps[i] = mbps * 1e6 / 8.0 * cfg->payload_ratio;
        if (rtt_ms >= 0) {
            if (!l->rtt_s && !(l->rtt_s = sv__calloc(NULL, n, sizeof(double))))
                goto fail;
            l->rtt_s[i] = rtt_ms / 1000.0;
        }
    }
    l->period = l->time_s[n - 1] - l->time_s[0];
    if (!(l->period > 0)) {
        ret = SV_ERR_INVALID;
        goto fail;
    }
    l->origin_ns = clock->now_ns(clock->opaque);
    sv__curl_options co = { .user_agent = cfg->user_agent };
    if ((ret = sv_clock_monotonic_create(&l->inner_clock)) < 0 ||
        (ret = sv__transport_curl_create(&l->inner, l->inner_clock, &co)) < 0)
        goto fail;
    t->ops = &trace_ops;
    t->priv = l;
    *out = t;
    return 0;

fail:
    if (l)
        tt_destroy(l);
    sv__free(NULL, t);
    return ret;
}
