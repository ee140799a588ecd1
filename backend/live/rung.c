/*
 * rung.c - one video rung of a live ladder on its own thread: swscale,
 * libx264 tuned for zero latency (no B-frames, no lookahead, so a frame
 * comes out as its packet before the next goes in: a part can be cut the
 * moment its last frame is encoded), IDRs forced at segment starts only,
 * then a CMAF track (track.c). Its CPU time is read from the thread's own
 * clock (CLOCK_THREAD_CPUTIME_ID) and logged every 10 s of media and at
 * the end, against the media time it encoded.
 *
 * Threads: _open/_start/_push/_join/_destroy on the pipeline's thread;
 * the rest on the rung's. The queue is guarded by `lock`.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libavutil/opt.h>
#include <libswscale/swscale.h>

#include "backend/live/internal.h"
#include "backend/media/internal.h"
#include "streamverse/common.h"

#define QUEUE_CAP 16

typedef struct item {
    AVFrame *frame;          /* NULL: the end */
    int64_t k;
    int idr;
} item;

struct sv__live_rung {
    sv__live_rung_params p;
    AVCodecContext *enc;
    struct SwsContext *sws;
    AVFrame *scaled;
    AVPacket *pkt;
    sv__live_track track;
    sv__live_channel *ch;
    char name[24];
    sv__thread thread;
    int started;
    int locks;               /* lock and cond are made */

    sv__mutex lock;
    sv__cond cond;
    /* guarded by lock */
    item queue[QUEUE_CAP];
    int head, count;
    int rc;
    /* end of lock-guarded fields */
    char err[256];

    /* CPU accounting, on the rung's thread */
    int64_t cpu_mark_ns, frames_mark, frames;
    int64_t cpu_start_ns;
    double media_mark_s, media_s;
};

static int64_t thread_cpu_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int sv__live_rung_open(sv__live_rung **out, const sv__live_rung_params *p, char *codecs,
                       size_t codecs_len, char *err, size_t errlen)
{
    const AVCodec *codec = avcodec_find_encoder_by_name("libx264");
    AVDictionary *opts = NULL;
    sv__live_rung *r = calloc(1, sizeof(*r));
    char params[256];
    int ret = SV_ERR_NOMEM;

    *out = r;
    if (!r)
        return sv__media_err(err, errlen, SV_ERR_NOMEM, "out of memory (rung)");
    r->p = *p;
    if (!codec)
        return sv__media_err(err, errlen, SV_ERR_UNSUPPORTED, "FFmpeg has no libx264 encoder");
    if (!(r->enc = avcodec_alloc_context3(codec)) || !(r->scaled = av_frame_alloc()) ||
        !(r->pkt = av_packet_alloc()))
        return sv__media_err(err, errlen, SV_ERR_NOMEM, "out of memory (encoder)");
    r->enc->width = p->width;
    r->enc->height = p->height;
    r->enc->pix_fmt = AV_PIX_FMT_YUV420P;
    r->enc->time_base = (AVRational){1, 90000};
    r->enc->framerate = (AVRational){p->fps_num, p->fps_den};
    r->enc->bit_rate = (int64_t)p->kbps * 1000;
    r->enc->rc_max_rate = r->enc->bit_rate;
    r->enc->rc_buffer_size = (int)r->enc->bit_rate; /* one second: low delay */
    r->enc->gop_size = p->gop_frames;
    r->enc->max_b_frames = 0;
    r->enc->thread_count = 1;
    r->enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    snprintf(params, sizeof(params), "keyint=%d:min-keyint=%d:scenecut=0:rc-lookahead=0:"
             "sync-lookahead=0:bframes=0", p->gop_frames, p->gop_frames);
    av_dict_set(&opts, "preset", p->preset, 0);
    av_dict_set(&opts, "tune", "zerolatency", 0);
    av_dict_set(&opts, "forced-idr", "1", 0);
    av_dict_set(&opts, "x264-params", params, 0);
    ret = avcodec_open2(r->enc, codec, &opts);
    av_dict_free(&opts);
    if (ret < 0)
        return sv__media_averr(err, errlen, SV_ERR_UNSUPPORTED, ret, "libx264 (live)");
    r->scaled->format = AV_PIX_FMT_YUV420P;
    r->scaled->width = p->width;
    r->scaled->height = p->height;
    if (av_frame_get_buffer(r->scaled, 0) < 0)
        return sv__media_err(err, errlen, SV_ERR_NOMEM, "out of memory (scaled frame)");
    if (sv__avc1_codecs(r->enc->extradata, r->enc->extradata_size, codecs, codecs_len) < 0)
        return sv__media_err(err, errlen, SV_ERR_INTERNAL, "libx264 wrote no SPS");
    if (sv__mutex_init(&r->lock) < 0)
        return sv__media_err(err, errlen, SV_ERR_INTERNAL, "cannot make a lock");
    if (sv__cond_init(&r->cond) < 0) {
        sv__mutex_destroy(&r->lock);
        return sv__media_err(err, errlen, SV_ERR_INTERNAL, "cannot make a lock");
    }
    r->locks = 1;
    return 0;
}

