/*
 * jobs.c - the worker pool: a queue of job ids and N threads that run them
 * with sv__job_run(), each on its own catalog connection.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/jobs.h"
#include "platform/thread.h"
#include "streamverse/common.h"

struct sv__jobs {
    const sv__job_env *env;
    sv__thread *threads;
    int nb_threads;
    volatile int cancel;     /* set once at destroy; read by the media library */
    sv__mutex lock;          /* guards queue, len, cap, stopping */
    sv__cond wake;
    int64_t *queue;
    size_t len, cap;
    int stopping;
};

static void *worker(void *arg)
{
    sv__jobs *jobs = arg;
    sv__catalog *cat = NULL;
    char err[512];

    if (sv__catalog_connect(jobs->env->db, jobs->env->data_dir, &cat, err, sizeof(err)) < 0) {
        SV_LOGE(jobs->env->log, "job", "worker cannot open the catalog: %s", err);
        return NULL;
    }
    for (;;) {
        int64_t id;

        sv__mutex_lock(&jobs->lock);
        while (!jobs->stopping && jobs->len == 0)
            sv__cond_wait(&jobs->wake, &jobs->lock);
        if (jobs->stopping) {
            sv__mutex_unlock(&jobs->lock);
            break;
        }
        id = jobs->queue[0];
        memmove(jobs->queue, jobs->queue + 1, --jobs->len * sizeof(*jobs->queue));
        sv__mutex_unlock(&jobs->lock);
        sv__job_run(jobs->env, cat, id, &jobs->cancel, NULL, NULL, err, sizeof(err));
    }
    sv__catalog_close(cat);
    return NULL;
}

int sv__jobs_create(const sv__job_env *env, int workers, sv__jobs **out)
{
    sv__jobs *jobs = calloc(1, sizeof(*jobs));
    int ret = SV_ERR_NOMEM;

    if (!jobs || !(jobs->threads = calloc((size_t)workers, sizeof(*jobs->threads))))
        goto fail;
    jobs->env = env;
    if (sv__mutex_init(&jobs->lock) < 0 || sv__cond_init(&jobs->wake) < 0) {
        ret = SV_ERR_INTERNAL;
        goto fail;
    }
    for (; jobs->nb_threads < workers; jobs->nb_threads++) {
        if (sv__thread_create(&jobs->threads[jobs->nb_threads], "sv-job", worker, jobs) < 0) {
            ret = SV_ERR_INTERNAL;
            sv__jobs_destroy(jobs);
            return ret;
        }
    }
    *out = jobs;
    return 0;
fail:
    if (jobs)
        free(jobs->threads);
    free(jobs);
    return ret;
}

int sv__jobs_submit(sv__jobs *jobs, int64_t job_id)
{
    int ret = 0;

    sv__mutex_lock(&jobs->lock);
    if (jobs->len == jobs->cap) {
        size_t cap = jobs->cap ? jobs->cap * 2 : 16;
        int64_t *q = realloc(jobs->queue, cap * sizeof(*q));

        if (!q) {
            ret = SV_ERR_NOMEM;
            goto out;
        }
        jobs->queue = q;
        jobs->cap = cap;
    }
    jobs->queue[jobs->len++] = job_id;
    sv__cond_signal(&jobs->wake);
out:
    sv__mutex_unlock(&jobs->lock);
    return ret;
}

void sv__jobs_destroy(sv__jobs *jobs)
{
    if (!jobs)
        return;
    sv__mutex_lock(&jobs->lock);
    jobs->stopping = 1;
    jobs->cancel = 1;
    sv__cond_broadcast(&jobs->wake);
    sv__mutex_unlock(&jobs->lock);
    for (int i = 0; i < jobs->nb_threads; i++)
        sv__thread_join(&jobs->threads[i]);
    sv__cond_destroy(&jobs->wake);
    sv__mutex_destroy(&jobs->lock);
    free(jobs->queue);
    free(jobs->threads);
    free(jobs);
}
