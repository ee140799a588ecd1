/*
 * drm/cenc.h - ISO/IEC 23001-7 Common Encryption: what an init segment and a
 * fragment say about protection, sample decryption, reusable sample
 * ciphers and HLS AES-128. The packager's part (sample encryption, the
 * subsample map, the box writers) is in package.h, included here.
 *
 * Parsing works on memory buffers only and checks every length against its
 * parent box. Parsed structures point into the caller's buffer where noted
 * (pssh KIDs and data); the buffer must outlive them.
 *
 * Thread: no shared state; each call works on the caller's objects only.
 */
#ifndef SV_DRM_CENC_H
#define SV_DRM_CENC_H

#include <stddef.h>
#include <stdint.h>

#include "package.h" /* the packager's part: sv__tenc, sv__cenc_sample, box writers */
#include "streamverse/cdm.h"

#define SV__CENC_MAX_TRACKS 16
#define SV__CENC_MAX_PSSH   16

/* One track of an init segment. Clear tracks are listed too (scheme NONE),
 * so fragment parsing finds their `trex` defaults. */
typedef struct sv__cenc_track {
    uint32_t track_id;
    uint32_t sample_entry;       /* e.g. 'encv', 'enca', 'avc1' */
    uint32_t original_format;    /* `frma`, or the sample entry when clear */
    uint32_t scheme_type;        /* `schm`: 'cenc', 'cbcs' ... 0 when clear */
    uint32_t scheme_version;
    sv_encryption_scheme scheme;
    sv__tenc tenc;
    uint32_t trex_default_sample_size;
} sv__cenc_track;

/* A `pssh` box; kids and data point into the parsed buffer. */
typedef struct sv__pssh {
    uint8_t version;
    uint8_t system_id[16];
    uint32_t nb_kids;
    const uint8_t *kids;         /* nb_kids * 16 bytes */
    const uint8_t *data;
    uint32_t data_size;
    const uint8_t *box;          /* the whole box, for sv_cdm_init_data.pssh */
    size_t box_size;
} sv__pssh;

typedef struct sv__cenc_init {
    sv__cenc_track tracks[SV__CENC_MAX_TRACKS];
    size_t nb_tracks;
    sv__pssh pssh[SV__CENC_MAX_PSSH];
    size_t nb_pssh;
} sv__cenc_init;

/* Maps a `schm` scheme type to the enum; SV_SCHEME_NONE when unknown. */
sv_encryption_scheme sv__cenc_scheme_from_fourcc(uint32_t fourcc);
uint32_t sv__cenc_scheme_fourcc(sv_encryption_scheme scheme);

/* Parses a `pssh` box (v0 or v1). Returns 0 or SV_ERR_PARSE. */
int sv__cenc_parse_pssh(const uint8_t *box, size_t size, sv__pssh *out);
/* Parses a `tenc` payload (full box, v0 or v1). Returns 0 or SV_ERR_PARSE. */
int sv__cenc_parse_tenc(const uint8_t *box, size_t size, sv__tenc *out);
/* Parses the payload of a `sinf` box into the protection fields of `track`. */
int sv__cenc_parse_sinf(const uint8_t *payload, size_t size, sv__cenc_track *track);

/* Parses an init segment (ftyp + moov). Returns 0, SV_ERR_PARSE, or
 * SV_ERR_UNSUPPORTED when there are more tracks or pssh boxes than fit. */
int sv__cenc_parse_init(const uint8_t *data, size_t size, sv__cenc_init *out);
const sv__cenc_track *sv__cenc_init_track(const sv__cenc_init *init, uint32_t track_id);

/* Every sample of the protected tracks of one or more moof+mdat pairs.
 * Owns its arrays; release with sv__cenc_fragment_reset. */
typedef struct sv__cenc_fragment {
    const sv_allocator *alloc;  /* set before parsing (NULL: the C library); kept by reset */
    sv__cenc_sample *samples;
    size_t nb_samples;
    sv_subsample *subsamples;
    size_t nb_subsamples;
} sv__cenc_fragment;

