/*
 * Thumbnails: one 320-pixel-wide JPEG (FFmpeg's mjpeg encoder) every
 * interval of presentation time, taken from the decoded frames on the
 * decoding thread, as thumbs/thumb-<n>.jpg with n from 1. The first is the
 * first frame, so a title of duration D gets ceil(D / interval) images.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libswscale/swscale.h>

#include "backend/media/internal.h"
#include "platform/fs.h"
#include "streamverse/common.h"

#define THUMB_WIDTH 320

struct sv__thumbs {
    double interval;
    double next_t;
    int count;
    char dir[4096];
    sv__writer *writer;      /* not owned; NULL: write in the caller's thread */
    AVCodecContext *enc;     /* opened at the first frame, when the size is known */
    struct SwsContext *sws;
    AVFrame *small;
    AVPacket *pkt;
};

int sv__thumbs_open(sv__thumbs **out, double interval_s, const char *dir, sv__writer *writer,
                    char *errbuf, size_t errlen)
{
    sv__thumbs *t = calloc(1, sizeof(*t));
    if (!t)
        return sv__media_err(errbuf, errlen, SV_ERR_NOMEM, "out of memory (thumbnails)");
    t->writer = writer;
    t->interval = interval_s > 0 ? interval_s : 10.0;
    snprintf(t->dir, sizeof(t->dir), "%s", dir);
    int rc = sv__media_ioerr(errbuf, errlen, sv__mkdir(dir, 0), "create", dir);
    if (rc < 0) {
        free(t);
        return rc;
    }
    *out = t;
    return 0;
}

static int open_encoder(sv__thumbs *t, const AVFrame *frame, char *errbuf, size_t errlen)
{
    double sar = frame->sample_aspect_ratio.num > 0
        ? av_q2d(frame->sample_aspect_ratio) : 1.0;
    int h = (int)lrint(THUMB_WIDTH * frame->height / (frame->width * sar) / 2.0) * 2;
    if (h < 2)
        h = 2;
    const AVCodec *codec = avcodec_find_encoder(AV_CODEC_ID_MJPEG);
    if (!codec)
        return sv__media_err(errbuf, errlen, SV_ERR_UNSUPPORTED, "no mjpeg encoder");
    t->enc = avcodec_alloc_context3(codec);
    t->small = av_frame_alloc();
    t->pkt = av_packet_alloc();
    if (!t->enc || !t->small || !t->pkt)
        return sv__media_err(errbuf, errlen, SV_ERR_NOMEM, "out of memory (thumbnails)");
    t->enc->width = THUMB_WIDTH;
    t->enc->height = h;
    /* Full-range YUV is what JPEG viewers expect (yuv420p tagged as full
     * range rather than the deprecated yuvj420p). */
    t->enc->pix_fmt = AV_PIX_FMT_YUV420P;
    t->enc->color_range = AVCOL_RANGE_JPEG;
    t->enc->time_base = (AVRational){ 1, 25 };
    t->enc->flags |= AV_CODEC_FLAG_QSCALE;
    t->enc->global_quality = FF_QP2LAMBDA * 4;
    int ret = avcodec_open2(t->enc, codec, NULL);
    if (ret < 0)
        return sv__media_averr(errbuf, errlen, SV_ERR_UNSUPPORTED, ret, "mjpeg encoder");
    t->small->format = AV_PIX_FMT_YUV420P;
    t->small->color_range = AVCOL_RANGE_JPEG;
    t->small->width = THUMB_WIDTH;
    t->small->height = h;
    if ((ret = av_frame_get_buffer(t->small, 0)) < 0)
        return sv__media_averr(errbuf, errlen, SV_ERR_NOMEM, ret, "thumbnail frame");
    return 0;
}

static int write_one(sv__thumbs *t, const AVFrame *frame, char *errbuf, size_t errlen)
{
    int ret;
    t->sws = sws_getCachedContext(t->sws, frame->width, frame->height, frame->format,
                                  t->small->width, t->small->height, AV_PIX_FMT_YUV420P,
                                  SWS_BICUBIC, NULL, NULL, NULL);
    if (!t->sws)
        return sv__media_err(errbuf, errlen, SV_ERR_UNSUPPORTED, "cannot scale a thumbnail");
    /* Source range as tagged (limited when unknown), output full range. */
    int src_full = frame->color_range == AVCOL_RANGE_JPEG;
    const int *coefs = sws_getCoefficients(SWS_CS_DEFAULT);
    sws_setColorspaceDetails(t->sws, coefs, src_full, coefs, 1, 0, 1 << 16, 1 << 16);
    if ((ret = av_frame_make_writable(t->small)) < 0)
        return sv__media_averr(errbuf, errlen, SV_ERR_NOMEM, ret, "thumbnail frame");
    sws_scale(t->sws, (const uint8_t *const *)frame->data, frame->linesize, 0, frame->height,
              t->small->data, t->small->linesize);
    t->small->pts = t->count;
    if ((ret = avcodec_send_frame(t->enc, t->small)) < 0 ||
        (ret = avcodec_receive_packet(t->enc, t->pkt)) < 0)
        return sv__media_averr(errbuf, errlen, SV_ERR_INTERNAL, ret, "mjpeg encode");
    char path[4200];
    snprintf(path, sizeof(path), "%s/thumb-%d.jpg", t->dir, t->count + 1);
    ret = t->writer ? sv__writer_submit(t->writer, path, t->pkt->data, (size_t)t->pkt->size,
                                        errbuf, errlen)
                    : sv__media_ioerr(errbuf, errlen,
                                      sv__file_write(path, t->pkt->data,
                                                     (size_t)t->pkt->size, 0644),
                                      "write", path);
    av_packet_unref(t->pkt);
    if (ret < 0)
        return ret;
    t->count++;
    return 0;
}

int sv__thumbs_offer(sv__thumbs *t, const AVFrame *frame, double t_s, char *errbuf, size_t errlen)
{
    /* Half a millisecond of slack absorbs time base rounding. */
    if (t_s + 0.0005 < t->next_t)
        return 0;
    int ret;
    if (!t->enc && (ret = open_encoder(t, frame, errbuf, errlen)) < 0)
        return ret;
    if ((ret = write_one(t, frame, errbuf, errlen)) < 0)
        return ret;
    /* After a gap in the source the next image is due at the next multiple. */
    t->next_t = (floor((t_s + 0.0005) / t->interval) + 1.0) * t->interval;
    return 0;
}

int sv__thumbs_count(const sv__thumbs *t) { return t->count; }

void sv__thumbs_destroy(sv__thumbs *t)
{
    if (!t)
        return;
    avcodec_free_context(&t->enc);
    sws_freeContext(t->sws);
    av_frame_free(&t->small);
    av_packet_free(&t->pkt);
    free(t);
}
