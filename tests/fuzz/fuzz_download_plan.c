/*
 * Fuzz target: the download planner (player/download/download_plan*.c) on
 * any manifest: the input is written to a file and planned from its
 * file:// URL, so an HLS media playlist is read twice (as the presentation
 * and as its rep's playlist) and whatever else it names is not there. Two
 * choices are planned (no limits; 120p with French audio and English
 * subtitles) as a download with one license; a plan that succeeds must
 * hold safe paths, indexes in range, keys before the segments that use
 * them, and must write its local playlists and survive its state file's
 * round trip.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "platform/alloc.h"
#include "player/download/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64], url[128];
static sv__dl_fetcher *fetcher;

static void check(const sv__dl_state *st)
{
    for (size_t i = 0; i < st->nb_files; i++) {
        const sv__dl_file *f = &st->files[i];
        if (!sv__dl_path_safe(f->path) || f->track < 0 || (size_t)f->track >= st->nb_tracks ||
            f->init >= (int)i || f->key >= (int)i || (f->key >= 0 && !st->files[f->key].is_key) ||
            (f->key >= 0 && strlen(f->iv) != 32))
            abort();
    }
    char *text = sv__dl_state_format(st), why[256];
    sv__dl_state again = { 0 };
    if (text && (sv__dl_state_parse(&again, text, strlen(text), why, sizeof(why)) < 0 ||
                 again.nb_files != st->nb_files)) {
        fprintf(stderr, "the plan's state file does not read back: %s\n", why);
        abort();
    }
    sv__dl_state_clear(&again);
    sv__free(NULL, text);
    char out[128], msg[512];
    snprintf(out, sizeof(out), "%s/out", dir);
    sv__dl_write_playlists(st, out, msg, sizeof(msg));
}

/* The scratch folder goes at exit (its name is this file's own). */
static void remove_dir(void)
{
    char cmd[96];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "fuzz_download_plan: cannot remove %s\n", dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const sv__dl_choice choices[] = {
        { .one_key_set = 1 },
        { .max_height = 120, .audio_languages = "fr", .subtitle_languages = "en" },
    };
    char path[128], msg[512];

    if (!fetcher) {
        snprintf(dir, sizeof(dir), "/tmp/fuzz_download_plan.%ld", (long)getpid());
        if (mkdir(dir, 0700) < 0 && errno != EEXIST)
            abort();
        atexit(remove_dir);
        snprintf(url, sizeof(url), "file://%s/manifest", dir);
        if (sv__dl_fetcher_create(&fetcher, NULL, "fuzz", NULL, NULL, 0, NULL) < 0)
            abort();
    }
    snprintf(path, sizeof(path), "%s/manifest", dir);
    FILE *fp = fopen(path, "wb");
    if (!fp || fwrite(data, 1, size, fp) != size || fclose(fp) != 0)
        abort();
    for (size_t i = 0; i < sizeof(choices) / sizeof(choices[0]); i++) {
        sv__dl_state st = { 0 };
        if (!(st.url = sv__strdup(NULL, url)))
            abort();
        if (sv__dl_plan(&st, fetcher, &choices[i], NULL, msg, sizeof(msg)) == 0)
            check(&st);
        sv__dl_state_clear(&st);
    }
    return 0;
}
