/*
 * Subtitles added to, replaced in and removed from a title that is already
 * packaged (backend/media.h, docs/packaging.md "Subtitles of a ready
 * title"), without touching its video: the file is read by subs_parse.c,
 * cut into WebVTT and TTML segments (subs.c, ttml.c) at the title's own
 * segment duration (read off its MPD, subs_manifest.c) in a staging folder,
 * which then takes the place of subs/<lang>/ in one rename (an exchange when
 * the language was there: players never see half a language); then the
 * master playlist and the MPD are rewritten beside themselves and renamed
 * over. The languages of a title are the folders under subs/.
 *
 * Changes to one title are serialised by an flock(2) on a lock file in the
 * staging folder (DATA/staging, shared by every node and worker on the data
 * folder), so two API nodes adding two languages at once both end up in the
 * manifests. Threads: any (blocking file work: the server runs it on its
 * thread pool).
 */
#define _GNU_SOURCE /* renameat2 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/media/internal.h"
#include "platform/fs.h"
#include "streamverse/common.h"

#define MAX_MANIFEST (16 * 1024 * 1024)

/* The file at path, NUL-terminated, or NULL (none, too large, unreadable). */
static char *read_all(const char *path, size_t *len)
{
    uint8_t *data = NULL;
    return sv__file_read(path, NULL, MAX_MANIFEST, &data, len) == 0 ? (char *)data : NULL;
}

static int cmp_lang(const void *a, const void *b)
{
    return strcmp(((const sv__manifest_subs *)a)->lang, ((const sv__manifest_subs *)b)->lang);
}

/* The languages under subs/, sorted, into out[SV_MEDIA_MAX_SUBS]. */
static int list_langs(const char *title_dir, sv__manifest_subs *out)
{
    char dir[4200];
    struct dirent *e;
    int n = 0;
    snprintf(dir, sizeof(dir), "%s/subs", title_dir);
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT ? 0 : SV_ERR_IO;
    while ((e = readdir(d)) && n < SV_MEDIA_MAX_SUBS)
        if (sv__subs_lang_ok(e->d_name))
            snprintf(out[n++].lang, sizeof(out[0].lang), "%.15s", e->d_name);
    closedir(d);
    qsort(out, (size_t)n, sizeof(*out), cmp_lang);
    return n;
}

int sv__media_subs_list(const char *title_dir, char (*langs)[SV__MEDIA_LANG_MAX], int max)
{
    sv__manifest_subs l[SV_MEDIA_MAX_SUBS];
    int n = list_langs(title_dir, l);
    for (int i = 0; i < n && i < max; i++)
        memcpy(langs[i], l[i].lang, SV__MEDIA_LANG_MAX);
    return n < max ? n : max;
}

/* The file beside `path` renamed over it: readers see the old or the new. */
static int replace_file(const char *path, const char *data, size_t len, char *errbuf,
                        size_t errlen)
{
    char tmp[4300];
    snprintf(tmp, sizeof(tmp), "%s.subs-tmp", path);
    if (sv__file_write(tmp, data, len, 0644) < 0 || rename(tmp, path) != 0) {
        int rc = sv__media_ioerr(errbuf, errlen, SV_ERR_IO, "replace", path);
        remove(tmp);
        return rc;
    }
    return 0;
}

/* The MPD subtitles are written into: the packaged one kept beside a
 * manifest.mpd the server derives from it (SV__MEDIA_BASE_MPD), else
 * manifest.mpd. */
static const char *mpd_of(const char *title_dir, char *path, size_t cap)
{
    snprintf(path, cap, "%s/" SV__MEDIA_BASE_MPD, title_dir);
    if (!sv__path_exists(path))
        snprintf(path, cap, "%s/manifest.mpd", title_dir);
    return path;
}

