/*
 * probe.c - the per-title probe (media.h): short windows of the source,
 * spread over its duration, are decoded once and scaled to display size;
 * each candidate (a template height at one rate of the rate grid) encodes
 * every window with the ingest's own libx264 settings, decodes its output,
 * scales it back to display size and is measured against the source with
 * libavfilter (quality.c). Candidates run on a small pool of threads, one
 * window at a time, so only one window of frames is held.
 *
 * The rate grid is the template's rates plus one and two octaves below the
 * lowest; each height is probed at the grid rates from an eighth of its own
 * template rate to twice it, so neighbouring heights overlap and the hull
 * can compare them at the same rate. A height already above the quality
 * ceiling at its cheapest rate is probed lower on the first window.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libswscale/swscale.h>

#include "backend/media/internal.h"
#include "platform/thread.h"
#include "streamverse/common.h"

#define WINDOW_S 1.0         /* seconds of source per window */
#define MAX_WINDOWS 3
#define WINDOW_EVERY_S 30.0  /* one window per this much source, up to MAX_WINDOWS */
#define MEASURE_EVERY 2      /* frames: every other decoded frame is measured */
#define FLAT_DB 0.1          /* a height whose quality rose less than this from one
                              * rate to the next is not probed at higher rates */
#define MIN_PROBE_KBPS 20
#define MIN_SOURCE_S 2.0     /* shorter sources are not probed */
#define MAX_THREADS 8
#define MAX_WINDOW_FRAMES 241  /* WINDOW_S at up to 240 frames/s */

typedef struct cand {
    int codec;               /* enum sv__video_codec */
    int width, height, kbps;
    sv__quality *q;
    int64_t bytes;
    int64_t frames_in;       /* frames encoded */
    int64_t frames;          /* frames measured */
    int rc;
    char err[256];
} cand;

typedef struct probe {
    const sv__ladder *tmpl;
    const volatile int *cancel;
    AVFormatContext *ic;
    AVStream *vst;
    AVCodecContext *dec;
    AVRational fps;
    double duration;
    int dw, dh;                        /* display size */
    struct SwsContext *to_display;
    AVFrame *win[MAX_WINDOW_FRAMES]; /* the window, at display size */
    int nb_win;
    cand c[SV_LADDER_MAX_POINTS];
    int nb_c;
    sv__mutex lock;
    int next;                          /* next candidate to take; guarded by lock */
} probe;

static int open_source(probe *pr, const char *input, char *errbuf, size_t errlen)
{
    int ret = sv__video_open(input, pr->tmpl->threads, &pr->ic, &pr->vst, &pr->dec, &pr->fps,
                             errbuf, errlen);

    pr->duration = ret == 0 && pr->ic->duration > 0 ? (double)pr->ic->duration / AV_TIME_BASE : 0.0;
    return ret;
}

static int even(double v)
{
    int i = (int)lround(v);

    return i < 2 ? 2 : (i + 1) & ~1;
}

/* Each codec beyond H.264 at the reference point's height, at shares of
 * its rate (media.h, sv__ladder_codec_rates). */
static void plan_codecs(probe *pr, const sv__ladder_report *rep)
{
    static const int shares[] = { 35, 50, 70, 100 };
    const sv__ladder *t = pr->tmpl;
    int ref = sv__ladder_codec_reference(t, rep->src_height);

    if (ref < 0)
        return;
    for (int codec = SV__CODEC_H264 + 1; codec < SV__NB_CODECS; codec++) {
        if (!(t->codecs & (1u << codec)))
            continue;
        for (size_t i = 0; i < sizeof(shares) / sizeof(shares[0]); i++) {
            int kbps = t->rungs[ref].bitrate_kbps * shares[i] / 100;

            if (pr->nb_c >= SV_LADDER_MAX_POINTS || kbps < MIN_PROBE_KBPS)
                continue;
            pr->c[pr->nb_c++] = (cand){
                .codec = codec,
                .width = even((double)rep->src_width * t->rungs[ref].height / rep->src_height),
                .height = t->rungs[ref].height,
                .kbps = kbps,
            };
        }
    }
}

