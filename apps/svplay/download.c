/*
 * svplay --download DIR: stores a presentation (a URL, a local path, or a
 * backend title with --server) for offline viewing through the SDK's
 * download API (streamverse/download.h), with a progress line; Ctrl-C or a
 * kill leaves a folder the next run resumes. --list-downloads and
 * --delete-download manage what is stored. `svplay DIR/master.m3u8` plays it.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <streamverse/cdm.h>
#include <streamverse/download.h>

#include "svplay.h"

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

static void on_progress(void *opaque, const sv_download_progress *p)
{
    const svp_app *app = opaque;
    if (app->opt.quiet)
        return;
    fprintf(stderr, "download: %lld/%lld files, %.1f%%, %lld bytes (about %lld), %lld on disk\n",
            (long long)p->files_done, (long long)p->files_total, p->percent,
            (long long)p->bytes_done, (long long)p->bytes_expected, (long long)p->storage_bytes);
}

static int run(svp_app *app, sv_download *dl)
{
    sv_download_progress p = SV_DOWNLOAD_PROGRESS_INIT;
    int state;

    sv_download_get_progress(dl, &p);
    if (p.state == SV_DOWNLOAD_COMPLETE) {
        if (!app->opt.quiet)
            fprintf(stderr, "download: %s is complete already\n", app->opt.download_dir);
        return SVP_EXIT_OK;
    }
    if (sv_download_start(dl) < 0) {
        fprintf(stderr, "svplay: error: the download could not start\n");
        return SVP_EXIT_ERROR;
    }
    while ((state = sv_download_wait(dl, 200)) == SV_ERR_TIMEOUT) {
        if (interrupted)
            sv_download_pause(dl);
    }
    sv_download_get_progress(dl, &p);
    if (state == SV_DOWNLOAD_COMPLETE) {
        printf("%s/master.m3u8\n", app->opt.download_dir);
        return SVP_EXIT_OK;
    }
    if (state == SV_DOWNLOAD_PAUSED) {
        fprintf(stderr, "svplay: download paused at %lld/%lld files; run again to resume\n",
                (long long)p.files_done, (long long)p.files_total);
        return SVP_EXIT_ERROR;
    }
    fprintf(stderr, "svplay: error: download failed (%s): %s\n", sv_strerror(p.error), p.message);
    return SVP_EXIT_ERROR;
}

static int list_downloads(const char *root)
{
    int64_t storage = 0;
    int n = sv_download_list(root, NULL, 0, &storage);
    if (n < 0) {
        fprintf(stderr, "svplay: error: cannot list %s: %s\n", root, sv_strerror(n));
        return SVP_EXIT_ERROR;
    }
    sv_download_info *all = calloc((size_t)n + 1, sizeof(*all));
    if (!all)
        return SVP_EXIT_ERROR;
    for (int i = 0; i < n; i++)
        all[i] = (sv_download_info)SV_DOWNLOAD_INFO_INIT;
    n = sv_download_list(root, all, (size_t)n, &storage);
    for (int i = 0; i < n; i++)
        printf("%s\t%s\t%lld/%lld files\t%lld bytes\t%dp\t%s\n", all[i].dir,
               all[i].complete ? "complete" : "partial", (long long)all[i].files_done,
               (long long)all[i].files_total, (long long)all[i].storage_bytes, all[i].height,
               all[i].url);
    printf("total\t%d downloads\t%lld bytes\n", n < 0 ? 0 : n, (long long)storage);
    free(all);
    return n < 0 ? SVP_EXIT_ERROR : SVP_EXIT_OK;
}

int svp_run_download(svp_app *app)
{
    char err[512];
    sv_download_settings s;
    sv_download *dl = NULL;
    int ret;

    if (app->opt.list_downloads)
        return list_downloads(app->opt.list_downloads);
    if (app->opt.delete_download) {
        if ((ret = sv_download_delete(app->opt.delete_download)) < 0) {
            fprintf(stderr, "svplay: error: cannot delete %s: %s\n", app->opt.delete_download,
                    sv_strerror(ret));
            return SVP_EXIT_ERROR;
        }
        return SVP_EXIT_OK;
    }
    /* A backend title: the SDK opens a playback session for its manifest
     * (and stops it), and fetches a protected title's offline license. */
    if (app->opt.server && !app->user_token && svp_backend_login(app, err, sizeof(err)) < 0) {
        fprintf(stderr, "svplay: error: %s\n", err);
        return SVP_EXIT_ERROR;
    }
    sv_download_default_settings(&s);
    s.dir = app->opt.download_dir;
    /* A folder that holds a download resumes it: its state file names the URL. */
    sv_download_info info = SV_DOWNLOAD_INFO_INIT;
    int resumed = sv_download_info_read(app->opt.download_dir, &info) == 0;
    if (app->opt.server) {
        s.backend_url = app->opt.server;
        s.title_id = app->opt.title_id;
    } else {
        s.url = resumed ? NULL : app->opt.input;
    }
    s.max_height = app->opt.max_height;
    s.max_bandwidth = app->opt.max_bandwidth;
    s.audio_languages = app->opt.alang;
    s.subtitle_languages = app->opt.slang;
    s.quota_bytes = app->opt.download_quota;
    s.tls_ca_file = app->opt.ca_file;
    s.url_query = app->opt.auth_token;
    s.user_token = app->user_token;
    s.device_id = app->opt.device ? app->opt.device : "svplay";
    s.license_public_key = app->opt.license_pubkey;
    if (app->opt.give_up_ms > 0)
        s.give_up_ms = app->opt.give_up_ms;
    s.on_progress = on_progress;
    s.progress_opaque = app;
    s.log_level = app->opt.log_level;
    if ((ret = sv_download_create(&dl, &s)) < 0) {
        fprintf(stderr, "svplay: error: cannot open the download in %s: %s\n",
                app->opt.download_dir, sv_strerror(ret));
        return SVP_EXIT_ERROR;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    ret = run(app, dl);
    sv_download_destroy(dl);
    return ret;
}

/* The folder of a local input (a path or a file:// URL), into dir[cap]. */
static int local_folder(const char *input, char *dir, size_t cap)
{
    const char *p = input;
    if (!strncmp(p, "file://", 7))
        p += 7;
    else if (strstr(p, "://"))
        return -1;
    const char *slash = strrchr(p, '/');
    if (!slash)
        snprintf(dir, cap, ".");
    else
        snprintf(dir, cap, "%.*s", (int)(slash - p), p);
    return 0;
}

int svp_offline_license(svp_app *app, char *msg, size_t cap)
{
    char dir[4096], path[4200];
    sv_offline_check oc;
    int ret;

    if (!app->opt.input || local_folder(app->opt.input, dir, sizeof(dir)) < 0)
        return 0;
    snprintf(path, sizeof(path), "%s/license.json", dir);
    if (access(path, F_OK) != 0)
        return 0;
    if (!app->cdm && (ret = sv_cdm_clearkey_create(&app->cdm)) < 0) {
        snprintf(msg, cap, "cannot create the ClearKey CDM");
        return ret;
    }
    sv_offline_check_default(&oc);
    oc.device_id = app->opt.device ? app->opt.device : "svplay";
    oc.public_key = app->opt.license_pubkey;
    oc.tls_ca_file = app->opt.ca_file;
    oc.log_level = app->opt.log_level;
    char why[600];
    if ((ret = sv_download_license_check(dir, &oc, app->cdm, why, sizeof(why))) < 0)
        snprintf(msg, cap, "offline license refused: %s", why);
    return ret;
}
