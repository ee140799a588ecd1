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
 * the time jumps (silence fills what is missing between the gap's ends and
 * the audio around it). The pull that hands out the mark notes when the jump
 * will be heard, and the clock keeps that jump until it is: a sink buffers
 * more than a period, so later pulls, whose anchors lie beyond the jump,
 * come while the time before it is still being heard. The clock thus goes
 * over the gap exactly when the sound does.
 */
#include <math.h>
#include <string.h>

#include <libavutil/channel_layout.h>
#include <libavutil/frame.h>
#include <libavutil/samplefmt.h>
#include <libswresample/swresample.h>

#include "player/output/output.h"
#include "player/output/output_tempo.h"

#include "player/output/output_audio_internal.h"

int sv__aout_create(sv__aout **out, const sv__env *env, sv_audio_sink *sink)
{
    sv__aout *a = sv__calloc(env->alloc, 1, sizeof(*a));
    if (!a)
        return SV_ERR_NOMEM;
    a->env = env;
    a->sink = sink;
    a->target = -1;
    a->end = INFINITY;
    a->gain = 1.0f;
    a->want_speed = a->w_speed = a->fifo_speed = a->anchor_speed = 1.0;
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
    a->anchor_valid = 0;
    a->nb_marks = a->nb_jumps = 0;
    a->nread = a->nwritten = 0;
    a->seam = 0;
    sv__mutex_unlock(&a->lock);
    swr_free(&a->swr);
    av_freep(&a->tmp);
    a->tmp_samples = 0;
    a->in_rate = 0;
    sv__tempo_destroy(a->tempo);
    a->tempo = NULL;
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

/* A jump pulled now, heard at `time`; the oldest goes when they are full. */
static void add_jump_locked(sv__aout *a, double time, double from, double pts)
{
    if (a->nb_jumps == SV__OUT_GAPS) {
        memmove(&a->jumps[0], &a->jumps[1], sizeof(a->jumps[0]) * (SV__OUT_GAPS - 1));
        a->nb_jumps--;
    }
    a->jumps[a->nb_jumps].time = time;
    a->jumps[a->nb_jumps].from = from;
    a->jumps[a->nb_jumps].pts = pts;
    a->nb_jumps++;
}

/* Jumps heard by `now` lie before a new anchor: the anchor tells the rest. */
static void forget_heard_jumps_locked(sv__aout *a, double now)
{
    int k = 0;
    while (k < a->nb_jumps && a->jumps[k].time <= now)
        k++;
    memmove(&a->jumps[0], &a->jumps[k], sizeof(a->jumps[0]) * (size_t)(a->nb_jumps - k));
    a->nb_jumps -= k;
}

/* The seam's mark is handed out: heard at `time`. */
static void seam_out_locked(sv__aout *a, double time)
{
    a->seam = 3;
    a->seam_time = time;
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
        double start_from = a->fifo_pts;
        int start_jump = 0;
        while (take && a->nb_marks && a->marks[0].at <= a->nread) {
            a->fifo_pts = a->marks[0].pts;
            a->fifo_speed = a->marks[0].speed;
            start_jump |= a->marks[0].jump;
            if (a->marks[0].jump == 2)
                seam_out_locked(a, now + (double)delay_us / 1e6);
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
            a->anchor_speed = a->fifo_speed;
            a->anchor_time = now + (double)delay_us / 1e6;
            a->anchor_valid = 1;
            forget_heard_jumps_locked(a, now);
            if (start_jump)
                add_jump_locked(a, a->anchor_time, start_from, a->anchor_pts);
            if (a->nb_marks && a->marks[0].at < a->nread + (uint64_t)n) {
                double before = (double)(a->marks[0].at - a->nread) / rate;
                if (a->marks[0].jump)
                    add_jump_locked(a, a->anchor_time + before,
                                    a->fifo_pts + before * a->fifo_speed, a->marks[0].pts);
                if (a->marks[0].jump == 2)
                    seam_out_locked(a, a->anchor_time + before);
                a->fifo_speed = a->marks[0].speed;
                a->fifo_pts = a->marks[0].pts + ((double)n / rate - before) * a->fifo_speed;
                pop_mark_locked(a);
            } else {
                a->fifo_pts += (double)n / rate * a->fifo_speed;
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

/* Where the FIFO's time jumps when samples at `pts` follow the queued ones:
 * over the gaps that end after the queued end and by `pts`, and start at
 * most GAP_PAD_MAX_S after the queued end. Returns 1 with the first one's
 * start in *from and the last one's end in *to, or 0 (no gap in between:
 * the samples follow on). The queued audio may end short of the gap (a
 * muxed TS segment's last audio lies in the next segment, which was
 * skipped) and the next may start after it: silence fills those holes. */
static int gap_between_locked(const sv__aout *a, double pts, double *from, double *to)
{
    int found = 0;

    if (!a->nwritten || pts <= a->end_pts + GAP_SLACK_S)
        return 0;
    for (int i = 0; i < a->nb_gaps; i++) {
        double f = a->gaps[i].from, t = a->gaps[i].to;
        if (t <= a->end_pts + GAP_SLACK_S || t > pts + GAP_SLACK_S ||
            f > a->end_pts + GAP_PAD_MAX_S)
            continue;
        if (!found || f < *from)
            *from = f;
        if (!found || t > *to)
            *to = t;
        found = 1;
    }
    return found;
}

/* Appends `frames` frames (silence when `data` is NULL), waiting for room.
 * Returns 0; 1 when a gap cut the FIFO meanwhile (what is left of them lies
 * beyond the cut, in the gap or after it, and goes as what the cut took);
 * or SV_ERR_CANCELLED when a flush made `gen` stale. */
static int put_locked(sv__aout *a, const uint8_t *data, size_t frames, uint64_t gen)
{
    size_t fb = (size_t)a->frame_bytes, bytes = frames * fb;
    uint64_t cuts = a->cuts;

    while (bytes) {
        while (a->len == a->cap && a->gen == gen && a->cuts == cuts)
            sv__cond_wait(&a->cond, &a->lock);
        if (a->gen != gen)
            return SV_ERR_CANCELLED;
        if (a->cuts != cuts)
            return 1;
        size_t wpos = (a->rpos + a->len) % a->cap;
        size_t room = a->cap - a->len;
        size_t run = a->cap - wpos;
        size_t n = bytes < room ? bytes : room;
        if (n > run)
            n = run;
        if (data) {
            memcpy(a->buf + wpos, data, n);
            data += n;
        } else {
            memset(a->buf + wpos, 0, n); /* zero is silence in F32 and S16 */
        }
        a->len += n;
        a->nwritten += n / fb;
        a->end_pts += (double)(n / fb) / a->fmt.sample_rate * a->w_speed;
        bytes -= n;
    }
    return 0;
}

/* Silence from the queued end to `t` (nothing when `t` is not after it). */
static size_t pad_frames_locked(const sv__aout *a, double t)
{
    double n = floor((t - a->end_pts) * a->fmt.sample_rate / a->w_speed + 0.5);
    return n > 0 ? (size_t)n : 0;
}

/* Appends converted samples, waiting for room; 0 or SV_ERR_CANCELLED. When
 * they come after a gap, the gap's mark goes before them: the queued audio
 * is filled with silence up to the gap's start, the time jumps to its end,
 * and silence fills up to `pts`, so the clock crosses the gap exactly at
 * its ends, as video does (the frames before it are due before the jump,
 * the first after it at the jump). */
static int write_fifo(sv__aout *a, const uint8_t *data, size_t bytes, double pts, uint64_t gen,
                      double speed)
{
    size_t fb = (size_t)a->frame_bytes;
    double from = 0, to = 0;
    size_t before = 0, after = 0;
    int jump = 0, r = 0;

    sv__mutex_lock(&a->lock);
    if (a->gen != gen) {
        sv__mutex_unlock(&a->lock);
        return SV_ERR_CANCELLED;
    }
    double end = a->end_pts;
    if (a->seam == 1 && !isnan(pts)) {
        /* Gapless: the first samples of the next item, right behind the
         * last of the one before (when none are left the FIFO restarts). */
        a->seam = a->len && a->nb_marks < MARKS ? 2 : 0;
        if (a->seam) {
            a->marks[a->nb_marks].at = a->nwritten;
            a->marks[a->nb_marks].pts = pts;
            a->marks[a->nb_marks].speed = speed;
            a->marks[a->nb_marks++].jump = 2;
            a->end_pts = pts;
            a->w_speed = speed;
        }
    }
    if (!isnan(pts) && a->nb_marks < MARKS && gap_between_locked(a, pts, &from, &to)) {
        /* Also when the FIFO ran dry meanwhile: the clock waits at the
         * queued end and goes on through the silence. */
        jump = 1;
        before = pad_frames_locked(a, from);
        r = put_locked(a, NULL, before, gen);
        if (r == 0) {
            a->end_pts = pts - to > 0 && pts - to <= GAP_PAD_MAX_S ? to : pts;
            a->marks[a->nb_marks].at = a->nwritten;
            a->marks[a->nb_marks].pts = a->end_pts;
            a->marks[a->nb_marks].speed = a->w_speed;
            a->marks[a->nb_marks].jump = 1;
            a->nb_marks++;
            after = pad_frames_locked(a, pts);
            r = put_locked(a, NULL, after, gen);
        }
    } else if (a->len == 0 && !isnan(pts)) {
        /* An empty FIFO restarts at this frame's time. */
        a->fifo_pts = a->end_pts = pts;
        a->fifo_speed = a->w_speed = speed;
        a->nb_marks = 0;
        a->nread = a->nwritten = 0;
    }
    if (r == 0 && speed != a->w_speed && a->nb_marks < MARKS) {
        /* The speed changes here (the writer checked there was a free mark). */
        a->w_speed = speed;
        a->marks[a->nb_marks].at = a->nwritten;
        a->marks[a->nb_marks].pts = a->end_pts;
        a->marks[a->nb_marks].speed = speed;
        a->marks[a->nb_marks].jump = 0;
        a->nb_marks++;
    }
    if (r == 0)
        r = put_locked(a, data, bytes / fb, gen);
    sv__mutex_unlock(&a->lock);
    if (r > 0)
        r = 0; /* cut by a gap */
    if (jump)
        SV_LOGD(a->env->log, "player",
                "audio: over the gap %.3f-%.3f s: the queued audio ends at %.3f s, the next "
                "starts at %.3f s; %.3f s of silence before the jump, %.3f s after",
                from, to, end, pts, (double)before / a->fmt.sample_rate,
                (double)after / a->fmt.sample_rate);
    return r;
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
        /* A thousandth of a sample of rounding is no sample: the first
         * one kept is the one at `to`, not the next. */
        if (start >= from && start < to) {
            double s = ceil((to - pts) * rate - 1e-3);
            *skip = s >= *keep ? *keep : (int)s;
        } else if (start < from && end > from) {
            *keep = (int)floor((from - pts) * rate + 1e-3);
        }
    }
    sv__mutex_unlock(&a->lock);
}

/* The FIFO frame (counted like nwritten) heard at or after `t`, or nwritten. */
static uint64_t frame_at_locked(const sv__aout *a, double t)
{
    double rate = a->fmt.sample_rate;
    uint64_t at = a->nread;
    double pts = a->fifo_pts, speed = a->fifo_speed;

    for (int i = 0; i <= a->nb_marks; i++) {
        uint64_t end = i < a->nb_marks ? a->marks[i].at : a->nwritten;
        if (t <= pts)
            return at;
        if (t < pts + (double)(end - at) / rate * speed)
            return at + (uint64_t)ceil((t - pts) * rate / speed);
        if (i < a->nb_marks) {
            at = a->marks[i].at;
            pts = a->marks[i].pts;
            speed = a->marks[i].speed;
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
            /* The writer goes on at the speed of what is left. */
            a->w_speed = a->nb_marks ? a->marks[a->nb_marks - 1].speed : a->fifo_speed;
            a->end_pts = from;
            a->cuts++;
        }
    }
    sv__cond_broadcast(&a->cond);
    sv__mutex_unlock(&a->lock);
}

/* ---- the playback rate ------------------------------------------------------ */

typedef struct tempo_ctx {
    sv__aout *a;
    uint64_t gen;
} tempo_ctx;

static int tempo_out(void *opaque, const uint8_t *data, int frames, double pts, double speed)
{
    tempo_ctx *c = opaque;
    return write_fifo(c->a, data, (size_t)frames * (size_t)c->a->frame_bytes, pts, c->gen, speed);
}

/* Queues `frames` converted frames at `pts`: straight into the FIFO while
 * the rate has always been 1, else through the tempo (which then stays, so
 * its samples follow on when the rate comes back to 1). A new rate is taken
 * up when the FIFO has a mark free for it. */
static int write_out(sv__aout *a, const uint8_t *data, int frames, double pts, uint64_t gen)
{
    sv__mutex_lock(&a->lock);
    double want = a->want_speed;
    int room = a->nb_marks < MARKS - 1;
    sv__mutex_unlock(&a->lock);
    if (!a->tempo && want != 1.0) {
        int r = sv__tempo_create(&a->tempo, a->env->alloc, a->fmt.sample_rate, a->fmt.channels,
                                 a->fmt.format == SV_SAMPLE_FMT_F32);
        if (r < 0) {
            sv__env_error(a->env, r, 1, "cannot change the playback rate: %s", sv_strerror(r));
            return r;
        }
        a->tempo_gen = gen;
    }
    if (!a->tempo)
        return write_fifo(a, data, (size_t)frames * (size_t)a->frame_bytes, pts, gen, 1.0);
    if (a->tempo_gen != gen) {
        sv__tempo_reset(a->tempo);
        a->tempo_gen = gen;
    }
    if (want != sv__tempo_speed(a->tempo) && room)
        sv__tempo_set_speed(a->tempo, want);
    tempo_ctx c = { a, gen };
    int r = sv__tempo_process(a->tempo, data, frames, pts, tempo_out, &c);
    if (r == SV_ERR_UNSUPPORTED || r == SV_ERR_INTERNAL)
        sv__env_error(a->env, r, 1, "the playback rate filter (atempo) failed: %s",
                      sv_strerror(r));
    return r;
}

void sv__aout_set_speed(sv__aout *a, double speed)
{
    sv__mutex_lock(&a->lock);
    a->want_speed = speed;
    sv__mutex_unlock(&a->lock);
}

double sv__aout_speed(sv__aout *a)
{
    sv__mutex_lock(&a->lock);
    double s = a->anchor_valid ? a->anchor_speed : a->fifo_speed;
    sv__mutex_unlock(&a->lock);
    return s;
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
    /* An interstitial's cut: nothing from `end` on. */
    sv__mutex_lock(&a->lock);
    double end = a->end;
    sv__mutex_unlock(&a->lock);
    if (!isnan(pts) && isfinite(end)) {
        double e = skip + (end - pts) * a->fmt.sample_rate;
        if (e < keep)
            keep = e > 0 ? (int)floor(e) : 0;
    }
    if (skip >= keep)
        return 0;
    return write_out(a, a->tmp + (size_t)skip * (size_t)a->frame_bytes, keep - skip, pts, gen);
}

void sv__aout_eos(sv__aout *a, uint64_t gen)
{
    int done_now = 0;
    if (a->tempo && a->tempo_gen == gen) {
        /* What the filter still holds is the end of the audio. */
        tempo_ctx c = { a, gen };
        sv__tempo_drain(a->tempo, tempo_out, &c);
    }
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

void sv__aout_set_end(sv__aout *a, uint64_t gen, double end)
{
    sv__mutex_lock(&a->lock);
    if (a->gen == gen)
        a->end = end;
    sv__mutex_unlock(&a->lock);
}

void sv__aout_flush(sv__aout *a, uint64_t gen, double target)
{
    sv__mutex_lock(&a->lock);
    if (a->seam && a->keep_gen == gen) {
        a->target = target; /* the next item's start: what is queued stays */
        sv__mutex_unlock(&a->lock);
        return;
    }
    a->seam = 0;
    a->gen = gen;
    a->target = target;
    a->end = INFINITY;
    a->rpos = a->len = 0;
    a->eos = a->done = 0;
    a->anchor_valid = 0;
    a->nb_gaps = a->nb_marks = a->nb_jumps = 0;
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
    if (!playing) {
        a->anchor_valid = 0;
        a->nb_jumps = 0; /* their times were on the schedule the pause broke */
    }
    sv__mutex_unlock(&a->lock);
    if (opened && sink)
        sink->pause(sink->opaque, !playing);
}

