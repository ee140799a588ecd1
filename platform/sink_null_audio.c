/*
 * The null audio sink: a thread that pulls PCM like a sound card would, at
 * the pace of a clock (or as fast as the player supplies, for benchmarks),
 * counting and hashing what it gets.
 */
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "abi.h"
#include "alloc.h"
#include "streamverse/sinks.h"
#include "thread.h"

/* The sizes of the first published versions (ABI 1) of the structs read or written here. */
#define SETTINGS_V1 SV__SIZE_TO(sv_null_audio_settings, force_format)
#define STATS_V1 SV__SIZE_TO(sv_null_audio_stats, md5)
#define CLOCK_V1 SV__SIZE_TO(sv_clock, opaque)

typedef struct null_audio {
    sv_audio_sink pub;            /* first: the public pointer is the object */
    sv_null_audio_settings set;
    sv_clock *own_clock;          /* made when the settings named none */
    const sv_clock *clock;        /* own_clock, or host_clock */
    sv_clock host_clock;          /* the settings' clock, copied at full size */
    sv__thread thread;
    sv__mutex lock;
    sv__cond cond;
    /* Guarded by lock: */
    int running;                  /* thread started and not joined */
    int exited;                   /* thread left its loop */
    int quit, paused;
    sv_audio_pull_fn pull;
    void *pull_opaque;
    sv_audio_format fmt;
    sv_null_audio_stats stats;
    EVP_MD_CTX *md;               /* running MD5 of every supplied byte */
    uint8_t *buf;                 /* one period; written by the thread only */
} null_audio;

static int bytes_per_frame(const sv_audio_format *f)
{
    return f->channels * (f->format == SV_SAMPLE_FMT_S16 ? 2 : 4);
}

static void *pull_thread(void *arg)
{
    null_audio *s = arg;
    const int period = s->set.period_frames;
    int64_t period_ns = 0, deadline = 0;

    sv__mutex_lock(&s->lock);
    const int bpf = bytes_per_frame(&s->fmt);
    period_ns = (int64_t)period * 1000000000 / s->fmt.sample_rate;
    while (!s->quit) {
        if (s->paused) {
            sv__cond_wait(&s->cond, &s->lock);
            deadline = 0; /* a resumed device starts a fresh period */
            continue;
        }
        sv_audio_pull_fn pull = s->pull;
        void *pull_opaque = s->pull_opaque;
        sv__mutex_unlock(&s->lock);

        /* The period pulled now starts playing one period after the last
         * deadline: a pull that woke late says so in its delay, as a sound
         * card's would, so the clock the player anchors on it stays on the
         * device's schedule instead of jumping back by the lateness. */
        int64_t delay_ns = 0;
        if (s->set.realtime) {
            delay_ns = period_ns;
            if (deadline) {
                delay_ns = deadline + period_ns - s->clock->now_ns(s->clock->opaque);
                if (delay_ns < 0)
                    delay_ns = 0;
            }
        }
        int n = pull(pull_opaque, s->buf, period, delay_ns / 1000);
        if (n < 0)
            n = 0;
        if (n > period)
            n = period;

        sv__mutex_lock(&s->lock);
        s->stats.pulls++;
        s->stats.frames += (uint64_t)n;
        if (n)
            EVP_DigestUpdate(s->md, s->buf, (size_t)n * (size_t)bpf);
        if (s->set.realtime) {
            /* Real time passed for the whole period: what was missing was
             * heard as silence. */
            s->stats.silence_frames += (uint64_t)(period - n);
            sv__mutex_unlock(&s->lock);
            int64_t now = s->clock->now_ns(s->clock->opaque);
            deadline = deadline ? deadline + period_ns : now + period_ns;
            if (deadline < now - 4 * period_ns)
                deadline = now; /* fell far behind (debugger, overload): do not burst */
            s->clock->sleep_until(s->clock->opaque, deadline);
            sv__mutex_lock(&s->lock);
        } else if (n == 0 && !s->quit) {
            /* Benchmark pace: nothing ready yet, so no time is lost; wait a
             * moment rather than spin. */
            sv__cond_timedwait(&s->cond, &s->lock, sv__monotonic_ns() + 1000000);
        }
    }
    s->exited = 1;
    sv__cond_broadcast(&s->cond);
    sv__mutex_unlock(&s->lock);
    return NULL;
}

static void close_sink(void *opaque)
{
    null_audio *s = opaque;

    sv__mutex_lock(&s->lock);
    if (!s->running) {
        sv__mutex_unlock(&s->lock);
        return;
    }
    s->quit = 1;
    sv__cond_broadcast(&s->cond);
    /* The thread may be asleep on the clock, or just about to be: keep
     * waking the clock until it has left its loop. */
    while (!s->exited) {
        sv__mutex_unlock(&s->lock);
        s->clock->wake(s->clock->opaque);
        sv__mutex_lock(&s->lock);
        if (!s->exited)
            sv__cond_timedwait(&s->cond, &s->lock, sv__monotonic_ns() + 10000000);
    }
    s->running = 0;
    sv__mutex_unlock(&s->lock);
    sv__thread_join(&s->thread);
    sv__free(NULL, s->buf);
    s->buf = NULL;
}

