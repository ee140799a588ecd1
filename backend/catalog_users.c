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

static int kdf(const char *password, const uint8_t *salt, size_t salt_len, uint64_t n,
               uint64_t r, uint64_t p, uint8_t out[HASH_LEN])
{
    if (!EVP_PBE_scrypt(password, strlen(password), salt, salt_len, n, r, p, KDF_MAXMEM, out,
                        HASH_LEN))
        return SV_ERR_INTERNAL;
    return 0;
}

int sv__catalog_user_add(sv__catalog *cat, const char *name, const char *password,
                         const char *region, int max_streams, int64_t *id)
{
    uint8_t salt[SALT_LEN], hash[HASH_LEN];
    char params[48];
    sqlite3_stmt *st = NULL;
    size_t plen = strlen(password);
    int ret, rc;

    if (!sv__user_name_ok(name) || !sv__region_ok(region) || plen < 8 || plen > 1024 ||
        max_streams < 0 || max_streams > 100)
        return SV_ERR_INVALID;
    if (RAND_bytes(salt, sizeof(salt)) != 1)
        return SV_ERR_INTERNAL;
    if ((ret = kdf(password, salt, sizeof(salt), KDF_N, KDF_R, KDF_P, hash)) < 0)
        return ret;
    snprintf(params, sizeof(params), "scrypt:%d:%d:%d", KDF_N, KDF_R, KDF_P);
    if ((ret = sv__cat_prepare(cat, "INSERT INTO users (name, pw_salt, pw_hash, pw_kdf, region, "
                               "max_streams, created) VALUES (?, ?, ?, ?, ?, ?, ?)", &st)) < 0)
        goto fail;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 2, salt, sizeof(salt), SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 3, hash, sizeof(hash), SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, params, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, region, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 6, max_streams);
    sqlite3_bind_int64(st, 7, sv__cat_now());
    rc = sqlite3_step(st);
    if (rc == SQLITE_CONSTRAINT) {
        ret = SV_ERR_STATE;
        goto fail;
    }
    ret = rc == SQLITE_DONE ? 0 : SV_ERR_IO;
    if (ret == 0)
        *id = sqlite3_last_insert_rowid(cat->db);
fail:
    OPENSSL_cleanse(hash, sizeof(hash));
    sqlite3_finalize(st);
    return ret;
}

static void fill_user(sqlite3_stmt *st, sv__user *out)
{
    memset(out, 0, sizeof(*out));
    out->id = sqlite3_column_int64(st, 0);
    snprintf(out->name, sizeof(out->name), "%s", (const char *)sqlite3_column_text(st, 1));
    snprintf(out->region, sizeof(out->region), "%s", (const char *)sqlite3_column_text(st, 2));
    out->max_streams = sqlite3_column_int(st, 3);
}

int sv__catalog_user_login(sv__catalog *cat, const char *name, const char *password,
                           sv__user *out)
{
    static const uint8_t dummy_salt[SALT_LEN] = {0};
    uint8_t hash[HASH_LEN];
    sqlite3_stmt *st = NULL;
    int ret, rc;

    if ((ret = sv__cat_prepare(cat, "SELECT id, name, region, max_streams, pw_salt, pw_hash, "
                               "pw_kdf FROM users WHERE name = ?", &st)) < 0)
        return ret;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const void *salt = sqlite3_column_blob(st, 4), *want = sqlite3_column_blob(st, 5);
        int salt_len = sqlite3_column_bytes(st, 4), want_len = sqlite3_column_bytes(st, 5);
        unsigned long n, r, p;

        if (sscanf((const char *)sqlite3_column_text(st, 6), "scrypt:%lu:%lu:%lu", &n, &r,
                   &p) != 3 || want_len != HASH_LEN || !salt) {
            ret = SV_ERR_IO; /* a row this code did not write */
            goto fail;
        }
        if ((ret = kdf(password, salt, (size_t)salt_len, n, r, p, hash)) < 0)
            goto fail;
        if (CRYPTO_memcmp(hash, want, HASH_LEN) != 0) {
            ret = SV_ERR_FORBIDDEN;
            goto fail;
        }
        fill_user(st, out);
        ret = 0;
    } else if (rc == SQLITE_DONE) {
        /* Same work as for a real user: timing does not reveal names. */
        kdf(password, dummy_salt, sizeof(dummy_salt), KDF_N, KDF_R, KDF_P, hash);
        ret = SV_ERR_FORBIDDEN;
    } else {
        ret = SV_ERR_IO;
    }
fail:
    OPENSSL_cleanse(hash, sizeof(hash));
    sqlite3_finalize(st);
    return ret;
}

int sv__catalog_user_get(sv__catalog *cat, int64_t id, sv__user *out)
{
    sqlite3_stmt *st;
    int ret, rc;

    if ((ret = sv__cat_prepare(cat, "SELECT id, name, region, max_streams FROM users "
                               "WHERE id = ?", &st)) < 0)
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
