/*
 * Playback rate with the pitch kept: libavfilter's atempo over the audio
 * output's converted samples (interleaved, in the sink's format). A live
 * player holds its latency by playing a little faster or slower (0.95 to
 * 1.05); resampling would shift the pitch by as much, atempo stretches the
 * time instead (WSOLA), so a 440 Hz tone stays at 440 Hz.
 *
 * The output's media time is counted here: the first sample out after a
 * reset is the first sample in, and each sample out stands for `speed`
 * samples of media. atempo keeps about one window (tens of milliseconds)
 * inside; when the input's time jumps (a skipped segment's gap) what it
 * holds is drained at the old times and the graph starts afresh, so the
 * jump reaches the FIFO as it would without the filter.
 *
 * Thread: the decode thread that pushes audio (create, process, drain,
 * destroy from the control thread once no push runs).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <libavfilter/avfilter.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavutil/channel_layout.h>
#include <libavutil/frame.h>
#include <libavutil/opt.h>
#include <libavutil/samplefmt.h>

#include "player/output/output_tempo.h"

/* Input this far from where the last input ended is a jump, not rounding. */
#define JUMP_S 0.02

struct sv__tempo {
    const sv_allocator *alloc;
    int rate, channels;
    enum AVSampleFormat fmt;
    int frame_bytes;
    AVFilterGraph *graph;      /* NULL until the first input after a reset */
    AVFilterContext *src, *sink;
    AVFrame *in, *out;
    double speed;
    double in_end;             /* media time just after the last sample in; NAN: none */
    double out_pts;            /* media time of the next sample out */
    int64_t in_samples;        /* the input's sample counter (abuffer pts) */
};

int sv__tempo_create(sv__tempo **out, const sv_allocator *alloc, int sample_rate, int channels,
                     int f32)
{
    sv__tempo *t = sv__calloc(alloc, 1, sizeof(*t));
    if (!t)
        return SV_ERR_NOMEM;
    t->alloc = alloc;
    t->rate = sample_rate;
    t->channels = channels;
    t->fmt = f32 ? AV_SAMPLE_FMT_FLT : AV_SAMPLE_FMT_S16;
    t->frame_bytes = channels * (f32 ? 4 : 2);
    t->speed = 1.0;
    t->in_end = NAN;
    t->in = av_frame_alloc();
    t->out = av_frame_alloc();
    if (!t->in || !t->out) {
        sv__tempo_destroy(t);
        return SV_ERR_NOMEM;
    }
    *out = t;
    return 0;
}

static void free_graph(sv__tempo *t)
{
    avfilter_graph_free(&t->graph);
    t->src = t->sink = NULL;
}

void sv__tempo_destroy(sv__tempo *t)
{
    if (!t)
        return;
    free_graph(t);
    av_frame_free(&t->in);
    av_frame_free(&t->out);
    sv__free(t->alloc, t);
}

/* abuffer -> atempo -> abuffersink, the sink held to the input's format. */
static int make_graph(sv__tempo *t)
{
    char args[256], layout[64];
    AVFilterContext *tempo = NULL;
    AVChannelLayout ch;
    const enum AVSampleFormat fmts[] = { t->fmt, AV_SAMPLE_FMT_NONE };

    av_channel_layout_default(&ch, t->channels);
    av_channel_layout_describe(&ch, layout, sizeof(layout));
    av_channel_layout_uninit(&ch);
    t->graph = avfilter_graph_alloc();
    if (!t->graph)
        return SV_ERR_NOMEM;
    t->graph->nb_threads = 1;
    snprintf(args, sizeof(args), "time_base=1/%d:sample_rate=%d:sample_fmt=%s:channel_layout=%s",
             t->rate, t->rate, av_get_sample_fmt_name(t->fmt), layout);
    char speed[32];
    snprintf(speed, sizeof(speed), "tempo=%.6f", t->speed);
    if (avfilter_graph_create_filter(&t->src, avfilter_get_by_name("abuffer"), "in", args, NULL,
                                     t->graph) < 0 ||
        avfilter_graph_create_filter(&tempo, avfilter_get_by_name("atempo"), "tempo", speed,
                                     NULL, t->graph) < 0 ||
        avfilter_graph_create_filter(&t->sink, avfilter_get_by_name("abuffersink"), "out", NULL,
                                     NULL, t->graph) < 0 ||
        av_opt_set_int_list(t->sink, "sample_fmts", fmts, AV_SAMPLE_FMT_NONE,
                            AV_OPT_SEARCH_CHILDREN) < 0 ||
        avfilter_link(t->src, 0, tempo, 0) < 0 || avfilter_link(tempo, 0, t->sink, 0) < 0 ||
        avfilter_graph_config(t->graph, NULL) < 0) {
        free_graph(t);
        return SV_ERR_UNSUPPORTED;
    }
    t->in_samples = 0;
    return 0;
}

