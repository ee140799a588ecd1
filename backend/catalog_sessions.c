/*
 * catalog_sessions.c - playback sessions, resume positions and title
 * regions in the catalog (sessions.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/catalog_internal.h"
#include "backend/sessions.h"
#include "streamverse/common.h"

/* A position past 95 % of the duration counts as watched: the resume entry
 * is removed (the DELETE below). */

int sv__catalog_session_insert(sv__catalog *cat, const sv__session *s)
{
    sqlite3_stmt *st;
    int ret;

    if ((ret = sv__cat_prepare(cat, "INSERT INTO sessions (id, user_id, title_id, device_id, "
                               "started, last_seen, position) VALUES (?, ?, ?, ?, ?, ?, ?)",
                               &st)) < 0)
        return ret;
    sqlite3_bind_text(st, 1, s->id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, s->user_id);
    sqlite3_bind_int64(st, 3, s->title_id);
    sqlite3_bind_text(st, 4, s->device_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, s->started);
    sqlite3_bind_int64(st, 6, s->last_seen);
    sqlite3_bind_double(st, 7, s->stats.position_s);
    ret = sqlite3_step(st) == SQLITE_DONE ? 0 : SV_ERR_IO;
    sqlite3_finalize(st);
    return ret;
}

static int save_one(sqlite3_stmt *upd, sqlite3_stmt *res, sqlite3_stmt *del,
                    const sv__session *s, const char *reason, int64_t now)
{
    const sv__session_stats *t = &s->stats;
    sqlite3_reset(upd);
    sqlite3_bind_int64(upd, 1, s->last_seen);
    sqlite3_bind_double(upd, 2, t->position_s);
    sqlite3_bind_int64(upd, 3, s->heartbeats);
    sqlite3_bind_int64(upd, 4, t->bitrate_kbps);
    sqlite3_bind_double(upd, 5, t->buffer_s);
    sqlite3_bind_int64(upd, 6, t->rebuffer_count);
    sqlite3_bind_double(upd, 7, t->rebuffer_s);
    sqlite3_bind_int64(upd, 8, t->dropped_frames);
    sqlite3_bind_text(upd, 9, t->cdn, -1, SQLITE_STATIC);
    if (reason) {
        sqlite3_bind_int64(upd, 10, now);
        sqlite3_bind_text(upd, 11, reason, -1, SQLITE_STATIC);
    } else {
        sqlite3_bind_null(upd, 10);
        sqlite3_bind_null(upd, 11);
    }
    sqlite3_bind_text(upd, 12, s->id, -1, SQLITE_STATIC);
    if (sqlite3_step(upd) != SQLITE_DONE)
        return SV_ERR_IO;
    /* Resume: nothing to keep before the first reported position; a
     * position near the end means watched (the entry goes). */
    if (t->position_s <= 0)
        return 0;
    sqlite3_reset(del);
    sqlite3_bind_int64(del, 1, s->user_id);
    sqlite3_bind_int64(del, 2, s->title_id);
    sqlite3_bind_double(del, 3, t->position_s);
    if (sqlite3_step(del) != SQLITE_DONE)
        return SV_ERR_IO;
    if (sqlite3_changes(sqlite3_db_handle(del)) > 0)
        return 0;
    sqlite3_reset(res);
    sqlite3_bind_int64(res, 1, s->user_id);
    sqlite3_bind_int64(res, 2, s->title_id);
    sqlite3_bind_double(res, 3, t->position_s);
    sqlite3_bind_int64(res, 4, now);
    return sqlite3_step(res) == SQLITE_DONE ? 0 : SV_ERR_IO;
}

int sv__catalog_sessions_save(sv__catalog *cat, sv__session *const *s, int n,
                              const char *reason)
{
    sqlite3_stmt *upd = NULL, *res = NULL, *del = NULL;
    int64_t now = sv__cat_now();
    int ret;

    if (n == 0)
        return 0;
    if ((ret = sv__cat_exec(cat, "BEGIN IMMEDIATE")) < 0)
        return ret;
    if ((ret = sv__cat_prepare(cat, "UPDATE sessions SET last_seen = ?, position = ?, "
                               "heartbeats = ?, bitrate_kbps = ?, buffer_s = ?, "
                               "rebuffer_count = ?, rebuffer_s = ?, dropped_frames = ?, cdn = ?, "
                               "ended = coalesce(ended, ?), end_reason = coalesce(end_reason, ?) "
                               "WHERE id = ?", &upd)) < 0 ||
        (ret = sv__cat_prepare(cat, "INSERT INTO resume (user_id, title_id, position, updated) "
                               "VALUES (?, ?, ?, ?) ON CONFLICT (user_id, title_id) DO UPDATE "
                               "SET position = excluded.position, updated = excluded.updated",
                               &res)) < 0 ||
        (ret = sv__cat_prepare(cat, "DELETE FROM resume WHERE user_id = ?1 AND title_id = ?2 "
                               "AND EXISTS (SELECT 1 FROM titles WHERE id = ?2 AND duration > 0 "
                               "AND ?3 >= duration * 0.95)",
                               &del)) < 0)
        goto fail;
    for (int i = 0; i < n; i++)
        if ((ret = save_one(upd, res, del, s[i], reason, now)) < 0)
            goto fail;
    ret = sv__cat_exec(cat, "COMMIT");
fail:
    if (ret < 0)
        sv__cat_exec(cat, "ROLLBACK");
    sqlite3_finalize(upd);
    sqlite3_finalize(res);
    sqlite3_finalize(del);
    return ret;
}

