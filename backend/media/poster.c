/*
 * The title's poster: one JPEG (FFmpeg's mjpeg encoder, at most
 * SV__POSTER_WIDTH pixels wide, the display aspect) of a representative
 * frame, thumbs/poster.jpg. The frame is the first one at or after 10 % of
 * the probed duration that is not black or flat: its mean luma is above
 * SV__POSTER_MIN_MEAN and its luma spread above SV__POSTER_MIN_SPREAD (on
 * a grid of samples, 8-bit). Frames are looked at twice a second at most;
 * when none passes by half the duration (a dark title), the one with the
 * widest spread seen since 10 % is taken (or, when the video ends before
 * 10 % of the probed duration, its last frame looked at), so every title
 * gets a poster.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/pixdesc.h>

#include "backend/media/internal.h"
#include "platform/fs.h"
#include "streamverse/common.h"

#define SV__POSTER_WIDTH 640
#define SV__POSTER_MIN_MEAN 40.0
#define SV__POSTER_MIN_SPREAD 12.0
#define SAMPLES 32           /* grid of SAMPLES x SAMPLES luma samples */

struct sv__poster {
    char path[4200];
    sv__writer *writer;      /* not owned; NULL: write in the caller's thread */
    double from_s, until_s;  /* 10 % and 50 % of the duration */
    double next_look;
    AVFrame *best;           /* widest spread so far (a reference) */
    AVFrame *early;          /* the latest frame before 10 % (a probed duration
                              * longer than the video leaves only these) */
    double best_spread;
    int done;
};

int sv__poster_open(sv__poster **out, double duration_s, const char *path, sv__writer *writer,
                    char *errbuf, size_t errlen)
{
    sv__poster *p = calloc(1, sizeof(*p));
    if (!p)
        return sv__media_err(errbuf, errlen, SV_ERR_NOMEM, "out of memory (poster)");
    if (snprintf(p->path, sizeof(p->path), "%s", path) >= (int)sizeof(p->path)) {
        free(p);
        return sv__media_err(errbuf, errlen, SV_ERR_IO, "path too long: %s", path);
    }
    p->writer = writer;
    p->from_s = duration_s > 0 ? 0.1 * duration_s : 0.0;
    p->until_s = duration_s > 0 ? 0.5 * duration_s : 0.0;
    p->best_spread = -1.0;
    *out = p;
    return 0;
}

/* Mean and standard deviation of the luma on a grid, in 8-bit units; -1
 * when the format has no 8- or 16-bit first plane to read. */
static int luma_stats(const AVFrame *f, double *mean, double *spread)
{
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(f->format);
    if (!d || (d->flags & (AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_PAL | AV_PIX_FMT_FLAG_HWACCEL)) ||
        d->comp[0].plane != 0 || f->width < 1 || f->height < 1)
        return -1;
    int depth = d->comp[0].depth, step = d->comp[0].step;
    double sum = 0, sq = 0;
    for (int j = 0; j < SAMPLES; j++) {
        const uint8_t *row = f->data[0] + (size_t)((j * 2 + 1) * f->height / (2 * SAMPLES)) *
                                              (size_t)f->linesize[0];
        for (int i = 0; i < SAMPLES; i++) {
            int x = (i * 2 + 1) * f->width / (2 * SAMPLES);
            double v = depth > 8 ? (double)((const uint16_t *)row)[x * step / 2] / (1 << (depth - 8))
                                 : row[x * step];
            sum += v;
            sq += v * v;
        }
    }
    double n = SAMPLES * SAMPLES;
    *mean = sum / n;
    *spread = sqrt(fmax(0.0, sq / n - *mean * *mean));
    return 0;
}

static int encode(sv__poster *p, const AVFrame *frame, char *errbuf, size_t errlen)
{
    double sar = frame->sample_aspect_ratio.num > 0 ? av_q2d(frame->sample_aspect_ratio) : 1.0;
    int w = frame->width * sar < SV__POSTER_WIDTH ? (int)lrint(frame->width * sar / 2) * 2
                                                  : SV__POSTER_WIDTH;
    if (w < 2)
        w = 2;
    int h = sv__jpeg_height(frame, w);
    sv__jpeg j = { 0 };
    int rc = sv__jpeg_open(&j, w, h, 3, "poster", errbuf, errlen);
    if (rc == 0)
        rc = sv__jpeg_scale(&j, frame, 0, 0, w, h, "poster", errbuf, errlen);
    if (rc == 0)
        rc = sv__jpeg_write(&j, 0, p->path, p->writer, NULL, "poster", errbuf, errlen);
    if (rc == 0)
        p->done = 1;
    sv__jpeg_close(&j);
    return rc;
}

int sv__poster_offer(sv__poster *p, const AVFrame *frame, double t_s, char *errbuf,
                     size_t errlen)
{
    double mean, spread;
    if (p->done || t_s + 0.0005 < p->next_look)
        return 0;
    p->next_look = t_s + 0.5;
    if (t_s + 0.0005 < p->from_s) {
        if (p->next_look > p->from_s)
            p->next_look = p->from_s;   /* the first frame at 10 % is looked at */
        av_frame_free(&p->early);
        if (!(p->early = av_frame_clone(frame)))
            return sv__media_err(errbuf, errlen, SV_ERR_NOMEM, "out of memory (poster)");
        return 0;
    }
    if (luma_stats(frame, &mean, &spread) < 0)
        return encode(p, frame, errbuf, errlen);  /* no luma to judge: take it */
    if (mean > SV__POSTER_MIN_MEAN && spread > SV__POSTER_MIN_SPREAD)
        return encode(p, frame, errbuf, errlen);
    if (spread > p->best_spread) {
        AVFrame *ref = av_frame_clone(frame);
        if (!ref)
            return sv__media_err(errbuf, errlen, SV_ERR_NOMEM, "out of memory (poster)");
        av_frame_free(&p->best);
        p->best = ref;
        p->best_spread = spread;
    }
    if (t_s >= p->until_s)
        return sv__poster_finish(p, errbuf, errlen);
    return 0;
}

int sv__poster_finish(sv__poster *p, char *errbuf, size_t errlen)
{
    int rc = 0;
    if (!p->done && (p->best || p->early))
        rc = encode(p, p->best ? p->best : p->early, errbuf, errlen);
    av_frame_free(&p->best);
    av_frame_free(&p->early);
    return rc;
}

int sv__poster_done(const sv__poster *p)
{
    return p->done;
}

void sv__poster_destroy(sv__poster *p)
{
    if (!p)
        return;
    av_frame_free(&p->best);
    av_frame_free(&p->early);
    free(p);
}
