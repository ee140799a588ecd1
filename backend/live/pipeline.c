/*
 * pipeline.c - a publisher's feed on its listener's thread: find the video
 * (required) and audio (optional) streams, plan the ladder (the channel's
 * rungs that fit the source; never upscaled), open the encoders, announce
 * the renditions to the loop, then decode and hand every frame to every
 * rung with its part number k (t = 0 is the first video frame; IDRs on
 * segment starts), audio through audio.c, until the feed ends, stalls
 * past end_after_s, or the server stops.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <libavformat/avformat.h>

#include "backend/live/internal.h"
#include "backend/media/internal.h"
#include "streamverse/common.h"

typedef struct pipe_state {
    sv__live_channel *ch;
    const char *proto;
    AVFormatContext *ic;
    int vi, ai;
    AVCodecContext *dec;
    AVFrame *frame;
    sv__live_rung *rungs[SV__LIVE_MAX_RENDS];
    int nb_rungs;
    sv__live_audio *audio;
    sv__live_start st;
    int64_t t0;              /* first video frame, video time base */
    int64_t last_pts, last_k;
    int64_t last_n;          /* frame number on the nominal grid */
    AVRational fps;
    double part_ticks;       /* 90 kHz ticks a part */
    char err[256];
} pipe_state;

static int64_t wall_ms(void)
{
    struct timeval tv;

    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* The rungs of the channel's ladder no taller than the source (at least
 * the smallest, at the source's height when even that is taller). */
static int plan(pipe_state *p, sv__rung *out)
{
    sv__ladder lad;
    int w = p->dec->width, h = p->dec->height, n = 0;

    memset(&lad, 0, sizeof(lad));
    if (sv__ladder_parse(p->ch->set.ladder, &lad) < 0 || lad.nb_rungs < 1)
        return 0;
    for (int i = 0; i < lad.nb_rungs && n < SV__LIVE_MAX_RENDS - 1; i++)
        if (lad.rungs[i].height <= h)
            out[n++] = lad.rungs[i];
    if (n == 0) {
        out[0] = lad.rungs[0];
        out[0].height = h & ~1;
        n = 1;
    }
    (void)w;
    return n;
}

static int open_all(pipe_state *p)
{
    sv__live_channel *ch = p->ch;
    const AVStream *vst = p->ic->streams[p->vi];
    const AVCodec *dc = avcodec_find_decoder(vst->codecpar->codec_id);
    sv__rung rungs[SV__LIVE_MAX_RENDS];
    int ret, n;

    if (!dc || !(p->dec = avcodec_alloc_context3(dc)) || !(p->frame = av_frame_alloc()))
        return sv__media_err(p->err, sizeof(p->err), SV_ERR_UNSUPPORTED, "no decoder for %s",
                             avcodec_get_name(vst->codecpar->codec_id));
    p->dec->thread_count = 1;
    if ((ret = avcodec_parameters_to_context(p->dec, vst->codecpar)) < 0 ||
        (ret = avcodec_open2(p->dec, dc, NULL)) < 0)
        return sv__media_averr(p->err, sizeof(p->err), SV_ERR_UNSUPPORTED, ret, "decoder");
    p->dec->pkt_timebase = vst->time_base;
    p->fps = av_guess_frame_rate(p->ic, (AVStream *)vst, NULL);
    if (p->fps.num <= 0 || p->fps.den <= 0 || av_q2d(p->fps) > 120)
        p->fps = (AVRational){30, 1};
    if (p->dec->width <= 0 || p->dec->height <= 0)
        return sv__media_err(p->err, sizeof(p->err), SV_ERR_UNSUPPORTED,
                             "the video stream has no size");
    n = plan(p, rungs);
    for (int i = 0; i < n; i++) {
        sv__live_rend *r = &p->st.rends[p->st.nb_rends];
        sv__live_rung_params rp = {0};

        rp.height = rungs[i].height & ~1;
        rp.width = ((int)lround((double)p->dec->width * rp.height / p->dec->height) + 1) & ~1;
        rp.kbps = rungs[i].bitrate_kbps;
        rp.fps_num = p->fps.num;
        rp.fps_den = p->fps.den;
        rp.gop_frames = (int)lround(ch->set.segment_s * av_q2d(p->fps));
        rp.preset = ch->preset;
        if ((ret = sv__live_rung_open(&p->rungs[i], &rp, r->codecs, sizeof(r->codecs), p->err,
                                      sizeof(p->err))) < 0)
            return ret;
        p->nb_rungs++;
        snprintf(r->name, sizeof(r->name), "%dp", rp.height);
        r->width = rp.width;
        r->height = rp.height;
        r->frame_rate = av_q2d(p->fps);
        r->bandwidth = rp.kbps * 1100; /* the VBV peak over a part, with the muxing */
        p->st.nb_rends++;
    }
    if (p->ai >= 0) {
        sv__live_rend *r = &p->st.rends[p->st.nb_rends];

        if ((ret = sv__live_audio_open(&p->audio, p->ic->streams[p->ai], p->err,
                                       sizeof(p->err))) < 0)
            return ret;
        snprintf(r->name, sizeof(r->name), "audio");
        snprintf(r->codecs, sizeof(r->codecs), "mp4a.40.2");
        r->is_audio = 1;
        r->bandwidth = 140000;
        p->st.nb_rends++;
    }
    return 0;
}

/* Announces the renditions, takes the segment numbers and the epoch. */
static int start(pipe_state *p)
{
    sv__live_channel *ch = p->ch;
    sv__live_event ev = {.kind = SV__LIVE_EV_START};
    int ret;

    sv__mutex_lock(&ch->lock);
    p->st.msn0 = ch->next_msn;
    p->st.epoch = ch->next_epoch++;
    sv__mutex_unlock(&ch->lock);
    p->st.pdt0_ms = wall_ms();
    for (int i = 0; i < p->nb_rungs; i++)
        if ((ret = sv__live_rung_start(p->rungs[i], ch, i, p->st.rends[i].name, &p->st, p->err,
                                       sizeof(p->err))) < 0)
            return ret;
    if (p->audio &&
        (ret = sv__live_audio_start(p->audio, ch, p->nb_rungs, &p->st,
                                    av_rescale_q(p->t0, p->ic->streams[p->vi]->time_base,
                                                 p->ic->streams[p->ai]->time_base),
                                    p->err, sizeof(p->err))) < 0)
        return ret;
    sv__mutex_lock(&ch->lock);
    ch->start = p->st;
    ch->start_pending = 1;
    sv__mutex_unlock(&ch->lock);
    sv__live_post(ch, &ev);
    return 0;
}

static int video_frames(pipe_state *p)
{
    AVRational tb = p->ic->streams[p->vi]->time_base;
    int ret;

    while ((ret = avcodec_receive_frame(p->dec, p->frame)) >= 0) {
        int64_t ts = p->frame->best_effort_timestamp, pts, k, n;

        if (ts == AV_NOPTS_VALUE)
            ts = p->last_pts == INT64_MIN ? 0 : p->last_pts + 1;
        if (p->t0 == AV_NOPTS_VALUE) {
            p->t0 = ts;
            if ((ret = start(p)) < 0) {
                av_frame_unref(p->frame);
                return ret;
            }
        }
        /* On the nominal frame grid: a live source's timestamps jitter
         * (RTMP's are whole milliseconds), and the muxer wants each
         * packet's duration to reach the next one exactly. */
        pts = av_rescale_q(ts - p->t0, tb, (AVRational){1, 90000});
        n = (int64_t)llround((double)pts * p->fps.num / (90000.0 * p->fps.den));
        if (p->last_pts != INT64_MIN && n <= p->last_n)
            n = p->last_n + 1; /* the encoder wants rising timestamps */
        p->last_n = n;
        pts = av_rescale(n, 90000 * (int64_t)p->fps.den, p->fps.num);
        p->last_pts = pts;
        k = (int64_t)floor((double)pts / p->part_ticks);
        if (k < p->last_k)
            k = p->last_k;
        p->frame->pts = pts;
        for (int i = 0; i < p->nb_rungs; i++)
            if ((ret = sv__live_rung_push(p->rungs[i], p->frame, k,
                                          k != p->last_k && k % p->ch->pps == 0)) < 0) {
                av_frame_unref(p->frame);
                return ret;
            }
        p->last_k = k;
        av_frame_unref(p->frame);
    }
    return ret == AVERROR(EAGAIN) || ret == AVERROR_EOF ? 0 : 0;
}

int sv__live_pipeline_run(sv__live_channel *ch, AVFormatContext *ic, const char *proto,
                          int64_t *last_read_ns)
{
    pipe_state p = {.ch = ch, .proto = proto, .ic = ic, .vi = -1, .ai = -1,
                    .t0 = AV_NOPTS_VALUE, .last_pts = INT64_MIN, .last_k = -1};
    sv__live_event ev = {.kind = SV__LIVE_EV_END};
    AVPacket *pkt = av_packet_alloc();
    int ret = 0, r;

    p.part_ticks = ch->set.part_s * 90000.0;
    if (avformat_find_stream_info(ic, NULL) < 0) {
        SV_LOGW(ch->log, "live", "channel %s: %s publisher refused: its feed cannot be read",
                ch->row.name, proto);
        goto out;
    }
    p.vi = av_find_best_stream(ic, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    p.ai = av_find_best_stream(ic, AVMEDIA_TYPE_AUDIO, -1, -1, NULL, 0);
    if (p.vi < 0) {
        SV_LOGW(ch->log, "live", "channel %s: %s publisher refused: the feed has no video "
                "stream (%u stream(s), audio %s)", ch->row.name, proto, ic->nb_streams,
                p.ai >= 0 ? "yes" : "no");
        goto out;
    }
    if (p.ai < 0)
        p.ai = -1;
    if (!pkt || (ret = open_all(&p)) < 0) {
        SV_LOGE(ch->log, "live", "channel %s: %s publisher refused: %s", ch->row.name, proto,
                pkt ? p.err : "out of memory");
        goto out;
    }
    SV_LOGI(ch->log, "live", "channel %s: %s publisher on: %dx%d %.2f fps%s, %d rung(s)",
            ch->row.name, proto, p.dec->width, p.dec->height, av_q2d(p.fps),
            p.audio ? " with audio" : "", p.nb_rungs);
    while (!ch->stop && (r = av_read_frame(ic, pkt)) >= 0) {
        *last_read_ns = sv__monotonic_ns();
        if (pkt->stream_index == p.vi) {
            ret = avcodec_send_packet(p.dec, pkt);
            if (ret >= 0 || ret == AVERROR_INVALIDDATA)
                ret = video_frames(&p);
        } else if (pkt->stream_index == p.ai && p.t0 != AV_NOPTS_VALUE) {
            ret = sv__live_audio_packet(p.audio, pkt, p.err, sizeof(p.err));
        }
        av_packet_unref(pkt);
        if (ret < 0)
            break;
    }
    if (ret < 0)
        SV_LOGE(ch->log, "live", "channel %s: the feed failed: %s", ch->row.name, p.err);
    else
        SV_LOGI(ch->log, "live", "channel %s: %s publisher gone%s", ch->row.name, proto,
                ch->stop ? " (server stopping)" : "");
out:
    if (p.t0 != AV_NOPTS_VALUE) {
        /* Drain: the last parts land, the segment in progress ends short. */
        avcodec_send_packet(p.dec, NULL);
        video_frames(&p);
        for (int i = 0; i < p.nb_rungs; i++)
            sv__live_rung_join(p.rungs[i]);
        if (p.audio && sv__live_audio_finish(p.audio, p.err, sizeof(p.err)) < 0)
            SV_LOGW(ch->log, "live", "channel %s: audio: %s", ch->row.name, p.err);
        sv__mutex_lock(&ch->lock);
        ch->next_msn = p.st.msn0 + (p.last_k < 0 ? 0 : p.last_k / ch->pps) + 1;
        sv__mutex_unlock(&ch->lock);
        sv__live_post(ch, &ev);
    }
    for (int i = 0; i < p.nb_rungs; i++)
        sv__live_rung_destroy(p.rungs[i]);
    sv__live_audio_destroy(p.audio);
    avcodec_free_context(&p.dec);
    av_frame_free(&p.frame);
    av_packet_free(&pkt);
    return ret;
}