/* Logs the CPU the rung used since the last mark, as a share of one core
 * over the media time encoded. */
static void log_cpu(sv__live_rung *r, const char *when)
{
    int64_t now = thread_cpu_ns(), used = now - r->cpu_mark_ns;
    double media = r->media_s - r->media_mark_s;

    if (media <= 0)
        return;
    SV_LOGI(r->ch->log, "live", "channel %s rung %s: %.1f%% of a core for %.1f s of media "
            "(%lld frames, %.2f ms a frame)%s", r->ch->row.name, r->name,
            100.0 * (double)used / 1e9 / media, media,
            (long long)(r->frames - r->frames_mark),
            r->frames > r->frames_mark ? (double)used / 1e6 / (double)(r->frames - r->frames_mark)
                                       : 0.0, when);
    r->cpu_mark_ns = now;
    r->frames_mark = r->frames;
    r->media_mark_s = r->media_s;
}

static int encode(sv__live_rung *r, const AVFrame *in, int64_t k, int idr)
{
    AVFrame *f = NULL;
    int ret;

    if (in) {
        if (in->width != r->p.width || in->height != r->p.height ||
            in->format != AV_PIX_FMT_YUV420P) {
            r->sws = sws_getCachedContext(r->sws, in->width, in->height, in->format,
                                          r->p.width, r->p.height, AV_PIX_FMT_YUV420P,
                                          SWS_BILINEAR, NULL, NULL, NULL);
            if (!r->sws)
                return sv__media_err(r->err, sizeof(r->err), SV_ERR_UNSUPPORTED,
                                     "cannot scale to %dx%d", r->p.width, r->p.height);
            if ((ret = av_frame_make_writable(r->scaled)) < 0)
                return sv__media_averr(r->err, sizeof(r->err), SV_ERR_NOMEM, ret, "frame");
            sws_scale(r->sws, (const uint8_t *const *)in->data, in->linesize, 0, in->height,
                      r->scaled->data, r->scaled->linesize);
            f = r->scaled;
        } else if (!(f = av_frame_clone(in))) {
            return sv__media_err(r->err, sizeof(r->err), SV_ERR_NOMEM, "out of memory");
        }
        f->pts = in->pts;
        f->pict_type = idr ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE;
        r->frames++;
        r->media_s = (double)in->pts / 90000.0;
    }
    ret = avcodec_send_frame(r->enc, f);
    if (f && f != r->scaled)
        av_frame_free(&f);
    if (ret < 0)
        return sv__media_averr(r->err, sizeof(r->err), SV_ERR_INTERNAL, ret, "libx264 send");
    while ((ret = avcodec_receive_packet(r->enc, r->pkt)) >= 0) {
        /* Frames are on the nominal grid (pipeline.c): the duration
         * reaches the next frame's time. */
        {
            int64_t tick = 90000 * (int64_t)r->p.fps_den;
            int64_t n = av_rescale(r->pkt->pts, r->p.fps_num, tick);

            r->pkt->duration = av_rescale(n + 1, tick, r->p.fps_num) - r->pkt->pts;
            if (r->pkt->duration <= 0)
                r->pkt->duration = av_rescale(1, tick, r->p.fps_num);
        }
        /* Zero latency: the packet belongs to the frame just sent, so to k. */
        if ((ret = sv__live_track_write(&r->track, k, r->pkt, r->err, sizeof(r->err))) < 0)
            return ret;
    }
    if (ret != AVERROR(EAGAIN) && ret != AVERROR_EOF)
        return sv__media_averr(r->err, sizeof(r->err), SV_ERR_INTERNAL, ret, "libx264");
    if (r->media_s - r->media_mark_s >= 10.0)
        log_cpu(r, "");
    return 0;
}

