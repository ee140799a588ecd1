/*
 * accounts.c - the account operations built on the catalog (accounts.h):
 * adding a user and checking a login, the same for both catalog back ends.
 * What they build on lies below, in files that call nothing up:
 * accounts_names.c (names, regions, roles) and accounts_pw.c (scrypt
 * password records).
 */
#include <openssl/crypto.h>

#include "backend/accounts.h"
#include "streamverse/common.h"

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
