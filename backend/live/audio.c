/*
 * audio.c - a live feed's audio rendition, on the pipeline's thread: decode,
 * resample to 48 kHz stereo, AAC-LC (FFmpeg's encoder), a CMAF track cut
 * into the same parts as the video (k = floor(t / part_s) of each packet's
 * time, so a part ends within one AAC frame, 21 ms, of the video's).
 * Samples before the first video frame are dropped: t = 0 is that frame.
 * After that, timestamps follow the sample count, as backend/media's
 * audio does, so the track stays continuous.
 */
#include <stdlib.h>
#include <string.h>

#include <libavutil/audio_fifo.h>
#include <libavutil/channel_layout.h>
#include <libswresample/swresample.h>

#include "backend/live/internal.h"
#include "backend/media/internal.h"
#include "streamverse/common.h"

#define OUT_RATE 48000

struct sv__live_audio {
    int64_t max_k;           /* at the end: no part past the video's last */
    AVRational src_tb;
    int64_t start;           /* t = 0 in src_tb */
    double part_s;
    AVCodecContext *dec, *enc;
    SwrContext *swr;
    AVAudioFifo *fifo;
    uint8_t **conv;
    int conv_cap;
    AVFrame *in, *out;
    AVPacket *pkt;
    int64_t next_pts;        /* 1/48000; INT64_MIN before the first kept frame */
    sv__live_track track;
};

static int drain_encoder(sv__live_audio *a, char *err, size_t errlen)
{
    int ret;

    while ((ret = avcodec_receive_packet(a->enc, a->pkt)) >= 0) {
        int64_t k = a->pkt->pts <= 0 ? 0
                  : (int64_t)((double)a->pkt->pts / OUT_RATE / a->part_s + 1e-9);

        if (k < a->track.k)
            k = a->track.k;
        if (k > a->max_k)
            k = a->max_k;
        if ((ret = sv__live_track_write(&a->track, k, a->pkt, err, errlen)) < 0)
            return ret;
    }
    if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
        return 0;
    return sv__media_averr(err, errlen, SV_ERR_INTERNAL, ret, "aac encode");
}

static int drain_live(void *opaque, char *err, size_t errlen)
{
    return drain_encoder(opaque, err, errlen);
}

static int encode_fifo(sv__live_audio *a, int final, char *err, size_t errlen)
{
    return sv__aac_encode_fifo(a->enc, a->fifo, a->out, &a->next_pts, final, drain_live, a, err,
                               errlen);
}

static int resample(sv__live_audio *a, const AVFrame *in, char *err, size_t errlen)
{
    int need, n, ret;

    if (!a->swr) {
        AVChannelLayout inl;

        if (in->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC)
            av_channel_layout_default(&inl, in->ch_layout.nb_channels);
        else if (av_channel_layout_copy(&inl, &in->ch_layout) < 0)
            return sv__media_err(err, errlen, SV_ERR_NOMEM, "out of memory (layout)");
        ret = swr_alloc_set_opts2(&a->swr, &a->enc->ch_layout, AV_SAMPLE_FMT_FLTP, OUT_RATE,
                                  &inl, in->format, in->sample_rate, 0, NULL);
        av_channel_layout_uninit(&inl);
        if (ret >= 0)
            ret = swr_init(a->swr);
        if (ret < 0)
            return sv__media_averr(err, errlen, SV_ERR_UNSUPPORTED, ret, "audio resampler");
    }
    if ((need = swr_get_out_samples(a->swr, in->nb_samples)) <= 0)
        return 0;
    if (need > a->conv_cap) {
        if (a->conv)
            av_freep(&a->conv[0]);
        av_freep(&a->conv);
        if (av_samples_alloc_array_and_samples(&a->conv, NULL, 2, need, AV_SAMPLE_FMT_FLTP,
                                               0) < 0)
            return sv__media_err(err, errlen, SV_ERR_NOMEM, "out of memory (resampler)");
        a->conv_cap = need;
    }
    n = swr_convert(a->swr, a->conv, need, (const uint8_t **)in->extended_data, in->nb_samples);
    if (n < 0)
        return sv__media_averr(err, errlen, SV_ERR_DECODE, n, "audio resample");
    if (n > 0 && av_audio_fifo_write(a->fifo, (void **)a->conv, n) < n)
        return sv__media_err(err, errlen, SV_ERR_NOMEM, "out of memory (audio fifo)");
    return 0;
}