/* master.m3u8 and the MPD listing `subs` (n of them). */
static int write_manifests(const char *title_dir, const sv__manifest_subs *subs, int n,
                           double segment_s, char *errbuf, size_t errlen)
{
    char path[4200];
    size_t len = 0, out_len = 0;
    char *text, *out = NULL;
    int rc = 0;
    for (int dash = 0; dash < 2 && rc == 0; dash++) {
        if (dash)
            mpd_of(title_dir, path, sizeof(path));
        else
            snprintf(path, sizeof(path), "%s/master.m3u8", title_dir);
        if (!(text = read_all(path, &len)))
            return sv__media_ioerr(errbuf, errlen, SV_ERR_IO, "read", path);
        out = dash ? sv__subs_mpd_rewrite(text, len, subs, n, segment_s, &out_len)
                   : sv__subs_master_rewrite(text, len, subs, n, &out_len);
        free(text);
        rc = out ? replace_file(path, out, out_len, errbuf, errlen)
                 : sv__media_err(errbuf, errlen, SV_ERR_UNSUPPORTED,
                                 "%s is not a manifest subtitles can be written into", path);
        free(out);
    }
    /* The renames are durable before the answer says so. */
    return rc < 0 ? rc : sv__media_ioerr(errbuf, errlen, sv__fsync_dir(title_dir), "fsync",
                                         title_dir);
}

/* Takes the title's lock (blocking; SV__MEDIA_TITLE_LOCK). Returns the fd,
 * or < 0. */
static int lock_title(const char *title_dir, const char *staging_dir, char *errbuf, size_t errlen)
{
    char path[4200];
    const char *base = strrchr(title_dir, '/');
    snprintf(path, sizeof(path), "%s/" SV__MEDIA_TITLE_LOCK, staging_dir, base ? base + 1 : title_dir);
    int fd = sv__file_lock(path, 1);
    return fd < 0 ? sv__media_ioerr(errbuf, errlen, SV_ERR_IO, "lock", path) : fd;
}

/* The title's segment duration and video duration, from its MPD. */
static int title_timing(const char *title_dir, double *segment_s, double *duration_s,
                        char *errbuf, size_t errlen)
{
    char path[4200];
    size_t len = 0;
    char *mpd = read_all(mpd_of(title_dir, path, sizeof(path)), &len);
    if (!mpd)
        return sv__media_err(errbuf, errlen, SV_ERR_UNSUPPORTED,
                             "subtitles cannot be added to this title: it has no MPD");
    int rc = sv__subs_mpd_timing(mpd, len, segment_s, duration_s, errbuf, errlen);
    free(mpd);
    return rc;
}

/* Puts the folder `from` at `to` in one step: an exchange with the one there
 * (then removed), or a plain rename when there is none. A file system
 * without RENAME_EXCHANGE (NFS) gets two renames: for a moment `to` is
 * missing, never half written. */
static int swap_in(const char *from, const char *to, const char *old, int *replaced)
{
    *replaced = sv__path_exists(to);
    if (!*replaced)
        return rename(from, to) == 0 ? 0 : SV_ERR_IO;
    if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_EXCHANGE) == 0)
        return sv__remove_tree(from) < 0 ? SV_ERR_IO : 0;
    if (errno != EINVAL && errno != ENOSYS)
        return SV_ERR_IO;
    if (rename(to, old) != 0)
        return SV_ERR_IO;
    if (rename(from, to) != 0) {
        int e = errno;
        (void)!rename(old, to); /* the old language back */
        errno = e;
        return SV_ERR_IO;
    }
    return sv__remove_tree(old) < 0 ? SV_ERR_IO : 0;
}

/* The new playlist through p->playlist_fix. */
static int fix_playlist(const sv__subs_put *p, const char *dir, char *errbuf, size_t errlen)
{
    char path[4400];
    size_t len = 0, out_len = 0;
    snprintf(path, sizeof(path), "%s/index.m3u8", dir);
    char *text = read_all(path, &len), *out = NULL;
    int rc = text && (out = p->playlist_fix(p->opaque, text, len, &out_len))
                 ? sv__file_write(path, out, out_len, 0644)
                 : SV_ERR_IO;
    free(text);
    free(out);
    return sv__media_ioerr(errbuf, errlen, rc, "rewrite", path);
}

