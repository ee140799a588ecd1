/*
 * job_run.c - one ingest job from claim to publish, and start-up recovery.
 */
#define _DEFAULT_SOURCE /* DT_DIR */
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
#include "streamverse/common.h"

typedef struct progress_ctx {
    sv__catalog *cat;
    int64_t job_id;
    double last_percent;
    char last_stage[32];
    sv__job_progress_fn cb;
    void *opaque;
} progress_ctx;

/* Stores progress in the catalog (where GET /api/v1/jobs/{id} reads it) at
 * most once per percent or stage change, then tells the caller. */
static void on_progress(void *opaque, double percent, const char *stage)
{
    progress_ctx *p = opaque;

    if (!stage)
        stage = "";
    if (percent - p->last_percent >= 1.0 || strcmp(stage, p->last_stage) != 0) {
        p->last_percent = percent;
        snprintf(p->last_stage, sizeof(p->last_stage), "%s", stage);
        sv__catalog_job_progress(p->cat, p->job_id, percent, stage);
    }
    if (p->cb)
        p->cb(p->opaque, percent, stage);
}

static void drop_input(const sv__job_info *job)
{
    if (job->input_owned)
        unlink(job->input);
}

int sv__job_run(const sv__job_env *env, sv__catalog *cat, int64_t job_id,
                const volatile int *cancel, sv__job_progress_fn progress, void *opaque,
                char *err, size_t errlen)
{
    char staging[2048], final[2048], media_dir[1536], staging_dir[1536], why[512];
    progress_ctx pctx = {cat, job_id, -100.0, "", progress, opaque};
    sv__media_result res;
    sv__media_protection prot;
    sv__job_info job;
    int ret;

    why[0] = '\0';
    memset(&res, 0, sizeof(res));
    memset(&prot, 0, sizeof(prot));
    if ((ret = sv__catalog_job_claim(cat, job_id, (int)getpid())) < 0) {
        snprintf(err, errlen, "job %lld cannot start: %s", (long long)job_id,
                 ret == SV_ERR_STATE ? "it is not queued" : sv__catalog_errmsg(cat));
        return ret;
    }
    if ((ret = sv__catalog_job_get(cat, job_id, &job)) < 0) {
        snprintf(err, errlen, "job %lld: %s", (long long)job_id, sv__catalog_errmsg(cat));
        return ret;
    }
    snprintf(media_dir, sizeof(media_dir), "%s/media", env->data_dir);
    snprintf(staging_dir, sizeof(staging_dir), "%s/staging", env->data_dir);
    snprintf(staging, sizeof(staging), "%s/%lld.%d", staging_dir, (long long)job.title_id,
             (int)getpid());
    snprintf(final, sizeof(final), "%s/%lld", media_dir, (long long)job.title_id);
    SV_LOGI(env->log, "job", "job %lld (title %lld, attempt %d): ingesting %s", (long long)job_id,
            (long long)job.title_id, job.attempts + 1, job.input);

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
    if ((ret = sv__keys_media_protection(cat, env->master_key, job.title_id, &prot, why,
                                         sizeof(why))) < 0)
        goto fail;
    ret = sv__media_ingest_protected(job.input, staging, env->ladder, &prot, on_progress, &pctx,
                                     cancel, &res, why, sizeof(why));
    OPENSSL_cleanse(&prot, sizeof(prot));
    if (ret == SV_ERR_CANCELLED) {
        sv__remove_tree(staging);
        sv__catalog_job_requeue(cat, job_id);
        snprintf(err, errlen, "job %lld cancelled; queued again", (long long)job_id);
        SV_LOGI(env->log, "job", "%s", err);
        return ret;
    }
    if (ret < 0) {
        if (!why[0])
            snprintf(why, sizeof(why), "%s", sv_strerror(ret));
        goto fail;
    }
    on_progress(&pctx, 100.0, "publish");
    /* The media library fsync'ed every file; the rename and the folders
     * holding it must be durable before the catalog says ready. */
    if (rename(staging, final) < 0 || sv__fsync_dir(media_dir) < 0 ||
        sv__fsync_dir(staging_dir) < 0) {
        snprintf(why, sizeof(why), "cannot publish %.400s: %s", final, strerror(errno));
        ret = SV_ERR_IO;
        goto fail;
    }
    if ((ret = sv__catalog_publish(cat, job_id, job.title_id, &res)) < 0) {
        snprintf(why, sizeof(why), "catalog: %s", sv__catalog_errmsg(cat));
        sv__remove_tree(final);
        goto fail;
    }
    drop_input(&job);
    if (env->metrics)
        sv__metrics_transcode(env->metrics, res.transcode_s, 1);
    SV_LOGI(env->log, "job", "job %lld done: title %lld ready, %d renditions, %.1f s in %.1f s",
            (long long)job_id, (long long)job.title_id, res.nb_renditions, res.duration_s,
            res.transcode_s);
    return 0;

fail:
    sv__remove_tree(staging);
    sv__catalog_job_fail(cat, job_id, why);
    drop_input(&job);
    if (env->metrics)
        sv__metrics_transcode(env->metrics, res.transcode_s, 0);
    snprintf(err, errlen, "%s", why);
    SV_LOGW(env->log, "job", "job %lld failed: %s", (long long)job_id, why);
    return ret;
}

/* Staging folders are named <title>.<pid>: remove those whose process is
 * gone (or is this one, from an earlier life with the same pid), and
 * anything else found there (no job writes it). */
static void clean_staging(const sv__job_env *env)
{
    char dir[1536], path[2048];
    struct dirent *e;
    DIR *d;

    snprintf(dir, sizeof(dir), "%s/staging", env->data_dir);
    if (!(d = opendir(dir)))
        return;
    while ((e = readdir(d))) {
        const char *dot = strrchr(e->d_name, '.');
        long pid;

        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        pid = dot ? strtol(dot + 1, NULL, 10) : 0;
        if (pid > 0 && pid != (long)getpid() && !(kill((pid_t)pid, 0) < 0 && errno == ESRCH))
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        SV_LOGI(env->log, "job", "removing stale staging folder %s", path);
        sv__remove_tree(path);
    }
    closedir(d);
}

int sv__jobs_recover(const sv__job_env *env, sv__catalog *cat, int max_attempts, int64_t **ids)
{
    int n = sv__catalog_recover(cat, (int)getpid(), max_attempts, ids);

    if (n < 0) {
        SV_LOGE(env->log, "job", "recovery: %s", sv__catalog_errmsg(cat));
        return n;
    }
    clean_staging(env);
    if (n > 0)
        SV_LOGI(env->log, "job", "%d queued job(s) to run", n);
    return n;
}