/* The grid rates each fitting template height is probed at. */
static void plan(probe *pr, sv__ladder_report *rep)
{
    const sv__ladder *t = pr->tmpl;
    int grid[SV_MEDIA_MAX_RUNGS + 2], nb_grid = 0, lowest = INT32_MAX, tallest = 0;

    for (int i = 0; i < t->nb_rungs; i++)
        if (t->rungs[i].bitrate_kbps < lowest)
            lowest = t->rungs[i].bitrate_kbps;
    grid[nb_grid++] = lowest / 4;
    grid[nb_grid++] = lowest / 2;
    for (int i = 0; i < t->nb_rungs; i++)
        grid[nb_grid++] = t->rungs[i].bitrate_kbps;
    for (int i = 0; i < t->nb_rungs; i++) {
        const sv__rung *r = &t->rungs[i];

        if (r->height > rep->src_height)
            continue;
        if (r->height > tallest)
            tallest = r->height;
        for (int g = 0; g < nb_grid && pr->nb_c < SV_LADDER_MAX_POINTS; g++) {
            int dup = 0;

            if (grid[g] * 8 < r->bitrate_kbps || grid[g] > 2 * r->bitrate_kbps ||
                grid[g] < MIN_PROBE_KBPS)
                continue;
            for (int k = 0; k < pr->nb_c; k++)
                dup |= pr->c[k].height == r->height && pr->c[k].kbps == grid[g];
            if (dup)
                continue;
            pr->c[pr->nb_c++] = (cand){
                .width = even((double)rep->src_width * r->height / rep->src_height),
                .height = r->height,
                .kbps = grid[g],
            };
        }
    }
    plan_codecs(pr, rep);
    /* Quality is judged at the size the tallest rung is shown at. */
    pr->dh = tallest;
    pr->dw = even((double)rep->src_width * tallest / rep->src_height);
}

static void free_window(probe *pr)
{
    for (int i = 0; i < pr->nb_win; i++)
        av_frame_free(&pr->win[i]);
    pr->nb_win = 0;
}

/* Scales `in` into *out (w x h, YUV 4:2:0), allocated at the first call and
 * reused after: its buffer is written in place unless someone (an encoder's
 * lookahead, a filter) still holds a reference to it. */
static int scaled(struct SwsContext **sws, const AVFrame *in, int w, int h, AVFrame **out)
{
    AVFrame *o = *out;

    if (!o) {
        if (!(o = *out = av_frame_alloc()))
            return SV_ERR_NOMEM;
        o->format = AV_PIX_FMT_YUV420P;
        o->width = w;
        o->height = h;
        if (av_frame_get_buffer(o, 0) < 0)
            return SV_ERR_NOMEM;
    } else if (av_frame_make_writable(o) < 0) {
        return SV_ERR_NOMEM;
    }
    *sws = sws_getCachedContext(*sws, in->width, in->height, in->format, w, h,
                                AV_PIX_FMT_YUV420P, SWS_BICUBIC, NULL, NULL, NULL);
    if (!*sws || sws_scale(*sws, (const uint8_t *const *)in->data, in->linesize, 0, in->height,
                           o->data, o->linesize) != h)
        return SV_ERR_NOMEM;
    o->pts = in->pts;
    return 0;
}

/* Keeps a decoded frame of the window, at display size. */
static int keep(probe *pr, const AVFrame *f)
{
    AVFrame *d = NULL;

    if (scaled(&pr->to_display, f, pr->dw, pr->dh, &d) < 0) {
        av_frame_free(&d);
        return SV_ERR_NOMEM;
    }
    d->pts = pr->nb_win;
    pr->win[pr->nb_win++] = d;
    return 0;
}