/* Writes the language's files into a new staging folder and swaps them in. */
static int package_lang(const sv__subs_put *p, const sv__sub_track *t, double segment_s,
                        double duration_s, int *replaced, char *errbuf, size_t errlen)
{
    char work[4200], from[4300], to[4300], old[4300];
    int rc;
    snprintf(work, sizeof(work), "%s/subs-XXXXXX", p->staging_dir);
    if (!mkdtemp(work))
        return sv__media_ioerr(errbuf, errlen, SV_ERR_IO, "create", work);
    snprintf(from, sizeof(from), "%s/subs/%s", work, p->lang);
    snprintf(old, sizeof(old), "%s/old", work);
    snprintf(to, sizeof(to), "%s/subs", p->title_dir);
    if ((rc = sv__subs_write(t, p->lang, work, duration_s, segment_s, NULL, errbuf, errlen)) < 0 ||
        (rc = sv__ttml_write(t, p->lang, work, duration_s, segment_s, NULL, errbuf, errlen)) < 0 ||
        (p->playlist_fix && (rc = fix_playlist(p, from, errbuf, errlen)) < 0) ||
        (rc = sv__media_ioerr(errbuf, errlen, sv__fsync_dir(from), "fsync", from)) < 0 ||
        (rc = sv__media_ioerr(errbuf, errlen, sv__mkdir(to, 0), "create", to)) < 0)
        goto out;
    snprintf(to, sizeof(to), "%s/subs/%s", p->title_dir, p->lang);
    if ((rc = sv__media_ioerr(errbuf, errlen, swap_in(from, to, old, replaced), "move into place",
                              to)) < 0)
        goto out;
    snprintf(to, sizeof(to), "%s/subs", p->title_dir);
    rc = sv__media_ioerr(errbuf, errlen, sv__fsync_dir(to), "fsync", to);
out:
    sv__remove_tree(work);
    return rc;
}

int sv__media_subs_put(const sv__subs_put *p, int *replaced, char *errbuf, size_t errlen)
{
    sv__manifest_subs list[SV_MEDIA_MAX_SUBS + 1];
    sv__sub_track t = { 0 };
    double segment_s = 0, duration_s = 0;
    int rc, fd = -1, n, found = 0;
    *replaced = 0;
    if (errlen)
        errbuf[0] = '\0';
    if (!sv__subs_lang_ok(p->lang))
        return sv__media_err(errbuf, errlen, SV_ERR_INVALID,
                             "subtitle language '%.40s' is not a language tag (e.g. en, pt-BR)",
                             p->lang);
    if (p->size > SV__SUBS_MAX_BYTES)
        return sv__media_err(errbuf, errlen, SV_ERR_OVERFLOW,
                             "subtitles %s: %zu bytes, more than the %d allowed", p->name,
                             p->size, SV__SUBS_MAX_BYTES);
    /* A bad file is refused before anything is locked or written. */
    if ((rc = sv__subs_parse(p->data, p->size, p->name, &t, errbuf, errlen)) < 0)
        return rc;
    if ((rc = fd = lock_title(p->title_dir, p->staging_dir, errbuf, errlen)) < 0 ||
        (rc = title_timing(p->title_dir, &segment_s, &duration_s, errbuf, errlen)) < 0 ||
        (rc = n = list_langs(p->title_dir, list)) < 0)
        goto out;
    for (int i = 0; i < n; i++)
        found |= !strcmp(list[i].lang, p->lang);
    if (!found && n >= SV_MEDIA_MAX_SUBS) {
        rc = sv__media_err(errbuf, errlen, SV_ERR_OVERFLOW,
                           "the title has %d subtitle languages, the most it may have", n);
        goto out;
    }
    if ((rc = package_lang(p, &t, segment_s, duration_s, replaced, errbuf, errlen)) < 0 ||
        (rc = n = list_langs(p->title_dir, list)) < 0)
        goto out;
    rc = write_manifests(p->title_dir, list, n, segment_s, errbuf, errlen);
out:
    if (rc == SV_ERR_IO && !errbuf[0])
        sv__media_err(errbuf, errlen, rc, "cannot list the subtitles of %s", p->title_dir);
    if (fd >= 0)
        close(fd); /* releases the lock */
    sv__subs_free(&t);
    return rc < 0 ? rc : 0;
}

