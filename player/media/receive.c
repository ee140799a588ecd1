/*
 * The receive stage: a segment the scheduler fetched is counted, measured
 * (a throughput sample for the estimator and the ABR rule), cleared of its
 * encryption and handed to its stream (receive_keys.c, which fetches
 * licenses and AES-128 keys when needed); then the scheduler is told
 * through delivered(). The scheduler only decides what to fetch
 * (core/scheduler.c).
 *
 * Loop thread only.
 */
#include <stdlib.h>
#include <string.h>

#include "player/media/receive_internal.h"

int sv__recv_create(sv__recv **out, const sv__recv_config *cfg)
{
    sv__recv *rv = sv__calloc(cfg->env->alloc, 1, sizeof(*rv));
    int r;

    if (!rv)
        return SV_ERR_NOMEM;
    rv->cfg = *cfg;
    if ((r = sv__decryptor_create(&rv->dec, cfg->env->alloc)) < 0 ||
        (r = sv__aes_keys_create(&rv->aes, cfg->fetcher, cfg->env->alloc)) < 0)
        goto fail;
    *out = rv;
    return 0;
fail:
    sv__recv_destroy(rv);
    return r;
}

void sv__recv_cancel(sv__recv *rv)
{
    if (!rv)
        return;
    if (rv->fetch_id)
        sv__fetch_cancel(rv->cfg.fetcher, rv->fetch_id);
    rv->fetch_id = 0;
    sv__aes_keys_cancel(rv->aes);
    sv__free(rv->cfg.env->alloc, rv->held);
    rv->held = NULL;
    rv->growing = 0;
}

void sv__recv_destroy(sv__recv *rv)
{
    if (!rv)
        return;
    sv__recv_cancel(rv);
    sv__decryptor_destroy(rv->dec);
    sv__aes_keys_destroy(rv->aes);
    if (rv->license_req)
        rv->cfg.cdm->free_request(rv->cfg.cdm->opaque, rv->license_req);
    sv__free(rv->cfg.env->alloc, rv);
}

/* Pieces closer than this belong to one burst; a longer wait is the
 * producer writing the next chunk, not the link. */
#define IDLE_GAP_S 0.03
/* Bursts shorter than this in all measure nothing (a loopback link). */
#define MIN_BURST_S 0.002

void sv__recv_piece(sv__recv *rv, const uint8_t *data, size_t len, size_t offset,
                    const sv__recv_item *item)
{
    const sv_allocator *alloc = rv->cfg.env->alloc;
    double now = sv__env_now(rv->cfg.env);
    /* A new segment (the last one's transfer failed and it was given up). */
    if (rv->growing && (item->gen != rv->item.gen || item->chunk.start != rv->item.chunk.start ||
                        item->chunk.run != rv->item.chunk.run))
        rv->growing = 0;
    if (!rv->growing) {
        rv->growing = 1;
        rv->forwarded = 0;
        rv->last_piece_s = -1;
        rv->burst_bytes = rv->burst_s = 0;
        rv->item = *item;
    }
    if (rv->last_piece_s >= 0 && now - rv->last_piece_s < IDLE_GAP_S) {
        rv->burst_bytes += (double)len;
        rv->burst_s += now - rv->last_piece_s;
    }
    rv->last_piece_s = now;
    if (offset + len <= rv->forwarded)
        return; /* a retry's repeat of what went on already */
    size_t skip = rv->forwarded > offset ? rv->forwarded - offset : 0;
    uint8_t *copy = sv__malloc(alloc, len - skip);
    if (!copy) {
        sv__env_error(rv->cfg.env, SV_ERR_NOMEM, 1, "out of memory queueing a segment");
        return;
    }
    memcpy(copy, data + skip, len - skip);
    rv->forwarded = offset + len;
    /* emsg boxes come before the segment's moof: its first piece holds
     * them (a box cut by the piece's end is not read). */
    if (offset == 0)
        sv__recv_emsg(rv, copy, len, "a segment read as it grows");
    sv__recv_push_chunk(rv, copy, len - skip, 0);
}

