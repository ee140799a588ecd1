/*
 * catalog.c - the catalog's front: picks the back end a handle uses and
 * forwards every public call through its operations (catalog_internal.h).
 * The values the back ends share are catalog_values.c's: the back ends
 * call down into that file, never back into this one.
 */
#include <stdio.h>
#include <string.h>

#include "backend/catalog_internal.h"
#include "streamverse/common.h"

int sv__catalog_is_url(const char *db)
{
    return db && (!strncmp(db, "postgresql://", 13) || !strncmp(db, "postgres://", 11));
}

int sv__catalog_open(const char *path, sv__catalog **out, char *err, size_t errlen)
{
    return sv__sqlite_open(path, out, err, errlen);
}

int sv__catalog_connect(const char *db, const char *data_dir, sv__catalog **out, char *err,
                        size_t errlen)
{
    char path[1100];

    if (sv__catalog_is_url(db))
        return sv__pg_open(db, out, err, errlen);
    if (db && db[0]) {
        snprintf(err, errlen,
                 "db: expected a postgresql:// URL (or nothing for the SQLite "
                 "catalog in the data folder)");
        return SV_ERR_INVALID;
    }
    if ((size_t)snprintf(path, sizeof(path), "%s/catalog.db", data_dir) >= sizeof(path)) {
        snprintf(err, errlen, "data folder path too long");
        return SV_ERR_INVALID;
    }
    return sv__sqlite_open(path, out, err, errlen);
}

const char *sv__catalog_backend(const sv__catalog *cat)
{
    return cat->ops->name;
}

void sv__catalog_close(sv__catalog *cat)
{
    if (cat)
        cat->ops->close(cat);
}

/* ---- forwarding: one line per operation ---- */

const char *sv__catalog_errmsg(sv__catalog *cat)
{
    return cat->ops->errmsg(cat);
}

int sv__catalog_disk_full(sv__catalog *cat)
{
    return cat->ops->disk_full(cat);
}

int sv__catalog_available(sv__catalog *cat)
{
    return cat->ops->available(cat);
}

int sv__catalog_lockout_get(sv__catalog *cat, const char *name, int64_t *until)
{
    return cat->ops->lockout_get(cat, name, until);
}

int sv__catalog_lockout_set(sv__catalog *cat, const char *name, int64_t until, int failures)
{
    return cat->ops->lockout_set(cat, name, until, failures);
}

int sv__catalog_lockout_clear(sv__catalog *cat, const char *name)
{
    return cat->ops->lockout_clear(cat, name);
}

int sv__catalog_audit_add(sv__catalog *cat, const sv__audit_rec *r)
{
    return cat->ops->audit_add(cat, r);
}

json_t *sv__catalog_audit_list(sv__catalog *cat, int64_t before_id, int limit)
{
    return cat->ops->audit_list(cat, before_id, limit);
}

int sv__catalog_job_create(sv__catalog *cat, int64_t title_id, const char *input, int input_owned,
                           int64_t *job_id)
{
    return cat->ops->job_create(cat, title_id, input, input_owned, job_id);
}

json_t *sv__catalog_job_json(sv__catalog *cat, int64_t job_id, int *err)
{
    return cat->ops->job_json(cat, job_id, err);
}

int sv__catalog_job_get(sv__catalog *cat, int64_t job_id, sv__job_info *out)
{
    return cat->ops->job_get(cat, job_id, out);
}

int sv__catalog_job_claim(sv__catalog *cat, int64_t job_id, const sv__job_claim_args *c,
                          sv__job_info *out)
{
    return cat->ops->job_claim(cat, job_id, c, out);
}

int sv__catalog_job_renew(sv__catalog *cat, const sv__job_info *job, int lease_s)
{
    return cat->ops->job_renew(cat, job, lease_s);
}

int sv__catalog_job_progress(sv__catalog *cat, const sv__job_info *job, double percent,
                             const char *stage)
{
    return cat->ops->job_progress(cat, job, percent, stage);
}

