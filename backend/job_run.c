/*
 * job_run.c - one ingest job from claim to publish, the lease kept while it
 * runs, and start-up recovery.
 */
#define _DEFAULT_SOURCE /* DT_DIR, gethostname */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "backend/fsutil.h"
#include "backend/jobs.h"
#include "backend/keys.h"
#include "platform/thread.h"
#include "streamverse/common.h"

#define DEFAULT_LEASE_S 30
#define DEFAULT_MAX_ATTEMPTS 2

static int lease_of(const sv__job_env *env)
{
    return env->lease_s > 0 ? env->lease_s : DEFAULT_LEASE_S;
}

/* This machine's name as it goes into worker names and staging folders:
 * letters, digits, '.', '-' and '_' only (never '@', ':' or '/'). */
static void host_name(char *out, size_t cap)
{
    char h[256];

    if (gethostname(h, sizeof(h)) < 0)
        snprintf(h, sizeof(h), "localhost");
    h[sizeof(h) - 1] = '\0';
    for (char *p = h; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '-' || *p == '_'))
            *p = '_';
    snprintf(out, cap, "%.64s", h[0] ? h : "localhost");
}

void sv__job_worker_name(char *out, size_t cap)
{
    char host[80];

    host_name(host, sizeof(host));
    snprintf(out, cap, "%s:%d", host, (int)getpid());
}

/* ---- the lease keeper ------------------------------------------------------ */

/*
 * A thread beside the transcode renews the claim every third of the lease
 * on its own catalog connection (the job's thread keeps the other one). The
 * claim is lost when the catalog says another claim replaced it, or when no
 * renewal succeeded for almost a lease (the database is unreachable, so
 * another worker may take the job over): then the keeper raises the job's
 * cancel flag and the transcode stops without publishing.
 */
typedef struct lease_keeper {
    const sv__job_env *env;
    const sv__job_info *job;
    volatile int *cancel;
    sv__thread thread;
    sv__mutex lock;          /* guards stop, lost */
    sv__cond wake;
    int stop;
    int lost;
    int started;
} lease_keeper;

