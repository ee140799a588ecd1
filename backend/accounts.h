/*
 * Accounts: users in the catalog (catalog_users.c) and the user tokens
 * that POST /api/v1/auth/login hands out (accounts_jwt.c).
 *
 * Passwords are kept as scrypt(password, 16-byte random salt) from OpenSSL
 * (EVP_PBE_scrypt, N=2^14, r=8, p=1: about 16 MiB and tens of
 * milliseconds per check, the interactive-login parameters of the scrypt
 * paper). The parameters are stored with each hash, so raising them later
 * leaves existing rows valid. A login for an unknown name runs the same KDF
 * on a dummy salt, so response times do not tell which names exist.
 *
 * User tokens are JWTs (RFC 7519) signed with HS256 under the server's
 * token-secret: header {"alg":"HS256","typ":"JWT"}, claims {"sub":"<user
 * id>","name":..,"region":..,"iat":..,"exp":..}. Built from OpenSSL HMAC
 * and jansson (Debian's libjwt-dev is not part of the dependency set).
 * Verification accepts only alg HS256, checks the MAC in constant time
 * before reading the claims, and refuses expired tokens.
 *
 * Threads: the catalog functions follow catalog.h (one handle per thread);
 * the JWT functions are pure.
 */
#ifndef SV_BACKEND_ACCOUNTS_H
#define SV_BACKEND_ACCOUNTS_H

#include <stddef.h>
#include <stdint.h>

#include "backend/catalog.h"

typedef struct sv__user {
    int64_t id;
    char name[64];
    char region[8];     /* ISO 3166-1 alpha-2, upper case ("FR") */
    int max_streams;    /* concurrent sessions; 0: may not play at all */
} sv__user;

/* 1..63 characters of [A-Za-z0-9._@-]. */
int sv__user_name_ok(const char *name);

/* Two letters A-Z. */
int sv__region_ok(const char *region);

/*
 * Adds a user. Password: 8..1024 bytes. Returns 0 and *id, SV_ERR_INVALID
 * (bad name, region, password or max_streams outside 0..100), SV_ERR_STATE
 * (the name exists), SV_ERR_INTERNAL (the KDF failed) or SV_ERR_IO.
 */
int sv__catalog_user_add(sv__catalog *cat, const char *name, const char *password,
                         const char *region, int max_streams, int64_t *id);

/*
 * Checks a name and password. Returns 0 and *out, SV_ERR_FORBIDDEN for an
 * unknown name or a wrong password (the same answer for both), or
 * SV_ERR_IO / SV_ERR_INTERNAL.
 */
int sv__catalog_user_login(sv__catalog *cat, const char *name, const char *password,
                           sv__user *out);

/* The user with that id: 0, SV_ERR_NOT_FOUND or SV_ERR_IO. */
int sv__catalog_user_get(sv__catalog *cat, int64_t id, sv__user *out);

/* ---- user tokens (accounts_jwt.c) ---- */

#define SV__JWT_MAX 768

typedef struct sv__jwt_claims {
    int64_t user_id;
    char name[64];
    char region[8];
    int64_t iat, exp;
} sv__jwt_claims;

/* Signs a token for `u` valid from `now` for ttl_s seconds into out[cap]
 * (SV__JWT_MAX is enough). Returns 0, SV_ERR_INVALID (empty secret, small
 * buffer) or SV_ERR_NOMEM / SV_ERR_INTERNAL. */
int sv__jwt_sign(const char *secret, const sv__user *u, int64_t now, int ttl_s, char *out,
                 size_t cap);

/* Verifies `len` bytes of token. Returns 0 and *out, SV_ERR_FORBIDDEN
 * (malformed, other algorithm, bad signature) or SV_ERR_TIMEOUT (expired). */
int sv__jwt_verify(const char *secret, const char *token, size_t len, int64_t now,
                   sv__jwt_claims *out);

#endif
