/*
 * Audio output and the master clock. Decoded audio is resampled to the
 * format the sink obtained and kept in a FIFO; the sink's thread pulls from
 * it. Each pull says when its first sample will be heard, which anchors the
 * clock: the presentation time heard now is the anchor's time plus the time
 * elapsed since, never beyond the last sample handed out (an underrun stops
 * the clock instead of letting video run ahead). Once the audio has ended
 * (its end reached and every sample handed out) the clock runs on from it,
 * so video that lasts longer than the audio is still presented.
 *
 * A skipped segment leaves a gap in the timeline (sv__aout_gap): the samples
 * after it are queued right behind those before it, with a mark saying where
 * the time jumps, and the pull that hands out the mark re-anchors the clock
 * there, so the clock goes over the gap exactly when the sound does.
 */
#include <math.h>
#include <string.h>

#include <libavutil/channel_layout.h>
#include <libavutil/frame.h>
#include <libavutil/samplefmt.h>
#include <libswresample/swresample.h>

#include "player/output/output.h"

#define FIFO_SECONDS 1.0

struct sv__aout {
    const sv__env *env;        /* borrowed: clock, notify */
    sv_audio_sink *sink;       /* the host's, or NULL: no audio is played */

    /* Demux thread only (open, conversion). */
    SwrContext *swr;
    int in_rate, in_fmt, in_channels;
    uint8_t *tmp;
    int tmp_samples;

    sv__mutex lock;            /* guards everything below */
    sv__cond cond;
    int opened;
    sv_audio_format fmt;       /* what the sink obtained */
    int frame_bytes;
    uint8_t *buf;              /* ring of converted samples */
    size_t cap, rpos, len;
    double fifo_pts;           /* time of the sample at rpos */
    double end_pts;            /* time just after the last sample queued */
    uint64_t gen;
    double target;
    int eos, done, playing, active;
    double anchor_time, anchor_pts;
    int anchor_valid;
    /* Gaps of `gen`, and where the FIFO's time jumps over one: frame `at`
     * (counted like nwritten) is heard at `pts`. */
    struct { double from, to; } gaps[SV__OUT_GAPS];
    int nb_gaps;
    struct { uint64_t at; double pts; } marks[SV__OUT_GAPS];
    int nb_marks;
    uint64_t nread, nwritten;  /* frames handed to the sink / queued, since the FIFO emptied */
    /* The last pull crossed a mark: from jump_time on, the clock reads
     * jump_pts + elapsed; before it, it stops at jump_from. */
    double jump_time, jump_pts, jump_from;
    int jump_valid;
    float gain;
};

int sv__aout_create(sv__aout **out, const sv__env *env, sv_audio_sink *sink)
{
    sv__aout *a = sv__calloc(env->alloc, 1, sizeof(*a));
    if (!a)
        return SV_ERR_NOMEM;
    a->env = env;
    a->sink = sink;
    a->target = -1;
    a->gain = 1.0f;
    if (sv__mutex_init(&a->lock) < 0)
        goto fail;
    if (sv__cond_init(&a->cond) < 0) {
        sv__mutex_destroy(&a->lock);
        goto fail;
    }
    *out = a;
    return 0;
fail:
    sv__free(a->env->alloc, a);
    return SV_ERR_INTERNAL;
}

/* Closes the sink (no pull runs after it returns). Not while a demux thread
 * may push: the control thread calls it after the streams are gone. */
void sv__aout_close(sv__aout *a)
{
    sv_audio_sink *sink = a->sink;
    if (a->opened && sink)
        sink->close(sink->opaque);
    sv__mutex_lock(&a->lock);
    a->opened = 0;
    sv__free(a->env->alloc, a->buf);
    a->buf = NULL;
    a->cap = a->rpos = a->len = 0;
    a->anchor_valid = a->jump_valid = 0;
    a->nb_marks = 0;
    a->nread = a->nwritten = 0;
    sv__mutex_unlock(&a->lock);
    swr_free(&a->swr);
    av_freep(&a->tmp);
    a->tmp_samples = 0;
    a->in_rate = 0;
}

