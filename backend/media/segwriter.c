/*
 * The segment writer: the sink at the end of the fragment seam. It stores
 * the init segment as init.mp4 and fragment n as seg-<n>.m4s (one fragment
 * per segment), fsyncs each (itself or through the ingest's writer thread),
 * and keeps the per-segment timing and size the HLS and DASH writers need.
 * A video segment arrives as two fragments (its key frame's, then the
 * rest: internal.h, sv__fragment.key_chunk): the first is kept until the
 * second comes, the file is both, and the record keeps the first's size
 * (key_bytes) for the I-frame playlists and trick-mode sets.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/media/internal.h"
#include "platform/fs.h"
#include "streamverse/common.h"

static int path_in(const sv__segwriter *w, char *out, size_t outlen, const char *name,
                   char *errbuf, size_t errlen)
{
    int n = snprintf(out, outlen, "%s/%s", w->dir, name);
    if (n < 0 || (size_t)n >= outlen)
        return sv__media_err(errbuf, errlen, SV_ERR_IO, "path too long under %s", w->dir);
    return 0;
}

static int on_init(void *opaque, const uint8_t *data, size_t size, char *errbuf, size_t errlen)
{
    sv__segwriter *w = opaque;
    char path[4200];
    int rc = path_in(w, path, sizeof(path), "init.mp4", errbuf, errlen);
    if (rc < 0)
        return rc;
    return sv__writer_put(w->writer, path, data, size, errbuf, errlen);
}

/* Keeps the key chunk of a segment until the rest of it arrives. */
static int keep_key_chunk(sv__segwriter *w, const sv__fragment *f, char *errbuf, size_t errlen)
{
    if (w->pending.size)
        return sv__media_err(errbuf, errlen, SV_ERR_INTERNAL,
                             "two key chunks in segment %d", f->number);
    sv__buf_append(&w->pending, f->data, f->size);
    if (w->pending.err)
        return sv__media_err(errbuf, errlen, SV_ERR_NOMEM, "out of memory (segment %d)",
                             f->number);
    w->pending_start = f->start_pts;
    w->pending_end = f->start_pts + f->duration;
    return 0;
}

static int on_fragment(void *opaque, const sv__fragment *f, char *errbuf, size_t errlen)
{
    sv__segwriter *w = opaque;
    char name[32], path[4200];
    if (f->number != w->nb_segs + 1)
        return sv__media_err(errbuf, errlen, SV_ERR_INTERNAL, "fragment %d out of order", f->number);
    if (f->key_chunk)
        return keep_key_chunk(w, f, errbuf, errlen);
    if (w->nb_segs == w->cap_segs) {
        int cap = w->cap_segs ? w->cap_segs * 2 : 64;
        sv__seg_record *s = realloc(w->segs, (size_t)cap * sizeof(*s));
        if (!s)
            return sv__media_err(errbuf, errlen, SV_ERR_NOMEM, "out of memory (segment list)");
        w->segs = s;
        w->cap_segs = cap;
    }
    /* The record: the whole segment, its key chunk first when it has one;
     * a one-frame video segment is its own key chunk. */
    sv__seg_record rec = { f->start_pts, f->duration, (int64_t)f->size, 0 };
    const uint8_t *data = f->data;
    size_t size = f->size;
    if (w->pending.size) {
        int64_t end = f->start_pts + f->duration;
        rec.key_bytes = (int64_t)w->pending.size;
        rec.start_pts = w->pending_start < f->start_pts ? w->pending_start : f->start_pts;
        rec.duration = (end > w->pending_end ? end : w->pending_end) - rec.start_pts;
        sv__buf_append(&w->pending, f->data, f->size);
        if (w->pending.err)
            return sv__media_err(errbuf, errlen, SV_ERR_NOMEM, "out of memory (segment %d)",
                                 f->number);
        data = w->pending.data;
        size = w->pending.size;
    } else if (f->nb_samples == 1 && f->samples[0].keyframe) {
        rec.key_bytes = rec.bytes;
    }
    rec.bytes = (int64_t)size;
    snprintf(name, sizeof(name), "seg-%d.m4s", f->number);
    int rc = path_in(w, path, sizeof(path), name, errbuf, errlen);
    if (rc == 0)
        rc = sv__writer_put(w->writer, path, data, size, errbuf, errlen);
    w->pending.size = 0;
    if (rc < 0)
        return rc;
    w->timescale = f->timescale;
    w->segs[w->nb_segs++] = rec;
    w->total_bytes += rec.bytes;
    return 0;
}

int sv__segwriter_init(sv__segwriter *w, const char *dir, sv__writer *writer,
                       char *errbuf, size_t errlen)
{
    memset(w, 0, sizeof(*w));
    w->writer = writer;
    if (strlen(dir) >= sizeof(w->dir))
        return sv__media_err(errbuf, errlen, SV_ERR_IO, "path too long: %s", dir);
    strcpy(w->dir, dir);
    return sv__media_ioerr(errbuf, errlen, sv__mkdir(dir, 0), "create", dir);
}

sv__frag_sink sv__segwriter_sink(sv__segwriter *w)
{
    return (sv__frag_sink){ on_init, on_fragment, w };
}

void sv__segwriter_bandwidth(const sv__segwriter *w, int64_t *peak, int64_t *average)
{
    double best = 0, total_d = 0;
    int64_t total_b = 0;
    for (int i = 0; i < w->nb_segs; i++) {
        double d = (double)w->segs[i].duration / w->timescale;
        total_d += d;
        total_b += w->segs[i].bytes;
        /* A very short last segment would inflate the peak; HLS defines
         * BANDWIDTH over segments, so it counts, but at no less than 1 s. */
        double rate = w->segs[i].bytes * 8.0 / (d > 1.0 ? d : 1.0);
        if (rate > best)
            best = rate;
    }
    *peak = (int64_t)(best + 0.5);
    *average = total_d > 0 ? (int64_t)(total_b * 8.0 / total_d + 0.5) : 0;
}

void sv__segwriter_key_bandwidth(const sv__segwriter *w, int64_t *peak, int64_t *average)
{
    double best = 0, total_d = 0;
    int64_t total_b = 0;
    *peak = *average = 0;
    if (!sv__segwriter_has_keys(w))
        return;
    for (int i = 0; i < w->nb_segs; i++) {
        /* An I-frame's duration runs to the next one: its segment's. */
        double d = (double)w->segs[i].duration / w->timescale;
        total_d += d;
        total_b += w->segs[i].key_bytes;
        double rate = w->segs[i].key_bytes * 8.0 / (d > 1.0 ? d : 1.0);
        if (rate > best)
            best = rate;
    }
    *peak = (int64_t)(best + 0.5);
    *average = total_d > 0 ? (int64_t)(total_b * 8.0 / total_d + 0.5) : 0;
}

int sv__segwriter_has_keys(const sv__segwriter *w)
{
    if (w->nb_segs == 0 || w->timescale <= 0)
        return 0;
    for (int i = 0; i < w->nb_segs; i++)
        if (w->segs[i].key_bytes <= 0 || w->segs[i].key_bytes > w->segs[i].bytes)
            return 0;
    return 1;
}

double sv__segwriter_duration(const sv__segwriter *w)
{
    int64_t d = 0;
    for (int i = 0; i < w->nb_segs; i++)
        d += w->segs[i].duration;
    return w->timescale ? (double)d / w->timescale : 0.0;
}

void sv__segwriter_free(sv__segwriter *w)
{
    free(w->segs);
    sv__buf_free(&w->pending);
    w->segs = NULL;
    w->nb_segs = w->cap_segs = 0;
}
