/*
 * catalog_sqlite_sessions.c - playback sessions, resume positions and title
 * regions in the SQLite catalog (sessions.h).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/catalog_sqlite.h"
#include "backend/sessions.h"
#include "streamverse/common.h"

/* A position past 95 % of the duration counts as watched: the resume entry
 * is removed (the DELETE below). */

/* Runs one statement with binds given as a format: 'i' int64, 's' text.
 * Returns the number of changed rows or SV_ERR_IO. */
static int run(sv__catalog *cat, const char *sql, const char *fmt, ...)
{
    sqlite3_stmt *st;
    va_list ap;
    int ret = SV_ERR_IO;

    if (sv__cat_prepare(cat, sql, &st) < 0)
        return SV_ERR_IO;
    va_start(ap, fmt);
    for (int i = 0; fmt[i]; i++) {
        if (fmt[i] == 'i')
            sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
        else
            sqlite3_bind_text(st, i + 1, va_arg(ap, const char *), -1, SQLITE_TRANSIENT);
    }
    va_end(ap);
    if (sqlite3_step(st) == SQLITE_DONE)
        ret = sqlite3_changes(cat->db);
    sqlite3_finalize(st);
    return ret;
}

/* The write lock (BEGIN IMMEDIATE) serialises starts: between the count and
 * the insert no other connection can open a session. */
int sv__sqlite_session_start(sv__catalog *cat, const sv__session *s, int max_streams,
                             int64_t stale_before)
{
    sqlite3_stmt *st = NULL;
    int64_t now = sv__cat_now(), open = 0;
    int ret, replaced;

    if ((ret = sv__cat_exec(cat, "BEGIN IMMEDIATE")) < 0)
        return ret;
    ret = SV_ERR_IO;
    if ((replaced = run(cat, "UPDATE sessions SET ended = ?, end_reason = 'replaced' "
                             "WHERE ended IS NULL AND user_id = ? AND device_id = ?", "iis", now,
                        s->user_id, s->device_id)) < 0 ||
        sv__cat_prepare(cat, "SELECT count(*) FROM sessions WHERE ended IS NULL AND user_id = ? "
                        "AND last_seen >= ?", &st) < 0)
        goto fail;
    sqlite3_bind_int64(st, 1, s->user_id);
    sqlite3_bind_int64(st, 2, stale_before);
    if (sqlite3_step(st) != SQLITE_ROW)
        goto fail;
    open = sqlite3_column_int64(st, 0);
    if (open >= max_streams) {
        ret = SV_ERR_OVERFLOW;
        goto fail;
    }
    if (run(cat, "INSERT INTO sessions (id, user_id, title_id, device_id, started, last_seen, "
                 "prefix) VALUES (?, ?, ?, ?, ?, ?, ?)", "siisiis", s->id, s->user_id,
            s->title_id, s->device_id, s->started, s->last_seen, s->prefix) != 1)
        goto fail;
    sqlite3_finalize(st);
    return sv__cat_exec(cat, "COMMIT") < 0 ? SV_ERR_IO : replaced;

fail:
    sqlite3_finalize(st);
    sv__cat_exec(cat, "ROLLBACK");
    return ret;
}

