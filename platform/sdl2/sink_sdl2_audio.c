/*
 * The SDL2 audio sink: an SDL audio device whose callback pulls PCM from the
 * player. SDL runs the callback on its own audio thread and holds the
 * device lock around it, so SDL_CloseAudioDevice() returns only once no
 * callback is running, as sinks.h requires of close.
 */
#include <SDL.h>
#include <stdlib.h>
#include <string.h>

#include "../abi.h"
#include "streamverse/sdl2.h"

/* The sizes of the first published versions (ABI 1) of the structs read or written here. */
#define SETTINGS_V1 SV__SIZE_TO(sv_sdl2_audio_settings, period_frames)
#define STATS_V1 SV__SIZE_TO(sv_sdl2_audio_stats, period_frames)

typedef struct sdl_audio {
    sv_audio_sink pub;           /* first: the public pointer is the object */
    char *device_name;           /* NULL: default device */
    int period_frames;
    SDL_AudioDeviceID dev;       /* 0 while closed; open/pause/close thread only */
    /* Set in open before the device starts, read by the callback: */
    sv_audio_pull_fn pull;
    void *pull_opaque;
    int bytes_per_frame;
    int64_t delay_us;
    SDL_mutex *lock;
    /* Guarded by lock: */
    sv_sdl2_audio_stats stats;
} sdl_audio;

static void audio_callback(void *opaque, Uint8 *stream, int len)
{
    sdl_audio *s = opaque;
    int frames = len / s->bytes_per_frame;
    int n = s->pull(s->pull_opaque, stream, frames, s->delay_us);

    if (n < 0)
        n = 0;
    if (n > frames)
        n = frames;
    /* Silence is zero for both signed 16-bit and float samples. */
    if (n < frames)
        memset(stream + (size_t)n * (size_t)s->bytes_per_frame, 0,
               (size_t)(len - n * s->bytes_per_frame));
    SDL_LockMutex(s->lock);
    s->stats.callbacks++;
    s->stats.frames += (uint64_t)n;
    s->stats.silence_frames += (uint64_t)(frames - n);
    s->stats.last_delay_us = s->delay_us;
    SDL_UnlockMutex(s->lock);
}

static void close_sink(void *opaque)
{
    sdl_audio *s = opaque;

    if (!s->dev)
        return;
    SDL_CloseAudioDevice(s->dev);
    s->dev = 0;
    SDL_LockMutex(s->lock);
    memset(&s->stats.format, 0, sizeof(s->stats.format));
    s->stats.period_frames = 0;
    SDL_UnlockMutex(s->lock);
}

static int open_sink(void *opaque, const sv_audio_format *wanted, sv_audio_format *obtained,
                     sv_audio_pull_fn pull, void *pull_opaque)
{
    sdl_audio *s = opaque;
    SDL_AudioSpec want, have;

    if (!wanted || !obtained || !pull || wanted->sample_rate <= 0 || wanted->channels <= 0 ||
        wanted->channels > 8)
        return SV_ERR_INVALID;
    if (wanted->format != SV_SAMPLE_FMT_S16 && wanted->format != SV_SAMPLE_FMT_F32)
        return SV_ERR_UNSUPPORTED;
    close_sink(s);

    SDL_zero(want);
    want.freq = wanted->sample_rate;
    want.format = wanted->format == SV_SAMPLE_FMT_S16 ? AUDIO_S16SYS : AUDIO_F32SYS;
    want.channels = (Uint8)wanted->channels;
    want.samples = (Uint16)s->period_frames;
    want.callback = audio_callback;
    want.userdata = s;
    s->pull = pull;
    s->pull_opaque = pull_opaque;
    /* The rate and channel count may change (the player resamples); the
     * sample format may not, so the callback can hand the buffer on as is. */
    s->dev = SDL_OpenAudioDevice(s->device_name, 0, &want, &have,
                                 SDL_AUDIO_ALLOW_FREQUENCY_CHANGE |
                                     SDL_AUDIO_ALLOW_CHANNELS_CHANGE |
                                     SDL_AUDIO_ALLOW_SAMPLES_CHANGE);
    if (!s->dev)
        return SV_ERR_IO;
    obtained->sample_rate = have.freq;
    obtained->channels = have.channels;
    obtained->format = wanted->format;
    s->bytes_per_frame = have.channels * (wanted->format == SV_SAMPLE_FMT_S16 ? 2 : 4);
    /* One period playing, one queued: the ffplay estimate (see sdl2.h). */
    s->delay_us = (int64_t)2 * have.samples * 1000000 / have.freq;
    SDL_LockMutex(s->lock);
    s->stats.format = *obtained;
    s->stats.period_frames = have.samples;
    SDL_UnlockMutex(s->lock);
    /* SDL opens devices paused, as sinks.h wants. */
    return 0;
}

