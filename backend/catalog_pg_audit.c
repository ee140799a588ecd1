/*
 * catalog_pg_audit.c - login lockouts and the append-only audit log
 * (accounts.h) on PostgreSQL. Same codes and JSON as catalog_sqlite_audit.c;
 * the migration's trigger refuses UPDATE and DELETE on audit.
 */
#include <stdint.h>
#include <stdio.h>

#include "backend/accounts.h"
#include "backend/catalog_pg.h"
#include "streamverse/common.h"

int sv__pg_lockout_get(sv__catalog *cat, const char *name, int64_t *until)
{
    PGresult *r = sv__pg_query(cat, "SELECT until FROM lockouts WHERE name = $1 AND until > $2",
                               "si", name, sv__cat_now());

    *until = 0;
    if (!r)
        return SV_ERR_IO;
    if (PQntuples(r) == 1)
        *until = sv__pg_int(r, 0, 0);
    PQclear(r);
    return 0;
}

int sv__pg_lockout_set(sv__catalog *cat, const char *name, int64_t until, int failures)
{
    /* SQLite's INSERT OR REPLACE: the row is the latest lockout. */
    return sv__pg_run(cat, "INSERT INTO lockouts (name, until, failures, since)"
                           " VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO UPDATE SET"
                           " until = excluded.until, failures = excluded.failures,"
                           " since = excluded.since",
                      "siii", name, until, (int64_t)failures, sv__cat_now()) < 0
               ? SV_ERR_IO
               : 0;
}

int sv__pg_lockout_clear(sv__catalog *cat, const char *name)
{
    int n;

    /* Past lockouts are only history: they go in the same statement (the
     * count is the named lockout's alone). */
    n = sv__pg_run(cat, "WITH past AS (DELETE FROM lockouts WHERE until <= $2)"
                        " DELETE FROM lockouts WHERE name = $1 AND until > $2",
                   "si", name, sv__cat_now());
    return n < 0 ? SV_ERR_IO : n > 0;
}

int sv__pg_audit_add(sv__catalog *cat, const sv__audit_rec *r)
{
    return sv__pg_run(cat, "INSERT INTO audit (at, actor, actor_id, role, action, target, peer,"
                           " status, detail) VALUES ($1, $2, CASE WHEN $3::bigint > 0 THEN"
                           " $3::bigint END, $4, $5, $6, $7, $8, $9)",
                      "isissssis", sv__cat_now(), r->actor ? r->actor : "-", r->actor_id,
                      sv__role_name(r->role), r->action, r->target, r->peer ? r->peer : "-",
                      (int64_t)r->status, r->detail) == 1
               ? 0
               : SV_ERR_IO;
}

static json_t *text_or_null(const PGresult *r, int row, int col)
{
    return sv__pg_null(r, row, col) ? json_null() : json_string(sv__pg_text(r, row, col));
}

json_t *sv__pg_audit_list(sv__catalog *cat, int64_t before_id, int limit)
{
    PGresult *r = sv__pg_query(cat, "SELECT id, at, actor, actor_id, role, action, target, peer,"
                                    " status, detail FROM audit WHERE id < $1"
                                    " ORDER BY id DESC LIMIT $2",
                               "ii", before_id > 0 ? before_id : INT64_MAX, (int64_t)limit);
    json_t *arr = NULL;

    if (!r || !(arr = json_array()))
        goto out;
    for (int i = 0; i < PQntuples(r); i++) {
        char at[32];

        sv__cat_iso8601(sv__pg_int(r, i, 1), at, sizeof(at));
        json_array_append_new(
            arr, json_pack("{s:I,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:i,s:o}", "id",
                           (json_int_t)sv__pg_int(r, i, 0), "at", at, "actor",
                           text_or_null(r, i, 2), "actor_id",
                           sv__pg_null(r, i, 3) ? json_null() : json_integer(sv__pg_int(r, i, 3)),
                           "role", text_or_null(r, i, 4), "action", text_or_null(r, i, 5),
                           "target", text_or_null(r, i, 6), "peer", text_or_null(r, i, 7),
                           "status", (int)sv__pg_int(r, i, 8), "detail", text_or_null(r, i, 9)));
    }
out:
    PQclear(r);
    return arr;
}
