/*
 * listen.c - a channel's publishers: one thread per protocol, each waiting
 * in libavformat's listener (SRT through libsrt in listener mode, RTMP in
 * its listen mode) for an encoder, then running its feed (pipeline.c) on
 * that thread until it ends, then listening again.
 *
 * Which channel and which key: libavformat does not give the listener the
 * caller's SRT stream id, nor the stream name an RTMP publisher asks for,
 * so each channel listens on ports of its own and the key is checked by
 * what libavformat does see:
 *   - SRT: the key is the listener's passphrase (AES-128, pbkeylen 16); a
 *     caller without it fails the SRT handshake inside libsrt and never
 *     reaches the channel (the encoder logs "connection rejected").
 *   - RTMP: libavformat accepts any stream name and only warns, on its log,
 *     "Unexpected stream NAME, expecting KEY". svserver's FFmpeg log
 *     callback turns that warning into a refusal for the thread that was
 *     accepting (and never prints it: it holds the key).
 * One publisher at a time: while one protocol's feed runs, a publisher on
 * the other is refused; the protocol in use is not listening meanwhile, so
 * a second encoder on it is refused by the system (connection refused).
 *
 * Threads: the channel's two listener threads; the log callback on any
 * FFmpeg thread.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavformat/avformat.h>
#include <libavutil/log.h>

#include "backend/live/internal.h"
#include "streamverse/common.h"

enum { PROTO_SRT = 1, PROTO_RTMP = 2 };

/* Set on a listener thread while libavformat accepts an RTMP publisher:
 * whether the stream name differed from the key. */
static __thread int tls_accepting;
static __thread int tls_wrong_name;

static void av_log_cb(void *avcl, int level, const char *fmt, va_list vl)
{
    const AVClass *cls = avcl ? *(const AVClass **)avcl : NULL;
    /* A protocol's context (URLContext) is named after its protocol. */
    const char *name = cls ? (cls->item_name ? cls->item_name(avcl) : cls->class_name) : NULL;

    if (tls_accepting && name && !strcmp(name, "rtmp") &&
        !strncmp(fmt, "Unexpected stream", 17)) {
        tls_wrong_name = 1;
        return; /* never printed: it holds the channel's key */
    }
    av_log_default_callback(avcl, level, fmt, vl);
}

void sv__live_av_log_install(void)
{
    av_log_set_callback(av_log_cb);
}

typedef struct listener {
    sv__live_channel *ch;
    int proto;
    int64_t last_read_ns;    /* while a feed runs: the last packet's arrival */
    int64_t opened_ms;       /* wall clock when the publisher's input opened */
    int reading;
} listener;

/* libavformat's interrupt callback: the server stops, or a feed stalled
 * longer than the channel's end_after_s. */
static int interrupted(void *opaque)
{
    listener *l = opaque;

    if (l->ch->stop)
        return 1;
    return l->reading &&
           sv__monotonic_ns() - l->last_read_ns > (int64_t)(l->ch->set.end_after_s * 1e9);
}

static const char *proto_name(int proto)
{
    return proto == PROTO_SRT ? "srt" : "rtmp";
}

