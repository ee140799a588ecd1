/*
 * Video output: a bounded queue of decoded frames between the demux thread
 * and the render thread, presentation on the master clock (audio when there
 * is audio, the player's clock otherwise), late-frame drops, and conversion
 * to a pixel format the sink takes.
 *
 * Before playback starts (and after a seek) the first frame is shown at once,
 * so the picture appears while the buffer fills; the clock then starts from it.
 */
#include <math.h>
#include <string.h>

#include <libavutil/frame.h>
#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

#include "player/output/output.h"

#define QUEUE_FRAMES 12

typedef struct entry {
    AVFrame *frame;
    double pts, dur;
    sv__rep_meta meta;
} entry;

struct sv__vout {
    const sv__env *env;        /* borrowed: status, clock, notify */
    sv_video_sink *sink;       /* the host's (borrowed) */
    sv__aout *aout;            /* the master clock when audio plays (borrowed) */
    int benchmark;             /* present as fast as frames come, no clock */
    sv__thread thread;
    int thread_running;

    sv__mutex lock;            /* guards everything below */
    sv__cond cond;
    entry q[QUEUE_FRAMES];
    int head, count;
    uint64_t gen;
    double target;             /* drop frames before it (accurate seek), < 0: none */
    double end;                /* drop frames from it on (an interstitial's cut); INFINITY */
    int eos, done, quit;
    int shown_since_flush;     /* a frame of this generation was presented */
    int playing;               /* the clock runs */
    int trick;                 /* trick play: each frame is shown as it comes */
    uint64_t presented;        /* frames presented since creation */
    double base_time, base_pts; /* video-only clock anchor */
    double speed;               /* video-only clock: media seconds per second */
    struct { double from, to; int jumped; } gaps[SV__OUT_GAPS]; /* of `gen` */
    int nb_gaps;
    double last_pts;
    int last_rep;
    /* Gapless (sv__vout_keep): the previous item's frames at the head of the
     * queue (`kept`), shown on its clock; the next item's wait until its
     * audio is heard (sv__aout_seam). `keeping` until its first is shown. */
    int kept, keeping;
    uint64_t keep_gen;

    /* Render thread only. */
    struct SwsContext *sws;
    AVFrame *conv;
    int cfg_w, cfg_h, cfg_fmt;
};

static const struct { enum AVPixelFormat av; sv_pixel_format sv; } pix_map[] = {
    { AV_PIX_FMT_YUV420P, SV_PIX_FMT_YUV420P },
    { AV_PIX_FMT_YUVJ420P, SV_PIX_FMT_YUV420P },
    { AV_PIX_FMT_NV12, SV_PIX_FMT_NV12 },
    { AV_PIX_FMT_YUV420P10LE, SV_PIX_FMT_YUV420P10 },
    { AV_PIX_FMT_YUV422P, SV_PIX_FMT_YUV422P },
    { AV_PIX_FMT_YUV444P, SV_PIX_FMT_YUV444P },
    { AV_PIX_FMT_RGBA, SV_PIX_FMT_RGBA },
};

static sv_pixel_format to_sv(enum AVPixelFormat f)
{
    for (size_t i = 0; i < sizeof(pix_map) / sizeof(pix_map[0]); i++)
        if (pix_map[i].av == f)
            return pix_map[i].sv;
    return SV_PIX_FMT_OTHER;
}

static enum AVPixelFormat to_av(sv_pixel_format f)
{
    for (size_t i = 0; i < sizeof(pix_map) / sizeof(pix_map[0]); i++)
        if (pix_map[i].sv == f)
            return pix_map[i].av;
    return AV_PIX_FMT_NONE;
}

int sv__vout_create(sv__vout **out, const sv__env *env, sv_video_sink *sink, sv__aout *aout,
                    int benchmark)
{
    sv__vout *v = sv__calloc(env->alloc, 1, sizeof(*v));
    if (!v)
        return SV_ERR_NOMEM;
    v->env = env;
    v->sink = sink;
    v->aout = aout;
    v->benchmark = benchmark;
    v->target = -1;
    v->end = INFINITY;
    v->speed = 1.0;
    v->last_rep = -1;
    v->cfg_fmt = -1;
    if (sv__mutex_init(&v->lock) < 0)
        goto fail;
    if (sv__cond_init(&v->cond) < 0) {
        sv__mutex_destroy(&v->lock);
        goto fail;
    }
    *out = v;
    return 0;
fail:
    sv__free(v->env->alloc, v);
    return SV_ERR_INTERNAL;
}

