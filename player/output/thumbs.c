/*
 * thumbs.c - seek thumbnails (output.h, "thumbnails"): the JPEG tiles of a
 * period's thumbnail set fetched one after the other once the host first
 * asks for a thumbnail (the tile under the position first, then on from
 * there; a host that never asks spends no bandwidth on them), kept as JPEG,
 * and cut out
 * and converted for the host on demand: libavcodec's mjpeg decoder (the
 * last tile decoded is kept, so scrubbing within a tile decodes nothing)
 * and libswscale to RGBA.
 *
 * A period with no image set but an I-frame track (on demand, clear) has
 * its key frames as thumbnails instead: each entry of the track's lowest
 * representation is a "tile" of one cell, its bytes fetched like a tile's
 * (after the init segment) and decoded by sv__keyframe_decode.
 *
 * Fetching runs on the loop thread; sv__thumbs_get() on any thread, under
 * the module's lock.
 */
#include <math.h>
#include <stdatomic.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

#include "platform/thread.h"
#include "player/output/output.h"

#define MAX_TILES 100000

typedef struct tile {
    uint8_t *jpeg;             /* NULL until fetched (a JPEG, or a key frame's bytes) */
    size_t size;
    int failed;                /* the fetch or the decode failed: never tried again */
} tile;

struct sv__thumbs {
    const sv__env *env;
    sv__fetcher *fetcher;      /* borrowed */
    /* Loop thread: */
    sv__presentation *pres;    /* borrowed until the next reset or select */
    sv__period *period;        /* its period whose thumbnails are read, NULL none */
    int playlist;              /* an HLS image playlist is on its way */
    int playlist_tried;        /* it was asked for (once per select) */
    atomic_int wanted;         /* the host asked for a thumbnail: fetching may start */
    const sv__rep *rep;        /* the period's thumbnail set once listed, NULL none */
    sv__rep *src;              /* the rep whose entries are the images: per->thumbs, or
                                  the trick track's lowest (keyframes) */
    int keyframes;             /* the images are key frames of the I-frame track */
    int init_state;            /* keyframes: 0 to fetch, 1 on its way, 2 held, -1 failed */
    double period_start;
    int64_t fetch_id;          /* > 0 while a tile is on its way */
    size_t fetching;
    /* Guarded by lock: */
    sv__mutex lock;
    tile *tiles;
    size_t nb_tiles;
    int cols, rows;
    double *starts, *durations; /* each tile's span, presentation seconds */
    double nominal;            /* a whole tile's seconds by the manifest (0: unknown),
                                  kept by a cut last one */
    uint8_t *init;             /* keyframes: the init segment (under lock once held) */
    size_t init_size;
    AVCodecContext *dec;
    AVFrame *frame;            /* the tile decoded last */
    size_t frame_tile;         /* its index; nb_tiles when none */
    int listing;               /* the thumbnails' list is still to be read (HLS) */
    AVPacket *pkt;
    struct SwsContext *sws;    /* cell to RGBA, kept while the tiles' size and format hold */
};

int sv__thumbs_create(sv__thumbs **out, const sv__env *env, sv__fetcher *fetcher)
{
    sv__thumbs *t = sv__calloc(env->alloc, 1, sizeof(*t));
    const AVCodec *codec = avcodec_find_decoder(AV_CODEC_ID_MJPEG);

    if (!t)
        return SV_ERR_NOMEM;
    t->env = env;
    t->fetcher = fetcher;
    if (!codec || !(t->dec = avcodec_alloc_context3(codec)) || !(t->frame = av_frame_alloc()) ||
        !(t->pkt = av_packet_alloc()) || avcodec_open2(t->dec, codec, NULL) < 0 ||
        sv__mutex_init(&t->lock) < 0) {
        avcodec_free_context(&t->dec);
        av_frame_free(&t->frame);
        av_packet_free(&t->pkt);
        sv__free(env->alloc, t);
        return SV_ERR_INTERNAL;
    }
    *out = t;
    return 0;
}

