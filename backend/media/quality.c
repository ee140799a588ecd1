/*
 * quality.c - how close an encode is to its source, measured by libavfilter:
 * a graph [dist][ref] -> split -> psnr and ssim, fed frame pairs of equal
 * size, read back through the metadata the filters attach to each frame
 * (lavfi.psnr.mse_avg, lavfi.ssim.All). PSNR is computed from the mean MSE
 * over all frames (not the mean of per-frame PSNRs, which lets one perfect
 * frame count as infinite), as ffmpeg's own psnr summary does.
 *
 * Threads: one handle per thread.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavfilter/avfilter.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavutil/dict.h>
#include <libavutil/opt.h>

#include "backend/media/internal.h"
#include "streamverse/common.h"

struct sv__quality {
    AVFilterGraph *graph;
    AVFilterContext *dist, *ref;   /* sources */
    AVFilterContext *psnr, *ssim;  /* sinks */
    int64_t next_pts;
    double mse_sum, ssim_sum;
    int nb_psnr, nb_ssim;
};

static int add_source(sv__quality *q, AVFilterContext **out, const char *name, int w, int h)
{
    char args[128];

    snprintf(args, sizeof(args), "video_size=%dx%d:pix_fmt=%d:time_base=1/25:pixel_aspect=1/1",
             w, h, AV_PIX_FMT_YUV420P);
    return avfilter_graph_create_filter(out, avfilter_get_by_name("buffer"), name, args, NULL,
                                        q->graph);
}

/* Puts an open end named `name` on `ctx` in front of *list. */
static int open_end(AVFilterInOut **list, const char *name, AVFilterContext *ctx)
{
    AVFilterInOut *io = avfilter_inout_alloc();

    if (!io || !(io->name = av_strdup(name))) {
        avfilter_inout_free(&io);
        return AVERROR(ENOMEM);
    }
    io->filter_ctx = ctx;
    io->next = *list;
    *list = io;
    return 0;
}

static int link_graph(sv__quality *q, int w, int h)
{
    static const char chain[] =
        "[dist]split[d1][d2];[ref]split[r1][r2];[d1][r1]psnr[po];[d2][r2]ssim[so]";
    const AVFilter *sink = avfilter_get_by_name("buffersink");
    AVFilterInOut *outs = NULL, *ins = NULL;
    int ret;

    /* The graph's open outputs are our sources, its open inputs our sinks. */
    if ((ret = add_source(q, &q->dist, "dist", w, h)) < 0 ||
        (ret = add_source(q, &q->ref, "ref", w, h)) < 0 ||
        (ret = avfilter_graph_create_filter(&q->psnr, sink, "po", NULL, NULL, q->graph)) < 0 ||
        (ret = avfilter_graph_create_filter(&q->ssim, sink, "so", NULL, NULL, q->graph)) < 0 ||
        (ret = open_end(&outs, "dist", q->dist)) < 0 || (ret = open_end(&outs, "ref", q->ref)) < 0 ||
        (ret = open_end(&ins, "po", q->psnr)) < 0 || (ret = open_end(&ins, "so", q->ssim)) < 0)
        goto done;
    if ((ret = avfilter_graph_parse_ptr(q->graph, chain, &ins, &outs, NULL)) >= 0)
        ret = avfilter_graph_config(q->graph, NULL);
done:
    avfilter_inout_free(&ins);
    avfilter_inout_free(&outs);
    return ret;
}

int sv__quality_open(int width, int height, sv__quality **out, char *errbuf, size_t errlen)
{
    sv__quality *q = calloc(1, sizeof(*q));
    int ret;

    *out = NULL;
    if (!q || !(q->graph = avfilter_graph_alloc())) {
        free(q);
        return sv__media_err(errbuf, errlen, SV_ERR_NOMEM, "out of memory (quality graph)");
    }
    q->graph->nb_threads = 1;
    if ((ret = link_graph(q, width, height)) < 0) {
        sv__quality_close(q);
        return sv__media_averr(errbuf, errlen, SV_ERR_UNSUPPORTED, ret,
                               "libavfilter psnr/ssim graph");
    }
    *out = q;
    return 0;
}

static double meta(const AVFrame *f, const char *key)
{
    const AVDictionaryEntry *e = av_dict_get(f->metadata, key, NULL, 0);

    return e ? strtod(e->value, NULL) : NAN;
}

/* Takes what the sinks have ready. */
static int collect(sv__quality *q)
{
    AVFrame *f = av_frame_alloc();
    int ret = 0;

    if (!f)
        return AVERROR(ENOMEM);
    while ((ret = av_buffersink_get_frame(q->psnr, f)) >= 0) {
        double mse = meta(f, "lavfi.psnr.mse_avg");

        if (isfinite(mse)) {
            q->mse_sum += mse;
            q->nb_psnr++;
        }
        av_frame_unref(f);
    }
    if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF) {
        while ((ret = av_buffersink_get_frame(q->ssim, f)) >= 0) {
            double s = meta(f, "lavfi.ssim.All");

            if (isfinite(s)) {
                q->ssim_sum += s;
                q->nb_ssim++;
            }
            av_frame_unref(f);
        }
    }
    av_frame_free(&f);
    return ret == AVERROR(EAGAIN) || ret == AVERROR_EOF ? 0 : ret;
}

int sv__quality_push(sv__quality *q, const AVFrame *dist, const AVFrame *ref, char *errbuf,
                     size_t errlen)
{
    AVFrame *d = av_frame_clone(dist), *r = av_frame_clone(ref);
    int ret = AVERROR(ENOMEM);

    if (d && r) {
        /* The pair is matched by its timestamps inside the filters. */
        d->pts = r->pts = q->next_pts++;
        if ((ret = av_buffersrc_add_frame_flags(q->dist, d, AV_BUFFERSRC_FLAG_KEEP_REF)) >= 0 &&
            (ret = av_buffersrc_add_frame_flags(q->ref, r, AV_BUFFERSRC_FLAG_KEEP_REF)) >= 0)
            ret = collect(q);
    }
    av_frame_free(&d);
    av_frame_free(&r);
    if (ret < 0)
        return sv__media_averr(errbuf, errlen, SV_ERR_INTERNAL, ret, "libavfilter psnr/ssim");
    return 0;
}

int sv__quality_finish(sv__quality *q, double *psnr, double *ssim, char *errbuf, size_t errlen)
{
    int ret;

    if ((ret = av_buffersrc_add_frame(q->dist, NULL)) < 0 ||
        (ret = av_buffersrc_add_frame(q->ref, NULL)) < 0 || (ret = collect(q)) < 0)
        return sv__media_averr(errbuf, errlen, SV_ERR_INTERNAL, ret, "libavfilter psnr/ssim");
    if (!q->nb_psnr || !q->nb_ssim)
        return sv__media_err(errbuf, errlen, SV_ERR_INVALID, "no frame was measured");
    *psnr = sv__psnr_from_mse(q->mse_sum / q->nb_psnr);
    *ssim = q->ssim_sum / q->nb_ssim;
    return 0;
}

double sv__quality_peek(const sv__quality *q)
{
    return q->nb_psnr ? sv__psnr_from_mse(q->mse_sum / q->nb_psnr) : NAN;
}

double sv__psnr_from_mse(double mse)
{
    /* 8-bit samples; an exact copy is capped where ffmpeg's summary caps. */
    if (mse <= 1e-10)
        return 100.0;
    return 10.0 * log10(255.0 * 255.0 / mse);
}

void sv__quality_close(sv__quality *q)
{
    if (!q)
        return;
    avfilter_graph_free(&q->graph);
    free(q);
}
