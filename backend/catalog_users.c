/*
 * catalog_users.c - user accounts with scrypt password hashes (accounts.h).
 */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/accounts.h"
#include "backend/catalog_internal.h"
#include "streamverse/common.h"

#define SALT_LEN 16
#define HASH_LEN 32
#define KDF_N 16384
#define KDF_R 8
#define KDF_P 1
#define KDF_MAXMEM (64u << 20)

int sv__user_name_ok(const char *name)
{
    size_t n = strlen(name);

    if (n == 0 || n > 63)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '@' || c == '-'))
            return 0;
    }
    return 1;
}

int sv__region_ok(const char *r)
{
    return strlen(r) == 2 && r[0] >= 'A' && r[0] <= 'Z' && r[1] >= 'A' && r[1] <= 'Z';
}

const char *sv__role_name(int role)
{
    switch (role) {
    case SV__ROLE_VIEWER: return "viewer";
    case SV__ROLE_OPERATOR: return "operator";
    case SV__ROLE_ADMIN: return "admin";
    default: return "anonymous";
    }
}

int sv__role_parse(const char *s)
{
    for (int r = SV__ROLE_VIEWER; r <= SV__ROLE_ADMIN; r++)
        if (!strcmp(s, sv__role_name(r)))
            return r;
    return -1;
}

static int kdf(const char *password, const uint8_t *salt, size_t salt_len, uint64_t n,
               uint64_t r, uint64_t p, uint8_t out[HASH_LEN])
{
    if (!EVP_PBE_scrypt(password, strlen(password), salt, salt_len, n, r, p, KDF_MAXMEM, out,
                        HASH_LEN))
        return SV_ERR_INTERNAL;
    return 0;
}

int sv__pw_record_new(const char *password, sv__pw_record *rec)
{
    size_t plen = strlen(password);

    memset(rec, 0, sizeof(*rec));
    if (plen < 8 || plen > 1024)
        return SV_ERR_INVALID;
    rec->salt_len = SALT_LEN;
    rec->n = KDF_N;
    rec->r = KDF_R;
    rec->p = KDF_P;
    if (RAND_bytes(rec->salt, SALT_LEN) != 1)
        return SV_ERR_INTERNAL;
    return kdf(password, rec->salt, rec->salt_len, rec->n, rec->r, rec->p, rec->hash);
}

void sv__pw_record_dummy(sv__pw_record *rec)
{
    memset(rec, 0, sizeof(*rec));
    rec->salt_len = SALT_LEN;
    rec->n = KDF_N;
    rec->r = KDF_R;
    rec->p = KDF_P;
}

int sv__pw_check(const char *password, const sv__pw_record *rec)
{
    uint8_t hash[HASH_LEN];
    int ret;

    if ((ret = kdf(password, rec->salt, rec->salt_len, rec->n, rec->r, rec->p, hash)) < 0)
        return ret;
    ret = CRYPTO_memcmp(hash, rec->hash, HASH_LEN) == 0 ? 0 : SV_ERR_FORBIDDEN;
    OPENSSL_cleanse(hash, sizeof(hash));
    return ret;
}

int sv__catalog_user_insert(sv__catalog *cat, const char *name, const sv__pw_record *rec,
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

int sv__catalog_user_add(sv__catalog *cat, const char *name, const char *password,
                         const char *region, int max_streams, int role, int64_t *id)
{
    sv__pw_record rec;
    int ret;

    if (!sv__user_name_ok(name) || !sv__region_ok(region) || max_streams < 0 ||
        max_streams > 100 || role < SV__ROLE_VIEWER || role > SV__ROLE_ADMIN)
        return SV_ERR_INVALID;
    if ((ret = sv__pw_record_new(password, &rec)) == 0)
        ret = sv__catalog_user_insert(cat, name, &rec, region, max_streams, role, id);
    OPENSSL_cleanse(&rec, sizeof(rec));
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

int sv__catalog_user_find(sv__catalog *cat, const char *name, sv__user *out,
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

int sv__catalog_user_login(sv__catalog *cat, const char *name, const char *password,
                           sv__user *out)
{
    sv__pw_record rec;
    sv__user u;
    int found, ret;

    found = sv__catalog_user_find(cat, name, &u, &rec);
    if (found < 0 && found != SV_ERR_NOT_FOUND)
        return found;
    /* Same work as for a real user: timing does not reveal names. */
    ret = sv__pw_check(password, &rec);
    OPENSSL_cleanse(&rec, sizeof(rec));
    if (ret < 0 && ret != SV_ERR_FORBIDDEN)
        return ret;
    if (ret < 0 || found < 0)
        return SV_ERR_FORBIDDEN;
    *out = u;
    return 0;
}

int sv__catalog_user_get(sv__catalog *cat, int64_t id, sv__user *out)
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

int sv__catalog_user_set_role(sv__catalog *cat, const char *name, int role)
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

json_t *sv__catalog_users_list(sv__catalog *cat)
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
