/*
 * An ingest in parts: which rungs a part encodes, the part.json record a
 * part leaves beside its renditions, and the assembly of all parts into
 * one packaged title (the playlists and the MPD written from the records,
 * by the same hls.c and dash.c as a whole ingest).
 */
#define _DEFAULT_SOURCE /* DT_* and link() */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <unistd.h>

#include "backend/media/internal.h"
#include "platform/fs.h"
#include "streamverse/common.h"

int sv__media_part_owns(const int *heights, int n, const sv__media_part *part, int i)
{
    double load[SV_MEDIA_MAX_PARTS] = { 0 };
    int owner = -1;

    /* Tallest first, each to the part with the least work (pixels per
     * frame); a tie goes to the highest part, since part 0 also carries the
     * audio and the thumbnails. */
    for (int k = n - 1; k >= 0; k--) {
        int best = part->count - 1;
        for (int p = part->count - 1; p >= 0; p--)
            if (load[p] < load[best])
                best = p;
        load[best] += (double)heights[k] * heights[k];
        if (k == i)
            owner = best;
    }
    return owner == part->index;
}

static json_t *rendition_json(const sv__manifest_rendition *r)
{
    const sv__rendition_info *ri = r->info;
    json_t *segs = json_array(), *j;

    for (int i = 0; segs && i < r->segs->nb_segs; i++) {
        const sv__seg_record *s = &r->segs->segs[i];

        if (json_array_append_new(segs, json_pack("[I,I,I,I]", (json_int_t)s->start_pts,
                                                  (json_int_t)s->duration,
                                                  (json_int_t)s->bytes,
                                                  (json_int_t)s->key_bytes)) < 0) {
            json_decref(segs);
            return NULL;
        }
    }
    j = json_pack("{s:s,s:s,s:s,s:i,s:i,s:s,s:f,s:i,s:o*}", "kind", ri->kind, "name", ri->name,
                  "path", r->path, "width", ri->width, "height", ri->height, "codecs", ri->codecs,
                  "frame_rate", ri->frame_rate, "timescale", r->segs->timescale, "segments",
                  segs);
    return j;
}

/* The thumbnail tiles of part 0, as the manifests need them. */
static json_t *tiles_json(const sv__tiles_info *t)
{
    return json_pack("{s:i,s:i,s:f,s:i,s:i,s:i,s:i,s:i}", "count", t->count, "thumbs",
                     t->thumbs, "interval", t->interval_s, "cols", t->cols, "rows", t->rows,
                     "width", t->thumb_width, "height", t->thumb_height, "max_bytes",
                     t->max_bytes);
}

int sv__media_part_save(const char *out_dir, const sv__media_part *part,
                        const sv__media_result *res, const sv__manifest_rendition *const *r,
                        int nb, double segment_s, const sv__tiles_info *tiles,
                        const sv__manifest_subs *subs, int nb_subs, char *errbuf,
                        size_t errlen)
{
    json_t *list = json_array(), *doc = NULL, *jt = NULL, *js = json_array();
    char *text = NULL, path[4200];
    int rc = SV_ERR_NOMEM;

    for (int i = 0; list && i < nb; i++)
        if (json_array_append_new(list, rendition_json(r[i])) < 0)
            goto fail;
    if (tiles && tiles->count > 0 && !(jt = tiles_json(tiles)))
        goto fail;
    for (int i = 0; js && i < nb_subs; i++)
        if (json_array_append_new(js, json_pack("{s:s,s:i}", "lang", subs[i].lang, "segments",
                                                subs[i].nb_segs)) < 0)
            goto fail;
    if (!list || !(doc = json_pack("{s:i,s:i,s:f,s:i,s:f,s:f,s:O,s:b}", "part", part->index,
                                   "parts", part->count, "duration", res->duration_s, "thumbs",
                                   res->nb_thumbs, "segment_s", segment_s, "transcode_s",
                                   res->transcode_s, "renditions", list, "poster",
                                   res->poster)) ||
        (jt && json_object_set(doc, "tiles", jt) < 0) || !js ||
        (nb_subs > 0 && json_object_set(doc, "subs", js) < 0) ||
        !(text = json_dumps(doc, JSON_COMPACT)))
        goto fail;
    if (snprintf(path, sizeof(path), "%s/part.json", out_dir) >= (int)sizeof(path)) {
        rc = sv__media_err(errbuf, errlen, SV_ERR_IO, "path too long under %s", out_dir);
        goto out;
    }
    rc = sv__media_ioerr(errbuf, errlen,
                         sv__file_write(path, text, strlen(text), 0644),
                         "write", path);
    goto out;
fail:
    sv__media_err(errbuf, errlen, rc, "out of memory (part.json)");
out:
    free(text);
    json_decref(jt);
    json_decref(js);
    json_decref(doc);
    json_decref(list);
    return rc;
}

