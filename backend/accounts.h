/*
 * Accounts: users in the catalog (the back ends' catalog_*_users.c; adding
 * and login in accounts.c) and the user tokens that POST
 * /api/v1/auth/login hands out (accounts_jwt.c). Names, regions and roles
 * are accounts_names.c's, password records accounts_pw.c's: files that
 * call nothing above them, so the catalog back ends call down into them.
 *
 * Passwords are kept as scrypt(password, 16-byte random salt) from OpenSSL
 * (EVP_PBE_scrypt, N=2^14, r=8, p=1: about 16 MiB and tens of
 * milliseconds per check, the interactive-login parameters of the scrypt
 * paper). The parameters are stored with each hash, so raising them later
 * leaves existing rows valid. A login for an unknown name runs the same KDF
 * on a dummy salt, so response times do not tell which names exist.
 *
 * User tokens are JWTs (RFC 7519) signed with HS256 under the server's
 * token-secret by jws.h, the one signed-token format (playback tokens are
 * the same, with other claims): claims {"sub":"<user id>","name":..,
 * "region":..,"role":..,"iat":..,"exp":..}. Verification (sv__jws_verify)
 * accepts only alg HS256, checks the MAC in constant time before reading
 * anything, and refuses expired tokens; a playback token is refused here, as
 * it carries no "sub".
 *
 * Threads: the catalog functions follow catalog.h (one handle per thread);
 * the JWT functions are pure.
 */
#ifndef SV_BACKEND_ACCOUNTS_H
#define SV_BACKEND_ACCOUNTS_H

#include <stddef.h>
#include <stdint.h>

#include "backend/catalog.h"

/*
 * Roles, in increasing power. A viewer plays; an operator also changes the
 * catalog, uploads, steers CDNs and reads /metrics; an admin also manages
 * accounts, lifts lockouts and reads the audit log. SV__ROLE_NONE is "no
 * token": what a route needs when it is open to anyone.
 */
enum sv__role {
    SV__ROLE_NONE = 0,
    SV__ROLE_VIEWER = 1,
    SV__ROLE_OPERATOR = 2,
    SV__ROLE_ADMIN = 3
};

/* "viewer", "operator", "admin" ("anonymous" for SV__ROLE_NONE). */
const char *sv__role_name(int role);

/* The role named s (viewer, operator, admin), or -1. */
int sv__role_parse(const char *s);

typedef struct sv__user {
    int64_t id;
    char name[64];
    char region[8];     /* ISO 3166-1 alpha-2, upper case ("FR") */
    int max_streams;    /* concurrent sessions; 0: may not play at all */
    int role;           /* enum sv__role, never SV__ROLE_NONE */
} sv__user;

/* 1..63 characters of [A-Za-z0-9._@-]. */
int sv__user_name_ok(const char *name);

/* Two letters A-Z. */
int sv__region_ok(const char *region);

/*
 * A stored password: scrypt parameters, salt and hash. The KDF functions
 * below are slow (tens of milliseconds) and thread-safe: the server runs
 * them on libuv's thread pool, never on the loop.
 */
typedef struct sv__pw_record {
    uint8_t salt[32];
    size_t salt_len;
    uint8_t hash[32];
    uint64_t n, r, p;
} sv__pw_record;

/* A record for `password` with a fresh random salt and today's parameters.
 * Password: 8..1024 bytes. Returns 0, SV_ERR_INVALID or SV_ERR_INTERNAL. */
int sv__pw_record_new(const char *password, sv__pw_record *rec);

/* The record an unknown name is checked against: today's parameters, so
 * the work (and the time) is that of a real account; nothing matches it. */
void sv__pw_record_dummy(sv__pw_record *rec);

/* Runs the KDF of `rec` on password and compares in constant time. Returns
 * 0 (match), SV_ERR_FORBIDDEN or SV_ERR_INTERNAL. */
int sv__pw_check(const char *password, const sv__pw_record *rec);