int sv__media_subs_remove(const char *title_dir, const char *staging_dir, const char *lang,
                          char *errbuf, size_t errlen)
{
    sv__manifest_subs list[SV_MEDIA_MAX_SUBS];
    char dir[4300], gone[4300], moved[4400];
    double segment_s = 0, duration_s = 0;
    int rc, fd = -1, n, k = 0;
    if (errlen)
        errbuf[0] = '\0';
    if (!sv__subs_lang_ok(lang))
        return sv__media_err(errbuf, errlen, SV_ERR_NOT_FOUND, "no subtitles in '%.40s'", lang);
    if ((rc = fd = lock_title(title_dir, staging_dir, errbuf, errlen)) < 0 ||
        (rc = title_timing(title_dir, &segment_s, &duration_s, errbuf, errlen)) < 0 ||
        (rc = n = list_langs(title_dir, list)) < 0)
        goto out;
    for (int i = 0; i < n; i++)
        if (strcmp(list[i].lang, lang))
            list[k++] = list[i];
    if (k == n) {
        rc = sv__media_err(errbuf, errlen, SV_ERR_NOT_FOUND, "the title has no %s subtitles",
                           lang);
        goto out;
    }
    /* The manifests stop naming it first, then its files go. */
    if ((rc = write_manifests(title_dir, list, k, segment_s, errbuf, errlen)) < 0)
        goto out;
    snprintf(dir, sizeof(dir), "%s/subs/%s", title_dir, lang);
    snprintf(gone, sizeof(gone), "%s/subs-gone-XXXXXX", staging_dir);
    if (!mkdtemp(gone)) {
        rc = sv__media_ioerr(errbuf, errlen, SV_ERR_IO, "create", gone);
        goto out;
    }
    snprintf(moved, sizeof(moved), "%s/x", gone);
    if (rename(dir, moved) != 0)
        rc = sv__media_ioerr(errbuf, errlen, SV_ERR_IO, "remove", dir);
    sv__remove_tree(gone);
    if (rc < 0)
        goto out;
    snprintf(dir, sizeof(dir), "%s/subs", title_dir);
    if (k == 0)
        rmdir(dir);
    rc = 0;
out:
    if (fd >= 0)
        close(fd);
    return rc < 0 ? rc : 0;
}

/* The file's bytes (at most one over the limit, which the reader refuses). */
static char *read_subs_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    char *data = f ? malloc(SV__SUBS_MAX_BYTES + 1) : NULL;
    if (data) {
        *size = fread(data, 1, SV__SUBS_MAX_BYTES + 1, f);
        if (ferror(f)) {
            free(data);
            data = NULL;
        }
    }
    if (f)
        fclose(f);
    return data;
}

int sv__media_subs_check_file(const char *lang, const char *path, char *errbuf, size_t errlen)
{
    sv__subtitle_input in = { lang, path };
    sv__sub_track t = { 0 };
    int rc = sv__subs_load(&in, &t, errbuf, errlen);
    sv__subs_free(&t);
    return rc;
}

int sv__media_subs_put_file(const char *title_dir, const char *staging_dir, const char *lang,
                            const char *path, char *errbuf, size_t errlen)
{
    size_t size = 0;
    int replaced = 0, rc;
    char *data = read_subs_file(path, &size);
    if (!data)
        return sv__media_err(errbuf, errlen, SV_ERR_IO, "cannot read the %s subtitles %s",
                             lang, path);
    sv__subs_put p = { title_dir, staging_dir, lang, data, size, path, NULL, NULL };
    rc = sv__media_subs_put(&p, &replaced, errbuf, errlen);
    free(data);
    return rc;
}
