/*
 * One CMAF track: FFmpeg's mp4 muxer in fragmented mode writing into memory
 * (a custom AVIOContext), cut into fragments exactly where the caller asks
 * (movflags frag_custom: av_write_frame(ctx, NULL) flushes one fragment).
 *
 * delay_moov makes the muxer write the moov only at the first cut, when it
 * has seen the first packets: it then knows the B-frame delay and the AAC
 * priming and writes the edit list that makes presentation start at 0 (an
 * empty_moov written at header time cannot). The bytes after each flush are
 * split at top-level box boundaries: ftyp/moov go to the sink as the init
 * segment, everything from the first moof on is one fragment. tfdt stays
 * continuous because one muxer serves the whole track.
 *
 * A VOD video segment (sv__fmp4_set_key_chunks, rung.c) is two fragments
 * (CMAF chunks) back to back in one file:
 * the key frame alone, then the rest of the GOP. The first bytes of every
 * segment are then a complete moof+mdat holding only its key frame, which
 * the I-frame playlists (hls.c) and the DASH trick-mode sets (dash.c)
 * address by byte range: no second copy of the media, about 100 bytes of
 * moof more per segment.
 */
#include <stdlib.h>
#include <string.h>

#include <libavutil/opt.h>

#include "backend/media/internal.h"
#include "drm/package.h"
#include "streamverse/common.h"

struct sv__fmp4 {
    AVFormatContext *ctx;
    AVIOContext *pb;
    uint8_t *iobuf;
    AVRational enc_tb;       /* packets arrive in this time base */
    AVRational tb;           /* the track timescale chosen by the muxer */
    sv__frag_sink sink;
    sv__buf out;            /* muxer output not handed on yet */
    int init_sent;
    int next_number;
    sv__sample_info *samples; /* packets of the pending fragment */
    int nb_samples, cap_samples;
    int is_video;
    int key_chunks;          /* video: the key frame gets a fragment of its own */
    int key_sent;            /* the pending segment's key chunk went out */
    char codecs[48];         /* RFC 6381, from the init segment (video) */
};

static int flush_chunk(sv__fmp4 *m, int key_chunk, char *errbuf, size_t errlen);

static int io_write(void *opaque, uint8_t *buf, int size)
{
    sv__fmp4 *m = opaque;
    sv__buf_append(&m->out, buf, (size_t)size);
    return m->out.err ? AVERROR(ENOMEM) : size;
}

int sv__fmp4_open(sv__fmp4 **out, const AVCodecContext *enc, sv__frag_sink sink,
                  char *errbuf, size_t errlen)
{
    int rc = SV_ERR_NOMEM, ret;
    sv__fmp4 *m = calloc(1, sizeof(*m));
    if (!m)
        goto fail;
    m->sink = sink;
    m->enc_tb = enc->time_base;
    m->is_video = enc->codec_type == AVMEDIA_TYPE_VIDEO;
    m->key_chunks = 0;       /* the VOD rungs turn it on (rung.c); live parts stay whole */
    m->next_number = 1;
    ret = avformat_alloc_output_context2(&m->ctx, NULL, "mp4", NULL);
    if (ret < 0) {
        rc = sv__media_averr(errbuf, errlen, SV_ERR_UNSUPPORTED, ret, "mp4 muxer");
        goto fail;
    }
    m->iobuf = av_malloc(65536);
    if (!m->iobuf)
        goto fail;
    m->pb = avio_alloc_context(m->iobuf, 65536, 1, m, NULL, io_write, NULL);
    if (!m->pb)
        goto fail;
    m->iobuf = NULL;   /* owned by pb now */
    m->ctx->pb = m->pb;
    m->ctx->flags |= AVFMT_FLAG_CUSTOM_IO;

    AVStream *st = avformat_new_stream(m->ctx, NULL);
    if (!st)
        goto fail;
    ret = avcodec_parameters_from_context(st->codecpar, enc);
    if (ret < 0) {
        rc = sv__media_averr(errbuf, errlen, SV_ERR_INTERNAL, ret, "codec parameters");
        goto fail;
    }
    st->time_base = enc->time_base;
    if (enc->codec_type == AVMEDIA_TYPE_VIDEO)
        st->avg_frame_rate = enc->framerate;

    AVDictionary *opts = NULL;
    av_dict_set(&opts, "movflags",
                "+frag_custom+delay_moov+default_base_moof+skip_sidx+skip_trailer", 0);
    ret = avformat_write_header(m->ctx, &opts);
    av_dict_free(&opts);
    if (ret < 0) {
        rc = sv__media_averr(errbuf, errlen, SV_ERR_INTERNAL, ret, "mp4 header");
        goto fail;
    }
    m->tb = st->time_base;
    *out = m;
    return 0;
fail:
    if (rc == SV_ERR_NOMEM)
        sv__media_err(errbuf, errlen, rc, "out of memory opening the mp4 muxer");
    sv__fmp4_destroy(m);
    return rc;
}

