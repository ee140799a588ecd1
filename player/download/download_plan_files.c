/*
 * A chosen representation becomes files of the plan (internal.h): its
 * segments, named in order per track across Periods (seg-00001...), each
 * init segment once per track, and each HLS AES-128 key once per download
 * (keys/key-N.key), placed before the first segment that needs it so that
 * the segment can be checked by decrypting it when it arrives.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "drm/cenc.h"
#include "platform/alloc.h"
#include "platform/hex.h"
#include "player/download/plan.h"
#include "player/model/uri_table.h"

int sv__plan_fail(sv__planner *p, int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->msg, p->cap, fmt, ap);
    va_end(ap);
    return err;
}

int sv__plan_make_ready(sv__planner *p, sv__rep *rep)
{
    uint8_t *data = NULL;
    size_t size = 0;
    sv__parse_error perr = { 0 };
    int ret = 0;

    if (rep->seg_state == SV__SEGS_NEED_PLAYLIST) {
        if ((ret = sv__dl_fetch(p->f, rep->playlist_url, 0, -1, &data, &size, p->msg, p->cap)) < 0)
            return ret;
        ret = sv__model_hls_media(p->pres, rep, (const char *)data, size, rep->playlist_url, &perr);
    } else if (rep->seg_state == SV__SEGS_NEED_INDEX) {
        const sv__resource *r = &rep->index_range;
        if ((ret = sv__dl_fetch(p->f, r->url, r->offset, r->length, &data, &size, p->msg,
                                p->cap)) < 0)
            return ret;
        ret = sv__model_dash_sidx(p->pres, rep, data, size, &perr);
    }
    sv__free(p->st->alloc, data);
    if (ret < 0)
        snprintf(p->msg, p->cap, "%s", perr.message[0] ? perr.message : sv_strerror(ret));
    else if (p->pres->live)
        ret = sv__plan_fail(p, SV_ERR_UNSUPPORTED, "%s is live: only VOD can be downloaded",
                            p->pres->url);
    return ret;
}

/* The extension of a URL's last path part ("m4s"), or `dflt`. */
static void ext_of(const char *url, const char *dflt, char *out, size_t cap)
{
    size_t n = strcspn(url, "?#");
    const char *slash = url, *dot = NULL;
    for (size_t i = 0; i < n; i++) {
        if (url[i] == '/')
            slash = url + i, dot = NULL;
        else if (url[i] == '.')
            dot = url + i;
    }
    size_t len = dot ? (size_t)(url + n - dot - 1) : 0;
    int ok = dot && dot > slash && len > 0 && len < 6;
    for (size_t i = 0; ok && i < len; i++)
        ok = (dot[1 + i] >= 'a' && dot[1 + i] <= 'z') || (dot[1 + i] >= '0' && dot[1 + i] <= '9');
    snprintf(out, cap, "%.*s", ok ? (int)len : (int)strlen(dflt), ok ? dot + 1 : dflt);
}

/* Appends f (its strings taken, also on failure); its index in *idx. */
static int add_file(sv__planner *p, sv__dl_file *f, int *idx)
{
    sv__dl_state *st = p->st;
    sv__dl_file *n = sv__realloc(st->alloc, st->files, (st->nb_files + 1) * sizeof(*n));
    if (!n || !f->path || !f->url) {
        if (n)
            st->files = n;
        sv__free(st->alloc, f->path);
        sv__free(st->alloc, f->url);
        return SV_ERR_NOMEM;
    }
    st->files = n;
    f->size = -1;
    if (idx)
        *idx = (int)st->nb_files;
    st->files[st->nb_files++] = *f;
    return 0;
}

static int64_t clamp64(int64_t v, int64_t hi)
{
    return v < 0 ? 0 : v > hi ? hi : v;
}

