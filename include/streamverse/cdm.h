/*
 * streamverse/cdm.h - content decryption modules.
 *
 * A CDM turns protected samples back into clear ones. The player finds the
 * protection of a stream (DASH ContentProtection, HLS EXT-X-KEY, CENC boxes
 * in the init segment), asks the CDM for a license request, sends it to the
 * license server itself, hands the answer back to the CDM, and then asks the
 * CDM to decrypt every protected sample in place before demuxing.
 *
 * The shape follows W3C Encrypted Media Extensions: a request/response
 * exchange whose contents only the CDM understands, so a device maker can plug
 * in a hardware-backed CDM without the player ever seeing a key. The built-in
 * CDM implements W3C ClearKey (key system "org.w3.clearkey").
 *
 * Thread: the player never calls two functions of one sv_cdm at the same time,
 * but it may call them from different threads (license exchange on its
 * control thread, decrypt on its demux thread).
 */
#ifndef STREAMVERSE_CDM_H
#define STREAMVERSE_CDM_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* DRM system IDs (ISO/IEC 23001-7 `pssh` SystemID) known to Streamverse. */
#define SV_SYSTEM_ID_W3C_COMMON \
    { 0x10, 0x77, 0xef, 0xec, 0xc0, 0xb2, 0x4d, 0x02, \
      0xac, 0xe3, 0x3c, 0x1e, 0x52, 0xe2, 0xfb, 0x4b }
#define SV_SYSTEM_ID_DASHIF_CLEARKEY \
    { 0xe2, 0x71, 0x9d, 0x58, 0xa9, 0x85, 0xb3, 0xc9, \
      0x78, 0x1a, 0xb0, 0x30, 0xaf, 0x78, 0xd3, 0x0e }

/* Protection schemes. The first four are ISO/IEC 23001-7 scheme types. */
typedef enum sv_encryption_scheme {
    SV_SCHEME_NONE = 0,
    SV_SCHEME_CENC,       /* 'cenc': AES-128 CTR, full subsamples */
    SV_SCHEME_CBC1,       /* 'cbc1': AES-128 CBC, full subsamples */
    SV_SCHEME_CENS,       /* 'cens': AES-128 CTR with a crypt:skip pattern */
    SV_SCHEME_CBCS,       /* 'cbcs': AES-128 CBC with a pattern and constant IV */
    SV_SCHEME_HLS_AES128  /* HLS METHOD=AES-128: whole segment, CBC, PKCS#7 padding */
} sv_encryption_scheme;

/* A run of bytes inside a sample: clear_bytes in the clear, then protected_bytes protected. */
typedef struct sv_subsample {
    uint32_t clear_bytes;
    uint32_t protected_bytes;
} sv_subsample;

/*
 * One protected sample (or, for SV_SCHEME_HLS_AES128, one whole segment) to
 * decrypt in place. All pointers are owned by the player and valid during the
 * decrypt call only.
 */
typedef struct sv_encrypted_sample {
    sv_encryption_scheme scheme;
    uint8_t kid[16];              /* key ID (for HLS AES-128: from the key URI's key) */
    uint8_t iv[16];               /* initialization vector; iv_size bytes used, rest zero */
    int iv_size;                  /* 8 or 16 */
    uint8_t crypt_byte_block;     /* pattern: 16-byte blocks encrypted ... */
    uint8_t skip_byte_block;      /* ... then blocks left clear; 0:0 means no pattern */
    const sv_subsample *subsamples; /* NULL with nb_subsamples 0: the whole sample is protected */
    size_t nb_subsamples;
    uint8_t *data;                /* the sample; rewritten with the clear bytes */
    size_t size;                  /* in: protected size; out: clear size (shrinks only
                                     for HLS AES-128, by the padding) */
} sv_encrypted_sample;

/* What the player knows about the protection of a stream when it asks for a license. */
typedef struct sv_cdm_init_data {
    uint8_t system_id[16];        /* system the init data is for */
    const uint8_t *pssh;          /* a whole `pssh` box, or NULL */
    size_t pssh_size;
    const uint8_t (*kids)[16];    /* key IDs the content needs (tenc default_KID, pssh v1, MPD) */
    size_t nb_kids;
    const char *license_url;      /* from the session, the MPD (dashif:laurl) or settings; may be NULL */
} sv_cdm_init_data;

/*
 * A content decryption module. A host CDM starts from SV_CDM_INIT; the player
 * copies the members at sv_player_create() (members a smaller struct lacks
 * count as NULL).
 *
 * The structs the player hands to a CDM (sv_cdm_init_data,
 * sv_encrypted_sample, sv_subsample) belong to the caller for the call only
 * and have no struct_size: fields are only appended, and a CDM reads a field
 * added in a later API version only when sv_version_api() says the library
 * has it.
 */
