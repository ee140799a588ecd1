/*
 * scheduler_keys.c - the scheduler's keys: CENC licenses for encrypted init
 * segments, and HLS AES-128 segments held until their key arrives.
 *
 * Loop thread only.
 */
#include <stdlib.h>
#include <string.h>

#include "player/core/scheduler_internal.h"

/* ---- keys ---------------------------------------------------------------- */

/* The init segment is encrypted and its keys are held: hand on its clear form. */
static void push_clear_init(sched_stream *ss)
{
    uint8_t *clear = NULL;
    size_t size = 0;
    int r = sv__decryptor_clear_init(ss->dec, &clear, &size);
    if (r < 0) {
        sv__control_error(ss->owner->p, SV_ERR_DRM, 1, "cannot read the protected init segment");
        return;
    }
    ss->init_pending = 0;
    sv__sched_push_chunk(ss, clear, size, 1);
    sv__sched_pump(ss);
}

static void on_license(void *opaque, sv__fetch_result *r)
{
    sched_stream *ss = opaque;
    struct sv_player *p = ss->owner->p;
    ss->fetch_id = 0;
    p->cdm->free_request(p->cdm->opaque, ss->license_req);
    ss->license_req = NULL;
    if (r->error) {
        free(r->data);
        sv__control_error(p, SV_ERR_DRM, 1, "license request refused: %s", r->message);
        return;
    }
    int ret = p->cdm->update(p->cdm->opaque, r->data, r->size);
    free(r->data);
    if (ret < 0) {
        sv__control_error(p, SV_ERR_DRM, 1, "the license server's answer holds no usable key");
        return;
    }
    push_clear_init(ss);
}

static const char *license_url(sched_stream *ss)
{
    struct sv_player *p = ss->owner->p;
    sv__track *t = sv__sched_track_of(ss);
    /* The host's choice (load, then settings) wins over the manifest's
     * dashif:laurl, as in Shaka Player: a backend's session answer or
     * svplay --license-url names the server that will honour the token. */
    if (p->load_opts.license_url)
        return p->load_opts.license_url;
    if (p->settings.license_url)
        return p->settings.license_url;
    return t ? t->license_url : NULL;
}

void sv__sched_acquire_keys(sched_stream *ss)
{
    struct sv_player *p = ss->owner->p;
    const char *url = license_url(ss);
    uint8_t *req = NULL;
    size_t len = 0;
    int r = sv__decryptor_request(ss->dec, p->cdm, url, &req, &len);
    if (r == 1) {
        push_clear_init(ss);
        return;
    }
    if (r < 0 || !url) {
        if (r == 0)
            p->cdm->free_request(p->cdm->opaque, req);
        sv__control_error(p, r < 0 ? r : SV_ERR_NO_KEY, 1,
                          "the content is encrypted and %s", r < 0 ? "the CDM cannot ask for its keys"
                                                                : "no license URL or key was given");
        return;
    }
    ss->license_req = req;
    sv__fetch_req fr = { .kind = SV__FETCH_KEY, .url = url, .length = -1, .body = req,
                         .body_len = len, .body_type = p->cdm->request_content_type };
    int64_t id = sv__fetch(p->fetcher, &fr, on_license, ss);
    if (id < 0) {
        p->cdm->free_request(p->cdm->opaque, req);
        ss->license_req = NULL;
        sv__control_error(p, (int)id, 1, "cannot request a license from %s", url);
        return;
    }
    ss->fetch_id = id;
}

/* A media segment, clear of any whole-segment encryption, goes on. */
void sv__sched_deliver_media(sched_stream *ss, uint8_t *data, size_t size, const char *url)
{
    struct sv_player *p = ss->owner->p;
    int ret = sv__decryptor_segment(ss->dec, p->cdm, data, size);
    if (ret < 0) {
        free(data);
        sv__control_error(p, ret == SV_ERR_NO_KEY ? SV_ERR_NO_KEY : SV_ERR_DRM, 1,
                          "cannot decrypt %s: %s", url, sv_strerror(ret));
        return;
    }
    sv__sched_push_chunk(ss, data, size, 0);
    ss->buffered_end = ss->seg.start + ss->seg.duration;
    ss->next_time = ss->buffered_end;
    sv__sched_pump(ss);
}

void sv__sched_on_aes_key(void *opaque, int error, const char *message)
{
    sched_stream *ss = opaque;
    struct sv_player *p = ss->owner->p;
    uint8_t *data = ss->held;
    size_t size = ss->held_size;

    ss->held = NULL;
    if (!error && (error = sv__aes_keys_finish(ss->aes, data, &size)) < 0)
        message = "the segment does not decrypt with its key (wrong key?)";
    if (error) {
        free(data);
        sv__control_error(p, error, 1, "%s", message);
        return;
    }
    sv__sched_deliver_media(ss, data, size, "(held segment)");
}
