/*
 * jpeg.c - one JPEG picture made from decoded frames (internal.h, "JPEG
 * pictures"): FFmpeg's mjpeg encoder on full-range yuv420p, libswscale
 * scaling frames into it, the file written through the ingest's writer.
 * Shared by the thumbnails (thumbs.c), the seek tiles (tiles.c) and the
 * poster (poster.c).
 */
#include <math.h>
#include <stdio.h>

#include <libswscale/swscale.h>

#include "backend/media/internal.h"
#include "streamverse/common.h"

/* sv__media_averr naming the step ("mjpeg encode", "frame") of `what`. */
static int averr(char *errbuf, size_t errlen, int code, int ret, const char *step,
                 const char *what)
{
    char label[96];
    snprintf(label, sizeof(label), "%s (%s)", step, what);
    return sv__media_averr(errbuf, errlen, code, ret, label);
}

int sv__jpeg_height(const AVFrame *frame, int width)
{
    double sar = frame->sample_aspect_ratio.num > 0 ? av_q2d(frame->sample_aspect_ratio) : 1.0;
    int h = (int)lrint(width * frame->height / (frame->width * sar) / 2.0) * 2;
    return h < 2 ? 2 : h;
}

int sv__jpeg_open(sv__jpeg *j, int w, int h, int qscale, const char *what, char *errbuf,
                  size_t errlen)
{
    const AVCodec *codec = avcodec_find_encoder(AV_CODEC_ID_MJPEG);
    int ret;

    if (!codec)
        return sv__media_err(errbuf, errlen, SV_ERR_UNSUPPORTED, "no mjpeg encoder");
    j->enc = avcodec_alloc_context3(codec);
    j->pic = av_frame_alloc();
    j->pkt = av_packet_alloc();
    if (!j->enc || !j->pic || !j->pkt)
        return sv__media_err(errbuf, errlen, SV_ERR_NOMEM, "out of memory (%s)", what);
    /* Full-range YUV is what JPEG viewers expect (yuv420p tagged as full
     * range rather than the deprecated yuvj420p). */
    j->enc->width = j->pic->width = w;
    j->enc->height = j->pic->height = h;
    j->enc->pix_fmt = j->pic->format = AV_PIX_FMT_YUV420P;
    j->enc->color_range = j->pic->color_range = AVCOL_RANGE_JPEG;
    j->enc->time_base = (AVRational){ 1, 25 };
    j->enc->flags |= AV_CODEC_FLAG_QSCALE;
    j->enc->global_quality = FF_QP2LAMBDA * qscale;
    if ((ret = avcodec_open2(j->enc, codec, NULL)) < 0)
        return sv__media_averr(errbuf, errlen, SV_ERR_UNSUPPORTED, ret, "mjpeg encoder");
    if ((ret = av_frame_get_buffer(j->pic, 0)) < 0)
        return averr(errbuf, errlen, SV_ERR_NOMEM, ret, "frame", what);
    return 0;
}

int sv__jpeg_scale(sv__jpeg *j, const AVFrame *frame, int x, int y, int w, int h,
                   const char *what, char *errbuf, size_t errlen)
{
    j->sws = sws_getCachedContext(j->sws, frame->width, frame->height, frame->format, w, h,
                                  AV_PIX_FMT_YUV420P, SWS_BICUBIC, NULL, NULL, NULL);
    if (!j->sws)
        return sv__media_err(errbuf, errlen, SV_ERR_UNSUPPORTED, "cannot scale a %s", what);
    /* Source range as tagged (limited when unknown), output full range. */
    const int *coefs = sws_getCoefficients(SWS_CS_DEFAULT);
    sws_setColorspaceDetails(j->sws, coefs, frame->color_range == AVCOL_RANGE_JPEG, coefs, 1, 0,
                             1 << 16, 1 << 16);
    int ret = av_frame_make_writable(j->pic);
    if (ret < 0)
        return averr(errbuf, errlen, SV_ERR_NOMEM, ret, "frame", what);
    /* Even offsets: the chroma area starts at half the luma's. */
    uint8_t *dst[4] = {
        j->pic->data[0] + (size_t)y * j->pic->linesize[0] + x,
        j->pic->data[1] + (size_t)(y / 2) * j->pic->linesize[1] + x / 2,
        j->pic->data[2] + (size_t)(y / 2) * j->pic->linesize[2] + x / 2,
        NULL,
    };
    sws_scale(j->sws, (const uint8_t *const *)frame->data, frame->linesize, 0, frame->height,
              dst, j->pic->linesize);
    return 0;
}

int sv__jpeg_write(sv__jpeg *j, int64_t pts, const char *path, sv__writer *writer, int *bytes,
                   const char *what, char *errbuf, size_t errlen)
{
    int ret;

    j->pic->pts = pts;
    if ((ret = avcodec_send_frame(j->enc, j->pic)) < 0 ||
        (ret = avcodec_receive_packet(j->enc, j->pkt)) < 0)
        return averr(errbuf, errlen, SV_ERR_INTERNAL, ret, "mjpeg encode", what);
    if (bytes)
        *bytes = j->pkt->size;
    ret = sv__writer_put(writer, path, j->pkt->data, (size_t)j->pkt->size, errbuf, errlen);
    av_packet_unref(j->pkt);
    return ret;
}

void sv__jpeg_close(sv__jpeg *j)
{
    avcodec_free_context(&j->enc);
    sws_freeContext(j->sws);
    j->sws = NULL;
    av_frame_free(&j->pic);
    av_packet_free(&j->pkt);
}
