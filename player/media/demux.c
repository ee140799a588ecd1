/*
 * The demux thread of a stream: libavformat reads the stream's chunks through
 * a custom AVIOContext, one demuxer per run (a run is init + media segments
 * of one representation and timeline epoch), and each track's packets go to
 * that track's lane, whose decode thread turns them into frames for the
 * track's output (lanes.c, lane_decode.c).
 *
 * The read callback ends a run with AVERROR_EOF when the next chunk belongs
 * to another run, when the stream ends, or when a flush (seek, stop) made the
 * current generation stale; the thread then tells the lanes to drain (or the
 * flush drops what they hold) and opens the next demuxer. Plain files skip
 * the chunks: libavformat opens the URL itself and the thread seeks on flush.
 */
#include <math.h>
#include <string.h>

#include <libavformat/avformat.h>

#include "player/media/demux_internal.h"

#define AVIO_BUFFER 32768

typedef struct demux {
    sv__stream *s;
    const sv__stream_config *cfg; /* the stream's: outputs, env */
    int feeds;
    uint64_t gen;
    double target;

    /* The run being demuxed. */
    sv__chunk *cur;            /* chunk the AVIO reads from */
    size_t cur_pos;
    sv__chunk *pending;        /* first chunk of the next run, held back */
    uint64_t run;
    int64_t disc;
    double run_start;          /* manifest start of the run's first media chunk */
    int have_run_start;
    sv__rep_meta meta;
    int encrypted;             /* the run was decrypted by the player */
    int eos, stale;
    uint64_t cut_run;          /* first_frame_only: the run ended after its first
                                  frame, its further chunks are dropped */
    int cut;
    int media_read;            /* first_frame_only: the run's media chunk is being read;
                                  its end is the run's (TS probes to the end of its data) */

    AVFormatContext *fmt;
    int vidx, aidx;
    double offset;             /* container seconds -> presentation seconds */
    int have_offset;
    int authoritative;         /* the offset came from this run's video */
    double frame_dur;          /* video: a frame's duration when packets give none */
    double last_dur[SV__LANES]; /* the last packet duration seen per lane */
    sv__lanes *lanes;          /* the tracks' packet queues and decode threads */
    char err[200];
} demux;

/* Takes the next chunk into `cur`; returns 0, or AVERROR_EOF at the end of
 * the run (new run pending, end of stream, or a flush). */
static int next_chunk(demux *d)
{
    for (;;) {
        if (d->pending || d->eos || d->stale || (d->media_read && d->cfg->first_frame_only))
            return AVERROR_EOF;
        uint64_t gen = d->gen;
        double target = d->target;
        sv__chunk *c = sv__stream_next(d->s, &gen, &target);
        if (!c) {
            d->stale = 1;
            if (gen != d->gen) {
                d->gen = gen;
                d->target = target;
            }
            return AVERROR_EOF;
        }
        if (c->eos) {
            sv__chunk_free(c);
            d->eos = 1;
            return AVERROR_EOF;
        }
        if (d->cut && c->run == d->cut_run) {
            sv__chunk_free(c);
            continue;
        }
        if (d->fmt && c->run != d->run) {
            d->pending = c;
            return AVERROR_EOF;
        }
        d->cur = c;
        d->cur_pos = 0;
        d->media_read |= !c->is_init;
        if (!c->is_init && !d->have_run_start) {
            d->run_start = c->start;
            d->have_run_start = 1;
        }
        return 0;
    }
}

static int read_chunks(void *opaque, uint8_t *buf, int size)
{
    demux *d = opaque;
    while (!d->cur || d->cur_pos >= d->cur->size) {
        sv__chunk_free(d->cur);
        d->cur = NULL;
        int r = next_chunk(d);
        if (r < 0)
            return r;
    }
    size_t n = d->cur->size - d->cur_pos;
    if (n > (size_t)size)
        n = (size_t)size;
    memcpy(buf, d->cur->data + d->cur_pos, n);
    d->cur_pos += n;
    return (int)n;
}