/* Decodes the window [start, start + WINDOW_S) of the source. */
static int read_window(probe *pr, double start, char *errbuf, size_t errlen)
{
    int64_t ts = (int64_t)(start * AV_TIME_BASE) +
                 (pr->ic->start_time == AV_NOPTS_VALUE ? 0 : pr->ic->start_time);
    int max = (int)(WINDOW_S * av_q2d(pr->fps) + 0.5), ret, eof = 0;
    AVPacket *pkt = av_packet_alloc();
    AVFrame *f = av_frame_alloc();

    if (!pkt || !f) {
        ret = sv__media_err(errbuf, errlen, SV_ERR_NOMEM, "out of memory (probe)");
        goto done;
    }
    if (max < 1)
        max = 1;
    if (max > (int)(sizeof(pr->win) / sizeof(pr->win[0])))
        max = (int)(sizeof(pr->win) / sizeof(pr->win[0]));
    avcodec_flush_buffers(pr->dec);
    if (start > 0 && avformat_seek_file(pr->ic, -1, INT64_MIN, ts, ts, 0) < 0)
        avformat_seek_file(pr->ic, -1, INT64_MIN, ts, INT64_MAX, 0);
    ret = 0;
    while (pr->nb_win < max && ret >= 0) {
        ret = avcodec_receive_frame(pr->dec, f);
        if (ret == AVERROR(EAGAIN) && !eof) {
            int r = av_read_frame(pr->ic, pkt);

            if (r < 0) {
                eof = 1;
                ret = avcodec_send_packet(pr->dec, NULL);
            } else {
                ret = pkt->stream_index == pr->vst->index ? avcodec_send_packet(pr->dec, pkt) : 0;
                av_packet_unref(pkt);
                if (ret == AVERROR_INVALIDDATA)
                    ret = 0; /* a damaged packet: the next key frame comes */
            }
            continue;
        }
        if (ret < 0)
            break;
        {
            int64_t pts = f->best_effort_timestamp;
            double t = pts == AV_NOPTS_VALUE ? start : (double)pts * av_q2d(pr->vst->time_base);

            t -= pr->ic->start_time == AV_NOPTS_VALUE ? 0 : (double)pr->ic->start_time / AV_TIME_BASE;
            if (t >= start - 0.5 / av_q2d(pr->fps))
                ret = keep(pr, f);
            av_frame_unref(f);
        }
        if (ret < 0) {
            ret = sv__media_err(errbuf, errlen, SV_ERR_NOMEM, "out of memory (probe frames)");
            goto done;
        }
    }
    ret = 0;
    if (!pr->nb_win)
        ret = sv__media_err(errbuf, errlen, SV_ERR_DECODE,
                            "no frame decodes near %.1f s of the source", start);
done:
    av_packet_free(&pkt);
    av_frame_free(&f);
    return ret;
}

typedef struct coder {
    AVCodecContext *enc, *dec;
    struct SwsContext *down, *up;
    AVFrame *small, *big;    /* the encoder's input, the decoded output at display size */
    AVPacket *pkt;
    AVFrame *out;
} coder;

/* Everything the decoder has: back to display size, measured against the
 * window frame of the same index. */
static int measure(const probe *pr, cand *c, coder *k)
{
    int ret;

    while ((ret = avcodec_receive_frame(k->dec, k->out)) >= 0) {
        int64_t i = k->out->best_effort_timestamp;

        if (i == AV_NOPTS_VALUE || i < 0 || i >= pr->nb_win || i % MEASURE_EVERY) {
            av_frame_unref(k->out);
            continue;
        }
        k->out->pts = i;
        ret = scaled(&k->up, k->out, pr->dw, pr->dh, &k->big);
        av_frame_unref(k->out);
        if (ret < 0)
            return ret;
        if ((ret = sv__quality_push(c->q, k->big, pr->win[i], c->err, sizeof(c->err))) < 0)
            return ret;
        c->frames++;
    }
    return ret == AVERROR(EAGAIN) || ret == AVERROR_EOF ? 0 : SV_ERR_DECODE;
}

/* Encoded packets: counted, then decoded and measured. */
static int drain(const probe *pr, cand *c, coder *k)
{
    int ret;

    while ((ret = avcodec_receive_packet(k->enc, k->pkt)) >= 0) {
        c->bytes += k->pkt->size;
        ret = avcodec_send_packet(k->dec, k->pkt);
        av_packet_unref(k->pkt);
        if (ret < 0 || (ret = measure(pr, c, k)) < 0)
            return ret;
    }
    return ret == AVERROR(EAGAIN) || ret == AVERROR_EOF ? 0 : SV_ERR_INTERNAL;
}