void sv__aout_destroy(sv__aout *a)
{
    if (!a)
        return;
    sv__aout_close(a);
    sv__cond_destroy(&a->cond);
    sv__mutex_destroy(&a->lock);
    sv__free(a->env->alloc, a);
}

/* ---- the sink's side ------------------------------------------------------- */

static void pop_mark_locked(sv__aout *a)
{
    memmove(&a->marks[0], &a->marks[1], sizeof(a->marks[0]) * (size_t)(a->nb_marks - 1));
    a->nb_marks--;
}

static int pull(void *opaque, void *out, int frames, int64_t delay_us)
{
    sv__aout *a = opaque;
    int n = 0, done_now = 0;
    double now = sv__env_now(a->env);

    sv__mutex_lock(&a->lock);
    if (a->playing && a->frame_bytes) {
        size_t fb = (size_t)a->frame_bytes;
        size_t want = (size_t)frames * fb;
        size_t take = want < a->len ? want : a->len;
        take -= take % fb;
        /* A jump at the start of this pull: the time restarts there. */
        while (a->nb_marks && a->marks[0].at <= a->nread) {
            a->fifo_pts = a->marks[0].pts;
            pop_mark_locked(a);
        }
        /* At most one jump per pull: stop before a second one. */
        if (a->nb_marks > 1 && a->marks[1].at < a->nread + take / fb)
            take = (size_t)(a->marks[1].at - a->nread) * fb;
        uint8_t *dst = out;
        size_t first = a->cap - a->rpos < take ? a->cap - a->rpos : take;
        memcpy(dst, a->buf + a->rpos, first);
        memcpy(dst + first, a->buf, take - first);
        a->rpos = (a->rpos + take) % a->cap;
        a->len -= take;
        n = (int)(take / fb);
        if (n > 0) {
            double rate = a->fmt.sample_rate;
            a->anchor_pts = a->fifo_pts;
            a->anchor_time = now + (double)delay_us / 1e6;
            a->anchor_valid = 1;
            a->jump_valid = 0;
            if (a->nb_marks && a->marks[0].at < a->nread + (uint64_t)n) {
                double before = (double)(a->marks[0].at - a->nread) / rate;
                a->jump_from = a->fifo_pts + before;
                a->jump_time = a->anchor_time + before;
                a->jump_pts = a->marks[0].pts;
                a->jump_valid = 1;
                a->fifo_pts = a->jump_pts + (double)n / rate - before;
                pop_mark_locked(a);
            } else {
                a->fifo_pts += (double)n / rate;
            }
            a->nread += (uint64_t)n;
        }
        if (a->gain != 1.0f && a->fmt.format == SV_SAMPLE_FMT_F32) {
            float *s = out;
            for (int i = 0; i < n * a->fmt.channels; i++)
                s[i] *= a->gain;
        } else if (a->gain != 1.0f) {
            int16_t *s = out;
            for (int i = 0; i < n * a->fmt.channels; i++)
                s[i] = (int16_t)lrintf(s[i] * a->gain);
        }
        /* Done only on a pull that finds nothing left: by then the sink has
         * taken the previous pull's samples (counted, queued to the device). */
        if (n == 0 && !a->len && a->eos && !a->done)
            a->done = done_now = 1;
        sv__cond_broadcast(&a->cond);
    }
    sv__mutex_unlock(&a->lock);
    if (done_now)
        sv__env_changed(a->env);
    return n;
}

/* ---- the demux thread's side ------------------------------------------------ */

static int open_sink(sv__aout *a, const AVFrame *f)
{
    sv_audio_sink *sink = a->sink;
    sv_audio_format want = { f->sample_rate, f->ch_layout.nb_channels, SV_SAMPLE_FMT_F32 };
    sv_audio_format got = want;
    int r = sink->open(sink->opaque, &want, &got, pull, a);
    if (r < 0)
        return r;
    if (got.sample_rate <= 0 || got.channels <= 0 ||
        (got.format != SV_SAMPLE_FMT_F32 && got.format != SV_SAMPLE_FMT_S16)) {
        sink->close(sink->opaque);
        return SV_ERR_UNSUPPORTED;
    }
    int bps = got.format == SV_SAMPLE_FMT_F32 ? 4 : 2;
    size_t cap = (size_t)(got.sample_rate * FIFO_SECONDS) * (size_t)(got.channels * bps);
    uint8_t *buf = sv__malloc(a->env->alloc, cap);
    if (!buf) {
        sink->close(sink->opaque);
        return SV_ERR_NOMEM;
    }
    sv__mutex_lock(&a->lock);
    a->fmt = got;
    a->frame_bytes = got.channels * bps;
    a->buf = buf;
    a->cap = cap;
    a->rpos = a->len = 0;
    a->opened = 1;
    sv__mutex_unlock(&a->lock);
    sink->pause(sink->opaque, !a->playing);
    return 0;
}

