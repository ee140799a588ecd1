/*
 * job_parts.c - a job in parts: the claimer splits it, any workers encode
 * the parts at once (sv__media_ingest_part), and the one that finishes the
 * last part assembles them (sv__media_assemble) and publishes the title.
 *
 * Every step is a claim with its lease, so a worker that dies anywhere is
 * replaced as for a whole job: a part is encoded again by the next claimer
 * (its earlier folders removed), and an assembly whose worker died is
 * claimed again once its lease runs out (the finished parts are kept, as
 * <title>.p<k>.done, until the title is published or the job fails).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "platform/fs.h"
#include "backend/jobs_internal.h"
#include "backend/keys.h"
#include "streamverse/common.h"

/* Fails a split job (or one of its parts, which fails the job) and cleans
 * its files. Returns SV_ERR_CANCELLED when the claim was lost meanwhile. */
static int fail(const sv__job_env *env, sv__catalog *cat, const sv__job_info *job,
                const char *why, int ret, char *err, size_t errlen)
{
    sv__job_info head;

    if (sv__catalog_job_fail(cat, job, why) == SV_ERR_STATE) {
        snprintf(err, errlen, "job %lld: the claim was lost (another worker took the job over) "
                 "while it failed: %s", (long long)job->id, why);
        SV_LOGW(env->log, "job", "%s", err);
        return SV_ERR_CANCELLED;
    }
    sv__job_clean_staging(env, job->title_id, SV__STAGING_ALL, 0);
    if (!job->parent_id)
        sv__job_drop_input(job);
    else if (sv__catalog_job_get(cat, job->parent_id, &head) == 0)
        sv__job_drop_input(&head);
    if (env->metrics)
        sv__metrics_transcode(env->metrics, 0, 0);
    snprintf(err, errlen, "%s", why);
    SV_LOGW(env->log, "job", "job %lld failed: %s", (long long)(job->parent_id ? job->parent_id
                                                                                : job->id),
            why);
    return ret < 0 ? ret : SV_ERR_IO;
}

int sv__job_split(const sv__job_env *env, sv__catalog *cat, const sv__job_info *job,
                  char *err, size_t errlen)
{
    int parts = env->parts < SV_MEDIA_MAX_PARTS ? env->parts : SV_MEDIA_MAX_PARTS;
    sv__media_protection prot;
    char why[512];
    int ret;

    /* The parts encrypt with one key: it exists before any of them runs. */
    ret = sv__keys_media_protection(cat, env->master_key, job->title_id, &prot, why,
                                    sizeof(why));
    OPENSSL_cleanse(&prot, sizeof(prot));
    if (ret < 0)
        return fail(env, cat, job, why, ret, err, errlen);
    if ((ret = sv__catalog_job_split(cat, job, parts)) < 0) {
        snprintf(err, errlen, "job %lld cannot be split: %s", (long long)job->id,
                 ret == SV_ERR_STATE ? "the claim was lost" : sv__catalog_errmsg(cat));
        SV_LOGW(env->log, "job", "%s", err);
        return ret == SV_ERR_STATE ? SV_ERR_CANCELLED : ret;
    }
    SV_LOGI(env->log, "job", "job %lld (title %lld) split into %d parts", (long long)job->id,
            (long long)job->title_id, parts);
    return SV__JOB_SPLIT;
}

