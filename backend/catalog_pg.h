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

/* ---- query helpers (catalog_pg_query.c, below the operations) ---- */

/* Records an error for sv__catalog_errmsg: "what: msg" (the first line of
 * msg), and its SQLSTATE (NULL: none). */
void sv__pg_set_error(sv__catalog *cat, const char *what, const char *msg, const char *state);

/* 0 when the connection is up, after a reset if it had dropped (at most one
 * attempt a second); SV_ERR_IO with the reason recorded otherwise. */
int sv__pg_ensure_connected(sv__catalog *cat);

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

/* ---- users and sessions (catalog_pg_users.c, catalog_pg_sessions.c): the
 * operations of sv__pg_ops; sessions_save writes a whole batch as arrays ---- */
int sv__pg_user_insert(sv__catalog *cat, const char *name, const sv__pw_record *rec,
                       const char *region, int max_streams, int role, int64_t *id);
int sv__pg_user_find(sv__catalog *cat, const char *name, sv__user *out, sv__pw_record *rec);
int sv__pg_user_get(sv__catalog *cat, int64_t id, sv__user *out);
int sv__pg_user_set_role(sv__catalog *cat, const char *name, int role);
json_t *sv__pg_users_list(sv__catalog *cat);
/* ---- channels (catalog_pg_channels.c) ---- */
int sv__pg_channel_insert(sv__catalog *cat, sv__channel *ch);
int sv__pg_channel_get(sv__catalog *cat, const char *name, sv__channel *out);
int sv__pg_channels(sv__catalog *cat, sv__channel *out, int cap);
int sv__pg_channel_remove(sv__catalog *cat, const char *name);
int sv__pg_channel_set_state(sv__catalog *cat, const char *name, int state, int64_t title_id);
int sv__pg_session_start(sv__catalog *cat, const sv__session *s, int max_streams,
                         int64_t stale_before);
int sv__pg_session_get(sv__catalog *cat, const char *id, sv__session *out);
int sv__pg_sessions_save(sv__catalog *cat, sv__session *const *s, int n, const char *reason);
int sv__pg_sessions_expire(sv__catalog *cat, int64_t before);
int sv__pg_sessions_live(sv__catalog *cat, int64_t since, int64_t *n);
int sv__pg_session_ended(sv__catalog *cat, const char *id);
int sv__pg_resume_get(sv__catalog *cat, int64_t user_id, int64_t title_id, double *pos);
json_t *sv__pg_continue_watching(sv__catalog *cat, int64_t user_id, int limit, int *err);
int sv__pg_title_access(sv__catalog *cat, int64_t title_id, int *ready, json_t **regions,
                        char *live_channel, size_t cap);
int sv__pg_title_set_regions(sv__catalog *cat, int64_t title_id, json_t *regions);
/* catalog_pg_breaks.c */
int sv__pg_break_add(sv__catalog *cat, sv__ad_break *b);
int sv__pg_breaks(sv__catalog *cat, int64_t title_id, sv__ad_break *out, int cap);
int sv__pg_break_remove(sv__catalog *cat, int64_t title_id, int64_t id);
int sv__pg_ad_impressions_add(sv__catalog *cat, const char *session_id, int64_t title_id,
                              const sv__ad_impression *a, int n);
/* catalog_pg_offline.c */
int sv__pg_offline_add(sv__catalog *cat, const sv__offline_license *l, int max_devices,
                       int64_t now);
int sv__pg_offline_get(sv__catalog *cat, const char *id, sv__offline_license *out);
int sv__pg_offline_revoke(sv__catalog *cat, const char *id, int64_t title_id, int64_t user_id);
int sv__pg_title_ladder(sv__catalog *cat, int64_t title_id, char **json_text);

/* ---- titles, keys, lockouts and audit (catalog_pg_titles.c,
 * catalog_pg_keys.c, catalog_pg_audit.c): the operations of sv__pg_ops;
 * search runs in the database on the pg_trgm indexes ---- */
int sv__pg_title_create(sv__catalog *cat, const char *title, const char *synopsis,
                        const char *const *genres, int nb_genres, int64_t *id);
int sv__pg_title_update(sv__catalog *cat, int64_t id, const char *title, const char *synopsis,
                        json_t *genres);
json_t *sv__pg_title_json(sv__catalog *cat, int64_t id, int *err);
json_t *sv__pg_titles_list(sv__catalog *cat, const sv__title_query *q, int *err);
int sv__pg_key_insert(sv__catalog *cat, int64_t title_id, const uint8_t kid[16],
                      const uint8_t *wrapped, size_t len);
int sv__pg_key_by_title(sv__catalog *cat, int64_t title_id, uint8_t kid[16], uint8_t *wrapped,
                        size_t cap, size_t *len);
int sv__pg_key_by_kid(sv__catalog *cat, const uint8_t kid[16], int64_t *title_id,
                      uint8_t *wrapped, size_t cap, size_t *len);
int sv__pg_title_set_drm(sv__catalog *cat, int64_t title_id, const char *drm);
int sv__pg_title_drm(sv__catalog *cat, int64_t title_id, char *out, size_t cap);
int sv__pg_lockout_get(sv__catalog *cat, const char *name, int64_t *until);
int sv__pg_lockout_set(sv__catalog *cat, const char *name, int64_t until, int failures);
int sv__pg_lockout_clear(sv__catalog *cat, const char *name);
int sv__pg_audit_add(sv__catalog *cat, const sv__audit_rec *r);
json_t *sv__pg_audit_list(sv__catalog *cat, int64_t before_id, int limit);

#endif
