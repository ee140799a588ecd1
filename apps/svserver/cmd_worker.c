/*
 * `svserver worker --db URL --data DIR [--workers N]`: a transcode worker
 * without the HTTP API. N threads claim jobs from the catalog (the shared
 * PostgreSQL one, or the SQLite catalog.db of DIR on this machine) and
 * publish into DIR/media, the media folder the API nodes serve. Idle
 * threads look for jobs every SV__JOB_POLL_MS (1 s).
 *
 * SIGTERM or SIGINT: running transcodes stop within moments, their staging
 * folders are removed and their jobs go back to the queue for any worker;
 * nothing partial is published. SIGHUP is ignored (restart to change
 * settings). A worker killed outright loses its jobs' leases after
 * job-lease seconds; another worker then takes them over.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/svserver/svserver.h"
#include "backend/catalog.h"
#include "platform/fs.h"
#include "streamverse/common.h"
#ifdef SV_HAVE_MEDIA
#include "backend/jobs.h"
#endif

#ifdef SV_HAVE_MEDIA

int sv__cmd_worker(const sv__config *cfg, const sv__logger *log)
{
    sv__job_env env = {.data_dir = cfg->data_dir, .db = cfg->db, .ladder = &cfg->ladder,
                       .log = log,
                       .master_key = cfg->has_master_key ? cfg->master_key : NULL,
                       .lease_s = cfg->job_lease, .max_attempts = cfg->max_attempts,
                       .parts = cfg->job_parts};
    char path[1100], err[512], name[128];
    sv__catalog *cat = NULL;
    sv__jobs *jobs = NULL;
    int64_t *ids = NULL;
    sigset_t set;
    int sig = 0, ret = 1;

    if (cfg->workers < 1) {
        fprintf(stderr, "svserver worker: --workers must be at least 1\n");
        return 2;
    }
    snprintf(path, sizeof(path), "%s/staging", cfg->data_dir);
    if (sv__mkdirs(path) < 0) {
        fprintf(stderr, "svserver worker: cannot create the data folder %s\n", cfg->data_dir);
        return 2;
    }
    snprintf(path, sizeof(path), "%s/media", cfg->data_dir);
    if (sv__mkdirs(path) < 0) {
        fprintf(stderr, "svserver worker: cannot create the data folder %s\n", cfg->data_dir);
        return 2;
    }
    /* A wrong or unreachable catalog is a start-up error (exit 2); later
     * outages are waited out by the threads. */
    if (sv__catalog_connect(cfg->db, cfg->data_dir, &cat, err, sizeof(err)) < 0) {
        fprintf(stderr, "svserver worker: %s\n", err);
        return 2;
    }
    if (sv__jobs_recover(&env, cat, env.max_attempts, &ids) < 0)
        goto out;
    free(ids);
    /* The signals are taken by sigwait below; every thread started from
     * here on (transcodes, lease keepers) inherits the mask. */
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    if (sv__jobs_create(&env, cfg->workers, &jobs) < 0) {
        SV_LOGE(log, "worker", "cannot start the transcode threads");
        goto out;
    }
    sv__job_worker_name(name, sizeof(name));
    printf("worker %s: %d transcode thread(s)\n", name, cfg->workers);
    fflush(stdout);
    SV_LOGI(log, "worker", "worker %s: %d transcode thread(s), data %s, %s catalog, lease %d s, "
            "looking for jobs every %d ms", name, cfg->workers, cfg->data_dir,
            sv__catalog_backend(cat), cfg->job_lease, SV__JOB_POLL_MS);
    for (;;) {
        if (sigwait(&set, &sig) != 0)
            continue;
        if (sig != SIGHUP)
            break;
        SV_LOGW(log, "worker", "SIGHUP: a worker reads its settings only at start; restart it");
    }
    SV_LOGI(log, "worker", "%s: stopping; running jobs go back to the queue",
            sig == SIGINT ? "SIGINT" : "SIGTERM");
    sv__jobs_destroy(jobs);
    jobs = NULL;
    SV_LOGI(log, "worker", "stopped");
    ret = 0;
out:
    sv__jobs_destroy(jobs);
    sv__catalog_close(cat);
    return ret;
}

#else

int sv__cmd_worker(const sv__config *cfg, const sv__logger *log)
{
    (void)cfg;
    (void)log;
    fprintf(stderr, "svserver worker: this svserver was built without the media library "
                    "(backend/media/)\n");
    return 1;
}

#endif
