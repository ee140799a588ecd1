/*
 * thumbs_keyframe.c - one key frame decoded from its bytes (output.h,
 * sv__keyframe_decode): the thumbnails of a period with an I-frame track
 * and no image set. libavformat reads the init segment and the entry's
 * bytes from memory (an HLS I-frame entry may end inside its mdat: the
 * first sample is all that is read), libavcodec decodes the first video
 * packet and is drained at once.
 */
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>

#include "player/output/output.h"

#define IO_BUFFER 16384

typedef struct mem_in {
    const uint8_t *part[2];
    size_t size[2];
    size_t at;                 /* bytes read over both parts */
} mem_in;

static int read_mem(void *opaque, uint8_t *buf, int want)
{
    mem_in *m = opaque;
    size_t total = m->size[0] + m->size[1];
    if (m->at >= total)
        return AVERROR_EOF;
    size_t n = 0;
    while (n < (size_t)want && m->at < total) {
        int k = m->at < m->size[0] ? 0 : 1;
        size_t off = k ? m->at - m->size[0] : m->at;
        size_t left = m->size[k] - off, take = (size_t)want - n < left ? (size_t)want - n : left;
        memcpy(buf + n, m->part[k] + off, take);
        n += take;
        m->at += take;
    }
    return (int)n;
}

/* The first frame of the first video packet through a fresh decoder. */
static int decode_first(AVFormatContext *fmt, int vidx, AVFrame *out)
{
    const AVCodecParameters *par = fmt->streams[vidx]->codecpar;
    const AVCodec *codec = avcodec_find_decoder(par->codec_id);
    AVCodecContext *dec = codec ? avcodec_alloc_context3(codec) : NULL;
    AVPacket *pkt = av_packet_alloc();
    int ret = SV_ERR_UNSUPPORTED;

    if (!dec || !pkt || avcodec_parameters_to_context(dec, par) < 0 ||
        avcodec_open2(dec, codec, NULL) < 0)
        goto done;
    ret = SV_ERR_DECODE;
    while (av_read_frame(fmt, pkt) >= 0) {
        int video = pkt->stream_index == vidx;
        int sent = video ? avcodec_send_packet(dec, pkt) : 0;
        av_packet_unref(pkt);
        if (video) {
            if (sent < 0)
                goto done;
            break;
        }
    }
    avcodec_send_packet(dec, NULL); /* drain: a key frame alone comes out now */
    if (avcodec_receive_frame(dec, out) == 0)
        ret = 0;
done:
    av_packet_free(&pkt);
    avcodec_free_context(&dec);
    return ret;
}

int sv__keyframe_decode(const uint8_t *init, size_t init_size, const uint8_t *data, size_t size,
                        AVFrame *out)
{
    mem_in m = { { init, data }, { init ? init_size : 0, size }, 0 };
    AVFormatContext *fmt = avformat_alloc_context();
    uint8_t *buf = av_malloc(IO_BUFFER);
    AVIOContext *pb = buf ? avio_alloc_context(buf, IO_BUFFER, 0, &m, read_mem, NULL, NULL) : NULL;
    int ret = SV_ERR_NOMEM;

    if (!fmt || !pb) {
        av_free(buf);
        goto done;
    }
    pb->seekable = 0;
    fmt->pb = pb;
    fmt->flags |= AVFMT_FLAG_CUSTOM_IO;
    if (avformat_open_input(&fmt, "", NULL, NULL) < 0) {
        fmt = NULL; /* freed by avformat_open_input */
        ret = SV_ERR_DECODE;
        goto done;
    }
    int vidx = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    ret = vidx < 0 ? SV_ERR_DECODE : decode_first(fmt, vidx, out);
done:
    avformat_close_input(&fmt);
    if (pb) {
        av_freep(&pb->buffer);
        avio_context_free(&pb);
    }
    return ret;
}
