/*
 * The public download object (streamverse/download.h): settings, state,
 * the thread's life and the progress the host reads. The thread's work is
 * in download_run.c.
 */
#include <stdio.h>
#include <string.h>

#include "platform/abi.h"
#include "platform/alloc.h"
#include "platform/fs.h"
#include "player/download/download.h"
#include "player/model/track_prefs.h"

#define SETTINGS_V1 SV__SIZE_TO(sv_download_settings, allocator)
#define PROGRESS_V1 sizeof(sv_download_progress)

static void settings_defaults(sv_download_settings *s)
{
    memset(s, 0, sizeof(*s));
    s->struct_size = sizeof(*s);
    s->log_level = SV_LOG_WARN;
    s->give_up_ms = 30000;
}

void sv_download_default_settings_sized(sv_download_settings *s, size_t struct_size)
{
    sv_download_settings full;
    settings_defaults(&full);
    sv__struct_defaults(s, struct_size, &full, sizeof(full), SETTINGS_V1);
}

static int copy_str(sv_download *dl, char **dst, const char *src)
{
    if (!src)
        return 0;
    return (*dst = sv__strdup(dl->alloc, src)) ? 0 : SV_ERR_NOMEM;
}

static int check_langs(const char *list, const sv__logger *log)
{
    sv__lang_prefs prefs;
    char why[160];
    if (sv__lang_prefs_parse(list, &prefs, why, sizeof(why)) == 0)
        return 0;
    SV_LOGE(log, "download", "language list \"%s\": %s", list, why);
    return SV_ERR_INVALID;
}

static int copy_settings(sv_download *dl, const sv_download_settings *s)
{
    int ret;
    sv__logger_init(&dl->log, s->log_cb, s->log_opaque, s->log_level);
    if (!s->dir || !*s->dir)
        return SV_ERR_INVALID;
    if ((ret = check_langs(s->audio_languages, &dl->log)) < 0 ||
        (ret = check_langs(s->subtitle_languages, &dl->log)) < 0)
        return ret;
    dl->choice_height = s->max_height;
    dl->choice_bandwidth = s->max_bandwidth;
    dl->quota = s->quota_bytes;
    dl->on_progress = s->on_progress;
    dl->progress_opaque = s->progress_opaque;
    if ((ret = copy_str(dl, &dl->dir, s->dir)) < 0 ||
        (ret = copy_str(dl, &dl->audio, s->audio_languages)) < 0 ||
        (ret = copy_str(dl, &dl->subs, s->subtitle_languages)) < 0 ||
        (ret = copy_str(dl, &dl->lic_url, s->offline_license_url)) < 0 ||
        (ret = copy_str(dl, &dl->lic_token, s->user_token)) < 0 ||
        (ret = copy_str(dl, &dl->lic_device, s->device_id)) < 0 ||
        (ret = copy_str(dl, &dl->lic_key, s->license_public_key)) < 0 ||
        (ret = copy_str(dl, &dl->backend, s->backend_url)) < 0)
        return ret;
    if (dl->backend) {
        size_t n = strlen(dl->backend);
        while (n > 0 && dl->backend[n - 1] == '/')
            dl->backend[--n] = '\0';
        if (s->title_id <= 0 || !s->user_token || s->url || (strncmp(dl->backend, "http://", 7) &&
                                                   strncmp(dl->backend, "https://", 8))) {
            SV_LOGE(&dl->log, "download", "a backend title needs an http(s) backend_url, a "
                                          "title_id, a user_token and no url");
            return SV_ERR_INVALID;
        }
        dl->title_id = s->title_id;
        dl->hb_interval_ns = INT64_C(10000000000); /* until the server says */
    }
    if (dl->lic_url && (!dl->lic_device || !*dl->lic_device || strlen(dl->lic_device) > 64)) {
        SV_LOGE(&dl->log, "download", "an offline license needs a device_id of 1 to 64 bytes");
        return SV_ERR_INVALID;
    }
    if (s->give_up_ms < 0)
        return SV_ERR_INVALID;
    return sv__dl_fetcher_create(&dl->fetcher, dl->alloc, s->user_agent, s->tls_ca_file,
                                 s->url_query, s->give_up_ms, &dl->log);
}