static int add_track(sv__planner *p, const sv__track *t, const sv__rep *rep, const char *dir)
{
    sv__dl_state *st = p->st;
    if (st->nb_tracks >= SV__DL_MAX_TRACKS)
        return sv__plan_fail(p, SV_ERR_UNSUPPORTED, "%s: too many tracks", p->pres->url);
    sv__dl_track *n = sv__realloc(st->alloc, st->tracks, (st->nb_tracks + 1) * sizeof(*n));
    if (!n)
        return SV_ERR_NOMEM;
    st->tracks = n;
    sv__dl_track *d = &st->tracks[st->nb_tracks++];
    /* Within what the state file reads back (download_state.c). */
    *d = (sv__dl_track){ .type = t->type, .bandwidth = clamp64(rep->bandwidth, INT64_C(1) << 40),
                         .width = (int)clamp64(rep->width, 65535),
                         .height = (int)clamp64(rep->height, 65535),
                         .frame_rate = rep->frame_rate >= 0 && rep->frame_rate < 1000
                                           ? rep->frame_rate
                                           : 0,
                         .encrypted = t->encrypted };
    d->dir = sv__strdup(st->alloc, dir);
    d->language = sv__strdup(st->alloc, t->language);
    d->name = sv__strdup(st->alloc, t->label[0] ? t->label : t->language);
    d->codecs = sv__strdup(st->alloc, rep->codecs[0] ? rep->codecs : t->codecs);
    return d->dir && d->language && d->name && d->codecs ? 0 : SV_ERR_NOMEM;
}

/* Sample encryption (SAMPLE-AES, SAMPLE-AES-CTR): the EXT-X-KEY the local
 * playlist repeats. */
static int note_sample_key(sv__planner *p, sv__dl_track *d, const sv__key *k)
{
    static const char *const methods[] = { "NONE", "AES-128", "SAMPLE-AES", "SAMPLE-AES-CTR" };
    const sv_allocator *a = p->st->alloc;
    if (!k || k->method == SV__KEY_NONE || k->method == SV__KEY_AES128 || d->key_method)
        return 0;
    d->encrypted = 1;
    d->key_method = sv__strdup(a, methods[k->method]);
    d->key_uri = k->uri ? sv__strdup(a, k->uri) : NULL;
    d->key_format = k->keyformat ? sv__strdup(a, k->keyformat) : NULL;
    return d->key_method && (!k->uri || d->key_uri) && (!k->keyformat || d->key_format)
               ? 0
               : SV_ERR_NOMEM;
}

/* The key file of an AES-128 key URI, added when new; its index in *idx. */
static int key_file(sv__planner *p, int track, const char *uri, int *idx)
{
    sv__dl_state *st = p->st;
    if (!uri)
        return sv__plan_fail(p, SV_ERR_PARSE, "%s: an EXT-X-KEY METHOD=AES-128 has no URI",
                             p->pres->url);
    if (!strncmp(uri, "data:", 5) || !strncmp(uri, "skd:", 4))
        return sv__plan_fail(p, SV_ERR_UNSUPPORTED,
                             "%s: the AES-128 key URI \"%.60s\" is not an http(s) or file URL",
                             p->pres->url, uri);
    for (size_t i = 0; i < st->nb_files; i++)
        if (st->files[i].is_key && !strcmp(st->files[i].url, uri)) {
            *idx = (int)i;
            return 0;
        }
    sv__dl_file f = { .track = track, .offset = 0, .length = -1, .is_key = 1, .init = -1,
                      .key = -1 };
    f.path = sv__asprintf(st->alloc, "keys/key-%d.key", p->nb_keys++);
    f.url = sv__strdup(st->alloc, uri);
    return add_file(p, &f, idx);
}

/* The init file for `res`, added when new; its index in *idx. */
static int init_file(sv__planner *p, int track, const sv__resource *res, int *idx)
{
    sv__dl_state *st = p->st;
    for (size_t i = 0; i < st->nb_files; i++) {
        sv__dl_file *f = &st->files[i];
        if (f->is_init && f->track == track && !strcmp(f->url, res->url) &&
            f->offset == res->offset && f->length == res->length) {
            *idx = (int)i;
            return 0;
        }
    }
    char ext[8];
    ext_of(res->url, "mp4", ext, sizeof(ext));
    sv__dl_file f = { .track = track, .offset = res->offset, .length = res->length,
                      .is_init = 1, .init = -1, .key = -1 };
    f.path = sv__asprintf(st->alloc, "%s/init-%d.%s", st->tracks[track].dir,
                          p->next_init[track]++, ext);
    f.url = sv__strdup(st->alloc, res->url);
    return add_file(p, &f, idx);
}

