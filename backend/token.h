/*
 * Signed tokens for playback and media URLs: stateless, so any origin that
 * knows the secret can check one without the catalog.
 *
 * A token is a JWT signed with HS256 (jws.h, the same format as the user
 * tokens) whose claims are {"title":<title id>,"session":"<session id or
 * empty>","prefix":"<URL path prefix>","exp":<Unix seconds>}. It uses only
 * URL-safe characters, so it goes into a query string as it is.
 *
 * Threads: every function is pure and may be called from any thread.
 */
#ifndef SV_BACKEND_TOKEN_H
#define SV_BACKEND_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "backend/jws.h"

/* What a token grants. */
typedef struct sv__token_claims {
    int64_t title_id;      /* the one title it grants */
    char session[65];      /* playback session id, or "" */
    char prefix[128];      /* URL path prefix it grants, e.g. "/media/12/", or "" */
    int64_t expires;       /* Unix seconds; the token is refused from then on */
} sv__token_claims;

/* Longest token sv__token_sign writes, with its terminating NUL: even with
 * every character of session and prefix escaped in the JSON (\u0001 for 1
 * byte), a token stays under 1800 bytes; the usual one is about 330. */
#define SV__TOKEN_MAX SV__JWS_MAX

/* Writes the token for `c` into out[cap] (cap >= SV__TOKEN_MAX is always
 * enough). Returns 0, SV_ERR_INVALID (empty secret, strings not
 * NUL-terminated, out[cap] too small), SV_ERR_NOMEM or SV_ERR_INTERNAL
 * (OpenSSL failed). */
int sv__token_sign(const char *secret, const sv__token_claims *c, char *out, size_t cap);

/* Checks `token` (len bytes, not necessarily NUL-terminated) against
 * `secret` at time `now` (Unix seconds) and fills *out. Returns 0,
 * SV_ERR_FORBIDDEN for a malformed, forged or altered token, or
 * SV_ERR_TIMEOUT for an authentic token that has expired (sv__jws_verify:
 * the MAC is compared in constant time before anything is parsed). A user
 * token is refused here: it carries no title. */
int sv__token_verify(const char *secret, const char *token, size_t len, int64_t now,
                     sv__token_claims *out);

/* Whether `path` lies under the token's prefix (an empty prefix grants no
 * path). The prefix must end at a '/' boundary of path. */
int sv__token_grants_path(const sv__token_claims *c, const char *path);

#endif
