/*
 * job_lease.c - the lease keeper of a running job, and the end of a claim
 * that was stopped or lost (jobs_internal.h).
 */
#include <stdio.h>
#include <string.h>

#include "backend/jobs_internal.h"
#include "streamverse/common.h"

int sv__job_lease_s(const sv__job_env *env)
{
    return env->lease_s > 0 ? env->lease_s : SV__JOB_DEFAULT_LEASE_S;
}

static void *keep_lease(void *arg)
{
    sv__lease_keeper *k = arg;
    const sv__job_env *env = k->env;
    int64_t lease_ns = (int64_t)sv__job_lease_s(env) * 1000000000, period = lease_ns / 3;
    int64_t last_ok = sv__monotonic_ns();
    sv__catalog *cat = NULL;
    char err[512];
    int r;

    sv__mutex_lock(&k->lock);
    while (!k->stop) {
        int64_t deadline = sv__monotonic_ns() + period, t0;

        while (!k->stop && sv__cond_timedwait(&k->wake, &k->lock, deadline) == 0)
            ;
        if (k->stop)
            break;
        sv__mutex_unlock(&k->lock);
        t0 = sv__monotonic_ns();
        r = SV_ERR_IO;
        if (!cat && sv__catalog_connect(env->db, env->data_dir, &cat, err, sizeof(err)) < 0) {
            SV_LOGW(env->log, "job", "job %lld: lease renewal: %s", (long long)k->job->id, err);
            cat = NULL;
        }
        if (cat && (r = sv__catalog_job_renew(cat, k->job, sv__job_lease_s(env))) == SV_ERR_IO)
            SV_LOGW(env->log, "job", "job %lld: lease renewal: %s", (long long)k->job->id,
                    sv__catalog_errmsg(cat));
        if (r == 0)
            last_ok = t0;
        sv__mutex_lock(&k->lock);
        /* Lost too when the next renewal, a period from now, could come
         * after the lease ran out for the others. */
        if (r == SV_ERR_STATE || (r < 0 && t0 - last_ok + period >= lease_ns)) {
            k->lost = 1;
            *k->cancel = 1;
            break;
        }
    }
    sv__mutex_unlock(&k->lock);
    sv__catalog_close(cat);
    return NULL;
}

int sv__keeper_start(sv__lease_keeper *k, const sv__job_env *env, const sv__job_info *job,
                     volatile int *cancel)
{
    memset(k, 0, sizeof(*k));
    k->env = env;
    k->job = job;
    k->cancel = cancel;
    if (sv__mutex_init(&k->lock) < 0)
        return SV_ERR_INTERNAL;
    if (sv__cond_init(&k->wake) < 0) {
        sv__mutex_destroy(&k->lock);
        return SV_ERR_INTERNAL;
    }
    if (sv__thread_create(&k->thread, "sv-lease", keep_lease, k) < 0) {
        sv__cond_destroy(&k->wake);
        sv__mutex_destroy(&k->lock);
        return SV_ERR_INTERNAL;
    }
    k->started = 1;
    return 0;
}

int sv__keeper_stop(sv__lease_keeper *k)
{
    int lost;

    if (!k->started)
        return k->lost;
    sv__mutex_lock(&k->lock);
    k->stop = 1;
    sv__cond_signal(&k->wake);
    sv__mutex_unlock(&k->lock);
    sv__thread_join(&k->thread);
    lost = k->lost;
    sv__cond_destroy(&k->wake);
    sv__mutex_destroy(&k->lock);
    k->started = 0;
    return lost;
}

int sv__keeper_lost(sv__lease_keeper *k)
{
    int lost;

    if (!k->started)
        return k->lost;
    sv__mutex_lock(&k->lock);
    lost = k->lost;
    sv__mutex_unlock(&k->lock);
    return lost;
}

void sv__keeper_mark_lost(sv__lease_keeper *k)
{
    if (k->started) {
        sv__mutex_lock(&k->lock);
        k->lost = 1;
        sv__mutex_unlock(&k->lock);
    } else {
        k->lost = 1;
    }
    *k->cancel = 1;
}

int sv__job_stopped(const sv__job_env *env, sv__catalog *cat, const sv__job_info *job,
                    sv__lease_keeper *keeper, int lost, char *err, size_t errlen)
{
    if (sv__keeper_stop(keeper) || lost || sv__catalog_job_requeue(cat, job) == SV_ERR_STATE) {
        snprintf(err, errlen, "job %lld: the claim was lost (another worker took the job over); "
                 "stopped without publishing", (long long)job->id);
        SV_LOGW(env->log, "job", "%s", err);
    } else {
        snprintf(err, errlen, "job %lld cancelled; queued again", (long long)job->id);
        SV_LOGI(env->log, "job", "%s", err);
    }
    return SV_ERR_CANCELLED;
}
