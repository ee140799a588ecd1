/*
 * Decoders: a thin layer over libavcodec that opens a decoder from a
 * demuxer's codec parameters (with frame threads for video) and runs the
 * send/receive loop, handing every frame to a callback.
 */
#include <stdatomic.h>
#include <string.h>

#include <libavcodec/avcodec.h>

#include "player/media/media.h"
#include "player/model/codec.h"

/* Bit 31 marks the cache filled; concurrent first calls compute the same value. */
#define DECODABLE_KNOWN (1u << 31)

unsigned sv__decodable_codecs(void)
{
    static _Atomic unsigned cache;
    unsigned m = atomic_load(&cache);
    if (m & DECODABLE_KNOWN)
        return m & ~DECODABLE_KNOWN;
    static const struct {
        enum AVCodecID id;
        sv__codec_family family;
    } ids[] = { { AV_CODEC_ID_H264, SV__CODEC_H264 }, { AV_CODEC_ID_HEVC, SV__CODEC_HEVC },
                { AV_CODEC_ID_AV1, SV__CODEC_AV1 }, { AV_CODEC_ID_VP9, SV__CODEC_VP9 } };
    m = SV__CODEC_BIT(SV__CODEC_UNKNOWN);
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
        if (avcodec_find_decoder(ids[i].id))
            m |= SV__CODEC_BIT(ids[i].family);
    atomic_store(&cache, m | DECODABLE_KNOWN);
    return m;
}

struct sv__decoder {
    AVCodecContext *ctx;
    AVFrame *frame;
    enum AVCodecID codec_id;
    const sv_allocator *alloc;  /* the player's (borrowed) */
    uint8_t *extradata;
    int extradata_size;
};

int sv__decoder_open(sv__decoder **out, const AVCodecParameters *par, int threads,
                     int strict, const sv__logger *log, const sv_allocator *alloc, char *err,
                     size_t errlen)
{
    int ret = SV_ERR_NOMEM;
    sv__decoder *d = sv__calloc(alloc, 1, sizeof(*d));
    if (!d)
        goto fail;
    d->alloc = alloc;
    const AVCodec *codec = avcodec_find_decoder(par->codec_id);
    if (!codec) {
        snprintf(err, errlen, "unsupported codec: %s", avcodec_get_name(par->codec_id));
        ret = SV_ERR_UNSUPPORTED;
        goto fail;
    }
    d->ctx = avcodec_alloc_context3(codec);
    d->frame = av_frame_alloc();
    if (!d->ctx || !d->frame)
        goto fail;
    if (avcodec_parameters_to_context(d->ctx, par) < 0)
        goto fail;
    if (par->codec_type == AVMEDIA_TYPE_VIDEO) {
        d->ctx->thread_count = threads; /* 0: libavcodec picks one per core */
        d->ctx->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
    }
    if (strict) {
        /* Decrypted media: an error must surface, not be concealed, so a
         * wrong key never paints garbage. */
        d->ctx->err_recognition |= AV_EF_EXPLODE | AV_EF_BITSTREAM | AV_EF_BUFFER | AV_EF_CRCCHECK;
    }
    int averr = avcodec_open2(d->ctx, codec, NULL);
    if (averr < 0) {
        snprintf(err, errlen, "cannot open the %s decoder: %s", codec->name, av_err2str(averr));
        ret = SV_ERR_UNSUPPORTED;
        goto fail;
    }
    d->codec_id = par->codec_id;
    if (par->extradata_size > 0) {
        d->extradata = sv__malloc(alloc, (size_t)par->extradata_size);
        if (!d->extradata)
            goto fail;
        memcpy(d->extradata, par->extradata, (size_t)par->extradata_size);
        d->extradata_size = par->extradata_size;
    }
    SV_LOGD(log, "decode", "opened %s decoder", codec->name);
    *out = d;
    return 0;

fail:
    if (ret == SV_ERR_NOMEM)
        snprintf(err, errlen, "out of memory opening a decoder");
    sv__decoder_close(d);
    return ret;
}

void sv__decoder_close(sv__decoder *d)
{
    if (!d)
        return;
    avcodec_free_context(&d->ctx);
    av_frame_free(&d->frame);
    sv__free(d->alloc, d->extradata);
    sv__free(d->alloc, d);
}

int sv__decoder_strict(const sv__decoder *d)
{
    return (d->ctx->err_recognition & AV_EF_EXPLODE) != 0;
}

int sv__decoder_same(const sv__decoder *d, const AVCodecParameters *par)
{
    if (d->codec_id != par->codec_id || d->extradata_size != par->extradata_size)
        return 0;
    if (d->extradata_size && memcmp(d->extradata, par->extradata, (size_t)d->extradata_size))
        return 0;
    if (par->codec_type == AVMEDIA_TYPE_VIDEO)
        return d->ctx->width == par->width && d->ctx->height == par->height;
    return d->ctx->sample_rate == par->sample_rate &&
           d->ctx->ch_layout.nb_channels == par->ch_layout.nb_channels;
}

int sv__decoder_decode(sv__decoder *d, const AVPacket *pkt, int (*fn)(void *, AVFrame *),
                       void *opaque)
{
    int sent = 0;
    while (!sent) {
        int ret = avcodec_send_packet(d->ctx, pkt);
        if (ret == 0 || ret == AVERROR_EOF)
            sent = 1;
        else if (ret != AVERROR(EAGAIN))
            return SV_ERR_DECODE; /* corrupt packet: the caller logs and goes on */
        /* Take out what is ready; on EAGAIN this makes room to send again. */
        for (;;) {
            ret = avcodec_receive_frame(d->ctx, d->frame);
            if (ret == AVERROR(EAGAIN))
                break;
            if (ret == AVERROR_EOF) {
                avcodec_flush_buffers(d->ctx); /* drained: ready for the next run */
                return 0;
            }
            if (ret < 0)
                return SV_ERR_DECODE;
            int r = fn(opaque, d->frame);
            av_frame_unref(d->frame);
            if (r < 0)
                return r;
        }
    }
    return 0;
}
