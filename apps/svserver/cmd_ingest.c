/*
 * `svserver ingest FILE --title T ...`: the same job pipeline the server's
 * workers run (backend/jobs.h), on this thread, with a progress bar when
 * stdout is a terminal. It shares the data folder with a running server
 * (SQLite WAL; the job records this process as its owner, so the server's
 * start-up recovery leaves it alone while it lives).
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "apps/svserver/svserver.h"
#include "backend/catalog.h"
#include "backend/fsutil.h"
#include "backend/keys.h"
#include "streamverse/common.h"
#ifdef SV_HAVE_MEDIA
#include "backend/jobs.h"
#endif

int sv__ingest_args_add(sv__ingest_args *a, const char *name, const char *value, char *err,
                        size_t errlen)
{
    if (!strcmp(name, "title")) {
        a->title = value;
    } else if (!strcmp(name, "synopsis")) {
        a->synopsis = value;
    } else if (a->nb_genres < SV__MAX_GENRES) {
        a->genres[a->nb_genres++] = value;
    } else {
        snprintf(err, errlen, "at most %d genres", SV__MAX_GENRES);
        return SV_ERR_INVALID;
    }
    return 0;
}

#ifdef SV_HAVE_MEDIA

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
    printf("\r[%s] %5.1f%% %-12s", bar, percent, stage);
    fflush(stdout);
}

int sv__cmd_ingest(const sv__config *cfg, const sv__logger *log, const sv__ingest_args *a)
{
    sv__job_env env = {.data_dir = cfg->data_dir, .db = cfg->db, .ladder = &cfg->ladder,
                       .log = log,
                       .master_key = cfg->has_master_key ? cfg->master_key : NULL};
    sv__catalog *cat = NULL;
    int64_t title_id, job_id;
    char err[512];
    int fd, last = -1, tty = isatty(STDOUT_FILENO), ret = 1;

    if (!a->title || !a->title[0]) {
        fprintf(stderr, "svserver ingest: --title is required\n");
        return 2;
    }
    if ((fd = open(a->file, O_RDONLY | O_CLOEXEC)) < 0) {
        fprintf(stderr, "svserver ingest: cannot read %s\n", a->file);
        return 2;
    }
    close(fd);
    /* --drm (or the drm setting) protects the title; its key is wrapped
     * under the master key, so one must be configured. */
    if (strcmp(cfg->drm, "none") && !cfg->has_master_key) {
        fprintf(stderr, "svserver ingest: --drm %s needs a master-key (config, "
                        "SVSERVER_MASTER_KEY or --master-key)\n", cfg->drm);
        return 2;
    }
    if (sv__mkdirs(cfg->data_dir) < 0) {
        fprintf(stderr, "svserver ingest: cannot create the data folder %s\n", cfg->data_dir);
        ret = 2;
        goto out;
    }
    if (sv__catalog_connect(cfg->db, cfg->data_dir, &cat, err, sizeof(err)) < 0) {
        fprintf(stderr, "svserver ingest: %s\n", err);
        ret = 2;
        goto out;
    }
    if (sv__catalog_title_create(cat, a->title, a->synopsis, a->genres, a->nb_genres,
                                 &title_id) < 0 ||
        sv__catalog_title_set_drm(cat, title_id, cfg->drm) < 0 ||
        sv__catalog_job_create(cat, title_id, a->file, 0, &job_id) < 0) {
        fprintf(stderr, "svserver ingest: catalog: %s\n", sv__catalog_errmsg(cat));
        goto out;
    }
    SV_LOGI(log, "ingest", "title %lld, job %lld: %s", (long long)title_id, (long long)job_id,
            a->file);
    if (sv__job_run(&env, cat, job_id, NULL, tty ? progress_bar : NULL, &last, err,
                    sizeof(err)) < 0) {
        if (tty)
            printf("\n");
        fprintf(stderr, "svserver ingest: failed: %s\n", err);
        goto out;
    }
    if (tty)
        printf("\n");
    printf("%lld\n", (long long)title_id);
    ret = 0;
out:
    sv__catalog_close(cat);
    return ret;
}

#else

int sv__cmd_ingest(const sv__config *cfg, const sv__logger *log, const sv__ingest_args *a)
{
    (void)cfg;
    (void)log;
    (void)a;
    fprintf(stderr, "svserver ingest: this svserver was built without the media library "
                    "(backend/media/)\n");
    return 1;
}

#endif