static void clear_locked(sv__vout *v)
{
    while (v->count) {
        av_frame_free(&v->q[v->head].frame);
        v->head = (v->head + 1) % QUEUE_FRAMES;
        v->count--;
    }
}

void sv__vout_destroy(sv__vout *v)
{
    if (!v)
        return;
    sv__mutex_lock(&v->lock);
    v->quit = 1;
    sv__cond_broadcast(&v->cond);
    sv__mutex_unlock(&v->lock);
    if (v->thread_running)
        sv__thread_join(&v->thread);
    clear_locked(v);
    sws_freeContext(v->sws);
    av_frame_free(&v->conv);
    sv__cond_destroy(&v->cond);
    sv__mutex_destroy(&v->lock);
    sv__free(v->env->alloc, v);
}

/* 1 when `pts` falls in a gap of the current generation. */
static int in_gap_locked(const sv__vout *v, double pts)
{
    for (int i = 0; i < v->nb_gaps; i++)
        if (pts >= v->gaps[i].from - 0.0005 && pts < v->gaps[i].to - 0.0005)
            return 1;
    return 0;
}

void sv__vout_gap(sv__vout *v, uint64_t gen, double from, double to)
{
    sv__mutex_lock(&v->lock);
    if (v->gen != gen || !(to > from)) {
        sv__mutex_unlock(&v->lock);
        return;
    }
    if (v->nb_gaps == SV__OUT_GAPS) {
        memmove(&v->gaps[0], &v->gaps[1], sizeof(v->gaps[0]) * (SV__OUT_GAPS - 1));
        v->nb_gaps--;
    }
    v->gaps[v->nb_gaps].from = from;
    v->gaps[v->nb_gaps].to = to;
    v->gaps[v->nb_gaps].jumped = 0;
    v->nb_gaps++;
    /* Frames already queued in the gap (another stream's skip) go too. */
    int kept = 0;
    for (int i = 0; i < v->count; i++) {
        entry e = v->q[(v->head + i) % QUEUE_FRAMES];
        if (in_gap_locked(v, e.pts))
            av_frame_free(&e.frame);
        else
            v->q[(v->head + kept++) % QUEUE_FRAMES] = e;
    }
    v->count = kept;
    sv__cond_broadcast(&v->cond);
    sv__mutex_unlock(&v->lock);
}

int sv__vout_push(sv__vout *v, AVFrame *frame, uint64_t gen, double pts, double dur,
                  const sv__rep_meta *meta)
{
    sv__mutex_lock(&v->lock);
    while (v->count == QUEUE_FRAMES && v->gen == gen && !v->quit)
        sv__cond_wait(&v->cond, &v->lock);
    if (v->gen != gen || v->quit) {
        sv__mutex_unlock(&v->lock);
        return SV_ERR_CANCELLED;
    }
    if ((v->target >= 0 && !isnan(pts) && pts < v->target - 0.0005) ||
        (!isnan(pts) && (in_gap_locked(v, pts) || pts >= v->end - 0.0005))) {
        sv__mutex_unlock(&v->lock); /* before the seek target or in a gap: not shown */
        return 0;
    }
    entry *e = &v->q[(v->head + v->count) % QUEUE_FRAMES];
    e->frame = av_frame_clone(frame);
    if (!e->frame) {
        sv__mutex_unlock(&v->lock);
        return SV_ERR_NOMEM;
    }
    e->pts = isnan(pts) ? v->last_pts + dur : pts;
    e->dur = dur;
    e->meta = *meta;
    v->count++;
    sv__cond_broadcast(&v->cond);
    sv__mutex_unlock(&v->lock);

    sv__mutex_lock(&v->env->st->lock);
    v->env->st->stats.decoded_frames++;
    sv__mutex_unlock(&v->env->st->lock);
    return 0;
}

