/*
 * passthrough.c - the feed's own video as the top rung ("src", setting
 * passthrough): its H.264 packets go into a CMAF track as they are, on the
 * pipeline's feed thread, cut into the same parts as the encoded rungs.
 * Their timestamps are put on the nominal frame grid, as the decoded
 * frames are (pipeline.c), so each packet's duration reaches the next.
 * The encoder's keyframes must fall on segment starts (a GOP of segment_s
 * or a divisor of it); when one does not, the segment starts without one
 * and svserver says so once.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backend/live/internal.h"
#include "backend/media/internal.h"
#include "streamverse/common.h"

struct sv__live_src {
    AVCodecContext *par;     /* the stream's parameters, as the muxer wants them */
    AVRational tb, fps;
    sv__live_track track;
    int64_t last_nd, last_k;
    int warned;
};

int sv__live_src_open(sv__live_src **out, const AVStream *st, AVRational fps, char *codecs,
                      size_t cap, char *err, size_t errlen)
{
    sv__live_src *s = calloc(1, sizeof(*s));
    int ret;

    *out = s;
    if (!s || !(s->par = avcodec_alloc_context3(NULL)))
        return sv__media_err(err, errlen, SV_ERR_NOMEM, "out of memory (passthrough)");
    if (st->codecpar->codec_id != AV_CODEC_ID_H264)
        return sv__media_err(err, errlen, SV_ERR_UNSUPPORTED, "passthrough takes H.264, the "
                             "feed is %s", avcodec_get_name(st->codecpar->codec_id));
    if ((ret = avcodec_parameters_to_context(s->par, st->codecpar)) < 0)
        return sv__media_averr(err, errlen, SV_ERR_INTERNAL, ret, "passthrough parameters");
    if (!s->par->extradata_size ||
        sv__avc1_codecs(s->par->extradata, s->par->extradata_size, codecs, cap) < 0)
        return sv__media_err(err, errlen, SV_ERR_UNSUPPORTED, "the feed's H.264 has no "
                             "parameter sets in its header: no passthrough");
    s->par->codec_tag = 0; /* FLV's or TS's tag is not the MP4 one */
    s->par->time_base = (AVRational){1, 90000};
    s->par->framerate = fps;
    s->tb = st->time_base;
    s->fps = fps;
    s->last_nd = INT64_MIN;
    s->last_k = -1;
    return 0;
}

int sv__live_src_start(sv__live_src *s, sv__live_channel *ch, int rend, const sv__live_start *st,
                       char *err, size_t errlen)
{
    return sv__live_track_open(&s->track, ch, rend, "src", s->par, st, err, errlen);
}

/* A time in the stream's base, from t0, on the nominal frame grid. */
static int64_t frame_no(const sv__live_src *s, int64_t ts, int64_t t0)
{
    int64_t t90 = av_rescale_q(ts - t0, s->tb, (AVRational){1, 90000});

    return (int64_t)llround((double)t90 * s->fps.num / (90000.0 * s->fps.den));
}

static int64_t grid(const sv__live_src *s, int64_t n)
{
    return av_rescale(n, 90000 * (int64_t)s->fps.den, s->fps.num);
}

int sv__live_src_packet(sv__live_src *s, const AVPacket *in, int64_t t0, double part_ticks,
                        char *err, size_t errlen)
{
    AVPacket *pkt;
    int64_t np, nd, k;
    int pps = s->track.pps;

    if (in->pts == AV_NOPTS_VALUE || in->pts < t0)
        return 0; /* before the first frame shown */
    np = frame_no(s, in->pts, t0);
    nd = in->dts == AV_NOPTS_VALUE ? np : frame_no(s, in->dts, t0);
    if (s->last_nd != INT64_MIN && nd <= s->last_nd)
        nd = s->last_nd + 1;
    if (np < nd)
        np = nd;
    s->last_nd = nd;
    k = (int64_t)floor((double)grid(s, np) / part_ticks);
    if (k < s->last_k)
        k = s->last_k; /* decode order: a B-frame stays in its anchor's part */
    if (s->last_k >= 0 && k / pps != s->last_k / pps && !(in->flags & AV_PKT_FLAG_KEY) &&
        !s->warned++)
        SV_LOGW(s->track.ch->log, "live", "channel %s: the feed's keyframes are not on "
                "segment starts (every %g s): the src rung's segments start without one; set "
                "the encoder's GOP to %g s", s->track.ch->row.name, s->track.ch->set.segment_s,
                s->track.ch->set.segment_s);
    s->last_k = k;
    if (!(pkt = av_packet_clone(in)))
        return sv__media_err(err, errlen, SV_ERR_NOMEM, "out of memory (passthrough)");
    pkt->pts = grid(s, np);
    pkt->dts = grid(s, nd);
    pkt->duration = grid(s, nd + 1) - grid(s, nd);
    pkt->stream_index = 0;
    {
        int ret = sv__live_track_write(&s->track, k, pkt, err, errlen);

        av_packet_free(&pkt);
        return ret;
    }
}

int sv__live_src_finish(sv__live_src *s, char *err, size_t errlen)
{
    return sv__live_track_finish(&s->track, err, errlen);
}

void sv__live_src_destroy(sv__live_src *s)
{
    if (!s)
        return;
    sv__live_track_close(&s->track);
    avcodec_free_context(&s->par);
    free(s);
}