static void clear_locked(sv__thumbs *t)
{
    t->listing = 0;
    for (size_t i = 0; i < t->nb_tiles; i++)
        sv__free(t->env->alloc, t->tiles[i].jpeg);
    sv__free(t->env->alloc, t->tiles);
    sv__free(t->env->alloc, t->starts);
    sv__free(t->env->alloc, t->durations);
    t->tiles = NULL;
    t->starts = t->durations = NULL;
    t->nb_tiles = 0;
    t->nominal = 0;
    t->frame_tile = 0;
    av_frame_unref(t->frame);
}

void sv__thumbs_reset(sv__thumbs *t)
{
    if (t->fetch_id > 0)
        sv__fetch_cancel(t->fetcher, t->fetch_id);
    t->fetch_id = 0;
    t->rep = NULL;
    t->src = NULL;
    t->keyframes = 0;
    t->init_state = 0;
    t->pres = NULL;
    t->period = NULL;
    t->playlist = 0;
    t->playlist_tried = 0;
    sv__mutex_lock(&t->lock);
    clear_locked(t);
    sv__free(t->env->alloc, t->init);
    t->init = NULL;
    t->init_size = 0;
    sv__mutex_unlock(&t->lock);
}

void sv__thumbs_destroy(sv__thumbs *t)
{
    if (!t)
        return;
    sv__thumbs_reset(t);
    avcodec_free_context(&t->dec);
    av_frame_free(&t->frame);
    av_packet_free(&t->pkt);
    sws_freeContext(t->sws);
    sv__mutex_destroy(&t->lock);
    sv__free(t->env->alloc, t);
}

/* The tile table of the period's listed thumbnail set. */
static int list_tiles(sv__thumbs *t)
{
    const sv__period *per = t->period;
    const sv__rep *rep = t->src;
    int cols = t->keyframes ? 1 : per->thumb_cols, rows = t->keyframes ? 1 : per->thumb_rows;
    if (rep->seg_state != SV__SEGS_READY || !rep->nb_segs || rep->nb_segs > MAX_TILES ||
        cols < 1 || rows < 1)
        return 0;
    if (t->keyframes && (sv__rep_segment(rep, 0).key || !sv__rep_segment(rep, 0).init)) {
        SV_LOGI(t->env->log, "thumbs", "no thumbnails from the I-frame track: %s",
                sv__rep_segment(rep, 0).key ? "it is encrypted" : "it has no init segment");
        return 0;
    }
    size_t n = rep->nb_segs;
    sv__mutex_lock(&t->lock);
    t->tiles = sv__calloc(t->env->alloc, n, sizeof(*t->tiles));
    t->starts = sv__calloc(t->env->alloc, n, sizeof(*t->starts));
    t->durations = sv__calloc(t->env->alloc, n, sizeof(*t->durations));
    int ret = t->tiles && t->starts && t->durations ? 0 : SV_ERR_NOMEM;
    if (ret == 0) {
        for (size_t i = 0; i < n; i++) {
            const sv__segment seg = sv__rep_segment(rep, i);
            t->starts[i] = seg.start;
            t->durations[i] = seg.duration;
        }
        t->nb_tiles = n;
        /* What a cut last image keeps: the template's @duration (DASH), or
         * EXT-X-TILES DURATION x the grid (HLS). */
        t->nominal = per->thumb_cell_s > 0 ? per->thumb_cell_s * per->thumb_cols * per->thumb_rows
                                           : sv__rep_nominal_duration(rep);
        t->frame_tile = n;
        t->cols = cols;
        t->rows = rows;
        t->rep = rep;
    } else {
        clear_locked(t);
    }
    sv__mutex_unlock(&t->lock);
    return ret;
}