void sv__vout_eos(sv__vout *v, uint64_t gen)
{
    sv__mutex_lock(&v->lock);
    if (v->gen == gen)
        v->eos = 1;
    sv__cond_broadcast(&v->cond);
    sv__mutex_unlock(&v->lock);
    sv__env_changed(v->env);
}

void sv__vout_keep(sv__vout *v, uint64_t gen)
{
    sv__mutex_lock(&v->lock);
    v->gen = v->keep_gen = gen;
    v->kept = v->count;
    v->keeping = 1;
    v->target = -1;
    v->end = INFINITY;
    v->eos = v->done = 0;
    v->shown_since_flush = 0;
    v->nb_gaps = 0;
    v->end = INFINITY;
    sv__cond_broadcast(&v->cond);
    sv__mutex_unlock(&v->lock);
}

void sv__vout_set_end(sv__vout *v, uint64_t gen, double end)
{
    sv__mutex_lock(&v->lock);
    if (v->gen == gen)
        v->end = end;
    sv__mutex_unlock(&v->lock);
}

int sv__vout_all_queued(sv__vout *v)
{
    sv__mutex_lock(&v->lock);
    int r = v->eos && !v->keeping;
    sv__mutex_unlock(&v->lock);
    return r;
}

void sv__vout_flush(sv__vout *v, uint64_t gen, double target)
{
    sv__mutex_lock(&v->lock);
    if (v->keeping && v->keep_gen == gen) {
        v->target = target; /* the next item's start: the kept frames stay */
        sv__mutex_unlock(&v->lock);
        return;
    }
    v->kept = v->keeping = 0;
    clear_locked(v);
    v->gen = gen;
    v->target = target;
    v->eos = v->done = 0;
    v->shown_since_flush = 0;
    v->playing = 0;
    v->nb_gaps = 0;
    sv__cond_broadcast(&v->cond);
    sv__mutex_unlock(&v->lock);
}

void sv__vout_set_playing(sv__vout *v, int playing)
{
    sv__mutex_lock(&v->lock);
    if (playing && !v->playing) {
        v->base_time = sv__env_now(v->env);
        v->base_pts = v->shown_since_flush ? v->last_pts
                      : v->count            ? v->q[v->head].pts
                                            : v->last_pts;
    }
    v->playing = playing;
    sv__cond_broadcast(&v->cond);
    sv__mutex_unlock(&v->lock);
}

void sv__vout_set_speed(sv__vout *v, double speed)
{
    sv__mutex_lock(&v->lock);
    if (v->playing) {
        /* Re-anchored where the clock is now, to move on at the new speed. */
        double now = sv__env_now(v->env);
        v->base_pts += (now - v->base_time) * v->speed;
        v->base_time = now;
    }
    v->speed = speed;
    sv__mutex_unlock(&v->lock);
}

void sv__vout_set_trick(sv__vout *v, int on)
{
    sv__mutex_lock(&v->lock);
    v->trick = on;
    sv__cond_broadcast(&v->cond);
    sv__mutex_unlock(&v->lock);
}

/* ---- presenting ---------------------------------------------------------- */

/* Describes `f` (as decoded, or converted for the sink) as an sv_video_frame. */
static void describe(sv_video_frame *out, const AVFrame *f, sv_pixel_format svf)
{
    const AVPixFmtDescriptor *desc = av_pix_fmt_desc_get(f->format);
    memset(out, 0, sizeof(*out));
    out->format = svf;
    out->format_name = av_get_pix_fmt_name(f->format);
    out->width = f->width;
    out->height = f->height;
    out->sar_num = f->sample_aspect_ratio.num;
    out->sar_den = f->sample_aspect_ratio.den;
    out->full_range = f->color_range == AVCOL_RANGE_JPEG || f->format == AV_PIX_FMT_YUVJ420P;
    int planes = av_pix_fmt_count_planes(f->format);
    out->nb_planes = planes > 4 ? 4 : planes;
    for (int i = 0; i < out->nb_planes; i++) {
        int chroma = desc && !(desc->flags & AV_PIX_FMT_FLAG_RGB) && (i == 1 || i == 2);
        int rows = chroma ? -((-f->height) >> desc->log2_chroma_h) : f->height;
        out->planes[i] = (sv_video_plane){ f->data[i], f->linesize[i],
                                           av_image_get_linesize(f->format, f->width, i), rows };
    }
}

