/* A tiny program using the installed SDK: version, errors, a virtual clock
 * and both null sinks. Prints "streamverse <version> ok" when all is well. */
#include <stdio.h>
#include <string.h>

#include <streamverse/abr.h>
#include <streamverse/cdm.h>
#include <streamverse/clock.h>
#include <streamverse/player.h>
#include <streamverse/sinks.h>
#include <streamverse/version.h>

int main(void)
{
    sv_clock *clock = NULL;
    sv_video_sink *video = NULL;
    sv_audio_sink *audio = NULL;
    int ok = 1;

    if (sv_version_number() != SV_VERSION_NUMBER)
        ok = 0;
    if (strcmp(sv_strerror(SV_ERR_NOMEM), "out of memory") != 0)
        ok = 0;
    if (sv_clock_virtual_create(&clock, 0) < 0 || sv_clock_virtual_advance(clock, 5) < 0 ||
        clock->now_ns(clock->opaque) != 5)
        ok = 0;
    if (sv_null_video_sink_create(&video, NULL, NULL, 0) < 0 ||
        sv_null_audio_sink_create(&audio, NULL) < 0)
        ok = 0;
    if (video)
        video->destroy(video);
    if (audio)
        audio->destroy(audio);
    sv_clock_destroy(clock);
    printf("streamverse %s %s\n", sv_version(), ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
