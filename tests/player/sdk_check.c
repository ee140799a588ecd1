/*
 * sdk_check.c - the public-API test programs' shared checks (sdk_check.h).
 */
#include <math.h>
#include <stdio.h>
#include <time.h>

#include "sdk_check.h"

int sdk_failures;

int sdk_null_sinks(sv_player_settings *s, sv_video_sink **video, sv_audio_sink **audio,
                   sv_frame_hash_fn on_frame, const sv_audio_format *force)
{
    sv_null_audio_settings as;
    sv_null_audio_default_settings(&as);
    if (force)
        as.force_format = *force;
    if (sv_null_video_sink_create(video, on_frame, NULL, 0) < 0 ||
        sv_null_audio_sink_create(audio, &as) < 0) {
        fprintf(stderr, "cannot create the null sinks\n");
        return -1;
    }
    sv_player_default_settings(s);
    s->video_sink = *video;
    s->audio_sink = *audio;
    return 0;
}

void sdk_check(int ok, const char *what)
{
    printf("%s %s\n", ok ? "ok  " : "FAIL", what);
    fflush(stdout);
    if (!ok)
        sdk_failures++;
}

double sdk_prop(sv_player *player, sv_property prop)
{
    double v = NAN;
    if (sv_player_get_double(player, prop, &v) < 0)
        return NAN;
    return v;
}

void sdk_drain(sv_player *player, double s, double step,
               void (*on)(void *opaque, const sv_event *ev), void *opaque)
{
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &b);
        double left = s - ((double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9);
        if (left <= 0)
            return;
        const sv_event *ev = sv_player_wait_event(player, left < step ? left : step);
        if (ev->id != SV_EVENT_NONE && on)
            on(opaque, ev);
    }
}
