/*
 * drm/package.h - the DRM module's interface for the back end: what a
 * packager needs to protect fragmented MP4 with Common Encryption, and what
 * a license server needs to answer ClearKey requests. backend/ includes
 * this header and no other of drm/ (a test checks it); the player's side
 * (parsing protected media, decrypting fragments, HLS AES-128, the CDM)
 * stays in cenc.h and clearkey.h, which build on this one.
 *
 * For packaging it brings:
 * - the ISO-BMFF box walker (box.h: sv__box, sv__box_iter, sv__box_find,
 *   sv__fullbox) and, through it, internal.h's bounds-checked reader
 *   sv__rd and growable box writer sv__buf, with SV__FOURCC and the
 *   big-endian helpers: a packager walks its muxer's boxes and writes its
 *   own;
 * - per-sample encryption (sv__cenc_crypt_sample) over the subsample map
 *   of a length-prefixed AVC sample (sv__cenc_nal_subsamples) or of the
 *   ranges a codec lets be protected (sv__cenc_range_subsamples: HEVC
 *   slice data, AV1 tiles);
 * - the protection boxes: sinf (frma, schm, schi/tenc), pssh, senc, saiz,
 *   saio.
 * For the license server: ClearKey license requests in, JWK sets out.
 *
 * Thread: no shared state; each call works on the caller's objects only.
 */
#ifndef SV_DRM_PACKAGE_H
#define SV_DRM_PACKAGE_H

#include <stddef.h>
#include <stdint.h>

#include "box.h" /* the box walker, with internal.h's sv__rd and sv__buf */
#include "streamverse/cdm.h"
#include "offline_license.h" /* persistent licenses: svserver signs, the SDK checks */

/* ---- Common Encryption for packagers ---- */

/* Track encryption defaults: `tenc`, or one `seig` sample group entry. */
typedef struct sv__tenc {
    uint8_t is_protected;
    uint8_t iv_size;            /* per-sample IV size in senc: 0, 8 or 16 */
    uint8_t crypt_byte_block;   /* pattern (tenc v1 / seig); 0:0 = none */
    uint8_t skip_byte_block;
    uint8_t kid[16];
    uint8_t constant_iv_size;   /* 8 or 16 when iv_size is 0 and protected */
    uint8_t constant_iv[16];
} sv__tenc;

/* One sample of a fragment, with its protection. */
typedef struct sv__cenc_sample {
    size_t offset;               /* of the sample's first byte in the fragment buffer */
    uint32_t size;
    uint32_t track_id;
    sv_encryption_scheme scheme;
    uint8_t is_protected;
    uint8_t kid[16];
    uint8_t iv[16];
    uint8_t iv_size;             /* 8 or 16 */
    uint8_t crypt_byte_block;
    uint8_t skip_byte_block;
    size_t first_subsample;      /* index into sv__cenc_fragment.subsamples */
    size_t nb_subsamples;        /* 0: the whole sample is protected */
} sv__cenc_sample;

/* Size of the fixed fields of a protected sample entry payload before its
 * child boxes: 78 for encv, 28/44/64 for enca (by its version field).
 * Returns the size, or SV_ERR_PARSE when the payload is shorter. */
int sv__cenc_sample_entry_fixed_size(uint32_t type, const uint8_t *payload, size_t size);

/* Decrypts (or encrypts, with `encrypt` 1) one sample in place with `key`,
 * per its scheme, pattern, IV and subsamples, using OpenSSL EVP.
 * HLS AES-128 is handled by sv__hls_aes128_* instead.
 * Returns 0, SV_ERR_DRM when the subsamples run past the sample or the IV
 * size is not 8 or 16, SV_ERR_UNSUPPORTED for an unknown scheme, or
 * SV_ERR_INTERNAL when OpenSSL fails. */
int sv__cenc_crypt_sample(const uint8_t key[16], sv_encrypted_sample *s, int encrypt);

/* Codec families for the video subsample map. */
typedef enum sv__nal_codec { SV__NAL_AVC = 0, SV__NAL_HEVC = 1 } sv__nal_codec;

