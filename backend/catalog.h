/*
 * The catalog: titles, their renditions, ingest jobs, accounts, playback
 * sessions, content keys and the audit log, in one of two back ends behind
 * this interface (catalog_internal.h):
 *   - SQLite (WAL) at DATA/catalog.db, the embedded default, with an FTS5
 *     trigram index for search (catalog_sqlite*.c);
 *   - PostgreSQL, chosen with a postgresql:// URL (setting `db`), shared by
 *     any number of svserver processes and workers, with pg_trgm for search
 *     (catalog_pg*.c).
 *
 * Each back end has one list of versioned migrations, applied at open,
 * each in its own transaction (a failed one leaves the schema as it was);
 * a schema newer than this svserver is refused (SV_ERR_UNSUPPORTED). Later
 * features add a migration and never edit an old one.
 *
 * Threads: a handle is one database connection and is used by one thread
 * at a time. The HTTP loop and each worker open their own. SQLite: WAL lets
 * readers run beside the one writer, and a busy timeout absorbs the short
 * write locks. PostgreSQL: a lost connection fails the call in progress
 * (SV_ERR_IO, the reason in sv__catalog_errmsg) and the next call
 * reconnects, so a database restart needs no svserver restart.
 *
 * Errors: functions return 0 (or a count) or a negative SV_ERR_* code:
 * SV_ERR_NOT_FOUND for an unknown id, SV_ERR_IO for database failures
 * (logged text in sv__catalog_errmsg()).
 */
#ifndef SV_BACKEND_CATALOG_H
#define SV_BACKEND_CATALOG_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "backend/breaks.h"
#include "backend/media.h"

typedef struct sv__catalog sv__catalog;

#define SV__CATALOG_SCHEMA_VERSION 13

enum sv__job_state { SV__JOB_QUEUED, SV__JOB_RUNNING, SV__JOB_DONE, SV__JOB_FAILED, SV__JOB_NB };

/* "queued", "running", "done", "failed" (catalog_values.c). */
const char *sv__job_state_name(int state);

/* Opens (creating and migrating) the SQLite catalog file at `path`. Returns 0
 * and *out, or SV_ERR_IO / SV_ERR_UNSUPPORTED with a reason in err. */
int sv__catalog_open(const char *path, sv__catalog **out, char *err, size_t errlen);

/*
 * Opens the catalog the `db` setting names: NULL or "" is the SQLite file
 * DATA_DIR/catalog.db, a "postgresql://" or "postgres://" URL (libpq's URI
 * form, e.g. postgresql://user@127.0.0.1:5432/svdb) a PostgreSQL database.
 * Returns 0 and *out; SV_ERR_INVALID for another form, SV_ERR_IO when the
 * database cannot be reached or migrated, SV_ERR_UNSUPPORTED for a newer
 * schema; the reason, without the URL's password, is in err.
 */
int sv__catalog_connect(const char *db, const char *data_dir, sv__catalog **out, char *err,
                        size_t errlen);

/* Is `db` a PostgreSQL URL? */
int sv__catalog_is_url(const char *db);

/* "sqlite" or "postgresql". */
const char *sv__catalog_backend(const sv__catalog *cat);

void sv__catalog_close(sv__catalog *cat);

/* The last database error message of this handle. */
const char *sv__catalog_errmsg(sv__catalog *cat);

/* Did the connection's last failed call fail for lack of disk space
 * (SQLITE_FULL, or an I/O error with ENOSPC/EDQUOT)? A later successful call
 * (a ROLLBACK) clears it; callers also check the file system (platform/fs.h). */
int sv__catalog_disk_full(sv__catalog *cat);

/* Can the catalog be used now? 1, or 0 when its database is unreachable
 * (PostgreSQL: the connection is lost and a reconnect, tried at most once a
 * second, failed; the reason is in sv__catalog_errmsg). SQLite: always 1. */
int sv__catalog_available(sv__catalog *cat);

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

/* ---- jobs (catalog_sqlite_jobs.c, catalog_pg_jobs.c) ---- */