/* Parses a media segment (optional styp/sidx, then moof+mdat pairs) into
 * `out`, whose arrays come from out->alloc (set it, or zero the whole struct,
 * before the first call), against
 * the protection found in `init`. Sample offsets are relative to `data`;
 * tfhd base_data_offset is taken relative to `data` too. Checks trun sample
 * counts against senc and saiz, saio against senc's position, and every
 * sample and subsample against the buffer and the sample size.
 * Returns 0 (out filled; reset it on any later error too), SV_ERR_PARSE,
 * SV_ERR_UNSUPPORTED or SV_ERR_NOMEM (out empty). */
int sv__cenc_parse_fragment(const sv__cenc_init *init, const uint8_t *data, size_t size,
                            sv__cenc_fragment *out);
void sv__cenc_fragment_reset(sv__cenc_fragment *f);

/* Fills `s` to describe sample `i` of `f` inside `data` (no copy). */
void sv__cenc_fragment_sample(const sv__cenc_fragment *f, size_t i, uint8_t *data,
                              sv_encrypted_sample *s);

/* Decrypts every protected sample of a parsed fragment in place through
 * `cdm`. Returns 0 or the first error of the CDM (SV_ERR_NO_KEY, ...). */
int sv__cenc_decrypt_fragment(const sv__cenc_fragment *f, uint8_t *data, size_t size,
                              sv_cdm *cdm);

/*
 * A reusable sample cipher for one key and one direction: the OpenSSL
 * contexts and AES key schedules (one per mode, made on first use) live as
 * long as the object, and each sample only sets its IV. This is what a CDM
 * or a packager should hold per key; sv__cenc_crypt_sample is the one-shot
 * form. The object holds a copy of the key, wiped on destroy.
 *
 * create: returns 0 with a new object in *out (the caller destroys it),
 * SV_ERR_INVALID or SV_ERR_NOMEM.
 * sample: sv__cenc_crypt_sample's job and return codes, with this key.
 * Thread: one object is used by one thread at a time (it keeps cipher state
 * and a gather buffer between calls).
 */
typedef struct sv__cenc_cipher sv__cenc_cipher;
int sv__cenc_cipher_create(const uint8_t key[16], int encrypt, sv__cenc_cipher **out);
int sv__cenc_cipher_sample(sv__cenc_cipher *c, sv_encrypted_sample *s);
void sv__cenc_cipher_destroy(sv__cenc_cipher *c);

/* HLS METHOD=AES-128: whole-segment AES-128-CBC with PKCS#7 padding.
 * Decrypt works in place and stores the clear size in *out_size; it fails
 * with SV_ERR_DRM when the size is not a multiple of 16 or the padding is
 * wrong (the usual sign of a wrong key). */
int sv__hls_aes128_decrypt(const uint8_t key[16], const uint8_t iv[16], uint8_t *data,
                           size_t size, size_t *out_size);
/* Encrypts `size` bytes into a new buffer (C library: free()) of *out_size bytes. */
int sv__hls_aes128_encrypt(const uint8_t key[16], const uint8_t iv[16], const uint8_t *data,
                           size_t size, uint8_t **out, size_t *out_size);
/* The IV HLS uses when EXT-X-KEY has none: the media sequence number as a
 * 128-bit big-endian integer. */
void sv__hls_iv_from_sequence(uint64_t sequence, uint8_t iv[16]);

/* Rewrites an init segment to its clear form: encv/enca become the `frma`
 * format, `sinf` and every `pssh` are removed and the sizes of the parents
 * are fixed. Returns 0 with a new buffer from `alloc` in *out
 * (sv__free(alloc, ...); NULL: the C library), SV_ERR_PARSE or SV_ERR_NOMEM.
 * A clear init comes back unchanged in content. */
int sv__cenc_init_rewrite_clear(const uint8_t *data, size_t size, const sv_allocator *alloc,
                                uint8_t **out, size_t *out_size);

#endif