int sv__job_run_part(const sv__job_env *env, sv__catalog *cat, const sv__job_info *part,
                     volatile int *cancel, sv__job_progress_fn progress, void *opaque,
                     char *err, size_t errlen)
{
    char staging[2048], done[2048], name[64], staging_dir[1536], why[512];
    sv__media_part which = {part->part, part->parts};
    sv__lease_keeper keeper;
    sv__job_progress_ctx pctx;
    sv__media_protection prot;
    sv__media_result res;
    sv__job_info head;
    int ret, r;

    why[0] = '\0';
    memset(&keeper, 0, sizeof(keeper));
    keeper.cancel = cancel;
    memset(&prot, 0, sizeof(prot));
    pctx = (sv__job_progress_ctx){cat, part, &keeper, -100.0, "", progress, opaque};
    snprintf(staging_dir, sizeof(staging_dir), "%s/staging", env->data_dir);
    snprintf(name, sizeof(name), "p%d.", part->part);
    sv__job_staging(env, part, name, staging, sizeof(staging));
    snprintf(name, sizeof(name), "%lld.p%d.done", (long long)part->title_id, part->part);
    snprintf(done, sizeof(done), "%s/%s", staging_dir, name);
    SV_LOGI(env->log, "job", "job %lld (title %lld, attempt %d) on %s: ingesting part %d of %d "
            "(job %lld)", (long long)part->id, (long long)part->title_id, part->attempts,
            part->worker, part->part, part->parts, (long long)part->parent_id);

    if ((ret = sv__keeper_start(&keeper, env, part, cancel)) < 0)
        return fail(env, cat, part, "cannot start the lease keeper", ret, err, errlen);
    if (sv__mkdirs(staging_dir) < 0 || sv__remove_tree(staging) < 0) {
        snprintf(why, sizeof(why), "cannot prepare %.400s: %s", staging, strerror(errno));
        ret = SV_ERR_IO;
        goto failed;
    }
    if ((ret = sv__keys_media_protection(cat, env->master_key, part->title_id, &prot, why,
                                         sizeof(why))) < 0)
        goto failed;
    ret = sv__media_ingest_part(part->input, staging, env->ladder, &prot, &which,
                                sv__job_on_progress, &pctx, cancel, &res, why, sizeof(why));
    OPENSSL_cleanse(&prot, sizeof(prot));
    if (ret == SV_ERR_CANCELLED || (ret < 0 && sv__keeper_lost(&keeper))) {
        sv__remove_tree(staging);
        return sv__job_stopped(env, cat, part, &keeper, 0, err, errlen);
    }
    if (ret < 0) {
        if (!why[0])
            snprintf(why, sizeof(why), "%s", sv_strerror(ret));
        goto failed;
    }
    /* Finished: the folder takes the name the assembly looks for, while
     * the claim still holds. */
    if ((r = sv__catalog_job_renew(cat, part, sv__job_lease_s(env))) == SV_ERR_STATE ||
        sv__keeper_lost(&keeper)) {
        sv__remove_tree(staging);
        return sv__job_stopped(env, cat, part, &keeper, 1, err, errlen);
    }
    if (r < 0 || sv__job_move_into_place(staging, done) < 0 || sv__fsync_dir(staging_dir) < 0) {
        snprintf(why, sizeof(why), "cannot keep part %d in %.400s: %s", part->part, done,
                 r < 0 ? sv__catalog_errmsg(cat) : strerror(errno));
        ret = r < 0 ? r : SV_ERR_IO;
        goto failed;
    }
    r = sv__catalog_job_part_done(cat, part, name, sv__job_lease_s(env), &head);
    if (sv__keeper_stop(&keeper) && r != 1)
        r = SV_ERR_STATE;
    if (r == SV_ERR_STATE) {
        /* Its new holder encodes the part again and replaces the folder. */
        snprintf(err, errlen, "job %lld: the claim was lost (another worker took the part over)",
                 (long long)part->id);
        SV_LOGW(env->log, "job", "%s", err);
        return SV_ERR_CANCELLED;
    }
    if (r < 0) {
        /* The part stays ours until the lease runs out; then it is done again. */
        snprintf(err, errlen, "job %lld: part %d is finished but the catalog did not take it: %s",
                 (long long)part->id, part->part, sv__catalog_errmsg(cat));
        SV_LOGE(env->log, "job", "%s", err);
        return r;
    }
    SV_LOGI(env->log, "job", "job %lld: part %d of %d done in %.1f s%s", (long long)part->id,
            part->part, part->parts, res.transcode_s, r == 1 ? "; the last one" : "");
    if (r == 0)
        return 0;
    /* The last part: this worker now holds the job and puts it together. */
    return sv__job_assemble(env, cat, &head, cancel, progress, opaque, err, errlen);

failed:
    sv__remove_tree(staging);
    sv__keeper_stop(&keeper);
    return fail(env, cat, part, why, ret, err, errlen);
}