static void pause_sink(void *opaque, int paused)
{
    sdl_audio *s = opaque;

    if (s->dev)
        SDL_PauseAudioDevice(s->dev, paused ? 1 : 0);
}

static void destroy(sv_audio_sink *sink)
{
    if (!sink)
        return;
    sdl_audio *s = sink->opaque;
    close_sink(s);
    SDL_QuitSubSystem(SDL_INIT_AUDIO);
    SDL_DestroyMutex(s->lock);
    SDL_free(s->device_name);
    SDL_free(s);
}

static void defaults(sv_sdl2_audio_settings *s)
{
    memset(s, 0, sizeof(*s));
    s->struct_size = sizeof(*s);
    s->period_frames = 1024;
}

SV_SDL2_API void sv_sdl2_audio_default_settings_sized(sv_sdl2_audio_settings *s,
                                                      size_t struct_size)
{
    sv_sdl2_audio_settings full;

    defaults(&full);
    sv__struct_defaults(s, struct_size, &full, sizeof(full), SETTINGS_V1);
}

SV_SDL2_API int sv_sdl2_audio_sink_create(sv_audio_sink **out,
                                          const sv_sdl2_audio_settings *settings)
{
    sv_sdl2_audio_settings set;
    sdl_audio *s = NULL;
    int ret = SV_ERR_NOMEM;

    defaults(&set);
    if (!out || (settings && sv__struct_read(&set, sizeof(set), settings, SETTINGS_V1) < 0))
        return SV_ERR_INVALID;
    /* SDL wants a power of two that fits its 16-bit field. */
    if (set.period_frames < 64 || set.period_frames > 32768 ||
        (set.period_frames & (set.period_frames - 1)))
        return SV_ERR_INVALID;
    if (!(s = SDL_calloc(1, sizeof(*s))))
        return SV_ERR_NOMEM;
    if (set.device && !(s->device_name = SDL_strdup(set.device)))
        goto fail;
    if (!(s->lock = SDL_CreateMutex()))
        goto fail;
    if (SDL_InitSubSystem(SDL_INIT_AUDIO) != 0) {
        ret = SV_ERR_IO;
        goto fail;
    }
    s->period_frames = set.period_frames;
    s->stats.last_delay_us = -1;
    s->pub.struct_size = sizeof(s->pub);
    s->pub.open = open_sink;
    s->pub.pause = pause_sink;
    s->pub.close = close_sink;
    s->pub.destroy = destroy;
    s->pub.opaque = s;
    *out = &s->pub;
    return 0;

fail:
    SDL_DestroyMutex(s->lock);
    SDL_free(s->device_name);
    SDL_free(s);
    return ret;
}

SV_SDL2_API int sv_sdl2_audio_get_stats(const sv_audio_sink *sink, sv_sdl2_audio_stats *stats)
{
    if (!sink || sink->open != open_sink || sv__struct_size(stats) < STATS_V1)
        return SV_ERR_INVALID;
    sdl_audio *s = sink->opaque;
    SDL_LockMutex(s->lock);
    sv_sdl2_audio_stats full = s->stats;
    SDL_UnlockMutex(s->lock);
    return sv__struct_write(stats, &full, sizeof(full), STATS_V1);
}
