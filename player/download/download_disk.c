/*
 * Downloads on disk without an object: describe one, list a folder of
 * them, delete one; and the removal a cancel does. Only files a state file
 * names (and their .part, the playlists, the state file) are removed, so a
 * wrong folder given to delete loses nothing else.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/abi.h"
#include "platform/alloc.h"
#include "platform/fs.h"
#include "player/download/internal.h"

#define INFO_V1 sizeof(sv_download_info)

void sv__dl_info_fill(sv_download_info *info, const sv__dl_state *st, const char *dir)
{
    memset(info, 0, sizeof(*info));
    info->struct_size = sizeof(*info);
    snprintf(info->dir, sizeof(info->dir), "%s", dir);
    snprintf(info->url, sizeof(info->url), "%s", st->url ? st->url : "");
    info->complete = st->complete;
    if (st->complete)
        snprintf(info->manifest, sizeof(info->manifest), "%s/" SV__DL_MANIFEST, dir);
    info->files_total = (int64_t)st->nb_files;
    for (size_t i = 0; i < st->nb_files; i++)
        if (st->files[i].done) {
            info->files_done++;
            info->bytes_done += st->files[i].size;
        }
    for (size_t i = 0; i < st->nb_tracks; i++) {
        const sv__dl_track *t = &st->tracks[i];
        if (t->type == SV_TRACK_VIDEO && !info->height) {
            info->height = t->height;
            info->bandwidth = t->bandwidth;
        } else if (t->type == SV_TRACK_AUDIO && !info->audio_language[0]) {
            snprintf(info->audio_language, sizeof(info->audio_language), "%s", t->language);
        } else if (t->type == SV_TRACK_TEXT && !info->subtitle_language[0]) {
            snprintf(info->subtitle_language, sizeof(info->subtitle_language), "%s", t->language);
        }
    }
    info->storage_bytes = sv__dl_storage(dir);
}

static int unlink_rel(const char *dir, const char *rel, const char *suffix)
{
    char path[4400];
    snprintf(path, sizeof(path), "%s/%s%s", dir, rel, suffix);
    return sv__remove_file(path);
}

static void rmdir_rel(const char *dir, const char *rel)
{
    char path[4400];
    snprintf(path, sizeof(path), "%s/%s", dir, rel);
    sv__rmdir_empty(path); /* only when empty */
}

int sv__dl_remove(const sv__dl_state *st, const char *dir)
{
    int ret = 0;
    for (size_t i = 0; i < st->nb_files; i++) {
        if (unlink_rel(dir, st->files[i].path, "") < 0 ||
            unlink_rel(dir, st->files[i].path, ".part") < 0)
            ret = SV_ERR_IO;
    }
    for (size_t i = 0; i < st->nb_tracks; i++) {
        char rel[300];
        snprintf(rel, sizeof(rel), "%s/index.m3u8", st->tracks[i].dir);
        if (unlink_rel(dir, rel, "") < 0 || unlink_rel(dir, rel, ".part") < 0)
            ret = SV_ERR_IO;
        rmdir_rel(dir, st->tracks[i].dir);
    }
    rmdir_rel(dir, "keys"); /* AES-128 keys (download_plan_files.c) */
    if (unlink_rel(dir, SV__DL_MANIFEST, "") < 0 || unlink_rel(dir, SV__DL_MANIFEST, ".part") < 0 ||
        unlink_rel(dir, SV__DL_LICENSE_FILE, "") < 0 ||
        unlink_rel(dir, SV__DL_LICENSE_FILE, ".tmp") < 0 ||
        unlink_rel(dir, SV__DL_LICENSE_FILE, ".revoked") < 0 ||
        unlink_rel(dir, SV__DL_LICENSE_FILE, ".revoked.tmp") < 0 ||
        unlink_rel(dir, SV__DL_STATE_FILE, ".tmp") < 0 || unlink_rel(dir, SV__DL_STATE_FILE, "") < 0)
        ret = SV_ERR_IO;
    sv__rmdir_empty(dir);
    return ret;
}

int sv_download_info_read(const char *dir, sv_download_info *out)
{
    sv__dl_state st = { 0 };
    sv_download_info full;
    char why[256];
    int ret;

    if (!dir || sv__struct_size(out) < INFO_V1)
        return SV_ERR_INVALID;
    if ((ret = sv__dl_state_load(&st, dir, why, sizeof(why))) < 0)
        return ret;
    sv__dl_info_fill(&full, &st, dir);
    sv__dl_state_clear(&st);
    return sv__struct_write(out, &full, sizeof(full), INFO_V1);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef struct names {
    char **v;
    size_t n, room;
} names;

static int add_name(void *opaque, const char *name)
{
    names *l = opaque;
    if (name[0] == '.')
        return 0;
    if (l->n == l->room) {
        size_t room = l->room ? 2 * l->room : 16;
        char **m = sv__realloc(NULL, l->v, room * sizeof(*m));
        if (!m)
            return SV_ERR_NOMEM;
        l->v = m;
        l->room = room;
    }
    if (!(l->v[l->n] = sv__strdup(NULL, name)))
        return SV_ERR_NOMEM;
    l->n++;
    return 0;
}

int sv_download_list(const char *root, sv_download_info *out, size_t cap, int64_t *storage)
{
    names l = { 0 };
    int count = 0, ret;

    if (storage)
        *storage = 0;
    if (!root || (cap && (!out || sv__struct_size(out) < INFO_V1)))
        return SV_ERR_INVALID;
    if ((ret = sv__dir_each(root, add_name, &l)) < 0)
        goto done;
    if (l.n)
        qsort(l.v, l.n, sizeof(*l.v), by_name);
    for (size_t i = 0; i < l.n; i++) {
        char dir[1024];
        sv_download_info info = SV_DOWNLOAD_INFO_INIT;
        snprintf(dir, sizeof(dir), "%s/%s", root, l.v[i]);
        if (sv_download_info_read(dir, &info) < 0)
            continue;
        if (storage)
            *storage += info.storage_bytes;
        /* Stepped by the host's struct_size: its struct may be older. */
        if ((size_t)count < cap)
            sv__struct_write((char *)out + (size_t)count * sv__struct_size(out), &info,
                             sizeof(info), INFO_V1);
        count++;
    }
    ret = count;
done:
    for (size_t i = 0; i < l.n; i++)
        sv__free(NULL, l.v[i]);
    sv__free(NULL, l.v);
    return ret;
}

int sv_download_delete(const char *dir)
{
    sv__dl_state st = { 0 };
    char why[256];
    int ret;

    if (!dir)
        return SV_ERR_INVALID;
    if ((ret = sv__dl_state_load(&st, dir, why, sizeof(why))) < 0)
        return ret;
    ret = sv__dl_remove(&st, dir);
    sv__dl_state_clear(&st);
    return ret;
}
