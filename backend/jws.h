/*
 * Signed tokens: compact JWS (RFC 7515) with HS256, carrying a JSON Web
 * Token's claims (RFC 7519). The one token format of svserver: user tokens
 * (accounts.h: sub, name, region, role, iat, exp) and playback/media tokens
 * (token.h: title, session, prefix, exp) are both
 *
 *     base64url(header) "." base64url(claims) "." base64url(HMAC-SHA256)
 *
 * with header {"alg":"HS256","typ":"JWT"}, the MAC over the first two parts
 * as sent, keyed with the server's token-secret, base64url without padding.
 * Every character is URL-safe, so a token goes into a query string as it is.
 * The two kinds cannot stand in for each other: each one's reader requires
 * claims the other kind never carries (sub / title).
 *
 * Verification checks, in this order, before anything of the token is
 * parsed: three non-empty parts, the length bound, and the MAC, compared in
 * constant time with the canonical encoding of the expected MAC (so no other
 * spelling of the same bytes passes). Only then the header (alg must be
 * HS256: never "none", no "crit"), the claims (a JSON object without
 * duplicate names) and the expiry ("exp", integer Unix seconds, required).
 *
 * Built from OpenSSL HMAC and jansson (Debian's libjwt-dev is not part of
 * the dependency set). Threads: pure functions, any thread.
 */
#ifndef SV_BACKEND_JWS_H
#define SV_BACKEND_JWS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* Longest token sv__jws_verify looks at; a longer one is refused unread. */
#define SV__JWS_MAX 2048

/*
 * Signs `claims` (a JSON object; the caller keeps it, and sets "exp" for a
 * token that should ever expire) and writes the NUL-terminated token into
 * out[cap]. Returns the token's length, SV_ERR_INVALID (NULL or empty
 * secret, claims not an object, or out[cap] too small: out is then ""),
 * SV_ERR_NOMEM or SV_ERR_INTERNAL (OpenSSL failed).
 */
int sv__jws_sign(const char *secret, const json_t *claims, char *out, size_t cap);

/*
 * Checks `len` bytes of `token` (not necessarily NUL-terminated) against
 * `secret` at `now` (Unix seconds). Returns 0 with the claims in *claims (a
 * new reference: json_decref it), SV_ERR_FORBIDDEN for a token that is
 * malformed, too long, forged, altered, of another algorithm or without an
 * integer "exp", or SV_ERR_TIMEOUT for an authentic token whose "exp" has
 * come (now >= exp). *claims is NULL on every failure.
 */
int sv__jws_verify(const char *secret, const char *token, size_t len, int64_t now,
                   json_t **claims);

#endif
