/*
 * catalog_download.c - the title page's Download action (catalog_page.h):
 * the title stored for offline viewing through the SDK's download API
 * (streamverse/download.h) into $XDG_DATA_HOME/streamverse/downloads/<id>
 * ($HOME/.local/share/... without it), on the download's own thread, while
 * the catalog goes on; the page shows its progress. A folder that holds the
 * title already resumes it (or is complete at once). Main thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <streamverse/download.h>

#include "catalog_download.h"

struct svp_title_download {
    sv_download *dl;
    int64_t title_id;
    char dir[1024];
};

/* <data home>/streamverse/downloads/<id> into dir[cap]; -1 without a home. */
static int folder_of(int64_t title_id, char *dir, size_t cap)
{
    const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
    int n;
    if (xdg && xdg[0] == '/')
        n = snprintf(dir, cap, "%s/streamverse/downloads/%lld", xdg, (long long)title_id);
    else if (home && home[0] == '/')
        n = snprintf(dir, cap, "%s/.local/share/streamverse/downloads/%lld", home,
                     (long long)title_id);
    else
        return -1;
    return n > 0 && (size_t)n < cap ? 0 : -1;
}

int svp_title_download_start(svp_app *app, int64_t title_id, svp_title_download **out,
                             char *err, size_t errlen)
{
    svp_title_download *d = calloc(1, sizeof(*d));
    sv_download_settings s;
    int ret;

    if (!d) {
        snprintf(err, errlen, "out of memory");
        return SV_ERR_NOMEM;
    }
    d->title_id = title_id;
    if (folder_of(title_id, d->dir, sizeof(d->dir)) < 0) {
        snprintf(err, errlen, "no folder for downloads: set XDG_DATA_HOME or HOME");
        free(d);
        return SV_ERR_INVALID;
    }
    sv_download_default_settings(&s);
    s.dir = d->dir;
    s.backend_url = app->opt.server;
    s.title_id = title_id;
    s.user_token = app->user_token;
    s.device_id = app->opt.device ? app->opt.device : "svplay";
    s.license_public_key = app->opt.license_pubkey;
    s.max_height = app->opt.max_height;
    s.audio_languages = app->opt.alang;
    s.subtitle_languages = app->opt.slang;
    s.tls_ca_file = app->opt.ca_file;
    s.log_level = app->opt.log_level;
    if ((ret = sv_download_create(&d->dl, &s)) < 0 ||
        ((ret = sv_download_start(d->dl)) < 0 && ret != SV_ERR_STATE)) {
        snprintf(err, errlen, "cannot download into %s: %s", d->dir, sv_strerror(ret));
        sv_download_destroy(d->dl);
        free(d);
        return ret;
    }
    *out = d;
    return 0;
}

int svp_title_download_poll(svp_title_download *d, char *label, size_t size)
{
    sv_download_progress p = SV_DOWNLOAD_PROGRESS_INIT;
    if (sv_download_get_progress(d->dl, &p) < 0)
        p.state = SV_DOWNLOAD_FAILED;
    switch (p.state) {
    case SV_DOWNLOAD_COMPLETE: snprintf(label, size, "Downloaded"); break;
    case SV_DOWNLOAD_FAILED:
        snprintf(label, size, "Download failed: %.80s", p.message[0] ? p.message
                                                                     : sv_strerror(p.error));
        break;
    case SV_DOWNLOAD_PAUSED:
    case SV_DOWNLOAD_CANCELLED: snprintf(label, size, "Download stopped"); break;
    default: snprintf(label, size, "Downloading %.0f %%", p.percent > 0 ? p.percent : 0);
    }
    return p.state;
}

int64_t svp_title_download_title(const svp_title_download *d)
{
    return d ? d->title_id : 0;
}

const char *svp_title_download_dir(const svp_title_download *d)
{
    return d->dir;
}

void svp_title_download_free(svp_title_download *d)
{
    if (!d)
        return;
    sv_download_destroy(d->dl);
    free(d);
}