/* Waits for one publisher; 0 with *out opened, or < 0 (stop, error). */
static int accept_one(listener *l, AVFormatContext **out)
{
    sv__live_channel *ch = l->ch;
    AVFormatContext *ic = avformat_alloc_context();
    AVDictionary *opts = NULL;
    char url[512];
    int ret;

    if (!ic)
        return SV_ERR_NOMEM;
    ic->interrupt_callback.callback = interrupted;
    ic->interrupt_callback.opaque = l;
    if (l->proto == PROTO_SRT) {
        /* tlpktdrop=0: a packet that comes late (a loaded machine, a
         * retransmission) is taken late rather than dropped: the origin
         * wants the whole feed more than a bounded delay. */
        snprintf(url, sizeof(url), "srt://%s:%d?mode=listener&passphrase=%s&pbkeylen=16"
                 "&latency=120000&tlpktdrop=0", ch->listen_host, ch->row.srt_port,
                 ch->row.key);
        av_dict_set(&opts, "f", "mpegts", 0);
    } else {
        snprintf(url, sizeof(url), "rtmp://%s:%d/live/%s", ch->listen_host, ch->row.rtmp_port,
                 ch->row.key);
        av_dict_set(&opts, "listen", "1", 0);
    }
    av_dict_set(&opts, "probesize", "1000000", 0);
    av_dict_set(&opts, "analyzeduration", "1500000", 0);
    tls_accepting = l->proto == PROTO_RTMP;
    tls_wrong_name = 0;
    ret = avformat_open_input(&ic, url, l->proto == PROTO_SRT ? av_find_input_format("mpegts")
                                                               : NULL, &opts);
    tls_accepting = 0;
    av_dict_free(&opts);
    if (ret < 0)
        return ret == AVERROR_EXIT ? SV_ERR_CANCELLED : SV_ERR_IO;
    /* The capture clock's anchor: avformat_open_input() returns once the
     * first bytes of the feed (the probe's few kB, the first packets of an
     * encoder that sends in real time) were read, before
     * avformat_find_stream_info() buffers a second or two of it. */
    l->opened_ms = sv__live_wall_ms();
    *out = ic;
    return 0;
}

static void *listen_main(void *arg)
{
    listener self = *(listener *)arg;
    sv__live_channel *ch = self.ch;
    int failures = 0;

    free(arg);
    while (!ch->stop) {
        AVFormatContext *ic = NULL;
        int ret, busy;

        self.reading = 0;
        ret = accept_one(&self, &ic);
        if (ret == SV_ERR_CANCELLED || ch->stop)
            break;
        if (ret < 0) {
            /* A port taken by another program, or a caller that broke off
             * during the handshake: say so once in a while, try again. */
            if (failures++ % 30 == 0)
                SV_LOGW(ch->log, "live", "channel %s: the %s listener on port %d failed; "
                        "retrying", ch->row.name, proto_name(self.proto),
                        self.proto == PROTO_SRT ? ch->row.srt_port : ch->row.rtmp_port);
            sv__sleep_ns(1000000000);
            continue;
        }
        failures = 0;
        if (self.proto == PROTO_RTMP && tls_wrong_name) {
            SV_LOGW(ch->log, "live", "channel %s: rtmp publisher refused: wrong stream key",
                    ch->row.name);
            avformat_close_input(&ic);
            continue;
        }
        sv__mutex_lock(&ch->lock);
        busy = ch->publisher;
        if (!busy)
            ch->publisher = self.proto;
        sv__mutex_unlock(&ch->lock);
        if (busy) {
            SV_LOGW(ch->log, "live", "channel %s: second publisher (%s) refused: the channel "
                    "is live over %s", ch->row.name, proto_name(self.proto), proto_name(busy));
            avformat_close_input(&ic);
            continue;
        }
        self.reading = 1;
        self.last_read_ns = sv__monotonic_ns();
        sv__live_pipeline_run(ch, ic, proto_name(self.proto), self.opened_ms,
                              &self.last_read_ns);
        self.reading = 0;
        avformat_close_input(&ic);
        sv__mutex_lock(&ch->lock);
        ch->publisher = 0;
        sv__mutex_unlock(&ch->lock);
    }
    return NULL;
}

int sv__live_listen_start(sv__live_channel *ch)
{
    for (int proto = PROTO_SRT; proto <= PROTO_RTMP; proto++) {
        listener *l = calloc(1, sizeof(*l));

        if (!l)
            return SV_ERR_NOMEM;
        l->ch = ch;
        l->proto = proto;
        if (sv__thread_create(&ch->threads[ch->nb_threads], "sv-live-listen", listen_main,
                              l) < 0) {
            free(l);
            return SV_ERR_INTERNAL;
        }
        ch->nb_threads++;
    }
    return 0;
}

void sv__live_listen_stop(sv__live_channel *ch)
{
    ch->stop = 1;
    for (int i = 0; i < ch->nb_threads; i++)
        sv__thread_join(&ch->threads[i]);
    ch->nb_threads = 0;
}