/* ---- assembly ----------------------------------------------------------------- */

typedef struct assembly {
    json_t *docs[SV_MEDIA_MAX_PARTS];
    const char *dirs[SV_MEDIA_MAX_PARTS];  /* by part index */
    sv__rendition_info infos[SV_MEDIA_MAX_VIDEO + 1];
    sv__segwriter segs[SV_MEDIA_MAX_VIDEO + 1];
    sv__manifest_rendition r[SV_MEDIA_MAX_VIDEO + 1];
    char paths[SV_MEDIA_MAX_VIDEO + 1][32];
    const char *from[SV_MEDIA_MAX_VIDEO + 1];  /* the part folder holding each */
    int nb_video, has_audio;
    int nb_thumbs;
    sv__tiles_info tiles;    /* part 0's; count 0: none */
    sv__manifest_subs subs[SV_MEDIA_MAX_SUBS];  /* part 0's subtitle tracks */
    int nb_subs;
    int poster;
    double segment_s, transcode_s;
} assembly;

/* Digits from *p on, at least one; moves *p past them. */
static int digits(const char **p)
{
    const char *s = *p;

    while (isdigit((unsigned char)**p))
        (*p)++;
    return *p > s && *p - s <= 6;
}

/* "video/<digits>p", "video/<digits>p-<digits>k", either with "-hevc" or
 * "-av1" after it, or "audio": the part's own folder names (ingest.c),
 * nothing else. */
static int valid_path(const char *kind, const char *name, const char *path)
{
    char want[32];
    const char *p = name;

    if (!strcmp(kind, "audio"))
        return !strcmp(name, "audio") && !strcmp(path, "audio");
    if (strcmp(kind, "video") || !digits(&p) || *p++ != 'p')
        return 0;
    if (*p == '-' && isdigit((unsigned char)p[1])) {
        p++;
        if (!digits(&p) || *p++ != 'k')
            return 0;
    }
    if (*p && strcmp(p, "-hevc") && strcmp(p, "-av1"))
        return 0;
    snprintf(want, sizeof(want), "video/%s", name);
    return !strcmp(path, want);
}