static void on_playlist(void *opaque, sv__fetch_result *r)
{
    sv__thumbs *t = opaque;
    sv__parse_error err = { 0 };

    t->fetch_id = 0;
    t->playlist = 0;
    if (r->error)
        SV_LOGW(t->env->log, "thumbs", "thumbnail playlist: %s", r->message);
    else if (t->keyframes ? sv__model_hls_media(t->pres, t->src, (const char *)r->data, r->size,
                                                r->url, &err) < 0
                          : sv__model_hls_thumbs(t->pres, t->period, (const char *)r->data,
                                                 r->size, r->url, &err) < 0)
        SV_LOGW(t->env->log, "thumbs", "%s: line %d: %s", r->url, err.line, err.message);
    else if (list_tiles(t) < 0)
        SV_LOGW(t->env->log, "thumbs", "out of memory for the thumbnail tiles");
    sv__mutex_lock(&t->lock);
    t->listing = 0; /* read or failed: the answer is known either way */
    sv__mutex_unlock(&t->lock);
    sv__free(t->env->alloc, r->data);
}

/* Whether the period's video is announced encrypted (its key frames could
 * not be decoded here). */
static int video_encrypted(const sv__period *per)
{
    for (size_t i = 0; i < per->nb_tracks; i++)
        if (per->tracks[i].type == SV_TRACK_VIDEO && per->tracks[i].encrypted)
            return 1;
    return 0;
}

int sv__thumbs_select(sv__thumbs *t, sv__presentation *pres, int period)
{
    sv__thumbs_reset(t);
    if (!pres || period < 0 || (size_t)period >= pres->nb_periods)
        return 0;
    sv__period *per = &pres->periods[period];
    if (per->thumbs) {
        t->src = per->thumbs;
    } else if (per->trick && per->trick->nb_reps && !pres->live && !video_encrypted(per)) {
        t->src = &per->trick->reps[0]; /* the lowest bandwidth */
        t->keyframes = 1;
    } else {
        return 0;
    }
    t->pres = pres;
    t->period = per;
    if (t->src->seg_state == SV__SEGS_READY)
        return list_tiles(t);
    sv__mutex_lock(&t->lock);
    t->listing = 1;
    sv__mutex_unlock(&t->lock);
    return 0;
}

/* An HLS image playlist, fetched the first time the tick may fetch. */
static void fetch_playlist(sv__thumbs *t)
{
    const sv__rep *rep = t->src;
    sv__fetch_req req = { .kind = SV__FETCH_MANIFEST, .url = rep->playlist_url, .length = -1 };

    t->playlist_tried = 1;
    if (rep->seg_state != SV__SEGS_NEED_PLAYLIST || !rep->playlist_url)
        return;
    t->playlist = 1;
    if ((t->fetch_id = sv__fetch(t->fetcher, &req, on_playlist, t)) < 0) {
        t->fetch_id = 0;
        t->playlist = 0;
    }
}

static void on_init(void *opaque, sv__fetch_result *r)
{
    sv__thumbs *t = opaque;

    t->fetch_id = 0;
    if (r->error || !r->size) {
        SV_LOGW(t->env->log, "thumbs", "no thumbnails from the I-frame track: %s",
                r->error ? r->message : "an empty init segment");
        t->init_state = -1;
        sv__mutex_lock(&t->lock);
        for (size_t i = 0; i < t->nb_tiles; i++)
            t->tiles[i].failed = 1;
        sv__mutex_unlock(&t->lock);
        sv__free(t->env->alloc, r->data);
        return;
    }
    sv__mutex_lock(&t->lock);
    t->init = r->data;
    t->init_size = r->size;
    sv__mutex_unlock(&t->lock);
    t->init_state = 2;
}

/* Key frames: the rep's init segment, before any of them. */
static void fetch_init(sv__thumbs *t)
{
    const sv__segment seg = sv__rep_segment(t->rep, 0);
    sv__fetch_req req = { .kind = SV__FETCH_SEGMENT, .url = seg.init->url,
                          .offset = seg.init->offset, .length = seg.init->length };
    t->init_state = 1;
    if ((t->fetch_id = sv__fetch(t->fetcher, &req, on_init, t)) < 0) {
        t->fetch_id = 0;
        t->init_state = -1;
    }
}