static int open_sink(void *opaque, const sv_audio_format *wanted, sv_audio_format *obtained,
                     sv_audio_pull_fn pull, void *pull_opaque)
{
    null_audio *s = opaque;
    sv_audio_format fmt;
    int ret;

    if (!wanted || !obtained || !pull)
        return SV_ERR_INVALID;
    fmt = *wanted;
    if (s->set.force_format.sample_rate)
        fmt.sample_rate = s->set.force_format.sample_rate;
    if (s->set.force_format.channels)
        fmt.channels = s->set.force_format.channels;
    if (s->set.force_format.format)
        fmt.format = s->set.force_format.format;
    if (fmt.sample_rate <= 0 || fmt.sample_rate > 768000 || fmt.channels <= 0 ||
        fmt.channels > 64 ||
        (fmt.format != SV_SAMPLE_FMT_S16 && fmt.format != SV_SAMPLE_FMT_F32))
        return SV_ERR_UNSUPPORTED;

    sv__mutex_lock(&s->lock);
    if (s->running) {
        sv__mutex_unlock(&s->lock);
        return SV_ERR_STATE;
    }
    s->buf = sv__malloc(NULL, (size_t)s->set.period_frames * (size_t)bytes_per_frame(&fmt));
    if (!s->buf) {
        sv__mutex_unlock(&s->lock);
        return SV_ERR_NOMEM;
    }
    s->fmt = fmt;
    s->pull = pull;
    s->pull_opaque = pull_opaque;
    s->quit = 0;
    s->exited = 0;
    s->paused = 1; /* sinks open paused */
    ret = sv__thread_create(&s->thread, "sv-null-audio", pull_thread, s);
    if (ret < 0) {
        sv__free(NULL, s->buf);
        s->buf = NULL;
    } else {
        s->running = 1;
        *obtained = fmt;
    }
    sv__mutex_unlock(&s->lock);
    return ret;
}

static void pause_sink(void *opaque, int paused)
{
    null_audio *s = opaque;
    sv__mutex_lock(&s->lock);
    s->paused = !!paused;
    sv__cond_broadcast(&s->cond);
    sv__mutex_unlock(&s->lock);
}

static void destroy(sv_audio_sink *sink)
{
    null_audio *s = (null_audio *)sink;
    if (!s)
        return;
    close_sink(s);
    EVP_MD_CTX_free(s->md);
    sv__cond_destroy(&s->cond);
    sv__mutex_destroy(&s->lock);
    sv_clock_destroy(s->own_clock);
    sv__free(NULL, s);
}

static void defaults(sv_null_audio_settings *set)
{
    memset(set, 0, sizeof(*set));
    set->struct_size = sizeof(*set);
    set->realtime = 1;
    set->period_frames = 1024;
}

SV_API void sv_null_audio_default_settings_sized(sv_null_audio_settings *set, size_t struct_size)
{
    sv_null_audio_settings full;

    defaults(&full);
    sv__struct_defaults(set, struct_size, &full, sizeof(full), SETTINGS_V1);
}

SV_API int sv_null_audio_sink_create(sv_audio_sink **out, const sv_null_audio_settings *settings)
{
    sv_null_audio_settings set;
    null_audio *s;
    int ret = SV_ERR_NOMEM;

    defaults(&set);
    if (!out || (settings && sv__struct_read(&set, sizeof(set), settings, SETTINGS_V1) < 0) ||
        set.period_frames <= 0 || set.period_frames > 65536)
        return SV_ERR_INVALID;
    if (set.clock && sv__struct_size(set.clock) < CLOCK_V1)
        return SV_ERR_INVALID;
    if (!(s = sv__calloc(NULL, 1, sizeof(*s))))
        return SV_ERR_NOMEM;
    s->set = set;
    if (set.clock) {
        sv__struct_read(&s->host_clock, sizeof(s->host_clock), set.clock, CLOCK_V1);
        s->set.clock = &s->host_clock;
    }
    if (!(s->md = EVP_MD_CTX_new()) || !EVP_DigestInit_ex(s->md, EVP_md5(), NULL))
        goto fail_md;
    if ((ret = sv__mutex_init(&s->lock)) < 0)
        goto fail_md;
    if ((ret = sv__cond_init(&s->cond)) < 0)
        goto fail_cond;
    if (!s->set.clock) {
        if ((ret = sv_clock_monotonic_create(&s->own_clock)) < 0)
            goto fail_clock;
        s->set.clock = s->own_clock;
    }
    s->clock = s->set.clock;
    s->pub.struct_size = sizeof(s->pub);
    s->pub.open = open_sink;
    s->pub.pause = pause_sink;
    s->pub.close = close_sink;
    s->pub.destroy = destroy;
    s->pub.opaque = s;
    *out = &s->pub;
    return 0;

fail_clock:
    sv__cond_destroy(&s->cond);
fail_cond:
    sv__mutex_destroy(&s->lock);
fail_md:
    EVP_MD_CTX_free(s->md);
    sv__free(NULL, s);
    return ret;
}

SV_API int sv_null_audio_sink_stats(const sv_audio_sink *sink, sv_null_audio_stats *stats)
{
    null_audio *s;
    EVP_MD_CTX *copy;
    unsigned len = 0;
    int ret = 0;

    sv_null_audio_stats full;

    if (!sink || sink->open != open_sink || sv__struct_size(stats) < STATS_V1)
        return SV_ERR_INVALID;
    s = (null_audio *)sink;
    if (!(copy = EVP_MD_CTX_new()))
        return SV_ERR_NOMEM;
    sv__mutex_lock(&s->lock);
    full = s->stats;
    /* Finish a copy so the running hash can go on. */
    if (!EVP_MD_CTX_copy_ex(copy, s->md) || !EVP_DigestFinal_ex(copy, full.md5, &len))
        ret = SV_ERR_INTERNAL;
    sv__mutex_unlock(&s->lock);
    EVP_MD_CTX_free(copy);
    return ret < 0 ? ret : sv__struct_write(stats, &full, sizeof(full), STATS_V1);
}
