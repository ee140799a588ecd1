/*
 * The download thread: plan the files (a new download) or check those the
 * state file lists as finished (a resumed one), then fetch the missing ones
 * one by one, each written whole before the state file records it, and
 * write the local playlists last.
 */
#include <stdio.h>
#include <string.h>

#include "platform/alloc.h"
#include "platform/fs.h"
#include "player/download/download.h"

/* Estimated bytes of a file not yet fetched. */
static int64_t estimate(const sv__dl_state *st, const sv__dl_file *f)
{
    if (f->is_init)
        return 1024;
    if (f->is_key)
        return 16;
    return (int64_t)((double)st->tracks[f->track].bandwidth / 8 * f->duration);
}

void sv__dl_progress_from_state(sv_download *dl, sv_download_state state)
{
    const sv__dl_state *st = &dl->st;
    int64_t done = 0, bytes = 0, rest = 0;

    for (size_t i = 0; i < st->nb_files; i++) {
        if (st->files[i].done) {
            done++;
            bytes += st->files[i].size;
        } else {
            rest += estimate(st, &st->files[i]);
        }
    }
    sv__mutex_lock(&dl->lock);
    dl->prog.state = state;
    dl->prog.files_done = done;
    dl->prog.files_total = (int64_t)st->nb_files;
    dl->prog.bytes_done = bytes;
    dl->prog.bytes_expected = st->nb_files ? bytes + rest : 0;
    dl->prog.percent = st->nb_files ? 100.0 * (double)done / (double)st->nb_files : 0;
    if (state == SV_DOWNLOAD_COMPLETE)
        dl->prog.percent = 100;
    sv__cond_broadcast(&dl->cond);
    sv__mutex_unlock(&dl->lock);
}

static void report(sv_download *dl, sv_download_state state, int with_storage)
{
    sv_download_progress p;
    int64_t storage = with_storage ? sv__dl_storage(dl->dir) : -1;
    sv__dl_progress_from_state(dl, state);
    sv__mutex_lock(&dl->lock);
    if (storage >= 0)
        dl->prog.storage_bytes = storage; /* the last figure between two walks */
    p = dl->prog;
    sv__mutex_unlock(&dl->lock);
    if (dl->on_progress)
        dl->on_progress(dl->progress_opaque, &p);
}

static int stop_asked(sv_download *dl)
{
    sv__mutex_lock(&dl->lock);
    int s = dl->stop;
    sv__mutex_unlock(&dl->lock);
    return s;
}

/* A resumed download: every file recorded as finished must still be there
 * whole; those that are not are fetched again. */
static void check_finished(sv_download *dl)
{
    size_t bad = 0;
    for (size_t i = 0; i < dl->st.nb_files; i++) {
        sv__dl_file *f = &dl->st.files[i];
        if (f->done && !sv__dl_file_intact(dl->dir, f, dl->alloc)) {
            f->done = 0;
            bad++;
        }
    }
    if (bad) {
        SV_LOGW(&dl->log, "download", "%s: %zu finished files are missing or changed: fetched again",
                dl->dir, bad);
        dl->st.complete = 0;
    }
}

static int64_t bytes_done(const sv__dl_state *st)
{
    int64_t n = 0;
    for (size_t i = 0; i < st->nb_files; i++)
        n += st->files[i].done ? st->files[i].size : 0;
    return n;
}

/* Puts `what` before the message. */
static void prefix(char *msg, size_t cap, const char *what)
{
    size_t n = strlen(what), len = strnlen(msg, cap - 1);
    if (n >= cap)
        return;
    if (len + n >= cap)
        len = cap - 1 - n;
    memmove(msg + n, msg, len);
    memcpy(msg, what, n);
    msg[n + len] = '\0';
}

/* A segment its key does not decrypt: the key stored is not the one (the
 * server may have served a wrong one); a resume fetches it again. */