static int add_rendition(assembly *a, json_t *jr, const char *dir, char *errbuf, size_t errlen)
{
    const char *kind = NULL, *name = NULL, *path = NULL, *codecs = NULL;
    json_t *segs = NULL;
    int width = 0, height = 0, timescale = 0, slot;
    double frame_rate = 0;
    sv__rendition_info *ri;
    sv__segwriter *w;
    size_t i;
    json_t *s;

    if (json_unpack(jr, "{s:s,s:s,s:s,s:i,s:i,s:s,s:F,s:i,s:o}", "kind", &kind, "name", &name,
                    "path", &path, "width", &width, "height", &height, "codecs", &codecs,
                    "frame_rate", &frame_rate, "timescale", &timescale, "segments", &segs) < 0 ||
        !valid_path(kind, name, path) || timescale <= 0 || !json_is_array(segs) ||
        strlen(codecs) >= sizeof(a->infos[0].codecs))
        return sv__media_err(errbuf, errlen, SV_ERR_INVALID, "%s/part.json: a bad rendition",
                             dir);
    if (!strcmp(kind, "audio")) {
        if (a->has_audio)
            return sv__media_err(errbuf, errlen, SV_ERR_INVALID, "two audio renditions");
        slot = SV_MEDIA_MAX_VIDEO;
        a->has_audio = 1;
    } else {
        for (int k = 0; k < a->nb_video; k++)
            if (!strcmp(a->infos[k].name, name))
                return sv__media_err(errbuf, errlen, SV_ERR_INVALID,
                                     "rendition %s is in two parts", name);
        if (a->nb_video == SV_MEDIA_MAX_VIDEO)
            return sv__media_err(errbuf, errlen, SV_ERR_INVALID, "too many renditions");
        slot = a->nb_video++;
    }
    w = &a->segs[slot];
    memset(w, 0, sizeof(*w));
    w->timescale = timescale;
    if (json_array_size(segs) &&
        !(w->segs = calloc(json_array_size(segs), sizeof(*w->segs))))
        return sv__media_err(errbuf, errlen, SV_ERR_NOMEM, "out of memory (segments)");
    json_array_foreach(segs, i, s) {
        json_int_t start, dur, bytes, key_bytes = 0;

        /* [start, duration, bytes, key bytes]; parts written before the key
         * chunks existed have no fourth item (no I-frame playlist then). */
        if ((json_array_size(s) == 4
                 ? json_unpack(s, "[I,I,I,I]", &start, &dur, &bytes, &key_bytes)
                 : json_unpack(s, "[I,I,I!]", &start, &dur, &bytes)) < 0 ||
            dur <= 0 || bytes < 0 || key_bytes < 0 || key_bytes > bytes)
            return sv__media_err(errbuf, errlen, SV_ERR_INVALID, "%s/part.json: a bad segment",
                                 dir);
        w->segs[w->nb_segs++] = (sv__seg_record){ start, dur, bytes, key_bytes };
        w->total_bytes += bytes;
    }
    w->cap_segs = w->nb_segs;
    ri = &a->infos[slot];
    memset(ri, 0, sizeof(*ri));
    snprintf(ri->kind, sizeof(ri->kind), "%s", kind);
    snprintf(ri->name, sizeof(ri->name), "%s", name);
    snprintf(ri->codecs, sizeof(ri->codecs), "%s", codecs);
    ri->width = width;
    ri->height = height;
    ri->frame_rate = frame_rate;
    ri->nb_segments = w->nb_segs;
    sv__segwriter_bandwidth(w, &ri->bandwidth, &ri->average_bandwidth);
    snprintf(a->paths[slot], sizeof(a->paths[slot]), "%s", path);
    a->from[slot] = dir;
    return 0;
}