/* Reads the folder's state file, or starts a new state for `url`. */
static int open_state(sv_download *dl, const char *url)
{
    char why[256];
    int ret;

    if (sv__mkdirs(dl->dir) < 0) {
        SV_LOGE(&dl->log, "download", "cannot make %s: %s", dl->dir, strerror(errno));
        return SV_ERR_IO;
    }
    dl->st.alloc = dl->alloc;
    ret = sv__dl_state_load(&dl->st, dl->dir, why, sizeof(why));
    if (ret == SV_ERR_NOT_FOUND) {
        if (!url)
            return dl->backend ? 0 : SV_ERR_INVALID; /* a title: the session names it */
        return (dl->st.url = sv__strdup(dl->alloc, url)) ? 0 : SV_ERR_NOMEM;
    }
    if (ret < 0) {
        SV_LOGE(&dl->log, "download", "the state file of %s: %s", dl->dir, why);
        return ret;
    }
    if (url && strcmp(url, dl->st.url) != 0) {
        SV_LOGE(&dl->log, "download", "%s holds a download of %s, not of %s", dl->dir,
                dl->st.url, url);
        return SV_ERR_STATE;
    }
    return 0;
}

int sv_download_create(sv_download **out, const sv_download_settings *settings)
{
    sv_download_settings s;
    sv_download *dl = NULL;
    sv_allocator alloc;
    int ret;

    settings_defaults(&s);
    if (!out || sv__struct_read(&s, sizeof(s), settings, SETTINGS_V1) < 0 ||
        sv__allocator_copy(&alloc, s.allocator) < 0)
        return SV_ERR_INVALID;
    if (!(dl = sv__calloc(&alloc, 1, sizeof(*dl))))
        return SV_ERR_NOMEM;
    dl->alloc_copy = alloc;
    /* NULL, not an empty copy, when the host gave none: the transport and
     * the clock take NULL for the C library and refuse a zero struct_size. */
    dl->alloc = s.allocator ? &dl->alloc_copy : NULL;
    if (sv__mutex_init(&dl->lock) < 0) {
        sv__free(&alloc, dl);
        return SV_ERR_INTERNAL;
    }
    if (sv__cond_init(&dl->cond) < 0) {
        sv__mutex_destroy(&dl->lock);
        sv__free(&alloc, dl);
        return SV_ERR_INTERNAL;
    }
    dl->prog = (sv_download_progress)SV_DOWNLOAD_PROGRESS_INIT;
    if ((ret = copy_settings(dl, &s)) < 0 || (ret = open_state(dl, s.url)) < 0)
        goto fail;
    sv__dl_progress_from_state(dl, dl->st.complete ? SV_DOWNLOAD_COMPLETE : SV_DOWNLOAD_IDLE);
    *out = dl;
    return 0;
fail:
    sv_download_destroy(dl);
    return ret;
}

/* Joins a thread that has ended (or is being stopped). Caller: not the
 * thread; the lock not held. */
static void join_thread(sv_download *dl)
{
    if (dl->thread_live) {
        sv__thread_join(&dl->thread);
        dl->thread_live = 0;
    }
}

