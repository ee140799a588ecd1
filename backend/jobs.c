/*
 * jobs.c - the worker pool: N threads that claim jobs in the catalog and
 * run them with sv__job_run(), each on its own catalog connection. Idle
 * threads poll every SV__JOB_POLL_MS, or sooner when sv__jobs_submit()
 * says this process queued a job.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/jobs.h"
#include "platform/thread.h"
#include "streamverse/common.h"

typedef struct slot {
    struct sv__jobs *jobs;
    sv__thread thread;
    volatile int cancel;     /* stops this thread's running job; reset between jobs */
} slot;

struct sv__jobs {
    const sv__job_env *env;
    slot *slots;
    int nb_threads;
    sv__mutex lock;          /* guards stopping, wakeups and the slots' cancel resets */
    sv__cond wake;
    int stopping;
    unsigned wakeups;        /* sv__jobs_submit() calls so far */
};

/* Claims and runs one job. Returns 1 when it ran one, 0 when there was
 * none, < 0 when the catalog could not be reached (logged on the first
 * failure of a series only). */
static int run_one(slot *s, sv__catalog **cat, int *failing)
{
    const sv__job_env *env = s->jobs->env;
    sv__job_info job;
    char err[512];
    int r;

    if (!*cat && sv__catalog_connect(env->db, env->data_dir, cat, err, sizeof(err)) < 0) {
        *cat = NULL;
        r = SV_ERR_IO;
    } else if ((r = sv__job_claim(env, *cat, 0, &job, err, sizeof(err))) == 1) {
        sv__job_run(env, *cat, &job, &s->cancel, NULL, NULL, err, sizeof(err));
    }
    if (r < 0 && !*failing)
        SV_LOGE(env->log, "job", "worker: %s (retrying every %d ms)", err, SV__JOB_POLL_MS);
    else if (r >= 0 && *failing)
        SV_LOGI(env->log, "job", "worker: the catalog answers again");
    *failing = r < 0;
    return r;
}

static void *worker(void *arg)
{
    slot *s = arg;
    sv__jobs *jobs = s->jobs;
    sv__catalog *cat = NULL;
    int failing = 0;

    sv__mutex_lock(&jobs->lock);
    while (!jobs->stopping) {
        unsigned seen = jobs->wakeups;
        int r;

        s->cancel = 0;
        sv__mutex_unlock(&jobs->lock);
        r = run_one(s, &cat, &failing);
        sv__mutex_lock(&jobs->lock);
        /* After a job, look for the next at once; when there was none,
         * sleep until a submit or the next poll (a submit that came while
         * we were claiming counts). */
        if (r != 1 && !jobs->stopping && jobs->wakeups == seen)
            sv__cond_timedwait(&jobs->wake, &jobs->lock,
                               sv__monotonic_ns() + (int64_t)SV__JOB_POLL_MS * 1000000);
    }
    sv__mutex_unlock(&jobs->lock);
    sv__catalog_close(cat);
    return NULL;
}

int sv__jobs_create(const sv__job_env *env, int workers, sv__jobs **out)
{
    sv__jobs *jobs = calloc(1, sizeof(*jobs));
    int ret = SV_ERR_NOMEM;

    if (!jobs || workers < 0 ||
        (workers > 0 && !(jobs->slots = calloc((size_t)workers, sizeof(*jobs->slots)))))
        goto fail;
    jobs->env = env;
    if (sv__mutex_init(&jobs->lock) < 0) {
        ret = SV_ERR_INTERNAL;
        goto fail;
    }
    if (sv__cond_init(&jobs->wake) < 0) {
        sv__mutex_destroy(&jobs->lock);
        ret = SV_ERR_INTERNAL;
        goto fail;
    }
    for (; jobs->nb_threads < workers; jobs->nb_threads++) {
        slot *s = &jobs->slots[jobs->nb_threads];

        s->jobs = jobs;
        if (sv__thread_create(&s->thread, "sv-job", worker, s) < 0) {
            sv__jobs_destroy(jobs);
            return SV_ERR_INTERNAL;
        }
    }
    *out = jobs;
    return 0;
fail:
    if (jobs)
        free(jobs->slots);
    free(jobs);
    return workers < 0 ? SV_ERR_INVALID : ret;
}

int sv__jobs_submit(sv__jobs *jobs, int64_t job_id)
{
    (void)job_id; /* the threads claim the oldest claimable job */
    sv__mutex_lock(&jobs->lock);
    jobs->wakeups++;
    sv__cond_signal(&jobs->wake);
    sv__mutex_unlock(&jobs->lock);
    return 0;
}

void sv__jobs_destroy(sv__jobs *jobs)
{
    if (!jobs)
        return;
    sv__mutex_lock(&jobs->lock);
    jobs->stopping = 1;
    for (int i = 0; i < jobs->nb_threads; i++)
        jobs->slots[i].cancel = 1;
    sv__cond_broadcast(&jobs->wake);
    sv__mutex_unlock(&jobs->lock);
    for (int i = 0; i < jobs->nb_threads; i++)
        sv__thread_join(&jobs->slots[i].thread);
    sv__cond_destroy(&jobs->wake);
    sv__mutex_destroy(&jobs->lock);
    free(jobs->slots);
    free(jobs);
}
