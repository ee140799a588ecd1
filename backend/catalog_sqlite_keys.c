/*
 * catalog_keys.c - the title_keys rows (wrapped content keys) and a title's
 * DRM scheme (titles.drm). Schema: catalog.c, version 2. Only wrapped keys
 * ever reach SQLite; keys.c does the wrapping.
 */
#include <string.h>

#include "backend/catalog_sqlite.h"
#include "backend/keys.h"
#include "streamverse/common.h"

int sv__drm_scheme_valid(const char *s)
{
    return s && (!strcmp(s, "none") || !strcmp(s, "cenc") || !strcmp(s, "cbcs"));
}

int sv__sqlite_key_insert(sv__catalog *cat, int64_t title_id, const uint8_t kid[16],
                           const uint8_t *wrapped, size_t len)
{
    sqlite3_stmt *st;
    int rc;

    if (sv__cat_prepare(cat, "INSERT INTO title_keys (title_id, kid, wrapped_key, created)"
                             " VALUES (?, ?, ?, ?)", &st) < 0)
        return SV_ERR_IO;
    sqlite3_bind_int64(st, 1, title_id);
    sqlite3_bind_blob(st, 2, kid, 16, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, wrapped, (int)len, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, sv__cat_now());
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return 0;
    /* A second key for the title, a KID collision or an unknown title. */
    return (rc & 0xff) == SQLITE_CONSTRAINT ? SV_ERR_STATE : SV_ERR_IO;
}

/* Copies a BLOB column into out[cap]. */
static int blob_out(sqlite3_stmt *st, int col, uint8_t *out, size_t cap, size_t *len)
{
    const void *p = sqlite3_column_blob(st, col);
    size_t n = (size_t)sqlite3_column_bytes(st, col);

    if (n > cap)
        return SV_ERR_OVERFLOW;
    if (n)
        memcpy(out, p, n);
    *len = n;
    return 0;
}

int sv__sqlite_key_by_title(sv__catalog *cat, int64_t title_id, uint8_t kid[16],
                             uint8_t *wrapped, size_t cap, size_t *len)
{
    sqlite3_stmt *st;
    int rc, ret = SV_ERR_IO;

    if (sv__cat_prepare(cat, "SELECT kid, wrapped_key FROM title_keys WHERE title_id = ?"
                             " ORDER BY created, rowid LIMIT 1", &st) < 0)
        return SV_ERR_IO;
    sqlite3_bind_int64(st, 1, title_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        size_t kid_len = 0;

        ret = blob_out(st, 0, kid, 16, &kid_len);
        if (ret == 0 && kid_len != 16)
            ret = SV_ERR_IO;
        if (ret == 0)
            ret = blob_out(st, 1, wrapped, cap, len);
    } else if (rc == SQLITE_DONE) {
        ret = SV_ERR_NOT_FOUND;
    }
    sqlite3_finalize(st);
    return ret;
}

int sv__sqlite_key_by_kid(sv__catalog *cat, const uint8_t kid[16], int64_t *title_id,
                           uint8_t *wrapped, size_t cap, size_t *len)
{
    sqlite3_stmt *st;
    int rc, ret = SV_ERR_IO;

    if (sv__cat_prepare(cat, "SELECT title_id, wrapped_key FROM title_keys WHERE kid = ?",
                        &st) < 0)
        return SV_ERR_IO;
    sqlite3_bind_blob(st, 1, kid, 16, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *title_id = sqlite3_column_int64(st, 0);
        ret = blob_out(st, 1, wrapped, cap, len);
    } else if (rc == SQLITE_DONE) {
        ret = SV_ERR_NOT_FOUND;
    }
    sqlite3_finalize(st);
    return ret;
}

int sv__sqlite_title_set_drm(sv__catalog *cat, int64_t title_id, const char *drm)
{
    sqlite3_stmt *st;
    int ret = SV_ERR_IO;

    if (!sv__drm_scheme_valid(drm))
        return SV_ERR_INVALID;
    if (sv__cat_prepare(cat, "UPDATE titles SET drm = ? WHERE id = ?", &st) < 0)
        return SV_ERR_IO;
    sqlite3_bind_text(st, 1, drm, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, title_id);
    if (sqlite3_step(st) == SQLITE_DONE)
        ret = sqlite3_changes(cat->db) == 1 ? 0 : SV_ERR_NOT_FOUND;
    sqlite3_finalize(st);
    return ret;
}

int sv__sqlite_title_drm(sv__catalog *cat, int64_t title_id, char *out, size_t cap)
{
    sqlite3_stmt *st;
    int rc, ret = SV_ERR_IO;

    if (sv__cat_prepare(cat, "SELECT drm FROM titles WHERE id = ?", &st) < 0)
        return SV_ERR_IO;
    sqlite3_bind_int64(st, 1, title_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const char *s = (const char *)sqlite3_column_text(st, 0);
        size_t n = s ? strlen(s) : 0;

        ret = n < cap ? 0 : SV_ERR_OVERFLOW;
        if (ret == 0) {
            memcpy(out, s ? s : "", n);
            out[n] = '\0';
        }
    } else if (rc == SQLITE_DONE) {
        ret = SV_ERR_NOT_FOUND;
    }
    sqlite3_finalize(st);
    return ret;
}
