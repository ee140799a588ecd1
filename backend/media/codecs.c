/*
 * The video encoder's settings, shared by every rung and by the per-title
 * probe (which must measure exactly what the ingest will encode), and
 * RFC 6381 codec strings for the manifests. For H.264 the string is
 * "avc1." followed by profile_idc, the constraint flags byte and level_idc
 * of the SPS, in hex: the three bytes right after the SPS NAL header.
 */
#include <stdio.h>

#include <libavutil/opt.h>

#include "backend/media/internal.h"
#include "streamverse/common.h"

int sv__avc1_codecs(const uint8_t *extradata, int size, char *out, size_t outlen)
{
    const uint8_t *sps = NULL;
    if (!extradata || size < 4)
        return SV_ERR_PARSE;
    if (extradata[0] == 1) {
        /* avcC: version, profile, compatibility, level, ... */
        sps = extradata + 1;
    } else {
        /* Annex B: find the start code of the NAL unit of type 7 (SPS). */
        for (int i = 0; i + 6 < size; i++) {
            if (extradata[i] == 0 && extradata[i + 1] == 0 && extradata[i + 2] == 1 &&
                (extradata[i + 3] & 0x1f) == 7) {
                sps = extradata + i + 4;
                break;
            }
        }
    }
    if (!sps)
        return SV_ERR_PARSE;
    snprintf(out, outlen, "avc1.%02x%02x%02x", sps[0], sps[1], sps[2]);
    return 0;
}

int sv__x264_open(const sv__rung_params *p, AVCodecContext **out, char *codecs, size_t codecs_len,
                  char *errbuf, size_t errlen)
{
    const AVCodec *codec = avcodec_find_encoder_by_name("libx264");
    AVDictionary *opts = NULL;
    AVCodecContext *c;
    int ret;

    if (!codec)
        return sv__media_err(errbuf, errlen, SV_ERR_UNSUPPORTED,
                             "libavcodec was built without libx264");
    if (!(c = *out = avcodec_alloc_context3(codec)))
        return sv__media_err(errbuf, errlen, SV_ERR_NOMEM, "out of memory (encoder)");
    c->width = p->width;
    c->height = p->height;
    c->pix_fmt = AV_PIX_FMT_YUV420P;
    c->sample_aspect_ratio = (AVRational){ 1, 1 };
    c->time_base = p->time_base;
    c->framerate = p->frame_rate;
    c->bit_rate = (int64_t)p->bitrate_kbps * 1000;
    /* VBV: peak rate = target rate, two seconds of buffer. */
    c->rc_max_rate = c->bit_rate;
    c->rc_buffer_size = (int)(c->bit_rate * 2);
    /* One GOP per segment; keyframes come only from the forced IDRs. */
    c->gop_size = p->gop_frames;
    c->keyint_min = p->gop_frames;
    c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER | AV_CODEC_FLAG_CLOSED_GOP;
    c->thread_count = p->threads;
    av_dict_set(&opts, "preset", p->preset, 0);
    av_dict_set(&opts, "sc_threshold", "0", 0);
    av_dict_set(&opts, "forced-idr", "1", 0);
    ret = avcodec_open2(c, codec, &opts);
    av_dict_free(&opts);
    if (ret < 0)
        return sv__media_averr(errbuf, errlen, SV_ERR_UNSUPPORTED, ret, "libx264 open");
    if (codecs && sv__avc1_codecs(c->extradata, c->extradata_size, codecs, codecs_len) < 0)
        return sv__media_err(errbuf, errlen, SV_ERR_INTERNAL, "libx264 wrote no SPS");
    return 0;
}