static void *rung_main(void *arg)
{
    sv__live_rung *r = arg;
    int ret = 0;

    r->cpu_mark_ns = r->cpu_start_ns = thread_cpu_ns();
    for (;;) {
        item it;

        sv__mutex_lock(&r->lock);
        while (r->count == 0)
            sv__cond_wait(&r->cond, &r->lock);
        it = r->queue[r->head];
        r->head = (r->head + 1) % QUEUE_CAP;
        r->count--;
        sv__cond_broadcast(&r->cond);
        sv__mutex_unlock(&r->lock);
        if (!it.frame)
            break;
        if (ret == 0)
            ret = encode(r, it.frame, it.k, it.idr);
        av_frame_free(&it.frame);
    }
    if (ret == 0 && (ret = encode(r, NULL, r->track.k, 0)) == 0)
        ret = sv__live_track_finish(&r->track, r->err, sizeof(r->err));
    /* The whole feed, from the thread's start. */
    r->cpu_mark_ns = r->cpu_start_ns;
    r->frames_mark = 0;
    r->media_mark_s = 0;
    log_cpu(r, " (the whole feed)");
    sv__mutex_lock(&r->lock);
    r->rc = ret;
    sv__mutex_unlock(&r->lock);
    return NULL;
}

int sv__live_rung_start(sv__live_rung *r, sv__live_channel *ch, int rend, const char *name,
                        const sv__live_start *st, char *err, size_t errlen)
{
    int ret;

    r->ch = ch;
    snprintf(r->name, sizeof(r->name), "%s", name);
    if ((ret = sv__live_track_open(&r->track, ch, rend, name, r->enc, st, err, errlen)) < 0)
        return ret;
    if (sv__thread_create(&r->thread, "sv-live-rung", rung_main, r) < 0)
        return sv__media_err(err, errlen, SV_ERR_INTERNAL, "cannot start a rung thread");
    r->started = 1;
    return 0;
}

int sv__live_rung_push(sv__live_rung *r, const AVFrame *frame, int64_t k, int idr)
{
    AVFrame *ref = NULL;
    int rc;

    if (frame && !(ref = av_frame_clone(frame)))
        return SV_ERR_NOMEM;
    sv__mutex_lock(&r->lock);
    /* A rung that cannot keep up holds the feed back here (and the
     * publisher's socket behind it) rather than dropping frames. */
    while (r->count == QUEUE_CAP)
        sv__cond_wait(&r->cond, &r->lock);
    r->queue[(r->head + r->count) % QUEUE_CAP] = (item){ref, k, idr};
    r->count++;
    rc = r->rc;
    sv__cond_broadcast(&r->cond);
    sv__mutex_unlock(&r->lock);
    return rc;
}

int sv__live_rung_join(sv__live_rung *r)
{
    if (!r->started)
        return 0;
    sv__live_rung_push(r, NULL, 0, 0);
    sv__thread_join(&r->thread);
    r->started = 0;
    if (r->rc < 0)
        SV_LOGE(r->ch->log, "live", "channel %s rung %s: %s", r->ch->row.name, r->name, r->err);
    return r->rc;
}

void sv__live_rung_destroy(sv__live_rung *r)
{
    if (!r)
        return;
    if (r->started)
        sv__live_rung_join(r);
    sv__live_track_close(&r->track);
    avcodec_free_context(&r->enc);
    sws_freeContext(r->sws);
    av_frame_free(&r->scaled);
    av_packet_free(&r->pkt);
    if (r->locks) {
        sv__cond_destroy(&r->cond);
        sv__mutex_destroy(&r->lock);
    }
    free(r);
}
