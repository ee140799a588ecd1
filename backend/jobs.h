/*
 * Ingest jobs: the transcode pool of svserver and of `svserver worker`, and
 * the pipeline of one job, which `svserver ingest` also runs on its thread.
 *
 * Workers claim jobs in the catalog (sv__catalog_job_claim): a queued job,
 * or a running one whose lease ran out because its worker died. Any number
 * of processes on any number of machines share the queue when the catalog
 * is PostgreSQL; with SQLite, the processes of one machine sharing the data
 * folder. While a job runs, a lease keeper thread renews its claim every
 * third of the lease (job-lease, 30 s); a worker that loses its claim stops
 * and publishes nothing.
 *
 * One job: sv__media_ingest() into DATA/staging/<title>.<attempt>@<host>:<pid>
 * (one folder per claim: workers on a shared data folder never collide),
 * rename that to DATA/media/<title>, fsync the parent folders, then, while
 * the claim still holds, mark the title ready and the job done in one
 * transaction. A crash at any point leaves either no media folder or one
 * that the catalog does not call ready yet; the job's next holder removes
 * the staging folders of the claims before it and replaces the folder.
 *
 * Threads: the pool owns N worker threads, each with its own catalog
 * handle (and one more per running job for its lease); sv__jobs_submit()
 * may be called from any thread.
 */
#ifndef SV_BACKEND_JOBS_H
#define SV_BACKEND_JOBS_H

#include <stdint.h>

#include "backend/catalog.h"
#include "backend/media.h"
#include "backend/metrics.h"
#include "platform/log.h"

/* Progress of a running job: percent of the whole, stage name. Called on the
 * thread that runs the job. */
typedef void (*sv__job_progress_fn)(void *opaque, double percent, const char *stage);

typedef struct sv__job_env {
    const char *data_dir;         /* holds media/, staging/, uploads/ (and catalog.db) */
    const char *db;               /* the catalog (sv__catalog_connect): "" for DATA/catalog.db */
    const sv__ladder *ladder;
    const sv__logger *log;
    sv__metrics *metrics;         /* may be NULL */
    const uint8_t *master_key;    /* 32 bytes wrapping content keys; NULL: protected titles fail */
    int lease_s;                  /* a claim's lease (job-lease); 0: 30 s */
    int max_attempts;             /* a job whose worker died this often fails; 0: 3 */
    int parts;                    /* > 1: a claimed job is split into this many parts */
} sv__job_env;

/* How often idle pool threads look for claimable jobs, besides being woken
 * by sv__jobs_submit() in their own process: jobs queued by another process
 * (an API node with --workers 0) start within this time. */
#define SV__JOB_POLL_MS 1000

/* "host:pid", the name of this process's claims. */
void sv__job_worker_name(char *out, size_t cap);

/*
 * Claims job `job_id`, or with 0 the oldest claimable job (queued, or with
 * a lease that ran out), for this process, and removes the staging folders
 * of the claims before it. Jobs the catalog gives up meanwhile (their
 * worker died max_attempts times) lose their files here and are skipped.
 * Returns 1 and *job (the claim, for sv__job_run), 0 when there is nothing
 * to claim (or job_id is not claimable: another worker has it or it ended),
 * or a negative code with a reason in err.
 */
int sv__job_claim(const sv__job_env *env, sv__catalog *cat, int64_t job_id, sv__job_info *job,
                  char *err, size_t errlen);

/* sv__job_run split the job into parts, which are queued. */
#define SV__JOB_SPLIT 1

/*
 * Runs the claimed `job` to the end on the calling thread, keeping its
 * lease: transcodes, publishes. With env->parts > 1 it splits the job
 * instead (SV__JOB_SPLIT): its parts (sv__media_ingest_part) are jobs of
 * their own, claimed by any workers at once; the worker that finishes the
 * last part puts them together (sv__media_assemble) and publishes the
 * title, the same title a whole ingest makes. Returns 0 when the title is
 * ready (for a part: when the part is done, and if it was the last, the
 * title is ready), SV_ERR_CANCELLED when *cancel stopped it (the job is
 * queued again) or the
 * claim was lost (another worker has the job; nothing was published), or
 * another negative code when the job failed (its reason is in the catalog
 * and in err). cancel may be NULL; sv__job_run raises it itself when the
 * claim is lost.
 */
int sv__job_run(const sv__job_env *env, sv__catalog *cat, const sv__job_info *job,
                volatile int *cancel, sv__job_progress_fn progress, void *opaque, char *err,
                size_t errlen);

/*
 * Start-up recovery: jobs orphaned by a dead worker are queued again (or
 * failed after max_attempts), staging folders of dead processes of this
 * machine removed. Returns the number of queued job ids in *ids (caller
 * frees) or an error.
 */
int sv__jobs_recover(const sv__job_env *env, sv__catalog *cat, int max_attempts, int64_t **ids);

typedef struct sv__jobs sv__jobs;

/* Starts `workers` threads (0: none; jobs wait for another process's
 * workers) that claim and run jobs until sv__jobs_destroy(). env and its
 * strings must outlive the pool. */
int sv__jobs_create(const sv__job_env *env, int workers, sv__jobs **out);

/* A job was queued: wakes an idle worker thread of this pool now rather
 * than at its next poll. Returns 0. */
int sv__jobs_submit(sv__jobs *jobs, int64_t job_id);

/* Cancels running jobs (they are queued again, for any worker), waits for
 * the threads and frees the pool. NULL is fine. */
void sv__jobs_destroy(sv__jobs *jobs);

#endif