int sv__fmp4_write(sv__fmp4 *m, AVPacket *pkt, char *errbuf, size_t errlen)
{
    /* A video segment's key frame becomes a fragment of its own as soon as
     * a second frame follows it (internal.h, sv__fragment.key_chunk). */
    if (m->key_chunks && m->nb_samples == 1 && m->samples[0].keyframe && !m->key_sent) {
        int ret = flush_chunk(m, 1, errbuf, errlen);
        if (ret < 0) {
            av_packet_unref(pkt);
            return ret;
        }
    }
    if (m->nb_samples == m->cap_samples) {
        int cap = m->cap_samples ? m->cap_samples * 2 : 256;
        sv__sample_info *s = realloc(m->samples, (size_t)cap * sizeof(*s));
        if (!s) {
            av_packet_unref(pkt);
            return sv__media_err(errbuf, errlen, SV_ERR_NOMEM, "out of memory (sample table)");
        }
        m->samples = s;
        m->cap_samples = cap;
    }
    av_packet_rescale_ts(pkt, m->enc_tb, m->tb);
    pkt->stream_index = 0;
    sv__sample_info *si = &m->samples[m->nb_samples++];
    si->size = (uint32_t)pkt->size;
    si->dts = pkt->dts;
    si->pts = pkt->pts;
    si->duration = pkt->duration;
    si->keyframe = !!(pkt->flags & AV_PKT_FLAG_KEY);
    /* av_write_frame (not interleaved): one stream per muxer, so packets go
     * straight into the pending fragment. It does not take the reference. */
    int ret = av_write_frame(m->ctx, pkt);
    av_packet_unref(pkt);
    if (ret < 0)
        return sv__media_averr(errbuf, errlen, SV_ERR_IO, ret, "mp4 write");
    return 0;
}

/* Hands the init bytes (everything before the first moof/styp) to the sink
 * and leaves the rest in m->out. */
static int take_init(sv__fmp4 *m, char *errbuf, size_t errlen)
{
    sv__box_iter it;
    sv__box box;
    size_t init_len = 0;
    int ret;
    sv__box_iter_init(&it, m->out.data, m->out.size);
    while ((ret = sv__box_next(&it, &box)) == 1) {
        if (box.type == SV__FOURCC('m', 'o', 'o', 'f') || box.type == SV__FOURCC('s', 't', 'y', 'p'))
            break;
        init_len += box.size;
    }
    if (ret < 0)
        return sv__media_err(errbuf, errlen, SV_ERR_INTERNAL, "muxer wrote a malformed box");
    if (init_len == 0)
        return 0;
    if (m->is_video) {
        /* The manifests' codec string comes from what the muxer wrote. */
        sv__video_config vc;
        if (sv__init_video_config(m->out.data, init_len, &vc) < 0 ||
            sv__codec_string(&vc, m->codecs, sizeof(m->codecs)) < 0)
            return sv__media_err(errbuf, errlen, SV_ERR_INTERNAL,
                                 "cannot read the codec string from the init segment");
    }
    ret = m->sink.init(m->sink.opaque, m->out.data, init_len, errbuf, errlen);
    if (ret < 0)
        return ret;
    memmove(m->out.data, m->out.data + init_len, m->out.size - init_len);
    m->out.size -= init_len;
    m->init_sent = 1;
    return 0;
}