int sv__catalog_job_fail(sv__catalog *cat, const sv__job_info *job, const char *reason)
{
    return cat->ops->job_fail(cat, job, reason);
}

int sv__catalog_job_requeue(sv__catalog *cat, const sv__job_info *job)
{
    return cat->ops->job_requeue(cat, job);
}

int sv__catalog_title_ladder(sv__catalog *cat, int64_t title_id, char **json_text)
{
    *json_text = NULL;
    return cat->ops->title_ladder(cat, title_id, json_text);
}

int sv__catalog_publish(sv__catalog *cat, const sv__job_info *job, const sv__media_result *res)
{
    return cat->ops->publish(cat, job, res);
}

int sv__catalog_job_split(sv__catalog *cat, const sv__job_info *job, int parts)
{
    return cat->ops->job_split(cat, job, parts);
}

int sv__catalog_job_part_done(sv__catalog *cat, const sv__job_info *part, const char *output,
                              int lease_s, sv__job_info *parent)
{
    return cat->ops->job_part_done(cat, part, output, lease_s, parent);
}

int sv__catalog_job_parts(sv__catalog *cat, int64_t job_id, sv__job_part *out, int cap)
{
    return cat->ops->job_parts(cat, job_id, out, cap);
}

int sv__catalog_recover(sv__catalog *cat, int self_pid, int max_attempts,
                        sv__job_gave_up_fn gave_up, void *opaque, int64_t **ids)
{
    return cat->ops->recover(cat, self_pid, max_attempts, gave_up, opaque, ids);
}

int sv__catalog_job_inputs_active(sv__catalog *cat, void (*fn)(void *opaque, const char *input),
                                  void *opaque)
{
    return cat->ops->job_inputs_active(cat, fn, opaque);
}

int sv__catalog_job_counts(sv__catalog *cat, int64_t *counts)
{
    return cat->ops->job_counts(cat, counts);
}

int sv__catalog_key_insert(sv__catalog *cat, int64_t title_id, const uint8_t kid[16],
                           const uint8_t *wrapped, size_t len)
{
    return cat->ops->key_insert(cat, title_id, kid, wrapped, len);
}

int sv__catalog_key_by_title(sv__catalog *cat, int64_t title_id, uint8_t kid[16], uint8_t *wrapped,
                             size_t cap, size_t *len)
{
    return cat->ops->key_by_title(cat, title_id, kid, wrapped, cap, len);
}

int sv__catalog_key_by_kid(sv__catalog *cat, const uint8_t kid[16], int64_t *title_id,
                           uint8_t *wrapped, size_t cap, size_t *len)
{
    return cat->ops->key_by_kid(cat, kid, title_id, wrapped, cap, len);
}

int sv__catalog_title_set_drm(sv__catalog *cat, int64_t title_id, const char *drm)
{
    return cat->ops->title_set_drm(cat, title_id, drm);
}

int sv__catalog_title_drm(sv__catalog *cat, int64_t title_id, char *out, size_t cap)
{
    return cat->ops->title_drm(cat, title_id, out, cap);
}

int sv__catalog_session_start(sv__catalog *cat, const sv__session *s, int max_streams,
                              int64_t stale_before)
{
    return cat->ops->session_start(cat, s, max_streams, stale_before);
}

int sv__catalog_session_get(sv__catalog *cat, const char *id, sv__session *out)
{
    return cat->ops->session_get(cat, id, out);
}

int sv__catalog_sessions_expire(sv__catalog *cat, int64_t before)
{
    return cat->ops->sessions_expire(cat, before);
}

int sv__catalog_sessions_live(sv__catalog *cat, int64_t since, int64_t *n)
{
    return cat->ops->sessions_live(cat, since, n);
}

int sv__catalog_sessions_save(sv__catalog *cat, sv__session *const *s, int n, const char *reason)
{
    return cat->ops->sessions_save(cat, s, n, reason);
}