static int setup_swr(sv__aout *a, AVFrame *f)
{
    if (a->swr && a->in_rate == f->sample_rate && a->in_fmt == f->format &&
        a->in_channels == f->ch_layout.nb_channels)
        return 0;
    swr_free(&a->swr);
    AVChannelLayout out_layout;
    av_channel_layout_default(&out_layout, a->fmt.channels);
    enum AVSampleFormat out_fmt = a->fmt.format == SV_SAMPLE_FMT_F32 ? AV_SAMPLE_FMT_FLT
                                                                    : AV_SAMPLE_FMT_S16;
    if (swr_alloc_set_opts2(&a->swr, &out_layout, out_fmt, a->fmt.sample_rate, &f->ch_layout,
                            f->format, f->sample_rate, 0, NULL) < 0 ||
        swr_init(a->swr) < 0) {
        swr_free(&a->swr);
        return SV_ERR_UNSUPPORTED;
    }
    a->in_rate = f->sample_rate;
    a->in_fmt = f->format;
    a->in_channels = f->ch_layout.nb_channels;
    return 0;
}

/* 1 when samples at `pts` come right after a gap that the queued ones end
 * before: the FIFO's time jumps there. */
static int jumps_gap_locked(const sv__aout *a, double pts)
{
    if (pts <= a->end_pts + 0.02)
        return 0;
    for (int i = 0; i < a->nb_gaps; i++)
        if (a->gaps[i].from <= a->end_pts + 0.05 && a->gaps[i].to <= pts + 0.05)
            return 1;
    return 0;
}

/* Appends converted samples, waiting for room; 0 or SV_ERR_CANCELLED. */
static int write_fifo(sv__aout *a, const uint8_t *data, size_t bytes, double pts, uint64_t gen)
{
    size_t fb = (size_t)a->frame_bytes, total = bytes;

    sv__mutex_lock(&a->lock);
    if (a->gen != gen) {
        sv__mutex_unlock(&a->lock);
        return SV_ERR_CANCELLED;
    }
    if (a->len == 0 && !isnan(pts)) {
        /* An empty FIFO restarts at this frame's time. */
        a->fifo_pts = a->end_pts = pts;
        a->nb_marks = 0;
        a->nread = a->nwritten = 0;
    } else if (!isnan(pts) && jumps_gap_locked(a, pts) && a->nb_marks < SV__OUT_GAPS) {
        a->marks[a->nb_marks].at = a->nwritten;
        a->marks[a->nb_marks].pts = pts;
        a->nb_marks++;
        a->end_pts = pts;
    }
    while (bytes) {
        while (a->len == a->cap && a->gen == gen)
            sv__cond_wait(&a->cond, &a->lock);
        if (a->gen != gen) {
            sv__mutex_unlock(&a->lock);
            return SV_ERR_CANCELLED;
        }
        size_t wpos = (a->rpos + a->len) % a->cap;
        size_t room = a->cap - a->len;
        size_t run = a->cap - wpos;
        size_t n = bytes < room ? bytes : room;
        if (n > run)
            n = run;
        memcpy(a->buf + wpos, data, n);
        a->len += n;
        a->nwritten += n / fb;
        data += n;
        bytes -= n;
    }
    a->end_pts += (double)(total / fb) / a->fmt.sample_rate;
    sv__mutex_unlock(&a->lock);
    return 0;
}

/* Frames [*skip, *keep) of a converted frame of n samples at `pts` are
 * outside every gap: the head inside a gap and the tail that runs into one
 * are left out. */
