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


#include "backend/media/internal.h"
#include "platform/fs.h"
#include "streamverse/common.h"

struct sv__tiles {
    sv__tiles_info info;
    double next_t;
    int cell;                /* cells filled in the current tile */
    char dir[4096];
    sv__writer *writer;      /* not owned; NULL: write in the caller's thread */
    sv__jpeg jpeg;           /* the grid; opened at the first frame, when the size is known */
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

static int open_grid(sv__tiles *t, const AVFrame *frame, char *errbuf, size_t errlen)
{
    t->info.thumb_width = SV__TILE_WIDTH;
    t->info.thumb_height = sv__jpeg_height(frame, SV__TILE_WIDTH);
    int ret = sv__jpeg_open(&t->jpeg, SV__TILE_WIDTH * t->info.cols,
                            t->info.thumb_height * t->info.rows, 5, "tile", errbuf, errlen);
    if (ret < 0)
        return ret;
    clear_grid(t->jpeg.pic);
    return 0;
}

/* Encodes the grid as the next tile-<n>.jpg and clears it. */
static int write_tile(sv__tiles *t, char *errbuf, size_t errlen)
{
    char path[4200];
    int bytes = 0, ret;
    snprintf(path, sizeof(path), "%s/tile-%d.jpg", t->dir, t->info.count + 1);
    if ((ret = sv__jpeg_write(&t->jpeg, t->info.count, path, t->writer, &bytes, "tile", errbuf,
                              errlen)) < 0)
        return ret;
    if (bytes > t->info.max_bytes)
        t->info.max_bytes = bytes;
    t->info.count++;
    t->cell = 0;
    if ((ret = av_frame_make_writable(t->jpeg.pic)) < 0)
        return sv__media_averr(errbuf, errlen, SV_ERR_NOMEM, ret, "tile frame");
    clear_grid(t->jpeg.pic);
    return 0;
}

/* Scales the frame into the next cell. */
static int fill_cell(sv__tiles *t, const AVFrame *frame, char *errbuf, size_t errlen)
{
    const int tw = t->info.thumb_width, th = t->info.thumb_height;
    int x = (t->cell % t->info.cols) * tw, y = (t->cell / t->info.cols) * th;
    int ret = sv__jpeg_scale(&t->jpeg, frame, x, y, tw, th, "tile thumbnail", errbuf, errlen);
    if (ret < 0)
        return ret;
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
    if (!t->jpeg.enc && (ret = open_grid(t, frame, errbuf, errlen)) < 0)
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
    sv__jpeg_close(&t->jpeg);
    free(t);
}
