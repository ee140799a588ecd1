/*
 * A poster's JPEG into ARGB pixels (poster.h, svp_poster_decode): libavcodec's
 * MJPEG decoder and libswscale, no SDL, no I/O; fuzzed by
 * tests/fuzz/fuzz_svplay_poster.c.
 */
#include <libavcodec/avcodec.h>
#include <libswscale/swscale.h>
#include <stdlib.h>
#include <string.h>

#include "poster.h"

/* The largest picture decoded: 4096 x 4096. */
#define POSTER_MAX_PIXELS (4096 * 4096)

/* The full-range pixel formats of JPEG as their plain twins (swscale warns
 * about the old ones); the range is set on the context instead. */
static enum AVPixelFormat plain_format(enum AVPixelFormat f, int *full)
{
    *full = 1;
    switch (f) {
    case AV_PIX_FMT_YUVJ420P: return AV_PIX_FMT_YUV420P;
    case AV_PIX_FMT_YUVJ422P: return AV_PIX_FMT_YUV422P;
    case AV_PIX_FMT_YUVJ444P: return AV_PIX_FMT_YUV444P;
    case AV_PIX_FMT_YUVJ440P: return AV_PIX_FMT_YUV440P;
    default: *full = 0; return f;
    }
}

static int scale_to(const AVFrame *f, int dst_w, int dst_h, uint32_t **argb)
{
    int full = 0;
    enum AVPixelFormat src = plain_format((enum AVPixelFormat)f->format, &full);
    struct SwsContext *sws = sws_getContext(f->width, f->height, src, dst_w, dst_h,
                                            AV_PIX_FMT_BGRA, SWS_BICUBIC, NULL, NULL, NULL);
    uint32_t *out = malloc((size_t)dst_w * dst_h * sizeof(*out));
    int ret = SV_ERR_NOMEM;

    if (!sws || !out)
        goto fail;
    if (full) {
        const int *coefs = sws_getCoefficients(SWS_CS_ITU601);
        sws_setColorspaceDetails(sws, coefs, 1, coefs, 1, 0, 1 << 16, 1 << 16);
    }
    /* BGRA bytes are ARGB in a little-endian uint32_t (SDL_PIXELFORMAT_ARGB8888). */
    uint8_t *dst[4] = {(uint8_t *)out, NULL, NULL, NULL};
    int stride[4] = {dst_w * 4, 0, 0, 0};
    sws_scale(sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height, dst, stride);
    *argb = out;
    out = NULL;
    ret = 0;
fail:
    free(out);
    sws_freeContext(sws);
    return ret;
}

int svp_poster_decode(const uint8_t *data, size_t len, int dst_w, int dst_h, uint32_t **argb,
                      int *src_w, int *src_h)
{
    const AVCodec *codec = avcodec_find_decoder(AV_CODEC_ID_MJPEG);
    AVCodecContext *ctx = NULL;
    AVPacket *pkt = av_packet_alloc();
    AVFrame *frame = av_frame_alloc();
    int ret = SV_ERR_NOMEM;

    if (argb)
        *argb = NULL;
    if (!codec || !pkt || !frame || !(ctx = avcodec_alloc_context3(codec)))
        goto fail;
    /* A poster is at most 640 pixels wide (docs/http-api.md): a header
     * claiming far more is refused before the decoder allocates for it. */
    ctx->max_pixels = POSTER_MAX_PIXELS;
    ret = SV_ERR_DECODE;
    if (!data || len == 0 || len > INT32_MAX || avcodec_open2(ctx, codec, NULL) < 0 ||
        av_new_packet(pkt, (int)len) < 0)
        goto fail;
    memcpy(pkt->data, data, len);
    if (avcodec_send_packet(ctx, pkt) < 0 || avcodec_send_packet(ctx, NULL) < 0 ||
        avcodec_receive_frame(ctx, frame) < 0 || frame->width <= 0 || frame->height <= 0)
        goto fail;
    *src_w = frame->width;
    *src_h = frame->height;
    ret = dst_w > 0 && dst_h > 0 ? scale_to(frame, dst_w, dst_h, argb) : 0;
fail:
    av_frame_free(&frame);
    av_packet_free(&pkt);
    avcodec_free_context(&ctx);
    return ret;
}
