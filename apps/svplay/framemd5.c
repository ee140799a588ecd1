/*
 * --framemd5: the text ffmpeg's framemd5 muxer writes (format version 2,
 * as with -fflags +bitexact, so without the "#software" line), one line per
 * presented frame with the null sink's MD5 of the frame's bytes.
 *
 * ffmpeg's time base for raw video is one frame period (1/25, 1001/30000),
 * and its timestamps count frames from the start. The header needs that
 * time base before the first line, so the first frame waits for the second:
 * the pts step between them, in the decoder's exact time base, is the frame
 * period. Later frames are placed by their presentation time in
 * microseconds, which survives a change of decoder time base when ABR
 * switches representation.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "svplay.h"

typedef struct pending_frame {
    int64_t pts, pts_us, duration_us;
    int tb_num, tb_den;
    int width, height, sar_num, sar_den;
    size_t size;
    uint8_t md5[16];
} pending_frame;

struct svp_framemd5 {
    FILE *f;
    int have_first;          /* `first` waits for the header */
    int header_done;
    pending_frame first;
    int64_t tb_num, tb_den;  /* output time base: one frame period */
    int write_error;
};

static int64_t gcd64(int64_t a, int64_t b)
{
    while (b) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static void set_tb(svp_framemd5 *m, int64_t num, int64_t den)
{
    int64_t g = gcd64(num, den);
    m->tb_num = num / g;
    m->tb_den = den / g;
}

/* Picks the output time base from the first frame and, when there is one,
 * the second. */
static void choose_tb(svp_framemd5 *m, const pending_frame *a, const pending_frame *b)
{
    if (b && a->tb_num > 0 && a->tb_den > 0 && b->tb_num == a->tb_num &&
        b->tb_den == a->tb_den && b->pts > a->pts) {
        set_tb(m, (b->pts - a->pts) * a->tb_num, a->tb_den);
    } else if (b && b->pts_us > a->pts_us) {
        set_tb(m, b->pts_us - a->pts_us, 1000000);
    } else if (a->duration_us > 0) {
        set_tb(m, a->duration_us, 1000000);
    } else {
        set_tb(m, 1, 25); /* a single frame of unknown length: any period will do */
    }
}

static void write_header(svp_framemd5 *m, const pending_frame *fr)
{
    int sar_num = fr->sar_num, sar_den = fr->sar_den;

    if (sar_num <= 0 || sar_den <= 0) {
        sar_num = 0; /* ffmpeg prints an unknown aspect ratio as 0/1 */
        sar_den = 1;
    }
    fprintf(m->f,
            "#format: frame checksums\n"
            "#version: 2\n"
            "#hash: MD5\n"
            "#tb 0: %lld/%lld\n"
            "#media_type 0: video\n"
            "#codec_id 0: rawvideo\n"
            "#dimensions 0: %dx%d\n"
            "#sar 0: %d/%d\n"
            "#stream#, dts,        pts, duration,     size, hash\n",
            (long long)m->tb_num, (long long)m->tb_den, fr->width, fr->height, sar_num, sar_den);
    m->header_done = 1;
}

static void write_line(svp_framemd5 *m, const pending_frame *fr)
{
    /* Microseconds to frame periods, to the nearest. */
    double period_us = 1e6 * (double)m->tb_num / (double)m->tb_den;
    /* Times are on the presentation timeline (0 at the start of a VOD), so
     * after --start the first line says where playback landed. */
    long long pts = llround((double)fr->pts_us / period_us);
    long long dur = fr->duration_us > 0 ? llround((double)fr->duration_us / period_us) : 1;
    char hex[33];

    for (int i = 0; i < 16; i++)
        snprintf(hex + 2 * i, 3, "%02x", fr->md5[i]);
    if (dur <= 0)
        dur = 1;
    /* ffmpeg: "%d, %10"PRId64", %10"PRId64", %8"PRId64", %8d, " then the hash. */
    if (fprintf(m->f, "0, %10lld, %10lld, %8lld, %8zu, %s\n", pts, pts, dur, fr->size, hex) < 0)
        m->write_error = 1;
}

int svp_framemd5_open(svp_framemd5 **out, const char *path)
{
    svp_framemd5 *m = calloc(1, sizeof(*m));

    if (!m) {
        fprintf(stderr, "svplay: out of memory\n");
        return -1;
    }
    m->f = strcmp(path, "-") ? fopen(path, "w") : stdout;
    if (!m->f) {
        fprintf(stderr, "svplay: cannot write %s: %s\n", path, strerror(errno));
        free(m);
        return -1;
    }
    *out = m;
    return 0;
}

void svp_framemd5_frame(svp_framemd5 *m, const sv_video_frame *frame, const uint8_t md5[16])
{
    pending_frame fr;

    if (!m)
        return;
    memset(&fr, 0, sizeof(fr));
    fr.pts = frame->pts;
    fr.pts_us = frame->pts_us;
    fr.duration_us = frame->duration_us;
    fr.tb_num = frame->tb_num;
    fr.tb_den = frame->tb_den;
    fr.width = frame->width;
    fr.height = frame->height;
    fr.sar_num = frame->sar_num;
    fr.sar_den = frame->sar_den;
    for (int p = 0; p < frame->nb_planes && p < 4; p++)
        fr.size += (size_t)frame->planes[p].width_bytes * (size_t)frame->planes[p].rows;
    memcpy(fr.md5, md5, 16);

    if (!m->header_done && !m->have_first) {
        m->first = fr;
        m->have_first = 1;
        return;
    }
    if (!m->header_done) {
        choose_tb(m, &m->first, &fr);
        write_header(m, &m->first);
        write_line(m, &m->first);
    }
    write_line(m, &fr);
}

int svp_framemd5_close(svp_framemd5 *m)
{
    int ret = 0;

    if (!m)
        return 0;
    if (!m->header_done && m->have_first) {
        choose_tb(m, &m->first, NULL);
        write_header(m, &m->first);
        write_line(m, &m->first);
    }
    if (m->write_error || fflush(m->f) != 0)
        ret = -1;
    if (m->f != stdout && fclose(m->f) != 0)
        ret = -1;
    if (ret < 0)
        fprintf(stderr, "svplay: error writing the framemd5 file\n");
    free(m);
    return ret;
}