typedef struct sv_cdm {
    size_t struct_size;
    /* Key system name, e.g. "org.w3.clearkey". */
    const char *key_system;
    /* MIME type of the license requests it makes, e.g. "application/json". */
    const char *request_content_type;
    /* Returns 1 if the CDM can handle content for system_id, else 0. */
    int (*supports)(void *opaque, const uint8_t system_id[16]);
    /* Builds a license request for `init`. On success returns 0 and stores a
     * buffer allocated by the CDM in *request (the player releases it with
     * free_request), or returns 1 with *request untouched when every key is
     * already held and no request is needed. Negative code on failure. */
    int (*create_request)(void *opaque, const sv_cdm_init_data *init,
                          uint8_t **request, size_t *request_size);
    void (*free_request)(void *opaque, uint8_t *request);
    /* Takes the license server's answer to a request. Returns 0 when it held
     * usable keys, SV_ERR_DRM (malformed or refused license) otherwise. */
    int (*update)(void *opaque, const uint8_t *response, size_t response_size);
    /* Returns 1 if the key for kid is held, 0 if not. */
    int (*has_key)(void *opaque, const uint8_t kid[16]);
    /* Decrypts a sample in place. Returns 0, SV_ERR_NO_KEY when the key is
     * unknown, SV_ERR_UNSUPPORTED for a scheme it cannot do, SV_ERR_DRM when
     * the sample's layout is inconsistent (subsamples beyond its size). On
     * failure the sample's data is unspecified and must not be presented. */
    int (*decrypt)(void *opaque, sv_encrypted_sample *sample);
    /* Releases the CDM and `opaque`. May be NULL for a CDM owned elsewhere. */
    void (*destroy)(struct sv_cdm *cdm);
    void *opaque;
} sv_cdm;

#define SV_CDM_INIT SV_STRUCT_INIT(sv_cdm)

/*
 * The built-in W3C ClearKey CDM (key system "org.w3.clearkey").
 *
 * It supports the W3C common PSSH and DASH-IF ClearKey system IDs. Keys are
 * cached per KID for the CDM's lifetime. create_request asks for the KIDs of
 * sv_cdm_init_data.kids plus those of a version 1 `pssh`, leaving out the
 * ones already held, and returns 1 (no request) when every key is held; the
 * request is the JSON text {"kids":["<base64url>"...],"type":"temporary"}
 * (content type "application/json"; not NUL-terminated). update takes a JWK
 * set {"keys":[{"kty":"oct","k":"<base64url>","kid":"<base64url>"}]} and
 * returns SV_ERR_DRM when it is malformed or holds no key. decrypt handles
 * the four CENC schemes and SV_SCHEME_HLS_AES128 (iv_size 16; sample->size
 * shrinks by the padding), and returns SV_ERR_NO_KEY for a KID it does not
 * hold.
 *
 * On success stores a new CDM in *out, owned by the caller, who releases it
 * with cdm->destroy(cdm). Returns 0, SV_ERR_INVALID (out NULL) or
 * SV_ERR_NOMEM (*out untouched).
 * Thread: any thread; the CDM then follows the rule at the top of this file
 * (no two calls on it at the same time).
 */
SV_API int sv_cdm_clearkey_create(sv_cdm **out);

/*
 * Adds a key to a ClearKey CDM by hand (svplay --key), as if a license had
 * carried it; a key for a KID already held replaces it. The bytes are copied.
 * Returns 0, SV_ERR_INVALID when cdm is not a ClearKey CDM made by
 * sv_cdm_clearkey_create or an argument is NULL, or SV_ERR_NOMEM.
 * Thread: not at the same time as another call on the same CDM.
 */
SV_API int sv_cdm_clearkey_add_key(sv_cdm *cdm, const uint8_t kid[16], const uint8_t key[16]);

/*
 * Parses "KID:KEY", each 32 hexadecimal digits (either case); the KID may
 * carry the dashes of the UUID form (4060a865-8878-4267-9cbf-91ae5bae1e72).
 * Returns 0 with kid and key filled, or SV_ERR_INVALID (outputs unspecified).
 * Thread: any; no state.
 */
SV_API int sv_cdm_parse_key_pair(const char *text, uint8_t kid[16], uint8_t key[16]);

#ifdef __cplusplus
}
#endif

#endif /* STREAMVERSE_CDM_H */
