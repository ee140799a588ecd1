/*
 * Content keys of protected titles: one random 128-bit key and key ID (KID)
 * per title, kept in the catalog's title_keys table wrapped under the
 * server's master key, never in clear.
 *
 * Wrapping is AES-256-GCM (OpenSSL EVP) with a random 12-byte nonce; the
 * stored blob is nonce || ciphertext (16) || tag (16). The additional
 * authenticated data binds the blob to its row ("sv-key-v1", the title id as
 * 64-bit big-endian, the KID), so a wrapped key copied onto another title or
 * KID does not unwrap. A wrong master key, a changed byte or a swapped row
 * all end in SV_ERR_DRM.
 *
 * Clear keys live only in the caller's sv__title_key; callers wipe it with
 * sv__title_key_wipe() when done. Nothing here logs.
 *
 * Threads: no shared state; a catalog handle is used by one thread at a time
 * (backend/catalog.h).
 */
#ifndef SV_BACKEND_KEYS_H
#define SV_BACKEND_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "backend/catalog.h"

#define SV__WRAPPED_KEY_SIZE (12 + 16 + 16)

typedef struct sv__title_key {
    int64_t title_id;
    uint8_t kid[16];
    uint8_t key[16];
} sv__title_key;

/* Overwrites the key material (OPENSSL_cleanse). */
void sv__title_key_wipe(sv__title_key *k);

/* Wraps k->key under `master` into out[SV__WRAPPED_KEY_SIZE]. Returns 0 or
 * SV_ERR_INTERNAL (OpenSSL failed). */
int sv__key_wrap(const uint8_t master[32], const sv__title_key *k,
                 uint8_t out[SV__WRAPPED_KEY_SIZE]);
/* Unwraps a blob for k->title_id and k->kid into k->key. Returns 0, or
 * SV_ERR_DRM when the blob has the wrong size or does not authenticate. */
int sv__key_unwrap(const uint8_t master[32], const uint8_t *blob, size_t len,
                   sv__title_key *k);

/* Creates the title's key: random KID and key (RAND_bytes), wrapped and
 * inserted. Returns 0 with *out filled, SV_ERR_STATE when the title already
 * has a key, SV_ERR_INTERNAL (no randomness) or SV_ERR_IO. */
int sv__keys_create(sv__catalog *cat, const uint8_t master[32], int64_t title_id,
                    sv__title_key *out);
/* The title's key, created when it has none (a retried ingest reuses it). */
int sv__keys_ensure(sv__catalog *cat, const uint8_t master[32], int64_t title_id,
                    sv__title_key *out);
/* Loads and unwraps. SV_ERR_NOT_FOUND when there is no such key, SV_ERR_DRM
 * when it does not unwrap, SV_ERR_IO for SQLite errors. */
int sv__keys_load_title(sv__catalog *cat, const uint8_t master[32], int64_t title_id,
                        sv__title_key *out);
int sv__keys_load_kid(sv__catalog *cat, const uint8_t master[32], const uint8_t kid[16],
                      sv__title_key *out);

/* The license service's path, written into MPDs as dashif:Laurl. Relative
 * to the origin that serves the MPD, so it holds behind any host name. */
#define SV__LICENSE_PATH "/api/v1/license"

/*
 * What the packager needs for a title, by its titles.drm: scheme NONE for a
 * clear title; otherwise the title's key (created now when it has none) and
 * the license URL. `master` NULL fails a protected title with SV_ERR_INVALID
 * ("no master-key"). Reasons go to why[] without key material. The caller
 * wipes *out (OPENSSL_cleanse) after packaging.
 */
int sv__keys_media_protection(sv__catalog *cat, const uint8_t *master, int64_t title_id,
                              sv__media_protection *out, char *why, size_t whylen);

/* ---- catalog rows (catalog_keys.c) ---------------------------------------- */

/* Inserts a wrapped key. SV_ERR_STATE when the title or KID has one already. */
int sv__catalog_key_insert(sv__catalog *cat, int64_t title_id, const uint8_t kid[16],
                           const uint8_t *wrapped, size_t len);
/* The title's first key: KID and wrapped blob (up to cap bytes; *len set).
 * SV_ERR_NOT_FOUND when it has none, SV_ERR_OVERFLOW for a bigger blob. */
int sv__catalog_key_by_title(sv__catalog *cat, int64_t title_id, uint8_t kid[16],
                             uint8_t *wrapped, size_t cap, size_t *len);
/* The row of a KID: its title and wrapped blob. */
int sv__catalog_key_by_kid(sv__catalog *cat, const uint8_t kid[16], int64_t *title_id,
                           uint8_t *wrapped, size_t cap, size_t *len);

/* titles.drm: "none", "cenc" or "cbcs". SV_ERR_NOT_FOUND for an unknown
 * title, SV_ERR_INVALID for another scheme. */
int sv__catalog_title_set_drm(sv__catalog *cat, int64_t title_id, const char *drm);
int sv__catalog_title_drm(sv__catalog *cat, int64_t title_id, char *out, size_t cap);

/* Whether `s` names a scheme titles.drm accepts. */
int sv__drm_scheme_valid(const char *s);

#endif