static int load_parts(assembly *a, const char *const *part_dirs, int nb_parts, char *errbuf,
                      size_t errlen)
{
    for (int i = 0; i < nb_parts; i++) {
        char path[4200];
        json_error_t jerr;
        json_t *doc, *list, *jr;
        int index = -1, count = 0, thumbs = 0, rc;
        double segment_s = 0, transcode_s = 0;
        size_t k;

        if (snprintf(path, sizeof(path), "%s/part.json", part_dirs[i]) >= (int)sizeof(path))
            return sv__media_err(errbuf, errlen, SV_ERR_IO, "path too long: %s", part_dirs[i]);
        if (!(doc = json_load_file(path, 0, &jerr)))
            return sv__media_err(errbuf, errlen, SV_ERR_IO, "cannot read %s: %s", path,
                                 jerr.text);
        if (json_unpack(doc, "{s:i,s:i,s:i,s:F,s:F,s:o}", "part", &index, "parts", &count,
                        "thumbs", &thumbs, "segment_s", &segment_s, "transcode_s", &transcode_s,
                        "renditions", &list) < 0 || count != nb_parts || index < 0 ||
            index >= nb_parts || a->docs[index] || !json_is_array(list)) {
            json_decref(doc);
            return sv__media_err(errbuf, errlen, SV_ERR_INVALID,
                                 "%s is not part %d..%d of this ingest, or a part is there twice",
                                 path, 0, nb_parts - 1);
        }
        a->docs[index] = doc;
        a->dirs[index] = part_dirs[i];
        if (index == 0) {
            json_t *jt = json_object_get(doc, "tiles");
            sv__tiles_info *t = &a->tiles;
            a->nb_thumbs = thumbs;
            a->poster = json_is_true(json_object_get(doc, "poster"));
            if (jt && (json_unpack(jt, "{s:i,s:i,s:F,s:i,s:i,s:i,s:i,s:i}", "count", &t->count,
                                   "thumbs", &t->thumbs, "interval", &t->interval_s, "cols",
                                   &t->cols, "rows", &t->rows, "width", &t->thumb_width,
                                   "height", &t->thumb_height, "max_bytes", &t->max_bytes) < 0 ||
                       t->count < 1 || t->interval_s <= 0 || t->cols < 1 || t->rows < 1 ||
                       t->thumb_width < 2 || t->thumb_height < 2 || t->max_bytes < 0))
                return sv__media_err(errbuf, errlen, SV_ERR_INVALID, "%s: bad tiles", path);
            size_t k2;
            json_t *js;
            json_array_foreach(json_object_get(doc, "subs"), k2, js) {
                const char *lang = NULL;
                sv__manifest_subs *st = &a->subs[a->nb_subs];
                if (a->nb_subs == SV_MEDIA_MAX_SUBS ||
                    json_unpack(js, "{s:s,s:i}", "lang", &lang, "segments", &st->nb_segs) < 0 ||
                    !sv__subs_lang_ok(lang) || st->nb_segs < 1)
                    return sv__media_err(errbuf, errlen, SV_ERR_INVALID, "%s: bad subtitles",
                                         path);
                snprintf(st->lang, sizeof(st->lang), "%s", lang);
                a->nb_subs++;
            }
        }
        if (i > 0 && segment_s != a->segment_s)
            return sv__media_err(errbuf, errlen, SV_ERR_INVALID,
                                 "the parts were cut with different segment durations");
        a->segment_s = segment_s;
        if (transcode_s > a->transcode_s)
            a->transcode_s = transcode_s;
        json_array_foreach(list, k, jr)
            if ((rc = add_rendition(a, jr, part_dirs[i], errbuf, errlen)) < 0)
                return rc;
    }
    return 0;
}

static int compare_video(const void *x, const void *y)
{
    const sv__manifest_rendition *a = x, *b = y;
    int ca = sv__codec_of_string(a->info->codecs), cb = sv__codec_of_string(b->info->codecs);

    if (ca != cb)
        return ca - cb;   /* by codec first, as a whole ingest lists them */
    if (a->info->height != b->info->height)
        return a->info->height - b->info->height;
    return (a->info->average_bandwidth > b->info->average_bandwidth) -
           (a->info->average_bandwidth < b->info->average_bandwidth);
}

/* Every rung must cut the same segments: the same count and durations
 * (in seconds), or the renditions would not switch cleanly. */
static int check_alignment(const assembly *a, const sv__manifest_rendition *video, char *errbuf,
                           size_t errlen)
{
    const sv__segwriter *ref = video[0].segs;

    for (int i = 1; i < a->nb_video; i++) {
        const sv__segwriter *w = video[i].segs;

        if (w->nb_segs != ref->nb_segs)
            return sv__media_err(errbuf, errlen, SV_ERR_INVALID,
                                 "%s has %d segments and %s %d: the parts do not fit together "
                                 "(workers with different ladder settings?)",
                                 video[i].info->name, w->nb_segs, video[0].info->name,
                                 ref->nb_segs);
        for (int k = 0; k < w->nb_segs; k++)
            if ((double)w->segs[k].duration / w->timescale -
                        (double)ref->segs[k].duration / ref->timescale > 1e-6 ||
                (double)ref->segs[k].duration / ref->timescale -
                        (double)w->segs[k].duration / w->timescale > 1e-6)
                return sv__media_err(errbuf, errlen, SV_ERR_INVALID,
                                     "segment %d of %s and %s differ in duration", k + 1,
                                     video[i].info->name, video[0].info->name);
    }
    return 0;
}

