/*
 * sessions_flush.c - the sessions' writer thread (sessions_flush.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/sessions_flush.h"
#include "platform/thread.h"
#include "streamverse/common.h"

struct sv__flusher {
    uv_async_t *async;     /* freed by its close callback */
    sv__catalog *cat;      /* the thread's connection */
    sv__flush_done done;
    void *opaque;
    sv__thread thread;
    sv__mutex lock;
    sv__cond wake;
    int stop;
    int queued;            /* a batch waits for the thread */
    int finished;          /* its result waits for the loop */
    int busy;              /* loop side: submitted, callback not yet run */
    int64_t expire_before;
    sv__flush_result res;
};

static void *writer(void *arg)
{
    sv__flusher *f = arg;

    sv__mutex_lock(&f->lock);
    for (;;) {
        while (!f->stop && !f->queued)
            sv__cond_wait(&f->wake, &f->lock);
        if (!f->queued)
            break; /* stopped with nothing to write */
        sv__mutex_unlock(&f->lock);

        sv__flush_result *r = &f->res;
        sv__session **list = NULL;

        r->save_ret = 0;
        r->expired = 0;
        r->errmsg[0] = '\0';
        if (r->n > 0) {
            if (!(list = malloc((size_t)r->n * sizeof(*list)))) {
                r->save_ret = SV_ERR_NOMEM;
            } else {
                for (int i = 0; i < r->n; i++)
                    list[i] = &r->batch[i];
                r->save_ret = sv__catalog_sessions_save(f->cat, list, r->n, NULL);
                free(list);
            }
        }
        /* Expiring with heartbeats unwritten would end live sessions. */
        if (r->save_ret == 0 && f->expire_before > 0)
            r->expired = sv__catalog_sessions_expire(f->cat, f->expire_before);
        /* Nothing written: still say whether the catalog answers, so the
         * table knows when an outage began and ended. */
        if (r->n == 0 && f->expire_before == 0 && !sv__catalog_available(f->cat))
            r->save_ret = SV_ERR_IO;
        if (r->save_ret < 0 || r->expired < 0)
            snprintf(r->errmsg, sizeof(r->errmsg), "%s", sv__catalog_errmsg(f->cat));

        sv__mutex_lock(&f->lock);
        f->queued = 0;
        f->finished = 1;
        sv__cond_broadcast(&f->wake); /* a drain may wait for it */
        uv_async_send(f->async);
    }
    sv__mutex_unlock(&f->lock);
    return NULL;
}

/* Hands a finished result to the callback (loop thread). */
static void deliver(sv__flusher *f)
{
    sv__flush_result r;

    sv__mutex_lock(&f->lock);
    if (!f->finished) {
        sv__mutex_unlock(&f->lock);
        return;
    }
    f->finished = 0;
    r = f->res;
    memset(&f->res, 0, sizeof(f->res));
    sv__mutex_unlock(&f->lock);
    f->busy = 0;
    f->done(f->opaque, &r);
}

static void on_async(uv_async_t *a)
{
    deliver(a->data);
}

static void on_async_closed(uv_handle_t *h)
{
    free(h);
}

int sv__flusher_create(uv_loop_t *loop, sv__catalog *cat, sv__flush_done done, void *opaque,
                       sv__flusher **out)
{
    sv__flusher *f = calloc(1, sizeof(*f));
    int ret = SV_ERR_NOMEM;

    if (!f || !(f->async = malloc(sizeof(*f->async))))
        goto fail;
    f->cat = cat;
    f->done = done;
    f->opaque = opaque;
    if (sv__mutex_init(&f->lock) < 0)
        goto fail;
    if (sv__cond_init(&f->wake) < 0) {
        sv__mutex_destroy(&f->lock);
        goto fail;
    }
    ret = SV_ERR_INTERNAL;
    if (uv_async_init(loop, f->async, on_async) < 0) {
        sv__cond_destroy(&f->wake);
        sv__mutex_destroy(&f->lock);
        goto fail;
    }
    f->async->data = f;
    if (sv__thread_create(&f->thread, "sv-sessions", writer, f) < 0) {
        uv_close((uv_handle_t *)f->async, on_async_closed);
        f->async = NULL;
        sv__cond_destroy(&f->wake);
        sv__mutex_destroy(&f->lock);
        goto fail;
    }
    /* The writer never keeps the server running on its own. */
    uv_unref((uv_handle_t *)f->async);
    *out = f;
    return 0;
fail:
    sv__catalog_close(cat);
    if (f)
        free(f->async);
    free(f);
    return ret;
}

int sv__flusher_submit(sv__flusher *f, sv__session *batch, int n, int64_t expire_before)
{
    if (f->busy)
        return SV_ERR_STATE;
    sv__mutex_lock(&f->lock);
    f->res.batch = batch;
    f->res.n = n;
    f->expire_before = expire_before;
    f->queued = 1;
    f->busy = 1;
    sv__cond_signal(&f->wake);
    sv__mutex_unlock(&f->lock);
    return 0;
}

void sv__flusher_drain(sv__flusher *f)
{
    sv__mutex_lock(&f->lock);
    while (f->queued)
        sv__cond_wait(&f->wake, &f->lock);
    sv__mutex_unlock(&f->lock);
    deliver(f);
}

int sv__flusher_busy(const sv__flusher *f)
{
    return f->busy;
}

void sv__flusher_destroy(sv__flusher *f)
{
    if (!f)
        return;
    sv__mutex_lock(&f->lock);
    f->stop = 1;
    sv__cond_signal(&f->wake);
    sv__mutex_unlock(&f->lock);
    sv__thread_join(&f->thread); /* it writes the batch in flight first */
    deliver(f);
    uv_close((uv_handle_t *)f->async, on_async_closed);
    sv__cond_destroy(&f->wake);
    sv__mutex_destroy(&f->lock);
    sv__catalog_close(f->cat);
    free(f);
}
