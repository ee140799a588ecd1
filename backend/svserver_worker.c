/*
 * sv_server_worker_*: transcode threads without the HTTP API (`svserver
 * worker`). The threads claim jobs from the catalog (the shared PostgreSQL
 * one, or the SQLite catalog.db of the data folder on this machine) and
 * publish into DATA/media, the media folder the API nodes serve. Idle
 * threads look for jobs every SV__JOB_POLL_MS (1 s).
 *
 * Stopping: running transcodes stop within moments, their staging folders
 * are removed and their jobs go back to the queue for any worker; nothing
 * partial is published. A worker killed outright loses its jobs' leases
 * after job-lease seconds; another worker then takes them over.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/catalog.h"
#include "backend/config.h"
#include "platform/fs.h"
#include "backend/svserver_internal.h"
#include "streamverse/common.h"
#include "svserver/svserver.h"
#ifdef SV_HAVE_MEDIA
#include "backend/jobs.h"
#endif

#ifdef SV_HAVE_MEDIA

struct sv_server_worker {
    sv__job_env env;       /* read by the threads: outlives them */
    sv__catalog *cat;      /* this thread's connection (recovery, the start line) */
    sv__jobs *jobs;
    int threads;
    char name[128];        /* "host:pid" */
};

/* DATA/staging and DATA/media, made when missing. */
static int make_folders(const char *data_dir)
{
    char path[1100];

    snprintf(path, sizeof(path), "%s/staging", data_dir);
    if (sv__mkdirs(path) < 0)
        return SV_ERR_IO;
    snprintf(path, sizeof(path), "%s/media", data_dir);
    return sv__mkdirs(path) < 0 ? SV_ERR_IO : 0;
}

int sv_server_worker_start(const sv_server_config *cfg, const sv_server_logger *log,
                           sv_server_worker **out, char *err, size_t errlen)
{
    sv_server_worker *w = NULL;
    int64_t *ids = NULL;
    int ret = SV_ERR_INVALID;

    sv__svserver_err_clear(err, errlen);
    if (!cfg || !log || !out) {
        sv__svserver_err(err, errlen, "a worker needs settings and a log");
        return SV_ERR_INVALID;
    }
    if (sv__codecs_check(cfg->ladder.codecs, err, errlen) < 0)
        return SV_ERR_INVALID;
    if (cfg->workers < 1) {
        sv__svserver_err(err, errlen, "--workers must be at least 1");
        return SV_ERR_INVALID;
    }
    if (make_folders(cfg->data_dir) < 0) {
        sv__svserver_err(err, errlen, "cannot create the data folder %s", cfg->data_dir);
        return SV_ERR_INVALID;
    }
    if (!(w = calloc(1, sizeof(*w)))) {
        sv__svserver_err(err, errlen, "out of memory");
        return SV_ERR_NOMEM;
    }
    w->env = (sv__job_env){.data_dir = cfg->data_dir, .db = cfg->db, .ladder = &cfg->ladder,
                           .log = &log->log,
                           .master_key = cfg->has_master_key ? cfg->master_key : NULL,
                           .lease_s = cfg->job_lease, .max_attempts = cfg->max_attempts,
                           .parts = cfg->job_parts};
    w->threads = cfg->workers;
    /* A wrong or unreachable catalog is a start-up error; later outages
     * are waited out by the threads. */
    if (sv__catalog_connect(cfg->db, cfg->data_dir, &w->cat, err, errlen) < 0)
        goto fail;
    if ((ret = sv__jobs_recover(&w->env, w->cat, w->env.max_attempts, &ids)) < 0) {
        sv__svserver_err(err, errlen, "cannot recover the interrupted jobs (%s)",
                         sv_strerror(ret));
        ret = ret == SV_ERR_INVALID ? SV_ERR_IO : ret;
        goto fail;
    }
    free(ids);
    if ((ret = sv__jobs_create(&w->env, w->threads, &w->jobs)) < 0) {
        sv__svserver_err(err, errlen, "cannot start the transcode threads");
        ret = ret == SV_ERR_INVALID ? SV_ERR_IO : ret;
        goto fail;
    }
    sv__job_worker_name(w->name, sizeof(w->name));
    SV_LOGI(&log->log, "worker", "worker %s: %d transcode thread(s), data %s, %s catalog, "
            "lease %d s, looking for jobs every %d ms", w->name, w->threads, cfg->data_dir,
            sv__catalog_backend(w->cat), cfg->job_lease, SV__JOB_POLL_MS);
    *out = w;
    return 0;

fail:
    sv__catalog_close(w->cat);
    free(w);
    return ret;
}

const char *sv_server_worker_name(const sv_server_worker *w)
{
    return w ? w->name : "";
}

int sv_server_worker_threads(const sv_server_worker *w)
{
    return w ? w->threads : 0;
}

void sv_server_worker_stop(sv_server_worker *w)
{
    if (!w)
        return;
    sv__jobs_destroy(w->jobs);
    sv__catalog_close(w->cat);
    free(w);
}

#else

struct sv_server_worker {
    int unused;
};

int sv_server_worker_start(const sv_server_config *cfg, const sv_server_logger *log,
                           sv_server_worker **out, char *err, size_t errlen)
{
    (void)cfg;
    (void)log;
    (void)out;
    sv__svserver_err(err, errlen, "this svserver was built without the media library "
                                  "(backend/media/)");
    return SV_ERR_UNSUPPORTED;
}

const char *sv_server_worker_name(const sv_server_worker *w)
{
    (void)w;
    return "";
}

int sv_server_worker_threads(const sv_server_worker *w)
{
    (void)w;
    return 0;
}

void sv_server_worker_stop(sv_server_worker *w)
{
    (void)w;
}

#endif
