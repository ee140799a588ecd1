/*
 * pipeline.c - a publisher's feed: on its listener's thread, find the video
 * (required) and audio (optional) streams, plan the ladder (the channel's
 * rungs that fit the source; never upscaled), open the encoders, then read
 * the feed into a packet queue until it ends, stalls past end_after_s, or
 * the server stops; on the feed's own thread, decode and hand every frame
 * to every rung with its part number k (t = 0 is the first video frame,
 * which also announces the renditions to the loop; IDRs on segment
 * starts), audio through audio.c.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libavformat/avformat.h>
#include <openssl/crypto.h>

#include "backend/live/internal.h"
#include "backend/media/internal.h"
#include "streamverse/common.h"

/* Compressed media waiting for the feed's thread: at most this much (about
 * three minutes at 5 Mb/s) before packets are dropped. */
#define QUEUE_MAX_BYTES (128u << 20)
/* The capture clock's anchor is checked against this much of the feed
 * read in real time after the probe before media time 0 is dated. */
#define SETTLE_MS 500
/* More than this early is a jump in the feed's timestamps, not a late
 * anchor: not followed. */
#define MAX_EARLY_MS 2000

typedef struct pkt_queue {
    sv__mutex lock;
    sv__cond cond;
    /* guarded by lock */
    AVPacket **items;        /* a ring */
    int head, count, cap;
    size_t bytes;
    int ended, failed;
    int64_t dropped;
    int64_t min_offset_ms;   /* least (read time - capture clock) of a packet */
    /* end of lock-guarded fields */
    int made;
} pkt_queue;

typedef struct pipe_state {
    sv__live_channel *ch;
    const char *proto;
    AVFormatContext *ic;
    int vi, ai;
    AVCodecContext *dec;
    AVFrame *frame;
    sv__live_rung *rungs[SV__LIVE_MAX_RENDS];
    int nb_rungs;
    sv__live_audio *audio;
    int audio_rend;          /* its rendition's index */
    sv__live_src *src;       /* the passthrough rung, NULL when none */
    int src_rend;
    AVPacket *held[32];      /* feed packets waiting for t0 (the passthrough) */
    int nb_held;
    sv__live_start st;
    sv__media_protection prot; /* the event's key on an encrypted channel (title.c) */
    int64_t t0;              /* first video frame, video time base */
    int64_t last_pts, last_k;
    int64_t last_n;          /* frame number on the nominal grid */
    AVRational fps;
    double part_ticks;       /* 90 kHz ticks a part */
    int64_t packets, frames, pushed; /* the feed's video: read, decoded, to the rungs */
    int64_t start_ns, behind_logged_ns;
    int64_t opened_ms;       /* wall clock of the feed's first bytes */
    int64_t first_us;        /* the feed's first timestamp (AV_TIME_BASE) */
    int64_t probed_ms;       /* wall clock when the stream info was probed */
    pkt_queue q;
    sv__thread worker;
    int worker_started;
    int work_rc;             /* the worker's result, read after the join */
    int64_t work_cpu_ns;     /* the worker's CPU time (decode, audio) */
    char err[256];
} pipe_state;

/* The rungs of the channel's ladder no taller than the source (at least
 * the smallest, at the source's height when even that is taller). */
static int plan(pipe_state *p, sv__rung *out)
{
    sv__ladder lad;
    int h = p->dec->height, n = 0;

    memset(&lad, 0, sizeof(lad));
    if (sv__ladder_parse(p->ch->set.ladder, &lad) < 0 || lad.nb_rungs < 1)
        return 0;
    for (int i = 0; i < lad.nb_rungs && n < 3; i++)
        if (lad.rungs[i].height <= h)
            out[n++] = lad.rungs[i];
    if (n == 0) {
        out[0] = lad.rungs[0];
        out[0].height = h & ~1;
        n = 1;
    }
    return n;
}

