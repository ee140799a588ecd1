/*
 * catalog_pg_keys.c - the title_keys rows (wrapped content keys, bytea) and
 * a title's DRM scheme (titles.drm) on PostgreSQL. Same codes as
 * catalog_sqlite_keys.c; only wrapped keys reach the database (keys.c).
 */
#include <stdio.h>
#include <string.h>

#include "backend/catalog_pg.h"
#include "backend/keys.h"
#include "streamverse/common.h"

int sv__pg_key_insert(sv__catalog *cat, int64_t title_id, const uint8_t kid[16],
                      const uint8_t *wrapped, size_t len)
{
    if (sv__pg_run(cat, "INSERT INTO title_keys (title_id, kid, wrapped_key, created)"
                        " VALUES ($1, $2, $3, $4)", "ibbi", title_id, kid, (size_t)16, wrapped,
                   len, sv__cat_now()) == 1)
        return 0;
    /* Class 23, integrity constraint violation: a KID collision or an
     * unknown title, SQLite's SQLITE_CONSTRAINT. */
    return !strncmp(sv__pg_sqlstate(cat), "23", 2) ? SV_ERR_STATE : SV_ERR_IO;
}

/* Copies the bytea of column col (its length in column col + 1) into
 * out[cap]: SV_ERR_OVERFLOW, like SQLite, when it does not fit. */
static int bytes_out(const PGresult *r, int col, uint8_t *out, size_t cap, size_t *len)
{
    int n;

    if ((size_t)sv__pg_int(r, 0, col + 1) > cap)
        return SV_ERR_OVERFLOW;
    if ((n = sv__pg_bytes(r, 0, col, out, cap)) < 0)
        return SV_ERR_IO;
    *len = (size_t)n;
    return 0;
}

int sv__pg_key_by_title(sv__catalog *cat, int64_t title_id, uint8_t kid[16], uint8_t *wrapped,
                        size_t cap, size_t *len)
{
    /* The oldest key: SQLite breaks ties by rowid, here by the row's place
     * in the table (append-only, so the order of insertion). */
    PGresult *r = sv__pg_query(cat, "SELECT kid, length(kid), wrapped_key, length(wrapped_key)"
                                    " FROM title_keys WHERE title_id = $1"
                                    " ORDER BY created, ctid LIMIT 1", "i", title_id);
    size_t kid_len = 0;
    int ret = SV_ERR_NOT_FOUND;

    if (!r)
        return SV_ERR_IO;
    if (PQntuples(r) == 1) {
        ret = bytes_out(r, 0, kid, 16, &kid_len);
        if (ret == 0 && kid_len != 16)
            ret = SV_ERR_IO;
        if (ret == 0)
            ret = bytes_out(r, 2, wrapped, cap, len);
    }
    PQclear(r);
    return ret;
}

int sv__pg_key_by_kid(sv__catalog *cat, const uint8_t kid[16], int64_t *title_id,
                      uint8_t *wrapped, size_t cap, size_t *len)
{
    PGresult *r = sv__pg_query(cat, "SELECT title_id, wrapped_key, length(wrapped_key)"
                                    " FROM title_keys WHERE kid = $1", "b", kid, (size_t)16);
    int ret = SV_ERR_NOT_FOUND;

    if (!r)
        return SV_ERR_IO;
    if (PQntuples(r) == 1) {
        *title_id = sv__pg_int(r, 0, 0);
        ret = bytes_out(r, 1, wrapped, cap, len);
    }
    PQclear(r);
    return ret;
}

int sv__pg_title_set_drm(sv__catalog *cat, int64_t title_id, const char *drm)
{
    int n;

    if (!sv__drm_scheme_valid(drm))
        return SV_ERR_INVALID;
    n = sv__pg_run(cat, "UPDATE titles SET drm = $1 WHERE id = $2", "si", drm, title_id);
    return n < 0 ? SV_ERR_IO : n == 1 ? 0 : SV_ERR_NOT_FOUND;
}

int sv__pg_title_drm(sv__catalog *cat, int64_t title_id, char *out, size_t cap)
{
    PGresult *r = sv__pg_query(cat, "SELECT drm FROM titles WHERE id = $1", "i", title_id);
    int ret = SV_ERR_NOT_FOUND;

    if (!r)
        return SV_ERR_IO;
    if (PQntuples(r) == 1) {
        const char *s = sv__pg_text(r, 0, 0);
        size_t n = strlen(s);

        ret = n < cap ? 0 : SV_ERR_OVERFLOW;
        if (ret == 0)
            memcpy(out, s, n + 1);
    }
    PQclear(r);
    return ret;
}
