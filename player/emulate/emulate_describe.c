/*
 * sv_emulate_describe() (streamverse/emulate.h): a presentation's video
 * ladder and segment sizes, read with the player's own model (player/model*.c)
 * over the libcurl transport. Sizes come from byte ranges when the model
 * has them, otherwise from HEAD requests kept `max_parallel` deep.
 *
 * The transport is driven directly (no loop, no fetcher): this is a one-shot
 * tool call on the caller's thread, and a failure is reported, not retried.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/alloc.h"
#include "platform/fs.h"
#include "player/core/internal.h"
#include "streamverse/emulate.h"
#include "player/manifest/url.h"

#define MAX_RUNGS 32
#define POLL_NS 100000000LL
#define REQ_TIMEOUT_S 30.0

typedef struct req {
    int busy, done;
    uint8_t *data;
    size_t size;
    sv__transfer_result res;
    char url_after[1024];     /* effective URL */
    size_t seg, rung;         /* HEAD: which size it gives */
} req;

static int on_data(void *opaque, const uint8_t *data, size_t len)
{
    req *r = opaque;
    uint8_t *d = sv__realloc(NULL, r->data, r->size + len + 1);
    if (!d)
        return -1;
    memcpy(d + r->size, data, len);
    r->data = d;
    r->size += len;
    r->data[r->size] = '\0';
    return 0;
}

static void on_done(void *opaque, const sv__transfer_result *res)
{
    req *r = opaque;
    r->res = *res;
    r->res.content_type = NULL;
    r->res.effective_url = NULL;
    snprintf(r->url_after, sizeof(r->url_after), "%s", res->effective_url ? res->effective_url : "");
    r->done = 1;
}

static int submit(sv__transport *t, req *r, const char *url, int64_t off, int64_t len, int head)
{
    memset(r, 0, sizeof(*r));
    r->busy = 1;
    sv__request q = { .url = url, .offset = off, .length = len, .head_only = head,
                      .timeout_s = REQ_TIMEOUT_S, .connect_timeout_s = 5,
                      .on_data = on_data, .on_done = on_done, .opaque = r };
    sv__transfer *x;
    int ret = t->ops->submit(t->priv, &q, &x);
    if (ret < 0) {
        r->busy = 0;
        r->done = 1;
        r->res.error = ret;
        snprintf(r->res.message, sizeof(r->res.message), "%s", sv_strerror(ret));
    }
    return ret;
}

/* One GET (whole or a range), blocking. Returns 0 or the error, with err set. */
static int get(sv__transport *t, req *r, const char *url, int64_t off, int64_t len, char *err,
               size_t errlen)
{
    int ret = submit(t, r, url, off, len, 0);
    while (ret == 0 && !r->done)
        ret = t->ops->poll(t->priv, POLL_NS);
    if (ret == 0)
        ret = r->res.error;
    if (ret < 0)
        snprintf(err, errlen, "GET %s: %s", url, r->res.message[0] ? r->res.message : sv_strerror(ret));
    return ret;
}

static const sv__track *video_track(const sv__presentation *pres)
{
    const sv__period *per = &pres->periods[0];
    const sv__track *first = NULL;
    for (size_t i = 0; i < per->nb_tracks; i++) {
        const sv__track *t = &per->tracks[i];
        if (t->type != SV_TRACK_VIDEO)
            continue;
        if (t->is_default)
            return t;
        if (!first)
            first = t;
    }
    return first;
}

/* One HEAD, blocking: the Content-Length of `url`. Returns 0 or the error,
 * with err set. */
static int head(sv__transport *t, const char *url, int64_t off, uint64_t *size, char *err,
                size_t errlen)
{
    req r;
    int ret = submit(t, &r, url, off, -1, 1);
    while (ret == 0 && !r.done)
        ret = t->ops->poll(t->priv, POLL_NS);
    if (ret == 0)
        ret = r.res.error;
    sv__free(NULL, r.data);
    if (ret < 0) {
        snprintf(err, errlen, "HEAD %s: %s", url, r.res.message[0] ? r.res.message : sv_strerror(ret));
        return ret;
    }
    if (r.res.content_length < 0) {
        snprintf(err, errlen, "HEAD %s: no Content-Length", url);
        return SV_ERR_UNSUPPORTED;
    }
    *size = (uint64_t)r.res.content_length;
    return 0;
}

