/* A tiny program built with nothing but `pkg-config --cflags --libs
 * streamverse-sdl2`: the core's version and the SDL2 library's settings and
 * font, no window. Prints "streamverse-sdl2 <version> ok" when all is well. */
#include <stdio.h>
#include <string.h>

#include <streamverse/sdl2.h>
#include <streamverse/version.h>

int main(void)
{
    sv_sdl2_video_settings vs;
    sv_sdl2_audio_settings as;
    uint32_t px[16 * 10];
    int cols = -1, lines = -1, ok = 1;

    sv_sdl2_video_default_settings(&vs);
    sv_sdl2_audio_default_settings(&as);
    if (vs.width != 640 || vs.height != 360 || as.period_frames != 1024)
        ok = 0;
    sv_sdl2_text_measure("ab\nc", &cols, &lines);
    if (cols != 2 || lines != 2)
        ok = 0;
    memset(px, 0, sizeof(px));
    if (sv_sdl2_text_draw(px, 16, 16, 10, 0, 0, "H", 1u) <= 0 ||
        sv_sdl2_text_draw(NULL, 16, 16, 10, 0, 0, "H", 1u) != SV_ERR_INVALID)
        ok = 0;
    if (sv_version_number() != SV_VERSION_NUMBER)
        ok = 0;
    printf("streamverse-sdl2 %s %s\n", sv_version(), ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