static void *keep_lease(void *arg)
{
    lease_keeper *k = arg;
    const sv__job_env *env = k->env;
    int64_t lease_ns = (int64_t)lease_of(env) * 1000000000, period = lease_ns / 3;
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
        if (cat && (r = sv__catalog_job_renew(cat, k->job, lease_of(env))) == SV_ERR_IO)
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

static int keeper_start(lease_keeper *k, const sv__job_env *env, const sv__job_info *job,
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

/* Stops the keeper; returns whether the claim was lost meanwhile. */
static int keeper_stop(lease_keeper *k)
{
    int lost;

    if (!k->started)
        return 0;
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

static int keeper_lost(lease_keeper *k)
{
    int lost;

    sv__mutex_lock(&k->lock);
    lost = k->lost;
    sv__mutex_unlock(&k->lock);
    return lost;
}

/* ---- staging folders -------------------------------------------------------- */

/*
 * A job's staging folder is DATA/staging/<title>.<attempt>@<host>:<pid>:
 * unique to one claim, so two workers on one shared data folder (or a worker
 * that lost its claim and the one that took the job over) never write into
 * the same folder. Older svservers named it <title>.<pid>.
 */
static void staging_name(char *out, size_t cap, const char *staging_dir, const sv__job_info *job)
{
    snprintf(out, cap, "%s/%lld.%d@%s", staging_dir, (long long)job->title_id, job->attempts,
             job->worker);
}

/* The new holder of a job removes the staging folders of the claims before
 * it (a worker that died or lost its lease); they are "<title>." + anything. */
static void clean_title_staging(const sv__job_env *env, int64_t title_id)
{
    char dir[1536], path[2048], prefix[32];
    struct dirent *e;
    DIR *d;

    snprintf(dir, sizeof(dir), "%s/staging", env->data_dir);
    snprintf(prefix, sizeof(prefix), "%lld.", (long long)title_id);
    if (!(d = opendir(dir)))
        return;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, prefix, strlen(prefix)) != 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        SV_LOGI(env->log, "job", "removing the staging folder of an earlier claim: %s", path);
        sv__remove_tree(path);
    }
    closedir(d);
}

static void drop_input(const sv__job_info *job)
{
    if (job->input_owned)
        unlink(job->input);
}

int sv__job_claim(const sv__job_env *env, sv__catalog *cat, int64_t job_id, sv__job_info *job,
                  char *err, size_t errlen)
{
    char worker[128];
    sv__job_claim_args c = {worker, (int)getpid(), lease_of(env),
                       env->max_attempts > 0 ? env->max_attempts : DEFAULT_MAX_ATTEMPTS};
    int r;

    sv__job_worker_name(worker, sizeof(worker));
    for (;;) {
        if ((r = sv__catalog_job_claim(cat, job_id, &c, job)) < 0) {
            snprintf(err, errlen, "cannot claim a job: %s", sv__catalog_errmsg(cat));
            return r;
        }
        if (r == 0)
            return 0;
        clean_title_staging(env, job->title_id);
        if (job->state == SV__JOB_RUNNING)
            return 1;
        /* Given up by the catalog: its files go, then the next job. */
        drop_input(job);
        SV_LOGW(env->log, "job", "job %lld (title %lld) failed: the worker died %d time%s; "
                "giving up", (long long)job->id, (long long)job->title_id, job->attempts,
                job->attempts == 1 ? "" : "s");
        if (job_id)
            return 0;
    }
}

/* ---- one job ---------------------------------------------------------------- */

typedef struct progress_ctx {
    sv__catalog *cat;
    const sv__job_info *job;
    lease_keeper *keeper;
    volatile int *cancel;
    double last_percent;
    char last_stage[32];
    sv__job_progress_fn cb;
    void *opaque;
} progress_ctx;

/* Stores progress in the catalog (where GET /api/v1/jobs/{id} reads it) at
 * most once per percent or stage change, then tells the caller. A claim
 * found lost there stops the transcode at once. */
static void on_progress(void *opaque, double percent, const char *stage)
{
    progress_ctx *p = opaque;

    if (!stage)
        stage = "";
    if (percent - p->last_percent >= 1.0 || strcmp(stage, p->last_stage) != 0) {
        p->last_percent = percent;
        snprintf(p->last_stage, sizeof(p->last_stage), "%s", stage);
        if (sv__catalog_job_progress(p->cat, p->job, percent, stage) == SV_ERR_STATE) {
            sv__mutex_lock(&p->keeper->lock);
            p->keeper->lost = 1;
            sv__mutex_unlock(&p->keeper->lock);
            *p->cancel = 1;
        }
    }
    if (p->cb)
        p->cb(p->opaque, percent, stage);
}

/* rename(2) of the staging folder onto media/<title>. A folder already
 * there was put by a worker that lost its claim between its rename and its
 * publish (the catalog never called it ready): it is replaced. */
static int move_into_place(const char *staging, const char *final)
{
    if (rename(staging, final) == 0)
        return 0;
    if (errno != ENOTEMPTY && errno != EEXIST)
        return SV_ERR_IO;
    if (sv__remove_tree(final) < 0 || rename(staging, final) < 0)
        return SV_ERR_IO;
    return 0;
}

int sv__job_run(const sv__job_env *env, sv__catalog *cat, const sv__job_info *job,
                volatile int *cancel, sv__job_progress_fn progress, void *opaque, char *err,
                size_t errlen)
{
    char staging[2048], final[2048], media_dir[1536], staging_dir[1536], why[512];
    volatile int own_cancel = 0;
    lease_keeper keeper;
    progress_ctx pctx;
    sv__media_result res;
    sv__media_protection prot;
    int ret, r;

    if (!cancel)
        cancel = &own_cancel;
    why[0] = '\0';
    memset(&res, 0, sizeof(res));
    memset(&prot, 0, sizeof(prot));
    memset(&keeper, 0, sizeof(keeper));
    pctx = (progress_ctx){cat, job, &keeper, cancel, -100.0, "", progress, opaque};
    snprintf(media_dir, sizeof(media_dir), "%s/media", env->data_dir);
    snprintf(staging_dir, sizeof(staging_dir), "%s/staging", env->data_dir);
    staging_name(staging, sizeof(staging), staging_dir, job);
    snprintf(final, sizeof(final), "%s/%lld", media_dir, (long long)job->title_id);
    SV_LOGI(env->log, "job", "job %lld (title %lld, attempt %d) on %s: ingesting %s",
            (long long)job->id, (long long)job->title_id, job->attempts, job->worker,
            job->input);

    if ((ret = keeper_start(&keeper, env, job, cancel)) < 0) {
        snprintf(why, sizeof(why), "cannot start the lease keeper");
        goto fail;
    }
    /* A folder under media/ for a title that is not ready is the leftover of
     * a crash between rename and commit: it is replaced. */
    if (sv__mkdirs(media_dir) < 0 || sv__mkdirs(staging_dir) < 0 ||
        sv__remove_tree(staging) < 0 || sv__remove_tree(final) < 0) {
        snprintf(why, sizeof(why), "cannot prepare %.400s: %s", staging, strerror(errno));
        ret = SV_ERR_IO;
        goto fail;
    }
    /* A protected title's key exists (wrapped in the catalog) before its
     * first segment is written. */
    if ((ret = sv__keys_media_protection(cat, env->master_key, job->title_id, &prot, why,
                                         sizeof(why))) < 0)
        goto fail;
    ret = sv__media_ingest_protected(job->input, staging, env->ladder, &prot, on_progress, &pctx,
                                     cancel, &res, why, sizeof(why));
    OPENSSL_cleanse(&prot, sizeof(prot));
    if (ret == SV_ERR_CANCELLED || (ret < 0 && keeper_lost(&keeper)))
        goto cancelled;
    if (ret < 0) {
        if (!why[0])
            snprintf(why, sizeof(why), "%s", sv_strerror(ret));
        goto fail;
    }
    on_progress(&pctx, 100.0, "publish");
    /* The last word before the files go public: the claim must still hold,
     * with a whole lease ahead for the rename and the commit. */
    if ((r = sv__catalog_job_renew(cat, job, lease_of(env))) < 0 || keeper_lost(&keeper)) {
        if (r == SV_ERR_STATE || keeper_lost(&keeper))
            goto cancelled;
        snprintf(why, sizeof(why), "catalog: %s", sv__catalog_errmsg(cat));
        ret = r;
        goto fail;
    }
    /* The media library fsync'ed every file; the rename and the folders
     * holding it must be durable before the catalog says ready. */
    if (move_into_place(staging, final) < 0 || sv__fsync_dir(media_dir) < 0 ||
        sv__fsync_dir(staging_dir) < 0) {
        snprintf(why, sizeof(why), "cannot publish %.400s: %s", final, strerror(errno));
        ret = SV_ERR_IO;
        goto fail;
    }
    if ((ret = sv__catalog_publish(cat, job, &res)) < 0) {
        sv__remove_tree(final);
        if (ret == SV_ERR_STATE)
            goto cancelled;
        snprintf(why, sizeof(why), "catalog: %s", sv__catalog_errmsg(cat));
        goto fail;
    }
    keeper_stop(&keeper);
    drop_input(job);
    if (env->metrics)
        sv__metrics_transcode(env->metrics, res.transcode_s, 1);
    SV_LOGI(env->log, "job", "job %lld done: title %lld ready, %d renditions, %.1f s in %.1f s",
            (long long)job->id, (long long)job->title_id, res.nb_renditions, res.duration_s,
            res.transcode_s);
    return 0;

cancelled:
    /* Stopped (shutdown), or the claim is lost: nothing was published. The
     * job goes back to the queue if it is still ours; otherwise its new
     * holder owns it and its input. */
    sv__remove_tree(staging);
    if (keeper_stop(&keeper) || ret == SV_ERR_STATE ||
        sv__catalog_job_requeue(cat, job) == SV_ERR_STATE) {
        snprintf(err, errlen, "job %lld: the claim was lost (another worker took the job over); "
                 "stopped without publishing", (long long)job->id);
        SV_LOGW(env->log, "job", "%s", err);
    } else {
        snprintf(err, errlen, "job %lld cancelled; queued again", (long long)job->id);
        SV_LOGI(env->log, "job", "%s", err);
    }
    return SV_ERR_CANCELLED;

fail:
    sv__remove_tree(staging);
    keeper_stop(&keeper);
    if (sv__catalog_job_fail(cat, job, why) == SV_ERR_STATE) {
        snprintf(err, errlen, "job %lld: the claim was lost (another worker took the job over) "
                 "while it failed: %s", (long long)job->id, why);
        SV_LOGW(env->log, "job", "%s", err);
        return SV_ERR_CANCELLED;
    }
    drop_input(job);
    if (env->metrics)
        sv__metrics_transcode(env->metrics, res.transcode_s, 0);
    snprintf(err, errlen, "%s", why);
    SV_LOGW(env->log, "job", "job %lld failed: %s", (long long)job->id, why);
    return ret;
}

/* ---- start-up recovery ------------------------------------------------------ */

/* Is staging entry `name` left by a process of this machine that is gone
 * (or is this one, from an earlier life with the same pid)? Names are
 * <title>.<attempt>@<host>:<pid>, or <title>.<pid> from older svservers;
 * anything else is no job's and goes too. Folders of other machines are
 * left to whoever takes their job over. */
static int staging_stale(const char *name, const char *host)
{
    const char *at = strchr(name, '@'), *colon, *dot;
    long pid;

    if (at) {
        colon = strrchr(at, ':');
        if (!colon || (size_t)(colon - at - 1) != strlen(host) ||
            strncmp(at + 1, host, strlen(host)) != 0)
            return 0;
        pid = strtol(colon + 1, NULL, 10);
    } else {
        dot = strrchr(name, '.');
        pid = dot ? strtol(dot + 1, NULL, 10) : 0;
    }
    return pid <= 0 || pid == (long)getpid() || (kill((pid_t)pid, 0) < 0 && errno == ESRCH);
}

static void clean_staging(const sv__job_env *env)
{
    char dir[1536], path[2048], host[80];
    struct dirent *e;
    DIR *d;

    host_name(host, sizeof(host));
    snprintf(dir, sizeof(dir), "%s/staging", env->data_dir);
    if (!(d = opendir(dir)))
        return;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
            !staging_stale(e->d_name, host))
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        SV_LOGI(env->log, "job", "removing stale staging folder %s", path);
        sv__remove_tree(path);
    }
    closedir(d);
}

/* Recovery gave a job up: the same cleaning as a claim that gives up. */
static void gave_up(void *opaque, const sv__job_info *job)
{
    const sv__job_env *env = opaque;

    clean_title_staging(env, job->title_id);
    drop_input(job);
    SV_LOGW(env->log, "job", "job %lld (title %lld) failed: the worker died %d time%s; "
            "giving up", (long long)job->id, (long long)job->title_id, job->attempts,
            job->attempts == 1 ? "" : "s");
}

int sv__jobs_recover(const sv__job_env *env, sv__catalog *cat, int max_attempts, int64_t **ids)
{
    int n = sv__catalog_recover(cat, (int)getpid(), max_attempts, gave_up, (void *)env, ids);

    if (n < 0) {
        SV_LOGE(env->log, "job", "recovery: %s", sv__catalog_errmsg(cat));
        return n;
    }
    clean_staging(env);
    if (n > 0)
        SV_LOGI(env->log, "job", "%d queued job(s) to run", n);
    return n;
}