static int open_all(pipe_state *p)
{
    sv__live_channel *ch = p->ch;
    const AVStream *vst = p->ic->streams[p->vi];
    const AVCodec *dc = avcodec_find_decoder(vst->codecpar->codec_id);
    sv__rung rungs[SV__LIVE_MAX_RENDS];
    int ret, n;

    if (!dc || !(p->dec = avcodec_alloc_context3(dc)) || !(p->frame = av_frame_alloc()))
        return sv__media_err(p->err, sizeof(p->err), SV_ERR_UNSUPPORTED, "no decoder for %s",
                             avcodec_get_name(vst->codecpar->codec_id));
    p->dec->thread_count = 1;
    if ((ret = avcodec_parameters_to_context(p->dec, vst->codecpar)) < 0 ||
        (ret = avcodec_open2(p->dec, dc, NULL)) < 0)
        return sv__media_averr(p->err, sizeof(p->err), SV_ERR_UNSUPPORTED, ret, "decoder");
    p->dec->pkt_timebase = vst->time_base;
    p->fps = av_guess_frame_rate(p->ic, (AVStream *)vst, NULL);
    if (p->fps.num <= 0 || p->fps.den <= 0 || av_q2d(p->fps) > 120)
        p->fps = (AVRational){30, 1};
    if (p->dec->width <= 0 || p->dec->height <= 0)
        return sv__media_err(p->err, sizeof(p->err), SV_ERR_UNSUPPORTED,
                             "the video stream has no size");
    n = plan(p, rungs);
    for (int i = 0; i < n; i++) {
        sv__live_rend *r = &p->st.rends[p->st.nb_rends];
        sv__live_rung_params rp = {0};

        rp.height = rungs[i].height & ~1;
        rp.width = ((int)lround((double)p->dec->width * rp.height / p->dec->height) + 1) & ~1;
        rp.kbps = rungs[i].bitrate_kbps;
        rp.fps_num = p->fps.num;
        rp.fps_den = p->fps.den;
        rp.gop_frames = (int)lround(ch->set.segment_s * av_q2d(p->fps));
        rp.preset = ch->preset;
        if ((ret = sv__live_rung_open(&p->rungs[i], &rp, r->codecs, sizeof(r->codecs), p->err,
                                      sizeof(p->err))) < 0)
            return ret;
        p->nb_rungs++;
        snprintf(r->name, sizeof(r->name), "%dp", rp.height);
        r->width = rp.width;
        r->height = rp.height;
        r->frame_rate = av_q2d(p->fps);
        r->bandwidth = rp.kbps * 1100; /* the VBV peak over a part, with the muxing */
        p->st.nb_rends++;
    }
    if (ch->set.passthrough) {
        sv__live_rend *r = &p->st.rends[p->st.nb_rends];
        int64_t rate = vst->codecpar->bit_rate > 0 ? vst->codecpar->bit_rate : p->ic->bit_rate;

        if (sv__live_src_open(&p->src, vst, p->fps, r->codecs, sizeof(r->codecs), p->err,
                              sizeof(p->err)) < 0) {
            SV_LOGW(ch->log, "live", "channel %s: no passthrough rung: %s", ch->row.name,
                    p->err);
            sv__live_src_destroy(p->src);
            p->src = NULL;
        } else {
            snprintf(r->name, sizeof(r->name), "src");
            r->width = p->dec->width;
            r->height = p->dec->height;
            r->frame_rate = av_q2d(p->fps);
            /* The feed's rate when its container says it, else twice the
             * top rung's: HLS BANDWIDTH is a peak. */
            r->bandwidth = rate > 0 ? (int)(rate * 11 / 10)
                                    : 2 * p->st.rends[p->st.nb_rends - 1].bandwidth;
            p->src_rend = p->st.nb_rends++;
        }
    }
    if (p->ai >= 0) {
        sv__live_rend *r = &p->st.rends[p->st.nb_rends];

        p->audio_rend = p->st.nb_rends;
        if ((ret = sv__live_audio_open(&p->audio, p->ic->streams[p->ai], p->err,
                                       sizeof(p->err))) < 0)
            return ret;
        snprintf(r->name, sizeof(r->name), "audio");
        snprintf(r->codecs, sizeof(r->codecs), "mp4a.40.2");
        r->is_audio = 1;
        r->bandwidth = 140000;
        p->st.nb_rends++;
    }
    return 0;
}

/* The capture clock of a feed timestamp (ms): the wall time the feed's
 * first bytes were read (opened_ms) carried its first timestamp; later
 * ones came that much feed time later. */
static int64_t capture_of(const pipe_state *p, int64_t ts, AVRational tb)
{
    if (p->first_us == AV_NOPTS_VALUE)
        return p->opened_ms;
    return p->opened_ms + (av_rescale_q(ts, tb, AV_TIME_BASE_Q) - p->first_us) / 1000;
}

