/*
 * catalog_sqlite_breaks.c - ad breaks (breaks.h) in the SQLite catalog.
 * Schema: catalog_sqlite.c, versions 9, 11 and 12.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "backend/catalog_sqlite.h"
#include "streamverse/common.h"

int sv__sqlite_break_add(sv__catalog *cat, sv__ad_break *b)
{
    sqlite3_stmt *st = NULL;
    int ret, rc;

    b->created = sv__cat_now();
    if ((ret = sv__cat_prepare(cat, "INSERT INTO ad_breaks (title_id, at_s, duration_s, class,"
                                    " created, asset_title_id)"
                                    " VALUES (?, ?, ?, ?, ?, NULLIF(?, 0))", &st)) < 0)
        return ret;
    sqlite3_bind_int64(st, 1, b->title_id);
    sqlite3_bind_double(st, 2, b->at_s);
    sqlite3_bind_double(st, 3, b->duration_s);
    sqlite3_bind_text(st, 4, b->cls, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, b->created);
    sqlite3_bind_int64(st, 6, b->asset_title_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        b->id = sqlite3_last_insert_rowid(cat->db);
        ret = 0;
    } else {
        ret = sqlite3_extended_errcode(cat->db) == SQLITE_CONSTRAINT_FOREIGNKEY ? SV_ERR_NOT_FOUND
                                                                                : SV_ERR_IO;
    }
    sqlite3_finalize(st);
    return ret;
}

int sv__sqlite_breaks(sv__catalog *cat, int64_t title_id, sv__ad_break *out, int cap)
{
    sqlite3_stmt *st = NULL;
    int n = 0, rc = SQLITE_DONE, ret;

    if ((ret = sv__cat_prepare(cat, "SELECT id, at_s, duration_s, class, created,"
                                    " coalesce(asset_title_id, 0),"
                                    " (SELECT count(*) FROM ad_impressions i"
                                    "  WHERE i.break_id = ad_breaks.id)"
                                    " FROM ad_breaks WHERE title_id = ? ORDER BY at_s, id", &st)) < 0)
        return ret;
    sqlite3_bind_int64(st, 1, title_id);
    while (n < cap && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        sv__ad_break *b = &out[n++];
        memset(b, 0, sizeof(*b));
        b->id = sqlite3_column_int64(st, 0);
        b->title_id = title_id;
        b->at_s = sqlite3_column_double(st, 1);
        b->duration_s = sqlite3_column_double(st, 2);
        snprintf(b->cls, sizeof(b->cls), "%s", (const char *)sqlite3_column_text(st, 3));
        b->created = sqlite3_column_int64(st, 4);
        b->asset_title_id = sqlite3_column_int64(st, 5);
        b->impressions = sqlite3_column_int64(st, 6);
    }
    if (n < cap && rc != SQLITE_DONE)
        n = SV_ERR_IO;
    sqlite3_finalize(st);
    return n;
}

int sv__sqlite_break_remove(sv__catalog *cat, int64_t title_id, int64_t id)
{
    sqlite3_stmt *st = NULL;
    int ret;

    if ((ret = sv__cat_prepare(cat, "DELETE FROM ad_breaks WHERE id = ? AND title_id = ?",
                               &st)) < 0)
        return ret;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, title_id);
    ret = sqlite3_step(st) != SQLITE_DONE ? SV_ERR_IO
          : sqlite3_changes(cat->db) == 0 ? SV_ERR_NOT_FOUND : 0;
    sqlite3_finalize(st);
    return ret;
}

int sv__sqlite_ad_impressions_add(sv__catalog *cat, const char *session_id, int64_t title_id,
                                  const sv__ad_impression *a, int n)
{
    sqlite3_stmt *st = NULL;
    int ret, done = 0;

    if ((ret = sv__cat_prepare(cat, "INSERT OR IGNORE INTO ad_impressions (break_id, session_id,"
                                    " start_s, created) SELECT id, ?, ?, ? FROM ad_breaks"
                                    " WHERE id = ? AND title_id = ?", &st)) < 0)
        return ret;
    for (int i = 0; i < n && ret == 0; i++) {
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, session_id, -1, SQLITE_STATIC);
        sqlite3_bind_double(st, 2, a[i].start_s);
        sqlite3_bind_int64(st, 3, sv__cat_now());
        sqlite3_bind_int64(st, 4, a[i].break_id);
        sqlite3_bind_int64(st, 5, title_id);
        if (sqlite3_step(st) != SQLITE_DONE)
            ret = SV_ERR_IO;
        else
            done += sqlite3_changes(cat->db);
    }
    sqlite3_finalize(st);
    return ret < 0 ? ret : done;
}
