/*
 * catalog_sqlite_users.c - user accounts in the SQLite catalog (accounts.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/accounts.h"
#include "backend/catalog_sqlite.h"
#include "streamverse/common.h"

#define HASH_LEN ((int)sizeof(((sv__pw_record *)0)->hash))

int sv__sqlite_user_insert(sv__catalog *cat, const char *name, const sv__pw_record *rec,
                            const char *region, int max_streams, int role, int64_t *id)
{
    char params[64];
    sqlite3_stmt *st = NULL;
    int ret, rc;

    if (!sv__user_name_ok(name) || !sv__region_ok(region) || max_streams < 0 ||
        max_streams > 100 || role < SV__ROLE_VIEWER || role > SV__ROLE_ADMIN)
        return SV_ERR_INVALID;
    snprintf(params, sizeof(params), "scrypt:%llu:%llu:%llu", (unsigned long long)rec->n,
             (unsigned long long)rec->r, (unsigned long long)rec->p);
    if ((ret = sv__cat_prepare(cat, "INSERT INTO users (name, pw_salt, pw_hash, pw_kdf, region, "
                               "max_streams, created, role) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                               &st)) < 0)
        return ret;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 2, rec->salt, (int)rec->salt_len, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 3, rec->hash, HASH_LEN, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, params, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, region, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 6, max_streams);
    sqlite3_bind_int64(st, 7, sv__cat_now());
    sqlite3_bind_text(st, 8, sv__role_name(role), -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_CONSTRAINT)
        ret = SV_ERR_STATE;
    else
        ret = rc == SQLITE_DONE ? 0 : SV_ERR_IO;
    if (ret == 0)
        *id = sqlite3_last_insert_rowid(cat->db);
    sqlite3_finalize(st);
    return ret;
}


#define USER_COLUMNS "id, name, region, max_streams, role"

static void fill_user(sqlite3_stmt *st, sv__user *out)
{
    const char *role = (const char *)sqlite3_column_text(st, 4);

    memset(out, 0, sizeof(*out));
    out->id = sqlite3_column_int64(st, 0);
    snprintf(out->name, sizeof(out->name), "%s", (const char *)sqlite3_column_text(st, 1));
    snprintf(out->region, sizeof(out->region), "%s", (const char *)sqlite3_column_text(st, 2));
    out->max_streams = sqlite3_column_int(st, 3);
    out->role = role ? sv__role_parse(role) : -1;
    if (out->role < 0)
        out->role = SV__ROLE_VIEWER;
}

int sv__sqlite_user_find(sv__catalog *cat, const char *name, sv__user *out,
                          sv__pw_record *rec)
{
    sqlite3_stmt *st = NULL;
    int ret, rc;

    sv__pw_record_dummy(rec);
    if ((ret = sv__cat_prepare(cat, "SELECT " USER_COLUMNS ", pw_salt, pw_hash, pw_kdf "
                               "FROM users WHERE name = ?", &st)) < 0)
        return ret;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const void *salt = sqlite3_column_blob(st, 5), *hash = sqlite3_column_blob(st, 6);
        int salt_len = sqlite3_column_bytes(st, 5), hash_len = sqlite3_column_bytes(st, 6);
        unsigned long long n, r, p;

        if (sscanf((const char *)sqlite3_column_text(st, 7), "scrypt:%llu:%llu:%llu", &n, &r,
                   &p) != 3 || hash_len != HASH_LEN || !salt || salt_len <= 0 ||
            (size_t)salt_len > sizeof(rec->salt)) {
            ret = SV_ERR_IO; /* a row this code did not write */
            goto fail;
        }
        memcpy(rec->salt, salt, (size_t)salt_len);
        rec->salt_len = (size_t)salt_len;
        memcpy(rec->hash, hash, HASH_LEN);
        rec->n = n;
        rec->r = r;
        rec->p = p;
        fill_user(st, out);
        ret = 0;
    } else {
        ret = rc == SQLITE_DONE ? SV_ERR_NOT_FOUND : SV_ERR_IO;
    }
fail:
    sqlite3_finalize(st);
    return ret;
}


int sv__sqlite_user_get(sv__catalog *cat, int64_t id, sv__user *out)
{
    sqlite3_stmt *st;
    int ret, rc;

    if ((ret = sv__cat_prepare(cat, "SELECT " USER_COLUMNS " FROM users WHERE id = ?",
                               &st)) < 0)
        return ret;
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        fill_user(st, out);
        ret = 0;
    } else {
        ret = rc == SQLITE_DONE ? SV_ERR_NOT_FOUND : SV_ERR_IO;
    }
    sqlite3_finalize(st);
    return ret;
}

int sv__sqlite_user_set_role(sv__catalog *cat, const char *name, int role)
{
    sqlite3_stmt *st;
    int ret;

    if (role < SV__ROLE_VIEWER || role > SV__ROLE_ADMIN)
        return SV_ERR_INVALID;
    if ((ret = sv__cat_prepare(cat, "UPDATE users SET role = ? WHERE name = ?", &st)) < 0)
        return ret;
    sqlite3_bind_text(st, 1, sv__role_name(role), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
    ret = sqlite3_step(st) == SQLITE_DONE ? 0 : SV_ERR_IO;
    if (ret == 0 && sqlite3_changes(cat->db) == 0)
        ret = SV_ERR_NOT_FOUND;
    sqlite3_finalize(st);
    return ret;
}

json_t *sv__sqlite_users_list(sv__catalog *cat)
{
    sqlite3_stmt *st;
    json_t *arr = json_array();
    int rc;

    if (!arr || sv__cat_prepare(cat, "SELECT " USER_COLUMNS ", created FROM users ORDER BY id",
                                &st) < 0) {
        json_decref(arr);
        return NULL;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        sv__user u;
        char at[32];

        fill_user(st, &u);
        sv__cat_iso8601(sqlite3_column_int64(st, 5), at, sizeof(at));
        json_array_append_new(arr, json_pack("{s:I,s:s,s:s,s:i,s:s,s:s}", "id", (json_int_t)u.id,
                                             "name", u.name, "region", u.region, "max_streams",
                                             u.max_streams, "role", sv__role_name(u.role),
                                             "created", at));
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        json_decref(arr);
        return NULL;
    }
    return arr;
}