/* Makes blocking libavformat calls on a direct URL give up on flush/quit. */
static int interrupt_cb(void *opaque)
{
    demux *d = opaque;
    return sv__stream_quitting(d->s) || sv__stream_gen(d->s) != d->gen;
}

static void close_demuxer(demux *d)
{
    if (!d->fmt)
        return;
    AVIOContext *pb = (d->fmt->flags & AVFMT_FLAG_CUSTOM_IO) ? d->fmt->pb : NULL;
    avformat_close_input(&d->fmt);
    if (pb) {
        av_freep(&pb->buffer);
        avio_context_free(&pb);
    }
}

/* ---- opening a run ------------------------------------------------------ */

/* Tells lane `lane` that a run starts with the track `idx` of the demuxer
 * (idx < 0: the run has no such track). */
static int announce(demux *d, int lane, int idx)
{
    sv__lanes_active(d->lanes, lane, idx >= 0);
    if (idx < 0)
        return 0;
    const AVStream *st = d->fmt->streams[idx];
    sv__lane_item *it = sv__lane_item_new(d->cfg->env->alloc, SV__LANE_RUN, d->gen);
    if (!it)
        return SV_ERR_NOMEM;
    it->run.par = avcodec_parameters_alloc();
    if (!it->run.par || avcodec_parameters_copy(it->run.par, st->codecpar) < 0) {
        sv__lane_item_free(it);
        return SV_ERR_NOMEM;
    }
    it->run.tb_num = st->time_base.num;
    it->run.tb_den = st->time_base.den;
    it->run.frame_dur = d->frame_dur;
    it->run.encrypted = d->encrypted;
    it->run.disc = d->disc;
    it->run.meta = d->meta;
    return sv__lanes_put(d->lanes, lane, it);
}

static int needs_probe(demux *d)
{
    for (unsigned i = 0; i < d->fmt->nb_streams; i++) {
        const AVCodecParameters *par = d->fmt->streams[i]->codecpar;
        /* The pixel format may stay unset until the first decode (fMP4
         * gives it only in the SPS): the decoder finds it, so no probe. */
        if (par->codec_type == AVMEDIA_TYPE_VIDEO && par->width <= 0)
            return 1;
        if (par->codec_type == AVMEDIA_TYPE_AUDIO && par->sample_rate <= 0)
            return 1;
    }
    return d->fmt->nb_streams == 0;
}

