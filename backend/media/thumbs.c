/*
 * Thumbnails: one 320-pixel-wide JPEG (FFmpeg's mjpeg encoder) every
 * interval of presentation time, taken from the decoded frames on the
 * decoding thread, as thumbs/thumb-<n>.jpg with n from 1. The first is the
 * first frame, so a title of duration D gets ceil(D / interval) images.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "backend/media/internal.h"
#include "platform/fs.h"
#include "streamverse/common.h"

#define THUMB_WIDTH 320

struct sv__thumbs {
    double interval;
    double next_t;
    int count;
    char dir[4096];
    sv__writer *writer;      /* not owned; NULL: write in the caller's thread */
    sv__jpeg jpeg;           /* opened at the first frame, when the size is known */
};

int sv__thumbs_open(sv__thumbs **out, double interval_s, const char *dir, sv__writer *writer,
                    char *errbuf, size_t errlen)
{
    sv__thumbs *t = calloc(1, sizeof(*t));
    if (!t)
        return sv__media_err(errbuf, errlen, SV_ERR_NOMEM, "out of memory (thumbnails)");
    t->writer = writer;
    t->interval = interval_s > 0 ? interval_s : 10.0;
    snprintf(t->dir, sizeof(t->dir), "%s", dir);
    int rc = sv__media_ioerr(errbuf, errlen, sv__mkdir(dir, 0), "create", dir);
    if (rc < 0) {
        free(t);
        return rc;
    }
    *out = t;
    return 0;
}

static int write_one(sv__thumbs *t, const AVFrame *frame, char *errbuf, size_t errlen)
{
    char path[4200];
    int ret = sv__jpeg_scale(&t->jpeg, frame, 0, 0, t->jpeg.pic->width, t->jpeg.pic->height,
                             "thumbnail", errbuf, errlen);
    if (ret < 0)
        return ret;
    snprintf(path, sizeof(path), "%s/thumb-%d.jpg", t->dir, t->count + 1);
    if ((ret = sv__jpeg_write(&t->jpeg, t->count, path, t->writer, NULL, "thumbnail", errbuf,
                              errlen)) < 0)
        return ret;
    t->count++;
    return 0;
}

int sv__thumbs_offer(sv__thumbs *t, const AVFrame *frame, double t_s, char *errbuf, size_t errlen)
{
    /* Half a millisecond of slack absorbs time base rounding. */
    if (t_s + 0.0005 < t->next_t)
        return 0;
    int ret;
    if (!t->jpeg.enc &&
        (ret = sv__jpeg_open(&t->jpeg, THUMB_WIDTH, sv__jpeg_height(frame, THUMB_WIDTH), 4,
                             "thumbnail", errbuf, errlen)) < 0)
        return ret;
    if ((ret = write_one(t, frame, errbuf, errlen)) < 0)
        return ret;
    /* After a gap in the source the next image is due at the next multiple. */
    t->next_t = (floor((t_s + 0.0005) / t->interval) + 1.0) * t->interval;
    return 0;
}

int sv__thumbs_count(const sv__thumbs *t) { return t->count; }

void sv__thumbs_destroy(sv__thumbs *t)
{
    if (!t)
        return;
    sv__jpeg_close(&t->jpeg);
    free(t);
}
