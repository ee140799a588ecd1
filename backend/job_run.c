/*
 * job_run.c - claims, one whole ingest job from claim to publish (a split
 * one through job_parts.c), and start-up recovery.
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

#include "platform/fs.h"
#include "backend/jobs_internal.h"
#include "backend/keys.h"
#include "streamverse/common.h"


void sv__job_gave_up(const sv__job_env *env, sv__catalog *cat, const sv__job_info *job)
{
    sv__job_info head;

    sv__job_clean_staging(env, job->title_id, SV__STAGING_ALL, 0);
    /* A part's input is its job's upload. */
    if (job->parent_id && sv__catalog_job_get(cat, job->parent_id, &head) == 0)
        sv__job_drop_input(&head);
    else
        sv__job_drop_input(job);
    SV_LOGW(env->log, "job", "job %lld (title %lld) failed: the worker died %d time%s; "
            "giving up", (long long)(job->parent_id ? job->parent_id : job->id),
            (long long)job->title_id, job->attempts, job->attempts == 1 ? "" : "s");
}

/* ---- claims ----------------------------------------------------------------- */

int sv__job_claim(const sv__job_env *env, sv__catalog *cat, int64_t job_id, sv__job_info *job,
                  char *err, size_t errlen)
{
    char worker[128];
    sv__job_claim_args c = {worker, (int)getpid(), sv__job_lease_s(env),
                            env->max_attempts > 0 ? env->max_attempts
                                                  : SV__JOB_DEFAULT_MAX_ATTEMPTS};
    int r;

    sv__job_worker_name(worker, sizeof(worker));
    for (;;) {
        if ((r = sv__catalog_job_claim(cat, job_id, &c, job)) < 0) {
            snprintf(err, errlen, "cannot claim a job: %s", sv__catalog_errmsg(cat));
            return r;
        }
        if (r == 0)
            return 0;
        if (job->state == SV__JOB_RUNNING) {
            /* The folders of the claims before this one go. */
            if (job->parent_id)
                sv__job_clean_staging(env, job->title_id, SV__STAGING_PART, job->part);
            else if (job->parts > 1)
                sv__job_clean_staging(env, job->title_id, SV__STAGING_WHOLE, 0);
            else
                sv__job_clean_staging(env, job->title_id, SV__STAGING_ALL, 0);
            return 1;
        }
        /* Given up by the catalog: its files go, then the next job. */
        sv__job_gave_up(env, cat, job);
        if (job_id)
            return 0;
    }
}

/* ---- one job ---------------------------------------------------------------- */