/* Hard-links the files of from_dir/rel into a new out_dir/rel (fsync'ed):
 * no byte is copied, and the part keeps its files, so an assembly that is
 * interrupted can be done again from the same parts. */
static int link_in(const char *from_dir, const char *rel, const char *out_dir, char *errbuf,
                   size_t errlen)
{
    char from[4200], to[4200], a[4400], b[4400];
    struct dirent *e;
    DIR *d;
    int rc = 0;

    if (snprintf(from, sizeof(from), "%s/%s", from_dir, rel) >= (int)sizeof(from) ||
        snprintf(to, sizeof(to), "%s/%s", out_dir, rel) >= (int)sizeof(to))
        return sv__media_err(errbuf, errlen, SV_ERR_IO, "path too long under %s", out_dir);
    if ((rc = sv__media_ioerr(errbuf, errlen, sv__mkdir(to, 1), "create", to)) < 0)
        return rc;
    if (!(d = opendir(from)))
        return sv__media_err(errbuf, errlen, SV_ERR_IO, "cannot read %s", from);
    while (rc == 0 && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (snprintf(a, sizeof(a), "%s/%s", from, e->d_name) >= (int)sizeof(a) ||
            snprintf(b, sizeof(b), "%s/%s", to, e->d_name) >= (int)sizeof(b))
            rc = sv__media_err(errbuf, errlen, SV_ERR_IO, "path too long under %s", to);
        else if (link(a, b) < 0)
            rc = sv__media_err(errbuf, errlen, SV_ERR_IO, "cannot link %s into %s", a, to);
    }
    closedir(d);
    return rc < 0 ? rc : sv__media_ioerr(errbuf, errlen, sv__fsync_dir(to), "fsync", to);
}

