/*
 * One rung of the ladder in one codec on its own thread: scale (one swscale
 * context per rung), encode (libx264, libx265 or libsvtav1: codecs.c), mux
 * into CMAF fragments cut at every forced keyframe, and hand the files to the ingest's writer thread (which does the
 * fsyncs, so an encoder never waits on the disk). The decoding thread
 * shares each decoded frame with every rung by reference (no copy); a rung
 * whose size and pixel format equal the source's encodes the decoded frame
 * as is.
 *
 * Threads: sv__rung_push/join run on the decoding thread, everything else
 * on the rung's thread. The queue fields below are guarded by `lock`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

#include "backend/media/internal.h"
#include "platform/thread.h"
#include "streamverse/common.h"

/* Frames a rung may lag behind the decoder. The slowest (tallest) rung sets
 * the pace of the ladder and its queue stays full: the depth only has to
 * absorb the decoder's own bursts (audio, thumbnails) so that rung never
 * waits for a frame. Measured on the default ladder from a 1080p source,
 * 8 already keeps the 1080p rung busy (idle 0.1 s in a 60 s clip) and 40
 * or 64 did not shorten the wall time, they only held more decoded frames
 * (3 MB each at 1080p). */
#define QUEUE_CAP 8
#define FORCED_CAP 64

struct sv__rung_job {
    sv__rung_params p;
    char dir[4096];
    sv__thread thread;
    int thread_started;

    sv__mutex lock;
    sv__cond cond;
    /* guarded by lock */
    AVFrame *queue[QUEUE_CAP];
    int head, count;
    int ended, aborted;
    int rc;                  /* first error, 0 while fine */
    /* end of lock-guarded fields */
    char err[256];           /* written by the rung thread before rc is set */

    AVCodecContext *enc;
    struct SwsContext *sws;
    AVFrame *scaled;
    AVPacket *pkt;
    sv__fmp4 *mux;
    sv__segwriter segs;
    sv__encsink *encsink;    /* NULL for clear output */
    /* pts of forced IDRs not yet seen in the output, in order: a key packet
     * with the head pts starts a new fragment. */
    int64_t forced[FORCED_CAP];
    int forced_head, forced_count;
    char codecs[48];
};

static int drain(sv__rung_job *r, char *errbuf, size_t errlen)
{
    int ret;
    while ((ret = avcodec_receive_packet(r->enc, r->pkt)) >= 0) {
        AVPacket *pkt = r->pkt;
        if (pkt->duration <= 0)
            pkt->duration = av_rescale_q(1, av_inv_q(r->p.frame_rate), r->enc->time_base);
        if ((pkt->flags & AV_PKT_FLAG_KEY) && r->forced_count > 0 &&
            pkt->pts >= r->forced[r->forced_head]) {
            r->forced_head = (r->forced_head + 1) % FORCED_CAP;
            r->forced_count--;
            if ((ret = sv__fmp4_cut(r->mux, errbuf, errlen)) < 0) {
                av_packet_unref(pkt);
                return ret;
            }
        }
        if ((ret = sv__fmp4_write(r->mux, pkt, errbuf, errlen)) < 0)
            return ret;
    }
    if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
        return 0;
    return sv__media_averr(errbuf, errlen, SV_ERR_INTERNAL, ret, "video encode");
}