static int open_coder(const probe *pr, cand *c, coder *k)
{
    sv__rung_params p = {
        .codec = c->codec,
        .width = c->width,
        .height = c->height,
        .bitrate_kbps = c->kbps,
        .preset = pr->tmpl->x264_preset ? pr->tmpl->x264_preset : "veryfast",
        .threads = 1,
        .time_base = av_inv_q(pr->fps),
        .frame_rate = pr->fps,
        .gop_frames = pr->nb_win,
    };
    const AVCodec *decoder;
    int ret;

    if ((ret = sv__video_encoder_open(&p, &k->enc, c->err, sizeof(c->err))) < 0)
        return ret;
    decoder = avcodec_find_decoder(k->enc->codec_id);
    if (!decoder || !(k->dec = avcodec_alloc_context3(decoder)) || !(k->pkt = av_packet_alloc()) ||
        !(k->out = av_frame_alloc()))
        return sv__media_err(c->err, sizeof(c->err), SV_ERR_NOMEM, "out of memory (probe coder)");
    k->dec->thread_count = 1;
    if (k->enc->extradata_size > 0) {
        k->dec->extradata = av_mallocz((size_t)k->enc->extradata_size + AV_INPUT_BUFFER_PADDING_SIZE);
        if (!k->dec->extradata)
            return sv__media_err(c->err, sizeof(c->err), SV_ERR_NOMEM, "out of memory");
        memcpy(k->dec->extradata, k->enc->extradata, (size_t)k->enc->extradata_size);
        k->dec->extradata_size = k->enc->extradata_size;
    }
    if ((ret = avcodec_open2(k->dec, decoder, NULL)) < 0)
        return sv__media_averr(c->err, sizeof(c->err), SV_ERR_UNSUPPORTED, ret, decoder->name);
    return 0;
}

static void close_coder(coder *k)
{
    avcodec_free_context(&k->enc);
    avcodec_free_context(&k->dec);
    sws_freeContext(k->down);
    sws_freeContext(k->up);
    av_frame_free(&k->small);
    av_frame_free(&k->big);
    av_packet_free(&k->pkt);
    av_frame_free(&k->out);
}

/* One candidate over the current window. */
static int run_cand(const probe *pr, cand *c)
{
    coder k = { 0 };
    int ret;

    if ((ret = open_coder(pr, c, &k)) < 0)
        goto done;
    for (int i = 0; i < pr->nb_win && ret >= 0; i++) {
        if ((ret = scaled(&k.down, pr->win[i], c->width, c->height, &k.small)) < 0)
            break;
        k.small->pict_type = i == 0 ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE;
        ret = avcodec_send_frame(k.enc, k.small);
        c->frames_in++;
        if (ret >= 0)
            ret = drain(pr, c, &k);
    }
    if (ret >= 0 && (ret = avcodec_send_frame(k.enc, NULL)) >= 0 && (ret = drain(pr, c, &k)) >= 0 &&
        (ret = avcodec_send_packet(k.dec, NULL)) >= 0)
        ret = measure(pr, c, &k);
    if (ret < 0 && !c->err[0])
        snprintf(c->err, sizeof(c->err), "probe encode %dp at %d kb/s failed", c->height, c->kbps);
done:
    close_coder(&k);
    return ret < 0 ? (ret > -100 ? ret : SV_ERR_INTERNAL) : 0;
}

static void *worker(void *arg)
{
    probe *pr = arg;

    for (;;) {
        int i;

        sv__mutex_lock(&pr->lock);
        i = pr->next++;
        sv__mutex_unlock(&pr->lock);
        if (i >= pr->nb_c || (pr->cancel && *pr->cancel))
            break;
        if (!pr->c[i].rc)
            pr->c[i].rc = run_cand(pr, &pr->c[i]);
    }
    return NULL;
}