int sv__catalog_session_ended(sv__catalog *cat, const char *id)
{
    return cat->ops->session_ended(cat, id);
}

int sv__catalog_resume_get(sv__catalog *cat, int64_t user_id, int64_t title_id, double *pos)
{
    return cat->ops->resume_get(cat, user_id, title_id, pos);
}

json_t *sv__catalog_continue_watching(sv__catalog *cat, int64_t user_id, int limit, int *err)
{
    return cat->ops->continue_watching(cat, user_id, limit, err);
}

int sv__catalog_title_access(sv__catalog *cat, int64_t title_id, int *ready, json_t **regions,
                             char *live_channel, size_t cap)
{
    return cat->ops->title_access(cat, title_id, ready, regions, live_channel, cap);
}

int sv__catalog_title_set_regions(sv__catalog *cat, int64_t title_id, json_t *regions)
{
    return cat->ops->title_set_regions(cat, title_id, regions);
}

int sv__catalog_title_create(sv__catalog *cat, const char *title, const char *synopsis,
                             const char *const *genres, int nb_genres, int64_t *id)
{
    return cat->ops->title_create(cat, title, synopsis, genres, nb_genres, id);
}

int sv__catalog_title_update(sv__catalog *cat, int64_t id, const char *title, const char *synopsis,
                             json_t *genres)
{
    return cat->ops->title_update(cat, id, title, synopsis, genres);
}

json_t *sv__catalog_title_json(sv__catalog *cat, int64_t id, int *err)
{
    return cat->ops->title_json(cat, id, err);
}

json_t *sv__catalog_titles_list(sv__catalog *cat, const sv__title_query *q, int *err)
{
    return cat->ops->titles_list(cat, q, err);
}

int sv__catalog_user_insert(sv__catalog *cat, const char *name, const sv__pw_record *rec,
                            const char *region, int max_streams, int role, int64_t *id)
{
    return cat->ops->user_insert(cat, name, rec, region, max_streams, role, id);
}

int sv__catalog_user_find(sv__catalog *cat, const char *name, sv__user *out, sv__pw_record *rec)
{
    return cat->ops->user_find(cat, name, out, rec);
}

int sv__catalog_user_get(sv__catalog *cat, int64_t id, sv__user *out)
{
    return cat->ops->user_get(cat, id, out);
}

int sv__catalog_user_set_role(sv__catalog *cat, const char *name, int role)
{
    return cat->ops->user_set_role(cat, name, role);
}

json_t *sv__catalog_users_list(sv__catalog *cat)
{
    return cat->ops->users_list(cat);
}

int sv__catalog_break_add(sv__catalog *cat, sv__ad_break *b)
{
    return cat->ops->break_add(cat, b);
}

int sv__catalog_breaks(sv__catalog *cat, int64_t title_id, sv__ad_break *out, int cap)
{
    return cat->ops->breaks(cat, title_id, out, cap);
}

int sv__catalog_break_remove(sv__catalog *cat, int64_t title_id, int64_t id)
{
    return cat->ops->break_remove(cat, title_id, id);
}

int sv__catalog_ad_impressions_add(sv__catalog *cat, const char *session_id, int64_t title_id,
                                   const sv__ad_impression *a, int n)
{
    return cat->ops->ad_impressions_add(cat, session_id, title_id, a, n);
}

int sv__catalog_offline_add(sv__catalog *cat, const sv__offline_license *l, int max_devices,
                            int64_t now)
{
    return cat->ops->offline_add(cat, l, max_devices, now);
}

int sv__catalog_offline_get(sv__catalog *cat, const char *id, sv__offline_license *out)
{
    return cat->ops->offline_get(cat, id, out);
}

int sv__catalog_offline_revoke(sv__catalog *cat, const char *id, int64_t title_id,
                               int64_t user_id)
{
    return cat->ops->offline_revoke(cat, id, title_id, user_id);
}