/* Picks the sink's format for `f`: as decoded when the sink takes it. */
static int convert(sv__vout *v, const AVFrame *f, const AVFrame **shown, sv_pixel_format *svf)
{
    const sv_pixel_format *want = v->sink->formats;
    *shown = f;
    *svf = to_sv(f->format);
    if (!want)
        return 0;
    for (const sv_pixel_format *w = want; *w != SV_PIX_FMT_NONE; w++)
        if (*w == *svf && *svf != SV_PIX_FMT_OTHER)
            return 0;
    enum AVPixelFormat dst = to_av(want[0]);
    if (dst == AV_PIX_FMT_NONE)
        return SV_ERR_UNSUPPORTED;
    v->sws = sws_getCachedContext(v->sws, f->width, f->height, f->format, f->width, f->height,
                                  dst, SWS_BILINEAR, NULL, NULL, NULL);
    if (!v->sws)
        return SV_ERR_UNSUPPORTED;
    if (!v->conv || v->conv->width != f->width || v->conv->height != f->height ||
        v->conv->format != dst) {
        av_frame_free(&v->conv);
        v->conv = av_frame_alloc();
        if (!v->conv)
            return SV_ERR_NOMEM;
        v->conv->width = f->width;
        v->conv->height = f->height;
        v->conv->format = dst;
        if (av_frame_get_buffer(v->conv, 0) < 0)
            return SV_ERR_NOMEM;
    }
    sws_scale(v->sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height,
              v->conv->data, v->conv->linesize);
    av_frame_copy_props(v->conv, f);
    *shown = v->conv;
    *svf = want[0];
    return 0;
}

static void show(sv__vout *v, entry *e, double clock, int old)
{
    sv__status *st = v->env->st;
    sv_video_sink *sink = v->sink;
    const AVFrame *f;
    sv_pixel_format svf;
    if (convert(v, e->frame, &f, &svf) < 0) {
        sv__env_error(v->env, SV_ERR_UNSUPPORTED, 1,
                      "the video sink takes no format we can convert %s to",
                      av_get_pix_fmt_name(e->frame->format));
        return;
    }
    sv_video_frame vf;
    describe(&vf, f, svf);
    vf.pts_us = (int64_t)llround(e->pts * 1e6);
    vf.duration_us = (int64_t)llround(e->dur * 1e6);
    vf.pts = e->frame->best_effort_timestamp;
    vf.tb_num = e->frame->time_base.num;
    vf.tb_den = e->frame->time_base.den;
    vf.bitrate_bps = e->meta.bitrate;
    sv__mutex_lock(&st->lock);
    vf.frame_number = (uint64_t)st->stats.decoded_frames;
    sv__mutex_unlock(&st->lock);

    if (vf.width != v->cfg_w || vf.height != v->cfg_h || (int)svf != v->cfg_fmt) {
        if (sink->configure && sink->configure(sink->opaque, &vf) < 0) {
            sv__env_error(v->env, SV_ERR_UNSUPPORTED, 1, "the video sink refused %dx%d %s",
                          vf.width, vf.height, vf.format_name);
            return;
        }
        v->cfg_w = vf.width;
        v->cfg_h = vf.height;
        v->cfg_fmt = (int)svf;
    }
    if (sink->present(sink->opaque, &vf) < 0)
        SV_LOGW(v->env->log, "player", "the video sink failed to present a frame");
    if (old)
        return; /* the previous item's (gapless): not this load's position or stats */

    sv__mutex_lock(&v->lock); /* the control thread reads them (set_playing, shown) */
    int first = !v->shown_since_flush;
    v->shown_since_flush = 1;
    v->presented++;
    v->last_pts = e->pts;
    int rep_changed = e->meta.rep_index != v->last_rep;
    int old_rep = v->last_rep;
    v->last_rep = e->meta.rep_index;
    sv__mutex_unlock(&v->lock);

    sv__mutex_lock(&st->lock);
    st->position_s = e->pts;
    st->stats.played_s += e->dur;
    st->bitrate_bps = e->meta.bitrate;
    st->video_width = vf.width;
    st->video_height = vf.height;
    st->quality_index = e->meta.rep_index;
    st->bitrate_weighted_sum += (double)e->meta.bitrate * e->dur;
    st->bitrate_time_weight += e->dur;
    if (!isnan(clock)) {
        st->av_drift_s = clock - e->pts;
        if (fabs(st->av_drift_s) > st->stats.max_av_drift_s)
            st->stats.max_av_drift_s = fabs(st->av_drift_s);
    }
    if (rep_changed && old_rep >= 0)
        st->stats.switches++;
    sv__mutex_unlock(&st->lock);

    /* Timed events reached with this frame (the one that covers their start). */
    sv__timed_reached(v->env->timed, e->pts, e->dur);
    if (rep_changed) {
        sv_event ev = { .id = SV_EVENT_RENDITION_CHANGED };
        ev.data.rendition.type = SV_TRACK_VIDEO;
        ev.data.rendition.index = e->meta.rep_index;
        ev.data.rendition.old_index = old_rep;
        ev.data.rendition.bitrate_bps = e->meta.bitrate;
        ev.data.rendition.width = vf.width;
        ev.data.rendition.height = vf.height;
        sv__env_event(v->env, &ev, "abr", NULL, NULL);
    }
    if (first)
        sv__env_changed(v->env);
}