int sv__catalog_session_ended(sv__catalog *cat, const char *id)
{
    sqlite3_stmt *st;
    int ret, rc;

    if ((ret = sv__cat_prepare(cat, "SELECT ended IS NOT NULL FROM sessions WHERE id = ?",
                               &st)) < 0)
        return ret;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    ret = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : rc == SQLITE_DONE ? SV_ERR_NOT_FOUND
                                                                         : SV_ERR_IO;
    sqlite3_finalize(st);
    return ret;
}

int sv__catalog_sessions_load(sv__catalog *cat, int (*fn)(void *opaque, const sv__session *s),
                              void *opaque)
{
    sqlite3_stmt *st;
    sv__session s;
    int ret, rc;

    if ((ret = sv__cat_prepare(cat, "SELECT id, user_id, title_id, device_id, started, "
                               "last_seen, position, heartbeats, coalesce(cdn, '') "
                               "FROM sessions WHERE ended IS NULL", &st)) < 0)
        return ret;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        memset(&s, 0, sizeof(s));
        snprintf(s.id, sizeof(s.id), "%s", (const char *)sqlite3_column_text(st, 0));
        s.user_id = sqlite3_column_int64(st, 1);
        s.title_id = sqlite3_column_int64(st, 2);
        snprintf(s.device_id, sizeof(s.device_id), "%s", (const char *)sqlite3_column_text(st, 3));
        s.started = sqlite3_column_int64(st, 4);
        s.last_seen = sqlite3_column_int64(st, 5);
        s.stats.position_s = sqlite3_column_double(st, 6);
        s.heartbeats = sqlite3_column_int64(st, 7);
        snprintf(s.stats.cdn, sizeof(s.stats.cdn), "%s", (const char *)sqlite3_column_text(st, 8));
        if ((ret = fn(opaque, &s)) < 0)
            break;
    }
    if (ret == 0 && rc != SQLITE_DONE)
        ret = SV_ERR_IO;
    sqlite3_finalize(st);
    return ret;
}

int sv__catalog_resume_get(sv__catalog *cat, int64_t user_id, int64_t title_id, double *pos)
{
    sqlite3_stmt *st;
    int ret, rc;

    if ((ret = sv__cat_prepare(cat, "SELECT position FROM resume WHERE user_id = ? AND "
                               "title_id = ?", &st)) < 0)
        return ret;
    sqlite3_bind_int64(st, 1, user_id);
    sqlite3_bind_int64(st, 2, title_id);
    rc = sqlite3_step(st);
    *pos = rc == SQLITE_ROW ? sqlite3_column_double(st, 0) : 0;
    ret = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : SV_ERR_IO;
    sqlite3_finalize(st);
    return ret;
}

json_t *sv__catalog_continue_watching(sv__catalog *cat, int64_t user_id, int limit, int *err)
{
    sqlite3_stmt *st = NULL;
    json_t *items = json_array(), *root = NULL;
    char when[32];
    int rc;

    *err = SV_ERR_NOMEM;
    if (!items)
        return NULL;
    *err = SV_ERR_IO;
    if (sv__cat_prepare(cat, "SELECT r.title_id, t.title, r.position, t.duration, r.updated "
                        "FROM resume r JOIN titles t ON t.id = r.title_id "
                        "WHERE r.user_id = ? AND t.status = 'ready' "
                        "ORDER BY r.updated DESC, r.rowid DESC LIMIT ?", &st) < 0)
        goto fail;
    sqlite3_bind_int64(st, 1, user_id);
    sqlite3_bind_int(st, 2, limit);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        sv__cat_iso8601(sqlite3_column_int64(st, 4), when, sizeof(when));
        if (json_array_append_new(
                items, json_pack("{s:I,s:s,s:f,s:f,s:s}", "title_id",
                                 (json_int_t)sqlite3_column_int64(st, 0), "title",
                                 (const char *)sqlite3_column_text(st, 1), "position_s",
                                 sqlite3_column_double(st, 2), "duration",
                                 sqlite3_column_double(st, 3), "updated", when)) < 0)
            goto fail;
    }
    if (rc != SQLITE_DONE)
        goto fail;
    root = json_pack("{s:o}", "items", items);
    items = NULL;
fail:
    sqlite3_finalize(st);
    json_decref(items);
    return root;
}

int sv__catalog_title_access(sv__catalog *cat, int64_t title_id, int *ready, json_t **regions)
{
    sqlite3_stmt *st;
    int ret, rc;

    if ((ret = sv__cat_prepare(cat, "SELECT status = 'ready', regions FROM titles WHERE id = ?",
                               &st)) < 0)
        return ret;
    sqlite3_bind_int64(st, 1, title_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const char *text = (const char *)sqlite3_column_text(st, 1);

        *ready = sqlite3_column_int(st, 0);
        *regions = json_loads(text ? text : "[]", 0, NULL);
        ret = json_is_array(*regions) ? 0 : SV_ERR_IO;
        if (ret < 0) {
            json_decref(*regions);
            *regions = NULL;
        }
    } else {
        ret = rc == SQLITE_DONE ? SV_ERR_NOT_FOUND : SV_ERR_IO;
    }
    sqlite3_finalize(st);
    return ret;
}

int sv__catalog_title_set_regions(sv__catalog *cat, int64_t title_id, json_t *regions)
{
    char *text = json_dumps(regions, JSON_COMPACT);
    sqlite3_stmt *st = NULL;
    int ret;

    if (!text)
        return SV_ERR_NOMEM;
    if ((ret = sv__cat_prepare(cat, "UPDATE titles SET regions = ? WHERE id = ?", &st)) < 0)
        goto fail;
    sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, title_id);
    ret = sqlite3_step(st) != SQLITE_DONE ? SV_ERR_IO
          : sqlite3_changes(cat->db) == 0 ? SV_ERR_NOT_FOUND : 0;
fail:
    sqlite3_finalize(st);
    free(text);
    return ret;
}