/*
 * Adds a user. Password: 8..1024 bytes; role: viewer, operator or admin.
 * Returns 0 and *id, SV_ERR_INVALID (bad name, region, password, role or
 * max_streams outside 0..100), SV_ERR_STATE (the name exists),
 * SV_ERR_INTERNAL (the KDF failed) or SV_ERR_IO. Runs the KDF: slow.
 */
int sv__catalog_user_add(sv__catalog *cat, const char *name, const char *password,
                         const char *region, int max_streams, int role, int64_t *id);

/* The same with a record made beforehand (sv__pw_record_new, off the
 * loop): fast. */
int sv__catalog_user_insert(sv__catalog *cat, const char *name, const sv__pw_record *rec,
                            const char *region, int max_streams, int role, int64_t *id);

/*
 * The account and password record for `name`, fast (no KDF). Returns 0,
 * SV_ERR_NOT_FOUND (then *rec is the dummy record, so the caller does the
 * same work either way) or SV_ERR_IO.
 */
int sv__catalog_user_find(sv__catalog *cat, const char *name, sv__user *out,
                          sv__pw_record *rec);

/*
 * Checks a name and password: find + check in one call, slow. Returns 0
 * and *out, SV_ERR_FORBIDDEN for an unknown name or a wrong password (the
 * same answer for both), or SV_ERR_IO / SV_ERR_INTERNAL.
 */
int sv__catalog_user_login(sv__catalog *cat, const char *name, const char *password,
                           sv__user *out);

/* The user with that id: 0, SV_ERR_NOT_FOUND or SV_ERR_IO. */
int sv__catalog_user_get(sv__catalog *cat, int64_t id, sv__user *out);

/* Changes a user's role. 0, SV_ERR_NOT_FOUND, SV_ERR_INVALID or SV_ERR_IO. */
int sv__catalog_user_set_role(sv__catalog *cat, const char *name, int role);

/* All users as a JSON array of {id, name, region, max_streams, role,
 * created}, or NULL (SV_ERR_IO). */
json_t *sv__catalog_users_list(sv__catalog *cat);

/* ---- lockouts and the audit log (catalog_*_audit.c) ---- */

/*
 * A name locked after repeated failed logins (login_guard.h decides when).
 * Kept in the catalog, keyed by the name as typed (known or not, so a
 * lockout does not tell which names exist), so that `svserver user unlock`
 * can lift it beside a running server and it survives a restart.
 */
/* *until: the end of the lockout (seconds since the epoch), 0 if none or
 * past. Returns 0 or SV_ERR_IO. */
int sv__catalog_lockout_get(sv__catalog *cat, const char *name, int64_t *until);
int sv__catalog_lockout_set(sv__catalog *cat, const char *name, int64_t until, int failures);
/* Returns 1 when a lockout was lifted, 0 when there was none, or SV_ERR_IO. */
int sv__catalog_lockout_clear(sv__catalog *cat, const char *name);

/* One audit record: who (actor name and role; "-" when anonymous), what
 * (action: "METHOD /path" or a named event, the target, the status), when
 * (now) and from where (peer address, "cli" for the command line). The
 * table is append-only: triggers refuse UPDATE and DELETE. */
typedef struct sv__audit_rec {
    const char *actor;
    int64_t actor_id;   /* 0: none */
    int role;
    const char *action;
    const char *target; /* NULL: none */
    const char *peer;
    int status;         /* HTTP status, 0 for events outside a request */
    const char *detail; /* NULL: none */
} sv__audit_rec;

int sv__catalog_audit_add(sv__catalog *cat, const sv__audit_rec *rec);

/* The newest records (id < before_id when before_id > 0), at most limit, as
 * a JSON array of {id, at, actor, actor_id, role, action, target, peer,
 * status, detail}; NULL on SV_ERR_IO. */
json_t *sv__catalog_audit_list(sv__catalog *cat, int64_t before_id, int limit);

/* ---- user tokens (accounts_jwt.c) ---- */

#define SV__JWT_MAX 768

typedef struct sv__jwt_claims {
    int64_t user_id;
    char name[64];
    char region[8];
    int role;           /* enum sv__role; a token without "role" is a viewer's */
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
