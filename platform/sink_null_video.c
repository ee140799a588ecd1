/*
 * The null video sink: shows nothing, hashes every frame.
 *
 * The MD5 covers each plane's rows (width_bytes each, padding excluded) in
 * plane order, which is exactly the buffer ffmpeg's framemd5 muxer hashes for
 * a rawvideo frame in the same pixel format, so headless runs compare
 * bit-for-bit with `ffmpeg -f framemd5`.
 */
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "abi.h"
#include "alloc.h"
#include "streamverse/sinks.h"
#include "thread.h"

/* The size of the first published version (ABI 1) of the record. */
#define RECORD_V1 SV__SIZE_TO(sv_null_frame_record, md5)

typedef struct null_video {
    sv_video_sink pub;          /* first: the public pointer is the object */
    sv_frame_hash_fn on_frame;
    void *opaque;
    int keep_records;
    int hashing;                /* set before the first frame */
    EVP_MD_CTX *md;             /* used only on the render thread */
    sv__mutex lock;
    /* Guarded by lock: */
    uint64_t frames;
    sv_null_frame_record *records;
    size_t nb_records, cap_records;
} null_video;

static int configure(void *opaque, const sv_video_frame *frame)
{
    (void)opaque;
    return frame && frame->nb_planes > 0 && frame->nb_planes <= 4 ? 0 : SV_ERR_INVALID;
}

static int hash_frame(null_video *s, const sv_video_frame *f, uint8_t md5[16], size_t *size)
{
    unsigned len = 0;

    *size = 0;
    if (f->nb_planes < 1 || f->nb_planes > 4)
        return SV_ERR_INVALID;
    if (!EVP_DigestInit_ex(s->md, EVP_md5(), NULL))
        return SV_ERR_INTERNAL;
    for (int p = 0; p < f->nb_planes; p++) {
        const sv_video_plane *pl = &f->planes[p];
        if (!pl->data || pl->width_bytes < 0 || pl->rows < 0 ||
            (pl->rows > 1 && abs(pl->stride) < pl->width_bytes))
            return SV_ERR_INVALID;
        for (int y = 0; y < pl->rows; y++) {
            if (!EVP_DigestUpdate(s->md, pl->data + (ptrdiff_t)y * pl->stride,
                                  (size_t)pl->width_bytes))
                return SV_ERR_INTERNAL;
        }
        *size += (size_t)pl->width_bytes * (size_t)pl->rows;
    }
    if (!EVP_DigestFinal_ex(s->md, md5, &len) || len != 16)
        return SV_ERR_INTERNAL;
    return 0;
}

static int record_locked(null_video *s, const sv_video_frame *f, const uint8_t md5[16],
                         size_t size)
{
    if (s->nb_records == s->cap_records) {
        size_t cap = s->cap_records ? s->cap_records * 2 : 256;
        sv_null_frame_record *r = sv__realloc(NULL, s->records, cap * sizeof(*r));
        if (!r)
            return SV_ERR_NOMEM;
        s->records = r;
        s->cap_records = cap;
    }
    sv_null_frame_record *r = &s->records[s->nb_records++];
    r->pts = f->pts;
    r->pts_us = f->pts_us;
    r->width = f->width;
    r->height = f->height;
    r->size = size;
    memcpy(r->md5, md5, 16);
    return 0;
}

static int present(void *opaque, const sv_video_frame *frame)
{
    null_video *s = opaque;
    uint8_t md5[16] = {0};
    size_t size = 0;
    int ret;

    if (!frame)
        return SV_ERR_INVALID;
    if (s->hashing && (ret = hash_frame(s, frame, md5, &size)) < 0)
        return ret;
    sv__mutex_lock(&s->lock);
    s->frames++;
    if (s->keep_records)
        ret = record_locked(s, frame, md5, size);
    sv__mutex_unlock(&s->lock);
    if (s->on_frame)
        s->on_frame(s->opaque, frame, s->hashing ? md5 : NULL);
    return ret;
}

static void destroy(sv_video_sink *sink)
{
    null_video *s = (null_video *)sink;
    if (!s)
        return;
    EVP_MD_CTX_free(s->md);
    sv__mutex_destroy(&s->lock);
    sv__free(NULL, s->records);
    sv__free(NULL, s);
}

SV_API int sv_null_video_sink_create(sv_video_sink **out, sv_frame_hash_fn on_frame,
                                     void *opaque, int keep_records)
{
    null_video *s;

    if (!out)
        return SV_ERR_INVALID;
    if (!(s = sv__calloc(NULL, 1, sizeof(*s))))
        return SV_ERR_NOMEM;
    if (!(s->md = EVP_MD_CTX_new()))
        goto fail_md;
    if (sv__mutex_init(&s->lock) < 0)
        goto fail_mutex;
    s->on_frame = on_frame;
    s->opaque = opaque;
    s->keep_records = keep_records;
    s->hashing = 1;
    s->pub.struct_size = sizeof(s->pub);
    s->pub.formats = NULL; /* any format, hashed as decoded */
    s->pub.configure = configure;
    s->pub.present = present;
    s->pub.flush = NULL;
    s->pub.destroy = destroy;
    s->pub.opaque = s;
    *out = &s->pub;
    return 0;

fail_mutex:
    EVP_MD_CTX_free(s->md);
fail_md:
    sv__free(NULL, s);
    return SV_ERR_NOMEM;
}

static const null_video *as_null_video(const sv_video_sink *sink)
{
    return sink && sink->present == present ? (const null_video *)sink : NULL;
}

SV_API uint64_t sv_null_video_sink_frames(const sv_video_sink *sink)
{
    const null_video *s = as_null_video(sink);
    uint64_t n;

    if (!s)
        return 0;
    sv__mutex_lock((sv__mutex *)&s->lock);
    n = s->frames;
    sv__mutex_unlock((sv__mutex *)&s->lock);
    return n;
}

SV_API int sv_null_video_sink_record(const sv_video_sink *sink, uint64_t index,
                                     sv_null_frame_record *rec)
{
    const null_video *s = as_null_video(sink);
    sv_null_frame_record full;
    int ret = SV_ERR_RANGE;

    if (!s || sv__struct_size(rec) < RECORD_V1)
        return SV_ERR_INVALID;
    sv__mutex_lock((sv__mutex *)&s->lock);
    if (index < s->nb_records) {
        full = s->records[index];
        ret = 0;
    }
    sv__mutex_unlock((sv__mutex *)&s->lock);
    return ret < 0 ? ret : sv__struct_write(rec, &full, sizeof(full), RECORD_V1);
}

SV_API int sv_null_video_sink_set_hashing(sv_video_sink *sink, int enabled)
{
    null_video *s = (null_video *)as_null_video(sink);

    if (!s)
        return SV_ERR_INVALID;
    s->hashing = !!enabled;
    return 0;
}