int sv_download_start(sv_download *dl)
{
    if (!dl)
        return SV_ERR_INVALID;
    sv__mutex_lock(&dl->lock);
    sv_download_state s = dl->prog.state;
    sv__mutex_unlock(&dl->lock);
    if (s == SV_DOWNLOAD_RUNNING || s == SV_DOWNLOAD_COMPLETE || s == SV_DOWNLOAD_CANCELLED)
        return SV_ERR_STATE;
    join_thread(dl);
    sv__dl_fetcher_reset_stop(dl->fetcher);
    sv__mutex_lock(&dl->lock);
    dl->stop = 0;
    dl->prog.state = SV_DOWNLOAD_RUNNING;
    dl->prog.error = 0;
    dl->prog.message[0] = '\0';
    sv__mutex_unlock(&dl->lock);
    if (sv__thread_create(&dl->thread, "sv-download", sv__dl_run, dl) < 0) {
        sv__mutex_lock(&dl->lock);
        dl->prog.state = s;
        sv__mutex_unlock(&dl->lock);
        return SV_ERR_INTERNAL;
    }
    dl->thread_live = 1;
    return 0;
}

int sv_download_pause(sv_download *dl)
{
    if (!dl)
        return SV_ERR_INVALID;
    sv__mutex_lock(&dl->lock);
    int running = dl->prog.state == SV_DOWNLOAD_RUNNING;
    dl->stop = 1;
    sv__mutex_unlock(&dl->lock);
    if (!running)
        return SV_ERR_STATE;
    sv__dl_fetcher_stop(dl->fetcher);
    join_thread(dl);
    return 0;
}

int sv_download_cancel(sv_download *dl)
{
    if (!dl)
        return SV_ERR_INVALID;
    sv_download_pause(dl);
    join_thread(dl);
    int ret = sv__dl_remove(&dl->st, dl->dir);
    if (ret < 0)
        SV_LOGE(&dl->log, "download", "cannot remove every file of %s: %s", dl->dir,
                strerror(errno));
    sv__mutex_lock(&dl->lock);
    dl->prog.state = SV_DOWNLOAD_CANCELLED;
    sv__cond_broadcast(&dl->cond);
    sv__mutex_unlock(&dl->lock);
    return ret;
}

int sv_download_wait(sv_download *dl, int timeout_ms)
{
    if (!dl)
        return SV_ERR_INVALID;
    int64_t deadline = sv__monotonic_ns() + (int64_t)timeout_ms * 1000000;
    int ret = 0;
    sv__mutex_lock(&dl->lock);
    while (dl->prog.state == SV_DOWNLOAD_RUNNING && ret == 0) {
        if (timeout_ms < 0)
            sv__cond_wait(&dl->cond, &dl->lock);
        else
            ret = sv__cond_timedwait(&dl->cond, &dl->lock, deadline);
    }
    if (dl->prog.state != SV_DOWNLOAD_RUNNING)
        ret = (int)dl->prog.state;
    sv__mutex_unlock(&dl->lock);
    return ret;
}

int sv_download_get_progress(sv_download *dl, sv_download_progress *out)
{
    sv_download_progress p;
    if (!dl || sv__struct_size(out) < PROGRESS_V1)
        return SV_ERR_INVALID;
    sv__mutex_lock(&dl->lock);
    p = dl->prog;
    sv__mutex_unlock(&dl->lock);
    p.storage_bytes = sv__dl_storage(dl->dir);
    return sv__struct_write(out, &p, sizeof(p), PROGRESS_V1);
}

void sv_download_destroy(sv_download *dl)
{
    if (!dl)
        return;
    if (dl->fetcher) {
        sv_download_pause(dl);
        join_thread(dl);
    }
    sv__dl_fetcher_destroy(dl->fetcher);
    sv__dl_state_clear(&dl->st);
    sv__free(dl->alloc, dl->dir);
    sv__free(dl->alloc, dl->audio);
    sv__free(dl->alloc, dl->subs);
    sv__free(dl->alloc, dl->lic_url);
    sv__free(dl->alloc, dl->lic_token);
    sv__free(dl->alloc, dl->lic_device);
    sv__free(dl->alloc, dl->lic_key);
    sv__free(dl->alloc, dl->backend);
    sv__cond_destroy(&dl->cond);
    sv__mutex_destroy(&dl->lock);
    sv_allocator a = dl->alloc_copy;
    sv__free(&a, dl);
}
