/*
 * `svserver ingest FILE --title T ...`: the same job pipeline the server's
 * workers run (backend/jobs.h), on this thread, with a progress bar when
 * stdout is a terminal. It shares the data folder and catalog with running
 * servers and workers: it claims its job as they do, with a lease it renews
 * (the server's start-up recovery leaves a live claim alone), and when a
 * worker claimed the job first it follows the job to its end.
 */
#define _DEFAULT_SOURCE /* realpath */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apps/svserver/svserver.h"
#include "backend/catalog.h"
#include "platform/fs.h"
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

/* The job was claimed by a worker (`svserver worker`, or a server's pool)
 * before this process could: follow it in the catalog to its end. Returns
 * 0 when the title is ready. */
static int follow_job(sv__catalog *cat, int64_t job_id, int tty, int *last)
{
    for (;;) {
        int err = 0;
        json_t *j = sv__catalog_job_json(cat, job_id, &err);
        const char *state = j ? json_string_value(json_object_get(j, "state")) : NULL;
        int ret = -1;

        if (!j) {
            fprintf(stderr, "svserver ingest: catalog: %s\n", sv__catalog_errmsg(cat));
            return -1;
        }
        if (tty)
            progress_bar(last, json_real_value(json_object_get(j, "percent")),
                         json_string_value(json_object_get(j, "stage")));
        if (state && (!strcmp(state, "done") || !strcmp(state, "failed"))) {
            if (tty)
                printf("\n");
            if (!strcmp(state, "failed"))
                fprintf(stderr, "svserver ingest: failed: %s\n",
                        json_string_value(json_object_get(j, "error")));
            else
                ret = 0;
            json_decref(j);
            return ret;
        }
        json_decref(j);
        sleep(1);
    }
}

int sv__cmd_ingest(const sv__config *cfg, const sv__logger *log, const sv__ingest_args *a)
{
    sv__job_env env = {.data_dir = cfg->data_dir, .db = cfg->db, .ladder = &cfg->ladder,
                       .log = log,
                       .master_key = cfg->has_master_key ? cfg->master_key : NULL,
                       .lease_s = cfg->job_lease, .max_attempts = cfg->max_attempts};
    sv__catalog *cat = NULL;
    sv__job_info job;
    int64_t title_id, job_id;
    char err[512], input[PATH_MAX];
    int fd, r, last = -1, tty = isatty(STDOUT_FILENO), ret = 1;

    if (!a->title || !a->title[0]) {
        fprintf(stderr, "svserver ingest: --title is required\n");
        return 2;
    }
    /* Absolute: a worker in another folder (or on another machine sharing
     * it) may be the one that runs the job. */
    if ((fd = open(a->file, O_RDONLY | O_CLOEXEC)) < 0 || !realpath(a->file, input)) {
        fprintf(stderr, "svserver ingest: cannot read %s\n", a->file);
        if (fd >= 0)
            close(fd);
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
        sv__catalog_job_create(cat, title_id, input, 0, &job_id) < 0) {
        fprintf(stderr, "svserver ingest: catalog: %s\n", sv__catalog_errmsg(cat));
        goto out;
    }
    SV_LOGI(log, "ingest", "title %lld, job %lld: %s", (long long)title_id, (long long)job_id,
            input);
    /* The same claim as the workers': the job is this process's unless a
     * worker was quicker. */
    if ((r = sv__job_claim(&env, cat, job_id, &job, err, sizeof(err))) < 0) {
        fprintf(stderr, "svserver ingest: %s\n", err);
        goto out;
    }
    if (r == 0) {
        SV_LOGI(log, "ingest", "job %lld was claimed by a worker; following it",
                (long long)job_id);
        if (follow_job(cat, job_id, tty, &last) < 0)
            goto out;
    } else if (sv__job_run(&env, cat, &job, NULL, tty ? progress_bar : NULL, &last, err,
                           sizeof(err)) < 0) {
        if (tty)
            printf("\n");
        fprintf(stderr, "svserver ingest: failed: %s\n", err);
        goto out;
    } else if (tty) {
        printf("\n");
    }
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
