/*
 * drm/clearkey.h - W3C ClearKey messages (EME "org.w3.clearkey"): the license
 * request {"kids":[...],"type":"temporary"} and the JWK set answer
 * {"keys":[{"kty":"oct","k":...,"kid":...}]}, with base64url without padding.
 * JSON goes through jansson; base64 through OpenSSL. This is the player's
 * half (writing requests, reading licenses); the license server's half
 * (reading requests, writing licenses) is in package.h, included here.
 *
 * Thread: no shared state.
 */
#ifndef SV_DRM_CLEARKEY_H
#define SV_DRM_CLEARKEY_H

#include <stddef.h>
#include <stdint.h>

#include "package.h"         /* sv__clearkey_key, the license server's half */
#include "platform/b64url.h" /* sv__b64url_encode/decode */

/* The request for `n` KIDs as compact JSON text in a new string from
 * `alloc` (sv__free(alloc, ...); NULL: the C library). */
int sv__clearkey_request_write(const uint8_t (*kids)[16], size_t n, const sv_allocator *alloc,
                               char **out);
/* Parses a license; *keys is a new array from `alloc` of at least one key.
 * SV_ERR_DRM when the JSON is malformed, has no keys, or a key is not
 * {"kty":"oct"} with a 16-byte k and kid. */
int sv__clearkey_license_parse(const uint8_t *json, size_t size, const sv_allocator *alloc,
                               sv__clearkey_key **keys, size_t *n);

/* The built-in ClearKey CDM (sv_cdm_clearkey_create()) with every allocation
 * through `alloc` (NULL: the C library): the one a player makes. */
int sv__cdm_clearkey_create(sv_cdm **out, const sv_allocator *alloc);

#endif
