/*
 * Seek thumbnails as tiles: one small thumbnail (SV__TILE_WIDTH pixels
 * wide, the source's display aspect) every tile_interval_s of presentation
 * time, scaled with libswscale straight into its cell of a grid of
 * SV__TILE_COLS x SV__TILE_ROWS, and each full grid encoded once with
 * FFmpeg's mjpeg encoder as thumbs/tile-<n>.jpg (n from 1). Cell k of tile
 * n shows time ((n - 1) x cols x rows + k) x interval; the last tile's
 * unused cells stay black. hls.c and dash.c signal them (an HLS image
 * playlist, a DASH image AdaptationSet) from sv__tiles_info().
 *
 * The frames are the decoded ones the ingest already has, on the decoding
 * thread; the JPEG files go through the ingest's writer.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libswscale/swscale.h>

#include "backend/media/internal.h"
#include "platform/fs.h"
#include "streamverse/common.h"

struct sv__tiles {
    sv__tiles_info info;
    double next_t;
    int cell;                /* cells filled in the current tile */
    char dir[4096];
    sv__writer *writer;      /* not owned; NULL: write in the caller's thread */
    AVCodecContext *enc;     /* opened at the first frame, when the size is known */
    struct SwsContext *sws;
    AVFrame *grid;
    AVPacket *pkt;
};

int sv__tiles_open(sv__tiles **out, double interval_s, const char *dir, sv__writer *writer,
                   char *errbuf, size_t errlen)
{
    sv__tiles *t = calloc(1, sizeof(*t));
    if (!t)
        return sv__media_err(errbuf, errlen, SV_ERR_NOMEM, "out of memory (tiles)");
    t->writer = writer;
    t->info.interval_s = interval_s > 0 ? interval_s : SV__TILE_INTERVAL_DEFAULT;
    t->info.cols = SV__TILE_COLS;
    t->info.rows = SV__TILE_ROWS;
    snprintf(t->dir, sizeof(t->dir), "%s", dir);
    int rc = sv__media_ioerr(errbuf, errlen, sv__mkdir(dir, 0), "create", dir);
    if (rc < 0) {
        free(t);
        return rc;
    }
    *out = t;
    return 0;
}

/* Paints the whole grid black (full-range YUV). */
static void clear_grid(AVFrame *g)
{
    for (int p = 0; p < 3; p++) {
        int h = p ? g->height / 2 : g->height;
        for (int y = 0; y < h; y++)
            memset(g->data[p] + (size_t)y * g->linesize[p], p ? 128 : 0,
                   (size_t)(p ? g->width / 2 : g->width));
    }
}

static int open_encoder(sv__tiles *t, const AVFrame *frame, char *errbuf, size_t errlen)
{
    double sar = frame->sample_aspect_ratio.num > 0 ? av_q2d(frame->sample_aspect_ratio) : 1.0;
    int h = (int)lrint(SV__TILE_WIDTH * frame->height / (frame->width * sar) / 2.0) * 2;
    if (h < 2)
        h = 2;
    t->info.thumb_width = SV__TILE_WIDTH;
    t->info.thumb_height = h;
    const AVCodec *codec = avcodec_find_encoder(AV_CODEC_ID_MJPEG);
    if (!codec)
        return sv__media_err(errbuf, errlen, SV_ERR_UNSUPPORTED, "no mjpeg encoder");
    t->enc = avcodec_alloc_context3(codec);
    t->grid = av_frame_alloc();
    t->pkt = av_packet_alloc();
    if (!t->enc || !t->grid || !t->pkt)
        return sv__media_err(errbuf, errlen, SV_ERR_NOMEM, "out of memory (tiles)");
    t->enc->width = SV__TILE_WIDTH * t->info.cols;
    t->enc->height = h * t->info.rows;
    t->enc->pix_fmt = AV_PIX_FMT_YUV420P;
    t->enc->color_range = AVCOL_RANGE_JPEG;
    t->enc->time_base = (AVRational){ 1, 25 };
    t->enc->flags |= AV_CODEC_FLAG_QSCALE;
    t->enc->global_quality = FF_QP2LAMBDA * 5;
    int ret = avcodec_open2(t->enc, codec, NULL);
    if (ret < 0)
        return sv__media_averr(errbuf, errlen, SV_ERR_UNSUPPORTED, ret, "mjpeg encoder");
    t->grid->format = AV_PIX_FMT_YUV420P;
    t->grid->color_range = AVCOL_RANGE_JPEG;
    t->grid->width = t->enc->width;
    t->grid->height = t->enc->height;
    if ((ret = av_frame_get_buffer(t->grid, 0)) < 0)
        return sv__media_averr(errbuf, errlen, SV_ERR_NOMEM, ret, "tile frame");
    clear_grid(t->grid);
    return 0;
}