/* Runs candidates from..nb_c over the current window. */
static int run_window(probe *pr, int from, int nb_threads)
{
    sv__thread t[MAX_THREADS];
    int started = 0;

    pr->next = from;
    for (int i = 1; i < nb_threads; i++) {
        if (sv__thread_create(&t[started], "svprobe", worker, pr) < 0)
            break;
        started++;
    }
    worker(pr);
    for (int i = 0; i < started; i++)
        sv__thread_join(&t[i]);
    return 0;
}

static int threads_for(const sv__ladder *t)
{
    int n = t->threads > 0 ? t->threads : (int)sysconf(_SC_NPROCESSORS_ONLN);

    return n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : n;
}

/* After the first window: a height whose cheapest candidate is already above
 * the quality ceiling (easy content, where the tallest rung wins at every
 * rate probed) is probed at a half, a quarter and an eighth of that rate as
 * well, on the same window, so the hull finds where it crosses the ceiling. */
static int extend(probe *pr, int nb_threads, char *errbuf, size_t errlen)
{
    int first = pr->nb_c, ret;

    for (int i = 0; i < first; i++) {
        const cand *low = &pr->c[i];
        int lowest = 1;

        for (int k = 0; k < first; k++)
            lowest &= pr->c[k].codec != SV__CODEC_H264 || pr->c[k].height != low->height ||
                      pr->c[k].kbps >= low->kbps;
        if (low->codec != SV__CODEC_H264 || !lowest || low->rc || sv__quality_peek(low->q) <= SV_LADDER_CEILING_DB)
            continue;
        for (int d = 2; d <= 8 && pr->nb_c < SV_LADDER_MAX_POINTS; d *= 2) {
            cand *c = &pr->c[pr->nb_c];

            if (low->kbps / d < MIN_PROBE_KBPS)
                break;
            *c = (cand){ .width = low->width, .height = low->height, .kbps = low->kbps / d };
            if ((ret = sv__quality_open(pr->dw, pr->dh, &c->q, errbuf, errlen)) < 0)
                return ret;
            pr->nb_c++;
        }
    }
    if (pr->nb_c > first)
        run_window(pr, first, nb_threads);
    return 0;
}

/* Fills rep->points from the candidates that were measured. */
static int collect(probe *pr, sv__ladder_report *rep, char *errbuf, size_t errlen)
{
    for (int i = 0; i < pr->nb_c; i++) {
        cand *c = &pr->c[i];
        double psnr, ssim, seconds = (double)c->frames_in / av_q2d(pr->fps);

        if (c->rc < 0)
            return sv__media_err(errbuf, errlen, c->rc, "%s", c->err);
        if (sv__quality_finish(c->q, &psnr, &ssim, c->err, sizeof(c->err)) < 0)
            return sv__media_err(errbuf, errlen, SV_ERR_DECODE, "probe %dp %s at %d kb/s: %s",
                                 c->height, sv__codec_name(c->codec), c->kbps, c->err);
        rep->points[rep->nb_points++] = (sv__probe_point){
            .codec = c->codec,
            .width = c->width,
            .height = c->height,
            .target_kbps = c->kbps,
            .kbps = seconds > 0 ? (double)c->bytes * 8 / 1000 / seconds : 0,
            .psnr = psnr,
            .ssim = ssim,
        };
    }
    return 0;
}

/* The rate above which a height is not probed any more: the first rate whose
 * quality is within FLAT_DB of the rate just below it; INT32_MAX when the
 * height's quality keeps rising. */
static int flat_from(const probe *pr, int height)
{
    int flat = INT32_MAX, prev = -1;

    for (;;) {
        int next = -1;

        /* The next rate of this height, in rising order. */
        for (int i = 0; i < pr->nb_c; i++)
            if (pr->c[i].codec == SV__CODEC_H264 && pr->c[i].height == height &&
                (prev < 0 || pr->c[i].kbps > pr->c[prev].kbps) &&
                (next < 0 || pr->c[i].kbps < pr->c[next].kbps))
                next = i;
        if (next < 0)
            return flat;
        if (prev >= 0 && sv__quality_peek(pr->c[next].q) - sv__quality_peek(pr->c[prev].q) < FLAT_DB)
            return pr->c[next].kbps;
        prev = next;
    }
}

