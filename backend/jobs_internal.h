/*
 * Shared by the job files, from the top down: job_run.c (claims, a whole
 * job, recovery), job_parts.c (a job split into parts, their assembly),
 * job_lease.c (the lease keeper) and job_staging.c (names, staging folders,
 * progress). Worker threads only.
 *
 * Staging folders under DATA/staging, each owned by one claim:
 *   <title>.<attempt>@<host>:<pid>     a whole job, or the assembly of a split one
 *   <title>.p<k>.<attempt>@<host>:<pid>  part k while it is encoded
 *   <title>.p<k>.done                  part k finished, until the title is published
 */
#ifndef SV_BACKEND_JOBS_INTERNAL_H
#define SV_BACKEND_JOBS_INTERNAL_H

#include "backend/jobs.h"
#include "platform/thread.h"

#define SV__JOB_DEFAULT_LEASE_S 30
#define SV__JOB_DEFAULT_MAX_ATTEMPTS 3

/* env->lease_s, or the default. */
int sv__job_lease_s(const sv__job_env *env);

/*
 * A thread beside the transcode renews a claim every third of the lease on
 * its own catalog connection (the job's thread keeps the other one). The
 * claim is lost when the catalog says another claim replaced it, or when no
 * renewal succeeded for almost a lease (the database is unreachable, so
 * another worker may take the job over): then the keeper raises the job's
 * cancel flag and the transcode stops without publishing.
 */
typedef struct sv__lease_keeper {
    const sv__job_env *env;
    const sv__job_info *job;
    volatile int *cancel;
    sv__thread thread;
    sv__mutex lock;          /* guards stop, lost */
    sv__cond wake;
    int stop;
    int lost;
    int started;
} sv__lease_keeper;

/* Starts keeping `job`'s claim (job and cancel must outlive the keeper).
 * Returns 0 or SV_ERR_INTERNAL. */
int sv__keeper_start(sv__lease_keeper *k, const sv__job_env *env, const sv__job_info *job,
                     volatile int *cancel);
/* Stops the keeper (a keeper never started is fine); returns whether the
 * claim was lost meanwhile. */
int sv__keeper_stop(sv__lease_keeper *k);
/* Was the claim lost? Any thread. */
int sv__keeper_lost(sv__lease_keeper *k);
/* Marks the claim lost (the catalog refused a change) and raises cancel. */
void sv__keeper_mark_lost(sv__lease_keeper *k);
/* The end of a claim that was stopped (shutdown) or lost (`lost`, or the
 * keeper says so, or the requeue is refused): stops the keeper, queues the
 * job again when it is still ours, logs and puts the reason in err.
 * Returns SV_ERR_CANCELLED. */
int sv__job_stopped(const sv__job_env *env, sv__catalog *cat, const sv__job_info *job,
                    sv__lease_keeper *keeper, int lost, char *err, size_t errlen);

/* Progress of a running claim: stored in the catalog at most once per
 * percent or stage change, then passed to the caller's callback. A claim
 * found lost there marks the keeper and stops the transcode at once. */
typedef struct sv__job_progress_ctx {
    sv__catalog *cat;
    const sv__job_info *job;
    sv__lease_keeper *keeper;
    double last_percent;
    char last_stage[32];
    sv__job_progress_fn cb;
    void *opaque;
} sv__job_progress_ctx;

void sv__job_on_progress(void *opaque, double percent, const char *stage);

/* DATA/staging/<title>.<attempt>@<worker> (prefix "" for a whole job and
 * an assembly, "p<k>." for part k), and DATA/staging itself. */
void sv__job_staging(const sv__job_env *env, const sv__job_info *job, const char *prefix,
                     char *out, size_t cap);

/* Which of a title's staging folders sv__job_clean_staging removes. */
enum sv__staging_set {
    SV__STAGING_ALL,     /* every folder of the title (the job ended or failed) */
    SV__STAGING_WHOLE,   /* the whole-job and assembly folders (not the parts) */
    SV__STAGING_PART     /* part `part`'s folders, finished or not */
};
void sv__job_clean_staging(const sv__job_env *env, int64_t title_id, int set, int part);

/* rename(2) of a finished folder onto `final`, replacing what is there. */
int sv__job_move_into_place(const char *staging, const char *final);

/* Deletes the input when the job owns it (an upload). */
void sv__job_drop_input(const sv__job_info *job);
/* Start-up: removes the staging folders that processes of this machine left
 * behind when they died (never another machine's, nor finished parts). */
void sv__job_clean_stale(const sv__job_env *env);

/* A job the catalog gave up (its worker died max-attempts times, or a part
 * of it did): removes its staging folders and the upload it owned. */
void sv__job_gave_up(const sv__job_env *env, sv__catalog *cat, const sv__job_info *job);

/* job_parts.c: sv__job_run for a job the claimer splits (env->parts > 1),
 * a part, and a split job whose parts are all done (its assembly). Same
 * results as sv__job_run. */
int sv__job_split(const sv__job_env *env, sv__catalog *cat, const sv__job_info *job,
                  char *err, size_t errlen);
int sv__job_run_part(const sv__job_env *env, sv__catalog *cat, const sv__job_info *part,
                     volatile int *cancel, sv__job_progress_fn progress, void *opaque,
                     char *err, size_t errlen);
int sv__job_assemble(const sv__job_env *env, sv__catalog *cat, const sv__job_info *job,
                     volatile int *cancel, sv__job_progress_fn progress, void *opaque,
                     char *err, size_t errlen);

#endif