double sv__tempo_speed(const sv__tempo *t)
{
    return t->speed;
}

int sv__tempo_set_speed(sv__tempo *t, double speed)
{
    char arg[32], res[64];
    if (!(speed >= 0.5 && speed <= 2.0))
        return SV_ERR_RANGE;
    if (t->graph) {
        snprintf(arg, sizeof(arg), "%.6f", speed);
        if (avfilter_graph_send_command(t->graph, "tempo", "tempo", arg, res, sizeof(res), 0) < 0)
            return SV_ERR_INTERNAL;
    }
    t->speed = speed;
    return 0;
}

/* Hands every frame the filter has ready to `fn`, counting its time. */
static int pull_out(sv__tempo *t, sv__tempo_out_fn fn, void *opaque)
{
    for (;;) {
        int r = av_buffersink_get_frame(t->sink, t->out);
        if (r == AVERROR(EAGAIN) || r == AVERROR_EOF)
            return 0;
        if (r < 0)
            return SV_ERR_INTERNAL;
        int n = t->out->nb_samples;
        double pts = t->out_pts;
        t->out_pts += (double)n * t->speed / t->rate;
        r = fn(opaque, t->out->data[0], n, pts, t->speed);
        av_frame_unref(t->out);
        if (r < 0)
            return r;
    }
}

int sv__tempo_drain(sv__tempo *t, sv__tempo_out_fn fn, void *opaque)
{
    int r = 0;
    if (t->graph) {
        if (av_buffersrc_add_frame(t->src, NULL) >= 0)
            r = pull_out(t, fn, opaque);
        free_graph(t);
    }
    t->in_end = NAN;
    return r;
}

void sv__tempo_reset(sv__tempo *t)
{
    free_graph(t);
    t->in_end = NAN;
}

int sv__tempo_process(sv__tempo *t, const uint8_t *data, int frames, double pts,
                      sv__tempo_out_fn fn, void *opaque)
{
    int r;
    if (frames <= 0)
        return 0;
    if (!isnan(t->in_end) && !isnan(pts) && fabs(pts - t->in_end) > JUMP_S &&
        (r = sv__tempo_drain(t, fn, opaque)) < 0)
        return r;
    if (!t->graph) {
        if ((r = make_graph(t)) < 0)
            return r;
        t->out_pts = isnan(pts) ? 0 : pts;
    }
    av_frame_unref(t->in);
    t->in->format = t->fmt;
    t->in->sample_rate = t->rate;
    av_channel_layout_default(&t->in->ch_layout, t->channels);
    t->in->nb_samples = frames;
    t->in->pts = t->in_samples;
    if (av_frame_get_buffer(t->in, 0) < 0)
        return SV_ERR_NOMEM;
    memcpy(t->in->data[0], data, (size_t)frames * (size_t)t->frame_bytes);
    t->in_samples += frames;
    t->in_end = (isnan(pts) ? t->in_end : pts) + (double)frames / t->rate;
    if (av_buffersrc_add_frame(t->src, t->in) < 0)
        return SV_ERR_INTERNAL;
    return pull_out(t, fn, opaque);
}
