/*
 * track.c - one CMAF track of a live rendition: backend/media's fmp4 muxer
 * cut once per part, so every part is one fragment (moof + mdat) in its
 * own file, part-<msn>.<i>.m4s, and the segment seg-<msn>.m4s is its parts
 * one after the other (written when its last part is cut). Each landed
 * part is posted to the loop after its file is in place.
 *
 * Threads: the thread that encodes the track (a rung's, or the pipeline's
 * for audio).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "backend/live/internal.h"
#include "backend/media/internal.h"
#include "platform/fs.h"
#include "streamverse/common.h"

int sv__live_put_file(const char *dir, const char *name, const void *data, size_t len)
{
    char tmp[1400], path[1400];
    const uint8_t *p = data;
    int fd;

    snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
        return SV_ERR_IO;
    while (len > 0) {
        ssize_t n = write(fd, p, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            close(fd);
            unlink(tmp);
            return SV_ERR_IO;
        }
        p += n;
        len -= (size_t)n;
    }
    if (close(fd) < 0 || rename(tmp, path) < 0) {
        unlink(tmp);
        return SV_ERR_IO;
    }
    return 0;
}

static int on_init(void *opaque, const uint8_t *data, size_t size, char *err, size_t errlen)
{
    sv__live_track *t = opaque;
    char name[32];

    snprintf(name, sizeof(name), "init-%d.mp4", t->epoch);
    if (sv__live_put_file(t->dir, name, data, size) < 0)
        return sv__media_err(err, errlen, SV_ERR_IO, "cannot write %s/%s: %s", t->dir, name,
                             strerror(errno));
    return 0;
}

static int on_fragment(void *opaque, const sv__fragment *f, char *err, size_t errlen)
{
    sv__live_track *t = opaque;
    int64_t msn = t->msn0 + t->k / t->pps;
    int part = (int)(t->k % t->pps);
    sv__live_event ev = {0};
    char name[48];

    snprintf(name, sizeof(name), "part-%lld.%d.m4s", (long long)msn, part);
    if (sv__live_put_file(t->dir, name, f->data, f->size) < 0)
        return sv__media_err(err, errlen, SV_ERR_IO, "cannot write %s/%s: %s", t->dir, name,
                             strerror(errno));
    sv__buf_append(&t->seg, f->data, f->size);
    if (t->seg.err)
        return sv__media_err(err, errlen, SV_ERR_NOMEM, "out of memory (segment)");
    if (t->last) {
        snprintf(name, sizeof(name), "seg-%lld.m4s", (long long)msn);
        if (sv__live_put_file(t->dir, name, t->seg.data, t->seg.size) < 0)
            return sv__media_err(err, errlen, SV_ERR_IO, "cannot write %s/%s: %s", t->dir,
                                 name, strerror(errno));
        t->seg.size = 0;
    }
    t->bytes += (int64_t)f->size;
    ev.kind = SV__LIVE_EV_PART;
    ev.rend = t->rend;
    ev.msn = msn;
    ev.part = part;
    ev.duration = (float)((double)f->duration / f->timescale);
    ev.independent = t->independent;
    ev.last = t->last;
    ev.bytes = (uint32_t)f->size;
    /* The segment's first part began at its k times the part duration. */
    ev.pdt_ms = t->pdt0_ms + (int64_t)((double)(t->k - part) * t->ch->set.part_s * 1000.0);
    sv__live_post(t->ch, &ev);
    return 0;
}

int sv__live_track_open(sv__live_track *t, sv__live_channel *ch, int rend, const char *name,
                        const AVCodecContext *enc, const sv__live_start *st, char *err,
                        size_t errlen)
{
    sv__frag_sink sink = {on_init, on_fragment, t}, out;
    int ret;

    memset(t, 0, sizeof(*t));
    t->ch = ch;
    t->rend = rend;
    t->epoch = st->epoch;
    t->msn0 = st->msn0;
    t->pps = ch->pps;
    t->pdt0_ms = st->pdt0_ms;
    t->k = -1;
    snprintf(t->dir, sizeof(t->dir), "%s/%s", ch->dir, name);
    if (sv__mkdirs(t->dir) < 0)
        return sv__media_err(err, errlen, SV_ERR_IO, "cannot create %s: %s", t->dir,
                             strerror(errno));
    /* Encrypted: the sink between the muxer and the files encrypts each
     * fragment, so every part is a complete protected moof + mdat. */
    if ((ret = sv__encsink_wrap(&t->enc, st->prot, enc->codec_type == AVMEDIA_TYPE_VIDEO, sink,
                                &out, err, errlen)) < 0)
        return ret;
    return sv__fmp4_open(&t->mux, enc, out, err, errlen);
}

int sv__live_track_write(sv__live_track *t, int64_t k, AVPacket *pkt, char *err, size_t errlen)
{
    int ret;

    if (t->k >= 0 && k != t->k) {
        t->last = k / t->pps != t->k / t->pps;
        if ((ret = sv__fmp4_cut(t->mux, err, errlen)) < 0) {
            av_packet_unref(pkt);
            return ret;
        }
    }
    if (k != t->k) {
        t->k = k;
        t->independent = !!(pkt->flags & AV_PKT_FLAG_KEY);
    }
    return sv__fmp4_write(t->mux, pkt, err, errlen);
}

int sv__live_track_finish(sv__live_track *t, char *err, size_t errlen)
{
    if (!t->mux || t->k < 0)
        return 0;
    t->last = 1;
    return sv__fmp4_cut(t->mux, err, errlen);
}

void sv__live_track_close(sv__live_track *t)
{
    sv__fmp4_destroy(t->mux);
    t->mux = NULL;
    sv__encsink_destroy(t->enc);
    t->enc = NULL;
    sv__buf_free(&t->seg);
}
