/*
 * The audio rendition: decode the source's first audio stream, resample to
 * 48 kHz stereo float planar, encode AAC-LC with FFmpeg's native encoder and
 * mux it into its own CMAF track, cut at the first packet at or past every
 * multiple of the segment duration (AAC frames are 1024 samples, so audio
 * segments end within 21 ms of the video ones).
 *
 * Runs on the decoding thread: audio costs little next to the video rungs.
 * Timestamps follow the sample count from the first decoded frame, so gaps
 * in the source become no gaps in the output (audio stays continuous).
 */
#include <stdlib.h>
#include <string.h>

#include <libavutil/audio_fifo.h>
#include <libavutil/channel_layout.h>
#include <libswresample/swresample.h>

#include "backend/media/internal.h"
#include "streamverse/common.h"

#define OUT_RATE 48000

struct sv__audio_job {
    AVRational src_tb;
    int64_t start;           /* source zero in src_tb */
    AVCodecContext *dec, *enc;
    SwrContext *swr;
    AVChannelLayout swr_in_layout;
    int swr_in_rate, swr_in_fmt;
    AVAudioFifo *fifo;
    uint8_t **conv;          /* resampler output, conv_cap samples per plane */
    int conv_cap;
    AVFrame *in, *out;
    AVPacket *pkt;
    int64_t next_pts;        /* 1/48000; INT64_MIN until the first frame */
    int64_t seg_len, next_cut;
    sv__fmp4 *mux;
    sv__segwriter segs;
    sv__encsink *encsink;    /* NULL for clear output */
};

static int drain_encoder(sv__audio_job *a, char *errbuf, size_t errlen)
{
    int ret;
    while ((ret = avcodec_receive_packet(a->enc, a->pkt)) >= 0) {
        if (a->pkt->pts >= a->next_cut) {
            if ((ret = sv__fmp4_cut(a->mux, errbuf, errlen)) < 0) {
                av_packet_unref(a->pkt);
                return ret;
            }
            while (a->next_cut <= a->pkt->pts)
                a->next_cut += a->seg_len;
        }
        if ((ret = sv__fmp4_write(a->mux, a->pkt, errbuf, errlen)) < 0)
            return ret;
    }
    if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
        return 0;
    return sv__media_averr(errbuf, errlen, SV_ERR_INTERNAL, ret, "aac encode");
}

int sv__aac_encode_fifo(AVCodecContext *enc, AVAudioFifo *fifo, AVFrame *out, int64_t *next_pts,
                        int final, int (*drain)(void *opaque, char *err, size_t errlen),
                        void *opaque, char *errbuf, size_t errlen)
{
    int fs = enc->frame_size;
    while (av_audio_fifo_size(fifo) >= fs || (final && av_audio_fifo_size(fifo) > 0)) {
        int n = FFMIN(fs, av_audio_fifo_size(fifo));
        av_frame_unref(out);
        out->nb_samples = n;
        out->format = enc->sample_fmt;
        out->sample_rate = enc->sample_rate;
        int ret = av_channel_layout_copy(&out->ch_layout, &enc->ch_layout);
        if (ret >= 0)
            ret = av_frame_get_buffer(out, 0);
        if (ret < 0)
            return sv__media_averr(errbuf, errlen, SV_ERR_NOMEM, ret, "audio frame");
        av_audio_fifo_read(fifo, (void **)out->data, n);
        out->pts = *next_pts;
        *next_pts += n;
        if ((ret = avcodec_send_frame(enc, out)) < 0)
            return sv__media_averr(errbuf, errlen, SV_ERR_INTERNAL, ret, "aac send");
        if ((ret = drain(opaque, errbuf, errlen)) < 0)
            return ret;
    }
    return 0;
}

static int drain_job(void *opaque, char *errbuf, size_t errlen)
{
    return drain_encoder(opaque, errbuf, errlen);
}

/* Encodes whole frames from the FIFO; at the end also the partial rest. */
static int encode_fifo(sv__audio_job *a, int final, char *errbuf, size_t errlen)
{
    return sv__aac_encode_fifo(a->enc, a->fifo, a->out, &a->next_pts, final, drain_job, a, errbuf,
                               errlen);
}