static void on_tile(void *opaque, sv__fetch_result *r)
{
    sv__thumbs *t = opaque;

    t->fetch_id = 0;
    sv__mutex_lock(&t->lock);
    if (t->fetching < t->nb_tiles) {
        tile *tl = &t->tiles[t->fetching];
        if (r->error || !r->size) {
            tl->failed = 1;
        } else {
            tl->jpeg = r->data;
            tl->size = r->size;
            r->data = NULL;
        }
    }
    sv__mutex_unlock(&t->lock);
    if (r->error)
        SV_LOGW(t->env->log, "thumbs", "thumbnail tile skipped: %s", r->message);
    sv__free(t->env->alloc, r->data);
}

/* The tile holding `time`, or nb_tiles. Under the lock. */
static size_t tile_at(const sv__thumbs *t, double time)
{
    size_t lo = 0, hi = t->nb_tiles;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->starts[mid] <= time)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0 || time >= t->starts[lo - 1] + t->durations[lo - 1])
        return t->nb_tiles;
    return lo - 1;
}

void sv__thumbs_tick(sv__thumbs *t, double position)
{
    char url[SV__URL_MAX];

    if (!atomic_load(&t->wanted) || !t->period || t->fetch_id > 0 || t->playlist)
        return;
    if (!t->rep) {
        if (!t->playlist_tried)
            fetch_playlist(t);
        return;
    }
    if (t->keyframes && t->init_state != 2) {
        if (t->init_state == 0)
            fetch_init(t);
        return;
    }
    sv__mutex_lock(&t->lock);
    /* The tile under the position first, then the ones after it, then
     * those before. */
    size_t n = t->nb_tiles, from = tile_at(t, position), next = n;
    from = from < n ? from : 0;
    for (size_t k = 0; k < n && next == n; k++) {
        size_t i = (from + k) % n;
        if (!t->tiles[i].jpeg && !t->tiles[i].failed)
            next = i;
    }
    sv__mutex_unlock(&t->lock);
    if (next == n)
        return; /* all fetched */
    const sv__segment seg = sv__rep_segment(t->rep, next);
    sv__fetch_req req = { .kind = SV__FETCH_SEGMENT, .offset = seg.offset, .length = seg.length };
    req.url = sv__segment_url(t->rep, &seg, url, sizeof(url));
    t->fetching = next;
    t->fetch_id = req.url ? sv__fetch(t->fetcher, &req, on_tile, t) : SV_ERR_INTERNAL;
    if (t->fetch_id < 0) {
        sv__mutex_lock(&t->lock);
        t->tiles[next].failed = 1;
        sv__mutex_unlock(&t->lock);
        t->fetch_id = 0;
    }
}

/* Tile i cannot be used: never tried again, warned and counted. */
static int broken(sv__thumbs *t, size_t i, const char *why)
{
    t->tiles[i].failed = 1;
    SV_LOGW(t->env->log, "thumbs", "thumbnail image %zu (from %.3f s) skipped: it %s", i + 1,
            t->starts[i], why);
    sv__mutex_lock(&t->env->st->lock);
    t->env->st->stats.text_skipped++;
    sv__mutex_unlock(&t->env->st->lock);
    return SV_ERR_DECODE;
}

/* Decodes tile i into t->frame unless it is there. Under the lock. */
static int decode_tile(sv__thumbs *t, size_t i)
{
    int ret;

    if (t->frame_tile == i)
        return 0;
    av_frame_unref(t->frame);
    t->frame_tile = t->nb_tiles;
    if (t->keyframes) {
        if (sv__keyframe_decode(t->init, t->init_size, t->tiles[i].jpeg, t->tiles[i].size,
                                t->frame) < 0)
            return broken(t, i, "is not a key frame that decodes");
        t->frame_tile = i;
        return 0;
    }
    t->pkt->data = t->tiles[i].jpeg;
    t->pkt->size = (int)t->tiles[i].size;
    if ((ret = avcodec_send_packet(t->dec, t->pkt)) < 0 ||
        (ret = avcodec_receive_frame(t->dec, t->frame)) < 0) {
        avcodec_flush_buffers(t->dec);
        return broken(t, i, "is not a JPEG that decodes");
    }
    if (t->frame->width < t->cols || t->frame->height < t->rows)
        return broken(t, i, "is smaller than its grid");
    t->frame_tile = i;
    return 0;
}