static int open_demuxer(demux *d, const char *url)
{
    int ret = SV_ERR_NOMEM;
    AVIOContext *pb = NULL;
    d->fmt = avformat_alloc_context();
    if (!d->fmt)
        goto fail;
    d->fmt->interrupt_callback.callback = interrupt_cb;
    d->fmt->interrupt_callback.opaque = d;
    d->fmt->probesize = 1 << 20;
    d->fmt->max_analyze_duration = AV_TIME_BASE;
    if (!url) {
        uint8_t *buf = av_malloc(AVIO_BUFFER);
        if (!buf)
            goto fail;
        pb = avio_alloc_context(buf, AVIO_BUFFER, 0, d, read_chunks, NULL, NULL);
        if (!pb) {
            av_free(buf);
            goto fail;
        }
        pb->seekable = 0;
        d->fmt->pb = pb;
        d->fmt->flags |= AVFMT_FLAG_CUSTOM_IO;
    }
    int averr = avformat_open_input(&d->fmt, url ? url : "", NULL, NULL);
    if (averr < 0) {
        /* avformat_open_input freed fmt; the custom AVIO is still ours. */
        if (pb) {
            av_freep(&pb->buffer);
            avio_context_free(&pb);
        }
        if (d->stale || sv__stream_quitting(d->s))
            return SV_ERR_CANCELLED;
        snprintf(d->err, sizeof(d->err), "cannot open the media: %s", av_err2str(averr));
        return averr == AVERROR_INVALIDDATA ? SV_ERR_UNSUPPORTED : SV_ERR_IO;
    }
    if (needs_probe(d) && avformat_find_stream_info(d->fmt, NULL) < 0 && !d->stale) {
        snprintf(d->err, sizeof(d->err), "cannot read the media's stream parameters");
        ret = SV_ERR_UNSUPPORTED;
        goto fail_open;
    }
    if (d->stale)
        return SV_ERR_CANCELLED;
    d->vidx = d->aidx = -1;
    if (d->feeds & SV__FEED_VIDEO)
        d->vidx = av_find_best_stream(d->fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    if (d->feeds & SV__FEED_AUDIO)
        d->aidx = av_find_best_stream(d->fmt, AVMEDIA_TYPE_AUDIO, -1, -1, NULL, 0);
    if (d->vidx < 0 && d->aidx < 0) {
        snprintf(d->err, sizeof(d->err), "no playable video or audio stream in the media");
        ret = SV_ERR_UNSUPPORTED;
        goto fail_open;
    }
    for (unsigned i = 0; i < d->fmt->nb_streams; i++)
        if ((int)i != d->vidx && (int)i != d->aidx)
            d->fmt->streams[i]->discard = AVDISCARD_ALL;
    if (d->vidx >= 0) {
        AVRational fr = av_guess_frame_rate(d->fmt, d->fmt->streams[d->vidx], NULL);
        d->frame_dur = fr.num > 0 ? av_q2d(av_inv_q(fr)) : 1.0 / 25;
    }
    /* Audio in this stream is the master clock, as a separate audio
     * stream's is: its own lane keeps it fed whatever the video does. */
    if (d->aidx >= 0)
        sv__aout_set_active(d->cfg->aout, 1);
    d->last_dur[SV__LANE_VIDEO] = d->last_dur[SV__LANE_AUDIO] = 0;
    if ((ret = announce(d, SV__LANE_VIDEO, d->vidx)) < 0 ||
        (ret = announce(d, SV__LANE_AUDIO, d->aidx)) < 0) {
        if (ret == SV_ERR_NOMEM)
            snprintf(d->err, sizeof(d->err), "out of memory starting a run's decoders");
        goto fail_open;
    }
    return 0;

fail_open:
    close_demuxer(d);
    return ret;
fail:
    if (pb) {
        av_freep(&pb->buffer);
        avio_context_free(&pb);
    }
    avformat_free_context(d->fmt);
    d->fmt = NULL;
    snprintf(d->err, sizeof(d->err), "out of memory opening a demuxer");
    return ret;
}

/* Maps this run's container time onto the presentation timeline, from its
 * first packet with a timestamp. */
static void set_offset(demux *d, const AVPacket *pkt)
{
    if (d->have_offset)
        return;
    int64_t ts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
    if (ts == AV_NOPTS_VALUE)
        return;
    double t = (double)ts * av_q2d(d->fmt->streams[pkt->stream_index]->time_base);
    double candidate;
    if (sv__stream_cfg(d->s)->direct_url) {
        /* Plain files start at 0, as ffmpeg and every player show them. */
        double start = d->fmt->start_time != AV_NOPTS_VALUE
                           ? (double)d->fmt->start_time / AV_TIME_BASE : t;
        candidate = -start;
    } else {
        candidate = (d->have_run_start ? d->run_start : 0) - t;
    }
    d->authoritative = pkt->stream_index == d->vidx;
    d->offset = sv__timeline_offset(d->cfg->env->st, d->disc, candidate, d->authoritative);
    d->have_offset = 1;
}

/* How long a packet plays, for the lanes' measure: its duration, else the
 * last one its track gave, else a frame (video) or the codec's frame size
 * (audio). */
static double packet_seconds(demux *d, int lane, const AVPacket *pkt)
{
    const AVStream *st = d->fmt->streams[pkt->stream_index];
    if (pkt->duration > 0) {
        d->last_dur[lane] = (double)pkt->duration * av_q2d(st->time_base);
        return d->last_dur[lane];
    }
    if (d->last_dur[lane] > 0)
        return d->last_dur[lane];
    if (lane == SV__LANE_VIDEO)
        return d->frame_dur;
    const AVCodecParameters *par = st->codecpar;
    return par->frame_size > 0 && par->sample_rate > 0 ? (double)par->frame_size / par->sample_rate
                                                        : 0;
}

/* Hands the packet (its reference moves) to its track's lane; waits while
 * every lane of the run holds its share. */
static int queue_packet(demux *d, AVPacket *pkt)
{
    int lane = pkt->stream_index == d->vidx   ? SV__LANE_VIDEO
               : pkt->stream_index == d->aidx ? SV__LANE_AUDIO
                                              : -1;
    if (lane < 0) {
        av_packet_unref(pkt);
        return 0;
    }
    sv__lane_item *it = sv__lane_item_new(d->cfg->env->alloc, SV__LANE_PACKET, d->gen);
    if (!it || !(it->pkt = av_packet_alloc())) {
        sv__lane_item_free(it);
        av_packet_unref(pkt);
        snprintf(d->err, sizeof(d->err), "out of memory queueing a packet");
        return SV_ERR_NOMEM;
    }
    it->seconds = packet_seconds(d, lane, pkt);
    it->offset = d->offset;
    int64_t ts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
    if (ts != AV_NOPTS_VALUE && d->have_offset)
        sv__stream_note_demuxed(d->s, d->gen,
                                (double)ts * av_q2d(d->fmt->streams[pkt->stream_index]->time_base) +
                                    d->offset + it->seconds);
    it->authoritative = d->authoritative;
    av_packet_move_ref(it->pkt, pkt);
    return sv__lanes_put(d->lanes, lane, it);
}

/* Reads the run until its end, handing the packets to the lanes. Returns 0
 * at a normal end, SV_ERR_CANCELLED when flushed, or an error. */
static int play_run(demux *d)
{
    AVPacket *pkt = av_packet_alloc();
    if (!pkt)
        return SV_ERR_NOMEM;
    int ret = 0;
    for (;;) {
        int averr = av_read_frame(d->fmt, pkt);
        if (averr < 0)
            break;
        set_offset(d, pkt);
        int video = pkt->stream_index == d->vidx;
        int r = queue_packet(d, pkt);
        if (r == SV_ERR_CANCELLED || d->stale) {
            ret = SV_ERR_CANCELLED;
            break;
        }
        if (r < 0) {
            ret = r;
            break;
        }
        if (video && d->cfg->first_frame_only) {
            d->cut = 1;
            d->cut_run = d->run;
            break;
        }
    }
    av_packet_free(&pkt);
    return d->stale ? SV_ERR_CANCELLED : ret;
}

static void reset_run(demux *d)
{
    close_demuxer(d);
    sv__chunk_free(d->cur);
    d->cur = NULL;
    d->media_read = 0;
    d->have_run_start = 0;
    d->have_offset = 0;
}

/* A flush: forget the run and everything decoded for the old generation. */
static void on_stale(demux *d)
{
    reset_run(d);
    sv__chunk_free(d->pending);
    d->pending = NULL;
    d->stale = 0;
    d->eos = 0;
}

/* Waits for a flush or quit after the end (the host may seek back). */
static void wait_for_flush(demux *d)
{
    uint64_t gen = d->gen;
    double target = d->target;
    sv__chunk *c;
    while ((c = sv__stream_next(d->s, &gen, &target)) != NULL)
        sv__chunk_free(c); /* chunks after the end of a generation are ignored */
    d->gen = gen;
    d->target = target;
}

static void fail(demux *d, int code)
{
    if (code == SV_ERR_CANCELLED)
        return;
    sv__env_error(d->cfg->env, code, 1, "%s", d->err[0] ? d->err : sv_strerror(code));
    d->err[0] = '\0';
}

/* The run ended (SV__LANE_END_RUN: the decoders drain) or the stream did
 * (SV__LANE_EOS: the outputs are told once the decoders drained). */
static void end_lanes(demux *d, sv__lane_kind kind)
{
    if (sv__lanes_put_all(d->lanes, kind, d->gen) == SV_ERR_NOMEM) {
        snprintf(d->err, sizeof(d->err), "out of memory ending a run");
        fail(d, SV_ERR_NOMEM);
    }
}

static void run_direct(demux *d, const char *url)
{
    while (!sv__stream_quitting(d->s)) {
        d->stale = 0;
        if (!d->fmt) {
            int r = open_demuxer(d, url);
            if (r < 0) {
                fail(d, r);
                wait_for_flush(d);
                continue;
            }
        }
        if (d->target > 0) {
            int64_t ts = (int64_t)((d->target - d->offset) * AV_TIME_BASE);
            avformat_seek_file(d->fmt, -1, INT64_MIN, ts, ts, 0);
            d->target = -1;
        }
        int r = play_run(d);
        if (r == SV_ERR_CANCELLED || interrupt_cb(d)) {
            /* Flushed mid-read: pick up the new generation and its target
             * (stream_next returns at once when the generation moved). */
            uint64_t gen = d->gen;
            double target = d->target;
            if (!sv__stream_next(d->s, &gen, &target)) {
                d->gen = gen;
                d->target = target;
            }
            close_demuxer(d);
            continue;
        }
        if (r < 0)
            fail(d, r);
        else
            end_lanes(d, SV__LANE_EOS);
        wait_for_flush(d);
        /* Reopen the demuxer: a seek after the end starts afresh (the
         * decode threads open new decoders for the new generation). */
        close_demuxer(d);
    }
    close_demuxer(d);
}

static void run_chunks(demux *d)
{
    while (!sv__stream_quitting(d->s)) {
        if (d->stale)
            on_stale(d);
        /* The first chunk of the run decides its identity. */
        if (!d->pending && next_chunk(d) < 0) {
            if (d->eos) {
                end_lanes(d, SV__LANE_EOS);
                wait_for_flush(d);
                d->stale = 1;
            }
            continue;
        }
        sv__chunk *first = d->pending ? d->pending : d->cur;
        d->pending = NULL;
        d->cur = first;
        d->cur_pos = 0;
        d->media_read = !first->is_init;
        d->run = first->run;
        d->disc = first->disc;
        d->meta = (sv__rep_meta){ first->rep_index, first->bitrate, first->width, first->height };
        d->encrypted = first->encrypted;
        d->have_run_start = !first->is_init;
        d->run_start = first->start;
        d->have_offset = 0;

        int r = open_demuxer(d, NULL);
        if (r == 0)
            r = play_run(d);
        if (r == SV_ERR_CANCELLED || d->stale) {
            d->stale = 1;
            continue;
        }
        if (r < 0) {
            fail(d, r);
            wait_for_flush(d);
            d->stale = 1;
            continue;
        }
        /* The run ended: a new one is pending, or the stream ended. */
        end_lanes(d, SV__LANE_END_RUN);
        reset_run(d);
    }
}

void *sv__demux_thread(void *arg)
{
    sv__stream *s = arg;
    demux d;
    memset(&d, 0, sizeof(d));
    d.s = s;
    d.cfg = sv__stream_cfg(s);
    d.feeds = sv__stream_cfg(s)->feeds;
    d.gen = sv__stream_gen(s);
    d.target = -1;
    d.vidx = d.aidx = -1;

    int r = sv__lanes_create(&d.lanes, s, sv__lane_decode);
    if (r < 0) {
        sv__env_error(d.cfg->env, r, 1, "cannot start the decode threads: %s", sv_strerror(r));
        while (!sv__stream_quitting(s))
            wait_for_flush(&d);
        return NULL;
    }
    if (sv__stream_cfg(s)->direct_url)
        run_direct(&d, sv__stream_cfg(s)->direct_url);
    else
        run_chunks(&d);

    reset_run(&d);
    sv__chunk_free(d.pending);
    sv__lanes_destroy(d.lanes);
    return NULL;
}
