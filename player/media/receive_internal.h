/*
 * The receive stage's own state, shared by receive.c and receive_keys.c
 * (licenses and HLS AES-128 keys). Loop thread only.
 */
#ifndef SV_PLAYER_MEDIA_RECEIVE_INTERNAL_H
#define SV_PLAYER_MEDIA_RECEIVE_INTERNAL_H

#include "player/media/media.h"

struct sv__recv {
    sv__recv_config cfg;
    sv__recv_item item;        /* the segment being received (copied) */
    int64_t fetch_id;          /* > 0 while a license request is in flight */
    sv__decryptor *dec;        /* protection of the current init segment */
    sv__aes_keys *aes;         /* HLS AES-128 keys */
    uint8_t *held;             /* a media segment waiting for its AES-128 key */
    size_t held_size;
    uint8_t *license_req;      /* request in flight (CDM-owned) */

    /* A media segment read as it grows (sv__recv_piece): the bytes handed
     * to the stream so far, and the throughput of its chunks: the bytes
     * that came within a burst (after its first piece) over the bursts'
     * time, the idle gaps while the producer wrote the next chunk left out. */
    int growing;
    size_t forwarded;
    double last_piece_s;       /* clock seconds of the last piece, < 0 none */
    double burst_bytes, burst_s;
};

/* receive_keys.c */
/* Hands a chunk to the stream with the item's description. Takes `data`. */
void sv__recv_push_chunk(sv__recv *rv, uint8_t *data, size_t size, int is_init);
/* The init segment is encrypted: its keys from the CDM, or a license request. */
void sv__recv_acquire_keys(sv__recv *rv);
/* A media segment, clear of any whole-segment encryption, goes on (CENC
 * samples are decrypted here). Takes `data`. */
void sv__recv_deliver_media(sv__recv *rv, uint8_t *data, size_t size, const char *url);
/* receive_emsg.c: the segment's emsg boxes go to the timed events. */
void sv__recv_emsg(sv__recv *rv, const uint8_t *data, size_t size, const char *url);
/* resume() of sv__aes_keys_decrypt for a held segment. */
void sv__recv_on_aes_key(void *opaque, int error, const char *message);

#endif
