/*
 * What a download fetches: the presentation is read with the player's own
 * model (model/model.h), so HLS and DASH are understood exactly as the
 * player understands them; one video rung, one audio track and at most one
 * WebVTT subtitle track are chosen and every segment of each becomes a file
 * of the plan (internal.h), its init segments included once each.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "platform/alloc.h"
#include "player/download/internal.h"
#include "player/model/model.h"
#include "player/model/track_prefs.h"
#include "player/model/uri_table.h"

typedef struct planner {
    sv__dl_state *st;
    sv__dl_fetcher *f;
    sv__presentation *pres;
    char *msg;
    size_t cap;
} planner;

static int fail(planner *p, int err, const char *fmt, ...) SV_PRINTF(3, 4);
static int fail(planner *p, int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->msg, p->cap, fmt, ap);
    va_end(ap);
    return err;
}

/* The i-th track of `type` in the period, or NULL. */
static sv__track *track_of(sv__period *per, sv_track_type type, int i)
{
    for (size_t k = 0; k < per->nb_tracks; k++)
        if (per->tracks[k].type == type && i-- == 0)
            return &per->tracks[k];
    return NULL;
}

/* Loads the segment list of a rep that still needs its playlist or sidx. */
static int make_ready(planner *p, sv__rep *rep)
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
        ret = fail(p, SV_ERR_UNSUPPORTED, "%s is live: only VOD can be downloaded",
                   p->pres->url);
    return ret;
}

/* The video rung: the highest that fits both limits, else the lowest. */
static sv__rep *pick_video(sv__track *t, const sv__dl_choice *c)
{
    sv__rep *best = &t->reps[0];
    for (size_t i = 0; i < t->nb_reps; i++) {
        sv__rep *r = &t->reps[i];
        if ((!c->max_height || r->height <= c->max_height) &&
            (!c->max_bandwidth || r->bandwidth <= c->max_bandwidth))
            best = r; /* sorted by bandwidth, ascending */
    }
    return best;
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

static int add_file(planner *p, sv__dl_file *f)
{
    sv__dl_state *st = p->st;
    sv__dl_file *n = sv__realloc(st->alloc, st->files, (st->nb_files + 1) * sizeof(*n));
    if (!n) {
        sv__free(st->alloc, f->path);
        sv__free(st->alloc, f->url);
        return SV_ERR_NOMEM;
    }
    st->files = n;
    f->size = -1;
    st->files[st->nb_files++] = *f;
    return 0;
}

static int add_track(planner *p, const sv__track *t, const sv__rep *rep, const char *dir)
{
    sv__dl_state *st = p->st;
    sv__dl_track *n = sv__realloc(st->alloc, st->tracks, (st->nb_tracks + 1) * sizeof(*n));
    if (!n)
        return SV_ERR_NOMEM;
    st->tracks = n;
    sv__dl_track *d = &st->tracks[st->nb_tracks++];
    *d = (sv__dl_track){ .type = t->type, .bandwidth = rep->bandwidth, .width = rep->width,
                         .height = rep->height, .frame_rate = rep->frame_rate,
                         .encrypted = t->encrypted };
    d->dir = sv__strdup(st->alloc, dir);
    d->language = sv__strdup(st->alloc, t->language);
    d->name = sv__strdup(st->alloc, t->label[0] ? t->label : t->language);
    d->codecs = sv__strdup(st->alloc, rep->codecs[0] ? rep->codecs : t->codecs);
    return d->dir && d->language && d->name && d->codecs ? 0 : SV_ERR_NOMEM;
}

static int note_key(planner *p, sv__dl_track *d, const sv__key *k)
{
    static const char *const methods[] = { "NONE", "AES-128", "SAMPLE-AES", "SAMPLE-AES-CTR" };
    const sv_allocator *a = p->st->alloc;
    if (!k || k->method == SV__KEY_NONE || d->key_method)
        return 0;
    if (k->method == SV__KEY_AES128)
        return fail(p, SV_ERR_UNSUPPORTED,
                    "%s: HLS METHOD=AES-128 segments cannot be downloaded for offline viewing",
                    p->pres->url);
    d->encrypted = 1;
    d->key_method = sv__strdup(a, methods[k->method]);
    d->key_uri = k->uri ? sv__strdup(a, k->uri) : NULL;
    d->key_format = k->keyformat ? sv__strdup(a, k->keyformat) : NULL;
    return d->key_method && (!k->uri || d->key_uri) && (!k->keyformat || d->key_format)
               ? 0
               : SV_ERR_NOMEM;
}

/* The init file for `res`, added when new; its index in *idx. */
static int init_file(planner *p, int track, const sv__resource *res, int *idx, int *nb_inits)
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
                      .is_init = 1, .init = -1 };
    f.path = sv__asprintf(st->alloc, "%s/init-%d.%s", st->tracks[track].dir, (*nb_inits)++, ext);
    f.url = sv__strdup(st->alloc, res->url);
    *idx = (int)st->nb_files;
    return add_file(p, &f);
}

