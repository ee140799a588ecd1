/*
 * catalog_pg_users.c - user accounts in the PostgreSQL catalog (accounts.h).
 * Same checks, error codes and JSON as catalog_sqlite_users.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/accounts.h"
#include "backend/catalog_pg.h"
#include "streamverse/common.h"

#define HASH_LEN ((int)sizeof(((sv__pw_record *)0)->hash))

#define USER_COLUMNS "id, name, region, max_streams, role"

int sv__pg_user_insert(sv__catalog *cat, const char *name, const sv__pw_record *rec,
                       const char *region, int max_streams, int role, int64_t *id)
{
    char params[64];
    PGresult *r;

    if (!sv__user_name_ok(name) || !sv__region_ok(region) || max_streams < 0 ||
        max_streams > 100 || role < SV__ROLE_VIEWER || role > SV__ROLE_ADMIN)
        return SV_ERR_INVALID;
    snprintf(params, sizeof(params), "scrypt:%llu:%llu:%llu", (unsigned long long)rec->n,
             (unsigned long long)rec->r, (unsigned long long)rec->p);
    r = sv__pg_query(cat, "INSERT INTO users (name, pw_salt, pw_hash, pw_kdf, region,"
                          " max_streams, created, role) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
                          " RETURNING id",
                     "sbbssiis", name, rec->salt, rec->salt_len, rec->hash, (size_t)HASH_LEN,
                     params, region, (int64_t)max_streams, sv__cat_now(), sv__role_name(role));
    if (!r)
        /* Class 23, integrity constraint violation (the name's unique
         * index): SQLite's SQLITE_CONSTRAINT, the name exists. */
        return !strncmp(sv__pg_sqlstate(cat), "23", 2) ? SV_ERR_STATE : SV_ERR_IO;
    *id = sv__pg_int(r, 0, 0);
    PQclear(r);
    return 0;
}

/* Row `row` of a result whose first columns are USER_COLUMNS. */
static void fill_user(const PGresult *r, int row, sv__user *out)
{
    memset(out, 0, sizeof(*out));
    out->id = sv__pg_int(r, row, 0);
    snprintf(out->name, sizeof(out->name), "%s", sv__pg_text(r, row, 1));
    snprintf(out->region, sizeof(out->region), "%s", sv__pg_text(r, row, 2));
    out->max_streams = (int)sv__pg_int(r, row, 3);
    out->role = sv__role_parse(sv__pg_text(r, row, 4));
    if (out->role < 0)
        out->role = SV__ROLE_VIEWER;
}

int sv__pg_user_find(sv__catalog *cat, const char *name, sv__user *out, sv__pw_record *rec)
{
    PGresult *r;
    uint8_t hash[sizeof(rec->hash)];
    unsigned long long n, rr, p;
    int salt_len, hash_len, ret = SV_ERR_NOT_FOUND;

    sv__pw_record_dummy(rec);
    if (!(r = sv__pg_query(cat, "SELECT " USER_COLUMNS ", pw_salt, pw_hash, pw_kdf"
                                " FROM users WHERE name = $1", "s", name)))
        return SV_ERR_IO;
    if (PQntuples(r) == 0)
        goto out;
    ret = SV_ERR_IO; /* below: a row this code did not write */
    salt_len = sv__pg_bytes(r, 0, 5, rec->salt, sizeof(rec->salt));
    hash_len = sv__pg_bytes(r, 0, 6, hash, sizeof(hash));
    if (sscanf(sv__pg_text(r, 0, 7), "scrypt:%llu:%llu:%llu", &n, &rr, &p) != 3 ||
        hash_len != HASH_LEN || salt_len <= 0) {
        sv__pw_record_dummy(rec); /* the salt may be half overwritten */
        goto out;
    }
    rec->salt_len = (size_t)salt_len;
    memcpy(rec->hash, hash, HASH_LEN);
    rec->n = n;
    rec->r = rr;
    rec->p = p;
    fill_user(r, 0, out);
    ret = 0;
out:
    PQclear(r);
    return ret;
}

int sv__pg_user_get(sv__catalog *cat, int64_t id, sv__user *out)
{
    PGresult *r = sv__pg_query(cat, "SELECT " USER_COLUMNS " FROM users WHERE id = $1", "i", id);
    int ret = SV_ERR_NOT_FOUND;

    if (!r)
        return SV_ERR_IO;
    if (PQntuples(r) == 1) {
        fill_user(r, 0, out);
        ret = 0;
    }
    PQclear(r);
    return ret;
}

int sv__pg_user_set_role(sv__catalog *cat, const char *name, int role)
{
    int n;

    if (role < SV__ROLE_VIEWER || role > SV__ROLE_ADMIN)
        return SV_ERR_INVALID;
    n = sv__pg_run(cat, "UPDATE users SET role = $1 WHERE name = $2", "ss", sv__role_name(role),
                   name);
    return n < 0 ? SV_ERR_IO : n == 0 ? SV_ERR_NOT_FOUND : 0;
}

json_t *sv__pg_users_list(sv__catalog *cat)
{
    PGresult *r = sv__pg_query(cat, "SELECT " USER_COLUMNS ", created FROM users ORDER BY id", "");
    json_t *arr = NULL;

    if (!r || !(arr = json_array()))
        goto out;
    for (int i = 0; i < PQntuples(r); i++) {
        sv__user u;
        char at[32];

        fill_user(r, i, &u);
        sv__cat_iso8601(sv__pg_int(r, i, 5), at, sizeof(at));
        json_array_append_new(arr, json_pack("{s:I,s:s,s:s,s:i,s:s,s:s}", "id", (json_int_t)u.id,
                                             "name", u.name, "region", u.region, "max_streams",
                                             u.max_streams, "role", sv__role_name(u.role),
                                             "created", at));
    }
out:
    PQclear(r);
    return arr;
}