int sv__thumbs_get(sv__thumbs *t, double time, sv_thumbnail *out)
{
    int ret = 0;

    atomic_store(&t->wanted, 1); /* from now on the tick fetches */
    sv__mutex_lock(&t->lock);
    size_t i = t->nb_tiles ? tile_at(t, time) : 0;
    if (!t->nb_tiles && t->listing) {
        ret = SV_ERR_AGAIN; /* the HLS image playlist is not read yet */
    } else if (!t->nb_tiles || i == t->nb_tiles) {
        ret = SV_ERR_NOT_FOUND;
    } else if (t->tiles[i].failed) {
        ret = SV_ERR_DECODE;
    } else if (!t->tiles[i].jpeg) {
        ret = SV_ERR_AGAIN;
    } else if ((ret = decode_tile(t, i)) == 0) {
        int cells = t->cols * t->rows;
        /* The last image is cut at the period's end: its cells keep the
         * length the others have, or the manifest's (DASH @duration, HLS
         * EXT-X-TILES DURATION) when it is the only one (a title shorter
         * than one image). */
        double span = t->durations[i];
        if (i + 1 == t->nb_tiles && i > 0 && span < t->durations[i - 1])
            span = t->durations[i - 1];
        if (i + 1 == t->nb_tiles && span < t->nominal)
            span = t->nominal;
        double cell_dur = span / cells;
        int k = (int)((time - t->starts[i]) / cell_dur);
        k = k < 0 ? 0 : k >= cells ? cells - 1 : k;
        int cw = t->frame->width / t->cols, ch = t->frame->height / t->rows;
        out->width = cw;
        out->height = ch;
        out->start_s = t->starts[i] + k * cell_dur;
        out->duration_s = cell_dur;
        if (!out->pixels || out->capacity < (size_t)cw * (size_t)ch * 4) {
            ret = SV_ERR_OVERFLOW;
        } else {
            /* The cell, cut out of each plane (chroma by its subsampling). */
            const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(t->frame->format);
            int x = (k % t->cols) * cw, y = (k / t->cols) * ch;
            const uint8_t *src[4] = { NULL };
            for (int p = 0; p < 4 && t->frame->data[p]; p++) {
                int sx = p == 1 || p == 2 ? x >> d->log2_chroma_w : x;
                int sy = p == 1 || p == 2 ? y >> d->log2_chroma_h : y;
                src[p] = t->frame->data[p] + (ptrdiff_t)sy * t->frame->linesize[p] + sx;
            }
            /* JPEG's full-range YUV formats by their plain names, the
             * range said to libswscale. */
            enum AVPixelFormat fmt = t->frame->format;
            int full = fmt == AV_PIX_FMT_YUVJ420P || fmt == AV_PIX_FMT_YUVJ422P ||
                       fmt == AV_PIX_FMT_YUVJ444P || t->frame->color_range == AVCOL_RANGE_JPEG;
            fmt = fmt == AV_PIX_FMT_YUVJ420P ? AV_PIX_FMT_YUV420P
                  : fmt == AV_PIX_FMT_YUVJ422P ? AV_PIX_FMT_YUV422P
                  : fmt == AV_PIX_FMT_YUVJ444P ? AV_PIX_FMT_YUV444P : fmt;
            struct SwsContext *sws = t->sws =
                sws_getCachedContext(t->sws, cw, ch, fmt, cw, ch, AV_PIX_FMT_RGBA, SWS_BILINEAR,
                                     NULL, NULL, NULL);
            if (sws) {
                const int *coeffs = sws_getCoefficients(SWS_CS_ITU601);
                sws_setColorspaceDetails(sws, coeffs, full, coeffs, 1, 0, 1 << 16, 1 << 16);
            }
            uint8_t *dst[4] = { out->pixels };
            int dst_stride[4] = { cw * 4 };
            if (!sws || sws_scale(sws, src, t->frame->linesize, 0, ch, dst, dst_stride) != ch)
                ret = SV_ERR_INTERNAL;
        }
    }
    sv__mutex_unlock(&t->lock);
    return ret;
}