/* The capture clock at media time 0. Not the time the first frame leaves
 * the decoder: that comes after avformat_find_stream_info() has held the
 * start of the feed (up to analyzeduration), which dated every program
 * date time 1.2 to 2 s late. The anchor itself may come late (RTMP's open
 * returns after the publisher's metadata and the probe's first kilobytes):
 * a packet read before its capture time says by how much, so the feed is
 * read SETTLE_MS past the probe first and the earliest such packet moves
 * the anchor back. Bounded by the decode time: timestamps that jump cannot
 * date media in the future. */
static int64_t capture_t0(pipe_state *p)
{
    int64_t ms = capture_of(p, p->t0, p->ic->streams[p->vi]->time_base), now, early;

    for (int i = 0; i < SETTLE_MS / 10 && !p->ch->stop &&
                    sv__live_wall_ms() < p->probed_ms + SETTLE_MS; i++)
        sv__sleep_ns(10000000);
    sv__mutex_lock(&p->q.lock);
    early = p->q.min_offset_ms < 0 ? -p->q.min_offset_ms : 0;
    sv__mutex_unlock(&p->q.lock);
    if (early > MAX_EARLY_MS)
        early = 0;
    ms -= early;
    now = sv__live_wall_ms();
    if (ms > now)
        ms = now;
    SV_LOGI(p->ch->log, "live", "channel %s: media time 0 reached svserver %lld ms before its "
            "first frame was decoded (the feed's probe; the anchor moved back %lld ms by the "
            "packets read since)", p->ch->row.name, (long long)(now - ms), (long long)early);
    return ms;
}

/* Announces the renditions, takes the segment numbers and the epoch. */
static int start(pipe_state *p)
{
    sv__live_channel *ch = p->ch;
    sv__live_event ev = {.kind = SV__LIVE_EV_START};
    int ret;

    sv__mutex_lock(&ch->lock);
    p->st.msn0 = ch->next_msn;
    p->st.epoch = ch->next_epoch++;
    sv__mutex_unlock(&ch->lock);
    p->st.pdt0_ms = capture_t0(p);
    /* The event's title and key before any track writes. */
    if ((ret = sv__live_event_title(ch, &p->st, &p->prot, p->err, sizeof(p->err))) < 0)
        return ret;
    for (int i = 0; i < p->nb_rungs; i++)
        if ((ret = sv__live_rung_start(p->rungs[i], ch, i, p->st.rends[i].name, &p->st, p->err,
                                       sizeof(p->err))) < 0)
            return ret;
    if (p->src &&
        (ret = sv__live_src_start(p->src, ch, p->src_rend, &p->st, p->err, sizeof(p->err))) < 0)
        return ret;
    if (p->audio &&
        (ret = sv__live_audio_start(p->audio, ch, p->audio_rend, &p->st,
                                    av_rescale_q(p->t0, p->ic->streams[p->vi]->time_base,
                                                 p->ic->streams[p->ai]->time_base),
                                    p->err, sizeof(p->err))) < 0)
        return ret;
    sv__mutex_lock(&ch->lock);
    ch->start = p->st;
    ch->start_pending = 1;
    sv__mutex_unlock(&ch->lock);
    sv__live_post(ch, &ev);
    return 0;
}

/* Says so (every 10 s at most) when the media time made lags the capture
 * clock by 2 s: latency grows from there. */
static void behind(pipe_state *p, int64_t pts)
{
    int64_t now = sv__monotonic_ns();
    double lag = (double)(sv__live_wall_ms() - p->st.pdt0_ms) / 1e3 - (double)pts / 90000.0;

    if (lag > 2.0 && now - p->behind_logged_ns > 10000000000LL) {
        SV_LOGW(p->ch->log, "live", "channel %s: the output is %.1f s behind the wall clock "
                "(the feed comes late, or this machine is short of CPU for the ladder)",
                p->ch->row.name, lag);
        p->behind_logged_ns = now;
    }
}