int sv__job_assemble(const sv__job_env *env, sv__catalog *cat, const sv__job_info *job,
                     volatile int *cancel, sv__job_progress_fn progress, void *opaque,
                     char *err, size_t errlen)
{
    char staging[2048], final[2048], media_dir[1536], staging_dir[1536], why[512];
    char dirs[SV_MEDIA_MAX_PARTS][2048];
    const char *part_dirs[SV_MEDIA_MAX_PARTS];
    sv__job_part parts[SV_MEDIA_MAX_PARTS];
    sv__lease_keeper keeper;
    sv__job_progress_ctx pctx;
    sv__media_protection prot;
    sv__media_result res;
    int ret, r, n;

    why[0] = '\0';
    memset(&keeper, 0, sizeof(keeper));
    keeper.cancel = cancel;
    memset(&prot, 0, sizeof(prot));
    memset(&res, 0, sizeof(res));
    pctx = (sv__job_progress_ctx){cat, job, &keeper, -100.0, "", progress, opaque};
    snprintf(media_dir, sizeof(media_dir), "%s/media", env->data_dir);
    snprintf(staging_dir, sizeof(staging_dir), "%s/staging", env->data_dir);
    sv__job_staging(env, job, "", staging, sizeof(staging));
    snprintf(final, sizeof(final), "%s/%lld", media_dir, (long long)job->title_id);
    SV_LOGI(env->log, "job", "job %lld (title %lld, attempt %d) on %s: assembling %d parts",
            (long long)job->id, (long long)job->title_id, job->attempts, job->worker,
            job->parts);

    if ((ret = sv__keeper_start(&keeper, env, job, cancel)) < 0)
        return fail(env, cat, job, "cannot start the lease keeper", ret, err, errlen);
    n = sv__catalog_job_parts(cat, job->id, parts, SV_MEDIA_MAX_PARTS);
    if (n < 0) {
        /* Nothing changed: the lease runs out and the assembly is retried. */
        snprintf(err, errlen, "job %lld: cannot list its parts: %s", (long long)job->id,
                 sv__catalog_errmsg(cat));
        SV_LOGE(env->log, "job", "%s", err);
        sv__keeper_stop(&keeper);
        return n;
    }
    if (n != job->parts) {
        snprintf(why, sizeof(why), "%d of the job's %d parts are in the catalog", n, job->parts);
        ret = SV_ERR_STATE;
        goto failed;
    }
    for (int i = 0; i < n; i++) {
        if (parts[i].state != SV__JOB_DONE || !parts[i].output[0] ||
            strchr(parts[i].output, '/')) {
            snprintf(why, sizeof(why), "part %d is not done", parts[i].part);
            ret = SV_ERR_STATE;
            goto failed;
        }
        snprintf(dirs[i], sizeof(dirs[i]), "%s/%s", staging_dir, parts[i].output);
        part_dirs[i] = dirs[i];
    }
    if (sv__remove_tree(staging) < 0 || sv__mkdirs(media_dir) < 0 ||
        sv__remove_tree(final) < 0) {
        snprintf(why, sizeof(why), "cannot prepare %.400s: %s", staging, strerror(errno));
        ret = SV_ERR_IO;
        goto failed;
    }
    if ((ret = sv__keys_media_protection(cat, env->master_key, job->title_id, &prot, why,
                                         sizeof(why))) < 0)
        goto failed;
    sv__job_on_progress(&pctx, 98.0, "package");
    ret = sv__media_assemble(part_dirs, n, staging, &prot, &res, why, sizeof(why));
    OPENSSL_cleanse(&prot, sizeof(prot));
    if (ret < 0)
        goto failed;
    sv__job_on_progress(&pctx, 100.0, "publish");
    if ((r = sv__catalog_job_renew(cat, job, sv__job_lease_s(env))) == SV_ERR_STATE ||
        sv__keeper_lost(&keeper) || *cancel) {
        sv__remove_tree(staging);
        return sv__job_stopped(env, cat, job, &keeper, r == SV_ERR_STATE, err, errlen);
    }
    if (r < 0 || sv__job_move_into_place(staging, final) < 0 || sv__fsync_dir(media_dir) < 0 ||
        sv__fsync_dir(staging_dir) < 0) {
        snprintf(why, sizeof(why), "cannot publish %.400s: %s", final,
                 r < 0 ? sv__catalog_errmsg(cat) : strerror(errno));
        ret = r < 0 ? r : SV_ERR_IO;
        goto failed;
    }
    if ((ret = sv__catalog_publish(cat, job, &res)) < 0) {
        sv__remove_tree(final);
        if (ret == SV_ERR_STATE)
            return sv__job_stopped(env, cat, job, &keeper, 1, err, errlen);
        snprintf(why, sizeof(why), "catalog: %s", sv__catalog_errmsg(cat));
        goto failed;
    }
    sv__keeper_stop(&keeper);
    /* The parts' folders held the same files (linked): they go now. */
    sv__job_clean_staging(env, job->title_id, SV__STAGING_ALL, 0);
    sv__job_drop_input(job);
    if (env->metrics)
        sv__metrics_transcode(env->metrics, res.transcode_s, 1);
    SV_LOGI(env->log, "job", "job %lld done: title %lld ready from %d parts, %d renditions, "
            "%.1f s (the longest part %.1f s)", (long long)job->id, (long long)job->title_id,
            n, res.nb_renditions, res.duration_s, res.transcode_s);
    return 0;

failed:
    sv__remove_tree(staging);
    sv__keeper_stop(&keeper);
    return fail(env, cat, job, why, ret, err, errlen);
}