static int setup_swr(sv__audio_job *a, const AVFrame *in, char *errbuf, size_t errlen)
{
    AVChannelLayout inl;
    int ret;
    if (in->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC)
        av_channel_layout_default(&inl, in->ch_layout.nb_channels);
    else if ((ret = av_channel_layout_copy(&inl, &in->ch_layout)) < 0)
        return sv__media_averr(errbuf, errlen, SV_ERR_NOMEM, ret, "channel layout");
    if (a->swr && a->swr_in_rate == in->sample_rate && a->swr_in_fmt == in->format &&
        !av_channel_layout_compare(&inl, &a->swr_in_layout)) {
        av_channel_layout_uninit(&inl);
        return 0;
    }
    /* First frame, or the source changed format mid-stream: start over. */
    swr_free(&a->swr);
    av_channel_layout_uninit(&a->swr_in_layout);
    a->swr_in_layout = inl;
    a->swr_in_rate = in->sample_rate;
    a->swr_in_fmt = in->format;
    ret = swr_alloc_set_opts2(&a->swr, &a->enc->ch_layout, AV_SAMPLE_FMT_FLTP, OUT_RATE,
                              &inl, in->format, in->sample_rate, 0, NULL);
    if (ret >= 0)
        ret = swr_init(a->swr);
    if (ret < 0)
        return sv__media_averr(errbuf, errlen, SV_ERR_UNSUPPORTED, ret, "audio resampler");
    return 0;
}

static int resample(sv__audio_job *a, const AVFrame *in, char *errbuf, size_t errlen)
{
    int need = swr_get_out_samples(a->swr, in ? in->nb_samples : 0);
    if (need <= 0)
        return 0;
    if (need > a->conv_cap) {
        if (a->conv)
            av_freep(&a->conv[0]);
        av_freep(&a->conv);
        if (av_samples_alloc_array_and_samples(&a->conv, NULL, 2, need, AV_SAMPLE_FMT_FLTP, 0) < 0)
            return sv__media_err(errbuf, errlen, SV_ERR_NOMEM, "out of memory (resampler)");
        a->conv_cap = need;
    }
    int n = swr_convert(a->swr, a->conv, need, in ? (const uint8_t **)in->extended_data : NULL,
                        in ? in->nb_samples : 0);
    if (n < 0)
        return sv__media_averr(errbuf, errlen, SV_ERR_DECODE, n, "audio resample");
    if (n > 0 && av_audio_fifo_write(a->fifo, (void **)a->conv, n) < n)
        return sv__media_err(errbuf, errlen, SV_ERR_NOMEM, "out of memory (audio fifo)");
    return 0;
}

static int drain_decoder(sv__audio_job *a, char *errbuf, size_t errlen)
{
    int ret;
    while ((ret = avcodec_receive_frame(a->dec, a->in)) >= 0) {
        if (a->next_pts == INT64_MIN) {
            int64_t ts = a->in->best_effort_timestamp;
            a->next_pts = ts == AV_NOPTS_VALUE ? 0
                : av_rescale_q(ts - a->start, a->src_tb, (AVRational){ 1, OUT_RATE });
            if (a->next_pts < 0)
                a->next_pts = 0;
        }
        ret = setup_swr(a, a->in, errbuf, errlen);
        if (ret == 0)
            ret = resample(a, a->in, errbuf, errlen);
        av_frame_unref(a->in);
        if (ret < 0)
            return ret;
        if ((ret = encode_fifo(a, 0, errbuf, errlen)) < 0)
            return ret;
    }
    /* A corrupt packet loses its samples, like a player would; it does not
     * fail the title. */
    if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF || ret == AVERROR_INVALIDDATA)
        return 0;
    return sv__media_averr(errbuf, errlen, SV_ERR_DECODE, ret, "audio decode");
}