/* The whole ladder in one worker. */
static int run_whole(const sv__job_env *env, sv__catalog *cat, const sv__job_info *job,
                     volatile int *cancel, sv__job_progress_fn progress, void *opaque,
                     char *err, size_t errlen)
{
    char staging[2048], final[2048], media_dir[1536], staging_dir[1536], why[512];
    sv__lease_keeper keeper;
    sv__job_progress_ctx pctx;
    sv__media_result res;
    sv__media_protection prot;
    int ret, r;

    why[0] = '\0';
    memset(&res, 0, sizeof(res));
    memset(&prot, 0, sizeof(prot));
    memset(&keeper, 0, sizeof(keeper));
    keeper.cancel = cancel;
    pctx = (sv__job_progress_ctx){cat, job, &keeper, -100.0, "", progress, opaque};
    snprintf(media_dir, sizeof(media_dir), "%s/media", env->data_dir);
    snprintf(staging_dir, sizeof(staging_dir), "%s/staging", env->data_dir);
    sv__job_staging(env, job, "", staging, sizeof(staging));
    snprintf(final, sizeof(final), "%s/%lld", media_dir, (long long)job->title_id);
    SV_LOGI(env->log, "job", "job %lld (title %lld, attempt %d) on %s: ingesting %s",
            (long long)job->id, (long long)job->title_id, job->attempts, job->worker,
            job->input);

    if ((ret = sv__keeper_start(&keeper, env, job, cancel)) < 0) {
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
    ret = sv__media_ingest_protected(job->input, staging, env->ladder, &prot,
                                     sv__job_on_progress, &pctx, cancel, &res, why, sizeof(why));
    OPENSSL_cleanse(&prot, sizeof(prot));
    if (ret == SV_ERR_CANCELLED || (ret < 0 && sv__keeper_lost(&keeper)))
        goto cancelled;
    if (ret < 0) {
        if (!why[0])
            snprintf(why, sizeof(why), "%s", sv_strerror(ret));
        goto fail;
    }
    sv__job_on_progress(&pctx, 100.0, "publish");
    /* The last word before the files go public: the claim must still hold,
     * with a whole lease ahead for the rename and the commit. */
    if ((r = sv__catalog_job_renew(cat, job, sv__job_lease_s(env))) < 0 ||
        sv__keeper_lost(&keeper)) {
        if (r == SV_ERR_STATE || sv__keeper_lost(&keeper))
            goto cancelled;
        snprintf(why, sizeof(why), "catalog: %s", sv__catalog_errmsg(cat));
        ret = r;
        goto fail;
    }
    /* The media library fsync'ed every file; the rename and the folders
     * holding it must be durable before the catalog says ready. */
    if (sv__job_move_into_place(staging, final) < 0 || sv__fsync_dir(media_dir) < 0 ||
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
    sv__keeper_stop(&keeper);
    sv__job_drop_input(job);
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
    return sv__job_stopped(env, cat, job, &keeper, ret == SV_ERR_STATE, err, errlen);

fail:
    sv__remove_tree(staging);
    sv__keeper_stop(&keeper);
    if (sv__catalog_job_fail(cat, job, why) == SV_ERR_STATE) {
        snprintf(err, errlen, "job %lld: the claim was lost (another worker took the job over) "
                 "while it failed: %s", (long long)job->id, why);
        SV_LOGW(env->log, "job", "%s", err);
        return SV_ERR_CANCELLED;
    }
    sv__job_drop_input(job);
    if (env->metrics)
        sv__metrics_transcode(env->metrics, res.transcode_s, 0);
    snprintf(err, errlen, "%s", why);
    SV_LOGW(env->log, "job", "job %lld failed: %s", (long long)job->id, why);
    return ret;
}

int sv__job_run(const sv__job_env *env, sv__catalog *cat, const sv__job_info *job,
                volatile int *cancel, sv__job_progress_fn progress, void *opaque, char *err,
                size_t errlen)
{
    volatile int own_cancel = 0;

    if (!cancel)
        cancel = &own_cancel;
    if (job->parent_id)
        return sv__job_run_part(env, cat, job, cancel, progress, opaque, err, errlen);
    if (job->parts > 1)
        return sv__job_assemble(env, cat, job, cancel, progress, opaque, err, errlen);
    if (env->parts > 1)
        return sv__job_split(env, cat, job, err, errlen);
    return run_whole(env, cat, job, cancel, progress, opaque, err, errlen);
}

/* ---- start-up recovery ------------------------------------------------------ */


typedef struct recovery {
    const sv__job_env *env;
    sv__catalog *cat;
} recovery;

/* Recovery gave a job up: the same cleaning as a claim that gives up. */
static void gave_up(void *opaque, const sv__job_info *job)
{
    const recovery *r = opaque;

    sv__job_gave_up(r->env, r->cat, job);
}

int sv__jobs_recover(const sv__job_env *env, sv__catalog *cat, int max_attempts, int64_t **ids)
{
    recovery r = {env, cat};
    int n = sv__catalog_recover(cat, (int)getpid(), max_attempts, gave_up, &r, ids);

    if (n < 0) {
        SV_LOGE(env->log, "job", "recovery: %s", sv__catalog_errmsg(cat));
        return n;
    }
    sv__job_clean_stale(env);
    if (n > 0)
        SV_LOGI(env->log, "job", "%d queued job(s) to run", n);
    return n;
}
