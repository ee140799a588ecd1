/*
 * receive_keys.c - the receive stage's clearing and handing on: CENC
 * licenses for encrypted init segments, HLS AES-128 segments held until
 * their key arrives, and the chunk each segment becomes in its stream.
 *
 * Loop thread only.
 */
#include <stdlib.h>
#include <string.h>

#include "player/media/receive_internal.h"

/* ---- keys ---------------------------------------------------------------- */

void sv__recv_push_chunk(sv__recv *rv, uint8_t *data, size_t size, int is_init)
{
    sv__chunk *c = sv__calloc(rv->cfg.env->alloc, 1, sizeof(*c));
    if (!c) {
        sv__free(rv->cfg.env->alloc, data);
        sv__env_error(rv->cfg.env, SV_ERR_NOMEM, 1, "out of memory queueing a segment");
        return;
    }
    *c = rv->item.chunk;
    c->alloc = rv->cfg.env->alloc;
    c->next = NULL;
    c->data = data;
    c->size = size;
    c->is_init = is_init;
    c->encrypted = sv__decryptor_encrypted(rv->dec);
    sv__stream_push(rv->cfg.stream, c, rv->item.gen);
}

/* The init segment is encrypted and its keys are held: hand on its clear form. */
static void push_clear_init(sv__recv *rv)
{
    uint8_t *clear = NULL;
    size_t size = 0;
    int r = sv__decryptor_clear_init(rv->dec, &clear, &size);
    if (r < 0) {
        sv__env_error(rv->cfg.env, SV_ERR_DRM, 1, "cannot read the protected init segment");
        return;
    }
    sv__recv_push_chunk(rv, clear, size, 1);
    rv->cfg.delivered(rv->cfg.opaque, 1);
}

static void on_license(void *opaque, sv__fetch_result *r)
{
    sv__recv *rv = opaque;
    rv->fetch_id = 0;
    rv->cfg.cdm->free_request(rv->cfg.cdm->opaque, rv->license_req);
    rv->license_req = NULL;
    if (r->error) {
        sv__free(rv->cfg.env->alloc, r->data);
        sv__env_error(rv->cfg.env, SV_ERR_DRM, 1, "license request refused: %s", r->message);
        return;
    }
    int ret = rv->cfg.cdm->update(rv->cfg.cdm->opaque, r->data, r->size);
    sv__free(rv->cfg.env->alloc, r->data);
    if (ret < 0) {
        sv__env_error(rv->cfg.env, SV_ERR_DRM, 1,
                      "the license server's answer holds no usable key");
        return;
    }
    push_clear_init(rv);
}

void sv__recv_acquire_keys(sv__recv *rv)
{
    const char *url = rv->item.license_url;
    uint8_t *req = NULL;
    size_t len = 0;
    int r = sv__decryptor_request(rv->dec, rv->cfg.cdm, url, &req, &len);
    if (r == 1) {
        push_clear_init(rv);
        return;
    }
    if (r < 0 || !url) {
        if (r == 0)
            rv->cfg.cdm->free_request(rv->cfg.cdm->opaque, req);
        sv__env_error(rv->cfg.env, r < 0 ? r : SV_ERR_NO_KEY, 1,
                      "the content is encrypted and %s", r < 0 ? "the CDM cannot ask for its keys"
                                                            : "no license URL or key was given");
        return;
    }
    rv->license_req = req;
    sv__fetch_req fr = { .kind = SV__FETCH_KEY, .url = url, .length = -1, .body = req,
                         .body_len = len, .body_type = rv->cfg.cdm->request_content_type };
    int64_t id = sv__fetch(rv->cfg.fetcher, &fr, on_license, rv);
    if (id < 0) {
        rv->cfg.cdm->free_request(rv->cfg.cdm->opaque, req);
        rv->license_req = NULL;
        sv__env_error(rv->cfg.env, (int)id, 1, "cannot request a license from %s", url);
        return;
    }
    rv->fetch_id = id;
}

/* A media segment, clear of any whole-segment encryption, goes on. */
void sv__recv_deliver_media(sv__recv *rv, uint8_t *data, size_t size, const char *url)
{
    sv__recv_emsg(rv, data, size, url);
    int ret = sv__decryptor_segment(rv->dec, rv->cfg.cdm, data, size);
    if (ret < 0) {
        sv__free(rv->cfg.env->alloc, data);
        sv__env_error(rv->cfg.env, ret == SV_ERR_NO_KEY ? SV_ERR_NO_KEY : SV_ERR_DRM, 1,
                      "cannot decrypt %s: %s", url, sv_strerror(ret));
        return;
    }
    sv__recv_push_chunk(rv, data, size, 0);
    rv->cfg.delivered(rv->cfg.opaque, 0);
}

void sv__recv_on_aes_key(void *opaque, int error, const char *message)
{
    sv__recv *rv = opaque;
    uint8_t *data = rv->held;
    size_t size = rv->held_size;

    rv->held = NULL;
    if (!error && (error = sv__aes_keys_finish(rv->aes, data, &size)) < 0)
        message = "the segment does not decrypt with its key (wrong key?)";
    if (error) {
        sv__free(rv->cfg.env->alloc, data);
        sv__env_error(rv->cfg.env, error, 1, "%s", message);
        return;
    }
    sv__recv_deliver_media(rv, data, size, "(held segment)");
}