/* Each rep's init segment: the byte range's length, or a HEAD request. */
static int init_sizes(sv__transport *t, const sv__track *tr, uint64_t *init, size_t *requests,
                      char *err, size_t errlen)
{
    for (size_t i = 0; i < tr->nb_reps; i++) {
        const sv__resource *res = tr->reps[i].nb_segs ? sv__rep_segment(&tr->reps[i], 0).init
                                                      : NULL;
        init[i] = 0;
        if (!res || !res->url)
            continue;
        if (res->length > 0) {
            init[i] = (uint64_t)res->length;
            continue;
        }
        int ret = head(t, res->url, res->offset, &init[i], err, errlen);
        if (ret < 0)
            return ret;
        (*requests)++;
    }
    return 0;
}

/* Loads what the model still lacks for each rep (HLS media playlists, sidx)
 * and keeps the size of what that took in index[]. */
static int load_reps(sv__transport *t, sv__presentation *pres, const sv__track *tr,
                     uint64_t *index, char *err, size_t errlen)
{
    for (size_t i = 0; i < tr->nb_reps; i++) {
        sv__rep *rep = &tr->reps[i];
        index[i] = 0;
        if (rep->seg_state == SV__SEGS_READY)
            continue;
        req r;
        int idx = rep->seg_state == SV__SEGS_NEED_INDEX;
        const char *url = idx ? rep->index_range.url : rep->playlist_url;
        if (!url) {
            snprintf(err, errlen, "representation %zu has no playlist or index", i);
            return SV_ERR_UNSUPPORTED;
        }
        int ret = get(t, &r, url, idx ? rep->index_range.offset : 0,
                      idx ? rep->index_range.length : -1, err, errlen);
        sv__parse_error pe = { 0 };
        index[i] = r.size;
        if (ret == 0)
            ret = idx ? sv__model_dash_sidx(pres, rep, r.data, r.size, &pe)
                      : sv__model_hls_media(pres, rep, (const char *)r.data, r.size,
                                            r.url_after[0] ? r.url_after : url, &pe);
        sv__free(NULL, r.data);
        if (ret < 0) {
            if (!err[0])
                snprintf(err, errlen, "%s: line %d: %s", url, pe.line, pe.message);
            return ret;
        }
    }
    return 0;
}