static int video_frames(pipe_state *p)
{
    AVRational tb = p->ic->streams[p->vi]->time_base;
    int ret;

    while ((ret = avcodec_receive_frame(p->dec, p->frame)) >= 0) {
        int64_t ts = p->frame->best_effort_timestamp, pts, k, n;

        if (ts == AV_NOPTS_VALUE)
            ts = p->last_pts == INT64_MIN ? 0 : p->last_pts + 1;
        if (p->t0 == AV_NOPTS_VALUE) {
            p->t0 = ts;
            p->start_ns = sv__monotonic_ns();
            if ((ret = start(p)) < 0) {
                av_frame_unref(p->frame);
                return ret;
            }
        }
        /* On the nominal frame grid: a live source's timestamps jitter
         * (RTMP's are whole milliseconds), and the muxer wants each
         * packet's duration to reach the next one exactly. */
        p->frames++;
        pts = av_rescale_q(ts - p->t0, tb, (AVRational){1, 90000});
        n = (int64_t)llround((double)pts * p->fps.num / (90000.0 * p->fps.den));
        if (p->last_pts != INT64_MIN && n <= p->last_n)
            n = p->last_n + 1; /* the encoder wants rising timestamps */
        p->last_n = n;
        pts = av_rescale(n, 90000 * (int64_t)p->fps.den, p->fps.num);
        p->last_pts = pts;
        k = (int64_t)floor((double)pts / p->part_ticks);
        if (k < p->last_k)
            k = p->last_k;
        p->frame->pts = pts;
        for (int i = 0; i < p->nb_rungs; i++)
            if ((ret = sv__live_rung_push(p->rungs[i], p->frame, k,
                                          k != p->last_k && k % p->ch->pps == 0)) < 0) {
                av_frame_unref(p->frame);
                return ret;
            }
        p->last_k = k;
        p->pushed++;
        av_frame_unref(p->frame);
        behind(p, pts);
    }
    /* EAGAIN, the end, or a packet that did not decode (its frame is lost,
     * as a player would lose it): nothing more for now. */
    return 0;
}

static int queue_init(pkt_queue *q)
{
    if (sv__mutex_init(&q->lock) < 0)
        return SV_ERR_INTERNAL;
    if (sv__cond_init(&q->cond) < 0) {
        sv__mutex_destroy(&q->lock);
        return SV_ERR_INTERNAL;
    }
    q->min_offset_ms = INT64_MAX;
    q->made = 1;
    return 0;
}

/* Queues the packet (its reference moves). Returns 0, or < 0 once the
 * worker failed. */
static int queue_push(pipe_state *p, AVPacket *pkt)
{
    pkt_queue *q = &p->q;
    AVPacket *copy = av_packet_alloc();
    int failed;

    if (!copy) {
        av_packet_unref(pkt);
        return 0;
    }
    av_packet_move_ref(copy, pkt);
    sv__mutex_lock(&q->lock);
    failed = q->failed;
    if (!failed && q->bytes + (size_t)copy->size > QUEUE_MAX_BYTES) {
        if (q->dropped++ % 300 == 0)
            SV_LOGW(p->ch->log, "live", "channel %s: the ladder is too far behind the feed: "
                    "packets dropped (%lld so far)", p->ch->row.name, (long long)q->dropped);
        av_packet_free(&copy);
    } else if (!failed && q->count == q->cap) {
        int cap = q->cap ? 2 * q->cap : 256;
        AVPacket **n = malloc((size_t)cap * sizeof(*n));

        if (n) {
            for (int i = 0; i < q->count; i++)
                n[i] = q->items[(q->head + i) % q->cap];
            free(q->items);
            q->items = n;
            q->head = 0;
            q->cap = cap;
        }
    }
    if (copy && !failed && q->count < q->cap) {
        q->items[(q->head + q->count++) % q->cap] = copy;
        q->bytes += (size_t)copy->size;
        copy = NULL;
        sv__cond_signal(&q->cond);
    }
    sv__mutex_unlock(&q->lock);
    av_packet_free(&copy);
    return failed ? -1 : 0;
}

static void queue_end(pkt_queue *q)
{
    sv__mutex_lock(&q->lock);
    q->ended = 1;
    sv__cond_signal(&q->cond);
    sv__mutex_unlock(&q->lock);
}

static void queue_free(pkt_queue *q)
{
    if (!q->made)
        return;
    for (int i = 0; i < q->count; i++)
        av_packet_free(&q->items[(q->head + i) % q->cap]);
    free(q->items);
    sv__cond_destroy(&q->cond);
    sv__mutex_destroy(&q->lock);
}

/* The passthrough rung's packets: held until the decoder named t0 (a feed
 * with B-frames shows its first frame after its first packets), then in
 * order. *pkt may be kept (then NULL). */