static void gap_trim(sv__aout *a, double pts, int n, int *skip, int *keep)
{
    double rate = a->fmt.sample_rate;

    sv__mutex_lock(&a->lock);
    for (int i = 0; i < a->nb_gaps && !isnan(pts); i++) {
        double from = a->gaps[i].from, to = a->gaps[i].to;
        double start = pts + *skip / rate, end = pts + *keep / rate;
        if (start >= from && start < to) {
            double s = ceil((to - pts) * rate);
            *skip = s >= *keep ? *keep : (int)s;
        } else if (start < from && end > from) {
            *keep = (int)floor((from - pts) * rate);
        }
    }
    sv__mutex_unlock(&a->lock);
}

/* The FIFO frame (counted like nwritten) heard at or after `t`, or nwritten. */
static uint64_t frame_at_locked(const sv__aout *a, double t)
{
    double rate = a->fmt.sample_rate;
    uint64_t at = a->nread;
    double pts = a->fifo_pts;

    for (int i = 0; i <= a->nb_marks; i++) {
        uint64_t end = i < a->nb_marks ? a->marks[i].at : a->nwritten;
        if (t <= pts)
            return at;
        if (t < pts + (double)(end - at) / rate)
            return at + (uint64_t)ceil((t - pts) * rate);
        if (i < a->nb_marks) {
            at = a->marks[i].at;
            pts = a->marks[i].pts;
        }
    }
    return a->nwritten;
}

void sv__aout_gap(sv__aout *a, uint64_t gen, double from, double to)
{
    sv__mutex_lock(&a->lock);
    if (a->gen != gen || !(to > from)) {
        sv__mutex_unlock(&a->lock);
        return;
    }
    if (a->nb_gaps == SV__OUT_GAPS) {
        memmove(&a->gaps[0], &a->gaps[1], sizeof(a->gaps[0]) * (SV__OUT_GAPS - 1));
        a->nb_gaps--;
    }
    a->gaps[a->nb_gaps].from = from;
    a->gaps[a->nb_gaps].to = to;
    a->nb_gaps++;
    /* Samples already queued from the gap on are cut (another stream's
     * skip: this one's audio went ahead). What followed the gap in the FIFO
     * is lost with them; a gap is a segment long, the FIFO a second. */
    if (a->frame_bytes && a->len) {
        uint64_t cut = frame_at_locked(a, from);
        if (cut < a->nwritten) {
            a->len -= (size_t)(a->nwritten - cut) * (size_t)a->frame_bytes;
            a->nwritten = cut;
            while (a->nb_marks && a->marks[a->nb_marks - 1].at >= cut)
                a->nb_marks--;
            a->end_pts = from;
        }
    }
    sv__cond_broadcast(&a->cond);
    sv__mutex_unlock(&a->lock);
}

int sv__aout_push(sv__aout *a, AVFrame *f, uint64_t gen, double pts)
{
    if (!a->sink)
        return 0;
    if (!a->opened) {
        int r = open_sink(a, f);
        if (r < 0) {
            sv__env_error(a->env, r, 1, "the audio sink cannot play %d Hz, %d channels",
                          f->sample_rate, f->ch_layout.nb_channels);
            return r;
        }
    }
    if (setup_swr(a, f) < 0) {
        sv__env_error(a->env, SV_ERR_UNSUPPORTED, 1, "cannot convert the audio for the sink");
        return SV_ERR_UNSUPPORTED;
    }
    int out_samples = swr_get_out_samples(a->swr, f->nb_samples);
    if (out_samples > a->tmp_samples) {
        av_freep(&a->tmp);
        if (av_samples_alloc(&a->tmp, NULL, a->fmt.channels, out_samples,
                             a->fmt.format == SV_SAMPLE_FMT_F32 ? AV_SAMPLE_FMT_FLT
                                                               : AV_SAMPLE_FMT_S16, 0) < 0)
            return SV_ERR_NOMEM;
        a->tmp_samples = out_samples;
    }
    int n = swr_convert(a->swr, &a->tmp, out_samples, (const uint8_t **)f->extended_data,
                        f->nb_samples);
    if (n <= 0)
        return 0;

    /* Accurate seek: leave out the samples before the target. */
    int skip = 0;
    sv__mutex_lock(&a->lock);
    double target = a->target;
    sv__mutex_unlock(&a->lock);
    if (target >= 0 && !isnan(pts) && pts < target) {
        double s = (target - pts) * a->fmt.sample_rate;
        skip = s >= n ? n : (int)floor(s);
        pts += (double)skip / a->fmt.sample_rate;
    }
    /* Skipped segments: samples in a gap are not played. */
    int keep = n;
    if (!isnan(pts)) {
        pts -= (double)skip / a->fmt.sample_rate;
        gap_trim(a, pts, n, &skip, &keep);
        pts += (double)skip / a->fmt.sample_rate;
    }
    if (skip >= keep)
        return 0;
    return write_fifo(a, a->tmp + (size_t)skip * (size_t)a->frame_bytes,
                      (size_t)(keep - skip) * (size_t)a->frame_bytes, pts, gen);
}

