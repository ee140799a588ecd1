/*
 * catalog_pg_offline.c - offline licenses (catalog.h) on PostgreSQL. Same
 * codes as catalog_sqlite_offline.c. Schema: catalog_pg.c, version 9.
 */
#include <stdio.h>
#include <string.h>

#include "backend/catalog_pg.h"
#include "streamverse/common.h"

int sv__pg_offline_add(sv__catalog *cat, const sv__offline_license *l, int max_devices,
                       int64_t now)
{
    int n = sv__pg_run(cat,
                       "INSERT INTO offline_licenses (id, user_id, title_id, device_id, created,"
                       " expires) SELECT $1::text, $2::bigint, $3::bigint, $4::text, $5::bigint,"
                       " $6::bigint WHERE EXISTS (SELECT 1 FROM offline_licenses WHERE user_id ="
                       " $2::bigint AND device_id = $4::text AND revoked = 0 AND expires >"
                       " $7::bigint) OR (SELECT count(DISTINCT device_id) FROM offline_licenses"
                       " WHERE user_id = $2::bigint AND revoked = 0 AND expires > $7::bigint)"
                       " < $8::bigint",
                       "siisiiii", l->id, l->user_id, l->title_id, l->device_id, l->created,
                       l->expires, now, (int64_t)max_devices);
    if (n < 0)
        return !strcmp(sv__pg_sqlstate(cat), "23503") ? SV_ERR_NOT_FOUND : SV_ERR_IO;
    return n == 1 ? 0 : SV_ERR_OVERFLOW;
}

int sv__pg_offline_get(sv__catalog *cat, const char *id, sv__offline_license *out)
{
    PGresult *r = sv__pg_query(cat, "SELECT user_id, title_id, device_id, created, expires,"
                                    " revoked FROM offline_licenses WHERE id = $1", "s", id);
    if (!r)
        return SV_ERR_IO;
    int ret = SV_ERR_NOT_FOUND;
    if (PQntuples(r) == 1) {
        memset(out, 0, sizeof(*out));
        snprintf(out->id, sizeof(out->id), "%s", id);
        out->user_id = sv__pg_int(r, 0, 0);
        out->title_id = sv__pg_int(r, 0, 1);
        snprintf(out->device_id, sizeof(out->device_id), "%s", sv__pg_text(r, 0, 2));
        out->created = sv__pg_int(r, 0, 3);
        out->expires = sv__pg_int(r, 0, 4);
        out->revoked = (int)sv__pg_int(r, 0, 5);
        ret = 0;
    }
    PQclear(r);
    return ret;
}

int sv__pg_offline_revoke(sv__catalog *cat, const char *id, int64_t title_id, int64_t user_id)
{
    int n = sv__pg_run(cat, "UPDATE offline_licenses SET revoked = 1 WHERE id = $1"
                            " AND title_id = $2::bigint AND ($3::bigint < 0 OR user_id = $3::bigint)",
                       "sii", id, title_id, user_id);
    return n < 0 ? SV_ERR_IO : n == 0 ? SV_ERR_NOT_FOUND : 0;
}