/* Fills the sizes the byte ranges give, HEADs the rest. */
static int measure(sv__transport *t, const sv__track *tr, size_t nsegs, int parallel,
                   uint64_t *sizes, size_t *requests, char *err, size_t errlen)
{
    size_t rungs = tr->nb_reps, next = 0, total = nsegs * rungs, inflight = 0;
    req *slots = sv__calloc(NULL, (size_t)parallel, sizeof(*slots));
    int ret = 0;
    if (!slots)
        return SV_ERR_NOMEM;
    for (;;) {
        /* Start what fits; byte ranges need no request. */
        while (ret == 0 && next < total && inflight < (size_t)parallel) {
            size_t k = next / rungs, r = next % rungs;
            const sv__segment segv = sv__rep_segment(&tr->reps[r], k), *seg = &segv;
            char url[SV__URL_MAX];
            next++;
            if (seg->length > 0) {
                sizes[k * rungs + r] = (uint64_t)seg->length;
                continue;
            }
            req *q = NULL;
            for (int i = 0; i < parallel && !q; i++)
                if (!slots[i].busy)
                    q = &slots[i];
            if (!sv__segment_url(&tr->reps[r], seg, url, sizeof(url))) {
                ret = SV_ERR_INTERNAL;
                snprintf(err, errlen, "segment %zu of rung %zu has no URL", k, r);
                break;
            }
            if ((ret = submit(t, q, url, seg->offset, -1, 1)) < 0) {
                snprintf(err, errlen, "HEAD %s: %s", url, sv_strerror(ret));
                break;
            }
            q->seg = k;
            q->rung = r;
            inflight++;
            (*requests)++;
        }
        if (inflight == 0)
            break;
        int pr = t->ops->poll(t->priv, POLL_NS);
        if (pr < 0 && ret == 0) {
            ret = pr;
            snprintf(err, errlen, "the HTTP transport failed: %s", sv_strerror(pr));
        }
        for (int i = 0; i < parallel; i++) {
            req *q = &slots[i];
            if (!q->busy || !q->done)
                continue;
            q->busy = 0;
            inflight--;
            char buf[SV__URL_MAX];
            const sv__segment seg = sv__rep_segment(&tr->reps[q->rung], q->seg);
            const char *url = sv__segment_url(&tr->reps[q->rung], &seg, buf, sizeof(buf));
            if (!url)
                url = "(no URL)";
            if (ret == 0 && q->res.error) {
                ret = q->res.error;
                snprintf(err, errlen, "HEAD %s: %s", url, q->res.message);
            } else if (ret == 0 && q->res.content_length < 0) {
                ret = SV_ERR_UNSUPPORTED;
                snprintf(err, errlen, "HEAD %s: no Content-Length", url);
            } else if (ret == 0) {
                sizes[q->seg * rungs + q->rung] = (uint64_t)q->res.content_length;
            }
            sv__free(NULL, q->data);
        }
        if (pr < 0)
            break;
    }
    sv__free(NULL, slots);
    return ret;
}

static int describe(sv__transport *t, const char *url, int parallel, sv_emulate_video *v,
                    uint32_t *kbps, uint64_t *index, uint64_t *init, uint64_t **sizes_out,
                    char *err, size_t errlen)
{
    sv__presentation *pres = NULL;
    req r;
    int ret = get(t, &r, url, 0, -1, err, errlen);
    if (ret < 0)
        return ret;
    v->manifest_bytes = r.size;
    const char *base = r.url_after[0] ? r.url_after : url;
    sv__source_kind kind = sv__model_detect(r.data, r.size, base, NULL);
    sv__parse_error pe = { 0 };
    if (kind == SV__SOURCE_FILE) {
        snprintf(err, errlen, "%s is neither an HLS playlist nor a DASH MPD", url);
        ret = SV_ERR_UNSUPPORTED;
    } else {
        ret = sv__model_create(kind, (const char *)r.data, r.size, base,
                               (double)(sv__realtime_ns() / 1000000000), NULL,
                               &pres, &pe);
        if (ret < 0)
            snprintf(err, errlen, "%s: line %d: %s", url, pe.line,
                     pe.message[0] ? pe.message : sv_strerror(ret));
    }
    sv__free(NULL, r.data);
    if (ret < 0)
        return ret;
    const sv__track *tr = pres->nb_periods ? video_track(pres) : NULL;
    if (pres->live || !tr || tr->nb_reps == 0 || tr->nb_reps > MAX_RUNGS) {
        snprintf(err, errlen, "%s: %s", url, pres->live ? "a live presentation has no fixed sizes"
                                            : !tr ? "no video track"
                                                  : "too many video representations");
        ret = SV_ERR_UNSUPPORTED;
        goto done;
    }
    if ((ret = load_reps(t, pres, tr, index, err, errlen)) < 0)
        goto done;
    size_t rungs = tr->nb_reps, nsegs = tr->reps[0].nb_segs;
    for (size_t i = 0; i < rungs; i++) {
        if (tr->reps[i].nb_segs != nsegs || nsegs == 0) {
            snprintf(err, errlen, "%s: representations have different segment counts (%zu and %zu)",
                     url, nsegs, tr->reps[i].nb_segs);
            ret = SV_ERR_UNSUPPORTED;
            goto done;
        }
        /* As the scheduler hands the ladder to the rule. */
        uint32_t k = (uint32_t)(tr->reps[i].bandwidth / 1000);
        if (i && k <= kbps[i - 1])
            k = kbps[i - 1] + 1;
        kbps[i] = k ? k : 1;
    }
    uint64_t *sizes = sv__calloc(NULL, nsegs * rungs, sizeof(*sizes));
    if (!sizes) {
        ret = SV_ERR_NOMEM;
        goto done;
    }
    ret = measure(t, tr, nsegs, parallel, sizes, &v->num_requests, err, errlen);
    if (ret == 0)
        ret = init_sizes(t, tr, init, &v->num_requests, err, errlen);
    if (ret < 0) {
        sv__free(NULL, sizes);
        goto done;
    }
    *sizes_out = sizes;
    v->video.num_rungs = rungs;
    v->video.num_segments = nsegs;
    v->video.segment_duration_s = sv__rep_segment(&tr->reps[0], 0).duration;

done:
    sv__model_destroy(pres);
    return ret;
}