/* The master clock, or NAN while it does not run. Called with v->lock. */
static double clock_locked(sv__vout *v)
{
    if (!v->playing)
        return NAN;
    if (sv__aout_active(v->aout)) {
        double a = sv__aout_clock(v->aout);
        if (!isnan(a))
            return a;
        if (!sv__aout_done(v->aout))
            return NAN; /* audio is starting: wait for it */
    }
    double c = v->base_pts + (sv__env_now(v->env) - v->base_time) * v->speed;
    /* The video-only clock reached a gap: it jumps to the gap's end. */
    for (int i = 0; i < v->nb_gaps; i++) {
        if (!v->gaps[i].jumped && c >= v->gaps[i].from - 0.0005) {
            v->gaps[i].jumped = 1;
            if (c < v->gaps[i].to) {
                v->base_pts += v->gaps[i].to - c;
                c = v->gaps[i].to;
            }
        }
    }
    return c;
}

int sv__vout_render(sv__vout *v, double *next_due_s)
{
    const int benchmark = v->benchmark;
    entry e;
    double clock = NAN;
    *next_due_s = 0.1;

    sv__mutex_lock(&v->lock);
    if (!v->count) {
        if (v->eos && !v->done) {
            v->done = 1;
            sv__mutex_unlock(&v->lock);
            sv__env_changed(v->env);
            return 0;
        }
        sv__mutex_unlock(&v->lock);
        return 0;
    }
    /* Gapless: the kept frames first, then the next item's from its seam. */
    int old = v->kept > 0;
    if (!old && v->keeping && !benchmark && sv__aout_seam_pending(v->aout)) {
        sv__mutex_unlock(&v->lock);
        *next_due_s = 0.005;
        return 0;
    }
    if (!benchmark && !v->trick && (v->shown_since_flush || old)) {
        clock = clock_locked(v);
        if (isnan(clock)) {
            sv__mutex_unlock(&v->lock);
            *next_due_s = 0.01;
            return 0;
        }
        double due = v->q[v->head].pts - clock;
        if (due > 0.001) {
            sv__mutex_unlock(&v->lock);
            *next_due_s = due;
            return 0;
        }
        /* Late: skip to the newest frame that is already due. */
        int64_t dropped = 0;
        double first_late = v->q[v->head].pts;
        while (v->count > 1 && v->kept != 1 && v->q[(v->head + 1) % QUEUE_FRAMES].pts <= clock) {
            av_frame_free(&v->q[v->head].frame);
            v->head = (v->head + 1) % QUEUE_FRAMES;
            v->count--;
            v->kept -= v->kept > 0;
            dropped++;
        }
        if (dropped) {
            SV_LOGD(v->env->log, "player",
                    "dropped %lld late frame(s) from %.3f s: clock %.3f s, next %.3f s",
                    (long long)dropped, first_late, clock, v->q[v->head].pts);
            sv__mutex_lock(&v->env->st->lock);
            v->env->st->stats.dropped_frames += dropped;
            sv__mutex_unlock(&v->env->st->lock);
        }
    }
    e = v->q[v->head];
    v->q[v->head].frame = NULL;
    v->head = (v->head + 1) % QUEUE_FRAMES;
    v->count--;
    if (old)
        v->kept--;
    else
        v->keeping = 0;
    sv__cond_broadcast(&v->cond);
    if (v->count)
        *next_due_s = benchmark ? 0 : v->q[v->head].pts - e.pts;
    sv__mutex_unlock(&v->lock);

    show(v, &e, clock, old);
    av_frame_free(&e.frame);
    return 1;
}

