/*
 * Ingest jobs: the worker pool of svserver and the pipeline of one job,
 * which `svserver ingest` also runs on its own thread.
 *
 * One job: claim it in the catalog (queued -> running), sv__media_ingest()
 * into DATA/staging/<title>.<pid>, rename that to DATA/media/<title>, fsync
 * the parent folders, then mark the title ready and the job done in one
 * transaction. A crash at any point leaves either no media folder or one
 * that the catalog does not call ready yet; the next start recovers
 * (sv__jobs_recover) and the retried job replaces the folder.
 *
 * Threads: the pool owns N worker threads, each with its own catalog
 * handle; sv__jobs_submit() may be called from any thread.
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
} sv__job_env;

/*
 * Runs job `job_id` to the end on the calling thread: claims it, transcodes,
 * publishes. Returns 0 when the title is ready, SV_ERR_CANCELLED when
 * *cancel stopped it (the job is queued again), or another negative code
 * when the job failed (its reason is in the catalog and in err).
 */
int sv__job_run(const sv__job_env *env, sv__catalog *cat, int64_t job_id,
                const volatile int *cancel, sv__job_progress_fn progress, void *opaque,
                char *err, size_t errlen);

/*
 * Start-up recovery: jobs orphaned by a dead process are queued again (or
 * failed after max_attempts), staging folders of dead processes removed.
 * Returns the number of queued job ids in *ids (caller frees) or an error.
 */
int sv__jobs_recover(const sv__job_env *env, sv__catalog *cat, int max_attempts, int64_t **ids);

typedef struct sv__jobs sv__jobs;

/* Starts `workers` threads. env and its strings must outlive the pool. */
int sv__jobs_create(const sv__job_env *env, int workers, sv__jobs **out);

/* Queues a job for the workers. Returns 0 or SV_ERR_NOMEM. */
int sv__jobs_submit(sv__jobs *jobs, int64_t job_id);

/* Cancels running jobs (they are queued again for the next start), waits
 * for the workers and frees the pool. NULL is fine. */
void sv__jobs_destroy(sv__jobs *jobs);

#endif