/*
 * Workers claim jobs: a claim sets the job running, names the worker
 * ("host:pid") and gives it a lease that the worker renews while it works
 * (sv__catalog_job_renew). A job whose lease ran out lost its worker (the
 * process died, or cannot reach the database): the next claim takes it over.
 * Every claim increments attempts, and the pair (worker, attempts) is the
 * claim's identity: the operations that change a running job take the
 * sv__job_info their claim returned and do nothing (SV_ERR_STATE) once
 * another claim replaced it, so a worker that lost its lease can neither
 * publish nor fail nor requeue the job of its successor.
 */

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
    char worker[128];        /* the claim's worker ("host:pid"), "" when none */
    int64_t parent_id;       /* a part: the job it is part of; 0 for a job */
    int part, parts;         /* a part's index; the number of parts (1: not split) */
} sv__job_info;

int sv__catalog_job_get(sv__catalog *cat, int64_t job_id, sv__job_info *out);

typedef struct sv__job_claim_args {
    const char *worker;      /* "host:pid" of the claiming process */
    int pid;                 /* its pid (SQLite's start-up recovery, one host) */
    int lease_s;             /* the claim runs out lease_s after the last renewal */
    int max_attempts;        /* a job whose worker died this often is given up */
} sv__job_claim_args;

/*
 * Claims job `job_id`, or with job_id 0 the oldest claimable job, in one
 * transaction that skips rows other claimers hold (PostgreSQL: FOR UPDATE
 * SKIP LOCKED; SQLite: BEGIN IMMEDIATE). Claimable: queued, or running with
 * a lease that ran out. Returns 0 when there is none, or 1 and *out:
 *   - out->state SV__JOB_RUNNING: the caller holds it (attempts + 1, lease
 *     lease_s from now on the database's clock);
 *   - out->state SV__JOB_FAILED: its lease ran out and its worker had died
 *     max_attempts times: the job and its title are now failed with the
 *     reason "the worker died N times; giving up"; the caller removes the
 *     job's files (staging, an owned input) and claims again.
 */
int sv__catalog_job_claim(sv__catalog *cat, int64_t job_id, const sv__job_claim_args *c,
                          sv__job_info *out);
/* Extends the lease of the caller's claim `job` to lease_s from now.
 * SV_ERR_STATE when the claim is no longer the job's (lost). */
int sv__catalog_job_renew(sv__catalog *cat, const sv__job_info *job, int lease_s);
/* Stores progress; SV_ERR_STATE when the claim was lost. */
int sv__catalog_job_progress(sv__catalog *cat, const sv__job_info *job, double percent,
                             const char *stage);
/* running -> failed with a reason; the title becomes "failed", and for a
 * part the job it belongs to and every other part too. SV_ERR_STATE when
 * the claim was lost (nothing changes). */
int sv__catalog_job_fail(sv__catalog *cat, const sv__job_info *job, const char *reason);
/* running -> queued: the worker was stopped and hands the job back (this
 * attempt does not count). SV_ERR_STATE when the claim was lost. */
int sv__catalog_job_requeue(sv__catalog *cat, const sv__job_info *job);

/* In one transaction, only while `job`'s claim holds: the renditions and
 * duration of the title, title "ready", job "done" (100 %). Called only once
 * the media folder is in place, so a ready title never lacks files.
 * SV_ERR_STATE when the claim was lost (nothing changes). */
int sv__catalog_publish(sv__catalog *cat, const sv__job_info *job, const sv__media_result *res);

/* How a ready title's ladder was chosen: the per-title record
 * (sv__ladder_report_json's text, caller frees) published with it, or NULL
 * for a fixed ladder. 0, SV_ERR_NOT_FOUND (no such title) or SV_ERR_IO. */
int sv__catalog_title_ladder(sv__catalog *cat, int64_t title_id, char **json_text);

/*
 * A job in parts (sv__media_ingest_part): its holder splits it into
 * `parts` queued part jobs (same title and input, parent_id set) that any
 * workers claim like jobs, and hands the job itself back: it stays
 * "running" without a worker or lease, so no claim takes it, and its
 * percent follows its parts'. SV_ERR_STATE when the claim was lost.
 */
int sv__catalog_job_split(sv__catalog *cat, const sv__job_info *job, int parts);
/*
 * A part's holder finished it: the part is done with its output (a folder
 * name under staging/). When it was the last one, the caller claims the
 * job itself in the same transaction (lease lease_s) to put the parts
 * together: returns 1 and *parent, the claim. Returns 0 when parts remain,
 * SV_ERR_STATE when the part's claim was lost.
 */
int sv__catalog_job_part_done(sv__catalog *cat, const sv__job_info *part, const char *output,
                              int lease_s, sv__job_info *parent);

