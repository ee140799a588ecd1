/*
 * hls_aes128.c - HLS METHOD=AES-128 for the scheduler: key URIs fetched once
 * per load and kept, whole segments decrypted in place (internal.h,
 * "HLS AES-128").
 *
 * Loop thread. One object per scheduler stream, so each stream waits for at
 * most one key at a time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drm/cenc.h"
#include "player/media/media.h"

#define MAX_KEYS 64 /* key rotation: the oldest key is forgotten beyond this */

typedef struct held_key {
    char *uri;
    uint8_t key[16];
} held_key;

struct sv__aes_keys {
    const sv_allocator *alloc; /* the player's (borrowed) */
    sv__fetcher *fetcher;      /* borrowed */
    held_key keys[MAX_KEYS];
    int nb_keys, next_slot;
    /* The segment waiting for its key: */
    int64_t fetch_id;
    char *pending_uri;
    uint8_t pending_iv[16];
    int fetched_slot;            /* where the last fetched key went */
    void (*resume)(void *opaque, int error, const char *message);
    void *resume_opaque;
};

int sv__aes_keys_create(sv__aes_keys **out, sv__fetcher *fetcher, const sv_allocator *alloc)
{
    sv__aes_keys *k = sv__calloc(alloc, 1, sizeof(*k));

    if (!k)
        return SV_ERR_NOMEM;
    k->alloc = alloc;
    k->fetcher = fetcher;
    *out = k;
    return 0;
}

void sv__aes_keys_cancel(sv__aes_keys *k)
{
    if (!k)
        return;
    if (k->fetch_id > 0)
        sv__fetch_cancel(k->fetcher, k->fetch_id);
    k->fetch_id = 0;
    sv__free(k->alloc, k->pending_uri);
    k->pending_uri = NULL;
}

void sv__aes_keys_destroy(sv__aes_keys *k)
{
    if (!k)
        return;
    sv__aes_keys_cancel(k);
    for (int i = 0; i < k->nb_keys; i++)
        sv__free(k->alloc, k->keys[i].uri);
    sv__free(k->alloc, k);
}

static const held_key *find(const sv__aes_keys *k, const char *uri)
{
    for (int i = 0; i < k->nb_keys; i++)
        if (!strcmp(k->keys[i].uri, uri))
            return &k->keys[i];
    return NULL;
}

static void on_key(void *opaque, sv__fetch_result *r)
{
    sv__aes_keys *k = opaque;
    char msg[300];
    int err = 0;

    k->fetch_id = 0;
    if (r->error) {
        snprintf(msg, sizeof(msg), "cannot get the AES-128 key: %s", r->message);
        err = r->error == SV_ERR_FORBIDDEN ? SV_ERR_FORBIDDEN : SV_ERR_DRM;
    } else if (r->size != 16) {
        snprintf(msg, sizeof(msg), "the AES-128 key at %s is %zu bytes, not 16", r->url, r->size);
        err = SV_ERR_DRM;
    } else {
        held_key *h = &k->keys[k->next_slot];
        if (k->nb_keys == MAX_KEYS)
            sv__free(k->alloc, h->uri);
        else
            k->nb_keys++;
        h->uri = k->pending_uri;
        k->pending_uri = NULL;
        memcpy(h->key, r->data, 16);
        k->fetched_slot = k->next_slot;
        k->next_slot = (k->next_slot + 1) % MAX_KEYS;
        msg[0] = '\0';
    }
    sv__free(k->alloc, r->data);
    k->resume(k->resume_opaque, err, msg);
}

int sv__aes_keys_decrypt(sv__aes_keys *k, const sv__key *key, int64_t sequence, uint8_t *data,
                         size_t *size,
                         void (*resume)(void *opaque, int error, const char *message),
                         void *opaque)
{
    uint8_t iv[16];
    const held_key *h;

    if (!key->uri)
        return SV_ERR_DRM;
    if (key->has_iv)
        memcpy(iv, key->iv, 16);
    else
        sv__hls_iv_from_sequence((uint64_t)sequence, iv);
    if ((h = find(k, key->uri)))
        return sv__hls_aes128_decrypt(h->key, iv, data, *size, size);

    /* Fetch it; the caller holds the segment and calls _finish on resume. */
    sv__aes_keys_cancel(k);
    if (!(k->pending_uri = sv__strdup(k->alloc, key->uri)))
        return SV_ERR_NOMEM;
    memcpy(k->pending_iv, iv, 16);
    k->resume = resume;
    k->resume_opaque = opaque;
    sv__fetch_req req = { .kind = SV__FETCH_KEY, .url = key->uri, .length = -1 };
    int64_t id = sv__fetch(k->fetcher, &req, on_key, k);
    if (id < 0) {
        sv__free(k->alloc, k->pending_uri);
        k->pending_uri = NULL;
        return (int)id;
    }
    k->fetch_id = id;
    return 1;
}

int sv__aes_keys_finish(sv__aes_keys *k, uint8_t *data, size_t *size)
{
    if (k->nb_keys == 0)
        return SV_ERR_NO_KEY;
    return sv__hls_aes128_decrypt(k->keys[k->fetched_slot].key, k->pending_iv, data, *size,
                                  size);
}
