/*
 * The PostgreSQL back end of the catalog (catalog_internal.h), shared by
 * catalog_pg*.c: one libpq connection per handle, queries with parameters
 * (never SQL built from values), text results.
 *
 * Connection loss: a call that fails because the connection broke marks
 * the handle; the next call resets the connection first (connect timeout
 * 3 s), so a database restart heals without restarting svserver.
 *
 * Threads: as for every catalog handle, one thread at a time.
 */
#ifndef SV_BACKEND_CATALOG_PG_H
#define SV_BACKEND_CATALOG_PG_H

#include <libpq-fe.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "backend/catalog_internal.h"

/*
 * Runs `sql` with parameters $1.. described by fmt, one letter each:
 *   'i' int64_t, 'd' double, 's' const char * (NULL: SQL NULL),
 *   'b' bytes: const uint8_t * then size_t (a bytea parameter),
 *   'n' SQL NULL (no argument).
 * Returns the result (caller PQclear()s it) when the command succeeded, or
 * NULL with the reason in sv__catalog_errmsg(cat).
 */
PGresult *sv__pg_query(sv__catalog *cat, const char *sql, const char *fmt, ...);
PGresult *sv__pg_vquery(sv__catalog *cat, const char *sql, const char *fmt, va_list ap);

/* Like sv__pg_query for a command without rows: the number of rows it
 * changed, or SV_ERR_IO. */
int sv__pg_run(sv__catalog *cat, const char *sql, const char *fmt, ...);

/* Runs one statement without parameters (BEGIN, COMMIT, ROLLBACK, DDL).
 * Returns 0 or SV_ERR_IO. */
int sv__pg_exec(sv__catalog *cat, const char *sql);

/* Field accessors on a result (text format). NULL fields read as 0 / "". */
int64_t sv__pg_int(const PGresult *r, int row, int col);
double sv__pg_double(const PGresult *r, int row, int col);
const char *sv__pg_text(const PGresult *r, int row, int col);
int sv__pg_null(const PGresult *r, int row, int col);

/* A bytea field decoded into out (at most cap bytes). Returns its length,
 * or SV_ERR_IO (not bytea, or longer than cap). */
int sv__pg_bytes(const PGresult *r, int row, int col, uint8_t *out, size_t cap);

/* The SQLSTATE of the last failed call ("23505" unique violation, ...), or
 * "" when the failure was not the server's answer. */
const char *sv__pg_sqlstate(sv__catalog *cat);

/* ---- jobs (catalog_pg_jobs.c): the operations of sv__pg_ops ---- */
int sv__pg_job_create(sv__catalog *cat, int64_t title_id, const char *input, int input_owned,
                      int64_t *job_id);
json_t *sv__pg_job_json(sv__catalog *cat, int64_t job_id, int *err);
int sv__pg_job_get(sv__catalog *cat, int64_t job_id, sv__job_info *out);
int sv__pg_job_claim(sv__catalog *cat, int64_t job_id, const sv__job_claim_args *c,
                     sv__job_info *out);
int sv__pg_job_renew(sv__catalog *cat, const sv__job_info *job, int lease_s);
int sv__pg_job_progress(sv__catalog *cat, const sv__job_info *job, double percent,
                        const char *stage);
int sv__pg_job_fail(sv__catalog *cat, const sv__job_info *job, const char *reason);
int sv__pg_job_requeue(sv__catalog *cat, const sv__job_info *job);
int sv__pg_publish(sv__catalog *cat, const sv__job_info *job, const sv__media_result *res);
int sv__pg_job_split(sv__catalog *cat, const sv__job_info *job, int parts);
int sv__pg_job_part_done(sv__catalog *cat, const sv__job_info *part, const char *output,
                         int lease_s, sv__job_info *parent);
int sv__pg_job_parts(sv__catalog *cat, int64_t job_id, sv__job_part *out, int cap);
int sv__pg_recover(sv__catalog *cat, int self_pid, int max_attempts, sv__job_gave_up_fn gave_up,
                   void *opaque, int64_t **ids);
int sv__pg_job_inputs_active(sv__catalog *cat, void (*fn)(void *opaque, const char *input),
                             void *opaque);
int sv__pg_job_counts(sv__catalog *cat, int64_t *counts);

#endif