typedef struct sv__job_part {
    int part, state;
    char output[256];        /* "" until done */
} sv__job_part;

/* The parts of job_id, by index, into out[cap]. Returns their count. */
int sv__catalog_job_parts(sv__catalog *cat, int64_t job_id, sv__job_part *out, int cap);

/* A job that recovery gave up, for its files to be removed. */
typedef void (*sv__job_gave_up_fn)(void *opaque, const sv__job_info *job);

/*
 * Start-up recovery. Running jobs whose worker is gone go back to
 * "queued", or to "failed" (with their title) once their worker died
 * max_attempts times; gave_up (may be NULL) is then called with each of
 * those, after the commit. Gone: the lease ran out (or the job has none); on
 * SQLite, whose workers share one host, also a worker_pid that no longer
 * lives or is `self_pid` (an earlier process with this pid). Fills *ids with
 * every queued job (oldest first; caller frees). Returns their count.
 */
int sv__catalog_recover(sv__catalog *cat, int self_pid, int max_attempts,
                        sv__job_gave_up_fn gave_up, void *opaque, int64_t **ids);

/* Calls fn with the input path of every queued or running job (the files
 * that start-up cleaning of uploads/ must keep). Returns 0 or SV_ERR_IO. */
int sv__catalog_job_inputs_active(sv__catalog *cat, void (*fn)(void *opaque, const char *input),
                                  void *opaque);

/* Number of jobs per state (counts[SV__JOB_NB]). */
int sv__catalog_job_counts(sv__catalog *cat, int64_t *counts);

/* ---- ad breaks (breaks.h) ------------------------------------------------ */

/* Adds break *b (title_id, at_s, duration_s, cls) and sets b->id and
 * b->created. Returns 0, SV_ERR_NOT_FOUND (no such title) or SV_ERR_IO. */
int sv__catalog_break_add(sv__catalog *cat, sv__ad_break *b);
/* The title's breaks by at_s (at most cap). Returns the count or SV_ERR_IO
 * (an unknown title has none). */
int sv__catalog_breaks(sv__catalog *cat, int64_t title_id, sv__ad_break *out, int cap);
/* Removes break `id` of the title. Returns 0, SV_ERR_NOT_FOUND or SV_ERR_IO. */
int sv__catalog_break_remove(sv__catalog *cat, int64_t title_id, int64_t id);

/* A break a session's player reached, as its heartbeat or stop reports it
 * (the break's id is its SCTE-35 splice_event_id). */
typedef struct sv__ad_impression {
    int64_t break_id;
    double start_s;          /* where the player met it, on its timeline */
} sv__ad_impression;
/* Records n of them for session_id of title_id; a break of another title,
 * or one the session reported before at the same start, is left out.
 * Returns how many were recorded, or SV_ERR_IO. */
int sv__catalog_ad_impressions_add(sv__catalog *cat, const char *session_id, int64_t title_id,
                                   const sv__ad_impression *a, int n);
/* ---- offline licenses (api_offline.c) ---------------------------------- */

typedef struct sv__offline_license {
    char id[33];               /* 32 hex digits */
    int64_t user_id, title_id;
    char device_id[65];
    int64_t created, expires;  /* Unix seconds */
    int revoked;
} sv__offline_license;

/*
 * Records license *l unless the account would then hold live licenses
 * (neither revoked nor expired at `now`) on more than `max_devices`
 * devices: a device that holds one already may always get another. One
 * statement, so the count and the insert are one step on SQLite (on
 * PostgreSQL two requests racing for the last device may both pass).
 * Returns 0, SV_ERR_OVERFLOW (the limit), SV_ERR_NOT_FOUND (no such title
 * or user) or SV_ERR_IO.
 */
int sv__catalog_offline_add(sv__catalog *cat, const sv__offline_license *l, int max_devices,
                            int64_t now);
/* License `id`. Returns 0, SV_ERR_NOT_FOUND or SV_ERR_IO. */
int sv__catalog_offline_get(sv__catalog *cat, const char *id, sv__offline_license *out);
/* Revokes license `id` of the title, of `user_id` (or anyone's: -1).
 * Returns 0, SV_ERR_NOT_FOUND or SV_ERR_IO. */
int sv__catalog_offline_revoke(sv__catalog *cat, const char *id, int64_t title_id,
                               int64_t user_id);

#endif