int sv__live_audio_open(sv__live_audio **out, const AVStream *st, char *err, size_t errlen)
{
    const AVCodec *dc = avcodec_find_decoder(st->codecpar->codec_id);
    const AVCodec *ec = avcodec_find_encoder_by_name("aac");
    sv__live_audio *a = calloc(1, sizeof(*a));
    int ret;

    *out = a;
    if (!a)
        return sv__media_err(err, errlen, SV_ERR_NOMEM, "out of memory (audio)");
    a->src_tb = st->time_base;
    a->next_pts = INT64_MIN;
    a->max_k = INT64_MAX;
    if (!dc || !ec)
        return sv__media_err(err, errlen, SV_ERR_UNSUPPORTED, "no decoder for the audio codec "
                             "%s, or no aac encoder", avcodec_get_name(st->codecpar->codec_id));
    if (!(a->dec = avcodec_alloc_context3(dc)) || !(a->enc = avcodec_alloc_context3(ec)))
        return sv__media_err(err, errlen, SV_ERR_NOMEM, "out of memory (audio)");
    if ((ret = avcodec_parameters_to_context(a->dec, st->codecpar)) < 0 ||
        (ret = avcodec_open2(a->dec, dc, NULL)) < 0)
        return sv__media_averr(err, errlen, SV_ERR_UNSUPPORTED, ret, "audio decoder");
    a->dec->pkt_timebase = st->time_base;
    a->enc->sample_rate = OUT_RATE;
    a->enc->sample_fmt = AV_SAMPLE_FMT_FLTP;
    av_channel_layout_default(&a->enc->ch_layout, 2);
    a->enc->bit_rate = 128000;
    a->enc->time_base = (AVRational){1, OUT_RATE};
    a->enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    if ((ret = avcodec_open2(a->enc, ec, NULL)) < 0)
        return sv__media_averr(err, errlen, SV_ERR_UNSUPPORTED, ret, "aac encoder");
    a->fifo = av_audio_fifo_alloc(AV_SAMPLE_FMT_FLTP, 2, a->enc->frame_size * 4);
    a->in = av_frame_alloc();
    a->out = av_frame_alloc();
    a->pkt = av_packet_alloc();
    if (!a->fifo || !a->in || !a->out || !a->pkt)
        return sv__media_err(err, errlen, SV_ERR_NOMEM, "out of memory (audio)");
    return 0;
}

const AVCodecContext *sv__live_audio_encoder(const sv__live_audio *a)
{
    return a->enc;
}

int sv__live_audio_start(sv__live_audio *a, sv__live_channel *ch, int rend,
                         const sv__live_start *st, int64_t start, char *err, size_t errlen)
{
    a->start = start;
    a->part_s = ch->set.part_s;
    return sv__live_track_open(&a->track, ch, rend, "audio", a->enc, st, err, errlen);
}

int sv__live_audio_packet(sv__live_audio *a, const AVPacket *pkt, char *err, size_t errlen)
{
    int ret = avcodec_send_packet(a->dec, pkt);

    if (ret < 0 && ret != AVERROR_INVALIDDATA && ret != AVERROR_EOF)
        return sv__media_averr(err, errlen, SV_ERR_DECODE, ret, "audio decode");
    while ((ret = avcodec_receive_frame(a->dec, a->in)) >= 0) {
        if (a->next_pts == INT64_MIN) {
            int64_t ts = a->in->best_effort_timestamp;
            int64_t rel = ts == AV_NOPTS_VALUE ? 0
                        : av_rescale_q(ts - a->start, a->src_tb, (AVRational){1, OUT_RATE});

            if (rel < 0) {       /* before the first video frame */
                av_frame_unref(a->in);
                continue;
            }
            a->next_pts = rel;
        }
        ret = resample(a, a->in, err, errlen);
        av_frame_unref(a->in);
        if (ret < 0 || (ret = encode_fifo(a, 0, err, errlen)) < 0)
            return ret;
    }
    if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF || ret == AVERROR_INVALIDDATA)
        return 0;
    return sv__media_averr(err, errlen, SV_ERR_DECODE, ret, "audio decode");
}

int sv__live_audio_finish(sv__live_audio *a, int64_t last_k, char *err, size_t errlen)
{
    int ret;

    if (a->next_pts == INT64_MIN)
        return 0;
    /* The encoder's tail (the last frame's padding) stays in the video's
     * last part: no audio segment past the video's. */
    a->max_k = last_k < a->track.k ? a->track.k : last_k;
    if ((ret = encode_fifo(a, 1, err, errlen)) < 0)
        return ret;
    if ((ret = avcodec_send_frame(a->enc, NULL)) < 0)
        return sv__media_averr(err, errlen, SV_ERR_INTERNAL, ret, "aac flush");
    if ((ret = drain_encoder(a, err, errlen)) < 0)
        return ret;
    return sv__live_track_finish(&a->track, err, errlen);
}

void sv__live_audio_destroy(sv__live_audio *a)
{
    if (!a)
        return;
    sv__live_track_close(&a->track);
    avcodec_free_context(&a->dec);
    avcodec_free_context(&a->enc);
    swr_free(&a->swr);
    av_audio_fifo_free(a->fifo);
    if (a->conv)
        av_freep(&a->conv[0]);
    av_freep(&a->conv);
    av_frame_free(&a->in);
    av_frame_free(&a->out);
    av_packet_free(&a->pkt);
    free(a);
}