/* Segment i of rep as a file of the plan. */
static int add_segment(sv__planner *p, const sv__track *t, sv__rep *rep, size_t i, int track)
{
    sv__dl_state *st = p->st;
    char url[SV__URL_MAX], ext[8];
    int ret, init = -1, key = -1;
    sv__segment s = sv__rep_segment(rep, i);

    if (s.gap || s.part)
        return sv__plan_fail(p, SV_ERR_UNSUPPORTED, "%s has gaps or parts (live)", p->pres->url);
    /* What the state file could not hold again (download_state.c) is
     * refused here, before anything is stored. */
    if (!(s.duration >= 0 && s.duration < 86400) || s.disc < 0 || s.offset < 0 ||
        st->nb_files + 3 > SV__DL_MAX_FILES) /* a key, an init and the segment */
        return sv__plan_fail(p, SV_ERR_PARSE,
                             "%s: segment %zu of a %s track is out of range (%g s, "
                             "discontinuity %lld, offset %lld, %zu files so far)",
                             p->pres->url, i + 1, st->tracks[track].dir, s.duration,
                             (long long)s.disc, (long long)s.offset, st->nb_files);
    if ((ret = note_sample_key(p, &st->tracks[track], s.key)) < 0)
        return ret;
    if (s.key && s.key->method == SV__KEY_AES128 &&
        (ret = key_file(p, track, s.key->uri, &key)) < 0)
        return ret;
    if (s.init && s.init->url && (ret = init_file(p, track, s.init, &init)) < 0)
        return ret;
    if (!sv__segment_url(rep, &s, url, sizeof(url)))
        return sv__plan_fail(p, SV_ERR_PARSE, "a segment URL of %s is too long", p->pres->url);
    ext_of(url, t->type == SV_TRACK_TEXT ? "vtt" : s.init ? "m4s" : "ts", ext, sizeof(ext));
    sv__dl_file f = { .track = track, .offset = s.offset, .length = s.length, .init = init,
                      .key = key, .duration = s.duration, .disc = s.disc };
    if (key >= 0) {
        uint8_t iv[16];
        if (s.key->has_iv)
            memcpy(iv, s.key->iv, 16);
        else
            sv__hls_iv_from_sequence((uint64_t)s.number, iv);
        sv__hex_encode(iv, 16, f.iv);
    }
    f.path = sv__asprintf(st->alloc, "%s/seg-%05d.%s", st->tracks[track].dir,
                          ++p->next_seg[track], ext);
    f.url = sv__strdup(st->alloc, url);
    return add_file(p, &f, NULL);
}

/* Does segment s belong to the Period [from, to)? A segment that only
 * touches it is left out: a DASH Period that starts in the middle of an
 * audio segment lists that segment too (the player drops its samples
 * before the Period), but a local playlist would play all of it again. */
static int within(const sv__segment *s, double from, double to)
{
    double a = s->start > from ? s->start : from;
    double z = s->start + s->duration < to ? s->start + s->duration : to;
    double need = s->duration / 2 < 0.1 ? s->duration / 2 : 0.1;
    return z - a >= need;
}

int sv__plan_add_rep(sv__planner *p, const sv__track *t, sv__rep *rep, const char *dir,
                     int *track, double from, double to, double *cover_from, double *cover_to)
{
    int ret;

    if ((ret = sv__plan_make_ready(p, rep)) < 0)
        return ret;
    if (*track < 0) {
        if ((ret = add_track(p, t, rep, dir)) < 0)
            return ret;
        *track = (int)p->st->nb_tracks - 1;
    } else {
        sv__dl_track *d = &p->st->tracks[*track];
        d->encrypted |= t->encrypted;
        if (rep->bandwidth > d->bandwidth) /* the master's BANDWIDTH is a peak */
            d->bandwidth = clamp64(rep->bandwidth, INT64_C(1) << 40);
    }
    *cover_from = *cover_to = 0;
    int any = 0;
    for (size_t i = 0; i < rep->nb_segs; i++) {
        sv__segment s = sv__rep_segment(rep, i);
        if (to > from && !within(&s, from, to))
            continue;
        if ((ret = add_segment(p, t, rep, i, *track)) < 0)
            return ret;
        if (!any++)
            *cover_from = s.start;
        *cover_to = s.start + s.duration;
    }
    if (!any)
        return sv__plan_fail(p, SV_ERR_PARSE, "%s lists no segment",
                             rep->playlist_url ? rep->playlist_url : p->pres->url);
    return 0;
}
