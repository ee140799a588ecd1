/*
 * The catalog: titles, their renditions and ingest jobs in SQLite (WAL) at
 * DATA/catalog.db, with an FTS5 trigram index for search.
 *
 * The schema is versioned with PRAGMA user_version; catalog.c holds one
 * migration per version and applies the missing ones at open, each in its
 * own transaction, so later features (accounts, sessions) add a migration
 * and never edit an old one.
 *
 * Threads: a handle is one SQLite connection and is used by one thread at a
 * time. The HTTP loop and each worker open their own; WAL lets readers run
 * beside the one writer, and a busy timeout absorbs the short write locks.
 *
 * Errors: functions return 0 (or a count) or a negative SV_ERR_* code:
 * SV_ERR_NOT_FOUND for an unknown id, SV_ERR_IO for SQLite failures (logged
 * text in sv__catalog_errmsg()).
 */
#ifndef SV_BACKEND_CATALOG_H
#define SV_BACKEND_CATALOG_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "backend/media.h"

typedef struct sv__catalog sv__catalog;

#define SV__CATALOG_SCHEMA_VERSION 4

enum sv__job_state { SV__JOB_QUEUED, SV__JOB_RUNNING, SV__JOB_DONE, SV__JOB_FAILED, SV__JOB_NB };

/* "queued", "running", "done", "failed". */
const char *sv__job_state_name(int state);

/* Opens (creating and migrating) the catalog at `path`. Returns 0 and *out,
 * or SV_ERR_IO with a reason in err. */
int sv__catalog_open(const char *path, sv__catalog **out, char *err, size_t errlen);
void sv__catalog_close(sv__catalog *cat);

/* The last SQLite error message of this handle. */
const char *sv__catalog_errmsg(sv__catalog *cat);

/* Did the connection's last failed call fail for lack of disk space
 * (SQLITE_FULL, or an I/O error with ENOSPC/EDQUOT)? A later successful call
 * (a ROLLBACK) clears it; callers also check the file system (fsutil.h). */
int sv__catalog_disk_full(sv__catalog *cat);

/* ---- titles (catalog_titles.c) ---- */

/* A new title in state "processing". genres: nb_genres strings. */
int sv__catalog_title_create(sv__catalog *cat, const char *title, const char *synopsis,
                             const char *const *genres, int nb_genres, int64_t *id);

/* Changes the given fields (NULL: unchanged). genres is a JSON array of
 * strings (borrowed). */
int sv__catalog_title_update(sv__catalog *cat, int64_t id, const char *title,
                             const char *synopsis, json_t *genres);

/* The title as the API shows it (caller owns the reference), or NULL with
 * *err set (SV_ERR_NOT_FOUND, SV_ERR_IO). */
json_t *sv__catalog_title_json(sv__catalog *cat, int64_t id, int *err);

typedef struct sv__title_query {
    const char *q;          /* search text, NULL or "" for none */
    const char *genre;      /* genre filter (case-insensitive), NULL for none */
    int all_states;         /* 0: only ready titles */
    int limit, offset;
} sv__title_query;

/* {"items":[...], "total":N, "limit":L, "offset":O}. Search uses FTS5
 * (substring trigrams, ranked by bm25); when it finds nothing, a typo-tolerant
 * pass compares the query's words with title words (fuzzy.h). */
json_t *sv__catalog_titles_list(sv__catalog *cat, const sv__title_query *q, int *err);

/* ---- jobs (catalog_jobs.c) ---- */

/* A queued job for title_id reading `input`; input_owned: the file is an
 * upload the job deletes when it is finished with it. */
int sv__catalog_job_create(sv__catalog *cat, int64_t title_id, const char *input,
                           int input_owned, int64_t *job_id);

/* The job as the API shows it, or NULL with *err set. */
json_t *sv__catalog_job_json(sv__catalog *cat, int64_t job_id, int *err);

typedef struct sv__job_info {
    int64_t id, title_id;
    int state, attempts, input_owned;
    char input[1024];
} sv__job_info;

int sv__catalog_job_get(sv__catalog *cat, int64_t job_id, sv__job_info *out);

/* queued -> running by process `pid`, attempts + 1. SV_ERR_STATE when the
 * job is not queued (another worker took it). */
int sv__catalog_job_claim(sv__catalog *cat, int64_t job_id, int pid);
int sv__catalog_job_progress(sv__catalog *cat, int64_t job_id, double percent, const char *stage);
/* running -> failed with a reason; the title becomes "failed". */
int sv__catalog_job_fail(sv__catalog *cat, int64_t job_id, const char *reason);
/* running -> queued (shutdown interrupted it; a restart resumes it). */
int sv__catalog_job_requeue(sv__catalog *cat, int64_t job_id);

/* In one transaction: the renditions and duration of the title, title
 * "ready", job "done" (100 %). Called only once the media folder is in
 * place, so a ready title never lacks files. */
int sv__catalog_publish(sv__catalog *cat, int64_t job_id, int64_t title_id,
                        const sv__media_result *res);

/*
 * Start-up recovery: jobs left "running" by a process that no longer lives
 * (or by `self_pid`, a previous run with the same pid) go back to "queued",
 * or to "failed" once they were tried `max_attempts` times. Fills *ids with
 * every queued job (oldest first; caller frees). Returns their count.
 */
int sv__catalog_recover(sv__catalog *cat, int self_pid, int max_attempts, int64_t **ids);

/* Calls fn with the input path of every queued or running job (the files
 * that start-up cleaning of uploads/ must keep). Returns 0 or SV_ERR_IO. */
int sv__catalog_job_inputs_active(sv__catalog *cat, void (*fn)(void *opaque, const char *input),
                                  void *opaque);

/* Number of jobs per state (counts[SV__JOB_NB]). */
int sv__catalog_job_counts(sv__catalog *cat, int64_t *counts);

#endif
