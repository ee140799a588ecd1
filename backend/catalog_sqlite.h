/*
 * The SQLite back end of the catalog (catalog_internal.h): one SQLite
 * connection (WAL) per handle on DATA/catalog.db, with an FTS5 trigram
 * index for search. Shared by catalog_sqlite*.c.
 */
#ifndef SV_BACKEND_CATALOG_SQLITE_H
#define SV_BACKEND_CATALOG_SQLITE_H

#include <sqlite3.h>

#include "backend/catalog_internal.h"

/* ---- statement helpers (catalog_sqlite_stmt.c, below the operations) ---- */

/* Prepares `sql` (SV_ERR_IO on failure). */
int sv__cat_prepare(sv__catalog *cat, const char *sql, sqlite3_stmt **st);

/* Runs statements without results (migrations, BEGIN/COMMIT). */
int sv__cat_exec(sv__catalog *cat, const char *sql);

/* The operations of sv__sqlite_ops, one per public sv__catalog_* call. */
void sv__sqlite_close(sv__catalog *cat);
const char *sv__sqlite_errmsg(sv__catalog *cat);
int sv__sqlite_disk_full(sv__catalog *cat);
int sv__sqlite_available(sv__catalog *cat);
int sv__sqlite_lockout_get(sv__catalog *cat, const char *name, int64_t *until);
int sv__sqlite_lockout_set(sv__catalog *cat, const char *name, int64_t until, int failures);
int sv__sqlite_lockout_clear(sv__catalog *cat, const char *name);
int sv__sqlite_audit_add(sv__catalog *cat, const sv__audit_rec *r);
json_t *sv__sqlite_audit_list(sv__catalog *cat, int64_t before_id, int limit);
int sv__sqlite_job_create(sv__catalog *cat, int64_t title_id, const char *input, int input_owned,
                          int64_t *job_id);
json_t *sv__sqlite_job_json(sv__catalog *cat, int64_t job_id, int *err);
int sv__sqlite_job_get(sv__catalog *cat, int64_t job_id, sv__job_info *out);
int sv__sqlite_job_claim(sv__catalog *cat, int64_t job_id, const sv__job_claim_args *c,
                         sv__job_info *out);
int sv__sqlite_job_renew(sv__catalog *cat, const sv__job_info *job, int lease_s);
int sv__sqlite_job_progress(sv__catalog *cat, const sv__job_info *job, double percent,
                            const char *stage);
int sv__sqlite_job_fail(sv__catalog *cat, const sv__job_info *job, const char *reason);
int sv__sqlite_job_requeue(sv__catalog *cat, const sv__job_info *job);
int sv__sqlite_publish(sv__catalog *cat, const sv__job_info *job, const sv__media_result *res);
int sv__sqlite_job_split(sv__catalog *cat, const sv__job_info *job, int parts);
int sv__sqlite_job_part_done(sv__catalog *cat, const sv__job_info *part, const char *output,
                             int lease_s, sv__job_info *parent);
int sv__sqlite_job_parts(sv__catalog *cat, int64_t job_id, sv__job_part *out, int cap);
int sv__sqlite_recover(sv__catalog *cat, int self_pid, int max_attempts,
                       sv__job_gave_up_fn gave_up, void *opaque, int64_t **ids);
int sv__sqlite_job_inputs_active(sv__catalog *cat, void (*fn)(void *opaque, const char *input),
                                 void *opaque);
int sv__sqlite_job_counts(sv__catalog *cat, int64_t *counts);
int sv__sqlite_key_insert(sv__catalog *cat, int64_t title_id, const uint8_t kid[16],
                          const uint8_t *wrapped, size_t len);
int sv__sqlite_key_by_title(sv__catalog *cat, int64_t title_id, uint8_t kid[16], uint8_t *wrapped,
                            size_t cap, size_t *len);
