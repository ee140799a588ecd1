/*
 * The background file writer: one thread per ingest creates, writes, fsyncs
 * and closes the output files (segments, init segments, thumbnails) in the
 * order they were handed in. Durability stays per file, but no decoding or
 * encoding thread waits on the disk any more: on a machine whose disk is
 * shared, one fsync can take a hundred milliseconds or more, and a rung
 * stalled in fsync drains its x264 pipeline, fills its queue and stops the
 * decoder, which starves every other rung (the 1080p rung sets the pace of
 * the whole ladder).
 *
 * Threads: sv__writer_submit/flush from any thread; the file I/O on the
 * writer's own thread. The fields marked below are guarded by `lock`.
 */
#include <stdlib.h>
#include <string.h>

#include "backend/media/internal.h"
#include "platform/buf.h"
#include "platform/fs.h"
#include "platform/thread.h"
#include "streamverse/common.h"

/* Bytes that may wait for the disk before a submit blocks: about four
 * segments of every default rung, so a slow fsync never stops an encoder,
 * while a disk that cannot keep up at all bounds the memory held. */
#define MAX_PENDING_BYTES ((size_t)64 << 20)

typedef struct wjob {
    struct wjob *next;
    size_t size;
    char *path;              /* points into the same allocation, after data */
    uint8_t data[];
} wjob;

struct sv__writer {
    sv__thread thread;
    int thread_started;
    sv__mutex lock;
    sv__cond cond;           /* a job was queued or finished, or stop */
    /* guarded by lock */
    wjob *head, *tail;
    size_t pending_bytes;    /* queued plus the one being written */
    int busy;                /* the thread is writing a job */
    int stop;
    int rc;                  /* first write error, 0 while fine */
    char err[512];           /* its message, set with rc */
    /* end of lock-guarded fields */
};

static void *writer_main(void *arg)
{
    sv__writer *w = arg;
    char err[512];
    sv__mutex_lock(&w->lock);
    for (;;) {
        while (!w->head && !w->stop)
            sv__cond_wait(&w->cond, &w->lock);
        if (!w->head)
            break;           /* stop with nothing left to write */
        wjob *j = w->head;
        w->head = j->next;
        if (!w->head)
            w->tail = NULL;
        w->busy = 1;
        int failed = w->rc < 0;
        sv__mutex_unlock(&w->lock);
        /* After the first failure the output is discarded anyway: later
         * files are dropped instead of written. */
        int rc = failed ? 0 : sv__media_ioerr(err, sizeof(err),
                                              sv__file_write(j->path, j->data, j->size, 0644),
                                              "write", j->path);
        sv__mutex_lock(&w->lock);
        if (rc < 0 && w->rc == 0) {
            w->rc = rc;
            memcpy(w->err, err, sizeof(w->err));
        }
        w->pending_bytes -= j->size;
        w->busy = 0;
        free(j);
        sv__cond_broadcast(&w->cond);
    }
    sv__mutex_unlock(&w->lock);
    return NULL;
}

int sv__writer_start(sv__writer **out, char *errbuf, size_t errlen)
{
    int rc;
    sv__writer *w = calloc(1, sizeof(*w));
    if (!w)
        return sv__media_err(errbuf, errlen, SV_ERR_NOMEM, "out of memory (writer)");
    if (sv__mutex_init(&w->lock) < 0) {
        free(w);
        return sv__media_err(errbuf, errlen, SV_ERR_INTERNAL, "cannot create a lock");
    }
    if (sv__cond_init(&w->cond) < 0) {
        sv__mutex_destroy(&w->lock);
        free(w);
        return sv__media_err(errbuf, errlen, SV_ERR_INTERNAL, "cannot create a condition");
    }
    if ((rc = sv__thread_create(&w->thread, "sv-media-write", writer_main, w)) < 0) {
        sv__media_err(errbuf, errlen, rc, "cannot start the file writer thread");
        goto fail;
    }
    w->thread_started = 1;
    *out = w;
    return 0;
fail:
    sv__writer_destroy(w);
    return rc;
}

/* Copies the error of a failed write into errbuf; lock held. */
static int failure_locked(const sv__writer *w, char *errbuf, size_t errlen)
{
    return sv__media_err(errbuf, errlen, w->rc, "%s", w->err);
}

int sv__writer_submit(sv__writer *w, const char *path, const void *data, size_t size,
                      char *errbuf, size_t errlen)
{
    size_t plen = strlen(path) + 1;
    wjob *j = malloc(sizeof(*j) + size + plen);
    if (!j)
        return sv__media_err(errbuf, errlen, SV_ERR_NOMEM, "out of memory (file %s)", path);
    j->next = NULL;
    j->size = size;
    memcpy(j->data, data, size);
    j->path = (char *)j->data + size;
    memcpy(j->path, path, plen);

    sv__mutex_lock(&w->lock);
    /* Back-pressure: one file larger than the limit still goes through
     * once the queue is empty. */
    while (w->rc == 0 && w->pending_bytes > 0 && w->pending_bytes + size > MAX_PENDING_BYTES)
        sv__cond_wait(&w->cond, &w->lock);
    int rc = w->rc;
    if (rc < 0) {
        failure_locked(w, errbuf, errlen);
    } else {
        if (w->tail)
            w->tail->next = j;
        else
            w->head = j;
        w->tail = j;
        w->pending_bytes += size;
        j = NULL;
        sv__cond_broadcast(&w->cond);
    }
    sv__mutex_unlock(&w->lock);
    free(j);
    return rc;
}

int sv__writer_flush(sv__writer *w, char *errbuf, size_t errlen)
{
    sv__mutex_lock(&w->lock);
    while (w->rc == 0 && (w->head || w->busy))
        sv__cond_wait(&w->cond, &w->lock);
    int rc = w->rc;
    if (rc < 0)
        failure_locked(w, errbuf, errlen);
    sv__mutex_unlock(&w->lock);
    return rc;
}

void sv__writer_destroy(sv__writer *w)
{
    if (!w)
        return;
    if (w->thread_started) {
        sv__mutex_lock(&w->lock);
        /* Files still queued are not written: destroy without a flush
         * means the ingest failed and its output folder is discarded. */
        while (w->head) {
            wjob *j = w->head;
            w->head = j->next;
            free(j);
        }
        w->tail = NULL;
        w->stop = 1;
        sv__cond_broadcast(&w->cond);
        sv__mutex_unlock(&w->lock);
        sv__thread_join(&w->thread);
    }
    sv__cond_destroy(&w->cond);
    sv__mutex_destroy(&w->lock);
    free(w);
}

int sv__writer_put(sv__writer *w, const char *path, const void *data, size_t size,
                   char *errbuf, size_t errlen)
{
    return w ? sv__writer_submit(w, path, data, size, errbuf, errlen)
             : sv__media_ioerr(errbuf, errlen, sv__file_write(path, data, size, 0644), "write",
                               path);
}

int sv__writer_put_buf(sv__writer *w, const char *path, sv__buf *b, char *errbuf, size_t errlen)
{
    int rc = b->err ? sv__media_err(errbuf, errlen, SV_ERR_NOMEM, "out of memory writing %s", path)
                    : sv__writer_put(w, path, b->data, b->size, errbuf, errlen);
    sv__buf_free(b);
    return rc;
}
