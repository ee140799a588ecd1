/*
 * source.c - opening an input's video for decoding, the same way for the
 * ingest and for the per-title probe (which must see the frames and the
 * frame rate the ingest will encode).
 */
#include "backend/media/internal.h"
#include "streamverse/common.h"

int sv__video_open(const char *input, int threads, AVFormatContext **ic, AVStream **vst,
                   AVCodecContext **dec, AVRational *fps, char *errbuf, size_t errlen)
{
    const AVCodec *dc;
    int ret = avformat_open_input(ic, input, NULL, NULL), vi;

    if (ret < 0)
        return sv__media_averr(errbuf, errlen, SV_ERR_IO, ret, "cannot read the input");
    if ((ret = avformat_find_stream_info(*ic, NULL)) < 0)
        return sv__media_averr(errbuf, errlen, SV_ERR_UNSUPPORTED, ret, "cannot probe the input");
    vi = av_find_best_stream(*ic, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    if (vi < 0 || ((*ic)->streams[vi]->disposition & AV_DISPOSITION_ATTACHED_PIC))
        return sv__media_err(errbuf, errlen, SV_ERR_UNSUPPORTED, "the input has no video stream");
    *vst = (*ic)->streams[vi];
    if ((*vst)->codecpar->width <= 0 || (*vst)->codecpar->height <= 0)
        return sv__media_err(errbuf, errlen, SV_ERR_UNSUPPORTED, "the video stream has no size");
    if (!(dc = avcodec_find_decoder((*vst)->codecpar->codec_id)))
        return sv__media_err(errbuf, errlen, SV_ERR_UNSUPPORTED, "no decoder for the video codec %s",
                             avcodec_get_name((*vst)->codecpar->codec_id));
    if (!(*dec = avcodec_alloc_context3(dc)))
        return sv__media_err(errbuf, errlen, SV_ERR_NOMEM, "out of memory (decoder)");
    if ((ret = avcodec_parameters_to_context(*dec, (*vst)->codecpar)) < 0)
        return sv__media_averr(errbuf, errlen, SV_ERR_UNSUPPORTED, ret, "video decoder");
    (*dec)->pkt_timebase = (*vst)->time_base;
    (*dec)->thread_count = threads;
    (*dec)->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
    if ((ret = avcodec_open2(*dec, dc, NULL)) < 0)
        return sv__media_averr(errbuf, errlen, SV_ERR_UNSUPPORTED, ret, "video decoder");
    *fps = av_guess_frame_rate(*ic, *vst, NULL);
    if (fps->num <= 0 || fps->den <= 0 || av_q2d(*fps) > 240.0)
        *fps = (AVRational){ 25, 1 };
    return 0;
}