static void forget_key(sv_download *dl, int key)
{
    char path[4200];
    dl->st.files[key].done = 0;
    snprintf(path, sizeof(path), "%s/%s", dl->dir, dl->st.files[key].path);
    remove(path);
    if (sv__dl_state_save(&dl->st, dl->dir) < 0)
        SV_LOGW(&dl->log, "download", "cannot write %s/" SV__DL_STATE_FILE ": %s", dl->dir,
                strerror(errno));
}

/* Fetches, checks and writes file i, then records it. An AES-128 segment
 * is checked decrypted with its key, which the plan put before it. */
static int fetch_one(sv_download *dl, size_t i, char *msg, size_t cap)
{
    sv__dl_file *f = &dl->st.files[i];
    uint8_t *data = NULL;
    size_t size = 0;
    char why[200];
    int ret = sv__dl_fetch(dl->fetcher, f->url, f->offset, f->length, &data, &size, msg, cap);

    if (ret < 0) {
        if (f->is_key) /* "the AES-128 key: GET http://...: HTTP 404" */
            prefix(msg, cap, "the AES-128 key: ");
        return ret;
    }
    if (f->key >= 0)
        ret = sv__dl_check_aes(dl->dir, dl->st.files[f->key].path, f->iv, f->path, data, size,
                               dl->alloc, why, sizeof(why));
    else
        ret = sv__dl_check_body(f->path, data, size, why, sizeof(why));
    if (ret < 0) {
        snprintf(msg, cap, "%s%s (for %s/%s): %s", f->is_key ? "the AES-128 key " : "", f->url,
                 dl->dir, f->path, why);
        if (ret == SV_ERR_DRM)
            forget_key(dl, f->key);
        goto done;
    }
    if (dl->quota > 0 && bytes_done(&dl->st) + (int64_t)size > dl->quota) {
        snprintf(msg, cap, "%s/%s: %zu more bytes would pass the quota of %lld bytes",
                 dl->dir, f->path, size, (long long)dl->quota);
        ret = SV_ERR_OVERFLOW;
        goto done;
    }
    if ((ret = sv__dl_write_file(dl->dir, f->path, data, size, f->is_key ? 0600 : 0644, msg,
                                 cap)) < 0)
        goto done;
    f->size = (int64_t)size;
    sv__dl_sha256_hex(data, size, f->sha256);
    f->done = 1;
    if ((ret = sv__dl_state_save(&dl->st, dl->dir)) < 0) {
        /* The file is in place but not recorded: a resume fetches it again. */
        f->done = 0;
        snprintf(msg, cap, "cannot write %s/" SV__DL_STATE_FILE ": %s%s", dl->dir,
                 strerror(errno), sv__errno_is_full(errno) ? " (the disk is full)" : "");
    }
done:
    sv__free(dl->alloc, data);
    return ret;
}

static int plan(sv_download *dl, char *msg, size_t cap)
{
    sv__dl_choice c = { .max_height = dl->choice_height, .max_bandwidth = dl->choice_bandwidth,
                        .audio_languages = dl->audio, .subtitle_languages = dl->subs,
                        .one_key_set = dl->lic_url != NULL };
    int ret = sv__dl_plan(&dl->st, dl->fetcher, &c, &dl->log, msg, cap);
    if (ret < 0) {
        /* Nothing planned is kept: a retry reads the manifest again. */
        char *url = dl->st.url;
        dl->st.url = NULL;
        sv__dl_state_clear(&dl->st);
        dl->st.url = url;
        return ret;
    }
    if ((ret = sv__dl_state_save(&dl->st, dl->dir)) < 0)
        snprintf(msg, cap, "cannot write %s/" SV__DL_STATE_FILE ": %s", dl->dir, strerror(errno));
    return ret;
}

/* A backend title's media token was refused (403): the session ended or
 * its token expired between heartbeats. A new session. */
static int fresh_session(sv_download *dl, char *msg, size_t cap)
{
    SV_LOGI(&dl->log, "download", "%s: refused (%s): a fresh media token", dl->dir, msg);
    sv__dl_title_stop(dl);
    return sv__dl_title_session(dl, msg, cap);
}

