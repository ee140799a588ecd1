/*
 * sv_server_ingest(): the same job pipeline the server's workers run
 * (backend/jobs.h), on the caller's thread. It shares the data folder and
 * catalog with running servers and workers: it claims its job as they do,
 * with a lease it renews (the server's start-up recovery leaves a live claim
 * alone), and when a worker claimed the job first it follows the job to its
 * end.
 */
#define _DEFAULT_SOURCE /* realpath */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/catalog.h"
#include "backend/config.h"
#include "platform/fs.h"
#include "backend/keys.h"
#include "backend/svserver_internal.h"
#include "streamverse/common.h"
#include "svserver/svserver.h"
#ifdef SV_HAVE_MEDIA
#include "backend/jobs.h"
#endif

#ifdef SV_HAVE_MEDIA

/* The job was claimed by a worker (`svserver worker`, or a server's pool)
 * before this process could: follow it in the catalog to its end. Returns
 * 0 when the title is ready. */
static int follow_job(sv__catalog *cat, int64_t job_id, sv_server_progress_fn progress,
                      void *opaque, char *err, size_t errlen)
{
    for (;;) {
        int e = 0;
        json_t *j = sv__catalog_job_json(cat, job_id, &e);
        const char *state = j ? json_string_value(json_object_get(j, "state")) : NULL;
        int ret = SV_ERR_IO;

        if (!j) {
            sv__svserver_err(err, errlen, "catalog: %s", sv__catalog_errmsg(cat));
            return SV_ERR_IO;
        }
        if (progress)
            progress(opaque, json_real_value(json_object_get(j, "percent")),
                     json_string_value(json_object_get(j, "stage")));
        if (state && (!strcmp(state, "done") || !strcmp(state, "failed"))) {
            if (!strcmp(state, "failed"))
                sv__svserver_err(err, errlen, "failed: %s",
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

/* Once the request was accepted, a failure is the job's, never a bad
 * request: SV_ERR_INVALID from deeper down is reported as SV_ERR_IO. */
static int job_failed(int code)
{
    return code == SV_ERR_INVALID ? SV_ERR_IO : code;
}

/* "LANG:FILE" split: the language into lang[], the file's name returned
 * (NULL when the value has no ':' or too long a language). */
static const char *split_subtitle(const char *spec, char lang[SV__MEDIA_LANG_MAX])
{
    const char *colon = strchr(spec, ':');
    if (!colon || colon == spec || colon - spec >= SV__MEDIA_LANG_MAX || !colon[1])
        return NULL;
    memcpy(lang, spec, (size_t)(colon - spec));
    lang[colon - spec] = '\0';
    return colon + 1;
}

/* Every subtitle file reads and is one of its own language, before the
 * title exists: a typo costs no transcode. */
static int check_subtitles(const sv_server_ingest_args *a, char *err, size_t errlen)
{
    char lang[SV_SERVER_MAX_SUBTITLES][SV__MEDIA_LANG_MAX];
    if (a->nb_subtitles < 0 || a->nb_subtitles > SV_SERVER_MAX_SUBTITLES) {
        sv__svserver_err(err, errlen, "at most %d subtitle files", SV_SERVER_MAX_SUBTITLES);
        return SV_ERR_INVALID;
    }
    for (int i = 0; i < a->nb_subtitles; i++) {
        const char *file = a->subtitles[i] ? split_subtitle(a->subtitles[i], lang[i]) : NULL;
        if (!file) {
            sv__svserver_err(err, errlen, "--subtitles %s: expected LANG:FILE, e.g. en:en.srt",
                             a->subtitles[i] ? a->subtitles[i] : "");
            return SV_ERR_INVALID;
        }
        for (int j = 0; j < i; j++)
            if (!strcmp(lang[i], lang[j])) {
                sv__svserver_err(err, errlen, "--subtitles: two files for %s", lang[i]);
                return SV_ERR_INVALID;
            }
        if (sv__media_subs_check_file(lang[i], file, err, errlen) < 0)
            return SV_ERR_INVALID;
    }
    return 0;
}

/* The ready title gets its subtitle files (checked before). */
static int put_subtitles(const sv__config *cfg, const sv_server_ingest_args *a, int64_t tid,
                         char *err, size_t errlen)
{
    char dir[PATH_MAX], staging[PATH_MAX], lang[SV__MEDIA_LANG_MAX], why[512];
    snprintf(dir, sizeof(dir), "%s/media/%lld", cfg->data_dir, (long long)tid);
    snprintf(staging, sizeof(staging), "%s/staging", cfg->data_dir);
    for (int i = 0; i < a->nb_subtitles; i++) {
        const char *file = split_subtitle(a->subtitles[i], lang);
        if (sv__media_subs_put_file(dir, staging, lang, file, why, sizeof(why)) < 0) {
            sv__svserver_err(err, errlen, "title %lld is ready, but its %s subtitles are not: %s",
                             (long long)tid, lang, why);
            return SV_ERR_IO;
        }
    }
    return 0;
}

/* A usable request: a title, a readable file (made absolute in input[]: a
 * worker in another folder, or on another machine sharing it, may be the
 * one that runs the job), and a master key when the title is protected. */
static int check_request(const sv__config *cfg, const sv_server_ingest_args *a,
                         char input[PATH_MAX], char *err, size_t errlen)
{
    int fd;

    if (!a->title || !a->title[0]) {
        sv__svserver_err(err, errlen, "--title is required");
        return SV_ERR_INVALID;
    }
    if (!a->file || a->nb_genres < 0 || a->nb_genres > SV_SERVER_MAX_GENRES) {
        sv__svserver_err(err, errlen, "ingest needs a FILE and at most %d genres",
                         SV_SERVER_MAX_GENRES);
        return SV_ERR_INVALID;
    }
    if ((fd = open(a->file, O_RDONLY | O_CLOEXEC)) < 0 || !realpath(a->file, input)) {
        sv__svserver_err(err, errlen, "cannot read %s", a->file);
        if (fd >= 0)
            close(fd);
        return SV_ERR_INVALID;
    }
    close(fd);
    if (check_subtitles(a, err, errlen) < 0)
        return SV_ERR_INVALID;
    /* The drm setting protects the title; its key is wrapped under the
     * master key, so one must be configured. */
    if (strcmp(cfg->drm, "none") && !cfg->has_master_key) {
        sv__svserver_err(err, errlen, "--drm %s needs a master-key (config, "
                         "SVSERVER_MASTER_KEY or --master-key)", cfg->drm);
        return SV_ERR_INVALID;
    }
    return 0;
}

int sv_server_ingest(const sv_server_config *cfg, const sv_server_logger *log,
                     const sv_server_ingest_args *a, sv_server_progress_fn progress,
                     void *opaque, int64_t *title_id, char *err, size_t errlen)
{
    sv__catalog *cat = NULL;
    sv__job_info job;
    int64_t tid, job_id;
    char input[PATH_MAX];
    int r, ret;

    sv__svserver_err_clear(err, errlen);
    if (!cfg || !log || !a || !title_id) {
        sv__svserver_err(err, errlen, "ingest needs settings, a log and a file");
        return SV_ERR_INVALID;
    }
    if ((ret = check_request(cfg, a, input, err, errlen)) < 0)
        return ret;
    if (sv__codecs_check(cfg->ladder.codecs, err, errlen) < 0)
        return SV_ERR_INVALID;

    sv__job_env env = {.data_dir = cfg->data_dir, .db = cfg->db, .ladder = &cfg->ladder,
                       .log = &log->log,
                       .master_key = cfg->has_master_key ? cfg->master_key : NULL,
                       .lease_s = cfg->job_lease, .max_attempts = cfg->max_attempts};
    ret = SV_ERR_INVALID;
    if (sv__mkdirs(cfg->data_dir) < 0) {
        sv__svserver_err(err, errlen, "cannot create the data folder %s", cfg->data_dir);
        goto out;
    }
    if (sv__catalog_connect(cfg->db, cfg->data_dir, &cat, err, errlen) < 0)
        goto out;
    ret = SV_ERR_IO;
    if (sv__catalog_title_create(cat, a->title, a->synopsis, a->genres, a->nb_genres, &tid) < 0 ||
        sv__catalog_title_set_drm(cat, tid, cfg->drm) < 0 ||
        sv__catalog_job_create(cat, tid, input, 0, &job_id) < 0) {
        sv__svserver_err(err, errlen, "catalog: %s", sv__catalog_errmsg(cat));
        goto out;
    }
    SV_LOGI(&log->log, "ingest", "title %lld, job %lld: %s", (long long)tid, (long long)job_id,
            input);
    /* The same claim as the workers': the job is this process's unless a
     * worker was quicker. */
    if ((r = sv__job_claim(&env, cat, job_id, &job, err, errlen)) < 0) {
        ret = job_failed(r);
        goto out;
    }
    if (r == 0) {
        SV_LOGI(&log->log, "ingest", "job %lld was claimed by a worker; following it",
                (long long)job_id);
        ret = follow_job(cat, job_id, progress, opaque, err, errlen);
    } else {
        char why[512] = "";

        ret = job_failed(sv__job_run(&env, cat, &job, NULL, progress, opaque, why,
                                     sizeof(why)));
        if (ret < 0)
            sv__svserver_err(err, errlen, "failed: %s", why);
    }
    if (ret == 0)
        ret = put_subtitles(cfg, a, tid, err, errlen);
    if (ret == 0)
        *title_id = tid;
out:
    sv__catalog_close(cat);
    return ret;
}

#else

int sv_server_ingest(const sv_server_config *cfg, const sv_server_logger *log,
                     const sv_server_ingest_args *a, sv_server_progress_fn progress,
                     void *opaque, int64_t *title_id, char *err, size_t errlen)
{
    (void)cfg;
    (void)log;
    (void)a;
    (void)progress;
    (void)opaque;
    (void)title_id;
    sv__svserver_err(err, errlen, "this svserver was built without the media library "
                                  "(backend/media/)");
    return SV_ERR_UNSUPPORTED;
}

#endif
