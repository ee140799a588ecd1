/*
 * catalog_pg_breaks.c - ad breaks (breaks.h) on PostgreSQL. Same codes as
 * catalog_sqlite_breaks.c. Schema: catalog_pg.c, versions 5, 7 and 8.
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
                                    " coalesce(asset_title_id, 0),"
                                    " (SELECT count(*) FROM ad_impressions i"
                                    "  WHERE i.break_id = ad_breaks.id)"
                                    " FROM ad_breaks WHERE title_id = $1 ORDER BY at_s, id", "i", title_id);
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
        b->impressions = sv__pg_int(r, row, 6);
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

int sv__pg_ad_impressions_add(sv__catalog *cat, const char *session_id, int64_t title_id,
                              const sv__ad_impression *a, int n)
{
    int done = 0;
    for (int i = 0; i < n; i++) {
        int k = sv__pg_run(cat, "INSERT INTO ad_impressions (break_id, session_id, start_s,"
                                " created) SELECT id, $1, $2, $3 FROM ad_breaks"
                                " WHERE id = $4 AND title_id = $5 ON CONFLICT DO NOTHING",
                           "sdiii", session_id, a[i].start_s, sv__cat_now(), a[i].break_id,
                           title_id);
        if (k < 0)
            return SV_ERR_IO;
        done += k;
    }
    return done;
}