static int src_packet(pipe_state *p, AVPacket **pkt)
{
    int ret = 0;

    if (p->t0 == AV_NOPTS_VALUE) {
        if (p->nb_held < (int)(sizeof(p->held) / sizeof(p->held[0]))) {
            p->held[p->nb_held++] = *pkt;
            *pkt = NULL;
        }
        return 0;
    }
    for (int i = 0; i < p->nb_held; i++) {
        if (ret == 0)
            ret = sv__live_src_packet(p->src, p->held[i], p->t0, p->part_ticks, p->err,
                                      sizeof(p->err));
        av_packet_free(&p->held[i]);
    }
    p->nb_held = 0;
    if (ret == 0)
        ret = sv__live_src_packet(p->src, *pkt, p->t0, p->part_ticks, p->err, sizeof(p->err));
    return ret;
}

/* The feed's thread: decodes and hands on every queued packet, then
 * drains the decoder once the reader said the end. */
static void *work_main(void *arg)
{
    pipe_state *p = arg;
    pkt_queue *q = &p->q;
    struct timespec ts;
    int ret = 0;

    for (;;) {
        AVPacket *pkt = NULL;

        /* A stopping server does not wait for a backlog. */
        if (p->ch->stop && ret == 0)
            ret = SV_ERR_CANCELLED;

        sv__mutex_lock(&q->lock);
        while (!q->count && !q->ended)
            sv__cond_wait(&q->cond, &q->lock);
        if (q->count) {
            pkt = q->items[q->head];
            q->head = (q->head + 1) % q->cap;
            q->count--;
            q->bytes -= (size_t)pkt->size;
        }
        sv__mutex_unlock(&q->lock);
        if (!pkt)
            break;
        if (ret == 0 && pkt->stream_index == p->vi) {
            p->packets++;
            ret = avcodec_send_packet(p->dec, pkt);
            ret = ret >= 0 || ret == AVERROR_INVALIDDATA ? video_frames(p) : 0;
            if (ret == 0 && p->src)
                ret = src_packet(p, &pkt);
        } else if (ret == 0 && pkt->stream_index == p->ai && p->t0 != AV_NOPTS_VALUE) {
            ret = sv__live_audio_packet(p->audio, pkt, p->err, sizeof(p->err));
        }
        av_packet_free(&pkt);
        if (ret < 0) {
            sv__mutex_lock(&q->lock);
            q->failed = 1;
            sv__mutex_unlock(&q->lock);
        }
    }
    if (ret == 0 && p->t0 != AV_NOPTS_VALUE) {
        avcodec_send_packet(p->dec, NULL);
        ret = video_frames(p);
    }
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    p->work_cpu_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
    p->work_rc = ret == SV_ERR_CANCELLED ? 0 : ret;
    return NULL;
}