static int add_segments(planner *p, const sv__track *t, sv__rep *rep, const char *dir)
{
    sv__dl_state *st = p->st;
    char url[SV__URL_MAX], ext[8];
    int ret, track = (int)st->nb_tracks, nb_inits = 0;

    if ((ret = make_ready(p, rep)) < 0 || (ret = add_track(p, t, rep, dir)) < 0)
        return ret;
    if (rep->nb_segs == 0)
        return fail(p, SV_ERR_PARSE, "%s lists no segment", rep->playlist_url ? rep->playlist_url
                                                                                : p->pres->url);
    for (size_t i = 0; i < rep->nb_segs; i++) {
        sv__segment s = sv__rep_segment(rep, i);
        int init = -1;
        if (s.gap || s.part)
            return fail(p, SV_ERR_UNSUPPORTED, "%s has gaps or parts (live)", p->pres->url);
        if ((ret = note_key(p, &st->tracks[track], s.key)) < 0)
            return ret;
        if (s.init && s.init->url && (ret = init_file(p, track, s.init, &init, &nb_inits)) < 0)
            return ret;
        if (!sv__segment_url(rep, &s, url, sizeof(url)))
            return fail(p, SV_ERR_PARSE, "a segment URL of %s is too long", p->pres->url);
        ext_of(url, t->type == SV_TRACK_TEXT ? "vtt" : s.init ? "m4s" : "ts", ext, sizeof(ext));
        sv__dl_file f = { .track = track, .offset = s.offset, .length = s.length, .init = init,
                          .duration = s.duration, .disc = s.disc };
        f.path = sv__asprintf(st->alloc, "%s/seg-%05zu.%s", dir, i + 1, ext);
        f.url = sv__strdup(st->alloc, url);
        if ((ret = add_file(p, &f)) < 0)
            return ret;
        if (!st->files[st->nb_files - 1].path || !st->files[st->nb_files - 1].url)
            return SV_ERR_NOMEM;
    }
    return 0;
}

static int pick_lang(planner *p, sv__period *per, sv_track_type type, const char *list,
                     sv__track **out)
{
    sv__lang_prefs prefs;
    char why[160];
    int i;

    *out = NULL;
    if (sv__lang_prefs_parse(list, &prefs, why, sizeof(why)) < 0)
        return fail(p, SV_ERR_INVALID, "language list: %s", why);
    i = sv__lang_pick(per, type, &prefs);
    if (i < 0 && type == SV_TRACK_AUDIO)
        i = sv__lang_default(per, type);
    *out = i >= 0 ? track_of(per, type, i) : NULL;
    return 0;
}

static int is_webvtt(planner *p, sv__rep *rep)
{
    char url[SV__URL_MAX];
    if (make_ready(p, rep) < 0 || rep->nb_segs == 0)
        return 0;
    sv__segment s = sv__rep_segment(rep, 0);
    const char *u = sv__segment_url(rep, &s, url, sizeof(url));
    return !s.init && u && strstr(u, ".vtt");
}

static int plan_period(planner *p, sv__period *per, const sv__dl_choice *c)
{
    sv__track *video = track_of(per, SV_TRACK_VIDEO, 0), *audio = NULL, *text = NULL;
    int ret;

    if (!video || !video->nb_reps)
        return fail(p, SV_ERR_UNSUPPORTED, "%s has no video track", p->pres->url);
    if ((ret = add_segments(p, video, pick_video(video, c), "video")) < 0 ||
        (ret = pick_lang(p, per, SV_TRACK_AUDIO, c->audio_languages, &audio)) < 0)
        return ret;
    if (audio && !audio->muxed && audio->nb_reps &&
        (ret = add_segments(p, audio, &audio->reps[audio->nb_reps - 1], "audio")) < 0)
        return ret;
    if (c->subtitle_languages && *c->subtitle_languages) {
        if ((ret = pick_lang(p, per, SV_TRACK_TEXT, c->subtitle_languages, &text)) < 0)
            return ret;
        if (text && text->nb_reps && is_webvtt(p, &text->reps[0]))
            ret = add_segments(p, text, &text->reps[0], "subs");
    }
    return ret;
}

int sv__dl_plan(sv__dl_state *st, sv__dl_fetcher *f, const sv__dl_choice *c,
                const sv__logger *log, char *msg, size_t cap)
{
    planner p = { .st = st, .f = f, .msg = msg, .cap = cap };
    uint8_t *text = NULL;
    size_t size = 0;
    sv__parse_error perr = { 0 };
    int ret;

    if ((ret = sv__dl_fetch(f, st->url, 0, -1, &text, &size, msg, cap)) < 0)
        return ret;
    sv__source_kind kind = sv__model_detect(text, size, st->url, NULL);
    if (kind == SV__SOURCE_FILE) {
        ret = fail(&p, SV_ERR_UNSUPPORTED, "%s is neither an HLS playlist nor an MPD", st->url);
        goto done;
    }
    ret = sv__model_create(kind, (const char *)text, size, st->url, (double)time(NULL),
                           st->alloc, &p.pres, &perr);
    if (ret < 0) {
        snprintf(msg, cap, "%s: %s", st->url, perr.message[0] ? perr.message : sv_strerror(ret));
        goto done;
    }
    if (p.pres->live)
        ret = fail(&p, SV_ERR_UNSUPPORTED, "%s is live: only VOD can be downloaded", st->url);
    else if (p.pres->nb_periods != 1)
        ret = fail(&p, SV_ERR_UNSUPPORTED, "%s has several periods: not supported", st->url);
    else
        ret = plan_period(&p, &p.pres->periods[0], c);
    if (ret == 0)
        SV_LOGI(log, "download", "%s: %zu tracks, %zu files to fetch", st->url, st->nb_tracks,
                st->nb_files);
done:
    sv__model_destroy(p.pres);
    sv__free(st->alloc, text);
    return ret;
}