int sv__sqlite_session_get(sv__catalog *cat, const char *id, sv__session *out)
{
    sqlite3_stmt *st;
    int ret, rc;

    if ((ret = sv__cat_prepare(cat, "SELECT user_id, title_id, device_id, started, last_seen, "
                               "ended IS NULL, position, heartbeats, coalesce(bitrate_kbps, 0), "
                               "coalesce(buffer_s, 0), coalesce(rebuffer_count, 0), "
                               "coalesce(rebuffer_s, 0), coalesce(dropped_frames, 0), "
                               "coalesce(cdn, ''), live_latency_s, playback_rate, "
                               "coalesce(prefix, '') FROM sessions WHERE id = ?",
                               &st)) < 0)
        return ret;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        memset(out, 0, sizeof(*out));
        snprintf(out->id, sizeof(out->id), "%s", id);
        out->user_id = sqlite3_column_int64(st, 0);
        out->title_id = sqlite3_column_int64(st, 1);
        snprintf(out->device_id, sizeof(out->device_id), "%s",
                 (const char *)sqlite3_column_text(st, 2));
        out->started = sqlite3_column_int64(st, 3);
        out->last_seen = sqlite3_column_int64(st, 4);
        ret = sqlite3_column_int(st, 5);
        out->stats.position_s = sqlite3_column_double(st, 6);
        out->heartbeats = sqlite3_column_int64(st, 7);
        out->stats.bitrate_kbps = sqlite3_column_int64(st, 8);
        out->stats.buffer_s = sqlite3_column_double(st, 9);
        out->stats.rebuffer_count = sqlite3_column_int64(st, 10);
        out->stats.rebuffer_s = sqlite3_column_double(st, 11);
        out->stats.dropped_frames = sqlite3_column_int64(st, 12);
        snprintf(out->stats.cdn, sizeof(out->stats.cdn), "%s",
                 (const char *)sqlite3_column_text(st, 13));
        out->stats.live_latency_s = sqlite3_column_type(st, 14) == SQLITE_NULL
                                        ? NAN : sqlite3_column_double(st, 14);
        out->stats.playback_rate = sqlite3_column_type(st, 15) == SQLITE_NULL
                                       ? NAN : sqlite3_column_double(st, 15);
        snprintf(out->prefix, sizeof(out->prefix), "%s",
                 (const char *)sqlite3_column_text(st, 16));
    } else {
        ret = rc == SQLITE_DONE ? SV_ERR_NOT_FOUND : SV_ERR_IO;
    }
    sqlite3_finalize(st);
    return ret;
}

/* Binds of the merge UPDATE below. SQLite evaluates every SET expression on
 * the row as it was, so "the later report wins" compares with the old
 * last_seen throughout. */