/* Encodes the grid as the next tile-<n>.jpg and clears it. */
static int write_tile(sv__tiles *t, char *errbuf, size_t errlen)
{
    int ret;
    char path[4200];
    t->grid->pts = t->info.count;
    if ((ret = avcodec_send_frame(t->enc, t->grid)) < 0 ||
        (ret = avcodec_receive_packet(t->enc, t->pkt)) < 0)
        return sv__media_averr(errbuf, errlen, SV_ERR_INTERNAL, ret, "mjpeg encode (tile)");
    snprintf(path, sizeof(path), "%s/tile-%d.jpg", t->dir, t->info.count + 1);
    ret = t->writer ? sv__writer_submit(t->writer, path, t->pkt->data, (size_t)t->pkt->size,
                                        errbuf, errlen)
                    : sv__media_ioerr(errbuf, errlen,
                                      sv__file_write(path, t->pkt->data,
                                                     (size_t)t->pkt->size, 0644),
                                      "write", path);
    if (t->pkt->size > t->info.max_bytes)
        t->info.max_bytes = t->pkt->size;
    av_packet_unref(t->pkt);
    if (ret < 0)
        return ret;
    t->info.count++;
    t->cell = 0;
    if ((ret = av_frame_make_writable(t->grid)) < 0)
        return sv__media_averr(errbuf, errlen, SV_ERR_NOMEM, ret, "tile frame");
    clear_grid(t->grid);
    return 0;
}

/* Scales the frame into the next cell. */
static int fill_cell(sv__tiles *t, const AVFrame *frame, char *errbuf, size_t errlen)
{
    const int tw = t->info.thumb_width, th = t->info.thumb_height;
    t->sws = sws_getCachedContext(t->sws, frame->width, frame->height, frame->format, tw, th,
                                  AV_PIX_FMT_YUV420P, SWS_BICUBIC, NULL, NULL, NULL);
    if (!t->sws)
        return sv__media_err(errbuf, errlen, SV_ERR_UNSUPPORTED, "cannot scale a tile thumbnail");
    /* Source range as tagged (limited when unknown), output full range. */
    const int *coefs = sws_getCoefficients(SWS_CS_DEFAULT);
    sws_setColorspaceDetails(t->sws, coefs, frame->color_range == AVCOL_RANGE_JPEG, coefs, 1, 0,
                             1 << 16, 1 << 16);
    int ret = av_frame_make_writable(t->grid);
    if (ret < 0)
        return sv__media_averr(errbuf, errlen, SV_ERR_NOMEM, ret, "tile frame");
    /* Even sizes and offsets: the chroma cell starts at half the luma's. */
    int x = (t->cell % t->info.cols) * tw, y = (t->cell / t->info.cols) * th;
    uint8_t *dst[4] = {
        t->grid->data[0] + (size_t)y * t->grid->linesize[0] + x,
        t->grid->data[1] + (size_t)(y / 2) * t->grid->linesize[1] + x / 2,
        t->grid->data[2] + (size_t)(y / 2) * t->grid->linesize[2] + x / 2,
        NULL,
    };
    sws_scale(t->sws, (const uint8_t *const *)frame->data, frame->linesize, 0, frame->height,
              dst, t->grid->linesize);
    t->cell++;
    t->info.thumbs++;
    return 0;
}

int sv__tiles_offer(sv__tiles *t, const AVFrame *frame, double t_s, char *errbuf, size_t errlen)
{
    /* Half a millisecond of slack absorbs time base rounding. */
    if (t_s + 0.0005 < t->next_t)
        return 0;
    int ret;
    if (!t->enc && (ret = open_encoder(t, frame, errbuf, errlen)) < 0)
        return ret;
    /* Cell k always shows time k x interval: after a gap in the source the
     * cells of the missing times stay black (no frame was there). */
    int due = (int)floor((t_s + 0.0005) / t->info.interval_s) + 1 - t->info.thumbs;
    for (int i = 0; i < due; i++) {
        if (i + 1 < due) {
            t->cell++;
            t->info.thumbs++;
        } else if ((ret = fill_cell(t, frame, errbuf, errlen)) < 0) {
            return ret;
        }
        if (t->cell == t->info.cols * t->info.rows && (ret = write_tile(t, errbuf, errlen)) < 0)
            return ret;
    }
    t->next_t = t->info.thumbs * t->info.interval_s;
    return 0;
}

int sv__tiles_finish(sv__tiles *t, char *errbuf, size_t errlen)
{
    return t->cell > 0 ? write_tile(t, errbuf, errlen) : 0;
}

const sv__tiles_info *sv__tiles_info_of(const sv__tiles *t)
{
    return &t->info;
}

void sv__tiles_destroy(sv__tiles *t)
{
    if (!t)
        return;
    avcodec_free_context(&t->enc);
    sws_freeContext(t->sws);
    av_frame_free(&t->grid);
    av_packet_free(&t->pkt);
    free(t);
}