/* The offline license, before any segment: asked for when the host named
 * a license route, or for a backend title that is protected. */
static int license(sv_download *dl, char *msg, size_t cap)
{
    int protected_title = 0;
    for (size_t i = 0; i < dl->st.nb_tracks; i++)
        protected_title |= dl->st.tracks[i].encrypted;
    if (!dl->lic_url || (dl->backend && !protected_title))
        return 0;
    sv__dl_license_req r = { .url = dl->lic_url, .user_token = dl->lic_token,
                             .device_id = dl->lic_device, .public_key = dl->lic_key };
    return sv__dl_license_fetch(dl->fetcher, &r, dl->dir, dl->alloc, msg, cap);
}

static int run(sv_download *dl, char *msg, size_t cap)
{
    int ret = 0;
    int64_t last_storage = 0;

    if (dl->backend && (ret = sv__dl_title_session(dl, msg, cap)) < 0)
        return ret;
    if (dl->st.nb_files == 0) {
        ret = plan(dl, msg, cap);
        if (ret == SV_ERR_FORBIDDEN && dl->backend && (ret = fresh_session(dl, msg, cap)) == 0)
            ret = plan(dl, msg, cap);
        if (ret < 0)
            return ret;
    }
    if ((ret = license(dl, msg, cap)) < 0)
        return ret;
    check_finished(dl);
    report(dl, SV_DOWNLOAD_RUNNING, 1);
    for (size_t i = 0; i < dl->st.nb_files; i++) {
        if (stop_asked(dl))
            return SV_ERR_CANCELLED;
        if (dl->st.files[i].done)
            continue;
        if ((ret = sv__dl_title_heartbeat(dl, msg, cap)) < 0)
            return ret;
        ret = fetch_one(dl, i, msg, cap);
        /* A backend title's media token refused: a new session gives a
         * fresh one, once per file. */
        if (ret == SV_ERR_FORBIDDEN && dl->backend && (ret = fresh_session(dl, msg, cap)) == 0)
            ret = fetch_one(dl, i, msg, cap);
        if (ret < 0)
            return ret;
        int64_t now = sv__monotonic_ns();
        int storage = now - last_storage > 1000000000;
        if (storage)
            last_storage = now;
        report(dl, SV_DOWNLOAD_RUNNING, storage);
    }
    if ((ret = sv__dl_write_playlists(&dl->st, dl->dir, msg, cap)) < 0)
        return ret;
    dl->st.complete = 1;
    if ((ret = sv__dl_state_save(&dl->st, dl->dir)) < 0) {
        dl->st.complete = 0;
        snprintf(msg, cap, "cannot write %s/" SV__DL_STATE_FILE ": %s", dl->dir, strerror(errno));
    }
    return ret;
}

void *sv__dl_run(void *opaque)
{
    sv_download *dl = opaque;
    char msg[512] = "";
    int ret = run(dl, msg, sizeof(msg));
    sv__dl_title_stop(dl);
    sv_download_state end = ret == 0                    ? SV_DOWNLOAD_COMPLETE
                            : ret == SV_ERR_CANCELLED && stop_asked(dl) ? SV_DOWNLOAD_PAUSED
                                                                        : SV_DOWNLOAD_FAILED;
    /* A failure reaches the host through progress.error and .message; the
     * log has it at info level, so a host printing both does not repeat it. */
    if (end == SV_DOWNLOAD_FAILED)
        SV_LOGI(&dl->log, "download", "failed: %s", msg);
    else
        SV_LOGI(&dl->log, "download", "%s: %s", dl->dir,
                end == SV_DOWNLOAD_COMPLETE ? "complete" : "paused");
    sv__mutex_lock(&dl->lock);
    dl->prog.error = end == SV_DOWNLOAD_FAILED ? ret : 0;
    snprintf(dl->prog.message, sizeof(dl->prog.message), "%s",
             end == SV_DOWNLOAD_FAILED ? msg : "");
    sv__mutex_unlock(&dl->lock);
    report(dl, end, 1);
    return NULL;
}
