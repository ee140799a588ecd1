/*
 * Blocking fetches for the download thread: the player's libcurl transport
 * (net/transport.h: http, https, file://, the same TLS settings and error
 * texts) driven by its own poll() on this thread, one request at a time. A
 * download fetches its segments one after another, so a loop of its own
 * would add nothing.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "platform/alloc.h"
#include "platform/buf.h"
#include "platform/thread.h"
#include "player/download/internal.h"
#include "player/net/transport.h"
#include "streamverse/clock.h"

/* Back-off between attempts at one file: doubles from 0.5 s up to 4 s. */
#define BACKOFF_FIRST_NS INT64_C(500000000)
#define BACKOFF_MAX_NS INT64_C(4000000000)

struct sv__dl_fetcher {
    const sv_allocator *alloc;
    struct sv_clock *clock;
    sv__transport *tr;
    char *query;            /* appended to every URL, or NULL */
    int64_t give_up_ns;     /* how long a file is retried over network errors and 5xx */
    const sv__logger *log;  /* borrowed; the retries' warnings */
    atomic_int stop;        /* set by sv__dl_fetcher_stop from any thread */
};

typedef struct one_fetch {
    sv__dl_fetcher *f;
    sv__buf body;
    int done;
    sv__transfer_result res;
    char message[200];
} one_fetch;

static int on_data(void *opaque, const uint8_t *data, size_t len)
{
    one_fetch *o = opaque;
    if (atomic_load(&o->f->stop))
        return SV_ERR_CANCELLED;
    sv__buf_append(&o->body, data, len);
    return o->body.err;
}

static void on_done(void *opaque, const sv__transfer_result *r)
{
    one_fetch *o = opaque;
    o->res = *r;
    snprintf(o->message, sizeof(o->message), "%s", r->message);
    o->done = 1;
}

int sv__dl_fetcher_create(sv__dl_fetcher **out, const sv_allocator *alloc,
                          const char *user_agent, const char *ca_file, const char *query,
                          int64_t give_up_ms, const sv__logger *log)
{
    sv__dl_fetcher *f = sv__calloc(alloc, 1, sizeof(*f));
    int ret = SV_ERR_NOMEM;

    if (!f)
        return ret;
    f->alloc = alloc;
    f->give_up_ns = give_up_ms * 1000000;
    f->log = log;
    atomic_init(&f->stop, 0);
    if (query && *query && !(f->query = sv__strdup(alloc, query)))
        goto fail;
    if ((ret = sv__clock_monotonic_create(&f->clock, alloc)) < 0)
        goto fail;
    sv__curl_options o = { .alloc = alloc, .user_agent = user_agent, .ca_file = ca_file };
    if ((ret = sv__transport_curl_create(&f->tr, f->clock, &o)) < 0)
        goto fail;
    *out = f;
    return 0;
fail:
    sv__dl_fetcher_destroy(f);
    return ret;
}

void sv__dl_fetcher_destroy(sv__dl_fetcher *f)
{
    if (!f)
        return;
    if (f->tr)
        sv__transport_destroy(f->tr);
    sv_clock_destroy(f->clock);
    sv__free(f->alloc, f->query);
    sv__free(f->alloc, f);
}

void sv__dl_fetcher_stop(sv__dl_fetcher *f)
{
    atomic_store(&f->stop, 1);
    f->tr->ops->wakeup(f->tr->priv);
}

int sv__dl_fetcher_set_query(sv__dl_fetcher *f, const char *query)
{
    char *q = NULL;
    if (query && *query && !(q = sv__strdup(f->alloc, query)))
        return SV_ERR_NOMEM;
    sv__free(f->alloc, f->query);
    f->query = q;
    return 0;
}

void sv__dl_fetcher_reset_stop(sv__dl_fetcher *f)
{
    atomic_store(&f->stop, 0);
}