static int save_one(sqlite3_stmt *upd, sqlite3_stmt *res, sqlite3_stmt *del, sv__session *s,
                    const char *reason, int64_t now)
{
    const sv__session_stats *t = &s->stats;

    sqlite3_reset(upd);
    sqlite3_bind_int64(upd, 1, s->last_seen);
    sqlite3_bind_double(upd, 2, t->position_s);
    sqlite3_bind_int64(upd, 3, s->unsaved_heartbeats);
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
    /* NAN: the player did not say (NULL, not a figure). */
    if (!isnan(t->live_latency_s))
        sqlite3_bind_double(upd, 13, t->live_latency_s);
    else
        sqlite3_bind_null(upd, 13);
    if (!isnan(t->playback_rate))
        sqlite3_bind_double(upd, 14, t->playback_rate);
    else
        sqlite3_bind_null(upd, 14);
    if (sqlite3_step(upd) != SQLITE_DONE)
        return SV_ERR_IO;
    if (sqlite3_changes(sqlite3_db_handle(upd)) == 0) {
        s->gone = 1; /* ended by another server, or unknown */
        return 0;
    }
    /* Resume follows the row's position: kept once there is one, removed
     * near the end (watched). */
    sqlite3_reset(del);
    sqlite3_bind_text(del, 1, s->id, -1, SQLITE_STATIC);
    if (sqlite3_step(del) != SQLITE_DONE)
        return SV_ERR_IO;
    if (sqlite3_changes(sqlite3_db_handle(del)) > 0)
        return 0;
    sqlite3_reset(res);
    sqlite3_bind_text(res, 1, s->id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(res, 2, now);
    return sqlite3_step(res) == SQLITE_DONE ? 0 : SV_ERR_IO;
}

int sv__sqlite_sessions_save(sv__catalog *cat, sv__session *const *s, int n,
                             const char *reason)
{
    sqlite3_stmt *upd = NULL, *res = NULL, *del = NULL;
    int64_t now = sv__cat_now();
    int ret;

    if (n == 0)
        return 0;
    if ((ret = sv__cat_exec(cat, "BEGIN IMMEDIATE")) < 0)
        return ret;
    if ((ret = sv__cat_prepare(cat, "UPDATE sessions SET heartbeats = heartbeats + ?3, "
                               "position = CASE WHEN ?1 >= last_seen THEN ?2 ELSE position END, "
                               "bitrate_kbps = CASE WHEN ?1 >= last_seen THEN ?4 "
                               "ELSE bitrate_kbps END, "
                               "buffer_s = CASE WHEN ?1 >= last_seen THEN ?5 ELSE buffer_s END, "
                               "rebuffer_count = CASE WHEN ?1 >= last_seen THEN ?6 "
                               "ELSE rebuffer_count END, "
                               "rebuffer_s = CASE WHEN ?1 >= last_seen THEN ?7 "
                               "ELSE rebuffer_s END, "
                               "dropped_frames = CASE WHEN ?1 >= last_seen THEN ?8 "
                               "ELSE dropped_frames END, "
                               "cdn = CASE WHEN ?1 >= last_seen THEN ?9 ELSE cdn END, "
                               "live_latency_s = CASE WHEN ?1 >= last_seen THEN ?13 "
                               "ELSE live_latency_s END, "
                               "playback_rate = CASE WHEN ?1 >= last_seen THEN ?14 "
                               "ELSE playback_rate END, "
                               "last_seen = max(last_seen, ?1), "
                               "ended = ?10, end_reason = ?11 "
                               "WHERE id = ?12 AND ended IS NULL", &upd)) < 0 ||
        (ret = sv__cat_prepare(cat, "INSERT INTO resume (user_id, title_id, position, updated) "
                               "SELECT s.user_id, s.title_id, s.position, ?2 FROM sessions s "
                               "JOIN titles t ON t.id = s.title_id "
                               "WHERE s.id = ?1 AND s.position > 0 "
                               "AND NOT (coalesce(t.duration, 0) > 0 AND s.position >= t.duration * 0.95) "
                               "ON CONFLICT (user_id, title_id) DO UPDATE "
                               "SET position = excluded.position, updated = excluded.updated",
                               &res)) < 0 ||
        (ret = sv__cat_prepare(cat, "DELETE FROM resume WHERE (user_id, title_id) IN "
                               "(SELECT s.user_id, s.title_id FROM sessions s "
                               "JOIN titles t ON t.id = s.title_id WHERE s.id = ?1 "
                               "AND t.duration > 0 AND s.position >= t.duration * 0.95)",
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

int sv__sqlite_session_ended(sv__catalog *cat, const char *id)
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

int sv__sqlite_sessions_expire(sv__catalog *cat, int64_t before)
{
    return run(cat, "UPDATE sessions SET ended = ?, end_reason = 'expired' "
                    "WHERE ended IS NULL AND last_seen < ?", "ii", sv__cat_now(), before);
}

int sv__sqlite_sessions_live(sv__catalog *cat, int64_t since, int64_t *n)
{
    sqlite3_stmt *st;
    int ret;

    if ((ret = sv__cat_prepare(cat, "SELECT count(*) FROM sessions WHERE ended IS NULL "
                               "AND last_seen >= ?", &st)) < 0)
        return ret;
    sqlite3_bind_int64(st, 1, since);
    ret = SV_ERR_IO;
    if (sqlite3_step(st) == SQLITE_ROW) {
        *n = sqlite3_column_int64(st, 0);
        ret = 0;
    }
    sqlite3_finalize(st);
    return ret;
}

int sv__sqlite_resume_get(sv__catalog *cat, int64_t user_id, int64_t title_id, double *pos)
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

json_t *sv__sqlite_continue_watching(sv__catalog *cat, int64_t user_id, int limit, int *err)
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
    *err = root ? 0 : SV_ERR_NOMEM;
fail:
    sqlite3_finalize(st);
    json_decref(items);
    return root;
}

int sv__sqlite_title_access(sv__catalog *cat, int64_t title_id, int *ready, json_t **regions,
                            char *live_channel, size_t cap)
{
    sqlite3_stmt *st;
    int ret, rc;

    if ((ret = sv__cat_prepare(cat, "SELECT t.status = 'ready', t.regions, "
                               SV__CAT_LIVE_CHANNEL " FROM titles t WHERE t.id = ?", &st)) < 0)
        return ret;
    sqlite3_bind_int64(st, 1, title_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const char *text = (const char *)sqlite3_column_text(st, 1);
        const char *live = (const char *)sqlite3_column_text(st, 2);

        snprintf(live_channel, cap, "%s", live ? live : "");
        *ready = sqlite3_column_int(st, 0) || live;
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

int sv__sqlite_title_set_regions(sv__catalog *cat, int64_t title_id, json_t *regions)
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
