/*
 * A lane's decode thread: takes its track's items from the lane, keeps the
 * track's decoder (reopened when a run's codec parameters differ, closed
 * when a flush starts a new generation) and pushes what comes out to the
 * track's output. Blocking on a full output holds up this track only.
 */
#include <math.h>
#include <string.h>

#include <libavcodec/avcodec.h>

#include "player/media/demux_internal.h"

typedef struct lane_dec {
    sv__lanes *l;
    int lane;                  /* SV__LANE_* */
    const sv__stream_config *cfg;
    sv__decoder *dec;
    uint64_t gen;              /* of the items being decoded */
    int failed;                /* a fatal error in this generation: items are dropped */
    sv__lane_run run;          /* the current run (its par stays with its item) */
    int have_run;
    double offset;             /* of the last packet sent to the decoder */
    int authoritative;
    char err[200];
} lane_dec;

/* Presentation seconds of a frame, from the run's mapping; an offset that
 * did not come from video follows the epoch's (video of another stream may
 * have set it since). */
static double frame_time(lane_dec *d, const AVFrame *f)
{
    int64_t ts = f->best_effort_timestamp;
    if (ts == AV_NOPTS_VALUE)
        ts = f->pts;
    if (ts == AV_NOPTS_VALUE)
        return NAN;
    if (!d->authoritative)
        d->offset = sv__timeline_offset(d->cfg->env->st, d->run.disc, d->offset, 0);
    return (double)ts * d->run.tb_num / d->run.tb_den + d->offset;
}

/* Decrypted media that does not decode was decrypted with the wrong key:
 * stop with a DRM error instead of showing garbage. */
static int check_decrypted(lane_dec *d, const AVFrame *f)
{
    if (!d->run.encrypted || (!f->decode_error_flags && !(f->flags & AV_FRAME_FLAG_CORRUPT)))
        return 0;
    snprintf(d->err, sizeof(d->err), "decrypted media does not decode: wrong content key?");
    return SV_ERR_DRM;
}

static int on_video(void *opaque, AVFrame *f)
{
    lane_dec *d = opaque;
    if (check_decrypted(d, f) < 0)
        return SV_ERR_DRM;
    double pts = frame_time(d, f);
    const AVFrameSideData *cc;
    if (d->cfg->captions && (cc = av_frame_get_side_data(f, AV_FRAME_DATA_A53_CC)))
        sv__captions_feed(d->cfg->captions, pts, cc->data, cc->size);
    double dur = f->pkt_duration > 0 ? (double)f->pkt_duration * d->run.tb_num / d->run.tb_den
                                     : d->run.frame_dur;
    return sv__vout_push(d->cfg->vout, f, d->gen, pts, dur, &d->run.meta);
}

static int on_audio(void *opaque, AVFrame *f)
{
    lane_dec *d = opaque;
    if (check_decrypted(d, f) < 0)
        return SV_ERR_DRM;
    return sv__aout_push(d->cfg->aout, f, d->gen, frame_time(d, f));
}

static int decode(lane_dec *d, const AVPacket *pkt)
{
    if (!d->dec)
        return 0;
    return sv__decoder_decode(d->dec, pkt, d->lane == SV__LANE_VIDEO ? on_video : on_audio, d);
}

static int start_run(lane_dec *d, sv__lane_item *it)
{
    const AVCodecParameters *par = it->run.par;
    d->run = it->run;
    d->run.par = NULL;
    d->have_run = 1;
    if (d->dec && sv__decoder_same(d->dec, par) && sv__decoder_strict(d->dec) == d->run.encrypted)
        return 0;
    sv__decoder_close(d->dec);
    d->dec = NULL;
    int threads = d->lane == SV__LANE_VIDEO ? d->cfg->decoder_threads : 1;
    return sv__decoder_open(&d->dec, par, threads, d->run.encrypted, d->cfg->env->log,
                            d->cfg->env->alloc, d->err, sizeof(d->err));
}

/* One item; returns 0, SV_ERR_CANCELLED (the output went stale: the
 * flush's items follow) or a fatal error with d->err set. */
static int handle(lane_dec *d, sv__lane_item *it)
{
    int r = 0;
    switch (it->kind) {
    case SV__LANE_RUN:
        return start_run(d, it);
    case SV__LANE_PACKET:
        if (!d->have_run)
            return 0;
        d->offset = it->offset;
        d->authoritative = it->authoritative;
        r = decode(d, it->pkt);
        if (r == SV_ERR_DECODE && d->run.encrypted) {
            snprintf(d->err, sizeof(d->err), "decrypted media does not decode: wrong content key?");
            return SV_ERR_DRM;
        }
        if (r == SV_ERR_DECODE) {
            SV_LOGW(d->cfg->env->log, "player", "a corrupt %s packet was skipped",
                    d->lane == SV__LANE_VIDEO ? "video" : "audio");
            return 0;
        }
        return r;
    case SV__LANE_END_RUN:
        r = decode(d, NULL);
        return r == SV_ERR_DECODE ? 0 : r;
    case SV__LANE_EOS:
        r = decode(d, NULL);
        if (r == SV_ERR_CANCELLED)
            return r;
        if (d->lane == SV__LANE_VIDEO)
            sv__vout_eos(d->cfg->vout, d->gen);
        else
            sv__aout_eos(d->cfg->aout, d->gen);
        return 0;
    }
    return 0;
}

void sv__lane_decode(sv__lanes *l, int lane)
{
    lane_dec d;
    memset(&d, 0, sizeof(d));
    d.l = l;
    d.lane = lane;
    d.cfg = sv__lanes_cfg(l);
    sv__lane_item *it;
    while ((it = sv__lanes_get(l, lane)) != NULL) {
        if (it->gen != d.gen) {
            /* A flush: the new generation starts with fresh decoders. */
            sv__decoder_close(d.dec);
            d.dec = NULL;
            d.gen = it->gen;
            d.failed = 0;
            d.have_run = 0;
        }
        if (!d.failed) {
            int r = handle(&d, it);
            if (r < 0 && r != SV_ERR_CANCELLED) {
                sv__env_error(d.cfg->env, r, 1, "%s", d.err[0] ? d.err : sv_strerror(r));
                d.err[0] = '\0';
                d.failed = 1;
            }
        }
        sv__lane_item_free(it);
    }
    sv__decoder_close(d.dec);
}