static void *render_thread(void *arg)
{
    sv__vout *v = arg;
    for (;;) {
        double due;
        int shown = sv__vout_render(v, &due);
        sv__mutex_lock(&v->lock);
        if (v->quit) {
            sv__mutex_unlock(&v->lock);
            break;
        }
        if (!shown) {
            if (due > 0.02)
                due = 0.02; /* re-check the clock: audio may have started */
            sv__cond_timedwait(&v->cond, &v->lock, sv__monotonic_ns() + (int64_t)(due * 1e9));
        }
        sv__mutex_unlock(&v->lock);
    }
    return NULL;
}

int sv__vout_start_thread(sv__vout *v)
{
    if (sv__thread_create(&v->thread, "sv-render", render_thread, v) < 0)
        return SV_ERR_INTERNAL;
    v->thread_running = 1;
    return 0;
}

int sv__vout_queued(sv__vout *v)
{
    sv__mutex_lock(&v->lock);
    int n = v->count;
    sv__mutex_unlock(&v->lock);
    return n;
}

int sv__vout_done(sv__vout *v)
{
    sv__mutex_lock(&v->lock);
    int d = v->done;
    sv__mutex_unlock(&v->lock);
    return d;
}

int sv__vout_has_frame(sv__vout *v)
{
    sv__mutex_lock(&v->lock);
    int h = v->shown_since_flush || v->count > 0;
    sv__mutex_unlock(&v->lock);
    return h;
}

uint64_t sv__vout_presented(sv__vout *v)
{
    sv__mutex_lock(&v->lock);
    uint64_t n = v->presented;
    sv__mutex_unlock(&v->lock);
    return n;
}

int sv__vout_shown(sv__vout *v)
{
    sv__mutex_lock(&v->lock);
    int s = v->shown_since_flush;
    sv__mutex_unlock(&v->lock);
    return s;
}

/* ---- the decoding outputs as the control loop's playout ------------------- */

static void playout_set_playing(void *opaque, int playing)
{
    sv__vout *v = opaque;
    sv__vout_set_playing(v, playing);
    sv__aout_set_playing(v->aout, playing);
}

static void playout_update(void *opaque)
{
    (void)opaque; /* the render thread moves the position as frames are shown */
}

static int playout_ready(void *opaque, int video)
{
    sv__vout *v = opaque;
    int video_ok = !video ? 1 : sv__vout_has_frame(v);
    int audio_ok = !sv__aout_active(v->aout) || sv__aout_buffered_s(v->aout) > 0 ||
                   sv__aout_done(v->aout);
    return video_ok && audio_ok;
}

static int playout_shown(void *opaque)
{
    return sv__vout_shown(opaque);
}

static int playout_done(void *opaque, int video)
{
    sv__vout *v = opaque;
    int video_done = !video ? 1 : sv__vout_done(v);
    return video_done && sv__aout_done(v->aout);
}

static void playout_gap(void *opaque, uint64_t gen, double from, double to)
{
    sv__vout *v = opaque;
    sv__vout_gap(v, gen, from, to);
    sv__aout_gap(v->aout, gen, from, to);
}

void sv__playout_decoding(sv__playout *out, sv__vout *v)
{
    *out = (sv__playout){ .opaque = v, .set_playing = playout_set_playing,
                          .update = playout_update, .ready = playout_ready,
                          .shown = playout_shown, .done = playout_done,
                          .gap = playout_gap };
}
