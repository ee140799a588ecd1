/*
 * The built-in W3C ClearKey CDM: a key cache per KID, ClearKey license
 * messages (clearkey.c) and the CENC / HLS AES-128 decryptors.
 *
 * Each key keeps its CENC decryptor (OpenSSL contexts with the key schedule)
 * from its first sample to its replacement or the CDM's end.
 *
 * No lock: cdm.h promises that no two calls on one CDM overlap, which also
 * covers the decryptors' state.
 */
#include <stdlib.h>
#include <string.h>

#include "cenc.h"
#include "clearkey.h"
#include "platform/alloc.h"
#include "platform/hex.h"

static const uint8_t common_id[16] = SV_SYSTEM_ID_W3C_COMMON;
static const uint8_t clearkey_id[16] = SV_SYSTEM_ID_DASHIF_CLEARKEY;

/* A held key and, once a sample used it, its decryptor: the AES key
 * schedule is made once per key, not once per sample. */
typedef struct ck_key {
    uint8_t kid[16];
    uint8_t key[16];
    sv__cenc_cipher *dec;
} ck_key;

typedef struct clearkey {
    sv_cdm pub;            /* first: the public pointer is the object */
    sv_allocator alloc;    /* every allocation of the CDM; zero: the C library */
    ck_key *keys;
    size_t nb_keys;
    size_t cap;
} clearkey;

static ck_key *find_key(const clearkey *ck, const uint8_t kid[16])
{
    for (size_t i = 0; i < ck->nb_keys; i++) {
        if (memcmp(ck->keys[i].kid, kid, 16) == 0)
            return &ck->keys[i];
    }
    return NULL;
}

static int store_key(clearkey *ck, const uint8_t kid[16], const uint8_t key[16])
{
    for (size_t i = 0; i < ck->nb_keys; i++) {
        if (memcmp(ck->keys[i].kid, kid, 16) == 0) {
            memcpy(ck->keys[i].key, key, 16);
            /* The old decryptor holds the old key. */
            sv__cenc_cipher_destroy(ck->keys[i].dec);
            ck->keys[i].dec = NULL;
            return 0;
        }
    }
    if (ck->nb_keys == ck->cap) {
        size_t cap = ck->cap ? ck->cap * 2 : 8;
        ck_key *k = sv__realloc(&ck->alloc, ck->keys, cap * sizeof(*k));
        if (!k)
            return SV_ERR_NOMEM;
        ck->keys = k;
        ck->cap = cap;
    }
    memcpy(ck->keys[ck->nb_keys].kid, kid, 16);
    memcpy(ck->keys[ck->nb_keys].key, key, 16);
    ck->keys[ck->nb_keys].dec = NULL;
    ck->nb_keys++;
    return 0;
}

static int ck_supports(void *opaque, const uint8_t system_id[16])
{
    return system_id && (memcmp(system_id, common_id, 16) == 0 ||
                         memcmp(system_id, clearkey_id, 16) == 0);
}

/* Appends kid to list unless it is held or already listed. */
static void want(const clearkey *ck, uint8_t (*list)[16], size_t *n, const uint8_t *kid)
{
    if (find_key(ck, kid))
        return;
    for (size_t i = 0; i < *n; i++) {
        if (memcmp(list[i], kid, 16) == 0)
            return;
    }
    memcpy(list[(*n)++], kid, 16);
}

static int ck_create_request(void *opaque, const sv_cdm_init_data *init, uint8_t **request,
                             size_t *request_size)
{
    clearkey *ck = opaque;
    sv__pssh pssh;
    uint8_t (*list)[16] = NULL;
    size_t n = 0, total;
    char *text = NULL;
    int ret, have_pssh = 0;

    if (!init || !request || !request_size || (init->nb_kids && !init->kids))
        return SV_ERR_INVALID;
    total = init->nb_kids;
    /* Only a pssh for a system ClearKey understands names KIDs for us. */
    if (init->pssh && sv__cenc_parse_pssh(init->pssh, init->pssh_size, &pssh) == 0 &&
        ck_supports(ck, pssh.system_id)) {
        have_pssh = 1;
        total += pssh.nb_kids;
    }
    if (total == 0)
        return SV_ERR_INVALID; /* nothing to ask for */
    if (!(list = sv__malloc(&ck->alloc, total * sizeof(*list))))
        return SV_ERR_NOMEM;
    for (size_t i = 0; i < init->nb_kids; i++)
        want(ck, list, &n, init->kids[i]);
    for (uint32_t i = 0; have_pssh && i < pssh.nb_kids; i++)
        want(ck, list, &n, pssh.kids + 16 * (size_t)i);
    if (n == 0) {
        ret = 1; /* every key is held */
        goto fail;
    }
    if ((ret = sv__clearkey_request_write((const uint8_t (*)[16])list, n, &ck->alloc, &text)) < 0)
        goto fail;
    *request = (uint8_t *)text;
    *request_size = strlen(text);
    ret = 0;
fail:
    sv__free(&ck->alloc, list);
    return ret;
}