/* Builds the subsample map of a length-prefixed AVC/HEVC sample: each VCL NAL
 * keeps its length prefix, NAL header and any bytes before the last whole
 * 16-byte block clear and protects whole blocks only; parameter sets, SEI and
 * every other non-VCL NAL stay fully clear. Clear runs longer than 65535
 * bytes are split (senc stores clear sizes in 16 bits).
 * Returns the number of subsamples written (up to `max`), SV_ERR_PARSE when a
 * NAL length runs past the sample, or SV_ERR_OVERFLOW when `max` is short. */
int sv__cenc_nal_subsamples(const uint8_t *sample, size_t size, int length_size,
                            sv__nal_codec codec, sv_subsample *out, size_t max);

/* A run of bytes inside a sample. */
typedef struct sv__cenc_range {
    size_t offset;
    size_t size;
} sv__cenc_range;

/* Builds the subsample map of a sample from the ranges its codec's rules let
 * be protected (HEVC: the slice data after each slice header; AV1: each
 * tile's decode_tile() bytes, per AV1-ISOBMFF "Common Encryption"), given in
 * order and not overlapping; every other byte stays clear.
 *  - whole_blocks = 1 ('cenc'): each range protects its last whole 16-byte
 *    blocks, so the protected part ends on the range's last byte and the
 *    leading remainder stays clear; a range shorter than 16 bytes stays
 *    clear and joins the clear run around it.
 *  - whole_blocks = 0 ('cbcs'): each range is one subsample's protected
 *    part exactly, even when shorter than 16 bytes (the cipher leaves a
 *    trailing partial block clear).
 * Clear runs longer than 65535 bytes are split (senc stores clear sizes in
 * 16 bits); bytes after the last range end in a subsample with nothing
 * protected. Returns the number of subsamples written (up to `max`),
 * SV_ERR_INVALID when the ranges are out of order or past the sample, or
 * SV_ERR_OVERFLOW when `max` is short. */
int sv__cenc_range_subsamples(size_t sample_size, const sv__cenc_range *ranges, size_t n,
                              int whole_blocks, sv_subsample *out, size_t max);

/* Box writers, appending to `b` (check b->err once at the end). */
void sv__cenc_write_frma(sv__buf *b, uint32_t original_format);
void sv__cenc_write_schm(sv__buf *b, uint32_t scheme_type);
void sv__cenc_write_tenc(sv__buf *b, const sv__tenc *t);
/* sinf = frma + schm + schi(tenc). */
void sv__cenc_write_sinf(sv__buf *b, uint32_t original_format, uint32_t scheme_type,
                         const sv__tenc *t);
/* pssh v1 when nb_kids > 0, else v0. */
void sv__cenc_write_pssh(sv__buf *b, const uint8_t system_id[16], const uint8_t (*kids)[16],
                         size_t nb_kids, const uint8_t *data, uint32_t data_size);
/* senc for n samples with `iv_size` IV bytes each (0: constant IV, none
 * written); subsamples (flag 0x2) when `with_subsamples`. A clear size over
 * 16 bits sets b->err to SV_ERR_RANGE. */
void sv__cenc_write_senc(sv__buf *b, const sv__cenc_sample *samples, size_t n,
                         const sv_subsample *subsamples, int iv_size, int with_subsamples);
/* saiz with the per-sample sizes of the senc above (one default when equal). */
void sv__cenc_write_saiz(sv__buf *b, const sv__cenc_sample *samples, size_t n, int iv_size,
                         int with_subsamples);
/* saio with one offset; returns the offset in `b` of the 32-bit value so the
 * caller can patch it once the senc position is known. */
size_t sv__cenc_write_saio(sv__buf *b, uint32_t offset);

/* ---- ClearKey for license servers ---- */

/* A content key and its KID. */
typedef struct sv__clearkey_key {
    uint8_t kid[16];
    uint8_t key[16];
} sv__clearkey_key;

/* Parses a W3C ClearKey license request {"kids":[...],"type":...}; *kids
 * is a new array (C library: free()) of *n KIDs. SV_ERR_PARSE when the text is not a
 * request with at least one 16-byte KID. */
int sv__clearkey_request_parse(const uint8_t *json, size_t size, uint8_t (**kids)[16], size_t *n);
/* The JWK set {"keys":[{"kty":"oct","k":...,"kid":...}]} for `n` keys as
 * JSON text in a new string (C library: free()). */
int sv__clearkey_license_write(const sv__clearkey_key *keys, size_t n, char **out);

#endif
