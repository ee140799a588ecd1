/*
 * sv-thumbcheck: asks a player for seek thumbnails through the public API,
 * for the thumbnail tests.
 *
 *   sv-thumbcheck URL OUTDIR T...
 *
 * Loads URL headless (a null video sink; it plays on meanwhile), and for each
 * time T waits (up to 20 s) for sv_player_get_thumbnail() to answer, then
 * writes OUTDIR/thumb-<i>.ppm and prints "T start duration width height
 * milliseconds first" (milliseconds: how long the answer took once the image
 * was fetched and decoded; first: how long the first answer took, the
 * image's decode included). A time with no thumbnail prints "T none". Exit
 * 0, or 1 on an error (named on stderr).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <streamverse/player.h>
#include <streamverse/sinks.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int write_ppm(const char *path, const sv_thumbnail *th)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    fprintf(f, "P6\n%d %d\n255\n", th->width, th->height);
    for (int i = 0; i < th->width * th->height; i++)
        fwrite(th->pixels + 4 * i, 1, 3, f);
    return fclose(f);
}

int main(int argc, char **argv)
{
    sv_player_settings s;
    sv_video_sink *vsink = NULL;
    sv_player *p = NULL;
    static uint8_t pixels[1 << 22];
    int ret = 1;

    if (argc < 4) {
        fprintf(stderr, "usage: sv-thumbcheck URL OUTDIR T...\n");
        return 2;
    }
    sv_player_default_settings(&s);
    if (sv_null_video_sink_create(&vsink, NULL, NULL, 0) < 0)
        return 1;
    s.video_sink = vsink;
    if (sv_player_create(&p, &s) < 0 || sv_player_load(p, argv[1], NULL, 1) < 0) {
        fprintf(stderr, "sv-thumbcheck: cannot load %s\n", argv[1]);
        goto done;
    }
    for (int i = 3; i < argc; i++) {
        double t = atof(argv[i]), deadline = now_s() + 20;
        sv_thumbnail th = SV_THUMBNAIL_INIT;
        th.pixels = pixels;
        th.capacity = sizeof(pixels);
        int r;
        double first_ms = 0, t1 = now_s();
        while ((r = sv_player_get_thumbnail(p, t, &th)) == SV_ERR_AGAIN ||
               (r == SV_ERR_NOT_FOUND && now_s() < deadline - 15)) {
            if (now_s() > deadline) {
                fprintf(stderr, "sv-thumbcheck: no thumbnail for %g s within 20 s\n", t);
                goto done;
            }
            sv_player_wait_event(p, 0.02);
            t1 = now_s();
        }
        first_ms = (now_s() - t1) * 1000;
        if (r == SV_ERR_NOT_FOUND) {
            printf("%g none\n", t);
            continue;
        }
        double t0 = now_s();
        r = sv_player_get_thumbnail(p, t, &th);
        double ms = (now_s() - t0) * 1000;
        if (r < 0) {
            fprintf(stderr, "sv-thumbcheck: thumbnail for %g s: %s\n", t, sv_strerror(r));
            goto done;
        }
        char path[4096];
        snprintf(path, sizeof(path), "%s/thumb-%d.ppm", argv[2], i - 2);
        if (write_ppm(path, &th) < 0) {
            fprintf(stderr, "sv-thumbcheck: cannot write %s\n", path);
            goto done;
        }
        printf("%g %.3f %.3f %d %d %.2f %.2f\n", t, th.start_s, th.duration_s, th.width, th.height,
               ms, first_ms);
    }
    ret = 0;
done:
    sv_player_destroy(p);
    if (vsink)
        vsink->destroy(vsink);
    return ret;
}
