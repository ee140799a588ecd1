/*
 * drm/offline_license.h - persistent (offline) ClearKey licenses: a compact
 * JWS (RFC 7515) signed with EdDSA over Ed25519 (RFC 8037), so a device can
 * check one with the server's public key alone, long after it was issued
 * and with no network:
 *
 *     base64url({"alg":"EdDSA","typ":"sv-offline-license"})
 *     "." base64url(claims) "." base64url(Ed25519 signature)
 *
 * Claims: "lid" (the license id, 32 hex digits), "sub" (the account id),
 * "title" (the title id), "device" (the device id it is bound to), "iat"
 * and "exp" (Unix seconds), "license" (the ClearKey license, a JWK set
 * {"keys":[{"kty":"oct","kid":..,"k":..}],"type":"persistent-license"},
 * as the ClearKey license service writes it).
 *
 * The server's signing key is derived from its master key (HKDF-SHA256,
 * info "sv-offline-license-ed25519-v1"), so every server sharing a master
 * key signs alike and nothing more has to be kept. OpenSSL EVP does every
 * operation; jansson reads the JSON. No I/O.
 *
 * Threads: pure functions, any thread.
 */
#ifndef SV_DRM_OFFLINE_LICENSE_H
#define SV_DRM_OFFLINE_LICENSE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define SV__OLIC_TYP "sv-offline-license"
#define SV__OLIC_MAX 16384 /* longest license looked at */

/* The Ed25519 private key (its 32-byte seed) derived from a master key.
 * Returns 0 or SV_ERR_INTERNAL. */
int sv__olic_seed_from_master(const uint8_t master[32], uint8_t seed[32]);

/* The public key of `seed` as PEM (SubjectPublicKeyInfo) into out[cap].
 * Returns its length, SV_ERR_OVERFLOW or SV_ERR_INTERNAL. */
int sv__olic_public_pem(const uint8_t seed[32], char *out, size_t cap);

/* Signs `claims` (a JSON object) into out[cap], NUL-terminated. Returns
 * the length, SV_ERR_INVALID (not an object), SV_ERR_OVERFLOW or
 * SV_ERR_INTERNAL. */
int sv__olic_sign(const uint8_t seed[32], const json_t *claims, char *out, size_t cap);

/*
 * Checks the signature of `len` bytes of `jws` with the PEM public key
 * `pem` (an Ed25519 SubjectPublicKeyInfo), then its header (alg EdDSA, typ
 * SV__OLIC_TYP, no crit) and that the claims are an object with the fields
 * above of the right types. Returns 0 with *claims (a new reference), or
 * SV_ERR_FORBIDDEN (bad signature, another key, another algorithm),
 * SV_ERR_PARSE (malformed), SV_ERR_INVALID (the key is no Ed25519 PEM);
 * `why` says which. Expiry and device are the caller's to check
 * (sv__olic_check).
 */
int sv__olic_verify(const char *pem, const char *jws, size_t len, json_t **claims, char *why,
                    size_t cap);

/*
 * The checks at playback on verified claims: the device (must equal
 * `device`) and the expiry (now < exp). Returns 0, SV_ERR_FORBIDDEN (another
 * device) or SV_ERR_TIMEOUT (expired), with `why` naming both values.
 */
int sv__olic_check(const json_t *claims, const char *device, int64_t now, char *why,
                   size_t cap);

#endif