int sv__audio_open(sv__audio_job **out, const AVStream *st, int64_t start_time,
                   int bitrate_kbps, double segment_s, const char *dir,
                   const sv__media_protection *prot, sv__writer *writer,
                   char *errbuf, size_t errlen)
{
    int rc = SV_ERR_NOMEM, ret;
    sv__audio_job *a = calloc(1, sizeof(*a));
    if (!a)
        return sv__media_err(errbuf, errlen, rc, "out of memory (audio)");
    a->src_tb = st->time_base;
    a->start = start_time == AV_NOPTS_VALUE ? 0
        : av_rescale_q(start_time, AV_TIME_BASE_Q, st->time_base);
    a->next_pts = INT64_MIN;
    a->seg_len = (int64_t)(segment_s * OUT_RATE + 0.5);
    a->next_cut = a->seg_len;
    if ((rc = sv__segwriter_init(&a->segs, dir, writer, errbuf, errlen)) < 0)
        goto fail;

    const AVCodec *dc = avcodec_find_decoder(st->codecpar->codec_id);
    if (!dc) {
        rc = sv__media_err(errbuf, errlen, SV_ERR_UNSUPPORTED, "no decoder for the audio codec %s",
                           avcodec_get_name(st->codecpar->codec_id));
        goto fail;
    }
    rc = SV_ERR_NOMEM;
    if (!(a->dec = avcodec_alloc_context3(dc)))
        goto fail;
    if ((ret = avcodec_parameters_to_context(a->dec, st->codecpar)) < 0 ||
        (ret = avcodec_open2(a->dec, dc, NULL)) < 0) {
        rc = sv__media_averr(errbuf, errlen, SV_ERR_UNSUPPORTED, ret, "audio decoder");
        goto fail;
    }
    a->dec->pkt_timebase = st->time_base;

    const AVCodec *ec = avcodec_find_encoder_by_name("aac");
    if (!ec) {
        rc = sv__media_err(errbuf, errlen, SV_ERR_UNSUPPORTED, "no aac encoder");
        goto fail;
    }
    if (!(a->enc = avcodec_alloc_context3(ec)))
        goto fail;
    a->enc->sample_rate = OUT_RATE;
    a->enc->sample_fmt = AV_SAMPLE_FMT_FLTP;
    av_channel_layout_default(&a->enc->ch_layout, 2);
    a->enc->bit_rate = (int64_t)bitrate_kbps * 1000;
    a->enc->time_base = (AVRational){ 1, OUT_RATE };
    a->enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    if ((ret = avcodec_open2(a->enc, ec, NULL)) < 0) {
        rc = sv__media_averr(errbuf, errlen, SV_ERR_UNSUPPORTED, ret, "aac encoder");
        goto fail;
    }
    rc = SV_ERR_NOMEM;
    a->fifo = av_audio_fifo_alloc(AV_SAMPLE_FMT_FLTP, 2, a->enc->frame_size * 4);
    a->in = av_frame_alloc();
    a->out = av_frame_alloc();
    a->pkt = av_packet_alloc();
    if (!a->fifo || !a->in || !a->out || !a->pkt)
        goto fail;
    sv__frag_sink sink;
    if ((rc = sv__encsink_wrap(&a->encsink, prot, 0, sv__segwriter_sink(&a->segs), &sink,
                               errbuf, errlen)) < 0 ||
        (rc = sv__fmp4_open(&a->mux, a->enc, sink, errbuf, errlen)) < 0)
        goto fail;
    *out = a;
    return 0;
fail:
    if (rc == SV_ERR_NOMEM)
        sv__media_err(errbuf, errlen, rc, "out of memory (audio)");
    sv__audio_destroy(a);
    return rc;
}

int sv__audio_packet(sv__audio_job *a, const AVPacket *pkt, char *errbuf, size_t errlen)
{
    int ret = avcodec_send_packet(a->dec, pkt);
    if (ret < 0 && ret != AVERROR_INVALIDDATA && ret != AVERROR_EOF)
        return sv__media_averr(errbuf, errlen, SV_ERR_DECODE, ret, "audio decode");
    return drain_decoder(a, errbuf, errlen);
}

int sv__audio_finish(sv__audio_job *a, char *errbuf, size_t errlen)
{
    int ret = sv__audio_packet(a, NULL, errbuf, errlen);
    if (ret < 0)
        return ret;
    if (!a->swr)
        return sv__media_err(errbuf, errlen, SV_ERR_DECODE, "the audio stream has no decodable frame");
    if ((ret = resample(a, NULL, errbuf, errlen)) < 0 ||
        (ret = encode_fifo(a, 1, errbuf, errlen)) < 0)
        return ret;
    if ((ret = avcodec_send_frame(a->enc, NULL)) < 0)
        return sv__media_averr(errbuf, errlen, SV_ERR_INTERNAL, ret, "aac flush");
    if ((ret = drain_encoder(a, errbuf, errlen)) < 0)
        return ret;
    return sv__fmp4_finish(a->mux, errbuf, errlen);
}

const sv__segwriter *sv__audio_segments(const sv__audio_job *a) { return &a->segs; }

void sv__audio_destroy(sv__audio_job *a)
{
    if (!a)
        return;
    sv__fmp4_destroy(a->mux);
    sv__encsink_destroy(a->encsink);
    avcodec_free_context(&a->dec);
    avcodec_free_context(&a->enc);
    swr_free(&a->swr);
    av_channel_layout_uninit(&a->swr_in_layout);
    av_audio_fifo_free(a->fifo);
    if (a->conv)
        av_freep(&a->conv[0]);
    av_freep(&a->conv);
    av_frame_free(&a->in);
    av_frame_free(&a->out);
    av_packet_free(&a->pkt);
    sv__segwriter_free(&a->segs);
    free(a);
}