static int encode_frame(sv__rung_job *r, AVFrame *in, char *errbuf, size_t errlen)
{
    AVFrame *f = in;
    int force = in->pict_type == AV_PICTURE_TYPE_I;
    if (in->width != r->p.width || in->height != r->p.height || in->format != AV_PIX_FMT_YUV420P) {
        r->sws = sws_getCachedContext(r->sws, in->width, in->height, in->format,
                                      r->p.width, r->p.height, AV_PIX_FMT_YUV420P,
                                      SWS_BICUBIC, NULL, NULL, NULL);
        if (!r->sws)
            return sv__media_err(errbuf, errlen, SV_ERR_UNSUPPORTED, "cannot scale %dx%d %s",
                                 in->width, in->height, av_get_pix_fmt_name(in->format));
        /* The encoder copied the previous picture (x264 keeps no reference
         * to our buffers), so this only allocates once. */
        int ret = av_frame_make_writable(r->scaled);
        if (ret < 0)
            return sv__media_averr(errbuf, errlen, SV_ERR_NOMEM, ret, "scaled frame");
        sws_scale(r->sws, (const uint8_t *const *)in->data, in->linesize, 0, in->height,
                  r->scaled->data, r->scaled->linesize);
        r->scaled->pts = in->pts;
        f = r->scaled;
    }
    /* Decoded frames carry the source picture type; the encoders obey it.
     * Only our forced segment starts may impose a type. */
    f->pict_type = force ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE;
    if (force) {
        if (r->forced_count == FORCED_CAP)
            return sv__media_err(errbuf, errlen, SV_ERR_INTERNAL, "encoder delay too long");
        r->forced[(r->forced_head + r->forced_count++) % FORCED_CAP] = f->pts;
    }
    int ret = avcodec_send_frame(r->enc, f);
    if (ret < 0)
        return sv__media_averr(errbuf, errlen, SV_ERR_INTERNAL, ret, "video encoder send");
    return drain(r, errbuf, errlen);
}

static void *rung_main(void *arg)
{
    sv__rung_job *r = arg;
    char err[256] = "";
    int rc = 0;
    for (;;) {
        sv__mutex_lock(&r->lock);
        while (r->count == 0 && !r->ended && !r->aborted)
            sv__cond_wait(&r->cond, &r->lock);
        if (r->aborted || (r->count == 0 && r->ended)) {
            int aborted = r->aborted;
            sv__mutex_unlock(&r->lock);
            if (aborted)
                rc = SV_ERR_CANCELLED;
            break;
        }
        AVFrame *f = r->queue[r->head];
        r->head = (r->head + 1) % QUEUE_CAP;
        r->count--;
        sv__cond_broadcast(&r->cond);
        sv__mutex_unlock(&r->lock);
        rc = encode_frame(r, f, err, sizeof(err));
        av_frame_free(&f);
        if (rc < 0)
            break;
    }
    if (rc == 0) {
        int ret = avcodec_send_frame(r->enc, NULL);
        rc = ret < 0 ? sv__media_averr(err, sizeof(err), SV_ERR_INTERNAL, ret, "video encoder flush")
                     : drain(r, err, sizeof(err));
        if (rc == 0)
            rc = sv__fmp4_finish(r->mux, err, sizeof(err));
        if (rc == 0)
            snprintf(r->codecs, sizeof(r->codecs), "%s", sv__fmp4_codecs(r->mux));
    }
    sv__mutex_lock(&r->lock);
    if (rc < 0) {
        /* A long reason is cut to fit; the rung's name always leads. */
        int n = r->p.codec == SV__CODEC_H264
                    ? snprintf(r->err, sizeof(r->err), "%dp: ", r->p.height)
                    : snprintf(r->err, sizeof(r->err), "%dp %s: ", r->p.height,
                               sv__codec_name(r->p.codec));
        if (n > 0 && (size_t)n < sizeof(r->err))
            memcpy(r->err + n, err, strnlen(err, sizeof(r->err) - (size_t)n - 1) + 1);
        r->err[sizeof(r->err) - 1] = '\0';
        r->rc = rc;
    }
    r->ended = 1;
    sv__cond_broadcast(&r->cond);
    sv__mutex_unlock(&r->lock);
    return NULL;
}