/* Flushes the pending packets as one moof+mdat and hands it to the sink.
 * key_chunk: the segment's key frame alone, the rest of it follows. */
static int flush_chunk(sv__fmp4 *m, int key_chunk, char *errbuf, size_t errlen)
{
    int ret;
    /* With delay_moov the first flush may write only the moov; a second one
     * then writes the fragment. */
    for (int pass = 0; pass < 2; pass++) {
        ret = av_write_frame(m->ctx, NULL);
        if (ret < 0)
            return sv__media_averr(errbuf, errlen, SV_ERR_IO, ret, "mp4 fragment flush");
        avio_flush(m->pb);
        if (m->out.err)
            return sv__media_err(errbuf, errlen, SV_ERR_NOMEM, "out of memory (fragment)");
        if (!m->init_sent && (ret = take_init(m, errbuf, errlen)) < 0)
            return ret;
        if (m->init_sent && m->out.size > 0)
            break;
    }
    if (!m->init_sent || m->out.size == 0)
        return sv__media_err(errbuf, errlen, SV_ERR_INTERNAL, "muxer wrote no fragment");

    int64_t start = INT64_MAX, end = INT64_MIN;
    for (int i = 0; i < m->nb_samples; i++) {
        const sv__sample_info *s = &m->samples[i];
        if (s->pts < start)
            start = s->pts;
        if (s->pts + s->duration > end)
            end = s->pts + s->duration;
    }
    /* Samples before 0 (AAC priming) are cut by the edit list. */
    if (start < 0)
        start = 0;
    sv__fragment f = {
        .number = m->next_number,
        .data = m->out.data,
        .size = m->out.size,
        .timescale = m->tb.den / (m->tb.num ? m->tb.num : 1),
        .start_pts = start,
        .duration = end - start,
        .samples = m->samples,
        .nb_samples = m->nb_samples,
        .key_chunk = key_chunk,
    };
    ret = m->sink.fragment(m->sink.opaque, &f, errbuf, errlen);
    m->out.size = 0;
    m->nb_samples = 0;
    if (!key_chunk)
        m->next_number++;
    m->key_sent = key_chunk;
    return ret < 0 ? ret : 0;
}

int sv__fmp4_cut(sv__fmp4 *m, char *errbuf, size_t errlen)
{
    if (m->nb_samples == 0)
        return 0;
    return flush_chunk(m, 0, errbuf, errlen);
}

int sv__fmp4_finish(sv__fmp4 *m, char *errbuf, size_t errlen)
{
    int ret = sv__fmp4_cut(m, errbuf, errlen);
    if (ret < 0)
        return ret;
    if (!m->init_sent)
        return sv__media_err(errbuf, errlen, SV_ERR_DECODE, "no media was encoded for a track");
    ret = av_write_trailer(m->ctx);
    if (ret < 0)
        return sv__media_averr(errbuf, errlen, SV_ERR_IO, ret, "mp4 trailer");
    avio_flush(m->pb);
    /* skip_trailer: nothing more may follow the last fragment. */
    if (m->out.size != 0)
        return sv__media_err(errbuf, errlen, SV_ERR_INTERNAL,
                             "muxer wrote %zu bytes after the last fragment", m->out.size);
    return 0;
}

void sv__fmp4_set_key_chunks(sv__fmp4 *m, int on)
{
    m->key_chunks = m->is_video && on;
}

const char *sv__fmp4_codecs(const sv__fmp4 *m)
{
    return m->codecs;
}

void sv__fmp4_destroy(sv__fmp4 *m)
{
    if (!m)
        return;
    /* Also runs the muxer's deinit when the trailer was never written. */
    avformat_free_context(m->ctx);
    if (m->pb)
        av_freep(&m->pb->buffer);
    avio_context_free(&m->pb);
    av_free(m->iobuf);
    sv__buf_free(&m->out);
    free(m->samples);
    free(m);
}