static void ck_free_request(void *opaque, uint8_t *request)
{
    clearkey *ck = opaque;
    sv__free(&ck->alloc, request);
}

static int ck_update(void *opaque, const uint8_t *response, size_t response_size)
{
    clearkey *ck = opaque;
    sv__clearkey_key *keys = NULL;
    size_t n = 0;
    int ret;

    if (!response)
        return SV_ERR_DRM;
    if ((ret = sv__clearkey_license_parse(response, response_size, &ck->alloc, &keys, &n)) < 0)
        return ret == SV_ERR_NOMEM ? ret : SV_ERR_DRM;
    for (size_t i = 0; i < n && ret == 0; i++)
        ret = store_key(ck, keys[i].kid, keys[i].key);
    /* Keys must not linger in freed memory. */
    memset(keys, 0, n * sizeof(*keys));
    sv__free(&ck->alloc, keys);
    return ret;
}

static int ck_has_key(void *opaque, const uint8_t kid[16])
{
    return kid && find_key(opaque, kid) != NULL;
}

static int ck_decrypt(void *opaque, sv_encrypted_sample *s)
{
    ck_key *k;
    int ret;

    if (!s)
        return SV_ERR_INVALID;
    if (!(k = find_key(opaque, s->kid)))
        return SV_ERR_NO_KEY;
    if (s->scheme == SV_SCHEME_HLS_AES128) {
        /* One call per whole segment: a key schedule per call costs nothing. */
        if (s->iv_size != 16)
            return SV_ERR_DRM;
        return sv__hls_aes128_decrypt(k->key, s->iv, s->data, s->size, &s->size);
    }
    if (!k->dec && (ret = sv__cenc_cipher_create(k->key, 0, &k->dec)) < 0)
        return ret;
    return sv__cenc_cipher_sample(k->dec, s);
}

static void ck_destroy(sv_cdm *cdm)
{
    if (!cdm)
        return;
    clearkey *ck = cdm->opaque;
    for (size_t i = 0; i < ck->nb_keys; i++)
        sv__cenc_cipher_destroy(ck->keys[i].dec);
    if (ck->keys)
        memset(ck->keys, 0, ck->cap * sizeof(*ck->keys));
    sv_allocator alloc = ck->alloc;
    sv__free(&alloc, ck->keys);
    sv__free(&alloc, ck);
}

int sv__cdm_clearkey_create(sv_cdm **out, const sv_allocator *alloc)
{
    sv_cdm *cdm;
    clearkey *ck;

    if (!out || !sv__allocator_valid(alloc))
        return SV_ERR_INVALID;
    if (!(ck = sv__calloc(alloc, 1, sizeof(*ck))))
        return SV_ERR_NOMEM;
    sv__allocator_copy(&ck->alloc, alloc);
    cdm = &ck->pub;
    cdm->struct_size = sizeof(*cdm);
    cdm->key_system = "org.w3.clearkey";
    cdm->request_content_type = "application/json";
    cdm->supports = ck_supports;
    cdm->create_request = ck_create_request;
    cdm->free_request = ck_free_request;
    cdm->update = ck_update;
    cdm->has_key = ck_has_key;
    cdm->decrypt = ck_decrypt;
    cdm->destroy = ck_destroy;
    cdm->opaque = ck;
    *out = cdm;
    return 0;
}

SV_API int sv_cdm_clearkey_create(sv_cdm **out)
{
    return sv__cdm_clearkey_create(out, NULL);
}

SV_API int sv_cdm_clearkey_add_key(sv_cdm *cdm, const uint8_t kid[16], const uint8_t key[16])
{
    /* Our destroy function is how we recognise our own CDM. */
    if (!cdm || cdm->destroy != ck_destroy || !cdm->opaque || !kid || !key)
        return SV_ERR_INVALID;
    return store_key(cdm->opaque, kid, key);
}

/* Reads 16 bytes of hex from *p up to `stop`, skipping dashes if allowed. */
static int hex16(const char **p, uint8_t out[16], int dashes)
{
    const char *s = *p;
    for (int i = 0; i < 32; i++) {
        while (dashes && *s == '-')
            s++;
        int d = sv__hex_digit(*s);
        if (d < 0)
            return SV_ERR_INVALID;
        out[i / 2] = (uint8_t)(i % 2 ? (out[i / 2] << 4) | d : d);
        s++;
    }
    *p = s;
    return 0;
}

SV_API int sv_cdm_parse_key_pair(const char *text, uint8_t kid[16], uint8_t key[16])
{
    if (!text || !kid || !key)
        return SV_ERR_INVALID;
    if (hex16(&text, kid, 1) < 0 || *text++ != ':' || hex16(&text, key, 0) < 0 || *text)
        return SV_ERR_INVALID;
    return 0;
}