/* One attempt. Returns 0 or the transfer's error, with o->message set. */
static int attempt_req(sv__dl_fetcher *f, sv__request *req, one_fetch *o)
{
    sv__transfer *t = NULL;
    req->connect_timeout_s = 5;
    req->low_speed_bytes_per_s = 1000;
    req->low_speed_time_s = 10;
    req->on_data = on_data;
    req->on_done = on_done;
    req->opaque = o;
    int ret = f->tr->ops->submit(f->tr->priv, req, &t);

    if (ret < 0) {
        snprintf(o->message, sizeof(o->message), "the request could not be made (%s)",
                 sv_strerror(ret));
        return ret;
    }
    while (!o->done) {
        if (atomic_load(&f->stop)) {
            f->tr->ops->cancel(f->tr->priv, t);
            snprintf(o->message, sizeof(o->message), "stopped");
            return SV_ERR_CANCELLED;
        }
        if ((ret = f->tr->ops->poll(f->tr->priv, 200 * INT64_C(1000000))) < 0) {
            f->tr->ops->cancel(f->tr->priv, t);
            snprintf(o->message, sizeof(o->message), "the transport failed");
            return ret;
        }
    }
    return o->res.error;
}

static int attempt(sv__dl_fetcher *f, const char *url, int64_t offset, int64_t length,
                   one_fetch *o)
{
    sv__request req = { .url = url, .offset = offset, .length = length };
    return attempt_req(f, &req, o);
}

int sv__dl_post(sv__dl_fetcher *f, const char *url, const char *body, const char *header,
                uint8_t **data, size_t *size, char *msg, size_t cap)
{
    sv__request req = { .url = url, .length = -1, .body = (const uint8_t *)body,
                        .body_len = strlen(body), .body_type = "application/json",
                        .extra_header = header };
    one_fetch o = { .f = f, .body = { .alloc = f->alloc } };
    int ret = attempt_req(f, &req, &o);
    if (ret == 0 && o.body.err)
        ret = o.body.err;
    if (ret == 0) {
        *data = sv__buf_take(&o.body, size);
        if (!*data && !(*data = sv__calloc(f->alloc, 1, 1)))
            ret = SV_ERR_NOMEM;
        return ret;
    }
    snprintf(msg, cap, "POST %s: %s", url, o.message[0] ? o.message : sv_strerror(ret));
    sv__buf_free(&o.body);
    return ret;
}

static int retryable(int err, long status)
{
    return err == SV_ERR_NETWORK || err == SV_ERR_TIMEOUT || (err == SV_ERR_HTTP && status >= 500);
}

int sv__dl_fetch(sv__dl_fetcher *f, const char *url, int64_t offset, int64_t length,
                 uint8_t **data, size_t *size, char *msg, size_t cap)
{
    char *full = NULL;
    int ret = SV_ERR_NOMEM;
    one_fetch o;

    if (f->query && strncmp(url, "file:", 5) != 0 &&
        !(full = sv__asprintf(f->alloc, "%s%c%s", url, strchr(url, '?') ? '&' : '?', f->query)))
        return ret;
    /* A lost network or a failing server is waited out: the file is tried
     * again with back-off until give_up_ns after its first failure. */
    int64_t first_fail = 0, backoff = BACKOFF_FIRST_NS;
    for (int i = 0;; i++) {
        o = (one_fetch){ .f = f, .body = { .alloc = f->alloc } };
        ret = attempt(f, full ? full : url, offset, length, &o);
        if (ret == 0 && o.body.err)
            ret = o.body.err;
        if (ret == 0 || !retryable(ret, o.res.status) || atomic_load(&f->stop))
            break;
        sv__buf_free(&o.body);
        int64_t now = sv__monotonic_ns();
        if (!first_fail)
            first_fail = now;
        if (now - first_fail >= f->give_up_ns)
            break;
        SV_LOGW(f->log, "download", "GET %s: %s (attempt %d; retried for up to %.0f s)", url,
                o.message, i + 1, (double)f->give_up_ns / 1e9);
        int64_t until = now + backoff;
        backoff = backoff * 2 < BACKOFF_MAX_NS ? backoff * 2 : BACKOFF_MAX_NS;
        while (sv__monotonic_ns() < until && !atomic_load(&f->stop))
            f->tr->ops->poll(f->tr->priv, 100 * INT64_C(1000000));
    }
    if (ret == 0) {
        *size = o.body.size;
        *data = sv__buf_take(&o.body, size);
        if (!*data && !(*data = sv__calloc(f->alloc, 1, 1)))
            ret = SV_ERR_NOMEM;
    } else {
        snprintf(msg, cap, "GET %s: %s", url, o.message[0] ? o.message : sv_strerror(ret));
        sv__buf_free(&o.body);
    }
    sv__free(f->alloc, full);
    return ret;
}
