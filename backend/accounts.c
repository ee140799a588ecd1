/*
 * accounts.c - user names, regions, roles and scrypt password records, and
 * the account operations built on the catalog (accounts.h); the same for
 * both catalog back ends.
 */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/accounts.h"
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
