/*
 * `svserver ingest FILE --title T ...`: adds the file to the catalog and runs
 * its job on this thread (sv_server_ingest), with a progress bar when stdout
 * is a terminal. It can run beside servers and workers on the same data
 * folder: when a worker claims the job first, the bar follows that job.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <streamverse/common.h>
#include <svserver/svserver.h>

#include "cli.h"

int svs_ingest_args_add(sv_server_ingest_args *a, const char *name, const char *value,
                        char *err, size_t errlen)
{
    if (!strcmp(name, "title")) {
        a->title = value;
    } else if (!strcmp(name, "synopsis")) {
        a->synopsis = value;
    } else if (!strcmp(name, "subtitles")) {
        if (a->nb_subtitles >= SV_SERVER_MAX_SUBTITLES) {
            snprintf(err, errlen, "at most %d --subtitles", SV_SERVER_MAX_SUBTITLES);
            return SV_ERR_INVALID;
        }
        a->subtitles[a->nb_subtitles++] = value;
    } else if (a->nb_genres < SV_SERVER_MAX_GENRES) {
        a->genres[a->nb_genres++] = value;
    } else {
        snprintf(err, errlen, "at most %d genres", SV_SERVER_MAX_GENRES);
        return SV_ERR_INVALID;
    }
    return 0;
}

/* The bar redraws at each 0.1 % step; `last` is the step drawn, -1 before
 * the first. */
static void progress_bar(void *opaque, double percent, const char *stage)
{
    int *last = opaque;
    int filled = (int)(percent * 0.4), now = (int)(percent * 10);
    char bar[41];

    if (now == *last)
        return;
    *last = now;
    for (int i = 0; i < 40; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[40] = '\0';
    printf("\r[%s] %5.1f%% %-12s", bar, percent, stage ? stage : "");
    fflush(stdout);
}

int svs_cmd_ingest(const sv_server_config *cfg, const sv_server_logger *log,
                   const sv_server_ingest_args *a)
{
    int64_t title_id = 0;
    char err[512];
    int last = -1, tty = isatty(STDOUT_FILENO);
    int r = sv_server_ingest(cfg, log, a, tty ? progress_bar : NULL, &last, &title_id, err,
                             sizeof(err));

    /* The bar's line ends before anything else is printed. */
    if (last != -1)
        printf("\n");
    if (r < 0) {
        fprintf(stderr, "svserver ingest: %s\n", err);
        return r == SV_ERR_INVALID ? 2 : 1;
    }
    printf("%lld\n", (long long)title_id);
    return 0;
}
