/*
 * catalog_audit.c - login lockouts and the append-only audit log
 * (accounts.h).
 */
#include <stdio.h>
#include <string.h>

#include "backend/accounts.h"
#include "backend/catalog_sqlite.h"
#include "streamverse/common.h"

int sv__sqlite_lockout_get(sv__catalog *cat, const char *name, int64_t *until)
{
    sqlite3_stmt *st;
    int ret, rc;

    *until = 0;
    if ((ret = sv__cat_prepare(cat, "SELECT until FROM lockouts WHERE name = ? AND until > ?",
                               &st)) < 0)
        return ret;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, sv__cat_now());
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *until = sqlite3_column_int64(st, 0);
    ret = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : SV_ERR_IO;
    sqlite3_finalize(st);
    return ret;
}

int sv__sqlite_lockout_set(sv__catalog *cat, const char *name, int64_t until, int failures)
{
    sqlite3_stmt *st;
    int ret;

    if ((ret = sv__cat_prepare(cat, "INSERT OR REPLACE INTO lockouts (name, until, failures, "
                               "since) VALUES (?, ?, ?, ?)", &st)) < 0)
        return ret;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, until);
    sqlite3_bind_int(st, 3, failures);
    sqlite3_bind_int64(st, 4, sv__cat_now());
    ret = sqlite3_step(st) == SQLITE_DONE ? 0 : SV_ERR_IO;
    sqlite3_finalize(st);
    return ret;
}

int sv__sqlite_lockout_clear(sv__catalog *cat, const char *name)
{
    sqlite3_stmt *st;
    int ret;

    if ((ret = sv__cat_prepare(cat, "DELETE FROM lockouts WHERE name = ? AND until > ?",
                               &st)) < 0)
        return ret;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, sv__cat_now());
    ret = sqlite3_step(st) == SQLITE_DONE ? sqlite3_changes(cat->db) > 0 : SV_ERR_IO;
    sqlite3_finalize(st);
    /* Past lockouts are only history: drop them too. */
    sv__cat_exec(cat, "DELETE FROM lockouts WHERE until <= strftime('%s', 'now')");
    return ret;
}

static void bind_opt(sqlite3_stmt *st, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

int sv__sqlite_audit_add(sv__catalog *cat, const sv__audit_rec *r)
{
    sqlite3_stmt *st;
    int ret;

    if ((ret = sv__cat_prepare(cat, "INSERT INTO audit (at, actor, actor_id, role, action, "
                               "target, peer, status, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                               &st)) < 0)
        return ret;
    sqlite3_bind_int64(st, 1, sv__cat_now());
    bind_opt(st, 2, r->actor ? r->actor : "-");
    if (r->actor_id > 0)
        sqlite3_bind_int64(st, 3, r->actor_id);
    else
        sqlite3_bind_null(st, 3);
    sqlite3_bind_text(st, 4, sv__role_name(r->role), -1, SQLITE_STATIC);
    bind_opt(st, 5, r->action);
    bind_opt(st, 6, r->target);
    bind_opt(st, 7, r->peer ? r->peer : "-");
    sqlite3_bind_int(st, 8, r->status);
    bind_opt(st, 9, r->detail);
    ret = sqlite3_step(st) == SQLITE_DONE ? 0 : SV_ERR_IO;
    sqlite3_finalize(st);
    return ret;
}

static json_t *text_or_null(sqlite3_stmt *st, int i)
{
    const char *v = (const char *)sqlite3_column_text(st, i);

    return v ? json_string(v) : json_null();
}

json_t *sv__sqlite_audit_list(sv__catalog *cat, int64_t before_id, int limit)
{
    sqlite3_stmt *st;
    json_t *arr = json_array();
    int rc;

    if (!arr || sv__cat_prepare(cat, "SELECT id, at, actor, actor_id, role, action, target, "
                                "peer, status, detail FROM audit WHERE id < ? "
                                "ORDER BY id DESC LIMIT ?", &st) < 0) {
        json_decref(arr);
        return NULL;
    }
    sqlite3_bind_int64(st, 1, before_id > 0 ? before_id : INT64_MAX);
    sqlite3_bind_int(st, 2, limit);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        char at[32];
        json_t *o;

        sv__cat_iso8601(sqlite3_column_int64(st, 1), at, sizeof(at));
        o = json_pack("{s:I,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:i,s:o}", "id",
                      (json_int_t)sqlite3_column_int64(st, 0), "at", at, "actor",
                      text_or_null(st, 2), "actor_id",
                      sqlite3_column_type(st, 3) == SQLITE_NULL
                          ? json_null()
                          : json_integer(sqlite3_column_int64(st, 3)),
                      "role", text_or_null(st, 4), "action", text_or_null(st, 5), "target",
                      text_or_null(st, 6), "peer", text_or_null(st, 7), "status",
                      sqlite3_column_int(st, 8), "detail", text_or_null(st, 9));
        json_array_append_new(arr, o);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        json_decref(arr);
        return NULL;
    }
    return arr;
}