int sv__rung_start(sv__rung_job **out, const sv__rung_params *p, char *errbuf, size_t errlen)
{
    int rc = SV_ERR_NOMEM;
    sv__rung_job *r = calloc(1, sizeof(*r));
    if (!r)
        return sv__media_err(errbuf, errlen, rc, "out of memory (rung)");
    r->p = *p;
    if (sv__mutex_init(&r->lock) < 0 || sv__cond_init(&r->cond) < 0) {
        free(r);
        return sv__media_err(errbuf, errlen, SV_ERR_INTERNAL, "cannot create a lock");
    }
    if (snprintf(r->dir, sizeof(r->dir), "%s", p->out_dir) >= (int)sizeof(r->dir)) {
        rc = sv__media_err(errbuf, errlen, SV_ERR_IO, "path too long: %s", p->out_dir);
        goto fail;
    }
    r->p.out_dir = r->dir;
    if ((rc = sv__segwriter_init(&r->segs, r->dir, p->writer, errbuf, errlen)) < 0)
        goto fail;
    if ((rc = sv__video_encoder_open(&r->p, &r->enc, errbuf, errlen)) < 0)
        goto fail;
    r->scaled = av_frame_alloc();
    r->pkt = av_packet_alloc();
    rc = SV_ERR_NOMEM;
    if (!r->scaled || !r->pkt)
        goto fail;
    r->scaled->format = AV_PIX_FMT_YUV420P;
    r->scaled->width = p->width;
    r->scaled->height = p->height;
    if (av_frame_get_buffer(r->scaled, 0) < 0)
        goto fail;
    sv__frag_sink sink;
    if ((rc = sv__encsink_wrap(&r->encsink, p->prot, 1, sv__segwriter_sink(&r->segs), &sink,
                               errbuf, errlen)) < 0 ||
        (rc = sv__fmp4_open(&r->mux, r->enc, sink, errbuf, errlen)) < 0)
        goto fail;
    sv__fmp4_set_key_chunks(r->mux, !p->no_key_chunks);
    char name[16];
    snprintf(name, sizeof(name), "sv-%s-%d", sv__codec_name(p->codec), p->height);
    if ((rc = sv__thread_create(&r->thread, name, rung_main, r)) < 0) {
        sv__media_err(errbuf, errlen, rc, "cannot start the %dp encoder thread", p->height);
        goto fail;
    }
    r->thread_started = 1;
    *out = r;
    return 0;
fail:
    if (rc == SV_ERR_NOMEM)
        sv__media_err(errbuf, errlen, rc, "out of memory (rung %dp)", p->height);
    sv__rung_destroy(r);
    return rc;
}

int sv__rung_push(sv__rung_job *r, const AVFrame *frame, int segment_start)
{
    AVFrame *f = NULL;
    if (frame) {
        if (!(f = av_frame_clone(frame)))
            return SV_ERR_NOMEM;
        f->pict_type = segment_start ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE;
    }
    sv__mutex_lock(&r->lock);
    while (f && r->count == QUEUE_CAP && !r->ended && !r->aborted)
        sv__cond_wait(&r->cond, &r->lock);
    int rc = r->rc;
    if (rc == 0 && r->ended)
        rc = SV_ERR_STATE;
    if (rc == 0) {
        if (f) {
            r->queue[(r->head + r->count) % QUEUE_CAP] = f;
            r->count++;
            f = NULL;
        } else {
            r->ended = 1;
        }
        sv__cond_broadcast(&r->cond);
    }
    sv__mutex_unlock(&r->lock);
    av_frame_free(&f);
    return rc;
}

int sv__rung_join(sv__rung_job *r, int abort)
{
    if (!r->thread_started)
        return r->rc;
    sv__mutex_lock(&r->lock);
    if (abort)
        r->aborted = 1;
    r->ended = 1;
    sv__cond_broadcast(&r->cond);
    sv__mutex_unlock(&r->lock);
    sv__thread_join(&r->thread);
    r->thread_started = 0;
    return r->rc;
}

const char *sv__rung_error(const sv__rung_job *r) { return r->err; }
const sv__segwriter *sv__rung_segments(const sv__rung_job *r) { return &r->segs; }
const char *sv__rung_codecs(const sv__rung_job *r) { return r->codecs; }

void sv__rung_destroy(sv__rung_job *r)
{
    if (!r)
        return;
    if (r->thread_started)
        sv__rung_join(r, 1);
    for (int i = 0; i < r->count; i++)
        av_frame_free(&r->queue[(r->head + i) % QUEUE_CAP]);
    sv__fmp4_destroy(r->mux);
    sv__encsink_destroy(r->encsink);
    avcodec_free_context(&r->enc);
    sws_freeContext(r->sws);
    av_frame_free(&r->scaled);
    av_packet_free(&r->pkt);
    sv__segwriter_free(&r->segs);
    sv__cond_destroy(&r->cond);
    sv__mutex_destroy(&r->lock);
    free(r);
}