void sv__aout_eos(sv__aout *a, uint64_t gen)
{
    int done_now = 0;
    sv__mutex_lock(&a->lock);
    if (a->gen == gen) {
        a->eos = 1;
        if (!a->len && !a->done)
            a->done = done_now = 1;
    }
    sv__mutex_unlock(&a->lock);
    if (done_now)
        sv__env_changed(a->env);
}

void sv__aout_flush(sv__aout *a, uint64_t gen, double target)
{
    sv__mutex_lock(&a->lock);
    a->gen = gen;
    a->target = target;
    a->rpos = a->len = 0;
    a->eos = a->done = 0;
    a->anchor_valid = a->jump_valid = 0;
    a->nb_gaps = a->nb_marks = 0;
    a->nread = a->nwritten = 0;
    sv__cond_broadcast(&a->cond);
    sv__mutex_unlock(&a->lock);
}

void sv__aout_set_playing(sv__aout *a, int playing)
{
    sv_audio_sink *sink = a->sink;
    sv__mutex_lock(&a->lock);
    int opened = a->opened;
    a->playing = playing;
    if (!playing)
        a->anchor_valid = 0;
    sv__mutex_unlock(&a->lock);
    if (opened && sink)
        sink->pause(sink->opaque, !playing);
}

double sv__aout_clock(sv__aout *a)
{
    double now = sv__env_now(a->env);
    sv__mutex_lock(&a->lock);
    double c = NAN;
    if (a->playing && a->anchor_valid) {
        c = a->anchor_pts + (now - a->anchor_time);
        if (a->jump_valid && now >= a->jump_time)
            c = a->jump_pts + (now - a->jump_time);
        else if (a->jump_valid && c > a->jump_from)
            c = a->jump_from;
        if (c > a->fifo_pts && !(a->eos && !a->len))
            c = a->fifo_pts; /* nothing beyond what was handed out is heard */
    }
    sv__mutex_unlock(&a->lock);
    return c;
}

double sv__aout_buffered_s(sv__aout *a)
{
    sv__mutex_lock(&a->lock);
    double s = a->frame_bytes ? (double)(a->len / (size_t)a->frame_bytes) / a->fmt.sample_rate : 0;
    sv__mutex_unlock(&a->lock);
    return s;
}

int sv__aout_done(sv__aout *a)
{
    sv__mutex_lock(&a->lock);
    int d = a->done || !a->active || !a->sink;
    sv__mutex_unlock(&a->lock);
    return d;
}

int sv__aout_active(sv__aout *a)
{
    sv__mutex_lock(&a->lock);
    int r = a->active && a->sink != NULL;
    sv__mutex_unlock(&a->lock);
    return r;
}

void sv__aout_set_active(sv__aout *a, int active)
{
    sv__mutex_lock(&a->lock);
    a->active = active;
    sv__mutex_unlock(&a->lock);
}

void sv__aout_volume(sv__aout *a, double volume, int muted)
{
    sv__mutex_lock(&a->lock);
    a->gain = muted ? 0.0f : (float)volume;
    sv__mutex_unlock(&a->lock);
}