int sv__recv_busy(const sv__recv *rv)
{
    return rv->fetch_id != 0 || rv->held != NULL;
}

static double position(const sv__recv *rv)
{
    sv__status *st = rv->cfg.env->st;
    sv__mutex_lock(&st->lock);
    double pos = st->position_s;
    sv__mutex_unlock(&st->lock);
    return pos;
}

/* Counts the download and, for a media segment, makes a throughput sample. */
static void measure(sv__recv *rv, const sv__fetch_result *r)
{
    sv__status *st = rv->cfg.env->st;
    sv__throughput *tp = rv->cfg.tput;
    const sv__chunk *seg = &rv->item.chunk;

    sv__mutex_lock(&st->lock);
    st->stats.bytes_downloaded += (int64_t)r->size;
    if (!rv->item.is_init)
        st->stats.segments_downloaded++;
    sv__mutex_unlock(&st->lock);

    double took = r->end_s - r->start_s, bytes = (double)r->size;
    if (rv->growing) {
        /* Read as it grew: the chunks' bursts, not the producer's pace. */
        took = rv->burst_s >= MIN_BURST_S ? rv->burst_s : 0;
        bytes = rv->burst_bytes;
    }
    /* Init segments are small and latency-bound: they would overstate the
     * link, so only media segments make throughput samples. */
    if (took > 0 && bytes > 0 && !rv->item.is_init) {
        tp->media_samples++;
        sv_abr_estimator_add(tp->est, (uint64_t)bytes, took);
        if (rv->cfg.abr) {
            double lat = !rv->growing && r->first_byte_s > r->start_s ? r->first_byte_s - r->start_s
                                                                        : 0;
            sv_abr_sample smp = { .bytes = (uint64_t)bytes, .duration_s = took, .index = seg->rep_index,
                                  .latency_s = lat < took ? lat : 0,
                                  .buffer_s = seg->start + seg->duration - position(rv) };
            sv_abr_on_download(rv->cfg.abr, &smp);
        }
    }
    tp->last_download_end = r->end_s;
}

void sv__recv_segment(sv__recv *rv, sv__fetch_result *r, const sv__recv_item *item)
{
    rv->item = *item;
    measure(rv, r);
    if (rv->growing) {
        /* Most of it went on piece by piece; the rest (a piece that came
         * with the end) goes now, then the scheduler moves on. */
        size_t done = rv->forwarded;
        rv->growing = 0;
        if (r->size > done) {
            memmove(r->data, r->data + done, r->size - done);
            sv__recv_push_chunk(rv, r->data, r->size - done, 0);
        } else {
            sv__free(rv->cfg.env->alloc, r->data);
        }
        rv->cfg.delivered(rv->cfg.opaque, 0);
        return;
    }
    if (item->is_init) {
        int ret = sv__decryptor_set_init(rv->dec, r->data, r->size);
        if (ret == 0 && sv__decryptor_encrypted(rv->dec)) {
            sv__free(rv->cfg.env->alloc, r->data);
            sv__recv_acquire_keys(rv);
            return;
        }
        sv__recv_push_chunk(rv, r->data, r->size, 1);
        rv->cfg.delivered(rv->cfg.opaque, 1);
    } else if (item->key && item->key->method == SV__KEY_AES128) {
        size_t size = r->size;
        int ret = sv__aes_keys_decrypt(rv->aes, item->key, item->sequence, r->data, &size,
                                       sv__recv_on_aes_key, rv);
        if (ret == 1) { /* the key is on its way: hold the segment */
            rv->held = r->data;
            rv->held_size = size;
            return;
        }
        if (ret < 0) {
            sv__free(rv->cfg.env->alloc, r->data);
            sv__env_error(rv->cfg.env, SV_ERR_DRM, 1, "cannot decrypt %s (AES-128): %s", r->url,
                          sv_strerror(ret));
            return;
        }
        sv__recv_deliver_media(rv, r->data, size, r->url);
    } else {
        sv__recv_deliver_media(rv, r->data, r->size, r->url);
    }
}

int sv__recv_encrypted(const sv__recv *rv)
{
    return sv__decryptor_encrypted(rv->dec);
}