/* One allocation: the struct, then the ladder, then the sizes. */
typedef struct owned {
    sv_emulate_video v;
    uint32_t kbps[MAX_RUNGS];
    uint64_t index[MAX_RUNGS], init[MAX_RUNGS];
    uint64_t *sizes;
} owned;

int sv_emulate_describe(const char *url, int max_parallel, sv_emulate_video **out, char *err,
                        size_t errlen)
{
    char dummy[8];
    sv_clock *clock = NULL;
    sv__transport *t = NULL;
    owned *o = NULL;
    char *furl = NULL;
    int ret;

    if (!err || !errlen) {
        err = dummy;
        errlen = sizeof(dummy);
    }
    err[0] = '\0';
    if (out)
        *out = NULL;
    if (!url || !*url || !out || max_parallel < 0 || max_parallel > 64) {
        snprintf(err, errlen, "invalid arguments");
        return SV_ERR_INVALID;
    }
    if (!(o = sv__calloc(NULL, 1, sizeof(*o)))) {
        ret = SV_ERR_NOMEM;
        goto fail;
    }
    if ((ret = sv_clock_monotonic_create(&clock)) < 0 ||
        (ret = sv__transport_curl_create(&t, clock, NULL)) < 0)
        goto fail;
    /* A local path is read as a file:// URL, as the player does. */
    if (!sv__url_is_absolute(url)) {
        if (!(furl = sv__file_url(NULL, url))) {
            snprintf(err, errlen, "cannot open %s: no such file", url);
            ret = SV_ERR_NOT_FOUND;
            goto fail;
        }
        url = furl;
    }
    ret = describe(t, url, max_parallel ? max_parallel : 8, &o->v, o->kbps, o->index, o->init,
                   &o->sizes, err, errlen);
    if (ret < 0)
        goto fail;
    o->v.index_bytes = o->index;
    o->v.init_bytes = o->init;
    o->v.video.bitrates_kbps = o->kbps;
    o->v.video.segment_bytes = o->sizes;
    if (sv_abr_video_check(&o->v.video) < 0) {
        snprintf(err, errlen, "%s: the segments have no duration", url);
        ret = SV_ERR_UNSUPPORTED;
        goto fail;
    }
    sv__transport_destroy(t);
    sv_clock_destroy(clock);
    sv__free(NULL, furl);
    *out = &o->v;
    return 0;

fail:
    if (!err[0])
        snprintf(err, errlen, "%s: %s", url, sv_strerror(ret));
    sv__transport_destroy(t);
    sv_clock_destroy(clock);
    if (o)
        sv__free(NULL, o->sizes);
    sv__free(NULL, o);
    sv__free(NULL, furl);
    return ret;
}

void sv_emulate_video_free(sv_emulate_video *v)
{
    if (!v)
        return;
    owned *o = (owned *)v; /* v is the first member */
    sv__free(NULL, o->sizes);
    sv__free(NULL, o);
}