int sv__media_assemble(const char *const *part_dirs, int nb_parts, const char *out_dir,
                       const sv__media_protection *prot, sv__media_result *res,
                       char *errbuf, size_t errlen)
{
    static const char *const subdirs[] = { "video", "audio", "thumbs" };
    assembly *a = calloc(1, sizeof(*a));
    sv__manifest_rendition video[SV_MEDIA_MAX_VIDEO], audio;
    sv__manifest m;
    char dir[4200];
    int rc = SV_ERR_INVALID;

    if (errbuf && errlen)
        errbuf[0] = '\0';
    if (!a)
        return sv__media_err(errbuf, errlen, SV_ERR_NOMEM, "out of memory");
    if (!res || !out_dir || nb_parts < 1 || nb_parts > SV_MEDIA_MAX_PARTS) {
        sv__media_err(errbuf, errlen, rc, "invalid parts");
        goto out;
    }
    memset(res, 0, sizeof(*res));
    if ((rc = load_parts(a, part_dirs, nb_parts, errbuf, errlen)) < 0)
        goto out;
    if (a->nb_video == 0) {
        rc = sv__media_err(errbuf, errlen, SV_ERR_INVALID, "no part holds a video rendition");
        goto out;
    }
    for (int i = 0; i < a->nb_video; i++)
        video[i] = (sv__manifest_rendition){ &a->infos[i], &a->segs[i], a->paths[i] };
    qsort(video, (size_t)a->nb_video, sizeof(video[0]), compare_video);
    if ((rc = check_alignment(a, video, errbuf, errlen)) < 0)
        goto out;

    /* The files are linked in (same file system); then the manifests are
     * written beside them, exactly as a whole ingest writes them. */
    snprintf(dir, sizeof(dir), "%s/video", out_dir);
    if ((rc = sv__media_ioerr(errbuf, errlen, sv__mkdir(out_dir, 1), "create", out_dir)) < 0 ||
        (rc = sv__media_ioerr(errbuf, errlen, sv__mkdir(dir, 0), "create", dir)) < 0)
        goto out;
    for (int i = 0; i < a->nb_video; i++)
        if ((rc = link_in(a->from[i], a->paths[i], out_dir, errbuf, errlen)) < 0)
            goto out;
    if (a->has_audio &&
        (rc = link_in(a->from[SV_MEDIA_MAX_VIDEO], "audio", out_dir, errbuf, errlen)) < 0)
        goto out;
    /* Part 0's thumbnails (a folder even when there are none). */
    snprintf(dir, sizeof(dir), "%s/thumbs", a->dirs[0]);
    if ((rc = sv__media_ioerr(errbuf, errlen, sv__mkdir(dir, 0), "create", dir)) < 0 ||
        (rc = link_in(a->dirs[0], "thumbs", out_dir, errbuf, errlen)) < 0)
        goto out;
    /* Part 0's subtitle tracks. */
    for (int i = 0; i < a->nb_subs; i++) {
        char rel[64];
        snprintf(rel, sizeof(rel), "subs/%s", a->subs[i].lang);
        snprintf(dir, sizeof(dir), "%s/subs", out_dir);
        if ((rc = sv__media_ioerr(errbuf, errlen, sv__mkdir(dir, 0), "create", dir)) < 0 ||
            (rc = link_in(a->dirs[0], rel, out_dir, errbuf, errlen)) < 0)
            goto out;
    }
    if (a->nb_subs > 0) {
        snprintf(dir, sizeof(dir), "%s/subs", out_dir);
        if ((rc = sv__media_ioerr(errbuf, errlen, sv__fsync_dir(dir), "fsync", dir)) < 0)
            goto out;
    }
    audio = (sv__manifest_rendition){ &a->infos[SV_MEDIA_MAX_VIDEO],
                                      &a->segs[SV_MEDIA_MAX_VIDEO], "audio" };
    m = (sv__manifest){ video, a->nb_video, a->has_audio ? &audio : NULL,
                        sv__segwriter_duration(video[0].segs), a->segment_s,
                        prot && prot->scheme != SV__PROTECT_NONE ? prot : NULL,
                        a->tiles.count > 0 ? &a->tiles : NULL, a->subs, a->nb_subs };
    if ((rc = sv__hls_write(&m, out_dir, errbuf, errlen)) < 0 ||
        (rc = sv__dash_write(&m, out_dir, errbuf, errlen)) < 0)
        goto out;
    for (size_t i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
        if (i == 1 && !a->has_audio)
            continue;
        snprintf(dir, sizeof(dir), "%s/%s", out_dir, subdirs[i]);
        if ((rc = sv__media_ioerr(errbuf, errlen, sv__fsync_dir(dir), "fsync", dir)) < 0)
            goto out;
    }
    if ((rc = sv__media_ioerr(errbuf, errlen, sv__fsync_dir(out_dir), "fsync", out_dir)) < 0)
        goto out;

    for (int i = 0; i < a->nb_video; i++)
        res->renditions[res->nb_renditions++] = *video[i].info;
    if (a->has_audio)
        res->renditions[res->nb_renditions++] = a->infos[SV_MEDIA_MAX_VIDEO];
    res->duration_s = m.duration_s;
    res->nb_thumbs = a->nb_thumbs;
    res->nb_tiles = a->tiles.count;
    res->poster = a->poster;
    res->nb_subs = a->nb_subs;
    res->transcode_s = a->transcode_s;
    rc = 0;
out:
    for (int i = 0; i < SV_MEDIA_MAX_PARTS; i++)
        json_decref(a->docs[i]);
    for (int i = 0; i <= SV_MEDIA_MAX_VIDEO; i++)
        sv__segwriter_free(&a->segs[i]);
    free(a);
    if (rc < 0 && res)
        memset(res, 0, sizeof(*res));
    return rc;
}
