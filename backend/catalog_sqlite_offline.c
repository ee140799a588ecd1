/*
 * catalog_sqlite_offline.c - offline licenses (catalog.h) in the SQLite
 * catalog. Schema: catalog_sqlite.c, version 13.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "backend/catalog_sqlite.h"
#include "streamverse/common.h"

/* The insert happens only while the account's live licenses span fewer
 * than the limit's devices, or this device is among them. */
#define ADD_SQL                                                                              \
    "INSERT INTO offline_licenses (id, user_id, title_id, device_id, created, expires)"     \
    " SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE EXISTS (SELECT 1 FROM offline_licenses"          \
    "   WHERE user_id = ?2 AND device_id = ?4 AND revoked = 0 AND expires > ?7)"           \
    " OR (SELECT count(DISTINCT device_id) FROM offline_licenses"                          \
    "   WHERE user_id = ?2 AND revoked = 0 AND expires > ?7) < ?8"

int sv__sqlite_offline_add(sv__catalog *cat, const sv__offline_license *l, int max_devices,
                           int64_t now)
{
    sqlite3_stmt *st = NULL;
    int ret, rc;

    if ((ret = sv__cat_prepare(cat, ADD_SQL, &st)) < 0)
        return ret;
    sqlite3_bind_text(st, 1, l->id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, l->user_id);
    sqlite3_bind_int64(st, 3, l->title_id);
    sqlite3_bind_text(st, 4, l->device_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, l->created);
    sqlite3_bind_int64(st, 6, l->expires);
    sqlite3_bind_int64(st, 7, now);
    sqlite3_bind_int(st, 8, max_devices);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE)
        ret = sqlite3_changes(cat->db) == 1 ? 0 : SV_ERR_OVERFLOW;
    else
        ret = sqlite3_extended_errcode(cat->db) == SQLITE_CONSTRAINT_FOREIGNKEY ? SV_ERR_NOT_FOUND
                                                                                : SV_ERR_IO;
    sqlite3_finalize(st);
    return ret;
}

int sv__sqlite_offline_get(sv__catalog *cat, const char *id, sv__offline_license *out)
{
    sqlite3_stmt *st = NULL;
    int ret, rc;

    if ((ret = sv__cat_prepare(cat, "SELECT user_id, title_id, device_id, created, expires,"
                                    " revoked FROM offline_licenses WHERE id = ?", &st)) < 0)
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
        out->created = sqlite3_column_int64(st, 3);
        out->expires = sqlite3_column_int64(st, 4);
        out->revoked = sqlite3_column_int(st, 5);
        ret = 0;
    } else {
        ret = rc == SQLITE_DONE ? SV_ERR_NOT_FOUND : SV_ERR_IO;
    }
    sqlite3_finalize(st);
    return ret;
}

int sv__sqlite_offline_revoke(sv__catalog *cat, const char *id, int64_t title_id,
                              int64_t user_id)
{
    sqlite3_stmt *st = NULL;
    int ret;

    if ((ret = sv__cat_prepare(cat, "UPDATE offline_licenses SET revoked = 1 WHERE id = ?"
                                    " AND title_id = ? AND (? < 0 OR user_id = ?)", &st)) < 0)
        return ret;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, title_id);
    sqlite3_bind_int64(st, 3, user_id);
    sqlite3_bind_int64(st, 4, user_id);
    ret = sqlite3_step(st) != SQLITE_DONE ? SV_ERR_IO
          : sqlite3_changes(cat->db) == 0 ? SV_ERR_NOT_FOUND : 0;
    sqlite3_finalize(st);
    return ret;
}