int sv__sqlite_key_by_kid(sv__catalog *cat, const uint8_t kid[16], int64_t *title_id,
                          uint8_t *wrapped, size_t cap, size_t *len);
int sv__sqlite_title_set_drm(sv__catalog *cat, int64_t title_id, const char *drm);
int sv__sqlite_title_drm(sv__catalog *cat, int64_t title_id, char *out, size_t cap);
int sv__sqlite_session_start(sv__catalog *cat, const sv__session *s, int max_streams,
                             int64_t stale_before);
int sv__sqlite_session_get(sv__catalog *cat, const char *id, sv__session *out);
int sv__sqlite_sessions_expire(sv__catalog *cat, int64_t before);
int sv__sqlite_sessions_live(sv__catalog *cat, int64_t since, int64_t *n);
int sv__sqlite_sessions_save(sv__catalog *cat, sv__session *const *s, int n, const char *reason);
int sv__sqlite_session_ended(sv__catalog *cat, const char *id);
int sv__sqlite_resume_get(sv__catalog *cat, int64_t user_id, int64_t title_id, double *pos);
json_t *sv__sqlite_continue_watching(sv__catalog *cat, int64_t user_id, int limit, int *err);
int sv__sqlite_title_access(sv__catalog *cat, int64_t title_id, int *ready, json_t **regions,
                            char *live_channel, size_t cap);
int sv__sqlite_title_set_regions(sv__catalog *cat, int64_t title_id, json_t *regions);
/* catalog_sqlite_breaks.c */
int sv__sqlite_break_add(sv__catalog *cat, sv__ad_break *b);
int sv__sqlite_breaks(sv__catalog *cat, int64_t title_id, sv__ad_break *out, int cap);
int sv__sqlite_break_remove(sv__catalog *cat, int64_t title_id, int64_t id);
int sv__sqlite_ad_impressions_add(sv__catalog *cat, const char *session_id, int64_t title_id,
                                  const sv__ad_impression *a, int n);
/* catalog_sqlite_offline.c */
int sv__sqlite_offline_add(sv__catalog *cat, const sv__offline_license *l, int max_devices,
                       int64_t now);
int sv__sqlite_offline_get(sv__catalog *cat, const char *id, sv__offline_license *out);
int sv__sqlite_offline_revoke(sv__catalog *cat, const char *id, int64_t title_id, int64_t user_id);
int sv__sqlite_title_ladder(sv__catalog *cat, int64_t title_id, char **json_text);
int sv__sqlite_title_create(sv__catalog *cat, const char *title, const char *synopsis,
                            const char *const *genres, int nb_genres, int64_t *id);
int sv__sqlite_title_update(sv__catalog *cat, int64_t id, const char *title, const char *synopsis,
                            json_t *genres);
json_t *sv__sqlite_title_json(sv__catalog *cat, int64_t id, int *err);
json_t *sv__sqlite_titles_list(sv__catalog *cat, const sv__title_query *q, int *err);
int sv__sqlite_user_insert(sv__catalog *cat, const char *name, const sv__pw_record *rec,
                           const char *region, int max_streams, int role, int64_t *id);
int sv__sqlite_user_find(sv__catalog *cat, const char *name, sv__user *out, sv__pw_record *rec);
int sv__sqlite_user_get(sv__catalog *cat, int64_t id, sv__user *out);
int sv__sqlite_user_set_role(sv__catalog *cat, const char *name, int role);
json_t *sv__sqlite_users_list(sv__catalog *cat);
int sv__sqlite_channel_insert(sv__catalog *cat, sv__channel *ch);
int sv__sqlite_channel_get(sv__catalog *cat, const char *name, sv__channel *out);
int sv__sqlite_channels(sv__catalog *cat, sv__channel *out, int cap);
int sv__sqlite_channel_remove(sv__catalog *cat, const char *name);
int sv__sqlite_channel_set_state(sv__catalog *cat, const char *name, int state,
                                 int64_t title_id);

#endif