int sv__live_pipeline_run(sv__live_channel *ch, AVFormatContext *ic, const char *proto,
                          int64_t opened_ms, int64_t *last_read_ns)
{
    pipe_state p = {.ch = ch, .proto = proto, .ic = ic, .vi = -1, .ai = -1,
                    .t0 = AV_NOPTS_VALUE, .last_pts = INT64_MIN, .last_k = -1,
                    .opened_ms = opened_ms, .first_us = AV_NOPTS_VALUE};
    sv__live_event ev = {.kind = SV__LIVE_EV_END};
    AVPacket *pkt = av_packet_alloc();
    int ret = 0;

    p.part_ticks = ch->set.part_s * 90000.0;
    if (avformat_find_stream_info(ic, NULL) < 0) {
        SV_LOGW(ch->log, "live", "channel %s: %s publisher refused: its feed cannot be read",
                ch->row.name, proto);
        goto out;
    }
    p.probed_ms = sv__live_wall_ms();
    p.first_us = ic->start_time;
    p.vi = av_find_best_stream(ic, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    p.ai = av_find_best_stream(ic, AVMEDIA_TYPE_AUDIO, -1, -1, NULL, 0);
    if (p.vi < 0) {
        SV_LOGW(ch->log, "live", "channel %s: %s publisher refused: the feed has no video "
                "stream (%u stream(s), audio %s)", ch->row.name, proto, ic->nb_streams,
                p.ai >= 0 ? "yes" : "no");
        goto out;
    }
    if (p.ai < 0)
        p.ai = -1;
    if (!pkt || (ret = open_all(&p)) < 0) {
        SV_LOGE(ch->log, "live", "channel %s: %s publisher refused: %s", ch->row.name, proto,
                pkt ? p.err : "out of memory");
        goto out;
    }
    SV_LOGI(ch->log, "live", "channel %s: %s publisher on: %dx%d %.2f fps%s, %d rung(s)",
            ch->row.name, proto, p.dec->width, p.dec->height, av_q2d(p.fps),
            p.audio ? " with audio" : "", p.nb_rungs);
    /* The feed is read here and worked on by a thread of its own, through
     * a queue of packets: a ladder short of CPU must not hold the
     * publisher's socket back (an RTMP publisher that closes with data we
     * have not read resets the connection, and the kernel drops what was
     * still unread); the queue absorbs it, up to QUEUE_MAX_BYTES. */
    if (queue_init(&p.q) < 0 || sv__thread_create(&p.worker, "sv-live-feed", work_main, &p) < 0) {
        sv__media_err(p.err, sizeof(p.err), SV_ERR_INTERNAL, "cannot start the feed's thread");
        ret = SV_ERR_INTERNAL;
    } else {
        p.worker_started = 1;
    }
    while (p.worker_started && !ch->stop && av_read_frame(ic, pkt) >= 0) {
        *last_read_ns = sv__monotonic_ns();
        if (pkt->stream_index != p.vi && pkt->stream_index != p.ai) {
            av_packet_unref(pkt);
            continue;
        }
        if (pkt->dts != AV_NOPTS_VALUE) {
            int64_t off = sv__live_wall_ms() -
                          capture_of(&p, pkt->dts, ic->streams[pkt->stream_index]->time_base);

            sv__mutex_lock(&p.q.lock);
            if (off < p.q.min_offset_ms)
                p.q.min_offset_ms = off;
            sv__mutex_unlock(&p.q.lock);
        }
        if (queue_push(&p, pkt) < 0)
            break;
    }
    if (p.worker_started) {
        queue_end(&p.q);
        sv__thread_join(&p.worker);
        ret = p.work_rc;
    }
    if (ret < 0)
        SV_LOGE(ch->log, "live", "channel %s: the feed failed: %s", ch->row.name, p.err);
    else
        SV_LOGI(ch->log, "live", "channel %s: %s publisher gone%s", ch->row.name, proto,
                ch->stop ? " (the channel stops: the server stops or it was removed)" : "");
    {
        double media = p.last_pts == INT64_MIN ? 0.0 : (double)p.last_pts / 90000.0;

        SV_LOGI(ch->log, "live", "channel %s: the feed: %lld video packets, %lld frames "
                "decoded, %lld to the rungs, %.1f s of media in %.1f s; decode and audio "
                "%.1f%% of a core", ch->row.name, (long long)p.packets, (long long)p.frames,
                (long long)p.pushed, media,
                p.start_ns ? (double)(sv__monotonic_ns() - p.start_ns) / 1e9 : 0.0,
                media > 0 ? 100.0 * (double)p.work_cpu_ns / 1e9 / media : 0.0);
    }
out:
    if (p.t0 != AV_NOPTS_VALUE) {
        /* The last parts land, the segment in progress ends short. */
        for (int i = 0; i < p.nb_rungs; i++)
            sv__live_rung_join(p.rungs[i]);
        if (p.audio && sv__live_audio_finish(p.audio, p.last_k, p.err, sizeof(p.err)) < 0)
            SV_LOGW(ch->log, "live", "channel %s: audio: %s", ch->row.name, p.err);
        if (p.src && sv__live_src_finish(p.src, p.err, sizeof(p.err)) < 0)
            SV_LOGW(ch->log, "live", "channel %s: passthrough: %s", ch->row.name, p.err);
        sv__mutex_lock(&ch->lock);
        ch->next_msn = p.st.msn0 + (p.last_k < 0 ? 0 : p.last_k / ch->pps) + 1;
        sv__mutex_unlock(&ch->lock);
        sv__live_post(ch, &ev);
    }
    for (int i = 0; i < p.nb_rungs; i++)
        sv__live_rung_destroy(p.rungs[i]);
    sv__live_audio_destroy(p.audio);
    sv__live_src_destroy(p.src);
    for (int i = 0; i < p.nb_held; i++)
        av_packet_free(&p.held[i]);
    queue_free(&p.q);
    OPENSSL_cleanse(&p.prot, sizeof(p.prot));
    avcodec_free_context(&p.dec);
    av_frame_free(&p.frame);
    av_packet_free(&pkt);
    return ret;
}