/* After the first window: a height whose quality stopped rising between
 * two rates is not probed above them (easy content saturates early; the
 * points left out would sit on a flat line). */
static void prune(probe *pr)
{
    int flat[SV_LADDER_MAX_POINTS], n = 0;

    for (int i = 0; i < pr->nb_c; i++)
        flat[i] = flat_from(pr, pr->c[i].height);
    for (int i = 0; i < pr->nb_c; i++) {
        if (pr->c[i].codec != SV__CODEC_H264 || pr->c[i].kbps <= flat[i])
            pr->c[n++] = pr->c[i];
        else
            sv__quality_close(pr->c[i].q);
    }
    pr->nb_c = n;
}

static void close_probe(probe *pr)
{
    free_window(pr);
    for (int i = 0; i < pr->nb_c; i++)
        sv__quality_close(pr->c[i].q);
    sws_freeContext(pr->to_display);
    avcodec_free_context(&pr->dec);
    avformat_close_input(&pr->ic);
    sv__mutex_destroy(&pr->lock);
}

int sv__ladder_probe(const char *input, const sv__ladder *tmpl, const volatile int *cancel,
                     sv__ladder_report *rep, char *errbuf, size_t errlen)
{
    probe pr = { .tmpl = tmpl, .cancel = cancel };
    int64_t t0 = sv__monotonic_ns();
    int ret, nb_threads = threads_for(tmpl);

    memset(rep, 0, sizeof(*rep));
    if ((ret = sv__mutex_init(&pr.lock)) < 0)
        return sv__media_err(errbuf, errlen, ret, "mutex");
    if ((ret = open_source(&pr, input, errbuf, errlen)) < 0)
        goto done;
    rep->src_width = pr.vst->codecpar->width;
    rep->src_height = pr.vst->codecpar->height;
    if (rep->src_width <= 0 || rep->src_height <= 0) {
        ret = sv__media_err(errbuf, errlen, SV_ERR_UNSUPPORTED, "the video stream has no size");
        goto done;
    }
    if (pr.duration < MIN_SOURCE_S) {
        snprintf(rep->note, sizeof(rep->note),
                 "the source is %.1f s long, too short to probe (%.0f s at least): the template ladder",
                 pr.duration, MIN_SOURCE_S);
        goto done;
    }
    plan(&pr, rep);
    if (pr.nb_c < 2) {
        snprintf(rep->note, sizeof(rep->note),
                 "the source (%dx%d) is below the template's rungs: the template ladder",
                 rep->src_width, rep->src_height);
        goto done;
    }
    rep->display_width = pr.dw;
    rep->display_height = pr.dh;
    for (int i = 0; i < pr.nb_c; i++)
        if ((ret = sv__quality_open(pr.dw, pr.dh, &pr.c[i].q, errbuf, errlen)) < 0)
            goto done;
    rep->nb_windows = (int)ceil(pr.duration / WINDOW_EVERY_S);
    if (rep->nb_windows > MAX_WINDOWS)
        rep->nb_windows = MAX_WINDOWS;
    for (int w = 0; w < rep->nb_windows; w++) {
        double start = (pr.duration - WINDOW_S) * (w + 0.5) / rep->nb_windows;

        if ((ret = read_window(&pr, start > 0 ? start : 0, errbuf, errlen)) < 0)
            goto done;
        run_window(&pr, 0, nb_threads);
        if (w == 0 && (ret = extend(&pr, nb_threads, errbuf, errlen)) < 0)
            goto done;
        if (cancel && *cancel) {
            ret = sv__media_err(errbuf, errlen, SV_ERR_CANCELLED, "ingest cancelled");
            goto done;
        }
        rep->sample_s += pr.nb_win / av_q2d(pr.fps);
        free_window(&pr);
        if (w == 0)
            prune(&pr);
    }
    ret = collect(&pr, rep, errbuf, errlen);
done:
    close_probe(&pr);
    rep->probe_s = (double)(sv__monotonic_ns() - t0) / 1e9;
    return ret;
}
