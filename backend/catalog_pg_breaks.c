/*
 * catalog_pg_breaks.c - ad breaks (breaks.h) on PostgreSQL. Same codes as
 * catalog_sqlite_breaks.c. Schema: catalog_pg.c, versions 5 and 7.
 */
#include <stdio.h>
#include <string.h>

#include "backend/catalog_pg.h"
#include "streamverse/common.h"

int sv__pg_break_add(sv__catalog *cat, sv__ad_break *b)
{
    b->created = sv__cat_now();
    PGresult *r = sv__pg_query(cat, "INSERT INTO ad_breaks (title_id, at_s, duration_s, class,"
                                    " created, asset_title_id)"
                                    " VALUES ($1, $2, $3, $4, $5, NULLIF($6, 0)) RETURNING id",
                               "iddsii", b->title_id, b->at_s, b->duration_s, b->cls, b->created,
                               b->asset_title_id);
    if (!r)
        return !strcmp(sv__pg_sqlstate(cat), "23503") ? SV_ERR_NOT_FOUND : SV_ERR_IO;
    b->id = sv__pg_int(r, 0, 0);
    PQclear(r);
    return 0;
}

int sv__pg_breaks(sv__catalog *cat, int64_t title_id, sv__ad_break *out, int cap)
{
    PGresult *r = sv__pg_query(cat, "SELECT id, at_s, duration_s, class, created,"
                                    " coalesce(asset_title_id, 0) FROM ad_breaks"
                                    " WHERE title_id = $1 ORDER BY at_s, id", "i", title_id);
    int n = 0;

    if (!r)
        return SV_ERR_IO;
    for (int row = 0; row < PQntuples(r) && n < cap; row++, n++) {
        sv__ad_break *b = &out[n];
        memset(b, 0, sizeof(*b));
        b->id = sv__pg_int(r, row, 0);
        b->title_id = title_id;
        b->at_s = sv__pg_double(r, row, 1);
        b->duration_s = sv__pg_double(r, row, 2);
        snprintf(b->cls, sizeof(b->cls), "%s", sv__pg_text(r, row, 3));
        b->created = sv__pg_int(r, row, 4);
        b->asset_title_id = sv__pg_int(r, row, 5);
    }
    PQclear(r);
    return n;
}

int sv__pg_break_remove(sv__catalog *cat, int64_t title_id, int64_t id)
{
    int n = sv__pg_run(cat, "DELETE FROM ad_breaks WHERE id = $1 AND title_id = $2", "ii", id,
                       title_id);
    return n < 0 ? SV_ERR_IO : n == 0 ? SV_ERR_NOT_FOUND : 0;
}
