/*
 * A stream: the queue of downloaded chunks between the control loop and one
 * demux/decode thread. The loop pushes; the demux thread blocks in
 * sv__stream_next(). A flush bumps the generation, which makes the demux
 * thread abandon its demuxer at its next read.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "player/media/media.h"

struct sv__stream {
    sv__stream_config cfg;
    char *direct_url;
    sv__thread thread;
    int thread_started;

    sv__mutex lock;            /* guards everything below */
    sv__cond cond;
    sv__chunk *head, *tail;
    size_t bytes;
    uint64_t gen;              /* chunks of older generations are dropped */
    double target;             /* accurate-seek target of this generation */
    double demuxed_end;        /* presentation end of the last packet demuxed in gen; NAN */
    int quit;
    /* Told of every flush and of quit, under the lock (sv__stream_watch). */
    void (*watch)(void *opaque, uint64_t gen, int quit);
    void *watch_opaque;
};

void sv__chunk_free(sv__chunk *c)
{
    if (!c)
        return;
    sv__free(c->alloc, c->data);
    sv__free(c->alloc, c);
}

static void drop_all_locked(sv__stream *s)
{
    while (s->head) {
        sv__chunk *c = s->head;
        s->head = c->next;
        sv__chunk_free(c);
    }
    s->tail = NULL;
    s->bytes = 0;
}

int sv__stream_create(sv__stream **out, const sv__stream_config *cfg)
{
    sv__stream *s = sv__calloc(cfg->env->alloc, 1, sizeof(*s));
    if (!s)
        return SV_ERR_NOMEM;
    s->cfg = *cfg;
    if (cfg->direct_url) {
        s->direct_url = sv__strdup(s->cfg.env->alloc, cfg->direct_url);
        if (!s->direct_url)
            goto fail_alloc;
        s->cfg.direct_url = s->direct_url;
    }
    if (sv__mutex_init(&s->lock) < 0)
        goto fail_alloc;
    if (sv__cond_init(&s->cond) < 0) {
        sv__mutex_destroy(&s->lock);
        goto fail_alloc;
    }
    s->target = -1;
    s->demuxed_end = NAN;
    if (cfg->sink) {
        *out = s; /* the sink takes the chunks: no reader thread */
        return 0;
    }
    if (sv__thread_create(&s->thread, "sv-demux", cfg->reader, s) < 0) {
        sv__cond_destroy(&s->cond);
        sv__mutex_destroy(&s->lock);
        goto fail_alloc;
    }
    s->thread_started = 1;
    *out = s;
    return 0;

fail_alloc:
    sv__free(s->cfg.env->alloc, s->direct_url);
    sv__free(s->cfg.env->alloc, s);
    return SV_ERR_NOMEM;
}

void sv__stream_destroy(sv__stream *s)
{
    if (!s)
        return;
    sv__mutex_lock(&s->lock);
    s->quit = 1;
    sv__cond_broadcast(&s->cond);
    if (s->watch)
        s->watch(s->watch_opaque, s->gen, 1);
    sv__mutex_unlock(&s->lock);
    if (s->thread_started)
        sv__thread_join(&s->thread);
    drop_all_locked(s);
    sv__cond_destroy(&s->cond);
    sv__mutex_destroy(&s->lock);
    sv__free(s->cfg.env->alloc, s->direct_url);
    sv__free(s->cfg.env->alloc, s);
}

void sv__stream_push(sv__stream *s, sv__chunk *c, uint64_t gen)
{
    sv__mutex_lock(&s->lock);
    if (gen < s->gen || s->quit) {
        sv__mutex_unlock(&s->lock);
        sv__chunk_free(c);
        return;
    }
    if (s->cfg.sink) {
        sv__mutex_unlock(&s->lock);
        s->cfg.sink->chunk(s->cfg.sink->opaque, s, c);
        return;
    }
    c->next = NULL;
    if (s->tail)
        s->tail->next = c;
    else
        s->head = c;
    s->tail = c;
    s->bytes += c->size;
    sv__cond_broadcast(&s->cond);
    sv__mutex_unlock(&s->lock);
}

void sv__stream_flush(sv__stream *s, uint64_t gen, double target)
{
    sv__mutex_lock(&s->lock);
    drop_all_locked(s);
    s->gen = gen;
    s->target = target;
    s->demuxed_end = NAN;
    sv__cond_broadcast(&s->cond);
    if (s->watch)
        s->watch(s->watch_opaque, s->gen, s->quit);
    sv__mutex_unlock(&s->lock);
}

void sv__stream_watch(sv__stream *s, void (*fn)(void *opaque, uint64_t gen, int quit),
                      void *opaque)
{
    sv__mutex_lock(&s->lock);
    s->watch = fn;
    s->watch_opaque = opaque;
    if (fn)
        fn(opaque, s->gen, s->quit);
    sv__mutex_unlock(&s->lock);
}

void sv__stream_note_demuxed(sv__stream *s, uint64_t gen, double end)
{
    sv__mutex_lock(&s->lock);
    if (gen == s->gen && (isnan(s->demuxed_end) || end > s->demuxed_end))
        s->demuxed_end = end;
    sv__mutex_unlock(&s->lock);
}

double sv__stream_demuxed_end(sv__stream *s)
{
    sv__mutex_lock(&s->lock);
    double t = s->demuxed_end;
    sv__mutex_unlock(&s->lock);
    return t;
}

size_t sv__stream_queued_bytes(sv__stream *s)
{
    sv__mutex_lock(&s->lock);
    size_t n = s->bytes;
    sv__mutex_unlock(&s->lock);
    return n;
}

sv__chunk *sv__stream_next(sv__stream *s, uint64_t *gen, double *target)
{
    sv__chunk *c = NULL;
    sv__mutex_lock(&s->lock);
    while (!s->quit && (!s->head || s->gen != *gen)) {
        if (s->gen != *gen) {
            /* A flush happened: report it before handing out new data. */
            *gen = s->gen;
            *target = s->target;
            sv__mutex_unlock(&s->lock);
            return NULL;
        }
        sv__cond_wait(&s->cond, &s->lock);
    }
    if (!s->quit) {
        c = s->head;
        s->head = c->next;
        if (!s->head)
            s->tail = NULL;
        s->bytes -= c->size;
    }
    sv__mutex_unlock(&s->lock);
    return c;
}

int sv__stream_peek_run(sv__stream *s, uint64_t gen, uint64_t *run)
{
    int found = 0;
    sv__mutex_lock(&s->lock);
    if (s->gen == gen && s->head) {
        *run = s->head->run;
        found = 1;
    }
    sv__mutex_unlock(&s->lock);
    return found;
}

int sv__stream_quitting(sv__stream *s)
{
    sv__mutex_lock(&s->lock);
    int q = s->quit;
    sv__mutex_unlock(&s->lock);
    return q;
}

uint64_t sv__stream_gen(sv__stream *s)
{
    sv__mutex_lock(&s->lock);
    uint64_t g = s->gen;
    sv__mutex_unlock(&s->lock);
    return g;
}

const sv__stream_config *sv__stream_cfg(const sv__stream *s)
{
    return &s->cfg;
}
